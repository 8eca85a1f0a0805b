use clap::{Arg, Command};
fn main() {
    let mode = Arg::new("mode").long("mode").possible_values(&["fast", "slow"]); //~
    let m = Command::new("run").arg(mode).get_matches();
    let chosen = m.value_of("mode"); //~
    println!("{:?}", chosen);
}
