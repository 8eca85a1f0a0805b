//! The concrete shapes.

mod circle;
mod polygon;

pub use circle::Circle;
pub use polygon::{Polygon, Rect};
