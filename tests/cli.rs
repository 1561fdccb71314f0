//! End-to-end tests of the `min-char-rnn` binary: what it prints, what it saves, that resuming
//! continues a run bit for bit, and that every bad input gives a clear message and the right
//! exit code without a panic.
//!
//! Each test runs the built binary in its own directory under the system's temp directory, on
//! a small text with a small network, so the whole file runs in seconds.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_min-char-rnn");

/// A small network on a small text: fast, and still learns.
const SMALL: [&str; 4] = ["--hidden-size", "16", "--seq-length", "10"];

/// A scratch directory, removed when the test ends (also when it fails).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("min-char-rnn-cli-{test}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the test directory");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes the small training text to `text.txt` and returns its name.
    fn text(&self) -> &'static str {
        let text = "the quick brown fox jumps over the lazy dog. ".repeat(40);
        fs::write(self.path("text.txt"), text).expect("write text.txt");
        "text.txt"
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("run the binary")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, that stderr contains every one of `needles`, and no panic.
#[track_caller]
fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "exit code; stderr:\n{err}\nstdout:\n{}",
        stdout(out)
    );
    assert!(!err.contains("panicked"), "a panic:\n{err}");
    assert!(err.contains("error: "), "no `error: ` line:\n{err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}:\n{err}");
    }
}

#[track_caller]
fn assert_succeeds(out: &Output) {
    assert!(
        out.status.success(),
        "failed with {:?}; stderr:\n{}",
        out.status.code(),
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"));
}

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
    let extra = ["--val-fraction", "0.2", "--sample-every", "0"];
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
    args.extend(["--val-fraction", "0.2", "--plot", "curve.svg"]);
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
        &["unknown command 'fly'", "train, sample and help"],
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
            &["cannot write the checkpoint", "ermission denied"],
        );
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
        s.path("v2.ckpt"),
        text.replacen("version 1\n", "version 2\n", 1),
    )
    .expect("write");
    assert_checkpoint_refused(
        &s,
        "v2.ckpt",
        &["newer version", "format version 2", "upgrade"],
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
    // A fresh run into the same file leaves it untouched too.
    let out = train_small(&s, "100", "good.ckpt", &["--learning-rate", "1e300"]);
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
            .args(["--checkpoint-every", "1", "--iterations", "1000000"])
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
