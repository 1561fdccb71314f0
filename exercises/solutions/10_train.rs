//! Exercise 10 with the crate's own logic (`src/train.rs`: `Trainer::next_chunk` and
//! `Trainer::step`, which keep this state in the `Trainer`).

use min_char_rnn::{ForwardCache, Vector};

/// Where the loop is between two iterations (the notebook's `p`, `n` and `hprev`).
#[derive(Clone, Debug, PartialEq)]
pub struct LoopState {
    /// `p`: where the next chunk starts, unless it is time to go back to the start.
    pub pointer: usize,
    /// `n`: how many iterations have run.
    pub iteration: usize,
    /// `hprev`: the memory carried from one chunk to the next, `(H)`.
    pub h_prev: Vector,
}

/// The reset of `Trainer::next_chunk` and `Trainer::step`.
pub fn next_chunk(state: &mut LoopState, data_len: usize, seq_length: usize) -> usize {
    if state.pointer + seq_length + 1 >= data_len || state.iteration == 0 {
        state.h_prev.fill(0.0);
        0
    } else {
        state.pointer
    }
}

/// The end of `Trainer::step`.
pub fn finish_chunk(state: &mut LoopState, p: usize, cache: &ForwardCache) {
    state.h_prev.copy_from(cache.last_hidden());
    state.pointer = p + cache.len();
    state.iteration += 1;
}
