use nom::bytes::complete::take;
use nom::sequence::tuple;
use nom::IResult;
fn pair(input: &[u8]) -> IResult<&[u8], (u8, u8)> {
    let (rest, (a, b)) = tuple((take(1usize), take(1usize)))(input)?;
    Ok((rest, (a[0], b[0])))
}
fn main() {
    println!("{:?}", pair(b"ab"));
}
