//! The LSTM cell, one stream, one step: the forward step against values worked out by hand,
//! the backward step against finite differences of the forward step.
//!
//! Run with `cargo test --test lstm`.

use min_char_rnn::cells::{
    CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, dot, lstm,
};

/// Hand-computed values hold to a few ulps (`ln 3` and `ln 2` are rounded once, then go
/// through a sigmoid or `tanh`).
const BY_HAND: f64 = 1e-15;
/// Central differences, as Part I's gradient check: step, relative tolerance, "zero".
const EPSILON: f64 = 1e-5;
const GRADIENT_CHECK_TOL: f64 = 1e-7;
const ZERO_GRADIENT: f64 = 1e-9;

/// One unit (`H = 1`), two characters (`V = 2`). With the character `x = 1`, `h_{t−1} = 0.5`,
/// `c_{t−1} = 0.2`, each gate's sum `W_ih·x + W_hh·h_{t−1} + b` is chosen to be a number
/// whose sigmoid or tanh is known exactly:
///
/// ```text
/// a_i =  0.5          + (−0.5)·0.5 + (−0.25) = 0      i = σ(0)     = 1/2
/// a_f = (ln 3 − 1)    +   1.0·0.5  +   0.5   = ln 3   f = σ(ln 3)  = 1/(1 + 1/3) = 3/4
/// a_g = ln 2          +   0.4·0.5  + (−0.2)  = ln 2   g = tanh(ln 2) = (4 − 1)/(4 + 1) = 3/5
/// a_o = −ln 3         +   0        +   0     = −ln 3  o = σ(−ln 3) = 1/(1 + 3) = 1/4
/// c_t = f·c_{t−1} + i·g = 0.75·0.2 + 0.5·0.6 = 0.15 + 0.3 = 0.45
/// h_t = o·tanh(c_t) = 0.25·tanh(0.45) = 0.25·0.421899005250008 = 0.105474751312502
/// ```
///
/// Column 0 of `W_ih` (the other character) is 9 everywhere: reading it would show.
fn one_unit() -> LayerParams {
    let (ln2, ln3) = (2f64.ln(), 3f64.ln());
    let mut layer = LayerParams::zeros(CellKind::Lstm, 2, 1);
    let rows = [
        // (w_ih[., 1], w_hh[., 0], b): i, f, g, o
        (0.5, -0.5, -0.25),
        (ln3 - 1.0, 1.0, 0.5),
        (ln2, 0.4, -0.2),
        (-ln3, 0.0, 0.0),
    ];
    for (r, (w_x, w_h, b)) in rows.into_iter().enumerate() {
        layer.w_ih[(r, 0)] = 9.0;
        layer.w_ih[(r, 1)] = w_x;
        layer.w_hh[(r, 0)] = w_h;
        layer.b[r] = b;
    }
    layer
}

#[track_caller]
fn assert_near(what: &str, actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= BY_HAND,
        "{what}: {actual} instead of {expected}"
    );
}

#[test]
fn lstm_forward_step_matches_values_worked_out_by_hand() {
    let mut out = StepCache::new(CellKind::Lstm, 1);
    lstm::forward_step(&one_unit(), Input::OneHot(1), &[0.5], &[0.2], &mut out);
    let gates = out.gates.as_slice();
    assert_near("i", gates[0], 0.5);
    assert_near("f", gates[1], 0.75);
    assert_near("g", gates[2], 0.6);
    assert_near("o", gates[3], 0.25);
    assert_near("c_t", out.c[0], 0.45);
    assert_near("tanh(c_t)", out.tanh_c[0], 0.421899005250008);
    assert_near("h_t", out.h[0], 0.105474751312502);
}

#[test]
fn lstm_forward_step_reads_the_gate_blocks_in_the_order_i_f_g_o() {
    // Two units, a dense input x = [1] and no memory term, so each row of w_ih is its gate's
    // sum. Unit 0 gets the gates of the test above; unit 1 others, so that a mix-up of units
    // or of blocks shows:
    //   unit 0: i = σ(0) = 1/2,    f = σ(ln 3) = 3/4, g = tanh(ln 2) = 3/5,   o = σ(−ln 3) = 1/4
    //   unit 1: i = σ(ln 3) = 3/4, f = σ(0) = 1/2,    g = tanh(−ln 2) = −3/5, o = σ(0) = 1/2
    //   c_t = [0.75·0.2 + 0.5·0.6, 0.5·(−0.4) + 0.75·(−0.6)] = [0.45, −0.65]
    //   h_t = [0.25·tanh(0.45), 0.5·tanh(−0.65)] = [0.105474751312502, −0.285834983042559]
    let (ln2, ln3) = (2f64.ln(), 3f64.ln());
    let mut layer = LayerParams::zeros(CellKind::Lstm, 1, 2);
    let sums = [0.0, ln3, ln3, 0.0, ln2, -ln2, -ln3, 0.0]; // rows i0 i1 f0 f1 g0 g1 o0 o1
    for (r, a) in sums.into_iter().enumerate() {
        layer.w_ih[(r, 0)] = a;
    }
    let mut out = StepCache::new(CellKind::Lstm, 2);
    lstm::forward_step(
        &layer,
        Input::Dense(&[1.0]),
        &[0.0, 0.0],
        &[0.2, -0.4],
        &mut out,
    );
    assert_near("c_0", out.c[0], 0.45);
    assert_near("c_1", out.c[1], -0.65);
    assert_near("h_0", out.h[0], 0.105474751312502);
    assert_near("h_1", out.h[1], -0.285834983042559);
}

#[test]
fn lstm_forward_step_with_a_forget_gate_of_one_and_an_input_gate_of_zero_keeps_c() {
    // Saturated gates: f = σ(40) = 1 and i = σ(−40) ≈ 4e−18, so c_t = c_{t−1} to the bit
    // (the i·g term is far below half an ulp of c).
    let mut layer = LayerParams::zeros(CellKind::Lstm, 2, 1);
    layer.b[0] = -40.0; // i
    layer.b[1] = 40.0; // f
    layer.b[2] = 1.0; // g = tanh(1)
    let mut out = StepCache::new(CellKind::Lstm, 1);
    lstm::forward_step(&layer, Input::OneHot(0), &[0.3], &[0.7], &mut out);
    assert_eq!(out.c[0], 0.7);
}

/// H = 3 units reading a dense input of I = 2, random weights ~U(−1, 1), and a scalar
/// `ℓ = u·h_t + w·c_t` of the step's two outputs, so that `∂ℓ/∂h_t = u` and `∂ℓ/∂c_t = w`
/// are what the backward step receives (`dh`, and `dcnext` from the step after).
struct Problem {
    layer: LayerParams,
    x: Vec<f64>,
    h_prev: Vec<f64>,
    c_prev: Vec<f64>,
    u: Vec<f64>,
    w: Vec<f64>,
}

fn problem() -> Problem {
    let mut rng = fastrand::Rng::with_seed(3);
    let mut uniform = |n: usize| -> Vec<f64> { (0..n).map(|_| 2.0 * rng.f64() - 1.0).collect() };
    let mut layer = LayerParams::zeros(CellKind::Lstm, 2, 3);
    for values in layer.slices_mut() {
        let random = uniform(values.len());
        values.copy_from_slice(&random);
    }
    Problem {
        layer,
        x: uniform(2),
        h_prev: uniform(3),
        c_prev: uniform(3),
        u: uniform(3),
        w: uniform(3),
    }
}

fn step_loss(p: &Problem) -> f64 {
    let mut out = StepCache::new(CellKind::Lstm, 3);
    lstm::forward_step(&p.layer, Input::Dense(&p.x), &p.h_prev, &p.c_prev, &mut out);
    dot(&p.u, out.h.as_slice()) + dot(&p.w, out.c.as_slice())
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

/// `(ℓ(v + ε) − ℓ(v − ε)) / 2ε` for the number `pick` chooses in the problem.
fn numeric(p: &Problem, pick: impl Fn(&mut Problem) -> &mut f64) -> f64 {
    let mut up = clone(p);
    *pick(&mut up) += EPSILON;
    let mut down = clone(p);
    *pick(&mut down) -= EPSILON;
    (step_loss(&up) - step_loss(&down)) / (2.0 * EPSILON)
}

fn clone(p: &Problem) -> Problem {
    Problem {
        layer: p.layer.clone(),
        x: p.x.clone(),
        h_prev: p.h_prev.clone(),
        c_prev: p.c_prev.clone(),
        u: p.u.clone(),
        w: p.w.clone(),
    }
}

#[test]
fn lstm_backward_step_matches_finite_differences() {
    let p = problem();
    let mut step = StepCache::new(CellKind::Lstm, 3);
    lstm::forward_step(
        &p.layer,
        Input::Dense(&p.x),
        &p.h_prev,
        &p.c_prev,
        &mut step,
    );
    let mut d = StepGrads::new(CellKind::Lstm, 2, 3);
    d.dh.as_mut_slice().copy_from_slice(&p.u);
    d.dcnext.as_mut_slice().copy_from_slice(&p.w);
    let mut grads = LayerGrads::zeros_like(&p.layer);
    lstm::backward_step(
        &p.layer,
        Input::Dense(&p.x),
        &p.h_prev,
        &p.c_prev,
        &step,
        &mut d,
        &mut grads,
    );

    let mut checked = 0;
    for (which, (name, values)) in p.layer.slices().into_iter().enumerate() {
        for i in 0..values.len() {
            let numeric = numeric(&p, |q| &mut q.layer.slices_mut()[which][i]);
            check(&format!("d{name}[{i}]"), grads.slices()[which][i], numeric);
            checked += 1;
        }
    }
    for i in 0..3 {
        let dh_prev = numeric(&p, |q| &mut q.h_prev[i]);
        check(&format!("dh_prev[{i}]"), d.dh_prev[i], dh_prev);
        let dc_prev = numeric(&p, |q| &mut q.c_prev[i]);
        check(&format!("dc_prev[{i}]"), d.dc_prev[i], dc_prev);
        checked += 2;
    }
    for i in 0..2 {
        check(&format!("dx[{i}]"), d.dx[i], numeric(&p, |q| &mut q.x[i]));
        checked += 1;
    }
    // w_ih 12·2, w_hh 12·3, b 12; h_prev, c_prev 3 each; x 2.
    assert_eq!(checked, 24 + 36 + 12 + 6 + 2);
}

#[test]
fn lstm_backward_step_adds_to_the_gradients_it_is_given() {
    // A step adds its part (the network sums over steps and streams): twice, twice as much.
    let p = problem();
    let mut step = StepCache::new(CellKind::Lstm, 3);
    lstm::forward_step(&p.layer, Input::OneHot(1), &p.h_prev, &p.c_prev, &mut step);
    let mut d = StepGrads::new(CellKind::Lstm, 0, 3);
    d.dh.as_mut_slice().copy_from_slice(&p.u);
    let mut grads = LayerGrads::zeros_like(&p.layer);
    lstm::backward_step(
        &p.layer,
        Input::OneHot(1),
        &p.h_prev,
        &p.c_prev,
        &step,
        &mut d,
        &mut grads,
    );
    let once = grads.clone();
    lstm::backward_step(
        &p.layer,
        Input::OneHot(1),
        &p.h_prev,
        &p.c_prev,
        &step,
        &mut d,
        &mut grads,
    );
    for (a, b) in once.slices().iter().zip(grads.slices()) {
        for (&x, &y) in a.iter().zip(b) {
            assert_eq!(y, x + x);
        }
    }
    // A one-hot input touches only its own column of dW_ih.
    for r in 0..12 {
        assert_eq!(grads.dw_ih[(r, 0)], 0.0);
    }
}
