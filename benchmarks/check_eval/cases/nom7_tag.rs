use nom::bytes::complete::tag;
use nom::IResult;
fn greeting(input: &str) -> IResult<&str, &str> {
    tag("hello")(input)
}
fn main() {
    println!("{:?}", greeting("hello world"));
}
