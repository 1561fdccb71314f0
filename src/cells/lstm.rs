//! The LSTM cell (long short-term memory; Hochreiter and Schmidhuber 1997, with the forget
//! gate of Gers et al. 2000): a second memory `c` that the cell changes only by erasing and
//! adding, never by squashing it through a matrix product.
//!
//! Forward, for one stream at one time step (`x` the input, `h_{t−1}` and `c_{t−1}` the
//! memories before it, `σ` the [`sigmoid`]):
//!
//! ```text
//! a   = W_ih·x + W_hh·h_{t−1} + b              (4H)   four blocks of H rows:
//! i   = σ(a[0H..1H])                           input gate:  how much of g to write
//! f   = σ(a[1H..2H])                           forget gate: how much of c_{t−1} to keep
//! g   = tanh(a[2H..3H])                        the candidate to write
//! o   = σ(a[3H..4H])                           output gate: how much of the memory to show
//! c_t = f ⊙ c_{t−1} + i ⊙ g                    (H)
//! h_t = o ⊙ tanh(c_t)                          (H)
//! ```
//!
//! The gate order `i, f, g, o` is PyTorch's (`torch.nn.LSTM`), so `W_ih`, `W_hh` copy into
//! its `weight_ih_l{l}`, `weight_hh_l{l}` unchanged. (char-rnn's order is `i, f, o, g`; the
//! order is a convention, nothing in the equations depends on it.) There is one bias `b`,
//! PyTorch's `b_ih + b_hh`: the two are only ever used as their sum (see the
//! [cells module](super)).
//!
//! Backward, with `dh = ∂L/∂h_t` (from the layer above or the output, and from step `t+1`)
//! and `dcnext = ∂L/∂c_t` through step `t+1`:
//!
//! ```text
//! do       = dh ⊙ tanh(c_t)                                      h_t = o ⊙ tanh(c_t)
//! dc       = dh ⊙ o ⊙ (1 − tanh²(c_t)) + dcnext                  c_t reaches h_t and c_{t+1}
//! di       = dc ⊙ g,   df = dc ⊙ c_{t−1},   dg = dc ⊙ i           c_t = f ⊙ c_{t−1} + i ⊙ g
//! dc_prev  = dc ⊙ f                                              to step t−1 (the next dcnext)
//! dgates   = [di ⊙ i(1 − i), df ⊙ f(1 − f), dg ⊙ (1 − g²), do ⊙ o(1 − o)]   back through σ, tanh
//! db      += dgates;   dW_ih += dgates · xᵀ;   dW_hh += dgates · h_{t−1}ᵀ
//! dx       = W_ihᵀ · dgates                                      to the layer below
//! dh_prev  = W_hhᵀ · dgates                                      to step t−1 (the next dhnext)
//! ```
//!
//! `dc_prev = dc ⊙ f` is the LSTM's point: the gradient flows back along `c` multiplied by the
//! forget gate only, with no weight matrix and no `tanh'` in the way, so it need not shrink
//! step after step as the RNN's does.
//!
//! The expressions are evaluated as written in the code, left to right (for example
//! `dh[j] * o * (1.0 - tanh_c * tanh_c) + dcnext[j]`); the fast path copies them.

use super::{
    Input, LayerGrads, LayerParams, StepCache, StepGrads, add_outer, pre_activation, sigmoid,
};
use crate::math;

/// One forward step of an LSTM layer for one stream: the four gates, `c_t` and `h_t`,
/// written into `out` (`gates` in the order `i, f, g, o`, `c`, `tanh_c`, `h`).
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerParams, StepCache, lstm};
/// // All weights 0: every σ gate is σ(0) = 1/2 and g = tanh(0) = 0, so c_t = c_{t−1}/2.
/// let layer = LayerParams::zeros(CellKind::Lstm, 3, 1);
/// let mut out = StepCache::new(CellKind::Lstm, 1);
/// lstm::forward_step(&layer, Input::OneHot(0), &[0.0], &[0.8], &mut out);
/// assert_eq!(out.c[0], 0.4);
/// assert_eq!(out.gates.as_slice(), &[0.5, 0.5, 0.0, 0.5]);
/// ```
// ANCHOR: lstm_forward_step
#[track_caller]
pub fn forward_step(
    layer: &LayerParams,
    x: Input,
    h_prev: &[f64],
    c_prev: &[f64],
    out: &mut StepCache,
) {
    let h = layer.hidden_size();
    for j in 0..h {
        let i = sigmoid(pre_activation(layer, x, h_prev, j)); // input gate
        let f = sigmoid(pre_activation(layer, x, h_prev, h + j)); // forget gate
        let g = math::tanh(pre_activation(layer, x, h_prev, 2 * h + j)); // candidate
        let o = sigmoid(pre_activation(layer, x, h_prev, 3 * h + j)); // output gate
        let c = f * c_prev[j] + i * g; // keep some of the old memory, write some of the new
        let tanh_c = math::tanh(c);
        out.gates[j] = i;
        out.gates[h + j] = f;
        out.gates[2 * h + j] = g;
        out.gates[3 * h + j] = o;
        out.c[j] = c;
        out.tanh_c[j] = tanh_c;
        out.h[j] = o * tanh_c; // show some of the memory
    }
}
// ANCHOR_END: lstm_forward_step

/// One backward step of an LSTM layer for one stream: from `d.dh` (`∂L/∂h_t`) and
/// `d.dcnext` (`∂L/∂c_t` through step `t+1`) to the gradients of the weights (added to
/// `grads`), `d.dh_prev`, `d.dc_prev` and, for a dense input, `d.dx`.
///
/// `step` is what [`forward_step`] wrote for this stream and step; `x`, `h_prev` and `c_prev`
/// are what it read.
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, lstm};
/// let layer = LayerParams::zeros(CellKind::Lstm, 3, 1);
/// let mut step = StepCache::new(CellKind::Lstm, 1);
/// lstm::forward_step(&layer, Input::OneHot(0), &[0.0], &[0.8], &mut step);
/// let mut d = StepGrads::new(CellKind::Lstm, 0, 1);
/// d.dcnext[0] = 1.0; // only c_{t+1} cares about this step
/// let mut grads = LayerGrads::zeros_like(&layer);
/// lstm::backward_step(&layer, Input::OneHot(0), &[0.0], &[0.8], &step, &mut d, &mut grads);
/// assert_eq!(d.dc_prev[0], 0.5); // dc ⊙ f: through the forget gate, and nothing else
/// ```
// ANCHOR: lstm_backward_step
#[track_caller]
pub fn backward_step(
    layer: &LayerParams,
    x: Input,
    h_prev: &[f64],
    c_prev: &[f64],
    step: &StepCache,
    d: &mut StepGrads,
    grads: &mut LayerGrads,
) {
    let h = layer.hidden_size();
    for j in 0..h {
        let i = step.gates[j];
        let f = step.gates[h + j];
        let g = step.gates[2 * h + j];
        let o = step.gates[3 * h + j];
        let tanh_c = step.tanh_c[j];
        // h_t = o ⊙ tanh(c_t)
        let d_o = d.dh[j] * tanh_c;
        let dc = d.dh[j] * o * (1.0 - tanh_c * tanh_c) + d.dcnext[j]; // via h_t, via c_{t+1}
        // c_t = f ⊙ c_{t−1} + i ⊙ g
        let d_i = dc * g;
        let d_f = dc * c_prev[j];
        let d_g = dc * i;
        d.dc_prev[j] = dc * f;
        // back through the activations: σ' = σ(1 − σ), tanh' = 1 − tanh²
        d.dgates[j] = d_i * i * (1.0 - i);
        d.dgates[h + j] = d_f * f * (1.0 - f);
        d.dgates[2 * h + j] = d_g * (1.0 - g * g);
        d.dgates[3 * h + j] = d_o * o * (1.0 - o);
    }
    grads.db.add_assign(&d.dgates); // db += dgates
    x.add_gradient(&mut grads.dw_ih, &d.dgates); // dW_ih += dgates · xᵀ
    add_outer(&mut grads.dw_hh, d.dgates.as_slice(), h_prev); // dW_hh += dgates · h_{t−1}ᵀ
    x.backward(&layer.w_ih, &d.dgates, &mut d.dx); // dx = W_ihᵀ · dgates
    layer.w_hh.matvec_transposed(&d.dgates, &mut d.dh_prev); // dh_prev = W_hhᵀ · dgates
}
// ANCHOR_END: lstm_backward_step
