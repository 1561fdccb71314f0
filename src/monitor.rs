//! Watching a run from the inside: for each parameter, how large its gradient is and how far
//! one step moves it, the two figures a practitioner reads when a run looks wrong.
//!
//! For each parameter `w` (`w_xh`, `w_hh`, `w_hy`, `b_h`, `b_y`), with `g` the gradient the
//! update used (after clipping to `[−5, 5]`: what Adagrad sees) and `w`, `w'` the values
//! before and after the step:
//!
//! ```text
//! gradient norm   ‖g‖ = √(Σ g_i²)                       how hard the loss pulls on w
//! clipped         #{ i : |g_i| = 5 }                    elements the clipping cut back
//! update ratio    ‖w' − w‖ / ‖w‖                        how far the step moved w, relative
//! ```
//!
//! The ratio is the one to watch: around `1e−3` a step changes a weight by about a
//! thousandth of its size. Far above, the steps throw the weights about; far below, the
//! parameter has stopped learning. The gradient norm says why: a norm near zero is a
//! vanishing gradient, one that keeps growing (and is clipped at every step) an exploding one.
//!
//! A [`Reading`] is those figures for one step; [`Reading::measure`] needs a copy of the
//! parameters from before the step, so a run copies them only for the steps it records.
//! A [`Recorder`] keeps the readings of a run and turns them into the [`Panel`]s that
//! `min-char-rnn train --monitor` draws below the loss curve. Both paths give the same
//! parameters and gradients bit for bit, so they give the same readings.
//!
//! # Examples
//!
//! ```
//! use min_char_rnn::{Hyperparams, Trainer, Vocab, monitor::Recorder};
//! let text = "hello world. hello rust. ".repeat(10);
//! let vocab = Vocab::from_text(&text);
//! let hp = Hyperparams { hidden_size: 16, seq_length: 8, learning_rate: 0.1 };
//! let mut trainer = Trainer::new(vocab.encode(&text)?, vocab.len(), hp, 1)?;
//! let mut recorder = Recorder::new();
//! for n in 0..300 {
//!     if n % 100 == 0 {
//!         recorder.step(&mut trainer)?; // copies the weights, steps, measures
//!     } else {
//!         trainer.step()?;
//!     }
//! }
//! let iterations: Vec<usize> = recorder.readings().iter().map(|r| r.iteration).collect();
//! assert_eq!(iterations, [0, 100, 200]);
//! assert!(recorder.readings()[2].update_ratio[0] < 0.1); // w_xh moves by under a tenth
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::backward::CLIP;
use crate::plot::{Line, Panel, Reference, Series};
use crate::train::{StepReport, TrainError};
use crate::{Grads, Params, Trainer};
use std::fmt::Write as _;

/// The update-to-weight ratio practitioners aim for: a step moves a weight by about a
/// thousandth of its size.
pub const HEALTHY_RATIO: f64 = 1e-3;

/// The title of the gradient-norm panel.
pub const GRAD_NORM_TITLE: &str = "Gradient norm of each parameter, after clipping";

/// The title of the update-to-weight-ratio panel.
pub const UPDATE_RATIO_TITLE: &str = "Update-to-weight ratio of each parameter";

/// The L2 norm `√(Σ v_i²)` of `values` (of a whole matrix, read as one long vector).
///
/// # Examples
///
/// ```
/// assert_eq!(min_char_rnn::monitor::norm(&[3.0, 4.0]), 5.0);
/// ```
pub fn norm(values: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &v in values {
        sum += v * v;
    }
    sum.sqrt()
}

/// `‖after − before‖ / ‖before‖`: how far a step moved a parameter, relative to its size.
/// Infinite when `before` is all zeros and the step moved it (a bias before its first
/// update), NaN when neither has anything in it.
///
/// # Panics
///
/// If the two differ in length.
///
/// # Examples
///
/// ```
/// use min_char_rnn::monitor::update_ratio;
/// let ratio = update_ratio(&[3.0, 4.0], &[3.0, 4.005]); // ‖Δw‖ = 0.005, ‖w‖ = 5
/// assert!((ratio - 0.001).abs() < 1e-12);
/// assert_eq!(update_ratio(&[0.0], &[0.1]), f64::INFINITY);
/// ```
#[track_caller]
pub fn update_ratio(before: &[f64], after: &[f64]) -> f64 {
    assert!(
        before.len() == after.len(),
        "update_ratio: {} values before the step, {} after",
        before.len(),
        after.len()
    );
    let mut moved = 0.0;
    for i in 0..before.len() {
        let d = after[i] - before[i];
        moved += d * d;
    }
    moved.sqrt() / norm(before)
}

/// How many elements of a clipped gradient sit at the limit, `|g_i| ≥ limit`: those the
/// clipping cut back (or, very rarely, that were exactly at it already).
///
/// # Examples
///
/// ```
/// assert_eq!(min_char_rnn::monitor::clipped(&[5.0, -5.0, 4.9, 0.0], 5.0), 2);
/// ```
pub fn clipped(gradient: &[f64], limit: f64) -> usize {
    let mut count = 0;
    for &g in gradient {
        if g.abs() >= limit {
            count += 1;
        }
    }
    count
}

/// The monitoring figures of one step, for each parameter in the order of [`Params::NAMES`]
/// (`w_xh, w_hh, w_hy, b_h, b_y`).
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Grads, Params, monitor::Reading};
/// let before = Params::new(3, 2, 1);
/// let mut after = before.clone();
/// after.b_y[0] = 0.5;
/// let mut grads = Grads::zeros_like(&before);
/// grads.db_y[0] = 5.0; // clipped
/// let reading = Reading::measure(7, &before, &after, &grads);
/// assert_eq!(reading.grad_norm[4], 5.0);
/// assert_eq!(reading.clipped, [0, 0, 0, 0, 1]);
/// assert_eq!(reading.update_ratio[0], 0.0); // w_xh did not move
/// assert!(reading.update_ratio[4].is_infinite()); // b_y was all zeros
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    /// The iteration `n` of the step.
    pub iteration: usize,
    /// `‖g‖` of each parameter's gradient, as the update used it (clipped).
    pub grad_norm: [f64; 5],
    /// How many elements of each gradient the clipping held at `±5` ([`clipped`]).
    pub clipped: [usize; 5],
    /// `‖Δw‖ / ‖w‖` of each parameter, `w` from before the step ([`update_ratio`]).
    pub update_ratio: [f64; 5],
}

impl Reading {
    /// The figures of step `iteration`, from the parameters `before` and `after` it and the
    /// (clipped) gradients it used.
    ///
    /// # Panics
    ///
    /// If the shapes of `before`, `after` and `grads` differ.
    // ANCHOR: measure
    #[track_caller]
    pub fn measure(iteration: usize, before: &Params, after: &Params, grads: &Grads) -> Reading {
        let mut reading = Reading {
            iteration,
            grad_norm: [0.0; 5],
            clipped: [0; 5],
            update_ratio: [0.0; 5],
        };
        let (before, after, gradients) = (before.slices(), after.slices(), grads.slices());
        for k in 0..5 {
            let (name, w) = before[k];
            assert!(
                gradients[k].len() == w.len(),
                "Reading::measure: {name} has {} values, its gradient {}",
                w.len(),
                gradients[k].len()
            );
            reading.grad_norm[k] = norm(gradients[k]);
            reading.clipped[k] = clipped(gradients[k], CLIP);
            reading.update_ratio[k] = update_ratio(w, after[k].1);
        }
        reading
    }
    // ANCHOR_END: measure

    /// The reading as two lines of the training log:
    ///
    /// ```text
    /// iter 100, grad norm: w_xh 1.0535, w_hh 2.5411, w_hy 4.1220, b_h 0.3954, b_y 0.9915
    /// iter 100, update/weight: w_xh 2.05e-3, w_hh 1.22e-3, w_hy 1.91e-3, b_h 8.90e-3, b_y 2.08e-2
    /// ```
    ///
    /// followed on the first line, if the clipping acted, by how many elements of which
    /// gradient it held at ±5: ` (clipped to ±5: w_hy 3)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Grads, Params, monitor::Reading};
    /// let params = Params::new(3, 2, 1);
    /// let reading = Reading::measure(0, &params, &params, &Grads::zeros_like(&params));
    /// assert!(reading.log_lines().starts_with("iter 0, grad norm: w_xh 0.0000, "));
    /// ```
    pub fn log_lines(&self) -> String {
        let n = self.iteration;
        let mut text = format!("iter {n}, grad norm: ");
        for (k, name) in Params::NAMES.into_iter().enumerate() {
            let separator = if k > 0 { ", " } else { "" };
            let _ = write!(text, "{separator}{name} {:.4}", self.grad_norm[k]);
        }
        let mut clipped = Vec::new();
        for (k, name) in Params::NAMES.into_iter().enumerate() {
            if self.clipped[k] > 0 {
                clipped.push(format!("{name} {}", self.clipped[k]));
            }
        }
        if !clipped.is_empty() {
            let _ = write!(text, " (clipped to ±{CLIP}: {})", clipped.join(", "));
        }
        let _ = write!(text, "\niter {n}, update/weight: ");
        for (k, name) in Params::NAMES.into_iter().enumerate() {
            let separator = if k > 0 { ", " } else { "" };
            let _ = write!(text, "{separator}{name} {:.2e}", self.update_ratio[k]);
        }
        text.push('\n');
        text
    }
}

/// The readings of a run, in the order they were taken, and the panels they make.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Grads, Params, monitor::{Reading, Recorder}};
/// let params = Params::new(3, 2, 1);
/// let grads = Grads::zeros_like(&params);
/// let mut recorder = Recorder::new();
/// recorder.record(Reading::measure(0, &params, &params, &grads));
/// recorder.record(Reading::measure(100, &params, &params, &grads));
/// assert_eq!(recorder.grad_norms(0), [(0.0, 0.0), (100.0, 0.0)]);
/// assert_eq!(recorder.panels().len(), 2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorder {
    readings: Vec<Reading>,
}

impl Recorder {
    /// A recorder with no readings yet.
    pub fn new() -> Recorder {
        Recorder::default()
    }

    /// Keeps `reading`.
    pub fn record(&mut self, reading: Reading) {
        self.readings.push(reading);
    }

    /// One training step of `trainer`, measured and recorded: a copy of the parameters,
    /// [`Trainer::step`], then [`Reading::measure`]. Call it for the steps to record and
    /// `trainer.step()` for the others: only a recorded step pays for the copy.
    ///
    /// # Errors
    ///
    /// As [`Trainer::step`]; nothing is recorded then.
    pub fn step(&mut self, trainer: &mut Trainer) -> Result<StepReport, TrainError> {
        let before = trainer.params.clone();
        let report = trainer.step()?;
        let reading = Reading::measure(report.iteration, &before, &trainer.params, trainer.grads());
        self.record(reading);
        Ok(report)
    }

    /// The readings so far, oldest first.
    pub fn readings(&self) -> &[Reading] {
        &self.readings
    }

    /// `(iteration, ‖g‖)` of parameter `k` (in the order of [`Params::NAMES`]).
    ///
    /// # Panics
    ///
    /// If `k` is 5 or more.
    pub fn grad_norms(&self, k: usize) -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(self.readings.len());
        for r in &self.readings {
            points.push((r.iteration as f64, r.grad_norm[k]));
        }
        points
    }

    /// `(iteration, ‖Δw‖ / ‖w‖)` of parameter `k` (in the order of [`Params::NAMES`]).
    ///
    /// # Panics
    ///
    /// If `k` is 5 or more.
    pub fn update_ratios(&self, k: usize) -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(self.readings.len());
        for r in &self.readings {
            points.push((r.iteration as f64, r.update_ratio[k]));
        }
        points
    }

    /// The two panels `train --monitor` draws below the loss curve, one line per parameter
    /// in each (the biases dashed), both on logarithmic axes: the gradient norms, with the
    /// steps where the clipping acted circled, and the update-to-weight ratios, with a band
    /// at [`HEALTHY_RATIO`].
    pub fn panels(&self) -> Vec<Panel> {
        let mut norms = Vec::new();
        let mut ratios = Vec::new();
        for (k, name) in Params::NAMES.into_iter().enumerate() {
            let mut norm = Line::new(Series::new(name, self.grad_norms(k)));
            let mut ratio = Line::new(Series::new(name, self.update_ratios(k)));
            for r in &self.readings {
                if r.clipped[k] > 0 {
                    norm.marks.push((r.iteration as f64, r.grad_norm[k]));
                }
            }
            if name.starts_with('b') {
                (norm, ratio) = (norm.dashed(), ratio.dashed());
            }
            norms.push(norm);
            ratios.push(ratio);
        }
        vec![
            Panel {
                title: GRAD_NORM_TITLE.to_string(),
                y_label: "‖g‖, L2 norm (log scale)".to_string(),
                log_y: true,
                lines: norms,
                mark_label: format!("some elements clipped to ±{CLIP}"),
                reference: None,
            },
            Panel {
                title: UPDATE_RATIO_TITLE.to_string(),
                y_label: "‖Δw‖ / ‖w‖ (log scale)".to_string(),
                log_y: true,
                lines: ratios,
                mark_label: String::new(),
                reference: Some(Reference {
                    y: HEALTHY_RATIO,
                    label: "10⁻³, the usual healthy ratio".to_string(),
                }),
            },
        ]
    }
}
