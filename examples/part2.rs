//! Part II's training run: a [`Network`] of any cell (RNN, LSTM or GRU), `L` layers deep,
//! trained on the shipped corpus with minibatches of `B` streams, then asked to write.
//!
//! ```sh
//! cargo run --release --example part2 -- --cell lstm
//! cargo run --release --example part2 -- --cell gru --layers 2 --batch 16
//! ```
//!
//! Options (all but `--cell` have defaults; `--help` prints them):
//!
//! ```text
//! --cell lstm|gru|rnn    the cell of every layer (required)
//! --layers L             layers stacked on top of each other             (1)
//! --hidden H             size of each layer's memory h (and c)           (64)
//! --batch B              streams read side by side                       (8)
//! --seq-length T         steps per chunk (backpropagation through time)  (50)
//! --iterations N         chunks to train on                              (1500)
//! --learning-rate LR     Adagrad's step size                             (0.1)
//! --seed S               initial weights and the sample's draws          (42)
//! --sample N             characters in the sample at the end             (400)
//! --print-every N        print the loss every N iterations               (100)
//! ```
//!
//! The loop is Part I's, for a network: cut the text into `B` streams ([`Batches`],
//! char-rnn's split), and for each chunk run [`network::forward`] from the state the last
//! chunk left, [`network::backward`], clip every gradient element to `[−5, 5]`
//! ([`NetworkGrads::clip`]), and apply Part I's Adagrad update to every parameter
//! ([`adagrad_update`], one memory per slice of [`Network::slices`]). When the chunks run
//! out it starts again from the first, with zero memories.
//!
//! It prints `iter N, loss: X` as the original does, where `X` is the smoothed loss. Part II's
//! loss is the mean per character (Part I's is the sum over the `T` characters of a chunk),
//! so `X` is in nats per character: `ln V ≈ 4.26` for a uniform guess over the corpus's 71
//! characters. At the end it writes a sample (temperature 1, from zero memories after a
//! newline, with [`Sampler`]) and prints the wall time on standard error, so that standard
//! output is the same for the same arguments, bit for bit.
//!
//! Everything runs on the plain path, the code the chapters walk, on one thread. With the
//! defaults an LSTM trains in about 30 s in a release build (one AMD EPYC core), a GRU a
//! little faster, an RNN in about 10 s; a debug build takes many times longer.
//! `tools/part2-outputs.sh` writes the outputs the chapters show from this program.

use min_char_rnn::Strategy;
use min_char_rnn::Vocab;
use min_char_rnn::adagrad::adagrad_update;
use min_char_rnn::batch::{Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::network::{
    self, BackwardWork, Network, NetworkCache, NetworkGrads, Sampler, State,
};
use std::process::ExitCode;
use std::time::Instant;

/// The training text, built into the example so that it runs from any directory.
const CORPUS: &str = include_str!("../data/corpus.txt");

/// Every gradient element is clipped to `[−CLIP, CLIP]`, as in Part I and char-rnn.
const CLIP: f64 = 5.0;

/// The weight of the past in the smoothed loss: `smooth = SMOOTHING · smooth + (1 −
/// SMOOTHING) · loss`. The original's 0.999 averages over about a thousand iterations, as long
/// as this whole run; 0.99 averages over about a hundred, the distance between two printed
/// lines, so each line shows where the loss is at that point rather than where it was.
const SMOOTHING: f64 = 0.99;

/// What the command line asks for.
#[derive(Clone, Debug)]
struct Config {
    cell: CellKind,
    layers: usize,
    hidden: usize,
    batch: usize,
    seq_length: usize,
    iterations: usize,
    learning_rate: f64,
    seed: u64,
    sample: usize,
    print_every: usize,
}

impl Config {
    /// The defaults, for a given cell.
    ///
    /// H = 64, L = 1, B = 8, T = 50 and 1500 iterations: eleven passes over the 53,467
    /// characters, about half a minute for the LSTM on one core, enough to take the loss from
    /// ln 71 ≈ 4.26 to about 1.5 nats per character (the samples are word-shaped by then).
    ///
    /// The learning rate, 0.1, is Part I's. Adagrad's first step for every weight is about
    /// `lr` whatever the gradient's size (`g / √(g²)`), so the mean loss, whose gradients are
    /// `1/(B·T)` of the summed loss's, does not call for a larger rate, as plain gradient
    /// descent would. Measured with these defaults (the smoothed loss after 1500 iterations,
    /// nats per character, seed 42):
    ///
    /// ```text
    /// lr      rnn    lstm   gru
    /// 0.01    2.22   2.47   2.21
    /// 0.02    2.00   2.07   1.95
    /// 0.05    1.77   1.74   1.58
    /// 0.07    1.72   1.64   1.48
    /// 0.1     1.96   1.54   1.42
    /// 0.2     2.53   1.51   1.66
    /// 0.5     2.76   2.20   1.84
    /// ```
    ///
    /// 0.1 is the best of these for the GRU and within a hair of the best for the LSTM; the
    /// 2-layer LSTM (1.42) and the LSTM with B = 16 (1.47) do well with it too. The plain RNN
    /// learns with it but prefers 0.05 to 0.1, and its result varies more with the seed: at
    /// 0.1, seeds 1 and 2 give 1.75 and 1.77 where seed 42 gives 1.96 (at 0.07: 1.72, 1.82,
    /// 1.72). Above 0.2 every cell does worse; below 0.05 every cell is still far from done.
    fn defaults(cell: CellKind) -> Config {
        Config {
            cell,
            layers: 1,
            hidden: 64,
            batch: 8,
            seq_length: 50,
            iterations: 1500,
            learning_rate: 0.1,
            seed: 42,
            sample: 400,
            print_every: 100,
        }
    }
}

const USAGE: &str = "\
usage: cargo run --release --example part2 -- --cell lstm|gru|rnn [OPTIONS]

Trains a network of the chosen cell on the shipped corpus (data/corpus.txt) with Adagrad,
printing the smoothed loss per character, then writes a sample.

options:
  --cell lstm|gru|rnn   the cell of every layer (required)
  --layers L            layers stacked on top of each other             [default: 1]
  --hidden H            size of each layer's memory h (and c)            [default: 64]
  --batch B             streams read side by side                        [default: 8]
  --seq-length T        steps per chunk (backpropagation through time)   [default: 50]
  --iterations N        chunks to train on                               [default: 1500]
  --learning-rate LR    Adagrad's step size                              [default: 0.1]
  --seed S              initial weights and the sample's draws           [default: 42]
  --sample N            characters in the sample at the end              [default: 400]
  --print-every N       print the loss every N iterations                [default: 100]
  -h, --help            print this help";

/// What went wrong.
enum Failure {
    /// `--help`: not a failure, print the usage and exit with 0.
    Help,
    /// Bad arguments: print the message and the usage line, exit with 2.
    Usage(String),
    /// The run itself failed (the loss diverged): exit with 1.
    Run(String),
}

/// The largest `--layers` accepted (far beyond what this plain code trains in reasonable time).
const MAX_LAYERS: usize = 64;
/// The largest `--hidden` accepted.
const MAX_HIDDEN: usize = 4096;
/// The longest `--sample` accepted.
const MAX_SAMPLE: usize = 1_000_000;
/// The most memory a run may take, in bytes (4 GiB; see [`buffer_bytes`]): a run that would
/// need more stops with a message instead of failing to allocate.
const MAX_BUFFER_BYTES: u128 = 4 << 30;

/// Reads a whole number of at least `min` and at most `max`.
fn parse_count(flag: &str, value: &str, min: usize, max: usize) -> Result<usize, Failure> {
    let n: usize = value
        .parse()
        .map_err(|_| Failure::Usage(format!("{flag} expects a whole number, not {value:?}")))?;
    if n < min || n > max {
        return Err(Failure::Usage(format!(
            "{flag} must be between {min} and {max}, not {n}"
        )));
    }
    Ok(n)
}

/// Parses the command line (without the program name).
fn parse_args(args: &[String]) -> Result<Config, Failure> {
    let mut cell = None;
    let mut seen: Vec<&str> = Vec::new();
    // The cell is needed for the defaults, but may come anywhere: collect the pairs first.
    let mut pairs: Vec<(&str, &str)> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "-h" || flag == "--help" {
            return Err(Failure::Help);
        }
        const FLAGS: [&str; 10] = [
            "--cell",
            "--layers",
            "--hidden",
            "--batch",
            "--seq-length",
            "--iterations",
            "--learning-rate",
            "--seed",
            "--sample",
            "--print-every",
        ];
        let Some(&known) = FLAGS.iter().find(|&&f| f == flag) else {
            return Err(Failure::Usage(format!("unknown argument {flag:?}")));
        };
        let Some(value) = args.get(i + 1) else {
            return Err(Failure::Usage(format!("{flag} needs a value")));
        };
        if seen.contains(&known) {
            return Err(Failure::Usage(format!("{flag} is given twice")));
        }
        seen.push(known);
        pairs.push((known, value.as_str()));
        i += 2;
    }
    for &(flag, value) in &pairs {
        if flag == "--cell" {
            let kind: CellKind = value
                .parse()
                .map_err(|e: min_char_rnn::cells::UnknownCell| Failure::Usage(e.to_string()))?;
            cell = Some(kind);
        }
    }
    let Some(cell) = cell else {
        return Err(Failure::Usage(
            "--cell is required: --cell lstm, --cell gru or --cell rnn".to_string(),
        ));
    };
    let mut config = Config::defaults(cell);
    for (flag, value) in pairs {
        match flag {
            "--cell" => {}
            "--layers" => config.layers = parse_count(flag, value, 1, MAX_LAYERS)?,
            "--hidden" => config.hidden = parse_count(flag, value, 1, MAX_HIDDEN)?,
            "--batch" => config.batch = parse_count(flag, value, 1, usize::MAX)?,
            "--seq-length" => config.seq_length = parse_count(flag, value, 1, usize::MAX)?,
            "--iterations" => config.iterations = parse_count(flag, value, 0, usize::MAX)?,
            "--sample" => config.sample = parse_count(flag, value, 0, MAX_SAMPLE)?,
            "--print-every" => config.print_every = parse_count(flag, value, 1, usize::MAX)?,
            "--seed" => {
                config.seed = value.parse().map_err(|_| {
                    Failure::Usage(format!(
                        "--seed expects a whole number from 0 to {}, not {value:?}",
                        u64::MAX
                    ))
                })?;
            }
            "--learning-rate" => {
                let lr: f64 = value.parse().map_err(|_| {
                    Failure::Usage(format!(
                        "--learning-rate expects a number, not {value:?} (for example 0.1)"
                    ))
                })?;
                if !(lr.is_finite() && lr > 0.0) {
                    return Err(Failure::Usage(format!(
                        "--learning-rate must be a finite number above 0, not {value}"
                    )));
                }
                config.learning_rate = lr;
            }
            _ => unreachable!("every flag in FLAGS is handled"),
        }
    }
    Ok(config)
}

/// `"1 layer"`, `"2 layers"`.
fn counted(n: usize, word: &str) -> String {
    counted_u128(n as u128, word)
}

/// [`counted`] for a `u128`.
fn counted_u128(n: u128, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// About how many bytes a run with `config` allocates (`B·T` must not overflow): the
/// parameters three times (the weights, their gradients, Adagrad's memory), and what the
/// forward cache and the backward buffers hold per step and stream: per layer a few vectors
/// of `G·H` (the gates) and of `H` (`h`, `c`, `tanh c`, `dh`), and three of `V`.
fn buffer_bytes(config: &Config, vocab_size: usize) -> u128 {
    let (g, h, l, v) = (
        config.cell.gates() as u128,
        config.hidden as u128,
        config.layers as u128,
        vocab_size as u128,
    );
    let parameters = g * h * (v + h + 1) + (l - 1) * g * h * (2 * h + 1) + v * (h + 1);
    let per_character = l * (g * h + 5 * h) + 3 * v;
    let characters = (config.batch * config.seq_length) as u128;
    8 * (3 * parameters + characters * per_character)
}

/// Trains, printing the loss, then samples.
fn run(config: &Config) -> Result<(), Failure> {
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab
        .encode(CORPUS)
        .map_err(|e| Failure::Run(e.to_string()))?;
    // B·T must fit in the text (checked here, before multiplying, so that no product
    // overflows).
    let fits = config
        .batch
        .checked_mul(config.seq_length)
        .is_some_and(|n| n <= data.len());
    if !fits {
        return Err(Failure::Usage(format!(
            "--batch {} × --seq-length {} is more than the corpus's {} characters: one chunk would not fit",
            config.batch,
            config.seq_length,
            data.len()
        )));
    }
    let bytes = buffer_bytes(config, vocab.len());
    if bytes > MAX_BUFFER_BYTES {
        return Err(Failure::Usage(format!(
            "B = {}, T = {}, L = {}, H = {} would need about {} GiB of memory (at most {} GiB)",
            config.batch,
            config.seq_length,
            config.layers,
            config.hidden,
            bytes >> 30,
            MAX_BUFFER_BYTES >> 30
        )));
    }
    let batches = Batches::new(&data, config.batch, config.seq_length)
        .map_err(|e| Failure::Usage(e.to_string()))?;

    let (cell, b, t) = (config.cell, config.batch, config.seq_length);
    let mut net = Network::new(cell, vocab.len(), config.hidden, config.layers, config.seed);
    let mut grads = NetworkGrads::zeros_like(&net);
    let mut memories: Vec<Vec<f64>> = net.slices().iter().map(|w| vec![0.0; w.len()]).collect();
    let mut state = State::zeros(&net, b);
    let mut cache = NetworkCache::new(&net, b, t);
    let mut work = BackwardWork::new(&net, b, t);
    let mut chunk = Chunk::zeros(b, t);

    println!(
        "data has {} characters, {} unique.",
        data.len(),
        vocab.len()
    );
    println!(
        "{cell}, L = {}, H = {}, B = {}, T = {}: {} parameters",
        counted(config.layers, "layer"),
        config.hidden,
        counted(b, "stream"),
        counted(t, "step"),
        net.parameter_count()
    );
    println!(
        "{} chunks of {b} × {t} per pass over the text; Adagrad, learning rate {:?}, seed {}",
        batches.len(),
        config.learning_rate,
        config.seed
    );
    println!(
        "loss: nats per character, the mean over each chunk's B·T characters, smoothed over\n      \
         about 100 iterations (a uniform guess over {} characters scores ln {0} = {:.2})",
        vocab.len(),
        (vocab.len() as f64).ln()
    );

    let start = Instant::now();
    // Part I starts the smoothed loss at a uniform guess's loss; per character, that is ln V.
    let mut smooth_loss = (vocab.len() as f64).ln();
    for n in 0..config.iterations {
        let k = n % batches.len();
        if k == 0 {
            state.reset(); // back at the start of every stream: zero memories
        }
        batches.chunk_into(k, &mut chunk);
        network::forward(&net, &chunk, &mut state, &mut cache); // leaves the next chunk's state
        let loss = network::loss(&cache, &chunk);
        if !loss.is_finite() {
            return Err(Failure::Run(format!(
                "the loss is {loss} at iteration {n}: training diverged (try a smaller --learning-rate)"
            )));
        }
        network::backward(&net, &cache, &chunk, &mut grads, &mut work);
        grads.clip(CLIP);
        for ((w, g), m) in net
            .slices_mut()
            .into_iter()
            .zip(grads.slices())
            .zip(&mut memories)
        {
            adagrad_update(w, g, m, config.learning_rate);
        }
        smooth_loss = SMOOTHING * smooth_loss + (1.0 - SMOOTHING) * loss;
        if n % config.print_every == 0 || n + 1 == config.iterations {
            println!("iter {n}, loss: {smooth_loss:.6}");
        }
    }
    let training = start.elapsed();
    // The loss is checked before each update; the last update could still overflow.
    if net
        .slices()
        .iter()
        .any(|w| w.iter().any(|x| !x.is_finite()))
    {
        return Err(Failure::Run(
            "a weight is not finite after the last update: training diverged (try a smaller --learning-rate)"
                .to_string(),
        ));
    }
    let read = config.iterations as u128 * (b as u128 * t as u128); // never overflows
    println!(
        "read {} ({} × {} × {}): {:.1} passes over the text",
        counted_u128(read, "character"),
        counted(config.iterations, "iteration"),
        counted(b, "stream"),
        counted(t, "step"),
        read as f64 / data.len() as f64
    );

    if config.sample > 0 {
        // From zero memories, after a newline: the sample starts a line of its own.
        let newline = vocab
            .char_to_ix('\n')
            .map_err(|e| Failure::Run(e.to_string()))?;
        let mut sampler = Sampler::new(&net);
        let mut rng = fastrand::Rng::with_seed(config.seed);
        let ixes = sampler.generate(&net, newline, config.sample, Strategy::ORIGINAL, &mut rng);
        println!("----\n{}\n----", vocab.decode(&ixes));
    }
    let seconds = training.as_secs_f64();
    eprintln!(
        "part2: {} in {seconds:.1} s ({:.1} it/s)",
        counted(config.iterations, "iteration"),
        config.iterations as f64 / seconds.max(1e-9)
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = parse_args(&args).and_then(|config| run(&config));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Help) => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(message)) => {
            eprintln!("part2: error: {message}");
            eprintln!(
                "usage: cargo run --release --example part2 -- --cell lstm|gru|rnn [OPTIONS] (--help for more)"
            );
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("part2: error: {message}");
            ExitCode::FAILURE
        }
    }
}
