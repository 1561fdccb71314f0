//! End-to-end tests of `min-char-rnn explain`: the page it writes and where, the loss it
//! prints (the figure `train`'s evaluation prints for the same text), and that every bad
//! input gives a clear message, a non-zero exit code and no page, without a panic.
//!
//! Each test runs the built binary in its own directory under the system's temp directory,
//! with a small network trained for a few hundred iterations on a small text (or, for the
//! checkpoints of format version 2, a tiny LSTM or GRU trained like char-rnn for 20).

use min_char_rnn::charrnn::evaluate_text;
use min_char_rnn::checkpoint::AnyCheckpoint;
use min_char_rnn::explain::explain;
use std::fs;

mod scratch;
use scratch::{Scratch, assert_fails, assert_succeeds, stderr, stdout};

/// The start of every page.
const PAGE_START: &str = "<!DOCTYPE html>\n<!-- min-char-rnn explain page -->\n";

impl Scratch {
    /// The names of the files in the directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .expect("list the directory")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    /// Trains a small network on a small text (`text.txt`: 30 lines of 60 characters, with
    /// quotation marks) into `c.ckpt`, with `extra` arguments; returns what train printed.
    fn train(&self, extra: &[&str]) -> String {
        let text = "\"Light burning,\" said the keeper. The cat sat by the doors.\n".repeat(30);
        assert_eq!(text.len(), 1800);
        self.write("text.txt", text);
        let mut args = vec![
            "train",
            "text.txt",
            "--iterations",
            "300",
            "--hidden-size",
            "16",
            "--seq-length",
            "10",
            "--sample-every",
            "0",
            "--checkpoint",
            "c.ckpt",
            "--no-plot",
        ];
        args.extend(extra);
        let out = self.run(&args);
        assert_succeeds(&out);
        stdout(&out)
    }

    /// Trains a tiny network of 2 `cell` layers of 8 units like char-rnn (2 streams of 10
    /// characters, 20 iterations) on `text` (a FILE, or `None`: the built-in corpus) into
    /// `checkpoint`, a checkpoint of format version 2.
    fn train_network(&self, cell: &str, text: Option<&str>, checkpoint: &str) {
        let mut args = vec!["train"];
        args.extend(text);
        args.extend([
            "--cell",
            cell,
            "--layers",
            "2",
            "--hidden-size",
            "8",
            "--batch-size",
            "2",
            "--seq-length",
            "10",
            "--iterations",
            "20",
            "--sample-every",
            "0",
            "--checkpoint",
            checkpoint,
            "--no-plot",
        ]);
        assert_succeeds(&self.run(&args));
        let saved = fs::read_to_string(self.path(checkpoint)).expect("the checkpoint");
        assert!(saved.starts_with("min-char-rnn checkpoint\nversion 2\n"));
    }
}

/// The `loss/char: …, perplexity: …, bits/char: …` figures of the line of `log` that starts
/// with `prefix`.
fn figures(log: &str, prefix: &str) -> String {
    let line = log
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?}:\n{log}"));
    let from = line.find("loss/char: ").expect("loss/char");
    let figures = &line[from..];
    figures.split(" (").next().unwrap_or(figures).to_string()
}

#[test]
fn explain_writes_a_page_next_to_the_checkpoint() {
    let s = Scratch::new("page");
    s.train(&[]);
    let out = s.run(&["explain", "--checkpoint", "c.ckpt", "text.txt"]);
    assert_succeeds(&out);
    let page = fs::read_to_string(s.path("c.html")).expect("the page c.html");
    assert!(page.starts_with(PAGE_START), "{}", &page[..200]);
    assert_eq!(page.matches("<span class=s").count(), 1799); // all but the first of 1800
    let log = stdout(&out);
    assert!(
        log.contains("1800 characters; the very text the network was trained on"),
        "{log}"
    );
    assert!(
        log.contains("units that follow a feature of the text"),
        "{log}"
    );
    assert!(log.contains("inside quotation marks"), "{log}");
    assert!(stderr(&out).contains("c.html"), "{}", stderr(&out));
    // Written again: a page explain wrote is replaced without asking.
    assert_succeeds(&s.run(&["explain", "--checkpoint", "c.ckpt", "text.txt"]));
}

#[test]
fn the_loss_is_the_figure_train_reports_for_the_same_text() {
    let s = Scratch::new("loss");
    let log = s.train(&["--val-fraction", "0.1", "--eval-every", "0"]);
    // The held-out part is the last tenth of the text: 180 of its 1800 characters.
    let text = fs::read_to_string(s.path("text.txt")).unwrap();
    let (train_part, val_part) = text.split_at(1620);
    s.write("val.txt", val_part);
    s.write("train.txt", train_part);
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "val.txt",
        "--out",
        "v.html",
    ]);
    assert_succeeds(&out);
    assert_eq!(
        figures(&stdout(&out), "loss/char"),
        figures(&log, "final val ")
    );
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "train.txt",
        "--out",
        "t.html",
    ]);
    assert_succeeds(&out);
    assert_eq!(
        figures(&stdout(&out), "loss/char"),
        figures(&log, "final train ")
    );
    assert!(stdout(&out).contains("the very text the network was trained on"));
    // The whole text: the network was trained on its first 1620 characters.
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "text.txt",
        "--out",
        "w.html",
    ]);
    assert!(
        stdout(&out)
            .contains("trained on its first 1620 characters, and the last 180 were held out"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_text_can_be_given_on_the_command_line() {
    let s = Scratch::new("text");
    s.train(&[]);
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "--text",
        "\"The cat,\" said the keeper.",
        "--out",
        "t.html",
    ]);
    assert_succeeds(&out);
    let page = fs::read_to_string(s.path("t.html")).unwrap();
    assert!(
        page.contains("<span>&quot;</span><span class=s"),
        "the first character"
    );
    assert!(stdout(&out).contains("the text given with --text, 27 characters"));
}

#[test]
fn without_a_text_it_explains_the_start_of_the_built_in_corpus() {
    let s = Scratch::new("default");
    let out = s.run(&[
        "train",
        "--iterations",
        "20",
        "--hidden-size",
        "8",
        "--sample-every",
        "0",
        "--no-plot",
    ]);
    assert_succeeds(&out);
    let out = s.run(&["explain"]);
    assert_succeeds(&out);
    let log = stdout(&out);
    assert!(
        log.starts_with("The text: the start of the built-in corpus (data/corpus.txt), "),
        "{log}"
    );
    assert!(log.contains("; the network was trained on it."), "{log}");
    let page = fs::read_to_string(s.path("min-char-rnn.html")).expect("min-char-rnn.html");
    assert!(
        page.contains("<span>T</span>"),
        "the corpus starts with THE TOWN"
    );
    // The excerpt ends with a whole line.
    assert!(
        page.contains("↵</span>\n</div>"),
        "the excerpt ends at a line's end"
    );
}

#[test]
fn characters_the_network_never_saw_are_named_and_nothing_is_written() {
    let s = Scratch::new("unknown");
    s.train(&[]);
    s.write("odd.txt", "The cat sat.\nZebra, Zebra and émus!\n");
    let before = s.files();
    let out = s.run(&["explain", "--checkpoint", "c.ckpt", "odd.txt"]);
    assert_fails(
        &out,
        1,
        &[
            "odd.txt: 4 character(s) that the checkpoint's network never saw",
            "'Z' (U+005A, first at line 2, column 1, 2 times)",
            "'é' (U+00E9, first at line 2, column 18)",
            "'!' (U+0021",
            "hint: the network can only read the characters of the text it was trained on",
            "hint: the checkpoint knows these",
        ],
    );
    assert_eq!(s.files(), before, "no page, no temporary file");
    // The default text too, for a network trained on another text.
    let out = s.run(&["explain", "--checkpoint", "c.ckpt"]);
    assert_fails(&out, 1, &["the built-in corpus: ", "never saw"]);
    assert_eq!(s.files(), before);
}

#[test]
fn a_file_that_is_not_a_page_is_not_replaced_without_force() {
    let s = Scratch::new("force");
    s.train(&[]);
    s.write("notes.html", "my own notes");
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "text.txt",
        "--out",
        "notes.html",
    ]);
    assert_fails(
        &out,
        1,
        &["not a page written by min-char-rnn explain", "add --force"],
    );
    assert_eq!(
        fs::read_to_string(s.path("notes.html")).unwrap(),
        "my own notes"
    );
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "text.txt",
        "--out",
        "notes.html",
        "--force",
    ]);
    assert_succeeds(&out);
    assert!(
        fs::read_to_string(s.path("notes.html"))
            .unwrap()
            .starts_with(PAGE_START)
    );
}

#[test]
fn the_page_never_replaces_the_checkpoint_or_the_text() {
    let s = Scratch::new("same");
    s.train(&[]);
    let checkpoint = fs::read(s.path("c.ckpt")).unwrap();
    for (out_path, what) in [("c.ckpt", "the checkpoint"), ("./text.txt", "the text")] {
        let out = s.run(&[
            "explain",
            "--checkpoint",
            "c.ckpt",
            "text.txt",
            "--out",
            out_path,
            "--force",
        ]);
        assert_fails(&out, 1, &["are the same file", what, "--out PATH"]);
    }
    assert_eq!(fs::read(s.path("c.ckpt")).unwrap(), checkpoint);
    // A checkpoint named .html: the default page would be the checkpoint itself.
    fs::copy(s.path("c.ckpt"), s.path("c.html")).unwrap();
    let out = s.run(&["explain", "--checkpoint", "c.html", "text.txt"]);
    assert_fails(&out, 1, &["are the same file"]);
    assert_eq!(fs::read(s.path("c.html")).unwrap(), checkpoint);
}

#[test]
fn bad_texts_are_errors_and_write_nothing() {
    let s = Scratch::new("bad-text");
    s.train(&[]);
    s.write("empty.txt", "");
    s.write("one.txt", "a");
    s.write("bad.txt", b"the c\xffat\n");
    s.write("long.txt", "the cat sat. ".repeat(4000)); // 52,000 characters
    fs::create_dir(s.path("dir")).unwrap();
    let before = s.files();
    let cases: [(&[&str], i32, &[&str]); 9] = [
        (
            &["missing.txt"],
            1,
            &["cannot read missing.txt: no such file"],
        ),
        (&["empty.txt"], 1, &["empty.txt is empty"]),
        (
            &["one.txt"],
            1,
            &["one.txt: the text has 1 character(s); at least 2"],
        ),
        (
            &["bad.txt"],
            1,
            &["bad.txt is not valid UTF-8", "byte offset 5"],
        ),
        (&["dir"], 1, &["dir is a directory"]),
        (
            &["long.txt"],
            1,
            &["long.txt has 52000 characters", "head -c 5000 long.txt"],
        ),
        (
            &["text.txt", "--text", "the cat"],
            2,
            &["a FILE and --text cannot be used together"],
        ),
        (
            &["text.txt", "more.txt"],
            2,
            &["unexpected argument 'more.txt'"],
        ),
        (
            &["--ouy", "p.html"],
            2,
            &["unknown option '--ouy' for explain (did you mean --out?)"],
        ),
    ];
    for (args, code, needles) in cases {
        let mut all = vec!["explain", "--checkpoint", "c.ckpt"];
        all.extend(args);
        assert_fails(&s.run(&all), code, needles);
        assert_eq!(s.files(), before, "after {args:?}");
    }
}

#[test]
fn bad_checkpoints_and_pages_are_errors() {
    let s = Scratch::new("bad-checkpoint");
    let out = s.run(&["explain", "--text", "the cat"]);
    assert_fails(&out, 1, &["min-char-rnn.ckpt", "train one first"]);
    s.write("junk.ckpt", "not a checkpoint");
    let out = s.run(&["explain", "--checkpoint", "junk.ckpt", "--text", "the cat"]);
    assert_fails(&out, 1, &["junk.ckpt"]);
    assert!(!s.path("junk.html").exists());
    s.train(&[]);
    fs::create_dir(s.path("page.html")).unwrap();
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "text.txt",
        "--out",
        "page.html",
    ]);
    assert_fails(&out, 1, &["cannot write the page to", "page.html"]);
    let out = s.run(&[
        "explain",
        "--checkpoint",
        "c.ckpt",
        "text.txt",
        "--out",
        "no/such/dir/p.html",
    ]);
    assert_fails(&out, 1, &["does not exist"]);
}

#[test]
fn lstm_and_gru_checkpoints_get_a_page_with_every_layers_units_and_evaluates_loss() {
    let s = Scratch::new("network");
    let text = "\"Light burning,\" said the keeper. The cat sat by the doors.\n".repeat(30);
    s.write("text.txt", &text);
    for (cell, name) in [("lstm", "an LSTM"), ("gru", "a GRU")] {
        let checkpoint = format!("{cell}.ckpt");
        s.train_network(cell, Some("text.txt"), &checkpoint);
        let out = s.run(&["explain", "--checkpoint", &checkpoint, "text.txt"]);
        assert_succeeds(&out);
        let log = stdout(&out);
        // The loss is the figure `evaluate` prints for the same checkpoint and text.
        let evaluated = s.run(&["evaluate", "--checkpoint", &checkpoint, "text.txt"]);
        assert_succeeds(&evaluated);
        assert_eq!(
            figures(&log, "loss/char"),
            figures(&stdout(&evaluated), "loss/char"),
            "{cell}"
        );
        // 1800 characters make 90 chunks of 2 × 10: 85 to train on, 5 held out.
        assert!(
            log.contains(
                "1800 characters; the text the network was trained on, cut into 2 streams of \
                 90 chunks of 10 characters, the last 5 chunk(s) of each held out"
            ),
            "{log}"
        );
        // The chooser offers h of both layers, and for the LSTM c too; the units are named
        // by layer and kind.
        let page = fs::read_to_string(s.path(&format!("{cell}.html"))).expect("the page");
        assert!(page.starts_with(PAGE_START));
        assert!(page.contains(&format!("The network: {name} of 2 layers of 8 units")));
        assert_eq!(page.matches("<span class=s").count(), 1799);
        assert_eq!(
            page.matches("<option value=").count(),
            1 + 8 * 2 * if cell == "lstm" { 2 } else { 1 }
        );
        for key in ["l0h0", "l1h7"] {
            assert!(
                page.contains(&format!("<option value=\"{key}\">")),
                "{cell}: {key}"
            );
        }
        let has_c = page.contains("<option value=\"l1c7\">l1 c[7]</option>");
        assert_eq!(has_c, cell == "lstm", "{cell}: the cell states");
        // The library agrees, to the last bit.
        let Ok(AnyCheckpoint::V2(c)) = AnyCheckpoint::load(s.path(&checkpoint)) else {
            panic!("{checkpoint} is not a checkpoint of format version 2");
        };
        let data = c.vocab.encode(&text).unwrap();
        let loss = evaluate_text(&c.state.network, &data);
        let e = explain(&c.state.network, &c.vocab, &data).unwrap();
        assert_eq!(e.loss.to_bits(), loss.to_bits(), "{cell}");
        assert!(page.contains(&format!("<dd id=\"loss\">{loss:.6} nats</dd>")));
    }
    // Trained on the built-in corpus: its start, the default text, was trained on.
    s.train_network("lstm", None, "corpus.ckpt");
    let out = s.run(&["explain", "--checkpoint", "corpus.ckpt"]);
    assert_succeeds(&out);
    assert!(
        stdout(&out).contains("; the network was trained on it."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn explain_has_help() {
    let s = Scratch::new("help");
    for args in [&["explain", "--help"][..], &["help", "explain"][..]] {
        let out = s.run(args);
        assert_succeeds(&out);
        let help = stdout(&out);
        assert!(help.contains("Usage: min-char-rnn explain"), "{help}");
        assert!(help.contains("--out PAGE"), "{help}");
    }
    let top = stdout(&s.run(&["--help"]));
    assert!(top.contains("  explain  "), "{top}");
}
