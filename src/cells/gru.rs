//! The GRU cell (gated recurrent unit; Cho et al. 2014), in PyTorch's formulation: one memory
//! `h`, a reset gate `r` and an update gate `z`.
//!
//! Forward, for one stream at one time step (`x` the input, `h_{t−1}` the memory before it,
//! `σ` the [`sigmoid`]; row blocks of `W_ih`, `W_hh`, `b` in the order
//! `r, z, n`):
//!
//! ```text
//! r   = σ(W_ir·x + W_hr·h_{t−1} + b_r)                  reset gate           (H)
//! z   = σ(W_iz·x + W_hz·h_{t−1} + b_z)                  update gate          (H)
//! hn  = W_hn·h_{t−1} + b_hn                             the memory's say     (H)
//! n   = tanh(W_in·x + b_in + r ⊙ hn)                    the candidate        (H)
//! h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}                       blend new and old    (H)
//! ```
//!
//! `b` holds `b_r, b_z, b_in`; `b_hn` is separate because the reset gate multiplies it (two
//! biases that are only ever added could be one; these are not only added).
//!
//! ## PyTorch's form and the paper's
//!
//! Cho et al. (2014) reset the memory *before* the product:
//!
//! ```text
//! n   = tanh(W_in·x + W_hn·(r ⊙ h_{t−1}) + b_n)         the paper
//! n   = tanh(W_in·x + b_in + r ⊙ (W_hn·h_{t−1} + b_hn))  PyTorch, cuDNN, here
//! ```
//!
//! The two are different functions: the same weights give different outputs (a test shows
//! it), so weights trained in one form are no use in the other. PyTorch follows cuDNN, which
//! chose its form for speed: `W_hn·h_{t−1}` does not depend on `r`, so all three blocks of
//! `W_hh·h_{t−1}` are one matrix product, computed before `r` is known and for all streams at
//! once; in the paper's form the `n` block's product needs `r` first, so it must wait for the
//! other two. The fixtures from PyTorch check this form.
//!
//! Backward, with `dh = ∂L/∂h_t` (from the layer above or the output, and from step `t+1`):
//!
//! ```text
//! dn       = dh ⊙ (1 − z)                       h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//! dz       = dh ⊙ (h_{t−1} − n)
//! dan      = dn ⊙ (1 − n²)                      back through tanh: the n block of dgates
//! dr       = dan ⊙ hn                           n = tanh(… + r ⊙ hn)
//! dgates   = [dr ⊙ r(1 − r), dz ⊙ z(1 − z), dan]         for W_ih and b
//! dgates_h = [dr ⊙ r(1 − r), dz ⊙ z(1 − z), dan ⊙ r]     for W_hh and b_hn: hn is scaled by r
//! db      += dgates;   db_hn += dgates_h[n block]
//! dW_ih   += dgates · xᵀ;   dW_hh += dgates_h · h_{t−1}ᵀ
//! dx       = W_ihᵀ · dgates                     to the layer below
//! dh_prev  = W_hhᵀ · dgates_h + dh ⊙ z          to step t−1: through the gates, and directly
//! ```
//!
//! In `dh_prev` the product comes first and the direct term `dh[k]·z[k]` is added to it.
//! The expressions are evaluated as written in the code, left to right; the fast path copies
//! them.

use super::{
    Input, LayerGrads, LayerParams, StepCache, StepGrads, add_outer, dot, pre_activation, sigmoid,
};
use crate::math;

/// One forward step of a GRU layer for one stream: the gates `r, z`, the candidate `n` and
/// `h_t`, written into `out` (`gates` in the order `r, z, n`, `hn`, `h`).
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerParams, StepCache, gru};
/// // All weights 0: r = z = 1/2 and n = tanh(0) = 0, so h_t = h_{t−1}/2.
/// let layer = LayerParams::zeros(CellKind::Gru, 3, 1);
/// let mut out = StepCache::new(CellKind::Gru, 1);
/// gru::forward_step(&layer, Input::OneHot(0), &[0.8], &mut out);
/// assert_eq!(out.h[0], 0.4);
/// ```
// ANCHOR: gru_forward_step
#[track_caller]
pub fn forward_step(layer: &LayerParams, x: Input, h_prev: &[f64], out: &mut StepCache) {
    let h = layer.hidden_size();
    for j in 0..h {
        let r = sigmoid(pre_activation(layer, x, h_prev, j)); // reset gate
        let z = sigmoid(pre_activation(layer, x, h_prev, h + j)); // update gate
        let from_input = x.product(&layer.w_ih, 2 * h + j) + layer.b[2 * h + j]; // W_in·x + b_in
        let hn = dot(layer.w_hh.row(2 * h + j), h_prev) + layer.b_hn[j]; // W_hn·h_{t−1} + b_hn
        let n = math::tanh(from_input + r * hn); // the candidate: r decides how much hn counts
        out.gates[j] = r;
        out.gates[h + j] = z;
        out.gates[2 * h + j] = n;
        out.hn[j] = hn;
        out.h[j] = (1.0 - z) * n + z * h_prev[j]; // z = 1 keeps the old memory
    }
}
// ANCHOR_END: gru_forward_step

/// One backward step of a GRU layer for one stream: from `d.dh` (`∂L/∂h_t`) to the gradients
/// of the weights (added to `grads`), `d.dh_prev` and, for a dense input, `d.dx`.
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
/// use min_char_rnn::cells::{CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, gru};
/// let layer = LayerParams::zeros(CellKind::Gru, 3, 1);
/// let mut step = StepCache::new(CellKind::Gru, 1);
/// gru::forward_step(&layer, Input::OneHot(0), &[0.8], &mut step);
/// let mut d = StepGrads::new(CellKind::Gru, 0, 1);
/// d.dh[0] = 1.0;
/// let mut grads = LayerGrads::zeros_like(&layer);
/// gru::backward_step(&layer, Input::OneHot(0), &[0.8], &step, &mut d, &mut grads);
/// assert_eq!(d.dh_prev[0], 0.5); // zero weights: only the direct path, dh ⊙ z
/// ```
// ANCHOR: gru_backward_step
#[track_caller]
pub fn backward_step(
    layer: &LayerParams,
    x: Input,
    h_prev: &[f64],
    step: &StepCache,
    d: &mut StepGrads,
    grads: &mut LayerGrads,
) {
    let h = layer.hidden_size();
    for j in 0..h {
        let r = step.gates[j];
        let z = step.gates[h + j];
        let n = step.gates[2 * h + j];
        // h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
        let dn = d.dh[j] * (1.0 - z);
        let dz = d.dh[j] * (h_prev[j] - n);
        // n = tanh(W_in·x + b_in + r ⊙ hn)
        let dan = dn * (1.0 - n * n);
        let dr = dan * step.hn[j];
        // back through the sigmoids: σ' = σ(1 − σ)
        let dar = dr * r * (1.0 - r);
        let daz = dz * z * (1.0 - z);
        d.dgates[j] = dar;
        d.dgates[h + j] = daz;
        d.dgates[2 * h + j] = dan;
        d.dgates_h[j] = dar;
        d.dgates_h[h + j] = daz;
        d.dgates_h[2 * h + j] = dan * r; // hn enters n multiplied by r
    }
    grads.db.add_assign(&d.dgates); // db += dgates  (b_r, b_z, b_in)
    for j in 0..h {
        grads.db_hn[j] += d.dgates_h[2 * h + j]; // db_hn += dan ⊙ r
    }
    x.add_gradient(&mut grads.dw_ih, &d.dgates); // dW_ih += dgates · xᵀ
    add_outer(&mut grads.dw_hh, d.dgates_h.as_slice(), h_prev); // dW_hh += dgates_h · h_{t−1}ᵀ
    x.backward(&layer.w_ih, &d.dgates, &mut d.dx); // dx = W_ihᵀ · dgates
    layer.w_hh.matvec_transposed(&d.dgates_h, &mut d.dh_prev); // dh_prev = W_hhᵀ · dgates_h
    for j in 0..h {
        let z = step.gates[h + j];
        d.dh_prev[j] += d.dh[j] * z; //                                + dh ⊙ z
    }
}
// ANCHOR_END: gru_backward_step
