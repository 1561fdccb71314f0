//! Exercise 2: `one_hot`, against the crate's `Vector::one_hot`.

use super::compare::{Difference, vectors};
use super::{Checked, call, wrong};
use min_char_rnn::Vector;

/// The function of exercise 2.
pub struct Fns {
    /// `one_hot(vocab_size, ix)`.
    pub one_hot: fn(usize, usize) -> Vector,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        one_hot: exercises::one_hot::one_hot,
    }
}

/// `(vocab_size, ix, what it tries)`.
const CASES: [(usize, usize, &str); 5] = [
    (4, 2, "the example"),
    (5, 0, "the first character"),
    (5, 4, "the last character"),
    (1, 0, "a vocabulary of one character"),
    (71, 37, "the size of the corpus's vocabulary"),
];

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    for (v, ix, what) in CASES {
        let case = format!("one_hot({v}, {ix}): {what}");
        let got = call("one_hot", &case, || (f.one_hot)(v, ix), panic_hint)?;
        let expected = Vector::one_hot(v, ix);
        if let Some(d) = vectors(&expected, &got) {
            return Err(wrong("one_hot", &case, d.describe("x"), hint(ix, &d, &got)));
        }
    }
    Ok(())
}

fn hint(ix: usize, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { expected, .. } = d {
        return format!(
            "one entry per character of the vocabulary: the length is vocab_size, here \
             {expected}"
        );
    }
    let ones: Vec<usize> = (0..got.len()).filter(|&k| got[k] != 0.0).collect();
    match ones.as_slice() {
        [] => format!("set the entry of the character to 1: x[{ix}] = 1.0"),
        [k] if got[*k] == 1.0 && (*k + 1 == ix || *k == ix + 1) => format!(
            "off by one: the 1 goes at index ix = {ix} itself (indices count from 0), not at {k}"
        ),
        [k] if got[*k] == 1.0 => format!("the 1 goes at index ix = {ix}, not at {k}"),
        [_] => format!("the entry at ix is 1.0 exactly: x[{ix}] = 1.0"),
        _ => format!("every entry is 0 except one, x[{ix}] = 1.0"),
    }
}

fn panic_hint(message: &str) -> String {
    if message.contains("overflow") {
        "an index below 0: indices count from 0, so the first character's 1 goes at x[0]"
            .to_string()
    } else if message.contains("out of bounds") {
        "the vector has vocab_size entries, x[0] to x[vocab_size - 1], and the 1 goes at x[ix]"
            .to_string()
    } else {
        "read the panic message and the line it points at".to_string()
    }
}
