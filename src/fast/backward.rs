//! The fast backward pass: the plain [`backward`](crate::backward::backward), in three parts
//! instead of one loop.
//!
//! Only `dh`, `dhraw` and `dhnext` form a chain through time: each step needs the `dhnext`
//! of the step after it. Everything else needs values that exist before the chain starts
//! (`dy_t`, `w_hyᵀ·dy_t`, `dw_hy`, `db_y`) or once it has passed (`db_h`, `dw_xh`,
//! `dw_hh`), so those are computed for all `T` steps at once, before and after the chain,
//! with products that read each matrix once. The per-step vectors live in the
//! [`Workspace`], allocated once.
//!
//! Every sum over the steps is added from `t = T−1` down to `0`, as the plain loop adds it,
//! so every gradient has the plain path's bits.

use super::Workspace;
use super::kernels::{matvec_transposed, matvec_transposed_batch, set_sum_of_outers};
use crate::loss::output_gradient;
use crate::{ForwardCache, Grads, Params, Vector};

/// Writes into `grads` exactly what the plain [`backward`](crate::backward::backward)
/// writes, with the same bits.
///
/// # Panics
///
/// If `targets.len()` differs from the cache's length, a target is `>= V`, or a shape
/// does not match `params`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Grads, Params, Vector, backward, fast, forward};
/// let params = Params::new(4, 3, 5);
/// let mut cache = ForwardCache::new(4, 3, 2);
/// forward::forward(&params, &[0, 1], &Vector::zeros(3), &mut cache);
/// let (mut plain, mut quick) = (Grads::zeros_like(&params), Grads::zeros_like(&params));
/// backward::backward(&params, &cache, &[1, 2], &mut plain);
/// fast::backward(&params, &cache, &[1, 2], &mut quick, &mut fast::Workspace::default());
/// assert_eq!(plain, quick);
/// ```
// ANCHOR: fast_backward_setup
#[track_caller]
pub fn backward(
    params: &Params,
    cache: &ForwardCache,
    targets: &[usize],
    grads: &mut Grads,
    work: &mut Workspace,
) {
    crate::vector::check_len("backward", "vs", cache.len(), targets.len());
    let (v, h, steps) = (params.vocab_size(), params.hidden_size(), cache.len());
    if grads.dw_xh.shape() != (h, v) || grads.dw_hh.shape() != (h, h) {
        *grads = Grads::zeros_like(params);
    }
    work.fit(v, h, steps);
    let Workspace {
        dys,
        dh_outputs,
        dhraws,
        ..
    } = work;
    // ANCHOR_END: fast_backward_setup

    // ANCHOR: fast_backward_output_layer
    // 1. The output layer, every step at once.
    for t in 0..steps {
        output_gradient(&cache.ps[t], targets[t], &mut dys[t]); // dy_t = p_t − onehot(target_t)
    }
    // The sums over t take the steps from the last to the first, as the plain loop adds them.
    let dys_back: Vec<&Vector> = dys.iter().rev().collect();
    let hs_back: Vec<&Vector> = cache.hs.iter().rev().collect();
    set_sum_of_outers(&mut grads.dw_hy, &dys_back, &hs_back); // dw_hy = Σ_t dy_t·h_tᵀ
    grads.db_y.fill(0.0);
    for t in (0..steps).rev() {
        grads.db_y.add_assign(&dys[t]); // db_y = Σ_t dy_t
    }
    matvec_transposed_batch(&params.w_hy, dys, dh_outputs); // w_hyᵀ·dy_t, every t
    // ANCHOR_END: fast_backward_output_layer

    // ANCHOR: fast_backward_chain
    // 2. The chain, from the last step back to the first.
    let mut dh = Vector::zeros(h);
    let mut dhnext = Vector::zeros(h);
    for t in (0..steps).rev() {
        dh.copy_from(&dh_outputs[t]); // dh = w_hyᵀ·dy_t
        dh.add_assign(&dhnext); //          + dhnext
        let (h_t, dh, dhraw) = (
            cache.hs[t].as_slice(),
            dh.as_slice(),
            dhraws[t].as_mut_slice(),
        );
        for i in 0..h {
            dhraw[i] = (1.0 - h_t[i] * h_t[i]) * dh[i]; // dhraw = (1 − h_t²) ⊙ dh
        }
        matvec_transposed(&params.w_hh, &dhraws[t], &mut dhnext); // dhnext = w_hhᵀ·dhraw
    }
    // ANCHOR_END: fast_backward_chain

    // ANCHOR: fast_backward_hidden_weights
    // 3. The hidden layer's weights, every step at once.
    grads.db_h.fill(0.0);
    grads.dw_xh.fill(0.0);
    for t in (0..steps).rev() {
        grads.db_h.add_assign(&dhraws[t]); // db_h = Σ_t dhraw_t
        grads.dw_xh.add_to_column(cache.inputs[t], &dhraws[t]); // dw_xh = Σ_t dhraw_t·x_tᵀ
    }
    let dhraws_back: Vec<&Vector> = dhraws.iter().rev().collect();
    let h_befores_back: Vec<&Vector> = (0..steps).rev().map(|t| cache.h_before(t)).collect();
    set_sum_of_outers(&mut grads.dw_hh, &dhraws_back, &h_befores_back); // Σ_t dhraw_t·h_{t−1}ᵀ
    // ANCHOR_END: fast_backward_hidden_weights
}
