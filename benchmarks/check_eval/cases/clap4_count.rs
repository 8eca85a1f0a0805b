use clap::{Arg, ArgAction, Command};
fn main() {
    let quiet = Arg::new("quiet").short('q').action(ArgAction::Count);
    let m = Command::new("prog").arg(quiet).get_matches();
    println!("{}", m.get_count("quiet"));
}
