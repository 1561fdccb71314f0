//! Comparing the learner's numbers with the crate's, and saying where they differ.

use min_char_rnn::{Grads, Matrix, Vector};

/// How far a number may be from the crate's, relative to its size (and at least absolute):
/// your numbers may differ in their last digits, if you add in another order or call
/// `f64::tanh` instead of the crate's `math::tanh`. A mistake is far larger.
pub const TOLERANCE: f64 = 1e-9;

/// `true` if `got` is `expected` up to [`TOLERANCE`]. NaN is never close to anything.
pub fn close(expected: f64, got: f64) -> bool {
    if expected == got {
        return true; // equal infinities included
    }
    let scale = 1f64.max(expected.abs()).max(got.abs());
    (expected - got).abs() <= TOLERANCE * scale
}

/// The first way in which two lists of numbers differ.
#[derive(Clone, Debug, PartialEq)]
pub enum Difference {
    /// Another number of entries.
    Length {
        /// The crate's.
        expected: usize,
        /// The learner's.
        got: usize,
    },
    /// A matrix of another shape.
    Shape {
        /// The crate's.
        expected: (usize, usize),
        /// The learner's.
        got: (usize, usize),
    },
    /// A number that differs: entry `index`, at `(row, column)` in a matrix.
    Value {
        /// Its position in the list (row after row in a matrix).
        index: usize,
        /// Row and column, in a matrix.
        cell: Option<(usize, usize)>,
        /// The crate's.
        expected: f64,
        /// The learner's.
        got: f64,
    },
}

impl Difference {
    /// "h[1] should be 0.25 but is 0.5", for the output named `name`.
    pub fn describe(&self, name: &str) -> String {
        match self {
            Difference::Length { expected, got } => {
                format!("{name} has {got} entries; it should have {expected}")
            }
            Difference::Shape { expected, got } => format!(
                "{name} is ({} x {}); it should be ({} x {})",
                got.0, got.1, expected.0, expected.1
            ),
            Difference::Value {
                index,
                cell,
                expected,
                got,
            } => {
                let at = match cell {
                    Some((r, c)) => format!("[({r}, {c})]"),
                    None => format!("[{index}]"),
                };
                format!("{name}{at} should be {expected:?} but is {got:?}")
            }
        }
    }
}

/// The first difference between two slices, or `None` if they agree.
pub fn slices(expected: &[f64], got: &[f64]) -> Option<Difference> {
    if expected.len() != got.len() {
        return Some(Difference::Length {
            expected: expected.len(),
            got: got.len(),
        });
    }
    for index in 0..expected.len() {
        if !close(expected[index], got[index]) {
            return Some(Difference::Value {
                index,
                cell: None,
                expected: expected[index],
                got: got[index],
            });
        }
    }
    None
}

/// The first difference between two vectors.
pub fn vectors(expected: &Vector, got: &Vector) -> Option<Difference> {
    slices(expected.as_slice(), got.as_slice())
}

/// The first difference between two matrices: their shapes, then their numbers.
pub fn matrices(expected: &Matrix, got: &Matrix) -> Option<Difference> {
    if expected.shape() != got.shape() {
        return Some(Difference::Shape {
            expected: expected.shape(),
            got: got.shape(),
        });
    }
    match slices(expected.as_slice(), got.as_slice()) {
        Some(Difference::Value {
            index,
            expected: e,
            got: g,
            ..
        }) => Some(Difference::Value {
            index,
            cell: Some((index / expected.cols(), index % expected.cols())),
            expected: e,
            got: g,
        }),
        other => other,
    }
}

/// The names of the five gradients, in the order [`gradients`] compares them: the order in
/// which the backward pass computes them.
pub const GRADIENT_ORDER: [&str; 5] = ["db_y", "dw_hy", "db_h", "dw_xh", "dw_hh"];

/// The first of the five gradients that differs, with its name, in [`GRADIENT_ORDER`].
pub fn gradients(expected: &Grads, got: &Grads) -> Option<(&'static str, Difference)> {
    for name in GRADIENT_ORDER {
        if let Some(d) = gradient(name, expected, got) {
            return Some((name, d));
        }
    }
    None
}

/// The first difference in the gradient `name`.
pub fn gradient(name: &str, expected: &Grads, got: &Grads) -> Option<Difference> {
    match name {
        "db_y" => vectors(&expected.db_y, &got.db_y),
        "dw_hy" => matrices(&expected.dw_hy, &got.dw_hy),
        "db_h" => vectors(&expected.db_h, &got.db_h),
        "dw_xh" => matrices(&expected.dw_xh, &got.dw_xh),
        "dw_hh" => matrices(&expected.dw_hh, &got.dw_hh),
        _ => panic!("gradient: no gradient named {name}"),
    }
}

/// `true` if all five gradients agree.
pub fn same_gradients(expected: &Grads, got: &Grads) -> bool {
    gradients(expected, got).is_none()
}

/// A list printed in full, `[0.1, 0.2]`.
pub fn list(values: &[f64]) -> String {
    format!("{values:?}")
}
