//! The explanatory notebook of min-char-rnn, cell by cell, on the corpus that ships with the
//! crate.
//!
//! ```sh
//! cargo run --example notebook              # debug build: fine, and the one to step through
//! cargo run --release --example notebook    # the same output, faster
//! ```
//!
//! Each cell of the notebook becomes one block below, in the notebook's order, and prints a
//! header such as `== 1. load the data ==` followed by what the cell printed. Everything uses
//! the library's public API (`min_char_rnn::…`) and fixed seeds, so the output is the same on
//! every run and every machine; the book shows it from `book/src/generated/notebook.txt`,
//! which `tools/book-outputs.sh` regenerates and checks.

use min_char_rnn::forward::forward;
use min_char_rnn::loss::{cross_entropy, output_gradient, sequence_loss};
use min_char_rnn::model::ParamCounts;
use min_char_rnn::sample::{draw, sample};
use min_char_rnn::train::initial_smooth_loss;
use min_char_rnn::{ForwardCache, Hyperparams, Params, Strategy, Trainer, Vector, Vocab};
use std::error::Error;

/// The training text, built into the example so that it runs from any directory.
const CORPUS: &str = include_str!("../data/corpus.txt");

/// The seed of the initial weights. `Params::new(V, H, SEED)` and `Trainer::new(…, SEED)`
/// draw the same weights, so the cells before training look at the very network that the
/// training cell then trains.
const SEED: u64 = 42;
/// The seed of the random draws made outside training (the samples, the draw in cell 5).
const DRAW_SEED: u64 = 7;

/// How long the training cell trains. The notebook trains for as long as you let it; 200
/// iterations keep this example to a few seconds even in a debug build (unoptimised, one
/// iteration takes about 15 ms there, against well under 1 ms in a release build).
const ITERATIONS: usize = 200;
/// Print the smooth loss every this many iterations (the original prints every 100).
const PRINT_EVERY: usize = 50;
/// Characters per sample, as in the notebook.
const SAMPLE_LENGTH: usize = 200;

fn main() -> Result<(), Box<dyn Error>> {
    // Cell "Load the training data": data = open('input.txt', 'r').read()
    header(1, "load the data");
    let vocab = Vocab::from_text(CORPUS);
    let v = vocab.len();
    println!(
        "data has {} characters, {} unique.",
        CORPUS.chars().count(),
        v
    );

    // Cell "Encode/Decode char/vector": char_to_ix, ix_to_char and a one-hot vector.
    header(2, "encode / decode a char as a vector");
    println!("char_to_ix (ix_to_char is the same table read from right to left):");
    print_char_to_ix(&vocab);
    let a = vocab.one_hot('a')?;
    let a_ix = vocab.char_to_ix('a')?;
    println!();
    println!("the one-hot vector of 'a' (index {a_ix}):");
    println!("{a:?}");
    println!("all {v} entries, one digit each, in rows of ten:");
    print_digits(&a);

    // Cell "Definition of the network": the hyperparameters...
    header(3, "the hyperparameters");
    let hp = Hyperparams::default();
    let Hyperparams {
        hidden_size,
        seq_length,
        learning_rate,
    } = hp;
    println!("hidden_size   = {hidden_size}   (H, the size of the memory h)");
    println!("seq_length    = {seq_length}    (T, characters per training chunk)");
    println!("learning_rate = {learning_rate}   (Adagrad's step size)");

    // ...and the model parameters: Wxh, Whh, Why, bh, by.
    header(4, "the model parameters");
    let (h, t) = (hidden_size, seq_length);
    let params = Params::new(v, h, SEED);
    let counts = params.counts();
    let total = counts.total();
    let ParamCounts {
        w_xh,
        w_hh,
        w_hy,
        b_h,
        b_y,
    } = counts;
    println!("w_xh  (H, V) = ({h}, {v}):  {w_xh:>6} numbers  input -> hidden");
    println!("w_hh  (H, H) = ({h}, {h}): {w_hh:>6} numbers  hidden -> hidden");
    println!("w_hy  (V, H) = ({v}, {h}):  {w_hy:>6} numbers  hidden -> output");
    println!("b_h   (H)    = ({h}):      {b_h:>6} numbers  hidden bias");
    println!("b_y   (V)    = ({v}):       {b_y:>6} numbers  output bias");
    println!("total                      {total:>6} numbers");

    // Cell "Create a sentence from the model": sample(h, seed_ix, n) before any training.
    header(5, "a sample before training");
    let mut rng = fastrand::Rng::with_seed(DRAW_SEED);
    let data = vocab.encode(CORPUS)?;
    let h_zero = Vector::zeros(h);
    let ixes = sample(&params, &h_zero, data[0], SAMPLE_LENGTH, &mut rng);
    print_sample(&vocab.decode(&ixes));

    // Cell "Forward pass", on one time step: t = 0, after reading the first character.
    header(6, "the forward pass at t = 0");
    let inputs = &data[0..t]; // inputs = [char_to_ix[ch] for ch in data[p:p+seq_length]]
    let targets = &data[1..t + 1]; // the same characters, one ahead
    let mut cache = ForwardCache::new(v, h, t);
    forward(&params, inputs, &h_zero, &mut cache);
    let p0 = &cache.ps[0];
    println!(
        "after reading {:?}, the probability of every next character:",
        vocab.ix_to_char(inputs[0])
    );
    print_probabilities(&vocab, p0);
    println!("1/V = 1/{v} = {:.6}", 1.0 / v as f64);
    let drawn = draw(p0, &mut rng);
    println!(
        "a character drawn from these probabilities: {:?}",
        vocab.ix_to_char(drawn)
    );

    // Cell "Loss": the probability given to the real next character, and -ln of it.
    header(7, "the loss of the first pair");
    let (x0, y0) = (inputs[0], targets[0]);
    println!(
        "input {:?} (index {x0}), target {:?} (index {y0})",
        vocab.ix_to_char(x0),
        vocab.ix_to_char(y0)
    );
    println!("p[target]  = {:.6}", p0[y0]);
    println!("loss       = -ln p[target] = {:.6}", cross_entropy(p0, y0));
    println!("ln V       = ln {v} = {:.6}", (v as f64).ln());
    println!(
        "loss of the whole chunk (T = {t} steps) = {:.6}; T ln V = {:.6}",
        sequence_loss(&cache.ps, targets),
        t as f64 * (v as f64).ln()
    );

    // Cell "Backward pass", its first line: dy = np.copy(ps[t]); dy[targets[t]] -= 1
    header(8, "the gradient at the scores, t = 0");
    let mut dy = Vector::zeros(v);
    output_gradient(p0, y0, &mut dy);
    println!("dy = p - onehot(target):");
    println!("{dy:.6?}");
    let dy_target = dy[y0];
    println!("dy[target] = {dy_target:.6}  (p[target] - 1: raise this score)");
    println!("every other dy[k] = p[k] > 0  (lower those scores a little)");

    // Cell "Feed the loss function with inputs and targets".
    header(9, "inputs and targets of the first chunk");
    println!("inputs  = {inputs:?}");
    println!("targets = {targets:?}");
    println!("inputs  as text: {:?}", vocab.decode(inputs));
    println!("targets as text: {:?}", vocab.decode(targets));

    // Cell "Smooth loss": where the low-pass filter of the loss starts.
    header(10, "the smooth loss at the start");
    println!(
        "smooth_loss = -ln(1/V) * seq_length = -ln(1/{v}) * {t} = {:.6}",
        initial_smooth_loss(v, t)
    );

    // Cell "Main loop": train, printing the smooth loss now and then.
    header(11, "training");
    println!("{ITERATIONS} iterations only, so that this example runs in seconds even in a");
    println!("debug build; `cargo run --release` trains for 20000. The loss printed is the");
    println!("smooth loss, which moves slowly; the loss of the chunk itself is in parentheses.");
    let mut trainer = Trainer::new(data, v, hp, SEED)?;
    assert_eq!(trainer.params, params, "same seed, same initial weights");
    while trainer.iteration < ITERATIONS {
        let report = trainer.step()?;
        if report.iteration % PRINT_EVERY == 0 {
            println!(
                "iter {}, loss: {:.6}   (this chunk: {:.6})",
                report.iteration, report.smooth_loss, report.loss
            );
        }
    }

    // The notebook's last output: a sample from the trained network.
    header(12, "a sample after training");
    let ixes = trainer.sample(SAMPLE_LENGTH, Strategy::ORIGINAL);
    print_sample(&vocab.decode(&ixes));
    Ok(())
}

/// `== 1. load the data ==`, after a blank line (except before the first cell).
fn header(cell: usize, title: &str) {
    if cell > 1 {
        println!();
    }
    println!("== {cell}. {title} ==");
}

/// `char_to_ix` as `'a' => 45` entries, six to a line; `{:?}` shows `'\n'` and `' '`.
fn print_char_to_ix(vocab: &Vocab) {
    let chars = vocab.chars();
    for (ix, ch) in chars.iter().enumerate() {
        let entry = format!("{ch:?} => {ix}");
        if ix % 6 == 5 || ix + 1 == chars.len() {
            println!("{entry}");
        } else {
            print!("{entry:<12}");
        }
    }
}

/// A one-hot vector as digits: `0000000000` per row of ten entries.
fn print_digits(x: &Vector) {
    let values = x.as_slice();
    for (k, value) in values.iter().enumerate() {
        print!("{}", if *value == 1.0 { '1' } else { '0' });
        if k % 10 == 9 || k + 1 == values.len() {
            println!("   entries {}..{}", k - k % 10, k);
        }
    }
}

/// The table `char  ix  p`, three columns side by side to keep it short.
fn print_probabilities(vocab: &Vocab, p: &Vector) {
    const COLUMNS: usize = 3;
    let rows = p.len().div_ceil(COLUMNS);
    let mut line = String::new();
    for _ in 0..COLUMNS {
        line.push_str(&format!("{:<6}{:>3}  {:<12}", "char", "ix", "p"));
    }
    println!("{}", line.trim_end());
    for row in 0..rows {
        line.clear();
        for column in 0..COLUMNS {
            let ix = column * rows + row;
            if ix < p.len() {
                let ch = format!("{:?}", vocab.ix_to_char(ix));
                line.push_str(&format!("{ch:<6}{ix:>3}  {:<12.6}", p[ix]));
            }
        }
        println!("{}", line.trim_end());
    }
}

/// A sample between `----` lines, as the original prints it.
fn print_sample(text: &str) {
    println!("----\n{text}\n----");
}
