//! Dropout between stacked layers (char-rnn's `-dropout`): inverted dropout on the input of
//! every layer above the first and on the top `h` before the output layer.
//!
//! How it is verified:
//! - the masks: with `p = 0.3` over many numbers, the fraction kept is `0.7` to within a
//!   few standard deviations, every kept entry is exactly `1/(1 − p)`, so the mean of a mask
//!   is about 1; the same generator state gives the same masks; `p = 0` draws nothing;
//!   `p` outside `[0, 1)` is refused;
//! - the gradient check (central differences, as `tests/layers.rs` does) of every element of
//!   every parameter and of the carried state, for every cell with `L = 2`, with one fixed
//!   set of masks in both the analytic and the numeric gradients;
//! - `p = 0` masks give the passes without dropout bit for bit, and masks of all ones too;
//! - where the masks go: layer 0 is untouched, a dropped number of `h` changes nothing
//!   above it, and the memories carried to the next step are never masked;
//! - evaluation and sampling ignore dropout: a trainer with `dropout > 0` evaluates and
//!   samples as one without it, for the same weights; training with it draws `L·B·T·H`
//!   numbers per iteration from the run's generator and learns something else;
//! - the setting: `0 ≤ p < 1` is checked, the checkpoint keeps it, and a checkpoint without
//!   a `dropout` line reads as `p = 0`.
//!
//! Run with `cargo test --test dropout`.

use min_char_rnn::Strategy;
use min_char_rnn::Vocab;
use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{CharRnnError, Config, NetworkTrainer};
use min_char_rnn::checkpoint::NetworkCheckpoint;
use min_char_rnn::network::{
    BackwardWork, Dropout, Network, NetworkCache, NetworkGrads, Sampler, State, backward,
    backward_with_dropout, forward, forward_with_dropout, loss,
};

mod gradient_check;
use gradient_check::{B, H, L, T, check, problem};

/// One fixed set of masks, `p = 0.4`, that drops some numbers of every layer.
fn fixed_masks(network: &Network) -> Dropout {
    let mut dropout = Dropout::new(network, B, T, 0.4);
    dropout.draw(&mut fastrand::Rng::with_seed(3));
    for mask in &dropout.masks {
        let dropped = mask.as_slice().iter().filter(|&&m| m == 0.0).count();
        assert!(dropped > 0 && dropped < B * T * H, "a mask that drops some");
    }
    dropout
}

fn loss_of(network: &Network, chunk: &Chunk, state: &State, dropout: &Dropout) -> f64 {
    let mut state = state.clone();
    let mut cache = NetworkCache::new(network, B, T);
    forward_with_dropout(network, chunk, &mut state, &mut cache, Some(dropout));
    loss(&cache, chunk)
}

fn analytic_gradients(
    network: &Network,
    chunk: &Chunk,
    state: &State,
    dropout: &Dropout,
) -> (NetworkGrads, State) {
    let mut forward_state = state.clone();
    let mut cache = NetworkCache::new(network, B, T);
    forward_with_dropout(
        network,
        chunk,
        &mut forward_state,
        &mut cache,
        Some(dropout),
    );
    let mut grads = NetworkGrads::zeros_like(network);
    let mut work = BackwardWork::new(network, B, T);
    let d_state =
        backward_with_dropout(network, &cache, chunk, &mut grads, &mut work, Some(dropout)).clone();
    (grads, d_state)
}

/// Every parameter and every number of the carried state, with fixed masks.
fn check_cell(cell: CellKind) {
    let (network, chunk, state) = problem(cell);
    let dropout = fixed_masks(&network);
    let (grads, d_state) = analytic_gradients(&network, &chunk, &state, &dropout);
    let names = network.names();
    let mut checked = 0;
    for (which, name) in names.iter().enumerate() {
        for i in 0..network.slices()[which].len() {
            let loss_at = |delta: f64| {
                let mut nudged = network.clone();
                nudged.slices_mut()[which][i] += delta;
                loss_of(&nudged, &chunk, &state, &dropout)
            };
            check(
                &format!("{cell} d{name}[{i}]"),
                grads.slices()[which][i],
                loss_at,
            );
            checked += 1;
        }
    }
    for l in 0..L {
        for i in 0..B * H {
            let loss_at = |delta: f64| {
                let mut nudged = state.clone();
                nudged.h[l].as_mut_slice()[i] += delta;
                loss_of(&network, &chunk, &nudged, &dropout)
            };
            check(
                &format!("{cell} d_h0[{l}][{i}]"),
                d_state.h[l].as_slice()[i],
                loss_at,
            );
            if cell == CellKind::Lstm {
                let loss_at = |delta: f64| {
                    let mut nudged = state.clone();
                    nudged.c[l].as_mut_slice()[i] += delta;
                    loss_of(&network, &chunk, &nudged, &dropout)
                };
                check(
                    &format!("{cell} d_c0[{l}][{i}]"),
                    d_state.c[l].as_slice()[i],
                    loss_at,
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "{cell}: {checked} checked");
}

#[test]
fn dropout_rnn_gradients_match_finite_differences_with_a_fixed_mask() {
    check_cell(CellKind::Rnn);
}

#[test]
fn dropout_lstm_gradients_match_finite_differences_with_a_fixed_mask() {
    check_cell(CellKind::Lstm);
}

#[test]
fn dropout_gru_gradients_match_finite_differences_with_a_fixed_mask() {
    check_cell(CellKind::Gru);
}

#[test]
fn dropout_masks_keep_one_minus_p_and_scale_by_its_inverse() {
    let network = Network::zeros(CellKind::Lstm, 3, 100, 2);
    let (batch, steps, p) = (10, 50, 0.3);
    let mut dropout = Dropout::new(&network, batch, steps, p);
    dropout.draw(&mut fastrand::Rng::with_seed(11));
    let scale = 1.0 / (1.0 - p);
    let entries: Vec<f64> = dropout
        .masks
        .iter()
        .flat_map(|m| m.as_slice().iter().copied())
        .collect();
    let n = entries.len() as f64; // 2 · 500 · 100 = 100,000
    assert!(entries.iter().all(|&m| m == 0.0 || m == scale));
    let kept = entries.iter().filter(|&&m| m != 0.0).count() as f64 / n;
    let sigma = (p * (1.0 - p) / n).sqrt(); // about 0.0014
    assert!((kept - (1.0 - p)).abs() < 5.0 * sigma, "kept {kept}");
    let mean = entries.iter().sum::<f64>() / n; // the expected value is 1
    assert!((mean - 1.0).abs() < 5.0 * sigma * scale, "mean {mean}");
    // Every layer, stream and step gets its own draws.
    assert_ne!(dropout.mask(0, 0, 0), dropout.mask(1, 0, 0));
    assert_ne!(dropout.mask(0, 0, 0), dropout.mask(0, 1, 0));
    assert_ne!(dropout.mask(0, 0, 0), dropout.mask(0, 0, 1));
    // The same generator state, the same masks; the draws are L·B·T·H numbers.
    let mut rng = fastrand::Rng::with_seed(11);
    let mut again = Dropout::new(&network, batch, steps, p);
    again.draw(&mut rng);
    assert_eq!(again, dropout);
    let mut counted = fastrand::Rng::with_seed(11);
    for _ in 0..entries.len() {
        counted.f64();
    }
    assert_eq!(rng, counted);
}

#[test]
fn dropout_with_p_zero_draws_nothing_and_masks_nothing() {
    let network = Network::zeros(CellKind::Gru, 3, 4, 2);
    let mut dropout = Dropout::new(&network, 2, 3, 0.0);
    let mut rng = fastrand::Rng::with_seed(1);
    let before = rng.clone();
    dropout.draw(&mut rng);
    assert_eq!(rng, before);
    assert!(!dropout.is_active());
    assert!(
        dropout
            .masks
            .iter()
            .all(|m| m.as_slice().iter().all(|&x| x == 1.0))
    );
}

#[test]
#[should_panic(expected = "it must be in [0, 1)")]
fn dropout_refuses_p_of_one() {
    Dropout::new(&Network::zeros(CellKind::Rnn, 3, 4, 2), 1, 1, 1.0);
}

#[test]
#[should_panic(expected = "it must be in [0, 1)")]
fn dropout_refuses_a_negative_p() {
    Dropout::new(&Network::zeros(CellKind::Rnn, 3, 4, 2), 1, 1, -0.1);
}

/// The passes with `masks` and without dropout: equal bit for bit (`assert_eq!` on the
/// caches, states, gradients).
fn same_as_without(cell: CellKind, masks: &Dropout) {
    let (network, chunk, state) = problem(cell);
    let (mut plain_state, mut masked_state) = (state.clone(), state.clone());
    let mut plain = NetworkCache::new(&network, B, T);
    forward(&network, &chunk, &mut plain_state, &mut plain);
    let mut masked = NetworkCache::new(&network, B, T);
    forward_with_dropout(
        &network,
        &chunk,
        &mut masked_state,
        &mut masked,
        Some(masks),
    );
    assert_eq!(masked.steps, plain.steps, "{cell}");
    assert_eq!(masked.ys, plain.ys, "{cell}");
    assert_eq!(masked_state, plain_state, "{cell}");
    let (mut plain_grads, mut masked_grads) = (
        NetworkGrads::zeros_like(&network),
        NetworkGrads::zeros_like(&network),
    );
    let (mut plain_work, mut masked_work) = (
        BackwardWork::new(&network, B, T),
        BackwardWork::new(&network, B, T),
    );
    backward(&network, &plain, &chunk, &mut plain_grads, &mut plain_work);
    let (grads, work) = (&mut masked_grads, &mut masked_work);
    backward_with_dropout(&network, &masked, &chunk, grads, work, Some(masks));
    assert_eq!(masked_grads, plain_grads, "{cell}");
    assert_eq!(masked_work.d_state, plain_work.d_state, "{cell}");
    assert_eq!(masked_work.dhs, plain_work.dhs, "{cell}");
}

#[test]
fn dropout_p_zero_equals_no_dropout_bit_for_bit() {
    for cell in CellKind::ALL {
        let network = problem(cell).0;
        let mut zero = Dropout::new(&network, B, T, 0.0);
        zero.draw(&mut fastrand::Rng::with_seed(5));
        same_as_without(cell, &zero);
        // Masks of ones with p > 0 go through the masked code: h · 1 = h exactly.
        let ones = Dropout::new(&network, B, T, 0.5);
        same_as_without(cell, &ones);
    }
}

#[test]
fn dropout_masks_what_goes_up_and_never_the_memories() {
    for cell in CellKind::ALL {
        let (network, chunk, state) = problem(cell);
        let mut dropout = fixed_masks(&network);
        let mut plain = NetworkCache::new(&network, B, T);
        forward(&network, &chunk, &mut state.clone(), &mut plain);
        // Drop everything that leaves layer 0 at step 0 of stream 0.
        dropout.masks[0].row_mut(0).fill(0.0);
        let mut masked = NetworkCache::new(&network, B, T);
        forward_with_dropout(
            &network,
            &chunk,
            &mut state.clone(),
            &mut masked,
            Some(&dropout),
        );
        // Layer 0 reads characters and its own memory: never masked, at any step.
        for t in 0..T {
            for b in 0..B {
                assert_eq!(masked.steps[t][b][0], plain.steps[t][b][0], "{cell} t {t}");
            }
        }
        // Layer 1 at step 0 of stream 0 reads zeros from below: its input product is 0.
        let mut zero_input = NetworkCache::new(&network, B, T);
        let mut no_input = network.clone();
        no_input.layers[1].w_ih.fill(0.0);
        forward_with_dropout(
            &no_input,
            &chunk,
            &mut state.clone(),
            &mut zero_input,
            Some(&dropout),
        );
        assert_eq!(
            masked.steps[0][0][1].h, zero_input.steps[0][0][1].h,
            "{cell}"
        );
    }
}

#[test]
fn dropout_is_not_used_by_the_sampler() {
    // The sampler runs the network as forward does without dropout.
    for cell in CellKind::ALL {
        let (network, chunk, _) = problem(cell);
        let mut cache = NetworkCache::new(&network, B, T);
        forward(&network, &chunk, &mut State::zeros(&network, B), &mut cache);
        let mut sampler = Sampler::new(&network);
        for t in 0..T {
            let y = sampler.step(&network, chunk.input(0, t));
            assert_eq!(y, &cache.ys[t][0], "{cell} y_{t}");
        }
    }
}

/// A small trainer on a repeated sentence: 2 layers of 6 units, 3 streams of 5 steps.
fn trainer(cell: CellKind, dropout: f64) -> (Vocab, Vec<usize>, NetworkTrainer) {
    let text = "the quick brown fox jumps over the lazy dog. ".repeat(8);
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).expect("encode");
    let mut config = Config::new(cell);
    (config.num_layers, config.hidden_size) = (2, 6);
    (config.batch_size, config.seq_length) = (3, 5);
    config.val_fraction = 0.2;
    config.dropout = dropout;
    let trainer = NetworkTrainer::new(&data, vocab.len(), config, 4).expect("trainer");
    (vocab, data, trainer)
}

#[test]
fn dropout_is_for_training_only_in_the_trainer() {
    for cell in CellKind::ALL {
        let (vocab, data, mut with) = trainer(cell, 0.5);
        for _ in 0..3 {
            with.step().expect("step");
        }
        // The same run state, with dropout off.
        let mut state = with.state();
        state.config.dropout = 0.0;
        let mut without = NetworkTrainer::from_state(&data, vocab.len(), state).expect("resume");
        assert_eq!(with.evaluate(), without.evaluate(), "{cell}: evaluation");
        assert_eq!(
            with.next_loss().to_bits(),
            without.next_loss().to_bits(),
            "{cell}"
        );
        let strategy = Strategy::ORIGINAL;
        assert_eq!(
            with.sample(30, strategy),
            without.sample(30, strategy),
            "{cell}: sampling"
        );
        // Training is where they part: one step each, different gradients.
        let (a, b) = (with.step().expect("step"), without.step().expect("step"));
        assert_ne!(
            a.loss, b.loss,
            "{cell}: the step with dropout drops something"
        );
    }
}

#[test]
fn a_step_draws_l_b_t_h_numbers_and_none_without_dropout() {
    for (p, draws) in [(0.0, 0), (0.25, 2 * 3 * 5 * 6)] {
        let (_, _, mut trainer) = trainer(CellKind::Lstm, p);
        let mut expected = trainer.rng.clone();
        for _ in 0..draws {
            expected.f64();
        }
        trainer.step().expect("step");
        assert_eq!(trainer.rng, expected, "p = {p}");
    }
}

#[test]
fn the_dropout_setting_is_checked_saved_and_defaults_to_zero() {
    let mut config = Config::new(CellKind::Gru);
    assert_eq!(config.dropout, 0.0);
    for bad in [1.0, -0.5, f64::NAN, 2.0] {
        config.dropout = bad;
        let err = config.validate().unwrap_err();
        assert!(
            matches!(
                err,
                CharRnnError::Setting {
                    name: "dropout",
                    ..
                }
            ),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("dropout probability must be in [0, 1)")
        );
    }
    let (vocab, data, mut trainer) = trainer(CellKind::Gru, 0.3);
    trainer.step().expect("step");
    let saved = NetworkCheckpoint::from_trainer(&trainer, &vocab, &data);
    let text = saved.to_text();
    assert!(text.contains("\neval_every 1000\ndropout 0.3\niteration 1\n"));
    let loaded = NetworkCheckpoint::parse(text.as_bytes()).expect("parse");
    assert_eq!(loaded.state.config.dropout, 0.3);
    // A version-2 file written before dropout existed has no such line: p = 0.
    let older = text.replace("\ndropout 0.3\n", "\n");
    let loaded = NetworkCheckpoint::parse(older.as_bytes()).expect("parse an older file");
    assert_eq!(loaded.state.config.dropout, 0.0);
    // A bad value is named, on its line.
    let bad = text.replace("\ndropout 0.3\n", "\ndropout 1.5\n");
    let err = NetworkCheckpoint::parse(bad.as_bytes()).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.starts_with("dropout "))
        .unwrap()
        + 1;
    assert!(err.to_string().contains(&format!("line {line}")), "{err}");
}
