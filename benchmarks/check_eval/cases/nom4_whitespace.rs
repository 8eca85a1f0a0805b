#[macro_use]
extern crate nom;
use nom::{alphanumeric, multispace}; //~

named!(ident<&str, &str>, delimited!(opt!(multispace), alphanumeric, opt!(multispace))); //~
fn main() {
    println!("{:?}", ident("  abc  "));
}
