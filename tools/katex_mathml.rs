//! An mdBook preprocessor that runs after mdbook-katex and protects KaTeX's MathML from Markdown.
//!
//! mdbook-katex (with `output = "htmlAndMathml"`) replaces every `$…$` with KaTeX's markup: a
//! `<span class="katex-mathml"><math>…</math></span>` that screen readers read, then the visual
//! HTML, marked `aria-hidden`. mdBook then runs Markdown over the chapter, and Markdown reads the
//! *text* between inline HTML tags as Markdown. The MathML holds text that Markdown understands:
//! the formula's TeX source in `<annotation encoding="application/x-tex">` (`W_{hh}\,h_{t-1}`:
//! `_` starts emphasis, `\,` is an escaped comma), and symbols such as `*` or `'` in `<mo>`.
//! Emphasis that opens inside one formula and closes in the next leaves the page's tags
//! unbalanced.
//!
//! This preprocessor writes every ASCII punctuation character in the text of each
//! `<span class="katex-mathml">…</math>` as a numeric character reference (`_` → `&#95;`).
//! Markdown treats a character reference as literal text, so the browser gets the same
//! characters and Markdown sees none of them. Tags and their attributes are left as they are,
//! and so are the references KaTeX already wrote (`&amp;`, `&lt;`).
//!
//! It also fails the build on a heading that holds math but no explicit id (`## Choosing
//! $\varepsilon$ {#choosing-ε}`): mdBook makes a heading's id from all of its text, and would
//! now take the MathML's text, TeX source included, into it.
//!
//! Standard library only, compiled by `tools/build-book.sh` with `rustc` (no Cargo project):
//!
//! ```text
//! rustc --edition 2021 -O tools/katex_mathml.rs -o target/book-tools/katex_mathml
//! ```
//!
//! The preprocessor protocol: mdBook first runs `katex_mathml supports <renderer>` (exit 0 means
//! yes), then passes `[context, book]` as JSON on stdin and reads the book back on stdout. The
//! book's JSON is not parsed: the MathML sits inside the JSON strings that hold the chapters'
//! text, and the rewrite changes only characters inside those strings, so the JSON stays valid.

use std::io::{self, Read, Write};
use std::process::ExitCode;

/// Where KaTeX's MathML starts, as it appears inside a JSON string (quotes escaped).
const MATHML_START: &str = r#"<span class=\"katex-mathml\">"#;
/// Where it ends.
const MATHML_END: &str = "</math>";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("supports") {
        // Only the HTML renderer shows KaTeX's markup.
        return if args.get(1).map(String::as_str) == Some("html") {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
    }

    let mut input = String::new();
    if let Err(e) = io::stdin().read_to_string(&mut input) {
        eprintln!("katex_mathml: cannot read the book from stdin: {e}");
        return ExitCode::FAILURE;
    }
    let Some(book) = book_json(&input) else {
        eprintln!("katex_mathml: stdin is not the `[context, book]` array mdBook sends");
        return ExitCode::FAILURE;
    };
    let headings = headings_without_id(book);
    if !headings.is_empty() {
        for heading in &headings {
            eprintln!("katex_mathml: a heading with math needs an explicit id: {heading}…");
        }
        eprintln!(
            "katex_mathml: mdBook makes a heading's id from all of its text, MathML and TeX \
             included; end each heading above with the id it should have, `{{#the-id}}`"
        );
        return ExitCode::FAILURE;
    }
    let (output, formulas) = protect_mathml(book);
    if std::env::var_os("KATEX_MATHML_VERBOSE").is_some() {
        eprintln!("katex_mathml: protected the MathML of {formulas} formulas");
    }
    if let Err(e) = io::stdout().write_all(output.as_bytes()) {
        eprintln!("katex_mathml: cannot write the book to stdout: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// The second element of the JSON array `[context, book]`, as text.
fn book_json(input: &str) -> Option<&str> {
    let text = input.trim();
    let inner = text.strip_prefix('[')?.strip_suffix(']')?;
    // Find the comma that ends the first element: the first one outside every string, object
    // and array.
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => depth += 1,
            '}' | ']' => depth = depth.checked_sub(1)?,
            ',' if depth == 0 => return Some(inner[i + 1..].trim()),
            _ => {}
        }
    }
    None
}

/// The chapter and the start (up to its first formula) of each heading that holds a formula and
/// does not end with an explicit id, `{#…}`.
///
/// mdBook makes a heading's id from all of its text, and the MathML's text (the formula's
/// symbols, then its TeX source) would make `### Choosing $\varepsilon$` into
/// `#choosing-εvarepsilonε` instead of `#choosing-ε`.
fn headings_without_id(json: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut last_line_start = None;
    for (pos, _) in json.match_indices(MATHML_START) {
        let (start, end) = line_around(json, pos);
        if last_line_start == Some(start) {
            continue;
        }
        last_line_start = Some(start);
        let line = &json[start..end];
        let is_heading = line.trim_start_matches(' ').starts_with('#');
        let trimmed = line.trim_end();
        let has_id = trimmed.ends_with('}') && trimmed.contains("{#");
        if is_heading && !has_id {
            let before_math = line.find("<span").unwrap_or(line.len());
            found.push(format!(
                "{}: {}",
                chapter_path(json, end),
                &line[..before_math]
            ));
        }
    }
    found
}

/// The `source_path` of the chapter whose text holds byte `pos` of `json` (mdBook writes a
/// chapter's fields in the order name, content, number, sub_items, path, source_path).
fn chapter_path(json: &str, pos: usize) -> &str {
    const KEY: &str = r#""source_path":""#;
    let Some(at) = json[pos..].find(KEY) else {
        return "?";
    };
    let value = &json[pos + at + KEY.len()..];
    &value[..value.find('"').unwrap_or(0)]
}

/// The line of Markdown around byte `pos` of `json`, which lies inside a JSON string: from just
/// after the previous newline (the escape `\n`) or the string's opening quote, to just before
/// the next newline or the closing quote.
fn line_around(json: &str, pos: usize) -> (usize, usize) {
    let b = json.as_bytes();
    // Whether the byte at `i` is escaped: preceded by an odd number of backslashes.
    let escaped = |i: usize| {
        let mut n = 0;
        while n < i && b[i - 1 - n] == b'\\' {
            n += 1;
        }
        n % 2 == 1
    };
    let mut start = pos;
    while start > 0 {
        let c = b[start - 1];
        if c == b'"' && !escaped(start - 1) {
            break;
        }
        if c == b'n' && escaped(start - 1) {
            break;
        }
        start -= 1;
    }
    let mut end = pos;
    while end < b.len() {
        let c = b[end];
        if c == b'"' && !escaped(end) {
            break;
        }
        if c == b'\\' && !escaped(end) && b.get(end + 1) == Some(&b'n') {
            break;
        }
        end += 1;
    }
    (start, end)
}

/// Rewrites the text of every MathML block in `json` with character references; returns the new
/// text and how many blocks it found.
fn protect_mathml(json: &str) -> (String, usize) {
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut rest = json;
    let mut count = 0;
    while let Some(start) = rest.find(MATHML_START) {
        let body_start = start + MATHML_START.len();
        let Some(len) = rest[body_start..].find(MATHML_END) else {
            break;
        };
        let body_end = body_start + len;
        out.push_str(&rest[..body_start]);
        protect_text(&rest[body_start..body_end], &mut out);
        rest = &rest[body_end..];
        count += 1;
    }
    out.push_str(rest);
    (out, count)
}

/// Copies `body` (markup inside a JSON string) to `out`, writing each ASCII punctuation
/// character of the text between tags as `&#N;`. JSON escapes are decoded first: `\\` is one
/// backslash, `\"` one quote.
fn protect_text(body: &str, out: &mut String) {
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // A tag, attributes and all, is HTML to Markdown: copy it.
            '<' => {
                out.push(c);
                for t in chars.by_ref() {
                    out.push(t);
                    if t == '>' {
                        break;
                    }
                }
            }
            // A character reference KaTeX wrote (`&amp;`, `&lt;`, `&#x27;`): copy it.
            '&' => {
                out.push(c);
                while let Some(&t) = chars.peek() {
                    if t.is_ascii_alphanumeric() || t == '#' {
                        out.push(t);
                        chars.next();
                    } else {
                        break;
                    }
                }
                if chars.peek() == Some(&';') {
                    out.push(';');
                    chars.next();
                }
            }
            '\\' => match chars.next() {
                Some(e @ ('\\' | '"' | '/')) => push_reference(e, out),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(d) if d.is_ascii_punctuation() => push_reference(d, out),
                        _ => {
                            out.push_str("\\u");
                            out.push_str(&hex);
                        }
                    }
                }
                // \n, \t and the like: whitespace, which Markdown leaves alone.
                Some(e) => {
                    out.push('\\');
                    out.push(e);
                }
                None => out.push('\\'),
            },
            c if c.is_ascii_punctuation() => push_reference(c, out),
            c => out.push(c),
        }
    }
}

fn push_reference(c: char, out: &mut String) {
    out.push_str("&#");
    out.push_str(&u32::from(c).to_string());
    out.push(';');
}

// `rustc --edition 2021 --test tools/katex_mathml.rs -o t && ./t` (tools/build-book.sh runs
// them whenever it compiles the preprocessor).
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book_json_is_the_second_element_whatever_the_first_holds() {
        let input = r#"[{"root":"/b","config":{"a":[1,2],"s":"x, ] } \" ,"}},{"items":[]}]"#;
        assert_eq!(book_json(input), Some(r#"{"items":[]}"#));
        assert_eq!(book_json(r#"{"items":[]}"#), None);
    }

    #[test]
    fn punctuation_in_mathml_text_becomes_references_and_tags_stay() {
        // As in mdBook's JSON: quotes and backslashes escaped.
        let json = concat!(
            r#"a_b <span class=\"katex-mathml\"><math><mi>W</mi><mo>∗</mo>"#,
            r#"<annotation encoding=\"application/x-tex\">W_{hh}\\, x &amp; y'</annotation>"#,
            r#"</math></span><span class=\"katex-html\">W_hh</span>"#,
        );
        let (out, count) = protect_mathml(json);
        assert_eq!(count, 1);
        assert_eq!(
            out,
            concat!(
                r#"a_b <span class=\"katex-mathml\"><math><mi>W</mi><mo>∗</mo>"#,
                r#"<annotation encoding=\"application/x-tex\">W&#95;&#123;hh&#125;&#92;&#44; "#,
                r#"x &amp; y&#39;</annotation></math></span><span class=\"katex-html\">W_hh</span>"#,
            )
        );
    }

    #[test]
    fn a_heading_with_math_needs_an_id_and_other_lines_do_not() {
        let math =
            r#"<span class=\"katex\"><span class=\"katex-mathml\"><math></math></span></span>"#;
        let json = format!(
            r###"{{"content":"## Choosing {math}\n\nText {math}\n### Fine {math} {{#fine}}","source_path":"a.md"}}"###
        );
        assert_eq!(
            headings_without_id(&json),
            vec!["a.md: ## Choosing ".to_string()]
        );
    }
}
