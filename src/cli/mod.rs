//! The command line's own pieces: argument parsing, the commands, the checks that keep
//! the user's files safe and a run within the memory, the progress line, and how failures
//! are reported.
//!
//! Exit codes: 0 success, 1 a runtime error (a file that cannot be read, training that
//! diverged, …), 2 a usage error (an unknown option, a bad value).

pub mod args;
pub mod charrnn;
pub mod evaluate;
pub mod explain;
pub mod files;
pub mod memory;
pub mod output;
pub mod progress;
pub mod sample;
pub mod train;

use std::process::ExitCode;

/// Which help text a usage error points to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `min-char-rnn` itself.
    Top,
    /// `min-char-rnn train`.
    Train,
    /// `min-char-rnn sample`.
    Sample,
    /// `min-char-rnn explain`.
    Explain,
    /// `min-char-rnn evaluate`.
    Evaluate,
}

impl Command {
    /// The command as typed, for "try 'min-char-rnn train --help'".
    pub fn invocation(self) -> &'static str {
        match self {
            Command::Top => "min-char-rnn",
            Command::Train => "min-char-rnn train",
            Command::Sample => "min-char-rnn sample",
            Command::Explain => "min-char-rnn explain",
            Command::Evaluate => "min-char-rnn evaluate",
        }
    }

    /// The one-line usage summary.
    pub fn usage(self) -> &'static str {
        match self {
            Command::Top => "min-char-rnn [train|sample|evaluate|explain|help] [OPTIONS]",
            Command::Train => "min-char-rnn train [FILE] [OPTIONS]",
            Command::Sample => "min-char-rnn sample [--checkpoint PATH] [OPTIONS]",
            Command::Explain => {
                "min-char-rnn explain [--checkpoint PATH] [FILE | --text TEXT] [--out PAGE]"
            }
            Command::Evaluate => "min-char-rnn evaluate [--checkpoint PATH] FILE",
        }
    }
}

/// Why the command did not succeed.
#[derive(Debug)]
// ANCHOR: failure
pub enum Failure {
    /// The arguments are wrong: exit code 2, with a usage hint.
    Usage {
        /// Whose usage to show.
        command: Command,
        /// One line naming the option and what it accepts.
        message: String,
    },
    /// Something went wrong while running: exit code 1.
    Runtime {
        /// One line saying what.
        message: String,
        /// Lines of advice, each printed after `hint: `.
        hints: Vec<String>,
    },
    /// Standard output was closed (`min-char-rnn | head`): stop without a message, exit 1.
    Quiet,
}
// ANCHOR_END: failure

impl Failure {
    /// A usage error of `command`.
    pub fn usage(command: Command, message: impl Into<String>) -> Failure {
        Failure::Usage {
            command,
            message: message.into(),
        }
    }

    /// A runtime error without advice.
    pub fn runtime(message: impl Into<String>) -> Failure {
        Failure::Runtime {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// A runtime error with one line of advice.
    pub fn with_hint(message: impl Into<String>, hint: impl Into<String>) -> Failure {
        Failure::Runtime {
            message: message.into(),
            hints: vec![hint.into()],
        }
    }

    /// Prints the failure on stderr and returns the exit code.
    // ANCHOR: report
    pub fn report(self) -> ExitCode {
        match self {
            Failure::Usage { command, message } => {
                output::status(&format!(
                    "error: {message}\nusage: {}\nFor more information, try '{} --help'.",
                    command.usage(),
                    command.invocation()
                ));
                ExitCode::from(2)
            }
            Failure::Runtime { message, hints } => {
                let mut text = format!("error: {message}");
                for hint in hints {
                    text.push_str("\nhint: ");
                    text.push_str(&hint);
                }
                output::status(&text);
                ExitCode::from(1)
            }
            Failure::Quiet => ExitCode::from(1),
        }
    }
    // ANCHOR_END: report
}
