//! Exercise 3, the forward step: the new memory, and a score for every character.
//!
//! Chapter: "The forward pass". Check: `cargo test forward`.
//!
//! ```text
//! h = tanh(w_xh · x + w_hh · h_prev + b_h)      (H)   x is one-hot at index `x`
//! y = w_hy · h + b_y                            (V)
//! ```
//!
//! Shapes: `w_xh` is `(H, V)`, `w_hh` `(H, H)`, `w_hy` `(V, H)`, `b_h` and `h_prev` `(H)`,
//! `b_y` `(V)`.
//!
//! Notebook:
//!
//! ```python
//! hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t-1]) + bh)
//! ys[t] = np.dot(Why, hs[t]) + by
//! ```

// The `todo!()` bodies leave the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::{Params, Vector};

/// `h = tanh(w_xh · x + w_hh · h_prev + b_h)`, where `x` is the index of the input character.
///
/// Hints:
/// - `x` is one-hot, so `w_xh · x` is column `x` of `w_xh`: its entry `i` is
///   `params.w_xh[(i, x)]` (row `i`, column `x`). No need to build the one-hot vector.
/// - `params.w_hh.matvec(h_prev, &mut out)` computes `out = w_hh · h_prev` into an `out` of
///   length `H` (or write the two loops: `out[i]` is row `i` of `w_hh` dotted with `h_prev`).
/// - `f64::tanh` will do; the crate uses `min_char_rnn::math::tanh`, equal to within a few
///   units in the last place.
pub fn hidden_step(params: &Params, x: usize, h_prev: &Vector) -> Vector {
    todo!()
}

/// `y = w_hy · h + b_y`: one score per character of the vocabulary, `(V)`.
///
/// Hints:
/// - `w_hy` is `(V, H)` and `h` is `(H)`, so the product has `V` entries:
///   `params.w_hy.matvec(h, &mut y)` with `y` of length `V`.
/// - Then add the bias: `y.add_assign(&params.b_y)`, or `y[k] += params.b_y[k]` for each `k`.
pub fn output_step(params: &Params, h: &Vector) -> Vector {
    todo!()
}
