use clap::{Arg, Command};
fn main() {
    let out = Arg::new("output").short('o').long("output").required(true);
    let quiet = Arg::new("quiet").short('q').multiple(true); //~
    let m = Command::new("prog").arg(out).arg(quiet).get_matches();
    println!("{}", m.occurrences_of("quiet")); //~
}
