//! The numbers agree with numpy: golden tests against fixtures written by the numpy port of
//! the original program (`tools/min_char_rnn.py`, `tools/make_fixtures.py`).
//!
//! Single steps (one `lossFun` call, one Adagrad update) must agree to [`SINGLE_STEP_REL_TOL`]:
//! the two programs do the same arithmetic, only sometimes in a different order, so they can
//! differ by a few units in the last place and no more. A real bug (a missing term, a wrong
//! index, a transposed product) shows up as a difference of 1e−3 or more.
//!
//! A training trajectory is another matter: every Adagrad step multiplies small differences
//! (see [`TRAJECTORY_REL_TOL`]), so it is compared over the first iterations only.

mod common;

use common::{Fixture, assert_close, relative_error};
use min_char_rnn::backward::backward;
use min_char_rnn::forward::forward;
use min_char_rnn::train::loss_fun;
use min_char_rnn::{Adagrad, ForwardCache, Grads, Hyperparams, Trainer, Vocab};

/// Largest relative difference allowed for one step's quantities (loss, gradients, hidden
/// state, Adagrad memory and parameters).
const SINGLE_STEP_REL_TOL: f64 = 1e-9;
/// Values smaller than this are compared absolutely: a relative error of two numbers near
/// zero (a gradient element of 1e−17 in one program and 3e−17 in the other) means nothing.
const ABS_FLOOR: f64 = 1e-13;

/// Compares one `lossFun` call and one Adagrad update with the numpy fixture `file`.
fn check_single_step(file: &str) {
    let fx = Fixture::load(file);
    let params = fx.params("");
    let inputs = fx.indices("inputs");
    let targets = fx.indices("targets");
    let h_prev = fx.vector("h_prev");
    let (v, h, t) = (fx.usize("v"), fx.usize("h"), fx.usize("t"));
    assert_eq!(
        (params.vocab_size(), params.hidden_size(), inputs.len()),
        (v, h, t)
    );

    // Forward and loss.
    let mut cache = ForwardCache::new(v, h, t);
    let mut grads = Grads::zeros_like(&params);
    forward(&params, &inputs, &h_prev, &mut cache);
    assert_close(
        "hs[0]",
        cache.hs[0].as_slice(),
        fx.values("hs_0"),
        SINGLE_STEP_REL_TOL,
        ABS_FLOOR,
    );
    assert_close(
        "ps[0]",
        cache.ps[0].as_slice(),
        fx.values("ps_0"),
        SINGLE_STEP_REL_TOL,
        ABS_FLOOR,
    );

    // Backward, before clipping.
    backward(&params, &cache, &targets, &mut grads);
    for (name, actual) in ["dw_xh", "dw_hh", "dw_hy", "db_h", "db_y"]
        .iter()
        .zip(grads.slices())
    {
        let expected = fx.values(&format!("{name}_raw"));
        assert_close(
            &format!("{name} (raw)"),
            actual,
            expected,
            SINGLE_STEP_REL_TOL,
            ABS_FLOOR,
        );
    }

    // The whole lossFun: loss, clipped gradients, last hidden state.
    let loss = loss_fun(&params, &inputs, &targets, &h_prev, &mut cache, &mut grads);
    assert!(
        relative_error(loss, fx.scalar("loss")) <= SINGLE_STEP_REL_TOL,
        "loss: rust {loss} vs numpy {}",
        fx.scalar("loss")
    );
    for (name, actual) in ["dw_xh", "dw_hh", "dw_hy", "db_h", "db_y"]
        .iter()
        .zip(grads.slices())
    {
        assert_close(
            name,
            actual,
            fx.values(name),
            SINGLE_STEP_REL_TOL,
            ABS_FLOOR,
        );
    }
    assert_close(
        "h_last",
        cache.last_hidden().as_slice(),
        fx.values("h_last"),
        SINGLE_STEP_REL_TOL,
        ABS_FLOOR,
    );

    // One Adagrad update from zero memory.
    let mut new_params = params.clone();
    let mut adagrad = Adagrad::new(&params, fx.scalar("learning_rate"));
    adagrad.update(&mut new_params, &grads);
    let names = ["w_xh", "w_hh", "w_hy", "b_h", "b_y"];
    for (name, actual) in names.iter().zip(adagrad.memory.slices()) {
        assert_close(
            &format!("mem_{name}"),
            actual.1,
            fx.values(&format!("mem_{name}")),
            SINGLE_STEP_REL_TOL,
            ABS_FLOOR,
        );
    }
    for (name, actual) in names.iter().zip(new_params.slices()) {
        assert_close(
            &format!("new_{name}"),
            actual.1,
            fx.values(&format!("new_{name}")),
            SINGLE_STEP_REL_TOL,
            ABS_FLOOR,
        );
    }
}

#[test]
fn one_step_matches_numpy() {
    check_single_step("step_small.txt");
}

#[test]
fn one_step_with_clipping_matches_numpy() {
    let fx = Fixture::load("step_clip.txt");
    // The fixture is only useful if numpy really clipped something.
    let clipped = ["dw_xh", "dw_hh", "dw_hy", "db_h", "db_y"]
        .iter()
        .flat_map(|name| fx.values(&format!("{name}_raw")).to_vec())
        .filter(|g| g.abs() > 5.0)
        .count();
    assert!(clipped > 0, "step_clip.txt has no gradient beyond ±5");
    check_single_step("step_clip.txt");
}

/// How far the Rust and numpy trajectories may drift apart over [`TRAJECTORY_STEPS`]
/// iterations of the training loop, relative.
///
/// Measured on this fixture (V = 32, H = 8, T = 10): the numpy port and an independent
/// plain-loop Python port differ by at most 8e−16 over 20 iterations, and Rust and numpy by
/// about 1e−15. Larger models drift much faster (`tools/drift.py`: at the default sizes,
/// 1e−13 at iteration 5, 1e−8 at 20, a few percent by 1000): early in training Adagrad's
/// step is about ±lr whatever the size of the gradient, an effective learning rate of
/// lr/|g| that amplifies a last-bit difference a little more at every iteration.
const TRAJECTORY_REL_TOL: f64 = 1e-11;
const TRAJECTORY_STEPS: usize = 20;

#[test]
fn first_training_iterations_match_numpy() {
    let fx = Fixture::load("train_short.txt");
    let text: String = fx
        .values("text_codepoints")
        .iter()
        .map(|&c| char::from_u32(c as u32).expect("a code point"))
        .collect();
    assert_eq!(text.chars().count(), fx.usize("text_len"));
    let vocab = Vocab::from_text(&text);
    assert_eq!(vocab.len(), fx.usize("v"));
    let hp = Hyperparams {
        hidden_size: fx.usize("h"),
        seq_length: fx.usize("t"),
        learning_rate: fx.scalar("learning_rate"),
    };
    let mut trainer = Trainer::new(vocab.encode(&text).unwrap(), vocab.len(), hp, 0).unwrap();
    trainer.params = fx.params(""); // numpy's initial weights instead of our own random ones

    let losses = fx.values("losses");
    let smooth = fx.values("smooth_losses");
    let pointers = fx.indices("pointers");
    let mut worst = 0.0f64;
    for n in 0..TRAJECTORY_STEPS {
        let report = trainer.step().unwrap();
        assert_eq!(report.iteration, n);
        assert_eq!(report.pointer, pointers[n], "data pointer at iteration {n}");
        let err = relative_error(report.loss, losses[n]);
        worst = worst.max(err);
        assert!(
            err <= TRAJECTORY_REL_TOL,
            "iteration {n}: loss rust {} vs numpy {} (relative {err:e})",
            report.loss,
            losses[n]
        );
        assert!(relative_error(report.smooth_loss, smooth[n]) <= TRAJECTORY_REL_TOL);
    }
    println!("largest relative loss difference over {TRAJECTORY_STEPS} iterations: {worst:e}");
    let final_params = fx.params("final_");
    for ((name, actual), (_, expected)) in trainer.params.slices().iter().zip(final_params.slices())
    {
        assert_close(
            &format!("final {name}"),
            actual,
            expected,
            TRAJECTORY_REL_TOL,
            1e-10,
        );
    }
    // The fixture covers the wrap-around: the pointer went back to 0 after iteration 0.
    assert!(pointers.iter().skip(1).any(|&p| p == 0));
}
