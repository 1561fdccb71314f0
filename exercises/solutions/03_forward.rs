//! Exercise 3 with the crate's own code (`src/forward.rs`): `hidden_step` and `output_step`,
//! which write into a buffer instead of returning a new vector.

use min_char_rnn::{Params, Vector, forward};

/// `forward::hidden_step`.
pub fn hidden_step(params: &Params, x: usize, h_prev: &Vector) -> Vector {
    let mut h = Vector::zeros(params.hidden_size());
    forward::hidden_step(params, x, h_prev, &mut h);
    h
}

/// `forward::output_step`.
pub fn output_step(params: &Params, h: &Vector) -> Vector {
    let mut y = Vector::zeros(params.vocab_size());
    forward::output_step(params, h, &mut y);
    y
}
