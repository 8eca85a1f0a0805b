use clap::{Arg, ArgMatches, Command};
fn files(m: &ArgMatches) -> Vec<String> {
    m.values_of("file").map(|v| v.map(String::from).collect()).unwrap_or_default() //~
}
fn main() {
    let c = Command::new("ls").arg(Arg::new("file").min_values(1)); //~
    let m = c.get_matches();
    println!("{:?}", files(&m));
}
