use clap::{Arg, ArgAction, Command};
fn main() {
    let matches = Command::new("greet")
        .version("1.0")
        .about("says hello")
        .arg(Arg::new("name").long("name").required(true))
        .arg(Arg::new("loud").short('l').action(ArgAction::SetTrue))
        .get_matches();
    let name = matches.get_one::<String>("name").unwrap();
    if matches.get_flag("loud") {
        println!("HELLO {}", name.to_uppercase());
    }
}
