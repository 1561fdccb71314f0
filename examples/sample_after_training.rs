//! Trains a network on the shipped corpus with a fixed seed, then prints one sample of what it
//! writes. The book's introduction shows this output (`book/src/generated/intro-sample.txt`,
//! regenerated and checked by `tools/book-outputs.sh`).
//!
//! ```sh
//! cargo run --release --example sample_after_training
//! ```
//!
//! It trains with the fast path (the same bits as the plain path the book walks, faster): a
//! few seconds in a release build; in a debug build, minutes.

use min_char_rnn::fast::Fast;
use min_char_rnn::{Hyperparams, Strategy, Trainer, Vocab};
use std::error::Error;

/// The training text, built into the example so that it runs from any directory.
const CORPUS: &str = include_str!("../data/corpus.txt");
/// The seed of the initial weights and of the sample's random draws.
const SEED: u64 = 42;
/// How many training iterations (chunks of `T` characters) before the sample.
const ITERATIONS: usize = 20_000;
/// Characters in the sample.
const SAMPLE_LENGTH: usize = 400;

fn main() -> Result<(), Box<dyn Error>> {
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(CORPUS)?;
    let mut trainer =
        Trainer::new(data, vocab.len(), Hyperparams::default(), SEED)?.with_engine(Fast::default());
    let mut last = None;
    while trainer.iteration < ITERATIONS {
        last = Some(trainer.step()?);
    }
    if let Some(report) = last {
        println!(
            "after {ITERATIONS} iterations (seed {SEED}), smooth loss {:.2}:",
            report.smooth_loss
        );
    }
    // The sample starts from the memory and the character where training stopped, like the
    // samples the training loop prints.
    let ixes = trainer.sample(SAMPLE_LENGTH, Strategy::ORIGINAL);
    println!("----\n{}\n----", vocab.decode(&ixes));
    Ok(())
}
