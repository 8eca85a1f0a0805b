use nom::character::complete::{alpha1, char};
use nom::error::{Error, ErrorKind};
use nom::sequence::separated_pair;
use nom::{Err, IResult};
fn kv(input: &str) -> IResult<&str, (&str, &str)> {
    separated_pair(alpha1, char('='), alpha1)(input)
}
fn main() {
    match kv("a=") {
        Err(Err::Error(Error { code: ErrorKind::Alpha, .. })) => println!("bad value"),
        other => println!("{:?}", other),
    }
}
