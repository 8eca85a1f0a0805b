use render::Renderer;
use shapes::Polygon;

fn main() {
    let mut r = render::TextRenderer::default();
    println!("{}", r.draw(&Polygon::rect(2.0, 2.0)));
}
