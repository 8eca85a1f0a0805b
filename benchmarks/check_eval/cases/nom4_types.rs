#[macro_use]
extern crate nom;
use nom::types::CompleteStr; //~

named!(word<CompleteStr, CompleteStr>, take_while!(|c: char| c.is_alphabetic())); //~
fn main() {
    println!("{:?}", word(CompleteStr("abc def")));
}
