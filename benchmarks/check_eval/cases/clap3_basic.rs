use clap::{App, Arg}; //~
fn main() {
    let matches = App::new("greet")
        .version("1.0")
        .arg(Arg::with_name("name").long("name").takes_value(true)) //~
        .get_matches();
    println!("{:?}", matches);
}
