//! End-to-end tests of `min-char-rnn train --cell …` (training like char-rnn), `sample` and
//! `evaluate` with every kind of checkpoint: the files a run writes (the latest checkpoint,
//! the best one, the plot), the log, resuming bit for bit, the figures `evaluate` prints
//! against the library's, and clear errors for bad inputs, without a panic and without
//! touching the user's files.
//!
//! Each test runs the built binary in its own directory on a small text with a small
//! network, so the whole file runs in seconds. Run with `cargo test --test cli_charrnn`.

use min_char_rnn::checkpoint::{AnyCheckpoint, NetworkCheckpoint};
use min_char_rnn::{Vocab, charrnn, train};
use std::fs;
use std::process::{Command, Output};

mod scratch;
use scratch::{BIN, Scratch, assert_fails, assert_succeeds, stderr, stdout};

/// A small network, minibatch and split on the small text: 1800 characters make 90 chunks of
/// 2 × 10, 85 to train on and 5 to validate on.
const SMALL: [&str; 8] = [
    "--hidden-size",
    "8",
    "--layers",
    "2",
    "--batch-size",
    "2",
    "--seq-length",
    "10",
];

/// Trains `cell` on the small text up to `iterations`, into `checkpoint`.
fn train(s: &Scratch, cell: &str, iterations: &str, checkpoint: &str, extra: &[&str]) -> Output {
    let text = s.text();
    let mut args = vec!["train", text, "--cell", cell, "--iterations", iterations];
    args.extend(SMALL);
    args.extend([
        "--checkpoint",
        checkpoint,
        "--eval-every",
        "10",
        "--print-every",
        "10",
    ]);
    if !extra.contains(&"--sample-every") {
        args.extend(["--sample-every", "0"]);
    }
    args.extend(extra);
    s.run(&args)
}

/// The loss per character in a `val` line of the log.
fn val_loss(line: &str) -> f64 {
    let value = line
        .split("loss/char: ")
        .nth(1)
        .and_then(|v| v.split(',').next());
    value
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no loss in {line}"))
}

#[test]
fn training_an_lstm_writes_the_latest_and_the_best_checkpoint() {
    let s = Scratch::new("lstm");
    let out = train(&s, "lstm", "35", "r.ckpt", &[]);
    assert_succeeds(&out);
    let log = stdout(&out);
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines[0], "data has 1800 characters, 28 unique.");
    assert_eq!(
        lines[1],
        "90 chunks of 2 streams x 10 characters: 85 to train on (one epoch), 5 to validate on."
    );
    assert!(lines[2].starts_with("iter 0, loss: 3.33"), "{log}"); // ln 28 = 3.332
    assert!(lines[2].ends_with(", epoch 0.01"), "{log}"); // 1 / 85
    assert!(log.contains("\niter 30, loss: "), "{log}");
    let vals: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.contains(", val loss/char: "))
        .collect();
    assert_eq!(vals.len(), 4, "iterations 0, 10, 20, 30:\n{log}");
    assert!(vals[0].starts_with("iter 0, val loss/char: ") && vals[0].ends_with(", best so far"));
    assert!(log.contains("\nfinal val loss/char: "), "{log}");
    let best_line = lines.last().expect("a last line");
    assert!(best_line.starts_with("best val loss/char: "), "{log}");
    let best = vals
        .iter()
        .map(|l| val_loss(l))
        .fold(f64::INFINITY, f64::min);
    assert_eq!(val_loss(best_line), best);

    let latest = NetworkCheckpoint::load(s.path("r.ckpt")).expect("the latest checkpoint");
    let kept = NetworkCheckpoint::load(s.path("r.best.ckpt")).expect("the best checkpoint");
    assert_eq!(latest.state.iteration, 35);
    let (at, loss) = kept.state.best_val.expect("a best validation loss");
    assert_eq!(
        kept.state.iteration,
        at + 1,
        "saved right after its evaluation"
    );
    assert_eq!(latest.state.best_val, Some((at, loss)));
    assert_eq!(format!("{loss:.6}"), format!("{best:.6}"));
    assert_eq!(latest.val_history.len(), 4);
    assert!(
        s.read("r.ckpt")
            .starts_with("min-char-rnn checkpoint\nversion 2\ncell lstm\n")
    );
    let svg = s.read("loss.svg");
    assert!(
        svg.contains("validation") && svg.contains("training"),
        "the two curves"
    );
    let err = stderr(&out);
    assert!(
        err.contains("r.best.ckpt") && err.contains("2 layer(s) of 8 lstm units"),
        "{err}"
    );
}

#[test]
fn gru_checkpoints_sample_with_priming_temperature_and_argmax() {
    let s = Scratch::new("gru-sample");
    assert_succeeds(&train(&s, "gru", "20", "g.ckpt", &[]));
    for checkpoint in ["g.ckpt", "g.best.ckpt"] {
        let out = s.run(&["sample", "--checkpoint", checkpoint, "--length", "50"]);
        assert_succeeds(&out);
        assert_eq!(
            stdout(&out).chars().count(),
            51,
            "50 characters and a newline"
        );
        let args = [
            "sample",
            "--checkpoint",
            checkpoint,
            "--prime",
            "the ",
            "--argmax",
        ];
        let first = s.run(&args);
        assert_succeeds(&first);
        assert!(stdout(&first).starts_with("the "));
        assert_eq!(
            stdout(&first),
            stdout(&s.run(&args)),
            "argmax is deterministic"
        );
        let cold = s.run(&["sample", "--checkpoint", checkpoint, "--temperature", "0.5"]);
        assert_succeeds(&cold);
        // The same seed writes the same text; another seed another.
        let a = s.run(&["sample", "--checkpoint", checkpoint, "--seed", "3"]);
        let b = s.run(&["sample", "--checkpoint", checkpoint, "--seed", "3"]);
        assert_eq!(stdout(&a), stdout(&b));
    }
    let out = s.run(&["sample", "--checkpoint", "g.ckpt", "--prime", "Zebra"]);
    assert_fails(&out, 1, &["--prime", "'Z'", "28 characters"]);
    assert!(out.stdout.is_empty());
}

/// What `evaluate` prints for `loss`: the figures of `train`'s log.
fn figures(loss: f64) -> String {
    format!(
        "loss/char: {loss:.6}, perplexity: {:.3}, bits/char: {:.4}\n",
        loss.exp(),
        loss / std::f64::consts::LN_2
    )
}

#[test]
fn evaluate_prints_the_librarys_figures_for_both_versions() {
    let s = Scratch::new("evaluate");
    assert_succeeds(&train(&s, "lstm", "15", "n.ckpt", &[]));
    let text = s.text();
    let rnn = s.run(&[
        "train",
        text,
        "--iterations",
        "30",
        "--hidden-size",
        "8",
        "--seq-length",
        "10",
        "--checkpoint",
        "v1.ckpt",
    ]);
    assert_succeeds(&rnn);
    fs::write(s.path("held.txt"), "a lazy fox jumps over the quick dog.").expect("write");
    let held = fs::read_to_string(s.path("held.txt")).expect("read");
    for checkpoint in ["n.ckpt", "n.best.ckpt", "v1.ckpt"] {
        let out = s.run(&["evaluate", "--checkpoint", checkpoint, "held.txt"]);
        assert_succeeds(&out);
        let expected = match AnyCheckpoint::load(s.path(checkpoint)).expect("load") {
            AnyCheckpoint::V1(c) => {
                train::evaluate(&c.state.params, &c.vocab.encode(&held).expect("encode"))
            }
            AnyCheckpoint::V2(c) => {
                charrnn::evaluate_text(&c.state.network, &c.vocab.encode(&held).expect("encode"))
            }
        };
        assert_eq!(stdout(&out), figures(expected), "{checkpoint}");
        assert!(
            stderr(&out).contains("36 characters, 35 predictions"),
            "{}",
            stderr(&out)
        );
    }
    // Standard input works too.
    let piped = Command::new(BIN)
        .args(["evaluate", "--checkpoint", "n.ckpt", "-"])
        .current_dir(&s.0)
        .stdin(fs::File::open(s.path("held.txt")).expect("open"))
        .output()
        .expect("run");
    assert_succeeds(&piped);
    assert_eq!(
        stdout(&piped),
        stdout(&s.run(&["evaluate", "--checkpoint", "n.ckpt", "held.txt"]))
    );
}

#[test]
fn evaluate_refuses_bad_inputs() {
    let s = Scratch::new("evaluate-bad");
    assert_succeeds(&train(&s, "gru", "5", "n.ckpt", &[]));
    fs::write(s.path("odd.txt"), "the fox saw a Zebra").expect("write");
    fs::write(s.path("one.txt"), "t").expect("write");
    fs::write(s.path("empty.txt"), "").expect("write");
    let cases: [(&[&str], i32, &[&str]); 6] = [
        (&["evaluate", "--checkpoint", "n.ckpt"], 2, &["no FILE"]),
        (
            &["evaluate", "--checkpoint", "none.ckpt", "odd.txt"],
            1,
            &["none.ckpt", "no such file"],
        ),
        (
            &["evaluate", "--checkpoint", "n.ckpt", "odd.txt"],
            1,
            &["'Z'", "line 1, column 15", "vocabulary (28 characters)"],
        ),
        (
            &["evaluate", "--checkpoint", "n.ckpt", "one.txt"],
            1,
            &["no next character"],
        ),
        (
            &["evaluate", "--checkpoint", "n.ckpt", "empty.txt"],
            1,
            &["empty"],
        ),
        (
            &["evaluate", "--checkpoint", "n.ckpt", "missing.txt"],
            1,
            &["missing.txt"],
        ),
    ];
    for (args, code, needles) in cases {
        let out = s.run(args);
        assert_fails(&out, code, needles);
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn resuming_continues_bit_for_bit() {
    for (cell, optimizer) in [
        ("lstm", "rmsprop"),
        ("gru", "adam"),
        ("rnn", "sgd"),
        ("lstm", "adagrad"),
    ] {
        let s = Scratch::new(&format!("resume-{cell}-{optimizer}"));
        // An epoch is 85 iterations: the runs cross one, with the decay after it.
        let extra = [
            "--optimizer",
            optimizer,
            "--sample-every",
            "25",
            "--decay-after",
            "1",
            "--learning-rate-decay",
            "0.5",
            "--clip-norm",
            "1",
        ];
        let whole = train(&s, cell, "100", "whole.ckpt", &extra);
        assert_succeeds(&whole);
        let half = train(&s, cell, "60", "half.ckpt", &extra);
        assert_succeeds(&half);
        let rest = s.run(&[
            "train",
            "text.txt",
            "--resume",
            "half.ckpt",
            "--iterations",
            "100",
            "--eval-every",
            "10",
            "--print-every",
            "10",
            "--sample-every",
            "25",
        ]);
        assert_succeeds(&rest);
        assert!(
            stderr(&rest).contains("resuming at iteration 60"),
            "{}",
            stderr(&rest)
        );
        let what = format!("{cell}, {optimizer}");
        assert_eq!(
            s.read("whole.ckpt"),
            s.read("half.ckpt"),
            "{what}: the latest checkpoints"
        );
        assert_eq!(
            s.read("whole.best.ckpt"),
            s.read("half.best.ckpt"),
            "{what}: the best checkpoints"
        );
        let after = |log: &str| -> Vec<String> {
            log.lines()
                .skip_while(|l| !l.starts_with("iter 60,"))
                .map(String::from)
                .collect()
        };
        let (whole_log, rest_log) = (stdout(&whole), stdout(&rest));
        assert!(
            whole_log.contains("learning rate decayed by 0.5"),
            "{whole_log}"
        );
        assert_eq!(
            after(&whole_log),
            after(&rest_log),
            "{what}: the logs from iteration 60"
        );
    }
}

#[test]
fn the_originals_own_values_keep_the_original_trainer() {
    let s = Scratch::new("original");
    let text = s.text();
    let base = [
        "train",
        text,
        "--iterations",
        "120",
        "--hidden-size",
        "8",
        "--seq-length",
        "10",
    ];
    let mut plain = base.to_vec();
    plain.extend(["--checkpoint", "a.ckpt", "--plot", "a.svg"]);
    let mut same = base.to_vec();
    same.extend([
        "--checkpoint",
        "b.ckpt",
        "--plot",
        "b.svg",
        "--cell",
        "rnn",
        "--layers",
        "1",
        "--batch-size",
        "1",
        "--optimizer",
        "adagrad",
        "--clip-value",
        "5",
    ]);
    let (a, b) = (s.run(&plain), s.run(&same));
    assert_succeeds(&a);
    assert_succeeds(&b);
    assert_eq!(stdout(&a), stdout(&b));
    assert_eq!(s.read("a.ckpt"), s.read("b.ckpt"));
    assert!(
        s.read("a.ckpt")
            .starts_with("min-char-rnn checkpoint\nversion 1\n")
    );
    assert!(!s.path("a.best.ckpt").exists() && !s.path("b.best.ckpt").exists());
}

#[test]
fn bad_options_are_usage_errors() {
    let s = Scratch::new("usage");
    let text = s.text();
    let cases: [(&[&str], &[&str]); 8] = [
        (
            &["--clip-value", "1", "--clip-norm", "1"],
            &["--clip-value and --clip-norm"],
        ),
        (
            &["--cell", "cnn"],
            &["'cnn' for --cell", "rnn, lstm or gru"],
        ),
        (
            &["--optimizer", "momentum"],
            &["'momentum' for --optimizer", "adam"],
        ),
        (&["--layers", "0"], &["'0' for --layers"]),
        (&["--batch-size", "0"], &["'0' for --batch-size"]),
        (
            &["--learning-rate-decay", "1.5"],
            &["'1.5' for --learning-rate-decay"],
        ),
        (&["--decay-after", "-1"], &["'-1' for --decay-after"]),
        (&["--cell", "gru", "--monitor"], &["--monitor", "char-rnn"]),
    ];
    for (extra, needles) in cases {
        let mut args = vec!["train", text, "--iterations", "1"];
        args.extend(extra);
        let out = s.run(&args);
        assert_fails(&out, 2, needles);
        assert!(!s.path("min-char-rnn.ckpt").exists(), "{extra:?}");
    }
}

#[test]
fn a_resumed_run_keeps_its_model() {
    let s = Scratch::new("keeps");
    assert_succeeds(&train(&s, "lstm", "5", "n.ckpt", &[]));
    let before = s.read("n.ckpt");
    for (extra, needles) in [
        (
            ["--cell", "gru"],
            ["--cell gru differs from the checkpoint's lstm"],
        ),
        (
            ["--hidden-size", "9"],
            ["--hidden-size 9 differs from the checkpoint's 8"],
        ),
        (
            ["--batch-size", "3"],
            ["--batch-size 3 differs from the checkpoint's 2"],
        ),
        (
            ["--optimizer", "adam"],
            ["--optimizer adam differs from the checkpoint's rmsprop"],
        ),
    ] {
        let mut args = vec![
            "train",
            "text.txt",
            "--resume",
            "n.ckpt",
            "--iterations",
            "9",
        ];
        args.extend(extra);
        assert_fails(&s.run(&args), 2, &needles);
    }
    assert_eq!(s.read("n.ckpt"), before, "untouched");
    // A vanilla RNN checkpoint cannot be resumed as a network.
    let v1 = s.run(&[
        "train",
        "text.txt",
        "--iterations",
        "5",
        "--checkpoint",
        "v1.ckpt",
    ]);
    assert_succeeds(&v1);
    let out = s.run(&["train", "text.txt", "--resume", "v1.ckpt", "--cell", "lstm"]);
    assert_fails(&out, 1, &["format version 1", "leave out --cell lstm"]);
}

#[test]
fn the_users_files_are_never_replaced_unasked() {
    let s = Scratch::new("files");
    s.text();
    fs::write(s.path("r.best.ckpt"), "my notes\n").expect("write");
    let out = train(&s, "lstm", "3", "r.ckpt", &[]);
    assert_fails(&out, 1, &["best checkpoint", "r.best.ckpt", "--force"]);
    assert_eq!(s.read("r.best.ckpt"), "my notes\n");
    assert!(!s.path("r.ckpt").exists());
    assert_succeeds(&train(&s, "lstm", "3", "r.ckpt", &["--force"]));
    assert!(
        s.read("r.best.ckpt")
            .starts_with("min-char-rnn checkpoint\nversion 2\n")
    );
    // A new run into the same place is refused: the checkpoints are another run's.
    let out = train(&s, "lstm", "3", "r.ckpt", &[]);
    assert_fails(&out, 1, &["r.ckpt", "--resume"]);
    // The best checkpoint may not be the text.
    fs::copy(s.path("text.txt"), s.path("t.best.txt")).expect("copy");
    let out = s.run(&[
        "train",
        "t.best.txt",
        "--cell",
        "gru",
        "--checkpoint",
        "t.txt",
    ]);
    assert_fails(&out, 2, &["the best checkpoint", "same file"]);
    assert_eq!(s.read("t.best.txt"), s.read("text.txt"));
}

#[test]
fn a_text_too_short_or_a_diverging_run_is_reported() {
    let s = Scratch::new("short");
    let text = s.text();
    let out = s.run(&["train", text, "--cell", "lstm", "--iterations", "5"]); // 50 x 50 > 1800
    assert_fails(
        &out,
        1,
        &["text.txt", "fewer than one minibatch", "--batch-size"],
    );
    let out = s.run(&[
        "train",
        text,
        "--cell",
        "gru",
        "--batch-size",
        "2",
        "--seq-length",
        "10",
        "--hidden-size",
        "4",
        "--layers",
        "1",
        "--optimizer",
        "sgd",
        "--learning-rate",
        "1e300",
        "--iterations",
        "50",
        "--clip-value",
        "1e300",
    ]);
    assert_fails(&out, 1, &["diverged"]);
    assert!(
        !s.path("min-char-rnn.ckpt").exists(),
        "nothing unsound was saved"
    );
}

#[test]
fn the_vocabulary_of_a_text_is_the_checkpoints() {
    // A sanity check that the checkpoint's vocabulary is the text's, sorted.
    let s = Scratch::new("vocab");
    assert_succeeds(&train(&s, "rnn", "2", "v.ckpt", &[]));
    let checkpoint = NetworkCheckpoint::load(s.path("v.ckpt")).expect("load");
    assert_eq!(checkpoint.vocab, Vocab::from_text(&s.read("text.txt")));
}

#[test]
fn the_plain_path_writes_the_same_bytes() {
    let s = Scratch::new("plain");
    let fast = train(
        &s,
        "lstm",
        "25",
        "f.ckpt",
        &["--sample-every", "10", "--plot", "f.svg"],
    );
    assert_succeeds(&fast);
    let plain = train(
        &s,
        "lstm",
        "25",
        "p.ckpt",
        &["--sample-every", "10", "--plot", "p.svg", "--plain"],
    );
    assert_succeeds(&plain);
    assert_eq!(stdout(&fast), stdout(&plain));
    assert_eq!(s.read("f.ckpt"), s.read("p.ckpt"));
    assert_eq!(s.read("f.best.ckpt"), s.read("p.best.ckpt"));
    assert_eq!(s.read("f.svg"), s.read("p.svg"));
}
