//! The fast forward pass: the plain [`forward`](crate::forward::forward), in two loops
//! instead of one.
//!
//! Only the recurrence has to walk the steps one after another: `h_t` needs `h_{t−1}`. The
//! output layer, `y_t = w_hy·h_t + b_y`, needs nothing but `h_t`, so it waits until every
//! `h_t` is known and then runs for all `T` steps in one batched product that reads `w_hy`
//! once. Both products go through transposed copies of the weights (see
//! [`matvec_transposed`]), kept in the [`Workspace`]; each output is still the sum the plain
//! `matvec` adds, term by term in the same order, so every number in the cache is the plain
//! forward pass's, to the last bit.

use super::Workspace;
use super::kernels::{map_in_place, matvec_transposed, matvec_transposed_batch, transpose_into};
use crate::{ForwardCache, Params, Vector, math};

/// Fills `cache` exactly as the plain [`forward`](crate::forward::forward) does, with the
/// same bits, using `work` for the transposed copies of `w_hh` and `w_hy`.
///
/// # Panics
///
/// If an input index is `>= V` or `h_prev.len() != H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Params, Vector, fast};
/// let params = Params::new(5, 4, 9);
/// let (mut plain, mut quick) = (ForwardCache::new(5, 4, 3), ForwardCache::new(5, 4, 3));
/// min_char_rnn::forward::forward(&params, &[1, 2, 3], &Vector::zeros(4), &mut plain);
/// fast::forward(&params, &[1, 2, 3], &Vector::zeros(4), &mut quick, &mut fast::Workspace::default());
/// assert_eq!(plain, quick);
/// ```
// ANCHOR: fast_forward
#[track_caller]
pub fn forward(
    params: &Params,
    inputs: &[usize],
    h_prev: &Vector,
    cache: &mut ForwardCache,
    work: &mut Workspace,
) {
    let (v, h, steps) = (params.vocab_size(), params.hidden_size(), inputs.len());
    crate::vector::check_len("forward", "vs", h_prev.len(), h);
    if !cache.fits(v, h, steps) {
        *cache = ForwardCache::new(v, h, steps);
    }
    work.fit(v, h, steps);
    cache.inputs.copy_from_slice(inputs);
    cache.h_prev.copy_from(h_prev);

    // The recurrence, one step after another. w_hh·h_{t−1} is (w_hhᵀ)ᵀ·h_{t−1}: over the
    // copy w_hhᵀ, each product walks along rows, 64 outputs in registers at a time.
    transpose_into(&params.w_hh, &mut work.w_hh_tr);
    for t in 0..steps {
        let (before, after) = cache.hs.split_at_mut(t); // read h_{t−1} while h_t is written
        let h_before = if t == 0 {
            &cache.h_prev
        } else {
            &before[t - 1]
        };
        let h_t = &mut after[0];
        matvec_transposed(&work.w_hh_tr, h_before, h_t); // h_t = w_hh·h_{t−1}
        finish_hidden_step(params, inputs[t], h_t); // h_t = tanh(w_xh·x_t + h_t + b_h)
    }

    // The output layer, every step at once: y_t = w_hy·h_t = (w_hyᵀ)ᵀ·h_t, one batched
    // product that reads the copy w_hyᵀ once for all T steps.
    transpose_into(&params.w_hy, &mut work.w_hy_tr);
    matvec_transposed_batch(&work.w_hy_tr, &cache.hs, &mut cache.ys);
    for t in 0..steps {
        cache.ys[t].add_assign(&params.b_y); // y_t += b_y
        softmax_with_temperature(&cache.ys[t], 1.0, &mut cache.ps[t]); // p_t = softmax(y_t)
    }
}
// ANCHOR_END: fast_forward

/// The rest of the plain [`hidden_step`](crate::forward::hidden_step) once `h` holds
/// `w_hh·h_prev`: `h = tanh(w_xh·x + h + b_h)`, the additions in the plain order, then tanh
/// eight at a time.
///
/// # Panics
///
/// If `x >= V` or `h.len() != H`.
// ANCHOR: finish_hidden_step
#[track_caller]
pub fn finish_hidden_step(params: &Params, x: usize, h: &mut Vector) {
    crate::vector::check_len("finish_hidden_step", "vs", h.len(), params.hidden_size());
    for i in 0..h.len() {
        h[i] = params.w_xh[(i, x)] + h[i] + params.b_h[i]; // (w_xh·x)[i] + (w_hh·h)[i] + b_h[i]
    }
    map_in_place(h.as_mut_slice(), math::tanh); // h = tanh(h)
}
// ANCHOR_END: finish_hidden_step

/// The plain [`softmax_with_temperature`](crate::loss::softmax_with_temperature), with the
/// same bits: the exponentials eight at a time.
///
/// # Panics
///
/// If the lengths differ.
// ANCHOR: fast_softmax
#[track_caller]
#[inline] // so that a temperature of 1 is a constant, and dividing by it disappears
pub fn softmax_with_temperature(y: &Vector, temperature: f64, p: &mut Vector) {
    crate::vector::check_len("softmax", "->", y.len(), p.len());
    let max = y.max();
    p.copy_from(y);
    map_in_place(p.as_mut_slice(), |y_k| math::exp((y_k - max) / temperature));
    let sum = p.sum();
    for k in 0..p.len() {
        p[k] /= sum;
    }
}
// ANCHOR_END: fast_softmax
