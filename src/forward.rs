//! Step 3, the forward pass: from the characters `x_0 … x_{T−1}` and the memory `h_prev`, the
//! network's guesses `p_0 … p_{T−1}` for the character after each one.
//!
//! For every time step `t` (shapes: `x_t` `(V)` one-hot, `h_t` `(H)`, `y_t` and `p_t` `(V)`):
//!
//! ```text
//! h_t = tanh(w_xh · x_t + w_hh · h_{t−1} + b_h)      the new memory           (H)
//! y_t = w_hy · h_t + b_y                             a score per character    (V)
//! p_t = softmax(y_t)                                 a probability per char   (V)
//! ```
//!
//! with `h_{−1} = h_prev`, the memory carried over from the previous chunk of text.
//!
//! Notebook (the forward half of `lossFun`):
//!
//! ```python
//! hs[-1] = np.copy(hprev)
//! for t in range(len(inputs)):
//!     xs[t] = np.zeros((vocab_size,1)); xs[t][inputs[t]] = 1
//!     hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t-1]) + bh)
//!     ys[t] = np.dot(Why, hs[t]) + by
//!     ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
//! ```
//!
//! Everything the backward pass needs is kept in a [`ForwardCache`], the notebook's `xs, hs,
//! ys, ps`.
//!
//! `tanh` here is [`math::tanh`], not `f64::tanh`: the same function to within a few ulps,
//! written so that the fast path can compute it eight numbers at a time. Both paths call it,
//! so both get the same bits (the speed chapter says how it works).

use crate::loss::softmax;
use crate::{Params, Vector, math};

/// What the forward pass remembers for the backward pass (the notebook's `xs, hs, ys, ps`).
///
/// `hs[t]`, `ys[t]` and `ps[t]` are the hidden state, scores and probabilities after reading
/// `inputs[t]`; `h_prev` is the hidden state before step 0 (the notebook's `hs[-1]`).
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Params, Vector, forward::forward};
///
/// let params = Params::new(4, 3, 1); // V = 4, H = 3
/// let mut cache = ForwardCache::new(4, 3, 2); // T = 2
/// forward(&params, &[0, 2], &Vector::zeros(3), &mut cache);
/// assert_eq!(cache.hs.len(), 2);
/// assert!((cache.ps[1].sum() - 1.0).abs() < 1e-12);
/// ```
// ANCHOR: forward_cache
#[derive(Clone, Debug, PartialEq)]
pub struct ForwardCache {
    /// The input indices `x_t` (one-hot vectors are never built; see [`hidden_step`]).
    pub inputs: Vec<usize>,
    /// `h_{−1}`: the hidden state the sequence started from, `(H)`.
    pub h_prev: Vector,
    /// `h_t` for `t` in `0..T`, each `(H)`.
    pub hs: Vec<Vector>,
    /// `y_t`, the unnormalised scores, each `(V)`.
    pub ys: Vec<Vector>,
    /// `p_t = softmax(y_t)`, each `(V)`.
    pub ps: Vec<Vector>,
}
// ANCHOR_END: forward_cache

impl ForwardCache {
    /// Buffers for sequences of `seq_length` steps of a network with `vocab_size` characters
    /// and `hidden_size` hidden units.
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = min_char_rnn::ForwardCache::new(61, 100, 25);
    /// assert_eq!((cache.ps.len(), cache.ps[0].len(), cache.hs[0].len()), (25, 61, 100));
    /// ```
    // ANCHOR: cache_new
    pub fn new(vocab_size: usize, hidden_size: usize, seq_length: usize) -> ForwardCache {
        ForwardCache {
            inputs: vec![0; seq_length],
            h_prev: Vector::zeros(hidden_size),
            hs: vec![Vector::zeros(hidden_size); seq_length],
            ys: vec![Vector::zeros(vocab_size); seq_length],
            ps: vec![Vector::zeros(vocab_size); seq_length],
        }
    }
    // ANCHOR_END: cache_new

    /// `true` if the cache has room for `seq_length` steps of a network with `vocab_size`
    /// characters and `hidden_size` hidden units, so [`forward`] can reuse it as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = min_char_rnn::ForwardCache::new(61, 100, 25);
    /// assert!(cache.fits(61, 100, 25));
    /// assert!(!cache.fits(61, 64, 25));
    /// ```
    pub fn fits(&self, vocab_size: usize, hidden_size: usize, seq_length: usize) -> bool {
        self.inputs.len() == seq_length
            && self.h_prev.len() == hidden_size
            && self.hs.len() == seq_length
            && self.hs.iter().all(|h| h.len() == hidden_size)
            && self.ys.len() == seq_length
            && self.ys.iter().all(|y| y.len() == vocab_size)
            && self.ps.len() == seq_length
            && self.ps.iter().all(|p| p.len() == vocab_size)
    }

    /// `T`, the number of time steps the cache holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::ForwardCache::new(5, 3, 4).len(), 4);
    /// ```
    pub fn len(&self) -> usize {
        self.hs.len()
    }

    /// `true` if the cache holds no time step.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(min_char_rnn::ForwardCache::new(5, 3, 0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.hs.is_empty()
    }

    /// The hidden state before step `t`: `h_{t−1}`, which is `h_prev` for `t = 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = min_char_rnn::ForwardCache::new(5, 3, 4);
    /// assert_eq!(cache.h_before(0), &cache.h_prev);
    /// assert_eq!(cache.h_before(2), &cache.hs[1]);
    /// ```
    // ANCHOR: h_before
    pub fn h_before(&self, t: usize) -> &Vector {
        if t == 0 {
            &self.h_prev
        } else {
            &self.hs[t - 1]
        }
    }
    // ANCHOR_END: h_before

    /// `h_{T−1}`, the memory after the last step, which the next chunk starts from (the third
    /// thing `lossFun` returns).
    ///
    /// # Panics
    ///
    /// If the cache holds no time step.
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = min_char_rnn::ForwardCache::new(5, 3, 4);
    /// assert_eq!(cache.last_hidden(), &cache.hs[3]);
    /// ```
    // ANCHOR: last_hidden
    pub fn last_hidden(&self) -> &Vector {
        self.hs
            .last()
            .expect("last_hidden: the cache holds no time step")
    }
    // ANCHOR_END: last_hidden
}

/// `h = tanh(w_xh · x + w_hh · h_prev + b_h)` for the one-hot `x` of character index `x`.
///
/// `w_xh · x` for a one-hot `x` is column `x` of `w_xh`: every other column is multiplied by 0.
/// So the product is a lookup, `w_xh[(i, x)]`, not `H · V` multiplications.
///
/// # Panics
///
/// If `x >= V` or a length does not match `H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Vector, forward::hidden_step};
/// let params = Params::new(4, 3, 1);
/// let mut h = Vector::zeros(3);
/// hidden_step(&params, 2, &Vector::zeros(3), &mut h);
/// // With h_prev = 0 and b_h = 0, h is tanh of column 2 of w_xh.
/// assert!((h[0] - params.w_xh[(0, 2)].tanh()).abs() <= 1e-16);
/// ```
// ANCHOR: hidden_step
#[track_caller]
pub fn hidden_step(params: &Params, x: usize, h_prev: &Vector, h: &mut Vector) {
    params.w_hh.matvec(h_prev, h); // h = w_hh · h_prev, the memory's contribution (H)
    for i in 0..h.len() {
        let from_input = params.w_xh[(i, x)]; // (w_xh · x)[i], a column lookup
        let from_memory = h[i]; // (w_hh · h_prev)[i]
        h[i] = math::tanh(from_input + from_memory + params.b_h[i]);
    }
}
// ANCHOR_END: hidden_step

/// `y = w_hy · h + b_y`: one unnormalised score per character of the vocabulary.
///
/// # Panics
///
/// If `h.len() != H` or `y.len() != V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Vector, forward::output_step};
/// let params = Params::zeros(4, 3);
/// let mut y = Vector::zeros(4);
/// output_step(&params, &Vector::zeros(3), &mut y);
/// assert_eq!(y.as_slice(), &[0.0; 4]);
/// ```
// ANCHOR: output_step
#[track_caller]
pub fn output_step(params: &Params, h: &Vector, y: &mut Vector) {
    params.w_hy.matvec(h, y); // y = w_hy · h   (V)
    y.add_assign(&params.b_y); // y += b_y
}
// ANCHOR_END: output_step

/// Runs the network over `inputs` starting from `h_prev`, filling `cache` with every
/// `h_t`, `y_t` and `p_t`.
///
/// One loop over the time steps, in the notebook's order: each step's hidden state, then its
/// scores, then its probabilities. The cache is made anew only if it does not fit (another
/// `T`, `V` or `H`); in training it always fits, and its vectors are written in place.
///
/// # Panics
///
/// If an input index is `>= V` or `h_prev.len() != H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Params, Vector, forward::forward};
/// let params = Params::new(5, 4, 9);
/// let mut cache = ForwardCache::new(5, 4, 3);
/// forward(&params, &[1, 2, 3], &Vector::zeros(4), &mut cache);
/// // Tiny initial weights: every character is about equally likely, p ≈ 1/V.
/// assert!(cache.ps[2].as_slice().iter().all(|&p| (p - 0.2).abs() < 0.01));
/// ```
// ANCHOR: forward
#[track_caller]
pub fn forward(params: &Params, inputs: &[usize], h_prev: &Vector, cache: &mut ForwardCache) {
    let (v, h) = (params.vocab_size(), params.hidden_size());
    if !cache.fits(v, h, inputs.len()) {
        *cache = ForwardCache::new(v, h, inputs.len());
    }
    cache.inputs.copy_from_slice(inputs); // xs[t]: the inputs, kept as indices
    cache.h_prev.copy_from(h_prev); // hs[-1] = np.copy(hprev)
    for t in 0..inputs.len() {
        let h_before = cache.h_before(t).clone(); // h_{t−1}
        hidden_step(params, inputs[t], &h_before, &mut cache.hs[t]); // hs[t] = tanh(…)
        output_step(params, &cache.hs[t], &mut cache.ys[t]); // ys[t] = Why·hs[t] + by
        softmax(&cache.ys[t], &mut cache.ps[t]); // ps[t] = softmax(ys[t])
    }
}
// ANCHOR_END: forward
