//! Step 8, the training loop: the data pointer and memory reset, the smooth loss, learning
//! (the loss falls), determinism (same seed, same trajectory, bit for bit), and the errors.

use min_char_rnn::train::{initial_smooth_loss, loss_fun};
use min_char_rnn::{
    ForwardCache, Grads, Hyperparams, Strategy, TrainError, Trainer, Vector, Vocab,
};

const CORPUS: &str = include_str!("../data/corpus.txt");

fn trainer_for(text: &str, hidden_size: usize, seq_length: usize, seed: u64) -> (Vocab, Trainer) {
    let vocab = Vocab::from_text(text);
    let hp = Hyperparams {
        hidden_size,
        seq_length,
        learning_rate: 0.1,
    };
    let trainer = Trainer::new(vocab.encode(text).unwrap(), vocab.len(), hp, seed).unwrap();
    (vocab, trainer)
}

#[test]
fn overfitting_one_chunk_drives_the_loss_near_zero() {
    // A text of exactly T + 1 characters: every iteration trains on the same chunk from an
    // empty memory, so the network can learn it by heart.
    let (_, mut trainer) = trainer_for("the quick brown fox.", 32, 19, 1);
    let first = trainer.step().unwrap().loss;
    let mut last = first;
    for _ in 0..500 {
        last = trainer.step().unwrap().loss;
    }
    assert!(
        first > 19.0 * 2.0,
        "starts near T·ln V = {:.1}",
        19.0 * 16f64.ln()
    );
    assert!(last < 0.05, "after 500 iterations the loss is still {last}");
}

#[test]
fn the_smooth_loss_falls_well_below_its_start_on_the_corpus() {
    // The notebook's sizes on the first 10 000 characters of the shipped corpus.
    let text: String = CORPUS.chars().take(10_000).collect();
    let (vocab, mut trainer) = trainer_for(&text, 100, 25, 3);
    let start = initial_smooth_loss(vocab.len(), 25);
    assert_eq!(trainer.smooth_loss, start);
    for _ in 0..3000 {
        trainer.step().unwrap();
    }
    // After 3000 iterations the smooth loss keeps e^-3 ≈ 5% of its start and the rest is an
    // average of recent losses; untrained, it would still be at `start`.
    assert!(
        trainer.smooth_loss < 0.8 * start,
        "smooth loss {} vs start {start}",
        trainer.smooth_loss
    );
}

#[test]
fn same_seed_gives_a_bit_identical_trajectory() {
    let text: String = CORPUS.chars().take(3_000).collect();
    let run = |seed| {
        let (_, mut trainer) = trainer_for(&text, 24, 12, seed);
        let mut trace = Vec::new();
        for n in 0..200 {
            if n % 50 == 0 {
                let sample = trainer.sample(30, Strategy::ORIGINAL);
                trace.extend(sample.iter().map(|&ix| ix as u64));
            }
            trace.push(trainer.step().unwrap().loss.to_bits());
        }
        trace
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10));
}

#[test]
fn the_data_pointer_sweeps_in_chunks_and_wraps() {
    // 23 characters, T = 5: chunks start at 0, 5, 10, 15 (15 + 5 + 1 = 21 < 23); at 20,
    // 20 + 5 + 1 >= 23, so back to 0. Characters 21 and 22 are never a target.
    let (_, mut trainer) = trainer_for("abcdefghijklmnopqrstuvw", 8, 5, 1);
    let pointers: Vec<usize> = (0..9).map(|_| trainer.step().unwrap().pointer).collect();
    assert_eq!(pointers, [0, 5, 10, 15, 0, 5, 10, 15, 0]);
}

#[test]
fn the_memory_is_carried_between_chunks_and_reset_at_the_start() {
    let text = "abcdefghijklmnopqrstuvw";
    let (vocab, mut trainer) = trainer_for(text, 8, 5, 1);
    let data = vocab.encode(text).unwrap();
    let mut cache = ForwardCache::new(vocab.len(), 8, 5);
    let mut grads = Grads::zeros_like(&trainer.params);
    for n in 0..9 {
        // Predict the loss independently: from the memory the previous chunk left, or from
        // zero at the start of a sweep (iterations 0, 4, 8).
        let p = [0, 5, 10, 15][n % 4];
        let h = if n % 4 == 0 {
            Vector::zeros(8)
        } else {
            trainer.h_prev.clone()
        };
        let params = trainer.params.clone();
        let expected = loss_fun(
            &params,
            &data[p..p + 5],
            &data[p + 1..p + 6],
            &h,
            &mut cache,
            &mut grads,
        );
        let report = trainer.step().unwrap();
        assert_eq!(report.loss, expected, "iteration {n}");
        assert_eq!(&trainer.h_prev, cache.last_hidden(), "iteration {n}");
    }
}

#[test]
fn the_smooth_loss_is_a_slow_average() {
    let (vocab, mut trainer) = trainer_for("abcdefghijklmnopqrstuvw", 8, 5, 1);
    let mut expected = initial_smooth_loss(vocab.len(), 5);
    for _ in 0..10 {
        let report = trainer.step().unwrap();
        expected = expected * 0.999 + report.loss * 0.001;
        assert_eq!(report.smooth_loss, expected);
    }
}

#[test]
fn a_text_shorter_than_t_plus_one_is_an_error() {
    let hp = Hyperparams::default();
    let err = Trainer::new(vec![0, 1, 0, 1], 2, hp, 1).unwrap_err();
    assert_eq!(err, TrainError::TextTooShort { len: 4, needed: 26 });
    assert!(err.to_string().contains("at least 26"));
}

#[test]
fn a_single_distinct_character_is_an_error() {
    let hp = Hyperparams {
        seq_length: 2,
        ..Hyperparams::default()
    };
    let err = Trainer::new(vec![0; 10], 1, hp, 1).unwrap_err();
    assert_eq!(err, TrainError::TooFewDistinctChars(1));
}

#[test]
fn bad_hyperparameters_are_errors() {
    for hp in [
        Hyperparams {
            hidden_size: 0,
            ..Hyperparams::default()
        },
        Hyperparams {
            seq_length: 0,
            ..Hyperparams::default()
        },
        Hyperparams {
            learning_rate: -1.0,
            ..Hyperparams::default()
        },
        Hyperparams {
            learning_rate: f64::INFINITY,
            ..Hyperparams::default()
        },
    ] {
        assert!(matches!(
            Trainer::new([0, 1].repeat(20), 2, hp, 1),
            Err(TrainError::Config(_))
        ));
    }
}

#[test]
fn a_non_finite_loss_stops_training_and_keeps_the_parameters() {
    let (_, mut trainer) = trainer_for("abcdefghijklmnopqrstuvw", 8, 5, 1);
    trainer.step().unwrap();
    trainer.params.w_hy[(0, 0)] = f64::NAN; // poison the model
    let before = trainer.params.clone();
    let iteration = trainer.iteration;
    let err = trainer.step().unwrap_err();
    assert!(matches!(err, TrainError::Diverged { iteration: n, .. } if n == iteration));
    // No update was applied: every other parameter is as it was.
    assert_eq!(trainer.params.w_xh, before.w_xh);
    assert_eq!(trainer.params.b_y, before.b_y);
    assert_eq!(trainer.iteration, iteration);
}
