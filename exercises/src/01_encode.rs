//! Exercise 1, the data: the vocabulary of a text, and the text as indices.
//!
//! Chapter: "The data: encode". Check: `cargo test encode`.
//!
//! ```text
//! vocabulary("hello")                  = ['e', 'h', 'l', 'o']   each character once, sorted
//! encode(['e', 'h', 'l', 'o'], "hello") = [1, 0, 2, 2, 3]        each one's index in the vocabulary
//! ```
//!
//! Notebook:
//!
//! ```python
//! chars = list(set(data))
//! char_to_ix = { ch:i for i,ch in enumerate(chars) }
//! inputs = [char_to_ix[ch] for ch in data[p:p+seq_length]]
//! ```

// The `todo!()` bodies leave the arguments unused. Delete this line when you start: the
// compiler then warns you about any value you compute and never use.
#![allow(unused_variables)]

use min_char_rnn::EncodeError;

/// The vocabulary of `text`: every distinct character once, in increasing order (Rust
/// compares `char`s by their Unicode number, so `' ' < 'A' < 'a' < 'é'`).
///
/// The notebook's `list(set(data))` lists them in an order that changes from run to run;
/// sorted, a character gets the same index on every run.
///
/// Hints:
/// - `text.chars()` walks the characters, not the bytes: `é` is two bytes but one `char`.
/// - Sort, then `dedup()`: `dedup` removes a repeat only when it sits right next to its twin.
pub fn vocabulary(text: &str) -> Vec<char> {
    todo!()
}

/// The index of every character of `text` in `chars`, a vocabulary made by [`vocabulary`]
/// (sorted, each character once).
///
/// # Errors
///
/// For the first character of `text` that is not in `chars`:
/// `Err(EncodeError::UnknownChar { ch, position })`, with `position` counted in characters
/// from 0.
///
/// Hints:
/// - `chars` is sorted, so `chars.binary_search(&ch)` gives `Ok(index)`, or `Err(_)` for a
///   character that is not there. (A `HashMap<char, usize>` built once would do as well.)
/// - `text.chars().enumerate()` numbers the characters; `text.char_indices()` would give
///   positions in bytes.
pub fn encode(chars: &[char], text: &str) -> Result<Vec<usize>, EncodeError> {
    todo!()
}
