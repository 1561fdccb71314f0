//! Step 3, the forward pass: `h_t = tanh(w_xh·x_t + w_hh·h_{t−1} + b_h)`,
//! `y_t = w_hy·h_t + b_y`, `p_t = softmax(y_t)`, checked against the same equations written
//! out with full matrix products, and against what the initial weights must give (p ≈ 1/V).

use min_char_rnn::forward::{forward, hidden_step, output_step};
use min_char_rnn::loss::softmax;
use min_char_rnn::{ForwardCache, Params, Vector};

/// A model with weights large enough that every term matters, and nonzero biases.
fn lively_params(v: usize, h: usize, seed: u64) -> Params {
    let mut params = Params::new(v, h, seed);
    for w in params.slices_mut() {
        for (i, x) in w.iter_mut().enumerate() {
            *x = *x * 50.0 + 0.01 * ((i % 7) as f64 - 3.0); // ~N(0, 0.5²) plus a pattern
        }
    }
    params
}

#[test]
fn one_hot_product_is_a_column_lookup() {
    let params = lively_params(6, 4, 1);
    for x in 0..6 {
        let mut full = Vector::zeros(4);
        params.w_xh.matvec(&Vector::one_hot(6, x), &mut full); // w_xh · x, all H·V products
        for i in 0..4 {
            assert_eq!(full[i], params.w_xh[(i, x)], "row {i}, column {x}");
        }
    }
}

#[test]
fn hidden_step_matches_the_equation_with_full_products() {
    let params = lively_params(6, 4, 2);
    let h_prev = Vector::from_vec(vec![0.3, -0.2, 0.9, -0.7]);
    let x = 3;
    // Written out: tanh(w_xh·onehot(x) + w_hh·h_prev + b_h), every product in full.
    let mut from_input = Vector::zeros(4);
    params.w_xh.matvec(&Vector::one_hot(6, x), &mut from_input);
    let mut from_memory = Vector::zeros(4);
    params.w_hh.matvec(&h_prev, &mut from_memory);
    let mut h = Vector::zeros(4);
    hidden_step(&params, x, &h_prev, &mut h);
    for i in 0..4 {
        let expected = (from_input[i] + from_memory[i] + params.b_h[i]).tanh();
        assert!(
            (h[i] - expected).abs() <= 1e-15,
            "h[{i}]: {} vs {expected}",
            h[i]
        );
    }
}

#[test]
fn output_step_is_w_hy_h_plus_b_y() {
    let params = lively_params(3, 2, 3);
    let h = Vector::from_vec(vec![0.5, -0.25]);
    let mut y = Vector::zeros(3);
    output_step(&params, &h, &mut y);
    for k in 0..3 {
        let expected = params.w_hy[(k, 0)] * 0.5 + params.w_hy[(k, 1)] * -0.25 + params.b_y[k];
        assert!((y[k] - expected).abs() <= 1e-15);
    }
}

#[test]
fn forward_chains_the_steps_through_time() {
    let params = lively_params(5, 7, 4);
    let inputs = [4, 0, 2, 2, 1];
    let h_prev = Vector::from_vec(vec![0.1, 0.2, -0.3, 0.0, 0.5, -0.6, 0.7]);
    let mut cache = ForwardCache::new(5, 7, inputs.len());
    forward(&params, &inputs, &h_prev, &mut cache);

    // The same computation, one step at a time with hidden_step and output_step, each step
    // starting from the memory forward left after the step before.
    let mut h = h_prev.clone();
    for (t, &x) in inputs.iter().enumerate() {
        let mut h_next = Vector::zeros(7);
        hidden_step(&params, x, &h, &mut h_next);
        let mut y = Vector::zeros(5);
        output_step(&params, &h_next, &mut y);
        let mut p = Vector::zeros(5);
        softmax(&y, &mut p);
        // forward is these three calls, step after step: the same numbers, to the bit.
        assert_eq!(cache.hs[t], h_next, "hs[{t}]");
        assert_eq!(cache.ys[t], y, "ys[{t}]");
        assert_eq!(cache.ps[t], p, "ps[{t}]");
        assert_eq!(cache.h_before(t), &h, "h_before({t})");
        h = cache.hs[t].clone(); // the next step starts from forward's h_t
    }
    assert_eq!(cache.last_hidden(), &cache.hs[4]);
    assert_eq!(cache.inputs, inputs);
}

#[test]
fn the_memory_carries_over_from_h_prev() {
    let params = lively_params(5, 7, 5);
    let mut from_zero = ForwardCache::new(5, 7, 3);
    let mut from_memory = ForwardCache::new(5, 7, 3);
    forward(&params, &[1, 2, 3], &Vector::zeros(7), &mut from_zero);
    forward(
        &params,
        &[1, 2, 3],
        &Vector::from_vec(vec![0.9; 7]),
        &mut from_memory,
    );
    assert_ne!(from_zero.ps[2], from_memory.ps[2]);
}

#[test]
fn probabilities_are_positive_and_sum_to_one() {
    let params = lively_params(9, 6, 6);
    let mut cache = ForwardCache::new(9, 6, 8);
    forward(
        &params,
        &[0, 1, 2, 3, 4, 5, 6, 7],
        &Vector::zeros(6),
        &mut cache,
    );
    for (t, p) in cache.ps.iter().enumerate() {
        assert!(p.as_slice().iter().all(|&pk| pk > 0.0), "p[{t}] has a zero");
        assert!((p.sum() - 1.0).abs() < 1e-12, "p[{t}] sums to {}", p.sum());
    }
}

#[test]
fn probabilities_at_init_are_about_one_over_v() {
    // V = 61 and H = 100, the notebook's sizes. With weights of size 0.01, h is of order
    // 0.01·√V ≈ 0.08 and the scores y of order 0.01·0.08·√H ≈ 0.008, so every p is within a
    // percent or so of 1/V: the untrained network has no preference.
    let (v, h) = (61, 100);
    let params = Params::new(v, h, 2024);
    let inputs: Vec<usize> = (0..25).map(|t| (t * 7) % v).collect();
    let mut cache = ForwardCache::new(v, h, 25);
    forward(&params, &inputs, &Vector::zeros(h), &mut cache);
    let uniform = 1.0 / v as f64; // 0.0164, the notebook's table
    for p in &cache.ps {
        for &pk in p.as_slice() {
            assert!(
                (pk - uniform).abs() < 0.03 * uniform,
                "p = {pk}, 1/V = {uniform}"
            );
        }
    }
}

#[test]
fn the_cache_adapts_to_a_new_sequence_length() {
    let params = Params::new(4, 3, 7);
    let mut cache = ForwardCache::new(4, 3, 10);
    forward(&params, &[1, 2], &Vector::zeros(3), &mut cache);
    assert_eq!(cache.len(), 2);
}

#[test]
#[should_panic(expected = "index: (0, 4) of (3 x 4)")]
fn an_input_outside_the_vocabulary_panics_naming_it() {
    let params = Params::new(4, 3, 7);
    let mut cache = ForwardCache::new(4, 3, 1);
    forward(&params, &[4], &Vector::zeros(3), &mut cache);
}

#[test]
fn a_cache_is_empty_only_without_time_steps() {
    assert!(ForwardCache::new(4, 3, 0).is_empty());
    for t in [1, 2, 25] {
        let cache = ForwardCache::new(4, 3, t);
        assert!(!cache.is_empty(), "T = {t}");
        assert_eq!(cache.len(), t);
    }
}
