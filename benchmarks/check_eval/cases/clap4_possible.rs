use clap::builder::PossibleValuesParser;
use clap::{Arg, Command};
fn main() {
    let mode = Arg::new("mode").long("mode").value_parser(PossibleValuesParser::new(["fast", "slow"]));
    let m = Command::new("run").arg(mode).get_matches();
    let chosen: Option<&String> = m.get_one("mode");
    println!("{:?}", chosen);
}
