//! `min-char-rnn explain`: run a checkpoint's network over a text and write one HTML page that
//! shows what it expected at each character and what its units did (`min_char_rnn::explain`
//! does the work; this file chooses the text and the page's path, and keeps the user's files
//! safe as `train` does).
//!
//! Both kinds of checkpoint are read (`AnyCheckpoint`): the vanilla RNN's (format version 1)
//! and a network trained like char-rnn (version 2: RNN, LSTM or GRU layers), whose page offers
//! the hidden state of every layer and, for the LSTM, its cell state.
//!
//! stdout gets the figures (the text's loss per character and the best units), stderr the
//! status line naming the page.

use super::args::{DEFAULT_CHECKPOINT, ExplainArgs, STDIN};
use super::files::{self, Identity, io_message, quoted, shown};
use super::output::{print, status};
use super::{Command, Failure};
use min_char_rnn::Vocab;
use min_char_rnn::cells::CellKind;
use min_char_rnn::checkpoint::{AnyCheckpoint, CheckpointErrorKind, fingerprint, write_atomic};
use min_char_rnn::explain::{
    Explainable, Explanation, MAX_CHARS, PAGE_MARK, PageInfo, explain, page, page_size_estimate,
};
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// About how many characters of the built-in corpus are explained when no text is given.
pub const DEFAULT_EXCERPT: usize = 2000;

/// The largest page `explain` writes, in bytes.
const MAX_PAGE_BYTES: usize = 64 << 20;

/// Runs `explain` with `args`; `corpus` is the built-in corpus, the text used when none is
/// given.
// ANCHOR: run
pub fn run(args: &ExplainArgs, corpus: &str) -> Result<(), Failure> {
    let checkpoint = load(&args.checkpoint)?;
    let out = page_path(args)?; // checked before the work: nothing of the user's is replaced
    let input = Input::read(args, corpus)?;
    let vocab = match &checkpoint {
        AnyCheckpoint::V1(c) => &c.vocab,
        AnyCheckpoint::V2(c) => &c.vocab,
    };
    let text = encode(vocab, &input)?;
    let explanation = match &checkpoint {
        AnyCheckpoint::V1(c) => explain_text(&c.state.params, vocab, &input, &text)?,
        AnyCheckpoint::V2(c) => explain_text(&c.state.network, vocab, &input, &text)?,
    };
    let info = PageInfo {
        title: format!("What the network learned: {}", file_name(&args.checkpoint)),
        model: describe_model(&checkpoint, &args.checkpoint),
        source: describe_text(&input, &checkpoint, &text, corpus),
    };
    let html = page(&explanation, &info);
    write_atomic(&out, html.as_bytes()).map_err(|e| {
        Failure::with_hint(
            format!("cannot write the page {}: {}", shown(&out), io_message(&e)),
            "choose another place with --out PATH",
        )
    })?;
    print(&summary(&explanation, &info))?;
    status(&format!(
        "wrote the page {} ({}): open it in a web browser",
        shown(&out),
        megabytes(html.len())
    ));
    Ok(())
}
// ANCHOR_END: run

/// Runs `model` (a vanilla RNN or a Part II network) over `text`, if its page is not too
/// large.
fn explain_text<M: Explainable>(
    model: &M,
    vocab: &Vocab,
    input: &Input,
    text: &[usize],
) -> Result<Explanation, Failure> {
    let units = model.unit_groups().iter().map(|g| g.size).sum();
    check_size(input, text.len(), units)?;
    explain(model, vocab, text).map_err(|e| {
        Failure::with_hint(
            format!("{}: {e}", input.name),
            "give a text of at least 2 characters",
        )
    })
}

/// The checkpoint of either version, or why not (with a hint when the default one is
/// missing).
fn load(path: &Path) -> Result<AnyCheckpoint, Failure> {
    AnyCheckpoint::load(path).map_err(|e| {
        let missing = matches!(e.kind(), CheckpointErrorKind::Read(io)
            if io.kind() == io::ErrorKind::NotFound);
        if missing && path.as_os_str() == DEFAULT_CHECKPOINT {
            Failure::with_hint(
                e.to_string(),
                "train one first with `min-char-rnn train`, or give one with --checkpoint PATH",
            )
        } else {
            Failure::runtime(e.to_string())
        }
    })
}

/// Where the page goes: `--out`, else the checkpoint's path with the extension `.html`. It
/// must not be the checkpoint or the text, must be writable, and a file already there is
/// replaced only if it is a page `explain` wrote, or with `--force`.
// ANCHOR: page_path
fn page_path(args: &ExplainArgs) -> Result<PathBuf, Failure> {
    let given = match &args.out {
        Some(path) => path.clone(),
        None => args.checkpoint.with_extension("html"),
    };
    let page = Identity::of(&given);
    let mut others = vec![("the checkpoint", args.checkpoint.as_path())];
    if let Some(file) = args.file.as_deref().filter(|f| f.as_os_str() != STDIN) {
        others.push(("the text", file));
    }
    for (what, other) in others {
        if page.same_file(&Identity::of(other)) {
            return Err(Failure::with_hint(
                format!(
                    "the page {} and {what} {} are the same file: writing the page would \
                     replace {what}",
                    shown(&given),
                    shown(other)
                ),
                "choose another place with --out PATH",
            ));
        }
    }
    let output = files::check_output("page", "--out", &given)?;
    if output.exists && !args.force && !is_page(&output.path) {
        return Err(output.refuse(
            "a file is there that is not a page written by min-char-rnn explain, and it is \
             not replaced without --force",
            Some("to replace it, add --force".to_string()),
        ));
    }
    Ok(given)
}
// ANCHOR_END: page_path

/// Whether the file at `path` starts as every page `explain` writes.
fn is_page(path: &Path) -> bool {
    let mut head = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(256).read_to_end(&mut head));
    read.is_ok() && String::from_utf8_lossy(&head).contains(PAGE_MARK)
}

/// The text to explain, and how to name it.
struct Input {
    /// How messages name it: its path, "standard input", "--text", "the built-in corpus".
    name: String,
    /// How the page describes it.
    description: String,
    text: String,
    /// Whether it is the default excerpt of the built-in corpus.
    is_excerpt: bool,
}

impl Input {
    /// The FILE, standard input, `--text`, or an excerpt of the built-in corpus.
    fn read(args: &ExplainArgs, corpus: &str) -> Result<Input, Failure> {
        if let Some(text) = &args.text {
            return Ok(Input {
                name: "--text".to_string(),
                description: "the text given with --text".to_string(),
                text: text.clone(),
                is_excerpt: false,
            });
        }
        match args.file.as_deref() {
            Some(path) if path.as_os_str() == STDIN => Ok(Input {
                name: "standard input".to_string(),
                description: "the text read from standard input".to_string(),
                text: files::read_stdin(Command::Explain)?,
                is_excerpt: false,
            }),
            Some(path) => Ok(Input {
                name: path.display().to_string(),
                description: file_name(path),
                text: files::read_text(path, Command::Explain)?,
                is_excerpt: false,
            }),
            None => Ok(Input {
                name: "the built-in corpus".to_string(),
                description: "the start of the built-in corpus (data/corpus.txt)".to_string(),
                text: excerpt(corpus, DEFAULT_EXCERPT).to_string(),
                is_excerpt: true,
            }),
        }
    }
}

/// The first `about` characters of `text`, cut after the last newline among them (if there
/// is one) so that the excerpt ends with a whole line.
fn excerpt(text: &str, about: usize) -> &str {
    let end = text
        .char_indices()
        .nth(about)
        .map_or(text.len(), |(i, _)| i);
    match text[..end].rfind('\n') {
        Some(newline) if end < text.len() => &text[..=newline],
        _ => &text[..end],
    }
}

/// The text as indices in the checkpoint's vocabulary. Characters the network never saw are
/// all reported at once, each with where it first occurs, and the way out.
fn encode(vocab: &Vocab, input: &Input) -> Result<Vec<usize>, Failure> {
    let mut indices = Vec::with_capacity(input.text.len());
    let mut unknown: Vec<(char, usize, usize, usize)> = Vec::new(); // char, line, column, count
    let (mut line, mut column) = (1, 1);
    for c in input.text.chars() {
        match vocab.char_to_ix(c) {
            Ok(ix) => indices.push(ix),
            Err(_) => match unknown.iter_mut().find(|u| u.0 == c) {
                Some(seen) => seen.3 += 1,
                None => unknown.push((c, line, column, 1)),
            },
        }
        (line, column) = if c == '\n' {
            (line + 1, 1)
        } else {
            (line, column + 1)
        };
    }
    if unknown.is_empty() {
        return Ok(indices);
    }
    let mut listed = Vec::new();
    for &(c, line, column, count) in unknown.iter().take(8) {
        let times = if count > 1 {
            format!(", {count} times")
        } else {
            String::new()
        };
        listed.push(format!(
            "{c:?} (U+{:04X}, first at line {line}, column {column}{times})",
            u32::from(c)
        ));
    }
    if unknown.len() > 8 {
        listed.push(format!("and {} more", unknown.len() - 8));
    }
    Err(Failure::Runtime {
        message: format!(
            "{}: {} character(s) that the checkpoint's network never saw: {}",
            input.name,
            unknown.len(),
            listed.join(", ")
        ),
        hints: vec![
            "the network can only read the characters of the text it was trained on; \
             replace or remove these, or explain a text written with its characters only"
                .to_string(),
            format!(
                "the checkpoint knows these {} characters: {:?}",
                vocab.len(),
                vocab.chars().iter().collect::<String>()
            ),
        ],
    })
}

/// Refuses a text too long for a page a browser can open.
fn check_size(input: &Input, chars: usize, units: usize) -> Result<(), Failure> {
    let bytes = page_size_estimate(chars, units);
    if chars <= MAX_CHARS && bytes <= MAX_PAGE_BYTES {
        return Ok(());
    }
    let fits = (MAX_PAGE_BYTES / (units + 90)).min(MAX_CHARS);
    Err(Failure::with_hint(
        format!(
            "{} has {chars} characters: its page would be about {}, more than a browser \
             shows comfortably (at most {fits} characters for this checkpoint)",
            input.name,
            megabytes(bytes)
        ),
        format!(
            "explain an excerpt, for example the first 5000 characters: \
             head -c 5000 {} > excerpt.txt",
            match input.name.as_str() {
                "standard input" | "--text" => "FILE".to_string(),
                name => quoted(Path::new(name)),
            }
        ),
    ))
}

/// "The network: a vanilla RNN (71 characters, 100 hidden units) after 20000 iterations of
/// training, from the checkpoint min-char-rnn.ckpt." (or "an LSTM of 2 layers of 128 units").
fn describe_model(checkpoint: &AnyCheckpoint, path: &Path) -> String {
    let (network, iteration) = match checkpoint {
        AnyCheckpoint::V1(c) => {
            let params = &c.state.params;
            let network = format!(
                "a vanilla RNN ({} characters, {} hidden units)",
                params.vocab_size(),
                params.hidden_size()
            );
            (network, c.state.iteration)
        }
        AnyCheckpoint::V2(c) => {
            let net = &c.state.network;
            let cell = match net.cell {
                CellKind::Rnn => "a vanilla RNN",
                CellKind::Lstm => "an LSTM",
                CellKind::Gru => "a GRU",
            };
            let layers = match net.num_layers() {
                1 => "1 layer".to_string(),
                l => format!("{l} layers"),
            };
            let network = format!(
                "{cell} of {layers} of {} units ({} characters)",
                net.hidden_size(),
                net.vocab_size()
            );
            (network, c.state.iteration)
        }
    };
    format!(
        "The network: {network} after {iteration} iterations of training, from the checkpoint \
         {}.",
        file_name(path)
    )
}

/// How the page describes the text, and whether the network was trained on it, where that
/// can be told from the fingerprint the checkpoint keeps of its run's text.
fn describe_text(
    input: &Input,
    checkpoint: &AnyCheckpoint,
    text: &[usize],
    corpus: &str,
) -> String {
    let relation = match checkpoint {
        AnyCheckpoint::V1(c) => {
            relation_v1(input, c.data_chars, c.data_fnv1a64, &c.vocab, text, corpus)
        }
        AnyCheckpoint::V2(c) => {
            let config = &c.state.config;
            let (n_train, n_val) = c.split();
            let split = Split {
                streams: config.batch_size,
                steps: config.seq_length,
                train: n_train,
                val: n_val,
            };
            relation_v2(
                input,
                c.data_chars,
                c.data_fnv1a64,
                &c.vocab,
                text,
                corpus,
                &split,
            )
        }
    };
    format!(
        "The text: {}, {} characters{relation}.",
        input.description,
        text.len()
    )
}

/// Version 1: a run trains on the first `trained` characters of its text (the rest, if any,
/// is held out for validation), and the checkpoint keeps their fingerprint.
fn relation_v1(
    input: &Input,
    trained: usize,
    fnv: u64,
    vocab: &Vocab,
    text: &[usize],
    corpus: &str,
) -> String {
    let trained_on =
        |whole: &[usize]| whole.len() >= trained && fingerprint(vocab, &whole[..trained]) == fnv;
    if input.is_excerpt {
        // The excerpt is the start of the corpus: was the run's text the corpus?
        let whole = vocab.encode(corpus).unwrap_or_default();
        match trained_on(&whole) {
            true if text.len() <= trained => "; the network was trained on it",
            true => "; the network was trained on part of it",
            false => "; the network was trained on another text",
        }
        .to_string()
    } else if trained_on(text) && text.len() == trained {
        "; the very text the network was trained on".to_string()
    } else if trained_on(text) {
        format!(
            "; the network was trained on its first {trained} characters, and the last {} \
             were held out",
            text.len() - trained
        )
    } else {
        String::new() // a text of its own, or a part of the training text: no telling
    }
}

/// How a version-2 run cut its text: `streams` rows of `(train + val) · steps` characters,
/// each row's first `train · steps` trained on, the rest held out.
struct Split {
    streams: usize,
    steps: usize,
    train: usize,
    val: usize,
}

/// Version 2: the checkpoint keeps the fingerprint of the whole text of its run (all
/// `chars` of it), which the run cut into `B` streams, each trained on its start and held
/// out at its end.
fn relation_v2(
    input: &Input,
    chars: usize,
    fnv: u64,
    vocab: &Vocab,
    text: &[usize],
    corpus: &str,
    split: &Split,
) -> String {
    let is_run_text = |whole: &[usize]| whole.len() == chars && fingerprint(vocab, whole) == fnv;
    if input.is_excerpt {
        // The excerpt is the start of the corpus, so of the first stream, whose first
        // train · T characters were trained on.
        let whole = vocab.encode(corpus).unwrap_or_default();
        match is_run_text(&whole) {
            true if text.len() <= split.train * split.steps => "; the network was trained on it",
            true => "; the network was trained on part of it",
            false => "; the network was trained on another text",
        }
        .to_string()
    } else if is_run_text(text) && split.val == 0 {
        "; the very text the network was trained on".to_string()
    } else if is_run_text(text) {
        format!(
            "; the text the network was trained on, cut into {} streams of {} chunks of {} \
             characters, the last {} chunk(s) of each held out",
            split.streams,
            split.train + split.val,
            split.steps,
            split.val
        )
    } else {
        String::new() // a text of its own, or a part of the training text: no telling
    }
}

/// What `explain` prints: the loss on the text as `train`'s evaluation prints it, and the
/// best unit for each feature.
fn summary(e: &Explanation, info: &PageInfo) -> String {
    let loss = e.loss;
    let mut out = format!(
        "{}\nloss/char: {loss:.6}, perplexity: {:.3}, bits/char: {:.4} ({} characters guessed)\n",
        info.source,
        loss.exp(),
        loss / std::f64::consts::LN_2,
        e.guesses.len()
    );
    out.push_str("units that follow a feature of the text (Pearson's r):\n");
    for ranking in &e.ranking {
        let name = e.features[ranking.feature].name;
        let mut line = format!("  {name:<24}");
        if ranking.best.is_empty() {
            line.push_str(" (does not vary in this text)");
        }
        for score in ranking.best.iter().take(3) {
            line.push_str(&format!(" {:>7} {:+.2}", e.unit_label(score.unit), score.r));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// "1.9 MB", "640 KB".
fn megabytes(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{} KB", bytes.div_ceil(1 << 10))
    }
}
