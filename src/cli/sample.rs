//! `min-char-rnn sample`: load a checkpoint and write text with it. stdout gets the text and
//! nothing else, so `min-char-rnn sample > out.txt` is just the text.

use super::Failure;
use super::args::{DEFAULT_CHECKPOINT, SampleArgs};
use super::output::print;
use min_char_rnn::checkpoint::{Checkpoint, CheckpointErrorKind};
use min_char_rnn::sample::sample_text;
use min_char_rnn::{SampleError, Strategy};

// ANCHOR: sample
/// Runs `sample` with `args`.
pub fn run(args: &SampleArgs) -> Result<(), Failure> {
    let checkpoint = Checkpoint::load(&args.checkpoint).map_err(|e| {
        let missing = matches!(e.kind(), CheckpointErrorKind::Read(io)
            if io.kind() == std::io::ErrorKind::NotFound);
        if missing && args.checkpoint.as_os_str() == DEFAULT_CHECKPOINT {
            Failure::with_hint(
                e.to_string(),
                "train one first with `min-char-rnn train`, or give one with --checkpoint PATH",
            )
        } else {
            Failure::runtime(e.to_string())
        }
    })?;
    let strategy = if args.argmax {
        Strategy::Argmax
    } else {
        // The parser has checked the temperature already; this cannot fail.
        Strategy::temperature(args.temperature.unwrap_or(1.0))
            .map_err(|e| Failure::runtime(e.to_string()))?
    };
    let seed = args.seed.unwrap_or(checkpoint.state.rng_state);
    let mut rng = fastrand::Rng::with_seed(seed);
    let params = &checkpoint.state.params;
    let vocab = &checkpoint.vocab;
    let text =
        sample_text(params, vocab, &args.prime, args.length, strategy, &mut rng).map_err(|e| {
            match e {
                SampleError::Prime(e) => Failure::with_hint(
                    format!("--prime: {e}"),
                    format!(
                        "the checkpoint knows these {} characters: {:?}",
                        vocab.len(),
                        vocab.chars().iter().collect::<String>()
                    ),
                ),
                e => Failure::runtime(e.to_string()),
            }
        })?;
    print(&format!("{text}\n"))
}
// ANCHOR_END: sample
