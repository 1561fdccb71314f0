//! Exercise 5, the first gradient: how the loss changes with each score.
//!
//! Chapter: "The loss", section "The first derivative". Check: `cargo test dy`.
//!
//! ```text
//! dy = ∂(−ln p[target]) / ∂y = p − onehot(target)      (V)
//! ```
//!
//! Notebook:
//!
//! ```python
//! dy = np.copy(ps[t])
//! dy[targets[t]] -= 1
//! ```

// The `todo!()` body leaves the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::Vector;

/// `dy = p − onehot(target)`: the probability itself for every wrong character, `p − 1` for
/// the right one.
///
/// Hints:
/// - `p.clone()` is the copy.
/// - The 1 comes off at `target`, the character that really came next in the text, not at
///   the one the network found most likely.
pub fn output_gradient(p: &Vector, target: usize) -> Vector {
    todo!()
}
