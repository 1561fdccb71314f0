//! `min-char-rnn evaluate`: how well a checkpoint's network predicts a text. It reads the
//! text once, as one stream from an empty memory, and prints the mean loss per character, its
//! perplexity and its bits per character: Part I's `train::evaluate` for a vanilla RNN
//! checkpoint (format version 1), `charrnn::evaluate_text` for a network trained like
//! char-rnn (version 2). stdout gets the figures alone; stderr says what was measured.

use super::args::{EvaluateArgs, STDIN};
use super::output::{print, status};
use super::train::{figures, line_and_column};
use super::{Command, Failure, files};
use min_char_rnn::checkpoint::AnyCheckpoint;
use min_char_rnn::{EncodeError, Vocab, charrnn, train};

// ANCHOR: evaluate
/// Runs `evaluate` with `args`.
pub fn run(args: &EvaluateArgs) -> Result<(), Failure> {
    let checkpoint = AnyCheckpoint::load(&args.checkpoint).map_err(|e| {
        Failure::with_hint(
            e.to_string(),
            "evaluate needs a checkpoint saved by min-char-rnn train (--checkpoint PATH)",
        )
    })?;
    let (name, text) = if args.file.as_os_str() == STDIN {
        (
            "standard input".to_string(),
            files::read_stdin(Command::Evaluate)?,
        )
    } else {
        let text = files::read_text(&args.file, Command::Evaluate)?;
        (args.file.display().to_string(), text)
    };
    let (vocab, model) = match &checkpoint {
        AnyCheckpoint::V1(c) => (
            &c.vocab,
            format!("a vanilla RNN of {} units", c.state.hyperparams.hidden_size),
        ),
        AnyCheckpoint::V2(c) => {
            let config = &c.state.config;
            let model = format!(
                "{} layer(s) of {} {} units",
                config.num_layers, config.hidden_size, config.cell
            );
            (&c.vocab, model)
        }
    };
    let data = encode(vocab, &text, &name)?;
    if data.len() < 2 {
        return Err(Failure::with_hint(
            format!(
                "{name} has {} character: there is no next character to predict",
                data.len()
            ),
            "give a text of at least 2 characters",
        ));
    }
    let loss = match &checkpoint {
        AnyCheckpoint::V1(c) => train::evaluate(&c.state.params, &data),
        AnyCheckpoint::V2(c) => charrnn::evaluate_text(&c.state.network, &data),
    };
    status(&format!(
        "{}: {model}; {name}: {} characters, {} predictions",
        args.checkpoint.display(),
        data.len(),
        data.len() - 1
    ));
    print(&format!("{}\n", figures(loss)))
}
// ANCHOR_END: evaluate

/// The text as indices in the checkpoint's vocabulary; a character outside it is reported
/// with its line and column.
fn encode(vocab: &Vocab, text: &str, name: &str) -> Result<Vec<usize>, Failure> {
    vocab.encode(text).map_err(|e| {
        let EncodeError::UnknownChar { ch, position } = e else {
            return Failure::runtime(format!("{name}: {e}"));
        };
        let (line, column) = line_and_column(text, position);
        Failure::with_hint(
            format!(
                "{name}: character {ch:?} (U+{:04X}) at line {line}, column {column} is not in \
                 the checkpoint's vocabulary ({} characters)",
                u32::from(ch),
                vocab.len()
            ),
            format!(
                "the network can only read the characters it was trained on: {:?}",
                vocab.chars().iter().collect::<String>()
            ),
        )
    })
}
