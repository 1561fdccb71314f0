//! `min-char-rnn train` for a network trained like char-rnn: `--cell lstm|gru`, stacked
//! layers, `B` streams, another optimizer, clipping by norm, learning-rate decay, or a
//! resumed checkpoint of format version 2. The library's
//! [`NetworkTrainer`] does the training, computing
//! with the fast path's network passes ([`Fast`], `min_char_rnn::fast::network`) unless
//! `--plain` asks for the plain ones (the same bits: the same log and files, byte for byte);
//! this module reads the arguments, keeps the user's files safe as `train` does, prints the
//! log and saves the latest checkpoint, the best one and the plot.
//!
//! What is not given takes char-rnn's defaults (`min_char_rnn::charrnn::Config::new`): 2
//! layers of 128 LSTM units, 50 streams of 50 characters, RMSprop at 2e−3 (decay 0.95),
//! clipping by value at 5, 5% of the chunks held out, the learning rate × 0.97 after every
//! epoch from epoch 10 on; and the command line's own defaults for the rest (20000
//! iterations, a line every 100, a sample every 1000, an evaluation and a checkpoint every
//! 1000).
//!
//! The log keeps the original's line `iter N, loss: X` (X the smooth loss per character),
//! with the epoch after it (`epoch 1.23`, char-rnn's figure), and adds `iter N, val …` lines
//! with the validation loss per character, perplexity and bits per character. The checkpoint
//! with the best validation loss is kept beside the latest one, as `NAME.best.EXT`
//! ([`best_path`]), written atomically at every new best; it is this run's, so it is
//! replaced without asking only by the run that writes it or resumes its checkpoint in place.
//!
//! With `--monitor`, every printed iteration is measured as Part I's are
//! ([`Recorder::step_network`]): two more lines in the log after its loss, with the gradient
//! norm and the update-to-weight ratio of every parameter of every layer, and panels under
//! the loss curve, one pair per layer and one for the output layer.

use super::args::{DEFAULT_SEED, TrainArgs};
use super::files::{self, Existing, Identity, Lock, Output, io_message, quoted, shown};
use super::memory::{self, NetworkShape};
use super::output::{print, status};
use super::progress::Progress;
use super::train::{
    Encoded, Input, Outputs, every_and_at_the_end, figures, monitoring, roles, same,
};
use super::{Command, Failure};
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{
    CharRnnError, Clip, Config, DEFAULT_VAL_FRACTION, NetworkTrainer, Validation,
};
use min_char_rnn::checkpoint::{MAGIC, NETWORK_FORMAT_VERSION, NetworkCheckpoint, fingerprint};
use min_char_rnn::fast::network::Fast;
use min_char_rnn::monitor::Recorder;
use min_char_rnn::optim::{OptimizerConfig, OptimizerKind};
use min_char_rnn::plot::{Chart, Figure, Series};
use min_char_rnn::{Strategy, Vocab};
use std::fmt::Display;
use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Whether `train` with `args` trains a network like char-rnn: a char-rnn option asks for it
/// ([`TrainArgs::is_charrnn`]), or the `--resume` file is a checkpoint of format version 2.
pub fn wanted(args: &TrainArgs) -> bool {
    args.is_charrnn() || args.resume.as_deref().is_some_and(is_network_checkpoint)
}

/// Whether the file at `path` starts like a checkpoint of format version 2 (a file that
/// cannot be read is not: loading it will say why).
fn is_network_checkpoint(path: &Path) -> bool {
    let Ok(file) = fs::File::open(path) else {
        return false;
    };
    let mut head = String::new();
    let mut reader = BufReader::new(file.take(256));
    let mut lines = Vec::new();
    for _ in 0..2 {
        head.clear();
        if reader.read_line(&mut head).is_err() {
            return false;
        }
        lines.push(head.trim_end_matches('\n').to_string());
    }
    lines[0] == MAGIC && lines[1] == format!("version {NETWORK_FORMAT_VERSION}")
}

/// Where the best checkpoint of a run saving to `checkpoint` goes: `.best` before the
/// extension (`run.ckpt` → `run.best.ckpt`, `run` → `run.best`), in the same directory.
// ANCHOR: best_path
pub fn best_path(checkpoint: &Path) -> PathBuf {
    let stem = checkpoint
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
    let name = match checkpoint.extension() {
        Some(ext) => format!("{stem}.best.{}", ext.to_string_lossy()),
        None => format!("{stem}.best"),
    };
    checkpoint.with_file_name(name)
}
// ANCHOR_END: best_path

/// Runs `train` for a network, with `args`; `corpus` is the text used when no FILE is given.
// ANCHOR: run_charrnn
pub fn run(args: &TrainArgs, corpus: &str) -> Result<(), Failure> {
    let outputs = Outputs::claim(args)?; // nothing of the user's can be overwritten
    let best = claim_best(args, &outputs)?; // nor by the best checkpoint
    let limit = memory::limit(args.max_memory);
    let input = Input::read(args.file.as_deref(), corpus, limit.as_ref())?;
    let resumed = match &args.resume {
        Some(path) => Some(load_checkpoint(path, args)?),
        None => None,
    };
    let config = settings(args, resumed.as_ref())?;
    if let Some(limit) = &limit {
        let vocab_size = resumed
            .as_ref()
            .map_or(input.vocab.len(), |c| c.vocab.len());
        memory::check_network(&shape(&config, vocab_size, &input, args), limit)?;
    }
    print(&format!(
        "data has {} characters, {} unique.\n",
        input.chars,
        input.vocab.len()
    ))?;
    let run = start(args, input, resumed, config)?;
    let b = run.trainer.batches();
    print(&format!(
        "{} chunks of {} streams x {} characters: {} to train on (one epoch), {} to \
         validate on.\n",
        b.len(),
        b.batch_size(),
        b.steps(),
        run.trainer.train_chunks(),
        run.trainer.val_chunks()
    ))?;
    let iteration = run.trainer.iteration();
    let clip = run.trainer.config().clip;
    let monitor = args
        .monitor
        .then(|| Recorder::for_network(&run.trainer.network, clip));
    let mut session = Session {
        saved_at: outputs.resumes_in_place.then_some(iteration),
        last_good: args.resume.as_ref().map(|path| (iteration, path.clone())),
        outputs,
        best,
        vocab: run.vocab,
        data_chars: run.data_chars,
        data_fnv1a64: run.data_fnv1a64,
        title: run.title,
        history: run.history,
        best_saved_at: None,
        monitor,
    };
    session.train(run.trainer, args)
}
// ANCHOR_END: run_charrnn

/// A run ready to train: the trainer and what the session needs of the text.
struct Started {
    trainer: NetworkTrainer,
    history: History,
    vocab: Vocab,
    data_chars: usize,
    data_fnv1a64: u64,
    title: String,
}

/// The text as indices in the run's vocabulary (the resumed checkpoint's, or the text's), and
/// the trainer: a new one, or the resumed one; computing with the fast path unless `--plain`.
fn start(
    args: &TrainArgs,
    input: Input,
    resumed: Option<NetworkCheckpoint>,
    config: Config,
) -> Result<Started, Failure> {
    let resumed_vocab = resumed.as_ref().map(|checkpoint| &checkpoint.vocab);
    let Encoded {
        name,
        title,
        vocab,
        indices: data,
    } = input.encode(resumed_vocab, args.resume.as_deref())?; // the text itself is dropped
    let data_fnv1a64 = fingerprint(&vocab, &data);
    let (trainer, history) = match resumed {
        Some(checkpoint) => resume(checkpoint, &data, config, data_fnv1a64, &name)?,
        None => {
            let seed = args.seed.unwrap_or(DEFAULT_SEED);
            let trainer = NetworkTrainer::new(&data, vocab.len(), config, seed)
                .map_err(|e| train_error(&name, &e))?;
            (trainer, History::default())
        }
    };
    // The fast path unless --plain: the same bits either way, so the same log and files.
    let trainer = if args.plain {
        trainer
    } else {
        trainer.with_engine(Fast::on_all_cores())
    };
    let c = trainer.config();
    let title = format!(
        "min-char-rnn: {} x {} {} on {title}",
        c.num_layers, c.hidden_size, c.cell
    );
    Ok(Started {
        trainer,
        history,
        vocab,
        data_chars: data.len(),
        data_fnv1a64,
        title,
    })
}

/// The best checkpoint's file, checked and locked as the checkpoint is: not one of the run's
/// other files (it may be the `--resume` file: the run's own best), writable, and replaced
/// only if it belongs to this run (the checkpoint is resumed in place, or it is the resumed
/// file) or with `--force`.
fn claim_best(args: &TrainArgs, outputs: &Outputs) -> Result<BestOutput, Failure> {
    let path = best_path(&outputs.checkpoint.given);
    let identity = Identity::of(&path);
    let plot = outputs.plot.as_ref().map(|p| p.given.as_path());
    let is_resumed = |what: &str| what == "the checkpoint being resumed";
    for role in roles(args, &outputs.checkpoint.given, plot) {
        if identity.same_file(&role.identity) && !is_resumed(role.what) {
            return Err(Failure::usage(
                Command::Train,
                format!(
                    "the best checkpoint {} (the checkpoint's name with .best) and {} are the \
                     same file: it would replace {}; choose another place with --checkpoint PATH",
                    path.display(),
                    role.label,
                    role.what
                ),
            ));
        }
    }
    let output = files::check_output("best checkpoint", "--checkpoint", &path)?;
    let lock = files::lock(&output)?;
    let is_resume_file = args
        .resume
        .as_deref()
        .is_some_and(|r| Identity::of(r).same_file(&identity));
    let ours = outputs.resumes_in_place || is_resume_file;
    if output.exists && !ours && !args.force {
        let what = match files::existing(&output.path) {
            Existing::Checkpoint(_) => "a checkpoint from a run this one did not start from",
            _ => "a file that is not a checkpoint of this run",
        };
        return Err(output.refuse(
            format!("{what} is there, and it is not replaced without --force"),
            Some("to start a new run in its place, add --force".to_string()),
        ));
    }
    files::remove_stale_temporaries(&output.path);
    Ok(BestOutput {
        output,
        _lock: lock,
    })
}

/// The best checkpoint's file and its lock.
struct BestOutput {
    output: Output,
    _lock: Lock,
}

/// Loads the `--resume` checkpoint of format version 2; one of version 1 with char-rnn
/// options is refused with the way out.
fn load_checkpoint(path: &Path, args: &TrainArgs) -> Result<NetworkCheckpoint, Failure> {
    NetworkCheckpoint::load(path).map_err(|e| {
        let hint = if is_network_checkpoint(path) || !args.is_charrnn() {
            "--resume needs a checkpoint saved by min-char-rnn train".to_string()
        } else {
            format!(
                "a resumed run keeps its model: to continue it, leave out {}; to train a \
                 network, start a new run without --resume",
                args.charrnn_flags().join(", ")
            )
        };
        Failure::with_hint(e.to_string(), hint)
    })
}

// ANCHOR: charrnn_settings
/// The run's configuration: char-rnn's defaults, then what the arguments give; for a
/// resumed run, the checkpoint's, where only the learning rate, the clipping, the decay and
/// how often to evaluate may change (asking for another model, batch or split is an error).
fn settings(args: &TrainArgs, resumed: Option<&NetworkCheckpoint>) -> Result<Config, Failure> {
    let mut config = match resumed {
        None => fresh_config(args),
        Some(saved) => {
            let c = &saved.state.config;
            same("--cell", args.cell, c.cell)?;
            same("--layers", args.layers, c.num_layers)?;
            same("--hidden-size", args.hidden_size, c.hidden_size)?;
            same("--batch-size", args.batch_size, c.batch_size)?;
            same("--seq-length", args.seq_length, c.seq_length)?;
            same("--optimizer", args.optimizer, c.optimizer.kind)?;
            same("--val-fraction", args.val_fraction, c.val_fraction)?;
            c.clone()
        }
    };
    if let Some(learning_rate) = args.learning_rate {
        config.optimizer.learning_rate = learning_rate;
    }
    if let Some(limit) = args.clip_value {
        config.clip = Clip::Value(limit);
    }
    if let Some(limit) = args.clip_norm {
        config.clip = Clip::Norm(limit);
    }
    if let Some(decay) = args.learning_rate_decay {
        config.learning_rate_decay = decay;
    }
    if let Some(epoch) = args.decay_after {
        config.decay_after = epoch;
    }
    if let Some(p) = args.dropout {
        config.dropout = p; // a training setting: a resumed run may change it
    }
    config.eval_every = args.eval_every;
    config
        .validate()
        .map_err(|e| Failure::usage(Command::Train, e.to_string()))?;
    Ok(config)
}
// ANCHOR_END: charrnn_settings

/// char-rnn's defaults ([`Config::new`], an LSTM unless `--cell` says otherwise), with the
/// model, the batch and the optimizer the arguments give.
fn fresh_config(args: &TrainArgs) -> Config {
    let mut config = Config::new(args.cell.unwrap_or(CellKind::Lstm));
    if let Some(layers) = args.layers {
        config.num_layers = layers;
    }
    if let Some(hidden_size) = args.hidden_size {
        config.hidden_size = hidden_size;
    }
    if let Some(batch_size) = args.batch_size {
        config.batch_size = batch_size;
    }
    if let Some(seq_length) = args.seq_length {
        config.seq_length = seq_length;
    }
    if let Some(kind) = args.optimizer {
        config.optimizer = OptimizerConfig::new(kind);
    }
    config.val_fraction = args.val_fraction.unwrap_or(DEFAULT_VAL_FRACTION);
    config
}

/// The memory a run of `config` on `input` will hold.
fn shape(config: &Config, vocab_size: usize, input: &Input, args: &TrainArgs) -> NetworkShape {
    let moments = match config.optimizer.kind {
        OptimizerKind::Sgd => 0,
        OptimizerKind::Adagrad | OptimizerKind::Rmsprop => 1,
        OptimizerKind::Adam => 2,
    };
    NetworkShape {
        vocab_size,
        hidden_size: config.hidden_size,
        num_layers: config.num_layers,
        gates: config.cell.gates(),
        batch_size: config.batch_size,
        seq_length: config.seq_length,
        moments,
        text_bytes: input.text.len() as u64,
        sample_length: if args.sample_every > 0 {
            args.sample_length
        } else {
            0
        },
        checkpoint_bytes: args
            .resume
            .as_deref()
            .and_then(|p| fs::metadata(p).ok())
            .map_or(0, |m| m.len()),
        dropout: config.dropout > 0.0,
        fast: !args.plain,
    }
}

/// A library error as a failure about the text `name`, with advice.
fn train_error(name: &str, e: &CharRnnError) -> Failure {
    let hint = match e {
        CharRnnError::Batches(_) | CharRnnError::Split { .. } => {
            "use a longer text, or a smaller --batch-size or --seq-length"
        }
        CharRnnError::TooFewDistinctChars(_) => "use a text with at least two different characters",
        _ => "see min-char-rnn train --help",
    };
    Failure::with_hint(format!("{name}: {e}"), hint)
}

/// The smooth losses and validation losses for the plot, carried in the checkpoints.
#[derive(Default)]
struct History {
    loss: Vec<(usize, f64)>,
    val: Vec<(usize, f64)>,
}

/// Rebuilds the trainer of a resumed checkpoint, with the settings of this run.
fn resume(
    checkpoint: NetworkCheckpoint,
    data: &[usize],
    config: Config,
    data_fnv1a64: u64,
    name: &str,
) -> Result<(NetworkTrainer, History), Failure> {
    if checkpoint.data_chars != data.len() || checkpoint.data_fnv1a64 != data_fnv1a64 {
        status(
            "warning: this text is not the one the checkpoint was trained on; training goes \
             on with it",
        );
    }
    let history = History {
        loss: checkpoint.loss_history,
        val: checkpoint.val_history,
    };
    let mut state = checkpoint.state;
    state.config = config;
    let trainer = NetworkTrainer::from_state(data, checkpoint.vocab.len(), state)
        .map_err(|e| train_error(name, &e))?;
    Ok((trainer, history))
}

/// What the training loop needs besides the trainer.
struct Session {
    outputs: Outputs,
    best: BestOutput,
    vocab: Vocab,
    data_chars: usize,
    data_fnv1a64: u64,
    title: String,
    history: History,
    /// The iteration of the checkpoint at the checkpoint's path, if this run put it there
    /// or resumes it in place.
    saved_at: Option<usize>,
    /// The last checkpoint whose network was still sound: its iteration and path.
    last_good: Option<(usize, PathBuf)>,
    /// The iteration of the best checkpoint this run saved, if any.
    best_saved_at: Option<usize>,
    /// With `--monitor`: the gradient norms and update ratios of the printed iterations.
    monitor: Option<Recorder>,
}

impl Session {
    // ANCHOR: charrnn_loop
    /// Trains to `args.iterations`: before an iteration, a sample if due; after it, the log
    /// line if due, an evaluation of the validation split if due, with the best checkpoint
    /// saved at every new best, and the latest checkpoint if due (and at the end). The last
    /// iteration's network is evaluated too (`final val`), but that figure is not kept.
    fn train(&mut self, mut trainer: NetworkTrainer, args: &TrainArgs) -> Result<(), Failure> {
        let total = args.iterations;
        if trainer.iteration() >= total && args.resume.is_some() {
            status(&format!(
                "the checkpoint is already at iteration {}: nothing to do (ask for more with \
                 --iterations)",
                trainer.iteration()
            ));
            return Ok(());
        }
        self.announce(&trainer, args);
        let mut progress = Progress::new(trainer.iteration(), total);
        let (every, eval_every) = (args.print_every, args.eval_every);
        while trainer.iteration() < total {
            let n = trainer.iteration();
            if args.sample_every > 0 && n % args.sample_every == 0 {
                let ixes = trainer.sample(args.sample_length, Strategy::ORIGINAL);
                let text = format!("----\n {} \n----\n", self.vocab.decode(&ixes));
                show(&mut progress, &text)?;
            }
            let printed = every > 0 && n % every == 0;
            // A printed iteration with `--monitor` is measured: a copy of the weights first.
            let report = match self.monitor.as_mut().filter(|_| printed) {
                Some(monitor) => monitor.step_network(&mut trainer),
                None => trainer.step(),
            }
            .map_err(|e| {
                progress.clear();
                self.diverged(&e, args)
            })?;
            progress.update(n + 1, report.smooth_loss);
            if printed {
                self.history.loss.push((n, report.smooth_loss));
                let mut line = format!(
                    "iter {n}, loss: {:.6}, epoch {:.2}\n",
                    report.smooth_loss, report.epoch
                );
                if let Some(reading) = self.monitor.as_ref().and_then(|m| m.readings().last()) {
                    line.push_str(&reading.log_lines());
                }
                show(&mut progress, &line)?;
            }
            if let Some(learning_rate) = report.decayed {
                let line = format!(
                    "iter {n}, learning rate decayed by {} to {learning_rate:.4e} (end of epoch \
                     {:.0})\n",
                    trainer.config().learning_rate_decay,
                    report.epoch
                );
                show(&mut progress, &line)?;
            }
            let done = n + 1;
            if eval_every > 0 && n % eval_every == 0 {
                if let Some(validation) = trainer.validate() {
                    self.validated(&mut trainer, &validation, &mut progress, args)?;
                }
            } else if done == total {
                // The network as it ends, measured but not kept: a run stopped here and
                // resumed later must see the same evaluations as one that never stopped.
                if let Some(loss) = trainer.evaluate() {
                    show(&mut progress, &format!("final val {}\n", figures(loss)))?;
                }
            }
            let checkpoint_due = args.checkpoint_every > 0 && done % args.checkpoint_every == 0;
            if checkpoint_due || done == total {
                progress.clear();
                self.save(&mut trainer, args)?;
                progress.redraw();
            }
        }
        if self.saved_at != Some(trainer.iteration()) {
            self.save(&mut trainer, args)?; // `--iterations 0`: the untrained network
        }
        progress.finish();
        self.finish(&trainer)
    }
    // ANCHOR_END: charrnn_loop

    /// After an evaluation: the log line, the history, and the best checkpoint if it is the
    /// best so far.
    fn validated(
        &mut self,
        trainer: &mut NetworkTrainer,
        validation: &Validation,
        progress: &mut Progress,
        args: &TrainArgs,
    ) -> Result<(), Failure> {
        self.history
            .val
            .push((validation.iteration, validation.loss));
        let best = if validation.best { ", best so far" } else { "" };
        let line = format!(
            "iter {}, val {}{best}\n",
            validation.iteration,
            figures(validation.loss)
        );
        show(progress, &line)?;
        if validation.best {
            progress.clear();
            let checkpoint = self.checkpoint(trainer);
            self.check_sound(trainer, &checkpoint)
                .map_err(|e| self.diverged(&e, args))?;
            let path = &self.best.output.given;
            checkpoint.save(path).map_err(|e| {
                let hint = match self.best_saved_at {
                    Some(at) => format!("the best checkpoint from iteration {at} is still intact"),
                    None => "no best checkpoint was saved by this run".to_string(),
                };
                Failure::with_hint(e.to_string(), hint)
            })?;
            self.best_saved_at = Some(trainer.iteration());
            progress.redraw();
        }
        Ok(())
    }

    fn announce(&self, trainer: &NetworkTrainer, args: &TrainArgs) {
        let c = trainer.config();
        let from = if args.resume.is_some() {
            format!("resuming at iteration {}", trainer.iteration())
        } else {
            format!(
                "training from scratch with seed {}",
                args.seed.unwrap_or(DEFAULT_SEED)
            )
        };
        let clip = match c.clip {
            Clip::None => "no clipping".to_string(),
            Clip::Value(limit) => format!("gradients clipped by value at {limit}"),
            Clip::Norm(limit) => format!("gradients clipped to a norm of at most {limit}"),
        };
        let decay = if c.learning_rate_decay < 1.0 {
            format!(
                "; the learning rate x {} after every epoch from epoch {} on",
                c.learning_rate_decay, c.decay_after
            )
        } else {
            String::new()
        };
        let decay = if c.dropout > 0.0 {
            format!("{decay}; dropout {}", c.dropout)
        } else {
            decay
        };
        let plot = match &self.outputs.plot {
            Some(plot) => shown(&plot.given),
            None => "none (--no-plot)".to_string(),
        };
        let mut optimizer = *trainer.optimizer.config();
        optimizer.learning_rate = trainer.optimizer.learning_rate();
        let mut lines = format!(
            "{from}, up to iteration {} (epoch {:.2})\n\
             model: {} layer(s) of {} {} units, {} parameters; {} streams of {} characters \
             per iteration, {} iterations per epoch\n\
             optimizer: {optimizer}; {clip}{decay}\n\
             checkpoint: {} ({}), best: {} (at every new best validation loss)\n\
             loss plot: {plot}",
            args.iterations,
            args.iterations as f64 / trainer.train_chunks() as f64,
            c.num_layers,
            c.hidden_size,
            c.cell,
            trainer.network.parameter_count(),
            c.batch_size,
            c.seq_length,
            trainer.train_chunks(),
            shown(&self.outputs.checkpoint.given),
            every_and_at_the_end(args.checkpoint_every),
            shown(&self.best.output.given),
        );
        if self.monitor.is_some() {
            lines.push_str(&monitoring(args.print_every, self.outputs.plot.is_some()));
        }
        if trainer.val_chunks() > 0 {
            // An evaluation is a forward pass over the validation chunks; a step is a forward
            // and a backward pass (about three times the work) over one chunk.
            let cost = trainer.val_chunks() as f64 / 3.0;
            lines.push_str(&format!(
                "\nvalidation: {} chunks held out, evaluated {} (each evaluation takes about as \
                 long as {:.0} training iterations)",
                trainer.val_chunks(),
                every_and_at_the_end(args.eval_every),
                cost.max(1.0)
            ));
        }
        status(&lines);
    }

    /// The checkpoint of the run now.
    fn checkpoint(&self, trainer: &NetworkTrainer) -> NetworkCheckpoint {
        NetworkCheckpoint {
            vocab: self.vocab.clone(),
            state: trainer.state(),
            data_chars: self.data_chars,
            data_fnv1a64: self.data_fnv1a64,
            loss_history: self.history.loss.clone(),
            val_history: self.history.val.clone(),
        }
    }

    /// Saves the checkpoint, then the plot, both atomically. A network that is no longer
    /// sound is not saved: the run stops as diverged instead, and the last good checkpoint
    /// stays.
    fn save(&mut self, trainer: &mut NetworkTrainer, args: &TrainArgs) -> Result<(), Failure> {
        let checkpoint = self.checkpoint(trainer);
        self.check_sound(trainer, &checkpoint)
            .map_err(|e| self.diverged(&e, args))?;
        let path = &self.outputs.checkpoint.given;
        checkpoint.save(path).map_err(|e| {
            let hint = match self.saved_at {
                Some(at) => format!("the checkpoint from iteration {at} is still intact"),
                None => "no checkpoint was saved by this run".to_string(),
            };
            Failure::with_hint(e.to_string(), hint)
        })?;
        if let Some(plot) = &self.outputs.plot {
            self.chart().save(&plot.given).map_err(|e| {
                Failure::runtime(format!(
                    "cannot write the loss plot {}: {} (the checkpoint was saved)",
                    plot.given.display(),
                    io_message(&e)
                ))
            })?;
        }
        self.saved_at = Some(trainer.iteration());
        self.last_good = Some((trainer.iteration(), path.clone()));
        Ok(())
    }

    /// Whether the network about to be saved can go on: every value finite, and a finite
    /// loss on the chunk the next step will read.
    fn check_sound(
        &self,
        trainer: &mut NetworkTrainer,
        checkpoint: &NetworkCheckpoint,
    ) -> Result<(), CharRnnError> {
        let iteration = trainer.iteration();
        let loss = trainer.next_loss();
        if !loss.is_finite() {
            return Err(CharRnnError::Diverged { iteration, loss });
        }
        if let Some(name) = checkpoint.first_non_finite() {
            return Err(CharRnnError::State(format!(
                "after iteration {iteration}, {name} holds a value that is not a finite number"
            )));
        }
        Ok(())
    }

    /// The training curve (smooth loss per character) and the validation curve; with
    /// `--monitor`, the monitoring panels below.
    fn chart(&self) -> Figure {
        let points = |history: &[(usize, f64)]| {
            history
                .iter()
                .map(|&(n, loss)| (n as f64, loss))
                .collect::<Vec<_>>()
        };
        let chart = Chart {
            title: self.title.clone(),
            x_label: "iteration".to_string(),
            y_label: "loss per character (nats)".to_string(),
            series: vec![
                Series::new("training (smooth loss)", points(&self.history.loss)),
                Series::new("validation", points(&self.history.val)),
            ],
        };
        let panels = self
            .monitor
            .as_ref()
            .map_or_else(Vec::new, Recorder::panels);
        Figure { chart, panels }
    }

    /// The failure of a diverged run, with the checkpoint to go back to.
    fn diverged(&self, e: &dyn Display, args: &TrainArgs) -> Failure {
        let path = &self.outputs.checkpoint.given;
        let mut hints = Vec::new();
        match &self.last_good {
            Some((at, good)) => {
                hints.push(format!(
                    "the last good checkpoint, from iteration {at}, is intact: {}",
                    shown(good)
                ));
                let learning_rate = args.learning_rate.unwrap_or(f64::NAN);
                let smaller = if learning_rate.is_finite() {
                    format!(" --learning-rate {:?}", learning_rate / 10.0)
                } else {
                    " and a smaller --learning-rate".to_string()
                };
                hints.push(format!(
                    "to continue from it with smaller steps: --resume {}{smaller}",
                    quoted(good)
                ));
            }
            None if path.exists() => hints.push(format!(
                "no checkpoint was saved by this run; {} is untouched",
                shown(path)
            )),
            None => hints.push("no checkpoint was saved by this run".to_string()),
        }
        let message = match e.to_string() {
            m if m.starts_with("training diverged") => m,
            m => format!("training diverged: {m} (try a smaller learning rate)"),
        };
        Failure::Runtime { message, hints }
    }

    fn finish(&self, trainer: &NetworkTrainer) -> Result<(), Failure> {
        if let Some((at, loss)) = trainer.best_val() {
            print(&format!("best val {} (iter {at})\n", figures(loss)))?;
        }
        let checkpoint = &self.outputs.checkpoint.given;
        let plot = match &self.outputs.plot {
            Some(plot) => format!(", loss plot {}", shown(&plot.given)),
            None => String::new(),
        };
        let best = &self.best.output.given;
        let (best_line, use_path) = match (self.best_saved_at, trainer.best_val()) {
            (Some(at), Some((n, _))) => (
                format!(
                    ", best checkpoint {} (iteration {at}, the best validation loss, after \
                     iter {n})",
                    shown(best)
                ),
                best,
            ),
            (None, Some(_)) if best.exists() => (
                format!(
                    ", best checkpoint {} (unchanged: no better validation loss in this run)",
                    shown(best)
                ),
                best,
            ),
            _ => (String::new(), checkpoint),
        };
        status(&format!(
            "saved checkpoint {} (iteration {}){best_line}{plot}",
            shown(checkpoint),
            trainer.iteration()
        ));
        status(&format!(
            "to write with it: min-char-rnn sample --checkpoint {}",
            quoted(use_path)
        ));
        Ok(())
    }
}

/// Prints a line of the log with the progress line out of the way.
fn show(progress: &mut Progress, text: &str) -> Result<(), Failure> {
    progress.clear();
    print(text)?;
    progress.redraw();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::best_path;
    use std::path::{Path, PathBuf};

    #[test]
    fn the_best_checkpoint_sits_beside_the_latest() {
        assert_eq!(
            best_path(Path::new("run.ckpt")),
            PathBuf::from("run.best.ckpt")
        );
        assert_eq!(
            best_path(Path::new("runs/a.b.ckpt")),
            PathBuf::from("runs/a.b.best.ckpt")
        );
        assert_eq!(best_path(Path::new("run")), PathBuf::from("run.best"));
    }
}
