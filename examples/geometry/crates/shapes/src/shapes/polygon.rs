use crate::Shape;

/// A closed polygon given by its vertices in order.
#[derive(Debug, Clone, Default)]
pub struct Polygon {
    pub points: Vec<(f64, f64)>,
}

/// An axis-aligned rectangle.
pub type Rect = Polygon;

impl Polygon {
    /// An axis-aligned rectangle of the given width and height.
    pub fn rect(width: f64, height: f64) -> Self {
        Polygon { points: vec![(0.0, 0.0), (width, 0.0), (width, height), (0.0, height)] }
    }

    fn edges(&self) -> impl Iterator<Item = ((f64, f64), (f64, f64))> + '_ {
        let n = self.points.len();
        (0..n).map(move |i| (self.points[i], self.points[(i + 1) % n]))
    }
}

impl Shape for Polygon {
    fn area(&self) -> f64 {
        // Shoelace formula.
        self.edges().map(|((x1, y1), (x2, y2))| x1 * y2 - x2 * y1).sum::<f64>().abs() / 2.0
    }

    fn perimeter(&self) -> f64 {
        self.edges().map(|((x1, y1), (x2, y2))| ((x2 - x1).powi(2) + (y2 - y1).powi(2)).sqrt()).sum()
    }

    fn corners(&self) -> usize {
        self.points.len()
    }
}
