//! Training throughput of Part II's network, plain path against fast path:
//! `cargo run --release --example bench_cells`.
//!
//! At char-rnn's default model (2 layers of 128 units, `B = 50` streams of `T = 50` steps)
//! on the shipped corpus, for each cell, it times one forward pass with the loss and one
//! backward pass, on both paths, and prints characters per second (`B·T` characters per
//! iteration), the time of each half, the fast path's speed-up, and the rate of arithmetic.
//! The plain path is slow, so it runs few iterations. Each figure is the median over the
//! iterations, after a warm-up.
//!
//! The fast path runs on one thread, then on as many as the machine has cores (the results
//! are the same bits either way; the plain path has one thread).
//!
//! Options: `--iterations N` (fast path, default 20), `--plain-iterations N` (default 2),
//! `--cell rnn|lstm|gru` (default all three), `--no-plain`, `--threads N` (the second
//! measurement of the fast path; default the number of cores), `--hidden H`, `--layers L`,
//! `--batch B`, `--seq-length T`.

use min_char_rnn::Vocab;
use min_char_rnn::batch::{Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::fast::network::{self as fast, NetworkWorkspace};
use min_char_rnn::network::{
    self as plain, BackwardWork, Network, NetworkCache, NetworkGrads, State,
};
use std::time::Instant;

mod common;
use common::{cpu_model, median, plural};

const CORPUS: &str = include_str!("../data/corpus.txt");
const SEED: u64 = 1;

struct Options {
    iterations: usize,
    plain_iterations: usize,
    threads: usize,
    cells: Vec<CellKind>,
    hidden: usize,
    layers: usize,
    batch: usize,
    steps: usize,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        iterations: 20,
        plain_iterations: 2,
        threads: common::cores(),
        cells: CellKind::ALL.to_vec(),
        hidden: 128,
        layers: 2,
        batch: 50,
        steps: 50,
    };
    let mut chosen = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let mut number = |name: &str, allow_zero: bool| -> Result<usize, String> {
            let text = value(name)?;
            match text.parse() {
                Ok(n) if n > 0 || allow_zero => Ok(n),
                _ => Err(format!("{name}: expected a whole number, got {text:?}")),
            }
        };
        match arg.as_str() {
            "--iterations" => options.iterations = number("--iterations", false)?,
            "--plain-iterations" => options.plain_iterations = number("--plain-iterations", true)?,
            "--no-plain" => options.plain_iterations = 0,
            "--threads" => options.threads = number("--threads", false)?,
            "--hidden" => options.hidden = number("--hidden", false)?,
            "--layers" => options.layers = number("--layers", false)?,
            "--batch" => options.batch = number("--batch", false)?,
            "--seq-length" => options.steps = number("--seq-length", false)?,
            "--cell" => {
                let name = value("--cell")?;
                chosen.push(name.parse::<CellKind>().map_err(|e| e.to_string())?);
            }
            _ => return Err(format!("unknown option {arg:?}")),
        }
    }
    if !chosen.is_empty() {
        options.cells = chosen;
    }
    Ok(options)
}

/// The median seconds of a forward pass (with the loss) and of a backward pass.
struct Timing {
    forward: f64,
    backward: f64,
}

impl Timing {
    fn total(&self) -> f64 {
        self.forward + self.backward
    }
}

/// Runs `iterations` training steps (without the update, which both paths share) through
/// `step`, which returns the seconds of its forward and backward halves; one more first, to
/// warm up.
fn time(iterations: usize, mut step: impl FnMut(usize) -> (f64, f64)) -> Timing {
    step(0);
    let (mut forward, mut backward) = (Vec::new(), Vec::new());
    for k in 1..=iterations {
        let (f, b) = step(k);
        forward.push(f);
        backward.push(b);
    }
    Timing {
        forward: median(forward),
        backward: median(backward),
    }
}

/// Multiply-adds of one iteration: the forward pass's products with the weights (layer 0's
/// `W_hh`, both matrices of every layer above, the output layer; layer 0's `W_ih·x` is a
/// lookup), and twice as many backward (for each product, `dW` and the gradient it hands on).
fn multiply_adds(cell: CellKind, v: usize, h: usize, layers: usize, characters: usize) -> f64 {
    let gh = cell.gates() * h;
    let forward = layers * gh * h + (layers - 1) * gh * h + v * h;
    (3 * forward * characters) as f64
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("bench_cells: {message}");
            std::process::exit(2);
        }
    };
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    let (v, h, layers, batch, steps) = (
        vocab.len(),
        options.hidden,
        options.layers,
        options.batch,
        options.steps,
    );
    let batches = Batches::new(&data, batch, steps).expect("the corpus is long enough");
    let characters = batch * steps;
    println!("machine: {} (the plain path uses one)", cpu_model());
    println!(
        "Part II benchmark: corpus of {} characters, V = {v}, {layers} layers of H = {h}, \
         B = {batch} streams of T = {steps} steps ({characters} characters per iteration)",
        data.len()
    );
    println!(
        "medians over {} iterations (fast) and {} (plain), each after one warm-up iteration",
        options.iterations, options.plain_iterations
    );
    let mut single: Option<Timing> = None;
    for &cell in &options.cells {
        let net = Network::new(cell, v, h, layers, SEED);
        let mut chunk = Chunk::zeros(batch, steps);
        let mut grads = NetworkGrads::zeros_like(&net);
        let rate = |t: &Timing| characters as f64 / t.total();
        println!("{cell}:");
        let mut thread_counts = vec![1];
        if options.threads > 1 {
            thread_counts.push(options.threads);
        }
        let mut fastest = f64::INFINITY;
        for &threads in &thread_counts {
            let mut state = State::zeros(&net, batch);
            let mut work = NetworkWorkspace::with_threads(threads);
            let quick = time(options.iterations, |k| {
                batches.chunk_into(k % batches.len(), &mut chunk);
                let start = Instant::now();
                fast::forward(&net, &chunk, &mut state, &mut work);
                std::hint::black_box(fast::loss(&work, &chunk));
                let middle = Instant::now();
                fast::backward(&net, &chunk, &mut grads, &mut work);
                let end = Instant::now();
                ((middle - start).as_secs_f64(), (end - middle).as_secs_f64())
            });
            let label = format!("fast, {}", plural(threads, "thread"));
            println!(
                "  {label:<16}: {:>7.0} characters/s   forward + loss {:>7.1} ms   backward {:>7.1} ms",
                rate(&quick),
                quick.forward * 1e3,
                quick.backward * 1e3
            );
            if threads == 1 {
                let work_done = multiply_adds(cell, v, h, layers, characters);
                println!(
                    "  {:<16}  {:.2} billion multiply-adds per iteration: {:.1} billion per second",
                    "",
                    work_done / 1e9,
                    work_done / quick.total() / 1e9
                );
                single = Some(quick);
            } else {
                fastest = fastest.min(quick.total());
            }
        }
        let single = single.take().expect("one thread is measured");
        if options.plain_iterations > 0 {
            let mut state = State::zeros(&net, batch);
            let mut cache = NetworkCache::new(&net, batch, steps);
            let mut plain_work = BackwardWork::new(&net, batch, steps);
            let slow = time(options.plain_iterations, |k| {
                batches.chunk_into(k % batches.len(), &mut chunk);
                let start = Instant::now();
                plain::forward(&net, &chunk, &mut state, &mut cache);
                std::hint::black_box(plain::loss(&cache, &chunk));
                let middle = Instant::now();
                plain::backward(&net, &cache, &chunk, &mut grads, &mut plain_work);
                let end = Instant::now();
                ((middle - start).as_secs_f64(), (end - middle).as_secs_f64())
            });
            println!(
                "  {:<16}: {:>7.0} characters/s   forward + loss {:>7.1} ms   backward {:>7.1} ms",
                "plain, 1 thread",
                rate(&slow),
                slow.forward * 1e3,
                slow.backward * 1e3
            );
            println!(
                "  fast / plain, 1 thread each: {:.1}x (forward {:.1}x, backward {:.1}x)",
                slow.total() / single.total(),
                slow.forward / single.forward,
                slow.backward / single.backward
            );
        }
        if fastest.is_finite() {
            println!(
                "  fast, {} threads / 1 thread: {:.2}x",
                options.threads,
                single.total() / fastest
            );
        }
    }
}
