//! `min-char-rnn train`: read the text, start or resume a run, and drive the library's
//! training loop, printing what the original prints and saving checkpoints and the plot.
//!
//! stdout gets the training log only (`data has …`, `iter N, loss: X`, samples, validation
//! figures), identical from run to run for the same arguments; stderr gets the status lines
//! and, on a terminal, the live progress line.

use super::args::{DEFAULT_CHECKPOINT, DEFAULT_PLOT, DEFAULT_SEED, TrainArgs};
use super::output::{print, status};
use super::progress::Progress;
use super::{Command, Failure};
use min_char_rnn::checkpoint::{Checkpoint, fingerprint};
use min_char_rnn::plot::{Chart, Series};
use min_char_rnn::fast::Fast;
use min_char_rnn::train::Event;
use min_char_rnn::{EncodeError, Hyperparams, TrainError, Trainer, Vocab};
use std::fmt::Display;
use std::fs;
use std::io;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Runs `train` with `args`; `corpus` is the text used when no FILE is given.
// ANCHOR: run
pub fn run(args: &TrainArgs, corpus: &str) -> Result<(), Failure> {
    let resumed = match &args.resume {
        Some(path) => Some(load_checkpoint(path)?),
        None => None,
    };
    let settings = Settings::new(args, resumed.as_ref())?;
    let (name, text) = match &args.file {
        Some(path) => (path.display().to_string(), read_text(path)?),
        None => ("the built-in corpus".to_string(), corpus.to_string()),
    };
    let text_vocab = Vocab::from_text(&text);
    print(&format!(
        "data has {} characters, {} unique.\n",
        text.chars().count(),
        text_vocab.len()
    ))?;
    let vocab = match &resumed {
        Some(checkpoint) => checkpoint.vocab.clone(),
        None => text_vocab,
    };
    let indices = encode(&vocab, &text, &name, args.resume.as_deref())?;
    let (train_ix, val_ix) = split(indices, settings.val_fraction, &name)?;
    let data_fnv1a64 = fingerprint(&vocab, &train_ix);
    let data_chars = train_ix.len();
    let trainer = match resumed {
        Some(checkpoint) => resume(checkpoint, train_ix, &settings, data_fnv1a64, &name)?,
        None => Trainer::new(train_ix, vocab.len(), settings.hyperparams, settings.seed)
            .map_err(|e| train_error(&name, &e))?,
    };
    // The fast path unless --plain: the same bits either way, so the same log and files.
    let trainer = if args.plain {
        trainer
    } else {
        trainer.with_engine(Fast::default())
    };
    let mut session = Session {
        settings,
        vocab,
        val_ix,
        data_chars,
        data_fnv1a64,
        title: format!("min-char-rnn: loss on {name}"),
    };
    session.train(trainer, args)
}
// ANCHOR_END: run

/// The settings of the run, from the arguments and the resumed checkpoint.
struct Settings {
    hyperparams: Hyperparams,
    seed: u64,
    val_fraction: Option<f64>,
    checkpoint: PathBuf,
    plot: PathBuf,
    /// The iteration of the checkpoint already at `checkpoint`, if this run resumes it.
    saved_at: Option<usize>,
    loss_history: Vec<(usize, f64)>,
    val_history: Vec<(usize, f64)>,
}

impl Settings {
    fn new(args: &TrainArgs, resumed: Option<&Checkpoint>) -> Result<Settings, Failure> {
        let defaults = Hyperparams::default();
        let checkpoint = match (&args.checkpoint, &args.resume) {
            (Some(path), _) | (None, Some(path)) => path.clone(),
            (None, None) => PathBuf::from(DEFAULT_CHECKPOINT),
        };
        let plot = match &args.plot {
            Some(path) => path.clone(),
            None => checkpoint.with_file_name(DEFAULT_PLOT),
        };
        check_outputs(&checkpoint, &plot, args.file.as_deref())?;
        let mut settings = Settings {
            hyperparams: Hyperparams {
                hidden_size: args.hidden_size.unwrap_or(defaults.hidden_size),
                seq_length: args.seq_length.unwrap_or(defaults.seq_length),
                learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
            },
            seed: args.seed.unwrap_or(DEFAULT_SEED),
            val_fraction: args.val_fraction,
            checkpoint,
            plot,
            saved_at: None,
            loss_history: Vec::new(),
            val_history: Vec::new(),
        };
        if let Some(saved) = resumed {
            settings.take_from(args, saved)?;
        }
        Ok(settings)
    }

    // ANCHOR: resume_settings
    /// A resumed run keeps the checkpoint's shape, seed and split; asking for others is an
    /// error rather than a silent surprise. Only the learning rate may change.
    fn take_from(&mut self, args: &TrainArgs, saved: &Checkpoint) -> Result<(), Failure> {
        let hp = saved.state.hyperparams;
        same("--hidden-size", args.hidden_size, hp.hidden_size)?;
        same("--seq-length", args.seq_length, hp.seq_length)?;
        let saved_fraction = (saved.val_fraction > 0.0).then_some(saved.val_fraction);
        if args.val_fraction.is_some() && args.val_fraction != saved_fraction {
            return Err(Failure::usage(
                Command::Train,
                format!(
                    "--val-fraction {} differs from the checkpoint's {} (a resumed run \
                     keeps its split of the text; leave --val-fraction out)",
                    args.val_fraction.unwrap_or(0.0),
                    saved.val_fraction
                ),
            ));
        }
        self.hyperparams = Hyperparams {
            learning_rate: args.learning_rate.unwrap_or(hp.learning_rate),
            ..hp
        };
        self.val_fraction = saved_fraction;
        if args.resume.as_deref() == Some(self.checkpoint.as_path()) {
            self.saved_at = Some(saved.state.iteration);
        }
        self.loss_history = saved.loss_history.clone();
        self.val_history = saved.val_history.clone();
        Ok(())
    }
    // ANCHOR_END: resume_settings
}

/// `Ok` if `given` is absent or equal to the checkpoint's `saved`.
fn same<T: PartialEq + Display>(flag: &str, given: Option<T>, saved: T) -> Result<(), Failure> {
    match given {
        Some(value) if value != saved => Err(Failure::usage(
            Command::Train,
            format!(
                "{flag} {value} differs from the checkpoint's {saved} (a resumed run keeps its \
                 shape; leave {flag} out)"
            ),
        )),
        _ => Ok(()),
    }
}

/// What the training loop needs besides the trainer.
struct Session {
    settings: Settings,
    vocab: Vocab,
    val_ix: Vec<usize>,
    data_chars: usize,
    data_fnv1a64: u64,
    title: String,
}

impl Session {
    // ANCHOR: train_loop
    /// Trains to `args.iterations`, in stretches that end where something must happen
    /// outside the library's loop: a validation figure after a printed iteration, a
    /// checkpoint. Each stretch is one call of `Trainer::run`, which samples and steps.
    fn train(&mut self, mut trainer: Trainer, args: &TrainArgs) -> Result<(), Failure> {
        let total = args.iterations;
        if trainer.iteration >= total && args.resume.is_some() {
            status(&format!(
                "the checkpoint is already at iteration {}: nothing to do (ask for more with \
                 --iterations)",
                trainer.iteration
            ));
            return Ok(());
        }
        self.announce(&trainer, args);
        let mut progress = Progress::new(trainer.iteration, total);
        let every = args.print_every;
        while trainer.iteration < total {
            let until = next_stop(trainer.iteration, total, every, args.checkpoint_every);
            let mut stdout_failure = None;
            let result = trainer.run(until, args.sample_every, args.sample_length, |event| {
                let text = match event {
                    Event::Sample { ixes, .. } => {
                        Some(format!("----\n {} \n----\n", self.vocab.decode(ixes)))
                    }
                    Event::Step(report) => {
                        progress.update(report.iteration + 1, report.smooth_loss);
                        let printed = every > 0 && report.iteration % every == 0;
                        printed.then(|| {
                            format!(
                                "iter {}, loss: {:.6}\n",
                                report.iteration, report.smooth_loss
                            )
                        })
                    }
                };
                if let Some(text) = text {
                    progress.clear();
                    if let Err(failure) = print(&text) {
                        stdout_failure = Some(failure);
                        return ControlFlow::Break(());
                    }
                    progress.redraw();
                }
                ControlFlow::Continue(())
            });
            if let Some(failure) = stdout_failure {
                progress.clear();
                return Err(failure);
            }
            if let Err(e) = result {
                progress.clear();
                return Err(self.diverged(&e));
            }
            let done = trainer.iteration;
            if every > 0 && (done - 1) % every == 0 {
                progress.clear();
                self.record(&trainer, done - 1)?;
                progress.redraw();
            }
            let checkpoint_due = args.checkpoint_every > 0 && done % args.checkpoint_every == 0;
            if checkpoint_due || done == total {
                self.save(&trainer).inspect_err(|_| progress.clear())?;
            }
        }
        if self.settings.saved_at != Some(trainer.iteration) {
            self.save(&trainer)?; // `--iterations 0`: the untrained network
        }
        progress.finish();
        self.finish(&trainer)
    }
    // ANCHOR_END: train_loop

    fn announce(&self, trainer: &Trainer, args: &TrainArgs) {
        let s = &self.settings;
        // A checkpoint saved at iteration 0 is resumed too: its weights, not a new seed's.
        let from = if args.resume.is_some() {
            format!("resuming at iteration {}", trainer.iteration)
        } else {
            format!("training from scratch with seed {}", s.seed)
        };
        let when = match args.checkpoint_every {
            0 => "at the end".to_string(),
            n => format!("every {n} iterations and at the end"),
        };
        status(&format!(
            "{from}, up to iteration {}\ncheckpoint: {} ({when})\nloss plot: {}",
            args.iterations,
            shown(&s.checkpoint),
            shown(&s.plot)
        ));
    }

    /// After printed iteration `n`: remember the smooth loss for the plot and, with a
    /// held-out part, print and remember the validation figures.
    fn record(&mut self, trainer: &Trainer, n: usize) -> Result<(), Failure> {
        self.settings.loss_history.push((n, trainer.smooth_loss));
        if !self.val_ix.is_empty() {
            let loss = trainer.evaluate(&self.val_ix);
            self.settings.val_history.push((n, loss));
            print(&format!("iter {n}, val {}\n", figures(loss)))?;
        }
        Ok(())
    }

    // ANCHOR: save
    /// Saves the checkpoint, then the plot; both atomically.
    fn save(&mut self, trainer: &Trainer) -> Result<(), Failure> {
        let s = &self.settings;
        let mut checkpoint = Checkpoint::from_trainer(trainer, &self.vocab);
        checkpoint.val_fraction = s.val_fraction.unwrap_or(0.0);
        checkpoint.data_chars = self.data_chars;
        checkpoint.data_fnv1a64 = self.data_fnv1a64;
        checkpoint.loss_history = s.loss_history.clone();
        checkpoint.val_history = s.val_history.clone();
        checkpoint.save(&s.checkpoint).map_err(|e| {
            let hint = match s.saved_at {
                Some(at) => format!("the checkpoint from iteration {at} is still intact"),
                None => "no checkpoint was saved by this run".to_string(),
            };
            Failure::with_hint(e.to_string(), hint)
        })?;
        let plotted = self.chart(trainer.hyperparams.seq_length).save(&s.plot);
        plotted.map_err(|e| {
            Failure::runtime(format!(
                "cannot write the loss plot {}: {e} (the checkpoint was saved)",
                s.plot.display()
            ))
        })?;
        self.settings.saved_at = Some(trainer.iteration);
        Ok(())
    }
    // ANCHOR_END: save

    /// Smooth loss per character (the smooth loss is summed over `T` characters) and the
    /// validation loss per character, against the iteration.
    fn chart(&self, seq_length: usize) -> Chart {
        let per_char: Vec<(f64, f64)> = self
            .settings
            .loss_history
            .iter()
            .map(|&(n, loss)| (n as f64, loss / seq_length as f64))
            .collect();
        let mut series = vec![Series::new(
            format!("training (smooth loss / {seq_length})"),
            per_char,
        )];
        if self.settings.val_fraction.is_some() {
            let val = self.settings.val_history.iter();
            series.push(Series::new(
                "validation",
                val.map(|&(n, loss)| (n as f64, loss)).collect(),
            ));
        }
        Chart {
            title: self.title.clone(),
            x_label: "iteration".to_string(),
            y_label: "loss per character (nats)".to_string(),
            series,
        }
    }

    fn diverged(&self, e: &TrainError) -> Failure {
        let path = &self.settings.checkpoint;
        let hint = match self.settings.saved_at {
            Some(at) => format!(
                "the last good checkpoint, from iteration {at}, is intact: {}",
                shown(path)
            ),
            None if path.exists() => format!(
                "no checkpoint was saved by this run; {} is untouched",
                shown(path)
            ),
            None => "no checkpoint was saved by this run".to_string(),
        };
        Failure::with_hint(e.to_string(), hint)
    }

    fn finish(&self, trainer: &Trainer) -> Result<(), Failure> {
        if !self.val_ix.is_empty() {
            let train_loss = trainer.evaluate(trainer.data());
            let val_loss = trainer.evaluate(&self.val_ix);
            print(&format!(
                "final train {}\nfinal val {}\n",
                figures(train_loss),
                figures(val_loss)
            ))?;
        }
        let s = &self.settings;
        status(&format!(
            "saved checkpoint {} (iteration {}) and loss plot {}",
            shown(&s.checkpoint),
            trainer.iteration,
            shown(&s.plot)
        ));
        status(&format!(
            "to write with it: min-char-rnn sample --checkpoint {}",
            s.checkpoint.display()
        ));
        Ok(())
    }
}

/// Loss per character, perplexity `exp(loss)` and bits per character `loss / ln 2`.
// ANCHOR: figures
fn figures(loss: f64) -> String {
    format!(
        "loss/char: {loss:.6}, perplexity: {:.3}, bits/char: {:.4}",
        loss.exp(),
        loss / std::f64::consts::LN_2
    )
}
// ANCHOR_END: figures

// ANCHOR: next_stop
/// Where the next stretch of training ends: just after the next printed iteration (whose
/// number `n` is a multiple of `print_every`, so after `n + 1` are done), at the next
/// multiple of `checkpoint_every`, or at `total`, whichever comes first.
fn next_stop(done: usize, total: usize, print_every: usize, checkpoint_every: usize) -> usize {
    let mut stop = total;
    if print_every > 0 {
        let next_printed = done.div_ceil(print_every).saturating_mul(print_every); // next n
        stop = stop.min(next_printed.saturating_add(1));
    }
    if let Some(saved) = done.checked_div(checkpoint_every) {
        let next_save = saved.saturating_add(1).saturating_mul(checkpoint_every);
        stop = stop.min(next_save);
    }
    stop
}
// ANCHOR_END: next_stop

/// `path` made absolute for messages ("saying where"), or as given if that fails.
fn shown(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

fn load_checkpoint(path: &Path) -> Result<Checkpoint, Failure> {
    Checkpoint::load(path).map_err(|e| {
        Failure::with_hint(
            e.to_string(),
            "--resume needs a checkpoint saved by min-char-rnn train",
        )
    })
}

// ANCHOR: read_text
/// The text of `path`, or a clear error: missing, a directory, empty, not UTF-8.
fn read_text(path: &Path) -> Result<String, Failure> {
    let shown = path.display();
    let metadata = fs::metadata(path).map_err(|e| read_error(path, &e))?;
    if metadata.is_dir() {
        return Err(Failure::with_hint(
            format!("{shown} is a directory, not a text file"),
            "give the path of a UTF-8 text file",
        ));
    }
    let bytes = fs::read(path).map_err(|e| read_error(path, &e))?;
    if bytes.is_empty() {
        return Err(Failure::with_hint(
            format!("{shown} is empty: there is nothing to learn"),
            "give a text of a few thousand characters or more",
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let line = 1 + e.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        Failure::with_hint(
            format!(
                "{shown} is not valid UTF-8: the bytes at byte offset {offset} (line {line}) \
                 are not a UTF-8 character"
            ),
            format!(
                "min-char-rnn reads UTF-8 text; convert it first, for example: \
                 iconv -f latin1 -t utf-8 {shown} > text-utf8.txt"
            ),
        )
    })
}
// ANCHOR_END: read_text

fn read_error(path: &Path, e: &io::Error) -> Failure {
    if e.kind() == io::ErrorKind::NotFound {
        Failure::with_hint(
            format!("cannot read {}: no such file", path.display()),
            "check the path (without a FILE, train uses the built-in corpus)",
        )
    } else {
        Failure::runtime(format!("cannot read {}: {e}", path.display()))
    }
}

/// The text as indices in `vocab`; a character outside it (only possible when resuming) is
/// reported with its line and column.
fn encode(
    vocab: &Vocab,
    text: &str,
    name: &str,
    resume: Option<&Path>,
) -> Result<Vec<usize>, Failure> {
    vocab.encode(text).map_err(|e| {
        let EncodeError::UnknownChar { ch, position } = e else {
            return Failure::runtime(format!("{name}: {e}"));
        };
        let (mut line, mut column) = (1, 1);
        for c in text.chars().take(position) {
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        let checkpoint = resume.map_or(String::new(), |p| format!(" of {}", p.display()));
        Failure::with_hint(
            format!(
                "{name}: character {ch:?} (U+{:04X}) at line {line}, column {column} is not in \
                 the vocabulary{checkpoint} ({} characters)",
                u32::from(ch),
                vocab.len()
            ),
            "resume on the text the checkpoint was trained on, or start a new run without \
             --resume",
        )
    })
}

/// Splits off the last `fraction` of the text for validation.
fn split(
    mut indices: Vec<usize>,
    fraction: Option<f64>,
    name: &str,
) -> Result<(Vec<usize>, Vec<usize>), Failure> {
    let Some(fraction) = fraction else {
        return Ok((indices, Vec::new()));
    };
    let n = indices.len();
    let val_len = ((n as f64) * fraction).round() as usize;
    if val_len < 2 || val_len >= n {
        return Err(Failure::with_hint(
            format!(
                "{name}: --val-fraction {fraction} holds out {val_len} of {n} characters; the \
                 held-out part needs at least 2 and the training part at least 1"
            ),
            "use a larger --val-fraction or a longer text",
        ));
    }
    let val = indices.split_off(n - val_len);
    Ok((indices, val))
}

fn train_error(name: &str, e: &TrainError) -> Failure {
    let hint = match e {
        TrainError::TextTooShort { .. } => "use a longer text or a smaller --seq-length",
        TrainError::TooFewDistinctChars(_) => "use a text with at least two different characters",
        _ => "see min-char-rnn train --help",
    };
    Failure::with_hint(format!("{name}: {e}"), hint)
}

/// Rebuilds the trainer of a resumed checkpoint.
// ANCHOR: resume
fn resume(
    checkpoint: Checkpoint,
    train_ix: Vec<usize>,
    settings: &Settings,
    data_fnv1a64: u64,
    name: &str,
) -> Result<Trainer, Failure> {
    if checkpoint.data_chars != train_ix.len() || checkpoint.data_fnv1a64 != data_fnv1a64 {
        status(
            "warning: this text is not the one the checkpoint was trained on; training goes \
             on with it",
        );
    }
    let mut state = checkpoint.state;
    state.hyperparams = settings.hyperparams; // perhaps a new learning rate
    Trainer::from_state(train_ix, state).map_err(|e| train_error(name, &e))
}
// ANCHOR_END: resume

/// Fails early, before any training, if the checkpoint or the plot cannot be written there.
fn check_outputs(checkpoint: &Path, plot: &Path, input: Option<&Path>) -> Result<(), Failure> {
    if checkpoint == plot {
        return Err(Failure::usage(
            Command::Train,
            format!(
                "--checkpoint and --plot are the same file, {}",
                checkpoint.display()
            ),
        ));
    }
    if let Some(input) = input {
        let same_file = match (fs::canonicalize(input), fs::canonicalize(checkpoint)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same_file {
            return Err(Failure::usage(
                Command::Train,
                format!(
                    "--checkpoint {} would overwrite the text being learned",
                    checkpoint.display()
                ),
            ));
        }
    }
    check_writable("checkpoint", "--checkpoint", checkpoint)?;
    check_writable("loss plot", "--plot", plot)?;
    remove_stale_temporaries(checkpoint);
    remove_stale_temporaries(plot);
    Ok(())
}

/// Removes the temporary files that a killed run left next to `path`
/// (`.NAME.PID-N.tmp`, see `min_char_rnn::checkpoint::write_atomic`) when process PID is
/// gone. Only where `/proc` tells which processes exist (Linux); elsewhere they stay.
fn remove_stale_temporaries(path: &Path) {
    let (Some(name), true) = (path.file_name(), Path::new("/proc/self").exists()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let middle = file_name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".tmp"));
        let pid = middle.and_then(|m| m.split_once('-')).map(|(pid, _)| pid);
        if let Some(pid) = pid.filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
            if !Path::new("/proc").join(pid).exists() {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

// ANCHOR: check_writable
/// Tries to create (and removes) a file next to `path`: a missing or read-only directory is
/// then an error now, not after an hour of training.
fn check_writable(what: &str, flag: &str, path: &Path) -> Result<(), Failure> {
    let fail = |why: String| {
        Failure::with_hint(
            format!("cannot write the {what} to {}: {why}", path.display()),
            format!("choose another place with {flag} PATH"),
        )
    };
    if path.is_dir() {
        return Err(fail("it is a directory".to_string()));
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    match fs::metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(fail(format!(
                "the directory {} does not exist",
                dir.display()
            )));
        }
        Err(e) => return Err(fail(e.to_string())),
        Ok(m) if !m.is_dir() => {
            return Err(fail(format!("{} is not a directory", dir.display())));
        }
        Ok(_) => {}
    }
    let probe = dir.join(format!(".min-char-rnn-probe-{}", std::process::id()));
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(fail(e.to_string())),
    }
}
// ANCHOR_END: check_writable

#[cfg(test)]
mod tests {
    use super::next_stop;

    #[test]
    fn stretches_end_after_printed_iterations_and_at_checkpoints() {
        // print every 100: n = 0 is printed, so the first stretch is one iteration long.
        assert_eq!(next_stop(0, 2000, 100, 1000), 1);
        assert_eq!(next_stop(1, 2000, 100, 1000), 101);
        assert_eq!(next_stop(901, 2000, 100, 1000), 1000);
        assert_eq!(next_stop(1000, 2000, 100, 1000), 1001);
        assert_eq!(next_stop(1950, 2000, 100, 0), 2000);
        assert_eq!(next_stop(5, 2000, 0, 0), 2000);
    }
}
