//! Step 1, the data: text → a vocabulary of characters → indices → one-hot vectors.
//!
//! The network never sees characters, only numbers. The vocabulary lists every distinct
//! character of the text once, **sorted**; a character's position in that list is its index
//! `ix` in `0..V`, and the network's input for it is the one-hot vector `x` of length `V`:
//! all zeros except `x[ix] = 1`.
//!
//! Notebook:
//!
//! ```python
//! chars = list(set(data))
//! char_to_ix = { ch:i for i,ch in enumerate(chars) }
//! ix_to_char = { i:ch for i,ch in enumerate(chars) }
//! ```
//!
//! One difference on purpose: `list(set(data))` lists the characters in the order of Python's
//! string hashing, which is randomised per process, so the original numbers its characters
//! differently on every run (and a model saved by one run is meaningless to the next). Sorting
//! makes the vocabulary, and therefore every index, every weight column and every checkpoint,
//! the same on every run and every machine.
//!
//! Characters are Unicode scalar values (Rust's `char`): `é`, `—` or `🙂` are one character
//! each, whatever their length in UTF-8 bytes.

use crate::Vector;
use std::collections::HashMap;
use std::fmt;

/// The sorted set of distinct characters of a text, with the maps between characters and
/// their indices (`char_to_ix`, `ix_to_char`).
///
/// # Examples
///
/// ```
/// use min_char_rnn::Vocab;
///
/// let vocab = Vocab::from_text("hello");
/// assert_eq!(vocab.chars(), &['e', 'h', 'l', 'o']);
/// assert_eq!(vocab.char_to_ix('l'), Ok(2));
/// assert_eq!(vocab.ix_to_char(3), 'o');
/// ```
// ANCHOR: vocab_struct
#[derive(Clone, PartialEq, Eq)]
pub struct Vocab {
    /// `ix_to_char`: the distinct characters in increasing order.
    chars: Vec<char>,
    /// `char_to_ix`: the inverse of `chars`.
    index: HashMap<char, usize>,
}
// ANCHOR_END: vocab_struct

/// A character that is not in the vocabulary, or a list of characters that cannot be one.
// ANCHOR: encode_error
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncodeError {
    /// `ch`, the character at `position` (counted in characters from 0), is not in the
    /// vocabulary.
    UnknownChar {
        /// The character.
        ch: char,
        /// Its position in the text, in characters (not bytes).
        position: usize,
    },
    /// The characters given to [`Vocab::from_chars`] are not strictly increasing: `ch` at
    /// `position` is not greater than the one before it.
    NotSorted {
        /// The offending character.
        ch: char,
        /// Its position in the list.
        position: usize,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::UnknownChar { ch, position } => write!(
                f,
                "character {ch:?} (U+{:04X}) at position {position} is not in the vocabulary",
                u32::from(*ch)
            ),
            EncodeError::NotSorted { ch, position } => write!(
                f,
                "vocabulary is not sorted and unique: {ch:?} (U+{:04X}) at position {position}",
                u32::from(*ch)
            ),
        }
    }
}

impl std::error::Error for EncodeError {}
// ANCHOR_END: encode_error

impl Vocab {
    /// The vocabulary of `text`: its distinct characters, sorted.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("café, café!");
    /// assert_eq!(vocab.chars(), &[' ', '!', ',', 'a', 'c', 'f', 'é']);
    /// ```
    // ANCHOR: vocab
    pub fn from_text(text: &str) -> Vocab {
        let mut chars: Vec<char> = text.chars().collect();
        chars.sort_unstable();
        chars.dedup();
        Vocab::from_sorted(chars)
    }
    // ANCHOR_END: vocab

    /// A vocabulary from a list of characters that must already be sorted and distinct
    /// (as read back from a checkpoint).
    ///
    /// # Errors
    ///
    /// [`EncodeError::NotSorted`] if a character is not greater than the one before it.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Vocab;
    /// assert!(Vocab::from_chars(vec!['a', 'b']).is_ok());
    /// assert!(Vocab::from_chars(vec!['b', 'a']).is_err());
    /// ```
    // ANCHOR: from_chars
    pub fn from_chars(chars: Vec<char>) -> Result<Vocab, EncodeError> {
        for position in 1..chars.len() {
            if chars[position] <= chars[position - 1] {
                return Err(EncodeError::NotSorted {
                    ch: chars[position],
                    position,
                });
            }
        }
        Ok(Vocab::from_sorted(chars))
    }

    fn from_sorted(chars: Vec<char>) -> Vocab {
        let mut index = HashMap::with_capacity(chars.len());
        for (ix, &ch) in chars.iter().enumerate() {
            index.insert(ch, ix);
        }
        Vocab { chars, index }
    }
    // ANCHOR_END: from_chars

    /// `V`, the number of distinct characters.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Vocab::from_text("abba").len(), 2);
    /// ```
    // ANCHOR: len
    pub fn len(&self) -> usize {
        self.chars.len()
    }
    // ANCHOR_END: len

    /// `true` for the vocabulary of an empty text.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(min_char_rnn::Vocab::from_text("").is_empty());
    /// ```
    // ANCHOR: is_empty
    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }
    // ANCHOR_END: is_empty

    /// The characters, in index order.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Vocab::from_text("ba").chars(), &['a', 'b']);
    /// ```
    // ANCHOR: chars
    pub fn chars(&self) -> &[char] {
        &self.chars
    }
    // ANCHOR_END: chars

    /// `true` if `ch` is in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("ab");
    /// assert!(vocab.contains('a') && !vocab.contains('z'));
    /// ```
    // ANCHOR: contains
    pub fn contains(&self, ch: char) -> bool {
        self.index.contains_key(&ch)
    }
    // ANCHOR_END: contains

    /// The index of `ch` (notebook: `char_to_ix[ch]`).
    ///
    /// # Errors
    ///
    /// [`EncodeError::UnknownChar`] (with position 0) if `ch` is not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("abc");
    /// assert_eq!(vocab.char_to_ix('c'), Ok(2));
    /// assert!(vocab.char_to_ix('z').is_err());
    /// ```
    // ANCHOR: char_to_ix_lookup
    pub fn char_to_ix(&self, ch: char) -> Result<usize, EncodeError> {
        match self.index.get(&ch) {
            Some(&ix) => Ok(ix),
            None => Err(EncodeError::UnknownChar { ch, position: 0 }),
        }
    }
    // ANCHOR_END: char_to_ix_lookup

    /// The character with index `ix` (notebook: `ix_to_char[ix]`).
    ///
    /// # Panics
    ///
    /// If `ix >= V`: `ix_to_char: index 9 is out of range for a vocabulary of 3`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Vocab::from_text("abc").ix_to_char(0), 'a');
    /// ```
    // ANCHOR: ix_to_char_lookup
    #[track_caller]
    pub fn ix_to_char(&self, ix: usize) -> char {
        match self.chars.get(ix) {
            Some(&ch) => ch,
            None => panic!(
                "ix_to_char: index {ix} is out of range for a vocabulary of {}",
                self.len()
            ),
        }
    }
    // ANCHOR_END: ix_to_char_lookup

    /// The one-hot vector of `ch`: length `V`, all zeros but a `1.0` at `char_to_ix(ch)`.
    ///
    /// # Errors
    ///
    /// [`EncodeError::UnknownChar`] if `ch` is not in the vocabulary.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("abc");
    /// assert_eq!(vocab.one_hot('b')?.as_slice(), &[0.0, 1.0, 0.0]);
    /// # Ok::<(), min_char_rnn::EncodeError>(())
    /// ```
    // ANCHOR: one_hot
    pub fn one_hot(&self, ch: char) -> Result<Vector, EncodeError> {
        let ix = self.char_to_ix(ch)?;
        Ok(Vector::one_hot(self.len(), ix))
    }
    // ANCHOR_END: one_hot

    /// The indices of every character of `text`, in order.
    ///
    /// # Errors
    ///
    /// [`EncodeError::UnknownChar`] for the first character that is not in the vocabulary,
    /// with its position in characters.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("hello");
    /// assert_eq!(vocab.encode("hello")?, vec![1, 0, 2, 2, 3]);
    /// assert!(vocab.encode("help").is_err());
    /// # Ok::<(), min_char_rnn::EncodeError>(())
    /// ```
    // ANCHOR: encode_text
    pub fn encode(&self, text: &str) -> Result<Vec<usize>, EncodeError> {
        let mut indices = Vec::with_capacity(text.len());
        for (position, ch) in text.chars().enumerate() {
            match self.index.get(&ch) {
                Some(&ix) => indices.push(ix),
                None => return Err(EncodeError::UnknownChar { ch, position }),
            }
        }
        Ok(indices)
    }
    // ANCHOR_END: encode_text

    /// The text spelled by `indices` (the inverse of [`encode`](Vocab::encode)).
    ///
    /// # Panics
    ///
    /// If an index is `>= V`.
    ///
    /// # Examples
    ///
    /// ```
    /// let vocab = min_char_rnn::Vocab::from_text("hello");
    /// assert_eq!(vocab.decode(&[1, 0, 2, 2, 3]), "hello");
    /// ```
    // ANCHOR: decode_indices
    #[track_caller]
    pub fn decode(&self, indices: &[usize]) -> String {
        let mut text = String::with_capacity(indices.len());
        for &ix in indices {
            text.push(self.ix_to_char(ix));
        }
        text
    }
    // ANCHOR_END: decode_indices
}

/// `Vocab(4) ['e', 'h', 'l', 'o']`, eliding the middle of a long vocabulary.
// ANCHOR: vocab_debug
impl fmt::Debug for Vocab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vocab({}) [", self.len())?;
        for (k, shown) in crate::vector::shown_indices(self.len())
            .into_iter()
            .enumerate()
        {
            if k > 0 {
                write!(f, ", ")?;
            }
            match shown {
                Some(ix) => write!(f, "{:?}", self.chars[ix])?,
                None => write!(f, "...")?,
            }
        }
        write!(f, "]")
    }
}
// ANCHOR_END: vocab_debug
