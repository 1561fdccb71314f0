//! The vanilla RNN cell: Part I's step, as one layer of a stack.
//!
//! Forward, for one stream at one time step (`x` the input, `h_{t−1}` the memory before):
//!
//! ```text
//! h_t = tanh(W_ih·x + W_hh·h_{t−1} + b)                        (H)
//! ```
//!
//! `W_ih` is Part I's `w_xh` and `b` its `b_h`: for layer 0, one stream and the same weights,
//! this is [`forward::hidden_step`](crate::forward::hidden_step), to the bit (the sum is added
//! in the same order, `(w_xh[(j, x)] + (W_hh·h)[j]) + b[j]`).
//!
//! Backward, with `dh = ∂L/∂h_t` (everything that reaches `h_t`):
//!
//! ```text
//! dgates   = (1 − h_t ⊙ h_t) ⊙ dh        back through tanh        (H)   Part I's dhraw
//! db      += dgates
//! dW_ih   += dgates · xᵀ                  one column for one-hot x
//! dW_hh   += dgates · h_{t−1}ᵀ
//! dx       = W_ihᵀ · dgates               to the layer below (dense x only)
//! dh_prev  = W_hhᵀ · dgates               to step t−1 (the next dhnext)
//! ```

use super::{Input, LayerGrads, LayerParams, StepCache, StepGrads, add_outer, pre_activation};
use crate::math;

/// One forward step of an RNN layer for one stream: `h_t = tanh(W_ih·x + W_hh·h_{t−1} + b)`,
/// written into `out.h`.
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerParams, StepCache, rnn};
/// let mut layer = LayerParams::zeros(CellKind::Rnn, 3, 1);
/// layer.w_ih[(0, 2)] = 0.5;
/// let mut out = StepCache::new(CellKind::Rnn, 1);
/// rnn::forward_step(&layer, Input::OneHot(2), &[0.0], &mut out);
/// assert!((out.h[0] - 0.5f64.tanh()).abs() < 1e-16);
/// ```
// ANCHOR: rnn_forward_step
#[track_caller]
pub fn forward_step(layer: &LayerParams, x: Input, h_prev: &[f64], out: &mut StepCache) {
    for j in 0..layer.hidden_size() {
        out.h[j] = math::tanh(pre_activation(layer, x, h_prev, j));
    }
}
// ANCHOR_END: rnn_forward_step

/// One backward step of an RNN layer for one stream: from `d.dh` (`∂L/∂h_t`) to the
/// gradients of the weights (added to `grads`), `d.dh_prev` and, for a dense input, `d.dx`.
///
/// `step` is what [`forward_step`] wrote for this stream and step; `x` and `h_prev` are what
/// it read.
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, rnn};
/// let layer = LayerParams::zeros(CellKind::Rnn, 3, 1);
/// let step = StepCache::new(CellKind::Rnn, 1); // h_t = 0, so tanh'(0) = 1
/// let mut d = StepGrads::new(CellKind::Rnn, 0, 1);
/// d.dh[0] = 2.0;
/// let mut grads = LayerGrads::zeros_like(&layer);
/// rnn::backward_step(&layer, Input::OneHot(1), &[0.5], &step, &mut d, &mut grads);
/// assert_eq!(grads.db[0], 2.0);
/// assert_eq!(grads.dw_ih[(0, 1)], 2.0);
/// assert_eq!(grads.dw_hh[(0, 0)], 1.0); // 2 · h_prev
/// ```
// ANCHOR: rnn_backward_step
#[track_caller]
pub fn backward_step(
    layer: &LayerParams,
    x: Input,
    h_prev: &[f64],
    step: &StepCache,
    d: &mut StepGrads,
    grads: &mut LayerGrads,
) {
    for j in 0..layer.hidden_size() {
        let h = step.h[j];
        d.dgates[j] = (1.0 - h * h) * d.dh[j]; // tanh'(a) = 1 − tanh(a)²
    }
    grads.db.add_assign(&d.dgates); // db += dgates
    x.add_gradient(&mut grads.dw_ih, &d.dgates); // dW_ih += dgates · xᵀ
    add_outer(&mut grads.dw_hh, d.dgates.as_slice(), h_prev); // dW_hh += dgates · h_{t−1}ᵀ
    x.backward(&layer.w_ih, &d.dgates, &mut d.dx); // dx = W_ihᵀ · dgates
    layer.w_hh.matvec_transposed(&d.dgates, &mut d.dh_prev); // dh_prev = W_hhᵀ · dgates
}
// ANCHOR_END: rnn_backward_step
