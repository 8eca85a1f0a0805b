use crate::Shape;

/// A circle given by its radius.
#[derive(Debug, Clone)]
pub struct Circle {
    /// Distance from the centre to the boundary.
    pub radius: f64,
}

impl Circle {
    /// A circle of the given radius.
    pub fn new(radius: f64) -> Self {
        Circle { radius }
    }

    /// Twice the radius.
    pub fn diameter(&self) -> f64 {
        self.radius * 2.0
    }
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        std::f64::consts::PI * self.radius * self.radius
    }

    fn perimeter(&self) -> f64 {
        2.0 * std::f64::consts::PI * self.radius
    }
}
