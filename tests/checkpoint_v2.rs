//! Checkpoints of format version 2 (a network trained like char-rnn): a save and a load give
//! back every bit, for every cell and optimizer; version 1 still loads exactly as before;
//! each reader names the other version; and no damaged file makes the loader panic.
//!
//! Run with `cargo test --test checkpoint_v2`.

use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Clip, Config, NetworkTrainer};
use min_char_rnn::checkpoint::{AnyCheckpoint, Checkpoint, CheckpointErrorKind, NetworkCheckpoint};
use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
use min_char_rnn::{Hyperparams, Trainer, Vocab};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

const OPTIMIZERS: [OptimizerKind; 4] = [
    OptimizerKind::Sgd,
    OptimizerKind::Adagrad,
    OptimizerKind::Rmsprop,
    OptimizerKind::Adam,
];

fn text() -> (Vocab, Vec<usize>) {
    let text = "she sells sea shells by the sea shore. ".repeat(10);
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).expect("encode");
    (vocab, data)
}

/// The checkpoint of a small run after `steps` iterations and an evaluation, with histories.
fn checkpoint(cell: CellKind, kind: OptimizerKind, clip: Clip, steps: usize) -> NetworkCheckpoint {
    let (vocab, data) = text();
    let mut config = Config::new(cell);
    (
        config.num_layers,
        config.hidden_size,
        config.batch_size,
        config.seq_length,
    ) = (2, 3, 2, 5);
    config.optimizer = OptimizerConfig::new(kind);
    config.clip = clip;
    config.val_fraction = 0.1;
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 5).expect("trainer");
    for _ in 0..steps {
        trainer.step().expect("step");
    }
    trainer.validate();
    let mut checkpoint = NetworkCheckpoint::from_trainer(&trainer, &vocab, &data);
    checkpoint.loss_history = vec![(0, 3.25), (steps / 2, 2.5)];
    checkpoint.val_history = vec![(steps - 1, 2.75)];
    checkpoint
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("min-char-rnn-ckpt2-{name}-{}", std::process::id()))
}

/// Every number of a checkpoint's state, in a fixed order, as bits.
fn bits(c: &NetworkCheckpoint) -> Vec<u64> {
    let s = &c.state;
    let mut all = Vec::new();
    for slice in s.network.slices() {
        all.extend(slice.iter().map(|x| x.to_bits()));
    }
    for moment in s.optimizer.first.iter().chain(&s.optimizer.second) {
        all.extend(moment.iter().map(|x| x.to_bits()));
    }
    for m in s.state.h.iter().chain(&s.state.c) {
        all.extend(m.as_slice().iter().map(|x| x.to_bits()));
    }
    all.push(s.smooth_loss.to_bits());
    all.push(s.config.optimizer.learning_rate.to_bits());
    all
}

#[test]
fn save_then_load_gives_back_every_bit_for_every_cell_and_optimizer() {
    let clips = [Clip::Value(5.0), Clip::Norm(0.25), Clip::None];
    for (c, cell) in CellKind::ALL.into_iter().enumerate() {
        for (o, kind) in OPTIMIZERS.into_iter().enumerate() {
            let saved = checkpoint(cell, kind, clips[(c + o) % 3], 12);
            let path = temp_path(&format!("round-trip-{cell}-{kind}"));
            saved.save(&path).expect("save");
            let loaded = NetworkCheckpoint::load(&path).expect("load");
            let bytes = fs::read_to_string(&path).expect("read");
            let _ = fs::remove_file(&path);
            assert_eq!(loaded, saved, "{cell}, {kind}");
            assert_eq!(bits(&loaded), bits(&saved), "{cell}, {kind}");
            assert_eq!(
                loaded.to_text(),
                bytes,
                "{cell}, {kind}: written again, the same bytes"
            );
            let any = AnyCheckpoint::parse(bytes.as_bytes()).expect("any");
            assert_eq!(any, AnyCheckpoint::V2(saved));
        }
    }
}

#[test]
fn awkward_floats_round_trip_exactly() {
    let mut saved = checkpoint(CellKind::Lstm, OptimizerKind::Adam, Clip::Norm(1e-300), 4);
    let awkward = [-0.0, 5e-324, f64::MAX, 1.0 / 3.0, 0.1 + 0.2, -1e-300];
    for (k, slice) in saved.state.network.slices_mut().into_iter().enumerate() {
        slice[0] = awkward[k % awkward.len()];
    }
    saved.state.state.c[1].as_mut_slice()[0] = -f64::MAX;
    saved.state.state.h[0].as_mut_slice()[1] = -1.0;
    saved.state.best_val = Some((2, 0.0));
    let loaded = NetworkCheckpoint::parse(saved.to_text().as_bytes()).expect("parse");
    assert_eq!(bits(&loaded), bits(&saved));
    assert_eq!(loaded.state.best_val, Some((2, 0.0)));
    assert_eq!(loaded.state.config.clip, Clip::Norm(1e-300));
}

#[test]
fn the_layout_is_the_documented_one() {
    let saved = checkpoint(CellKind::Gru, OptimizerKind::Adam, Clip::Value(5.0), 6);
    let text = saved.to_text();
    let lines: Vec<&str> = text.lines().collect();
    let header: Vec<&str> = lines
        .iter()
        .take(29)
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        header,
        [
            "min-char-rnn",
            "version",
            "cell",
            "num_layers",
            "hidden_size",
            "batch_size",
            "seq_length",
            "val_fraction",
            "optimizer",
            "learning_rate",
            "decay",
            "beta1",
            "beta2",
            "epsilon",
            "learning_rate_decay",
            "decay_after",
            "clip",
            "eval_every",
            "dropout",
            "iteration",
            "optimizer_steps",
            "smooth_loss",
            "best_val",
            "rng_state",
            "data_chars",
            "data_fnv1a64",
            "train_chunks",
            "val_chunks",
            "vocab",
        ]
    );
    assert_eq!(lines[1], "version 2");
    assert_eq!(lines[2], "cell gru");
    assert_eq!(lines[16], "clip value 5.0");
    // 390 characters, chunks of 2 × 5: 39 chunks, floor(35.1) = 35 to train on.
    assert_eq!(
        (lines[24], lines[26], lines[27]),
        ("data_chars 390", "train_chunks 35", "val_chunks 4")
    );
    let blocks: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("@ "))
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    let names = saved.state.network.names();
    let mut expected: Vec<String> = names.clone();
    expected.extend(names.iter().map(|n| format!("first_{n}")));
    expected.extend(names.iter().map(|n| format!("second_{n}")));
    expected.extend(["h_0", "h_1", "loss_history", "val_history"].map(String::from));
    assert_eq!(blocks, expected);
    let w_ih_0 = format!("\n@ w_ih_0 9 {}\n", saved.vocab.len()); // (3·H, V), H = 3
    assert!(text.contains(&w_ih_0) && text.contains("\n@ b_hn_1 3 1\n"));
    assert!(text.ends_with("\nend\n"));
}

#[test]
fn each_optimizer_saves_the_moments_it_keeps() {
    for (kind, first, second) in [
        (OptimizerKind::Sgd, false, false),
        (OptimizerKind::Adagrad, false, true),
        (OptimizerKind::Rmsprop, false, true),
        (OptimizerKind::Adam, true, true),
    ] {
        let text = checkpoint(CellKind::Rnn, kind, Clip::Value(5.0), 3).to_text();
        assert_eq!(text.contains("\n@ first_w_ih_0 "), first, "{kind}");
        assert_eq!(text.contains("\n@ second_w_ih_0 "), second, "{kind}");
        assert!(!text.contains("\n@ c_0 "), "no cell state for the RNN");
    }
    let lstm = checkpoint(CellKind::Lstm, OptimizerKind::Sgd, Clip::None, 3).to_text();
    assert!(lstm.contains("\n@ c_0 2 3\n") && lstm.contains("\n@ c_1 2 3\n"));
    assert!(lstm.contains("\nclip none\n") && lstm.contains("\noptimizer sgd\n"));
}

/// A version-1 checkpoint of a small Part I run.
fn version_1() -> (Checkpoint, String) {
    let text = "she sells sea shells. ".repeat(8);
    let vocab = Vocab::from_text(&text);
    let hp = Hyperparams {
        hidden_size: 4,
        seq_length: 5,
        learning_rate: 0.1,
    };
    let mut trainer =
        Trainer::new(vocab.encode(&text).expect("encode"), vocab.len(), hp, 3).expect("trainer");
    for _ in 0..7 {
        trainer.step().expect("step");
    }
    let checkpoint = Checkpoint::from_trainer(&trainer, &vocab);
    let text = checkpoint.to_text();
    (checkpoint, text)
}

#[test]
fn version_1_still_loads_exactly_as_before() {
    let (checkpoint, text) = version_1();
    assert!(text.starts_with("min-char-rnn checkpoint\nversion 1\nhidden_size 4\n"));
    assert_eq!(Checkpoint::parse(text.as_bytes()).expect("v1"), checkpoint);
    assert_eq!(
        AnyCheckpoint::parse(text.as_bytes()).expect("any"),
        AnyCheckpoint::V1(checkpoint)
    );
    // A damaged version-1 file gets version 1's own messages through AnyCheckpoint.
    let cut = &text[..text.len() / 2];
    let any = AnyCheckpoint::parse(cut.as_bytes())
        .unwrap_err()
        .to_string();
    let v1 = Checkpoint::parse(cut.as_bytes()).unwrap_err().to_string();
    assert_eq!(any, v1);
}

#[test]
fn each_reader_names_the_other_version() {
    let (_, v1) = version_1();
    let err = NetworkCheckpoint::parse(v1.as_bytes()).unwrap_err();
    assert!(matches!(
        err.kind(),
        CheckpointErrorKind::WrongFormat {
            found: 1,
            expected: 2
        }
    ));
    assert!(err.to_string().contains("format version 1"), "{err}");
    let v2 = checkpoint(CellKind::Lstm, OptimizerKind::Rmsprop, Clip::Value(5.0), 3).to_text();
    let err = Checkpoint::parse(v2.as_bytes()).unwrap_err();
    assert!(matches!(
        err.kind(),
        CheckpointErrorKind::WrongFormat {
            found: 2,
            expected: 1
        }
    ));
    assert!(err.to_string().contains("char-rnn"), "{err}");
    for text in [v1, v2] {
        let newer = text.replacen("\nversion 1\n", "\nversion 3\n", 1).replacen(
            "\nversion 2\n",
            "\nversion 3\n",
            1,
        );
        let err = AnyCheckpoint::parse(newer.as_bytes()).unwrap_err();
        assert!(
            matches!(err.kind(), CheckpointErrorKind::NewerVersion { version: 3 }),
            "{err}"
        );
        assert!(err.to_string().contains("upgrade"), "{err}");
    }
}

/// The error `text` gives, as a message.
#[track_caller]
fn parse_error(text: &str) -> String {
    match NetworkCheckpoint::parse(text.as_bytes()) {
        Ok(_) => panic!("accepted:\n{}", &text[..text.len().min(400)]),
        Err(e) => e.to_string(),
    }
}

/// `text` with the line that starts with `prefix` replaced by `line`.
fn with_line(text: &str, prefix: &str, line: &str) -> String {
    let start = text.find(&format!("\n{prefix}")).expect("the line") + 1;
    let end = start + text[start..].find('\n').expect("its end");
    format!("{}{line}{}", &text[..start], &text[end..])
}

/// `text` with the first number of the block `name` replaced by `value`.
fn with_number(text: &str, name: &str, value: &str) -> String {
    let block = text.find(&format!("\n@ {name} ")).expect("the block") + 1;
    let start = block + text[block..].find('\n').expect("its header") + 1;
    let end = start + text[start..].find([' ', '\n']).expect("a number");
    format!("{}{value}{}", &text[..start], &text[end..])
}

#[test]
fn damaged_files_get_clear_errors() {
    let good = checkpoint(CellKind::Lstm, OptimizerKind::Adam, Clip::Value(5.0), 9).to_text();
    let cases: Vec<(String, &str)> = vec![
        (
            with_line(&good, "cell", "cell cnn"),
            "line 3: unknown cell \"cnn\"",
        ),
        (
            with_line(&good, "optimizer ", "optimizer momentum"),
            "unknown optimizer \"momentum\"",
        ),
        (
            with_line(&good, "clip", "clip twice 5"),
            "line 17: clip: expected `none`",
        ),
        (
            with_line(&good, "clip", "clip value -1.0"),
            "clipping limit must be a finite number above 0",
        ),
        (
            with_line(&good, "hidden_size", "hidden_size 0"),
            "line 5: the hidden size must be at least 1",
        ),
        (
            with_line(&good, "learning_rate ", "learning_rate 0.0"),
            "line 10: the learning rate must be",
        ),
        (
            with_line(&good, "beta2", "beta2 1.0"),
            "the beta2 must be in [0, 1)",
        ),
        (
            with_line(&good, "train_chunks", "train_chunks 7"),
            "do not match the split",
        ),
        (
            with_line(&good, "optimizer_steps", "optimizer_steps 8"),
            "one step per iteration",
        ),
        (
            with_line(&good, "best_val", "best_val 9 1.5"),
            "only 9 iteration(s) were done",
        ),
        (
            with_line(&good, "best_val", "best_val soon"),
            "best_val must be `none` or",
        ),
        (
            with_line(&good, "smooth_loss", "smooth_loss -1.0"),
            "smooth_loss is negative",
        ),
        (
            with_line(&good, "num_layers", "layers 2"),
            "line 4: expected `num_layers <value>`",
        ),
        (
            with_line(&good, "vocab", "vocab 97"),
            "at least 2 characters",
        ),
        (with_number(&good, "w_hh_1", "NaN"), "w_hh_1 holds NaN"),
        (
            with_number(&good, "w_hy", "1.0.0"),
            "w_hy: `1.0.0` is not a number",
        ),
        (with_number(&good, "second_b_y", "-1.0"), "never negative"),
        (
            with_number(&good, "h_1", "1.5"),
            "outside the range [-1, 1]",
        ),
        (
            good.replace("@ w_hh_0 12 3", "@ w_hh_0 12 4"),
            "w_hh_0 is 12 x 4",
        ),
        (
            good.replace("\n@ first_w_ih_0", "\n@ second_w_ih_0"),
            "expected the block `@ first_w_ih_0",
        ),
        (good.replace("\nend\n", "\n"), "the file ends early"),
        (
            format!("{good}more\n"),
            "unexpected text after the `end` line",
        ),
        (good.replace('\n', "\r\n"), "Windows line endings"),
        (
            good[..good.len() - 1].to_string(),
            "without a newline after `end`",
        ),
    ];
    for (text, needle) in cases {
        let message = parse_error(&text);
        assert!(
            message.contains(needle),
            "expected {needle:?} in: {message}"
        );
        assert!(message.starts_with("checkpoint"), "{message}");
    }
}

#[test]
fn no_truncation_or_flipped_byte_makes_the_loader_panic() {
    let good = checkpoint(CellKind::Gru, OptimizerKind::Rmsprop, Clip::Norm(1.0), 5).to_text();
    let bytes = good.as_bytes();
    let mut rng = fastrand::Rng::with_seed(1);
    for cut in (0..bytes.len()).step_by(37) {
        let result = catch_unwind(AssertUnwindSafe(|| NetworkCheckpoint::parse(&bytes[..cut])));
        assert!(matches!(result, Ok(Err(_))), "cut at {cut}");
        let mut flipped = bytes.to_vec();
        let at = rng.usize(..flipped.len());
        flipped[at] = rng.u8(..);
        let result = catch_unwind(AssertUnwindSafe(|| AnyCheckpoint::parse(&flipped)));
        assert!(result.is_ok(), "a flipped byte at {at} panicked");
    }
}

#[test]
fn saving_a_non_finite_value_writes_nothing() {
    let path = temp_path("non-finite");
    let good = checkpoint(CellKind::Lstm, OptimizerKind::Adagrad, Clip::Value(5.0), 4);
    good.save(&path).expect("save");
    let mut bad = good.clone();
    bad.state.network.layers[1].w_hh.as_mut_slice()[0] = f64::INFINITY;
    let err = bad.save(&path).expect_err("infinite");
    assert!(matches!(err.kind(), CheckpointErrorKind::NotFiniteValue { name } if name == "w_hh_1"));
    assert!(
        err.to_string()
            .contains("w_hh_1 holds a value that is not a finite number")
    );
    let mut bad = good.clone();
    bad.state.optimizer.second[2][0] = f64::NAN;
    assert!(
        bad.save(&path)
            .unwrap_err()
            .to_string()
            .contains("second_b_0")
    );
    assert_eq!(NetworkCheckpoint::load(&path).expect("the old file"), good);
    let _ = fs::remove_file(&path);
}

#[test]
fn a_loaded_checkpoint_resumes_the_run() {
    let (vocab, data) = text();
    let saved = checkpoint(CellKind::Gru, OptimizerKind::Adam, Clip::Norm(0.5), 10);
    let loaded = NetworkCheckpoint::parse(saved.to_text().as_bytes()).expect("parse");
    let mut a = NetworkTrainer::from_state(&data, vocab.len(), saved.state).expect("a");
    let mut b = NetworkTrainer::from_state(&data, vocab.len(), loaded.state).expect("b");
    for _ in 0..8 {
        assert_eq!(a.step().expect("a"), b.step().expect("b"));
    }
    assert_eq!(a.state(), b.state());
}
