//! Inputs for the checks: numbers from a seed, and parameters that make every mistake show.
//!
//! The crate's own starting weights (`randn · 0.01`) are too small for a check: `tanh` is
//! nearly the identity there, and a forgotten bias of zero is no mistake at all. The checks'
//! parameters are larger, and every bias is non-zero.

use min_char_rnn::{ForwardCache, Matrix, Params, Vector, forward::forward, loss::softmax};

/// Uniform numbers from a seed (splitmix64): the same inputs on every run.
pub struct Numbers(u64);

impl Numbers {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Numbers {
        Numbers(seed)
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    pub fn between(&mut self, lo: f64, hi: f64) -> f64 {
        let u = (self.bits() >> 11) as f64 / (1u64 << 53) as f64;
        lo + (hi - lo) * u
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.bits() % n as u64) as usize
    }

    /// `n` numbers uniform in `[−scale, scale)`.
    pub fn values(&mut self, n: usize, scale: f64) -> Vec<f64> {
        (0..n).map(|_| self.between(-scale, scale)).collect()
    }

    /// A vector of `n` numbers uniform in `[−scale, scale)`.
    pub fn vector(&mut self, n: usize, scale: f64) -> Vector {
        Vector::from_vec(self.values(n, scale))
    }

    /// A `rows × cols` matrix of numbers uniform in `[−scale, scale)`.
    pub fn matrix(&mut self, rows: usize, cols: usize, scale: f64) -> Matrix {
        Matrix::from_vec(rows, cols, self.values(rows * cols, scale))
    }

    /// Parameters for `V = v`, `H = h`: weights uniform in `[−scale, scale)`, biases in
    /// `[−0.5, 0.5)`.
    pub fn params(&mut self, v: usize, h: usize, scale: f64) -> Params {
        Params {
            w_xh: self.matrix(h, v, scale),
            w_hh: self.matrix(h, h, scale),
            w_hy: self.matrix(v, h, scale),
            b_h: self.vector(h, 0.5),
            b_y: self.vector(v, 0.5),
        }
    }

    /// `n` indices below `v`.
    pub fn indices(&mut self, n: usize, v: usize) -> Vec<usize> {
        (0..n).map(|_| self.below(v)).collect()
    }

    /// A probability vector of length `v`: the crate's softmax of scores in `[−3, 3)`.
    pub fn probabilities(&mut self, v: usize) -> Vector {
        let y = self.vector(v, 3.0);
        let mut p = Vector::zeros(v);
        softmax(&y, &mut p);
        p
    }
}

/// The crate's forward pass over `inputs` from `h_prev`: what a backward pass reads.
pub fn cache(params: &Params, inputs: &[usize], h_prev: &Vector) -> ForwardCache {
    let mut cache = ForwardCache::new(params.vocab_size(), params.hidden_size(), inputs.len());
    forward(params, inputs, h_prev, &mut cache);
    cache
}

/// `[0.25, 0.75]` style, short vectors in full; long ones by their length.
pub fn show(v: &Vector) -> String {
    if v.len() <= 6 {
        format!("{:?}", v.as_slice())
    } else {
        format!("({} numbers)", v.len())
    }
}

/// A vector with four decimals, for describing an input.
pub fn show_rounded(v: &Vector) -> String {
    if v.len() <= 6 {
        let parts: Vec<String> = v.as_slice().iter().map(|x| format!("{x:.4}")).collect();
        format!("[{}]", parts.join(", "))
    } else {
        format!("({} numbers)", v.len())
    }
}
