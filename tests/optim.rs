//! The optimizers: SGD, RMSprop and Adam on one slice, worked by hand; the [`Optimizer`] over
//! several slices; its configuration and its state.
//!
//! How it is verified:
//! - each update function against steps computed by hand, several in a row, with numbers
//!   chosen so that a pencil (and a square root or two) is enough: the arithmetic is in the
//!   comments, the expected values are written as the same arithmetic, compared to 1e−15;
//! - RMSprop's ε goes outside the root, and its first step is `lr / √(1 − α)`;
//! - Adam's bias correction at steps 1 and 2 (without it the steps would differ), its first
//!   step `lr · sign(g)` whatever the size of `g`, and its momentum carrying it on after the
//!   gradient flips;
//! - [`Optimizer::update`] over three slices gives the same bits as the per-slice functions
//!   called by hand, for all four kinds, and its Adagrad is Part I's [`Adagrad`] exactly;
//! - the state round trip (`state`, `from_state`) resumes bit for bit, and `from_state` refuses
//!   a state that does not fit the kind;
//! - names, defaults and shape errors.
//!
//! Run with `cargo test --test optim`. `tests/torch_optim.rs` compares with PyTorch.

use min_char_rnn::adagrad::adagrad_update;
use min_char_rnn::optim::{
    Optimizer, OptimizerConfig, OptimizerKind, OptimizerState, adam, rmsprop, sgd,
};
use min_char_rnn::{Adagrad, Grads, Hyperparams, Params};

/// The expected values are the same arithmetic as the code's, perhaps in another order: they
/// may differ in the last bit or two. 1e−15 is about four ulps for numbers near 1.
const TOLERANCE: f64 = 1e-15;

#[track_caller]
fn assert_close(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for i in 0..actual.len() {
        let diff = (actual[i] - expected[i]).abs();
        assert!(
            diff <= TOLERANCE,
            "{what}[{i}]: got {}, expected {} (diff {diff:e} > {TOLERANCE:e})",
            actual[i],
            expected[i]
        );
    }
}

#[test]
fn sgd_steps_match_hand_computation() {
    // lr = 0.1
    // step 1, g = [0.5, -1, 4]:   w = [1 − 0.05, −2 + 0.1, 0.5 − 0.4] = [0.95, −1.9, 0.1]
    // step 2, g = [0.5, 2, -1]:   w = [0.95 − 0.05, −1.9 − 0.2, 0.1 + 0.1] = [0.9, −2.1, 0.2]
    let mut w = [1.0, -2.0, 0.5];
    sgd::update(&mut w, &[0.5, -1.0, 4.0], 0.1);
    assert_close(&w, &[0.95, -1.9, 0.1], "after step 1");
    sgd::update(&mut w, &[0.5, 2.0, -1.0], 0.1);
    assert_close(&w, &[0.9, -2.1, 0.2], "after step 2");
}

#[test]
fn rmsprop_steps_match_hand_computation() {
    // α = 0.75 (so 1 − α = 0.25), lr = 0.1, ε = 0; w starts at 1, m at 0.
    // step 1, g = 2:  m = 0.75·0    + 0.25·4  = 1        √m = 1
    //                 w = 1 − 0.1·2/1                       = 0.8
    // step 2, g = 2:  m = 0.75·1    + 0.25·4  = 1.75     √m = 1.3228756555…
    //                 w = 0.8 − 0.1·2/1.3228756555…         = 0.8 − 0.1511857892… = 0.6488142107…
    // step 3, g = −4: m = 0.75·1.75 + 0.25·16 = 5.3125   √m = 2.3048861143…
    //                 w = 0.6488142107… + 0.1·4/2.3048861143… = 0.6488142107… + 0.1735443662…
    //                   = 0.8223585770…
    let mut w = [1.0];
    let mut ms = [0.0];
    rmsprop::update(&mut w, &[2.0], &mut ms, 0.1, 0.75, 0.0);
    assert_close(&ms, &[1.0], "m after step 1");
    assert_close(&w, &[0.8], "w after step 1");
    rmsprop::update(&mut w, &[2.0], &mut ms, 0.1, 0.75, 0.0);
    assert_close(&ms, &[1.75], "m after step 2");
    let w2 = 0.8 - 0.1 * 2.0 / 1.75f64.sqrt();
    assert_close(&w, &[w2], "w after step 2");
    assert!((w2 - 0.6488142107).abs() < 1e-10);
    rmsprop::update(&mut w, &[-4.0], &mut ms, 0.1, 0.75, 0.0);
    assert_close(&ms, &[5.3125], "m after step 3");
    let w3 = w2 + 0.1 * 4.0 / 5.3125f64.sqrt();
    assert_close(&w, &[w3], "w after step 3");
    assert!((w3 - 0.8223585770).abs() < 1e-10);
}

#[test]
fn rmsprop_forgets_where_adagrad_remembers() {
    // One gradient of 10, then gradients of 0.1. Adagrad's memory keeps the 100 forever, so its
    // steps stay near lr·0.1/10 = lr/100. RMSprop's (α = 0.5) halves it at every step: after
    // 30 more steps it is 0.01 = 0.1² (plus 50·0.5³⁰ ≈ 5e−8), and the step is back to lr.
    let (mut w_adagrad, mut m_adagrad) = ([0.0], [0.0]);
    let (mut w_rmsprop, mut m_rmsprop) = ([0.0], [0.0]);
    adagrad_update(&mut w_adagrad, &[10.0], &mut m_adagrad, 1.0);
    rmsprop::update(&mut w_rmsprop, &[10.0], &mut m_rmsprop, 1.0, 0.5, 1e-8);
    for _ in 0..30 {
        let (before_a, before_r) = (w_adagrad[0], w_rmsprop[0]);
        adagrad_update(&mut w_adagrad, &[0.1], &mut m_adagrad, 1.0);
        rmsprop::update(&mut w_rmsprop, &[0.1], &mut m_rmsprop, 1.0, 0.5, 1e-8);
        let (step_a, step_r) = (before_a - w_adagrad[0], before_r - w_rmsprop[0]);
        assert!(step_a < 0.0101, "Adagrad's step {step_a}");
        assert!(step_r > step_a);
    }
    let step_r = {
        let before = w_rmsprop[0];
        rmsprop::update(&mut w_rmsprop, &[0.1], &mut m_rmsprop, 1.0, 0.5, 1e-8);
        before - w_rmsprop[0]
    };
    assert!((step_r - 1.0).abs() < 1e-5, "RMSprop's step {step_r}");
}

#[test]
fn rmsprop_first_step_is_lr_over_root_of_one_minus_decay() {
    // m = (1 − α)·g², so the step is lr·g/(√(1 − α)·|g| + ε) ≈ lr/√(1 − α):
    // with char-rnn's α = 0.95, lr/√0.05 = 4.4721…·lr, for a large gradient and a small one.
    let mut w = [0.0, 0.0];
    let mut ms = [0.0, 0.0];
    rmsprop::update(&mut w, &[-3.0, 1e-3], &mut ms, 0.01, 0.95, 1e-8);
    let about = 0.01 / 0.05f64.sqrt();
    // Exactly: lr·|g|/(√0.05·|g| + 1e−8); ε shortens the step by 1e−8/(√0.05·|g|) of itself,
    // 1.5e−8 for |g| = 3 and 4.5e−5 for |g| = 1e−3.
    let exact = |g: f64| 0.01 * g / (0.05f64.sqrt() * g.abs() + 1e-8);
    assert_close(&w, &[exact(3.0), exact(-1e-3)], "w after step 1");
    assert!((w[0] - about).abs() < 2e-8 * about, "{}", w[0]);
    assert!((w[1] + about).abs() < 5e-5 * about, "{}", w[1]);
    assert!((about - 0.044721).abs() < 1e-6);
}

#[test]
fn rmsprop_adds_epsilon_outside_the_root() {
    // g = 1e−8, α = 0.75: m = 0.25e−16, √m = 0.5e−8. With ε = 1e−8 outside the root the step
    // is lr·1e−8/(0.5e−8 + 1e−8) = lr·2/3; inside it would be lr·1e−8/√(0.25e−16 + 1e−8),
    // about lr·1e−4.
    let mut w = [0.0];
    let mut ms = [0.0];
    rmsprop::update(&mut w, &[1e-8], &mut ms, 0.3, 0.75, 1e-8);
    assert!((w[0] + 0.3 * 2.0 / 3.0).abs() < 1e-15, "{}", w[0]);
}

#[test]
fn adam_steps_match_hand_computation_with_bias_correction_at_steps_1_and_2() {
    // β₁ = 0.5, β₂ = 0.875 (1 − β₂ = 0.125), lr = 0.1, ε = 0; w starts at 1, m and v at 0.
    // step 1, g = 2:  m = 0.5·0 + 0.5·2 = 1          v = 0.875·0 + 0.125·4 = 0.5
    //                 1 − β₁¹ = 0.5, 1 − β₂¹ = 0.125:  m̂ = 2, v̂ = 4, √v̂ = 2
    //                 w = 1 − 0.1·2/2 = 0.9
    //                 (uncorrected, 0.1·m/√v = 0.1/√0.5 = 0.1414…: the correction matters)
    // step 2, g = 4:  m = 0.5·1 + 0.5·4 = 2.5        v = 0.875·0.5 + 0.125·16 = 2.4375
    //                 1 − β₁² = 0.75, 1 − β₂² = 0.234375:  m̂ = 3.3333…, v̂ = 10.4, √v̂ = 3.2249031…
    //                 w = 0.9 − 0.1·3.3333…/3.2249031… = 0.9 − 0.1033622788… = 0.7966377211…
    //                 (uncorrected: a step of 0.1·2.5/√2.4375 = 0.1601…)
    // step 3, g = −2: m = 0.5·2.5 − 0.5·2 = 0.25     v = 0.875·2.4375 + 0.125·4 = 2.6328125
    //                 1 − β₁³ = 0.875, 1 − β₂³ = 0.330078125: m̂ = 0.2857…, v̂ = 7.9763…
    //                 w = 0.7966377211… − 0.1·0.2857…/2.8242399… = 0.7865212194…
    //                 (the gradient turned negative, but m is still positive: w still goes down)
    let mut w = [1.0];
    let (mut m, mut v) = ([0.0], [0.0]);
    adam::update(&mut w, &[2.0], &mut m, &mut v, 0.1, 0.5, 0.875, 0.0, 1);
    assert_close(&m, &[1.0], "m after step 1");
    assert_close(&v, &[0.5], "v after step 1");
    assert_close(&w, &[0.9], "w after step 1");

    adam::update(&mut w, &[4.0], &mut m, &mut v, 0.1, 0.5, 0.875, 0.0, 2);
    assert_close(&m, &[2.5], "m after step 2");
    assert_close(&v, &[2.4375], "v after step 2");
    let w2 = 0.9 - 0.1 * (2.5 / 0.75) / (2.4375f64 / 0.234375).sqrt();
    assert_close(&w, &[w2], "w after step 2");
    assert!((w2 - 0.7966377211).abs() < 1e-10);

    adam::update(&mut w, &[-2.0], &mut m, &mut v, 0.1, 0.5, 0.875, 0.0, 3);
    assert_close(&m, &[0.25], "m after step 3");
    assert_close(&v, &[2.6328125], "v after step 3");
    let w3 = w2 - 0.1 * (0.25 / 0.875) / (2.6328125f64 / 0.330078125).sqrt();
    assert_close(&w, &[w3], "w after step 3");
    assert!((w3 - 0.7865212194).abs() < 1e-10);
}

#[test]
fn adam_first_step_is_lr_times_sign_whatever_the_gradient_size() {
    // At t = 1, m̂ = g and v̂ = g²: the step is lr·g/(|g| + ε).
    let g = [1e-3, -4.0, 250.0];
    let mut w = [0.0; 3];
    let (mut m, mut v) = ([0.0; 3], [0.0; 3]);
    adam::update(&mut w, &g, &mut m, &mut v, 2e-3, 0.9, 0.999, 1e-8, 1);
    for i in 0..3 {
        let expected = -2e-3 * g[i] / (g[i].abs() + 1e-8);
        assert!(
            (w[i] - expected).abs() < 1e-17,
            "[{i}]: {} vs {expected}",
            w[i]
        );
    }
}

#[test]
#[should_panic(expected = "adam: steps count from 1, got step 0")]
fn adam_step_zero_panics() {
    adam::update(
        &mut [0.0],
        &[1.0],
        &mut [0.0],
        &mut [0.0],
        0.1,
        0.9,
        0.999,
        1e-8,
        0,
    );
}

#[test]
#[should_panic(expected = "rmsprop: w has 2 values, g 2, ms 1")]
fn rmsprop_with_a_short_state_panics() {
    rmsprop::update(&mut [0.0, 0.0], &[1.0, 1.0], &mut [0.0], 0.1, 0.9, 1e-8);
}

/// Three slices of different lengths and their gradients for three steps: fixed numbers from a
/// seeded generator, some large, some small, some zero.
fn slices_and_gradients() -> (Vec<Vec<f64>>, Vec<Vec<Vec<f64>>>) {
    let mut rng = fastrand::Rng::with_seed(7);
    let sizes = [6, 1, 3];
    let params: Vec<Vec<f64>> = sizes
        .iter()
        .map(|&n| (0..n).map(|_| rng.f64() - 0.5).collect())
        .collect();
    let mut steps = Vec::new();
    for k in 0..3 {
        let grads: Vec<Vec<f64>> = sizes
            .iter()
            .map(|&n| {
                (0..n)
                    .map(|i| {
                        if i == 2 {
                            0.0
                        } else {
                            (rng.f64() - 0.5) * 10f64.powi(k - 1)
                        }
                    })
                    .collect()
            })
            .collect();
        steps.push(grads);
    }
    (params, steps)
}

/// Runs `config` over the slices with an [`Optimizer`], and with the module functions called
/// by hand on each slice with its own state, and returns both results and the optimizer.
fn optimizer_and_by_hand(config: OptimizerConfig) -> (Vec<Vec<f64>>, Vec<Vec<f64>>, Optimizer) {
    let (start, steps) = slices_and_gradients();
    let sizes: Vec<usize> = start.iter().map(|s| s.len()).collect();

    let mut with_optimizer = start.clone();
    let mut optimizer = Optimizer::new(config, &sizes);
    for grads in &steps {
        let mut params: Vec<&mut [f64]> = with_optimizer.iter_mut().map(|s| &mut s[..]).collect();
        let grads: Vec<&[f64]> = grads.iter().map(|s| &s[..]).collect();
        optimizer.update(&mut params, &grads);
    }

    let mut by_hand = start.clone();
    let mut first: Vec<Vec<f64>> = sizes.iter().map(|&n| vec![0.0; n]).collect();
    let mut second = first.clone();
    for (k, grads) in steps.iter().enumerate() {
        for i in 0..by_hand.len() {
            let (w, g) = (&mut by_hand[i], &grads[i]);
            let lr = config.learning_rate;
            match config.kind {
                OptimizerKind::Sgd => sgd::update(w, g, lr),
                OptimizerKind::Adagrad => adagrad_update(w, g, &mut second[i], lr),
                OptimizerKind::Rmsprop => {
                    rmsprop::update(w, g, &mut second[i], lr, config.decay, config.epsilon)
                }
                OptimizerKind::Adam => adam::update(
                    w,
                    g,
                    &mut first[i],
                    &mut second[i],
                    lr,
                    config.beta1,
                    config.beta2,
                    config.epsilon,
                    k as u64 + 1,
                ),
            }
        }
    }
    let state = optimizer.state();
    if config.kind == OptimizerKind::Adam {
        assert_eq!(state.first, first, "adam: first moments");
    }
    if config.kind != OptimizerKind::Sgd {
        assert_eq!(state.second, second, "{}: second moments", config.kind);
    }
    (with_optimizer, by_hand, optimizer)
}

#[test]
fn optimizer_over_several_slices_equals_the_per_slice_functions() {
    for kind in [
        OptimizerKind::Sgd,
        OptimizerKind::Adagrad,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adam,
    ] {
        let (with_optimizer, by_hand, optimizer) =
            optimizer_and_by_hand(OptimizerConfig::new(kind));
        assert_eq!(with_optimizer, by_hand, "{kind}: the same bits");
        assert_eq!(optimizer.steps(), 3, "{kind}");
        let (start, _) = slices_and_gradients();
        assert_ne!(with_optimizer, start, "{kind}: something moved");
    }
}

#[test]
fn optimizer_adagrad_is_part_ones_adagrad_bit_for_bit() {
    // Part I's Adagrad on Params, and the Optimizer over the same Params' slices.
    let mut rng = fastrand::Rng::with_seed(3);
    let start = Params::new(5, 4, 11);
    let mut grads = Grads::zeros_like(&start);
    let slices = [
        grads.dw_xh.as_mut_slice(),
        grads.dw_hh.as_mut_slice(),
        grads.dw_hy.as_mut_slice(),
        grads.db_h.as_mut_slice(),
        grads.db_y.as_mut_slice(),
    ];
    for slice in slices {
        for g in slice.iter_mut() {
            *g = rng.f64() - 0.5;
        }
    }
    let mut part_one = start.clone();
    let mut adagrad = Adagrad::new(&part_one, 0.1);
    let mut part_two = start.clone();
    let sizes: Vec<usize> = part_two.slices_mut().iter().map(|s| s.len()).collect();
    let mut optimizer = Optimizer::new(OptimizerConfig::new(OptimizerKind::Adagrad), &sizes);
    for _ in 0..3 {
        adagrad.update(&mut part_one, &grads);
        optimizer.update(&mut part_two.slices_mut(), &grads.slices());
    }
    assert_eq!(part_one, part_two);
    let memory: Vec<Vec<f64>> = adagrad
        .memory
        .slices_mut()
        .iter()
        .map(|s| s.to_vec())
        .collect();
    assert_eq!(optimizer.state().second, memory);
}

#[test]
fn state_round_trip_resumes_bit_for_bit() {
    for kind in [
        OptimizerKind::Sgd,
        OptimizerKind::Adagrad,
        OptimizerKind::Rmsprop,
        OptimizerKind::Adam,
    ] {
        let config = OptimizerConfig::new(kind);
        let (mut params, optimizer) = {
            let (params, _, optimizer) = optimizer_and_by_hand(config);
            (params, optimizer)
        };
        let state = optimizer.state();
        assert_eq!(state.steps, 3);
        let mut restored = Optimizer::from_state(config, state.clone()).expect("a valid state");
        assert_eq!(restored, optimizer, "{kind}");
        assert_eq!(restored.state(), state);

        // One more step from the original and from the restored one: the same bits.
        let mut original = optimizer.clone();
        let mut copy = params.clone();
        let grads: Vec<Vec<f64>> = params.iter().map(|s| vec![0.25; s.len()]).collect();
        let grads: Vec<&[f64]> = grads.iter().map(|s| &s[..]).collect();
        {
            let mut a: Vec<&mut [f64]> = params.iter_mut().map(|s| &mut s[..]).collect();
            original.update(&mut a, &grads);
        }
        {
            let mut b: Vec<&mut [f64]> = copy.iter_mut().map(|s| &mut s[..]).collect();
            restored.update(&mut b, &grads);
        }
        assert_eq!(params, copy, "{kind}");
        assert_eq!(original, restored, "{kind}");
        assert_eq!(restored.steps(), 4);
    }
}

#[test]
fn from_state_takes_a_new_learning_rate() {
    let config = OptimizerConfig::new(OptimizerKind::Rmsprop);
    let optimizer = Optimizer::new(config, &[2]);
    let decayed = OptimizerConfig {
        learning_rate: 1e-3,
        ..config
    };
    let restored = Optimizer::from_state(decayed, optimizer.state()).unwrap();
    assert_eq!(restored.learning_rate(), 1e-3);
}

#[test]
fn from_state_refuses_a_state_that_does_not_fit_the_kind() {
    let adam = Optimizer::new(OptimizerConfig::new(OptimizerKind::Adam), &[2, 3]).state();
    let sgd = OptimizerConfig::new(OptimizerKind::Sgd);
    assert_eq!(
        Optimizer::from_state(sgd, adam.clone()).unwrap_err(),
        "sgd keeps no state, but the state holds 2 first-moment and 2 second-moment slices"
    );
    let rmsprop = OptimizerConfig::new(OptimizerKind::Rmsprop);
    assert_eq!(
        Optimizer::from_state(rmsprop, adam.clone()).unwrap_err(),
        "rmsprop keeps no first moment, but the state holds 2 first-moment and 2 second-moment slices"
    );
    let adam_config = OptimizerConfig::new(OptimizerKind::Adam);
    let mut uneven = adam.clone();
    uneven.first[1].pop();
    assert_eq!(
        Optimizer::from_state(adam_config, uneven).unwrap_err(),
        "adam: slice 1 has 2 first-moment values but 3 second-moment values"
    );
    let mut one_short = adam.clone();
    one_short.second.pop();
    assert_eq!(
        Optimizer::from_state(adam_config, one_short).unwrap_err(),
        "adam: the state holds 2 first-moment slices but 1 second-moment slices"
    );
    let negative = OptimizerState {
        steps: 1,
        first: Vec::new(),
        second: vec![vec![0.5, -1.0]],
    };
    assert_eq!(
        Optimizer::from_state(rmsprop, negative).unwrap_err(),
        "rmsprop: slice 0 has a second-moment value -1"
    );
    let bad_config = OptimizerConfig {
        learning_rate: -1.0,
        ..adam_config
    };
    assert_eq!(
        Optimizer::from_state(bad_config, adam).unwrap_err(),
        "the learning rate must be a finite number above 0, not -1"
    );
}

#[test]
fn set_learning_rate_changes_the_next_steps_only() {
    let mut w = vec![0.0];
    let mut optimizer = Optimizer::new(OptimizerConfig::new(OptimizerKind::Sgd), &[1]);
    optimizer.set_learning_rate(0.5);
    assert_eq!(optimizer.learning_rate(), 0.5);
    optimizer.update(&mut [&mut w], &[&[1.0]]);
    optimizer.set_learning_rate(0.25);
    optimizer.update(&mut [&mut w], &[&[1.0]]);
    assert_eq!(w, [-0.75]);
    assert_eq!(optimizer.config().learning_rate, 0.25);
}

#[test]
#[should_panic(expected = "optimizer: parameter 1 has 3 values, its gradient 2, its state 3")]
fn update_with_a_mismatched_gradient_panics_naming_the_parameter() {
    let mut a = vec![0.0; 2];
    let mut b = vec![0.0; 3];
    let mut optimizer = Optimizer::new(OptimizerConfig::new(OptimizerKind::Adam), &[2, 3]);
    optimizer.update(&mut [&mut a, &mut b], &[&[1.0, 1.0], &[1.0, 1.0]]);
}

#[test]
#[should_panic(expected = "optimizer: 1 parameters but the rmsprop state holds 2")]
fn update_with_fewer_slices_than_the_state_panics() {
    let mut a = vec![0.0; 2];
    let mut optimizer = Optimizer::new(OptimizerConfig::new(OptimizerKind::Rmsprop), &[2, 3]);
    optimizer.update(&mut [&mut a], &[&[1.0, 1.0]]);
}

#[test]
fn kinds_parse_and_print_as_the_command_line_spells_them() {
    for name in OptimizerKind::NAMES {
        let kind: OptimizerKind = name.parse().unwrap();
        assert_eq!(kind.to_string(), name);
    }
    let err = "Adam".parse::<OptimizerKind>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown optimizer \"Adam\": expected one of sgd, adagrad, rmsprop, adam"
    );
}

#[test]
fn defaults_are_part_ones_char_rnns_and_the_adam_papers() {
    let sgd = OptimizerConfig::new(OptimizerKind::Sgd);
    let adagrad = OptimizerConfig::new(OptimizerKind::Adagrad);
    let rmsprop = OptimizerConfig::new(OptimizerKind::Rmsprop);
    let adam = OptimizerConfig::new(OptimizerKind::Adam);
    assert_eq!(sgd.learning_rate, 1.0);
    assert_eq!(adagrad.learning_rate, 0.1);
    assert_eq!(adagrad.learning_rate, Hyperparams::default().learning_rate);
    assert_eq!(
        (rmsprop.learning_rate, rmsprop.decay, rmsprop.epsilon),
        (2e-3, 0.95, 1e-8)
    );
    assert_eq!(
        (adam.learning_rate, adam.beta1, adam.beta2, adam.epsilon),
        (2e-3, 0.9, 0.999, 1e-8)
    );
    for config in [sgd, adagrad, rmsprop, adam] {
        assert_eq!(config.validate(), Ok(()));
    }
}
