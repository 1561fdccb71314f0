//! Exercise 7 with the crate's own code (`src/backward.rs`): `Grads::clip`.

use min_char_rnn::Grads;

/// `Grads::clip`.
pub fn clip(grads: &mut Grads, limit: f64) {
    grads.clip(limit);
}
