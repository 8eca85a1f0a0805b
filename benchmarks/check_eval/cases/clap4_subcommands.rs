use clap::{Arg, Command};
fn cli() -> Command {
    Command::new("git")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(Command::new("clone").arg(Arg::new("remote").required(true)))
        .subcommand(Command::new("push"))
}
fn main() {
    match cli().get_matches().subcommand() {
        Some(("clone", sub)) => println!("{:?}", sub.get_one::<String>("remote")),
        Some((name, _)) => println!("{}", name),
        None => {}
    }
}
