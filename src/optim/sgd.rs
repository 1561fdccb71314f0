//! Plain stochastic gradient descent: a step against the gradient, the same size for every
//! parameter.
//!
//! For every parameter `w` (each element on its own) with gradient `g`:
//!
//! ```text
//! w −= lr · g
//! ```
//!
//! No memory, no per-parameter scale: the step is proportional to the gradient, so the
//! learning rate's meaning depends on the loss's scale. Part II's loss is the mean over the
//! `B·T` characters of a chunk (see [`network`](crate::network)), so its gradients are about
//! `B·T` times smaller than those of a loss summed over the chunk, and SGD's learning rate must
//! be that much larger (the default, [`LEARNING_RATE`], is 1.0).
//!
//! PyTorch: `torch.optim.SGD(params, lr)` with its defaults (no momentum, no weight decay) does
//! the same: `param.add_(grad, alpha=-lr)`, that is `w + (−lr)·g`, the order written here.

/// SGD's default learning rate, 1.0: a usual starting point for plain SGD on a loss averaged
/// per character. It is the one learning rate here that depends on the loss's scale; expect to
/// tune it, and use it with clipping by norm (an occasional large gradient moves SGD's
/// weights by the full `lr · g`).
pub const LEARNING_RATE: f64 = 1.0;

/// One SGD step on one parameter, element by element: `w −= lr · g`.
///
/// # Panics
///
/// If the lengths differ: `sgd: w has 3 values, g 2`.
///
/// # Examples
///
/// ```
/// let mut w = [1.0, -2.0];
/// min_char_rnn::optim::sgd::update(&mut w, &[0.5, -4.0], 0.25);
/// assert_eq!(w, [0.875, -1.0]); // 1 − 0.25·0.5, −2 − 0.25·(−4)
/// ```
// ANCHOR: sgd_update
#[track_caller]
pub fn update(w: &mut [f64], g: &[f64], learning_rate: f64) {
    assert!(
        w.len() == g.len(),
        "sgd: w has {} values, g {}",
        w.len(),
        g.len()
    );
    for i in 0..w.len() {
        let delta = -learning_rate * g[i]; // Δw = −lr · g
        w[i] += delta; // w −= lr · g
    }
}
// ANCHOR_END: sgd_update
