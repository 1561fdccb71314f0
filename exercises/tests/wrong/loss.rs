//! Wrong answers to exercise 4.

use min_char_rnn::Vector;

/// The original's formula: `exp(y)` without subtracting the largest score first.
pub fn softmax_without_max(y: &Vector) -> Vector {
    let mut p = Vector::zeros(y.len());
    let mut sum = 0.0;
    for k in 0..y.len() {
        p[k] = y[k].exp();
        sum += p[k];
    }
    for k in 0..y.len() {
        p[k] /= sum;
    }
    p
}

/// Forgets the minus sign.
pub fn cross_entropy_without_minus(p: &Vector, target: usize) -> f64 {
    p[target].ln()
}

/// The mean over the steps instead of the sum.
pub fn sequence_loss_mean(ps: &[Vector], targets: &[usize]) -> f64 {
    let mut loss = 0.0;
    for t in 0..targets.len() {
        loss += -ps[t][targets[t]].ln();
    }
    loss / targets.len() as f64
}

/// Not written yet.
pub fn todo_softmax(_: &Vector) -> Vector {
    todo!()
}

/// Not written yet.
pub fn todo_cross_entropy(_: &Vector, _: usize) -> f64 {
    todo!()
}

/// Not written yet.
pub fn todo_sequence_loss(_: &[Vector], _: &[usize]) -> f64 {
    todo!()
}
