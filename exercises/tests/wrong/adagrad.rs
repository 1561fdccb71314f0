//! Wrong answers to exercise 8.

use min_char_rnn::adagrad::EPSILON;

/// Steps with the old memory, then updates it.
pub fn step_before_memory(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    for i in 0..w.len() {
        w[i] -= learning_rate * g[i] / (m[i] + EPSILON).sqrt();
        m[i] += g[i] * g[i];
    }
}

/// Forgets the `1e−8`: a zero gradient on an empty memory gives 0 / 0.
pub fn no_epsilon(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    for i in 0..w.len() {
        m[i] += g[i] * g[i];
        w[i] -= learning_rate * g[i] / m[i].sqrt();
    }
}

/// Steps uphill.
pub fn uphill(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    for i in 0..w.len() {
        m[i] += g[i] * g[i];
        w[i] += learning_rate * g[i] / (m[i] + EPSILON).sqrt();
    }
}

/// Not written yet.
pub fn todo_adagrad_update(_: &mut [f64], _: &[f64], _: &mut [f64], _: f64) {
    todo!()
}
