//! Argument parsing, with std only: `--flag value` or `--flag=value`, `-h`/`--help` and
//! `-V`/`--version` everywhere, and a usage error (exit code 2) that names the flag and what
//! it accepts for anything else.

use super::{Command, Failure};
use min_char_rnn::cells::CellKind;
use min_char_rnn::optim::OptimizerKind;
use std::ffi::OsString;
use std::path::PathBuf;

/// The default number of iterations: about 7 seconds on a laptop, enough to see words.
pub const DEFAULT_ITERATIONS: usize = 20_000;
/// The default seed of a new training run.
pub const DEFAULT_SEED: u64 = 42;
/// The default checkpoint file, in the working directory.
pub const DEFAULT_CHECKPOINT: &str = "min-char-rnn.ckpt";
/// The default plot file name, next to the checkpoint.
pub const DEFAULT_PLOT: &str = "loss.svg";
/// The default number of iterations between two evaluations of the held-out part (as
/// char-rnn's `eval_val_every`).
pub const DEFAULT_EVAL_EVERY: usize = 1000;
/// What `FILE` is to read the text from standard input.
pub const STDIN: &str = "-";

/// What the command line asks for.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // made once per run: its size does not matter
pub enum Parsed {
    /// Print the help of a command.
    Help(Command),
    /// Print the version.
    Version,
    /// Train.
    Train(TrainArgs),
    /// Generate text from a checkpoint.
    Sample(SampleArgs),
    /// Write a page that shows what a checkpoint's network does on a text.
    Explain(ExplainArgs),
    /// Print a checkpoint's loss per character on a text.
    Evaluate(EvaluateArgs),
}

/// `min-char-rnn train`'s arguments. `None` means "not given": a default, or the resumed
/// checkpoint's value.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainArgs {
    /// The text to learn; `None` for the built-in corpus.
    pub file: Option<PathBuf>,
    /// The total iteration count to reach.
    pub iterations: usize,
    /// `H`.
    pub hidden_size: Option<usize>,
    /// `T`.
    pub seq_length: Option<usize>,
    /// Adagrad's step size.
    pub learning_rate: Option<f64>,
    /// The seed of a new run.
    pub seed: Option<u64>,
    /// Print the loss every this many iterations (0: never).
    pub print_every: usize,
    /// Print a sample every this many iterations (0: never).
    pub sample_every: usize,
    /// Characters per sample.
    pub sample_length: usize,
    /// Where to save checkpoints.
    pub checkpoint: Option<PathBuf>,
    /// Save every this many iterations (0: only at the end).
    pub checkpoint_every: usize,
    /// The checkpoint to continue.
    pub resume: Option<PathBuf>,
    /// Replace an existing checkpoint this run did not start from, or a file at the plot's
    /// path that is not a loss plot.
    pub force: bool,
    /// Where to write the loss plot.
    pub plot: Option<PathBuf>,
    /// Write no loss plot.
    pub no_plot: bool,
    /// The held-out fraction of the text.
    pub val_fraction: Option<f64>,
    /// Evaluate the held-out part every this many iterations (0: only at the end).
    pub eval_every: usize,
    /// The most memory, in bytes, the run may need; `None`: what the system has available.
    pub max_memory: Option<u64>,
    /// Run the plain path (the code the book walks through) instead of the fast path.
    pub plain: bool,
    /// Also log and plot each parameter's gradient norm and update-to-weight ratio.
    pub monitor: bool,
    /// The cell of a network trained like char-rnn.
    pub cell: Option<CellKind>,
    /// `L`, the number of stacked layers.
    pub layers: Option<usize>,
    /// `B`, the streams read side by side.
    pub batch_size: Option<usize>,
    /// The optimizer.
    pub optimizer: Option<OptimizerKind>,
    /// Clip every gradient element into `[−C, C]`.
    pub clip_value: Option<f64>,
    /// Scale the gradients so that their joint L2 norm is at most `C`.
    pub clip_norm: Option<f64>,
    /// Multiply the learning rate by this after every epoch from `--decay-after` on.
    pub learning_rate_decay: Option<f64>,
    /// The epoch after which the learning rate starts to decay.
    pub decay_after: Option<f64>,
    /// `p` of dropout between the layers and before the output layer, `0 ≤ p < 1`.
    pub dropout: Option<f64>,
}

impl TrainArgs {
    // ANCHOR: is_charrnn
    /// Whether the arguments ask for more than the original program can do, so that the
    /// network trainer of Part II runs (char-rnn's way): a gated cell, stacked layers,
    /// several streams, another optimizer, other clipping, learning-rate decay, or dropout.
    /// The original's own values (`--cell rnn`, `--layers 1`, `--batch-size 1`, `--optimizer
    /// adagrad`, `--clip-value 5`, `--dropout 0`) keep the original trainer.
    pub fn is_charrnn(&self) -> bool {
        self.cell.is_some_and(|cell| cell != CellKind::Rnn)
            || self.layers.is_some_and(|l| l > 1)
            || self.batch_size.is_some_and(|b| b > 1)
            || self.optimizer.is_some_and(|o| o != OptimizerKind::Adagrad)
            || self.clip_value.is_some_and(|c| c != ORIGINAL_CLIP)
            || self.clip_norm.is_some()
            || self.learning_rate_decay.is_some_and(|d| d != 1.0)
            || self.decay_after.is_some()
            || self.dropout.is_some_and(|p| p > 0.0)
    }
    // ANCHOR_END: is_charrnn

    /// The char-rnn options given, as typed (for messages that name them).
    pub fn charrnn_flags(&self) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(cell) = self.cell {
            flags.push(format!("--cell {cell}"));
        }
        if let Some(layers) = self.layers {
            flags.push(format!("--layers {layers}"));
        }
        if let Some(batch) = self.batch_size {
            flags.push(format!("--batch-size {batch}"));
        }
        if let Some(optimizer) = self.optimizer {
            flags.push(format!("--optimizer {optimizer}"));
        }
        if let Some(c) = self.clip_value {
            flags.push(format!("--clip-value {c}"));
        }
        if let Some(c) = self.clip_norm {
            flags.push(format!("--clip-norm {c}"));
        }
        if let Some(d) = self.learning_rate_decay {
            flags.push(format!("--learning-rate-decay {d}"));
        }
        if let Some(e) = self.decay_after {
            flags.push(format!("--decay-after {e}"));
        }
        if let Some(p) = self.dropout {
            flags.push(format!("--dropout {p}"));
        }
        flags
    }
}

/// The original's clipping limit (Part I's `CLIP`).
const ORIGINAL_CLIP: f64 = 5.0;

impl Default for TrainArgs {
    fn default() -> TrainArgs {
        TrainArgs {
            file: None,
            iterations: DEFAULT_ITERATIONS,
            hidden_size: None,
            seq_length: None,
            learning_rate: None,
            seed: None,
            print_every: 100,
            sample_every: 1000,
            sample_length: 200,
            checkpoint: None,
            checkpoint_every: 1000,
            resume: None,
            force: false,
            plot: None,
            no_plot: false,
            val_fraction: None,
            eval_every: DEFAULT_EVAL_EVERY,
            max_memory: None,
            plain: false,
            monitor: false,
            cell: None,
            layers: None,
            batch_size: None,
            optimizer: None,
            clip_value: None,
            clip_norm: None,
            learning_rate_decay: None,
            decay_after: None,
            dropout: None,
        }
    }
}

/// `min-char-rnn sample`'s arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleArgs {
    /// The checkpoint to sample from.
    pub checkpoint: PathBuf,
    /// Characters to generate after the prime.
    pub length: usize,
    /// `None` for temperature 1; ignored with `argmax`.
    pub temperature: Option<f64>,
    /// Text to continue.
    pub prime: String,
    /// `None`: the checkpoint's own random state.
    pub seed: Option<u64>,
    /// Always take the most likely character.
    pub argmax: bool,
}

/// `min-char-rnn explain`'s arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ExplainArgs {
    /// The checkpoint whose network is watched.
    pub checkpoint: PathBuf,
    /// The text to read from a file (`-`: standard input).
    pub file: Option<PathBuf>,
    /// The text given on the command line.
    pub text: Option<String>,
    /// Where to write the page; `None`: next to the checkpoint, with the extension `.html`.
    pub out: Option<PathBuf>,
    /// Replace a file at the page's path that is not a page `explain` wrote.
    pub force: bool,
}

/// `min-char-rnn evaluate`'s arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluateArgs {
    /// The checkpoint whose network is measured.
    pub checkpoint: PathBuf,
    /// The text to measure it on (`-`: standard input).
    pub file: PathBuf,
}

/// One option: its name and the name of its value (`None` for a switch like `--argmax`).
struct Flag {
    name: &'static str,
    value: Option<&'static str>,
}

const fn flag(name: &'static str, value: &'static str) -> Flag {
    Flag {
        name,
        value: Some(value),
    }
}

const fn switch(name: &'static str) -> Flag {
    Flag { name, value: None }
}

/// The placeholder of options that take free text: their value may start with `-`.
const FREE_TEXT: &str = "TEXT";

const TRAIN_FLAGS: &[Flag] = &[
    flag("--iterations", "N"),
    flag("--hidden-size", "H"),
    flag("--seq-length", "T"),
    flag("--learning-rate", "LR"),
    flag("--seed", "S"),
    flag("--print-every", "N"),
    flag("--sample-every", "N"),
    flag("--sample-length", "N"),
    flag("--checkpoint", "PATH"),
    flag("--checkpoint-every", "N"),
    flag("--resume", "PATH"),
    switch("--force"),
    flag("--plot", "PATH"),
    switch("--no-plot"),
    flag("--val-fraction", "F"),
    flag("--eval-every", "N"),
    flag("--max-memory", "SIZE"),
    switch("--plain"),
    switch("--monitor"),
    flag("--cell", "KIND"),
    flag("--layers", "L"),
    flag("--batch-size", "B"),
    flag("--optimizer", "NAME"),
    flag("--clip-value", "C"),
    flag("--clip-norm", "C"),
    flag("--learning-rate-decay", "D"),
    flag("--decay-after", "E"),
    flag("--dropout", "P"),
];

const EVALUATE_FLAGS: &[Flag] = &[flag("--checkpoint", "PATH")];

const EXPLAIN_FLAGS: &[Flag] = &[
    flag("--checkpoint", "PATH"),
    flag("--text", FREE_TEXT),
    flag("--out", "PATH"),
    switch("--force"),
];

const SAMPLE_FLAGS: &[Flag] = &[
    flag("--checkpoint", "PATH"),
    flag("--length", "N"),
    flag("--temperature", "T"),
    flag("--prime", FREE_TEXT),
    flag("--seed", "S"),
    switch("--argmax"),
];

// ANCHOR: parse
/// Parses the arguments after the program name.
///
/// No arguments train with every default; arguments that start with `-` but no command are
/// `train`'s (so `min-char-rnn --iterations 500` works).
pub fn parse(args: &[OsString]) -> Result<Parsed, Failure> {
    let mut strings = Vec::with_capacity(args.len());
    for arg in args {
        match arg.to_str() {
            Some(s) => strings.push(s.to_string()),
            None => {
                return Err(Failure::usage(
                    Command::Top,
                    format!("argument '{}' is not valid UTF-8", arg.to_string_lossy()),
                ));
            }
        }
    }
    let Some(first) = strings.first() else {
        return Ok(Parsed::Train(TrainArgs::default()));
    };
    match first.as_str() {
        "train" => parse_train(&strings[1..]),
        "sample" => parse_sample(&strings[1..]),
        "explain" => parse_explain(&strings[1..]),
        "evaluate" => parse_evaluate(&strings[1..]),
        "help" => match strings.get(1).map(String::as_str) {
            None => Ok(Parsed::Help(Command::Top)),
            Some("train") => Ok(Parsed::Help(Command::Train)),
            Some("sample") => Ok(Parsed::Help(Command::Sample)),
            Some("explain") => Ok(Parsed::Help(Command::Explain)),
            Some("evaluate") => Ok(Parsed::Help(Command::Evaluate)),
            Some(other) => Err(Failure::usage(
                Command::Top,
                format!(
                    "no help for '{other}': the commands are train, sample, evaluate and explain"
                ),
            )),
        },
        "-h" | "--help" => Ok(Parsed::Help(Command::Top)),
        "-V" | "--version" => Ok(Parsed::Version),
        option if option.starts_with('-') => parse_train(&strings),
        other => Err(Failure::usage(
            Command::Top,
            format!(
                "unknown command '{other}': the commands are train, sample, evaluate, explain and help \
                 (to train on a file: min-char-rnn train {other})"
            ),
        )),
    }
}
// ANCHOR_END: parse

/// The options and positional arguments of one command, before their values are checked.
struct Tokens {
    options: Vec<(&'static str, String)>,
    positional: Vec<String>,
    help: bool,
    version: bool,
}

impl Tokens {
    /// The raw value of `name`, if given.
    fn get(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits `args` into options (checked against `flags`) and positional arguments.
fn tokenize(command: Command, args: &[String], flags: &[Flag]) -> Result<Tokens, Failure> {
    let mut tokens = Tokens {
        options: Vec::new(),
        positional: Vec::new(),
        help: false,
        version: false,
    };
    let mut k = 0;
    while k < args.len() {
        let arg = &args[k];
        k += 1;
        if arg == "--" {
            tokens.positional.extend(args[k..].iter().cloned());
            break;
        }
        if arg == "-h" || arg == "--help" {
            tokens.help = true;
            continue;
        }
        if arg == "-V" || arg == "--version" {
            tokens.version = true;
            continue;
        }
        if !arg.starts_with('-') || arg == "-" {
            tokens.positional.push(arg.clone());
            continue;
        }
        let (name, inline_value) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let Some(spec) = flags.iter().find(|f| f.name == name) else {
            return Err(Failure::usage(
                command,
                unknown_option(command, name, flags),
            ));
        };
        if tokens.get(spec.name).is_some() {
            return Err(Failure::usage(
                command,
                format!("{} is given more than once", spec.name),
            ));
        }
        let value = match (spec.value, inline_value) {
            (None, None) => String::new(),
            (None, Some(_)) => {
                return Err(Failure::usage(
                    command,
                    format!("{} takes no value", spec.name),
                ));
            }
            (Some(_), Some(value)) => value,
            (Some(placeholder), None) => match args.get(k) {
                Some(value) if is_value(value, placeholder, flags) => {
                    k += 1;
                    value.clone()
                }
                next => {
                    return Err(Failure::usage(
                        command,
                        missing_value(spec.name, placeholder, next.map(String::as_str)),
                    ));
                }
            },
        };
        tokens.options.push((spec.name, value));
    }
    Ok(tokens)
}

// ANCHOR: is_value
/// Whether `arg`, after an option that takes a `placeholder`, is its value. Free text
/// (`--prime "- said the keeper"`, `--prime --`) is any argument but one of the command's
/// own options; any other value is anything that does not look like an option (`-1` and
/// `-0.5` are values, `--iterations` is not).
fn is_value(arg: &str, placeholder: &str, flags: &[Flag]) -> bool {
    if placeholder == FREE_TEXT {
        let name = arg.split_once('=').map_or(arg, |(name, _)| name);
        let known = flags.iter().any(|f| f.name == name);
        return !known && !matches!(arg, "-h" | "--help" | "-V" | "--version");
    }
    !(arg.starts_with("--") || (arg.starts_with('-') && arg.parse::<f64>().is_err() && arg != "-"))
}
// ANCHOR_END: is_value

/// "--prime needs a value: --prime TEXT", and the `=` form when the next argument starts
/// with `-` (it was taken for an option).
fn missing_value(name: &str, placeholder: &str, next: Option<&str>) -> String {
    let mut message = format!("{name} needs a value: {name} {placeholder}");
    if let Some(next) = next.filter(|n| n.starts_with('-')) {
        message.push_str(&format!(
            " (for a value that starts with -, write {name}={next})"
        ));
    }
    message
}

/// "unknown option '--iteratons' for train (did you mean --iterations?)", or the list of
/// options when nothing is close.
fn unknown_option(command: Command, name: &str, flags: &[Flag]) -> String {
    let which = match command {
        Command::Sample => "sample",
        Command::Explain => "explain",
        _ => "train",
    };
    match suggest(name, flags).as_slice() {
        [] => {
            let names: Vec<&str> = flags.iter().map(|f| f.name).collect();
            format!(
                "unknown option '{name}' for {which}; the options are {}, --help, --version",
                names.join(", ")
            )
        }
        [one] => format!("unknown option '{name}' for {which} (did you mean {one}?)"),
        [rest @ .., last] => format!(
            "unknown option '{name}' for {which} (did you mean {} or {last}?)",
            rest.join(", ")
        ),
    }
}

/// The options `name` may be a slip for: those it begins (`--iter` → `--iterations`), else
/// the nearest by edit distance, if a third of the option's letters or fewer are wrong
/// (`--iteratons` → `--iterations`, but `--foo` is nothing like `--plot`).
fn suggest(name: &str, flags: &[Flag]) -> Vec<&'static str> {
    let typed = name.trim_start_matches('-');
    if typed.len() >= 3 {
        let prefixed: Vec<&'static str> = flags
            .iter()
            .filter(|f| f.name.trim_start_matches('-').starts_with(typed))
            .map(|f| f.name)
            .collect();
        if !prefixed.is_empty() {
            return prefixed;
        }
    }
    let mut best: Option<(usize, &'static str)> = None;
    for f in flags {
        let option = f.name.trim_start_matches('-');
        let d = edit_distance(typed, option);
        let close = d <= (option.chars().count() / 3).max(1);
        if close && best.is_none_or(|(best_d, _)| d < best_d) {
            best = Some((d, f.name));
        }
    }
    best.map(|(_, name)| vec![name]).unwrap_or_default()
}

/// Levenshtein distance: the fewest one-character insertions, deletions and substitutions
/// that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for j in 0..b.len() {
            let substitute = previous[j] + usize::from(ca != b[j]);
            current[j + 1] = substitute.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

fn invalid(command: Command, flag: &str, value: &str, expected: &str) -> Failure {
    Failure::usage(
        command,
        format!("invalid value '{value}' for {flag}: expected {expected}"),
    )
}

/// The largest hidden size accepted: `w_hh` alone is then 800 MB.
const MAX_HIDDEN_SIZE: usize = 10_000;
/// The most layers accepted.
const MAX_LAYERS: usize = 1_000;
/// The most streams accepted (the forward cache grows with them).
const MAX_BATCH_SIZE: usize = 100_000;
/// The largest sequence length accepted (the forward cache grows with it).
const MAX_SEQ_LENGTH: usize = 100_000;
/// The most characters one sample may have.
const MAX_SAMPLE_LENGTH: usize = 10_000_000;

/// A whole number `>= min`.
fn whole(command: Command, flag: &str, value: &str, min: usize) -> Result<usize, Failure> {
    bounded(command, flag, value, min, usize::MAX)
}

/// A whole number in `min..=max`: sizes beyond `max` would exhaust the memory, which aborts
/// the process instead of reporting an error.
fn bounded(
    command: Command,
    flag: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<usize, Failure> {
    match value.parse::<usize>() {
        Ok(n) if n >= min && n <= max => Ok(n),
        _ if max < usize::MAX => Err(invalid(
            command,
            flag,
            value,
            &format!("a whole number from {min} to {max}"),
        )),
        _ => Err(invalid(
            command,
            flag,
            value,
            &format!("a whole number, {min} or more"),
        )),
    }
}

/// A finite number above 0.
// ANCHOR: positive
fn positive(command: Command, flag: &str, value: &str, extra: &str) -> Result<f64, Failure> {
    match value.parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(invalid(
            command,
            flag,
            value,
            &format!("a finite number above 0{extra}"),
        )),
    }
}
// ANCHOR_END: positive

fn seed(command: Command, value: &str) -> Result<u64, Failure> {
    value.parse::<u64>().map_err(|_| {
        invalid(
            command,
            "--seed",
            value,
            "a whole number from 0 to 18446744073709551615",
        )
    })
}

fn parse_train(args: &[String]) -> Result<Parsed, Failure> {
    let c = Command::Train;
    let tokens = tokenize(c, args, TRAIN_FLAGS)?;
    if tokens.help {
        return Ok(Parsed::Help(c));
    }
    if tokens.version {
        return Ok(Parsed::Version);
    }
    let mut train = TrainArgs::default();
    match tokens.positional.as_slice() {
        [] => {}
        [file] => train.file = Some(PathBuf::from(file)),
        [_, extra, ..] => {
            return Err(Failure::usage(
                c,
                format!("unexpected argument '{extra}': train reads one FILE"),
            ));
        }
    }
    for (name, value) in &tokens.options {
        let value = value.as_str();
        match *name {
            "--iterations" => train.iterations = whole(c, name, value, 0)?,
            "--plain" => train.plain = true,
            "--monitor" => train.monitor = true,
            "--hidden-size" => {
                train.hidden_size = Some(bounded(c, name, value, 1, MAX_HIDDEN_SIZE)?);
            }
            "--seq-length" => {
                train.seq_length = Some(bounded(c, name, value, 1, MAX_SEQ_LENGTH)?);
            }
            "--learning-rate" => {
                train.learning_rate = Some(positive(c, name, value, " (such as 0.1)")?);
            }
            "--seed" => train.seed = Some(seed(c, value)?),
            "--print-every" => train.print_every = whole(c, name, value, 0)?,
            "--sample-every" => train.sample_every = whole(c, name, value, 0)?,
            "--sample-length" => {
                train.sample_length = bounded(c, name, value, 0, MAX_SAMPLE_LENGTH)?;
            }
            "--checkpoint" => train.checkpoint = Some(path(c, name, value)?),
            "--checkpoint-every" => train.checkpoint_every = whole(c, name, value, 0)?,
            "--resume" => train.resume = Some(path(c, name, value)?),
            "--force" => train.force = true,
            "--plot" => train.plot = Some(path(c, name, value)?),
            "--no-plot" => train.no_plot = true,
            "--eval-every" => train.eval_every = whole(c, name, value, 0)?,
            "--max-memory" => train.max_memory = Some(size(c, name, value)?),
            "--cell" => {
                train.cell = Some(
                    value
                        .parse()
                        .map_err(|_| invalid(c, name, value, "rnn, lstm or gru"))?,
                );
            }
            "--layers" => train.layers = Some(bounded(c, name, value, 1, MAX_LAYERS)?),
            "--batch-size" => {
                train.batch_size = Some(bounded(c, name, value, 1, MAX_BATCH_SIZE)?);
            }
            "--optimizer" => {
                train.optimizer = Some(
                    value
                        .parse()
                        .map_err(|_| invalid(c, name, value, "sgd, adagrad, rmsprop or adam"))?,
                );
            }
            "--clip-value" => {
                train.clip_value = Some(positive(c, name, value, " (such as 5)")?);
            }
            "--clip-norm" => {
                train.clip_norm = Some(positive(c, name, value, " (such as 5)")?);
            }
            "--learning-rate-decay" => match value.parse::<f64>() {
                Ok(d) if d > 0.0 && d <= 1.0 => train.learning_rate_decay = Some(d),
                _ => {
                    return Err(invalid(
                        c,
                        name,
                        value,
                        "a number above 0 and at most 1 (such as 0.97; 1 for no decay)",
                    ));
                }
            },
            "--decay-after" => match value.parse::<f64>() {
                Ok(e) if e.is_finite() && e >= 0.0 => train.decay_after = Some(e),
                _ => {
                    return Err(invalid(
                        c,
                        name,
                        value,
                        "a number of epochs, 0 or more (such as 10)",
                    ));
                }
            },
            "--dropout" => match value.parse::<f64>() {
                Ok(p) if (0.0..1.0).contains(&p) => train.dropout = Some(p),
                _ => {
                    return Err(invalid(
                        c,
                        name,
                        value,
                        "a probability, 0 or more and below 1 (such as 0.5)",
                    ));
                }
            },
            "--val-fraction" => match value.parse::<f64>() {
                Ok(f) if f > 0.0 && f < 1.0 => train.val_fraction = Some(f),
                _ => {
                    return Err(invalid(
                        c,
                        name,
                        value,
                        "a number strictly between 0 and 1 (such as 0.1)",
                    ));
                }
            },
            _ => unreachable!("every flag of TRAIN_FLAGS is handled"),
        }
    }
    if train.resume.is_some() && train.seed.is_some() {
        return Err(Failure::usage(
            c,
            "--seed cannot be used with --resume: the random state comes from the checkpoint",
        ));
    }
    if train.no_plot && train.plot.is_some() {
        return Err(Failure::usage(
            c,
            "--plot and --no-plot cannot be used together: choose one",
        ));
    }
    if train.clip_value.is_some() && train.clip_norm.is_some() {
        return Err(Failure::usage(
            c,
            "--clip-value and --clip-norm cannot be used together: clip by value (each \
             element into [-C, C]) or by norm (all gradients scaled together), not both",
        ));
    }
    Ok(Parsed::Train(train))
}

/// A file path: not empty, and not `-` (standard input and output are only for the text).
fn path(command: Command, flag: &str, value: &str) -> Result<PathBuf, Failure> {
    if value == STDIN {
        return Err(invalid(
            command,
            flag,
            value,
            "a file path (standard input and output are not supported here: only the text \
             can be read from standard input, as train's FILE)",
        ));
    }
    if value.is_empty() {
        return Err(invalid(command, flag, value, "a file path"));
    }
    Ok(PathBuf::from(value))
}

/// A size in bytes: a whole number, or a number followed by K, M, G or T (powers of 1024,
/// with or without `B` or `iB`): `1500000`, `500M`, `1.5G`, `2GiB`.
fn size(command: Command, flag: &str, value: &str) -> Result<u64, Failure> {
    let upper = value.trim().to_ascii_uppercase();
    let digits = upper.trim_end_matches("IB").trim_end_matches('B');
    let (number, scale) = match digits.char_indices().last() {
        Some((k, 'K')) => (&digits[..k], 1u64 << 10),
        Some((k, 'M')) => (&digits[..k], 1 << 20),
        Some((k, 'G')) => (&digits[..k], 1 << 30),
        Some((k, 'T')) => (&digits[..k], 1 << 40),
        _ => (digits, 1),
    };
    match number.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 && x * (scale as f64) < u64::MAX as f64 => {
            Ok((x * scale as f64) as u64)
        }
        _ => Err(invalid(
            command,
            flag,
            value,
            "a size above 0: bytes, or a number with K, M, G or T (such as 500M or 2G)",
        )),
    }
}

fn parse_sample(args: &[String]) -> Result<Parsed, Failure> {
    let c = Command::Sample;
    let tokens = tokenize(c, args, SAMPLE_FLAGS)?;
    if tokens.help {
        return Ok(Parsed::Help(c));
    }
    if tokens.version {
        return Ok(Parsed::Version);
    }
    if let Some(extra) = tokens.positional.first() {
        return Err(Failure::usage(
            c,
            format!(
                "unexpected argument '{extra}': give the checkpoint with --checkpoint \
                 PATH and the text to continue with --prime TEXT"
            ),
        ));
    }
    let mut sample = SampleArgs {
        checkpoint: PathBuf::from(DEFAULT_CHECKPOINT),
        length: 200,
        temperature: None,
        prime: String::new(),
        seed: None,
        argmax: false,
    };
    for (name, value) in &tokens.options {
        let value = value.as_str();
        match *name {
            "--checkpoint" => sample.checkpoint = path(c, name, value)?,
            "--length" => sample.length = bounded(c, name, value, 0, MAX_SAMPLE_LENGTH)?,
            "--temperature" => {
                let extra = " (such as 0.8; for the most likely character every time, \
                             use --argmax)";
                sample.temperature = Some(positive(c, name, value, extra)?);
            }
            "--prime" => sample.prime = value.to_string(),
            "--seed" => sample.seed = Some(seed(c, value)?),
            "--argmax" => sample.argmax = true,
            _ => unreachable!("every flag of SAMPLE_FLAGS is handled"),
        }
    }
    if sample.argmax && tokens.get("--temperature").is_some() {
        return Err(Failure::usage(
            c,
            "--argmax and --temperature cannot be used together: --argmax always takes \
             the most likely character",
        ));
    }
    Ok(Parsed::Sample(sample))
}

fn parse_explain(args: &[String]) -> Result<Parsed, Failure> {
    let c = Command::Explain;
    let tokens = tokenize(c, args, EXPLAIN_FLAGS)?;
    if tokens.help {
        return Ok(Parsed::Help(c));
    }
    if tokens.version {
        return Ok(Parsed::Version);
    }
    let mut explain = ExplainArgs {
        checkpoint: PathBuf::from(DEFAULT_CHECKPOINT),
        file: None,
        text: None,
        out: None,
        force: false,
    };
    match tokens.positional.as_slice() {
        [] => {}
        [file] if file.is_empty() => return Err(invalid(c, "FILE", file, "a file path")),
        [file] => explain.file = Some(PathBuf::from(file)),
        [_, extra, ..] => {
            return Err(Failure::usage(
                c,
                format!(
                    "unexpected argument '{extra}': explain reads one FILE (or the text \
                     given with --text TEXT)"
                ),
            ));
        }
    }
    for (name, value) in &tokens.options {
        let value = value.as_str();
        match *name {
            "--checkpoint" => explain.checkpoint = path(c, name, value)?,
            "--text" => explain.text = Some(value.to_string()),
            "--out" => explain.out = Some(path(c, name, value)?),
            "--force" => explain.force = true,
            _ => unreachable!("every flag of EXPLAIN_FLAGS is handled"),
        }
    }
    if explain.file.is_some() && explain.text.is_some() {
        return Err(Failure::usage(
            c,
            "a FILE and --text cannot be used together: give the text one way",
        ));
    }
    Ok(Parsed::Explain(explain))
}

fn parse_evaluate(args: &[String]) -> Result<Parsed, Failure> {
    let c = Command::Evaluate;
    let tokens = tokenize(c, args, EVALUATE_FLAGS)?;
    if tokens.help {
        return Ok(Parsed::Help(c));
    }
    if tokens.version {
        return Ok(Parsed::Version);
    }
    let file = match tokens.positional.as_slice() {
        [] => {
            return Err(Failure::usage(
                c,
                "no FILE: give the text to measure the checkpoint on (or - for standard input)",
            ));
        }
        [file] if file.is_empty() => return Err(invalid(c, "FILE", file, "a file path")),
        [file] => PathBuf::from(file),
        [_, extra, ..] => {
            return Err(Failure::usage(
                c,
                format!("unexpected argument '{extra}': evaluate reads one FILE"),
            ));
        }
    };
    let mut evaluate = EvaluateArgs {
        checkpoint: PathBuf::from(DEFAULT_CHECKPOINT),
        file,
    };
    for (name, value) in &tokens.options {
        match *name {
            "--checkpoint" => evaluate.checkpoint = path(c, name, value)?,
            _ => unreachable!("every flag of EVALUATE_FLAGS is handled"),
        }
    }
    Ok(Parsed::Evaluate(evaluate))
}

/// The help text of `command`.
pub fn help(command: Command) -> String {
    let text = match command {
        Command::Top => TOP_HELP,
        Command::Train => TRAIN_HELP,
        Command::Sample => SAMPLE_HELP,
        Command::Explain => EXPLAIN_HELP,
        Command::Evaluate => EVALUATE_HELP,
    };
    text.replace("{version}", env!("CARGO_PKG_VERSION"))
}

const TOP_HELP: &str = "\
min-char-rnn {version}
A character-level recurrent neural network that learns to write like a text:
Karpathy's min-char-rnn, step by step, in Rust.

Usage: min-char-rnn [COMMAND] [OPTIONS]

Commands:
  train     train on a text (the default: with no command, options are train's)
  sample    write text with a trained checkpoint
  evaluate  print a checkpoint's loss per character on a text
  explain   write a web page that shows what a checkpoint's network expects at each
            character of a text, and which of its units follow what
  help      print this help, or a command's (min-char-rnn help train)

Options:
  -h, --help     print help (also after a command: min-char-rnn train --help)
  -V, --version  print the version

Examples:
  min-char-rnn                              train on the built-in corpus (20000 iterations)
  min-char-rnn train book.txt --val-fraction 0.1
  min-char-rnn train book.txt --cell lstm     train like char-rnn: 2 x 128 LSTM units
  min-char-rnn sample --checkpoint min-char-rnn.ckpt --prime \"The \"
  min-char-rnn explain --checkpoint min-char-rnn.ckpt --out page.html
";

const TRAIN_HELP: &str = "\
Train on a text, printing the smooth loss and samples as the original does, and saving a
checkpoint and an SVG loss plot as it goes.

Usage: min-char-rnn train [FILE] [OPTIONS]

Arguments:
  [FILE]  the UTF-8 text to learn, or - to read it from standard input [default: the
          built-in corpus, data/corpus.txt]

Options:
      --iterations N        the total iteration count to reach, counting those of a
                            resumed checkpoint [default: 20000]
      --hidden-size H       size of the hidden state, at least 1 [default: 100, or 128
                            like char-rnn]
      --seq-length T        characters per training chunk, at least 1 [default: 25, or 50
                            like char-rnn]
      --learning-rate LR    the optimizer's step size, a finite number above 0 [default:
                            0.1 for Adagrad, 0.002 for RMSprop and Adam, 1 for SGD]
      --seed S              random seed of the initial weights and the samples
                            [default: 42]
      --print-every N       print `iter N, loss: X` every N iterations, 0 for never
                            [default: 100]
      --sample-every N      print a sample every N iterations, 0 for never [default: 1000]
      --sample-length N     characters per sample [default: 200]
      --checkpoint PATH     where to save the checkpoint [default: the --resume file,
                            else min-char-rnn.ckpt]
      --checkpoint-every N  save every N iterations and at the end, 0 for only at the end
                            [default: 1000]
      --resume PATH         continue the run saved in PATH: hidden size, seq length, seed
                            and validation fraction come from it (--learning-rate may
                            change it)
      --force               replace an existing checkpoint that this run did not start
                            from, or a file at the plot's path that is not a loss plot
      --plot PATH           where to write the loss plot [default: loss.svg next to the
                            checkpoint]
      --no-plot             write no loss plot
      --val-fraction F      hold out the last fraction F of the text (0 < F < 1), like
                            char-rnn the last fraction F of the chunks, and report the
                            loss per character on it, its perplexity and bits per
                            character [default: off, or 0.05 like char-rnn]
      --eval-every N        with --val-fraction, evaluate the held-out part every N
                            iterations, 0 for only at the end; an evaluation runs the
                            network over all of it, which takes about as long as
                            training on a third of it [default: 1000]
      --max-memory SIZE     refuse to start a run that would need more memory than SIZE
                            (bytes, or with K, M, G: 500M, 2G) [default: the memory the
                            system has available]
      --plain               compute with the plain path, the code the book walks through
                            (slower; the same log, samples, checkpoint and plot, byte for
                            byte) instead of the fast path
      --monitor             also log and plot each parameter's gradient norm and
                            update-to-weight ratio at every printed iteration (for a
                            network, one panel per layer)
  -h, --help                print this help
  -V, --version             print the version

Training like char-rnn:
  Any of these options (but for the original's own values: --cell rnn, --layers 1,
  --batch-size 1, --optimizer adagrad, --clip-value 5) trains a network of stacked layers
  on B streams of the text read side by side, as char-rnn does, with char-rnn's defaults
  for what is not given: 2 layers of 128 LSTM units, 50 streams of 50 characters, RMSprop
  at 0.002, clipping by value at 5, 5% of the chunks held out for validation, the learning
  rate multiplied by 0.97 after every epoch from epoch 10 on. The loss is then per
  character. The log adds the epoch and the validation figures, and the checkpoint with
  the best validation loss is kept beside the latest, as NAME.best.EXT (run.best.ckpt for
  run.ckpt). A run resumed from such a checkpoint trains this way too.
      --cell KIND           the cell of every layer: rnn, lstm or gru [default: lstm]
      --layers L            stacked layers, at least 1 [default: 2]
      --batch-size B        streams of the text read side by side, at least 1
                            [default: 50]
      --optimizer NAME      sgd, adagrad, rmsprop or adam [default: rmsprop]
      --clip-value C        clip every element of the gradients into [-C, C] (C above 0)
                            [default: 5]
      --clip-norm C         instead, scale all the gradients together so that their L2
                            norm is at most C (C above 0)
      --learning-rate-decay D
                            multiply the learning rate by D (0 < D <= 1) after every
                            epoch from --decay-after on [default: 0.97]
      --decay-after E       the epoch after which the decay starts [default: 10]
      --dropout P           in training, drop each number on its way up between layers
                            and into the output layer with probability P (0 <= P < 1),
                            scaling the kept ones by 1/(1-P), like char-rnn's -dropout;
                            never when evaluating or sampling [default: 0]

Your files:
  The text, the --resume file, the checkpoint and the plot must be different files,
  however they are spelled (./a and a, a symbolic link, a hard link). An existing
  checkpoint is replaced only by the run that resumes it (--resume) or with --force, and
  an existing file at the plot's path only if it is a plot min-char-rnn drew (or
  with --force). A save writes a temporary file and renames it over the old one, so the
  old file stays whole until the new one is complete, and keeps its permissions. Only a
  regular file is replaced: a directory, a device (such as /dev/null), a FIFO, a socket
  or a read-only file is refused before training starts; a symbolic link is written
  through (the file it points to gets the new contents, the link stays a link). A run
  holds a lock file, .NAME.lock, next to its checkpoint and its plot while it runs, so
  two runs never write the same file. A run that would need more memory than there is
  is refused before it starts. Ctrl-C stops at once, without a message: the last
  checkpoint saved stays intact, and the next run into it says how to continue it.

Examples:
  min-char-rnn train
  min-char-rnn train book.txt --iterations 100000 --val-fraction 0.05
  min-char-rnn train book.txt --resume min-char-rnn.ckpt --iterations 200000
  cat *.txt | min-char-rnn train - --checkpoint all.ckpt
  min-char-rnn train book.txt --cell gru --layers 3 --optimizer adam --clip-norm 5
";

const EVALUATE_HELP: &str = "\
Print the loss per character of a checkpoint's network on a text, its perplexity and its
bits per character: how well the network predicts each next character, reading the text
once from the start with an empty memory. Only the figures go to standard output.

Usage: min-char-rnn evaluate [--checkpoint PATH] FILE

Arguments:
  FILE  the UTF-8 text to read, or - for standard input; it may only hold characters the
        checkpoint knows, at least 2 of them

Options:
      --checkpoint PATH  the checkpoint to use, of any kind [default: min-char-rnn.ckpt]
  -h, --help             print this help
  -V, --version          print the version

Examples:
  min-char-rnn evaluate --checkpoint run.ckpt held-out.txt
  min-char-rnn evaluate --checkpoint run.best.ckpt chapter.txt
";

const SAMPLE_HELP: &str = "\
Write text with a trained checkpoint. Only the text goes to standard output.

Usage: min-char-rnn sample [--checkpoint PATH] [OPTIONS]

Options:
      --checkpoint PATH  the checkpoint to use [default: min-char-rnn.ckpt]
      --length N         characters to write after the prime [default: 200]
      --temperature T    below 1 plays safe, above 1 takes risks; a finite number above 0
                         [default: 1]
      --prime TEXT       text for the network to read first and continue; it is printed
                         too, and may start with - [default: none, start as after a
                         newline]
      --seed S           random seed [default: the checkpoint's random state, so the same
                         checkpoint writes the same text; change it for another]
      --argmax           always take the most likely character (no randomness)
  -h, --help             print this help
  -V, --version          print the version

Examples:
  min-char-rnn sample
  min-char-rnn sample --checkpoint run.ckpt --length 500 --temperature 0.7 --prime \"The \"
";

const EXPLAIN_HELP: &str = "\
Write one HTML page that shows what a checkpoint's network does on a text: each character
shaded by the network's surprise at it, its top 5 guesses there, every hidden unit's value,
the units that follow features of the text (quotation marks, position in the line, ...), and
the loss per character. The page needs nothing else: it opens in any browser, offline.

Usage: min-char-rnn explain [--checkpoint PATH] [FILE | --text TEXT] [--out PAGE]

Arguments:
  [FILE]  the UTF-8 text to read, or - for standard input [default: the first 2000 or so
          characters of the built-in corpus, data/corpus.txt, up to the end of a line]

Options:
      --checkpoint PATH  the checkpoint to use [default: min-char-rnn.ckpt]
      --text TEXT        the text to read, given here instead of a FILE
      --out PAGE         where to write the page [default: the checkpoint's path with the
                         extension .html, such as min-char-rnn.html]
      --force            replace a file at the page's path that is not a page explain
                         wrote (one it wrote is replaced without asking)
  -h, --help             print this help
  -V, --version          print the version

The text may only hold characters the checkpoint knows, and at most 50000 of them. The
loss per character it prints is the figure train's evaluation gives for the same text.

Examples:
  min-char-rnn explain
  min-char-rnn explain --checkpoint run.ckpt notes.txt --out notes.html
  min-char-rnn explain --text '\"Light burning,\" said the keeper.'
";

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Parsed, Failure> {
        let args: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(&args)
    }

    #[test]
    fn no_arguments_train_with_the_defaults() {
        match parse_strs(&[]) {
            Ok(Parsed::Train(args)) => assert_eq!(args, TrainArgs::default()),
            other => panic!("expected train, got {other:?}"),
        }
    }

    #[test]
    fn both_value_syntaxes_and_negative_values_are_read() {
        match parse_strs(&["train", "t.txt", "--iterations=5", "--seed", "7"]) {
            Ok(Parsed::Train(args)) => {
                assert_eq!(args.file, Some(PathBuf::from("t.txt")));
                assert_eq!((args.iterations, args.seed), (5, Some(7)));
            }
            other => panic!("expected train, got {other:?}"),
        }
        // `-1` is read as the value (and rejected), not as an unknown option.
        match parse_strs(&["train", "--learning-rate", "-1"]) {
            Err(Failure::Usage { message, .. }) => {
                assert!(message.contains("'-1' for --learning-rate"), "{message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn a_misspelt_option_gets_a_suggestion() {
        match parse_strs(&["train", "--iteratons", "5"]) {
            Err(Failure::Usage { message, .. }) => {
                assert!(message.contains("did you mean --iterations?"), "{message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn free_text_may_start_with_a_dash_but_is_not_an_option() {
        for prime in ["- said the keeper", "--", "-"] {
            match parse_strs(&["sample", "--prime", prime]) {
                Ok(Parsed::Sample(args)) => assert_eq!(args.prime, prime),
                other => panic!("expected sample, got {other:?}"),
            }
        }
        match parse_strs(&["sample", "--prime", "--argmax"]) {
            Err(Failure::Usage { message, .. }) => {
                assert!(message.contains("write --prime=--argmax"), "{message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn monitor_is_a_switch_of_train() {
        match parse_strs(&["train", "--monitor"]) {
            Ok(Parsed::Train(args)) => assert!(args.monitor),
            other => panic!("expected train, got {other:?}"),
        }
        assert!(!TrainArgs::default().monitor);
    }

    #[test]
    fn explain_reads_a_file_or_a_text_but_not_both() {
        match parse_strs(&["explain", "--checkpoint", "c.ckpt", "t.txt", "--out=p.html"]) {
            Ok(Parsed::Explain(args)) => {
                assert_eq!(args.checkpoint, PathBuf::from("c.ckpt"));
                assert_eq!(args.file, Some(PathBuf::from("t.txt")));
                assert_eq!(args.out, Some(PathBuf::from("p.html")));
                assert!(args.text.is_none() && !args.force);
            }
            other => panic!("expected explain, got {other:?}"),
        }
        match parse_strs(&["explain", "--text", "- he said"]) {
            Ok(Parsed::Explain(args)) => {
                assert_eq!(args.text.as_deref(), Some("- he said"));
                assert_eq!(args.checkpoint, PathBuf::from(DEFAULT_CHECKPOINT));
            }
            other => panic!("expected explain, got {other:?}"),
        }
        match parse_strs(&["explain", "t.txt", "--text", "x"]) {
            Err(Failure::Usage { message, .. }) => {
                assert!(message.contains("cannot be used together"), "{message}")
            }
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn dropout_is_a_probability_below_one_and_chooses_the_network_trainer() {
        match parse_strs(&["train", "--dropout", "0.5"]) {
            Ok(Parsed::Train(args)) => {
                assert_eq!(args.dropout, Some(0.5));
                assert!(args.is_charrnn());
                assert_eq!(args.charrnn_flags(), ["--dropout 0.5"]);
            }
            other => panic!("expected train, got {other:?}"),
        }
        match parse_strs(&["train", "--dropout", "0"]) {
            Ok(Parsed::Train(args)) => assert!(!args.is_charrnn(), "the original has none"),
            other => panic!("expected train, got {other:?}"),
        }
        for bad in ["1", "-0.1", "half", "NaN"] {
            match parse_strs(&["train", "--dropout", bad]) {
                Err(Failure::Usage { message, .. }) => {
                    assert!(message.contains("for --dropout"), "{message}")
                }
                other => panic!("expected a usage error for {bad}, got {other:?}"),
            }
        }
    }

    #[test]
    fn sizes_are_read_with_their_unit() {
        let size = |v: &str| size(Command::Train, "--max-memory", v).ok();
        assert_eq!(size("1500"), Some(1500));
        assert_eq!(size("500M"), Some(500 << 20));
        assert_eq!(size("1.5G"), Some(3 << 29));
        assert_eq!(size("2GiB"), Some(2 << 30));
        assert_eq!(size("4kb"), Some(4096));
        assert_eq!((size("0"), size("-1G"), size("lots")), (None, None, None));
    }

    #[test]
    fn suggestions_are_close_or_a_beginning() {
        let names = |v: &str| suggest(v, TRAIN_FLAGS);
        assert_eq!(names("--iteratons"), ["--iterations"]);
        assert_eq!(names("--iter"), ["--iterations"]);
        assert_eq!(names("--check"), ["--checkpoint", "--checkpoint-every"]);
        assert!(names("--foo").is_empty(), "{:?}", names("--foo"));
    }

    #[test]
    fn edit_distance_counts_single_character_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
