//! Step 6, the update: Adagrad, `m += g²; w −= lr · g / √(m + 1e−8)`, element by element.
//!
//! How it is verified:
//! - one update on a 2 x 2 weight (`w_hh` of a model with `V = 2`, `H = 2`) worked by hand,
//!   the arithmetic in comments, compared to within 1e−15;
//! - a second update with the same gradient: the memory grows to `g₁² + g₂²` and the step
//!   shrinks (from `lr` to `lr/√2`);
//! - a zero gradient moves nothing;
//! - the first step is about `lr · sign(g)` whatever the size of `g` (`1e−3` and `4` both
//!   move by about 0.1);
//! - `Adagrad::update` reaches all five parameters, each with its own memory.
//!
//! Run with `cargo test --test adagrad`.

use min_char_rnn::adagrad::EPSILON;
use min_char_rnn::{Adagrad, Grads, Matrix, Params};

/// Results computed in the test with the same formula may differ from the crate's in the
/// last bit at most; 1e−15 is about four ulps for numbers near 1.
const TOLERANCE: f64 = 1e-15;

const LEARNING_RATE: f64 = 0.1;

fn assert_close(actual: &[f64], expected: &[f64], tolerance: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for i in 0..actual.len() {
        let diff = (actual[i] - expected[i]).abs();
        assert!(
            diff <= tolerance,
            "{what}[{i}]: got {}, expected {} (diff {diff:e} > {tolerance:e})",
            actual[i],
            expected[i]
        );
    }
}

/// Parameters with `V = 2`, `H = 2`, all zero but `w_hh`:
///
/// ```text
/// w_hh = [[1.0, -2.0],
///         [0.5,  3.0]]
/// ```
fn params_2x2() -> Params {
    let mut params = Params::zeros(2, 2);
    params.w_hh = Matrix::from_rows(&[&[1.0, -2.0], &[0.5, 3.0]]);
    params
}

/// Zero gradients except `dw_hh`:
///
/// ```text
/// dw_hh = [[0.5, -1.0],
///          [2.0,  0.0]]
/// ```
fn grads_2x2(params: &Params) -> Grads {
    let mut grads = Grads::zeros_like(params);
    grads.dw_hh = Matrix::from_rows(&[&[0.5, -1.0], &[2.0, 0.0]]);
    grads
}

#[test]
fn epsilon_is_the_notebooks() {
    assert_eq!(EPSILON, 1e-8);
}

#[test]
fn one_update_matches_hand_computed_example() {
    let mut params = params_2x2();
    let grads = grads_2x2(&params);
    let mut adagrad = Adagrad::new(&params, LEARNING_RATE);
    adagrad.update(&mut params, &grads);

    // mem = 0 + g²  = [[0.25, 1.0], [4.0, 0.0]]
    assert_eq!(adagrad.memory.w_hh.as_slice(), &[0.25, 1.0, 4.0, 0.0]);

    // w − lr · g / √(mem + 1e−8), element by element:
    //   (0,0):  1.0 − 0.1 · 0.5 / √(0.25 + 1e−8)  ≈  1.0 − 0.1   = 0.900000002
    //   (0,1): −2.0 − 0.1 · (−1) / √(1 + 1e−8)    ≈ −2.0 + 0.1   = −1.9000000005
    //   (1,0):  0.5 − 0.1 · 2 / √(4 + 1e−8)       ≈  0.5 − 0.1   = 0.400000000125
    //   (1,1):  3.0 − 0.1 · 0 / √(0 + 1e−8)       =  3.0 − 0     = 3.0
    let expected = [
        1.0 - 0.1 * 0.5 / (0.25f64 + 1e-8).sqrt(),
        -2.0 + 0.1 * 1.0 / (1.0f64 + 1e-8).sqrt(), // − 0.1 · (−1) is + 0.1 · 1
        0.5 - 0.1 * 2.0 / (4.0f64 + 1e-8).sqrt(),
        3.0,
    ];
    assert_close(params.w_hh.as_slice(), &expected, TOLERANCE, "w_hh");
    // The decimal values above, to the nine or so digits written there.
    assert_close(
        params.w_hh.as_slice(),
        &[0.900000002, -1.9000000005, 0.400000000125, 3.0],
        1e-12,
        "w_hh (decimal)",
    );
}

#[test]
fn second_update_grows_memory_and_shrinks_the_step() {
    let mut params = params_2x2();
    let grads = grads_2x2(&params);
    let mut adagrad = Adagrad::new(&params, LEARNING_RATE);

    adagrad.update(&mut params, &grads);
    let after_one = params.w_hh.clone();
    adagrad.update(&mut params, &grads);

    // mem = g₁² + g₂² = 2g² = [[0.5, 2.0], [8.0, 0.0]]
    assert_eq!(adagrad.memory.w_hh.as_slice(), &[0.5, 2.0, 8.0, 0.0]);

    // Second step: lr · g / √(2g² + 1e−8) ≈ lr/√2 · sign(g) ≈ 0.0707, smaller than the first
    // step of ≈ 0.1:
    //   (0,0): 0.1 · 0.5 / √(0.5 + 1e−8)
    //   (0,1): 0.1 · (−1) / √(2 + 1e−8)
    //   (1,0): 0.1 · 2 / √(8 + 1e−8)
    let second_steps = [
        0.1 * 0.5 / (0.5f64 + 1e-8).sqrt(),
        -(0.1 * 1.0 / (2.0f64 + 1e-8).sqrt()),
        0.1 * 2.0 / (8.0f64 + 1e-8).sqrt(),
        0.0,
    ];
    let mut expected = [0.0; 4];
    for i in 0..4 {
        expected[i] = after_one.as_slice()[i] - second_steps[i];
    }
    assert_close(params.w_hh.as_slice(), &expected, TOLERANCE, "w_hh");

    let first = params_2x2();
    for i in 0..3 {
        let step_one = (after_one.as_slice()[i] - first.w_hh.as_slice()[i]).abs();
        let step_two = (params.w_hh.as_slice()[i] - after_one.as_slice()[i]).abs();
        assert!(
            step_two < step_one,
            "element {i}: the second step ({step_two}) is not smaller than the first ({step_one})"
        );
        // And by the factor 1/√2 = 0.7071 (the epsilon changes it by about 1e−8).
        assert!((step_two / step_one - 0.5f64.sqrt()).abs() < 1e-7);
    }
}

#[test]
fn zero_gradient_leaves_weights_unchanged() {
    let start = Params::new(3, 4, 9);
    let mut params = start.clone();
    let grads = Grads::zeros_like(&params);
    let mut adagrad = Adagrad::new(&params, LEARNING_RATE);
    for _ in 0..3 {
        adagrad.update(&mut params, &grads);
    }
    // 0 / √(0 + 1e−8) = 0 exactly: no weight moves, no memory accumulates.
    assert_eq!(params, start);
    assert_eq!(adagrad.memory, Params::zeros(3, 4));
}

#[test]
fn first_step_is_about_lr_times_sign_whatever_the_gradient_size() {
    // lr · g / √(g² + 1e−8) = lr · sign(g) · |g| / √(g² + 1e−8):
    //   g = ±4:    |g|/√(16 + 1e−8)      = 1 − 3e−10    → the step is 0.09999999997
    //   g = ±1e−3: 1e−3/√(1e−6 + 1e−8)  = 1/√1.01      → the step is 0.0995
    // so both move by 0.1 to within 1e−3 (the epsilon only matters once g² nears 1e−8).
    let mut params = Params::zeros(2, 2);
    let mut grads = Grads::zeros_like(&params);
    grads.dw_hh = Matrix::from_rows(&[&[1e-3, 4.0], &[-4.0, -1e-3]]);
    let mut adagrad = Adagrad::new(&params, LEARNING_RATE);
    adagrad.update(&mut params, &grads);

    // w starts at 0, so w is minus the step: −lr · sign(g).
    assert_close(
        params.w_hh.as_slice(),
        &[-0.1, -0.1, 0.1, 0.1],
        1e-3,
        "w_hh",
    );
    // The large gradient is 4000 times the small one, but its step is less than 1% larger.
    let small = params.w_hh[(0, 0)].abs();
    let large = params.w_hh[(0, 1)].abs();
    assert!(large / small < 1.01, "steps {large} and {small}");
}

#[test]
fn update_reaches_all_five_parameters() {
    // V = 3, H = 2. Every gradient element is 2, except one parameter per run of the loop
    // below, whose gradient is −1: that proves each parameter gets its own gradient.
    let names = ["w_xh", "w_hh", "w_hy", "b_h", "b_y"];
    for odd_one in 0..5 {
        let mut params = Params::zeros(3, 2);
        let mut grads = Grads::zeros_like(&params);
        grads.dw_xh.fill(if odd_one == 0 { -1.0 } else { 2.0 });
        grads.dw_hh.fill(if odd_one == 1 { -1.0 } else { 2.0 });
        grads.dw_hy.fill(if odd_one == 2 { -1.0 } else { 2.0 });
        grads.db_h.fill(if odd_one == 3 { -1.0 } else { 2.0 });
        grads.db_y.fill(if odd_one == 4 { -1.0 } else { 2.0 });

        let mut adagrad = Adagrad::new(&params, LEARNING_RATE);
        adagrad.update(&mut params, &grads);

        // g = 2:  mem = 4, w = 0 − 0.1 · 2 / √(4 + 1e−8)    = −0.1 · (1 − 1.25e−9)
        // g = −1: mem = 1, w = 0 − 0.1 · (−1) / √(1 + 1e−8) = +0.1 · (1 − 5e−9)
        let weights = params.slices();
        let memories = adagrad.memory.slices();
        for k in 0..5 {
            let (name, w) = weights[k];
            let (_, m) = memories[k];
            assert_eq!(name, names[k]);
            let (expected_w, expected_m) = if k == odd_one {
                (0.1 / (1.0f64 + 1e-8).sqrt(), 1.0)
            } else {
                (-0.2 / (4.0f64 + 1e-8).sqrt(), 4.0)
            };
            assert!(!w.is_empty(), "{name}");
            for i in 0..w.len() {
                assert!(
                    (w[i] - expected_w).abs() <= TOLERANCE,
                    "{name}[{i}] = {}, expected {expected_w} (odd one out: {})",
                    w[i],
                    names[odd_one]
                );
                assert_eq!(m[i], expected_m, "memory of {name}[{i}]");
            }
        }
    }
}

#[test]
#[should_panic(expected = "adagrad: w_xh has 6 values, its gradient 4, its memory 6")]
fn update_with_mismatched_gradient_panics_naming_the_parameter() {
    // Params for V = 3, H = 2 (w_xh has 2·3 = 6 values); gradients for V = 2 (2·2 = 4).
    let mut params = Params::zeros(3, 2);
    let grads = Grads::zeros_like(&Params::zeros(2, 2));
    let mut adagrad = Adagrad::new(&params, LEARNING_RATE);
    adagrad.update(&mut params, &grads);
}
