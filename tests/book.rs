//! The book's code listings are slices of the real crate, pulled in by mdBook's
//! `{{#include PATH:ANCHOR}}`. mdBook does not fail when an anchor is missing: it renders an
//! empty code block and exits 0. This test fails instead, so a renamed anchor in `src/` breaks
//! `cargo test`, not the reader's page.
//!
//! What is checked, for every `{{#include …}}` and `{{#rustdoc_include …}}` in every
//! `book/src/**/*.md` (PATH is relative to the chapter's own directory, as in mdBook):
//! - the file exists;
//! - `PATH:name`: a line with `ANCHOR: name` exists, a later line with `ANCHOR_END: name` closes
//!   it, and between them is at least one line of real content (not blank, not another anchor
//!   line, since mdBook drops nested anchor lines);
//! - `PATH:10:20`, `PATH:10:`, `PATH::20`, `PATH:10`: the lines exist in the file.
//!
//! And `book/src/SUMMARY.md` links only to chapter files that exist.
//!
//! std only: no dependencies, so it runs wherever `cargo test` runs.

use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Which part of the file an include asks for, after the path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Selector {
    /// `{{#include PATH}}`: the whole file.
    Whole,
    /// `{{#include PATH:name}}`: the lines between `ANCHOR: name` and `ANCHOR_END: name`.
    Anchor(String),
    /// `{{#include PATH:start:end}}`, 1-based, inclusive; either end may be open.
    /// `PATH:n` alone means the single line n, as in mdBook.
    Lines {
        start: Option<usize>,
        end: Option<usize>,
    },
}

/// One `{{#include …}}` found in a markdown file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Include {
    /// 1-based line number in the markdown file.
    line: usize,
    /// The directive exactly as written, for error messages.
    text: String,
    /// The path as written (relative to the markdown file's directory).
    path: String,
    selector: Selector,
}

/// Why an include does not resolve.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    MissingFile,
    NoAnchorStart(String),
    NoAnchorEnd(String),
    EmptyAnchor(String),
    BadRange {
        start: Option<usize>,
        end: Option<usize>,
        lines: usize,
    },
    UnreadableSelector(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::MissingFile => write!(f, "the file does not exist"),
            Problem::NoAnchorStart(name) => write!(f, "no line with `ANCHOR: {name}` in the file"),
            Problem::NoAnchorEnd(name) => write!(
                f,
                "`ANCHOR: {name}` is never closed: no later line with `ANCHOR_END: {name}`"
            ),
            Problem::EmptyAnchor(name) => write!(
                f,
                "anchor `{name}` is empty: nothing but blank lines or anchor lines between \
                 `ANCHOR: {name}` and `ANCHOR_END: {name}`"
            ),
            Problem::BadRange { start, end, lines } => write!(
                f,
                "line range {}:{} is not within the file's {lines} lines",
                start.map_or(String::new(), |s| s.to_string()),
                end.map_or(String::new(), |e| e.to_string()),
            ),
            Problem::UnreadableSelector(s) => {
                write!(f, "cannot read `{s}` as an anchor or a line range")
            }
        }
    }
}

/// The directives that take a file path, as mdBook spells them.
const DIRECTIVES: [&str; 2] = ["include", "rustdoc_include"];

/// Finds every include directive in a markdown text, in order.
///
/// Follows mdBook's syntax: `{{#include PATH}}` with optional spaces after `{{` and around the
/// argument; a directive preceded by a backslash (`\{{#include …}}`) is escaped: mdBook prints it
/// literally, so it is skipped here too. Directives are found inside code blocks and code spans
/// as well, because mdBook expands them there.
fn find_includes(markdown: &str) -> Vec<Include> {
    let mut found = Vec::new();
    for (index, line) in markdown.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(open) = rest.find("{{") {
            let start = offset + open;
            let after_open = &line[start + 2..];
            let Some(close) = after_open.find("}}") else {
                break;
            };
            let inner = &after_open[..close];
            let escaped = start > 0 && line.as_bytes()[start - 1] == b'\\';
            if !escaped {
                if let Some(include) =
                    parse_directive(inner, index + 1, &line[start..start + 2 + close + 2])
                {
                    found.push(include);
                }
            }
            offset = start + 2 + close + 2;
            rest = &line[offset..];
        }
    }
    found
}

/// Parses the inside of `{{ … }}`; returns `None` if it is not an include directive.
fn parse_directive(inner: &str, line: usize, text: &str) -> Option<Include> {
    let inner = inner.trim_start();
    let body = inner.strip_prefix('#')?;
    let name_len = body
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(body.len());
    let (name, argument) = body.split_at(name_len);
    if !DIRECTIVES.contains(&name) {
        return None;
    }
    // mdBook reads the first whitespace-separated word as `PATH[:SELECTOR]`.
    let argument = argument.split_whitespace().next()?;
    let (path, selector) = match argument.split_once(':') {
        None => (argument.to_string(), Selector::Whole),
        Some((path, selector)) => (path.to_string(), parse_selector(selector)),
    };
    Some(Include {
        line,
        text: text.to_string(),
        path,
        selector,
    })
}

/// `name` → an anchor; `10`, `10:`, `:20`, `10:20` → a line range. Mirrors mdBook's reading:
/// an all-digit first part is a line number, never an anchor name; `n` alone is line n only.
fn parse_selector(selector: &str) -> Selector {
    let mut parts = selector.splitn(3, ':');
    let first = parts.next().unwrap_or("");
    let start = if first.is_empty() {
        None
    } else if let Ok(n) = first.parse::<usize>() {
        Some(n)
    } else {
        return Selector::Anchor(first.to_string());
    };
    let end = parts.next().map(|s| s.parse::<usize>());
    match (start, end) {
        (Some(start), None) => Selector::Lines {
            start: Some(start),
            end: Some(start),
        },
        (start, Some(Ok(end))) => Selector::Lines {
            start,
            end: Some(end),
        },
        (start, _) => Selector::Lines { start, end: None },
    }
}

/// The anchor name that follows `marker` on this line (`// ANCHOR: name` → `name`), if any.
fn anchor_name_after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    let at = line.find(marker)?;
    let rest = line[at + marker.len()..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    (!name.is_empty()).then_some(name)
}

fn is_anchor_line(line: &str) -> bool {
    anchor_name_after(line, "ANCHOR:").is_some() || anchor_name_after(line, "ANCHOR_END:").is_some()
}

/// Checks what an include selects from a file's text.
fn check_selector(selector: &Selector, file_text: &str) -> Result<(), Problem> {
    let lines: Vec<&str> = file_text.lines().collect();
    match selector {
        Selector::Whole => Ok(()),
        Selector::Anchor(name) if name.is_empty() => Err(Problem::UnreadableSelector(name.clone())),
        Selector::Anchor(name) => {
            let start = lines
                .iter()
                .position(|line| anchor_name_after(line, "ANCHOR:") == Some(name.as_str()))
                .ok_or_else(|| Problem::NoAnchorStart(name.clone()))?;
            let end_offset = lines[start + 1..]
                .iter()
                .position(|line| anchor_name_after(line, "ANCHOR_END:") == Some(name.as_str()))
                .ok_or_else(|| Problem::NoAnchorEnd(name.clone()))?;
            let body = &lines[start + 1..start + 1 + end_offset];
            let has_content = body
                .iter()
                .any(|line| !line.trim().is_empty() && !is_anchor_line(line));
            if has_content {
                Ok(())
            } else {
                Err(Problem::EmptyAnchor(name.clone()))
            }
        }
        Selector::Lines { start, end } => {
            let count = lines.len();
            let first = start.unwrap_or(1);
            let last = end.unwrap_or(count);
            let within = first >= 1 && first <= count && last >= first && last <= count;
            if within {
                Ok(())
            } else {
                Err(Problem::BadRange {
                    start: *start,
                    end: *end,
                    lines: count,
                })
            }
        }
    }
}

/// Checks one include of `chapter` against the file system.
fn check_include(chapter: &Path, include: &Include) -> Result<(), Problem> {
    let dir = chapter.parent().unwrap_or(Path::new("."));
    let target = dir.join(&include.path);
    let text = fs::read_to_string(&target).map_err(|_| Problem::MissingFile)?;
    check_selector(&include.selector, &text)
}

fn book_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("book")
        .join("src")
}

/// Every `.md` file under `dir`, sorted, recursively.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries =
            fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The targets of `[title](target)` links in SUMMARY.md, with their line numbers.
fn summary_links(summary: &str) -> Vec<(usize, String)> {
    let mut links = Vec::new();
    for (index, line) in summary.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(close) = after.find(')') else { break };
            links.push((index + 1, after[..close].trim().to_string()));
            rest = &after[close + 1..];
        }
    }
    links
}

/// `path` relative to the crate root, with `..` folded away (`book/src/../../src/x.rs` →
/// `src/x.rs`), for messages a reader can paste.
fn relative(path: &Path) -> String {
    let mut folded = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !folded.pop() {
                    folded.push("..");
                }
            }
            other => folded.push(other),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    folded
        .strip_prefix(root)
        .unwrap_or(&folded)
        .display()
        .to_string()
}

#[test]
fn every_include_in_the_book_resolves() {
    let src = book_src();
    assert!(
        src.is_dir(),
        "the book's sources are missing: {} is not a directory",
        src.display()
    );
    let chapters = markdown_files(&src);
    assert!(
        !chapters.is_empty(),
        "no markdown files under {}",
        src.display()
    );

    let mut failures = Vec::new();
    let mut checked = 0;
    for chapter in &chapters {
        let text = fs::read_to_string(chapter)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", chapter.display()));
        for include in find_includes(&text) {
            checked += 1;
            if let Err(problem) = check_include(chapter, &include) {
                failures.push(format!(
                    "{}:{}: {}\n    resolves to {}\n    {problem}",
                    relative(chapter),
                    include.line,
                    include.text,
                    relative(&chapter.parent().unwrap().join(&include.path)),
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} includes in the book do not resolve:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn summary_lists_only_chapters_that_exist() {
    let src = book_src();
    let summary_path = src.join("SUMMARY.md");
    let summary = fs::read_to_string(&summary_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", summary_path.display()));
    let links = summary_links(&summary);
    assert!(
        !links.is_empty(),
        "{} lists no chapters",
        relative(&summary_path)
    );

    let mut missing = Vec::new();
    for (line, target) in &links {
        // Chapters only: a draft entry `[Title]()` has no file, and an external link is not ours.
        if target.is_empty() || target.contains("://") {
            continue;
        }
        let file = target.split('#').next().unwrap_or(target);
        if !src.join(file).is_file() {
            missing.push(format!(
                "SUMMARY.md:{line}: ({target}) does not exist in {}",
                relative(&src)
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "SUMMARY.md links to missing chapters:\n{}",
        missing.join("\n")
    );
}

// The checker itself, on text held in memory.

const LISTING: &str = "\
fn main() {
    // ANCHOR: outer
    let a = 1;
    // ANCHOR: inner
    let b = 2;
    // ANCHOR_END: inner
    // ANCHOR_END: outer
    // ANCHOR: only_nested
    // ANCHOR: x
    // ANCHOR_END: x

    // ANCHOR_END: only_nested
    // ANCHOR: never_closed
    let c = 3;
}
";

#[test]
fn parser_finds_includes_their_lines_paths_and_selectors() {
    let chapter = "\
# A chapter

```rust,ignore
{{#include ../../src/forward.rs:hidden_state}}
```

Two on one line: {{#include a.rs}} and {{ #rustdoc_include b.rs:3:7 }}.
Not an include: {{#title Hello}}, and an escaped one: \\{{#include c.rs}}.
{{#include d.rs:5}} {{#include e.rs::9}} {{#include f.rs:2:}}
";
    let found = find_includes(chapter);
    let summary: Vec<(usize, &str, &Selector)> = found
        .iter()
        .map(|i| (i.line, i.path.as_str(), &i.selector))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                4,
                "../../src/forward.rs",
                &Selector::Anchor("hidden_state".into())
            ),
            (7, "a.rs", &Selector::Whole),
            (
                7,
                "b.rs",
                &Selector::Lines {
                    start: Some(3),
                    end: Some(7)
                }
            ),
            (
                9,
                "d.rs",
                &Selector::Lines {
                    start: Some(5),
                    end: Some(5)
                }
            ),
            (
                9,
                "e.rs",
                &Selector::Lines {
                    start: None,
                    end: Some(9)
                }
            ),
            (
                9,
                "f.rs",
                &Selector::Lines {
                    start: Some(2),
                    end: None
                }
            ),
        ]
    );
    assert_eq!(
        found[0].text,
        "{{#include ../../src/forward.rs:hidden_state}}"
    );
}

#[test]
fn checker_accepts_a_closed_anchor_with_content_even_when_nested() {
    assert_eq!(
        check_selector(&Selector::Anchor("outer".into()), LISTING),
        Ok(())
    );
    assert_eq!(
        check_selector(&Selector::Anchor("inner".into()), LISTING),
        Ok(())
    );
}

#[test]
fn checker_rejects_a_missing_anchor() {
    assert_eq!(
        check_selector(&Selector::Anchor("hidden_state".into()), LISTING),
        Err(Problem::NoAnchorStart("hidden_state".into()))
    );
    // A name that merely starts like an existing one is not that anchor.
    assert_eq!(
        check_selector(&Selector::Anchor("out".into()), LISTING),
        Err(Problem::NoAnchorStart("out".into()))
    );
}

#[test]
fn checker_rejects_an_unclosed_anchor() {
    assert_eq!(
        check_selector(&Selector::Anchor("never_closed".into()), LISTING),
        Err(Problem::NoAnchorEnd("never_closed".into()))
    );
}

#[test]
fn checker_rejects_an_anchor_holding_only_blank_and_anchor_lines() {
    assert_eq!(
        check_selector(&Selector::Anchor("only_nested".into()), LISTING),
        Err(Problem::EmptyAnchor("only_nested".into()))
    );
    assert_eq!(
        check_selector(&Selector::Anchor("x".into()), LISTING),
        Err(Problem::EmptyAnchor("x".into()))
    );
}

#[test]
fn checker_accepts_line_ranges_inside_the_file_and_rejects_the_rest() {
    let lines = LISTING.lines().count();
    let range = |start, end| Selector::Lines { start, end };
    assert_eq!(
        check_selector(&range(Some(1), Some(lines)), LISTING),
        Ok(())
    );
    assert_eq!(check_selector(&range(Some(3), None), LISTING), Ok(()));
    assert_eq!(check_selector(&range(None, Some(2)), LISTING), Ok(()));
    assert_eq!(
        check_selector(&range(Some(2), Some(lines + 1)), LISTING),
        Err(Problem::BadRange {
            start: Some(2),
            end: Some(lines + 1),
            lines
        })
    );
    assert_eq!(
        check_selector(&range(Some(0), Some(2)), LISTING),
        Err(Problem::BadRange {
            start: Some(0),
            end: Some(2),
            lines
        })
    );
    assert_eq!(
        check_selector(&range(Some(5), Some(4)), LISTING),
        Err(Problem::BadRange {
            start: Some(5),
            end: Some(4),
            lines
        })
    );
}

#[test]
fn checker_reports_a_missing_file_relative_to_the_chapter() {
    let chapter = book_src().join("introduction.md");
    let include = find_includes("{{#include ../../src/no_such_module.rs:nothing}}").remove(0);
    assert_eq!(check_include(&chapter, &include), Err(Problem::MissingFile));
    // The same path resolved from the chapter's directory finds this very test file.
    let include = find_includes("{{#include ../../tests/book.rs:nothing}}").remove(0);
    assert_eq!(
        check_include(&chapter, &include),
        Err(Problem::NoAnchorStart("nothing".into()))
    );
}

#[test]
fn summary_parser_reads_every_link_target() {
    let summary =
        "# Summary\n\n[Intro](introduction.md)\n- [A](a.md)\n  - [B](sub/b.md#part)\n- [Draft]()\n";
    let targets: Vec<String> = summary_links(summary).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        targets,
        vec!["introduction.md", "a.md", "sub/b.md#part", ""]
    );
}
