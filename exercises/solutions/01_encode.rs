//! Exercise 1 with the crate's own code (`src/encode.rs`): `Vocab::from_text` and
//! `Vocab::encode`.

use min_char_rnn::{EncodeError, Vocab};

/// `Vocab::from_text(text)`, its characters.
pub fn vocabulary(text: &str) -> Vec<char> {
    Vocab::from_text(text).chars().to_vec()
}

/// `Vocab::encode`, on the vocabulary `chars`.
///
/// # Errors
///
/// As `Vocab::encode`.
pub fn encode(chars: &[char], text: &str) -> Result<Vec<usize>, EncodeError> {
    Vocab::from_chars(chars.to_vec())?.encode(text)
}
