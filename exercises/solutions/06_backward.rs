//! Exercise 6 with the crate's own code (`src/backward.rs`): `backward`.

use min_char_rnn::{ForwardCache, Grads, Params, backward};

/// `backward::backward`.
pub fn backward(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    let mut grads = Grads::zeros_like(params);
    backward::backward(params, cache, targets, &mut grads);
    grads
}
