#[macro_use]
extern crate nom;
use nom::digit; //~

named!(number<&str, u32>, map_res!(digit, |s: &str| s.parse::<u32>())); //~
fn main() {
    println!("{:?}", number("42;"));
}
