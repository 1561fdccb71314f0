//! End-to-end tests of `min-char-rnn train --cell …` (training like char-rnn), `sample` and
//! `evaluate` with every kind of checkpoint: the files a run writes (the latest checkpoint,
//! the best one, the plot), the log, resuming bit for bit, the figures `evaluate` prints
//! against the library's, and clear errors for bad inputs, without a panic and without
//! touching the user's files.
//!
//! Each test runs the built binary in its own directory on a small text with a small
//! network, so the whole file runs in seconds. Run with `cargo test --test cli_charrnn`.

use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Clip, Config, DEFAULT_VAL_FRACTION, NetworkTrainer};
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
    let cases: [(&[&str], &[&str]); 7] = [
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

/// The `name figure` pairs of a monitor line of the log (`iter N, grad norm: w_ih_0 0.0123,
/// …`), up to any note on the clipping in parentheses.
fn monitor_figures(log: &str, prefix: &str) -> Vec<(String, f64)> {
    let line = log
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in\n{log}"));
    let figures = line[prefix.len()..].split(" (").next().unwrap_or("");
    let mut pairs = Vec::new();
    for pair in figures.split(", ") {
        let (name, value) = pair.split_once(' ').expect("a name and a figure");
        let value = value
            .parse()
            .unwrap_or_else(|_| panic!("{value:?} in {line}"));
        pairs.push((name.to_string(), value));
    }
    pairs
}

/// `√(Σ v²)`, written out again.
fn l2(values: &[f64]) -> f64 {
    let mut sum = 0.0;
    for v in values {
        sum += v * v;
    }
    sum.sqrt()
}

/// Trains `cell` with `--monitor` (and `extra`) on the small text for 25 iterations, then
/// takes the same steps through the library and checks each printed figure against the
/// gradients and weights measured there by hand; returns the log.
fn monitored_run_matches_the_library(cell: CellKind, extra: &[&str], clip: Clip) -> String {
    let s = Scratch::new(&format!("monitor-{cell}"));
    let mut args = vec!["--monitor", "--seed", "7", "--plot", "m.svg"];
    args.extend(extra);
    let out = train(&s, &cell.to_string(), "25", "m.ckpt", &args);
    assert_succeeds(&out);
    let log = stdout(&out);

    let text = s.read("text.txt");
    let vocab = Vocab::from_text(&text);
    let mut config = Config::new(cell);
    (config.num_layers, config.hidden_size) = (2, 8);
    (config.batch_size, config.seq_length) = (2, 10);
    (config.val_fraction, config.clip) = (DEFAULT_VAL_FRACTION, clip);
    let data = vocab.encode(&text).expect("encode");
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 7).expect("trainer");
    let names = match cell {
        CellKind::Gru => vec![
            "w_ih_0", "w_hh_0", "b_0", "b_hn_0", "w_ih_1", "w_hh_1", "b_1", "b_hn_1", "w_hy", "b_y",
        ],
        _ => vec![
            "w_ih_0", "w_hh_0", "b_0", "w_ih_1", "w_hh_1", "b_1", "w_hy", "b_y",
        ],
    };
    for n in 0..25 {
        let before = trainer.network.clone();
        let report = trainer.step().expect("step");
        if n % 10 != 0 {
            continue;
        }
        let norms = monitor_figures(&log, &format!("iter {n}, grad norm: "));
        let ratios = monitor_figures(&log, &format!("iter {n}, update/weight: "));
        let logged: Vec<&str> = norms.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(logged, names, "iteration {n}");
        let grads = trainer.grads().slices();
        let (was, now) = (before.slices(), trainer.network.slices());
        let mut clipped = Vec::new();
        for k in 0..names.len() {
            // The log shows ‖g‖ to 4 decimals and the ratio to 3 significant figures.
            let norm = l2(grads[k]);
            assert!(
                (norms[k].1 - norm).abs() <= 0.5e-4 + 1e-12,
                "{n} {}",
                names[k]
            );
            let mut step = Vec::new();
            for i in 0..was[k].len() {
                step.push(now[k][i] - was[k][i]);
            }
            let ratio = l2(&step) / l2(was[k]);
            let off = (ratios[k].1 - ratio).abs();
            assert!(
                off <= 5.01e-3 * ratio,
                "{n} {}: {} vs {ratio}",
                names[k],
                ratios[k].1
            );
            let at_limit = grads[k].iter().filter(|g| g.abs() >= 5.0).count();
            if at_limit > 0 {
                clipped.push(format!("{} {at_limit}", names[k]));
            }
        }
        let line = log
            .lines()
            .find(|l| l.starts_with(&format!("iter {n}, grad norm: ")))
            .expect("the line");
        match clip {
            Clip::Value(_) if clipped.is_empty() => assert!(!line.contains(" ("), "{line}"),
            Clip::Value(_) => {
                let note = format!(" (clipped to ±5: {})", clipped.join(", "));
                assert!(line.ends_with(&note), "{line}");
            }
            Clip::Norm(limit) => {
                assert!(
                    report.grad_norm > limit,
                    "the test wants the clipping to act"
                );
                let note = format!(
                    " (global norm {:.4} scaled down to {limit})",
                    report.grad_norm
                );
                assert!(line.ends_with(&note), "{line}");
            }
            Clip::None => unreachable!("not tested"),
        }
    }

    let svg = s.read("m.svg");
    for of in ["layer 0", "layer 1", "the output layer"] {
        for title in [
            format!(">Gradient norm of each parameter of {of}, after clipping</text>"),
            format!(">Update-to-weight ratio of each parameter of {of}</text>"),
        ] {
            assert!(svg.contains(&title), "{title}");
        }
    }
    for name in names {
        assert_eq!(svg.matches(&format!(">{name}</text>")).count(), 2, "{name}");
    }
    log
}

#[test]
fn monitor_measures_every_slice_of_an_lstm() {
    let log = monitored_run_matches_the_library(CellKind::Lstm, &[], Clip::Value(5.0));
    assert!(log.contains("iter 20, update/weight: w_ih_0 "), "{log}");
}

#[test]
fn monitor_marks_the_steps_clipping_by_norm_scaled_down() {
    let args = ["--clip-norm", "0.01"];
    let log = monitored_run_matches_the_library(CellKind::Gru, &args, Clip::Norm(0.01));
    assert_eq!(log.matches("scaled down to 0.01)").count(), 3, "{log}");
}

#[test]
fn monitoring_a_network_changes_nothing_else() {
    let s = Scratch::new("monitor-same");
    let plain = train(&s, "lstm", "25", "a.ckpt", &["--plot", "a.svg"]);
    assert_succeeds(&plain);
    let watched = train(
        &s,
        "lstm",
        "25",
        "b.ckpt",
        &["--plot", "b.svg", "--monitor"],
    );
    assert_succeeds(&watched);
    let log = stdout(&watched);
    assert_eq!(log.matches(", grad norm: ").count(), 3, "{log}");
    let unwatched: Vec<&str> = log
        .lines()
        .filter(|l| !l.contains(", grad norm: ") && !l.contains(", update/weight: "))
        .collect();
    assert_eq!(unwatched.join("\n") + "\n", stdout(&plain));
    assert_eq!(s.read("a.ckpt"), s.read("b.ckpt"));
    assert_eq!(s.read("a.best.ckpt"), s.read("b.best.ckpt"));
    let (alone, with_panels) = (s.read("a.svg"), s.read("b.svg"));
    assert!(!alone.contains("Gradient norm") && with_panels.contains("Gradient norm"));
    assert!(stderr(&watched).contains("monitoring: gradient norms and update-to-weight ratios"));
}
