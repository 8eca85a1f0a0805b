use clap::{value_parser, Arg, Command};
fn main() {
    let m = Command::new("srv")
        .arg(Arg::new("port").long("port").default_value("8080").value_parser(value_parser!(u16)))
        .get_matches();
    let port: u16 = *m.get_one::<u16>("port").expect("default");
    println!("{}", port);
}
