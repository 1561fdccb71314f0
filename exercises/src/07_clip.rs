//! Exercise 7, clipping: a guard against the occasional exploding gradient.
//!
//! Chapter: "The backward pass", section "Clipping". Check: `cargo test clip`.
//!
//! ```text
//! every element g of dw_xh, dw_hh, dw_hy, db_h, db_y:   g = min(max(g, −limit), limit)
//! ```
//!
//! Notebook (with `limit` = 5):
//!
//! ```python
//! for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
//!     np.clip(dparam, -5, 5, out=dparam)
//! ```

// The `todo!()` body leaves the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::Grads;

/// Clamps every element of the five gradients into `[−limit, limit]`, in place.
///
/// Hints:
/// - `x.clamp(-limit, limit)` clamps one number.
/// - `grads.dw_xh.as_mut_slice()` is every number of a matrix, row after row; a `Vector` has
///   `as_mut_slice()` too. All five gradients, the two biases included.
pub fn clip(grads: &mut Grads, limit: f64) {
    todo!()
}
