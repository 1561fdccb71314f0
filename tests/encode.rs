//! Step 1, the data: text → sorted vocabulary → indices → one-hot vectors.
//!
//! How it is verified:
//! - the vocabulary is sorted and has no duplicates, for a small text (checked against the
//!   list written by hand, with the code points that order it) and for the shipped corpus
//!   (its size checked against a `BTreeSet` of the corpus's characters);
//! - a text mixing one-byte and multi-byte characters (`é`, `—`, `🙂`, `中`, a newline)
//!   round-trips through `encode` and `decode` character by character, and `V` counts
//!   characters, not UTF-8 bytes;
//! - a one-hot vector has a single 1, at `char_to_ix(ch)`;
//! - errors say what went wrong: an unknown character comes back with its position counted
//!   in characters, `from_chars` rejects unsorted or repeated lists, and the messages name the
//!   character.
//!
//! Run with `cargo test --test encode`.

use min_char_rnn::{EncodeError, Vocab};
use std::collections::BTreeSet;

/// Two-, three- and four-byte characters next to ASCII and a newline.
///
/// | char | code point | UTF-8 bytes |
/// |---|---|---|
/// | `'\n'` | U+000A | 1 |
/// | `' '` | U+0020 | 1 |
/// | `'a'` | U+0061 | 1 |
/// | `'é'` | U+00E9 | 2 |
/// | `'—'` | U+2014 | 3 |
/// | `'中'` | U+4E2D | 3 |
/// | `'🙂'` | U+1F642 | 4 |
const UNICODE_TEXT: &str = "é — 🙂\n中a é";

/// Asserts that every character is strictly greater than the one before it: sorted, and
/// therefore without duplicates.
fn assert_strictly_increasing(chars: &[char]) {
    for i in 1..chars.len() {
        assert!(
            chars[i - 1] < chars[i],
            "vocabulary not sorted and unique at {i}: {:?} then {:?}",
            chars[i - 1],
            chars[i]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The vocabulary
// ---------------------------------------------------------------------------------------------

#[test]
fn vocab_of_hello_is_its_distinct_chars_sorted() {
    // "hello" has h, e, l, l, o: distinct {e, h, l, o}, in alphabetical order.
    let vocab = Vocab::from_text("hello");
    assert_eq!(vocab.chars(), &['e', 'h', 'l', 'o']);
    assert_eq!(vocab.len(), 4);
}

#[test]
fn vocab_is_sorted_by_code_point_and_unique() {
    // The distinct characters of UNICODE_TEXT in code-point order (see the table above):
    // U+000A < U+0020 < U+0061 < U+00E9 < U+2014 < U+4E2D < U+1F642.
    let vocab = Vocab::from_text(UNICODE_TEXT);
    assert_eq!(vocab.chars(), &['\n', ' ', 'a', 'é', '—', '中', '🙂']);
    assert_strictly_increasing(vocab.chars());
}

#[test]
fn vocab_size_counts_chars_not_bytes() {
    // UNICODE_TEXT is 10 characters: é, ' ', —, ' ', 🙂, '\n', 中, a, ' ', é
    // and 2 + 1 + 3 + 1 + 4 + 1 + 3 + 1 + 1 + 2 = 19 bytes; 7 of the characters are distinct.
    assert_eq!(UNICODE_TEXT.chars().count(), 10);
    assert_eq!(UNICODE_TEXT.len(), 19);
    assert_eq!(Vocab::from_text(UNICODE_TEXT).len(), 7);
}

#[test]
fn empty_text_has_empty_vocab() {
    let vocab = Vocab::from_text("");
    assert!(vocab.is_empty());
    assert_eq!(vocab.len(), 0);
}

#[test]
fn corpus_vocab_is_sorted_and_counts_every_distinct_char() {
    let corpus = include_str!("../data/corpus.txt");
    let vocab = Vocab::from_text(corpus);
    assert_strictly_increasing(vocab.chars());

    // An independent count: a BTreeSet keeps each character once, in order.
    let mut distinct = BTreeSet::new();
    for ch in corpus.chars() {
        distinct.insert(ch);
    }
    assert_eq!(vocab.len(), distinct.len());
    let expected: Vec<char> = distinct.into_iter().collect();
    assert_eq!(vocab.chars(), expected.as_slice());
}

#[test]
fn char_to_ix_and_ix_to_char_are_inverse() {
    let vocab = Vocab::from_text(UNICODE_TEXT);
    for ix in 0..vocab.len() {
        let ch = vocab.ix_to_char(ix);
        assert_eq!(vocab.char_to_ix(ch), Ok(ix), "character {ch:?}");
        assert!(vocab.contains(ch));
    }
    // By hand, from the sorted list ['\n', ' ', 'a', 'é', '—', '中', '🙂']:
    assert_eq!(vocab.char_to_ix('é'), Ok(3));
    assert_eq!(vocab.char_to_ix('🙂'), Ok(6));
    assert!(!vocab.contains('z'));
}

#[test]
#[should_panic(expected = "ix_to_char: index 9 is out of range for a vocabulary of 3")]
fn ix_to_char_out_of_range_panics_naming_index_and_size() {
    Vocab::from_text("abc").ix_to_char(9);
}

// ---------------------------------------------------------------------------------------------
// Encoding and decoding
// ---------------------------------------------------------------------------------------------

#[test]
fn encode_of_hello_matches_hand_computed_indices() {
    // Vocab [e, h, l, o]: h → 1, e → 0, l → 2, l → 2, o → 3.
    let vocab = Vocab::from_text("hello");
    assert_eq!(vocab.encode("hello"), Ok(vec![1, 0, 2, 2, 3]));
    assert_eq!(vocab.decode(&[3, 2, 0]), "ole");
}

#[test]
fn unicode_text_round_trips_char_by_char() {
    let vocab = Vocab::from_text(UNICODE_TEXT);
    let indices = vocab
        .encode(UNICODE_TEXT)
        .expect("every character is in the vocabulary");

    // One index per character, not per byte.
    assert_eq!(indices.len(), UNICODE_TEXT.chars().count());
    for (position, ch) in UNICODE_TEXT.chars().enumerate() {
        assert_eq!(
            vocab.ix_to_char(indices[position]),
            ch,
            "character {position}"
        );
    }
    assert_eq!(vocab.decode(&indices), UNICODE_TEXT);

    // By hand, with the sorted vocabulary ['\n', ' ', 'a', 'é', '—', '中', '🙂']:
    // é ' ' — ' ' 🙂 '\n' 中 a ' ' é
    assert_eq!(indices, [3, 1, 4, 1, 6, 0, 5, 2, 1, 3]);
}

#[test]
fn one_hot_has_a_single_one_at_char_to_ix() {
    let vocab = Vocab::from_text(UNICODE_TEXT);
    for &ch in vocab.chars() {
        let x = vocab.one_hot(ch).expect("character is in the vocabulary");
        let ix = vocab.char_to_ix(ch).unwrap();
        assert_eq!(x.len(), vocab.len());
        assert_eq!(x.sum(), 1.0, "{ch:?}: the entries must sum to 1");
        for k in 0..x.len() {
            let expected = if k == ix { 1.0 } else { 0.0 };
            assert_eq!(x[k], expected, "{ch:?}: entry {k}");
        }
    }
    // By hand: '中' is index 5 of 7.
    assert_eq!(
        vocab.one_hot('中').unwrap().as_slice(),
        &[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    );
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn unknown_char_reports_its_position_in_chars_not_bytes() {
    let vocab = Vocab::from_text("héllo");
    // "hé🙂": h is character 0, é is character 1 (bytes 1–2), 🙂 is character 2 (byte 3).
    assert_eq!(
        vocab.encode("hé🙂"),
        Err(EncodeError::UnknownChar {
            ch: '🙂',
            position: 2
        })
    );
    // Only the first unknown character is reported: in "héléxoz" that is 'x' at 4
    // (h 0, é 1, l 2, é 3, x 4), not 'z' at 6.
    assert_eq!(
        vocab.encode("héléxoz"),
        Err(EncodeError::UnknownChar {
            ch: 'x',
            position: 4
        })
    );
}

#[test]
fn char_to_ix_and_one_hot_reject_unknown_char() {
    let vocab = Vocab::from_text("abc");
    // A single character has no position in a text, so it is reported as position 0.
    let unknown = EncodeError::UnknownChar {
        ch: 'z',
        position: 0,
    };
    assert_eq!(vocab.char_to_ix('z'), Err(unknown.clone()));
    assert_eq!(vocab.one_hot('z').unwrap_err(), unknown);
}

#[test]
fn unknown_char_error_message_names_the_char_and_position() {
    let err = EncodeError::UnknownChar {
        ch: '🙂',
        position: 2,
    };
    let message = err.to_string();
    assert!(message.contains("'🙂'"), "{message}");
    assert!(message.contains("U+1F642"), "{message}");
    assert!(message.contains("position 2"), "{message}");
    // An Error, so it can travel in a Box<dyn Error> with `?`.
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert_eq!(boxed.to_string(), message);
}

#[test]
fn from_chars_accepts_a_sorted_unique_list() {
    let vocab = Vocab::from_chars(vec!['\n', 'a', 'é', '🙂']).expect("sorted and unique");
    assert_eq!(vocab.char_to_ix('é'), Ok(2));
    // The same characters as the text's own vocabulary, so the two are equal.
    assert_eq!(vocab, Vocab::from_text("🙂é\na"));
}

#[test]
fn from_chars_rejects_an_unsorted_list() {
    // 'a' (position 1) is not greater than 'b' before it.
    assert_eq!(
        Vocab::from_chars(vec!['b', 'a', 'c']),
        Err(EncodeError::NotSorted {
            ch: 'a',
            position: 1
        })
    );
}

#[test]
fn from_chars_rejects_a_duplicate() {
    // The second 'b' (position 2) is equal to, not greater than, the one before it.
    assert_eq!(
        Vocab::from_chars(vec!['a', 'b', 'b', 'c']),
        Err(EncodeError::NotSorted {
            ch: 'b',
            position: 2
        })
    );
}

#[test]
fn not_sorted_error_message_names_the_char() {
    let err = Vocab::from_chars(vec!['é', 'e']).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("'e'"), "{message}");
    assert!(message.contains("U+0065"), "{message}");
    assert!(message.contains("position 1"), "{message}");
}

#[test]
fn debug_shows_size_and_chars() {
    assert_eq!(
        format!("{:?}", Vocab::from_text("hello")),
        "Vocab(4) ['e', 'h', 'l', 'o']"
    );
}
