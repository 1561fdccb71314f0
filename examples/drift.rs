//! Half of the drift experiment (`tools/drift.py` is the other half): trains on the shipped
//! corpus from initial weights read from a file and prints the loss of every iteration, so
//! that the same training in numpy can be compared with it iteration by iteration.
//!
//! `cargo run --release --example drift -- WEIGHTS ITERATIONS`
//!
//! WEIGHTS holds five lines of numbers, row-major: `w_xh` `(H, V)`, `w_hh` `(H, H)`, `w_hy`
//! `(V, H)`, `b_h` `(H)`, `b_y` `(V)`, with H = 100 and V from the corpus.

use min_char_rnn::{Hyperparams, Trainer, Vocab};
use std::process::ExitCode;

mod common;

const CORPUS: &str = include_str!("../data/corpus.txt");

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: drift WEIGHTS ITERATIONS";
    let path = args.next().ok_or(usage)?;
    let iterations: usize = args.next().and_then(|n| n.parse().ok()).ok_or(usage)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(CORPUS).map_err(|e| e.to_string())?;
    let mut trainer =
        Trainer::new(data, vocab.len(), Hyperparams::default(), 0).map_err(|e| e.to_string())?;
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() != 5 {
        return Err(format!(
            "{path}: expected 5 lines (w_xh, w_hh, w_hy, b_h, b_y)"
        ));
    }
    for (values, line) in trainer.params.slices_mut().into_iter().zip(lines) {
        let numbers: Result<Vec<f64>, _> = line.split_whitespace().map(str::parse).collect();
        let numbers = numbers.map_err(|e| format!("{path}: {e}"))?;
        if numbers.len() != values.len() {
            return Err(format!(
                "{path}: {} numbers where {} belong",
                numbers.len(),
                values.len()
            ));
        }
        values.copy_from_slice(&numbers);
    }
    for _ in 0..iterations {
        let report = trainer.step().map_err(|e| e.to_string())?;
        println!("{:?}", report.loss);
    }
    Ok(())
}

fn main() -> ExitCode {
    common::exit_code(run())
}
