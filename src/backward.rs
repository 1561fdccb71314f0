//! Step 5, the backward pass: backpropagation through time (BPTT), from the loss back to every
//! parameter, then clipping.
//!
//! Walking the time steps in reverse, `t = T−1 … 0`, with `dhnext = ∂L/∂h_t` arriving from the
//! step after (zero at the last step):
//!
//! ```text
//! dy      = p_t − onehot(target_t)          (V)   the loss's gradient at the scores
//! dw_hy  += dy · h_tᵀ                       (V, H)
//! db_y   += dy                              (V)
//! dh      = w_hyᵀ · dy + dhnext             (H)   from this step's output and from the future
//! dhraw   = (1 − h_t ⊙ h_t) ⊙ dh            (H)   back through tanh: tanh'(a) = 1 − tanh(a)²
//! db_h   += dhraw                           (H)
//! dw_xh  += dhraw · x_tᵀ                    (H, V)  one column, since x_t is one-hot
//! dw_hh  += dhraw · h_{t−1}ᵀ                (H, H)
//! dhnext  = w_hhᵀ · dhraw                   (H)   handed to step t−1
//! ```
//!
//! The same weights are used at every step, so their gradients are sums over the steps. At
//! the end every gradient element is clipped to `[−5, 5]`, a guard against the occasional
//! exploding gradient.
//!
//! [`backward`] is that loop, one line of code per line above, in the notebook's order. Each
//! gradient is a sum over the steps, added up from `t = T−1` down to `0` as the loop walks;
//! the fast path adds them in that same order, so it gets the same bits.
//!
//! Notebook (the backward half of `lossFun`):
//!
//! ```python
//! for t in reversed(range(len(inputs))):
//!     dy = np.copy(ps[t]); dy[targets[t]] -= 1
//!     dWhy += np.dot(dy, hs[t].T); dby += dy
//!     dh = np.dot(Why.T, dy) + dhnext
//!     dhraw = (1 - hs[t] * hs[t]) * dh
//!     dbh += dhraw; dWxh += np.dot(dhraw, xs[t].T); dWhh += np.dot(dhraw, hs[t-1].T)
//!     dhnext = np.dot(Whh.T, dhraw)
//! for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
//!     np.clip(dparam, -5, 5, out=dparam)
//! ```

use crate::forward::ForwardCache;
use crate::loss::output_gradient;
use crate::{Matrix, Params, Vector};

/// Every gradient element is clipped into `[−CLIP, CLIP]` (the original's 5).
// ANCHOR: clip_const
pub const CLIP: f64 = 5.0;
// ANCHOR_END: clip_const

/// The gradient of the loss with respect to each parameter: same names with a `d`, same shapes
/// as [`Params`] (the notebook's `dWxh, dWhh, dWhy, dbh, dby`).
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Grads, Params};
/// let grads = Grads::zeros_like(&Params::zeros(61, 100));
/// assert_eq!(grads.dw_xh.shape(), (100, 61));
/// ```
// ANCHOR: grads
#[derive(Clone, Debug, PartialEq)]
pub struct Grads {
    /// `∂L/∂w_xh`, `(H, V)`.
    pub dw_xh: Matrix,
    /// `∂L/∂w_hh`, `(H, H)`.
    pub dw_hh: Matrix,
    /// `∂L/∂w_hy`, `(V, H)`.
    pub dw_hy: Matrix,
    /// `∂L/∂b_h`, `(H)`.
    pub db_h: Vector,
    /// `∂L/∂b_y`, `(V)`.
    pub db_y: Vector,
}
// ANCHOR_END: grads

impl Grads {
    /// Zero gradients shaped like `params`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Grads, Params};
    /// let g = Grads::zeros_like(&Params::zeros(3, 2));
    /// assert_eq!(g.db_y.as_slice(), &[0.0; 3]);
    /// ```
    // ANCHOR: zeros_like
    pub fn zeros_like(params: &Params) -> Grads {
        let (v, h) = (params.vocab_size(), params.hidden_size());
        Grads {
            dw_xh: Matrix::zeros(h, v),
            dw_hh: Matrix::zeros(h, h),
            dw_hy: Matrix::zeros(v, h),
            db_h: Vector::zeros(h),
            db_y: Vector::zeros(v),
        }
    }
    // ANCHOR_END: zeros_like

    /// The five gradients as slices, in the order `dw_xh, dw_hh, dw_hy, db_h, db_y` (the order
    /// of [`Params::slices`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Grads, Params};
    /// let g = Grads::zeros_like(&Params::zeros(3, 2));
    /// assert_eq!(g.slices()[4].len(), 3);
    /// ```
    // ANCHOR: grads_slices
    pub fn slices(&self) -> [&[f64]; 5] {
        [
            self.dw_xh.as_slice(),
            self.dw_hh.as_slice(),
            self.dw_hy.as_slice(),
            self.db_h.as_slice(),
            self.db_y.as_slice(),
        ]
    }
    // ANCHOR_END: grads_slices

    /// Clips every element into `[−limit, limit]` (the original: `np.clip(dparam, -5, 5,
    /// out=dparam)` for each gradient).
    ///
    /// # Panics
    ///
    /// If `limit` is negative or NaN.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Grads, Params};
    /// let mut g = Grads::zeros_like(&Params::zeros(2, 1));
    /// g.db_y[0] = 12.0;
    /// g.db_y[1] = -0.5;
    /// g.clip(5.0);
    /// assert_eq!(g.db_y.as_slice(), &[5.0, -0.5]);
    /// ```
    // ANCHOR: clip
    #[track_caller]
    pub fn clip(&mut self, limit: f64) {
        self.dw_xh.clip(-limit, limit);
        self.dw_hh.clip(-limit, limit);
        self.dw_hy.clip(-limit, limit);
        self.db_h.clip(-limit, limit);
        self.db_y.clip(-limit, limit);
    }
    // ANCHOR_END: clip
}

/// Backpropagation through time over the steps the forward pass left in `cache`, writing
/// the (unclipped) gradients of the summed loss into `grads`.
///
/// `grads` is overwritten, not added to: it is zeroed first, as the notebook's
/// `np.zeros_like`. Then one loop walks the steps backwards, `t = T−1 … 0`, and each line of
/// its body is one line of the notebook's loop.
///
/// # Panics
///
/// If `targets.len()` differs from the cache's length, a target is `>= V`, or a shape
/// does not match `params`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Grads, Params, Vector, backward::backward, forward::forward};
/// let params = Params::new(4, 3, 5);
/// let mut cache = ForwardCache::new(4, 3, 2);
/// forward(&params, &[0, 1], &Vector::zeros(3), &mut cache);
/// let mut grads = Grads::zeros_like(&params);
/// backward(&params, &cache, &[1, 2], &mut grads);
/// // Each step's dy sums to 0 (Σp = 1, minus the 1 of the target), so db_y sums to ~0.
/// assert!(grads.db_y.sum().abs() < 1e-12);
/// ```
// ANCHOR: backward
#[track_caller]
pub fn backward(params: &Params, cache: &ForwardCache, targets: &[usize], grads: &mut Grads) {
    crate::vector::check_len("backward", "vs", cache.len(), targets.len());
    let (v, h) = (params.vocab_size(), params.hidden_size());
    *grads = Grads::zeros_like(params); // dWxh, dWhh, dWhy, dbh, dby = np.zeros_like(…)
    let mut dhnext = Vector::zeros(h); // ∂L/∂h_t through h_{t+1}: zero after the last step
    let mut dy = Vector::zeros(v); // ∂L/∂y_t
    let mut dh = Vector::zeros(h); // ∂L/∂h_t
    let mut dhraw = Vector::zeros(h); // ∂L/∂(the sum inside tanh at step t)
    for t in (0..cache.len()).rev() {
        output_gradient(&cache.ps[t], targets[t], &mut dy); // dy = p_t − onehot(target_t)
        grads.dw_hy.add_outer(&dy, &cache.hs[t]); // dWhy += np.dot(dy, hs[t].T)
        grads.db_y.add_assign(&dy); // dby += dy
        params.w_hy.matvec_transposed(&dy, &mut dh); // dh = np.dot(Why.T, dy)
        dh.add_assign(&dhnext); //                          + dhnext
        // ANCHOR: tanh_backward
        for i in 0..h {
            let h_t = cache.hs[t][i];
            dhraw[i] = (1.0 - h_t * h_t) * dh[i]; // dhraw = (1 - hs[t] * hs[t]) * dh
        }
        // ANCHOR_END: tanh_backward
        grads.db_h.add_assign(&dhraw); // dbh += dhraw
        grads.dw_xh.add_to_column(cache.inputs[t], &dhraw); // dWxh += np.dot(dhraw, xs[t].T)
        grads.dw_hh.add_outer(&dhraw, cache.h_before(t)); // dWhh += np.dot(dhraw, hs[t-1].T)
        params.w_hh.matvec_transposed(&dhraw, &mut dhnext); // dhnext = np.dot(Whh.T, dhraw)
    }
}
// ANCHOR_END: backward
