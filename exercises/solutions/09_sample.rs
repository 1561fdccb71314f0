//! Exercise 9 with the crate's own code (`src/loss.rs`, `src/sample.rs`).
//!
//! The crate's `draw` takes the random generator and asks it for `u` itself; `draw` below is
//! its loop, given `u`.

use min_char_rnn::{Vector, loss};

/// `loss::softmax_with_temperature`.
pub fn softmax_with_temperature(y: &Vector, temperature: f64) -> Vector {
    let mut p = Vector::zeros(y.len());
    loss::softmax_with_temperature(y, temperature, &mut p);
    p
}

/// The loop of `sample::draw`, for a given `u`.
pub fn draw(p: &Vector, u: f64) -> usize {
    let u = u * p.sum();
    let mut cumulative = 0.0;
    let mut last_possible = 0;
    for k in 0..p.len() {
        if p[k] > 0.0 {
            cumulative += p[k];
            last_possible = k;
            if u < cumulative {
                return k;
            }
        }
    }
    last_possible
}
