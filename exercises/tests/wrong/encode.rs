//! Wrong answers to exercise 1.

use min_char_rnn::EncodeError;

/// Forgets to sort: `dedup` alone keeps the text's order and every repeat that is not next to
/// its twin.
pub fn vocabulary_unsorted(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = text.chars().collect();
    chars.dedup();
    chars
}

/// Reports the position of an unknown character in bytes (`char_indices`).
pub fn encode_byte_positions(chars: &[char], text: &str) -> Result<Vec<usize>, EncodeError> {
    let mut indices = Vec::new();
    for (position, ch) in text.char_indices() {
        match chars.binary_search(&ch) {
            Ok(ix) => indices.push(ix),
            Err(_) => return Err(EncodeError::UnknownChar { ch, position }),
        }
    }
    Ok(indices)
}

/// Not written yet.
pub fn todo_vocabulary(_: &str) -> Vec<char> {
    todo!()
}

/// Not written yet.
pub fn todo_encode(_: &[char], _: &str) -> Result<Vec<usize>, EncodeError> {
    todo!()
}
