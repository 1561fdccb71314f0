//! Exercise 2 with the crate's own code (`src/vector.rs`): `Vector::one_hot`.

use min_char_rnn::Vector;

/// `Vector::one_hot`.
pub fn one_hot(vocab_size: usize, ix: usize) -> Vector {
    Vector::one_hot(vocab_size, ix)
}
