use clap::{App, SubCommand}; //~
fn main() {
    let app = App::new("git")
        .subcommand(SubCommand::with_name("clone"));
    app.get_matches();
}
