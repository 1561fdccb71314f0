//! Exercise 4 with the crate's own code (`src/loss.rs`).

use min_char_rnn::{Vector, loss};

/// `loss::softmax`.
pub fn softmax(y: &Vector) -> Vector {
    let mut p = Vector::zeros(y.len());
    loss::softmax(y, &mut p);
    p
}

/// `loss::cross_entropy`.
pub fn cross_entropy(p: &Vector, target: usize) -> f64 {
    loss::cross_entropy(p, target)
}

/// `loss::sequence_loss`.
pub fn sequence_loss(ps: &[Vector], targets: &[usize]) -> f64 {
    loss::sequence_loss(ps, targets)
}
