//! `min-char-rnn sample`: load a checkpoint and write text with it. stdout gets the text and
//! nothing else, so `min-char-rnn sample > out.txt` is just the text.
//!
//! Both kinds of checkpoint are read (`AnyCheckpoint`): the vanilla RNN's (format version 1)
//! through Part I's `sample_text`, a network trained like char-rnn (version 2) through
//! `charrnn::sample_text`, with the same priming, temperature and `--argmax`.

use super::Failure;
use super::args::{DEFAULT_CHECKPOINT, SampleArgs};
use super::output::print;
use min_char_rnn::checkpoint::{AnyCheckpoint, CheckpointError, CheckpointErrorKind};
use min_char_rnn::sample::sample_text;
use min_char_rnn::{EncodeError, SampleError, Strategy, Vocab, charrnn};

// ANCHOR: sample
/// Runs `sample` with `args`.
pub fn run(args: &SampleArgs) -> Result<(), Failure> {
    let checkpoint = AnyCheckpoint::load(&args.checkpoint).map_err(|e| load_failure(args, &e))?;
    let strategy = if args.argmax {
        Strategy::Argmax
    } else {
        // The parser has checked the temperature already; this cannot fail.
        Strategy::temperature(args.temperature.unwrap_or(1.0))
            .map_err(|e| Failure::runtime(e.to_string()))?
    };
    let text = match &checkpoint {
        AnyCheckpoint::V1(checkpoint) => {
            let seed = args.seed.unwrap_or(checkpoint.state.rng_state);
            let mut rng = fastrand::Rng::with_seed(seed);
            let params = &checkpoint.state.params;
            let vocab = &checkpoint.vocab;
            sample_text(params, vocab, &args.prime, args.length, strategy, &mut rng).map_err(
                |e| match e {
                    SampleError::Prime(e) => prime_failure(&e, vocab),
                    e => Failure::runtime(e.to_string()),
                },
            )?
        }
        AnyCheckpoint::V2(checkpoint) => {
            let seed = args.seed.unwrap_or(checkpoint.state.rng_state);
            let mut rng = fastrand::Rng::with_seed(seed);
            let network = &checkpoint.state.network;
            let vocab = &checkpoint.vocab;
            charrnn::sample_text(network, vocab, &args.prime, args.length, strategy, &mut rng)
                .map_err(|e| prime_failure(&e, vocab))?
        }
    };
    print(&format!("{text}\n"))
}
// ANCHOR_END: sample

/// A checkpoint that cannot be loaded; a missing default one gets a hint to train one.
fn load_failure(args: &SampleArgs, e: &CheckpointError) -> Failure {
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
}

/// A prime with a character the checkpoint does not know, with the characters it does.
fn prime_failure(e: &EncodeError, vocab: &Vocab) -> Failure {
    Failure::with_hint(
        format!("--prime: {e}"),
        format!(
            "the checkpoint knows these {} characters: {:?}",
            vocab.len(),
            vocab.chars().iter().collect::<String>()
        ),
    )
}
