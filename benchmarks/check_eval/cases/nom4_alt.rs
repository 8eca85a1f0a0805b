#[macro_use]
extern crate nom;

named!(boolean<&str, bool>, //~
    alt!( //~
        tag!("true") => { |_| true } | //~
        tag!("false") => { |_| false } //~
    )
);
named!(list<&str, Vec<bool>>, many0!(boolean)); //~
fn main() {
    println!("{:?}", list("truefalse"));
}
