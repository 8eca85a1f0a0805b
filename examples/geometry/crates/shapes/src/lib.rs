//! Plane shapes and the measurements every renderer needs.

pub mod shapes;
mod units;

pub use shapes::{Circle, Polygon, Rect};
pub use units::Length as Len;

/// Anything with an area and a perimeter.
pub trait Shape: std::fmt::Debug {
    /// Area in square units.
    fn area(&self) -> f64;
    /// Length of the boundary.
    fn perimeter(&self) -> f64;
    /// Number of corners; curves have none.
    fn corners(&self) -> usize {
        0
    }
}

/// Sum of the areas of all shapes.
pub fn total_area(shapes: &[Box<dyn Shape>]) -> f64 {
    shapes.iter().map(|s| s.area()).sum()
}

/// Old name of [`total_area`].
#[deprecated(since = "0.2.0", note = "use `total_area` instead")]
pub fn sum_areas(shapes: &[Box<dyn Shape>]) -> f64 {
    total_area(shapes)
}
