//! Exercise 9, sampling: let the network write, with a temperature.
//!
//! Chapter: "Sampling". Check: `cargo test sample`.
//!
//! ```text
//! p = softmax(y / temperature)                 below 1: bolder favourites; above 1: flatter
//! ix = the k with p[0] + … + p[k−1]  ≤  u·Σp  <  p[0] + … + p[k],  u uniform in [0, 1)
//! ```
//!
//! Notebook:
//!
//! ```python
//! p = np.exp(y) / np.sum(np.exp(y))
//! ix = np.random.choice(range(vocab_size), p=p.ravel())
//! ```

// The `todo!()` bodies leave the arguments unused. Delete this line when you start.
#![allow(unused_variables)]

use min_char_rnn::Vector;

/// `p = softmax(y / temperature)`, `temperature` being a finite number above 0.
///
/// Hints:
/// - Divide the scores by the temperature, then take the softmax as in exercise 4.
/// - Subtract the largest score first: at temperature 0.01, a score of 10 becomes 1000.
pub fn softmax_with_temperature(y: &Vector, temperature: f64) -> Vector {
    todo!()
}

/// Draws an index `k` with probability `p[k]`, given `u`, a uniform random number in
/// `[0, 1)` (the caller draws it: `rng.f64()`).
///
/// Lay the probabilities end to end: stretch `k` is `p[k]` long, and they fill `[0, Σp)`.
/// `u · Σp` falls into exactly one stretch; return its index.
///
/// Hints:
/// - Keep a running sum and return the first `k` with `u · Σp < p[0] + … + p[k]`. (`Σp` is
///   1 up to rounding; `p.sum()` gives it.)
/// - A character of probability 0 has an empty stretch: it must never be drawn. If rounding
///   carries `u · Σp` past the end, return the last `k` whose `p[k]` is above 0.
pub fn draw(p: &Vector, u: f64) -> usize {
    todo!()
}
