//! Step 6, the update: move every parameter a little against its gradient, with Adagrad.
//!
//! For every parameter `w` (each element on its own) with gradient `g` and memory `m`:
//!
//! ```text
//! m += g ⊙ g                         the sum of every squared gradient seen so far
//! w -= lr · g / √(m + 1e−8)          a step that shrinks where gradients have been large
//! ```
//!
//! Plain gradient descent, `w -= lr · g`, takes the same step size for every parameter.
//! Adagrad gives each parameter its own: a weight whose gradient has often been large (a
//! frequent character's column of `w_xh`, say) takes smaller and smaller steps, while a
//! rarely-touched one keeps moving. The first step is about `lr · sign(g)`: `g / √(g²)`.
//! The `1e−8` only keeps the division away from zero.
//!
//! Notebook:
//!
//! ```python
//! mWxh, mWhh, mWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
//! mbh, mby = np.zeros_like(bh), np.zeros_like(by)
//! for param, dparam, mem in zip([Wxh, Whh, Why, bh, by],
//!                               [dWxh, dWhh, dWhy, dbh, dby],
//!                               [mWxh, mWhh, mWhy, mbh, mby]):
//!     mem += dparam * dparam
//!     param += -learning_rate * dparam / np.sqrt(mem + 1e-8)
//! ```

use crate::{Grads, Params};

/// Added under the square root so that a zero memory does not divide by zero.
// ANCHOR: epsilon
pub const EPSILON: f64 = 1e-8;
// ANCHOR_END: epsilon

/// Adagrad's state: the learning rate and the memory of squared gradients, one number per
/// parameter (the notebook's `mWxh, mWhh, mWhy, mbh, mby`).
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Adagrad, Grads, Params};
/// let mut params = Params::zeros(2, 1);
/// let mut grads = Grads::zeros_like(&params);
/// grads.db_y[0] = 3.0;
/// let mut adagrad = Adagrad::new(&params, 0.1);
/// adagrad.update(&mut params, &grads);
/// assert!((params.b_y[0] + 0.1).abs() < 1e-9); // first step ≈ −lr · sign(g)
/// assert_eq!(adagrad.memory.b_y[0], 9.0);
/// ```
// ANCHOR: adagrad_struct
#[derive(Clone, Debug, PartialEq)]
pub struct Adagrad {
    /// The step size (`learning_rate`).
    pub learning_rate: f64,
    /// The running sum of squared gradients, shaped like the parameters (`memory.w_xh` is
    /// the notebook's `mWxh`).
    pub memory: Params,
}
// ANCHOR_END: adagrad_struct

impl Adagrad {
    /// Zero memory for parameters shaped like `params`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Adagrad, Params};
    /// let a = Adagrad::new(&Params::zeros(3, 2), 0.1);
    /// assert_eq!(a.memory.w_hh.as_slice(), &[0.0; 4]);
    /// ```
    // ANCHOR: adagrad_new
    pub fn new(params: &Params, learning_rate: f64) -> Adagrad {
        Adagrad {
            learning_rate,
            memory: Params::zeros(params.vocab_size(), params.hidden_size()),
        }
    }
    // ANCHOR_END: adagrad_new

    /// One Adagrad update of all five parameters with `grads`.
    ///
    /// # Panics
    ///
    /// If a shape of `params`, `grads` or the memory differs:
    /// `adagrad: w_xh has 6 values, its gradient 4, its memory 6`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Adagrad, Grads, Params};
    /// let mut params = Params::zeros(2, 1);
    /// let grads = Grads::zeros_like(&params);
    /// let mut adagrad = Adagrad::new(&params, 0.1);
    /// adagrad.update(&mut params, &grads); // zero gradient: nothing moves
    /// assert_eq!(params, Params::zeros(2, 1));
    /// ```
    // ANCHOR: update
    #[track_caller]
    pub fn update(&mut self, params: &mut Params, grads: &Grads) {
        let names = Params::NAMES;
        let weights = params.slices_mut();
        let memories = self.memory.slices_mut();
        let gradients = grads.slices();
        for (((name, w), g), m) in names.into_iter().zip(weights).zip(gradients).zip(memories) {
            if w.len() != g.len() || w.len() != m.len() {
                panic!(
                    "adagrad: {name} has {} values, its gradient {}, its memory {}",
                    w.len(),
                    g.len(),
                    m.len()
                );
            }
            adagrad_update(w, g, m, self.learning_rate);
        }
    }
    // ANCHOR_END: update
}

/// Adagrad on one parameter, element by element: `m += g²; w −= lr · g / √(m + 1e−8)`.
///
/// Both lines are done in one pass over the three slices (the memory is read right after it
/// is written, while it is still in a register).
///
/// # Examples
///
/// ```
/// let mut w = [1.0, 1.0];
/// let mut m = [0.0, 0.0];
/// min_char_rnn::adagrad::adagrad_update(&mut w, &[2.0, 0.0], &mut m, 0.5);
/// assert_eq!(m, [4.0, 0.0]);
/// assert!((w[0] - (1.0 - 0.5 * 2.0 / (4.0f64 + 1e-8).sqrt())).abs() < 1e-15);
/// assert_eq!(w[1], 1.0);
/// ```
// ANCHOR: adagrad_update
pub fn adagrad_update(w: &mut [f64], g: &[f64], m: &mut [f64], learning_rate: f64) {
    for ((w_i, &g_i), m_i) in w.iter_mut().zip(g).zip(m.iter_mut()) {
        *m_i += g_i * g_i; // mem += dparam * dparam
        *w_i += -learning_rate * g_i / (*m_i + EPSILON).sqrt(); // param += -lr·dparam/√(mem+1e-8)
    }
}
// ANCHOR_END: adagrad_update
