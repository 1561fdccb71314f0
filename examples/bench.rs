//! Training throughput, measured: `cargo run --release --example bench`.
//!
//! Trains on the shipped corpus at the original's sizes (H = 100, T = 25, learning rate 0.1)
//! and prints:
//! - iterations per second over several repeated runs (min / median / max), after a warm-up;
//! - where the time goes: forward (with the loss), backward (with clipping), Adagrad;
//! - the arithmetic done per iteration and the rate achieved;
//! - peak memory (resident set) when the OS reports it;
//! - if `python3` with numpy is installed, the same training in the numpy port of the
//!   original program (`tools/min_char_rnn.py`), run alternately with the Rust runs so both
//!   see the same machine load, and the ratio of the medians.
//!
//! Options: `--iterations N` (per run, default 3000), `--repeats R` (default 5),
//! `--no-python`.

use min_char_rnn::backward::{CLIP, backward};
use min_char_rnn::forward::forward;
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::{Adagrad, ForwardCache, Grads, Hyperparams, Params, Trainer, Vector, Vocab};
use std::process::Command;
use std::time::{Duration, Instant};

const CORPUS: &str = include_str!("../data/corpus.txt");
const CORPUS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/corpus.txt");
const NUMPY_PORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/min_char_rnn.py");
const SEED: u64 = 1;
const WARM_UP: usize = 500;

struct Options {
    iterations: usize,
    repeats: usize,
    python: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        iterations: 3000,
        repeats: 5,
        python: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let value = args.next().ok_or(format!("{name} needs a number"))?;
            match value.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "{name}: expected a whole number above 0, got {value:?}"
                )),
            }
        };
        match arg.as_str() {
            "--iterations" => options.iterations = number("--iterations")?,
            "--repeats" => options.repeats = number("--repeats")?,
            "--no-python" => options.python = false,
            _ => {
                return Err(format!(
                    "unknown option {arg:?} (try --iterations N, --repeats R, --no-python)"
                ));
            }
        }
    }
    Ok(options)
}

fn new_trainer(vocab: &Vocab) -> Trainer {
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    Trainer::new(data, vocab.len(), Hyperparams::default(), SEED)
        .expect("the corpus is long enough")
}

/// Iterations per second of `iterations` steps of a trainer that has been warmed up.
fn rust_rate(vocab: &Vocab, iterations: usize) -> f64 {
    let mut trainer = new_trainer(vocab);
    for _ in 0..WARM_UP {
        trainer.step().expect("training does not diverge here");
    }
    let start = Instant::now();
    for _ in 0..iterations {
        trainer.step().expect("training does not diverge here");
    }
    iterations as f64 / start.elapsed().as_secs_f64()
}

/// Iterations per second of the numpy port, as it reports them on its last stderr line
/// (`python: N iterations in S s (R it/s)`), or why it could not run.
fn numpy_rate(iterations: usize) -> Result<f64, String> {
    let output = Command::new("python3")
        .arg(NUMPY_PORT)
        .arg(CORPUS_PATH)
        .args([
            "--iterations",
            &iterations.to_string(),
            "--quiet",
            "--print-every",
            "0",
        ])
        .args(["--seed", &SEED.to_string()])
        .output()
        .map_err(|e| format!("python3 could not be started: {e}"))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let last = stderr.lines().last().unwrap_or("").to_string();
        return Err(format!("the numpy port failed: {last}"));
    }
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("python:"))
        .ok_or("no timing line")?;
    let rate = line
        .rsplit('(')
        .next()
        .and_then(|s| s.split_whitespace().next());
    rate.and_then(|r| r.parse().ok())
        .ok_or(format!("cannot read {line:?}"))
}

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Time spent in each phase over `iterations` steps, the loop written out as `Trainer::step`
/// does it.
fn phase_split(vocab: &Vocab, iterations: usize) -> [Duration; 3] {
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    let hp = Hyperparams::default();
    let (v, h, t) = (vocab.len(), hp.hidden_size, hp.seq_length);
    let mut params = Params::new(v, h, SEED);
    let mut adagrad = Adagrad::new(&params, hp.learning_rate);
    let mut cache = ForwardCache::new(v, h, t);
    let mut grads = Grads::zeros_like(&params);
    let mut h_prev = Vector::zeros(h);
    let mut phases = [Duration::ZERO; 3];
    let mut p = 0;
    for n in 0..WARM_UP + iterations {
        if p + t + 1 >= data.len() || n == 0 {
            p = 0;
            h_prev.fill(0.0);
        }
        let (inputs, targets) = (&data[p..p + t], &data[p + 1..p + t + 1]);
        let t0 = Instant::now();
        forward(&params, inputs, &h_prev, &mut cache);
        std::hint::black_box(sequence_loss(&cache, targets));
        let t1 = Instant::now();
        backward(&params, &cache, targets, &mut grads);
        grads.clip(CLIP);
        let t2 = Instant::now();
        adagrad.update(&mut params, &grads);
        let t3 = Instant::now();
        h_prev.copy_from(cache.last_hidden());
        p += t;
        if n >= WARM_UP {
            phases[0] += t1 - t0;
            phases[1] += t2 - t1;
            phases[2] += t3 - t2;
        }
    }
    phases
}

/// Floating-point operations per iteration, counted from the code (a multiply-add is 2).
fn flops_per_iteration(v: usize, h: usize, t: usize) -> f64 {
    let (v, h, t) = (v as f64, h as f64, t as f64);
    let forward = 2.0 * h * h + 2.0 * v * h; // w_hh·h, w_hy·h (w_xh·x is a lookup)
    let backward = 2.0 * v * h * 2.0 + 2.0 * h * h * 2.0; // dw_hy, w_hyᵀ·dy, dw_hh, w_hhᵀ·dhraw
    let adagrad = 5.0 * (2.0 * v * h + h * h + h + v); // g², +=, ·lr, /√, −=
    t * (forward + backward) + adagrad
}

/// Peak resident memory in KiB, from /proc/self/status (Linux), if available.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn summary(rates: &mut [f64]) -> (f64, f64, f64) {
    rates.sort_by(f64::total_cmp);
    (rates[0], rates[rates.len() / 2], rates[rates.len() - 1])
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("error: {message}");
            std::process::exit(2);
        }
    };
    let vocab = Vocab::from_text(CORPUS);
    let hp = Hyperparams::default();
    println!(
        "min-char-rnn benchmark: corpus of {} characters, V = {}, H = {}, T = {}",
        CORPUS.chars().count(),
        vocab.len(),
        hp.hidden_size,
        hp.seq_length
    );
    println!(
        "{} runs of {} iterations, each after {WARM_UP} warm-up iterations",
        options.repeats, options.iterations
    );
    let python = options.python && numpy_available();
    if options.python && !python {
        println!("python3 with numpy not found: Rust figures only");
    }

    let mut rust_rates = Vec::new();
    let mut numpy_rates = Vec::new();
    for run in 1..=options.repeats {
        let rate = rust_rate(&vocab, options.iterations);
        print!("run {run}: rust {rate:8.0} it/s");
        rust_rates.push(rate);
        if python {
            match numpy_rate(options.iterations) {
                Ok(np) => {
                    print!("   numpy {np:6.0} it/s");
                    numpy_rates.push(np);
                }
                Err(e) => print!("   numpy: {e}"),
            }
        }
        println!();
    }
    let (min, median, max) = summary(&mut rust_rates);
    println!("rust : min {min:.0}, median {median:.0}, max {max:.0} iterations/s");
    println!(
        "       100 000 iterations take {:.1} s at the median rate",
        100_000.0 / median
    );
    if !numpy_rates.is_empty() {
        let (np_min, np_median, np_max) = summary(&mut numpy_rates);
        println!("numpy: min {np_min:.0}, median {np_median:.0}, max {np_max:.0} iterations/s");
        println!("speed-up (median / median): {:.1}x", median / np_median);
    }

    let flops = flops_per_iteration(vocab.len(), hp.hidden_size, hp.seq_length);
    println!(
        "arithmetic: {:.2} MFLOP per iteration, {:.1} GFLOP/s at the median rate",
        flops / 1e6,
        flops * median / 1e9
    );

    let phases = phase_split(&vocab, options.iterations);
    let total: Duration = phases.iter().sum();
    let per_iteration = |d: Duration| d.as_secs_f64() * 1e6 / options.iterations as f64;
    println!(
        "where the time goes (one more run, {} iterations):",
        options.iterations
    );
    for (name, d) in ["forward + loss", "backward + clip", "adagrad"]
        .iter()
        .zip(phases)
    {
        println!(
            "  {name:<16} {:6.1} µs/iteration  {:5.1} %",
            per_iteration(d),
            100.0 * d.as_secs_f64() / total.as_secs_f64()
        );
    }
    match peak_rss_kib() {
        Some(kib) => println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak resident memory: not reported by this OS"),
    }
}
