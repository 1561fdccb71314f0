//! Training like char-rnn (`min_char_rnn::charrnn`): the split of the chunks into training and
//! validation as char-rnn's loader makes it, the epoch figure, the learning-rate decay, the
//! memories reset at each epoch, clipping, the validation loss against an independent
//! computation, and resuming bit for bit for every cell and optimizer.
//!
//! Run with `cargo test --test charrnn`.

use min_char_rnn::batch::{Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{
    CharRnnError, Clip, Config, NetworkTrainer, evaluate_text, split_sizes,
};
use min_char_rnn::checkpoint::NetworkCheckpoint;
use min_char_rnn::clip::global_norm;
use min_char_rnn::fast::network::Fast;
use min_char_rnn::network::{self, Network, NetworkCache, State};
use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
use min_char_rnn::{Strategy, Vocab};

const OPTIMIZERS: [OptimizerKind; 4] = [
    OptimizerKind::Sgd,
    OptimizerKind::Adagrad,
    OptimizerKind::Rmsprop,
    OptimizerKind::Adam,
];

/// A small configuration: `L` layers of `H` units, `B` streams of `T` steps.
fn small(cell: CellKind, layers: usize, hidden: usize, batch: usize, steps: usize) -> Config {
    let mut config = Config::new(cell);
    config.num_layers = layers;
    config.hidden_size = hidden;
    config.batch_size = batch;
    config.seq_length = steps;
    config
}

/// A text with some structure, as indices.
fn text() -> (Vocab, Vec<usize>) {
    let text =
        "the quick brown fox jumps over the lazy dog. a stitch in time saves nine. ".repeat(6);
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).expect("encode");
    (vocab, data)
}

#[test]
fn split_sizes_follow_char_rnns_loader() {
    // ntrain = floor(nbatches · train_frac), nval = nbatches − ntrain, train_frac = 1 − val.
    assert_eq!(split_sizes(100, 0.05), (95, 5));
    assert_eq!(split_sizes(30, 0.05), (28, 2)); // 28.5 → 28
    assert_eq!(split_sizes(19, 0.05), (18, 1)); // 18.05 → 18
    assert_eq!(split_sizes(10, 0.5), (5, 5));
    assert_eq!(split_sizes(7, 0.0), (7, 0));
    assert_eq!(split_sizes(1, 0.05), (0, 1));
}

#[test]
fn the_validation_split_is_the_last_chunks_of_every_stream() {
    // 60 characters whose indices are their positions, B = 2, T = 3: 10 chunks, streams of
    // S = 30; val_fraction 0.2 → 8 chunks to train on, chunks 8 and 9 to validate on.
    let data: Vec<usize> = (0..60).collect();
    let mut config = small(CellKind::Rnn, 1, 2, 2, 3);
    config.val_fraction = 0.2;
    let trainer = NetworkTrainer::new(&data, 60, config, 1).expect("trainer");
    assert_eq!((trainer.train_chunks(), trainer.val_chunks()), (8, 2));
    let batches = trainer.batches();
    assert_eq!((batches.len(), batches.stream_len()), (10, 30));
    let expected = [
        // chunk 8: stream 0 reads 24..27, stream 1 reads 54..57
        Chunk::new(
            2,
            3,
            vec![24, 25, 26, 54, 55, 56],
            vec![25, 26, 27, 55, 56, 57],
        ),
        // chunk 9: the last target of stream 0 is the first character of stream 1, and the
        // very last one wraps around to the first character of the text
        Chunk::new(
            2,
            3,
            vec![27, 28, 29, 57, 58, 59],
            vec![28, 29, 30, 58, 59, 0],
        ),
    ];
    assert_eq!(batches.chunk(8), expected[0]);
    assert_eq!(batches.chunk(9), expected[1]);
    // And the first training chunk is the start of each stream.
    assert_eq!(
        batches.chunk(0),
        Chunk::new(2, 3, vec![0, 1, 2, 30, 31, 32], vec![1, 2, 3, 31, 32, 33])
    );
}

#[test]
fn a_text_too_short_for_the_split_is_refused() {
    let data: Vec<usize> = (0..20).map(|i| i % 4).collect();
    // One chunk of 4 × 5: nothing left to train on after holding 5% out.
    let err = NetworkTrainer::new(&data, 4, small(CellKind::Lstm, 1, 2, 4, 5), 1).unwrap_err();
    assert!(
        matches!(
            err,
            CharRnnError::Split {
                chunks: 1,
                train: 0,
                val: 1,
                ..
            }
        ),
        "{err}"
    );
    // Shorter than one chunk.
    let err = NetworkTrainer::new(&data, 4, small(CellKind::Lstm, 1, 2, 5, 5), 1).unwrap_err();
    assert!(matches!(err, CharRnnError::Batches(_)), "{err}");
    // Asking for validation where the split leaves none.
    let mut config = small(CellKind::Gru, 1, 2, 1, 5);
    config.val_fraction = 0.1; // 4 chunks: floor(3.6) = 3 and 1: fine
    assert!(NetworkTrainer::new(&data, 4, config.clone(), 1).is_ok());
    config.val_fraction = 0.01; // floor(3.96) = 3 and 1: fine too
    assert!(NetworkTrainer::new(&data, 4, config, 1).is_ok());
    let err =
        NetworkTrainer::new(&[0, 0, 0, 0, 0], 1, small(CellKind::Rnn, 1, 2, 1, 2), 1).unwrap_err();
    assert_eq!(err, CharRnnError::TooFewDistinctChars(1));
}

#[test]
fn bad_settings_are_named() {
    let mut config = Config::new(CellKind::Lstm);
    config.num_layers = 0;
    assert_eq!(
        config.validate().unwrap_err().to_string(),
        "the number of layers must be at least 1, not 0"
    );
    let mut config = Config::new(CellKind::Lstm);
    config.optimizer.learning_rate = -1.0;
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("learning rate")
    );
    let mut config = Config::new(CellKind::Lstm);
    config.learning_rate_decay = 1.5;
    assert!(config.validate().unwrap_err().to_string().contains("decay"));
    let mut config = Config::new(CellKind::Lstm);
    config.clip = Clip::Value(f64::NAN);
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("clipping")
    );
    let mut config = Config::new(CellKind::Lstm);
    config.val_fraction = 1.0;
    assert!(
        config
            .validate()
            .unwrap_err()
            .to_string()
            .contains("validation")
    );
}

#[test]
fn char_rnns_defaults() {
    let config = Config::new(CellKind::Lstm);
    assert_eq!(
        (
            config.num_layers,
            config.hidden_size,
            config.batch_size,
            config.seq_length
        ),
        (2, 128, 50, 50)
    );
    assert_eq!(
        config.optimizer,
        OptimizerConfig::new(OptimizerKind::Rmsprop)
    );
    assert_eq!(
        (config.optimizer.learning_rate, config.optimizer.decay),
        (2e-3, 0.95)
    );
    assert_eq!(config.clip, Clip::Value(5.0));
    assert_eq!(config.val_fraction, 0.05);
    assert_eq!(
        (config.learning_rate_decay, config.decay_after),
        (0.97, 10.0)
    );
    assert_eq!(config.eval_every, 1000);
}

#[test]
fn the_epoch_is_iterations_done_over_chunks_per_epoch() {
    let data: Vec<usize> = (0..120).map(|i| (i * 7) % 5).collect();
    let mut config = small(CellKind::Gru, 1, 3, 2, 5); // 12 chunks
    config.val_fraction = 0.25; // 9 for training
    let mut trainer = NetworkTrainer::new(&data, 5, config, 3).expect("trainer");
    assert_eq!(trainer.train_chunks(), 9);
    for i in 1..=20 {
        let report = trainer.step().expect("step");
        assert_eq!(report.iteration, i - 1);
        assert_eq!(report.chunk, (i - 1) % 9);
        assert_eq!(report.epoch, i as f64 / 9.0); // char-rnn's `epoch = i / ntrain`
        assert_eq!(trainer.epoch(), i as f64 / 9.0);
        assert_eq!(trainer.next_chunk(), i % 9);
    }
}

#[test]
fn the_memories_start_from_zero_at_every_epoch() {
    let data: Vec<usize> = (0..90).map(|i| (i * i + 3 * i) % 6).collect();
    let mut config = small(CellKind::Lstm, 2, 4, 3, 5); // 6 chunks
    config.val_fraction = 0.0;
    let mut trainer = NetworkTrainer::new(&data, 6, config, 5).expect("trainer");
    for _ in 0..6 {
        trainer.step().expect("step"); // one epoch
    }
    assert!(
        trainer.carried_state().h[1]
            .as_slice()
            .iter()
            .any(|&h| h != 0.0)
    );
    // The first step of epoch 2 reads chunk 0 from zero memories, with the weights as they are.
    let network = trainer.network.clone();
    let chunk = Batches::new(&data, 3, 5).expect("batches").chunk(0);
    let mut state = State::zeros(&network, 3);
    let mut cache = NetworkCache::new(&network, 3, 5);
    network::forward(&network, &chunk, &mut state, &mut cache);
    let expected = network::loss(&cache, &chunk);
    let report = trainer.step().expect("step");
    assert_eq!((report.chunk, report.loss), (0, expected));
    assert_eq!(trainer.carried_state(), &state); // and carries what that chunk left
}

#[test]
fn the_learning_rate_decays_after_each_epoch_from_decay_after_on() {
    let data: Vec<usize> = (0..80).map(|i| i % 4).collect();
    let mut config = small(CellKind::Rnn, 1, 3, 2, 5); // 8 chunks
    config.val_fraction = 0.5; // 4 for training: an epoch is 4 iterations
    config.optimizer = OptimizerConfig::new(OptimizerKind::Adam);
    config.optimizer.learning_rate = 0.01;
    config.learning_rate_decay = 0.5;
    config.decay_after = 2.0;
    let mut trainer = NetworkTrainer::new(&data, 4, config, 1).expect("trainer");
    let mut rates = Vec::new();
    let mut decays = Vec::new();
    for _ in 0..16 {
        let report = trainer.step().expect("step");
        rates.push(report.learning_rate);
        decays.push(report.decayed);
    }
    // Epochs 1 and 2 at 0.01; the end of epoch 2 (i = 8) is the first decay; then each epoch.
    let expected: Vec<f64> = (0..16)
        .map(|n| match n / 4 {
            0 | 1 => 0.01,
            2 => 0.01 * 0.5,
            _ => 0.01 * 0.5 * 0.5,
        })
        .collect();
    assert_eq!(rates, expected);
    let at: Vec<usize> = (0..16).filter(|&n| decays[n].is_some()).collect();
    assert_eq!(at, [7, 11, 15]); // the last iteration of epochs 2, 3, 4
    assert_eq!(decays[15], Some(0.01 * 0.5 * 0.5 * 0.5));
    assert_eq!(trainer.optimizer.learning_rate(), 0.01 * 0.5 * 0.5 * 0.5);

    // A decay of 1 never changes the rate; a fractional decay_after waits for the next whole
    // epoch (char-rnn compares `epoch >= learning_rate_decay_after` at whole epochs).
    let mut config = trainer.config().clone();
    config.learning_rate_decay = 0.5;
    config.decay_after = 1.5;
    let mut late = NetworkTrainer::new(&data, 4, config, 1).expect("trainer");
    let first: Vec<usize> = (0..12)
        .filter(|_| late.step().expect("step").decayed.is_some())
        .collect();
    assert_eq!(first.len(), 2); // after epochs 2 and 3, not after epoch 1
}

#[test]
fn clipping_by_value_and_by_norm() {
    let (vocab, data) = text();
    for clip in [Clip::Value(1e-3), Clip::Norm(1e-2)] {
        let mut config = small(CellKind::Lstm, 2, 6, 2, 8);
        config.clip = clip;
        let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 9).expect("trainer");
        let report = trainer.step().expect("step");
        let grads = trainer.grads().slices();
        match clip {
            Clip::Value(limit) => {
                assert!(report.grad_norm > limit);
                assert!(grads.iter().all(|g| g.iter().all(|x| x.abs() <= limit)));
                assert!(grads.iter().any(|g| g.iter().any(|x| x.abs() == limit)));
            }
            Clip::Norm(limit) => {
                assert!(report.grad_norm > limit, "{}", report.grad_norm);
                let norm = global_norm(&grads);
                assert!((norm - limit).abs() <= 1e-15, "{norm}");
            }
            Clip::None => unreachable!(),
        }
    }
}

#[test]
fn evaluation_is_the_mean_forward_loss_over_the_validation_chunks() {
    let (vocab, data) = text();
    for cell in CellKind::ALL {
        let mut config = small(cell, 2, 5, 3, 7);
        config.val_fraction = 0.2;
        let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 11).expect("trainer");
        for _ in 0..5 {
            trainer.step().expect("step");
        }
        let carried = trainer.carried_state().clone();
        let evaluated = trainer.evaluate().expect("a validation split");

        // Independently: the chunks by char-rnn's rule, zero memories carried through the
        // validation chunks, the mean of their mean losses.
        let network = &trainer.network;
        let batches = Batches::new(&data, 3, 7).expect("batches");
        let (train, val) = split_sizes(batches.len(), 0.2);
        assert_eq!((train, val), (trainer.train_chunks(), trainer.val_chunks()));
        let mut state = State::zeros(network, 3);
        let mut cache = NetworkCache::new(network, 3, 7);
        let mut total = 0.0;
        for k in train..batches.len() {
            let chunk = batches.chunk(k);
            network::forward(network, &chunk, &mut state, &mut cache);
            total += network::loss(&cache, &chunk);
        }
        assert_eq!(evaluated, total / val as f64, "{cell}");
        assert_eq!(
            trainer.carried_state(),
            &carried,
            "evaluating left the memories alone"
        );
    }
}

#[test]
fn validation_keeps_the_best_loss() {
    let (vocab, data) = text();
    let mut config = small(CellKind::Gru, 1, 16, 2, 10);
    config.val_fraction = 0.1;
    config.optimizer.learning_rate = 1e-2;
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 2).expect("trainer");
    assert_eq!(trainer.best_val(), None);
    trainer.step().expect("step");
    let first = trainer.validate().expect("validation");
    assert!(first.best && first.iteration == 0);
    for _ in 0..40 {
        trainer.step().expect("step");
    }
    let later = trainer.validate().expect("validation");
    assert!(later.loss < first.loss, "{} vs {}", later.loss, first.loss);
    assert!(later.best);
    assert_eq!(trainer.best_val(), Some((40, later.loss)));
    // A worse network does not replace the best.
    for w in trainer.network.w_hy.as_mut_slice() {
        *w *= 50.0;
    }
    let worse = trainer.validate().expect("validation");
    assert!(!worse.best && worse.loss > later.loss);
    assert_eq!(trainer.best_val(), Some((40, later.loss)));
}

#[test]
fn training_learns() {
    let (vocab, data) = text();
    for cell in CellKind::ALL {
        let mut config = small(cell, 2, 24, 4, 10);
        config.val_fraction = 0.1;
        config.optimizer.learning_rate = 1e-2;
        let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 4).expect("trainer");
        let before = trainer.evaluate().expect("validation");
        assert!(
            (before - (vocab.len() as f64).ln()).abs() < 0.05,
            "{before}"
        );
        for _ in 0..150 {
            trainer.step().expect("step");
        }
        let after = trainer.evaluate().expect("validation");
        assert!(after < 0.75 * before, "{cell}: {before} → {after}");
    }
}

#[test]
fn evaluate_text_reads_one_stream_from_zero_memories() {
    let (vocab, data) = text();
    let data = &data[..120];
    for cell in CellKind::ALL {
        let network = Network::new(cell, vocab.len(), 6, 2, 8);
        // One chunk of one stream over the whole text: the same loss, independently.
        let chunk = Chunk::single(&data[..data.len() - 1], &data[1..]);
        let mut state = State::zeros(&network, 1);
        let mut cache = NetworkCache::new(&network, 1, data.len() - 1);
        network::forward(&network, &chunk, &mut state, &mut cache);
        let expected = network::loss(&cache, &chunk);
        let got = evaluate_text(&network, data);
        assert!(
            (got - expected).abs() <= 1e-12 * expected,
            "{cell}: {got} vs {expected}"
        );
    }
}

/// Steps, samples and evaluations of `n` iterations, for comparing two runs.
fn run(trainer: &mut NetworkTrainer, n: usize) -> Vec<String> {
    let mut log = Vec::new();
    for _ in 0..n {
        if trainer.iteration() % 7 == 0 {
            log.push(format!("{:?}", trainer.sample(20, Strategy::ORIGINAL)));
        }
        log.push(format!("{:?}", trainer.step().expect("step")));
        if trainer.iteration() % 5 == 0 {
            log.push(format!("{:?}", trainer.validate()));
        }
    }
    log
}

#[test]
fn resuming_is_bit_identical_for_every_cell_and_optimizer() {
    let (vocab, data) = text();
    let clips = [Clip::Value(0.05), Clip::Norm(0.1), Clip::None];
    for (c, cell) in CellKind::ALL.into_iter().enumerate() {
        for (o, kind) in OPTIMIZERS.into_iter().enumerate() {
            for dropout in [0.0, 0.4] {
                check_resume(
                    &vocab,
                    &data,
                    (c, cell),
                    (o, kind),
                    clips[(c + o) % 3],
                    dropout,
                );
            }
        }
    }
}

/// `n + m` iterations in one run equal `n`, a save to a checkpoint's text and a load, and `m`
/// more: logs, weights, the whole state.
fn check_resume(
    vocab: &Vocab,
    data: &[usize],
    (c, cell): (usize, CellKind),
    (o, kind): (usize, OptimizerKind),
    clip: Clip,
    dropout: f64,
) {
    let mut config = small(cell, 2, 5, 3, 6);
    config.dropout = dropout;
    config.optimizer = OptimizerConfig::new(kind);
    config.clip = clip;
    config.val_fraction = 0.15;
    config.learning_rate_decay = 0.9;
    config.decay_after = 1.0;
    let seed = (10 * c + o) as u64;
    let mut whole = NetworkTrainer::new(data, vocab.len(), config.clone(), seed).expect("trainer");
    let mut first = NetworkTrainer::new(data, vocab.len(), config, seed).expect("trainer");
    assert!(whole.train_chunks() < 25, "the runs cross epochs");
    let (n, m) = (23, 31);
    let log_whole = run(&mut whole, n + m);
    let mut log_parts = run(&mut first, n);
    // Save to the text of a checkpoint and load it back, then go on.
    let saved = NetworkCheckpoint::from_trainer(&first, vocab, data);
    let loaded = NetworkCheckpoint::parse(saved.to_text().as_bytes()).expect("parse");
    assert_eq!(loaded, saved);
    assert_eq!(loaded.state.config.dropout, dropout);
    let mut second = NetworkTrainer::from_state(data, vocab.len(), loaded.state).expect("resume");
    log_parts.extend(run(&mut second, m));
    let what = format!("{cell}, {kind}, dropout {dropout}");
    assert_eq!(log_parts, log_whole, "{what}: the logs");
    assert_eq!(second.network, whole.network, "{what}: the weights");
    assert_eq!(second.state(), whole.state(), "{what}: the whole state");
    assert_eq!(second.smooth_loss.to_bits(), whole.smooth_loss.to_bits());
}

#[test]
fn a_state_that_does_not_fit_is_refused() {
    let (vocab, data) = text();
    let trainer = NetworkTrainer::new(&data, vocab.len(), small(CellKind::Lstm, 2, 4, 2, 5), 1)
        .expect("trainer");
    let mut state = trainer.state();
    state.config.hidden_size = 5;
    let err = NetworkTrainer::from_state(&data, vocab.len(), state).unwrap_err();
    assert!(matches!(err, CharRnnError::State(_)), "{err}");
    let mut state = trainer.state();
    state.state = State::zeros(&trainer.network, 3);
    assert!(NetworkTrainer::from_state(&data, vocab.len(), state).is_err());
    let mut state = trainer.state();
    state.optimizer.second.pop();
    assert!(NetworkTrainer::from_state(&data, vocab.len(), state).is_err());
    let state = trainer.state();
    assert!(NetworkTrainer::from_state(&data, vocab.len() + 1, state).is_err());
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let (vocab, data) = text();
    let config = small(CellKind::Gru, 1, 8, 2, 6);
    let new =
        |seed| NetworkTrainer::new(&data, vocab.len(), config.clone(), seed).expect("trainer");
    let (mut a, mut b) = (new(77), new(77));
    assert_eq!(run(&mut a, 12), run(&mut b, 12));
    assert_ne!(new(77).network, new(78).network);
}

#[test]
fn a_diverging_step_is_reported_and_not_applied() {
    let (vocab, data) = text();
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), small(CellKind::Rnn, 1, 4, 2, 5), 1)
        .expect("trainer");
    trainer.network.b_y.as_mut_slice()[0] = f64::NAN;
    let before = trainer.network.clone();
    let err = trainer.step().unwrap_err();
    assert!(
        matches!(err, CharRnnError::Diverged { iteration: 0, .. }),
        "{err}"
    );
    assert_eq!(format!("{:?}", trainer.network), format!("{before:?}"));
    assert_eq!(trainer.iteration(), 0);
}

#[test]
fn a_fast_engine_trains_to_the_same_bits() {
    let (vocab, data) = text();
    for (k, cell) in CellKind::ALL.into_iter().enumerate() {
        for dropout in [0.0, 0.3] {
            let mut config = small(cell, 2, 6, 3, 7);
            config.optimizer = OptimizerConfig::new(OPTIMIZERS[k + 1]);
            config.val_fraction = 0.2;
            config.dropout = dropout;
            let mut plain =
                NetworkTrainer::new(&data, vocab.len(), config.clone(), 3).expect("plain");
            let mut quick = NetworkTrainer::new(&data, vocab.len(), config, 3)
                .expect("fast")
                .with_engine(Fast::with_threads(2));
            let what = format!("{cell}, dropout {dropout}");
            assert_eq!(run(&mut quick, 30), run(&mut plain, 30), "{what}");
            assert_eq!(quick.state(), plain.state(), "{what}");
            assert_eq!(quick.next_loss().to_bits(), plain.next_loss().to_bits());
        }
    }
}
