use nom::bytes::complete::take_while1;
use nom::character::complete::multispace0;
use nom::sequence::delimited;
use nom::IResult;
fn word(input: &str) -> IResult<&str, &str> {
    delimited(multispace0, take_while1(|c: char| c.is_alphabetic()), multispace0)(input)
}
fn main() {
    println!("{:?}", word("  abc def"));
}
