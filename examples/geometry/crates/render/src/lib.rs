//! Turns shapes into text.

use shapes::{Circle, Shape};

/// Something that can draw a shape.
pub trait Renderer {
    /// Draws one shape and returns what was drawn.
    fn draw(&mut self, shape: &dyn Shape) -> String;
}

/// Renders shapes as one line of text each.
#[derive(Debug, Default)]
pub struct TextRenderer {
    lines: usize,
}

impl Renderer for TextRenderer {
    fn draw(&mut self, shape: &dyn Shape) -> String {
        self.lines += 1;
        format!("{:?}: area {:.2}", shape, shape.area())
    }
}

/// Draws a unit circle, for smoke tests.
pub fn draw_unit_circle(renderer: &mut impl Renderer) -> String {
    renderer.draw(&Circle::new(1.0))
}
