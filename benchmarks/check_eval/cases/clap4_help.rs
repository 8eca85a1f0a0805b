use clap::{Arg, Command};
fn main() {
    let mut cmd = Command::new("build")
        .arg(Arg::new("jobs").short('j').help("parallel jobs").help_heading("PERF"))
        .after_help("see the manual");
    let text = cmd.render_help();
    println!("{}", text);
    cmd.print_help().unwrap();
}
