//! Watching a run from the inside: for each parameter, how large its gradient is and how far
//! one step moves it, the two figures a practitioner reads when a run looks wrong.
//!
//! For each parameter `w` (Part I's `w_xh`, `w_hh`, `w_hy`, `b_h`, `b_y`; a network's
//! `w_ih_0`, `w_hh_0`, `b_0`, …, `w_hy`, `b_y`, as [`Network::names`] lists them), with `g`
//! the gradient the update used (after clipping: what the optimizer sees) and `w`, `w'` the
//! values before and after the step:
//!
//! ```text
//! gradient norm   ‖g‖ = √(Σ g_i²)                       how hard the loss pulls on w
//! clipped         #{ i : |g_i| = c }                    elements clipping by value cut back
//! update ratio    ‖w' − w‖ / ‖w‖                        how far the step moved w, relative
//! ```
//!
//! The ratio is the one to watch: around `1e−3` a step changes a weight by about a
//! thousandth of its size. Far above, the steps throw the weights about; far below, the
//! parameter has stopped learning. The gradient norm says why: a norm near zero is a
//! vanishing gradient, one that keeps growing (and is clipped at every step) an exploding one.
//! Clipping by norm ([`Clip::Norm`]) scales every gradient at once, so a reading notes the
//! steps where the global norm was over the limit rather than counting elements.
//!
//! A [`Reading`] is those figures for one step, measured by one function for any list of
//! named slices ([`Reading::measure_slices`]); [`Reading::measure`] (Part I's parameters) and
//! [`Reading::measure_network`] (a network's) name the slices. Each needs a copy of the
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
use crate::charrnn::{self, CharRnnError, Clip, NetworkTrainer};
use crate::network::{Network, NetworkGrads};
use crate::plot::{Line, Panel, Reference, Series};
use crate::train::{StepReport, TrainError};
use crate::{Grads, Params, Trainer};
use std::fmt::Write as _;
use std::ops::Range;

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

/// The monitoring figures of one step, for each parameter in the order of `names`.
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
/// assert_eq!(reading.names, Params::NAMES);
/// assert_eq!(reading.grad_norm[4], 5.0);
/// assert_eq!(reading.clipped, [0, 0, 0, 0, 1]);
/// assert_eq!(reading.update_ratio[0], 0.0); // w_xh did not move
/// assert!(reading.update_ratio[4].is_infinite()); // b_y was all zeros
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    /// The iteration `n` of the step.
    pub iteration: usize,
    /// The parameters' names, in the order of the figures below.
    pub names: Vec<String>,
    /// `‖g‖` of each parameter's gradient, as the update used it (clipped).
    pub grad_norm: Vec<f64>,
    /// With clipping by value at `c`: how many elements of each gradient the clipping held
    /// at `±c` ([`clipped`]); otherwise 0.
    pub clipped: Vec<usize>,
    /// `‖Δw‖ / ‖w‖` of each parameter, `w` from before the step ([`update_ratio`]).
    pub update_ratio: Vec<f64>,
    /// The clipping the step's gradients went through.
    pub clip: Clip,
    /// With clipping by norm: the global norm of the gradients before clipping, if it was
    /// over the limit and every gradient was scaled down; otherwise `None`.
    pub scaled_from: Option<f64>,
}

impl Reading {
    /// The figures of step `iteration` for the parameters `names`: their values `before` and
    /// `after` the step and the (clipped) gradients it used, one slice per parameter, all in
    /// the order of `names`. With `clip` by value, the elements at the limit are counted.
    ///
    /// # Panics
    ///
    /// If the four lists differ in length, or a parameter and its gradient (or its values
    /// before and after) differ in length.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{charrnn::Clip, monitor::Reading};
    /// let names = vec!["w".to_string()];
    /// let (before, after, gradient): (&[f64], &[f64], &[f64]) =
    ///     (&[3.0, 4.0], &[3.0, 4.005], &[1.0, -1.0]);
    /// let clip = Clip::Value(1.0);
    /// let reading = Reading::measure_slices(3, names, &[before], &[after], &[gradient], clip);
    /// assert_eq!(reading.clipped, [2]);
    /// assert!((reading.update_ratio[0] - 1e-3).abs() < 1e-12);
    /// ```
    // ANCHOR: measure
    #[track_caller]
    pub fn measure_slices(
        iteration: usize,
        names: Vec<String>,
        before: &[&[f64]],
        after: &[&[f64]],
        gradients: &[&[f64]],
        clip: Clip,
    ) -> Reading {
        let n = names.len();
        assert!(
            before.len() == n && after.len() == n && gradients.len() == n,
            "Reading::measure: {n} names, {} parameters before the step, {} after, {} gradients",
            before.len(),
            after.len(),
            gradients.len()
        );
        let mut reading = Reading {
            iteration,
            names,
            grad_norm: Vec::with_capacity(n),
            clipped: Vec::with_capacity(n),
            update_ratio: Vec::with_capacity(n),
            clip,
            scaled_from: None,
        };
        for k in 0..n {
            let (w, g) = (before[k], gradients[k]);
            assert!(
                g.len() == w.len(),
                "Reading::measure: {} has {} values, its gradient {}",
                reading.names[k],
                w.len(),
                g.len()
            );
            reading.grad_norm.push(norm(g));
            reading.clipped.push(match clip {
                Clip::Value(limit) => clipped(g, limit),
                Clip::None | Clip::Norm(_) => 0,
            });
            reading.update_ratio.push(update_ratio(w, after[k]));
        }
        reading
    }
    // ANCHOR_END: measure

    /// The figures of step `iteration` of Part I's network, from the parameters `before` and
    /// `after` it and the gradients it used (clipped to `[−5, 5]`, [`CLIP`]).
    ///
    /// # Panics
    ///
    /// If the shapes of `before`, `after` and `grads` differ.
    #[track_caller]
    pub fn measure(iteration: usize, before: &Params, after: &Params, grads: &Grads) -> Reading {
        let names = Params::NAMES.map(String::from).to_vec();
        let before = before.slices().map(|(_, values)| values);
        let after = after.slices().map(|(_, values)| values);
        let clip = Clip::Value(CLIP);
        Reading::measure_slices(iteration, names, &before, &after, &grads.slices(), clip)
    }

    /// The figures of step `iteration` of a network, from its weights `before` and `after`
    /// the step and the gradients it used, clipped as `clip` says; `norm_before` is the
    /// global norm of the gradients before clipping (`StepReport::grad_norm` of
    /// [`charrnn`]), which tells whether clipping by norm scaled them down.
    ///
    /// # Panics
    ///
    /// If the shapes of `before`, `after` and `grads` differ.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::charrnn::Clip;
    /// use min_char_rnn::monitor::Reading;
    /// use min_char_rnn::network::{Network, NetworkGrads};
    /// let net = Network::new(CellKind::Lstm, 3, 2, 2, 1);
    /// let grads = NetworkGrads::zeros_like(&net);
    /// let reading = Reading::measure_network(0, &net, &net, &grads, Clip::Norm(5.0), 7.5);
    /// assert_eq!(reading.names, net.names());
    /// assert_eq!(reading.scaled_from, Some(7.5)); // 7.5 > 5: scaled down to a norm of 5
    /// ```
    #[track_caller]
    pub fn measure_network(
        iteration: usize,
        before: &Network,
        after: &Network,
        grads: &NetworkGrads,
        clip: Clip,
        norm_before: f64,
    ) -> Reading {
        let names = after.names();
        let (before, after, gradients) = (before.slices(), after.slices(), grads.slices());
        let mut reading =
            Reading::measure_slices(iteration, names, &before, &after, &gradients, clip);
        // As `clip::clip_by_norm` decides: scaled when the norm is finite and over the limit.
        let scaled =
            matches!(clip, Clip::Norm(limit) if norm_before > limit && norm_before.is_finite());
        reading.scaled_from = scaled.then_some(norm_before);
        reading
    }

    /// Whether clipping acted on parameter `k` at this step: clipping by value held some of
    /// its elements at the limit, or clipping by norm scaled every gradient down.
    pub fn clipped_at(&self, k: usize) -> bool {
        self.clipped[k] > 0 || self.scaled_from.is_some()
    }

    /// The reading as two lines of the training log:
    ///
    /// ```text
    /// iter 100, grad norm: w_xh 1.0535, w_hh 2.5411, w_hy 4.1220, b_h 0.3954, b_y 0.9915
    /// iter 100, update/weight: w_xh 2.05e-3, w_hh 1.22e-3, w_hy 1.91e-3, b_h 8.90e-3, b_y 2.08e-2
    /// ```
    ///
    /// followed on the first line, if clipping by value acted, by how many elements of which
    /// gradient it held at the limit: ` (clipped to ±5: w_hy 3)`; if clipping by norm acted,
    /// by the global norm it scaled down: ` (global norm 7.1234 scaled down to 5)`.
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
        self.write_figures(&mut text, |v| format!("{v:.4}"), &self.grad_norm);
        match (self.clip, self.scaled_from) {
            (Clip::Value(limit), _) => {
                let mut clipped = Vec::new();
                for (k, name) in self.names.iter().enumerate() {
                    if self.clipped[k] > 0 {
                        clipped.push(format!("{name} {}", self.clipped[k]));
                    }
                }
                if !clipped.is_empty() {
                    let _ = write!(text, " (clipped to ±{limit}: {})", clipped.join(", "));
                }
            }
            (Clip::Norm(limit), Some(norm)) => {
                let _ = write!(text, " (global norm {norm:.4} scaled down to {limit})");
            }
            _ => {}
        }
        let _ = write!(text, "\niter {n}, update/weight: ");
        self.write_figures(&mut text, |v| format!("{v:.2e}"), &self.update_ratio);
        text.push('\n');
        text
    }

    /// `name figure, name figure, …` for every parameter, each figure as `show` writes it.
    fn write_figures(&self, text: &mut String, show: impl Fn(f64) -> String, figures: &[f64]) {
        for (k, name) in self.names.iter().enumerate() {
            let separator = if k > 0 { ", " } else { "" };
            let _ = write!(text, "{separator}{name} {}", show(figures[k]));
        }
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
#[derive(Clone, Debug, PartialEq)]
pub struct Recorder {
    readings: Vec<Reading>,
    /// The parameters' names, in the order of the readings' figures.
    names: Vec<String>,
    /// The parameters drawn together in a panel, with what the panel's title calls them;
    /// empty for one panel of each figure holding every parameter (Part I).
    groups: Vec<(String, Range<usize>)>,
    /// The run's clipping, for the legend of the circles.
    clip: Clip,
}

impl Default for Recorder {
    fn default() -> Recorder {
        Recorder::new()
    }
}

impl Recorder {
    /// A recorder for Part I's network (its five parameters in one panel of each figure,
    /// clipping by value at [`CLIP`]), with no readings yet.
    pub fn new() -> Recorder {
        Recorder {
            readings: Vec::new(),
            names: Params::NAMES.map(String::from).to_vec(),
            groups: Vec::new(),
            clip: Clip::Value(CLIP),
        }
    }

    /// A recorder for a network shaped like `network`, trained with the clipping `clip`,
    /// with no readings yet. Its panels come one per layer and one for the output layer, so
    /// that each legend holds a few names.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::charrnn::Clip;
    /// use min_char_rnn::monitor::Recorder;
    /// use min_char_rnn::network::Network;
    /// let network = Network::zeros(CellKind::Gru, 5, 3, 2);
    /// let recorder = Recorder::for_network(&network, Clip::Value(5.0));
    /// let panels = recorder.panels(); // gradient norms of layers 0, 1, the output layer; ratios
    /// assert_eq!(panels.len(), 6);
    /// assert_eq!(panels[0].lines.len(), 4); // w_ih_0, w_hh_0, b_0, b_hn_0
    /// assert_eq!(panels[5].title, "Update-to-weight ratio of each parameter of the output layer");
    /// ```
    pub fn for_network(network: &Network, clip: Clip) -> Recorder {
        let mut groups = Vec::new();
        let mut start = 0;
        for (l, layer) in network.layers.iter().enumerate() {
            let mut count = 0;
            for (_, values) in layer.slices() {
                if !values.is_empty() {
                    count += 1; // as `Network::names` lists them: not the empty `b_hn`
                }
            }
            groups.push((format!("layer {l}"), start..start + count));
            start += count;
        }
        groups.push(("the output layer".to_string(), start..start + 2)); // w_hy, b_y
        Recorder {
            readings: Vec::new(),
            names: network.names(),
            groups,
            clip,
        }
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

    /// One training step of a network's `trainer`, measured and recorded: a copy of the
    /// weights, [`NetworkTrainer::step`], then [`Reading::measure_network`] with the
    /// trainer's clipping. As with [`Recorder::step`], only a recorded step pays for the copy.
    ///
    /// # Errors
    ///
    /// As [`NetworkTrainer::step`]; nothing is recorded then.
    pub fn step_network(
        &mut self,
        trainer: &mut NetworkTrainer,
    ) -> Result<charrnn::StepReport, CharRnnError> {
        let before = trainer.network.clone();
        let report = trainer.step()?;
        let reading = Reading::measure_network(
            report.iteration,
            &before,
            &trainer.network,
            trainer.grads(),
            trainer.config().clip,
            report.grad_norm,
        );
        self.record(reading);
        Ok(report)
    }

    /// The readings so far, oldest first.
    pub fn readings(&self) -> &[Reading] {
        &self.readings
    }

    /// `(iteration, ‖g‖)` of parameter `k` (in the order of the readings' names).
    ///
    /// # Panics
    ///
    /// If a reading has no parameter `k`.
    pub fn grad_norms(&self, k: usize) -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(self.readings.len());
        for r in &self.readings {
            points.push((r.iteration as f64, r.grad_norm[k]));
        }
        points
    }

    /// `(iteration, ‖Δw‖ / ‖w‖)` of parameter `k` (in the order of the readings' names).
    ///
    /// # Panics
    ///
    /// If a reading has no parameter `k`.
    pub fn update_ratios(&self, k: usize) -> Vec<(f64, f64)> {
        let mut points = Vec::with_capacity(self.readings.len());
        for r in &self.readings {
            points.push((r.iteration as f64, r.update_ratio[k]));
        }
        points
    }

    /// The panels `train --monitor` draws below the loss curve, one line per parameter (the
    /// biases dashed), on logarithmic axes: the gradient norms, with the steps where the
    /// clipping acted circled, then the update-to-weight ratios, with a band at
    /// [`HEALTHY_RATIO`]. Part I has one panel of each; a network one of each per layer and
    /// one for the output layer.
    pub fn panels(&self) -> Vec<Panel> {
        let mut norms = Vec::new();
        let mut ratios = Vec::new();
        for (k, name) in self.names.iter().enumerate() {
            let mut norm = Line::new(Series::new(name.as_str(), self.grad_norms(k)));
            let mut ratio = Line::new(Series::new(name.as_str(), self.update_ratios(k)));
            for r in &self.readings {
                if r.clipped_at(k) {
                    norm.marks.push((r.iteration as f64, r.grad_norm[k]));
                }
            }
            if name.starts_with('b') {
                (norm, ratio) = (norm.dashed(), ratio.dashed());
            }
            norms.push(norm);
            ratios.push(ratio);
        }
        if self.groups.is_empty() {
            let norm_panel = self.norm_panel(GRAD_NORM_TITLE.to_string(), norms);
            return vec![
                norm_panel,
                ratio_panel(UPDATE_RATIO_TITLE.to_string(), ratios),
            ];
        }
        let mut norm_panels = Vec::new();
        let mut ratio_panels = Vec::new();
        for (of, lines) in &self.groups {
            norm_panels.push(self.norm_panel(
                format!("Gradient norm of each parameter of {of}, after clipping"),
                norms[lines.clone()].to_vec(),
            ));
            ratio_panels.push(ratio_panel(
                format!("Update-to-weight ratio of each parameter of {of}"),
                ratios[lines.clone()].to_vec(),
            ));
        }
        norm_panels.extend(ratio_panels);
        norm_panels
    }

    /// A panel of gradient norms, with the circles' meaning in the legend.
    fn norm_panel(&self, title: String, lines: Vec<Line>) -> Panel {
        let mark_label = match self.clip {
            Clip::None => String::new(),
            Clip::Value(limit) => format!("some elements clipped to ±{limit}"),
            Clip::Norm(limit) => format!("global norm over {limit}: all scaled down"),
        };
        Panel {
            title,
            y_label: "‖g‖, L2 norm (log scale)".to_string(),
            log_y: true,
            lines,
            mark_label,
            reference: None,
        }
    }
}

/// A panel of update-to-weight ratios, with the healthy band.
fn ratio_panel(title: String, lines: Vec<Line>) -> Panel {
    Panel {
        title,
        y_label: "‖Δw‖ / ‖w‖ (log scale)".to_string(),
        log_y: true,
        lines,
        mark_label: String::new(),
        reference: Some(Reference {
            y: HEALTHY_RATIO,
            label: "10⁻³, the usual healthy ratio".to_string(),
        }),
    }
}
