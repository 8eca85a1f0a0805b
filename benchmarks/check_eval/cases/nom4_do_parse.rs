#[macro_use]
extern crate nom;

named!(pair<&[u8], (u8, u8)>, //~
    do_parse!( //~
        a: take!(1) >> //~
        b: take!(1) >> //~
        ((a[0], b[0]))
    )
);
fn main() {
    println!("{:?}", pair(b"ab"));
}
