//! Training throughput, measured: `cargo run --release --example bench`.
//!
//! Trains on the shipped corpus at the original's sizes (H = 100, T = 25, learning rate 0.1)
//! and prints:
//! - iterations per second of the fast path (what the trainer runs by default) and of the
//!   plain path (`--plain`), over several repeated runs (min / median / max), after a warm-up;
//! - where the fast path's time goes: forward (with the loss), backward (with clipping), Adagrad;
//! - the arithmetic done per iteration and the rate achieved;
//! - peak memory (resident set) when the OS reports it;
//! - if `python3` with numpy is installed, the same training in the numpy port of the
//!   original program (`tools/min_char_rnn.py`), run alternately with the Rust runs so both
//!   see the same machine load, and the ratio of the medians.
//!
//! - what each speed idea of the book's speed chapters is worth: the same work done the slow
//!   way and the fast way, side by side, and how many multiply-adds per second each kind of
//!   product achieves against a ceiling (`--lessons` only; they take a few seconds).
//!
//! Options: `--iterations N` (per run, default 3000), `--repeats R` (default 5),
//! `--no-python`, `--lessons`.

use min_char_rnn::backward::CLIP;
use min_char_rnn::fast::kernels::{
    map_in_place, matvec_transposed, set_sum_of_outers, transpose_into,
};
use min_char_rnn::fast::{Fast, Workspace, backward, forward};
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::{Adagrad, ForwardCache, Grads, Hyperparams, Params, Trainer, Vector, Vocab};
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

const CORPUS: &str = include_str!("../data/corpus.txt");
const CORPUS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/corpus.txt");
const NUMPY_PORT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/min_char_rnn.py");
const SEED: u64 = 1;
const WARM_UP: usize = 500;

struct Options {
    iterations: usize,
    repeats: usize,
    python: bool,
    lessons: bool,
}

fn parse_options() -> Result<Options, String> {
    let mut options = Options {
        iterations: 3000,
        repeats: 5,
        python: true,
        lessons: false,
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
            "--lessons" => options.lessons = true,
            _ => {
                return Err(format!(
                    "unknown option {arg:?} (try --iterations N, --repeats R, --no-python, --lessons)"
                ));
            }
        }
    }
    Ok(options)
}

/// A trainer at the default sizes, on the fast path or the plain one.
fn new_trainer(vocab: &Vocab, plain: bool) -> Trainer {
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    let trainer = Trainer::new(data, vocab.len(), Hyperparams::default(), SEED)
        .expect("the corpus is long enough");
    if plain {
        trainer
    } else {
        trainer.with_engine(Fast::default())
    }
}

/// Iterations per second of `iterations` steps of a trainer that has been warmed up.
fn rust_rate(vocab: &Vocab, iterations: usize, plain: bool) -> f64 {
    let mut trainer = new_trainer(vocab, plain);
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

/// Time spent in each phase of the fast path over `iterations` steps, the loop written out
/// as `Trainer::step` does it.
fn phase_split(vocab: &Vocab, iterations: usize) -> [Duration; 3] {
    let data = vocab
        .encode(CORPUS)
        .expect("the vocabulary comes from this text");
    let hp = Hyperparams::default();
    let (v, h, t) = (vocab.len(), hp.hidden_size, hp.seq_length);
    let mut params = Params::new(v, h, SEED);
    let mut adagrad = Adagrad::new(&params, hp.learning_rate);
    let mut cache = ForwardCache::new(v, h, t);
    let mut work = Workspace::default();
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
        forward(&params, inputs, &h_prev, &mut cache, &mut work);
        std::hint::black_box(sequence_loss(&cache.ps, targets));
        let t1 = Instant::now();
        backward(&params, &cache, targets, &mut grads, &mut work);
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
    let mut plain_rates = Vec::new();
    let mut numpy_rates = Vec::new();
    for run in 1..=options.repeats {
        let rate = rust_rate(&vocab, options.iterations, false);
        print!("run {run}: rust {rate:8.0} it/s");
        rust_rates.push(rate);
        let plain = rust_rate(&vocab, options.iterations, true);
        print!("   plain {plain:6.0} it/s");
        plain_rates.push(plain);
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
    println!("rust : min {min:.0}, median {median:.0}, max {max:.0} iterations/s (fast path)");
    println!(
        "       100 000 iterations take {:.1} s at the median rate",
        100_000.0 / median
    );
    let (p_min, p_median, p_max) = summary(&mut plain_rates);
    println!(
        "plain: min {p_min:.0}, median {p_median:.0}, max {p_max:.0} iterations/s (plain path, the same bits)"
    );
    println!(
        "fast path / plain path (median / median): {:.1}x",
        median / p_median
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
        "where the fast path's time goes (one more run, {} iterations):",
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
    if options.lessons {
        lessons(vocab.len(), hp.hidden_size, hp.seq_length);
    }
    match common::peak_kib() {
        Some(kib) => println!("peak resident memory: {:.1} MiB", kib as f64 / 1024.0),
        None => println!("peak resident memory: not reported by this OS"),
    }
}

/// Microseconds per call of `f`, the best of five rounds of `calls` calls.
fn time_us(calls: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..calls {
            f();
        }
        best = best.min(start.elapsed().as_secs_f64() * 1e6 / calls as f64);
    }
    best
}

/// Microseconds to compute `f` of every argument into a buffer, the best of five rounds.
fn time_map_us(args: &[f64], f: impl Fn(f64) -> f64) -> f64 {
    let mut results = vec![0.0; args.len()];
    time_us(300, || {
        for (r, &a) in results.iter_mut().zip(std::hint::black_box(args)) {
            *r = f(a);
        }
        std::hint::black_box(&results);
    })
}

/// The speed chapters' ideas, each measured as "slow way" against "fast way" on the work of
/// one training iteration (T time steps).
fn lessons(v: usize, h: usize, t: usize) {
    use std::hint::black_box;
    println!("what each idea is worth (per iteration of T = {t} steps, best of 5):");
    let params = Params::new(v, h, SEED);
    let h_vec = Vector::from_vec((0..h).map(|i| (i as f64 * 0.37).sin() * 0.5).collect());
    let mut out = Vector::zeros(h);
    let print = |what: &str, slow: f64, fast: f64| {
        println!(
            "  {what:<46} {slow:8.1} µs -> {fast:7.1} µs  ({:.1}x)",
            slow / fast
        );
    };

    // 1. w_xh · x for a one-hot x: the full product against reading one column.
    let x = Vector::one_hot(v, 7);
    let slow = time_us(2000, || {
        for _ in 0..t {
            params.w_xh.matvec(black_box(&x), &mut out);
        }
        black_box(&out);
    });
    let fast = time_us(2000, || {
        for _ in 0..t {
            for i in 0..h {
                out[i] = params.w_xh[(i, black_box(7))];
            }
        }
        black_box(&out);
    });
    print("one-hot product -> column lookup", slow, fast);

    // 2. w_hh · h_{t−1} in the forward pass: the plain matvec (a dot product per row, one
    //    running sum each) against a copy of w_hhᵀ, made once per iteration, and its rows
    //    added into 64 sums held in registers. Both add the same terms in the same order.
    let mut w_hh_tr = min_char_rnn::Matrix::zeros(h, h);
    let slow = time_us(2000, || {
        for _ in 0..t {
            params.w_hh.matvec(black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    let fast = time_us(2000, || {
        transpose_into(&params.w_hh, &mut w_hh_tr);
        for _ in 0..t {
            matvec_transposed(&w_hh_tr, black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    print("w_hh·h: dot products -> copy of w_hhᵀ, rows", slow, fast);

    // 3. The whole forward pass: the plain path's one loop against the fast path's two.
    let inputs: Vec<usize> = (0..t).map(|i| (i * 5) % v).collect();
    let zero = Vector::zeros(h);
    let mut cache = ForwardCache::new(v, h, t);
    let mut work = Workspace::default();
    let slow = time_us(300, || {
        min_char_rnn::forward::forward(&params, black_box(&inputs), &zero, &mut cache);
        black_box(&cache);
    });
    let fast = time_us(300, || {
        forward(&params, black_box(&inputs), &zero, &mut cache, &mut work);
        black_box(&cache);
    });
    print("forward: plain loop -> the fast path", slow, fast);

    // 4. Adagrad: numpy's three passes with temporaries against one fused pass.
    let grads = {
        let mut g = Grads::zeros_like(&params);
        let targets: Vec<usize> = (0..t).map(|i| (i * 5 + 1) % v).collect();
        forward(&params, &inputs, &zero, &mut cache, &mut work);
        backward(&params, &cache, &targets, &mut g, &mut work);
        g
    };
    let mut slow_params = params.clone();
    let mut slow_memory = Params::zeros(v, h);
    let slow = time_us(300, || {
        for ((w, m), g) in slow_params
            .slices_mut()
            .into_iter()
            .zip(slow_memory.slices_mut())
            .zip(grads.slices())
        {
            let squared: Vec<f64> = g.iter().map(|x| x * x).collect(); // dparam * dparam
            for (mi, s) in m.iter_mut().zip(&squared) {
                *mi += s; // mem += ...
            }
            let root: Vec<f64> = m.iter().map(|mi| (mi + 1e-8).sqrt()).collect(); // np.sqrt(mem + 1e-8)
            for ((wi, gi), ri) in w.iter_mut().zip(g).zip(&root) {
                *wi += -0.1 * gi / ri; // param += -lr * dparam / ...
            }
        }
        black_box(&slow_params);
    });
    let mut fast_params = params.clone();
    let mut adagrad = Adagrad::new(&params, 0.1);
    let fast = time_us(300, || {
        adagrad.update(&mut fast_params, &grads);
        black_box(&fast_params);
    });
    print("adagrad: three passes + temporaries -> fused", slow, fast);

    // 5. dw_hy = Σ_t dy_t·h_tᵀ: T rank-1 updates one after another against one batched pass.
    let dys: Vec<Vector> = (0..t)
        .map(|k| Vector::from_vec((0..v).map(|i| ((i * 7 + k) as f64 * 0.13).sin()).collect()))
        .collect();
    let hs: Vec<Vector> = (0..t)
        .map(|k| Vector::from_vec((0..h).map(|i| ((i * 3 + k) as f64 * 0.29).cos()).collect()))
        .collect();
    let mut dw_hy = min_char_rnn::Matrix::zeros(v, h);
    let slow = time_us(1000, || {
        dw_hy.fill(0.0);
        for k in 0..t {
            dw_hy.add_outer(black_box(&dys[k]), &hs[k]);
        }
        black_box(&dw_hy);
    });
    let fast = time_us(1000, || {
        set_sum_of_outers(&mut dw_hy, black_box(&dys), &hs);
        black_box(&dw_hy);
    });
    print("dw_hy: T rank-1 updates -> one tiled pass", slow, fast);

    // 6. w_hhᵀ·x in the backward pass: the plain loop (a running sum per column, walking
    //    down the column) against 64 sums in registers, walking along the rows.
    let slow = time_us(2000, || {
        for _ in 0..t {
            params.w_hh.matvec_transposed(black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    let fast = time_us(2000, || {
        for _ in 0..t {
            matvec_transposed(&params.w_hh, black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    print(
        "w_hhᵀ·x: down the columns -> 128 sums in registers",
        slow,
        fast,
    );

    // 7. The whole backward pass: the plain path's one reversed loop against the fast path's
    //    three parts.
    let targets: Vec<usize> = (0..t).map(|i| (i * 5 + 1) % v).collect();
    forward(&params, &inputs, &zero, &mut cache, &mut work);
    let mut step_grads = grads.clone();
    let slow = time_us(1000, || {
        min_char_rnn::backward::backward(&params, &cache, black_box(&targets), &mut step_grads);
        black_box(&step_grads);
    });
    let fast = time_us(1000, || {
        backward(
            &params,
            &cache,
            black_box(&targets),
            &mut step_grads,
            &mut work,
        );
        black_box(&step_grads);
    });
    print("backward: plain loop -> the fast path", slow, fast);

    // 8. The fast backward pass's per-step vectors (dy_t, w_hyᵀ·dy_t, dhraw_t): allocated by
    //    every call against kept in the workspace from one call to the next.
    let slow = time_us(1000, || {
        let mut fresh = Workspace::default(); // as if allocated per call
        backward(
            &params,
            &cache,
            black_box(&targets),
            &mut step_grads,
            &mut fresh,
        );
        black_box(&step_grads);
    });
    let fast = time_us(1000, || {
        backward(
            &params,
            &cache,
            black_box(&targets),
            &mut step_grads,
            &mut work,
        );
        black_box(&step_grads);
    });
    print("fast backward: step vectors per call -> kept", slow, fast);

    // 9. The transcendental functions every iteration needs: T·H tanh and T·V exp, from the C
    //    library one call at a time, and from `math` in loops the compiler vectorises.
    let args: Vec<f64> = (0..h * t).map(|i| (i as f64 * 0.01).sin()).collect();
    let slow = time_map_us(&args, f64::tanh);
    let fast = time_map_us(&args, min_char_rnn::math::tanh);
    print(
        &format!("{} tanh: C library -> math::tanh", h * t),
        slow,
        fast,
    );
    let args: Vec<f64> = (0..v * t).map(|i| -(i as f64 * 0.001)).collect();
    let slow = time_map_us(&args, f64::exp);
    let fast = time_map_us(&args, min_char_rnn::math::exp);
    print(
        &format!("{} exp: C library -> math::exp", v * t),
        slow,
        fast,
    );

    // 10. tanh of the T hidden states, H = 100 each: a plain loop over the slice (the compiler
    //     does 96 in groups of 8 and the last 4 one by one) against map_in_place (the last 4 in
    //     one more group of 8, overlapping).
    let args: Vec<f64> = (0..h * t).map(|i| (i as f64 * 0.01).sin()).collect();
    let mut state = vec![0.0; h];
    let slow = time_us(2000, || {
        for step in black_box(&args).chunks_exact(h) {
            state.copy_from_slice(step);
            for x in state.iter_mut() {
                *x = min_char_rnn::math::tanh(*x);
            }
            black_box(&state);
        }
    });
    let fast = time_us(2000, || {
        for step in black_box(&args).chunks_exact(h) {
            state.copy_from_slice(step);
            map_in_place(&mut state, min_char_rnn::math::tanh);
            black_box(&state);
        }
    });
    print(
        &format!("{t} x tanh of {h}: plain loop -> map_in_place"),
        slow,
        fast,
    );

    // 11. How fast each kind of product runs, in billions of multiply-adds per second, against
    //    the ceiling: 64 sums in registers with one operand from the first-level cache.
    println!("  multiply-adds per second (billions), each kind of product at T = {t}:");
    let macs = (h * h * t) as f64;
    let matvec_us = time_us(2000, || {
        for _ in 0..t {
            params.w_hh.matvec(black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    let plain_t_us = time_us(2000, || {
        for _ in 0..t {
            params.w_hh.matvec_transposed(black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    let wide_us = time_us(2000, || {
        for _ in 0..t {
            matvec_transposed(&params.w_hh, black_box(&h_vec), &mut out);
        }
        black_box(&out);
    });
    let tiles_us = time_us(1000, || {
        set_sum_of_outers(&mut dw_hy, black_box(&dys), &hs);
        black_box(&dw_hy);
    });
    let ceiling = register_ceiling_gmacs();
    for (what, gmacs) in [
        (
            "plain w_hh·h, a running sum per row",
            macs / matvec_us / 1e3,
        ),
        (
            "plain w_hhᵀ·x, a running sum per column",
            macs / plain_t_us / 1e3,
        ),
        ("w_hhᵀ·x, 128 sums in registers", macs / wide_us / 1e3),
        (
            "dw_hy, batched tiles of 4 x 16",
            (v * h * t) as f64 / tiles_us / 1e3,
        ),
        ("ceiling: 64 sums in registers, nothing else", ceiling),
    ] {
        println!("    {what:<44} {gmacs:5.1}");
    }
}

/// Billions of multiply-adds per second with everything in registers: 64 sums, each getting
/// `a · piece[k]` added, where `piece` (64 numbers) stays in the first-level cache. No real
/// product here can beat it: it is the same loop as `wide_product`'s, with nothing to load
/// but one number per 64 multiply-adds.
fn register_ceiling_gmacs() -> f64 {
    use std::hint::black_box;
    let piece: [f64; 64] = std::array::from_fn(|k| k as f64 * 1e-3);
    let scales: Vec<f64> = (0..64).map(|i| 1e-9 * (i % 13) as f64).collect();
    let rounds = 200_000;
    let mut best = f64::INFINITY;
    for _ in 0..5 {
        let mut sums = [0.0f64; 64];
        let start = Instant::now();
        for i in 0..rounds {
            let a = scales[i % 64];
            for k in 0..64 {
                sums[k] += a * piece[k];
            }
        }
        black_box(&sums);
        best = best.min(start.elapsed().as_secs_f64());
    }
    (rounds * 64) as f64 / best / 1e9
}
