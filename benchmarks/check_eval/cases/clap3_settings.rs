use clap::{AppSettings, Command}; //~
fn main() {
    let cmd = Command::new("tool")
        .setting(AppSettings::ArgRequiredElseHelp)
        .about("does things");
    cmd.get_matches();
}
