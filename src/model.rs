//! Step 2, the model: the five parameters, the hyperparameters and the random start.
//!
//! | parameter | shape | role |
//! |---|---|---|
//! | `w_xh` | `(H, V)` | input → hidden: what the current character contributes to the memory |
//! | `w_hh` | `(H, H)` | hidden → hidden: how the memory carries itself to the next step |
//! | `w_hy` | `(V, H)` | hidden → output: how the memory votes for the next character |
//! | `b_h`  | `(H)`    | hidden bias |
//! | `b_y`  | `(V)`    | output bias |
//!
//! Notebook:
//!
//! ```python
//! hidden_size = 100; seq_length = 25; learning_rate = 1e-1
//! Wxh = np.random.randn(hidden_size, vocab_size)*0.01
//! Whh = np.random.randn(hidden_size, hidden_size)*0.01
//! Why = np.random.randn(vocab_size, hidden_size)*0.01
//! bh = np.zeros((hidden_size, 1)); by = np.zeros((vocab_size, 1))
//! ```
//!
//! Small random weights break the symmetry between hidden units (with equal weights every
//! unit would compute, and learn, the same thing) while keeping `tanh` in its linear middle
//! and the first predictions close to uniform: `p ≈ 1/V` for every character.

use crate::{Matrix, Vector};
use std::fmt;

/// Standard deviation of the initial weights (the original's `* 0.01`).
// ANCHOR: init_scale
pub const INIT_SCALE: f64 = 0.01;
// ANCHOR_END: init_scale

/// The three numbers chosen by hand before training, with the original's defaults.
///
/// # Examples
///
/// ```
/// let hp = min_char_rnn::Hyperparams::default();
/// assert_eq!((hp.hidden_size, hp.seq_length, hp.learning_rate), (100, 25, 0.1));
/// ```
// ANCHOR: hyperparameters
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyperparams {
    /// `H`, the size of the hidden state (the network's memory).
    pub hidden_size: usize,
    /// `T`, how many characters each training step unrolls the network for.
    pub seq_length: usize,
    /// The Adagrad step size.
    pub learning_rate: f64,
}

impl Default for Hyperparams {
    fn default() -> Hyperparams {
        Hyperparams {
            hidden_size: 100,
            seq_length: 25,
            learning_rate: 0.1,
        }
    }
}
// ANCHOR_END: hyperparameters

/// A hyperparameter that cannot work.
// ANCHOR: config_error
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigError {
    /// `hidden_size` is 0: the network would have no memory at all.
    ZeroHiddenSize,
    /// `seq_length` is 0: there would be nothing to learn from.
    ZeroSeqLength,
    /// `learning_rate` is not a finite number above 0.
    BadLearningRate(f64),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::ZeroHiddenSize => write!(f, "hidden size must be at least 1"),
            ConfigError::ZeroSeqLength => write!(f, "sequence length must be at least 1"),
            ConfigError::BadLearningRate(lr) => {
                write!(f, "learning rate must be a finite number above 0, not {lr}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}
// ANCHOR_END: config_error

impl Hyperparams {
    /// Checks that training with these numbers can work.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first bad value.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Hyperparams;
    /// assert!(Hyperparams::default().validate().is_ok());
    /// let bad = Hyperparams { learning_rate: f64::NAN, ..Hyperparams::default() };
    /// assert!(bad.validate().is_err());
    /// ```
    // ANCHOR: validate
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.hidden_size == 0 {
            return Err(ConfigError::ZeroHiddenSize);
        }
        if self.seq_length == 0 {
            return Err(ConfigError::ZeroSeqLength);
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(ConfigError::BadLearningRate(self.learning_rate));
        }
        Ok(())
    }
    // ANCHOR_END: validate
}

/// The five learned parameters (notebook: `Wxh, Whh, Why, bh, by`).
///
/// The same struct also holds anything shaped like the parameters: Adagrad's memory
/// ([`Adagrad`](crate::Adagrad)) is a `Params` whose fields hold `mWxh`, `mWhh`, ….
///
/// # Examples
///
/// ```
/// let params = min_char_rnn::Params::new(61, 100, 42);
/// assert_eq!(params.w_xh.shape(), (100, 61));
/// assert_eq!(params.w_hy.shape(), (61, 100));
/// assert_eq!(params.parameter_count(), 6100 + 10000 + 6100 + 100 + 61);
/// ```
// ANCHOR: params_struct
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Input → hidden, `(H, V)`.
    pub w_xh: Matrix,
    /// Hidden → hidden, `(H, H)`.
    pub w_hh: Matrix,
    /// Hidden → output, `(V, H)`.
    pub w_hy: Matrix,
    /// Hidden bias, `(H)`.
    pub b_h: Vector,
    /// Output bias, `(V)`.
    pub b_y: Vector,
}
// ANCHOR_END: params_struct

/// How many numbers each parameter holds (the notebook prints these).
// ANCHOR: param_counts
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamCounts {
    /// `H · V`.
    pub w_xh: usize,
    /// `H · H`.
    pub w_hh: usize,
    /// `V · H`.
    pub w_hy: usize,
    /// `H`.
    pub b_h: usize,
    /// `V`.
    pub b_y: usize,
}
// ANCHOR_END: param_counts

impl ParamCounts {
    /// The sum of the five counts.
    ///
    /// # Examples
    ///
    /// ```
    /// let counts = min_char_rnn::Params::zeros(61, 100).counts();
    /// assert_eq!(counts.total(), 22361);
    /// ```
    // ANCHOR: param_counts_total
    pub fn total(&self) -> usize {
        self.w_xh + self.w_hh + self.w_hy + self.b_h + self.b_y
    }
    // ANCHOR_END: param_counts_total
}

impl Params {
    /// Parameters for a vocabulary of `vocab_size` and a hidden state of `hidden_size`,
    /// initialised as the original does: weights `randn · 0.01`, biases zero. The random
    /// numbers come from a generator seeded with `seed`: same seed, same weights.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Params;
    /// let a = Params::new(5, 3, 7);
    /// assert_eq!(a, Params::new(5, 3, 7));
    /// assert_ne!(a, Params::new(5, 3, 8));
    /// assert!(a.b_h.as_slice().iter().all(|&b| b == 0.0));
    /// ```
    // ANCHOR: params_new
    pub fn new(vocab_size: usize, hidden_size: usize, seed: u64) -> Params {
        let mut rng = fastrand::Rng::with_seed(seed);
        Params::with_rng(vocab_size, hidden_size, &mut rng)
    }
    // ANCHOR_END: params_new

    /// Like [`Params::new`], drawing from `rng` (so that training can keep using the same
    /// generator afterwards, as the original's global `np.random` does).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut rng = fastrand::Rng::with_seed(1);
    /// let params = min_char_rnn::Params::with_rng(4, 2, &mut rng);
    /// assert_eq!(params.w_hh.shape(), (2, 2));
    /// ```
    // ANCHOR: with_rng
    pub fn with_rng(vocab_size: usize, hidden_size: usize, rng: &mut fastrand::Rng) -> Params {
        let (v, h) = (vocab_size, hidden_size);
        Params {
            w_xh: random_matrix(h, v, rng), // (H, V)
            w_hh: random_matrix(h, h, rng), // (H, H)
            w_hy: random_matrix(v, h, rng), // (V, H)
            b_h: Vector::zeros(h),          // (H)
            b_y: Vector::zeros(v),          // (V)
        }
    }
    // ANCHOR_END: with_rng

    /// All five parameters filled with zeros (the start of Adagrad's memory, of gradients).
    ///
    /// # Examples
    ///
    /// ```
    /// let z = min_char_rnn::Params::zeros(3, 2);
    /// assert_eq!(z.w_xh.as_slice(), &[0.0; 6]);
    /// ```
    // ANCHOR: params_zeros
    pub fn zeros(vocab_size: usize, hidden_size: usize) -> Params {
        let (v, h) = (vocab_size, hidden_size);
        Params {
            w_xh: Matrix::zeros(h, v),
            w_hh: Matrix::zeros(h, h),
            w_hy: Matrix::zeros(v, h),
            b_h: Vector::zeros(h),
            b_y: Vector::zeros(v),
        }
    }
    // ANCHOR_END: params_zeros

    /// `V`, read off the shapes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Params::zeros(7, 3).vocab_size(), 7);
    /// ```
    // ANCHOR: vocab_size
    pub fn vocab_size(&self) -> usize {
        self.w_hy.rows()
    }
    // ANCHOR_END: vocab_size

    /// `H`, read off the shapes.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Params::zeros(7, 3).hidden_size(), 3);
    /// ```
    // ANCHOR: hidden_size
    pub fn hidden_size(&self) -> usize {
        self.w_hh.rows()
    }
    // ANCHOR_END: hidden_size

    /// How many numbers each parameter holds.
    ///
    /// # Examples
    ///
    /// ```
    /// let c = min_char_rnn::Params::zeros(61, 100).counts();
    /// assert_eq!((c.w_xh, c.w_hh, c.w_hy, c.b_h, c.b_y), (6100, 10000, 6100, 100, 61));
    /// ```
    // ANCHOR: counts
    pub fn counts(&self) -> ParamCounts {
        ParamCounts {
            w_xh: self.w_xh.as_slice().len(),
            w_hh: self.w_hh.as_slice().len(),
            w_hy: self.w_hy.as_slice().len(),
            b_h: self.b_h.len(),
            b_y: self.b_y.len(),
        }
    }
    // ANCHOR_END: counts

    /// The total number of learned numbers.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Params::zeros(2, 1).parameter_count(), 2 + 1 + 2 + 1 + 2);
    /// ```
    // ANCHOR: parameter_count
    pub fn parameter_count(&self) -> usize {
        self.counts().total()
    }
    // ANCHOR_END: parameter_count

    /// The names of the five parameters, in the order [`slices`](Params::slices) lists them.
    // ANCHOR: names
    pub const NAMES: [&'static str; 5] = ["w_xh", "w_hh", "w_hy", "b_h", "b_y"];
    // ANCHOR_END: names

    /// The five parameters as `(name, values)` pairs, in the order of [`Params::NAMES`]:
    /// one loop can then visit them all (Adagrad, clipping, checkpoints).
    ///
    /// # Examples
    ///
    /// ```
    /// let p = min_char_rnn::Params::zeros(3, 2);
    /// let names: Vec<&str> = p.slices().iter().map(|(name, _)| *name).collect();
    /// assert_eq!(names, ["w_xh", "w_hh", "w_hy", "b_h", "b_y"]);
    /// ```
    // ANCHOR: slices
    pub fn slices(&self) -> [(&'static str, &[f64]); 5] {
        let [w_xh, w_hh, w_hy, b_h, b_y] = Params::NAMES;
        [
            (w_xh, self.w_xh.as_slice()),
            (w_hh, self.w_hh.as_slice()),
            (w_hy, self.w_hy.as_slice()),
            (b_h, self.b_h.as_slice()),
            (b_y, self.b_y.as_slice()),
        ]
    }
    // ANCHOR_END: slices

    /// The five parameters as mutable slices, in the order of [`slices`](Params::slices).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut p = min_char_rnn::Params::zeros(3, 2);
    /// for values in p.slices_mut() {
    ///     values.fill(1.0);
    /// }
    /// assert_eq!(p.b_y.as_slice(), &[1.0; 3]);
    /// ```
    // ANCHOR: slices_mut
    pub fn slices_mut(&mut self) -> [&mut [f64]; 5] {
        [
            self.w_xh.as_mut_slice(),
            self.w_hh.as_mut_slice(),
            self.w_hy.as_mut_slice(),
            self.b_h.as_mut_slice(),
            self.b_y.as_mut_slice(),
        ]
    }
    // ANCHOR_END: slices_mut
}

/// A `rows × cols` matrix of `randn · INIT_SCALE`, filled row by row.
// ANCHOR: random_matrix
fn random_matrix(rows: usize, cols: usize, rng: &mut fastrand::Rng) -> Matrix {
    let mut m = Matrix::zeros(rows, cols);
    for w in m.as_mut_slice() {
        *w = randn(rng) * INIT_SCALE;
    }
    m
}
// ANCHOR_END: random_matrix

/// One draw from the standard normal distribution (mean 0, variance 1), numpy's
/// `np.random.randn()`, made from two uniform draws by the Box–Muller transform:
/// `z = √(−2 ln u₁) · cos(2π u₂)` with `u₁` in `(0, 1]` and `u₂` in `[0, 1)`.
///
/// # Examples
///
/// ```
/// let mut rng = fastrand::Rng::with_seed(3);
/// let draws: Vec<f64> = (0..10_000).map(|_| min_char_rnn::model::randn(&mut rng)).collect();
/// let mean = draws.iter().sum::<f64>() / 10_000.0;
/// assert!(mean.abs() < 0.05);
/// ```
// ANCHOR: randn
pub fn randn(rng: &mut fastrand::Rng) -> f64 {
    let u1 = 1.0 - rng.f64(); // in (0, 1]: ln(0) would be -infinity
    let u2 = rng.f64(); // in [0, 1)
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}
// ANCHOR_END: randn
