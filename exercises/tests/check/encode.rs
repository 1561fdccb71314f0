//! Exercise 1: `vocabulary` and `encode`, against the crate's `Vocab::from_text` and
//! `Vocab::encode`.

use super::{Checked, call, wrong};
use min_char_rnn::{EncodeError, Vocab};

/// The functions of exercise 1.
pub struct Fns {
    /// `vocabulary(text)`.
    pub vocabulary: fn(&str) -> Vec<char>,
    /// `encode(chars, text)`.
    pub encode: fn(&[char], &str) -> Result<Vec<usize>, EncodeError>,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        vocabulary: exercises::encode::vocabulary,
        encode: exercises::encode::encode,
    }
}

/// Texts for `vocabulary`, and what each one tries.
const VOCABULARY_CASES: [(&str, &str); 6] = [
    ("hello", "the example"),
    ("ba", "two characters out of order"),
    ("hello, hello", "repeats far from their twins"),
    ("", "the empty text"),
    ("aaaa", "one character, four times"),
    (
        "Café au lait — 🙂!\n",
        "characters of one to four bytes, a space, a newline",
    ),
];

/// `(vocabulary of, text, what it tries)` for `encode`.
const ENCODE_CASES: [(&str, &str, &str); 7] = [
    ("hello", "hello", "the example"),
    ("hello", "", "the empty text"),
    ("hello", "olleh", "the same characters, backwards"),
    ("café, naïve", "naïve café", "characters of two bytes"),
    ("hello", "help", "a character that is not in the vocabulary"),
    ("café", "éz", "an unknown character after one of two bytes"),
    ("abc", "abc abc", "an unknown space"),
];

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    for (text, what) in VOCABULARY_CASES {
        let case = format!("vocabulary({text:?}): {what}");
        let got = call(
            "vocabulary",
            &case,
            || (f.vocabulary)(text),
            |_| "read the panic message and the line it points at".to_string(),
        )?;
        let expected = Vocab::from_text(text).chars().to_vec();
        if got != expected {
            return Err(wrong(
                "vocabulary",
                &case,
                format!("the vocabulary should be {expected:?} but is {got:?}"),
                vocabulary_hint(text, &expected, &got),
            ));
        }
    }
    for (vocab_of, text, what) in ENCODE_CASES {
        let vocab = Vocab::from_text(vocab_of);
        let chars = vocab.chars().to_vec();
        let case = format!("encode({chars:?}, {text:?}): {what}");
        let got = call(
            "encode",
            &case,
            || (f.encode)(&chars, text),
            |_| {
                "look a character up with chars.binary_search(&ch), which says Err(_) for a \
             character that is not there, rather than indexing with it"
                    .to_string()
            },
        )?;
        let expected = vocab.encode(text);
        if got != expected {
            return Err(wrong(
                "encode",
                &case,
                format!("the result should be {expected:?} but is {got:?}"),
                encode_hint(text, &chars, &expected, &got),
            ));
        }
    }
    Ok(())
}

fn vocabulary_hint(text: &str, expected: &[char], got: &[char]) -> String {
    let sorted = got.windows(2).all(|w| w[0] <= w[1]);
    let mut distinct = got.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    if got.iter().any(|c| !text.contains(*c)) {
        return "every character of the vocabulary must come from the text: walk it with \
                text.chars(); its bytes (text.bytes()) split a character such as é into two"
            .to_string();
    }
    if !sorted {
        return "sort the characters (chars.sort()) before dedup(): dedup removes a repeat only \
                when it sits right next to its twin, and the vocabulary must be in increasing \
                order"
            .to_string();
    }
    if distinct.len() < got.len() {
        return "each character once: dedup() after sorting removes the repeats".to_string();
    }
    if got.len() < expected.len() {
        return "every distinct character of the text belongs in it, spaces, punctuation and \
                newlines too"
            .to_string();
    }
    "each distinct character of the text once, sorted".to_string()
}

fn encode_hint(
    text: &str,
    chars: &[char],
    expected: &Result<Vec<usize>, EncodeError>,
    got: &Result<Vec<usize>, EncodeError>,
) -> String {
    match (expected, got) {
        (
            Err(EncodeError::UnknownChar { ch, position }),
            Err(EncodeError::UnknownChar {
                ch: got_ch,
                position: got_position,
            }),
        ) => {
            if ch != got_ch {
                format!(
                    "the first character that is not in the vocabulary is {ch:?}, at position \
                     {position}"
                )
            } else if text
                .char_indices()
                .any(|(byte, c)| c == *ch && byte == *got_position)
            {
                "position counts characters, not bytes: text.chars().enumerate() numbers the \
                 characters, text.char_indices() gives where each one starts in bytes"
                    .to_string()
            } else {
                format!(
                    "position is the character's place in the text, counting from 0: here \
                     {position}"
                )
            }
        }
        (Err(_), Ok(_)) => "a character that is not in the vocabulary is an error: return \
                            Err(EncodeError::UnknownChar { ch, position }) for the first one"
            .to_string(),
        (Ok(_), Err(_)) => "every character of this text is in the vocabulary: find its index \
                            with chars.binary_search(&ch) (chars is sorted)"
            .to_string(),
        (Ok(e), Ok(g)) if e.len() != g.len() => {
            "one index per character of the text (not per byte)".to_string()
        }
        (Ok(e), Ok(g)) => {
            let k = (0..e.len()).find(|&k| e[k] != g[k]).unwrap_or(0);
            let ch = text.chars().nth(k).unwrap_or(' ');
            format!(
                "character {k} of the text, {ch:?}, is at index {} of chars {chars:?}, which \
                 makes its index {}",
                e[k], e[k]
            )
        }
        _ => "return what Vocab::encode returns: the indices, or the first unknown character"
            .to_string(),
    }
}
