//! End-to-end tests of the `min-char-rnn` binary: what it prints, what it saves, that resuming
//! continues a run bit for bit, and that every bad input gives a clear message and the right
//! exit code without a panic.
//!
//! Each test runs the built binary in its own directory under the system's temp directory, on
//! a small text with a small network, so the whole file runs in seconds.

use std::fs;
use std::process::{Command, Output, Stdio};

mod scratch;
use scratch::{BIN, Scratch, assert_fails, assert_succeeds, stderr, stdout};

/// A small network on a small text: fast, and still learns.
const SMALL: [&str; 4] = ["--hidden-size", "16", "--seq-length", "10"];

/// Trains on the small text up to `iterations`, saving `checkpoint`; returns stdout.
fn train_small(s: &Scratch, iterations: &str, checkpoint: &str, extra: &[&str]) -> Output {
    let text = s.text();
    let mut args = vec!["train", text, "--iterations", iterations];
    args.extend(SMALL);
    args.extend(["--checkpoint", checkpoint]);
    args.extend(extra);
    s.run(&args)
}

#[test]
fn no_command_trains_on_the_built_in_corpus_and_says_where_it_saved() {
    let s = Scratch::new("builtin");
    let out = s.run(&["--iterations", "101"]);
    assert_succeeds(&out);
    let log = stdout(&out);
    let mut lines = log.lines();
    assert_eq!(lines.next(), Some("data has 53467 characters, 71 unique."));
    assert_eq!(lines.next(), Some("----"), "a sample before iteration 0");
    assert!(log.contains("\niter 0, loss: 106.5"), "{log}"); // T · ln 71 = 106.57
    assert!(log.contains("\niter 100, loss: "), "{log}");
    assert!(s.path("min-char-rnn.ckpt").is_file());
    assert!(s.path("loss.svg").is_file());
    let err = stderr(&out);
    assert!(
        err.contains("min-char-rnn.ckpt") && err.contains("loss.svg"),
        "{err}"
    );
}

#[test]
fn the_log_has_the_originals_format() {
    let s = Scratch::new("format");
    let out = train_small(&s, "250", "c.ckpt", &["--sample-every", "200"]);
    assert_succeeds(&out);
    let log = stdout(&out);
    assert!(
        log.starts_with("data has 1800 characters, 28 unique.\n"),
        "{log}"
    );
    for n in [0, 100, 200] {
        let line = log
            .lines()
            .find(|l| l.starts_with(&format!("iter {n}, loss: ")))
            .unwrap_or_else(|| panic!("no line for iteration {n}:\n{log}"));
        let value = line.rsplit(' ').next().unwrap_or("");
        let decimals = value.split('.').nth(1).map_or(0, str::len);
        assert_eq!(decimals, 6, "6 decimals, as '%f': {line}");
        assert!(value.parse::<f64>().is_ok(), "{line}");
    }
    // '----\n %s \n----': two samples (before iterations 0 and 200), each framed.
    assert_eq!(log.matches("----\n ").count(), 2, "{log}");
    assert_eq!(log.matches(" \n----\n").count(), 2, "{log}");
}

#[test]
fn same_seed_same_output_byte_for_byte() {
    let s = Scratch::new("determinism");
    let first = train_small(&s, "300", "a.ckpt", &["--sample-every", "100"]);
    let second = train_small(&s, "300", "b.ckpt", &["--sample-every", "100"]);
    assert_succeeds(&first);
    assert_eq!(first.stdout, second.stdout);
    let third = train_small(
        &s,
        "300",
        "c.ckpt",
        &["--sample-every", "100", "--seed", "7"],
    );
    assert_ne!(first.stdout, third.stdout, "another seed, other weights");
    let a = fs::read(s.path("a.ckpt")).expect("a.ckpt");
    assert_eq!(a, fs::read(s.path("b.ckpt")).expect("b.ckpt"));
}

#[test]
fn no_control_characters_when_stderr_is_not_a_terminal() {
    let s = Scratch::new("no-progress");
    let out = train_small(&s, "300", "c.ckpt", &[]);
    assert_succeeds(&out);
    for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let control = bytes.iter().find(|&&b| b < 0x20 && b != b'\n');
        assert_eq!(control, None, "{name} has a control character");
    }
}

/// The lines from `iter 1000` on, and every sample after it.
fn from_iteration(log: &str, n: usize) -> String {
    let start = log
        .find(&format!("iter {n}, "))
        .unwrap_or_else(|| panic!("no iteration {n} in:\n{log}"));
    // Include the sample drawn just before iteration n, if any.
    let before = &log[..start];
    let sample_start = match before.rfind("----\n ") {
        Some(k) if !before[k..].contains("\niter ") => k,
        _ => start,
    };
    log[sample_start..].to_string()
}

#[test]
fn resuming_continues_bit_for_bit() {
    let s = Scratch::new("resume");
    let every = ["--print-every", "50", "--sample-every", "500"];
    let mut extra = every.to_vec();
    extra.extend(["--checkpoint-every", "300"]);
    let whole = train_small(&s, "2000", "whole.ckpt", &extra);
    assert_succeeds(&whole);
    let first = train_small(&s, "1000", "part.ckpt", &extra);
    assert_succeeds(&first);
    let mut args = vec!["train", "text.txt", "--resume", "part.ckpt"];
    args.extend(["--iterations", "2000"]);
    args.extend(&extra);
    let second = s.run(&args);
    assert_succeeds(&second);

    let whole_log = stdout(&whole);
    let resumed_log = stdout(&second);
    let expected = from_iteration(&whole_log, 1000);
    assert!(
        expected.starts_with("----\n "),
        "a sample at iteration 1000"
    );
    assert_eq!(from_iteration(&resumed_log, 1000), expected);
    assert!(resumed_log.ends_with(&expected));
    // The checkpoints and plots at 2000 are identical too (history included).
    let whole_ckpt = fs::read(s.path("whole.ckpt")).expect("whole.ckpt");
    assert_eq!(
        fs::read(s.path("part.ckpt")).expect("part.ckpt"),
        whole_ckpt
    );
}

#[test]
fn resuming_with_validation_continues_bit_for_bit() {
    let s = Scratch::new("resume-val");
    let extra = [
        "--val-fraction",
        "0.2",
        "--sample-every",
        "0",
        "--eval-every",
        "100",
    ];
    let whole = train_small(&s, "400", "whole.ckpt", &extra);
    assert_succeeds(&whole);
    assert_succeeds(&train_small(&s, "200", "part.ckpt", &extra));
    // The split comes from the checkpoint: no --val-fraction needed.
    let second = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "part.ckpt",
        "--iterations",
        "400",
        "--eval-every",
        "100",
    ]);
    assert_succeeds(&second);
    let expected = from_iteration(&stdout(&whole), 200);
    assert!(expected.contains("iter 200, val loss/char: "), "{expected}");
    assert!(expected.contains("final train loss/char: "), "{expected}");
    assert!(expected.contains("final val loss/char: "), "{expected}");
    assert!(expected.contains("perplexity: ") && expected.contains("bits/char: "));
    assert_eq!(from_iteration(&stdout(&second), 200), expected);
}

#[test]
fn resume_rejects_a_different_shape_or_seed() {
    let s = Scratch::new("resume-conflict");
    assert_succeeds(&train_small(&s, "20", "c.ckpt", &[]));
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "c.ckpt",
        "--hidden-size",
        "8",
    ]);
    assert_fails(
        &out,
        2,
        &["--hidden-size 8 differs from the checkpoint's 16"],
    );
    let out = s.run(&["train", "text.txt", "--resume", "c.ckpt", "--seed", "1"]);
    assert_fails(&out, 2, &["--seed cannot be used with --resume"]);
}

#[test]
fn resuming_on_a_text_with_unknown_characters_is_an_error() {
    let s = Scratch::new("resume-unknown");
    assert_succeeds(&train_small(&s, "20", "c.ckpt", &[]));
    let other = "the quick brown fox jumps over the lazy dog. Zebra ".repeat(3);
    fs::write(s.path("other.txt"), other).expect("write other.txt");
    let out = s.run(&[
        "train",
        "other.txt",
        "--resume",
        "c.ckpt",
        "--iterations",
        "40",
    ]);
    assert_fails(
        &out,
        1,
        &[
            "'Z' (U+005A) at line 1, column 46",
            "not in the vocabulary of c.ckpt",
        ],
    );
}

#[test]
fn the_plot_is_valid_svg_with_escaped_text() {
    let s = Scratch::new("plot");
    let text = "a & b < c > d \"e\" 'f' ".repeat(30);
    fs::write(s.path("R&D <notes>.txt"), text).expect("write the text");
    let mut args = vec!["train", "R&D <notes>.txt", "--iterations", "300"];
    args.extend(SMALL);
    args.extend([
        "--val-fraction",
        "0.2",
        "--eval-every",
        "100",
        "--plot",
        "curve.svg",
    ]);
    let out = s.run(&args);
    assert_succeeds(&out);
    let svg = fs::read_to_string(s.path("curve.svg")).expect("curve.svg");
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(
        svg.contains("R&amp;D &lt;notes&gt;.txt"),
        "the title is escaped"
    );
    assert!(!svg.contains("R&D"));
    assert!(svg.contains(">iteration</text>") && svg.contains(">validation</text>"));
    assert_eq!(svg.matches("<polyline").count(), 2);
    assert_eq!(svg.matches("<svg").count(), svg.matches("</svg>").count());
}

#[test]
fn sample_prints_the_text_and_nothing_else() {
    let s = Scratch::new("sample");
    assert_succeeds(&train_small(&s, "300", "c.ckpt", &[]));
    let args = ["sample", "--checkpoint", "c.ckpt", "--length", "50"];
    let out = s.run(&[&args[..], &["--prime", "the ", "--seed", "3"]].concat());
    assert_succeeds(&out);
    let text = stdout(&out);
    assert!(text.starts_with("the "), "{text}");
    assert_eq!(
        text.chars().count(),
        4 + 50 + 1,
        "prime, 50 characters, newline"
    );
    assert_eq!(
        stdout(&s.run(&[&args[..], &["--prime", "the ", "--seed", "3"]].concat())),
        text
    );
    let argmax = s.run(&[&args[..], &["--argmax"]].concat());
    assert_succeeds(&argmax);
    assert_eq!(stdout(&argmax).chars().count(), 51);
    let cold = s.run(&[&args[..], &["--temperature", "0.5"]].concat());
    assert_succeeds(&cold);
}

#[test]
fn help_and_version() {
    let s = Scratch::new("help");
    let version = s.run(&["--version"]);
    assert_succeeds(&version);
    assert_eq!(
        stdout(&version),
        format!("min-char-rnn {}\n", env!("CARGO_PKG_VERSION"))
    );
    for args in [
        &["--help"][..],
        &["help"],
        &["train", "--help"],
        &["sample", "-h"],
    ] {
        let out = s.run(args);
        assert_succeeds(&out);
        assert!(stdout(&out).contains("Usage: min-char-rnn"), "{args:?}");
    }
    let train_help = stdout(&s.run(&["train", "--help"]));
    assert!(train_help.contains("[default: 20000]"), "{train_help}");
    assert!(train_help.contains("--val-fraction F"));
    let sample_help = stdout(&s.run(&["sample", "--help"]));
    assert!(sample_help.contains("--temperature T") && sample_help.contains("--argmax"));
}

#[test]
fn unknown_options_and_commands_are_usage_errors() {
    let s = Scratch::new("unknown");
    let out = s.run(&["train", "--iteratons", "5"]);
    assert_fails(
        &out,
        2,
        &["'--iteratons'", "did you mean --iterations?", "usage: "],
    );
    let out = s.run(&["sample", "--bogus"]);
    assert_fails(
        &out,
        2,
        &["unknown option '--bogus'", "--temperature", "--help"],
    );
    let out = s.run(&["fly"]);
    assert_fails(
        &out,
        2,
        &[
            "unknown command 'fly'",
            "train, sample, evaluate, explain and help",
        ],
    );
    let out = s.run(&["train", "--iterations"]);
    assert_fails(&out, 2, &["--iterations needs a value"]);
}

#[test]
fn bad_values_name_the_flag_and_what_it_accepts() {
    let s = Scratch::new("bad-values");
    let cases: [(&[&str], &str); 13] = [
        (
            &["train", "--hidden-size", "4294967296"],
            "'4294967296' for --hidden-size: expected a whole number from 1 to 10000",
        ),
        (
            &["train", "--hidden-size", "0"],
            "'0' for --hidden-size: expected a whole number from 1 to 10000",
        ),
        (
            &["train", "--seq-length", "0"],
            "'0' for --seq-length: expected a whole number from 1 to",
        ),
        (
            &["train", "--learning-rate", "-1"],
            "'-1' for --learning-rate: expected a finite number above 0",
        ),
        (
            &["train", "--learning-rate", "nan"],
            "'nan' for --learning-rate: expected a finite number above 0",
        ),
        (
            &["train", "--learning-rate", "inf"],
            "'inf' for --learning-rate: expected a finite number above 0",
        ),
        (
            &["train", "--iterations", "abc"],
            "'abc' for --iterations: expected a whole number",
        ),
        (
            &["train", "--val-fraction", "1"],
            "'1' for --val-fraction: expected a number strictly between 0 and 1",
        ),
        (
            &["train", "--seed", "-3"],
            "'-3' for --seed: expected a whole number",
        ),
        (
            &["sample", "--temperature", "0"],
            "'0' for --temperature: expected a finite number above 0",
        ),
        (
            &["sample", "--temperature", "-1"],
            "'-1' for --temperature: expected a finite number above 0",
        ),
        (
            &["sample", "--temperature", "nan"],
            "'nan' for --temperature: expected a finite number above 0",
        ),
        (
            &["sample", "--length", "many"],
            "'many' for --length: expected a whole number",
        ),
    ];
    for (args, message) in cases {
        let out = s.run(args);
        assert_fails(&out, 2, &[message, "usage: "]);
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    }
    let out = s.run(&["sample", "--temperature", "0"]);
    assert_fails(&out, 2, &["--argmax"]);
}

#[test]
fn a_missing_file_is_an_error() {
    let s = Scratch::new("missing");
    assert_fails(
        &s.run(&["train", "nope.txt"]),
        1,
        &["cannot read nope.txt: no such file"],
    );
}

#[test]
fn a_directory_is_not_a_text() {
    let s = Scratch::new("directory");
    fs::create_dir(s.path("texts")).expect("mkdir");
    assert_fails(&s.run(&["train", "texts"]), 1, &["texts is a directory"]);
}

#[test]
fn an_empty_file_is_an_error() {
    let s = Scratch::new("empty");
    fs::write(s.path("empty.txt"), "").expect("write");
    assert_fails(&s.run(&["train", "empty.txt"]), 1, &["empty.txt is empty"]);
}

#[test]
fn a_text_shorter_than_seq_length_is_an_error() {
    let s = Scratch::new("short");
    fs::write(s.path("short.txt"), "hello world").expect("write");
    let out = s.run(&["train", "short.txt"]);
    assert_fails(&out, 1, &["11 characters", "at least 26", "--seq-length"]);
    let out = s.run(&["train", "short.txt", "--seq-length", "11"]);
    assert_fails(&out, 1, &["at least 12"]);
    assert_succeeds(&s.run(&[
        "train",
        "short.txt",
        "--seq-length",
        "10",
        "--iterations",
        "5",
    ]));
}

#[test]
fn a_single_distinct_character_is_an_error() {
    let s = Scratch::new("one-char");
    fs::write(s.path("a.txt"), "a".repeat(100)).expect("write");
    assert_fails(
        &s.run(&["train", "a.txt"]),
        1,
        &["1 distinct character", "at least 2"],
    );
}

#[test]
fn invalid_utf8_says_where() {
    let s = Scratch::new("utf8");
    let mut bytes = b"line one\nline two caf".to_vec();
    bytes.push(0xE9); // Latin-1 'é': not UTF-8
    bytes.extend(b"\nmore text here");
    fs::write(s.path("latin1.txt"), bytes).expect("write");
    let out = s.run(&["train", "latin1.txt"]);
    assert_fails(
        &out,
        1,
        &["not valid UTF-8", "byte offset 21 (line 2)", "iconv"],
    );
}

#[test]
fn a_checkpoint_that_cannot_be_written_fails_before_training() {
    let s = Scratch::new("unwritable");
    s.text();
    let out = s.run(&["train", "text.txt", "--checkpoint", "no/such/dir/c.ckpt"]);
    assert_fails(
        &out,
        1,
        &[
            "cannot write the checkpoint",
            "no/such/dir",
            "does not exist",
        ],
    );
    assert!(out.stdout.is_empty(), "nothing was trained");
    // Under a regular file: fails even for root.
    let out = s.run(&["train", "text.txt", "--checkpoint", "text.txt/c.ckpt"]);
    assert_fails(
        &out,
        1,
        &["cannot write the checkpoint", "text.txt is not a directory"],
    );
    let out = s.run(&["train", "text.txt", "--plot", "text.txt/p.svg"]);
    assert_fails(&out, 1, &["cannot write the loss plot"]);
}

#[cfg(unix)]
#[test]
fn a_read_only_directory_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("read-only");
    s.text();
    let dir = s.path("locked");
    fs::create_dir(&dir).expect("mkdir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).expect("chmod");
    // Root writes anywhere: detect that instead of assuming who runs the tests.
    let probe = dir.join("probe");
    if fs::write(&probe, "x").is_ok() {
        let _ = fs::remove_file(&probe);
        println!(
            "note: skipping the read-only half: this user can write into a 0o555 directory (root?)"
        );
    } else {
        let out = s.run(&["train", "text.txt", "--checkpoint", "locked/c.ckpt"]);
        assert_fails(
            &out,
            1,
            &["cannot write the checkpoint", "permission denied"],
        );
        assert!(!stderr(&out).contains("Permission"), "{}", stderr(&out));
    }
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod back");
}

/// A valid small checkpoint in `s`, returned as text.
fn valid_checkpoint(s: &Scratch) -> String {
    assert_succeeds(&train_small(s, "30", "good.ckpt", &[]));
    fs::read_to_string(s.path("good.ckpt")).expect("good.ckpt")
}

/// Asserts that both `train --resume` and `sample` refuse `file` with `needles`.
#[track_caller]
fn assert_checkpoint_refused(s: &Scratch, file: &str, needles: &[&str]) {
    let out = s.run(&["train", "text.txt", "--resume", file]);
    assert_fails(&out, 1, needles);
    let out = s.run(&["sample", "--checkpoint", file]);
    assert_fails(&out, 1, needles);
    assert!(out.stdout.is_empty());
}

#[test]
fn a_truncated_checkpoint_is_refused() {
    let s = Scratch::new("truncated");
    let text = valid_checkpoint(&s);
    fs::write(s.path("cut.ckpt"), &text[..text.len() / 2]).expect("write");
    assert_checkpoint_refused(&s, "cut.ckpt", &["checkpoint cut.ckpt", "line "]);
    // Cut near the very end.
    fs::write(s.path("cut2.ckpt"), &text[..text.len() - 6]).expect("write");
    assert_checkpoint_refused(&s, "cut2.ckpt", &["cut2.ckpt"]);
}

#[test]
fn random_bytes_are_not_a_checkpoint() {
    let s = Scratch::new("random");
    s.text();
    let mut rng = fastrand::Rng::with_seed(5);
    let bytes: Vec<u8> = (0..4096).map(|_| rng.u8(..)).collect();
    fs::write(s.path("noise.ckpt"), bytes).expect("write");
    assert_checkpoint_refused(
        &s,
        "noise.ckpt",
        &["noise.ckpt: not a min-char-rnn checkpoint"],
    );
}

#[test]
fn a_checkpoint_with_nan_is_refused() {
    let s = Scratch::new("nan");
    let text = valid_checkpoint(&s);
    let start = text.find("@ w_hh ").expect("a w_hh block");
    let line_start = start + text[start..].find('\n').expect("a newline") + 1;
    let number_end = line_start + text[line_start..].find(' ').expect("a space");
    let broken = format!("{}NaN{}", &text[..line_start], &text[number_end..]);
    fs::write(s.path("nan.ckpt"), broken).expect("write");
    assert_checkpoint_refused(&s, "nan.ckpt", &["nan.ckpt: line ", "w_hh holds NaN"]);
}

#[test]
fn a_checkpoint_from_a_newer_version_says_upgrade() {
    let s = Scratch::new("newer");
    let text = valid_checkpoint(&s);
    fs::write(
        s.path("v3.ckpt"),
        text.replacen("version 1\n", "version 3\n", 1),
    )
    .expect("write");
    assert_checkpoint_refused(
        &s,
        "v3.ckpt",
        &["newer version", "format version 3", "upgrade"],
    );
}

#[test]
fn a_missing_checkpoint_is_refused() {
    let s = Scratch::new("no-checkpoint");
    let out = s.run(&["sample"]);
    assert_fails(&out, 1, &["min-char-rnn.ckpt", "min-char-rnn train"]);
}

#[test]
fn a_prime_outside_the_vocabulary_is_refused() {
    let s = Scratch::new("prime");
    valid_checkpoint(&s);
    let out = s.run(&["sample", "--checkpoint", "good.ckpt", "--prime", "the Q"]);
    assert_fails(&out, 1, &["--prime", "'Q'", "position 4", "28 characters"]);
    assert!(out.stdout.is_empty());
}

#[test]
fn divergence_stops_with_a_message_and_keeps_the_last_good_checkpoint() {
    let s = Scratch::new("diverge");
    let good = valid_checkpoint(&s);
    // A learning rate that passes validation but throws the weights to ±1e300 in one step.
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "good.ckpt",
        "--iterations",
        "100",
        "--learning-rate",
        "1e300",
    ]);
    assert_fails(
        &out,
        1,
        &["training diverged at iteration 31", "smaller learning rate"],
    );
    assert!(stderr(&out).contains("the last good checkpoint, from iteration 30, is intact"));
    assert_eq!(
        fs::read_to_string(s.path("good.ckpt")).expect("good.ckpt"),
        good
    );
    assert_succeeds(&s.run(&["sample", "--checkpoint", "good.ckpt", "--length", "10"]));
    // A fresh run told to replace it (--force) leaves it untouched too when it diverges.
    let out = train_small(
        &s,
        "100",
        "good.ckpt",
        &["--learning-rate", "1e300", "--force"],
    );
    assert_fails(&out, 1, &["diverged", "untouched"]);
    assert_eq!(
        fs::read_to_string(s.path("good.ckpt")).expect("good.ckpt"),
        good
    );
}

#[test]
fn a_closed_stdout_stops_quietly_without_a_panic() {
    let s = Scratch::new("closed-stdout");
    let text = s.text();
    let mut child = Command::new(BIN)
        .args(["train", text, "--print-every", "1", "--iterations", "5000"])
        .args(SMALL)
        .current_dir(&s.0)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take()); // the reader goes away, as `| head` does
    let out = child.wait_with_output().expect("wait");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    assert_ne!(
        out.status.code(),
        Some(101),
        "101 is Rust's panic exit code"
    );
}

#[test]
fn iterations_already_reached_is_not_an_error() {
    let s = Scratch::new("nothing-to-do");
    valid_checkpoint(&s);
    let before = fs::read(s.path("good.ckpt")).expect("good.ckpt");
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "good.ckpt",
        "--iterations",
        "30",
    ]);
    assert_succeeds(&out);
    assert!(stderr(&out).contains("already at iteration 30"));
    assert_eq!(fs::read(s.path("good.ckpt")).expect("good.ckpt"), before);
}

#[test]
fn killing_the_process_never_leaves_a_broken_checkpoint() {
    let s = Scratch::new("kill");
    let mut loaded = 0;
    for round in 0..6 {
        let mut child = Command::new(BIN)
            .args([
                "--checkpoint-every",
                "1",
                "--iterations",
                "1000000",
                "--force",
            ])
            .current_dir(&s.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(150 + 70 * round));
        child.kill().expect("kill"); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let path = s.path("min-char-rnn.ckpt");
        if path.exists() {
            let checkpoint = min_char_rnn::Checkpoint::load(&path);
            assert!(checkpoint.is_ok(), "round {round}: {:?}", checkpoint.err());
            loaded += 1;
        }
    }
    assert!(loaded > 0, "no checkpoint was ever written");
}

#[cfg(target_os = "linux")]
#[test]
fn temporary_files_of_killed_runs_are_removed() {
    let s = Scratch::new("stale");
    // No process has PID 999999999: its temporary file is a leftover.
    let stale = s.path(".c.ckpt.999999999-3.tmp");
    fs::write(&stale, "half a checkpoint").expect("write");
    let unrelated = s.path(".c.ckpt.notes");
    fs::write(&unrelated, "keep me").expect("write");
    assert_succeeds(&train_small(&s, "5", "c.ckpt", &[]));
    assert!(!stale.exists(), "the leftover is gone");
    assert!(unrelated.exists(), "other files stay");
}

#[test]
fn plain_and_fast_paths_write_the_same_bytes() {
    // The default run computes with the fast path, --plain with the plain path; they give the
    // same bits, so the log, the checkpoint and the plot are the same bytes. Validation is on
    // so that the evaluations of both paths are compared too.
    let s = Scratch::new("two-paths");
    let extra = [
        "--sample-every",
        "100",
        "--print-every",
        "50",
        "--val-fraction",
        "0.1",
        "--eval-every",
        "50",
        "--checkpoint-every",
        "150",
    ];
    let mut fast_args = extra.to_vec();
    fast_args.extend(["--plot", "fast.svg"]);
    let fast = train_small(&s, "400", "fast.ckpt", &fast_args);
    let mut plain_args = extra.to_vec();
    plain_args.extend(["--plot", "plain.svg", "--plain"]);
    let plain = train_small(&s, "400", "plain.ckpt", &plain_args);
    assert_succeeds(&fast);
    assert_succeeds(&plain);
    assert!(stdout(&fast).contains("val"), "{}", stdout(&fast));
    assert_eq!(stdout(&fast), stdout(&plain), "the logs");
    let read = |name: &str| fs::read(s.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(read("fast.ckpt"), read("plain.ckpt"), "the checkpoints");
    assert_eq!(read("fast.svg"), read("plain.svg"), "the plots");
}

#[test]
fn resuming_a_checkpoint_saved_at_iteration_0_says_it_resumes() {
    // `--iterations 0` saves the untrained network; resuming it continues those weights,
    // whatever seed a new run would use, and the status line says so.
    let s = Scratch::new("resume-zero");
    let out = train_small(&s, "0", "zero.ckpt", &["--seed", "9"]);
    assert_succeeds(&out);
    let resumed = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "zero.ckpt",
        "--iterations",
        "20",
    ]);
    assert_succeeds(&resumed);
    let err = stderr(&resumed);
    assert!(err.contains("resuming at iteration 0"), "{err}");
    assert!(!err.contains("from scratch"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// The user's files: no command ever destroys them. Each test below checks that the file the
// user had is still byte for byte what it was (or that a device is still a device), not only
// the exit code.

/// The bytes of `name` in `s`.
fn read(s: &Scratch, name: &str) -> Vec<u8> {
    fs::read(s.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Asserts that `name` still holds exactly `before`.
#[track_caller]
fn assert_unchanged(s: &Scratch, name: &str, before: &[u8]) {
    assert!(read(s, name) == before, "{name} was changed");
}

/// Asserts that nothing was trained: no log on stdout.
#[track_caller]
fn assert_nothing_trained(out: &Output) {
    assert!(out.stdout.is_empty(), "it trained:\n{}", stdout(out));
}

#[test]
fn the_plot_never_replaces_the_text() {
    let s = Scratch::new("plot-is-text");
    let text = s.text();
    let before = read(&s, text);
    let out = s.run(&["train", text, "--checkpoint", "p.ckpt", "--plot", text]);
    assert_fails(
        &out,
        2,
        &["--plot text.txt and the text text.txt are the same file"],
    );
    assert_unchanged(&s, text, &before);
    assert!(!s.path("p.ckpt").exists());
    // No flag at all: a text called loss.svg where the default plot goes.
    fs::write(s.path("loss.svg"), &before).expect("write loss.svg");
    let out = s.run(&["train", "loss.svg", "--iterations", "5"]);
    assert_fails(
        &out,
        2,
        &["the loss plot loss.svg (the default", "--no-plot"],
    );
    assert_unchanged(&s, "loss.svg", &before);
    assert_nothing_trained(&out);
}

#[test]
fn files_are_compared_as_files_not_as_spellings() {
    let s = Scratch::new("identity");
    assert_succeeds(&train_small(&s, "20", "r.ckpt", &["--no-plot"]));
    fs::copy(s.path("r.ckpt"), s.path("r2.ckpt")).expect("copy");
    fs::create_dir(s.path("sub")).expect("mkdir");
    let resumed = read(&s, "r.ckpt");
    let text = read(&s, "text.txt");
    let cases: [&[&str]; 5] = [
        &["--resume", "r.ckpt", "--plot", "./r.ckpt"],
        &["--resume", "r.ckpt", "--plot", "sub/../r.ckpt"],
        &["--checkpoint", "./a.ckpt", "--plot", "a.ckpt"],
        &[
            "--resume",
            "r2.ckpt",
            "--checkpoint",
            "new.ckpt",
            "--plot",
            "r2.ckpt",
        ],
        &["--checkpoint", "sub/../text.txt"],
    ];
    for extra in cases {
        let out = s.run(&[&["train", "text.txt", "--iterations", "40"], extra].concat());
        assert_fails(&out, 2, &["are the same file", "would replace"]);
        assert_nothing_trained(&out);
        assert_unchanged(&s, "r.ckpt", &resumed);
        assert_unchanged(&s, "r2.ckpt", &resumed);
        assert_unchanged(&s, "text.txt", &text);
        assert!(!s.path("a.ckpt").exists() && !s.path("new.ckpt").exists());
    }
    // A checkpoint continued in place is still a file the run writes.
    let out = s.run(&[
        "train",
        "./r.ckpt",
        "--resume",
        "r.ckpt",
        "--iterations",
        "40",
    ]);
    assert_fails(
        &out,
        2,
        &["the checkpoint would replace the text being learned"],
    );
    assert_unchanged(&s, "r.ckpt", &resumed);
}

#[cfg(unix)]
#[test]
fn symbolic_and_hard_links_are_the_same_file() {
    use std::os::unix::fs::symlink;
    let s = Scratch::new("links");
    assert_succeeds(&train_small(&s, "20", "r.ckpt", &["--no-plot"]));
    let resumed = read(&s, "r.ckpt");
    let text = read(&s, "text.txt");
    symlink("r.ckpt", s.path("soft.ckpt")).expect("symlink");
    fs::hard_link(s.path("r.ckpt"), s.path("hard.ckpt")).expect("hard link");
    fs::hard_link(s.path("text.txt"), s.path("hard.txt")).expect("hard link");
    let cases: [&[&str]; 4] = [
        &["--resume", "r.ckpt", "--plot", "soft.ckpt"],
        &["--resume", "soft.ckpt", "--plot", "hard.ckpt"],
        &["--checkpoint", "hard.txt"],
        &["--checkpoint", "c.ckpt", "--plot", "hard.txt"],
    ];
    for extra in cases {
        let out = s.run(&[&["train", "text.txt", "--iterations", "40"], extra].concat());
        assert_fails(&out, 2, &["are the same file"]);
        assert_unchanged(&s, "r.ckpt", &resumed);
        assert_unchanged(&s, "text.txt", &text);
    }
    // Continuing through a link writes the file it points to; the link stays a link.
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "soft.ckpt",
        "--iterations",
        "40",
    ]);
    assert_succeeds(&out);
    let link = fs::symlink_metadata(s.path("soft.ckpt")).expect("soft.ckpt");
    assert!(
        link.file_type().is_symlink(),
        "the link was replaced by a file"
    );
    let continued = min_char_rnn::Checkpoint::load(s.path("r.ckpt")).expect("r.ckpt");
    assert_eq!(continued.state.iteration, 40);
    assert_unchanged(&s, "hard.ckpt", &resumed); // the rename leaves the other name alone
}

#[cfg(unix)]
#[test]
fn only_regular_files_are_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let s = Scratch::new("special");
    s.text();
    fs::create_dir(s.path("dir.svg")).expect("mkdir");
    let _socket =
        std::os::unix::net::UnixListener::bind(s.path("socket.ckpt")).expect("bind a socket");
    let fifo = Command::new("mkfifo").arg(s.path("fifo.ckpt")).status();
    let cases: [(&[&str], &str); 4] = [
        (&["--plot", "/dev/null"], "a character device"),
        (&["--plot", "dir.svg"], "a directory"),
        (&["--checkpoint", "socket.ckpt"], "a socket"),
        (&["--checkpoint", "fifo.ckpt"], "a FIFO"),
    ];
    for (extra, kind) in cases {
        if extra.contains(&"fifo.ckpt") && !fifo.as_ref().is_ok_and(|s| s.success()) {
            println!("note: no mkfifo here: the FIFO case is skipped");
            continue;
        }
        let out = s.run(&[&["train", "text.txt", "--iterations", "5"], extra].concat());
        assert_fails(&out, 1, &[kind, "not a regular file"]);
        assert_nothing_trained(&out);
    }
    let null = fs::metadata("/dev/null").expect("/dev/null");
    assert!(
        null.file_type().is_char_device(),
        "/dev/null is no longer a device"
    );
    assert!(fs::metadata(s.path("dir.svg")).expect("dir.svg").is_dir());
    let socket = fs::symlink_metadata(s.path("socket.ckpt")).expect("socket.ckpt");
    assert!(socket.file_type().is_socket());
    if let Ok(fifo) = fs::symlink_metadata(s.path("fifo.ckpt")) {
        assert!(fifo.file_type().is_fifo());
    }
    // A link to nothing is refused too, and stays a link.
    std::os::unix::fs::symlink("nowhere.svg", s.path("dangling.svg")).expect("symlink");
    let out = s.run(&[
        "train",
        "text.txt",
        "--iterations",
        "5",
        "--plot",
        "dangling.svg",
    ]);
    assert_fails(
        &out,
        1,
        &["a symbolic link to nowhere.svg, which does not exist"],
    );
    let link = fs::symlink_metadata(s.path("dangling.svg")).expect("dangling.svg");
    assert!(link.file_type().is_symlink());
}

#[test]
fn no_plot_writes_no_plot() {
    let s = Scratch::new("no-plot");
    let out = train_small(&s, "20", "c.ckpt", &["--no-plot"]);
    assert_succeeds(&out);
    assert!(s.path("c.ckpt").is_file());
    assert!(!s.path("loss.svg").exists(), "a plot was written");
    assert!(
        stderr(&out).contains("loss plot: none (--no-plot)"),
        "{}",
        stderr(&out)
    );
    let out = train_small(&s, "20", "d.ckpt", &["--no-plot", "--plot", "p.svg"]);
    assert_fails(&out, 2, &["--plot and --no-plot cannot be used together"]);
}

#[test]
fn an_existing_checkpoint_of_another_run_is_not_replaced() {
    let s = Scratch::new("not-ours");
    assert_succeeds(&train_small(&s, "60", "c.ckpt", &[]));
    let trained = read(&s, "c.ckpt");
    // `cp trained.ckpt min-char-rnn.ckpt; min-char-rnn train --iterations 10`
    fs::write(s.path("min-char-rnn.ckpt"), &trained).expect("copy");
    let out = s.run(&["train", "text.txt", "--iterations", "10"]);
    assert_fails(
        &out,
        1,
        &[
            "already holds a checkpoint at iteration 60",
            "--resume min-char-rnn.ckpt",
            "--force",
        ],
    );
    assert_nothing_trained(&out);
    assert_unchanged(&s, "min-char-rnn.ckpt", &trained);
    // The same for a run into c.ckpt that resumes another file.
    fs::write(s.path("other.ckpt"), &trained).expect("copy");
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "other.ckpt",
        "--checkpoint",
        "c.ckpt",
    ]);
    assert_fails(&out, 1, &["already holds a checkpoint"]);
    assert_unchanged(&s, "c.ckpt", &trained);
    // A file that is not a checkpoint at all is kept too.
    fs::write(s.path("notes.ckpt"), "my notes\n").expect("write");
    let out = train_small(&s, "10", "notes.ckpt", &["--no-plot"]);
    assert_fails(&out, 1, &["is not a min-char-rnn checkpoint", "--force"]);
    assert_unchanged(&s, "notes.ckpt", b"my notes\n");
    // Resuming it continues it; --force replaces it.
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "min-char-rnn.ckpt",
        "--iterations",
        "70",
    ]);
    assert_succeeds(&out);
    let out = s.run(&[
        "train",
        "text.txt",
        "--iterations",
        "10",
        "--force",
        "--no-plot",
    ]);
    assert_succeeds(&out);
    let replaced = min_char_rnn::Checkpoint::load(s.path("min-char-rnn.ckpt")).expect("load");
    assert_eq!(replaced.state.iteration, 10);
}

#[cfg(unix)]
#[test]
fn a_read_only_checkpoint_is_kept_and_modes_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let s = Scratch::new("read-only-checkpoint");
    assert_succeeds(&train_small(&s, "20", "r.ckpt", &["--no-plot"]));
    let mode = |name: &str| {
        let metadata = fs::metadata(s.path(name)).expect("metadata");
        metadata.permissions().mode() & 0o777
    };
    fs::set_permissions(s.path("r.ckpt"), fs::Permissions::from_mode(0o444)).expect("chmod");
    let before = read(&s, "r.ckpt");
    for extra in [&[][..], &["--force"]] {
        let args = [
            "train",
            "text.txt",
            "--resume",
            "r.ckpt",
            "--iterations",
            "40",
        ];
        let out = s.run(&[&args[..], extra].concat());
        assert_fails(&out, 1, &["it is read-only", "chmod u+w r.ckpt"]);
        assert_nothing_trained(&out);
        assert_unchanged(&s, "r.ckpt", &before);
        assert_eq!(mode("r.ckpt"), 0o444);
    }
    // A checkpoint only its owner may read keeps that mode when it is replaced.
    fs::set_permissions(s.path("r.ckpt"), fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "r.ckpt",
        "--iterations",
        "40",
    ]);
    assert_succeeds(&out);
    assert_eq!(mode("r.ckpt"), 0o600);
    assert_ne!(read(&s, "r.ckpt"), before, "it was continued");
}

#[test]
fn a_file_at_the_plot_path_that_is_not_a_plot_is_kept() {
    let s = Scratch::new("user-svg");
    let drawing = b"<?xml version=\"1.0\"?>\n<svg>my own drawing</svg>\n";
    fs::write(s.path("loss.svg"), drawing).expect("write");
    let out = train_small(&s, "20", "c.ckpt", &[]);
    assert_fails(
        &out,
        1,
        &[
            "not a loss plot drawn by min-char-rnn",
            "--force",
            "--no-plot",
        ],
    );
    assert_nothing_trained(&out);
    assert_unchanged(&s, "loss.svg", drawing);
    assert!(!s.path("c.ckpt").exists());
    // A plot min-char-rnn drew is replaced without a word (it is drawn from the checkpoint).
    assert_succeeds(&train_small(&s, "20", "d.ckpt", &["--plot", "mine.svg"]));
    assert_succeeds(&train_small(&s, "40", "e.ckpt", &["--plot", "mine.svg"]));
    assert_succeeds(&train_small(&s, "20", "c.ckpt", &["--force"]));
    assert_ne!(read(&s, "loss.svg"), drawing);
}

#[cfg(target_os = "linux")]
#[test]
fn two_runs_never_write_the_same_checkpoint() {
    let s = Scratch::new("lock");
    let text = s.text();
    let mut first = Command::new(BIN)
        .args([
            "train",
            text,
            "--iterations",
            "100000000",
            "--checkpoint-every",
            "10",
        ])
        .args(["--checkpoint", "c.ckpt"])
        .args(SMALL)
        .current_dir(&s.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let lock = s.path(".c.ckpt.lock");
    let started = std::time::Instant::now();
    while !(lock.exists() && s.path("c.ckpt").exists()) {
        assert!(
            started.elapsed().as_secs() < 30,
            "the first run never saved"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let second = train_small(&s, "10", "c.ckpt", &["--force", "--plot", "other.svg"]);
    let pid = first.id().to_string();
    assert_fails(
        &second,
        1,
        &[
            "another min-char-rnn run",
            &pid,
            "is writing the checkpoint",
        ],
    );
    assert_nothing_trained(&second);
    assert_eq!(
        fs::read_to_string(&lock).expect("the lock").trim(),
        pid,
        "the lock is kept"
    );
    first.kill().expect("kill"); // as Ctrl-C would: no chance to remove the lock
    let _ = first.wait();
    assert!(lock.exists(), "a killed run leaves its lock");
    let saved = min_char_rnn::Checkpoint::load(s.path("c.ckpt")).expect("c.ckpt");
    let before = read(&s, "c.ckpt");
    // The next run notices the lock is stale, and says how to continue.
    let third = train_small(&s, "10", "c.ckpt", &[]);
    assert_fails(&third, 1, &["stopped without finishing", "--resume c.ckpt"]);
    assert_unchanged(&s, "c.ckpt", &before);
    let more = (saved.state.iteration + 10).to_string();
    let fourth = s.run(&["train", text, "--resume", "c.ckpt", "--iterations", &more]);
    assert_succeeds(&fourth);
    assert!(!lock.exists(), "a finished run removes its lock");
}

#[test]
fn output_paths_that_cannot_work_fail_before_training() {
    let s = Scratch::new("bad-paths");
    s.text();
    let long = format!("{}.ckpt", "n".repeat(240));
    let cases: [(&[&str], &[&str]); 3] = [
        (
            &["--checkpoint", "newdir/"],
            &["names a directory, not a file"],
        ),
        (
            &["--plot", "bar.svg/"],
            &["loss plot", "names a directory, not a file"],
        ),
        (
            &["--checkpoint", &long],
            &["file name too long", "temporary file"],
        ),
    ];
    for (extra, needles) in cases {
        let out = s.run(&[&["train", "text.txt", "--iterations", "5"], extra].concat());
        assert_fails(&out, 1, needles);
        assert_nothing_trained(&out);
    }
    assert!(!s.path("newdir").exists() && !s.path("bar.svg").exists());
    let left: Vec<_> = fs::read_dir(&s.0).expect("read_dir").flatten().collect();
    assert_eq!(left.len(), 1, "only text.txt is left: {left:?}");
}

#[test]
fn a_run_too_large_for_the_memory_limit_is_refused_before_it_starts() {
    let s = Scratch::new("memory");
    s.text();
    let started = std::time::Instant::now();
    let out = s.run(&[
        "train",
        "text.txt",
        "--hidden-size",
        "10000",
        "--max-memory",
        "1G",
    ]);
    assert_fails(
        &out,
        1,
        &[
            "would need about 3.0 GiB",
            "the 1.0 GiB set with --max-memory",
            "--hidden-size of",
        ],
    );
    assert_nothing_trained(&out);
    assert!(
        started.elapsed().as_secs() < 10,
        "it allocated and trained first"
    );
    assert!(!s.path("min-char-rnn.ckpt").exists());
    // A text with a huge vocabulary: 3000 distinct characters.
    let huge: String = (0..30_000u32)
        .map(|k| char::from_u32(0x4e00 + (k * 7919) % 3000).unwrap_or('x'))
        .collect();
    fs::write(s.path("huge.txt"), huge).expect("write");
    let out = s.run(&["train", "huge.txt", "--max-memory", "12M"]);
    assert_fails(&out, 1, &["would need about", "3000 distinct"]);
    assert_nothing_trained(&out);
}

#[cfg(target_os = "linux")]
#[test]
fn the_memory_estimate_reads_the_limit_of_the_process() {
    // Under `ulimit -v` (1 GB of address space), a run that needs 3 GB must be refused
    // with a message, not abort with "memory allocation failed" (exit code 134).
    let s = Scratch::new("ulimit");
    s.text();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1000000 && exec '{BIN}' train text.txt --hidden-size 10000"
        ))
        .current_dir(&s.0)
        .output()
        .expect("run sh");
    assert_fails(&out, 1, &["would need about 3.0 GiB", "ulimit -v"]);
    assert_nothing_trained(&out);
}

#[test]
fn validation_is_evaluated_every_eval_every_iterations() {
    let s = Scratch::new("eval-every");
    let val_lines = |out: &Output| -> Vec<String> {
        let log = stdout(out);
        log.lines()
            .filter(|l| l.contains(" val "))
            .map(str::to_string)
            .collect()
    };
    let extra = ["--val-fraction", "0.2", "--sample-every", "0", "--no-plot"];
    let a = train_small(
        &s,
        "400",
        "a.ckpt",
        &[&extra[..], &["--eval-every", "100"]].concat(),
    );
    assert_succeeds(&a);
    let iterations: Vec<&str> = val_lines(&a)
        .iter()
        .map(|l| {
            if l.starts_with("final") {
                "final"
            } else {
                "iter"
            }
        })
        .collect();
    assert_eq!(val_lines(&a).len(), 5, "{:?}", val_lines(&a)); // 0, 100, 200, 300, final
    assert_eq!(iterations.iter().filter(|k| **k == "iter").count(), 4);
    // Printing more often changes nothing in the figures.
    let mut every = [&extra[..], &["--eval-every", "100", "--print-every", "10"]].concat();
    let b = train_small(&s, "400", "b.ckpt", &every);
    assert_eq!(val_lines(&b), val_lines(&a));
    // The default: every 1000 iterations, so only iteration 0 in a run of 400.
    every.truncate(extra.len());
    let c = train_small(&s, "400", "c.ckpt", &every);
    let lines = val_lines(&c);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].starts_with("iter 0, val "), "{lines:?}");
    assert!(
        stderr(&c).contains("evaluated every 1000 iterations"),
        "{}",
        stderr(&c)
    );
}

#[test]
fn a_prime_may_start_with_a_dash() {
    let s = Scratch::new("dash-prime");
    fs::write(
        s.path("dash.txt"),
        "- said the keeper -- to the sea. ".repeat(40),
    )
    .expect("write");
    let out = s.run(&[
        "train",
        "dash.txt",
        "--iterations",
        "20",
        "--checkpoint",
        "d.ckpt",
    ]);
    assert_succeeds(&out);
    for prime in ["- said the keeper", "--"] {
        let out = s.run(&[
            "sample",
            "--checkpoint",
            "d.ckpt",
            "--length",
            "5",
            "--prime",
            prime,
        ]);
        assert_succeeds(&out);
        assert!(stdout(&out).starts_with(prime), "{}", stdout(&out));
    }
    let out = s.run(&["sample", "--checkpoint", "d.ckpt", "--prime", "--argmax"]);
    assert_fails(&out, 2, &["--prime needs a value", "--prime=--argmax"]);
}

#[test]
fn a_held_out_part_too_large_names_the_training_part() {
    let s = Scratch::new("val-too-large");
    s.text();
    let out = s.run(&["train", "text.txt", "--val-fraction", "0.9999"]);
    assert_fails(
        &out,
        1,
        &[
            "--val-fraction 0.9999 leaves 0 of its 1800 characters for the training part",
            "at least 26 (seq_length + 1)",
            "use a --val-fraction from 0.0012 to 0.9855",
        ],
    );
    assert!(!s.path("min-char-rnn.ckpt").exists());
}

#[test]
fn a_diverged_run_never_saves_and_names_the_last_good_checkpoint() {
    let s = Scratch::new("diverge-every");
    let good = valid_checkpoint(&s);
    // Saving after every iteration: the iteration that throws the weights far must not be
    // saved, so the checkpoint of iteration 30 stays the last good one.
    let out = s.run(&[
        "train",
        "text.txt",
        "--resume",
        "good.ckpt",
        "--iterations",
        "100",
        "--learning-rate",
        "1e300",
        "--checkpoint-every",
        "1",
    ]);
    assert_fails(
        &out,
        1,
        &[
            "training diverged at iteration 31",
            "the last good checkpoint, from iteration 30, is intact",
            "--resume good.ckpt --learning-rate 1e299",
        ],
    );
    assert_unchanged(&s, "good.ckpt", good.as_bytes());
    // One step that makes the weights infinite is a divergence, not a refusal to save.
    let out = train_small(&s, "1", "inf.ckpt", &["--learning-rate", "1.7e308"]);
    assert_fails(
        &out,
        1,
        &[
            "training diverged at iteration 1",
            "no checkpoint was saved",
        ],
    );
    assert!(!stderr(&out).contains("refusing"), "{}", stderr(&out));
    assert!(!s.path("inf.ckpt").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn the_progress_line_fits_the_terminal() {
    // The progress line is drawn only on a terminal: `script` gives the run one.
    let s = Scratch::new("progress");
    let text = s.text();
    let has_script = Command::new("script").arg("--version").output();
    if !has_script.is_ok_and(|o| o.status.success()) {
        println!("note: no `script` here to make a terminal: skipped");
        return;
    }
    for columns in [30, 80] {
        let command = format!(
            "'{BIN}' train {text} --iterations 3000 --hidden-size 16 --seq-length 10 \
             --print-every 1000 --sample-every 0 --no-plot --force > /dev/null"
        );
        let out = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("COLUMNS", columns.to_string())
            .current_dir(&s.0)
            .output()
            .expect("run script");
        assert_succeeds(&out);
        let shown = stdout(&out);
        assert!(shown.contains("/3000"), "no progress line:\n{shown:?}");
        // The status lines may wrap as any line does; the progress line must not.
        for piece in shown.split(['\r', '\n']).filter(|p| p.contains("/3000")) {
            assert!(
                piece.chars().count() < columns,
                "{piece:?} is {columns} wide or more"
            );
        }
    }
}

#[test]
fn the_text_can_come_from_standard_input() {
    let s = Scratch::new("stdin");
    let text = s.text();
    let from_file = train_small(&s, "120", "file.ckpt", &["--plot", "file.svg"]);
    assert_succeeds(&from_file);
    let mut args = vec![
        "train",
        "-",
        "--iterations",
        "120",
        "--checkpoint",
        "stdin.ckpt",
    ];
    args.extend(SMALL);
    args.extend(["--plot", "stdin.svg"]);
    let mut child = Command::new(BIN)
        .args(&args)
        .current_dir(&s.0)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let bytes = read(&s, text);
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, &bytes).expect("write the text");
    }
    let from_stdin = child.wait_with_output().expect("wait");
    assert_succeeds(&from_stdin);
    assert_eq!(stdout(&from_stdin), stdout(&from_file));
    assert_eq!(read(&s, "stdin.ckpt"), read(&s, "file.ckpt"));
    let svg = fs::read_to_string(s.path("stdin.svg")).expect("stdin.svg");
    assert!(svg.contains("loss on standard input"));
}

#[cfg(unix)]
#[test]
fn a_text_on_standard_input_is_not_overwritten_either() {
    let s = Scratch::new("stdin-same");
    let text = s.text();
    let before = read(&s, text);
    let out = Command::new(BIN)
        .args(["train", "-", "--plot", text])
        .current_dir(&s.0)
        .stdin(fs::File::open(s.path(text)).expect("open"))
        .output()
        .expect("run");
    assert_fails(
        &out,
        2,
        &["the text read from standard input are the same file"],
    );
    assert_unchanged(&s, text, &before);
}

#[test]
fn smaller_messages_say_what_is_wrong() {
    let s = Scratch::new("messages");
    let good = valid_checkpoint(&s);
    // A checkpoint converted to Windows line endings says so.
    fs::write(s.path("crlf.ckpt"), good.replace('\n', "\r\n")).expect("write");
    assert_checkpoint_refused(&s, "crlf.ckpt", &["Windows line endings", "tr -d"]);
    // The suggested command can be pasted into a shell, spaces and quotes included.
    let out = train_small(&s, "10", "my run's.ckpt", &["--no-plot"]);
    assert_succeeds(&out);
    let err = stderr(&out);
    assert!(
        err.contains(r"sample --checkpoint 'my run'\''s.ckpt'"),
        "{err}"
    );
    // --foo is nothing like --plot: no suggestion, the list of options.
    let out = s.run(&["train", "--foo"]);
    assert_fails(&out, 2, &["unknown option '--foo'", "the options are"]);
    assert!(!stderr(&out).contains("did you mean"), "{}", stderr(&out));
    // The plot's title names the text's file, not the directories it is in.
    let absolute = s.path("text.txt");
    let absolute = absolute.to_string_lossy();
    let out = s.run(&[
        "train",
        &absolute,
        "--iterations",
        "5",
        "--checkpoint",
        "t.ckpt",
    ]);
    assert_succeeds(&out);
    let svg = fs::read_to_string(s.path("loss.svg")).expect("loss.svg");
    assert!(svg.contains("loss on text.txt"), "{svg}");
    assert!(
        !svg.contains(&*s.0.to_string_lossy()),
        "the plot shows the directories"
    );
}
