use clap::{Arg, Command};
fn main() {
    let cmd = Command::new("build")
        .arg(Arg::new("jobs").short('j').takes_value(true).help_heading("PERF")); //~
    let mut cmd2 = cmd.clone();
    cmd2.print_help().unwrap();
    let m = cmd.get_matches();
    println!("{}", m.is_present("jobs")); //~
}
