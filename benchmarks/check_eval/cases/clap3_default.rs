use clap::{crate_version, Arg, Command};
fn main() {
    let c = Command::new("srv")
        .version(crate_version!())
        .arg(Arg::new("port").long("port").default_value("8080").validator(|s| s.parse::<u16>().map(|_| ()))); //~
    let m = c.get_matches();
    let port: u16 = m.value_of_t("port").unwrap(); //~
    println!("{}", port);
}
