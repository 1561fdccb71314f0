//! Step 5, the backward pass: backpropagation through time, checked against the slow way of
//! computing a gradient (nudge one parameter, recompute the loss) for every element of all
//! five parameters, and the clipping that follows it.

use min_char_rnn::backward::{CLIP, backward};
use min_char_rnn::forward::forward;
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::train::loss_fun;
use min_char_rnn::{ForwardCache, Grads, Params, Vector};

// ANCHOR: gradient_check_constants
/// Step used for the central differences `(L(w + ε) − L(w − ε)) / 2ε`. Its error is of
/// order ε² (about 1e−10 here) plus rounding of order 1e−16·L/ε (about 1e−11).
const EPSILON: f64 = 1e-5;
/// Largest relative difference between the analytic and the numeric gradient.
const GRADIENT_CHECK_TOL: f64 = 1e-7;
/// Below this size both gradients are "zero" and only their absolute difference is checked.
const ZERO_GRADIENT: f64 = 1e-9;
// ANCHOR_END: gradient_check_constants

// ANCHOR: small_problem
/// V = 5, H = 7, T = 4, weights ~N(0, 0.5²) so that tanh is well away from linear, nonzero
/// biases and a nonzero starting memory, so every term of every gradient matters.
fn small_problem() -> (Params, Vec<usize>, Vec<usize>, Vector) {
    let mut params = Params::new(5, 7, 11);
    for w in params.slices_mut() {
        for (i, x) in w.iter_mut().enumerate() {
            *x = *x * 50.0 + 0.05 * ((i % 5) as f64 - 2.0);
        }
    }
    let inputs = vec![0, 3, 3, 1];
    let targets = vec![3, 3, 1, 4];
    let h_prev = Vector::from_vec(vec![0.5, -0.4, 0.3, -0.2, 0.1, 0.0, -0.6]);
    (params, inputs, targets, h_prev)
}
// ANCHOR_END: small_problem

// ANCHOR: loss_of
fn loss_of(params: &Params, inputs: &[usize], targets: &[usize], h_prev: &Vector) -> f64 {
    let mut cache = ForwardCache::new(params.vocab_size(), params.hidden_size(), inputs.len());
    forward(params, inputs, h_prev, &mut cache);
    sequence_loss(&cache.ps, targets)
}
// ANCHOR_END: loss_of

#[test]
fn gradients_match_finite_differences() {
    // ANCHOR: analytic
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut grads = Grads::zeros_like(&params);
    backward(&params, &cache, &targets, &mut grads);
    // ANCHOR_END: analytic

    // ANCHOR: numeric
    let names = ["w_xh", "w_hh", "w_hy", "b_h", "b_y"];
    let mut checked = 0;
    let mut worst = 0.0f64;
    for (which, name) in names.iter().enumerate() {
        let len = params.slices()[which].1.len();
        for i in 0..len {
            let mut up = params.clone();
            up.slices_mut()[which][i] += EPSILON;
            let mut down = params.clone();
            down.slices_mut()[which][i] -= EPSILON;
            let numeric = (loss_of(&up, &inputs, &targets, &h_prev)
                - loss_of(&down, &inputs, &targets, &h_prev))
                / (2.0 * EPSILON);
            // ANCHOR_END: numeric
            // ANCHOR: compare
            let analytic = grads.slices()[which][i];
            let scale = numeric.abs().max(analytic.abs());
            if scale < ZERO_GRADIENT {
                assert!((numeric - analytic).abs() < ZERO_GRADIENT, "{name}[{i}]");
            } else {
                let rel = (numeric - analytic).abs() / scale;
                worst = worst.max(rel);
                assert!(
                    rel < GRADIENT_CHECK_TOL,
                    "d{name}[{i}]: analytic {analytic:e}, numeric {numeric:e}, relative error {rel:e}"
                );
            }
            checked += 1;
            // ANCHOR_END: compare
        }
    }
    // ANCHOR: count
    // Every element of all five parameters: 35 + 49 + 35 + 7 + 5.
    assert_eq!(checked, 131);
    println!("largest relative error over {checked} gradient elements: {worst:e}");
    // ANCHOR_END: count
}

#[test]
fn the_gradient_of_w_xh_is_zero_for_characters_never_read() {
    // Only the columns of the input characters (0, 3 and 1) can get a gradient: x_t is
    // one-hot, so column 2 and column 4 never touched the loss.
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut grads = Grads::zeros_like(&params);
    backward(&params, &cache, &targets, &mut grads);
    for i in 0..7 {
        assert_eq!(grads.dw_xh[(i, 2)], 0.0);
        assert_eq!(grads.dw_xh[(i, 4)], 0.0);
        assert_ne!(grads.dw_xh[(i, 3)], 0.0);
    }
}

#[test]
fn backward_overwrites_rather_than_accumulates() {
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut once = Grads::zeros_like(&params);
    backward(&params, &cache, &targets, &mut once);
    let mut twice = once.clone();
    backward(&params, &cache, &targets, &mut twice);
    assert_eq!(once, twice);
}

#[test]
fn clipping_bounds_every_gradient_to_five() {
    // Big weights and a long chunk make some raw gradients exceed ±5.
    let mut params = Params::new(4, 6, 3);
    for w in params.slices_mut() {
        for x in w.iter_mut() {
            *x *= 300.0; // ~N(0, 3²)
        }
    }
    let inputs: Vec<usize> = (0..16).map(|t| (t * 3) % 4).collect();
    let targets: Vec<usize> = (0..16).map(|t| (t * 3 + 1) % 4).collect();
    let h_prev = Vector::zeros(6);
    let mut cache = ForwardCache::new(4, 6, 16);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut raw = Grads::zeros_like(&params);
    backward(&params, &cache, &targets, &mut raw);

    let mut clipped = Grads::zeros_like(&params);
    loss_fun(
        &params,
        &inputs,
        &targets,
        &h_prev,
        &mut cache,
        &mut clipped,
    );

    let mut beyond = 0;
    for (r, c) in raw.slices().iter().zip(clipped.slices()) {
        for (&g, &gc) in r.iter().zip(c) {
            if g > CLIP {
                assert_eq!(gc, CLIP);
                beyond += 1;
            } else if g < -CLIP {
                assert_eq!(gc, -CLIP);
                beyond += 1;
            } else {
                assert_eq!(gc, g, "a gradient inside [-5, 5] must not change");
            }
        }
    }
    assert!(beyond > 0, "the example should exceed the clip somewhere");
}

#[test]
fn output_bias_gradient_sums_to_zero() {
    // Each dy = p − onehot sums to Σp − 1 = 0, so their sum db_y does too.
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    let mut grads = Grads::zeros_like(&params);
    loss_fun(&params, &inputs, &targets, &h_prev, &mut cache, &mut grads);
    assert!(grads.db_y.sum().abs() < 1e-14);
}

#[test]
fn each_steps_output_gradient_is_p_minus_one_hot() {
    // work.dys[t] is dy_t = p_t − onehot(target_t), taken by hand from the cache.
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut grads = Grads::zeros_like(&params);
    let mut work = min_char_rnn::fast::Workspace::default();
    min_char_rnn::fast::backward(&params, &cache, &targets, &mut grads, &mut work);
    assert_eq!(work.dys.len(), 4);
    for (t, &target) in targets.iter().enumerate() {
        for k in 0..5 {
            let one_hot = if k == target { 1.0 } else { 0.0 };
            assert_eq!(work.dys[t][k], cache.ps[t][k] - one_hot, "dy_{t}[{k}]");
        }
    }
}

#[test]
fn the_bias_gradients_are_the_sums_of_the_steps_gradients() {
    // db_y = Σ_t dy_t and db_h = Σ_t dhraw_t: the steps' gradients kept in the fast path's workspace add
    // up to the biases' (summed here one by one, so equal up to rounding).
    let (params, inputs, targets, h_prev) = small_problem();
    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    let mut grads = Grads::zeros_like(&params);
    let mut work = min_char_rnn::fast::Workspace::default();
    min_char_rnn::fast::backward(&params, &cache, &targets, &mut grads, &mut work);
    for k in 0..5 {
        let sum: f64 = work.dys.iter().map(|dy| dy[k]).sum();
        assert!((grads.db_y[k] - sum).abs() < 1e-15, "db_y[{k}]");
    }
    for i in 0..7 {
        let sum: f64 = work.dhraws.iter().map(|dhraw| dhraw[i]).sum();
        assert!((grads.db_h[i] - sum).abs() < 1e-15, "db_h[{i}]");
        assert_ne!(sum, 0.0, "db_h[{i}] should not be trivially zero");
    }
}

#[test]
fn the_fast_paths_step_buffers_are_allocated_once_and_resized_when_the_length_changes() {
    let (params, inputs, targets, h_prev) = small_problem();
    let mut grads = Grads::zeros_like(&params);
    let mut work = min_char_rnn::fast::Workspace::default();
    assert!(work.dys.is_empty()); // sized by the first backward pass

    let mut cache = ForwardCache::new(5, 7, 4);
    forward(&params, &inputs, &h_prev, &mut cache);
    min_char_rnn::fast::backward(&params, &cache, &targets, &mut grads, &mut work);
    let first = work.dhraws[0].as_slice().as_ptr();
    min_char_rnn::fast::backward(&params, &cache, &targets, &mut grads, &mut work);
    assert_eq!(
        work.dhraws[0].as_slice().as_ptr(),
        first,
        "same sizes: reused"
    );

    let mut short = ForwardCache::new(5, 7, 2);
    forward(&params, &inputs[..2], &h_prev, &mut short);
    min_char_rnn::fast::backward(&params, &short, &targets[..2], &mut grads, &mut work);
    assert_eq!(work.dys.len(), 2);
    assert_eq!(work.dh_outputs.len(), 2);
    assert_eq!(work.dhraws.len(), 2);
}
