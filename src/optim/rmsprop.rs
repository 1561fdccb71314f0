//! RMSprop: Adagrad with a memory that forgets. char-rnn's default optimizer.
//!
//! For every parameter `w` (each element on its own) with gradient `g` and mean square `m`:
//!
//! ```text
//! m = α · m + (1 − α) · g²           a moving average of the squared gradient (α = decay)
//! w −= lr · g / (√m + ε)             ε outside the root
//! ```
//!
//! Adagrad's memory is a sum, `m += g²`, so it only grows and its steps only shrink. RMSprop's
//! is a moving average: each step keeps the fraction `α` of the old memory and adds `1 − α` of
//! the new square, so a gradient from `n` steps ago weighs `αⁿ` (with char-rnn's `α = 0.95`,
//! about a third after 20 steps, a thousandth after 135). The step divides the gradient by
//! its recent root mean square: when the gradients have been of a steady size, the step is
//! about `lr`, and it stays so however long training runs.
//!
//! ## Which RMSprop: where ε goes
//!
//! This is **char-rnn's**: `optim.rmsprop` of the Lua package `torch/optim`, as char-rnn called
//! it (`optim.rmsprop(feval, params, {learningRate = 2e-3, alpha = 0.95})`):
//!
//! ```lua
//! state.m:mul(alpha)                        -- m = α·m
//! state.m:addcmul(1.0-alpha, dfdx, dfdx)    --   + (1−α)·g·g
//! state.tmp:sqrt(state.m):add(epsilon)      -- √m + ε         (epsilon = 1e-8)
//! x:addcdiv(-lr, dfdx, state.tmp)           -- w += −lr·g / (√m + ε)
//! ```
//!
//! with `m` starting at zero. **PyTorch's** `torch.optim.RMSprop` (with `centered=False`,
//! `momentum=0`, `weight_decay=0`) computes the same thing, ε in the same place:
//! `square_avg.mul_(alpha).addcmul_(grad, grad, value=1-alpha)`, then
//! `param.addcdiv_(grad, square_avg.sqrt().add_(eps), value=-lr)`, that is
//! `w −= lr · g / (√v + ε)`. Only its defaults differ (`alpha = 0.99`, `lr = 1e−2`, `eps =
//! 1e−8`), so `tests/torch_optim.rs` compares with PyTorch run with `alpha = 0.95`, `eps =
//! 1e−8`. (This code multiplies `(1 − α)·g·g` in their order, left to right.)
//!
//! The other placement, `w −= lr · g / √(m + ε)`, ε *inside* the root, is TensorFlow 1's
//! (`RMSPropOptimizer`; PyTorch's documentation notes that TensorFlow "interchanges these two
//! operations") and Part I's Adagrad's (`√(m + 1e−8)`). It matters only for gradients near
//! the size of ε's effect: ε inside the root acts like `√ε` outside it, so a `1e−8` inside
//! damps gradients below about `1e−4`, while a `1e−8` outside damps only those below about
//! `1e−8`.
//!
//! ## The learning rate
//!
//! Dividing by the root mean square makes the step nearly independent of the gradient's
//! scale: multiply every gradient by 50 and `√m` grows by 50 too, the steps stay the same
//! (only ε notices). So [`LEARNING_RATE`] is char-rnn's 2e−3 although char-rnn leaves its
//! gradients summed over time while Part II's loss is a mean per character.
//!
//! One consequence of starting at `m = 0`: the first step is `lr · g / (√(1 − α) · |g|)`,
//! about `4.5 · lr` for `α = 0.95`, and the steps settle to about `lr` only after some tens of
//! steps, as `m` fills. Adam's bias correction ([`adam`](super::adam)) removes that.

/// char-rnn's default learning rate (`-learning_rate 2e-3`).
pub const LEARNING_RATE: f64 = 2e-3;

/// char-rnn's default `α` (`-decay_rate 0.95`, passed to `optim.rmsprop` as `alpha`): the
/// fraction of the mean square kept at each step.
pub const DECAY: f64 = 0.95;

/// `torch/optim`'s (and PyTorch's) default ε, added to `√m` so that a zero mean square does
/// not divide by zero (char-rnn does not set it).
pub const EPSILON: f64 = 1e-8;

/// One RMSprop step on one parameter, element by element:
/// `m = α·m + (1 − α)·g²; w −= lr · g / (√m + ε)`, with `α = decay`.
///
/// `ms` is the running mean square of this parameter's gradients (zeros before the first
/// step), updated in place.
///
/// # Panics
///
/// If the lengths differ: `rmsprop: w has 3 values, g 2, ms 3`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::optim::rmsprop;
/// let mut w = [1.0];
/// let mut ms = [0.0];
/// rmsprop::update(&mut w, &[2.0], &mut ms, 0.1, 0.75, 0.0);
/// assert_eq!(ms, [1.0]); // 0.75·0 + 0.25·2²
/// assert_eq!(w, [0.8]); // 1 − 0.1·2/√1
/// ```
// ANCHOR: rmsprop_update
#[track_caller]
pub fn update(
    w: &mut [f64],
    g: &[f64],
    ms: &mut [f64],
    learning_rate: f64,
    decay: f64,
    epsilon: f64,
) {
    assert!(
        w.len() == g.len() && w.len() == ms.len(),
        "rmsprop: w has {} values, g {}, ms {}",
        w.len(),
        g.len(),
        ms.len()
    );
    for i in 0..w.len() {
        ms[i] = decay * ms[i] + (1.0 - decay) * g[i] * g[i]; // m = α·m + (1 − α)·g²
        let rms = ms[i].sqrt() + epsilon; // √m + ε, ε outside the root
        let delta = -learning_rate * g[i] / rms; // Δw = −lr · g / (√m + ε)
        w[i] += delta;
    }
}
// ANCHOR_END: rmsprop_update
