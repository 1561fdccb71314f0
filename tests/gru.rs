//! The GRU cell, one stream, one step: the forward step against values worked out by hand and
//! against PyTorch's equations written out independently (and shown to differ from the
//! original paper's), the backward step against finite differences of the forward step.
//!
//! Run with `cargo test --test gru`.

use min_char_rnn::cells::{
    CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, dot, gru,
};

/// Hand-computed values hold to a few ulps.
const BY_HAND: f64 = 1e-15;
/// Central differences, as Part I's gradient check: step, relative tolerance, "zero".
const EPSILON: f64 = 1e-5;
const GRADIENT_CHECK_TOL: f64 = 1e-7;
const ZERO_GRADIENT: f64 = 1e-9;

#[track_caller]
fn assert_near(what: &str, actual: f64, expected: f64, tol: f64) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: {actual} instead of {expected}"
    );
}

#[test]
fn gru_forward_step_matches_values_worked_out_by_hand() {
    // One unit (H = 1), two characters; x = character 1, h_{t−1} = 0.5. Rows r, z, n:
    //   a_r = 0.25 + (−1.0)·0.5 + 0.25                = 0       r = σ(0) = 1/2
    //   a_z = (ln 3 − 0.5) + 0.6·0.5 + 0.2            = ln 3    z = σ(ln 3) = 3/4
    //   hn  = 0.8·0.5 + 0.2 (b_hn)                    = 0.6
    //   n   = tanh((ln 2 − 0.1) + (−0.2) + r·hn)      = tanh(ln 2) = 3/5
    //   h_t = (1 − z)·n + z·h_{t−1} = 0.25·0.6 + 0.75·0.5 = 0.15 + 0.375 = 0.525
    // Column 0 of W_ih (the other character) is 9 everywhere: reading it would show.
    let (ln2, ln3) = (2f64.ln(), 3f64.ln());
    let mut layer = LayerParams::zeros(CellKind::Gru, 2, 1);
    let rows = [
        (0.25, -1.0, 0.25),
        (ln3 - 0.5, 0.6, 0.2),
        (ln2 - 0.1, 0.8, -0.2),
    ];
    for (r, (w_x, w_h, b)) in rows.into_iter().enumerate() {
        layer.w_ih[(r, 0)] = 9.0;
        layer.w_ih[(r, 1)] = w_x;
        layer.w_hh[(r, 0)] = w_h;
        layer.b[r] = b;
    }
    layer.b_hn[0] = 0.2;
    let mut out = StepCache::new(CellKind::Gru, 1);
    gru::forward_step(&layer, Input::OneHot(1), &[0.5], &mut out);
    assert_near("r", out.gates[0], 0.5, BY_HAND);
    assert_near("z", out.gates[1], 0.75, BY_HAND);
    assert_near("n", out.gates[2], 0.6, BY_HAND);
    assert_near("hn", out.hn[0], 0.6, BY_HAND);
    assert_near("h_t", out.h[0], 0.525, BY_HAND);
    // The paper's form would give n = tanh(ln 2 − 0.3 + 0.8·(r·0.5) + 0.2) = tanh(ln 2 + 0.1),
    // h_t = 0.25·0.66 + 0.375 ≈ 0.54: not what this cell computes.
    let paper = 0.25 * (ln2 + 0.1).tanh() + 0.375;
    assert!((out.h[0] - paper).abs() > 0.01);
}

/// `H = 3` units reading a dense input of `I = 2`, random weights ~U(−1, 1).
fn random_layer(seed: u64) -> (LayerParams, Vec<f64>, Vec<f64>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut layer = LayerParams::zeros(CellKind::Gru, 2, 3);
    for values in layer.slices_mut() {
        for v in values {
            *v = 2.0 * rng.f64() - 1.0;
        }
    }
    let x = vec![2.0 * rng.f64() - 1.0, 2.0 * rng.f64() - 1.0];
    let h_prev = (0..3).map(|_| 2.0 * rng.f64() - 1.0).collect();
    (layer, x, h_prev)
}

#[test]
fn gru_forward_step_is_pytorchs_formulation_not_the_papers() {
    // Both written out here with the standard library's exp and tanh, row by row.
    let (layer, x, h_prev) = random_layer(8);
    let sigmoid = |a: f64| 1.0 / (1.0 + (-a).exp());
    let row_dot = |w: &[f64], v: &[f64]| -> f64 { w.iter().zip(v).map(|(a, b)| a * b).sum() };
    let (w_ih, w_hh) = (&layer.w_ih, &layer.w_hh);
    let mut out = StepCache::new(CellKind::Gru, 3);
    gru::forward_step(&layer, Input::Dense(&x), &h_prev, &mut out);

    let mut r = [0.0; 3];
    let mut z = [0.0; 3];
    for j in 0..3 {
        r[j] = sigmoid(row_dot(w_ih.row(j), &x) + row_dot(w_hh.row(j), &h_prev) + layer.b[j]);
        z[j] = sigmoid(
            row_dot(w_ih.row(3 + j), &x) + row_dot(w_hh.row(3 + j), &h_prev) + layer.b[3 + j],
        );
    }
    let r_times_h: Vec<f64> = (0..3).map(|k| r[k] * h_prev[k]).collect();
    let mut largest_gap = 0.0f64;
    for j in 0..3 {
        let input_part = row_dot(w_ih.row(6 + j), &x) + layer.b[6 + j];
        // PyTorch: n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
        let torch_n =
            (input_part + r[j] * (row_dot(w_hh.row(6 + j), &h_prev) + layer.b_hn[j])).tanh();
        let torch_h = (1.0 - z[j]) * torch_n + z[j] * h_prev[j];
        assert_near(&format!("h[{j}]"), out.h[j], torch_h, 1e-14);
        // Cho et al. 2014: n = tanh(W_in x + W_hn (r ⊙ h) + b_in + b_hn)
        let paper_n = (input_part + row_dot(w_hh.row(6 + j), &r_times_h) + layer.b_hn[j]).tanh();
        let paper_h = (1.0 - z[j]) * paper_n + z[j] * h_prev[j];
        largest_gap = largest_gap.max((paper_h - torch_h).abs());
    }
    assert!(largest_gap > 1e-3, "the two forms differ: {largest_gap}");
}

#[test]
fn gru_update_gate_of_one_keeps_the_memory() {
    // z = σ(40) = 1: h_t = 0·n + 1·h_{t−1}, to the bit.
    let (mut layer, x, h_prev) = random_layer(2);
    for j in 3..6 {
        layer.b[j] = 40.0;
    }
    let mut out = StepCache::new(CellKind::Gru, 3);
    gru::forward_step(&layer, Input::Dense(&x), &h_prev, &mut out);
    assert_eq!(out.h.as_slice(), h_prev.as_slice());
}

/// `ℓ = u·h_t` for a fixed random `u`, so that `∂ℓ/∂h_t = u` is the backward step's `dh`.
fn step_loss(layer: &LayerParams, x: &[f64], h_prev: &[f64], u: &[f64]) -> f64 {
    let mut out = StepCache::new(CellKind::Gru, 3);
    gru::forward_step(layer, Input::Dense(x), h_prev, &mut out);
    dot(u, out.h.as_slice())
}

#[track_caller]
fn check(what: &str, analytic: f64, numeric: f64) {
    let scale = numeric.abs().max(analytic.abs());
    if scale < ZERO_GRADIENT {
        assert!((numeric - analytic).abs() < ZERO_GRADIENT, "{what}");
    } else {
        let rel = (numeric - analytic).abs() / scale;
        assert!(
            rel < GRADIENT_CHECK_TOL,
            "{what}: analytic {analytic:e}, numeric {numeric:e}, relative error {rel:e}"
        );
    }
}

#[test]
fn gru_backward_step_matches_finite_differences() {
    let (layer, x, h_prev) = random_layer(4);
    let u = vec![0.7, -1.1, 0.4];
    let mut step = StepCache::new(CellKind::Gru, 3);
    gru::forward_step(&layer, Input::Dense(&x), &h_prev, &mut step);
    let mut d = StepGrads::new(CellKind::Gru, 2, 3);
    d.dh.as_mut_slice().copy_from_slice(&u);
    let mut grads = LayerGrads::zeros_like(&layer);
    gru::backward_step(&layer, Input::Dense(&x), &h_prev, &step, &mut d, &mut grads);

    let mut checked = 0;
    for (which, (name, values)) in layer.slices().into_iter().enumerate() {
        for i in 0..values.len() {
            let mut up = layer.clone();
            up.slices_mut()[which][i] += EPSILON;
            let mut down = layer.clone();
            down.slices_mut()[which][i] -= EPSILON;
            let numeric = (step_loss(&up, &x, &h_prev, &u) - step_loss(&down, &x, &h_prev, &u))
                / (2.0 * EPSILON);
            check(&format!("d{name}[{i}]"), grads.slices()[which][i], numeric);
            checked += 1;
        }
    }
    for i in 0..3 {
        let (mut up, mut down) = (h_prev.clone(), h_prev.clone());
        up[i] += EPSILON;
        down[i] -= EPSILON;
        let numeric =
            (step_loss(&layer, &x, &up, &u) - step_loss(&layer, &x, &down, &u)) / (2.0 * EPSILON);
        check(&format!("dh_prev[{i}]"), d.dh_prev[i], numeric);
        checked += 1;
    }
    for i in 0..2 {
        let (mut up, mut down) = (x.clone(), x.clone());
        up[i] += EPSILON;
        down[i] -= EPSILON;
        let numeric = (step_loss(&layer, &up, &h_prev, &u) - step_loss(&layer, &down, &h_prev, &u))
            / (2.0 * EPSILON);
        check(&format!("dx[{i}]"), d.dx[i], numeric);
        checked += 1;
    }
    // w_ih 9·2, w_hh 9·3, b 9, b_hn 3; h_prev 3; x 2.
    assert_eq!(checked, 18 + 27 + 9 + 3 + 3 + 2);
}
