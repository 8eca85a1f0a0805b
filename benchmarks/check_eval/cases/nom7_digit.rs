use nom::character::complete::digit1;
use nom::combinator::map_res;
use nom::IResult;
fn number(input: &str) -> IResult<&str, u32> {
    map_res(digit1, |s: &str| s.parse::<u32>())(input)
}
fn main() {
    println!("{:?}", number("42;"));
}
