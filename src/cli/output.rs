//! Writing to stdout and stderr without ever panicking: `println!` panics when stdout is a
//! closed pipe (`min-char-rnn | head`), and `eprintln!` when stderr is closed.

use super::Failure;
use std::io::{self, Write};

/// Writes `text` to stdout as is.
///
/// A closed pipe becomes [`Failure::Quiet`], any other error a runtime error.
// ANCHOR: print
pub fn print(text: &str) -> Result<(), Failure> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Failure::Quiet),
        Err(e) => Err(Failure::runtime(format!(
            "cannot write to standard output: {}",
            super::files::io_message(&e)
        ))),
    }
}
// ANCHOR_END: print

/// Writes `line` and a newline to stderr; if even that fails there is nobody left to tell.
pub fn status(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}
