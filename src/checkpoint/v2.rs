//! Format version 2: a Part II [`Network`] trained like char-rnn ([`NetworkTrainer`]), in the
//! same plain text as version 1 (see the [parent module](super) for the layout), and
//! [`AnyCheckpoint`], which reads either version.

use super::{
    Block, CheckpointError, CheckpointErrorKind, FORMAT_VERSION, MAGIC, NETWORK_FORMAT_VERSION,
    Reader, all_finite, fingerprint, parse_finite, parse_usize, read_history, read_vocab, shorten,
    write_atomic_with, write_block, write_history,
};
use crate::cells::CellKind;
use crate::charrnn::{
    CharRnnError, Clip, Config, DEFAULT_DROPOUT, NetworkTrainState, NetworkTrainer, split_sizes,
};
use crate::network::{Network, State};
use crate::optim::{OptimizerConfig, OptimizerKind, OptimizerState};
use crate::{Checkpoint, Matrix, Vocab};
use std::io::{self, Write};
use std::path::Path;

/// The header keys every version-2 file has, in the order they are written; the optional
/// `dropout` line, which older files lack, comes between `eval_every` and `iteration`.
const KEYS: [&str; 26] = [
    "cell",
    "num_layers",
    "hidden_size",
    "batch_size",
    "seq_length",
    "val_fraction",
    "optimizer",
    "learning_rate",
    "decay",
    "beta1",
    "beta2",
    "epsilon",
    "learning_rate_decay",
    "decay_after",
    "clip",
    "eval_every",
    "iteration",
    "optimizer_steps",
    "smooth_loss",
    "best_val",
    "rng_state",
    "data_chars",
    "data_fnv1a64",
    "train_chunks",
    "val_chunks",
    "vocab",
];

/// A Part II training run in one checkpoint: the vocabulary, the state of the
/// [`NetworkTrainer`], the fingerprint of the text and the histories for the plot.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::{Config, NetworkTrainer};
/// use min_char_rnn::checkpoint::NetworkCheckpoint;
/// use min_char_rnn::Vocab;
/// let text = "abcab cab ab ".repeat(8);
/// let vocab = Vocab::from_text(&text);
/// let data = vocab.encode(&text)?;
/// let mut config = Config::new(CellKind::Gru);
/// (config.num_layers, config.hidden_size, config.batch_size, config.seq_length) = (2, 3, 2, 4);
/// config.val_fraction = 0.2;
/// let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 7)?;
/// trainer.step()?;
/// let saved = NetworkCheckpoint::from_trainer(&trainer, &vocab, &data);
/// let text = saved.to_text();
/// assert!(text.starts_with("min-char-rnn checkpoint\nversion 2\ncell gru\nnum_layers 2\n"));
/// assert_eq!(NetworkCheckpoint::parse(text.as_bytes())?, saved); // bit for bit
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkCheckpoint {
    /// The characters the network knows, sorted.
    pub vocab: Vocab,
    /// Settings, weights, optimizer state, position, carried memories, smooth loss, best
    /// validation loss and random state.
    pub state: NetworkTrainState,
    /// How many characters the text has (all of them: the split is by chunks).
    pub data_chars: usize,
    /// [`fingerprint`] of the text, to notice a resume on a different one.
    pub data_fnv1a64: u64,
    /// `(iteration, smooth loss per character)` at each printed iteration, oldest first.
    pub loss_history: Vec<(usize, f64)>,
    /// `(iteration, validation loss per character)` at each evaluation, oldest first.
    pub val_history: Vec<(usize, f64)>,
}

/// A checkpoint of either version: what `sample`, `evaluate` and `train --resume` read.
///
/// # Examples
///
/// ```
/// use min_char_rnn::checkpoint::{AnyCheckpoint, Checkpoint};
/// use min_char_rnn::{Hyperparams, Trainer, Vocab};
/// let vocab = Vocab::from_text("abc");
/// let hp = Hyperparams { hidden_size: 2, seq_length: 2, learning_rate: 0.1 };
/// let trainer = Trainer::new(vec![0, 1, 2, 0], 3, hp, 1)?;
/// let text = Checkpoint::from_trainer(&trainer, &vocab).to_text();
/// assert!(matches!(AnyCheckpoint::parse(text.as_bytes())?, AnyCheckpoint::V1(_)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum AnyCheckpoint {
    /// Version 1: Part I's vanilla RNN and Adagrad.
    V1(Checkpoint),
    /// Version 2: a network trained like char-rnn.
    V2(NetworkCheckpoint),
}

impl AnyCheckpoint {
    /// Reads the checkpoint at `path`, of either version.
    ///
    /// # Errors
    ///
    /// As [`Checkpoint::load`] for anything that does not say `version 2` on its second
    /// line (so a damaged file gets version 1's messages), as [`NetworkCheckpoint::load`]
    /// otherwise.
    pub fn load(path: impl AsRef<Path>) -> Result<AnyCheckpoint, CheckpointError> {
        let path = path.as_ref();
        let bytes = super::read_file(path)?;
        AnyCheckpoint::parse(&bytes).map_err(|e| e.with_path(path))
    }

    /// Reads a checkpoint of either version from the bytes of a file.
    ///
    /// # Errors
    ///
    /// As [`AnyCheckpoint::load`].
    pub fn parse(bytes: &[u8]) -> Result<AnyCheckpoint, CheckpointError> {
        if is_version_2(bytes) {
            NetworkCheckpoint::parse(bytes).map(AnyCheckpoint::V2)
        } else {
            Checkpoint::parse(bytes).map(AnyCheckpoint::V1)
        }
    }
}

/// Whether the first two lines are the magic and `version 2`.
fn is_version_2(bytes: &[u8]) -> bool {
    let mut lines = bytes.split(|&b| b == b'\n');
    let version = format!("version {NETWORK_FORMAT_VERSION}");
    lines.next() == Some(MAGIC.as_bytes()) && lines.next() == Some(version.as_bytes())
}

/// Which optimizer moments a kind keeps (the table of [`optim`](crate::optim)'s docs):
/// `(first, second)`.
fn moments_kept(kind: OptimizerKind) -> (bool, bool) {
    match kind {
        OptimizerKind::Sgd => (false, false),
        OptimizerKind::Adagrad | OptimizerKind::Rmsprop => (false, true),
        OptimizerKind::Adam => (true, true),
    }
}

/// `(name, rows, cols)` of every parameter of `network`, in the order of
/// [`Network::names`]; vectors are columns, `(n, 1)`.
fn parameter_shapes(network: &Network) -> Vec<(String, usize, usize)> {
    let mut shapes = Vec::new();
    for (l, layer) in network.layers.iter().enumerate() {
        shapes.push((format!("w_ih_{l}"), layer.w_ih.rows(), layer.w_ih.cols()));
        shapes.push((format!("w_hh_{l}"), layer.w_hh.rows(), layer.w_hh.cols()));
        shapes.push((format!("b_{l}"), layer.b.len(), 1));
        if !layer.b_hn.is_empty() {
            shapes.push((format!("b_hn_{l}"), layer.b_hn.len(), 1));
        }
    }
    shapes.push(("w_hy".to_string(), network.w_hy.rows(), network.w_hy.cols()));
    shapes.push(("b_y".to_string(), network.b_y.len(), 1));
    shapes
}

impl NetworkCheckpoint {
    /// The checkpoint of `trainer`'s run now, on `data` (the whole text, as indices in
    /// `vocab`), with empty histories.
    ///
    /// # Panics
    ///
    /// If `vocab` does not have the network's `V` characters, or `data` holds an index `>= V`.
    #[track_caller]
    pub fn from_trainer(
        trainer: &NetworkTrainer,
        vocab: &Vocab,
        data: &[usize],
    ) -> NetworkCheckpoint {
        assert!(
            vocab.len() == trainer.network.vocab_size(),
            "from_trainer: the vocabulary has {} characters, the network expects {}",
            vocab.len(),
            trainer.network.vocab_size()
        );
        NetworkCheckpoint {
            vocab: vocab.clone(),
            state: trainer.state(),
            data_chars: data.len(),
            data_fnv1a64: fingerprint(vocab, data),
            loss_history: Vec::new(),
            val_history: Vec::new(),
        }
    }

    /// The checkpoint in the text format of version 2.
    pub fn to_text(&self) -> String {
        let mut bytes = Vec::new();
        // Writing to a Vec cannot fail, and the writer writes only UTF-8.
        let _ = self.write_to(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// `(N_train, N_val)`: the chunks the text of `data_chars` characters makes with this
    /// run's `B`, `T` and validation fraction ([`split_sizes`]).
    pub fn split(&self) -> (usize, usize) {
        let c = &self.state.config;
        let chunks = self.data_chars / (c.batch_size * c.seq_length).max(1);
        split_sizes(chunks, c.val_fraction)
    }

    /// Writes the checkpoint to `out`, line by line (give it a buffered writer).
    ///
    /// # Errors
    ///
    /// Any error of `out`.
    // ANCHOR: write_v2
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let s = &self.state;
        let c = &s.config;
        let o = &c.optimizer;
        writeln!(out, "{MAGIC}")?;
        writeln!(out, "version {NETWORK_FORMAT_VERSION}")?;
        writeln!(out, "cell {}", c.cell)?;
        writeln!(out, "num_layers {}", c.num_layers)?;
        writeln!(out, "hidden_size {}", c.hidden_size)?;
        writeln!(out, "batch_size {}", c.batch_size)?;
        writeln!(out, "seq_length {}", c.seq_length)?;
        writeln!(out, "val_fraction {:?}", c.val_fraction)?;
        writeln!(out, "optimizer {}", o.kind)?;
        writeln!(out, "learning_rate {:?}", o.learning_rate)?;
        writeln!(out, "decay {:?}", o.decay)?;
        writeln!(out, "beta1 {:?}", o.beta1)?;
        writeln!(out, "beta2 {:?}", o.beta2)?;
        writeln!(out, "epsilon {:?}", o.epsilon)?;
        writeln!(out, "learning_rate_decay {:?}", c.learning_rate_decay)?;
        writeln!(out, "decay_after {:?}", c.decay_after)?;
        match c.clip {
            Clip::None => writeln!(out, "clip none")?,
            Clip::Value(limit) => writeln!(out, "clip value {limit:?}")?,
            Clip::Norm(limit) => writeln!(out, "clip norm {limit:?}")?,
        }
        writeln!(out, "eval_every {}", c.eval_every)?;
        writeln!(out, "dropout {:?}", c.dropout)?;
        writeln!(out, "iteration {}", s.iteration)?;
        writeln!(out, "optimizer_steps {}", s.optimizer.steps)?;
        writeln!(out, "smooth_loss {:?}", s.smooth_loss)?;
        match s.best_val {
            None => writeln!(out, "best_val none")?,
            Some((at, loss)) => writeln!(out, "best_val {at} {loss:?}")?,
        }
        writeln!(out, "rng_state {}", s.rng_state)?;
        writeln!(out, "data_chars {}", self.data_chars)?;
        writeln!(out, "data_fnv1a64 {:016x}", self.data_fnv1a64)?;
        let (train, val) = self.split();
        writeln!(out, "train_chunks {train}")?;
        writeln!(out, "val_chunks {val}")?;
        write!(out, "vocab")?;
        for &ch in self.vocab.chars() {
            write!(out, " {}", u32::from(ch))?;
        }
        writeln!(out)?;
        let shapes = parameter_shapes(&s.network);
        let params = s.network.slices();
        for (k, (name, rows, cols)) in shapes.iter().enumerate() {
            write_block(out, name, *rows, *cols, params[k])?;
        }
        for (prefix, moments) in [
            ("first_", &s.optimizer.first),
            ("second_", &s.optimizer.second),
        ] {
            for (k, values) in moments.iter().enumerate() {
                let (name, rows, cols) = &shapes[k];
                write_block(out, &format!("{prefix}{name}"), *rows, *cols, values)?;
            }
        }
        for (l, h) in s.state.h.iter().enumerate() {
            write_block(out, &format!("h_{l}"), h.rows(), h.cols(), h.as_slice())?;
        }
        if c.cell.has_cell_state() {
            for (l, cell) in s.state.c.iter().enumerate() {
                write_block(
                    out,
                    &format!("c_{l}"),
                    cell.rows(),
                    cell.cols(),
                    cell.as_slice(),
                )?;
            }
        }
        write_history(out, "loss_history", &self.loss_history)?;
        write_history(out, "val_history", &self.val_history)?;
        writeln!(out, "end")
    }
    // ANCHOR_END: write_v2

    /// The name of the first value that is NaN or infinite, if any.
    pub fn first_non_finite(&self) -> Option<String> {
        let s = &self.state;
        let c = &s.config;
        let scalars = [
            ("learning_rate", c.optimizer.learning_rate),
            ("smooth_loss", s.smooth_loss),
            ("val_fraction", c.val_fraction),
            ("best_val", s.best_val.map_or(0.0, |(_, loss)| loss)),
        ];
        for (name, value) in scalars {
            if !value.is_finite() {
                return Some(name.to_string());
            }
        }
        let names = s.network.names();
        for (k, values) in s.network.slices().into_iter().enumerate() {
            if !all_finite(values) {
                return Some(names[k].clone());
            }
        }
        for (prefix, moments) in [
            ("first_", &s.optimizer.first),
            ("second_", &s.optimizer.second),
        ] {
            for (k, values) in moments.iter().enumerate() {
                if !all_finite(values) {
                    let name = names.get(k).map_or("?", String::as_str);
                    return Some(format!("{prefix}{name}"));
                }
            }
        }
        for (which, memories) in [("h", &s.state.h), ("c", &s.state.c)] {
            for (l, m) in memories.iter().enumerate() {
                if !all_finite(m.as_slice()) {
                    return Some(format!("{which}_{l}"));
                }
            }
        }
        for (name, history) in [
            ("loss_history", &self.loss_history),
            ("val_history", &self.val_history),
        ] {
            if history.iter().any(|&(_, loss)| !loss.is_finite()) {
                return Some(name.to_string());
            }
        }
        None
    }

    /// Writes the checkpoint to `path` atomically ([`write_atomic_with`]).
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::NotFinite`] (and nothing is written) if a value is NaN or
    /// infinite; [`CheckpointErrorKind::Write`] if the file cannot be written (the file at
    /// `path` is then untouched).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let path = path.as_ref();
        if let Some(name) = self.first_non_finite() {
            return Err(CheckpointError {
                path: Some(path.to_path_buf()),
                kind: CheckpointErrorKind::NotFiniteValue { name },
            });
        }
        write_atomic_with(path, |file| self.write_to(file)).map_err(|e| CheckpointError {
            path: Some(path.to_path_buf()),
            kind: CheckpointErrorKind::Write(e),
        })
    }

    /// Reads and checks the version-2 checkpoint at `path`.
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::Read`] if the file cannot be read, and any error of
    /// [`NetworkCheckpoint::parse`], each naming `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<NetworkCheckpoint, CheckpointError> {
        let path = path.as_ref();
        let bytes = super::read_file(path)?;
        NetworkCheckpoint::parse(&bytes).map_err(|e| e.with_path(path))
    }

    /// Reads a version-2 checkpoint from the bytes of a file, checking everything: the
    /// magic and version, every key in its order, every setting, the split against the
    /// number of characters, every block's name and shape against the cell, `L`, `H`, `V`
    /// and `B`, the optimizer's moments against its kind, every number finite, second
    /// moments not negative, `h` within `[−1, 1]`, the histories and the best validation
    /// loss against the iteration, and the final `end` line.
    ///
    /// # Errors
    ///
    /// [`CheckpointErrorKind::NotACheckpoint`], [`CheckpointErrorKind::NotUtf8`],
    /// [`CheckpointErrorKind::NewerVersion`], [`CheckpointErrorKind::WrongFormat`] for a
    /// version-1 file, and [`CheckpointErrorKind::Invalid`] with the line and the problem
    /// for anything else.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::checkpoint::NetworkCheckpoint;
    /// let err = NetworkCheckpoint::parse(b"min-char-rnn checkpoint\nversion 2\ncell cnn\n").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "checkpoint: line 3: unknown cell \"cnn\": expected one of rnn, lstm, gru"
    /// );
    /// ```
    // ANCHOR: parse_v2
    pub fn parse(bytes: &[u8]) -> Result<NetworkCheckpoint, CheckpointError> {
        let mut reader = super::open(bytes)?; // the magic line, UTF-8
        super::read_version(&mut reader, NETWORK_FORMAT_VERSION)?;
        let header = read_header(&mut reader)?;
        let c = &header.config;
        let v = header.vocab.len();
        let shape = Network::zeros(c.cell, v, c.hidden_size, c.num_layers);
        let network = read_network(&mut reader, &shape)?;
        let optimizer = read_moments(&mut reader, &shape, c.optimizer.kind, header.steps)?;
        let state = read_state(&mut reader, &shape, c.batch_size)?;
        let until = header.iteration.max(1);
        let loss_history = read_history(&mut reader, "loss_history", until)?;
        let val_history = read_history(&mut reader, "val_history", until)?;
        super::read_end(&mut reader, bytes)?;
        Ok(NetworkCheckpoint {
            vocab: header.vocab,
            state: NetworkTrainState {
                config: header.config,
                network,
                optimizer,
                iteration: header.iteration,
                state,
                smooth_loss: header.smooth_loss,
                best_val: header.best_val,
                rng_state: header.rng_state,
            },
            data_chars: header.data_chars,
            data_fnv1a64: header.data_fnv1a64,
            loss_history,
            val_history,
        })
    }
    // ANCHOR_END: parse_v2
}

/// The `key value` lines of version 2, read and checked.
struct Header {
    config: Config,
    iteration: usize,
    steps: u64,
    smooth_loss: f64,
    best_val: Option<(usize, f64)>,
    rng_state: u64,
    data_chars: usize,
    data_fnv1a64: u64,
    vocab: Vocab,
}

fn read_header(reader: &mut Reader<'_>) -> Result<Header, CheckpointError> {
    let mut values = [(0, ""); KEYS.len()];
    let mut dropout = None;
    for (k, key) in KEYS.iter().enumerate() {
        values[k] = reader.key(key)?;
        if *key == "eval_every" {
            dropout = optional_key(reader, "dropout"); // absent from older files: p = 0
        }
        if k == 0 {
            // Say at once if the cell is unknown: nothing after it can be shaped.
            values[0]
                .1
                .parse::<CellKind>()
                .map_err(|e| CheckpointError::at(values[0].0, e.to_string()))?;
        }
    }
    let [
        cell,
        num_layers,
        hidden_size,
        batch_size,
        seq_length,
        val_fraction,
        optimizer,
        learning_rate,
        decay,
        beta1,
        beta2,
        epsilon,
        learning_rate_decay,
        decay_after,
        clip,
        eval_every,
        iteration,
        optimizer_steps,
        smooth_loss,
        best_val,
        rng_state,
        data_chars,
        data_fnv1a64,
        train_chunks,
        val_chunks,
        vocab,
    ] = values;
    let number = |(n, value): (usize, &str), key: &str| parse_finite(value, n, key);
    let whole = |(n, value): (usize, &str), key: &str| parse_usize(value, n, key);
    let kind = optimizer
        .1
        .parse::<OptimizerKind>()
        .map_err(|e| CheckpointError::at(optimizer.0, e.to_string()))?;
    let config = Config {
        cell: cell
            .1
            .parse::<CellKind>()
            .map_err(|e| CheckpointError::at(cell.0, e.to_string()))?,
        num_layers: whole(num_layers, "num_layers")?,
        hidden_size: whole(hidden_size, "hidden_size")?,
        batch_size: whole(batch_size, "batch_size")?,
        seq_length: whole(seq_length, "seq_length")?,
        optimizer: OptimizerConfig {
            kind,
            learning_rate: number(learning_rate, "learning_rate")?,
            decay: number(decay, "decay")?,
            beta1: number(beta1, "beta1")?,
            beta2: number(beta2, "beta2")?,
            epsilon: number(epsilon, "epsilon")?,
        },
        clip: read_clip(clip)?,
        val_fraction: number(val_fraction, "val_fraction")?,
        learning_rate_decay: number(learning_rate_decay, "learning_rate_decay")?,
        decay_after: number(decay_after, "decay_after")?,
        eval_every: whole(eval_every, "eval_every")?,
        dropout: match dropout {
            Some(line) => number(line, "dropout")?,
            None => DEFAULT_DROPOUT,
        },
    };
    if let Err(e) = config.validate() {
        let line = match (&e, dropout) {
            (
                CharRnnError::Setting {
                    name: "dropout", ..
                },
                Some((n, _)),
            ) => n,
            _ => setting_line(&e, &values),
        };
        return Err(CheckpointError::at(line, e.to_string()));
    }
    let header = Header {
        iteration: whole(iteration, "iteration")?,
        steps: whole(optimizer_steps, "optimizer_steps")? as u64,
        smooth_loss: number(smooth_loss, "smooth_loss")?,
        best_val: read_best_val(best_val)?,
        rng_state: rng_state.1.parse::<u64>().map_err(|_| {
            CheckpointError::at(rng_state.0, "rng_state must be a whole number below 2^64")
        })?,
        data_chars: whole(data_chars, "data_chars")?,
        data_fnv1a64: u64::from_str_radix(data_fnv1a64.1, 16).map_err(|_| {
            CheckpointError::at(data_fnv1a64.0, "data_fnv1a64 must be a hexadecimal number")
        })?,
        vocab: read_vocab(vocab.0, vocab.1)?,
        config,
    };
    let chunks = (
        whole(train_chunks, "train_chunks")?,
        whole(val_chunks, "val_chunks")?,
    );
    check_header(&header, chunks, &values)?;
    Ok(header)
}

/// The line of the setting a validation error is about.
fn setting_line(e: &CharRnnError, values: &[(usize, &str); KEYS.len()]) -> usize {
    let line = |key: &str| values[KEYS.iter().position(|k| *k == key).unwrap_or(0)].0;
    match e {
        // The optimizer's message names its field: "the learning rate must be …".
        CharRnnError::Setting {
            name: "optimizer",
            message,
        } => {
            let fields = ["learning_rate", "decay", "beta1", "beta2", "epsilon"];
            let field = fields
                .into_iter()
                .find(|f| message.contains(&f.replace('_', " ")))
                .unwrap_or("optimizer");
            line(field)
        }
        CharRnnError::Setting { name, .. } => line(name),
        _ => line("cell"),
    }
}

/// The line `key value` if the next line has that key (its number and `value`); otherwise
/// `None`, and nothing is read. For a key added to the format after files without it were
/// written: `dropout`, whose absence means 0.
fn optional_key<'a>(reader: &mut Reader<'a>, key: &str) -> Option<(usize, &'a str)> {
    let line = reader.lines.get(reader.next)?;
    let (found, value) = line.split_once(' ')?;
    if found != key {
        return None;
    }
    reader.next += 1;
    Some((reader.next, value))
}

/// `clip none`, `clip value C` or `clip norm C`.
fn read_clip((n, value): (usize, &str)) -> Result<Clip, CheckpointError> {
    let clip = value
        .parse::<Clip>()
        .map_err(|e| CheckpointError::at(n, format!("clip: {e}")))?;
    if let Clip::Value(c) | Clip::Norm(c) = clip {
        if !c.is_finite() {
            return Err(CheckpointError::at(
                n,
                format!("clip holds {c}, which is not a finite number"),
            ));
        }
    }
    Ok(clip)
}

/// `best_val none` or `best_val N LOSS`.
fn read_best_val((n, value): (usize, &str)) -> Result<Option<(usize, f64)>, CheckpointError> {
    if value == "none" {
        return Ok(None);
    }
    let bad = || {
        CheckpointError::at(
            n,
            format!(
                "best_val must be `none` or an iteration and a loss, found `{}`",
                shorten(value)
            ),
        )
    };
    let (at, loss) = value.split_once(' ').ok_or_else(bad)?;
    let at = at.parse::<usize>().map_err(|_| bad())?;
    let loss = parse_finite(loss, n, "best_val")?;
    if loss < 0.0 {
        return Err(CheckpointError::at(
            n,
            "best_val is negative, but a loss never is",
        ));
    }
    Ok(Some((at, loss)))
}

/// The consistency of the header's numbers with each other.
fn check_header(
    h: &Header,
    (train_chunks, val_chunks): (usize, usize),
    values: &[(usize, &str); KEYS.len()],
) -> Result<(), CheckpointError> {
    let line = |key: &str| values[KEYS.iter().position(|k| *k == key).unwrap_or(0)].0;
    let c = &h.config;
    if h.smooth_loss < 0.0 {
        return Err(CheckpointError::at(
            line("smooth_loss"),
            "smooth_loss is negative, but a loss never is",
        ));
    }
    let per_chunk = c.batch_size.saturating_mul(c.seq_length);
    let chunks = h.data_chars / per_chunk;
    let (train, val) = split_sizes(chunks, c.val_fraction);
    if (train, val) != (train_chunks, val_chunks) {
        return Err(CheckpointError::at(
            line("train_chunks"),
            format!(
                "train_chunks {train_chunks} and val_chunks {val_chunks} do not match the split \
                 of {} characters into chunks of {} x {} with val_fraction {} ({train} and {val})",
                h.data_chars, c.batch_size, c.seq_length, c.val_fraction
            ),
        ));
    }
    if train == 0 || (c.val_fraction > 0.0 && val == 0) {
        return Err(CheckpointError::at(
            line("train_chunks"),
            format!("a split of {train} training and {val} validation chunks cannot be trained"),
        ));
    }
    if h.steps != h.iteration as u64 {
        return Err(CheckpointError::at(
            line("optimizer_steps"),
            format!(
                "optimizer_steps is {}, but the optimizer takes one step per iteration and \
                 iteration is {}",
                h.steps, h.iteration
            ),
        ));
    }
    if let Some((at, _)) = h.best_val {
        if at >= h.iteration.max(1) {
            return Err(CheckpointError::at(
                line("best_val"),
                format!(
                    "best_val is at iteration {at}, but only {} iteration(s) were done",
                    h.iteration
                ),
            ));
        }
    }
    Ok(())
}

/// The blocks of the parameters, named and shaped as `shape`'s.
fn read_network(reader: &mut Reader<'_>, shape: &Network) -> Result<Network, CheckpointError> {
    let mut network = shape.clone();
    let shapes = parameter_shapes(shape);
    let mut slices = network.slices_mut();
    for (k, (name, rows, cols)) in shapes.iter().enumerate() {
        let block = reader.block(name, Some(*rows), *cols)?;
        slices[k].copy_from_slice(&block.values);
    }
    Ok(network)
}

/// The optimizer's moments: `first_NAME` blocks (Adam), then `second_NAME` blocks (all but
/// SGD), each shaped like its parameter.
fn read_moments(
    reader: &mut Reader<'_>,
    shape: &Network,
    kind: OptimizerKind,
    steps: u64,
) -> Result<OptimizerState, CheckpointError> {
    let shapes = parameter_shapes(shape);
    let (keeps_first, keeps_second) = moments_kept(kind);
    let mut state = OptimizerState {
        steps,
        first: Vec::new(),
        second: Vec::new(),
    };
    for (prefix, keeps) in [("first_", keeps_first), ("second_", keeps_second)] {
        if !keeps {
            continue;
        }
        for (name, rows, cols) in &shapes {
            let name = format!("{prefix}{name}");
            let block: Block = reader.block(&name, Some(*rows), *cols)?;
            if prefix == "second_" {
                if let Some(x) = block.values.iter().find(|&&x| x < 0.0) {
                    return Err(CheckpointError::invalid(
                        None,
                        format!("{name} holds {x:?}, but a second moment is never negative"),
                    ));
                }
                state.second.push(block.values);
            } else {
                state.first.push(block.values);
            }
        }
    }
    Ok(state)
}

/// The carried memories: `h_l` `(B, H)` for every layer, then `c_l` for the LSTM.
fn read_state(
    reader: &mut Reader<'_>,
    shape: &Network,
    batch: usize,
) -> Result<State, CheckpointError> {
    let mut state = State::zeros(shape, batch);
    let h = shape.hidden_size();
    for l in 0..shape.num_layers() {
        let name = format!("h_{l}");
        let block = reader.block(&name, Some(batch), h)?;
        if let Some(x) = block.values.iter().find(|x| x.abs() > 1.0) {
            return Err(CheckpointError::invalid(
                None,
                format!("{name} holds {x:?}, outside the range [-1, 1] of a hidden state"),
            ));
        }
        state.h[l] = Matrix::from_vec(batch, h, block.values);
    }
    if shape.cell.has_cell_state() {
        for l in 0..shape.num_layers() {
            let block = reader.block(&format!("c_{l}"), Some(batch), h)?;
            state.c[l] = Matrix::from_vec(batch, h, block.values);
        }
    }
    Ok(state)
}

const _: () = assert!(FORMAT_VERSION < NETWORK_FORMAT_VERSION);
