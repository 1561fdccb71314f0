//! Step 7, sampling: let the network write, one character at a time.
//!
//! From a memory `h` and a first character `x`, repeat `n` times:
//!
//! ```text
//! h = tanh(w_xh · x + w_hh · h + b_h)       the forward step, exactly as in training
//! p = softmax((w_hy · h + b_y) / temperature)
//! x = a character drawn at random with probabilities p
//! ```
//!
//! and the drawn character becomes the next input. Nothing is learned here: the parameters
//! are only read.
//!
//! Notebook:
//!
//! ```python
//! def sample(h, seed_ix, n):
//!     x = np.zeros((vocab_size, 1)); x[seed_ix] = 1
//!     ixes = []
//!     for t in range(n):
//!         h = np.tanh(np.dot(Wxh, x) + np.dot(Whh, h) + bh)
//!         y = np.dot(Why, h) + by
//!         p = np.exp(y) / np.sum(np.exp(y))
//!         ix = np.random.choice(range(vocab_size), p=p.ravel())
//!         x = np.zeros((vocab_size, 1)); x[ix] = 1
//!         ixes.append(ix)
//!     return ixes
//! ```
//!
//! Two additions: a *temperature* (below 1 the network plays safe and repeats its favourite
//! words, above 1 it takes risks and misspells; as it approaches 0 it always takes the most
//! likely character, [`Strategy::Argmax`]) and *priming* (run a text through the network first,
//! so that it continues that text).

use crate::forward::{hidden_step, output_step};
use crate::loss::softmax_with_temperature;
use crate::{EncodeError, Params, Vector, Vocab};
use std::fmt;

/// How the next character is chosen from the scores `y`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::Strategy;
/// assert_eq!(Strategy::temperature(0.5), Ok(Strategy::Sample { temperature: 0.5 }));
/// assert!(Strategy::temperature(0.0).is_err());
/// ```
// ANCHOR: strategy
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Strategy {
    /// Draw at random from `softmax(y / temperature)`; `temperature = 1` is the original.
    Sample {
        /// Above 0 and finite.
        temperature: f64,
    },
    /// Always take the highest score (the limit of a temperature going to 0).
    Argmax,
}
// ANCHOR_END: strategy

// ANCHOR: strategy_original
impl Strategy {
    /// The original's sampling: temperature 1.
    pub const ORIGINAL: Strategy = Strategy::Sample { temperature: 1.0 };
    // ANCHOR_END: strategy_original

    /// Sampling at `temperature`, checked.
    ///
    /// # Errors
    ///
    /// [`SampleError::BadTemperature`] if `temperature` is not a finite number above 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Strategy;
    /// assert!(Strategy::temperature(0.8).is_ok());
    /// assert!(Strategy::temperature(-1.0).is_err());
    /// assert!(Strategy::temperature(f64::NAN).is_err());
    /// ```
    // ANCHOR: strategy_temperature
    pub fn temperature(temperature: f64) -> Result<Strategy, SampleError> {
        if temperature.is_finite() && temperature > 0.0 {
            Ok(Strategy::Sample { temperature })
        } else {
            Err(SampleError::BadTemperature(temperature))
        }
    }
    // ANCHOR_END: strategy_temperature
}

/// Why a text could not be generated.
// ANCHOR: sample_error
#[derive(Clone, Debug, PartialEq)]
pub enum SampleError {
    /// The temperature is not a finite number above 0.
    BadTemperature(f64),
    /// The prime text has a character the model never saw.
    Prime(EncodeError),
    /// The vocabulary and the parameters disagree on `V`.
    VocabMismatch {
        /// `V` of the vocabulary.
        vocab: usize,
        /// `V` of the parameters.
        params: usize,
    },
}

impl fmt::Display for SampleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SampleError::BadTemperature(t) => write!(
                f,
                "temperature must be a finite number above 0, not {t} (use argmax for the most likely character)"
            ),
            SampleError::Prime(e) => write!(f, "prime text: {e}"),
            SampleError::VocabMismatch { vocab, params } => write!(
                f,
                "the vocabulary has {vocab} characters but the parameters expect {params}"
            ),
        }
    }
}

impl std::error::Error for SampleError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SampleError::Prime(e) => Some(e),
            _ => None,
        }
    }
}
// ANCHOR_END: sample_error

/// Draws an index `k` with probability `p[k]` (numpy: `np.random.choice(range(V), p=p)`).
///
/// Picture the probabilities laid end to end on `[0, 1)`; a uniform number `u` falls into
/// the stretch of exactly one index, and stretch `k` is `p[k]` long.
///
/// # Panics
///
/// If `p` is empty.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Vector, sample::draw};
/// let mut rng = fastrand::Rng::with_seed(1);
/// let p = Vector::from_vec(vec![0.0, 1.0, 0.0]);
/// assert_eq!(draw(&p, &mut rng), 1);
/// ```
// ANCHOR: draw
#[track_caller]
pub fn draw(p: &Vector, rng: &mut fastrand::Rng) -> usize {
    assert!(!p.is_empty(), "draw: empty probability vector");
    let u = rng.f64() * p.sum(); // uniform in [0, Σp), and Σp ≈ 1
    let mut cumulative = 0.0;
    let mut last_possible = 0;
    for k in 0..p.len() {
        if p[k] > 0.0 {
            cumulative += p[k];
            last_possible = k;
            if u < cumulative {
                return k;
            }
        }
    }
    last_possible // only reached through rounding when u lands at the very end
}
// ANCHOR_END: draw

/// Generates `n` character indices, starting from memory `h` and input character `seed_ix`.
///
/// With [`Strategy::ORIGINAL`] this is the original's `sample(h, seed_ix, n)`. `h` is not
/// changed (the network writes into its own copy). Buffers are allocated once, before the
/// loop.
///
/// # Panics
///
/// If `seed_ix >= V` or `h.len() != H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Strategy, Vector, sample::generate};
/// let params = Params::new(4, 3, 2);
/// let mut rng = fastrand::Rng::with_seed(7);
/// let ixes = generate(&params, &Vector::zeros(3), 0, 10, Strategy::ORIGINAL, &mut rng);
/// assert_eq!(ixes.len(), 10);
/// assert!(ixes.iter().all(|&ix| ix < 4));
/// ```
// ANCHOR: generate
#[track_caller]
pub fn generate(
    params: &Params,
    h: &Vector,
    seed_ix: usize,
    n: usize,
    strategy: Strategy,
    rng: &mut fastrand::Rng,
) -> Vec<usize> {
    let v = params.vocab_size();
    let mut h_prev = h.clone(); // the memory before this step
    let mut h = h.clone(); // the memory after it
    let mut y = Vector::zeros(v);
    let mut p = Vector::zeros(v);
    let mut x = seed_ix;
    let mut ixes = Vec::with_capacity(n);
    for _ in 0..n {
        hidden_step(params, x, &h_prev, &mut h); // h = tanh(w_xh·x + w_hh·h + b_h)
        output_step(params, &h, &mut y); // y = w_hy·h + b_y
        x = match strategy {
            Strategy::Sample { temperature } => {
                softmax_with_temperature(&y, temperature, &mut p); // p = softmax(y / T)
                draw(&p, rng)
            }
            Strategy::Argmax => y.argmax(),
        };
        ixes.push(x);
        std::mem::swap(&mut h_prev, &mut h);
    }
    ixes
}
// ANCHOR_END: generate

/// The original's `sample(h, seed_ix, n)`: [`generate`] at temperature 1.
///
/// # Panics
///
/// If `seed_ix >= V` or `h.len() != H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Vector, sample::sample};
/// let params = Params::new(4, 3, 2);
/// let a = sample(&params, &Vector::zeros(3), 1, 20, &mut fastrand::Rng::with_seed(5));
/// let b = sample(&params, &Vector::zeros(3), 1, 20, &mut fastrand::Rng::with_seed(5));
/// assert_eq!(a, b); // same seed, same text
/// ```
// ANCHOR: sample
#[track_caller]
pub fn sample(
    params: &Params,
    h: &Vector,
    seed_ix: usize,
    n: usize,
    rng: &mut fastrand::Rng,
) -> Vec<usize> {
    generate(params, h, seed_ix, n, Strategy::ORIGINAL, rng)
}
// ANCHOR_END: sample

/// Runs the network over `indices` from memory `h`, leaving in `h` the memory after the last
/// one: what the network "has in mind" after reading a text.
///
/// # Panics
///
/// If an index is `>= V` or `h.len() != H`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Vector, sample::prime};
/// let params = Params::new(4, 3, 2);
/// let mut h = Vector::zeros(3);
/// prime(&params, &mut h, &[0, 1, 2]);
/// assert!(h.as_slice().iter().any(|&x| x != 0.0));
/// ```
// ANCHOR: prime
#[track_caller]
pub fn prime(params: &Params, h: &mut Vector, indices: &[usize]) {
    let mut h_next = h.clone();
    for &x in indices {
        hidden_step(params, x, h, &mut h_next);
        std::mem::swap(h, &mut h_next);
    }
}
// ANCHOR_END: prime

/// Writes `n` characters that continue `prime_text`, starting from an empty memory, and
/// returns the prime followed by them.
///
/// The network reads every character of the prime but the last into its memory; the last
/// one is the first input of [`generate`]. An empty prime starts from a newline (as at the
/// start of a paragraph) if the vocabulary has one, else from the vocabulary's first
/// character.
///
/// # Errors
///
/// [`SampleError::Prime`] if the prime has a character outside `vocab`;
/// [`SampleError::VocabMismatch`] if `vocab` does not fit `params`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Strategy, Vocab, sample::sample_text};
/// let vocab = Vocab::from_text("abc ");
/// let params = Params::new(vocab.len(), 8, 1);
/// let mut rng = fastrand::Rng::with_seed(3);
/// let text = sample_text(&params, &vocab, "ab", 5, Strategy::ORIGINAL, &mut rng)?;
/// assert!(text.starts_with("ab"));
/// assert_eq!(text.chars().count(), 7);
/// assert!(sample_text(&params, &vocab, "xyz", 5, Strategy::ORIGINAL, &mut rng).is_err());
/// # Ok::<(), min_char_rnn::SampleError>(())
/// ```
// ANCHOR: sample_text
pub fn sample_text(
    params: &Params,
    vocab: &Vocab,
    prime_text: &str,
    n: usize,
    strategy: Strategy,
    rng: &mut fastrand::Rng,
) -> Result<String, SampleError> {
    if vocab.len() != params.vocab_size() {
        return Err(SampleError::VocabMismatch {
            vocab: vocab.len(),
            params: params.vocab_size(),
        });
    }
    let indices = vocab.encode(prime_text).map_err(SampleError::Prime)?;
    let mut h = Vector::zeros(params.hidden_size());
    let seed_ix = match indices.split_last() {
        Some((&last, before)) => {
            prime(params, &mut h, before);
            last
        }
        None => vocab.char_to_ix('\n').unwrap_or(0),
    };
    let generated = generate(params, &h, seed_ix, n, strategy, rng);
    let mut text = String::from(prime_text);
    text.push_str(&vocab.decode(&generated));
    Ok(text)
}
// ANCHOR_END: sample_text
