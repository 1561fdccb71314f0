//! Step 4, the loss: how wrong the guesses were, and the first gradient.
//!
//! ```text
//! p_t = softmax(y_t),   p_t[k] = exp(y_t[k]) / Σ_j exp(y_t[j])       (V)
//! L   = Σ_t −ln p_t[target_t]                                        a number
//! ∂L/∂y_t = p_t − onehot(target_t)                                   (V)
//! ```
//!
//! The loss of one step is the surprise at the right answer: `−ln 1 = 0` if the network gave
//! the target character probability 1, `−ln(1/V)` if it guessed uniformly, and large when it was
//! confident and wrong. The loss of a chunk is the sum over its `T` steps.
//!
//! Notebook:
//!
//! ```python
//! ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
//! loss += -np.log(ps[t][targets[t],0])
//! dy = np.copy(ps[t]); dy[targets[t]] -= 1
//! ```
//!
//! One difference on purpose: the softmax here subtracts the largest score before
//! exponentiating. `exp(y − m) / Σ exp(y_j − m)` is the same number for any `m` (the factor
//! `exp(−m)` cancels), but with `m = max y` the largest exponent is `exp(0) = 1`, so nothing
//! overflows. The original computes `np.exp(ys[t])` directly: a score above about 709 gives
//! `exp = inf` and the probabilities become `inf / inf = NaN`, after which training is lost.
//! Scores that large do not occur in the original's short runs, which is why it got away
//! with it; a higher learning rate or a low sampling temperature (which divides the scores
//! by a small number) gets there quickly.

use crate::{Vector, math};

/// `p = softmax(y / temperature)`, computed stably (the maximum is subtracted first).
///
/// At `temperature = 1` this is the plain softmax; below 1 it sharpens the distribution
/// towards the largest score, above 1 it flattens it.
///
/// # Panics
///
/// If the lengths differ.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vector, loss::softmax_with_temperature};
/// let y = Vector::from_vec(vec![1.0, 2.0]);
/// let mut p = Vector::zeros(2);
/// softmax_with_temperature(&y, 0.5, &mut p);
/// // softmax([2, 4]) = [1, e²] / (1 + e²), as exp(2) / exp(2) = 1 and exp(4) / exp(2) = e²
/// let e2 = 2f64.exp();
/// assert!((p[1] - e2 / (1.0 + e2)).abs() < 1e-15);
/// ```
// ANCHOR: softmax_with_temperature
#[track_caller]
pub fn softmax_with_temperature(y: &Vector, temperature: f64, p: &mut Vector) {
    crate::vector::check_len("softmax", "->", y.len(), p.len());
    let max = y.max(); // subtracting it keeps every exponent <= 0: no overflow
    for k in 0..p.len() {
        p[k] = math::exp((y[k] - max) / temperature); // exp((y_k − max) / temperature)
    }
    let sum = p.sum(); // in numpy's order: the same sum as np.sum, to the last bit
    for k in 0..p.len() {
        p[k] /= sum;
    }
}
// ANCHOR_END: softmax_with_temperature

/// `p = softmax(y)`: turns scores into probabilities that are positive and sum to 1.
///
/// # Panics
///
/// If the lengths differ.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vector, loss::softmax};
/// let mut p = Vector::zeros(3);
/// softmax(&Vector::from_vec(vec![1000.0, 1000.0, 0.0]), &mut p);
/// assert_eq!(p[0], 0.5); // no overflow, although exp(1000) = inf
/// ```
// ANCHOR: softmax
#[track_caller]
pub fn softmax(y: &Vector, p: &mut Vector) {
    softmax_with_temperature(y, 1.0, p);
}
// ANCHOR_END: softmax

/// `−ln p[target]`: the loss of one time step.
///
/// # Panics
///
/// If `target >= p.len()`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vector, loss::cross_entropy};
/// let p = Vector::from_vec(vec![0.25, 0.75]);
/// assert_eq!(cross_entropy(&p, 1), -(0.75f64).ln());
/// ```
// ANCHOR: cross_entropy
#[track_caller]
pub fn cross_entropy(p: &Vector, target: usize) -> f64 {
    -p[target].ln()
}
// ANCHOR_END: cross_entropy

/// `Σ_t −ln p_t[target_t]`: the loss of a whole chunk, from the probabilities `ps` the
/// forward pass left in its cache.
///
/// # Panics
///
/// If `targets.len()` differs from the number of steps in `ps` or a target is `>= V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Params, Vector, forward::forward, loss::sequence_loss};
/// let params = Params::zeros(4, 3); // all-zero weights: p = 1/4 everywhere
/// let mut cache = ForwardCache::new(4, 3, 2);
/// forward(&params, &[0, 1], &Vector::zeros(3), &mut cache);
/// assert!((sequence_loss(&cache.ps, &[1, 2]) - 2.0 * 4f64.ln()).abs() < 1e-12);
/// ```
// ANCHOR: sequence_loss
#[track_caller]
pub fn sequence_loss(ps: &[Vector], targets: &[usize]) -> f64 {
    crate::vector::check_len("sequence_loss", "vs", ps.len(), targets.len());
    let mut loss = 0.0;
    for t in 0..targets.len() {
        loss += cross_entropy(&ps[t], targets[t]); // loss += -np.log(ps[t][targets[t],0])
    }
    loss
}
// ANCHOR_END: sequence_loss

/// `dy = p − onehot(target)`: the gradient of `−ln p[target]` with respect to the scores `y`.
///
/// Pushing a score up raises its probability and lowers all others, so the gradient is the
/// probability itself for every wrong character and `p − 1` for the right one.
///
/// # Panics
///
/// If the lengths differ or `target >= p.len()`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vector, loss::output_gradient};
/// let p = Vector::from_vec(vec![0.25, 0.75]);
/// let mut dy = Vector::zeros(2);
/// output_gradient(&p, 1, &mut dy);
/// assert_eq!(dy.as_slice(), &[0.25, -0.25]);
/// ```
// ANCHOR: output_gradient
#[track_caller]
pub fn output_gradient(p: &Vector, target: usize, dy: &mut Vector) {
    dy.copy_from(p); // dy = np.copy(ps[t])
    dy[target] -= 1.0; // dy[targets[t]] -= 1
}
// ANCHOR_END: output_gradient
