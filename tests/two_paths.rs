//! Two paths, one set of numbers: the fast path (`min_char_rnn::fast`) gives the plain
//! path's results bit for bit.
//!
//! How it is verified:
//! - at many shapes `(V, H, T)`, chosen so that every block and every tail of every kernel
//!   is reached (`T` of 1; `H` and `V` below, at and above the tiles' 4 outputs by 16
//!   columns and the register blocks' 64 and 2·64 columns, odd sizes, `V > H` and `V < H`),
//!   with weights large enough that the hidden states are far from 0 and the carried state
//!   `h_prev` not zero: the forward caches, the loss, the five gradients, the clipped
//!   gradients, the updated parameters and Adagrad's memory are equal, compared as bits;
//! - 200 training iterations of two [`Trainer`]s, plain and fast, on a text short enough
//!   that the data pointer wraps many times: every step's report, the parameters, the memory,
//!   `h_prev`, the random generator and the samples drawn along the way are equal;
//! - sampling (at temperatures 1 and 0.5, and argmax) and evaluation give the same bits;
//! - a cache or workspace made for another size is made anew, and one that fits is reused.
//!
//! "Equal" here is `==` on `f64`, or on their bits where a NaN could hide a difference:
//! never a tolerance.
//!
//! Run with `cargo test --test two_paths`.

use min_char_rnn::backward::{CLIP, backward};
use min_char_rnn::fast::{self, Fast, Workspace};
use min_char_rnn::forward::forward;
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::sample::generate;
use min_char_rnn::train::evaluate;
use min_char_rnn::{Adagrad, ForwardCache, Grads, Hyperparams, Params, Strategy, Trainer, Vector};

/// `(V, H, T)`: every kernel's blocks and tails. The products over `w_hhᵀ` have `H` columns,
/// those over `w_hyᵀ` `V` columns, the sums of outer products `H` columns and `V` or `H`
/// rows (groups of 4 and the 1, 2 or 3 left over), the batched products `T` vectors.
// ANCHOR: shapes
const SHAPES: [(usize, usize, usize); 24] = [
    (2, 1, 1),
    (3, 2, 1),
    (5, 3, 2),
    (2, 7, 3),
    (4, 8, 4),
    (17, 5, 5),
    (16, 15, 6),
    (9, 16, 7),
    (30, 17, 25),
    (61, 33, 9),
    (7, 63, 4),
    (65, 64, 3),
    (64, 65, 5),
    (61, 100, 25),
    (130, 100, 8),
    (3, 127, 2),
    (5, 128, 3),
    (11, 129, 2),
    (200, 40, 6),
    (6, 191, 2),
    (193, 192, 2),
    (4, 193, 3),
    (2, 256, 2),
    (129, 257, 2),
];
// ANCHOR_END: shapes

/// Parameters with seeded values of about `scale`, biases included (a freshly made `Params`
/// has zero biases and weights of 0.01, where tanh is nearly linear).
fn params(v: usize, h: usize, scale: f64, seed: u64) -> Params {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut p = Params::zeros(v, h);
    for slice in p.slices_mut() {
        for x in slice.iter_mut() {
            *x = (rng.f64() * 2.0 - 1.0) * scale;
        }
    }
    p
}

fn random_vector(len: usize, seed: u64) -> Vector {
    let mut rng = fastrand::Rng::with_seed(seed);
    Vector::from_vec((0..len).map(|_| rng.f64() * 1.6 - 0.8).collect())
}

fn indices(n: usize, v: usize, seed: u64) -> Vec<usize> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n).map(|_| rng.usize(0..v)).collect()
}

/// Every number as its bits, so that `assert_eq!` tells -0.0 from 0.0 and NaN from NaN.
// ANCHOR: bits
fn bits(values: &[f64]) -> Vec<u64> {
    values.iter().map(|x| x.to_bits()).collect()
}
// ANCHOR_END: bits

fn assert_same_cache(plain: &ForwardCache, quick: &ForwardCache, shape: &str) {
    assert_eq!(plain.inputs, quick.inputs, "{shape}: inputs");
    assert_eq!(
        bits(plain.h_prev.as_slice()),
        bits(quick.h_prev.as_slice()),
        "{shape}: h_prev"
    );
    for t in 0..plain.len() {
        for (name, a, b) in [
            ("hs", &plain.hs[t], &quick.hs[t]),
            ("ys", &plain.ys[t], &quick.ys[t]),
            ("ps", &plain.ps[t], &quick.ps[t]),
        ] {
            assert_eq!(
                bits(a.as_slice()),
                bits(b.as_slice()),
                "{shape}: {name}[{t}]"
            );
        }
    }
    assert_eq!(plain.len(), quick.len(), "{shape}: T");
}

fn assert_same_grads(plain: &Grads, quick: &Grads, shape: &str) {
    for (k, (a, b)) in plain.slices().iter().zip(quick.slices()).enumerate() {
        let name = Params::NAMES[k];
        assert_eq!(bits(a), bits(b), "{shape}: d{name}");
    }
}

fn assert_same_params(plain: &Params, quick: &Params, what: &str) {
    for ((name, a), (_, b)) in plain.slices().iter().zip(quick.slices()) {
        assert_eq!(bits(a), bits(b), "{what}: {name}");
    }
}

#[test]
fn two_paths_give_the_same_bits_for_one_training_step_at_every_shape() {
    for (k, &(v, h, t)) in SHAPES.iter().enumerate() {
        let shape = format!("V = {v}, H = {h}, T = {t}");
        let seed = 1000 + k as u64;
        // Weights of 0.3 push the hidden states well into tanh's curve; gradients get large
        // enough that some are clipped.
        let p = params(v, h, 0.3, seed);
        let h_prev = random_vector(h, seed + 1);
        let inputs = indices(t, v, seed + 2);
        let targets = indices(t, v, seed + 3);

        let mut plain_cache = ForwardCache::new(v, h, t);
        let mut quick_cache = ForwardCache::new(v, h, t);
        let mut work = Workspace::default();
        forward(&p, &inputs, &h_prev, &mut plain_cache);
        fast::forward(&p, &inputs, &h_prev, &mut quick_cache, &mut work);
        assert_same_cache(&plain_cache, &quick_cache, &shape);
        let loss = sequence_loss(&plain_cache.ps, &targets);
        assert_eq!(
            loss.to_bits(),
            sequence_loss(&quick_cache.ps, &targets).to_bits(),
            "{shape}: loss"
        );

        let mut plain_grads = Grads::zeros_like(&p);
        let mut quick_grads = Grads::zeros_like(&p);
        backward(&p, &plain_cache, &targets, &mut plain_grads);
        fast::backward(&p, &quick_cache, &targets, &mut quick_grads, &mut work);
        assert_same_grads(&plain_grads, &quick_grads, &shape);
        assert!(
            plain_grads.dw_hh.as_slice().iter().any(|&g| g != 0.0),
            "{shape}: dw_hh should not be all zero"
        );

        plain_grads.clip(CLIP);
        quick_grads.clip(CLIP);
        assert_same_grads(&plain_grads, &quick_grads, &format!("{shape}, clipped"));

        let (mut plain_params, mut quick_params) = (p.clone(), p.clone());
        let mut plain_adagrad = Adagrad::new(&p, 0.1);
        let mut quick_adagrad = Adagrad::new(&p, 0.1);
        plain_adagrad.update(&mut plain_params, &plain_grads);
        quick_adagrad.update(&mut quick_params, &quick_grads);
        assert_same_params(&plain_params, &quick_params, &format!("{shape}, updated"));
        assert_same_params(
            &plain_adagrad.memory,
            &quick_adagrad.memory,
            &format!("{shape}, memory"),
        );
    }
}

#[test]
fn two_paths_give_the_same_bits_over_200_iterations_with_the_pointer_wrapping() {
    // 97 + 4·T characters: the pointer goes back to the start every 17 iterations at T = 7
    // and every 7 at T = 25, and h_prev is reset there and carried everywhere else.
    for &(v, h, t) in &[(11, 24, 7), (61, 100, 25), (70, 65, 7)] {
        let data = indices(97 + 4 * t, v, v as u64);
        let hp = Hyperparams {
            hidden_size: h,
            seq_length: t,
            learning_rate: 0.1,
        };
        let mut plain = Trainer::new(data.clone(), v, hp, 5).expect("valid");
        let mut quick = Trainer::new(data, v, hp, 5)
            .expect("valid")
            .with_engine(Fast::default());
        let mut wrapped = 0;
        for n in 0..200 {
            if n % 50 == 0 {
                let a = plain.sample(40, Strategy::ORIGINAL);
                let b = quick.sample(40, Strategy::ORIGINAL);
                assert_eq!(a, b, "sample before iteration {n}");
            }
            let a = plain.step().expect("finite");
            let b = quick.step().expect("finite");
            assert_eq!(a.loss.to_bits(), b.loss.to_bits(), "loss at iteration {n}");
            assert_eq!(a, b, "report of iteration {n}");
            if n > 0 && a.pointer == 0 {
                wrapped += 1;
            }
            assert_same_cache(plain.cache(), quick.cache(), &format!("iteration {n}"));
            assert_same_grads(plain.grads(), quick.grads(), &format!("iteration {n}"));
        }
        assert!(wrapped >= 3, "the pointer wrapped {wrapped} times");
        assert_same_params(&plain.params, &quick.params, "after 200 iterations");
        assert_same_params(
            &plain.adagrad.memory,
            &quick.adagrad.memory,
            "memory after 200 iterations",
        );
        assert_eq!(plain.state(), quick.state(), "the whole training state");
        let text = plain.data().to_vec();
        assert_eq!(
            plain.evaluate(&text).to_bits(),
            quick.evaluate(&text).to_bits(),
            "evaluation after 200 iterations"
        );
    }
}

#[test]
fn two_paths_sample_the_same_characters_at_every_temperature() {
    for &(v, h) in &[(5, 3), (61, 100), (70, 64), (130, 129), (3, 257)] {
        let p = params(v, h, 0.5, v as u64 * 31 + h as u64);
        let start = random_vector(h, 9);
        let mut work = Workspace::default();
        for strategy in [
            Strategy::ORIGINAL,
            Strategy::Sample { temperature: 0.5 },
            Strategy::Sample { temperature: 1.7 },
            Strategy::Argmax,
        ] {
            let mut rng_plain = fastrand::Rng::with_seed(3);
            let mut rng_fast = fastrand::Rng::with_seed(3);
            let a = generate(&p, &start, 1, 300, strategy, &mut rng_plain);
            let b = fast::generate(&p, &start, 1, 300, strategy, &mut rng_fast, &mut work);
            assert_eq!(a, b, "V = {v}, H = {h}, {strategy:?}");
            assert_eq!(rng_plain.get_seed(), rng_fast.get_seed(), "the same draws");
        }
    }
}

#[test]
fn two_paths_evaluate_to_the_same_bits_across_the_chunk_boundaries() {
    // The fast evaluation runs 100 characters per forward pass: lengths below, at and above
    // one and several chunks.
    for (k, &len) in [2, 3, 100, 101, 102, 250, 301].iter().enumerate() {
        let (v, h) = (13, 70);
        let p = params(v, h, 0.4, 77 + k as u64);
        let data = indices(len, v, 500 + k as u64);
        let mut cache = ForwardCache::new(0, 0, 0);
        let mut work = Workspace::default();
        let plain = evaluate(&p, &data);
        let quick = fast::evaluate(&p, &data, &mut cache, &mut work);
        assert_eq!(plain.to_bits(), quick.to_bits(), "{len} characters");
    }
}

#[test]
fn evaluate_equals_the_mean_loss_of_one_forward_pass_over_the_same_text() {
    // An independent route to the same number: one forward pass over the whole text, its
    // summed loss divided by the number of targets. Non-zero weights, so that a target read
    // from the wrong position gives another loss.
    let (v, h) = (9, 12);
    let p = params(v, h, 0.5, 4);
    let data = indices(60, v, 8);
    let mut cache = ForwardCache::new(v, h, data.len() - 1);
    forward(&p, &data[..data.len() - 1], &Vector::zeros(h), &mut cache);
    let mean = sequence_loss(&cache.ps, &data[1..]) / (data.len() - 1) as f64;
    let plain = evaluate(&p, &data);
    assert_eq!(plain, mean);
    // Reading each character as its own target would give another value.
    let wrong = sequence_loss(&cache.ps, &data[..data.len() - 1]) / (data.len() - 1) as f64;
    assert!((plain - wrong).abs() > 1e-3, "{plain} vs {wrong}");
}

#[test]
fn a_cache_for_another_size_is_made_anew_and_a_fitting_one_is_reused() {
    let (v, h, t) = (6, 5, 4);
    let p = params(v, h, 0.3, 1);
    let inputs = indices(t, v, 2);
    let h_prev = random_vector(h, 3);
    let mut fresh = ForwardCache::new(v, h, t);
    forward(&p, &inputs, &h_prev, &mut fresh);
    // Same T, another H or V: the result equals the fresh cache's.
    for (other_v, other_h) in [(v, h + 3), (v + 2, h), (v - 1, h - 1)] {
        let mut plain = ForwardCache::new(other_v, other_h, t);
        forward(&p, &inputs, &h_prev, &mut plain);
        assert_eq!(
            plain, fresh,
            "plain, cache for V = {other_v}, H = {other_h}"
        );
        let mut quick = ForwardCache::new(other_v, other_h, t);
        let mut work = Workspace::default();
        work.fit(other_v, other_h, t);
        fast::forward(&p, &inputs, &h_prev, &mut quick, &mut work);
        assert_eq!(quick, fresh, "fast, cache for V = {other_v}, H = {other_h}");
        let mut fitting = Workspace::default();
        fitting.fit(v, h, t);
        assert_eq!(work, {
            let mut w = fitting.clone();
            fast::forward(
                &p,
                &inputs,
                &h_prev,
                &mut ForwardCache::new(v, h, t),
                &mut w,
            );
            w
        });
    }
    // A fitting cache is written in place, not replaced.
    let mut cache = ForwardCache::new(v, h, t);
    let kept = cache.hs[0].as_slice().as_ptr();
    forward(&p, &inputs, &h_prev, &mut cache);
    assert_eq!(cache.hs[0].as_slice().as_ptr(), kept, "plain: reused");
    let mut work = Workspace::default();
    fast::forward(&p, &inputs, &h_prev, &mut cache, &mut work);
    assert_eq!(cache.hs[0].as_slice().as_ptr(), kept, "fast: reused");
    let kept_work = work.dys[0].as_slice().as_ptr();
    let mut grads = Grads::zeros_like(&p);
    fast::backward(&p, &cache, &inputs, &mut grads, &mut work);
    assert_eq!(
        work.dys[0].as_slice().as_ptr(),
        kept_work,
        "workspace: reused"
    );
}

#[test]
fn grads_for_another_size_are_made_anew_by_both_paths() {
    let (v, h, t) = (6, 5, 3);
    let p = params(v, h, 0.3, 11);
    let inputs = indices(t, v, 12);
    let targets = indices(t, v, 13);
    let mut cache = ForwardCache::new(v, h, t);
    forward(&p, &inputs, &Vector::zeros(h), &mut cache);
    let mut expected = Grads::zeros_like(&p);
    backward(&p, &cache, &targets, &mut expected);
    let other = Params::zeros(v + 1, h + 2);
    let mut plain = Grads::zeros_like(&other);
    backward(&p, &cache, &targets, &mut plain);
    assert_eq!(plain, expected);
    let mut quick = Grads::zeros_like(&other);
    fast::backward(&p, &cache, &targets, &mut quick, &mut Workspace::default());
    assert_eq!(quick, expected);
}

#[test]
fn fitting_grads_are_written_in_place_and_others_made_anew_by_the_fast_path() {
    let (v, h, t) = (6, 5, 3);
    let p = params(v, h, 0.3, 21);
    let inputs = indices(t, v, 22);
    let targets = indices(t, v, 23);
    let mut cache = ForwardCache::new(v, h, t);
    forward(&p, &inputs, &Vector::zeros(h), &mut cache);
    let mut expected = Grads::zeros_like(&p);
    backward(&p, &cache, &targets, &mut expected);
    let mut work = Workspace::default();
    // Fitting gradients keep their memory.
    let mut grads = Grads::zeros_like(&p);
    let kept = (
        grads.dw_xh.as_slice().as_ptr(),
        grads.dw_hh.as_slice().as_ptr(),
    );
    fast::backward(&p, &cache, &targets, &mut grads, &mut work);
    assert_eq!(grads, expected);
    let now = (
        grads.dw_xh.as_slice().as_ptr(),
        grads.dw_hh.as_slice().as_ptr(),
    );
    assert_eq!(now, kept, "fitting gradients are reused");
    // Gradients for another V only (w_hh's shape fits) or another H are made anew.
    for other in [Params::zeros(v + 1, h), Params::zeros(v, h + 1)] {
        let mut grads = Grads::zeros_like(&other);
        fast::backward(&p, &cache, &targets, &mut grads, &mut work);
        assert_eq!(
            grads,
            expected,
            "from gradients shaped for {:?}",
            other.w_xh.shape()
        );
    }
}
