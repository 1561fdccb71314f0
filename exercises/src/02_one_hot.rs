//! Exercise 2, one-hot vectors: a character as the network's input.
//!
//! Chapter: "The data: encode", section "One-hot vectors". Check: `cargo test one_hot`.
//!
//! ```text
//! one_hot(4, 2) = [0, 0, 1, 0]       length V, a single 1 at the character's index
//! ```
//!
//! Notebook:
//!
//! ```python
//! xs[t] = np.zeros((vocab_size,1)); xs[t][inputs[t]] = 1
//! ```

// The `todo!()` body leaves the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::Vector;

/// The input vector `x` of the character with index `ix`: `vocab_size` numbers, all `0.0`
/// except `x[ix] = 1.0`.
///
/// Hints:
/// - `Vector::zeros(n)` makes `n` zeros; `x[i] = 1.0` sets one of them.
/// - Indices count from 0: the last character of the vocabulary is `vocab_size - 1`.
pub fn one_hot(vocab_size: usize, ix: usize) -> Vector {
    todo!()
}
