//! Exercise 4, softmax and the loss: scores into probabilities, and how wrong they were.
//!
//! Chapter: "The loss". Check: `cargo test loss`.
//!
//! ```text
//! p[k] = exp(y[k] − m) / Σ_j exp(y[j] − m),   m = max_j y[j]      (V)
//! loss = −ln p[target]                                            one step
//! L    = Σ_t −ln p_t[target_t]                                    a whole chunk
//! ```
//!
//! Notebook:
//!
//! ```python
//! ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
//! loss += -np.log(ps[t][targets[t],0])
//! ```

// The `todo!()` bodies leave the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::Vector;

/// `p = softmax(y)`: probabilities, positive and summing to 1, one per score.
///
/// Hints:
/// - Subtract the largest score before `exp` (`y.max()` gives it). The result is the same
///   number, since the factor `exp(−m)` cancels, but `exp(1000.0)` is infinite in `f64`
///   while `exp(0.0)` is 1.
/// - Then divide every `exp` by the sum of them all.
pub fn softmax(y: &Vector) -> Vector {
    todo!()
}

/// `−ln p[target]`: the loss of one step, the surprise at the character that came next.
///
/// Hint: `f64::ln` is the natural logarithm. A probability is at most 1, so its logarithm is
/// at most 0: mind the sign.
pub fn cross_entropy(p: &Vector, target: usize) -> f64 {
    todo!()
}

/// `L = Σ_t −ln p_t[target_t]`: the loss of a chunk, `ps[t]` being the probabilities of step
/// `t` and `targets[t]` the character that came next.
///
/// Hint: a sum over the steps, not a mean (`lossFun` returns the sum).
pub fn sequence_loss(ps: &[Vector], targets: &[usize]) -> f64 {
    todo!()
}
