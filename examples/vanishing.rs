//! Vanishing gradients, measured: how much of the last step's loss reaches each earlier
//! hidden state, in a vanilla RNN and in an LSTM, before and after training.
//!
//! `cargo run --release --example vanishing [-- --svg PATH]`
//!
//! Builds one network of each cell (`H = 100`, one layer, the same seed) and, on chunks of
//! `T = 100` characters of the shipped corpus (`data/corpus.txt`), follows the gradient of the
//! loss at the last step alone, `L_{T−1}`, back through time: its length at every hidden
//! state, `‖∂L_{T−1}/∂h_t‖`, against the distance `T−1−t`. It measures each network at
//! initialization, trains it (Part I's Adagrad and clipping, a fixed number of iterations),
//! and measures it again. Prints a table, the fitted decay per step and the LSTM's forget
//! gates, and draws the four curves on a logarithmic axis to
//! `book/src/generated/vanishing.svg` (or to `PATH`). `tools/vanishing.sh` regenerates the
//! book's copy of both.
//!
//! Everything is seeded: the same numbers on every run on the same platform. About a minute
//! of one core in release.

use min_char_rnn::adagrad::adagrad_update;
use min_char_rnn::batch::{Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::loss::output_gradient;
use min_char_rnn::network::{
    self, BackwardWork, Network, NetworkCache, NetworkGrads, State, backward, backward_from_dys,
    forward,
};
use min_char_rnn::plot::nice_ticks;
use min_char_rnn::{Matrix, Vector, Vocab};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

mod common;
use common::{BLUE, Canvas, VERMILLION};

const CORPUS: &str = include_str!("../data/corpus.txt");

/// `H`, the same for both cells.
const HIDDEN: usize = 100;
/// The seed of the initial weights (both cells).
const SEED: u64 = 42;
/// Training: `B` streams of `T` characters per iteration.
const TRAIN_BATCH: usize = 1;
const TRAIN_STEPS: usize = 50;
/// Training iterations per cell: 500,000 characters, nearly ten passes over the corpus.
const ITERATIONS: usize = 10_000;
/// Adagrad's learning rate, Part I's.
const LEARNING_RATE: f64 = 0.1;
/// Every gradient entry is clipped into `[−5, 5]`, as in Part I.
const CLIP: f64 = 5.0;
/// Measuring: `T`, the length of the chunks the gradient is followed through.
const STEPS: usize = 100;
/// Measuring: streams per chunk, and chunks (after one that only warms the memories up).
const MEASURE_BATCH: usize = 10;
const MEASURE_CHUNKS: usize = 5;
/// The distances the table shows.
const TABLE_DISTANCES: [usize; 9] = [0, 1, 2, 5, 10, 20, 40, 70, 99];

/// Trains `net` for [`ITERATIONS`] iterations on chunks of [`TRAIN_BATCH`] streams: the mean
/// loss, its gradients clipped entry by entry to ±[`CLIP`], Adagrad on every parameter.
/// Returns the mean loss per character of the first and of the last 100 iterations.
fn train(net: &mut Network, data: &[usize]) -> Result<(f64, f64), String> {
    let batches = Batches::new(data, TRAIN_BATCH, TRAIN_STEPS).map_err(|e| e.to_string())?;
    let mut chunk = Chunk::zeros(TRAIN_BATCH, TRAIN_STEPS);
    let mut state = State::zeros(net, TRAIN_BATCH);
    let mut cache = NetworkCache::new(net, TRAIN_BATCH, TRAIN_STEPS);
    let mut grads = NetworkGrads::zeros_like(net);
    let mut work = BackwardWork::new(net, TRAIN_BATCH, TRAIN_STEPS);
    let mut memory = Network::zeros(net.cell, net.vocab_size(), HIDDEN, net.num_layers());
    let (mut first, mut last) = (0.0, 0.0);
    for n in 0..ITERATIONS {
        let k = n % batches.len();
        if k == 0 {
            state.reset(); // back at the start of the text
        }
        batches.chunk_into(k, &mut chunk);
        forward(net, &chunk, &mut state, &mut cache);
        let loss = network::loss(&cache, &chunk);
        if n < 100 {
            first += loss / 100.0;
        }
        if n >= ITERATIONS - 100 {
            last += loss / 100.0;
        }
        backward(net, &cache, &chunk, &mut grads, &mut work);
        grads.clip(CLIP);
        let weights = net.slices_mut();
        let memories = memory.slices_mut();
        for ((w, g), m) in weights.into_iter().zip(grads.slices()).zip(memories) {
            adagrad_update(w, g, m, LEARNING_RATE);
        }
    }
    Ok((first, last))
}

// ANCHOR: last_step_only
/// `∂L_{T−1}/∂y_t` for every step and stream: `p − onehot(target)` at the
/// last step, zero at every other, so that the backward pass follows the last
/// step's loss alone.
fn last_step_only(cache: &NetworkCache, chunk: &Chunk, dys: &mut [Vec<Vector>]) {
    let last = chunk.steps() - 1;
    for (t, streams) in dys.iter_mut().enumerate() {
        for (b, dy) in streams.iter_mut().enumerate() {
            if t == last {
                // the gradient of −ln p[target]
                output_gradient(&cache.ps[t][b], chunk.target(b, t), dy);
            } else {
                dy.fill(0.0); // no loss at step t
            }
        }
    }
}
// ANCHOR_END: last_step_only

// ANCHOR: measure
/// `log₁₀ ‖∂L_{T−1}/∂h_t‖` of the top layer against the distance
/// `d = T−1−t` (entry `d`), averaged over [`MEASURE_BATCH`] streams and
/// [`MEASURE_CHUNKS`] chunks: the mean of the logarithms, so a geometric mean
/// of the lengths.
fn measure(net: &Network, data: &[usize]) -> Result<Vec<f64>, String> {
    let batches = Batches::new(data, MEASURE_BATCH, STEPS).map_err(|e| e.to_string())?;
    let mut chunk = Chunk::zeros(MEASURE_BATCH, STEPS);
    let mut state = State::zeros(net, MEASURE_BATCH);
    let mut cache = NetworkCache::new(net, MEASURE_BATCH, STEPS);
    let mut grads = NetworkGrads::zeros_like(net);
    let mut work = BackwardWork::new(net, MEASURE_BATCH, STEPS);
    let top = net.num_layers() - 1;
    let count = (MEASURE_BATCH * MEASURE_CHUNKS) as f64;
    let mut mean_log = vec![0.0; STEPS];
    for k in 0..=MEASURE_CHUNKS {
        batches.chunk_into(k, &mut chunk);
        // the memories carry on from chunk k−1
        forward(net, &chunk, &mut state, &mut cache);
        if k == 0 {
            continue; // chunk 0 only warms the memories up
        }
        last_step_only(&cache, &chunk, &mut work.dys);
        backward_from_dys(net, &cache, &chunk, &mut grads, &mut work);
        for t in 0..STEPS {
            for b in 0..MEASURE_BATCH {
                let dh = work.dhs[t][top].row(b); // ∂L_{T−1}/∂h_t of stream b
                let length = dh.iter().map(|g| g * g).sum::<f64>().sqrt();
                mean_log[STEPS - 1 - t] += length.log10() / count;
            }
        }
    }
    Ok(mean_log)
}
// ANCHOR_END: measure

// ANCHOR: decay_per_step
/// The factor by which the gradient's length shrinks per step back:
/// `10^slope` of the least-squares line through the points
/// `(d, log₁₀ ‖∂L_{T−1}/∂h_t‖)` for `d = 1 … T−1`. Distance 0 is left out:
/// the gradient there comes from the output, not through a step.
fn decay_per_step(mean_log: &[f64]) -> f64 {
    let n = (mean_log.len() - 1) as f64;
    let mean_d = (1..mean_log.len()).map(|d| d as f64).sum::<f64>() / n;
    let mean_y = mean_log[1..].iter().sum::<f64>() / n;
    let (mut s_dy, mut s_dd) = (0.0, 0.0);
    for (d, &y) in mean_log.iter().enumerate().skip(1) {
        s_dy += (d as f64 - mean_d) * (y - mean_y);
        s_dd += (d as f64 - mean_d) * (d as f64 - mean_d);
    }
    let slope = s_dy / s_dd; // decades per step (negative: it shrinks)
    10f64.powf(slope)
}
// ANCHOR_END: decay_per_step

/// What each unit's gradient is multiplied by at each step back, over the chunks [`measure`]
/// reads: the RNN's `tanh` slope `1 − h_j²` (which `W_hhᵀ` then mixes across the units), the
/// LSTM's forget gate `f_j` (along the cell state), the GRU's update gate `z_j` (along its
/// direct path). Returns their geometric mean and the share of them above 0.9.
fn unit_factors(net: &Network, data: &[usize]) -> Result<(f64, f64), String> {
    let batches = Batches::new(data, MEASURE_BATCH, STEPS).map_err(|e| e.to_string())?;
    let mut chunk = Chunk::zeros(MEASURE_BATCH, STEPS);
    let mut state = State::zeros(net, MEASURE_BATCH);
    let mut cache = NetworkCache::new(net, MEASURE_BATCH, STEPS);
    let (h, top) = (net.hidden_size(), net.num_layers() - 1);
    let (mut sum_ln, mut above, mut count) = (0.0, 0, 0);
    for k in 0..=MEASURE_CHUNKS {
        batches.chunk_into(k, &mut chunk);
        forward(net, &chunk, &mut state, &mut cache);
        if k == 0 {
            continue;
        }
        for streams in &cache.steps {
            for layers in streams {
                let step = &layers[top];
                for j in 0..h {
                    let factor = match net.cell {
                        CellKind::Rnn => 1.0 - step.h[j] * step.h[j], // tanh' = 1 − h²
                        CellKind::Lstm | CellKind::Gru => step.gates[h + j], // block 1: f or z
                    };
                    sum_ln += factor.ln();
                    above += usize::from(factor > 0.9);
                    count += 1;
                }
            }
        }
    }
    Ok(((sum_ln / count as f64).exp(), above as f64 / count as f64))
}

// ANCHOR: stretches
/// How far `w` stretches a vector: at most by its largest singular value
/// `σ_max`, found by power iteration (`v ← wᵀ·w·v`, scaled to length 1, until
/// it settles; then `‖wᵀ·w·v‖ = σ_max²`), and typically by the root mean
/// square of all its singular values, `‖w‖_F / √H` (the squares of the
/// singular values add up to the squares of the entries).
fn stretches(w: &Matrix) -> (f64, f64) {
    let h = w.cols();
    let mut v = Vector::from_vec(vec![1.0; h]);
    let (mut wv, mut wtwv) = (Vector::zeros(w.rows()), Vector::zeros(h));
    let mut largest = 0.0;
    for _ in 0..1000 {
        w.matvec(&v, &mut wv);
        w.matvec_transposed(&wv, &mut wtwv);
        let length = wtwv.dot(&wtwv).sqrt();
        largest = length.sqrt();
        for i in 0..h {
            v[i] = wtwv[i] / length;
        }
    }
    let sum_of_squares: f64 = w.as_slice().iter().map(|x| x * x).sum();
    (largest, (sum_of_squares / h as f64).sqrt())
}
// ANCHOR_END: stretches

/// One curve of the figure: `log₁₀` of the lengths, entry `d` for distance `d`.
struct Curve {
    /// In the legend.
    name: String,
    /// Above the curve's column of the table.
    heading: String,
    colour: &'static str,
    dashed: bool,
    mean_log: Vec<f64>,
}

/// The curves as an SVG document: the distance across, `‖∂L_{T−1}/∂h_t‖` up on a logarithmic
/// axis (a labelled tick at each power of ten, or every few), one line per curve, a legend.
fn svg(curves: &[Curve]) -> String {
    let x_ticks = nice_ticks(0.0, (STEPS - 1) as f64, 5);
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for curve in curves {
        for &y in &curve.mean_log {
            lo = lo.min(y);
            hi = hi.max(y);
        }
    }
    let decades_per_tick = ((hi.ceil() - lo.floor()) / 10.0).ceil().max(1.0);
    let lo = (lo / decades_per_tick).floor() * decades_per_tick; // ticks at its multiples
    let hi = hi.ceil(); // the top edge: the next power of ten
    let (width, height) = (800.0, 540.0);
    let mut s = Canvas::new(
        (width, height),
        (90.0, 30.0, 60.0, 70.0),
        (x_ticks[0], x_ticks[x_ticks.len() - 1]),
        (lo, hi),
    );
    let (left, top, plot_w, plot_h) = s.area();
    s.title("How much of the last step's gradient reaches each earlier step");
    // The grid: powers of ten up the side, round distances along the bottom.
    let mut e = lo;
    while e <= hi {
        let exponent = format!("{}", e as i64).replace('-', "−");
        s.y_tick(
            e,
            &format!(r#"10<tspan dy="-7" font-size="11">{exponent}</tspan>"#),
        );
        e += decades_per_tick;
    }
    s.x_ticks(&x_ticks);
    s.frame();
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">distance back in time, T − 1 − t (steps)</text>"#,
        left + plot_w / 2.0,
        height - 18.0
    );
    let cy = top + plot_h / 2.0;
    let _ = writeln!(
        s,
        r#"<text x="26" y="{cy}" text-anchor="middle" transform="rotate(-90 26 {cy})">‖∂L<tspan dy="5" font-size="11">T−1</tspan><tspan dy="-5"> / ∂h</tspan><tspan dy="5" font-size="11">t</tspan><tspan dy="-5">‖, the gradient's length (log scale)</tspan></text>"#
    );
    for curve in curves {
        let mut points = Vec::new();
        for (d, &y) in curve.mean_log.iter().enumerate() {
            points.push((d as f64, y));
        }
        s.polyline(&points, curve.colour, curve.dashed, "");
    }
    // The legend, in the empty lower left corner.
    let rows = curves.len() as f64;
    let (lx, ly) = (left + 12.0, top + plot_h - 12.0 - (12.0 + 24.0 * rows));
    let _ = writeln!(
        s,
        r##"<rect x="{lx}" y="{ly}" width="250" height="{}" fill="white" fill-opacity="0.9" stroke="#999"/>"##,
        12.0 + 24.0 * rows
    );
    for (k, curve) in curves.iter().enumerate() {
        let row = ly + 18.0 + 24.0 * k as f64;
        s.legend_entry((lx + 10.0, row), curve.colour, curve.dashed, &curve.name);
    }
    s.finish()
}

/// Prints the table: the length at a few distances for each curve, then the fitted decay per
/// step and the steps it takes to shrink tenfold.
fn print_table(curves: &[Curve]) {
    print!("{:>10}", "distance");
    for curve in curves {
        print!("  {:>12}", curve.heading);
    }
    println!();
    for d in TABLE_DISTANCES {
        print!("{d:>10}");
        for curve in curves {
            print!("  {:>12.1e}", 10f64.powf(curve.mean_log[d]));
        }
        println!();
    }
    print!("{:>10}", "decay/step");
    for curve in curves {
        print!("  {:>12.3}", decay_per_step(&curve.mean_log));
    }
    println!();
    print!("{:>10}", "steps/10×");
    for curve in curves {
        print!("  {:>12.1}", -1.0 / decay_per_step(&curve.mean_log).log10());
    }
    println!();
}

fn run() -> Result<(), String> {
    let svg_path = common::svg_option("vanishing")?.unwrap_or_else(|| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/book/src/generated/vanishing.svg"
        )
        .to_string()
    });
    let started = Instant::now();
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(CORPUS).map_err(|e| e.to_string())?;
    println!(
        "corpus: {} characters, V = {}; each network: H = {HIDDEN}, one layer, seed {SEED}",
        data.len(),
        vocab.len()
    );
    println!(
        "training: {ITERATIONS} iterations of B = {TRAIN_BATCH} × T = {TRAIN_STEPS} characters, Adagrad {LEARNING_RATE}, clip ±{CLIP}"
    );
    let mut curves = Vec::new();
    let mut factors = Vec::new();
    let mut rnn_stretches = Vec::new();
    for (cell, label, colour) in [
        (CellKind::Rnn, "RNN", BLUE), // and the untrained curves dashed, a cue besides
        (CellKind::Lstm, "LSTM", VERMILLION),
    ] {
        let mut net = Network::new(cell, vocab.len(), HIDDEN, 1, SEED);
        let untrained = measure(&net, &data)?;
        let untrained_factors = unit_factors(&net, &data)?;
        let untrained_stretches = stretches(&net.layers[0].w_hh);
        let (first, last) = train(&mut net, &data)?;
        println!(
            "{label:>4}: loss per character {first:.3} over the first 100 iterations, {last:.3} over the last 100"
        );
        let trained = measure(&net, &data)?;
        factors.push((cell, untrained_factors, unit_factors(&net, &data)?));
        if cell == CellKind::Rnn {
            rnn_stretches.push(("at initialization", untrained_stretches));
            rnn_stretches.push(("trained", stretches(&net.layers[0].w_hh)));
        }
        curves.push(Curve {
            name: format!("{label}, at initialization"),
            heading: format!("{label} init"),
            colour,
            dashed: true,
            mean_log: untrained,
        });
        curves.push(Curve {
            name: format!("{label}, trained"),
            heading: format!("{label} trained"),
            colour,
            dashed: false,
            mean_log: trained,
        });
    }
    println!();
    let last = STEPS - 1;
    println!("‖∂L_{last}/∂h_t‖, the gradient of the last step's loss, at distance {last} − t:");
    println!(
        "the geometric mean over {MEASURE_BATCH} streams × {MEASURE_CHUNKS} chunks of T = {STEPS}"
    );
    println!();
    print_table(&curves);
    println!();
    println!("per-unit factors over the same steps: geometric mean, share above 0.9");
    for (cell, (init_mean, init_above), (trained_mean, trained_above)) in factors {
        let what = match cell {
            CellKind::Rnn => " RNN tanh slopes 1 − h²",
            CellKind::Lstm => "  LSTM forget gates f  ",
            CellKind::Gru => "  GRU update gates z   ",
        };
        println!(
            "{what}: at initialization {}, {:>5.1}%;  trained {}, {:>5.1}%",
            three_digits(init_mean),
            100.0 * init_above,
            three_digits(trained_mean),
            100.0 * trained_above
        );
    }
    println!();
    println!("how far the RNN's W_hh stretches a vector: at most σ_max, typically ‖W_hh‖_F / √H");
    for (when, (largest, typical)) in rnn_stretches {
        println!("{when:>18}: σ_max {largest:.3}, typical {typical:.3}");
    }
    std::fs::write(&svg_path, svg(&curves)).map_err(|e| format!("{svg_path}: {e}"))?;
    eprintln!(
        "wrote {svg_path} ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `x` with three decimals, or as `2.9e-5` when that would show only zeros.
fn three_digits(x: f64) -> String {
    if x >= 0.01 {
        format!("{x:.3}")
    } else {
        format!("{x:.1e}")
    }
}

fn main() -> ExitCode {
    common::exit_code(run())
}
