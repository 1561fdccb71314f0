//! Exercise 10, the training loop: the data pointer, and the memory carried from chunk to
//! chunk.
//!
//! Chapter: "The training loop". Check: `cargo test train`.
//!
//! ```text
//! loop:
//!     if p + T + 1 >= len(data) or n == 0:  h_prev = 0, p = 0      next_chunk
//!     inputs  = data[p     .. p + T]
//!     targets = data[p + 1 .. p + T + 1]
//!     loss, grads, hs = lossFun(inputs, targets, h_prev)          exercises 3 to 7
//!     adagrad update                                              exercise 8
//!     h_prev = hs[T − 1],  p += T,  n += 1                         finish_chunk
//! ```
//!
//! Notebook:
//!
//! ```python
//! if p+seq_length+1 >= len(data) or n == 0:
//!     hprev = np.zeros((hidden_size,1)) # reset RNN memory
//!     p = 0 # go from start of data
//! inputs = [char_to_ix[ch] for ch in data[p:p+seq_length]]
//! targets = [char_to_ix[ch] for ch in data[p+1:p+seq_length+1]]
//! loss, dWxh, dWhh, dWhy, dbh, dby, hprev = lossFun(inputs, targets, hprev)
//! p += seq_length # move data pointer
//! n += 1 # iteration counter
//! ```

// The `todo!()` bodies leave the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::{ForwardCache, Vector};

/// Where the loop is between two iterations (the notebook's `p`, `n` and `hprev`). Given:
/// the two functions below read and change it.
#[derive(Clone, Debug, PartialEq)]
pub struct LoopState {
    /// `p`: where the next chunk starts, unless it is time to go back to the start.
    pub pointer: usize,
    /// `n`: how many iterations have run.
    pub iteration: usize,
    /// `hprev`: the memory carried from one chunk to the next, `(H)`.
    pub h_prev: Vector,
}

/// Where this iteration's chunk starts, `p`: `state.pointer`, or `0` on the first iteration
/// and whenever the chunk would need a character beyond the end of the data (its targets run
/// to `p + T`, so it needs `p + T + 1` characters). Going back to the start also empties the
/// memory, `h_prev = 0`; otherwise `h_prev` is left as it is.
///
/// Hints:
/// - The notebook's test, exactly: `p + T + 1 >= data_len`. With `>=`, not `>`, a chunk that
///   would end right at the last character is skipped, as the original skips it.
/// - `state.h_prev.fill(0.0)` empties the memory.
pub fn next_chunk(state: &mut LoopState, data_len: usize, seq_length: usize) -> usize {
    todo!()
}

/// After `lossFun` ran on the chunk that started at `p`: keep the memory the chunk ended
/// with, `h_prev = hs[T − 1]`, move the pointer past the chunk, `p + T`, and count the
/// iteration.
///
/// Hints:
/// - `cache.last_hidden()` is `hs[T − 1]`, and `cache.len()` is `T`.
/// - `state.h_prev.copy_from(…)` copies a vector into one of the same length.
pub fn finish_chunk(state: &mut LoopState, p: usize, cache: &ForwardCache) {
    todo!()
}
