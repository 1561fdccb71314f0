//! Overfitting, measured, and what dropout does about it.
//!
//! `cargo run --release --example overfit [-- --svg PATH]`
//!
//! Trains char-rnn's default model (2 layers of 128 LSTM units, RMSprop, `T = 50`) on the
//! shipped corpus (`data/corpus.txt`) with `B = 10` streams and a tenth of the chunks held
//! out, twice from the same seed: once without dropout and once with dropout 0.3. The model
//! has more parameters than the corpus has characters, so without dropout it learns the
//! training text by heart: its training loss keeps falling while its validation loss turns
//! and rises. The two runs go side by side on two threads, each on one core.
//!
//! Every 200 iterations it records the training loss and the validation loss exactly as
//! `min-char-rnn train --cell lstm --batch-size 10 --val-fraction 0.1 --eval-every 200`
//! logs them (the same numbers), prints them as a table with a summary, and with
//! `--svg PATH` draws the four curves. `tools/overfit.sh` regenerates the book's copy of both.
//!
//! Everything is seeded: the same numbers on every run on the same platform. About two
//! minutes of two cores in release.

use min_char_rnn::Vocab;
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Config, Event, NetworkTrainer};
use min_char_rnn::fast::network::Fast;
use min_char_rnn::plot::{escape_xml, nice_ticks};
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::process::ExitCode;
use std::time::Instant;

mod common;
use common::{BLUE, Canvas, VERMILLION};

const CORPUS: &str = include_str!("../data/corpus.txt");

/// The seed of the initial weights and of the dropout masks (the command line's default).
const SEED: u64 = 42;
/// `B`, the streams per iteration (char-rnn's default is 50; 10 cuts the corpus into 106
/// chunks, so that a tenth held out is 11 chunks).
const BATCH_SIZE: usize = 10;
/// The fraction of the chunks held out for validation.
const VAL_FRACTION: f64 = 0.1;
/// Iterations per run: about 42 passes over the training chunks.
const ITERATIONS: usize = 4000;
/// The validation split is evaluated after every iteration `n` with `n mod EVAL_EVERY == 0`.
const EVAL_EVERY: usize = 200;
/// The dropout probability of the second run (char-rnn's `-dropout`).
const DROPOUT: f64 = 0.3;
/// The figure's vertical axis starts above this many iterations: the first losses, near
/// `ln V`, would squash the part where the curves part.
const PLOT_FROM: usize = 400;

/// One row of the table: the losses after iteration `n` (the command line's `iter n`).
#[derive(Clone, Copy, Debug)]
struct Record {
    iteration: usize,
    epoch: f64,
    /// The training loss: the smooth loss per character after the step, as the log's
    /// `loss:` (an average over about the last 100 steps, with their dropout).
    train: f64,
    /// The mean loss per character over the validation split.
    val: f64,
}

/// What one run measured.
struct Run {
    dropout: f64,
    /// The settings it trained with.
    config: Config,
    records: Vec<Record>,
    /// The lowest validation loss of the records and the iteration it followed.
    best: (usize, f64),
    parameters: usize,
    train_chunks: usize,
    val_chunks: usize,
    seconds: f64,
}

/// Trains one network for [`ITERATIONS`] iterations with dropout `dropout`, on one core, and
/// records the losses after iteration 0, every [`EVAL_EVERY`]-th and the last. The
/// evaluations follow the command line's loop ([`NetworkTrainer::run`]): after iteration `n`
/// with `n mod EVAL_EVERY == 0`, the best kept; after the last, one more that is not.
fn train(data: &[usize], vocab_size: usize, dropout: f64) -> Result<Run, String> {
    let started = Instant::now();
    let mut config = Config::new(CellKind::Lstm);
    config.batch_size = BATCH_SIZE;
    config.val_fraction = VAL_FRACTION;
    config.eval_every = EVAL_EVERY;
    config.dropout = dropout;
    let mut trainer = NetworkTrainer::new(data, vocab_size, config, SEED)
        .map_err(|e| e.to_string())?
        .with_engine(Fast::with_threads(1));
    let mut records = Vec::new();
    let mut last = None;
    trainer
        .run(ITERATIONS, 0, 0, |event| {
            match event {
                Event::Step(report) => last = Some(*report),
                Event::Validation(validation) => {
                    if let Some(report) = last {
                        records.push(Record {
                            iteration: validation.iteration,
                            epoch: validation.epoch,
                            train: report.smooth_loss,
                            val: validation.loss,
                        });
                    }
                }
                Event::Sample { .. } => {}
            }
            ControlFlow::Continue(())
        })
        .map_err(|e| format!("dropout {dropout}: {e}"))?;
    // The network as it ends: the command line's `final val`, not counted for the best.
    let end_due = ITERATIONS > 0 && (ITERATIONS - 1) % EVAL_EVERY != 0;
    if let (true, Some(report), Some(val)) = (end_due, last, trainer.evaluate()) {
        records.push(Record {
            iteration: report.iteration,
            epoch: report.epoch,
            train: report.smooth_loss,
            val,
        });
    }
    // The lowest of all the rows, the last one too (the trainer's own best leaves it out).
    let mut best: Option<(usize, f64)> = None;
    for record in &records {
        if best.is_none_or(|(_, loss)| record.val < loss) {
            best = Some((record.iteration, record.val));
        }
    }
    let best = best.ok_or_else(|| "no validation loss was measured".to_string())?;
    Ok(Run {
        dropout,
        config: trainer.config().clone(),
        records,
        best,
        parameters: trainer.network.parameter_count(),
        train_chunks: trainer.train_chunks(),
        val_chunks: trainer.val_chunks(),
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// How the table and the figure name a run.
fn name(run: &Run) -> String {
    if run.dropout > 0.0 {
        format!("dropout {}", run.dropout)
    } else {
        "no dropout".to_string()
    }
}

/// The table: one row per record, both runs side by side, `*` at each lowest validation loss.
fn print_table(plain: &Run, dropout: &Run) {
    let heading = format!("{:>14}{:^26}   {:^26}", "", name(plain), name(dropout));
    println!("{}", heading.trim_end());
    println!(
        "{:>5} {:>6}   {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}",
        "iter", "epoch", "train", "val", "gap", "train", "val", "gap"
    );
    for (a, b) in plain.records.iter().zip(&dropout.records) {
        let best_a = star(a.iteration == plain.best.0);
        let best_b = star(b.iteration == dropout.best.0);
        println!(
            "{:>5} {:>6.2}   {:>8.4} {:>8.4}{best_a}{:>+8.4}   {:>8.4} {:>8.4}{best_b}{:>+8.4}",
            a.iteration,
            a.epoch,
            a.train,
            a.val,
            a.val - a.train,
            b.train,
            b.val,
            b.val - b.train
        );
    }
}

/// `*` beside the lowest validation loss, a space elsewhere.
fn star(lowest: bool) -> &'static str {
    if lowest { "*" } else { " " }
}

/// The summary of one run: its lowest validation loss, and where it ends.
fn print_summary(run: &Run) {
    let Some(end) = run.records.last() else {
        return;
    };
    let (at, best) = run.best;
    println!(
        "{:>11}: lowest val {best:.4} after iteration {at}; at the end val {:.4}, train {:.4}, \
         gap {:+.4}",
        name(run),
        end.val,
        end.train,
        end.val - end.train
    );
}

/// One curve of the figure.
struct Curve {
    name: String,
    colour: &'static str,
    dashed: bool,
    points: Vec<(f64, f64)>,
    /// The point to circle (the best validation loss), if any.
    mark: Option<(f64, f64)>,
}

/// The curves as an SVG document: the iteration across, the loss per character up, one line
/// per curve, a circle at each best validation loss, a legend.
fn svg(curves: &[Curve], subtitle: &str, x_label: &str) -> String {
    let (mut x_max, mut y_lo, mut y_hi) = (0.0_f64, f64::INFINITY, f64::NEG_INFINITY);
    for curve in curves {
        for &(x, y) in &curve.points {
            x_max = x_max.max(x);
            if x >= PLOT_FROM as f64 {
                y_lo = y_lo.min(y);
                y_hi = y_hi.max(y);
            }
        }
    }
    let x_ticks = nice_ticks(0.0, x_max, 5);
    let y_ticks = nice_ticks(y_lo, y_hi, 6);
    let mut s = Canvas::new(
        (800.0, 600.0),
        (80.0, 30.0, 70.0, 150.0),
        (x_ticks[0], x_ticks[x_ticks.len() - 1]),
        (y_ticks[0], y_ticks[y_ticks.len() - 1]),
    );
    let (left, top, plot_w, plot_h) = s.area();
    // Lines leave the plotting area at the top (the first iterations): cut them there.
    let _ = writeln!(
        s,
        r#"<defs><clipPath id="area"><rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}"/></clipPath></defs>"#
    );
    s.title("Overfitting: 2 × 128 LSTM on the corpus, with and without dropout");
    let _ = writeln!(
        s,
        r##"<text x="{}" y="56" text-anchor="middle" font-size="13" fill="#555">{}</text>"##,
        s.width() / 2.0,
        escape_xml(subtitle)
    );
    for &y in &y_ticks {
        s.y_tick(y, &format!("{y:.1}"));
    }
    s.x_ticks(&x_ticks);
    s.frame();
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        left + plot_w / 2.0,
        top + plot_h + 48.0,
        escape_xml(x_label)
    );
    let cy = top + plot_h / 2.0;
    let _ = writeln!(
        s,
        r#"<text x="24" y="{cy}" text-anchor="middle" transform="rotate(-90 24 {cy})">loss per character (nats)</text>"#
    );
    for curve in curves {
        let clip = r#" clip-path="url(#area)""#;
        s.polyline(&curve.points, curve.colour, curve.dashed, clip);
    }
    for curve in curves {
        if let Some((x, y)) = curve.mark {
            let _ = writeln!(
                s,
                r#"<circle cx="{:.2}" cy="{:.2}" r="6" fill="white" stroke="{}" stroke-width="2.5"/>"#,
                s.px(x),
                s.py(y),
                curve.colour
            );
        }
    }
    // The legend, below the plot: one column per run (training, then validation), then
    // what a circle means.
    let legend_top = top + plot_h + 78.0;
    for (k, curve) in curves.iter().enumerate() {
        let at = (
            left + 350.0 * (k / 2) as f64,
            legend_top + 24.0 * (k % 2) as f64,
        );
        s.legend_entry(at, curve.colour, curve.dashed, &curve.name);
    }
    let row = legend_top + 48.0;
    let _ = writeln!(
        s,
        r##"<circle cx="{}" cy="{row}" r="6" fill="white" stroke="#444" stroke-width="2.5"/>"##,
        left + 21.0
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}">the lowest validation loss of each run</text>"#,
        left + 52.0,
        row + 5.0
    );
    s.finish()
}

/// The figure's two curves of one run: the training loss, dashed, and the validation loss,
/// solid, with its lowest point circled.
fn curves_of(run: &Run, colour: &'static str) -> [Curve; 2] {
    let name = name(run);
    let train = run.records.iter().map(|r| (r.iteration as f64, r.train));
    let val = run.records.iter().map(|r| (r.iteration as f64, r.val));
    [
        Curve {
            name: format!("{name}: training (smooth loss)"),
            colour,
            dashed: true,
            points: train.collect(),
            mark: None,
        },
        Curve {
            name: format!("{name}: validation"),
            colour,
            dashed: false,
            points: val.collect(),
            mark: Some((run.best.0 as f64, run.best.1)),
        },
    ]
}

fn run() -> Result<(), String> {
    let svg_path = common::svg_option("overfit")?;
    let started = Instant::now();
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(CORPUS).map_err(|e| e.to_string())?;
    // The two runs share nothing but the text: each on its own thread, with one core.
    let (plain, dropout) = std::thread::scope(|scope| {
        let plain = scope.spawn(|| train(&data, vocab.len(), 0.0));
        let dropout = scope.spawn(|| train(&data, vocab.len(), DROPOUT));
        let joined = |handle: std::thread::ScopedJoinHandle<'_, Result<Run, String>>| {
            handle
                .join()
                .unwrap_or_else(|_| Err("a training thread panicked".to_string()))
        };
        (joined(plain), joined(dropout))
    });
    let (plain, dropout) = (plain?, dropout?);
    let c = &plain.config;
    let train_chars = plain.train_chunks * c.batch_size * c.seq_length;
    println!(
        "corpus: {} characters, V = {}; {} layers of {} {} units, {} parameters, seed {SEED}",
        data.len(),
        vocab.len(),
        c.num_layers,
        c.hidden_size,
        c.cell,
        plain.parameters
    );
    println!(
        "chunks of B = {} x T = {}: {} to train on ({train_chars} characters), {} held out",
        c.batch_size, c.seq_length, plain.train_chunks, plain.val_chunks
    );
    println!("optimizer: {}", c.optimizer);
    println!(
        "clipping: {}; the learning rate x {} after every epoch from epoch {} on",
        c.clip, c.learning_rate_decay, c.decay_after
    );
    println!(
        "{ITERATIONS} iterations; a row after iteration 0, every {EVAL_EVERY}th and the last \
         ({}, the log's `final val`):",
        ITERATIONS - 1
    );
    println!(
        "train is the smooth loss (the log's `loss:`, measured with dropout's masks), val the \
         validation loss"
    );
    println!("(* the lowest), gap = val - train; all in nats per character");
    println!();
    print_table(&plain, &dropout);
    println!();
    print_summary(&plain);
    print_summary(&dropout);
    println!(
        "{:>11}: {} parameters for {train_chars} training characters, {:.1} per character",
        "model",
        plain.parameters,
        plain.parameters as f64 / train_chars as f64
    );
    if let Some(path) = svg_path {
        let mut curves = Vec::new();
        // Training is dashed and validation solid, a cue besides the colour.
        curves.extend(curves_of(&plain, BLUE));
        curves.extend(curves_of(&dropout, VERMILLION));
        let x_label = format!(
            "iteration ({} streams of {} characters each)",
            c.batch_size, c.seq_length
        );
        let subtitle = format!(
            "at iteration 0 both runs are near ln V = {:.2}, above the top of the axis",
            (vocab.len() as f64).ln()
        );
        std::fs::write(&path, svg(&curves, &subtitle, &x_label))
            .map_err(|e| format!("{path}: {e}"))?;
        eprintln!("wrote {path}");
    }
    eprintln!(
        "{:.1} s in all; without dropout {:.1} s, with dropout {:.1} s",
        started.elapsed().as_secs_f64(),
        plain.seconds,
        dropout.seconds
    );
    Ok(())
}

fn main() -> ExitCode {
    common::exit_code(run())
}
