//! Part II, training like char-rnn: a [`Network`] of `L` layers learns a text read as `B`
//! streams side by side, with an optimizer ([`optim`](crate::optim)), clipping
//! ([`clip`](crate::clip)), a held-out validation split, the best validation loss, epochs and
//! learning-rate decay, all as Karpathy's char-rnn (`train.lua` and
//! `util/CharSplitLMMinibatchLoader.lua`) does them.
//!
//! ```text
//! text ──encode──▶ indices ──Batches (B streams, chunks of T)──▶ chunks 0 .. N
//!                                   ├── 0 .. N_train          training, in order, epoch after epoch
//!                                   └── N_train .. N          validation
//! every iteration n:
//!     k = n mod N_train                     the chunk to read
//!     if k == 0: state = 0                  a new epoch: every stream starts again, memories empty
//!     loss, grads = forward, loss, backward (network, chunk k, state)     state ← the chunk's last
//!     clip (by value or by global norm);  optimizer step;  smooth_loss = 0.99·smooth + 0.01·loss
//!     epoch = (n + 1) / N_train             char-rnn's `epoch = i / ntrain`
//!     if (n + 1) mod N_train == 0 and epoch ≥ decay_after: lr *= learning_rate_decay
//!     if n mod eval_every == 0: val = mean loss over chunks N_train .. N from a zero state
//! ```
//!
//! ## The split, as char-rnn's loader makes it
//!
//! [`Batches`] cuts the text into `N = ⌊len / (B·T)⌋` chunks of `B` streams × `T` steps (the
//! streams are `B` contiguous parts of the text, read side by side). char-rnn then gives the
//! first `N_train = ⌊N · train_frac⌋` chunks to training and the rest to validation
//! (`nval = nbatches − ntrain` when there is no test split). Here `train_frac = 1 −
//! val_fraction` ([`split_sizes`]), and char-rnn's `val_frac` is `val_fraction` (default 0.05,
//! char-rnn's). A chunk is a *column* of the streams, so the validation split is the last
//! `N − N_train` chunks of every stream: `B` pieces of the text, one near the end of each
//! stream, not one piece at the end of the text.
//!
//! ## The carried state, and where this differs from char-rnn
//!
//! Each stream keeps its memories (`h`, and `c` for the LSTM) from one chunk to its next, so a
//! stream's next chunk starts where its last one ended. At the start of every epoch (chunk 0)
//! the streams start again from the beginning of their parts, and the memories are set to
//! zero, as at the very start. char-rnn's `train.lua` never resets them (`init_state_global`
//! carries the end of the last chunk over to chunk 0); the state it carries there belongs to
//! another place of the text, so resetting it is the same as the first epoch, and
//! `tools/torch_charrnn.py` does the same. The validation split is evaluated from zero
//! memories, carried from chunk to chunk through it, as char-rnn's `eval_split` does.
//!
//! ## The loss, the learning rate and clipping
//!
//! The loss is the mean over the `B·T` characters of a chunk ([`network::loss`]), in nats per
//! character: `ln V` for uniform guesses. The smooth loss starts there and moves by a
//! hundredth of each chunk's loss ([`SMOOTHING`]). Validation figures are per character, and their
//! perplexity is `exp(loss)`, their bits per character `loss / ln 2`.
//!
//! char-rnn divides its loss by `T` for printing but leaves its gradients summed over time,
//! so its gradients are `T` times these (PyTorch's, with the mean loss, equal these). RMSprop
//! and Adam barely notice a constant factor (see [`optim`](crate::optim)), but clipping does:
//! char-rnn's `grad_clip` of 5 on its gradients is a clip at `5 / T` on these. The default
//! here, like `tools/torch_charrnn.py`, clips these gradients at 5 (by value), which with the
//! mean loss almost never binds; use [`Clip::Norm`] or a smaller limit to clip for real.
//!
//! Learning-rate decay is char-rnn's: after the last iteration of every epoch `e` (that is,
//! after iteration `i = e · N_train`, counting from 1) with `e ≥ decay_after`, the learning
//! rate is multiplied by `learning_rate_decay`. With char-rnn's defaults (0.97 after 10) the
//! eleventh epoch is the first with a smaller rate.
//!
//! ## Determinism and resuming
//!
//! One random generator, seeded by the caller, draws the initial weights
//! ([`Network::with_rng`]) and then the samples and the dropout masks; training without
//! dropout draws nothing. A
//! [`NetworkTrainer::state`] holds everything that changes as training goes (weights,
//! optimizer memory, iteration, carried memories, smooth loss, best validation loss, the
//! generator's state), and [`NetworkTrainer::from_state`] carries on bit for bit: `N + M`
//! iterations in one run equal `N`, a save and a load, and `M` more.
//!
//! ## Dropout
//!
//! [`Config::dropout`] is char-rnn's `-dropout p` (0, none, by default): inverted dropout on
//! the input of every layer above the first and on the top `h` before the output layer (see
//! [`network`]'s module docs). Training alone uses it; [`NetworkTrainer::evaluate`],
//! [`NetworkTrainer::next_loss`] and [`NetworkTrainer::sample`] run the network whole.
//!
//! The masks come from the run's one generator, so a run with dropout is as reproducible and
//! resumable as one without. At each iteration, after the chunk is read and before the
//! forward pass, [`Dropout::draw`] takes `L·B·T·H` numbers from it (layer by layer, then
//! stream, step and unit); a sample drawn before the iteration takes its numbers first. With
//! `p = 0` nothing is drawn, so a run without dropout draws exactly what it always did.
//!
//! ## Engines
//!
//! The computing of one chunk (forward, loss, backward) is an [`Engine`]'s, as in Part I's
//! trainer: [`Plain`] calls [`network::forward`], [`network::loss`] and
//! [`network::backward`], the code the book walks through. A faster engine that gives the same
//! bits plugs in with [`NetworkTrainer::with_engine`]; the loop does not change.

use crate::Vector;
use crate::batch::{BatchError, Batches, Chunk};
use crate::cells::CellKind;
use crate::clip::{clip_by_norm, clip_by_value, global_norm};
use crate::encode::{EncodeError, Vocab};
use crate::loss::{cross_entropy, softmax};
use crate::network::{
    self, BackwardWork, Dropout, Network, NetworkCache, NetworkGrads, Sampler, State,
};
use crate::optim::{Optimizer, OptimizerConfig, OptimizerKind, OptimizerState};
use crate::sample::Strategy;
use std::fmt;
use std::ops::ControlFlow;

/// char-rnn's `-rnn_size`: 128 units per layer.
pub const DEFAULT_HIDDEN_SIZE: usize = 128;
/// char-rnn's `-num_layers`: 2 layers.
pub const DEFAULT_NUM_LAYERS: usize = 2;
/// char-rnn's `-batch_size`: 50 streams.
pub const DEFAULT_BATCH_SIZE: usize = 50;
/// char-rnn's `-seq_length`: 50 steps per chunk.
pub const DEFAULT_SEQ_LENGTH: usize = 50;
/// char-rnn's `-val_frac`: 5% of the chunks are held out.
pub const DEFAULT_VAL_FRACTION: f64 = 0.05;
/// char-rnn's `-learning_rate_decay`: 0.97 per epoch once decay starts.
pub const DEFAULT_LEARNING_RATE_DECAY: f64 = 0.97;
/// char-rnn's `-learning_rate_decay_after`: decay from the end of epoch 10 on.
pub const DEFAULT_DECAY_AFTER: f64 = 10.0;
/// char-rnn's `-grad_clip`: 5, by value.
pub const DEFAULT_CLIP: f64 = 5.0;
/// char-rnn's `-dropout`: 0, no dropout.
pub const DEFAULT_DROPOUT: f64 = 0.0;
/// char-rnn's `-eval_val_every`: every 1000 iterations.
pub const DEFAULT_EVAL_EVERY: usize = 1000;
/// The smooth loss keeps this much of itself at each step: it follows about the last
/// `1 / (1 − 0.99) = 100` iterations. (Part I keeps 0.999, a thousand iterations of 25
/// characters; an iteration here reads `B·T` characters, 2500 with char-rnn's defaults, and a
/// thousand of them would be more than an epoch of a 2 MB text: the training curve would lag
/// the validation curve by that much.)
pub const SMOOTHING: f64 = 0.99;

/// How the gradients are clipped before each update.
///
/// # Examples
///
/// ```
/// use min_char_rnn::charrnn::Clip;
/// assert_eq!(Clip::Norm(5.0).to_string(), "norm 5");
/// assert_eq!("value 5".parse::<Clip>(), Ok(Clip::Value(5.0)));
/// assert_eq!("none".parse::<Clip>(), Ok(Clip::None));
/// ```
// ANCHOR: clip_setting
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Clip {
    /// No clipping.
    None,
    /// Every element into `[−c, c]` (Part I's and char-rnn's `grad_clip`).
    Value(f64),
    /// All gradients scaled together so that their joint L2 norm is at most `c`.
    Norm(f64),
}
// ANCHOR_END: clip_setting

impl fmt::Display for Clip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clip::None => write!(f, "none"),
            Clip::Value(c) => write!(f, "value {c}"),
            Clip::Norm(c) => write!(f, "norm {c}"),
        }
    }
}

impl std::str::FromStr for Clip {
    type Err = String;

    /// `none`, `value C` or `norm C` (as [`Display`](fmt::Display) writes it).
    fn from_str(s: &str) -> Result<Clip, String> {
        let bad = || format!("expected `none`, `value C` or `norm C`, found `{s}`");
        if s == "none" {
            return Ok(Clip::None);
        }
        let (kind, value) = s.split_once(' ').ok_or_else(bad)?;
        let c = value.parse::<f64>().map_err(|_| bad())?;
        match kind {
            "value" => Ok(Clip::Value(c)),
            "norm" => Ok(Clip::Norm(c)),
            _ => Err(bad()),
        }
    }
}

/// Everything that shapes a run: the model, the minibatches, the optimizer, clipping, the
/// split, the decay and how often to evaluate. [`Config::new`] gives char-rnn's defaults.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::{Clip, Config};
/// use min_char_rnn::optim::OptimizerKind;
/// let config = Config::new(CellKind::Lstm);
/// assert_eq!((config.num_layers, config.hidden_size), (2, 128));
/// assert_eq!((config.batch_size, config.seq_length), (50, 50));
/// assert_eq!(config.optimizer.kind, OptimizerKind::Rmsprop);
/// assert_eq!(config.optimizer.learning_rate, 2e-3);
/// assert_eq!(config.clip, Clip::Value(5.0));
/// assert!(config.validate().is_ok());
/// ```
// ANCHOR: config
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The cell of every layer.
    pub cell: CellKind,
    /// `L`, the number of layers.
    pub num_layers: usize,
    /// `H`, the units of each layer.
    pub hidden_size: usize,
    /// `B`, the streams read side by side.
    pub batch_size: usize,
    /// `T`, the steps per chunk (how far back the gradient flows).
    pub seq_length: usize,
    /// Which optimizer, its learning rate and its constants.
    pub optimizer: OptimizerConfig,
    /// How the gradients are clipped.
    pub clip: Clip,
    /// The fraction of the chunks held out for validation, in `[0, 1)` (0: none).
    pub val_fraction: f64,
    /// The factor the learning rate is multiplied by after each epoch from `decay_after` on,
    /// in `(0, 1]` (1: no decay).
    pub learning_rate_decay: f64,
    /// The first epoch after which the learning rate decays (char-rnn's
    /// `learning_rate_decay_after`), `>= 0`.
    pub decay_after: f64,
    /// Evaluate the validation split after every iteration `n` with `n mod eval_every == 0`
    /// in [`NetworkTrainer::run`] (0: never there).
    pub eval_every: usize,
    /// `p`, the probability of dropping each number on its way up between layers and into
    /// the output layer during training, in `[0, 1)` (0: no dropout; char-rnn's `-dropout`).
    pub dropout: f64,
}
// ANCHOR_END: config

/// Why a network cannot be trained, or cannot go on.
#[derive(Clone, Debug, PartialEq)]
pub enum CharRnnError {
    /// A setting cannot work.
    Setting {
        /// Which (`hidden_size`, `optimizer`, `clip`, …).
        name: &'static str,
        /// What it must be, and what it is (the whole message).
        message: String,
    },
    /// The vocabulary has fewer than two characters.
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
    /// The text cannot be cut into minibatches (shorter than one chunk of `B·T`).
    Batches(BatchError),
    /// The split leaves no chunk to train on, or none to validate on although a fraction
    /// was asked for.
    Split {
        /// The number of chunks, `N`.
        chunks: usize,
        /// The validation fraction asked for.
        val_fraction: f64,
        /// Chunks for training.
        train: usize,
        /// Chunks for validation.
        val: usize,
    },
    /// A saved state does not fit its own configuration ([`NetworkTrainer::from_state`]).
    State(String),
    /// The loss became NaN or infinite; the weights are those from before this step.
    Diverged {
        /// The iteration whose loss was not finite.
        iteration: usize,
        /// That loss.
        loss: f64,
    },
}

impl fmt::Display for CharRnnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CharRnnError::Setting { message, .. } => write!(f, "{message}"),
            CharRnnError::TooFewDistinctChars(v) => write!(
                f,
                "the text has {v} distinct character(s); there must be at least 2 to predict anything"
            ),
            CharRnnError::IndexOutOfRange {
                position,
                index,
                vocab_size,
            } => write!(
                f,
                "index {index} at position {position} is outside the vocabulary of {vocab_size}"
            ),
            CharRnnError::Batches(e) => write!(f, "{e}"),
            CharRnnError::Split {
                chunks,
                val_fraction,
                train,
                val,
            } => write!(
                f,
                "the text makes {chunks} chunk(s) of batch size × sequence length characters; \
                 a validation fraction of {val_fraction} leaves {train} for training and {val} \
                 for validation, and each needs at least 1"
            ),
            CharRnnError::State(message) => write!(f, "inconsistent training state: {message}"),
            CharRnnError::Diverged { iteration, loss } => write!(
                f,
                "training diverged at iteration {iteration}: the loss is {loss} (try a smaller learning rate)"
            ),
        }
    }
}

impl std::error::Error for CharRnnError {}

impl From<BatchError> for CharRnnError {
    fn from(e: BatchError) -> CharRnnError {
        CharRnnError::Batches(e)
    }
}

fn setting(name: &'static str, message: String) -> CharRnnError {
    CharRnnError::Setting { name, message }
}

impl Config {
    /// char-rnn's defaults for `cell`: 2 layers of 128 units, 50 streams of 50 steps, RMSprop
    /// at 2e−3 with decay 0.95 ([`OptimizerConfig::new`]), clipping by value at 5, 5% of the
    /// chunks for validation evaluated every 1000 iterations, the learning rate decayed by
    /// 0.97 per epoch after epoch 10.
    pub fn new(cell: CellKind) -> Config {
        Config {
            cell,
            num_layers: DEFAULT_NUM_LAYERS,
            hidden_size: DEFAULT_HIDDEN_SIZE,
            batch_size: DEFAULT_BATCH_SIZE,
            seq_length: DEFAULT_SEQ_LENGTH,
            optimizer: OptimizerConfig::new(OptimizerKind::Rmsprop),
            clip: Clip::Value(DEFAULT_CLIP),
            val_fraction: DEFAULT_VAL_FRACTION,
            learning_rate_decay: DEFAULT_LEARNING_RATE_DECAY,
            decay_after: DEFAULT_DECAY_AFTER,
            eval_every: DEFAULT_EVAL_EVERY,
            dropout: DEFAULT_DROPOUT,
        }
    }

    /// Checks that training with these settings can work.
    ///
    /// # Errors
    ///
    /// [`CharRnnError::Setting`] naming the first bad value.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::charrnn::{Clip, Config};
    /// let mut config = Config::new(CellKind::Gru);
    /// config.clip = Clip::Norm(0.0);
    /// let err = config.validate().unwrap_err();
    /// assert_eq!(err.to_string(), "the clipping limit must be a finite number above 0, not 0");
    /// ```
    pub fn validate(&self) -> Result<(), CharRnnError> {
        let sizes = [
            ("num_layers", "number of layers", self.num_layers),
            ("hidden_size", "hidden size", self.hidden_size),
            ("batch_size", "batch size", self.batch_size),
            ("seq_length", "sequence length", self.seq_length),
        ];
        for (name, what, value) in sizes {
            if value == 0 {
                return Err(setting(
                    name,
                    format!("the {what} must be at least 1, not 0"),
                ));
            }
        }
        self.optimizer
            .validate()
            .map_err(|message| setting("optimizer", message))?;
        if let Clip::Value(c) | Clip::Norm(c) = self.clip {
            if !(c.is_finite() && c > 0.0) {
                return Err(setting(
                    "clip",
                    format!("the clipping limit must be a finite number above 0, not {c}"),
                ));
            }
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(setting(
                "dropout",
                format!(
                    "the dropout probability must be in [0, 1), not {}",
                    self.dropout
                ),
            ));
        }
        if !(0.0..1.0).contains(&self.val_fraction) {
            return Err(setting(
                "val_fraction",
                format!(
                    "the validation fraction must be in [0, 1), not {}",
                    self.val_fraction
                ),
            ));
        }
        let decay = self.learning_rate_decay;
        if !(decay > 0.0 && decay <= 1.0) {
            return Err(setting(
                "learning_rate_decay",
                format!("the learning-rate decay must be above 0 and at most 1, not {decay}"),
            ));
        }
        if !(self.decay_after.is_finite() && self.decay_after >= 0.0) {
            return Err(setting(
                "decay_after",
                format!(
                    "the epoch the decay starts after must be a finite number, 0 or above, not {}",
                    self.decay_after
                ),
            ));
        }
        Ok(())
    }
}

/// char-rnn's split of `chunks` chunks: `(N_train, N_val)` with `N_train = ⌊N · (1 −
/// val_fraction)⌋` and `N_val = N − N_train` (its loader with no test split).
///
/// # Examples
///
/// ```
/// use min_char_rnn::charrnn::split_sizes;
/// assert_eq!(split_sizes(100, 0.05), (95, 5));
/// assert_eq!(split_sizes(30, 0.05), (28, 2)); // ⌊28.5⌋ = 28
/// assert_eq!(split_sizes(10, 0.0), (10, 0));
/// ```
// ANCHOR: split_sizes
pub fn split_sizes(chunks: usize, val_fraction: f64) -> (usize, usize) {
    let train_fraction = 1.0 - val_fraction;
    let train = (chunks as f64 * train_fraction).floor() as usize; // math.floor(nbatches * frac)
    let train = train.min(chunks);
    (train, chunks - train)
}
// ANCHOR_END: split_sizes

/// The computations a [`NetworkTrainer`] runs on one chunk. [`Plain`] runs this crate's plain
/// functions; a faster engine must give the same bits.
pub trait Engine: fmt::Debug {
    /// The forward pass over `chunk` from `state` (leaving in it the memories after the
    /// chunk), the mean loss, and the backward pass, through `dropout`'s masks if there are
    /// any: returns the loss, leaves the gradients (unclipped) in `grads`.
    fn loss_and_gradients(
        &mut self,
        network: &Network,
        chunk: &Chunk,
        state: &mut State,
        grads: &mut NetworkGrads,
        dropout: Option<&Dropout>,
    ) -> f64;

    /// The forward pass alone, from `state` (leaving in it the memories after the chunk):
    /// the mean loss of the chunk.
    fn loss(&mut self, network: &Network, chunk: &Chunk, state: &mut State) -> f64;

    /// A copy of this engine, boxed (so that a [`NetworkTrainer`] can be cloned).
    fn boxed_clone(&self) -> Box<dyn Engine>;
}

impl Clone for Box<dyn Engine> {
    fn clone(&self) -> Box<dyn Engine> {
        self.boxed_clone()
    }
}

/// The plain path: [`network::forward_with_dropout`], [`network::loss`],
/// [`network::backward_with_dropout`], with their buffers kept from one chunk to the next.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::{Engine, Plain};
/// use min_char_rnn::network::{Network, NetworkGrads, State};
/// let net = Network::new(CellKind::Gru, 4, 3, 1, 1);
/// let chunk = Chunk::new(1, 3, vec![0, 1, 2], vec![1, 2, 3]);
/// let mut grads = NetworkGrads::zeros_like(&net);
/// let mut plain = Plain::default();
/// let loss = plain.loss_and_gradients(&net, &chunk, &mut State::zeros(&net, 1), &mut grads, None);
/// assert!((loss - 4f64.ln()).abs() < 0.05);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Plain {
    /// The forward pass's record (made by the first chunk).
    cache: Option<NetworkCache>,
    /// The backward pass's buffers (made by the first chunk).
    work: Option<BackwardWork>,
}

// ANCHOR: plain_network_engine
impl Engine for Plain {
    fn loss_and_gradients(
        &mut self,
        network: &Network,
        chunk: &Chunk,
        state: &mut State,
        grads: &mut NetworkGrads,
        dropout: Option<&Dropout>,
    ) -> f64 {
        let (batch, steps) = (chunk.batch_size(), chunk.steps());
        let cache = self
            .cache
            .get_or_insert_with(|| NetworkCache::new(network, batch, steps));
        network::forward_with_dropout(network, chunk, state, cache, dropout);
        let loss = network::loss(cache, chunk);
        let work = self
            .work
            .get_or_insert_with(|| BackwardWork::new(network, batch, steps));
        network::backward_with_dropout(network, cache, chunk, grads, work, dropout);
        loss
    }

    fn loss(&mut self, network: &Network, chunk: &Chunk, state: &mut State) -> f64 {
        let (batch, steps) = (chunk.batch_size(), chunk.steps());
        let cache = self
            .cache
            .get_or_insert_with(|| NetworkCache::new(network, batch, steps));
        network::forward(network, chunk, state, cache);
        network::loss(cache, chunk)
    }

    fn boxed_clone(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
}
// ANCHOR_END: plain_network_engine

/// What one iteration did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// The iteration number `n` of this step (0 for the first).
    pub iteration: usize,
    /// The chunk it read, `n mod N_train`.
    pub chunk: usize,
    /// The chunk's mean loss per character.
    pub loss: f64,
    /// The smooth loss after this step, per character.
    pub smooth_loss: f64,
    /// The epoch after this step, `(n + 1) / N_train` (char-rnn's figure).
    pub epoch: f64,
    /// The learning rate this step used.
    pub learning_rate: f64,
    /// The global L2 norm of the gradients before clipping.
    pub grad_norm: f64,
    /// The new learning rate, if this step ended an epoch and decayed it.
    pub decayed: Option<f64>,
}

/// One evaluation of the validation split.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Validation {
    /// The iteration `n` it follows (the log's `iter N`; 0 also before any training).
    pub iteration: usize,
    /// The epoch then.
    pub epoch: f64,
    /// The mean loss per character over the whole validation split.
    pub loss: f64,
    /// Whether it is the best (lowest) validation loss so far.
    pub best: bool,
}

/// What [`NetworkTrainer::run`] reports as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A sample drawn before iteration `iteration`.
    Sample {
        /// The iteration it was drawn before.
        iteration: usize,
        /// The generated character indices.
        ixes: &'a [usize],
    },
    /// An iteration finished.
    Step(&'a StepReport),
    /// The validation split was evaluated.
    Validation(&'a Validation),
}

/// A training run of a [`Network`]: the weights, the optimizer, the data cut into chunks, the
/// position, the memories each stream carries, and the buffers every step reuses.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::{Config, NetworkTrainer};
/// use min_char_rnn::Vocab;
/// let text = "the cat sat on the mat. ".repeat(40);
/// let vocab = Vocab::from_text(&text);
/// let mut config = Config::new(CellKind::Lstm);
/// (config.num_layers, config.hidden_size, config.batch_size, config.seq_length) = (1, 16, 4, 8);
/// config.val_fraction = 0.1;
/// let mut trainer = NetworkTrainer::new(&vocab.encode(&text)?, vocab.len(), config, 1)?;
/// assert_eq!((trainer.train_chunks(), trainer.val_chunks()), (27, 3)); // 960 / 32 = 30 chunks
/// let first = trainer.step()?;
/// for _ in 0..100 {
///     trainer.step()?;
/// }
/// assert!(trainer.evaluate().unwrap() < first.loss);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct NetworkTrainer {
    /// The weights.
    pub network: Network,
    /// The optimizer, with its memory and its current learning rate.
    pub optimizer: Optimizer,
    /// The smooth loss per character.
    pub smooth_loss: f64,
    /// The random generator: it made the initial weights and draws the samples and the
    /// dropout masks.
    pub rng: fastrand::Rng,
    config: Config,
    batches: Batches,
    train_chunks: usize,
    val_chunks: usize,
    /// `n`: iterations done.
    iteration: usize,
    /// The memories every stream carries to its next chunk.
    state: State,
    /// The lowest validation loss so far, and the iteration it followed.
    best_val: Option<(usize, f64)>,
    engine: Box<dyn Engine>,
    chunk: Chunk,
    grads: NetworkGrads,
    eval_state: State,
    /// The dropout masks of the current iteration (drawn only if `config.dropout > 0`).
    dropout: Dropout,
}

/// Everything about a run that changes as it goes, apart from the text: what
/// [`NetworkTrainer::from_state`] needs to carry on exactly where it stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkTrainState {
    /// The settings, with the optimizer's learning rate as it is now (after any decay).
    pub config: Config,
    /// The weights.
    pub network: Network,
    /// The optimizer's step count and memory.
    pub optimizer: OptimizerState,
    /// Iterations done.
    pub iteration: usize,
    /// The memories every stream carries to its next chunk, `(B, H)` per layer.
    pub state: State,
    /// The smooth loss per character.
    pub smooth_loss: f64,
    /// The lowest validation loss so far and the iteration it followed.
    pub best_val: Option<(usize, f64)>,
    /// The random generator's state ([`fastrand::Rng::get_seed`]).
    pub rng_state: u64,
}

/// Checks the data against `V`: at least 2 characters in the vocabulary, every index below it.
fn check_data(data: &[usize], vocab_size: usize) -> Result<(), CharRnnError> {
    if vocab_size < 2 {
        return Err(CharRnnError::TooFewDistinctChars(vocab_size));
    }
    for (position, &index) in data.iter().enumerate() {
        if index >= vocab_size {
            return Err(CharRnnError::IndexOutOfRange {
                position,
                index,
                vocab_size,
            });
        }
    }
    Ok(())
}

/// The chunks of `data` for `config`, and how many go to training and to validation.
fn cut(data: &[usize], config: &Config) -> Result<(Batches, usize, usize), CharRnnError> {
    let batches = Batches::new(data, config.batch_size, config.seq_length)?;
    let (train, val) = split_sizes(batches.len(), config.val_fraction);
    if train == 0 || (config.val_fraction > 0.0 && val == 0) {
        return Err(CharRnnError::Split {
            chunks: batches.len(),
            val_fraction: config.val_fraction,
            train,
            val,
        });
    }
    Ok((batches, train, val))
}

impl NetworkTrainer {
    /// A new run on `data` (character indices below `vocab_size`): the network initialised
    /// from a generator seeded with `seed` ([`Network::with_rng`]), the optimizer's memory
    /// empty, the smooth loss at `ln V`.
    ///
    /// # Errors
    ///
    /// A bad setting, fewer than 2 characters in the vocabulary, an index `>= V`, a text
    /// shorter than one chunk, or a split with no chunk on one side.
    pub fn new(
        data: &[usize],
        vocab_size: usize,
        config: Config,
        seed: u64,
    ) -> Result<NetworkTrainer, CharRnnError> {
        config.validate()?;
        check_data(data, vocab_size)?;
        let chunks = cut(data, &config)?;
        let mut rng = fastrand::Rng::with_seed(seed);
        let network = Network::with_rng(
            config.cell,
            vocab_size,
            config.hidden_size,
            config.num_layers,
            &mut rng,
        );
        let optimizer = Optimizer::new(config.optimizer, &slice_sizes(&network));
        Ok(NetworkTrainer::assemble(
            config, chunks, network, optimizer, rng,
        ))
    }

    /// A trainer at the start of a run: no iteration done, empty memories, the smooth loss
    /// at `ln V`, no validation yet, the plain engine, and its scratch buffers.
    fn assemble(
        config: Config,
        (batches, train_chunks, val_chunks): (Batches, usize, usize),
        network: Network,
        optimizer: Optimizer,
        rng: fastrand::Rng,
    ) -> NetworkTrainer {
        let batch = config.batch_size;
        NetworkTrainer {
            smooth_loss: (network.vocab_size() as f64).ln(), // −ln(1/V): a uniform guess
            rng,
            train_chunks,
            val_chunks,
            iteration: 0,
            state: State::zeros(&network, batch),
            eval_state: State::zeros(&network, batch),
            best_val: None,
            engine: Box::new(Plain::default()),
            chunk: Chunk::zeros(batch, config.seq_length),
            grads: NetworkGrads::zeros_like(&network),
            dropout: Dropout::new(&network, batch, config.seq_length, config.dropout),
            network,
            optimizer,
            batches,
            config,
        }
    }

    /// The same trainer, computing with `engine` from now on.
    pub fn with_engine(mut self, engine: impl Engine + 'static) -> NetworkTrainer {
        self.engine = Box::new(engine);
        self
    }

    /// The settings (the optimizer's learning rate as it was at the start or the last
    /// [`state`](NetworkTrainer::state); [`Optimizer::learning_rate`] has the current one).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The chunks: `B` streams, `T` steps, `N` chunks in all.
    pub fn batches(&self) -> &Batches {
        &self.batches
    }

    /// `N_train`: the chunks trained on, an epoch's iterations.
    pub fn train_chunks(&self) -> usize {
        self.train_chunks
    }

    /// `N_val`: the chunks held out for validation.
    pub fn val_chunks(&self) -> usize {
        self.val_chunks
    }

    /// `n`: the iterations done.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// char-rnn's epoch figure: iterations done / iterations per epoch (`i / ntrain`), so
    /// `1.5` is half-way through the second epoch.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{cells::CellKind, charrnn::{Config, NetworkTrainer}};
    /// let mut config = Config::new(CellKind::Rnn);
    /// (config.num_layers, config.hidden_size, config.batch_size, config.seq_length) = (1, 4, 2, 3);
    /// config.val_fraction = 0.0;
    /// let data: Vec<usize> = (0..24).map(|i| i % 3).collect(); // 4 chunks of 2 × 3
    /// let mut trainer = NetworkTrainer::new(&data, 3, config, 1)?;
    /// trainer.step()?;
    /// assert_eq!(trainer.epoch(), 0.25);
    /// # Ok::<(), min_char_rnn::charrnn::CharRnnError>(())
    /// ```
    pub fn epoch(&self) -> f64 {
        self.iteration as f64 / self.train_chunks as f64
    }

    /// The chunk the next step reads, `n mod N_train` (0: the next step starts an epoch).
    pub fn next_chunk(&self) -> usize {
        self.iteration % self.train_chunks
    }

    /// The memories each stream carries to its next chunk.
    pub fn carried_state(&self) -> &State {
        &self.state
    }

    /// The lowest validation loss so far and the iteration it followed.
    pub fn best_val(&self) -> Option<(usize, f64)> {
        self.best_val
    }

    /// The gradients of the last step, after clipping.
    pub fn grads(&self) -> &NetworkGrads {
        &self.grads
    }

    /// One iteration: the next chunk's dropout masks (if `dropout > 0`), its forward and
    /// backward passes, clipping, the optimizer's update, the smooth loss, and at the end of
    /// an epoch the learning-rate decay.
    ///
    /// # Errors
    ///
    /// [`CharRnnError::Diverged`] if the loss is NaN or infinite: the update is then not
    /// applied (the carried memories are those after the chunk, and the run should stop).
    // ANCHOR: network_step
    pub fn step(&mut self) -> Result<StepReport, CharRnnError> {
        let n = self.iteration;
        let k = n % self.train_chunks;
        if k == 0 {
            self.state.reset(); // a new epoch: every stream starts again, memories empty
        }
        self.batches.chunk_into(k, &mut self.chunk);
        self.dropout.draw(&mut self.rng); // L·B·T·H draws; none if p = 0
        let dropout = Some(&self.dropout).filter(|masks| masks.is_active());
        let loss = self.engine.loss_and_gradients(
            &self.network,
            &self.chunk,
            &mut self.state,
            &mut self.grads,
            dropout,
        );
        if !loss.is_finite() {
            return Err(CharRnnError::Diverged { iteration: n, loss });
        }
        let grad_norm = self.clip_gradients();
        let learning_rate = self.optimizer.learning_rate();
        let mut params = self.network.slices_mut();
        self.optimizer.update(&mut params, &self.grads.slices());
        self.smooth_loss = self.smooth_loss * SMOOTHING + loss * (1.0 - SMOOTHING);
        self.iteration += 1;
        let decayed = self.decay_learning_rate();
        Ok(StepReport {
            iteration: n,
            chunk: k,
            loss,
            smooth_loss: self.smooth_loss,
            epoch: self.epoch(),
            learning_rate,
            grad_norm,
            decayed,
        })
    }
    // ANCHOR_END: network_step

    /// Clips the gradients as the configuration says; returns their global norm before.
    fn clip_gradients(&mut self) -> f64 {
        let mut grads = self.grads.slices_mut();
        match self.config.clip {
            Clip::None => global_norm(&as_shared(&grads)),
            Clip::Value(limit) => {
                let norm = global_norm(&as_shared(&grads));
                clip_by_value(&mut grads, limit);
                norm
            }
            Clip::Norm(max_norm) => clip_by_norm(&mut grads, max_norm),
        }
    }

    /// char-rnn's decay: after the last iteration of epoch `e ≥ decay_after`, `lr *= decay`.
    // ANCHOR: decay
    fn decay_learning_rate(&mut self) -> Option<f64> {
        let done = self.iteration; // char-rnn's i, counted from 1
        let decay = self.config.learning_rate_decay;
        if done % self.train_chunks != 0 || decay >= 1.0 {
            return None;
        }
        let epoch = (done / self.train_chunks) as f64;
        if epoch < self.config.decay_after {
            return None;
        }
        let learning_rate = self.optimizer.learning_rate() * decay;
        self.optimizer.set_learning_rate(learning_rate);
        Some(learning_rate)
    }
    // ANCHOR_END: decay

    /// The mean loss per character over the whole validation split, from zero memories
    /// carried from chunk to chunk (char-rnn's `eval_split`): the mean of the chunks' mean
    /// losses. `None` if nothing is held out. Nothing is learned, the training memories
    /// are untouched, and there is no dropout.
    // ANCHOR: evaluate_split
    pub fn evaluate(&mut self) -> Option<f64> {
        if self.val_chunks == 0 {
            return None;
        }
        self.eval_state.reset();
        let mut total = 0.0;
        for k in self.train_chunks..self.batches.len() {
            self.batches.chunk_into(k, &mut self.chunk);
            total += self
                .engine
                .loss(&self.network, &self.chunk, &mut self.eval_state);
        }
        Some(total / self.val_chunks as f64)
    }
    // ANCHOR_END: evaluate_split

    /// The mean loss of the chunk the next step will read, from the memories it will start
    /// with, computed now without taking the step: the forward pass alone. Nothing changes
    /// but scratch buffers. (A network thrown far by a huge step has finite weights but a
    /// useless loss: this shows it before it is saved.)
    pub fn next_loss(&mut self) -> f64 {
        let k = self.next_chunk();
        if k == 0 {
            self.eval_state.reset();
        } else {
            self.eval_state.copy_from(&self.state);
        }
        self.batches.chunk_into(k, &mut self.chunk);
        self.engine
            .loss(&self.network, &self.chunk, &mut self.eval_state)
    }

    /// Evaluates the validation split ([`evaluate`](NetworkTrainer::evaluate)) and keeps the
    /// best loss; `None` if nothing is held out.
    pub fn validate(&mut self) -> Option<Validation> {
        let loss = self.evaluate()?;
        let iteration = self.iteration.saturating_sub(1);
        let best = self.best_val.is_none_or(|(_, best)| loss < best);
        if best {
            self.best_val = Some((iteration, loss));
        }
        Some(Validation {
            iteration,
            epoch: self.epoch(),
            loss,
            best,
        })
    }

    /// `n` characters drawn from the network, starting where the next step starts: the
    /// memories of stream 0 (zero at the start of an epoch) and the first character of its
    /// next chunk, with the trainer's own random generator.
    pub fn sample(&mut self, n: usize, strategy: Strategy) -> Vec<usize> {
        let k = self.next_chunk();
        self.batches.chunk_into(k, &mut self.chunk);
        let seed_ix = self.chunk.input(0, 0);
        let mut sampler = Sampler::new(&self.network);
        if k != 0 {
            for l in 0..self.network.num_layers() {
                let h = self.state.h[l].row(0);
                sampler.state.h[l].row_mut(0).copy_from_slice(h);
                let c = self.state.c[l].row(0);
                sampler.state.c[l].row_mut(0).copy_from_slice(c);
            }
        }
        sampler.generate(&self.network, seed_ix, n, strategy, &mut self.rng)
    }

    /// Trains until `iteration() == until`: a sample of `sample_length` characters before
    /// every iteration `n` with `n mod sample_every == 0` (0: never), and an evaluation after
    /// every iteration `n` with `n mod eval_every == 0`, each reported to `observe`, which
    /// returns `ControlFlow::Break(())` to stop early.
    ///
    /// # Errors
    ///
    /// [`CharRnnError::Diverged`], as [`NetworkTrainer::step`].
    pub fn run(
        &mut self,
        until: usize,
        sample_every: usize,
        sample_length: usize,
        mut observe: impl FnMut(Event<'_>) -> ControlFlow<()>,
    ) -> Result<(), CharRnnError> {
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
            let eval_every = self.config.eval_every;
            if eval_every > 0 && report.iteration % eval_every == 0 {
                if let Some(validation) = self.validate() {
                    if observe(Event::Validation(&validation)).is_break() {
                        return Ok(());
                    }
                }
            }
        }
        Ok(())
    }

    /// A copy of the state of the run (everything but the text, the chunks and the buffers).
    pub fn state(&self) -> NetworkTrainState {
        let mut config = self.config.clone();
        config.optimizer.learning_rate = self.optimizer.learning_rate();
        NetworkTrainState {
            config,
            network: self.network.clone(),
            optimizer: self.optimizer.state(),
            iteration: self.iteration,
            state: self.state.clone(),
            smooth_loss: self.smooth_loss,
            best_val: self.best_val,
            rng_state: self.rng.get_seed(),
        }
    }

    /// Rebuilds a trainer from a saved state and the text, so that its next steps are bit for
    /// bit those the saved run would have taken. The next chunk is `iteration mod N_train` of
    /// this text's split.
    ///
    /// # Errors
    ///
    /// As [`NetworkTrainer::new`]; and [`CharRnnError::State`] if the shapes in `state`
    /// disagree with its configuration or with `V`.
    pub fn from_state(
        data: &[usize],
        vocab_size: usize,
        state: NetworkTrainState,
    ) -> Result<NetworkTrainer, CharRnnError> {
        let config = state.config;
        config.validate()?;
        check_data(data, vocab_size)?;
        let network = state.network;
        let expected = Network::zeros(
            config.cell,
            vocab_size,
            config.hidden_size,
            config.num_layers,
        );
        let shapes_fit = network.cell == config.cell
            && network.num_layers() == expected.num_layers()
            && network.slices().len() == expected.slices().len()
            && network
                .slices()
                .iter()
                .zip(expected.slices())
                .all(|(a, b)| a.len() == b.len())
            && network.w_hy.shape() == expected.w_hy.shape();
        if !shapes_fit {
            return Err(CharRnnError::State(format!(
                "the network is not a {}-layer {} of {} units over {vocab_size} characters",
                config.num_layers, config.cell, config.hidden_size
            )));
        }
        if !state.state.fits(&network, config.batch_size) {
            return Err(CharRnnError::State(format!(
                "the carried memories do not fit {} streams of this network",
                config.batch_size
            )));
        }
        check_optimizer_state(&state.optimizer, &network)?;
        let optimizer = Optimizer::from_state(config.optimizer, state.optimizer)
            .map_err(CharRnnError::State)?;
        let chunks = cut(data, &config)?;
        let rng = fastrand::Rng::with_seed(state.rng_state);
        let mut trainer = NetworkTrainer::assemble(config, chunks, network, optimizer, rng);
        trainer.iteration = state.iteration;
        trainer.state = state.state;
        trainer.smooth_loss = state.smooth_loss;
        trainer.best_val = state.best_val;
        Ok(trainer)
    }
}

/// Each moment an optimizer keeps must have one slice per parameter, of its length.
fn check_optimizer_state(state: &OptimizerState, network: &Network) -> Result<(), CharRnnError> {
    let sizes = slice_sizes(network);
    for (which, moments) in [("first", &state.first), ("second", &state.second)] {
        if moments.is_empty() {
            continue; // not kept by this kind (Optimizer::from_state checks which are)
        }
        let fits =
            moments.len() == sizes.len() && moments.iter().zip(&sizes).all(|(m, &n)| m.len() == n);
        if !fits {
            return Err(CharRnnError::State(format!(
                "the optimizer's {which} moments do not have the shapes of the network's \
                 {} parameters",
                sizes.len()
            )));
        }
    }
    Ok(())
}

/// The length of every parameter slice, in the order of [`Network::slices`].
fn slice_sizes(network: &Network) -> Vec<usize> {
    network.slices().iter().map(|s| s.len()).collect()
}

/// `&mut` slices seen as shared ones.
fn as_shared<'a>(slices: &'a [&mut [f64]]) -> Vec<&'a [f64]> {
    slices.iter().map(|s| &**s).collect()
}

/// The mean loss per character of `network` on `data` read as one stream from zero memories,
/// one character at a time: `(1 / (len − 1)) · Σ_t −ln p_t[data[t + 1]]`. The figure
/// `min-char-rnn evaluate` prints, the Part II counterpart of Part I's
/// [`train::evaluate`](crate::train::evaluate). (The validation loss during training reads
/// `B` streams in chunks instead, so it differs a little on the same text.)
///
/// # Panics
///
/// If `data` has fewer than 2 characters or an index `>= V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::evaluate_text;
/// use min_char_rnn::network::Network;
/// // All-zero weights guess uniformly: ln V per character.
/// let net = Network::zeros(CellKind::Lstm, 4, 3, 2);
/// assert!((evaluate_text(&net, &[0, 1, 2, 3, 0]) - 4f64.ln()).abs() < 1e-12);
/// ```
// ANCHOR: evaluate_text
#[track_caller]
pub fn evaluate_text(network: &Network, data: &[usize]) -> f64 {
    assert!(
        data.len() >= 2,
        "evaluate_text: {} character(s), at least 2 are needed (one input and its target)",
        data.len()
    );
    let mut sampler = Sampler::new(network);
    let mut p = Vector::zeros(network.vocab_size());
    let mut total = 0.0;
    for t in 0..data.len() - 1 {
        let y = sampler.step(network, data[t]); // y_t after reading x_t
        softmax(y, &mut p); // p_t
        total += cross_entropy(&p, data[t + 1]); // −ln p_t[target_t]
    }
    total / (data.len() - 1) as f64
}
// ANCHOR_END: evaluate_text

/// Writes `n` characters that continue `prime_text` with `network`, from zero memories, and
/// returns the prime followed by them: Part I's
/// [`sample_text`](crate::sample::sample_text) for any network. Every character of the prime
/// but the last is read into the memories; the last is the first input. An empty prime starts
/// from a newline if the vocabulary has one, else from its first character.
///
/// # Errors
///
/// [`EncodeError`] if the prime has a character outside `vocab`.
///
/// # Panics
///
/// If `vocab` does not have the network's `V` characters.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::sample_text;
/// use min_char_rnn::network::Network;
/// use min_char_rnn::{Strategy, Vocab};
/// let vocab = Vocab::from_text("abc ");
/// let net = Network::new(CellKind::Gru, vocab.len(), 8, 2, 1);
/// let mut rng = fastrand::Rng::with_seed(3);
/// let text = sample_text(&net, &vocab, "ab", 5, Strategy::ORIGINAL, &mut rng)?;
/// assert!(text.starts_with("ab") && text.chars().count() == 7);
/// assert!(sample_text(&net, &vocab, "xyz", 5, Strategy::ORIGINAL, &mut rng).is_err());
/// # Ok::<(), min_char_rnn::EncodeError>(())
/// ```
#[track_caller]
pub fn sample_text(
    network: &Network,
    vocab: &Vocab,
    prime_text: &str,
    n: usize,
    strategy: Strategy,
    rng: &mut fastrand::Rng,
) -> Result<String, EncodeError> {
    assert!(
        vocab.len() == network.vocab_size(),
        "sample_text: the vocabulary has {} characters, the network {}",
        vocab.len(),
        network.vocab_size()
    );
    let indices = vocab.encode(prime_text)?;
    let mut sampler = Sampler::new(network);
    let seed_ix = match indices.split_last() {
        Some((&last, before)) => {
            sampler.prime(network, before);
            last
        }
        None => vocab.char_to_ix('\n').unwrap_or(0),
    };
    let generated = sampler.generate(network, seed_ix, n, strategy, rng);
    let mut text = String::from(prime_text);
    text.push_str(&vocab.decode(&generated));
    Ok(text)
}
