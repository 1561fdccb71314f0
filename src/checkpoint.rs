//! Checkpoints: one text file that holds everything needed to continue a training run, or to
//! sample from it, exactly.
//!
//! A training run is more than its five parameters. To continue it bit for bit we also need
//! Adagrad's memory (without it the first steps after resuming would be as large as the very
//! first ones), the iteration count, the data pointer, the memory `h_prev` carried to the next
//! chunk, the smooth loss, and the state of the random generator that draws the samples.
//! A [`Checkpoint`] holds all of it, plus the vocabulary (without which the weights mean
//! nothing: column `k` of `w_xh` is "the `k`-th character") and the loss history for the plot.
//!
//! ## The format (version 1)
//!
//! UTF-8 text, `\n` line endings, so that you can open it in an editor and load it from any
//! language:
//!
//! ```text
//! min-char-rnn checkpoint          magic: what this file is
//! version 1                        format version
//! hidden_size 100                  H
//! seq_length 25                    T
//! learning_rate 0.1
//! iteration 20000                  n: iterations done
//! pointer 1300                     p: where the next chunk starts
//! smooth_loss 51.98435182611532
//! rng_state 1609585862447096925    the generator's state (fastrand::Rng::get_seed)
//! val_fraction 0.0                 the held-out fraction of the text (0: none)
//! data_chars 53467                 characters trained on (the pointer runs over them)
//! data_fnv1a64 9f3c5e0a12b4d677    FNV-1a 64 of their UTF-8 bytes, in hex
//! vocab 10 32 33 39 44 ...         the vocabulary as decimal Unicode code points, sorted
//! @ w_xh 100 71                    a block: name, rows, cols, then one matrix row per line
//! 0.010134530544750744 -0.008920338413939795 ...
//! ...
//! @ w_hh 100 100
//! @ w_hy 71 100
//! @ b_h 100 1                      vectors are columns: one number per line
//! @ b_y 71 1
//! @ mem_w_xh 100 71                Adagrad's memory, in the same order and shapes
//! @ mem_w_hh 100 100
//! @ mem_w_hy 71 100
//! @ mem_b_h 100 1
//! @ mem_b_y 71 1
//! @ h_prev 100 1
//! @ loss_history 200 2             (iteration, smooth loss) at each printed iteration
//! @ val_history 0 2                (iteration, validation loss per character)
//! end                              the last line: a file cut short has none
//! ```
//!
//! The comments on the right are not part of the file. The header lines come in this
//! order, and so do the blocks. Numbers are written with Rust's `{:?}` for `f64`, the
//! shortest decimal that reads back as the very same `f64`: Python's `float()` and Rust's
//! `str::parse` both give back every bit. The vocabulary is written as code points so that
//! a space or a newline in it needs no escaping.
//!
//! Loading from Python (numpy):
//!
//! ```python
//! import numpy as np
//!
//! def load_checkpoint(path):
//!     lines = open(path, encoding="utf-8").read().split("\n")
//!     assert lines[0] == "min-char-rnn checkpoint" and lines[1] == "version 1"
//!     meta, arrays, i = {}, {}, 2
//!     while not lines[i].startswith("@"):
//!         key, value = lines[i].split(" ", 1)
//!         meta[key] = value
//!         i += 1
//!     while lines[i] != "end":
//!         _, name, rows, cols = lines[i].split()
//!         rows, cols = int(rows), int(cols)
//!         values = [float(x) for line in lines[i + 1 : i + 1 + rows] for x in line.split()]
//!         arrays[name] = np.array(values).reshape(rows, cols)
//!         i += 1 + rows
//!     chars = [chr(int(c)) for c in meta["vocab"].split()]
//!     return meta, chars, arrays
//! ```
//!
//! `arrays["w_xh"]` is then the notebook's `Wxh`, `arrays["b_h"]` its `bh` (a column), and
//! `chars` its `ix_to_char` (sorted, where the notebook's order is random).
//!
//! ## The format (version 2): a network trained like char-rnn
//!
//! A Part II run ([`NetworkTrainer`](crate::charrnn::NetworkTrainer), `min-char-rnn train
//! --cell …`) is saved as a [`NetworkCheckpoint`], in the same plain text, with the same
//! number format and the same kind of blocks:
//!
//! ```text
//! min-char-rnn checkpoint
//! version 2
//! cell lstm                        rnn, lstm or gru
//! num_layers 2                     L
//! hidden_size 128                  H
//! batch_size 50                    B
//! seq_length 50                    T
//! val_fraction 0.05                the fraction of the chunks held out
//! optimizer rmsprop                sgd, adagrad, rmsprop or adam
//! learning_rate 0.002              the learning rate now (after any decay)
//! decay 0.95                       RMSprop's α
//! beta1 0.9                        Adam's β₁, β₂ and ε (every field is written, read or not)
//! beta2 0.999
//! epsilon 1e-8
//! learning_rate_decay 0.97         × this after every epoch from decay_after on
//! decay_after 10.0
//! clip value 5.0                   none, value C or norm C
//! eval_every 1000
//! dropout 0.0                      p of char-rnn's -dropout (a file without this line: 0)
//! iteration 1520                   iterations done; the next chunk is iteration mod train_chunks
//! optimizer_steps 1520             the optimizer's updates (one per iteration)
//! smooth_loss 1.6242369405817127   per character
//! best_val 1000 1.7023402128330788 the best validation loss and its iteration (or none)
//! rng_state 1609585862447096925
//! data_chars 1983298               characters of the text (all of them: the split is by chunks)
//! data_fnv1a64 9f3c5e0a12b4d677
//! train_chunks 752                 ⌊N · (1 − val_fraction)⌋ of the N = ⌊data_chars / (B·T)⌋ chunks
//! val_chunks 41                    the rest
//! vocab 10 32 33 ...
//! @ w_ih_0 512 83                  the parameters, in the order and with the names of
//! @ w_hh_0 512 128                 Network::names(): w_ih_l, w_hh_l, b_l (and b_hn_l for the
//! @ b_0 512 1                      GRU) for each layer, then w_hy and b_y
//! @ w_ih_1 512 128
//! @ w_hh_1 512 128
//! @ b_1 512 1
//! @ w_hy 83 128
//! @ b_y 83 1
//! @ second_w_ih_0 512 83           the optimizer's memory: first_NAME blocks (Adam's m), then
//! ...                              second_NAME blocks (Adagrad's and RMSprop's m, Adam's v)
//! @ h_0 50 128                     the memories each stream carries to its next chunk:
//! @ h_1 50 128                     h_l (B, H) for every layer, then c_l for the LSTM
//! @ c_0 50 128
//! @ c_1 50 128
//! @ loss_history 15 2              (iteration, smooth loss per character)
//! @ val_history 2 2                (iteration, validation loss per character)
//! end
//! ```
//!
//! The gate blocks of `w_ih_l`, `w_hh_l` and `b_l` are in PyTorch's order (LSTM `i, f, g, o`,
//! GRU `r, z, n`), so the weights copy straight into `torch.nn.LSTM`, `GRU` or `RNN`. The one
//! bias `b_l` is PyTorch's `bias_ih + bias_hh` (they are always added): load it into `bias_ih`
//! and zeros into `bias_hh`, except that the GRU's `b_hn_l`, which its reset gate multiplies,
//! goes into the last third of `bias_hh`. [`NetworkCheckpoint::parse`] checks every key, every
//! shape against the cell, `L`, `H`, `V` and `B`, the split against `data_chars`, and the
//! moments against the optimizer. [`AnyCheckpoint`] reads either version; [`Checkpoint`]
//! reads version 1 only and [`NetworkCheckpoint`] version 2 only, each naming the other for
//! a file of the other version.
//!
//! ### Loading version 2 into PyTorch
//!
//! The same reader as above (with `version 2`), then the modules, in float64
//! (`tools/checkpoint_torch.py` holds these lines and checks, against the binary, that the
//! PyTorch modules give the loss `min-char-rnn evaluate` prints and the text
//! `min-char-rnn sample --argmax` writes):
//!
//! ```python
//! import torch
//!
//! def torch_modules(meta, chars, arrays):
//!     """torch.nn.LSTM/GRU/RNN (batch_first) and nn.Linear(H, V), float64, with the weights."""
//!     cell, layers, h = meta["cell"], int(meta["num_layers"]), int(meta["hidden_size"])
//!     v = len(chars)
//!     kinds = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
//!     extra = {"nonlinearity": "tanh"} if cell == "rnn" else {}
//!     rnn = kinds[cell](v, h, num_layers=layers, batch_first=True, dtype=torch.float64, **extra)
//!     out = torch.nn.Linear(h, v, dtype=torch.float64)
//!     tensor = lambda name: torch.from_numpy(arrays[name])
//!     with torch.no_grad():
//!         for l in range(layers):
//!             getattr(rnn, f"weight_ih_l{l}").copy_(tensor(f"w_ih_{l}"))
//!             getattr(rnn, f"weight_hh_l{l}").copy_(tensor(f"w_hh_{l}"))
//!             getattr(rnn, f"bias_ih_l{l}").copy_(tensor(f"b_{l}")[:, 0])  # one bias: b_ih + b_hh
//!             bias_hh = getattr(rnn, f"bias_hh_l{l}")
//!             bias_hh.zero_()
//!             if cell == "gru":  # the reset gate multiplies b_hn: it stays in bias_hh
//!                 bias_hh[2 * h :] = tensor(f"b_hn_{l}")[:, 0]
//!         out.weight.copy_(tensor("w_hy"))
//!         out.bias.copy_(tensor("b_y")[:, 0])
//!     return rnn, out
//! ```
//!
//! `out(rnn(x)[0])` then gives the scores for one-hot inputs `x` of shape `(B, T, V)`, and
//! `arrays["h_0"]` (with `arrays["c_0"]` for the LSTM) stacked over the layers is the state
//! `(h0, c0)` the next training chunk starts from.
//!
//! ## Safety of the file
//!
//! [`Checkpoint::save`] never leaves a half-written file: it writes a temporary file in the
//! same directory, flushes it to the disk, and renames it over the old one
//! ([`write_atomic`]). A rename within a directory is atomic, so whenever the process is
//! killed, the path holds either the previous checkpoint or the new one, complete.
//!
//! The file is streamed to the disk as it is written ([`Snapshot::write_to`]), from a
//! [`Snapshot`] that borrows the trainer's arrays: saving costs no copy of the model and no
//! text of the whole file in memory. And a save only ever replaces a regular file: a
//! symbolic link is written through (the file it points to is replaced, the link stays), and
//! a directory, a device, a FIFO, a socket or a read-only file is refused
//! ([`write_atomic_with`]).
//!
//! [`Checkpoint::load`] trusts nothing: magic, version, every key, every shape against the
//! vocabulary and `H`, every number finite, Adagrad's memory not negative, `h_prev` within
//! `tanh`'s `[−1, 1]`, the pointer and the history consistent with the iteration, and the
//! final `end` line. Any mismatch is an error that names the file, the line and the problem.
//! [`NetworkCheckpoint::load`] checks version 2 as thoroughly, and [`NetworkCheckpoint::save`]
//! is atomic in the same way.

use crate::train::TrainState;
use crate::{Hyperparams, Matrix, Params, Trainer, Vector, Vocab};
use std::fmt;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The first line of every checkpoint.
pub const MAGIC: &str = "min-char-rnn checkpoint";

/// The format version of Part I's checkpoints ([`Checkpoint`]: the vanilla RNN and Adagrad).
pub const FORMAT_VERSION: u64 = 1;

/// The format version of Part II's checkpoints ([`NetworkCheckpoint`]: a network trained like
/// char-rnn), and the newest this crate reads.
pub const NETWORK_FORMAT_VERSION: u64 = 2;

pub mod v2;

pub use v2::{AnyCheckpoint, NetworkCheckpoint};

/// The header keys, in the order they are written.
const KEYS: [&str; 11] = [
    "hidden_size",
    "seq_length",
    "learning_rate",
    "iteration",
    "pointer",
    "smooth_loss",
    "rng_state",
    "val_fraction",
    "data_chars",
    "data_fnv1a64",
    "vocab",
];

/// The names of the parameter blocks; Adagrad's memory blocks carry the prefix `mem_`.
const PARAM_NAMES: [&str; 5] = Params::NAMES;

/// Everything a training run needs to continue, or a sampler needs to write.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Checkpoint};
///
/// let text = "abcab cab ab";
/// let vocab = Vocab::from_text(text);
/// let hp = Hyperparams { hidden_size: 4, seq_length: 3, learning_rate: 0.1 };
/// let mut trainer = Trainer::new(vocab.encode(text)?, vocab.len(), hp, 7)?;
/// trainer.step()?;
///
/// let saved = Checkpoint::from_trainer(&trainer, &vocab);
/// let loaded = Checkpoint::parse(saved.to_text().as_bytes())?;
/// assert_eq!(loaded, saved); // every f64 comes back bit for bit
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Checkpoint {
    /// The characters the network knows, sorted.
    pub vocab: Vocab,
    /// Hyperparameters, parameters, Adagrad's memory, iteration, pointer, `h_prev`, smooth
    /// loss and random state.
    pub state: TrainState,
    /// The fraction of the text held out for validation (0 for none): resuming must split
    /// the text the same way to train on the same characters.
    pub val_fraction: f64,
    /// How many characters the run trains on (the text minus the held-out part).
    pub data_chars: usize,
    /// [`fingerprint`] of those characters, to notice a resume on a different text.
    pub data_fnv1a64: u64,
    /// `(iteration, smooth loss)` at each printed iteration, oldest first.
    pub loss_history: Vec<(usize, f64)>,
    /// `(iteration, validation loss per character)`, oldest first; empty without validation.
    pub val_history: Vec<(usize, f64)>,
}

/// Why a checkpoint could not be read or written.
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::{Checkpoint, CheckpointErrorKind};
/// let err = Checkpoint::parse(b"hello").unwrap_err();
/// assert!(matches!(err.kind(), CheckpointErrorKind::NotACheckpoint));
/// assert!(err.to_string().starts_with("checkpoint: not a min-char-rnn checkpoint"));
/// ```
#[derive(Debug)]
pub struct CheckpointError {
    path: Option<PathBuf>,
    kind: CheckpointErrorKind,
}

/// What went wrong with a checkpoint (see [`CheckpointError::kind`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum CheckpointErrorKind {
    /// The file could not be read.
    Read(io::Error),
    /// The file could not be written (the previous one, if any, is untouched).
    Write(io::Error),
    /// The first line is not [`MAGIC`].
    NotACheckpoint,
    /// The lines end with `\r\n` (Windows line endings, as after a conversion by an editor
    /// or a file transfer) where a checkpoint has `\n` alone.
    WindowsLineEndings,
    /// The bytes are not UTF-8; `offset` is where the first invalid byte is.
    NotUtf8 {
        /// Byte offset of the first byte that is not valid UTF-8.
        offset: usize,
    },
    /// The file was written by a newer format version than [`FORMAT_VERSION`].
    NewerVersion {
        /// The version found in the file.
        version: u64,
    },
    /// The file is damaged or inconsistent.
    Invalid {
        /// The 1-based line the problem is on, if it is on one.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// A value to be saved is NaN or infinite; nothing was written.
    NotFinite {
        /// Which value (`w_xh`, `smooth_loss`, …).
        name: &'static str,
    },
    /// A value of a version-2 checkpoint to be saved is NaN or infinite; nothing was written.
    NotFiniteValue {
        /// Which value (`w_ih_1`, `second_b_y`, `h_0`, …).
        name: String,
    },
    /// The file is of another format version than the one asked for: a version-2 checkpoint
    /// given to [`Checkpoint`], or a version-1 one given to [`NetworkCheckpoint`].
    /// ([`AnyCheckpoint`] reads both.)
    WrongFormat {
        /// The version found in the file.
        found: u64,
        /// The version expected.
        expected: u64,
    },
}

impl CheckpointError {
    /// What went wrong.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::checkpoint::{Checkpoint, CheckpointErrorKind};
    /// let err = Checkpoint::load("no/such/file.ckpt").unwrap_err();
    /// assert!(matches!(err.kind(), CheckpointErrorKind::Read(_)));
    /// ```
    pub fn kind(&self) -> &CheckpointErrorKind {
        &self.kind
    }

    /// The file the error is about, if it came from one.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::checkpoint::Checkpoint;
    /// let err = Checkpoint::load("missing.ckpt").unwrap_err();
    /// assert_eq!(err.path(), Some(std::path::Path::new("missing.ckpt")));
    /// ```
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    fn invalid(line: Option<usize>, message: impl Into<String>) -> CheckpointError {
        CheckpointError {
            path: None,
            kind: CheckpointErrorKind::Invalid {
                line,
                message: message.into(),
            },
        }
    }

    fn at(line: usize, message: impl Into<String>) -> CheckpointError {
        CheckpointError::invalid(Some(line), message)
    }

    fn with_path(mut self, path: &Path) -> CheckpointError {
        self.path = Some(path.to_path_buf());
        self
    }
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = match &self.path {
            Some(path) => format!(" {}", path.display()),
            None => String::new(),
        };
        match &self.kind {
            CheckpointErrorKind::Read(e) => {
                write!(f, "cannot read checkpoint{path}: {}", io_message(e))
            }
            CheckpointErrorKind::Write(e) => {
                write!(f, "cannot write checkpoint{path}: {}", io_message(e))
            }
            CheckpointErrorKind::NotACheckpoint => write!(
                f,
                "checkpoint{path}: not a min-char-rnn checkpoint (its first line is not `{MAGIC}`)"
            ),
            CheckpointErrorKind::WindowsLineEndings => write!(
                f,
                "checkpoint{path}: its lines end with \\r\\n (Windows line endings, as after a \
                 conversion by an editor or a file transfer), but a checkpoint's lines end with \\n \
                 alone: convert it back, for example with tr -d '\\r' < old.ckpt > new.ckpt"
            ),
            CheckpointErrorKind::NotUtf8 { offset } => write!(
                f,
                "checkpoint{path}: damaged: not valid UTF-8 at byte offset {offset}"
            ),
            CheckpointErrorKind::NewerVersion { version } => write!(
                f,
                "checkpoint{path} was written by a newer version of min-char-rnn (format \
                 version {version}; this one reads versions {FORMAT_VERSION} and \
                 {NETWORK_FORMAT_VERSION}): upgrade min-char-rnn to load it"
            ),
            CheckpointErrorKind::WrongFormat { found, expected } => write!(
                f,
                "checkpoint{path} is of format version {found} ({}), but format version \
                 {expected} ({}) is read here",
                format_description(*found),
                format_description(*expected)
            ),
            CheckpointErrorKind::Invalid {
                line: Some(line),
                message,
            } => write!(f, "checkpoint{path}: line {line}: {message}"),
            CheckpointErrorKind::Invalid {
                line: None,
                message,
            } => write!(f, "checkpoint{path}: {message}"),
            CheckpointErrorKind::NotFinite { name } => write!(
                f,
                "refusing to save checkpoint{path}: {name} holds a value that is not a finite \
                 number"
            ),
            CheckpointErrorKind::NotFiniteValue { name } => write!(
                f,
                "refusing to save checkpoint{path}: {name} holds a value that is not a finite \
                 number"
            ),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            CheckpointErrorKind::Read(e) | CheckpointErrorKind::Write(e) => Some(e),
            _ => None,
        }
    }
}

/// What a format version holds, for messages.
fn format_description(version: u64) -> &'static str {
    match version {
        FORMAT_VERSION => "the vanilla RNN of `min-char-rnn train` with its original settings",
        NETWORK_FORMAT_VERSION => "a network trained like char-rnn, `min-char-rnn train --cell …`",
        _ => "unknown",
    }
}

/// An I/O error's message, lowercased at the start to read well after a colon
/// ("no such file or directory (os error 2)").
fn io_message(e: &io::Error) -> String {
    let message = e.to_string();
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => message,
    }
}

/// FNV-1a (64 bits) of the UTF-8 bytes of the characters `data` spells in `vocab`: a cheap
/// fingerprint of the text a run trains on, so that resuming on another text can be noticed.
///
/// `h = 0xcbf29ce484222325; for each byte b: h = (h ^ b) · 0x100000001b3 (mod 2⁶⁴)`.
///
/// # Panics
///
/// If an index in `data` is `>= vocab.len()`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vocab, checkpoint::fingerprint};
/// let vocab = Vocab::from_text("ab");
/// assert_eq!(fingerprint(&vocab, &[]), 0xcbf29ce484222325);
/// assert_eq!(fingerprint(&vocab, &[0]), 0xaf63dc4c8601ec8c); // FNV-1a of "a"
/// ```
// ANCHOR: fingerprint
#[track_caller]
pub fn fingerprint(vocab: &Vocab, data: &[usize]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut buffer = [0u8; 4];
    for &ix in data {
        for &byte in vocab.ix_to_char(ix).encode_utf8(&mut buffer).as_bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
// ANCHOR_END: fingerprint

impl Checkpoint {
    /// The checkpoint of `trainer`'s run now, on the text `trainer.data()` spells in `vocab`,
    /// with no validation and an empty history.
    ///
    /// # Panics
    ///
    /// If `vocab` does not have the trainer's `V` characters.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Checkpoint};
    /// let vocab = Vocab::from_text("abc");
    /// let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
    /// let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
    /// let checkpoint = Checkpoint::from_trainer(&trainer, &vocab);
    /// assert_eq!((checkpoint.state.iteration, checkpoint.data_chars), (0, 4));
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    #[track_caller]
    pub fn from_trainer(trainer: &Trainer, vocab: &Vocab) -> Checkpoint {
        assert!(
            vocab.len() == trainer.params.vocab_size(),
            "from_trainer: the vocabulary has {} characters, the parameters expect {}",
            vocab.len(),
            trainer.params.vocab_size()
        );
        Checkpoint {
            vocab: vocab.clone(),
            state: trainer.state(),
            val_fraction: 0.0,
            data_chars: trainer.data().len(),
            data_fnv1a64: fingerprint(vocab, trainer.data()),
            loss_history: Vec::new(),
            val_history: Vec::new(),
        }
    }

    /// The checkpoint in the text format described in the [module documentation](self).
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Checkpoint};
    /// # let vocab = Vocab::from_text("abc");
    /// # let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
    /// # let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
    /// let text = Checkpoint::from_trainer(&trainer, &vocab).to_text();
    /// assert!(text.starts_with("min-char-rnn checkpoint\nversion 1\nhidden_size 2\n"));
    /// assert!(text.contains("\nvocab 97 98 99\n@ w_xh 2 3\n"));
    /// assert!(text.ends_with("\nend\n"));
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn to_text(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail, and the writer writes only UTF-8.
        let _ = self.snapshot().write_to(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The checkpoint as a [`Snapshot`]: the same values, borrowed.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Checkpoint};
    /// # let vocab = Vocab::from_text("abc");
    /// # let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
    /// # let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
    /// let checkpoint = Checkpoint::from_trainer(&trainer, &vocab);
    /// assert_eq!(checkpoint.snapshot().iteration, 0);
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn snapshot(&self) -> Snapshot<'_> {
        let s = &self.state;
        Snapshot {
            vocab: &self.vocab,
            hyperparams: s.hyperparams,
            params: &s.params,
            memory: &s.memory,
            iteration: s.iteration,
            pointer: s.pointer,
            h_prev: &s.h_prev,
            smooth_loss: s.smooth_loss,
            rng_state: s.rng_state,
            val_fraction: self.val_fraction,
            data_chars: self.data_chars,
            data_fnv1a64: self.data_fnv1a64,
            loss_history: &self.loss_history,
            val_history: &self.val_history,
        }
    }

    /// Writes the checkpoint to `path` atomically ([`write_atomic`]): a reader, or a process
    /// killed half-way, sees the old file or the new one, never a mixture. The same as
    /// [`Snapshot::save`] of [`Checkpoint::snapshot`].
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::NotFinite`] (and nothing is written) if a value is NaN or
    /// infinite; [`CheckpointErrorKind::Write`] if the file cannot be written.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Checkpoint};
    /// # let vocab = Vocab::from_text("abc");
    /// # let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
    /// # let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
    /// let path = std::env::temp_dir().join(format!("doc-save-{}.ckpt", std::process::id()));
    /// let checkpoint = Checkpoint::from_trainer(&trainer, &vocab);
    /// checkpoint.save(&path)?;
    /// assert_eq!(Checkpoint::load(&path)?, checkpoint);
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        self.snapshot().save(path)
    }

    /// Reads and checks the checkpoint at `path`.
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::Read`] if the file cannot be read, and any error of
    /// [`Checkpoint::parse`], each naming `path`.
    ///
    /// # Examples
    ///
    /// ```
    /// let err = min_char_rnn::checkpoint::Checkpoint::load("nowhere.ckpt").unwrap_err();
    /// assert!(err.to_string().starts_with("cannot read checkpoint nowhere.ckpt: "));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Checkpoint, CheckpointError> {
        let path = path.as_ref();
        let bytes = read_file(path)?;
        Checkpoint::parse(&bytes).map_err(|e| e.with_path(path))
    }

    /// Reads a checkpoint from the bytes of a file, checking everything (see the
    /// [module documentation](self)).
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::NotACheckpoint`] if the first line is not [`MAGIC`],
    /// [`CheckpointErrorKind::NotUtf8`], [`CheckpointErrorKind::NewerVersion`],
    /// [`CheckpointErrorKind::WrongFormat`] for a version-2 file (read it with
    /// [`NetworkCheckpoint`] or [`AnyCheckpoint`]), and [`CheckpointErrorKind::Invalid`] with
    /// the line and the problem for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::checkpoint::Checkpoint;
    /// let err = Checkpoint::parse(b"min-char-rnn checkpoint\nversion 3\n").unwrap_err();
    /// assert!(err.to_string().contains("newer version"));
    /// let err = Checkpoint::parse(b"min-char-rnn checkpoint\nversion 1\n").unwrap_err();
    /// assert_eq!(err.to_string(), "checkpoint: line 3: the file ends early: expected `hidden_size <value>`");
    /// ```
    // ANCHOR: parse
    pub fn parse(bytes: &[u8]) -> Result<Checkpoint, CheckpointError> {
        let mut reader = open(bytes)?; // the magic line, UTF-8
        read_version(&mut reader, FORMAT_VERSION)?;
        let header = read_header(&mut reader)?;
        let (v, h) = (header.vocab.len(), header.hyperparams.hidden_size);
        let params = read_params(&mut reader, "", v, h)?;
        let memory = read_params(&mut reader, "mem_", v, h)?;
        check_memory(&memory)?;
        let h_prev = Vector::from_vec(reader.block("h_prev", Some(h), 1)?.values);
        if let Some(x) = h_prev.as_slice().iter().find(|x| x.abs() > 1.0) {
            return Err(CheckpointError::invalid(
                None,
                format!("h_prev holds {x:?}, outside tanh's range [-1, 1]"),
            ));
        }
        let loss_history = read_history(&mut reader, "loss_history", header.iteration)?;
        let val_history = read_history(&mut reader, "val_history", header.iteration)?;
        read_end(&mut reader, bytes)?; // `end`, a final newline, nothing after
        Ok(Checkpoint {
            vocab: header.vocab,
            state: TrainState {
                hyperparams: header.hyperparams,
                params,
                memory,
                iteration: header.iteration,
                pointer: header.pointer,
                h_prev,
                smooth_loss: header.smooth_loss,
                rng_state: header.rng_state,
            },
            val_fraction: header.val_fraction,
            data_chars: header.data_chars,
            data_fnv1a64: header.data_fnv1a64,
            loss_history,
            val_history,
        })
    }
    // ANCHOR_END: parse
}

/// Why a file whose first line is `first_line` is not read: Windows line endings, a byte
/// order mark, or something else entirely.
fn not_a_checkpoint(first_line: &[u8]) -> CheckpointError {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let kind = if first_line.strip_suffix(b"\r") == Some(MAGIC.as_bytes()) {
        CheckpointErrorKind::WindowsLineEndings
    } else if first_line
        .strip_prefix(BOM)
        .is_some_and(|rest| rest.starts_with(MAGIC.as_bytes()))
    {
        CheckpointErrorKind::Invalid {
            line: Some(1),
            message: "the file starts with a byte order mark (the bytes EF BB BF that some \
                      editors add): remove it, the first line must be `min-char-rnn checkpoint`"
                .to_string(),
        }
    } else {
        CheckpointErrorKind::NotACheckpoint
    };
    CheckpointError { path: None, kind }
}

/// The names of Adagrad's memory blocks, in the order of [`PARAM_NAMES`].
const MEM_NAMES: [&str; 5] = ["mem_w_xh", "mem_w_hh", "mem_w_hy", "mem_b_h", "mem_b_y"];

/// A checkpoint to be written, borrowing what it holds: the values of a [`Checkpoint`]
/// without the copies. The command line saves from a snapshot of the running trainer, so a
/// save needs no second copy of the parameters and of Adagrad's memory, and the file is
/// streamed to the disk ([`Snapshot::write_to`]) rather than built in memory first.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::{Checkpoint, Snapshot}};
/// let vocab = Vocab::from_text("abc");
/// let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
/// let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
/// let snapshot = Snapshot::of_trainer(&trainer, &vocab);
/// let mut file = Vec::new();
/// snapshot.write_to(&mut file)?;
/// assert_eq!(Checkpoint::parse(&file)?, Checkpoint::from_trainer(&trainer, &vocab));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Snapshot<'a> {
    /// The characters the network knows, sorted.
    pub vocab: &'a Vocab,
    /// `H`, `T` and the learning rate.
    pub hyperparams: Hyperparams,
    /// The learned parameters.
    pub params: &'a Params,
    /// Adagrad's memory, shaped like `params`.
    pub memory: &'a Params,
    /// Iterations done.
    pub iteration: usize,
    /// Where the next chunk starts.
    pub pointer: usize,
    /// The memory carried into the next chunk, `(H)`.
    pub h_prev: &'a Vector,
    /// The smooth loss.
    pub smooth_loss: f64,
    /// The random generator's state.
    pub rng_state: u64,
    /// See [`Checkpoint::val_fraction`].
    pub val_fraction: f64,
    /// See [`Checkpoint::data_chars`].
    pub data_chars: usize,
    /// See [`Checkpoint::data_fnv1a64`].
    pub data_fnv1a64: u64,
    /// See [`Checkpoint::loss_history`].
    pub loss_history: &'a [(usize, f64)],
    /// See [`Checkpoint::val_history`].
    pub val_history: &'a [(usize, f64)],
}

impl<'a> Snapshot<'a> {
    /// The snapshot of `trainer`'s run now, as [`Checkpoint::from_trainer`] makes it (no
    /// validation, an empty history, the fingerprint of `trainer.data()`), but borrowed.
    ///
    /// # Panics
    ///
    /// If `vocab` does not have the trainer's `V` characters.
    #[track_caller]
    pub fn of_trainer(trainer: &'a Trainer, vocab: &'a Vocab) -> Snapshot<'a> {
        assert!(
            vocab.len() == trainer.params.vocab_size(),
            "of_trainer: the vocabulary has {} characters, the parameters expect {}",
            vocab.len(),
            trainer.params.vocab_size()
        );
        Snapshot {
            vocab,
            hyperparams: trainer.hyperparams,
            params: &trainer.params,
            memory: &trainer.adagrad.memory,
            iteration: trainer.iteration,
            pointer: trainer.pointer,
            h_prev: &trainer.h_prev,
            smooth_loss: trainer.smooth_loss,
            rng_state: trainer.rng.get_seed(),
            val_fraction: 0.0,
            data_chars: trainer.data().len(),
            data_fnv1a64: fingerprint(vocab, trainer.data()),
            loss_history: &[],
            val_history: &[],
        }
    }

    /// Writes the checkpoint in the text format of the [module documentation](self) to
    /// `out`, line by line: nothing bigger than one number is built in memory (give it a
    /// buffered writer).
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    // ANCHOR: write_to
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let hp = &self.hyperparams;
        writeln!(out, "{MAGIC}")?;
        writeln!(out, "version {FORMAT_VERSION}")?;
        writeln!(out, "hidden_size {}", hp.hidden_size)?;
        writeln!(out, "seq_length {}", hp.seq_length)?;
        writeln!(out, "learning_rate {:?}", hp.learning_rate)?;
        writeln!(out, "iteration {}", self.iteration)?;
        writeln!(out, "pointer {}", self.pointer)?;
        writeln!(out, "smooth_loss {:?}", self.smooth_loss)?;
        writeln!(out, "rng_state {}", self.rng_state)?;
        writeln!(out, "val_fraction {:?}", self.val_fraction)?;
        writeln!(out, "data_chars {}", self.data_chars)?;
        writeln!(out, "data_fnv1a64 {:016x}", self.data_fnv1a64)?;
        write!(out, "vocab")?;
        for &ch in self.vocab.chars() {
            write!(out, " {}", u32::from(ch))?;
        }
        writeln!(out)?;
        write_params(out, "", self.params)?;
        write_params(out, "mem_", self.memory)?;
        write_block(out, "h_prev", self.h_prev.len(), 1, self.h_prev.as_slice())?;
        write_history(out, "loss_history", self.loss_history)?;
        write_history(out, "val_history", self.val_history)?;
        writeln!(out, "end")
    }
    // ANCHOR_END: write_to

    /// Writes the checkpoint to `path` atomically ([`write_atomic_with`]), streaming it into
    /// the temporary file.
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::NotFinite`] (and nothing is written) if a value is NaN or
    /// infinite; [`CheckpointErrorKind::Write`] if the file cannot be written (the file at
    /// `path` is then untouched).
    // ANCHOR: save
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        if let Some(name) = self.first_non_finite() {
            return Err(CheckpointError {
                path: Some(path.to_path_buf()),
                kind: CheckpointErrorKind::NotFinite { name },
            });
        }
        write_atomic_with(path, |file| self.write_to(file)).map_err(|e| CheckpointError {
            path: Some(path.to_path_buf()),
            kind: CheckpointErrorKind::Write(e),
        })
    }
    // ANCHOR_END: save

    /// The name of the first value that is NaN or infinite, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// # use min_char_rnn::{Hyperparams, Trainer, Vocab, checkpoint::Snapshot};
    /// # let vocab = Vocab::from_text("abc");
    /// # let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
    /// let mut trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
    /// assert_eq!(Snapshot::of_trainer(&trainer, &vocab).first_non_finite(), None);
    /// trainer.params.b_y.as_mut_slice()[0] = f64::INFINITY;
    /// assert_eq!(Snapshot::of_trainer(&trainer, &vocab).first_non_finite(), Some("b_y"));
    /// # Ok::<(), min_char_rnn::TrainError>(())
    /// ```
    pub fn first_non_finite(&self) -> Option<&'static str> {
        let scalars = [
            ("learning_rate", self.hyperparams.learning_rate),
            ("smooth_loss", self.smooth_loss),
            ("val_fraction", self.val_fraction),
        ];
        for (name, value) in scalars {
            if !value.is_finite() {
                return Some(name);
            }
        }
        let memory = self.memory.slices();
        for (k, (name, values)) in self.params.slices().into_iter().enumerate() {
            if !all_finite(values) {
                return Some(name);
            }
            if !all_finite(memory[k].1) {
                return Some(MEM_NAMES[k]);
            }
        }
        if !all_finite(self.h_prev.as_slice()) {
            return Some("h_prev");
        }
        for (name, history) in [
            ("loss_history", self.loss_history),
            ("val_history", self.val_history),
        ] {
            if history.iter().any(|&(_, loss)| !loss.is_finite()) {
                return Some(name);
            }
        }
        None
    }
}

fn all_finite(values: &[f64]) -> bool {
    values.iter().all(|x| x.is_finite())
}

/// Writes one block: `@ name rows cols`, then `rows` lines of `cols` numbers.
// ANCHOR: write_block
fn write_block(
    out: &mut impl Write,
    name: &str,
    rows: usize,
    cols: usize,
    values: &[f64],
) -> io::Result<()> {
    writeln!(out, "@ {name} {rows} {cols}")?;
    for r in 0..rows {
        for c in 0..cols {
            if c > 0 {
                out.write_all(b" ")?;
            }
            write!(out, "{:?}", values[r * cols + c])?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}
// ANCHOR_END: write_block

/// Writes the five parameter blocks, names prefixed with `prefix`.
fn write_params(out: &mut impl Write, prefix: &str, params: &Params) -> io::Result<()> {
    let matrices = [&params.w_xh, &params.w_hh, &params.w_hy];
    for (k, m) in matrices.into_iter().enumerate() {
        let name = format!("{prefix}{}", PARAM_NAMES[k]);
        write_block(out, &name, m.rows(), m.cols(), m.as_slice())?;
    }
    let vectors = [&params.b_h, &params.b_y];
    for (k, v) in vectors.into_iter().enumerate() {
        let name = format!("{prefix}{}", PARAM_NAMES[3 + k]);
        write_block(out, &name, v.len(), 1, v.as_slice())?;
    }
    Ok(())
}

/// Writes a history as an `(n, 2)` block of `iteration, value` rows.
fn write_history(out: &mut impl Write, name: &str, history: &[(usize, f64)]) -> io::Result<()> {
    writeln!(out, "@ {name} {} 2", history.len())?;
    for &(iteration, value) in history {
        writeln!(out, "{:?} {value:?}", iteration as f64)?;
    }
    Ok(())
}

/// A line-by-line reader that knows its line numbers.
struct Reader<'a> {
    lines: Vec<&'a str>,
    /// Index of the next line to read, which is also the 1-based number of the last one read.
    next: usize,
}

/// A block read from the file.
struct Block {
    rows: usize,
    values: Vec<f64>,
}

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            lines: text.split('\n').collect(),
            next: 0,
        }
    }

    /// The next line and its number, or an error if the file ends (a final empty string
    /// after the last `\n` does not count as a line).
    fn next_line(&mut self) -> Result<(usize, &'a str), CheckpointError> {
        self.next_line_or(|| "the file ends early".to_string())
    }

    fn next_line_or(
        &mut self,
        expected: impl FnOnce() -> String,
    ) -> Result<(usize, &'a str), CheckpointError> {
        let is_last_empty = self.next + 1 == self.lines.len() && self.lines[self.next].is_empty();
        if self.next >= self.lines.len() || is_last_empty {
            return Err(CheckpointError::at(self.next + 1, expected()));
        }
        let line = self.lines[self.next];
        self.next += 1;
        Ok((self.next, line))
    }

    /// Reads the line `key value` and returns `value`.
    fn key(&mut self, key: &str) -> Result<(usize, &'a str), CheckpointError> {
        let (n, line) =
            self.next_line_or(|| format!("the file ends early: expected `{key} <value>`"))?;
        match line.split_once(' ') {
            Some((k, value)) if k == key => Ok((n, value)),
            _ => Err(CheckpointError::at(
                n,
                format!("expected `{key} <value>`, found `{}`", shorten(line)),
            )),
        }
    }

    /// Reads the block `name`, checking its shape: `rows` if given (else any), `cols`.
    // ANCHOR: read_block
    fn block(
        &mut self,
        name: &str,
        rows: Option<usize>,
        cols: usize,
    ) -> Result<Block, CheckpointError> {
        let shape = match rows {
            Some(r) => format!("{r} {cols}"),
            None => format!("<rows> {cols}"),
        };
        let (n, line) = self.next_line_or(|| {
            format!("the file ends early: expected the block `@ {name} {shape}`")
        })?;
        let fields: Vec<&str> = line.split(' ').collect();
        let wrong_header = || {
            CheckpointError::at(
                n,
                format!(
                    "expected the block `@ {name} {shape}`, found `{}`",
                    shorten(line)
                ),
            )
        };
        if fields.len() != 4 || fields[0] != "@" || fields[1] != name {
            return Err(wrong_header());
        }
        let (Ok(found_rows), Ok(found_cols)) =
            (fields[2].parse::<usize>(), fields[3].parse::<usize>())
        else {
            return Err(wrong_header());
        };
        if found_cols != cols || rows.is_some_and(|r| r != found_rows) {
            return Err(CheckpointError::at(
                n,
                format!(
                    "{name} is {found_rows} x {found_cols}, but the vocabulary and hidden_size \
                     make it {shape}",
                    shape = shape.replace(' ', " x ")
                ),
            ));
        }
        // Never trust a row count to size an allocation: read what is actually there.
        let mut values = Vec::new();
        for r in 0..found_rows {
            let (n, line) = self.next_line_or(|| {
                format!("the file ends early: {name} has {found_rows} rows, found {r}")
            })?;
            let count = line.split(' ').count();
            if count != cols {
                return Err(CheckpointError::at(
                    n,
                    format!("row {r} of {name} has {count} fields, expected {cols} numbers"),
                ));
            }
            for token in line.split(' ') {
                values.push(parse_finite(token, n, name)?);
            }
        }
        Ok(Block {
            rows: found_rows,
            values,
        })
    }
    // ANCHOR_END: read_block
}

/// `line` cut to a readable length for an error message.
fn shorten(line: &str) -> String {
    const MAX: usize = 60;
    match line.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    }
}

/// A number that must be finite.
fn parse_finite(token: &str, line: usize, name: &str) -> Result<f64, CheckpointError> {
    match token.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        Ok(x) => Err(CheckpointError::at(
            line,
            format!("{name} holds {x}, which is not a finite number"),
        )),
        Err(_) => Err(CheckpointError::at(
            line,
            format!("{name}: `{}` is not a number", shorten(token)),
        )),
    }
}

fn parse_usize(value: &str, line: usize, key: &str) -> Result<usize, CheckpointError> {
    value.parse::<usize>().map_err(|_| {
        CheckpointError::at(
            line,
            format!("{key} must be a whole number, found `{}`", shorten(value)),
        )
    })
}

/// The bytes of the checkpoint at `path`, or an error naming it.
fn read_file(path: &Path) -> Result<Vec<u8>, CheckpointError> {
    fs::read(path).map_err(|e| CheckpointError {
        path: Some(path.to_path_buf()),
        kind: CheckpointErrorKind::Read(e),
    })
}

/// The start of a checkpoint of any version: the magic line, compared as bytes before
/// anything else (so that a picture gets "not a checkpoint", not a message about UTF-8),
/// then the whole file as UTF-8. Returns a reader past the magic line.
// ANCHOR: open
fn open(bytes: &[u8]) -> Result<Reader<'_>, CheckpointError> {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(&[]);
    if first_line != MAGIC.as_bytes() {
        return Err(not_a_checkpoint(first_line));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| CheckpointError {
        path: None,
        kind: CheckpointErrorKind::NotUtf8 {
            offset: e.valid_up_to(),
        },
    })?;
    let mut reader = Reader::new(text);
    reader.next_line()?; // the magic, checked above
    Ok(reader)
}
// ANCHOR_END: open

/// The last line of a checkpoint of any version: `end`, then a final newline and nothing
/// after it, so that a file cut short right after a complete block is still noticed.
// ANCHOR: read_end
fn read_end(reader: &mut Reader<'_>, bytes: &[u8]) -> Result<(), CheckpointError> {
    let (line_number, line) = reader.next_line()?;
    if line != "end" {
        return Err(CheckpointError::at(
            line_number,
            format!("expected `end`, found `{}`", shorten(line)),
        ));
    }
    if !bytes.ends_with(b"\n") {
        return Err(CheckpointError::at(
            line_number,
            "the file ends without a newline after `end`",
        ));
    }
    if reader.next + 1 < reader.lines.len() {
        return Err(CheckpointError::at(
            line_number + 1,
            "unexpected text after the `end` line",
        ));
    }
    Ok(())
}
// ANCHOR_END: read_end

/// Reads `version N` and accepts only `expected`: a file of the crate's other version is
/// [`CheckpointErrorKind::WrongFormat`] (version 1 is [`Checkpoint`]'s, version 2
/// [`NetworkCheckpoint`]'s).
fn read_version(reader: &mut Reader<'_>, expected: u64) -> Result<(), CheckpointError> {
    let version = read_version_number(reader)?;
    if version != expected {
        return Err(CheckpointError {
            path: None,
            kind: CheckpointErrorKind::WrongFormat {
                found: version,
                expected,
            },
        });
    }
    Ok(())
}

/// Reads `version N`, a version this crate knows: 1 or 2.
fn read_version_number(reader: &mut Reader<'_>) -> Result<u64, CheckpointError> {
    let (n, value) = reader.key("version")?;
    let version = parse_usize(value, n, "version")? as u64;
    if version > NETWORK_FORMAT_VERSION {
        return Err(CheckpointError {
            path: None,
            kind: CheckpointErrorKind::NewerVersion { version },
        });
    }
    if version < FORMAT_VERSION {
        return Err(CheckpointError::at(
            n,
            format!("unknown format version {version}"),
        ));
    }
    Ok(version)
}

/// The `key value` lines.
struct Header {
    hyperparams: Hyperparams,
    iteration: usize,
    pointer: usize,
    smooth_loss: f64,
    rng_state: u64,
    val_fraction: f64,
    data_chars: usize,
    data_fnv1a64: u64,
    vocab: Vocab,
}

// ANCHOR: read_header
fn read_header(reader: &mut Reader<'_>) -> Result<Header, CheckpointError> {
    let mut values = [(0, ""); KEYS.len()];
    for (k, key) in KEYS.iter().enumerate() {
        values[k] = reader.key(key)?;
    }
    let [
        hidden_size,
        seq_length,
        learning_rate,
        iteration,
        pointer,
        smooth_loss,
        rng_state,
        val_fraction,
        data_chars,
        data_fnv1a64,
        vocab,
    ] = values;
    let number = |(n, value): (usize, &str), key: &str| parse_finite(value, n, key);
    let whole = |(n, value): (usize, &str), key: &str| parse_usize(value, n, key);
    let hyperparams = Hyperparams {
        hidden_size: whole(hidden_size, "hidden_size")?,
        seq_length: whole(seq_length, "seq_length")?,
        learning_rate: number(learning_rate, "learning_rate")?,
    };
    hyperparams
        .validate()
        .map_err(|e| CheckpointError::at(hidden_size.0, e.to_string()))?;
    let header = Header {
        hyperparams,
        iteration: whole(iteration, "iteration")?,
        pointer: whole(pointer, "pointer")?,
        smooth_loss: number(smooth_loss, "smooth_loss")?,
        rng_state: rng_state.1.parse::<u64>().map_err(|_| {
            CheckpointError::at(rng_state.0, "rng_state must be a whole number below 2^64")
        })?,
        val_fraction: number(val_fraction, "val_fraction")?,
        data_chars: whole(data_chars, "data_chars")?,
        data_fnv1a64: u64::from_str_radix(data_fnv1a64.1, 16).map_err(|_| {
            CheckpointError::at(data_fnv1a64.0, "data_fnv1a64 must be a hexadecimal number")
        })?,
        vocab: read_vocab(vocab.0, vocab.1)?,
    };
    check_header(&header, values_lines(&values))?;
    Ok(header)
}
// ANCHOR_END: read_header

/// The line numbers of the header keys, by key.
fn values_lines(values: &[(usize, &str); KEYS.len()]) -> [usize; KEYS.len()] {
    let mut lines = [0; KEYS.len()];
    for k in 0..KEYS.len() {
        lines[k] = values[k].0;
    }
    lines
}

/// The consistency of the header's numbers with each other.
// ANCHOR: check_header
fn check_header(h: &Header, lines: [usize; KEYS.len()]) -> Result<(), CheckpointError> {
    let line = |key: &str| lines[KEYS.iter().position(|k| *k == key).unwrap_or(0)];
    let t = h.hyperparams.seq_length;
    if h.smooth_loss < 0.0 {
        return Err(CheckpointError::at(
            line("smooth_loss"),
            "smooth_loss is negative, but a loss never is",
        ));
    }
    if !(0.0..1.0).contains(&h.val_fraction) {
        return Err(CheckpointError::at(
            line("val_fraction"),
            format!("val_fraction must be in [0, 1), found {}", h.val_fraction),
        ));
    }
    if h.data_chars <= t {
        return Err(CheckpointError::at(
            line("data_chars"),
            format!(
                "data_chars is {}, but training needs at least seq_length + 1 = {}",
                h.data_chars,
                t.saturating_add(1)
            ),
        ));
    }
    let pointer_ok = if h.iteration == 0 {
        h.pointer == 0
    } else {
        h.pointer < h.data_chars && h.pointer % t == 0
    };
    if !pointer_ok {
        return Err(CheckpointError::at(
            line("pointer"),
            format!(
                "pointer {} is impossible after {} iteration(s) over {} characters with \
                 seq_length {t}",
                h.pointer, h.iteration, h.data_chars
            ),
        ));
    }
    Ok(())
}
// ANCHOR_END: check_header

/// `vocab 10 32 …`: sorted, distinct code points of at least 2 characters.
fn read_vocab(line: usize, value: &str) -> Result<Vocab, CheckpointError> {
    let mut chars = Vec::new();
    for token in value.split(' ') {
        let ch = token.parse::<u32>().ok().and_then(char::from_u32);
        match ch {
            Some(ch) => chars.push(ch),
            None => {
                return Err(CheckpointError::at(
                    line,
                    format!(
                        "vocab: `{}` is not a Unicode code point in decimal",
                        shorten(token)
                    ),
                ));
            }
        }
    }
    if chars.len() < 2 {
        return Err(CheckpointError::at(
            line,
            "the vocabulary must have at least 2 characters",
        ));
    }
    Vocab::from_chars(chars).map_err(|e| CheckpointError::at(line, e.to_string()))
}

/// The five blocks of a `Params`, shaped by `V` and `H`.
fn read_params(
    reader: &mut Reader<'_>,
    prefix: &str,
    v: usize,
    h: usize,
) -> Result<Params, CheckpointError> {
    let names = if prefix.is_empty() {
        PARAM_NAMES
    } else {
        MEM_NAMES
    };
    let w_xh = reader.block(names[0], Some(h), v)?; // (H, V)
    let w_hh = reader.block(names[1], Some(h), h)?; // (H, H)
    let w_hy = reader.block(names[2], Some(v), h)?; // (V, H)
    let b_h = reader.block(names[3], Some(h), 1)?; // (H)
    let b_y = reader.block(names[4], Some(v), 1)?; // (V)
    Ok(Params {
        w_xh: Matrix::from_vec(h, v, w_xh.values),
        w_hh: Matrix::from_vec(h, h, w_hh.values),
        w_hy: Matrix::from_vec(v, h, w_hy.values),
        b_h: Vector::from_vec(b_h.values),
        b_y: Vector::from_vec(b_y.values),
    })
}

/// Adagrad's memory is a sum of squares: never negative.
fn check_memory(memory: &Params) -> Result<(), CheckpointError> {
    for (k, (_, values)) in memory.slices().into_iter().enumerate() {
        if let Some(x) = values.iter().find(|&&x| x < 0.0) {
            return Err(CheckpointError::invalid(
                None,
                format!(
                    "{} holds {x:?}, but Adagrad's memory is a sum of squares",
                    MEM_NAMES[k]
                ),
            ));
        }
    }
    Ok(())
}

/// An `(n, 2)` block of `(iteration, value)`, iterations whole, increasing, below `until`.
fn read_history(
    reader: &mut Reader<'_>,
    name: &str,
    until: usize,
) -> Result<Vec<(usize, f64)>, CheckpointError> {
    let block = reader.block(name, None, 2)?;
    let mut history = Vec::with_capacity(block.rows);
    for r in 0..block.rows {
        let (at, value) = (block.values[2 * r], block.values[2 * r + 1]);
        let previous = history.last().map(|&(i, _): &(usize, f64)| i as f64);
        let whole = at >= 0.0 && at.fract() == 0.0 && at < until as f64;
        if !whole || previous.is_some_and(|p| at <= p) {
            return Err(CheckpointError::invalid(
                None,
                format!(
                    "{name}: row {r} is at iteration {at:?}, which is not a whole number \
                     increasing from the row before and below the iteration {until}"
                ),
            ));
        }
        history.push((at as usize, value));
    }
    Ok(history)
}

/// Writes `contents` to `path` so that `path` always holds either its old contents or all of
/// the new ones: [`write_atomic_with`] with a writer that writes `contents`.
///
/// # Errors
///
/// As [`write_atomic_with`].
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::write_atomic;
/// let path = std::env::temp_dir().join(format!("doc-atomic-{}.txt", std::process::id()));
/// write_atomic(&path, b"first")?;
/// write_atomic(&path, b"second")?;
/// assert_eq!(std::fs::read(&path)?, b"second");
/// assert!(write_atomic(std::path::Path::new("/no/such/dir/x"), b"x").is_err());
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomic_with(path, |file| file.write_all(contents))
}

/// Calls `write` with a buffered temporary file in the same directory as `path`, flushes it
/// to the disk (`sync_all`), then renames it over `path` (atomic within a file system), so
/// that `path` always holds either its old contents or all of the new ones.
///
/// Only a regular file is ever replaced ([`save_target`]): if `path` is a symbolic link, the
/// file it points to is replaced and the link stays a link; a directory, a device, a FIFO, a
/// socket, a dangling link and a read-only file are refused before anything is written. The
/// replaced file's permissions are given to the new one.
///
/// # Errors
///
/// A refusal of [`save_target`], an error of `write`, or any I/O error (the directory does
/// not exist or is not writable, the disk is full, …); the temporary file is then removed
/// and `path` is untouched.
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::write_atomic_with;
/// use std::io::Write;
/// let path = std::env::temp_dir().join(format!("doc-atomic-with-{}.txt", std::process::id()));
/// write_atomic_with(&path, |file| {
///     for line in ["one", "two"] {
///         writeln!(file, "{line}")?;
///     }
///     Ok(())
/// })?;
/// assert_eq!(std::fs::read_to_string(&path)?, "one\ntwo\n");
/// assert!(write_atomic_with(&std::env::temp_dir(), |_| Ok(())).is_err()); // a directory
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), std::io::Error>(())
/// ```
// ANCHOR: write_atomic
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let target = save_target(path)?; // the regular file to replace (through a link), if any
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let temp = temporary_path(&target.path, unique)?;
    let result = write_then_rename(&temp, &target, write);
    if result.is_err() {
        let _ = fs::remove_file(&temp); // may not exist: nothing more to clean
    } else if let Ok(dir) = fs::File::open(parent_dir(&target.path)) {
        // Make the rename itself durable; not every system can open a directory, and
        // the data is safe either way.
        let _ = dir.sync_all();
    }
    result
}

fn write_then_rename(
    temp: &Path,
    target: &SaveTarget,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> io::Result<()>,
) -> io::Result<()> {
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(temp)?;
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    let file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
    if let Some(existing) = &target.existing {
        file.set_permissions(existing.permissions())?; // keep the replaced file's mode
    }
    file.sync_all()?;
    drop(file);
    save_target(&target.path)?; // still a regular file (or nothing) just before the rename
    fs::rename(temp, &target.path)
}
// ANCHOR_END: write_atomic

/// The file a save to a path replaces, found by [`save_target`].
#[derive(Debug)]
pub struct SaveTarget {
    /// The path the new file is renamed to: the given path, or the file a symbolic link
    /// there points to.
    pub path: PathBuf,
    /// The metadata of the file now at `path`, if there is one (always a regular file).
    pub existing: Option<fs::Metadata>,
}

/// What a save to `path` would replace, or why it must not.
///
/// A symbolic link is followed to the file it points to, so that the link stays a link and
/// its target gets the new contents. Refused, with an error that says why: a path that
/// names no file (it ends with `/` or `..`), anything that is not a regular file (a
/// directory, a device such as `/dev/null`, a FIFO, a socket), a link to nothing, and a
/// read-only file.
///
/// # Errors
///
/// The refusals above, as [`io::ErrorKind::InvalidInput`] or
/// [`io::ErrorKind::PermissionDenied`] (read-only), and any error reading the metadata.
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::save_target;
/// let dir = std::env::temp_dir();
/// assert!(save_target(&dir).is_err()); // a directory is never replaced
/// let new = dir.join(format!("doc-save-target-{}.ckpt", std::process::id()));
/// assert!(save_target(&new)?.existing.is_none()); // nothing there yet: fine
/// # Ok::<(), std::io::Error>(())
/// ```
// ANCHOR: save_target
pub fn save_target(path: &Path) -> io::Result<SaveTarget> {
    let refuse = |kind, why: String| io::Error::new(kind, why);
    let ends_with_separator = path
        .as_os_str()
        .to_string_lossy()
        .ends_with(std::path::is_separator);
    if ends_with_separator || path.file_name().is_none() {
        return Err(refuse(
            io::ErrorKind::InvalidInput,
            "the path names a directory, not a file (give a file name at its end)".to_string(),
        ));
    }
    let link = match fs::symlink_metadata(path) {
        // Nothing there (or no directory to hold it: creating the file will say so).
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(SaveTarget {
                path: path.to_path_buf(),
                existing: None,
            });
        }
        Err(e) => return Err(e),
        Ok(metadata) => metadata,
    };
    let (real, metadata) = if link.file_type().is_symlink() {
        let Ok(real) = fs::canonicalize(path) else {
            let to = fs::read_link(path).unwrap_or_default();
            return Err(refuse(
                io::ErrorKind::InvalidInput,
                format!(
                    "it is a symbolic link to {}, which does not exist",
                    to.display()
                ),
            ));
        };
        let metadata = fs::metadata(&real)?;
        (real, metadata)
    } else {
        (path.to_path_buf(), link)
    };
    if !metadata.file_type().is_file() {
        return Err(refuse(
            io::ErrorKind::InvalidInput,
            format!(
                "it is {}, not a regular file, and only a regular file is ever replaced",
                describe_file_type(&metadata.file_type())
            ),
        ));
    }
    if metadata.permissions().readonly() {
        return Err(refuse(
            io::ErrorKind::PermissionDenied,
            "it is read-only, and a read-only file is never replaced".to_string(),
        ));
    }
    Ok(SaveTarget {
        path: real,
        existing: Some(metadata),
    })
}
// ANCHOR_END: save_target

/// "a directory", "a character device", "a FIFO", …: what a file of type `file_type` is,
/// for messages.
///
/// # Examples
///
/// ```
/// let dir = std::fs::metadata(std::env::temp_dir())?;
/// assert_eq!(min_char_rnn::checkpoint::describe_file_type(&dir.file_type()), "a directory");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn describe_file_type(file_type: &fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
        if file_type.is_fifo() {
            return "a FIFO (a named pipe)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// The temporary file that [`write_atomic_with`] writes before renaming it to `path`:
/// `.NAME.PID-N.tmp` in the same directory, where NAME is `path`'s file name, PID the
/// process id and N a counter of the process's saves. The dot hides it from a listing; the
/// PID tells whether the process that wrote it still runs.
///
/// # Errors
///
/// [`io::ErrorKind::InvalidInput`] if `path` names no file.
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::temporary_path;
/// let temp = temporary_path("runs/a.ckpt".as_ref(), 3)?;
/// let expected = format!(".a.ckpt.{}-3.tmp", std::process::id());
/// assert_eq!(temp, std::path::Path::new("runs").join(expected));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn temporary_path(path: &Path, unique: usize) -> io::Result<PathBuf> {
    let Some(file_name) = path.file_name() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ));
    };
    Ok(parent_dir(path).join(format!(
        ".{}.{}-{unique}.tmp",
        file_name.to_string_lossy(),
        std::process::id()
    )))
}

/// The directory `path` is in: `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}
