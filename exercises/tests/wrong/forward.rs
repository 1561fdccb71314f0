//! Wrong answers to exercise 3.

use min_char_rnn::{Params, Vector};

/// Reads row `x` of `w_xh` instead of column `x`.
pub fn hidden_step_row(params: &Params, x: usize, h_prev: &Vector) -> Vector {
    let mut h = Vector::zeros(params.hidden_size());
    params.w_hh.matvec(h_prev, &mut h);
    for i in 0..h.len() {
        h[i] = (params.w_xh[(x, i)] + h[i] + params.b_h[i]).tanh();
    }
    h
}

/// Forgets the bias.
pub fn hidden_step_no_bias(params: &Params, x: usize, h_prev: &Vector) -> Vector {
    let mut h = Vector::zeros(params.hidden_size());
    params.w_hh.matvec(h_prev, &mut h);
    for i in 0..h.len() {
        h[i] = (params.w_xh[(i, x)] + h[i]).tanh();
    }
    h
}

/// Multiplies `h_prev` by `w_hhᵀ` (which fits, `w_hh` being square).
pub fn hidden_step_transposed(params: &Params, x: usize, h_prev: &Vector) -> Vector {
    let mut h = Vector::zeros(params.hidden_size());
    params.w_hh.matvec_transposed(h_prev, &mut h);
    for i in 0..h.len() {
        h[i] = (params.w_xh[(i, x)] + h[i] + params.b_h[i]).tanh();
    }
    h
}

/// Forgets the output bias.
pub fn output_step_no_bias(params: &Params, h: &Vector) -> Vector {
    let mut y = Vector::zeros(params.vocab_size());
    params.w_hy.matvec(h, &mut y);
    y
}

/// Not written yet.
pub fn todo_hidden_step(_: &Params, _: usize, _: &Vector) -> Vector {
    todo!()
}

/// Not written yet.
pub fn todo_output_step(_: &Params, _: &Vector) -> Vector {
    todo!()
}
