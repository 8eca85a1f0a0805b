use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::combinator::value;
use nom::multi::many0;
use nom::IResult;
fn boolean(input: &str) -> IResult<&str, bool> {
    alt((value(true, tag("true")), value(false, tag("false"))))(input)
}
fn list(input: &str) -> IResult<&str, Vec<bool>> {
    many0(boolean)(input)
}
fn main() {
    println!("{:?}", list("truefalse"));
}
