//! Wrong answers to exercise 2.

use min_char_rnn::Vector;

/// Counts from 1: the 1 lands one place early.
pub fn one_based(vocab_size: usize, ix: usize) -> Vector {
    let mut x = Vector::zeros(vocab_size);
    x[ix - 1] = 1.0;
    x
}

/// A vector just long enough to hold the 1.
pub fn too_short(_vocab_size: usize, ix: usize) -> Vector {
    let mut x = Vector::zeros(ix + 1);
    x[ix] = 1.0;
    x
}

/// Not written yet.
pub fn todo_one_hot(_: usize, _: usize) -> Vector {
    todo!()
}
