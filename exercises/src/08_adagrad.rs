//! Exercise 8, the update: Adagrad, a step size for every parameter.
//!
//! Chapter: "Adagrad". Check: `cargo test adagrad`.
//!
//! For every element, with weight `w`, gradient `g` and memory `m`:
//!
//! ```text
//! m += g · g                          every squared gradient so far
//! w −= lr · g / √(m + 1e−8)           a step against the gradient, smaller where m is large
//! ```
//!
//! Notebook:
//!
//! ```python
//! mem += dparam * dparam
//! param += -learning_rate * dparam / np.sqrt(mem + 1e-8)
//! ```

// The `todo!()` body leaves the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

/// One Adagrad update of one parameter: `w`, its gradient `g` and its memory `m` have the
/// same length, and element `i` of each belongs together.
///
/// Hints:
/// - The memory first, then the step, which uses the memory just updated.
/// - `min_char_rnn::adagrad::EPSILON` is the `1e-8`; `f64::sqrt` the square root.
pub fn adagrad_update(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    todo!()
}
