//! `min-char-rnn train`: read the text, start or resume a run, and drive the library's
//! training loop, printing what the original prints and saving checkpoints and the plot.
//!
//! stdout gets the training log only (`data has …`, `iter N, loss: X`, samples, validation
//! figures), identical from run to run for the same arguments; stderr gets the status lines
//! and, on a terminal, the live progress line.
//!
//! Before the first iteration, `run` makes sure that the run cannot destroy a file of the
//! user's ([`Outputs::claim`], with `super::files`) and that it fits in memory
//! (`super::memory`).

use super::args::{DEFAULT_CHECKPOINT, DEFAULT_PLOT, DEFAULT_SEED, STDIN, TrainArgs};
use super::files::{self, Existing, Identity, Lock, Output, io_message, quoted, shown};
use super::memory::{self, Limit, Shape};
use super::output::{print, status};
use super::progress::Progress;
use super::{Command, Failure};
use min_char_rnn::checkpoint::{Checkpoint, MAGIC, Snapshot, fingerprint};
use min_char_rnn::fast::Fast;
use min_char_rnn::forward::forward;
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::monitor::{Reading, Recorder};
use min_char_rnn::plot::{Chart, Figure, Series};
use min_char_rnn::train::Event;
use min_char_rnn::{
    EncodeError, ForwardCache, Hyperparams, Params, TrainError, Trainer, Vector, Vocab,
};
use std::collections::BTreeSet;
use std::fmt::Display;
use std::fs;
use std::io::{self, BufRead, Read};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Runs `train` with `args`; `corpus` is the text used when no FILE is given.
// ANCHOR: run
pub fn run(args: &TrainArgs, corpus: &str) -> Result<(), Failure> {
    if super::charrnn::wanted(args) {
        return super::charrnn::run(args, corpus); // a network, trained like char-rnn
    }
    let outputs = Outputs::claim(args)?; // nothing of the user's can be overwritten
    let limit = memory::limit(args.max_memory);
    let input = Input::read(args.file.as_deref(), corpus, limit.as_ref())?;
    if let Some(limit) = &limit {
        let shape = shape_of(args, &input);
        memory::check(&shape, limit, args.resume.is_some())?;
    }
    let resumed = match &args.resume {
        Some(path) => Some(load_checkpoint(path)?),
        None => None,
    };
    let settings = Settings::new(args, resumed.as_ref(), &outputs)?;
    print(&format!(
        "data has {} characters, {} unique.\n",
        input.chars,
        input.vocab.len()
    ))?;
    let resumed_vocab = resumed.as_ref().map(|checkpoint| &checkpoint.vocab);
    let Encoded {
        name,
        title,
        vocab,
        indices,
    } = input.encode(resumed_vocab, args.resume.as_deref())?; // the text itself is dropped
    let t = settings.hyperparams.seq_length;
    let (train_ix, val_ix) = split(indices, settings.val_fraction, t, &name)?;
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
        outputs,
        vocab,
        val_ix,
        data_chars,
        data_fnv1a64,
        title: format!("min-char-rnn: loss on {title}"),
        monitor: args.monitor.then(Recorder::new),
    };
    session.train(trainer, args)
}
// ANCHOR_END: run

/// The files a run writes, checked and locked before it starts.
pub(super) struct Outputs {
    pub(super) checkpoint: Output,
    /// `None` with `--no-plot`.
    pub(super) plot: Option<Output>,
    /// Whether the checkpoint is the `--resume` file: the run continues it in place.
    pub(super) resumes_in_place: bool,
    /// Held until the run ends: no other run writes these files meanwhile.
    _locks: Vec<Lock>,
}

/// One of the files a run touches, for the "same file" check.
pub(super) struct Role {
    /// "--plot ./r.ckpt", "the default plot loss.svg", …
    pub(super) label: String,
    /// What happens to it: "the text being learned", "the checkpoint being resumed", …
    pub(super) what: &'static str,
    pub(super) identity: Identity,
    pub(super) writes: bool,
}

impl Outputs {
    // ANCHOR: claim
    /// Decides where the checkpoint and the plot go, and makes sure that saving them there
    /// destroys nothing: no two of the text, `--resume`, the checkpoint and the plot are
    /// the same file (except the checkpoint and the `--resume` file it continues); each
    /// output can be written; no other run writes it; and a file already there is replaced
    /// only if it is this run's to replace.
    pub(super) fn claim(args: &TrainArgs) -> Result<Outputs, Failure> {
        let checkpoint_path = match (&args.checkpoint, &args.resume) {
            (Some(path), _) | (None, Some(path)) => path.clone(),
            (None, None) => PathBuf::from(DEFAULT_CHECKPOINT),
        };
        let plot_path = match (&args.plot, args.no_plot) {
            (_, true) => None,
            (Some(path), false) => Some(path.clone()),
            (None, false) => Some(checkpoint_path.with_file_name(DEFAULT_PLOT)),
        };
        let roles = roles(args, &checkpoint_path, plot_path.as_deref());
        check_distinct(&roles)?;
        let resumes_in_place = args
            .resume
            .as_deref()
            .is_some_and(|r| Identity::of(r).same_file(&Identity::of(&checkpoint_path)));

        let checkpoint = files::check_output("checkpoint", "--checkpoint", &checkpoint_path)?;
        let plot = match &plot_path {
            Some(path) => Some(files::check_output("loss plot", "--plot", path)?),
            None => None,
        };
        let mut locks = vec![files::lock(&checkpoint)?];
        if let Some(plot) = &plot {
            locks.push(files::lock(plot)?);
        }
        if checkpoint.exists && !resumes_in_place && !args.force {
            return Err(not_ours(&checkpoint, args));
        }
        if let Some(plot) = plot.as_ref().filter(|p| p.exists && !args.force) {
            if !matches!(files::existing(&plot.path), Existing::Plot) {
                return Err(plot.refuse(
                    "a file is there that is not a loss plot drawn by min-char-rnn, and it is \
                     not replaced without --force",
                    Some("to replace it, add --force".to_string()),
                ));
            }
        }
        files::remove_stale_temporaries(&checkpoint.path);
        if let Some(plot) = &plot {
            files::remove_stale_temporaries(&plot.path);
        }
        Ok(Outputs {
            checkpoint,
            plot,
            resumes_in_place,
            _locks: locks,
        })
    }
    // ANCHOR_END: claim
}

/// The files a run touches, each with what it is and whether the run writes it.
pub(super) fn roles(args: &TrainArgs, checkpoint: &Path, plot: Option<&Path>) -> Vec<Role> {
    let mut roles = Vec::new();
    match args.file.as_deref() {
        Some(file) if file.as_os_str() == STDIN => roles.push(Role {
            label: "the text read from standard input".to_string(),
            what: "the text being learned",
            identity: Identity::of_stdin(),
            writes: false,
        }),
        Some(file) => roles.push(Role {
            label: format!("the text {}", file.display()),
            what: "the text being learned",
            identity: Identity::of(file),
            writes: false,
        }),
        None => {}
    }
    if let Some(resume) = &args.resume {
        roles.push(Role {
            label: format!("--resume {}", resume.display()),
            what: "the checkpoint being resumed",
            identity: Identity::of(resume),
            writes: false,
        });
    }
    let checkpoint_label = match (&args.checkpoint, &args.resume) {
        (Some(path), _) => format!("--checkpoint {}", path.display()),
        (None, Some(path)) => format!("the checkpoint {} (the --resume file)", path.display()),
        (None, None) => format!("the checkpoint {} (the default)", checkpoint.display()),
    };
    roles.push(Role {
        label: checkpoint_label,
        what: "the checkpoint",
        identity: Identity::of(checkpoint),
        writes: true,
    });
    if let Some(plot) = plot {
        let label = match &args.plot {
            Some(path) => format!("--plot {}", path.display()),
            None => format!(
                "the loss plot {} (the default: {DEFAULT_PLOT} next to the checkpoint)",
                plot.display()
            ),
        };
        roles.push(Role {
            label,
            what: "the loss plot",
            identity: Identity::of(plot),
            writes: true,
        });
    }
    roles
}

// ANCHOR: check_distinct
/// A usage error if a file the run writes is also another of its files, compared as files
/// (a path through `..`, a symbolic link or a hard link is the same file). A checkpoint that
/// is the `--resume` file is allowed: that is how a run continues in place.
fn check_distinct(roles: &[Role]) -> Result<(), Failure> {
    // The roles come in the order text, --resume, checkpoint, plot: of two, the later one
    // is the one a save would write.
    for (j, writer) in roles.iter().enumerate() {
        for other in &roles[..j] {
            let in_place =
                writer.what == "the checkpoint" && other.what == "the checkpoint being resumed";
            if !writer.writes || in_place || !writer.identity.same_file(&other.identity) {
                continue;
            }
            let flag = match writer.what {
                "the loss plot" => "--plot PATH, or turn the plot off with --no-plot",
                _ => "--checkpoint PATH",
            };
            return Err(Failure::usage(
                Command::Train,
                format!(
                    "{} and {} are the same file: {} would replace {}; choose another place \
                     with {flag}",
                    writer.label, other.label, writer.what, other.what
                ),
            ));
        }
    }
    Ok(())
}
// ANCHOR_END: check_distinct

// ANCHOR: not_ours
/// The refusal to replace a file at the checkpoint's path that this run did not start
/// from, with both ways out: resume it, or replace it on purpose.
fn not_ours(checkpoint: &Output, args: &TrainArgs) -> Failure {
    let at = shown(&checkpoint.given);
    match files::existing(&checkpoint.path) {
        Existing::Checkpoint(iteration) => {
            let when = iteration.map_or(String::new(), |n| format!(" at iteration {n}"));
            let file = match args.file.as_deref() {
                Some(file) => format!(" {}", quoted(file)),
                None => String::new(),
            };
            Failure::Runtime {
                message: format!(
                    "{at} already holds a checkpoint{when}, from a run this one did not start \
                     from: it is not replaced without --resume or --force"
                ),
                hints: vec![
                    format!(
                        "to continue that run: min-char-rnn train{file} --resume {}",
                        quoted(&checkpoint.given)
                    ),
                    "to start a new run in its place, add --force; or keep it, and choose \
                     another place with --checkpoint PATH"
                        .to_string(),
                ],
            }
        }
        _ => Failure::Runtime {
            message: format!(
                "{at} already exists and is not a min-char-rnn checkpoint: it is not replaced \
                 without --force"
            ),
            hints: vec![
                "choose another place with --checkpoint PATH, or add --force to replace it"
                    .to_string(),
            ],
        },
    }
}
// ANCHOR_END: not_ours

/// The text to learn, read and looked at.
pub(super) struct Input {
    /// The text as named in messages: its path as given, or "standard input".
    pub(super) name: String,
    /// The text as named in the plot's title: its file name only, not the directories.
    pub(super) title: String,
    pub(super) text: String,
    pub(super) chars: usize,
    pub(super) vocab: Vocab,
}

/// The text of a run, encoded ([`Input::encode`]): its names, the run's vocabulary and the
/// indices.
pub(super) struct Encoded {
    /// As [`Input::name`].
    pub(super) name: String,
    /// As [`Input::title`].
    pub(super) title: String,
    pub(super) vocab: Vocab,
    pub(super) indices: Vec<usize>,
}

impl Input {
    /// The text as indices in the run's vocabulary: `resumed`, the resumed checkpoint's, or
    /// else the text's own. The text itself is dropped: the indices are all training needs
    /// from now on. A character outside a resumed vocabulary is reported with its line and
    /// column, and the checkpoint (`resume`) it is missing from.
    pub(super) fn encode(
        self,
        resumed: Option<&Vocab>,
        resume: Option<&Path>,
    ) -> Result<Encoded, Failure> {
        let Input {
            name,
            title,
            text,
            vocab,
            ..
        } = self;
        let vocab = resumed.cloned().unwrap_or(vocab);
        let indices = encode(&vocab, &text, &name, resume)?;
        Ok(Encoded {
            name,
            title,
            vocab,
            indices,
        })
    }

    /// Reads the text: `file`, standard input for `-`, or the built-in corpus. A file too
    /// large to read within `limit` is refused before it is read.
    pub(super) fn read(
        file: Option<&Path>,
        corpus: &str,
        limit: Option<&Limit>,
    ) -> Result<Input, Failure> {
        let (name, title, text) = match file {
            None => {
                let name = "the built-in corpus".to_string();
                (name.clone(), name, corpus.to_string())
            }
            Some(path) if path.as_os_str() == STDIN => {
                let name = "standard input".to_string();
                (name.clone(), name, files::read_stdin(Command::Train)?)
            }
            Some(path) => {
                if let (Some(limit), Ok(metadata)) = (limit, fs::metadata(path)) {
                    memory::check_text(path, metadata.len(), limit)?;
                }
                let title = path.file_name().map_or_else(
                    || path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                );
                (
                    path.display().to_string(),
                    title,
                    files::read_text(path, Command::Train)?,
                )
            }
        };
        // The vocabulary without a copy of the text as `char`s (4 bytes each).
        let mut chars = 0;
        let mut distinct = BTreeSet::new();
        for ch in text.chars() {
            chars += 1;
            distinct.insert(ch);
        }
        let vocab = Vocab::from_chars(distinct.into_iter().collect())
            .map_err(|e| Failure::runtime(format!("{name}: {e}")))?;
        Ok(Input {
            name,
            title,
            text,
            chars,
            vocab,
        })
    }
}

/// The memory a run of `args` on `input` will hold, from the arguments or, when resuming,
/// from the header of the checkpoint (read without loading it).
fn shape_of(args: &TrainArgs, input: &Input) -> Shape {
    let defaults = Hyperparams::default();
    let mut shape = Shape {
        vocab_size: input.vocab.len(),
        hidden_size: args.hidden_size.unwrap_or(defaults.hidden_size),
        seq_length: args.seq_length.unwrap_or(defaults.seq_length),
        text_bytes: input.text.len() as u64,
        val_chars: 0,
        sample_length: if args.sample_every > 0 {
            args.sample_length
        } else {
            0
        },
        checkpoint_bytes: 0,
        fast: !args.plain,
    };
    let mut fraction = args.val_fraction.unwrap_or(0.0);
    if let Some(path) = &args.resume {
        if let Some(header) = peek_header(path) {
            shape.vocab_size = header.vocab_size;
            shape.hidden_size = header.hidden_size;
            shape.seq_length = header.seq_length;
            fraction = header.val_fraction;
        }
        shape.checkpoint_bytes = fs::metadata(path).map_or(0, |m| m.len());
    }
    shape.val_chars = ((input.chars as f64) * fraction).round() as u64;
    shape
}

/// The sizes a checkpoint's header gives.
struct Header {
    hidden_size: usize,
    seq_length: usize,
    val_fraction: f64,
    vocab_size: usize,
}

/// Reads the header of the checkpoint at `path` (its first lines, up to `vocab`), without
/// loading the arrays; `None` if it is not readable as one (loading it will say why).
fn peek_header(path: &Path) -> Option<Header> {
    let file = fs::File::open(path).ok()?;
    let mut reader = io::BufReader::new(file.take(64 << 20));
    let mut header = Header {
        hidden_size: 0,
        seq_length: 0,
        val_fraction: 0.0,
        vocab_size: 0,
    };
    let mut line = String::new();
    for n in 0..16 {
        line.clear();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches('\n');
        if n == 0 && line != MAGIC {
            return None;
        }
        let (key, value) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "hidden_size" => header.hidden_size = value.parse().ok()?,
            "seq_length" => header.seq_length = value.parse().ok()?,
            "val_fraction" => header.val_fraction = value.parse().ok()?,
            "vocab" => {
                header.vocab_size = value.split(' ').count();
                return Some(header);
            }
            _ => {}
        }
    }
    None
}

/// The settings of the run, from the arguments and the resumed checkpoint.
struct Settings {
    hyperparams: Hyperparams,
    seed: u64,
    val_fraction: Option<f64>,
    /// The iteration of the checkpoint already at the checkpoint's path, if this run put it
    /// there or resumes it in place.
    saved_at: Option<usize>,
    /// The last checkpoint whose network was still sound: its iteration and path (the
    /// resumed one, then each one this run saves).
    last_good: Option<(usize, PathBuf)>,
    loss_history: Vec<(usize, f64)>,
    val_history: Vec<(usize, f64)>,
}

impl Settings {
    fn new(
        args: &TrainArgs,
        resumed: Option<&Checkpoint>,
        outputs: &Outputs,
    ) -> Result<Settings, Failure> {
        let defaults = Hyperparams::default();
        let mut settings = Settings {
            hyperparams: Hyperparams {
                hidden_size: args.hidden_size.unwrap_or(defaults.hidden_size),
                seq_length: args.seq_length.unwrap_or(defaults.seq_length),
                learning_rate: args.learning_rate.unwrap_or(defaults.learning_rate),
            },
            seed: args.seed.unwrap_or(DEFAULT_SEED),
            val_fraction: args.val_fraction,
            saved_at: None,
            last_good: None,
            loss_history: Vec::new(),
            val_history: Vec::new(),
        };
        if let (Some(saved), Some(path)) = (resumed, &args.resume) {
            settings.take_from(args, saved)?;
            settings.last_good = Some((saved.state.iteration, path.clone()));
            if outputs.resumes_in_place {
                settings.saved_at = Some(saved.state.iteration);
            }
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
        self.loss_history = saved.loss_history.clone();
        self.val_history = saved.val_history.clone();
        Ok(())
    }
    // ANCHOR_END: resume_settings
}

/// `Ok` if `given` is absent or equal to the checkpoint's `saved`.
pub(super) fn same<T: PartialEq + Display>(
    flag: &str,
    given: Option<T>,
    saved: T,
) -> Result<(), Failure> {
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
    outputs: Outputs,
    vocab: Vocab,
    val_ix: Vec<usize>,
    data_chars: usize,
    data_fnv1a64: u64,
    title: String,
    /// With `--monitor`: the gradient norms and update ratios of the printed iterations.
    monitor: Option<Recorder>,
}

impl Session {
    // ANCHOR: train_loop
    /// Trains to `args.iterations`, in stretches that end where something must happen
    /// outside the library's loop: a printed iteration (its loss goes into the plot), an
    /// evaluation of the held-out part, a checkpoint. Each stretch is one call of
    /// `Trainer::run`, which samples and steps (two with `--monitor`: see `run_stretch`).
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
        let eval_every = if self.val_ix.is_empty() {
            0
        } else {
            args.eval_every
        };
        while trainer.iteration < total {
            let until = next_stop(
                trainer.iteration,
                total,
                [every, eval_every],
                args.checkpoint_every,
            );
            let mut stdout_failure = None;
            let watch = self.monitor.is_some() && every > 0 && (until - 1) % every == 0;
            let result = run_stretch(&mut trainer, until, args, watch, |event| {
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
            let before = match result {
                Ok(before) => before,
                Err(e) => {
                    progress.clear();
                    return Err(self.diverged(&e));
                }
            };
            let done = trainer.iteration;
            progress.clear();
            self.record(&trainer, done - 1, every, eval_every, before.as_ref())?;
            let checkpoint_due = args.checkpoint_every > 0 && done % args.checkpoint_every == 0;
            if checkpoint_due || done == total {
                self.save(&trainer)?;
            }
            progress.redraw();
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
        let when = every_and_at_the_end(args.checkpoint_every);
        let plot = match &self.outputs.plot {
            Some(plot) => shown(&plot.given),
            None => "none (--no-plot)".to_string(),
        };
        let mut lines = format!(
            "{from}, up to iteration {}\ncheckpoint: {} ({when})\nloss plot: {plot}",
            args.iterations,
            shown(&self.outputs.checkpoint.given),
        );
        if self.monitor.is_some() {
            lines.push_str(&monitoring(args.print_every, self.outputs.plot.is_some()));
        }
        if !self.val_ix.is_empty() {
            let when = every_and_at_the_end(args.eval_every);
            // A forward pass over the held-out part; a step is a forward and a backward
            // pass (about twice the work) over T characters, and an update.
            let cost = self.val_ix.len() as f64 / (3.0 * trainer.hyperparams.seq_length as f64);
            lines.push_str(&format!(
                "\nvalidation: {} characters held out, evaluated {when} (each evaluation \
                 takes about as long as {:.0} training iterations)",
                self.val_ix.len(),
                cost.max(1.0)
            ));
        }
        status(&lines);
    }

    /// After iteration `n`: remember the smooth loss for the plot if `n` is printed, with
    /// `--monitor` measure its step (`before` is a copy of the parameters from before it),
    /// and evaluate the held-out part if it is due (printing and remembering the figures).
    fn record(
        &mut self,
        trainer: &Trainer,
        n: usize,
        print_every: usize,
        eval_every: usize,
        before: Option<&Params>,
    ) -> Result<(), Failure> {
        if print_every > 0 && n % print_every == 0 {
            self.settings.loss_history.push((n, trainer.smooth_loss));
        }
        if let (Some(monitor), Some(before)) = (&mut self.monitor, before) {
            let reading = Reading::measure(n, before, &trainer.params, trainer.grads());
            print(&reading.log_lines())?;
            monitor.record(reading);
        }
        if eval_every > 0 && n % eval_every == 0 {
            let loss = trainer.evaluate(&self.val_ix);
            self.settings.val_history.push((n, loss));
            print(&format!("iter {n}, val {}\n", figures(loss)))?;
        }
        Ok(())
    }

    // ANCHOR: save
    /// Saves the checkpoint, then the plot; both atomically, the checkpoint streamed from
    /// the trainer's own arrays. A network that is no longer sound is not saved: the run
    /// stops as diverged instead, and the last good checkpoint stays.
    fn save(&mut self, trainer: &Trainer) -> Result<(), Failure> {
        let s = &self.settings;
        let snapshot = Snapshot {
            val_fraction: s.val_fraction.unwrap_or(0.0),
            data_chars: self.data_chars,
            data_fnv1a64: self.data_fnv1a64,
            loss_history: &s.loss_history,
            val_history: &s.val_history,
            vocab: &self.vocab,
            hyperparams: trainer.hyperparams,
            params: &trainer.params,
            memory: &trainer.adagrad.memory,
            iteration: trainer.iteration,
            pointer: trainer.pointer,
            h_prev: &trainer.h_prev,
            smooth_loss: trainer.smooth_loss,
            rng_state: trainer.rng.get_seed(),
        };
        self.check_sound(trainer, &snapshot)?;
        let checkpoint = &self.outputs.checkpoint;
        snapshot.save(&checkpoint.given).map_err(|e| {
            let hint = match s.saved_at {
                Some(at) => format!("the checkpoint from iteration {at} is still intact"),
                None => "no checkpoint was saved by this run".to_string(),
            };
            Failure::with_hint(e.to_string(), hint)
        })?;
        if let Some(plot) = &self.outputs.plot {
            let chart = self.chart(trainer.hyperparams.seq_length);
            chart.save(&plot.given).map_err(|e| {
                Failure::runtime(format!(
                    "cannot write the loss plot {}: {} (the checkpoint was saved)",
                    plot.given.display(),
                    io_message(&e)
                ))
            })?;
        }
        self.settings.saved_at = Some(trainer.iteration);
        self.settings.last_good = Some((trainer.iteration, checkpoint.given.clone()));
        Ok(())
    }
    // ANCHOR_END: save

    // ANCHOR: check_sound
    /// Whether the network about to be saved can go on: every value finite, and a finite
    /// loss on the chunk the next step will read. A step that throws the weights far (a
    /// learning rate of 1e300) leaves them finite but useless: only the next step's loss
    /// shows it, so it is computed now, before the save rather than after.
    fn check_sound(&self, trainer: &Trainer, snapshot: &Snapshot<'_>) -> Result<(), Failure> {
        let loss = next_loss(trainer);
        if !loss.is_finite() {
            let iteration = trainer.iteration;
            return Err(self.diverged(&TrainError::Diverged { iteration, loss }));
        }
        if let Some(name) = snapshot.first_non_finite() {
            let e = format!(
                "training diverged at iteration {}: {name} holds a value that is not a finite \
                 number (try a smaller learning rate)",
                trainer.iteration
            );
            return Err(self.diverged(&e));
        }
        Ok(())
    }
    // ANCHOR_END: check_sound

    /// Smooth loss per character (the smooth loss is summed over `T` characters) and the
    /// validation loss per character, against the iteration; with `--monitor`, the
    /// monitoring panels below.
    fn chart(&self, seq_length: usize) -> Figure {
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
        let chart = Chart {
            title: self.title.clone(),
            x_label: "iteration".to_string(),
            y_label: "loss per character (nats)".to_string(),
            series,
        };
        let panels = self
            .monitor
            .as_ref()
            .map_or_else(Vec::new, Recorder::panels);
        Figure { chart, panels }
    }

    /// The failure of a diverged run, with the checkpoint to go back to.
    fn diverged(&self, e: &dyn Display) -> Failure {
        let path = &self.outputs.checkpoint.given;
        let mut hints = Vec::new();
        match &self.settings.last_good {
            Some((at, good)) => {
                hints.push(format!(
                    "the last good checkpoint, from iteration {at}, is intact: {}",
                    shown(good)
                ));
                hints.push(format!(
                    "to continue from it with smaller steps: --resume {} --learning-rate {:?}",
                    quoted(good),
                    self.settings.hyperparams.learning_rate / 10.0
                ));
            }
            None if path.exists() => hints.push(format!(
                "no checkpoint was saved by this run; {} is untouched",
                shown(path)
            )),
            None => hints.push("no checkpoint was saved by this run".to_string()),
        }
        Failure::Runtime {
            message: e.to_string(),
            hints,
        }
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
        let checkpoint = &self.outputs.checkpoint.given;
        let plot = match &self.outputs.plot {
            Some(plot) => format!(" and loss plot {}", shown(&plot.given)),
            None => String::new(),
        };
        status(&format!(
            "saved checkpoint {} (iteration {}){plot}",
            shown(checkpoint),
            trainer.iteration
        ));
        status(&format!(
            "to write with it: min-char-rnn sample --checkpoint {}",
            quoted(checkpoint)
        ));
        Ok(())
    }
}

/// The announcement's line about `--monitor`: what it measures and where it goes, for a
/// run printing every `print_every` iterations, with a plot or without.
pub(super) fn monitoring(print_every: usize, plot: bool) -> String {
    let into = if plot {
        "the log and the plot"
    } else {
        "the log"
    };
    match print_every {
        0 => "\nmonitoring: nothing to measure, as no iteration is printed (--print-every 0)"
            .to_string(),
        every => format!(
            "\nmonitoring: gradient norms and update-to-weight ratios of every printed \
             iteration (every {every}), into {into}"
        ),
    }
}

/// "every 1000 iterations and at the end", "after every iteration", "at the end" (0).
pub(super) fn every_and_at_the_end(every: usize) -> String {
    match every {
        0 => "at the end".to_string(),
        1 => "after every iteration".to_string(),
        n => format!("every {n} iterations and at the end"),
    }
}

// ANCHOR: run_stretch
/// One stretch of training: `trainer.run` up to iteration `until`, `observe` receiving the
/// events. With `watch`, the last iteration of the stretch (`until − 1`, a printed one) runs
/// on its own, after a copy of the parameters, so that the monitor can measure how far its
/// step moved them: the copy is returned. Only the monitored iterations pay for a copy.
fn run_stretch(
    trainer: &mut Trainer,
    until: usize,
    args: &TrainArgs,
    watch: bool,
    mut observe: impl FnMut(Event<'_>) -> ControlFlow<()>,
) -> Result<Option<Params>, TrainError> {
    let (every, length) = (args.sample_every, args.sample_length);
    if !watch {
        trainer.run(until, every, length, observe)?;
        return Ok(None);
    }
    trainer.run(until - 1, every, length, &mut observe)?;
    if trainer.iteration != until - 1 {
        return Ok(None); // `observe` stopped the run
    }
    let before = trainer.params.clone();
    trainer.run(until, every, length, observe)?;
    Ok((trainer.iteration == until).then_some(before))
}
// ANCHOR_END: run_stretch

/// The loss the trainer's next step will have, computed now without taking the step: the
/// forward pass alone over the chunk it will read, from the memory it will start with
/// (`Trainer::next_chunk` says where, and whether it starts afresh).
fn next_loss(trainer: &Trainer) -> f64 {
    let (p, reset) = trainer.next_chunk();
    let t = trainer.hyperparams.seq_length;
    let h_prev = if reset {
        Vector::zeros(trainer.hyperparams.hidden_size)
    } else {
        trainer.h_prev.clone()
    };
    let data = trainer.data();
    let mut cache = ForwardCache::new(0, 0, 0); // sized by the forward pass
    forward(&trainer.params, &data[p..p + t], &h_prev, &mut cache);
    sequence_loss(&cache.ps, &data[p + 1..p + t + 1])
}

/// Loss per character, perplexity `exp(loss)` and bits per character `loss / ln 2`.
// ANCHOR: figures
pub(super) fn figures(loss: f64) -> String {
    format!(
        "loss/char: {loss:.6}, perplexity: {:.3}, bits/char: {:.4}",
        loss.exp(),
        loss / std::f64::consts::LN_2
    )
}
// ANCHOR_END: figures

// ANCHOR: next_stop
/// Where the next stretch of training ends: just after the next iteration `n` that is a
/// multiple of one of `every` (printed or evaluated: after `n + 1` are done), at the next
/// multiple of `checkpoint_every`, or at `total`, whichever comes first. A 0 in `every` or
/// `checkpoint_every` means never.
fn next_stop(done: usize, total: usize, every: [usize; 2], checkpoint_every: usize) -> usize {
    let mut stop = total;
    for every in every {
        if every > 0 {
            let next = done.div_ceil(every).saturating_mul(every); // the next such n
            stop = stop.min(next.saturating_add(1));
        }
    }
    if let Some(saved) = done.checked_div(checkpoint_every) {
        let next_save = saved.saturating_add(1).saturating_mul(checkpoint_every);
        stop = stop.min(next_save);
    }
    stop
}
// ANCHOR_END: next_stop

fn load_checkpoint(path: &Path) -> Result<Checkpoint, Failure> {
    Checkpoint::load(path).map_err(|e| {
        Failure::with_hint(
            e.to_string(),
            "--resume needs a checkpoint saved by min-char-rnn train",
        )
    })
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
        let (line, column) = line_and_column(text, position);
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

/// The line and column, both counted from 1, of the character at `position` (counted in
/// characters) of `text`.
pub(super) fn line_and_column(text: &str, position: usize) -> (usize, usize) {
    let (mut line, mut column) = (1, 1);
    for c in text.chars().take(position) {
        if c == '\n' {
            (line, column) = (line + 1, 1);
        } else {
            column += 1;
        }
    }
    (line, column)
}

// ANCHOR: split
/// Splits off the last `fraction` of the text for validation, leaving at least `T + 1`
/// characters to train on (`seq_length` is `T`) and 2 to evaluate.
fn split(
    mut indices: Vec<usize>,
    fraction: Option<f64>,
    seq_length: usize,
    name: &str,
) -> Result<(Vec<usize>, Vec<usize>), Failure> {
    let Some(fraction) = fraction else {
        return Ok((indices, Vec::new()));
    };
    let n = indices.len();
    let val_len = ((n as f64) * fraction).round() as usize;
    let train_len = n.saturating_sub(val_len);
    let needed = seq_length.saturating_add(1);
    if val_len < 2 || train_len < needed {
        // The fractions that work: from 2 characters held out to all but T + 1.
        let lowest = (2.0 / n as f64 * 1e4).ceil() / 1e4;
        let highest = ((n.saturating_sub(needed)) as f64 / n as f64 * 1e4).floor() / 1e4;
        let hint = if n >= needed + 2 && lowest <= highest {
            format!("use a --val-fraction from {lowest} to {highest}, or a longer text")
        } else {
            "the text is too short to hold a part out: leave --val-fraction out, or use a \
             longer text"
                .to_string()
        };
        let problem = if val_len < 2 {
            format!(
                "holds out {val_len} of its {n} characters, but the held-out part needs at least 2"
            )
        } else {
            format!(
                "leaves {train_len} of its {n} characters for the training part, but training \
                 needs at least {needed} (seq_length + 1)"
            )
        };
        return Err(Failure::with_hint(
            format!("{name}: --val-fraction {fraction} {problem}"),
            hint,
        ));
    }
    let val = indices.split_off(n - val_len);
    Ok((indices, val))
}
// ANCHOR_END: split

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

#[cfg(test)]
mod tests {
    use super::next_stop;

    #[test]
    fn stretches_end_after_printed_iterations_and_at_checkpoints() {
        // print every 100: n = 0 is printed, so the first stretch is one iteration long.
        assert_eq!(next_stop(0, 2000, [100, 0], 1000), 1);
        assert_eq!(next_stop(1, 2000, [100, 0], 1000), 101);
        assert_eq!(next_stop(901, 2000, [100, 0], 1000), 1000);
        assert_eq!(next_stop(1000, 2000, [100, 0], 1000), 1001);
        assert_eq!(next_stop(1950, 2000, [100, 0], 0), 2000);
        assert_eq!(next_stop(5, 2000, [0, 0], 0), 2000);
    }

    #[test]
    fn stretches_end_after_evaluated_iterations_too() {
        // print every 100, evaluate every 250: after iterations 200, 250 and 300.
        assert_eq!(next_stop(201, 2000, [100, 250], 1000), 251);
        assert_eq!(next_stop(251, 2000, [100, 250], 1000), 301);
        assert_eq!(next_stop(1, 2000, [0, 250], 0), 251);
    }
}
