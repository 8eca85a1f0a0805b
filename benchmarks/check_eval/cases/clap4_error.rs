use clap::error::ErrorKind;
use clap::{Arg, Command};
fn main() {
    let mut cmd = Command::new("calc").arg(Arg::new("n").required(true));
    let m = cmd.clone().get_matches();
    let n: &String = m.get_one("n").unwrap();
    if n.parse::<i64>().is_err() {
        cmd.error(ErrorKind::InvalidValue, "n must be a number").exit();
    }
}
