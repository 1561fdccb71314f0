//! Adam: RMSprop's moving mean square, a moving mean of the gradient itself (momentum), and a
//! correction for both averages starting at zero.
//!
//! For every parameter `w` (each element on its own) with gradient `g`, first moment `m` and
//! second moment `v`, at step `t = 1, 2, …` (Kingma and Ba, 2015, Algorithm 1):
//!
//! ```text
//! m = β₁ · m + (1 − β₁) · g          a moving average of the gradient
//! v = β₂ · v + (1 − β₂) · g²         a moving average of its square (RMSprop's m)
//! m̂ = m / (1 − β₁ᵗ)                  bias correction: m and v start at 0
//! v̂ = v / (1 − β₂ᵗ)
//! w −= lr · m̂ / (√v̂ + ε)             ε outside the root, after the correction
//! ```
//!
//! `m` smooths the direction: gradients that keep their sign add up, gradients that flip from
//! step to step (noise) cancel. `v` scales the step as RMSprop does, so a steady gradient moves
//! a weight by about `lr` per step whatever its size.
//!
//! **Why the correction.** Both averages start at zero, so early on they are too small: after
//! one step `m = (1 − β₁)·g`, a tenth of the gradient. Each is a weighted sum of past values
//! whose weights add up to `1 − βᵗ`, not to 1; dividing by `1 − βᵗ` makes them averages again.
//! At `t = 1`, `m̂ = g` and `v̂ = g²` exactly, and the first step is `lr · g / (|g| + ε)`, about
//! `lr · sign(g)` (RMSprop without the correction takes `lr / √(1 − α)`, several times that).
//! As `t` grows, `βᵗ → 0` and the correction fades away.
//!
//! **Where ε goes.** PyTorch's `torch.optim.Adam` (float64, `amsgrad=False`, no weight decay)
//! computes `denom = (v.sqrt() / √(1 − β₂ᵗ)) + eps` and
//! `w += −(lr / (1 − β₁ᵗ)) · m / denom`: the same as above, ε added to `√v̂`, after the
//! correction (`tests/torch_optim.rs` compares with it). The Lua `optim.adam` of `torch/optim`
//! (the package char-rnn takes its RMSprop from) adds ε to `√v` *before* the correction, which
//! makes its ε effectively `ε / √(1 − β₂ᵗ)`; the two differ only for gradients near ε.
//!
//! The defaults ([`BETA1`], [`BETA2`], [`EPSILON`]) are the paper's and PyTorch's; the
//! learning rate ([`LEARNING_RATE`]) is char-rnn's 2e−3 (the paper suggests 1e−3). Like
//! RMSprop, Adam is nearly independent of the gradient's scale.

/// The default learning rate, 2e−3: char-rnn's (for RMSprop); Adam's steps are about `lr` at
/// most, as RMSprop's settle to.
pub const LEARNING_RATE: f64 = 2e-3;

/// `β₁`: the fraction of the moving mean of the gradient kept at each step (the paper's 0.9;
/// a memory of about 10 steps).
pub const BETA1: f64 = 0.9;

/// `β₂`: the fraction of the moving mean square kept at each step (the paper's 0.999; a memory
/// of about 1,000 steps).
pub const BETA2: f64 = 0.999;

/// Added to `√v̂` so that a zero second moment does not divide by zero (the paper's 1e−8).
pub const EPSILON: f64 = 1e-8;

/// One Adam step on one parameter, element by element (see the module docs for the five
/// lines). `m` and `v` are this parameter's first and second moments (zeros before the first
/// step), updated in place; `step` is `t`, the number of this update counting from 1 (the
/// first update is step 1), which sets the bias correction.
///
/// # Panics
///
/// If `step` is 0 (the correction would divide by `1 − β⁰ = 0`), or if the lengths differ:
/// `adam: w has 3 values, g 2, m 3, v 3`.
///
/// # Examples
///
/// At step 1 the corrected moments are `g` and `g²`, so the step is about `lr · sign(g)`:
///
/// ```
/// use min_char_rnn::optim::adam;
/// let mut w = [1.0, 1.0];
/// let (mut m, mut v) = ([0.0; 2], [0.0; 2]);
/// adam::update(&mut w, &[0.001, -50.0], &mut m, &mut v, 0.1, 0.9, 0.999, 1e-8, 1);
/// assert!((w[0] - 0.9).abs() < 1e-5 && (w[1] - 1.1).abs() < 1e-9);
/// ```
// Nine arguments: the slices and every constant of the equations; a struct would hide which
// number goes where in the five lines.
// ANCHOR: adam_update
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn update(
    w: &mut [f64],
    g: &[f64],
    m: &mut [f64],
    v: &mut [f64],
    learning_rate: f64,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    step: u64,
) {
    assert!(step >= 1, "adam: steps count from 1, got step 0");
    assert!(
        w.len() == g.len() && w.len() == m.len() && w.len() == v.len(),
        "adam: w has {} values, g {}, m {}, v {}",
        w.len(),
        g.len(),
        m.len(),
        v.len()
    );
    let t = step as f64;
    let bias_correction1 = 1.0 - beta1.powf(t); // 1 − β₁ᵗ
    let bias_correction2 = 1.0 - beta2.powf(t); // 1 − β₂ᵗ
    for i in 0..w.len() {
        m[i] = beta1 * m[i] + (1.0 - beta1) * g[i]; // m = β₁·m + (1 − β₁)·g
        v[i] = beta2 * v[i] + (1.0 - beta2) * g[i] * g[i]; // v = β₂·v + (1 − β₂)·g²
        let m_hat = m[i] / bias_correction1; // m̂ = m / (1 − β₁ᵗ)
        let v_hat = v[i] / bias_correction2; // v̂ = v / (1 − β₂ᵗ)
        let delta = -learning_rate * m_hat / (v_hat.sqrt() + epsilon); // −lr·m̂/(√v̂ + ε)
        w[i] += delta;
    }
}
// ANCHOR_END: adam_update
