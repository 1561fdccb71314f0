//! Exercise 5 with the crate's own code (`src/loss.rs`): `output_gradient`.

use min_char_rnn::{Vector, loss};

/// `loss::output_gradient`.
pub fn output_gradient(p: &Vector, target: usize) -> Vector {
    let mut dy = Vector::zeros(p.len());
    loss::output_gradient(p, target, &mut dy);
    dy
}
