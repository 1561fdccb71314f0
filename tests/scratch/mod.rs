//! Shared by the tests that run the built binary: a scratch directory per test, removed when
//! the test ends (also when it fails), and assertions on what a run printed and how it ended.

#![allow(dead_code)] // each test file uses a different part of this module

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The `min-char-rnn` binary Cargo built for these tests.
pub const BIN: &str = env!("CARGO_BIN_EXE_min-char-rnn");

/// A scratch directory, removed when the test ends (also when it fails).
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A fresh, empty directory for `test`, named after the test file, the test and the process.
    pub fn new(test: &str) -> Scratch {
        let suite = env!("CARGO_CRATE_NAME");
        let dir = std::env::temp_dir().join(format!(
            "min-char-rnn-{suite}-{test}-{}",
            std::process::id()
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the test directory");
        Scratch(dir)
    }

    /// `name` inside the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes the small training text to `text.txt` and returns its name.
    pub fn text(&self) -> &'static str {
        let text = "the quick brown fox jumps over the lazy dog. ".repeat(40);
        fs::write(self.path("text.txt"), text).expect("write text.txt");
        "text.txt"
    }

    /// Writes `contents` to `name`.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) {
        fs::write(self.path(name), contents).expect("write a file");
    }

    /// The text of `name`.
    pub fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Runs the binary with `args` in the directory, with nothing on standard input.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(&self.0)
            .stdin(Stdio::null())
            .output()
            .expect("run the binary")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// What the run printed on standard output.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the run printed on standard error.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts the exit code, that stderr contains every one of `needles`, and no panic.
#[track_caller]
pub fn assert_fails(out: &Output, code: i32, needles: &[&str]) {
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

/// Asserts that the run succeeded without a panic.
#[track_caller]
pub fn assert_succeeds(out: &Output) {
    assert!(
        out.status.success(),
        "failed with {:?}; stderr:\n{}",
        out.status.code(),
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"));
}
