//! Step 4, the loss: softmax, cross-entropy summed over a chunk, and `dy = p − onehot(target)`,
//! checked by hand, against the naive softmax, and by finite differences.

use min_char_rnn::forward::forward;
use min_char_rnn::loss::{cross_entropy, output_gradient, sequence_loss, softmax};
use min_char_rnn::train::initial_smooth_loss;
use min_char_rnn::{ForwardCache, Params, Vector};

/// The original's softmax, `exp(y) / Σ exp(y)`, without subtracting the maximum.
fn naive_softmax(y: &[f64]) -> Vec<f64> {
    let exps: Vec<f64> = y.iter().map(|v| v.exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

#[test]
fn stable_softmax_equals_the_naive_one_on_small_scores() {
    let y = [0.5, -1.25, 2.0, 0.0, 3.5];
    let mut p = Vector::zeros(5);
    softmax(&Vector::from_vec(y.to_vec()), &mut p);
    for (a, b) in p.as_slice().iter().zip(naive_softmax(&y)) {
        assert!((a - b).abs() <= 1e-15 * b.max(1.0), "{a} vs {b}");
    }
}

#[test]
fn stable_softmax_stays_finite_on_huge_scores() {
    let y = [1000.0, 999.0, 998.0];
    // The naive formula overflows: exp(1000) = inf, and inf / inf is NaN.
    assert!(naive_softmax(&y).iter().all(|p| p.is_nan()));
    // The stable one gives what softmax([2, 1, 0]) gives: only differences matter.
    let mut p = Vector::zeros(3);
    softmax(&Vector::from_vec(y.to_vec()), &mut p);
    let small = naive_softmax(&[2.0, 1.0, 0.0]);
    for k in 0..3 {
        assert!(p[k].is_finite());
        assert!((p[k] - small[k]).abs() < 1e-15);
    }
}

#[test]
fn stable_softmax_survives_huge_negative_scores() {
    let mut p = Vector::zeros(2);
    softmax(&Vector::from_vec(vec![-1000.0, -1001.0]), &mut p);
    // Naively exp(-1000) = 0 for both and 0 / 0 is NaN; here p = [e/(e+1), 1/(e+1)].
    let e = 1f64.exp();
    assert!((p[0] - e / (e + 1.0)).abs() < 1e-15);
}

#[test]
fn cross_entropy_is_minus_log_of_the_target_probability() {
    let p = Vector::from_vec(vec![0.1, 0.6, 0.3]);
    assert_eq!(cross_entropy(&p, 1), -(0.6f64.ln())); // 0.5108…
    assert!((cross_entropy(&p, 0) - std::f64::consts::LN_10).abs() < 1e-15); // −ln 0.1 = ln 10
}

#[test]
fn loss_at_init_is_t_ln_v() {
    // The notebook's numbers: V = 61, T = 25, so T·ln V = 25 · 4.1109 = 102.77.
    let (v, h, t) = (61, 100, 25);
    let expected = t as f64 * (v as f64).ln();
    assert!((expected - 102.7718).abs() < 1e-4);
    let params = Params::new(v, h, 7);
    let inputs: Vec<usize> = (0..t).map(|i| (i * 5) % v).collect();
    let targets: Vec<usize> = (0..t).map(|i| (i * 5 + 1) % v).collect();
    let mut cache = ForwardCache::new(v, h, t);
    forward(&params, &inputs, &Vector::zeros(h), &mut cache);
    let loss = sequence_loss(&cache.ps, &targets);
    assert!(
        (loss - expected).abs() < 0.05,
        "loss {loss}, T·ln V {expected}"
    );
}

#[test]
fn smooth_loss_starts_at_minus_ln_one_over_v_times_t() {
    assert!((initial_smooth_loss(61, 25) - 25.0 * 61f64.ln()).abs() < 1e-12);
}

#[test]
fn sequence_loss_sums_the_steps() {
    let params = Params::new(4, 3, 1);
    let mut cache = ForwardCache::new(4, 3, 3);
    forward(&params, &[0, 1, 2], &Vector::zeros(3), &mut cache);
    let by_hand = -(cache.ps[0][1].ln() + cache.ps[1][2].ln() + cache.ps[2][3].ln());
    assert_eq!(sequence_loss(&cache.ps, &[1, 2, 3]), by_hand);
}

#[test]
fn dy_is_p_minus_one_hot() {
    let p = Vector::from_vec(vec![0.2, 0.5, 0.3]);
    let mut dy = Vector::zeros(3);
    output_gradient(&p, 2, &mut dy);
    assert_eq!(dy.as_slice(), &[0.2, 0.5, 0.3 - 1.0]);
    assert!(dy.sum().abs() < 1e-15); // Σp − 1 = 0
}

#[test]
fn dy_matches_finite_differences_of_the_loss() {
    // d/dy_k of −ln softmax(y)[target], estimated by central differences.
    let y = vec![0.3, -0.8, 1.1, 0.0];
    let target = 1;
    let loss_at = |y: &[f64]| {
        let mut p = Vector::zeros(y.len());
        softmax(&Vector::from_vec(y.to_vec()), &mut p);
        cross_entropy(&p, target)
    };
    let mut p = Vector::zeros(4);
    softmax(&Vector::from_vec(y.clone()), &mut p);
    let mut dy = Vector::zeros(4);
    output_gradient(&p, target, &mut dy);
    let eps = 1e-6;
    for k in 0..4 {
        let (mut up, mut down) = (y.clone(), y.clone());
        up[k] += eps;
        down[k] -= eps;
        let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * eps);
        assert!(
            (numeric - dy[k]).abs() < 1e-8,
            "k = {k}: {numeric} vs {}",
            dy[k]
        );
    }
}
