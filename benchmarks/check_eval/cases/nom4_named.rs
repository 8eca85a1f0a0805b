#[macro_use]
extern crate nom;
use nom::IResult;

named!(greeting<&str, &str>, tag!("hello")); //~
fn main() {
    let r: IResult<&str, &str> = greeting("hello world");
    println!("{:?}", r);
}
