use clap::{Arg, Command};
fn main() {
    let input = Arg::new("input").takes_value(true); //~
    let many = Arg::new("files").multiple_occurrences(true); //~
    let cmd = Command::new("cat").arg(input).arg(many);
    cmd.get_matches();
}
