//! Shared by the tests that check Part II's gradients by central differences
//! (`tests/layers.rs`, `tests/dropout.rs`): Part I's tolerances, the rounding bound a mean
//! loss needs, and the small network, chunk and carried state they check.

#![allow(dead_code)] // each test file uses a different part of this module

use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::CellKind;
use min_char_rnn::network::{Network, State};

/// Step of the central differences (Part I's gradient check).
pub const EPSILON: f64 = 1e-5;
/// Largest relative difference between the analytic and the numeric gradient (Part I's).
pub const GRADIENT_CHECK_TOL: f64 = 1e-7;
/// Below this size both gradients are "zero" and only their absolute difference is checked
/// (Part I's).
pub const ZERO_GRADIENT: f64 = 1e-9;
/// What rounding alone can put into a numeric gradient: the loss (about ln 5 ≈ 1.6) is
/// computed to within some tens of ulps (1 ulp of 1.6 is 2.2e−16), and the difference of two
/// such losses is divided by 2ε = 2e−5, giving errors of about 1e−11 (the largest seen here
/// is 3e−11). A gradient of 1e−4 carries that as a relative error of 1e−7, so for small
/// gradients an absolute difference below this bound passes too. (Part I's check never meets
/// the case: its loss is a sum, not a mean, and its smallest checked gradients are larger.)
pub const ROUNDING_NOISE: f64 = 1e-10;

pub const V: usize = 5;
pub const H: usize = 4;
pub const L: usize = 2;
pub const B: usize = 2;
pub const T: usize = 4;

/// A two-layer network of `cell` with every parameter uniform in ±0.8 plus a pattern of
/// offsets (about Part I's check's N(0, 0.5²)), so that the gates are well away from their
/// linear middle but not saturated; two streams of four steps; a nonzero carried state.
pub fn problem(cell: CellKind) -> (Network, Chunk, State) {
    let mut network = Network::zeros(cell, V, H, L);
    let mut rng = fastrand::Rng::with_seed(17);
    for values in network.slices_mut() {
        for (i, w) in values.iter_mut().enumerate() {
            *w = 1.6 * (rng.f64() - 0.5) + 0.05 * ((i % 5) as f64 - 2.0);
        }
    }
    let chunk = Chunk::new(
        B,
        T,
        vec![0, 3, 3, 1, 4, 2, 0, 2],
        vec![3, 3, 1, 4, 2, 0, 2, 1],
    );
    let mut state = State::zeros(&network, B);
    for m in state.h.iter_mut().chain(state.c.iter_mut()) {
        for x in m.as_mut_slice() {
            *x = rng.f64() - 0.5; // h in (−0.5, 0.5), and c for the LSTM
        }
    }
    (network, chunk, state)
}

/// Asserts that `analytic` matches the central difference of `loss_at` (the loss as a
/// function of the perturbation), in the manner of Part I's gradient check. Returns the
/// relative error, or `None` where the gradient is "zero" or only within rounding noise.
#[track_caller]
pub fn check(what: &str, analytic: f64, loss_at: impl Fn(f64) -> f64) -> Option<f64> {
    let numeric = (loss_at(EPSILON) - loss_at(-EPSILON)) / (2.0 * EPSILON);
    let difference = (numeric - analytic).abs();
    let scale = numeric.abs().max(analytic.abs());
    if scale < ZERO_GRADIENT {
        assert!(
            difference < ZERO_GRADIENT,
            "{what}: analytic {analytic:e}, numeric {numeric:e}"
        );
        return None;
    }
    let rel = difference / scale;
    if rel < GRADIENT_CHECK_TOL {
        return Some(rel);
    }
    assert!(
        difference < ROUNDING_NOISE,
        "{what}: analytic {analytic:e}, numeric {numeric:e}, relative error {rel:e}"
    );
    None
}
