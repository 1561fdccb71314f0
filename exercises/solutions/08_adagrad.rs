//! Exercise 8 with the crate's own code (`src/adagrad.rs`): `adagrad_update`.

/// `adagrad::adagrad_update`.
pub fn adagrad_update(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    min_char_rnn::adagrad::adagrad_update(w, g, m, learning_rate);
}
