//! The `min-char-rnn` command: trains on the shipped corpus and prints what the original
//! program prints.

use min_char_rnn::train::Event;
use min_char_rnn::{Hyperparams, Trainer, Vocab};
use std::ops::ControlFlow;
use std::process::ExitCode;

/// The corpus written for this project, built into the binary.
const CORPUS: &str = include_str!("../data/corpus.txt");

fn main() -> ExitCode {
    let vocab = Vocab::from_text(CORPUS);
    println!(
        "data has {} characters, {} unique.",
        CORPUS.chars().count(),
        vocab.len()
    );
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    let mut trainer = match Trainer::new(data, vocab.len(), Hyperparams::default(), 42) {
        Ok(trainer) => trainer,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = trainer.run(20_000, 1000, 200, |event| {
        match event {
            Event::Sample { ixes, .. } => println!("----\n {} \n----", vocab.decode(ixes)),
            Event::Step(report) if report.iteration % 100 == 0 => {
                println!("iter {}, loss: {:.6}", report.iteration, report.smooth_loss)
            }
            Event::Step(_) => {}
        }
        ControlFlow::Continue(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
