//! Exercise 6, the backward pass: backpropagation through time, from the loss back to every
//! parameter.
//!
//! Chapter: "The backward pass". Check: `cargo test backward`.
//!
//! For `t = T−1` down to `0`, with `dhnext = 0` before the first (that is, the last) step:
//!
//! ```text
//! dy      = p_t − onehot(target_t)          (V)     exercise 5
//! dw_hy  += dy · h_tᵀ                       (V, H)
//! db_y   += dy                              (V)
//! dh      = w_hyᵀ · dy + dhnext             (H)     from this step's scores, and from the future
//! dhraw   = (1 − h_t ⊙ h_t) ⊙ dh            (H)     back through tanh: tanh′ = 1 − tanh²
//! db_h   += dhraw                           (H)
//! dw_xh  += dhraw · x_tᵀ                    (H, V)  x_t one-hot: one column
//! dw_hh  += dhraw · h_{t−1}ᵀ                (H, H)
//! dhnext  = w_hhᵀ · dhraw                   (H)     handed to step t − 1
//! ```
//!
//! Notebook:
//!
//! ```python
//! for t in reversed(range(len(inputs))):
//!     dy = np.copy(ps[t]); dy[targets[t]] -= 1
//!     dWhy += np.dot(dy, hs[t].T); dby += dy
//!     dh = np.dot(Why.T, dy) + dhnext
//!     dhraw = (1 - hs[t] * hs[t]) * dh
//!     dbh += dhraw; dWxh += np.dot(dhraw, xs[t].T); dWhh += np.dot(dhraw, hs[t-1].T)
//!     dhnext = np.dot(Whh.T, dhraw)
//! ```

// The `todo!()` body leaves the arguments and `Vector` unused. Delete this line when you
// start: the compiler then tells you if you compute something (a `dhnext`, say) and never use
// it.
#![allow(unused_variables, unused_imports)]

use min_char_rnn::{ForwardCache, Grads, Params, Vector};

/// The gradients of the chunk's loss `Σ_t −ln p_t[targets[t]]` with respect to the five
/// parameters, from what the forward pass left in `cache`. Not clipped: that is exercise 7.
///
/// `cache.hs[t]`, `cache.ps[t]` and `cache.inputs[t]` are step `t`'s `h_t`, `p_t` and input
/// index; `cache.h_before(t)` is `h_{t−1}`, which is `cache.h_prev` at `t = 0`.
///
/// Hints:
/// - Start from `Grads::zeros_like(params)` and `Vector::zeros(H)` for `dhnext`; walk
///   `for t in (0..cache.len()).rev()`.
/// - The products you need are methods of `Matrix`: `add_outer(&a, &b)` (`W += a·bᵀ`),
///   `add_to_column(c, &v)` (`W[:, c] += v`), `matvec_transposed(&x, &mut out)`
///   (`out = Wᵀ·x`). `Vector` has `add_assign`.
/// - Your `crate::dy::output_gradient` from exercise 5 gives `dy`.
pub fn backward(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    todo!()
}
