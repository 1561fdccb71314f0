//! The optimizers and clipping against PyTorch, on the same numbers.
//!
//! `tests/fixtures/torch_optim.txt` (written by `tools/torch_optim.py`, torch in float64) holds
//! two parameters, `p0` (3 x 4) and `p1` (5), their start values, the gradients of five steps,
//! and what PyTorch made of them:
//! - `torch.optim.SGD`, `torch.optim.RMSprop(alpha = 0.95, eps = 1e−8)` and
//!   `torch.optim.Adam(betas = (0.9, 0.999), eps = 1e−8)`: the parameters after every step.
//!   Here the same steps go through an [`Optimizer`] over the two slices. Element 0 of `p1`
//!   gets gradients of about 1e−9, below ε, where putting ε inside the root instead of outside
//!   would make its steps ten thousand times smaller: it checks where ε goes.
//! - `torch.nn.utils.clip_grad_norm_(max_norm = 5)`: the norm it returns (steps 2 and 4 are
//!   above 5, the others below) and the gradients it leaves;
//! - `torch.nn.utils.clip_grad_value_(clip_value = 1)`: the gradients it leaves.
//!
//! The tolerance is 1e−13 relative: PyTorch orders some operations differently (its Adam's
//! moving mean is a `lerp`, its norm a norm of per-tensor norms), which changes the last bits
//! only. The learning rates are large enough that five steps move the parameters by about their
//! own size, so the tolerance checks the updates, not only the starting values.
//!
//! Run with `cargo test --test torch_optim`. No Python is needed: the fixture is committed.

mod common;

use common::{Fixture, assert_close};
use min_char_rnn::clip::{clip_by_norm, clip_by_value, global_norm};
use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind, adam, rmsprop};

/// PyTorch and this crate agree to this, relative (a few hundred ulps; the differences are
/// rounding in a different order of operations).
const RELATIVE: f64 = 1e-13;

/// For values that are zero or nearly: the parameters are about 0.1, the gradients about 1.
const ABSOLUTE: f64 = 1e-16;

/// PyTorch's `clip_grad_norm_` divides by `norm + 1e−6`, not by `norm`.
const TORCH_CLIP_EPSILON: f64 = 1e-6;

fn fixture() -> Fixture {
    Fixture::load("torch_optim.txt")
}

/// The two gradients of step `k` (1-based).
fn gradients(f: &Fixture, k: usize) -> [Vec<f64>; 2] {
    [
        f.values(&format!("g0_{k}")).to_vec(),
        f.values(&format!("g1_{k}")).to_vec(),
    ]
}

/// Runs every step of the fixture through an optimizer with `config` and compares the
/// parameters after each step with PyTorch's `<name>_w0_k`, `<name>_w1_k`.
fn compare_with_torch(name: &str, config: OptimizerConfig) {
    let f = fixture();
    let mut w0 = f.values("w0_0").to_vec();
    let mut w1 = f.values("w1_0").to_vec();
    let mut optimizer = Optimizer::new(config, &[w0.len(), w1.len()]);
    for k in 1..=f.usize("steps") {
        let [g0, g1] = gradients(&f, k);
        optimizer.update(&mut [&mut w0, &mut w1], &[&g0, &g1]);
        let expected0 = f.values(&format!("{name}_w0_{k}"));
        let expected1 = f.values(&format!("{name}_w1_{k}"));
        assert_close(
            &format!("{name} p0 after step {k}"),
            &w0,
            expected0,
            RELATIVE,
            ABSOLUTE,
        );
        assert_close(
            &format!("{name} p1 after step {k}"),
            &w1,
            expected1,
            RELATIVE,
            ABSOLUTE,
        );
    }
    // The parameters moved by about their own size: the comparison above checked the steps.
    let start = f.values("w0_0");
    let moved: f64 = w0
        .iter()
        .zip(start)
        .map(|(a, b)| (a - b).abs())
        .sum::<f64>()
        / 12.0;
    let size: f64 = start.iter().map(|a| a.abs()).sum::<f64>() / 12.0;
    assert!(
        moved > 0.2 * size,
        "{name}: moved {moved:e} on average, size {size:e}"
    );
}

#[test]
fn sgd_matches_torch_optim_sgd() {
    let f = fixture();
    let config = OptimizerConfig {
        learning_rate: f.scalar("sgd_lr"),
        ..OptimizerConfig::new(OptimizerKind::Sgd)
    };
    compare_with_torch("sgd", config);
}

#[test]
fn rmsprop_matches_torch_optim_rmsprop_with_char_rnns_decay() {
    let f = fixture();
    // PyTorch was run with char-rnn's α and the common ε: this crate's defaults.
    assert_eq!(f.scalar("rmsprop_alpha"), rmsprop::DECAY);
    assert_eq!(f.scalar("rmsprop_eps"), rmsprop::EPSILON);
    let config = OptimizerConfig {
        learning_rate: f.scalar("rmsprop_lr"),
        ..OptimizerConfig::new(OptimizerKind::Rmsprop)
    };
    compare_with_torch("rmsprop", config);
}

#[test]
fn adam_matches_torch_optim_adam() {
    let f = fixture();
    assert_eq!(f.scalar("adam_beta1"), adam::BETA1);
    assert_eq!(f.scalar("adam_beta2"), adam::BETA2);
    assert_eq!(f.scalar("adam_eps"), adam::EPSILON);
    let config = OptimizerConfig {
        learning_rate: f.scalar("adam_lr"),
        ..OptimizerConfig::new(OptimizerKind::Adam)
    };
    compare_with_torch("adam", config);
}

/// The gradients of about 1e−9 on `p1[0]` are where ε's place shows: with ε outside the root
/// (PyTorch's and this crate's RMSprop) the first step is `lr·g/(√(1 − α)·|g| + ε)`, about
/// `lr·g/ε`, a tenth of `lr` for `g = 1e−9`; with ε inside, `lr·g/√((1 − α)·g² + ε)`, about
/// `lr·g/1e−4`, ten thousand times less. PyTorch's step is the first kind.
#[test]
fn torch_rmsprop_puts_epsilon_outside_the_root_as_this_crate_does() {
    let f = fixture();
    let lr = f.scalar("rmsprop_lr");
    let alpha = f.scalar("rmsprop_alpha");
    let eps = f.scalar("rmsprop_eps");
    let g = f.values("g1_1")[0];
    assert!(g.abs() < eps, "the fixture's tiny gradient is {g:e}");
    let torch_step = f.values("w1_0")[0] - f.values("rmsprop_w1_1")[0];
    let outside = lr * g / (((1.0 - alpha) * g * g).sqrt() + eps);
    let inside = lr * g / ((1.0 - alpha) * g * g + eps).sqrt();
    assert!(
        (torch_step - outside).abs() <= 1e-13 * outside.abs(),
        "torch stepped {torch_step:e}; ε outside gives {outside:e}, inside {inside:e}"
    );
    assert!(outside.abs() > 1000.0 * inside.abs());
}

#[test]
fn global_norm_matches_torch_clip_grad_norm() {
    let f = fixture();
    for k in 1..=f.usize("steps") {
        let [g0, g1] = gradients(&f, k);
        let expected = f.scalar(&format!("clip_norm_{k}"));
        let norm = global_norm(&[&g0, &g1]);
        assert_close(
            &format!("norm of step {k}"),
            &[norm],
            &[expected],
            RELATIVE,
            0.0,
        );
    }
}

/// PyTorch scales by `min(c / (‖g‖ + 1e−6), 1)`, this crate by `c / ‖g‖` when `‖g‖ > c` and
/// not at all otherwise. So below the limit both leave the gradients as they are, and above it
/// PyTorch's are this crate's times `‖g‖ / (‖g‖ + 1e−6)`: the comparison applies that factor.
#[test]
fn clip_by_norm_matches_torch_clip_grad_norm_up_to_its_epsilon() {
    let f = fixture();
    let max_norm = f.scalar("max_norm");
    let mut clipped_steps = Vec::new();
    for k in 1..=f.usize("steps") {
        let [mut g0, mut g1] = gradients(&f, k);
        let norm = clip_by_norm(&mut [&mut g0, &mut g1], max_norm);
        let torch_factor = if norm > max_norm {
            clipped_steps.push(k);
            norm / (norm + TORCH_CLIP_EPSILON)
        } else {
            1.0
        };
        for (i, g) in [g0, g1].iter().enumerate() {
            let as_torch: Vec<f64> = g.iter().map(|x| x * torch_factor).collect();
            let expected = f.values(&format!("clip_norm_g{i}_{k}"));
            assert_close(
                &format!("clipped g{i}, step {k}"),
                &as_torch,
                expected,
                RELATIVE,
                0.0,
            );
        }
    }
    assert_eq!(clipped_steps, [2, 4], "the steps above the limit");
}

#[test]
fn clip_by_value_matches_torch_clip_grad_value() {
    let f = fixture();
    let limit = f.scalar("clip_value");
    for k in 1..=f.usize("steps") {
        let [mut g0, mut g1] = gradients(&f, k);
        clip_by_value(&mut [&mut g0, &mut g1], limit);
        assert_eq!(g0, f.values(&format!("clip_value_g0_{k}")), "g0, step {k}");
        assert_eq!(g1, f.values(&format!("clip_value_g1_{k}")), "g1, step {k}");
    }
}
