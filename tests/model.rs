//! Step 2, the model: the five parameters, the hyperparameters and the random start.
//!
//! How it is verified:
//! - sizes: for the notebook's `V = 61`, `H = 100` the parameter counts are the ones it prints
//!   (6100, 10000, 6100, 100, 61), and every shape is `(H, V)`, `(H, H)`, `(V, H)`, `(H)`, `(V)`;
//! - the start: biases are zero; the same seed gives the same weights and another seed other
//!   weights; the weights look like `randn · 0.01` (mean ≈ 0, standard deviation ≈ 0.01);
//! - `randn` itself: mean ≈ 0, variance ≈ 1, and about 68.3% of draws within ±1, as a
//!   standard normal should. Each statistical bound is five standard errors of the statistic,
//!   worked out in a comment, so a correct generator fails with probability below one in a
//!   million (and, the seed being fixed, the outcome is the same on every run);
//! - hyperparameters: the defaults are the notebook's, and `validate` rejects values that
//!   cannot train.
//!
//! Run with `cargo test --test model`.

use min_char_rnn::model::{INIT_SCALE, randn};
use min_char_rnn::{ConfigError, Hyperparams, Params};

/// How many standard errors a statistic may stray from its expected value. A normal
/// deviation beyond 5σ has probability 5.7e−7.
const SIGMAS: f64 = 5.0;

/// Mean and (population) standard deviation, computed the plain way: two passes.
fn mean_and_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mut sum = 0.0;
    for &x in values {
        sum += x;
    }
    let mean = sum / n;
    let mut squares = 0.0;
    for &x in values {
        squares += (x - mean) * (x - mean);
    }
    (mean, (squares / n).sqrt())
}

// ---------------------------------------------------------------------------------------------
// Sizes and shapes
// ---------------------------------------------------------------------------------------------

#[test]
fn parameter_counts_match_the_notebook_for_v61_h100() {
    // w_xh: H·V = 100·61 = 6100; w_hh: H·H = 100·100 = 10000; w_hy: V·H = 61·100 = 6100;
    // b_h: H = 100; b_y: V = 61. Total 6100 + 10000 + 6100 + 100 + 61 = 22361.
    let params = Params::new(61, 100, 42);
    let c = params.counts();
    assert_eq!(
        (c.w_xh, c.w_hh, c.w_hy, c.b_h, c.b_y),
        (6100, 10000, 6100, 100, 61)
    );
    assert_eq!(c.total(), 22361);
    assert_eq!(params.parameter_count(), 22361);
}

#[test]
fn shapes_follow_the_legend() {
    // V = 5, H = 3: different numbers, so a swapped (H, V) would show.
    let params = Params::new(5, 3, 1);
    assert_eq!(params.w_xh.shape(), (3, 5)); // (H, V)
    assert_eq!(params.w_hh.shape(), (3, 3)); // (H, H)
    assert_eq!(params.w_hy.shape(), (5, 3)); // (V, H)
    assert_eq!(params.b_h.len(), 3); // (H)
    assert_eq!(params.b_y.len(), 5); // (V)
    assert_eq!(params.vocab_size(), 5);
    assert_eq!(params.hidden_size(), 3);
}

#[test]
fn zeros_has_the_same_shapes_and_only_zeros() {
    let zeros = Params::zeros(5, 3);
    let random = Params::new(5, 3, 1);
    let zero_slices = zeros.slices();
    let random_slices = random.slices();
    for k in 0..5 {
        let (name, values) = zero_slices[k];
        assert_eq!(name, random_slices[k].0);
        assert_eq!(values.len(), random_slices[k].1.len(), "{name}");
        assert!(values.iter().all(|&x| x == 0.0), "{name}");
    }
}

// ---------------------------------------------------------------------------------------------
// The random start
// ---------------------------------------------------------------------------------------------

#[test]
fn biases_start_at_zero() {
    let params = Params::new(61, 100, 7);
    assert!(params.b_h.as_slice().iter().all(|&b| b == 0.0));
    assert!(params.b_y.as_slice().iter().all(|&b| b == 0.0));
}

#[test]
fn weights_are_not_all_zero_and_not_all_equal() {
    // Symmetry breaking: if two hidden units started equal they would stay equal.
    let params = Params::new(5, 3, 1);
    for (name, values) in &params.slices()[..3] {
        let first = values[0];
        assert!(
            values.iter().any(|&w| w != first),
            "{name}: every weight is {first}"
        );
    }
}

#[test]
fn same_seed_gives_identical_params() {
    assert_eq!(Params::new(61, 100, 42), Params::new(61, 100, 42));
}

#[test]
fn different_seed_gives_different_params() {
    let a = Params::new(61, 100, 42);
    let b = Params::new(61, 100, 43);
    // Each of the three weight matrices differs, not just the whole.
    assert_ne!(a.w_xh, b.w_xh);
    assert_ne!(a.w_hh, b.w_hh);
    assert_ne!(a.w_hy, b.w_hy);
}

#[test]
fn with_rng_draws_the_same_as_new_with_that_seed() {
    let mut rng = fastrand::Rng::with_seed(42);
    assert_eq!(Params::with_rng(6, 4, &mut rng), Params::new(6, 4, 42));
}

#[test]
fn initial_weights_have_mean_zero_and_std_init_scale() {
    // V = 200, H = 200: 3 · 200 · 200 = 120,000 weights of randn · 0.01.
    let params = Params::new(200, 200, 2024);
    let mut weights = Vec::new();
    weights.extend_from_slice(params.w_xh.as_slice());
    weights.extend_from_slice(params.w_hh.as_slice());
    weights.extend_from_slice(params.w_hy.as_slice());
    let n = weights.len() as f64;
    assert_eq!(n, 120_000.0);
    assert_eq!(INIT_SCALE, 0.01);

    let (mean, std) = mean_and_std(&weights);
    // Standard error of the mean: σ/√n = 0.01/√120000 = 2.89e−5; 5 of them = 1.44e−4.
    let mean_bound = SIGMAS * 0.01 / n.sqrt();
    // Standard error of a normal sample's standard deviation: σ/√(2n) = 0.01/√240000
    // = 2.04e−5; 5 of them = 1.02e−4.
    let std_bound = SIGMAS * 0.01 / (2.0 * n).sqrt();
    assert!(
        mean.abs() < mean_bound,
        "mean {mean:e}, allowed ±{mean_bound:e}"
    );
    assert!(
        (std - 0.01).abs() < std_bound,
        "std {std:e}, expected 0.01 ± {std_bound:e}"
    );
}

#[test]
fn randn_has_mean_zero_variance_one_and_68_percent_within_one() {
    const N: usize = 200_000;
    let n = N as f64;
    let mut rng = fastrand::Rng::with_seed(5);
    let mut draws = Vec::with_capacity(N);
    let mut within_one = 0;
    for _ in 0..N {
        let z = randn(&mut rng);
        assert!(z.is_finite(), "randn gave {z}");
        if z.abs() <= 1.0 {
            within_one += 1;
        }
        draws.push(z);
    }
    let (mean, std) = mean_and_std(&draws);
    let variance = std * std;

    // Mean: standard error 1/√n = 1/√200000 = 0.00224; 5 of them = 0.0112.
    let mean_bound = SIGMAS / n.sqrt();
    assert!(
        mean.abs() < mean_bound,
        "mean {mean}, allowed ±{mean_bound}"
    );

    // Variance: for a normal sample its standard error is σ²·√(2/n) = √(2/200000) = 0.00316;
    // 5 of them = 0.0158.
    let variance_bound = SIGMAS * (2.0 / n).sqrt();
    assert!(
        (variance - 1.0).abs() < variance_bound,
        "variance {variance}, expected 1 ± {variance_bound}"
    );

    // P(|z| ≤ 1) = erf(1/√2) = 0.682689 for a standard normal. The fraction of n draws is a
    // binomial proportion with standard error √(p(1 − p)/n) = √(0.682689 · 0.317311 / 200000)
    // = 0.00104; 5 of them = 0.0052.
    const P_WITHIN_ONE: f64 = 0.682_689;
    let fraction = within_one as f64 / n;
    let fraction_bound = SIGMAS * (P_WITHIN_ONE * (1.0 - P_WITHIN_ONE) / n).sqrt();
    assert!(
        (fraction - P_WITHIN_ONE).abs() < fraction_bound,
        "{fraction} of draws within ±1, expected {P_WITHIN_ONE} ± {fraction_bound}"
    );
}

// ---------------------------------------------------------------------------------------------
// Hyperparameters
// ---------------------------------------------------------------------------------------------

#[test]
fn default_hyperparams_are_the_notebooks() {
    // hidden_size = 100; seq_length = 25; learning_rate = 1e-1
    let hp = Hyperparams::default();
    assert_eq!(hp.hidden_size, 100);
    assert_eq!(hp.seq_length, 25);
    assert_eq!(hp.learning_rate, 0.1);
    assert_eq!(hp.validate(), Ok(()));
}

#[test]
fn validate_rejects_zero_hidden_size() {
    let hp = Hyperparams {
        hidden_size: 0,
        ..Hyperparams::default()
    };
    assert_eq!(hp.validate(), Err(ConfigError::ZeroHiddenSize));
}

#[test]
fn validate_rejects_zero_seq_length() {
    let hp = Hyperparams {
        seq_length: 0,
        ..Hyperparams::default()
    };
    assert_eq!(hp.validate(), Err(ConfigError::ZeroSeqLength));
}

#[test]
fn validate_rejects_learning_rate_that_is_not_finite_and_positive() {
    for lr in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let hp = Hyperparams {
            learning_rate: lr,
            ..Hyperparams::default()
        };
        // Matched rather than compared with ==: NaN is not equal to itself.
        match hp.validate() {
            Err(ConfigError::BadLearningRate(reported)) => {
                assert!(
                    reported.to_bits() == lr.to_bits(),
                    "reported {reported}, given {lr}"
                );
            }
            other => panic!("learning rate {lr}: expected BadLearningRate, got {other:?}"),
        }
    }
}

#[test]
fn validate_accepts_small_positive_values() {
    let hp = Hyperparams {
        hidden_size: 1,
        seq_length: 1,
        learning_rate: 1e-6,
    };
    assert_eq!(hp.validate(), Ok(()));
}

#[test]
fn config_error_messages_name_the_problem() {
    assert_eq!(
        ConfigError::ZeroHiddenSize.to_string(),
        "hidden size must be at least 1"
    );
    assert_eq!(
        ConfigError::ZeroSeqLength.to_string(),
        "sequence length must be at least 1"
    );
    let message = ConfigError::BadLearningRate(-1.0).to_string();
    assert!(message.contains("-1"), "{message}");
}
