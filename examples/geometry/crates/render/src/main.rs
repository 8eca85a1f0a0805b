use render::{draw_unit_circle, TextRenderer};

fn main() {
    let mut renderer = TextRenderer::default();
    println!("{}", draw_unit_circle(&mut renderer));
}
