//! Part II's optimizers: the step that turns gradients into new weights, four ways.
//!
//! | kind | module | update, element by element | state kept | default `lr` |
//! |---|---|---|---|---|
//! | SGD | [`sgd`] | `w −= lr·g` | none | 1.0 |
//! | Adagrad | [`adagrad`](crate::adagrad) (Part I's) | `m += g²; w −= lr·g / √(m + 1e−8)` | `m` | 0.1 |
//! | RMSprop | [`rmsprop`] | `m = α·m + (1 − α)·g²; w −= lr·g / (√m + ε)` | `m` | 2e−3 |
//! | Adam | [`adam`] | `m = β₁·m + (1 − β₁)·g; v = β₂·v + (1 − β₂)·g²;` `w −= lr·m̂ / (√v̂ + ε)` | `m`, `v` | 2e−3 |
//!
//! Each module has one function that updates one parameter, a flat slice, in place (like Part
//! I's [`adagrad_update`]). An [`Optimizer`] holds the configuration and the state for all the
//! parameters of a network and applies its kind's function to each slice in turn:
//!
//! ```
//! use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
//!
//! let mut w_a = vec![1.0, 2.0];
//! let mut w_b = vec![3.0];
//! let config = OptimizerConfig::new(OptimizerKind::Rmsprop);
//! let mut optimizer = Optimizer::new(config, &[2, 1]);
//! optimizer.update(&mut [&mut w_a, &mut w_b], &[&[0.5, -0.5], &[1.0]]);
//! assert_eq!(optimizer.steps(), 1);
//! assert!(w_a[0] < 1.0 && w_a[1] > 2.0 && w_b[0] < 3.0); // each moved against its gradient
//! ```
//!
//! ## The learning rate
//!
//! The learning rate multiplies a step computed from the gradient of Part II's loss, the mean
//! per character over the `B·T` characters of a chunk (see [`network`](crate::network)).
//! Adagrad, RMSprop and Adam divide each gradient by the root of its own running square, so a
//! constant factor in the gradients cancels (only their tiny ε notices): their learning rate
//! is about how far a weight moves per step, whatever the loss's scale. SGD has no such
//! division: its step is `lr·g`, and its learning rate depends on the scale of the loss.
//!
//! ## The state, for checkpoints
//!
//! [`OptimizerState`] is everything an optimizer remembers between steps: the number of
//! updates done, and per parameter slice, in the order of the slices,
//!
//! | kind | `first` | `second` |
//! |---|---|---|
//! | SGD | empty | empty |
//! | Adagrad | empty | `m`, the sum of squared gradients |
//! | RMSprop | empty | `m`, the moving mean square of the gradients |
//! | Adam | `m`, the moving mean of the gradients | `v`, their moving mean square |
//!
//! `first` holds averages of gradients, `second` averages (or sums) of their squares: the
//! first and second moments. Saving [`Optimizer::state`] with the parameters and restoring it
//! with [`Optimizer::from_state`] resumes training bit for bit.

pub mod adam;
pub mod rmsprop;
pub mod sgd;

use crate::adagrad::adagrad_update;
use std::fmt;
use std::str::FromStr;

/// Which update rule an [`Optimizer`] applies.
///
/// # Examples
///
/// ```
/// use min_char_rnn::optim::OptimizerKind;
/// let kind: OptimizerKind = "rmsprop".parse()?;
/// assert_eq!(kind, OptimizerKind::Rmsprop);
/// assert_eq!(kind.to_string(), "rmsprop");
/// assert!("momentum".parse::<OptimizerKind>().is_err());
/// # Ok::<(), min_char_rnn::optim::UnknownOptimizer>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptimizerKind {
    /// Plain stochastic gradient descent, `w −= lr·g` ([`sgd`]).
    Sgd,
    /// Part I's Adagrad, `m += g²; w −= lr·g / √(m + 1e−8)` ([`adagrad`](crate::adagrad)).
    Adagrad,
    /// char-rnn's RMSprop, `m = α·m + (1 − α)·g²; w −= lr·g / (√m + ε)` ([`rmsprop`]).
    Rmsprop,
    /// Adam with bias correction ([`adam`]).
    Adam,
}

impl OptimizerKind {
    /// The names [`FromStr`] accepts, as the command line spells them.
    pub const NAMES: [&'static str; 4] = ["sgd", "adagrad", "rmsprop", "adam"];

    /// The name as the command line spells it: `"sgd"`, `"adagrad"`, `"rmsprop"` or `"adam"`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::optim::OptimizerKind::Adam.name(), "adam");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Adagrad => "adagrad",
            OptimizerKind::Rmsprop => "rmsprop",
            OptimizerKind::Adam => "adam",
        }
    }

    /// Whether this kind keeps a first moment (a moving mean of the gradients): Adam only.
    fn keeps_first(self) -> bool {
        self == OptimizerKind::Adam
    }

    /// Whether this kind keeps a second moment (a sum or mean of squared gradients): all but
    /// SGD.
    fn keeps_second(self) -> bool {
        self != OptimizerKind::Sgd
    }
}

impl fmt::Display for OptimizerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An optimizer name that is not `sgd`, `adagrad`, `rmsprop` or `adam` (what it was is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownOptimizer(pub String);

impl fmt::Display for UnknownOptimizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown optimizer {:?}: expected one of {}",
            self.0,
            OptimizerKind::NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownOptimizer {}

impl FromStr for OptimizerKind {
    type Err = UnknownOptimizer;

    /// `"sgd"`, `"adagrad"`, `"rmsprop"` or `"adam"`, exactly (lowercase).
    fn from_str(name: &str) -> Result<OptimizerKind, UnknownOptimizer> {
        match name {
            "sgd" => Ok(OptimizerKind::Sgd),
            "adagrad" => Ok(OptimizerKind::Adagrad),
            "rmsprop" => Ok(OptimizerKind::Rmsprop),
            "adam" => Ok(OptimizerKind::Adam),
            _ => Err(UnknownOptimizer(name.to_string())),
        }
    }
}

/// An optimizer's kind and numbers. Every field is always set (to its default when the kind
/// does not read it), so a configuration can be saved and shown whole.
///
/// | field | read by |
/// |---|---|
/// | `learning_rate` | all |
/// | `decay` (`α`) | RMSprop |
/// | `beta1`, `beta2` | Adam |
/// | `epsilon` | RMSprop, Adam (Adagrad's `1e−8` is Part I's fixed [`adagrad::EPSILON`](crate::adagrad::EPSILON)) |
///
/// # Examples
///
/// ```
/// use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
/// let config = OptimizerConfig::new(OptimizerKind::Rmsprop);
/// assert_eq!((config.learning_rate, config.decay), (2e-3, 0.95)); // char-rnn's
/// assert_eq!(config.to_string(), "rmsprop (learning rate 0.002, decay 0.95, epsilon 0.00000001)");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OptimizerConfig {
    /// Which update rule.
    pub kind: OptimizerKind,
    /// `lr`, the step size (see the module docs for what it means for each kind).
    pub learning_rate: f64,
    /// RMSprop's `α`: the fraction of the mean square kept at each step.
    pub decay: f64,
    /// Adam's `β₁`: the fraction of the mean gradient kept at each step.
    pub beta1: f64,
    /// Adam's `β₂`: the fraction of the mean square kept at each step.
    pub beta2: f64,
    /// `ε`, added to the root mean square in RMSprop's and Adam's denominators.
    pub epsilon: f64,
}

impl OptimizerConfig {
    /// The defaults for `kind`:
    ///
    /// - SGD: learning rate [`sgd::LEARNING_RATE`], 1.0;
    /// - Adagrad: learning rate 0.1, Part I's (the original min-char-rnn's `learning_rate`);
    /// - RMSprop: learning rate [`rmsprop::LEARNING_RATE`], 2e−3, and decay [`rmsprop::DECAY`],
    ///   0.95: char-rnn's `-learning_rate` and `-decay_rate`; ε [`rmsprop::EPSILON`], 1e−8;
    /// - Adam: learning rate [`adam::LEARNING_RATE`], 2e−3; `β₁` 0.9, `β₂` 0.999 and ε 1e−8,
    ///   the paper's.
    ///
    /// The fields a kind does not read get the same values for every kind (decay 0.95,
    /// `β₁` 0.9, `β₂` 0.999, ε 1e−8).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
    /// assert_eq!(OptimizerConfig::new(OptimizerKind::Adagrad).learning_rate, 0.1);
    /// assert_eq!(OptimizerConfig::new(OptimizerKind::Adam).beta2, 0.999);
    /// ```
    // ANCHOR: optimizer_config_new
    pub fn new(kind: OptimizerKind) -> OptimizerConfig {
        let learning_rate = match kind {
            OptimizerKind::Sgd => sgd::LEARNING_RATE,         // 1.0
            OptimizerKind::Adagrad => ADAGRAD_LEARNING_RATE,  // 0.1, Part I's
            OptimizerKind::Rmsprop => rmsprop::LEARNING_RATE, // 2e−3, char-rnn's
            OptimizerKind::Adam => adam::LEARNING_RATE,       // 2e−3
        };
        OptimizerConfig {
            kind,
            learning_rate,
            decay: rmsprop::DECAY,  // 0.95, char-rnn's
            beta1: adam::BETA1,     // 0.9
            beta2: adam::BETA2,     // 0.999
            epsilon: adam::EPSILON, // 1e−8 (RMSprop's is the same)
        }
    }
    // ANCHOR_END: optimizer_config_new

    /// Checks the numbers: a learning rate that is finite and above 0; `decay`, `beta1` and
    /// `beta2` in `[0, 1)`; `epsilon` finite and at least 0. All fields are checked, whether the
    /// kind reads them or not.
    ///
    /// # Errors
    ///
    /// The first number out of range, named: `the learning rate must be a finite number above
    /// 0, not -1`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
    /// let mut config = OptimizerConfig::new(OptimizerKind::Rmsprop);
    /// assert!(config.validate().is_ok());
    /// config.decay = 1.0;
    /// assert_eq!(config.validate().unwrap_err(), "the decay must be in [0, 1), not 1");
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(format!(
                "the learning rate must be a finite number above 0, not {}",
                self.learning_rate
            ));
        }
        for (name, value) in [
            ("decay", self.decay),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
        ] {
            if !((0.0..1.0).contains(&value)) {
                return Err(format!("the {name} must be in [0, 1), not {value}"));
            }
        }
        if !(self.epsilon.is_finite() && self.epsilon >= 0.0) {
            return Err(format!(
                "the epsilon must be a finite number at least 0, not {}",
                self.epsilon
            ));
        }
        Ok(())
    }
}

/// Adagrad's default learning rate: Part I's, the original min-char-rnn's `learning_rate =
/// 1e-1`.
pub const ADAGRAD_LEARNING_RATE: f64 = 0.1;

impl fmt::Display for OptimizerConfig {
    /// The kind and the numbers it reads:
    /// `adam (learning rate 0.002, beta1 0.9, beta2 0.999, epsilon 0.00000001)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (learning rate {}", self.kind, self.learning_rate)?;
        match self.kind {
            OptimizerKind::Sgd | OptimizerKind::Adagrad => {}
            OptimizerKind::Rmsprop => {
                write!(f, ", decay {}, epsilon {}", self.decay, self.epsilon)?;
            }
            OptimizerKind::Adam => write!(
                f,
                ", beta1 {}, beta2 {}, epsilon {}",
                self.beta1, self.beta2, self.epsilon
            )?,
        }
        f.write_str(")")
    }
}

/// Everything an [`Optimizer`] remembers between steps, for a checkpoint: see the module docs
/// for what `first` and `second` hold for each kind (an empty `Vec` for what a kind does not
/// keep).
///
/// # Examples
///
/// ```
/// use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
/// let optimizer = Optimizer::new(OptimizerConfig::new(OptimizerKind::Adam), &[3, 2]);
/// let state = optimizer.state();
/// assert_eq!(state.steps, 0);
/// assert_eq!(state.first, [vec![0.0; 3], vec![0.0; 2]]);
/// assert_eq!(state.second, [vec![0.0; 3], vec![0.0; 2]]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerState {
    /// How many updates have been done (Adam's `t` for the next update is `steps + 1`).
    pub steps: u64,
    /// Per parameter slice, the first moment: Adam's `m`; empty for the other kinds.
    pub first: Vec<Vec<f64>>,
    /// Per parameter slice, the second moment: Adagrad's and RMSprop's `m`, Adam's `v`; empty
    /// for SGD.
    pub second: Vec<Vec<f64>>,
}

/// An optimizer for a list of parameter slices: the configuration, the number of updates done,
/// and the state of each slice (see [`OptimizerState`]).
///
/// The slices are given at every [`update`](Optimizer::update) in the same order as the sizes
/// given to [`new`](Optimizer::new) (a network's [`slices_mut`] and its gradients'
/// `slices()`).
///
/// [`slices_mut`]: crate::network::Network::slices_mut
///
/// # Examples
///
/// ```
/// use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
/// let mut w = vec![0.0, 0.0];
/// let mut sgd = Optimizer::new(OptimizerConfig::new(OptimizerKind::Sgd), &[2]);
/// sgd.set_learning_rate(0.5);
/// sgd.update(&mut [&mut w], &[&[1.0, -4.0]]);
/// assert_eq!(w, [-0.5, 2.0]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Optimizer {
    config: OptimizerConfig,
    steps: u64,
    first: Vec<Vec<f64>>,
    second: Vec<Vec<f64>>,
}

impl Optimizer {
    /// A fresh optimizer (zero state, no steps done) for parameter slices of lengths `sizes`,
    /// in order.
    ///
    /// `config` is taken as it is; check numbers that come from a user with
    /// [`OptimizerConfig::validate`] first.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
    /// let rmsprop = Optimizer::new(OptimizerConfig::new(OptimizerKind::Rmsprop), &[4, 1]);
    /// assert_eq!(rmsprop.state().second, [vec![0.0; 4], vec![0.0]]);
    /// assert!(rmsprop.state().first.is_empty());
    /// ```
    pub fn new(config: OptimizerConfig, sizes: &[usize]) -> Optimizer {
        let zeros = || sizes.iter().map(|&n| vec![0.0; n]).collect::<Vec<_>>();
        let first = if config.kind.keeps_first() {
            zeros()
        } else {
            Vec::new()
        };
        let second = if config.kind.keeps_second() {
            zeros()
        } else {
            Vec::new()
        };
        Optimizer {
            config,
            steps: 0,
            first,
            second,
        }
    }

    /// One update of every parameter slice with its gradient, slice by slice in order, with
    /// the function of the configured kind: [`sgd::update`], [`adagrad_update`],
    /// [`rmsprop::update`] or [`adam::update`] (with `step` = this update's number, from 1).
    ///
    /// # Panics
    ///
    /// Before anything moves, if the slices do not match each other or the state:
    /// `optimizer: 3 parameters but 2 gradients`,
    /// `optimizer: 3 parameters but the rmsprop state holds 5`,
    /// `optimizer: parameter 1 has 6 values, its gradient 4, its state 6`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
    /// let mut w = vec![1.0];
    /// let mut adam = Optimizer::new(OptimizerConfig::new(OptimizerKind::Adam), &[1]);
    /// adam.update(&mut [&mut w], &[&[10.0]]);
    /// assert!((w[0] - (1.0 - 2e-3)).abs() < 1e-10); // Adam's first step: lr · sign(g)
    /// ```
    // ANCHOR: optimizer_update
    #[track_caller]
    pub fn update(&mut self, params: &mut [&mut [f64]], grads: &[&[f64]]) {
        self.check_shapes(params, grads);
        self.steps += 1;
        let OptimizerConfig {
            kind,
            learning_rate: lr,
            decay,
            beta1,
            beta2,
            epsilon,
        } = self.config;
        for i in 0..params.len() {
            let w = &mut *params[i];
            let g = grads[i];
            match kind {
                OptimizerKind::Sgd => sgd::update(w, g, lr),
                OptimizerKind::Adagrad => adagrad_update(w, g, &mut self.second[i], lr),
                OptimizerKind::Rmsprop => {
                    rmsprop::update(w, g, &mut self.second[i], lr, decay, epsilon);
                }
                OptimizerKind::Adam => {
                    let (m, v) = (&mut self.first[i], &mut self.second[i]);
                    let t = self.steps; // this update's number, from 1
                    adam::update(w, g, m, v, lr, beta1, beta2, epsilon, t);
                }
            }
        }
    }
    // ANCHOR_END: optimizer_update

    /// Panics, naming what differs, unless `params`, `grads` and the state have one slice each
    /// per parameter and every slice of a parameter has the same length.
    #[track_caller]
    fn check_shapes(&self, params: &[&mut [f64]], grads: &[&[f64]]) {
        let kind = self.config.kind;
        if params.len() != grads.len() {
            panic!(
                "optimizer: {} parameters but {} gradients",
                params.len(),
                grads.len()
            );
        }
        if kind.keeps_second() && params.len() != self.second.len() {
            panic!(
                "optimizer: {} parameters but the {kind} state holds {}",
                params.len(),
                self.second.len()
            );
        }
        for i in 0..params.len() {
            let (w, g) = (params[i].len(), grads[i].len());
            let state = if kind.keeps_second() {
                self.second[i].len()
            } else {
                w
            };
            let first = if kind.keeps_first() {
                self.first[i].len()
            } else {
                state
            };
            if g != w || state != w || first != w {
                if kind.keeps_second() {
                    panic!(
                        "optimizer: parameter {i} has {w} values, its gradient {g}, its state {state}"
                    );
                }
                panic!("optimizer: parameter {i} has {w} values, its gradient {g}");
            }
        }
    }

    /// The configuration, with the current learning rate.
    pub fn config(&self) -> &OptimizerConfig {
        &self.config
    }

    /// The learning rate the next update uses.
    pub fn learning_rate(&self) -> f64 {
        self.config.learning_rate
    }

    /// Changes the learning rate for the next updates (a learning-rate schedule: char-rnn
    /// multiplies it by 0.97 after each epoch past the tenth). The state is kept.
    ///
    /// # Panics
    ///
    /// If `learning_rate` is not a finite number above 0.
    #[track_caller]
    pub fn set_learning_rate(&mut self, learning_rate: f64) {
        assert!(
            learning_rate.is_finite() && learning_rate > 0.0,
            "optimizer: the learning rate must be a finite number above 0, not {learning_rate}"
        );
        self.config.learning_rate = learning_rate;
    }

    /// How many updates have been done.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// A copy of everything this optimizer remembers, for a checkpoint.
    pub fn state(&self) -> OptimizerState {
        OptimizerState {
            steps: self.steps,
            first: self.first.clone(),
            second: self.second.clone(),
        }
    }

    /// An optimizer that continues from a saved `state`, with `config` (whose learning rate
    /// may differ from the one the state was saved with, after a schedule).
    ///
    /// # Errors
    ///
    /// If `config` does not [validate](OptimizerConfig::validate), or if `state` does not fit
    /// the kind: slices that the kind does not keep (`sgd keeps no state, but the state holds
    /// 0 first-moment and 5 second-moment slices`), Adam's two moments of different shapes,
    /// or a value that is not finite, or a negative second moment.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::optim::{Optimizer, OptimizerConfig, OptimizerKind};
    /// let config = OptimizerConfig::new(OptimizerKind::Adam);
    /// let mut optimizer = Optimizer::new(config, &[2]);
    /// let mut w = vec![1.0, 2.0];
    /// optimizer.update(&mut [&mut w], &[&[0.1, 0.2]]);
    /// let restored = Optimizer::from_state(config, optimizer.state())?;
    /// assert_eq!(restored, optimizer);
    /// let sgd = OptimizerConfig::new(OptimizerKind::Sgd);
    /// assert!(Optimizer::from_state(sgd, optimizer.state()).is_err());
    /// # Ok::<(), String>(())
    /// ```
    pub fn from_state(config: OptimizerConfig, state: OptimizerState) -> Result<Optimizer, String> {
        config.validate()?;
        let kind = config.kind;
        let OptimizerState {
            steps,
            first,
            second,
        } = state;
        let unexpected_first = !kind.keeps_first() && !first.is_empty();
        let unexpected_second = !kind.keeps_second() && !second.is_empty();
        if unexpected_first || unexpected_second {
            let kept = match kind {
                OptimizerKind::Sgd => "no state",
                _ => "no first moment",
            };
            return Err(format!(
                "{kind} keeps {kept}, but the state holds {} first-moment and {} second-moment slices",
                first.len(),
                second.len()
            ));
        }
        if kind.keeps_first() {
            if first.len() != second.len() {
                return Err(format!(
                    "{kind}: the state holds {} first-moment slices but {} second-moment slices",
                    first.len(),
                    second.len()
                ));
            }
            for i in 0..first.len() {
                if first[i].len() != second[i].len() {
                    return Err(format!(
                        "{kind}: slice {i} has {} first-moment values but {} second-moment values",
                        first[i].len(),
                        second[i].len()
                    ));
                }
            }
        }
        for (i, slice) in first.iter().enumerate() {
            if let Some(x) = slice.iter().find(|x| !x.is_finite()) {
                return Err(format!("{kind}: slice {i} has a first-moment value {x}"));
            }
        }
        for (i, slice) in second.iter().enumerate() {
            if let Some(x) = slice.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                return Err(format!("{kind}: slice {i} has a second-moment value {x}"));
            }
        }
        Ok(Optimizer {
            config,
            steps,
            first,
            second,
        })
    }
}
