use clap::{Arg, ArgAction, ArgMatches, Command};
fn files(m: &ArgMatches) -> Vec<String> {
    m.get_many::<String>("file").map(|v| v.cloned().collect()).unwrap_or_default()
}
fn main() {
    let cmd = Command::new("ls").arg(Arg::new("file").num_args(1..).action(ArgAction::Append));
    let m = cmd.get_matches();
    println!("{:?}", files(&m));
}
