//! The `min-char-rnn` command: train a character-level RNN on a text and sample from it.
//!
//! With no arguments it trains on the corpus built into the binary and prints what
//! Karpathy's original prints (`iter N, loss: X` and samples framed by `----`), saving a
//! checkpoint and a loss plot as it goes. `min-char-rnn --help` lists the commands.
//!
//! The binary only parses arguments, reads files and prints; the training loop, the
//! checkpoint format and the plot are in the library (`min_char_rnn::train`,
//! `min_char_rnn::checkpoint`, `min_char_rnn::plot`). Its own modules are in `src/cli/`:
//! `args` (parsing and help), `train`, `charrnn` (training like char-rnn), `sample`,
//! `evaluate` and `explain` (the commands), `files` (what a run
//! may write, and the lock that keeps two runs apart), `memory` (what a run will need),
//! `progress` (the live progress line) and `output` (stdout and stderr without panics).

use std::process::ExitCode;

mod cli;

/// The corpus written for this project (see `data/README.md`), built into the binary so that
/// `min-char-rnn` works from any directory.
const CORPUS: &str = include_str!("../data/corpus.txt");

// ANCHOR: main
fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let outcome = match cli::args::parse(&args) {
        Ok(cli::args::Parsed::Help(command)) => cli::output::print(&cli::args::help(command)),
        Ok(cli::args::Parsed::Version) => {
            cli::output::print(&format!("min-char-rnn {}\n", env!("CARGO_PKG_VERSION")))
        }
        Ok(cli::args::Parsed::Train(args)) => cli::train::run(&args, CORPUS),
        Ok(cli::args::Parsed::Sample(args)) => cli::sample::run(&args),
        Ok(cli::args::Parsed::Explain(args)) => cli::explain::run(&args, CORPUS),
        Ok(cli::args::Parsed::Evaluate(args)) => cli::evaluate::run(&args),
        Err(failure) => Err(failure),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
// ANCHOR_END: main
