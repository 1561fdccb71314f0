//! Step 8, the training loop: sweep the text in chunks of `T` characters; for each chunk run
//! forward, loss, backward, clip and Adagrad; carry the memory from one chunk to the next.
//!
//! ```text
//! n = 0, p = 0
//! loop:
//!     if p + T + 1 >= len(data) or n == 0:  h_prev = 0, p = 0     back to the start
//!     inputs  = data[p     .. p + T]                             T characters
//!     targets = data[p + 1 .. p + T + 1]                         the same, one ahead
//!     loss, grads, h_prev = loss_fun(inputs, targets, h_prev)
//!     smooth_loss = 0.999 · smooth_loss + 0.001 · loss
//!     adagrad update
//!     p += T, n += 1
//! ```
//!
//! Notebook:
//!
//! ```python
//! n, p = 0, 0
//! smooth_loss = -np.log(1.0/vocab_size)*seq_length
//! while True:
//!     if p+seq_length+1 >= len(data) or n == 0:
//!         hprev = np.zeros((hidden_size,1)); p = 0
//!     inputs = [char_to_ix[ch] for ch in data[p:p+seq_length]]
//!     targets = [char_to_ix[ch] for ch in data[p+1:p+seq_length+1]]
//!     if n % 100 == 0: ...print a sample...
//!     loss, dWxh, dWhh, dWhy, dbh, dby, hprev = lossFun(inputs, targets, hprev)
//!     smooth_loss = smooth_loss * 0.999 + loss * 0.001
//!     if n % 100 == 0: print('iter %d, loss: %f' % (n, smooth_loss))
//!     ...adagrad update...
//!     p += seq_length; n += 1
//! ```
//!
//! The reset condition is kept exactly: the chunk that would need the last character as a
//! target is never trained on, and neither is anything after it, so the last
//! `(len − 1) mod T` characters or so (fewer than `T + 1`) of the text are skipped on every
//! sweep. For a text of thousands of characters that is noise; it matters only for a text
//! barely longer than `T`.
//!
//! [`Trainer`] holds the loop's state. [`Trainer::step`] does one iteration and reports what
//! happened; it prints nothing, so a caller decides what to show ([`Trainer::run`] calls
//! back with each step and each sample).

use crate::backward::{CLIP, backward};
use crate::forward::{ForwardCache, forward, hidden_step, output_step};
use crate::loss::{cross_entropy, sequence_loss, softmax};
use crate::model::ConfigError;
use crate::sample::{Strategy, generate};
use crate::{Adagrad, Grads, Hyperparams, Params, Vector};
use std::fmt;
use std::ops::ControlFlow;

/// The original's `lossFun`: forward pass, loss, backward pass and clipping, in one call.
///
/// Returns the summed loss of the chunk; the gradients are left (clipped) in `grads`, the last
/// hidden state in `cache.last_hidden()`.
///
/// # Panics
///
/// If `inputs` and `targets` differ in length or hold an index `>= V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Grads, Params, Vector, train::loss_fun};
/// let params = Params::new(5, 8, 1);
/// let mut cache = ForwardCache::new(5, 8, 3);
/// let mut grads = Grads::zeros_like(&params);
/// let loss = loss_fun(&params, &[0, 1, 2], &[1, 2, 3], &Vector::zeros(8), &mut cache, &mut grads);
/// assert!((loss - 3.0 * 5f64.ln()).abs() < 0.01); // at init, p ≈ 1/V: loss ≈ T ln V
/// ```
// ANCHOR: loss_fun
#[track_caller]
pub fn loss_fun(
    params: &Params,
    inputs: &[usize],
    targets: &[usize],
    h_prev: &Vector,
    cache: &mut ForwardCache,
    grads: &mut Grads,
) -> f64 {
    forward(params, inputs, h_prev, cache);
    let loss = sequence_loss(&cache.ps, targets);
    backward(params, cache, targets, grads);
    grads.clip(CLIP);
    loss
}
// ANCHOR_END: loss_fun

/// The computations a [`Trainer`] runs: one training step's `lossFun` and update, a sample,
/// an evaluation. [`Plain`] runs this crate's plain functions, the ones the book walks
/// through; the fast path's [`Fast`](crate::fast::Fast) runs kernels that give the same
/// bits, faster. The training loop ([`Trainer::step`]) is the same for both.
pub trait Engine: fmt::Debug {
    /// The notebook's `lossFun` ([`loss_fun`]): forward, loss, backward and clipping. Returns
    /// the summed loss; the clipped gradients are left in `grads`, the forward pass's record
    /// in [`cache`](Engine::cache).
    fn loss_fun(
        &mut self,
        params: &Params,
        inputs: &[usize],
        targets: &[usize],
        h_prev: &Vector,
        grads: &mut Grads,
    ) -> f64;

    /// What the last [`loss_fun`](Engine::loss_fun) left: `xs, hs, ys, ps`.
    fn cache(&self) -> &ForwardCache;

    /// One Adagrad update of `params` with `grads` ([`Adagrad::update`]).
    fn update(&mut self, adagrad: &mut Adagrad, params: &mut Params, grads: &Grads);

    /// `n` characters drawn from the network ([`generate`]).
    fn generate(
        &mut self,
        params: &Params,
        h: &Vector,
        seed_ix: usize,
        n: usize,
        strategy: Strategy,
        rng: &mut fastrand::Rng,
    ) -> Vec<usize>;

    /// The mean loss per character over `data` ([`evaluate`]).
    fn evaluate(&self, params: &Params, data: &[usize]) -> f64;

    /// A copy of this engine, boxed (so that a [`Trainer`] can be cloned).
    fn boxed_clone(&self) -> Box<dyn Engine>;
}

impl Clone for Box<dyn Engine> {
    fn clone(&self) -> Box<dyn Engine> {
        self.boxed_clone()
    }
}

/// The plain path: each method calls the function of this crate that the book explains.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Grads, Params, Vector, train::{Engine, Plain}};
/// let params = Params::new(5, 8, 1);
/// let mut grads = Grads::zeros_like(&params);
/// let mut plain = Plain::default();
/// let loss = plain.loss_fun(&params, &[0, 1, 2], &[1, 2, 3], &Vector::zeros(8), &mut grads);
/// assert_eq!(plain.cache().len(), 3);
/// assert!((loss - 3.0 * 5f64.ln()).abs() < 0.01);
/// ```
#[derive(Clone, Debug)]
pub struct Plain {
    cache: ForwardCache,
}

impl Default for Plain {
    fn default() -> Plain {
        Plain {
            cache: ForwardCache::new(0, 0, 0), // sized by the first forward pass
        }
    }
}

// ANCHOR: plain_engine
impl Engine for Plain {
    fn loss_fun(
        &mut self,
        params: &Params,
        inputs: &[usize],
        targets: &[usize],
        h_prev: &Vector,
        grads: &mut Grads,
    ) -> f64 {
        loss_fun(params, inputs, targets, h_prev, &mut self.cache, grads)
    }

    fn cache(&self) -> &ForwardCache {
        &self.cache
    }

    fn update(&mut self, adagrad: &mut Adagrad, params: &mut Params, grads: &Grads) {
        adagrad.update(params, grads);
    }

    fn generate(
        &mut self,
        params: &Params,
        h: &Vector,
        seed_ix: usize,
        n: usize,
        strategy: Strategy,
        rng: &mut fastrand::Rng,
    ) -> Vec<usize> {
        generate(params, h, seed_ix, n, strategy, rng)
    }

    fn evaluate(&self, params: &Params, data: &[usize]) -> f64 {
        evaluate(params, data)
    }

    fn boxed_clone(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
}
// ANCHOR_END: plain_engine

/// What one iteration did.
// ANCHOR: step_report
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The iteration number `n` of this step (0 for the first).
    pub iteration: usize,
    /// The data pointer `p` this step read from.
    pub pointer: usize,
    /// The loss of this chunk, summed over its `T` characters.
    pub loss: f64,
    /// The smoothed loss after this step.
    pub smooth_loss: f64,
}
// ANCHOR_END: step_report

/// What [`Trainer::run`] reports as it goes.
// ANCHOR: event
#[derive(Debug)]
pub enum Event<'a> {
    /// A sample, drawn before iteration `iteration` (as the original does every 100).
    Sample {
        /// The iteration it was drawn before.
        iteration: usize,
        /// The generated character indices.
        ixes: &'a [usize],
    },
    /// An iteration finished.
    Step(&'a StepReport),
}
// ANCHOR_END: event

/// Why training cannot start or cannot go on.
// ANCHOR: train_error
#[derive(Clone, Debug, PartialEq)]
pub enum TrainError {
    /// A hyperparameter cannot work.
    Config(ConfigError),
    /// The text has fewer than `T + 1` characters: not one input/target chunk fits.
    TextTooShort {
        /// Characters in the text.
        len: usize,
        /// Characters needed (`T + 1`).
        needed: usize,
    },
    /// The vocabulary has fewer than two characters: there is nothing to predict.
    TooFewDistinctChars(usize),
    /// An index in the data is not below the vocabulary size.
    IndexOutOfRange {
        /// Where in the data.
        position: usize,
        /// The index found.
        index: usize,
        /// The vocabulary size.
        vocab_size: usize,
    },
    /// The loss became NaN or infinite; the parameters are those from before this step.
    Diverged {
        /// The iteration whose loss was not finite.
        iteration: usize,
        /// That loss.
        loss: f64,
    },
}
// ANCHOR_END: train_error

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::Config(e) => write!(f, "{e}"),
            TrainError::TextTooShort { len, needed } => write!(
                f,
                "the text has {len} characters, but training needs at least {needed} (seq_length + 1)"
            ),
            TrainError::TooFewDistinctChars(v) => write!(
                f,
                "the text has {v} distinct character(s); there must be at least 2 to predict anything"
            ),
            TrainError::IndexOutOfRange {
                position,
                index,
                vocab_size,
            } => write!(
                f,
                "index {index} at position {position} is outside the vocabulary of {vocab_size}"
            ),
            TrainError::Diverged { iteration, loss } => write!(
                f,
                "training diverged at iteration {iteration}: the loss is {loss} (try a smaller learning rate)"
            ),
        }
    }
}

impl std::error::Error for TrainError {}

impl From<ConfigError> for TrainError {
    fn from(e: ConfigError) -> TrainError {
        TrainError::Config(e)
    }
}

/// The state of the training loop, and the buffers it reuses.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Hyperparams, Trainer, Vocab};
///
/// let text = "the cat sat on the mat. ".repeat(20);
/// let vocab = Vocab::from_text(&text);
/// let hp = Hyperparams { hidden_size: 16, seq_length: 8, learning_rate: 0.1 };
/// let mut trainer = Trainer::new(vocab.encode(&text)?, vocab.len(), hp, 1)?;
/// let first = trainer.step()?;
/// assert_eq!((first.iteration, first.pointer), (0, 0));
/// for _ in 0..300 {
///     trainer.step()?;
/// }
/// assert!(trainer.smooth_loss < first.smooth_loss);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// ANCHOR: trainer_struct
#[derive(Clone, Debug)]
pub struct Trainer {
    /// The learned parameters.
    pub params: Params,
    /// Adagrad's learning rate and memory.
    pub adagrad: Adagrad,
    /// `H`, `T` and the learning rate.
    pub hyperparams: Hyperparams,
    /// `n`: how many iterations have run.
    pub iteration: usize,
    /// `p`: where the next chunk starts in the data (before the reset check).
    pub pointer: usize,
    /// The memory carried from the last chunk to the next.
    pub h_prev: Vector,
    /// The smoothed loss, for reading progress only.
    pub smooth_loss: f64,
    /// The random generator: it made the initial weights and draws the samples.
    pub rng: fastrand::Rng,
    /// The text as indices.
    data: Vec<usize>,
    /// What computes each step: [`Plain`] unless [`with_engine`](Trainer::with_engine) says
    /// otherwise.
    engine: Box<dyn Engine>,
    /// Reused by every step (allocated once).
    grads: Grads,
}
// ANCHOR_END: trainer_struct

/// The smoothed loss before any training: `−ln(1/V) · T`, the loss of a uniform guess.
///
/// # Examples
///
/// ```
/// let start = min_char_rnn::train::initial_smooth_loss(61, 25);
/// assert!((start - 102.771).abs() < 1e-3);
/// ```
// ANCHOR: smooth_loss_start
pub fn initial_smooth_loss(vocab_size: usize, seq_length: usize) -> f64 {
    -(1.0 / vocab_size as f64).ln() * seq_length as f64
}
// ANCHOR_END: smooth_loss_start

impl Trainer {
    /// A trainer for `data` (character indices below `vocab_size`), with parameters
    /// initialised from `seed` as [`Params::new`] does. It computes with the plain path
    /// ([`Plain`]) until [`with_engine`](Trainer::with_engine) says otherwise.
    ///
    /// # Errors
    ///
    /// [`TrainError`] if a hyperparameter is bad, the vocabulary has fewer than 2 characters,
    /// the data is shorter than `T + 1` or holds an index `>= vocab_size`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams::default(); // T = 25
    /// assert!(Trainer::new(vec![0, 1, 0], 2, hp, 1).is_err()); // 3 < 26 characters
    /// ```
    // ANCHOR: trainer_new
    pub fn new(
        data: Vec<usize>,
        vocab_size: usize,
        hyperparams: Hyperparams,
        seed: u64,
    ) -> Result<Trainer, TrainError> {
        check_data(&data, vocab_size, &hyperparams)?;
        let mut rng = fastrand::Rng::with_seed(seed);
        let params = Params::with_rng(vocab_size, hyperparams.hidden_size, &mut rng);
        let adagrad = Adagrad::new(&params, hyperparams.learning_rate);
        let (v, h, t) = (vocab_size, hyperparams.hidden_size, hyperparams.seq_length);
        Ok(Trainer {
            grads: Grads::zeros_like(&params),
            engine: Box::new(Plain::default()),
            params,
            adagrad,
            hyperparams,
            iteration: 0,
            pointer: 0,
            h_prev: Vector::zeros(h),
            smooth_loss: initial_smooth_loss(v, t),
            rng,
            data,
        })
    }
    // ANCHOR_END: trainer_new

    /// The text being learned, as indices.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { seq_length: 2, ..Hyperparams::default() };
    /// let trainer = Trainer::new(vec![0, 1, 0, 1], 2, hp, 1)?;
    /// assert_eq!(trainer.data(), &[0, 1, 0, 1]);
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn data(&self) -> &[usize] {
        &self.data
    }

    /// Replaces the text being learned (to resume training on a text read again from disk),
    /// checking it against the vocabulary size and `T` as [`Trainer::new`] does. The data
    /// pointer is kept, so a pointer past the new end simply triggers the usual reset.
    ///
    /// # Errors
    ///
    /// As [`Trainer::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { seq_length: 2, ..Hyperparams::default() };
    /// let mut trainer = Trainer::new(vec![0, 1, 0, 1], 2, hp, 1)?;
    /// assert!(trainer.set_data(vec![0, 1, 2]).is_err()); // 2 is outside V = 2
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn set_data(&mut self, data: Vec<usize>) -> Result<(), TrainError> {
        check_data(&data, self.params.vocab_size(), &self.hyperparams)?;
        self.data = data;
        Ok(())
    }

    /// Where the next step will start: `(p, reset)`, with `reset` true when it will start
    /// over from the beginning with an empty memory.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 3, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new((0..10).map(|i| i % 2).collect(), 2, hp, 1)?;
    /// assert_eq!(trainer.next_chunk(), (0, true)); // iteration 0 always starts afresh
    /// trainer.step()?;
    /// assert_eq!(trainer.next_chunk(), (3, false));
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn next_chunk(&self) -> (usize, bool) {
        let t = self.hyperparams.seq_length;
        // ANCHOR: reset
        if self.pointer + t + 1 >= self.data.len() || self.iteration == 0 {
            (0, true) // back to the start of the text, with an empty memory
        } else {
            (self.pointer, false)
        }
        // ANCHOR_END: reset
    }

    /// One iteration of the loop: take the next chunk, compute its loss and gradients, update
    /// the parameters, move on. The computing is the engine's (see [`Engine`]); the loop is
    /// the same for both paths.
    ///
    /// # Errors
    ///
    /// [`TrainError::Diverged`] if the loss is NaN or infinite. The update is then not
    /// applied, so the parameters stay as they were before this step.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new(vec![0, 1, 2, 0, 1, 2, 0], 3, hp, 1)?;
    /// let pointers: Vec<usize> = (0..4).map(|_| trainer.step().unwrap().pointer).collect();
    /// assert_eq!(pointers, [0, 2, 0, 2]); // 4 + 2 + 1 >= 7: back to the start
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    // ANCHOR: step
    pub fn step(&mut self) -> Result<StepReport, TrainError> {
        let t = self.hyperparams.seq_length;
        let (p, reset) = self.next_chunk();
        if reset {
            self.h_prev.fill(0.0);
        }
        let inputs = &self.data[p..p + t];
        let targets = &self.data[p + 1..p + t + 1];
        let loss =
            self.engine
                .loss_fun(&self.params, inputs, targets, &self.h_prev, &mut self.grads);
        if !loss.is_finite() {
            return Err(TrainError::Diverged {
                iteration: self.iteration,
                loss,
            });
        }
        self.h_prev.copy_from(self.engine.cache().last_hidden()); // carry the memory on
        self.smooth_loss = self.smooth_loss * 0.999 + loss * 0.001;
        self.engine
            .update(&mut self.adagrad, &mut self.params, &self.grads);
        let report = StepReport {
            iteration: self.iteration,
            pointer: p,
            loss,
            smooth_loss: self.smooth_loss,
        };
        self.pointer = p + t;
        self.iteration += 1;
        Ok(report)
    }
    // ANCHOR_END: step

    /// The gradients of the last step (clipped), for inspection.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new(vec![0, 1, 2, 0, 1], 3, hp, 1)?;
    /// trainer.step()?;
    /// assert!(trainer.grads().db_y.as_slice().iter().any(|&g| g != 0.0));
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn grads(&self) -> &Grads {
        &self.grads
    }

    /// What the last step's forward pass left: `xs, hs, ys, ps` (empty before the first step).
    pub fn cache(&self) -> &ForwardCache {
        self.engine.cache()
    }

    /// The same trainer, computing with `engine` from now on: [`Plain`] (the default) or the
    /// fast path's [`Fast`](crate::fast::Fast). Both give the same bits.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer, fast::Fast};
    /// let data: Vec<usize> = (0..40).map(|i| i % 4).collect();
    /// let hp = Hyperparams { hidden_size: 8, seq_length: 5, learning_rate: 0.1 };
    /// let mut plain = Trainer::new(data.clone(), 4, hp, 7)?;
    /// let mut fast = Trainer::new(data, 4, hp, 7)?.with_engine(Fast::default());
    /// for _ in 0..20 {
    ///     assert_eq!(plain.step()?, fast.step()?);
    /// }
    /// assert_eq!(plain.params, fast.params);
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn with_engine(mut self, engine: impl Engine + 'static) -> Trainer {
        self.engine = Box::new(engine);
        self
    }

    /// The mean loss per character of the current parameters over `data`, computed by this
    /// trainer's engine (see [`evaluate`]).
    ///
    /// # Panics
    ///
    /// If `data` has fewer than 2 characters or an index `>= V`.
    pub fn evaluate(&self, data: &[usize]) -> f64 {
        self.engine.evaluate(&self.params, data)
    }

    /// Generates `n` characters from where the next step will start (its memory and its first
    /// input character), as the original's loop does every 100 iterations, using the
    /// trainer's own random generator.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Strategy, Trainer};
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new(vec![0, 1, 2, 0, 1], 3, hp, 1)?;
    /// assert_eq!(trainer.sample(10, Strategy::ORIGINAL).len(), 10);
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    // ANCHOR: trainer_sample
    pub fn sample(&mut self, n: usize, strategy: Strategy) -> Vec<usize> {
        let (p, reset) = self.next_chunk();
        let h = if reset {
            Vector::zeros(self.hyperparams.hidden_size)
        } else {
            self.h_prev.clone()
        };
        self.engine
            .generate(&self.params, &h, self.data[p], n, strategy, &mut self.rng)
    }
    // ANCHOR_END: trainer_sample

    /// Trains until `iteration == until`, drawing a sample of `sample_length` characters
    /// before every iteration that is a multiple of `sample_every` (0: never), and calling
    /// `observe` with each sample and each finished step. `observe` returns
    /// `ControlFlow::Break(())` to stop early.
    ///
    /// # Errors
    ///
    /// [`TrainError::Diverged`], as [`Trainer::step`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer, train::Event};
    /// use std::ops::ControlFlow;
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new(vec![0, 1, 2, 0, 1], 3, hp, 1)?;
    /// let mut samples = 0;
    /// trainer.run(10, 5, 3, |event| {
    ///     if let Event::Sample { .. } = event {
    ///         samples += 1;
    ///     }
    ///     ControlFlow::Continue(())
    /// })?;
    /// assert_eq!((trainer.iteration, samples), (10, 2)); // before iterations 0 and 5
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    // ANCHOR: run
    pub fn run(
        &mut self,
        until: usize,
        sample_every: usize,
        sample_length: usize,
        mut observe: impl FnMut(Event<'_>) -> ControlFlow<()>,
    ) -> Result<(), TrainError> {
        while self.iteration < until {
            if sample_every > 0 && self.iteration % sample_every == 0 {
                let ixes = self.sample(sample_length, Strategy::ORIGINAL);
                let event = Event::Sample {
                    iteration: self.iteration,
                    ixes: &ixes,
                };
                if observe(event).is_break() {
                    return Ok(());
                }
            }
            let report = self.step()?;
            if observe(Event::Step(&report)).is_break() {
                return Ok(());
            }
        }
        Ok(())
    }
    // ANCHOR_END: run
}

/// Checks the data against `V` and `T` (see [`Trainer::new`]).
// ANCHOR: check_data
fn check_data(data: &[usize], vocab_size: usize, hp: &Hyperparams) -> Result<(), TrainError> {
    hp.validate()?;
    if vocab_size < 2 {
        return Err(TrainError::TooFewDistinctChars(vocab_size));
    }
    if data.len() < hp.seq_length + 1 {
        return Err(TrainError::TextTooShort {
            len: data.len(),
            needed: hp.seq_length + 1,
        });
    }
    for (position, &index) in data.iter().enumerate() {
        if index >= vocab_size {
            return Err(TrainError::IndexOutOfRange {
                position,
                index,
                vocab_size,
            });
        }
    }
    Ok(())
}
// ANCHOR_END: check_data

/// Everything about a training run that changes as it goes, apart from the text: what a
/// checkpoint saves so that [`Trainer::from_state`] can carry on exactly where it stopped.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Hyperparams, Trainer};
/// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
/// let mut trainer = Trainer::new(vec![0, 1, 2, 0, 1, 2], 3, hp, 1)?;
/// trainer.step()?;
/// let state = trainer.state();
/// assert_eq!((state.iteration, state.pointer), (1, 2));
/// assert_eq!(state.memory.w_xh.shape(), (4, 3));
/// # Ok::<(), min_char_rnn::TrainError>(())
/// ```
// ANCHOR: train_state
#[derive(Clone, Debug, PartialEq)]
pub struct TrainState {
    /// `H`, `T` and the learning rate.
    pub hyperparams: Hyperparams,
    /// The learned parameters.
    pub params: Params,
    /// Adagrad's memory of squared gradients, shaped like `params`.
    pub memory: Params,
    /// `n`: how many iterations have run.
    pub iteration: usize,
    /// `p`: where the next chunk starts in the data (before the reset check).
    pub pointer: usize,
    /// The memory carried to the next chunk, `(H)`.
    pub h_prev: Vector,
    /// The smoothed loss.
    pub smooth_loss: f64,
    /// The random generator's state ([`fastrand::Rng::get_seed`]): a generator rebuilt from
    /// it with [`fastrand::Rng::with_seed`] draws exactly what this one would have.
    pub rng_state: u64,
}
// ANCHOR_END: train_state

impl Trainer {
    /// A copy of the state of the run (everything but the text and the reused buffers).
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer};
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let trainer = Trainer::new(vec![0, 1, 2, 0, 1], 3, hp, 1)?;
    /// assert_eq!(trainer.state().rng_state, trainer.rng.get_seed());
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn state(&self) -> TrainState {
        TrainState {
            hyperparams: self.hyperparams,
            params: self.params.clone(),
            memory: self.adagrad.memory.clone(),
            iteration: self.iteration,
            pointer: self.pointer,
            h_prev: self.h_prev.clone(),
            smooth_loss: self.smooth_loss,
            rng_state: self.rng.get_seed(),
        }
    }

    /// Rebuilds a trainer from a saved [`TrainState`] and the text as indices, so that its
    /// next steps are bit for bit those the saved run would have taken. Like
    /// [`Trainer::new`], it computes with [`Plain`]; either engine gives the same steps.
    ///
    /// # Errors
    ///
    /// As [`Trainer::new`]: a bad hyperparameter, fewer than 2 characters in the vocabulary,
    /// data shorter than `T + 1` or with an index `>= V`.
    ///
    /// # Panics
    ///
    /// If the shapes in `state` disagree with each other or with `H` (a checkpoint that
    /// [`Checkpoint::load`](crate::checkpoint::Checkpoint::load) accepted never does).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer};
    /// let data = vec![0, 1, 2, 0, 1, 2, 1, 0];
    /// let hp = Hyperparams { hidden_size: 4, seq_length: 2, learning_rate: 0.1 };
    /// let mut a = Trainer::new(data.clone(), 3, hp, 1)?;
    /// a.step()?;
    /// let mut b = Trainer::from_state(data, a.state())?;
    /// assert_eq!(a.step()?, b.step()?); // the same step, to the last bit
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    // ANCHOR: from_state
    #[track_caller]
    pub fn from_state(data: Vec<usize>, state: TrainState) -> Result<Trainer, TrainError> {
        let (v, h) = (state.params.vocab_size(), state.hyperparams.hidden_size);
        check_data(&data, v, &state.hyperparams)?;
        let expected = Params::zeros(v, h);
        for (which, p) in [("params", &state.params), ("memory", &state.memory)] {
            for ((name, got), (_, want)) in p.slices().iter().zip(expected.slices()) {
                assert!(
                    got.len() == want.len(),
                    "from_state: {which}.{name} has {} values, expected {} for V = {v}, H = {h}",
                    got.len(),
                    want.len()
                );
            }
        }
        assert!(
            state.h_prev.len() == h,
            "from_state: h_prev has {} values, expected H = {h}",
            state.h_prev.len()
        );
        Ok(Trainer {
            grads: Grads::zeros_like(&state.params),
            engine: Box::new(Plain::default()),
            adagrad: Adagrad {
                learning_rate: state.hyperparams.learning_rate,
                memory: state.memory,
            },
            params: state.params,
            hyperparams: state.hyperparams,
            iteration: state.iteration,
            pointer: state.pointer,
            h_prev: state.h_prev,
            smooth_loss: state.smooth_loss,
            rng: fastrand::Rng::with_seed(state.rng_state),
            data,
        })
    }
    // ANCHOR_END: from_state
}

/// The mean loss per character of `params` on `data`, a text it does not learn from (a
/// held-out part): the forward pass alone, reading `data[0 .. len − 1]` and scoring each
/// guess against the next character, `(1 / (len − 1)) · Σ_t −ln p_t[data[t + 1]]`.
///
/// The memory starts at zero and is carried through the whole text (as when sampling), so
/// there are no chunks here. Nothing is learned: `params` is only read. `exp` of the result
/// is the *perplexity* (as unsure as a uniform choice among that many characters), and the
/// result divided by `ln 2` is in *bits per character*.
///
/// # Panics
///
/// If `data` has fewer than 2 characters or an index `>= V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, train::evaluate};
/// // All-zero parameters guess uniformly: ln V per character.
/// let loss = evaluate(&Params::zeros(4, 3), &[0, 1, 2, 3, 0]);
/// assert!((loss - 4f64.ln()).abs() < 1e-12);
/// ```
// ANCHOR: evaluate
#[track_caller]
pub fn evaluate(params: &Params, data: &[usize]) -> f64 {
    assert!(
        data.len() >= 2,
        "evaluate: {} character(s), at least 2 are needed (one input and its target)",
        data.len()
    );
    let (v, h) = (params.vocab_size(), params.hidden_size());
    let mut h_prev = Vector::zeros(h);
    let mut h_t = Vector::zeros(h);
    let mut y = Vector::zeros(v);
    let mut p = Vector::zeros(v);
    let mut total = 0.0;
    for t in 0..data.len() - 1 {
        hidden_step(params, data[t], &h_prev, &mut h_t); // h_t = tanh(w_xh·x_t + w_hh·h_{t−1} + b_h)
        output_step(params, &h_t, &mut y); // y_t = w_hy·h_t + b_y
        softmax(&y, &mut p); // p_t = softmax(y_t)
        total += cross_entropy(&p, data[t + 1]); // −ln p_t[target_t]
        std::mem::swap(&mut h_prev, &mut h_t);
    }
    total / (data.len() - 1) as f64
}
// ANCHOR_END: evaluate
