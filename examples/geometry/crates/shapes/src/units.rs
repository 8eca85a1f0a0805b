/// A length in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Length(pub f64);

impl Length {
    /// Builds a length from centimetres.
    pub fn from_cm(cm: f64) -> Self {
        Length(cm * 10.0)
    }
}
