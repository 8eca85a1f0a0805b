use clap::{Arg, ArgAction, ArgGroup, Command};
fn main() {
    let cmd = Command::new("fmt")
        .arg(Arg::new("json").long("json").action(ArgAction::SetTrue))
        .arg(Arg::new("yaml").long("yaml").action(ArgAction::SetTrue))
        .group(ArgGroup::new("format").args(["json", "yaml"]).required(true));
    let m = cmd.try_get_matches_from(["fmt", "--json"]).unwrap();
    println!("{}", m.get_flag("json"));
}
