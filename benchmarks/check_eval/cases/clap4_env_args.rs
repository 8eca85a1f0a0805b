use clap::{Arg, ArgAction, Command};
fn main() {
    let cmd = Command::new("tool")
        .author("me")
        .long_about("a longer description")
        .arg(Arg::new("verbose").short('v').long("verbose").action(ArgAction::SetTrue).global(true))
        .arg(Arg::new("rest").num_args(0..).trailing_var_arg(true).allow_hyphen_values(true));
    let m = cmd.get_matches_from(std::env::args());
    println!("{}", m.get_flag("verbose"));
}
