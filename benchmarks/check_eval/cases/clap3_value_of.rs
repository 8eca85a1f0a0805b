use clap::{Arg, ArgMatches, Command};
fn run(matches: &ArgMatches) {
    let level = matches.value_of("level").unwrap_or("info"); //~
    let verbose = matches.is_present("verbose"); //~
    println!("{} {}", level, verbose);
}
fn main() {
    let m = Command::new("x").arg(Arg::new("level").long("level")).get_matches();
    run(&m);
}
