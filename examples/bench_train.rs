//! Training speed of char-rnn's default model, end to end, beside PyTorch:
//! `cargo run --release --example bench_train [-- FILE]`.
//!
//! The run is [`Config::new`]'s (2 layers of 128 LSTM units, `B = 50` streams of `T = 50`
//! steps, RMSprop at 2e−3 with decay 0.95, clipping by value at 5, 5% of the chunks held out)
//! with seed 42, on the shipped corpus or on FILE, computed by the fast path ([`Fast`]) on
//! every core (or `--threads N`). One warm-up step, then `R` rounds (`--rounds`, default 3) of
//! `N` steps each (`--iterations`, default 40). What each figure means:
//!
//! - `chars/s`: `B·T·N` characters over the wall time of the round's `N` calls to
//!   [`NetworkTrainer::step`] (everything a step does), the median over the rounds.
//! - the phase split, in milliseconds per step (each the median over the rounds of the
//!   round's mean): `forward + loss` and `backward` are timed inside the engine (a wrapper
//!   around [`Fast`] that times its two halves); `rest` is the step's time minus those two:
//!   the dropout draw (none at p = 0), clipping, the optimizer's update and the bookkeeping.
//! - `val/chunk`: the wall time of one [`NetworkTrainer::evaluate`] (after the rounds),
//!   divided by the number of validation chunks (PyTorch: one pass after each round's steps,
//!   the median over the rounds).
//! - `peak memory`: the process's VmHWM from `/proc/self/status` (PyTorch: its `ru_maxrss`).
//!   `held` adds up the bytes of the weights, the optimizer's memory, the gradients, the
//!   carried state and the workspace's public buffers (its private copies are left out).
//!
//! PyTorch (when `python3` can import torch, the cell is the LSTM and `--no-torch` is not
//! given): after each of our rounds, `tools/torch_train_speed.py` trains the same model on the
//! same text in float64, then in float32, with the same number of threads, timing the same
//! `N` chunks after its own untimed warm-up step (the start-up of Python and the import of
//! torch are not timed). The ratios are `ours / torch` of the median characters per second:
//! above 1, ours is faster.
//!
//! Options: `--iterations N`, `--rounds R`, `--threads N`, `--no-torch`,
//! `--cell lstm|gru|rnn` (default lstm), and a FILE to read instead of the shipped corpus.

use min_char_rnn::Vocab;
use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Config, Engine, NetworkTrainer};
use min_char_rnn::fast::network::{self as fast, Fast, NetworkWorkspace};
use min_char_rnn::matrix::Matrix;
use min_char_rnn::network::{Dropout, Network, NetworkGrads, State};
use std::cell::Cell;
use std::process::{Command, ExitCode};
use std::rc::Rc;
use std::time::Instant;

mod common;
use common::{cpu_model, median, peak_kib, plural};

const SEED: u64 = 42;
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const USAGE: &str = "usage: bench_train [--iterations N] [--rounds R] [--threads N] \
                     [--no-torch] [--cell lstm|gru|rnn] [FILE]";

struct Options {
    iterations: usize,
    rounds: usize,
    threads: usize,
    torch: bool,
    cell: CellKind,
    file: Option<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        iterations: 40,
        rounds: 3,
        threads: common::cores(),
        torch: true,
        cell: CellKind::Lstm,
        file: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        let mut number = |name: &str| -> Result<usize, String> {
            let text = value(name)?;
            match text.parse() {
                Ok(n) if n > 0 => Ok(n),
                _ => Err(format!(
                    "{name}: expected a whole number above 0, got {text:?}"
                )),
            }
        };
        match arg.as_str() {
            "--iterations" => options.iterations = number("--iterations")?,
            "--rounds" => options.rounds = number("--rounds")?,
            "--threads" => options.threads = number("--threads")?,
            "--no-torch" => options.torch = false,
            "--cell" => options.cell = value("--cell")?.parse().map_err(|e| format!("{e}"))?,
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg:?}")),
            _ if options.file.is_some() => return Err(format!("a second FILE {arg:?}")),
            _ => options.file = Some(arg),
        }
    }
    Ok(options)
}

/// Seconds spent in the engine's two halves since the last [`Phases::take`].
#[derive(Clone, Copy, Debug, Default)]
struct Phases {
    forward: f64,
    backward: f64,
}

/// The fast path as the trainer's engine, timing its forward pass (with the loss) and its
/// backward pass into `spent`, which the clones share. It computes exactly what [`Fast`] does.
#[derive(Clone, Debug)]
struct Timed {
    fast: Fast,
    spent: Rc<Cell<Phases>>,
    /// Bytes of the workspace's public buffers, after the first pass.
    workspace_bytes: Rc<Cell<usize>>,
}

impl Engine for Timed {
    fn loss_and_gradients(
        &mut self,
        network: &Network,
        chunk: &Chunk,
        state: &mut State,
        grads: &mut NetworkGrads,
        dropout: Option<&Dropout>,
    ) -> f64 {
        let work = &mut self.fast.work;
        let start = Instant::now();
        fast::forward_with_dropout(network, chunk, state, work, dropout);
        let loss = fast::loss(work, chunk);
        let middle = Instant::now();
        fast::backward(network, chunk, grads, work);
        let end = Instant::now();
        let mut spent = self.spent.get();
        spent.forward += (middle - start).as_secs_f64();
        spent.backward += (end - middle).as_secs_f64();
        self.spent.set(spent);
        if self.workspace_bytes.get() == 0 {
            self.workspace_bytes.set(public_bytes(work)); // once: in the untimed warm-up step
        }
        loss
    }

    fn loss(&mut self, network: &Network, chunk: &Chunk, state: &mut State) -> f64 {
        self.fast.loss(network, chunk, state) // validation: timed around `evaluate`
    }

    fn boxed_clone(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
}

fn matrix_bytes<'a>(matrices: impl IntoIterator<Item = &'a Matrix>) -> usize {
    let floats: usize = matrices.into_iter().map(|m| m.as_slice().len()).sum();
    floats * size_of::<f64>()
}

/// Bytes of the buffers a [`NetworkWorkspace`] shows: every group's and `d_state`.
fn public_bytes(work: &NetworkWorkspace) -> usize {
    let mut bytes = matrix_bytes(work.d_state.h.iter().chain(&work.d_state.c));
    for g in &work.groups {
        let per_layer = [
            &g.h0,
            &g.c0,
            &g.hs,
            &g.cs,
            &g.tanh_cs,
            &g.gates,
            &g.hns,
            &g.dhs,
            &g.dgates,
            &g.dgates_h,
            &g.d_h,
            &g.d_c,
            &g.masks,
            &g.dropped,
        ];
        bytes += matrix_bytes(per_layer.into_iter().flatten());
        bytes += matrix_bytes([&g.ys, &g.ps, &g.dys]);
    }
    bytes
}

/// Per-step seconds of one round: the whole step, and the engine's two halves.
#[derive(Clone, Copy, Debug)]
struct Round {
    step: f64,
    forward: f64,
    backward: f64,
}

/// What one run of `tools/torch_train_speed.py` printed, per step where it is a time.
#[derive(Clone, Debug)]
struct TorchRound {
    round: Round,
    chars_per_s: f64,
    val_per_chunk: f64,
    peak_kb: f64,
    version: String,
    threads: String,
    shape: [usize; 5], // V, N_train, N_val, B, T
}

/// The value after `key` in a line of `key value` pairs.
fn field<'a>(line: &'a str, key: &str) -> Result<&'a str, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .chunks(2)
        .find(|pair| pair[0] == key && pair.len() == 2)
        .map(|pair| pair[1])
        .ok_or(format!(
            "no {key:?} in torch_train_speed.py's output {line:?}"
        ))
}

fn number(line: &str, key: &str) -> Result<f64, String> {
    let text = field(line, key)?;
    text.parse()
        .map_err(|_| format!("torch_train_speed.py: {key} is not a number: {text:?}"))
}

/// Runs `tools/torch_train_speed.py` on `text` in `dtype`, on `options`' threads: a warm-up
/// on training chunk `start`, then `options.iterations` timed steps on the chunks after it.
fn torch_round(
    text: &str,
    dtype: &str,
    options: &Options,
    start: usize,
) -> Result<TorchRound, String> {
    let (threads, iterations) = (options.threads, options.iterations);
    let script = format!("{ROOT}/tools/torch_train_speed.py");
    let output = Command::new("python3")
        .arg(&script)
        .arg(text)
        .args(["--dtype", dtype])
        .args(["--threads", &threads.to_string()])
        .args(["--iterations", &iterations.to_string()])
        .args(["--start", &start.to_string()])
        .output()
        .map_err(|e| format!("cannot run python3 {script}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("no message");
        return Err(format!("{script} failed ({}): {last}", output.status));
    }
    let line = stdout.lines().last().unwrap_or_default();
    let n = iterations as f64;
    let mut shape = [0; 5];
    for (slot, key) in shape
        .iter_mut()
        .zip(["v", "train_chunks", "val_chunks", "batch", "steps"])
    {
        *slot = number(line, key)? as usize;
    }
    Ok(TorchRound {
        round: Round {
            step: number(line, "seconds")? / n,
            forward: number(line, "forward_s")? / n,
            backward: number(line, "backward_s")? / n,
        },
        chars_per_s: number(line, "chars_per_s")?,
        val_per_chunk: number(line, "val_s_per_chunk")?,
        peak_kb: number(line, "peak_rss_kb")?,
        version: field(line, "torch")?.to_string(),
        threads: field(line, "threads")?.to_string(),
        shape,
    })
}

/// Medians over rounds: characters per second and the per-step times.
struct Summary {
    chars_per_s: f64,
    round: Round,
    /// The step minus the engine's two halves.
    rest: f64,
}

fn summarize(rounds: &[Round], chars_per_s: Vec<f64>) -> Summary {
    let pick = |f: fn(&Round) -> f64| median(rounds.iter().map(f).collect());
    Summary {
        chars_per_s: median(chars_per_s),
        round: Round {
            step: pick(|r| r.step),
            forward: pick(|r| r.forward),
            backward: pick(|r| r.backward),
        },
        rest: pick(|r| r.step - r.forward - r.backward),
    }
}

/// One aligned row of the table: chars/s, then milliseconds per step.
fn row(label: &str, s: &Summary, val_per_chunk: f64) {
    let r = &s.round;
    println!(
        "{label:<15} {:>8.0} {:>9.1} {:>9.1} {:>7.1} {:>7.1} {:>10.1}",
        s.chars_per_s,
        r.forward * 1e3,
        r.backward * 1e3,
        s.rest * 1e3,
        r.step * 1e3,
        val_per_chunk * 1e3
    );
}

fn mib(bytes: f64) -> String {
    format!("{:.1} MiB", bytes / (1024.0 * 1024.0))
}

/// Bytes the trainer's weights, optimizer memory, gradients and carried state hold.
fn held_bytes(trainer: &NetworkTrainer) -> [usize; 4] {
    let f = size_of::<f64>();
    let optimizer = trainer.optimizer.state();
    let memory: usize = optimizer
        .first
        .iter()
        .chain(&optimizer.second)
        .map(Vec::len)
        .sum();
    let grads: usize = trainer.grads().slices().iter().map(|s| s.len()).sum();
    let state = trainer.carried_state();
    [
        trainer.network.parameter_count() * f,
        memory * f,
        grads * f,
        matrix_bytes(state.h.iter().chain(&state.c)),
    ]
}

fn torch_available() -> bool {
    Command::new("python3")
        .args(["-c", "import torch"])
        .output()
        .is_ok_and(|out| out.status.success())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_train: {message}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let options = parse_options().map_err(|e| format!("{e}\n{USAGE}"))?;
    let (path, shown) = match &options.file {
        Some(file) => (file.clone(), file.clone()),
        None => (
            format!("{ROOT}/data/corpus.txt"),
            "data/corpus.txt".to_string(),
        ),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {path}: {e} (give a UTF-8 text file)"))?;
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).map_err(|e| e.to_string())?;
    let spent = Rc::new(Cell::new(Phases::default()));
    let workspace_bytes = Rc::new(Cell::new(0));
    let engine = Timed {
        fast: Fast::with_threads(options.threads),
        spent: Rc::clone(&spent),
        workspace_bytes: Rc::clone(&workspace_bytes),
    };
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), Config::new(options.cell), SEED)
        .map_err(|e| format!("{path}: {e}"))?
        .with_engine(engine);
    let config = trainer.config();
    let (batch, steps) = (config.batch_size, config.seq_length);
    let (n_train, n_val) = (trainer.train_chunks(), trainer.val_chunks());
    println!(
        "machine: {}; {}",
        cpu_model(),
        plural(options.threads, "thread")
    );
    println!(
        "text: {shown}, {} characters, V = {}; {n_train} training and {n_val} validation \
         chunks of B = {batch} x T = {steps}",
        data.len(),
        vocab.len()
    );
    println!(
        "model: {}, {} layers of {}, {}, clip by {}, seed {SEED}",
        config.cell, config.num_layers, config.hidden_size, config.optimizer, config.clip
    );
    let torch = if !options.torch {
        Err("skipped (--no-torch)")
    } else if options.cell != CellKind::Lstm {
        Err("skipped (tools/torch_charrnn.py builds the LSTM only)")
    } else if !torch_available() {
        Err("not available (python3 cannot import torch)")
    } else {
        Ok(Torch {
            path,
            shape: [vocab.len(), n_train, n_val, batch, steps],
        })
    };
    let (ours, theirs) = measure(&options, &mut trainer, &spent, torch.as_ref().ok())?;
    let start = Instant::now();
    trainer.evaluate();
    let val_per_chunk = start.elapsed().as_secs_f64() / n_val as f64;
    match (&torch, theirs[0].first()) {
        (Ok(_), Some(first)) => println!(
            "torch: {}, {}, float64 and float32 (tools/torch_train_speed.py)",
            first.version,
            match first.threads.as_str() {
                "1" => "1 thread".to_string(),
                n => format!("{n} threads"),
            }
        ),
        (Err(why), _) => println!("torch: {why}"),
        _ => {}
    }
    println!(
        "rounds: {} of {} steps each, after 1 warm-up step; medians over the rounds, ms per step",
        options.rounds, options.iterations
    );
    report(&ours, val_per_chunk, &theirs);
    let [model, optimizer, grads, state] = held_bytes(&trainer).map(|b| mib(b as f64));
    println!(
        "held by ours: weights {model}, optimizer {optimizer}, gradients {grads}, \
         state {state}, workspace {}",
        mib(workspace_bytes.get() as f64)
    );
    Ok(())
}

/// Where PyTorch reads the text, and the cut it must agree with: `(V, N_train, N_val, B, T)`.
struct Torch {
    path: String,
    shape: [usize; 5],
}

const DTYPES: [&str; 2] = ["float64", "float32"];

/// Our rounds (with their characters per second) and, if `torch` is given, PyTorch's after
/// each of ours, float64 then float32; one warm-up step first.
fn measure(
    options: &Options,
    trainer: &mut NetworkTrainer,
    spent: &Cell<Phases>,
    torch: Option<&Torch>,
) -> Result<(Summary, [Vec<TorchRound>; 2]), String> {
    let characters = trainer.config().batch_size * trainer.config().seq_length;
    let n = options.iterations as f64;
    trainer.step().map_err(|e| e.to_string())?; // warm-up: the workspace is sized here
    let (mut ours, mut rates) = (Vec::new(), Vec::new());
    let mut theirs: [Vec<TorchRound>; 2] = [Vec::new(), Vec::new()];
    for r in 0..options.rounds {
        spent.take();
        let start = Instant::now();
        for _ in 0..options.iterations {
            trainer.step().map_err(|e| e.to_string())?;
        }
        let seconds = start.elapsed().as_secs_f64();
        let phases = spent.take();
        ours.push(Round {
            step: seconds / n,
            forward: phases.forward / n,
            backward: phases.backward / n,
        });
        rates.push(characters as f64 * n / seconds);
        let Some(torch) = torch else { continue };
        for (dtype, runs) in DTYPES.iter().zip(&mut theirs) {
            // Our round r stepped through iterations r·N + 1 ..= r·N + N: the same chunks.
            let first = r * options.iterations;
            let run = torch_round(&torch.path, dtype, options, first)
                .map_err(|e| format!("{e} (--no-torch leaves PyTorch out)"))?;
            if run.shape != torch.shape {
                return Err(format!(
                    "PyTorch cut the text differently: (V, N_train, N_val, B, T) = {:?}, \
                     ours {:?}",
                    run.shape, torch.shape
                ));
            }
            runs.push(run);
        }
    }
    Ok((summarize(&ours, rates), theirs))
}

/// The table of figures, the ratios and the peak memory.
fn report(ours: &Summary, val_per_chunk: f64, theirs: &[Vec<TorchRound>; 2]) {
    println!(
        "{:<15} {:>8} {:>9} {:>9} {:>7} {:>7} {:>10}",
        "", "chars/s", "fwd+loss", "backward", "rest", "step", "val/chunk"
    );
    row("ours, float64", ours, val_per_chunk);
    let (mut ratios, mut peaks) = (Vec::new(), Vec::new());
    let ours_peak = peak_kib().map_or("not available".to_string(), |kb| mib(kb as f64 * 1024.0));
    peaks.push(format!("ours {ours_peak}"));
    for (dtype, runs) in DTYPES.iter().zip(theirs) {
        if runs.is_empty() {
            continue;
        }
        let rounds: Vec<Round> = runs.iter().map(|run| run.round).collect();
        let torch = summarize(&rounds, runs.iter().map(|run| run.chars_per_s).collect());
        let val = median(runs.iter().map(|run| run.val_per_chunk).collect());
        row(&format!("torch, {dtype}"), &torch, val);
        let ratio = ours.chars_per_s / torch.chars_per_s;
        ratios.push(format!("ours / torch {dtype}: {ratio:.2}x"));
        let peak = runs.iter().map(|run| run.peak_kb).fold(0.0, f64::max);
        peaks.push(format!("torch {dtype} {}", mib(peak * 1024.0)));
    }
    if !ratios.is_empty() {
        println!("{} (above 1: ours is faster)", ratios.join("   "));
    }
    println!("peak memory (VmHWM, ru_maxrss): {}", peaks.join(", "));
}
