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
//! Only `dh`, `dhraw` and `dhnext` form a chain through time: each step needs the `dhnext`
//! of the step after it. Everything else needs values that exist before the chain starts
//! (`dy_t`, `w_hyᵀ·dy_t`, `dw_hy`, `db_y`) or once it has passed (`db_h`, `dw_xh`,
//! `dw_hh`), so [`backward`] computes those for all `T` steps at once, before and after the
//! loop, with products that read each matrix once ([`Matrix::set_sum_of_outers`],
//! [`Matrix::matvec_transposed_batch`]). The numbers are those of the loop below, summed
//! over `t = 0 … T−1` where the original sums from `T−1` down, which changes only rounding.
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
    /// The gradients at each time step that [`backward`] computes on its way to the five
    /// above. The notebook drops them after each step; here they stay, for a debugger or a
    /// test to look at, and so that the next call reuses their memory.
    pub steps: StepGrads,
}
// ANCHOR_END: grads

/// What [`backward`] computes at each time step `t` on its way to the parameters' gradients:
/// one vector per step in each list, in step order.
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
/// // dy_1 = p_1 − onehot(2): the target's probability, less 1.
/// assert_eq!(grads.steps.dys[1][2], cache.ps[1][2] - 1.0);
/// ```
// ANCHOR: step_grads
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepGrads {
    /// `dy_t = ∂L/∂y_t = p_t − onehot(target_t)`, each `(V)`.
    pub dys: Vec<Vector>,
    /// `w_hyᵀ·dy_t`, the part of `∂L/∂h_t` that comes through `y_t`, each `(H)`.
    pub dh_outputs: Vec<Vector>,
    /// `dhraw_t`, `∂L/∂` the sum inside tanh at step `t`, each `(H)`.
    pub dhraws: Vec<Vector>,
}
// ANCHOR_END: step_grads

impl StepGrads {
    /// Makes room for `steps` steps of a network with `vocab_size` characters and
    /// `hidden_size` hidden units, allocating only if the lists do not have those sizes
    /// already (so in training, only on the first call).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut steps = min_char_rnn::StepGrads::default();
    /// steps.resize(61, 100, 25);
    /// assert_eq!((steps.dys.len(), steps.dys[0].len(), steps.dhraws[0].len()), (25, 61, 100));
    /// ```
    // ANCHOR: step_grads_resize
    pub fn resize(&mut self, vocab_size: usize, hidden_size: usize, steps: usize) {
        let fits = |list: &Vec<Vector>, len: usize| {
            list.len() == steps && list.iter().all(|vector| vector.len() == len)
        };
        if !(fits(&self.dys, vocab_size)
            && fits(&self.dh_outputs, hidden_size)
            && fits(&self.dhraws, hidden_size))
        {
            self.dys = vec![Vector::zeros(vocab_size); steps];
            self.dh_outputs = vec![Vector::zeros(hidden_size); steps];
            self.dhraws = vec![Vector::zeros(hidden_size); steps];
        }
    }
    // ANCHOR_END: step_grads_resize
}

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
            steps: StepGrads::default(), // sized by the first backward pass
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
/// `grads` is overwritten, not added to. The work is done in three parts, and only the
/// middle one has to walk the steps one by one:
///
/// 1. the output layer, every step at once: `dy_t`, `dw_hy`, `db_y` and `w_hyᵀ·dy_t` need
///    nothing from other steps;
/// 2. the recurrence, `t = T−1 … 0`: `dh`, `dhraw_t` and `dhnext`, each step waiting for
///    the `dhnext` of the step after it;
/// 3. the hidden layer's weights, every step at once: `db_h`, `dw_xh`, `dw_hh` from the
///    `dhraw_t` the recurrence left.
///
/// The per-step vectors (`dy_t`, `w_hyᵀ·dy_t`, `dhraw_t`) go into `grads.steps`, allocated
/// by the first call and reused by the next ones (see [`StepGrads`]); the loops themselves
/// allocate nothing.
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
// ANCHOR: backward_setup
#[track_caller]
pub fn backward(params: &Params, cache: &ForwardCache, targets: &[usize], grads: &mut Grads) {
    crate::vector::check_len("backward", "vs", cache.len(), targets.len());
    let (v, h, steps) = (params.vocab_size(), params.hidden_size(), cache.len());
    grads.steps.resize(v, h, steps); // allocates on the first call only
    // dy_t = ∂L/∂y_t; w_hyᵀ·dy_t, ∂L/∂h_t through y_t; dhraw_t, ∂L/∂(the sum inside tanh)
    let StepGrads {
        dys,
        dh_outputs,
        dhraws,
    } = &mut grads.steps;
    let mut dh = Vector::zeros(h); // ∂L/∂h_t
    let mut dhnext = Vector::zeros(h); // ∂L/∂h_t through h_{t+1}: zero after the last step
    // ANCHOR_END: backward_setup

    // ANCHOR: backprop_into_y
    // 1. The output layer, every step at once.
    for t in 0..steps {
        output_gradient(&cache.ps[t], targets[t], &mut dys[t]); // dy_t = p_t − onehot(target_t)
    }
    grads.dw_hy.set_sum_of_outers(dys, &cache.hs); // dw_hy = Σ_t dy_t · h_tᵀ
    grads.db_y.fill(0.0);
    for t in 0..steps {
        grads.db_y.add_assign(&dys[t]); // db_y = Σ_t dy_t
    }
    params.w_hy.matvec_transposed_batch(dys, dh_outputs); // w_hyᵀ·dy_t, every t
    // ANCHOR_END: backprop_into_y

    // 2. The recurrence, from the last step back to the first.
    for t in (0..steps).rev() {
        let h_t = &cache.hs[t];
        // ANCHOR: backprop_into_h
        dh.copy_from(&dh_outputs[t]); // dh = w_hyᵀ · dy_t
        dh.add_assign(&dhnext); //          + dhnext
        // ANCHOR_END: backprop_into_h

        // ANCHOR: tanh_backward
        // h_t, dh and dhraw as plain slices: the compiler checks their lengths once, here,
        // instead of at every i, and does the loop 8 at a time.
        let (h_t, dh, dhraw) = (h_t.as_slice(), dh.as_slice(), dhraws[t].as_mut_slice());
        for i in 0..h {
            dhraw[i] = (1.0 - h_t[i] * h_t[i]) * dh[i]; // dhraw = (1 − h_t²) ⊙ dh
        }
        // ANCHOR_END: tanh_backward

        // ANCHOR: backprop_into_h_prev
        params.w_hh.matvec_transposed(&dhraws[t], &mut dhnext); // dhnext = w_hhᵀ · dhraw
        // ANCHOR_END: backprop_into_h_prev
    }

    // ANCHOR: backprop_into_weights
    // 3. The hidden layer's weights, every step at once.
    grads.db_h.fill(0.0);
    grads.dw_xh.fill(0.0);
    for t in 0..steps {
        grads.db_h.add_assign(&dhraws[t]); // db_h = Σ_t dhraw_t
        grads.dw_xh.add_to_column(cache.inputs[t], &dhraws[t]); // dw_xh = Σ_t dhraw_t · x_tᵀ
    }
    // dw_hh = Σ_t dhraw_t · h_{t−1}ᵀ, where step 0's h_{t−1} is h_prev.
    let h_befores: Vec<&Vector> = (0..steps).map(|t| cache.h_before(t)).collect();
    grads.dw_hh.set_sum_of_outers(dhraws, &h_befores);
    // ANCHOR_END: backprop_into_weights
}
// ANCHOR_END: backward
