//! Exercise 11: your network, writing.
//!
//! Nothing to write here. Once exercises 1 to 10 pass, `cargo test` calls [`train`]: the
//! book's training loop made of your functions only (your vocabulary and encoding, your
//! forward step and softmax, your loss, your backward pass, your clipping, your Adagrad, your
//! data pointer), on the corpus the crate ships, `data/corpus.txt`. Then [`write`] lets the
//! trained network write with your sampling. The crate contributes the starting weights
//! (`Params::new`, the same as the crate's own trainer), the `Matrix` and `Vector` types, and
//! the `ForwardCache` your `backward` reads.
//!
//! Check: `cargo test your_network` (or plain `cargo test`, which ends with it).

use crate::adagrad::adagrad_update;
use crate::backward::backward;
use crate::clip::clip;
use crate::encode::{encode, vocabulary};
use crate::forward::{hidden_step, output_step};
use crate::loss::{sequence_loss, softmax};
use crate::sample::{draw, softmax_with_temperature};
use crate::train::{LoopState, finish_chunk, next_chunk};
use min_char_rnn::{ForwardCache, Params, Vector};

/// The text your network learns: the crate's corpus, stories about a made-up coastal town.
pub const CORPUS: &str = include_str!("../../data/corpus.txt");

/// The numbers chosen by hand for the run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Settings {
    /// `H`, the size of the memory.
    pub hidden_size: usize,
    /// `T`, characters per chunk.
    pub seq_length: usize,
    /// Adagrad's step size.
    pub learning_rate: f64,
    /// Every gradient element is clipped into `[−clip, clip]`.
    pub clip: f64,
    /// How many iterations to train for.
    pub iterations: usize,
    /// Report the smooth loss every this many iterations.
    pub print_every: usize,
    /// Seeds the starting weights (as the crate's `Trainer::new` does) and the sampling.
    pub seed: u64,
    /// How many characters to write at the end, and at which temperature.
    pub sample_length: usize,
    /// The sampling temperature.
    pub temperature: f64,
}

/// The original's hyperparameters, for a run of a few seconds.
pub const SETTINGS: Settings = Settings {
    hidden_size: 100,
    seq_length: 25,
    learning_rate: 0.1,
    clip: 5.0,
    iterations: 5000,
    print_every: 1000,
    seed: 42,
    sample_length: 300,
    temperature: 0.8,
};

/// What a run leaves.
#[derive(Clone, Debug)]
pub struct Trained {
    /// The vocabulary, as your `vocabulary` made it.
    pub chars: Vec<char>,
    /// The trained parameters.
    pub params: Params,
    /// The loss of the very first chunk, before any update.
    pub first_loss: f64,
    /// The smooth loss before training: `−ln(1/V) · T`, a uniform guess.
    pub initial_smooth_loss: f64,
    /// The smooth loss at the end.
    pub smooth_loss: f64,
}

/// Why a run stopped early.
#[derive(Clone, Debug, PartialEq)]
pub enum RunError {
    /// The text has fewer than `T + 1` characters.
    TextTooShort,
    /// Your `encode` refused a character of the text its own vocabulary was made from.
    Encode(String),
    /// The loss stopped being a finite number at this iteration.
    Diverged {
        /// The iteration.
        iteration: usize,
        /// The loss.
        loss: f64,
    },
}

/// Trains a network on `text` with your functions, calling `progress(n, smooth_loss)` every
/// `settings.print_every` iterations.
///
/// # Errors
///
/// [`RunError`] if the text is too short, or the loss becomes NaN or infinite.
pub fn train(
    text: &str,
    settings: &Settings,
    mut progress: impl FnMut(usize, f64),
) -> Result<Trained, RunError> {
    let chars = vocabulary(text);
    let data = encode(&chars, text).map_err(|e| RunError::Encode(e.to_string()))?;
    let (v, h, t) = (chars.len(), settings.hidden_size, settings.seq_length);
    if data.len() < t + 1 {
        return Err(RunError::TextTooShort);
    }
    let mut params = Params::new(v, h, settings.seed);
    let mut memory = Params::zeros(v, h); // Adagrad's memory: mWxh, mWhh, mWhy, mbh, mby
    let mut state = LoopState {
        pointer: 0,
        iteration: 0,
        h_prev: Vector::zeros(h),
    };
    let initial_smooth_loss = -(1.0 / v as f64).ln() * t as f64;
    let mut smooth_loss = initial_smooth_loss;
    let mut first_loss = f64::NAN;
    let mut cache = ForwardCache::new(v, h, t);
    while state.iteration < settings.iterations {
        let n = state.iteration;
        let p = next_chunk(&mut state, data.len(), t); // exercise 10
        let inputs = &data[p..p + t];
        let targets = &data[p + 1..p + t + 1];

        forward(&params, inputs, &state.h_prev, &mut cache); // exercise 3 (and 4's softmax)
        let loss = sequence_loss(&cache.ps, targets); // exercise 4
        if !loss.is_finite() {
            return Err(RunError::Diverged { iteration: n, loss });
        }
        let mut grads = backward(&params, &cache, targets); // exercises 5 and 6
        clip(&mut grads, settings.clip); // exercise 7
        let weights = params.slices_mut();
        let gradients = grads.slices();
        let memories = memory.slices_mut();
        for ((w, g), m) in weights.into_iter().zip(gradients).zip(memories) {
            adagrad_update(w, g, m, settings.learning_rate); // exercise 8
        }
        finish_chunk(&mut state, p, &cache); // exercise 10

        if n == 0 {
            first_loss = loss;
        }
        smooth_loss = smooth_loss * 0.999 + loss * 0.001;
        if settings.print_every > 0 && n % settings.print_every == 0 {
            progress(n, smooth_loss);
        }
    }
    Ok(Trained {
        chars,
        params,
        first_loss,
        initial_smooth_loss,
        smooth_loss,
    })
}

/// The forward pass over a chunk, step by step with your `hidden_step`, `output_step` and
/// `softmax`, keeping what your `backward` needs in `cache`.
fn forward(params: &Params, inputs: &[usize], h_prev: &Vector, cache: &mut ForwardCache) {
    cache.inputs.copy_from_slice(inputs);
    cache.h_prev.copy_from(h_prev);
    for t in 0..inputs.len() {
        let h = hidden_step(params, inputs[t], cache.h_before(t)); // h_t
        let y = output_step(params, &h); // y_t
        cache.ps[t] = softmax(&y); // p_t
        cache.ys[t] = y;
        cache.hs[t] = h;
    }
}

/// `n` characters written by the network, starting from an empty memory after the character
/// `first` (a newline, say, as at the start of a paragraph), with your
/// `softmax_with_temperature` and `draw`.
pub fn write(trained: &Trained, first: char, n: usize, temperature: f64, seed: u64) -> String {
    let mut uniform = Uniform::new(seed);
    let mut h = Vector::zeros(trained.params.hidden_size());
    let mut x = trained.chars.iter().position(|&c| c == first).unwrap_or(0);
    let mut text = String::new();
    for _ in 0..n {
        h = hidden_step(&trained.params, x, &h);
        let y = output_step(&trained.params, &h);
        let p = softmax_with_temperature(&y, temperature);
        x = draw(&p, uniform.next());
        text.push(trained.chars[x]);
    }
    text
}

/// Uniform random numbers in `[0, 1)` from a seed (splitmix64): enough to draw characters,
/// and no dependency.
struct Uniform(u64);

impl Uniform {
    fn new(seed: u64) -> Uniform {
        Uniform(seed)
    }

    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64 // the top 53 bits: a multiple of 2⁻⁵³ below 1
    }
}
