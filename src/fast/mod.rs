//! The fast path: what the trainer runs by default, the plain path's numbers computed faster.
//!
//! The chapters before the speed chapter walk the plain path: one loop forward, one reversed
//! loop backward, products that are two nested loops. This module computes the same things
//! the way a CPU likes them: transposed copies of the weights so that every product walks
//! along rows, the steps that do not depend on each other batched into one product, blocks of
//! outputs kept in SIMD registers, per-step buffers allocated once.
//!
//! It gives **the same bits** as the plain path. Every sum adds the same terms in the same
//! order, starting from zero, and both paths use the same scalar functions
//! ([`math::tanh`](crate::math::tanh), [`math::exp`](crate::math::exp)); floating-point
//! arithmetic is deterministic, so the results are identical, not merely close.
//! `tests/two_paths.rs` checks it for caches, losses, gradients, updated parameters, samples
//! and evaluations over many shapes and over 200 training iterations, and the command line's
//! `--plain` switch gives the same log, samples, checkpoint and plot, byte for byte.
//!
//! Dependencies point one way: this module uses the plain types ([`Matrix`],
//! [`Vector`], [`ForwardCache`], [`Grads`]) and a few plain functions; nothing outside it uses
//! it, except the command line, which picks it.
//!
//! | plain | fast |
//! |---|---|
//! | [`forward::forward`](crate::forward::forward) | [`forward()`] |
//! | [`backward::backward`](crate::backward::backward) | [`backward()`] |
//! | [`sample::generate`](crate::sample::generate) | [`generate`] |
//! | [`train::evaluate`](crate::train::evaluate) | [`evaluate`] |
//! | [`train::Plain`](crate::train::Plain) | [`Fast`] |

pub mod backward;
pub mod forward;
pub mod gemm;
pub mod kernels;
pub mod network;

pub use backward::backward;
pub use forward::forward;

use crate::backward::CLIP;
use crate::loss::{cross_entropy, sequence_loss};
use crate::sample::{Strategy, draw};
use crate::train::Engine;
use crate::{Adagrad, ForwardCache, Grads, Matrix, Params, Vector};
use forward::{finish_hidden_step, softmax_with_temperature};
use kernels::{matvec_transposed, transpose_into};

/// The fast path's buffers, kept from one call to the next so that training allocates
/// nothing after its first step.
///
/// # Examples
///
/// ```
/// let mut work = min_char_rnn::fast::Workspace::default();
/// work.fit(61, 100, 25);
/// assert_eq!((work.dys.len(), work.w_hh_tr.shape()), (25, (100, 100)));
/// ```
// ANCHOR: workspace
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Workspace {
    /// `w_hhᵀ`, `(H, H)`: made by each forward pass, so that `w_hh·h` walks along rows.
    pub w_hh_tr: Matrix,
    /// `w_hyᵀ`, `(H, V)`: made by each forward pass, for the batched output layer.
    pub w_hy_tr: Matrix,
    /// `dy_t = p_t − onehot(target_t)` for every step, each `(V)`.
    pub dys: Vec<Vector>,
    /// `w_hyᵀ·dy_t` for every step: the part of `dh` that comes through `y_t`, each `(H)`.
    pub dh_outputs: Vec<Vector>,
    /// `dhraw_t` for every step, each `(H)`.
    pub dhraws: Vec<Vector>,
}
// ANCHOR_END: workspace

impl Workspace {
    /// Makes room for `steps` steps of a network with `vocab_size` characters and
    /// `hidden_size` hidden units, allocating only what does not have those sizes already.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut work = min_char_rnn::fast::Workspace::default();
    /// work.fit(5, 3, 2);
    /// let kept = work.dhraws[0].as_slice().as_ptr();
    /// work.fit(5, 3, 2); // fits already: nothing is allocated
    /// assert_eq!(work.dhraws[0].as_slice().as_ptr(), kept);
    /// ```
    // ANCHOR: workspace_fit
    pub fn fit(&mut self, vocab_size: usize, hidden_size: usize, steps: usize) {
        let (v, h) = (vocab_size, hidden_size);
        if self.w_hh_tr.shape() != (h, h) {
            self.w_hh_tr = Matrix::zeros(h, h);
        }
        if self.w_hy_tr.shape() != (h, v) {
            self.w_hy_tr = Matrix::zeros(h, v);
        }
        fit_list(&mut self.dys, steps, v);
        fit_list(&mut self.dh_outputs, steps, h);
        fit_list(&mut self.dhraws, steps, h);
    }
    // ANCHOR_END: workspace_fit
}

/// `steps` vectors of length `len`, made anew only if the list has another shape.
// ANCHOR: fit_list
fn fit_list(list: &mut Vec<Vector>, steps: usize, len: usize) {
    if list.len() != steps || list.iter().any(|vector| vector.len() != len) {
        *list = vec![Vector::zeros(len); steps];
    }
}
// ANCHOR_END: fit_list

/// The fast path as a [`Trainer`](crate::Trainer)'s engine: the same bits as
/// [`Plain`](crate::train::Plain), faster.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Hyperparams, Trainer, fast::Fast};
/// let data: Vec<usize> = (0..60).map(|i| (i * 7) % 5).collect();
/// let hp = Hyperparams { hidden_size: 16, seq_length: 8, learning_rate: 0.1 };
/// let mut trainer = Trainer::new(data, 5, hp, 1)?.with_engine(Fast::default());
/// assert!(trainer.step()?.loss > 0.0);
/// # Ok::<(), min_char_rnn::TrainError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Fast {
    cache: ForwardCache,
    work: Workspace,
}

impl Default for Fast {
    fn default() -> Fast {
        Fast {
            cache: ForwardCache::new(0, 0, 0), // sized by the first forward pass
            work: Workspace::default(),
        }
    }
}

// ANCHOR: fast_engine
impl Engine for Fast {
    fn loss_fun(
        &mut self,
        params: &Params,
        inputs: &[usize],
        targets: &[usize],
        h_prev: &Vector,
        grads: &mut Grads,
    ) -> f64 {
        forward(params, inputs, h_prev, &mut self.cache, &mut self.work);
        let loss = sequence_loss(&self.cache.ps, targets);
        backward(params, &self.cache, targets, grads, &mut self.work);
        grads.clip(CLIP);
        loss
    }

    fn cache(&self) -> &ForwardCache {
        &self.cache
    }

    fn update(&mut self, adagrad: &mut Adagrad, params: &mut Params, grads: &Grads) {
        adagrad.update(params, grads); // already one tight pass over each parameter
    }

    fn generate(
        &mut self,
        params: &Params,
        h: &Vector,
        seed_ix: usize,
        n: usize,
        strategy: Strategy,
        rng: &mut fastrand::Rng,
    ) -> Vec<usize> {
        generate(params, h, seed_ix, n, strategy, rng, &mut self.work)
    }

    fn evaluate(&self, params: &Params, data: &[usize]) -> f64 {
        let mut cache = ForwardCache::new(0, 0, 0); // an evaluation is rare: fresh buffers
        evaluate(params, data, &mut cache, &mut Workspace::default())
    }

    fn boxed_clone(&self) -> Box<dyn Engine> {
        Box::new(self.clone())
    }
}
// ANCHOR_END: fast_engine

/// The plain [`generate`](crate::sample::generate), with the same bits: each step's two
/// products go through the transposed copies in `work`, made once per call.
///
/// # Panics
///
/// As the plain `generate`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Strategy, Vector, fast, sample};
/// let params = Params::new(6, 5, 3);
/// let h = Vector::zeros(5);
/// let mut work = fast::Workspace::default();
/// let mut rng = (fastrand::Rng::with_seed(1), fastrand::Rng::with_seed(1));
/// let plain = sample::generate(&params, &h, 0, 30, Strategy::ORIGINAL, &mut rng.0);
/// let quick = fast::generate(&params, &h, 0, 30, Strategy::ORIGINAL, &mut rng.1, &mut work);
/// assert_eq!(plain, quick);
/// ```
// ANCHOR: fast_generate
#[track_caller]
pub fn generate(
    params: &Params,
    h: &Vector,
    seed_ix: usize,
    n: usize,
    strategy: Strategy,
    rng: &mut fastrand::Rng,
    work: &mut Workspace,
) -> Vec<usize> {
    let v = params.vocab_size();
    work.fit(v, params.hidden_size(), work.dys.len());
    transpose_into(&params.w_hh, &mut work.w_hh_tr);
    transpose_into(&params.w_hy, &mut work.w_hy_tr);
    let mut h_prev = h.clone();
    let mut h = h.clone();
    let mut y = Vector::zeros(v);
    let mut p = Vector::zeros(v);
    let mut x = seed_ix;
    let mut ixes = Vec::with_capacity(n);
    for _ in 0..n {
        matvec_transposed(&work.w_hh_tr, &h_prev, &mut h); // h = w_hh·h_prev
        finish_hidden_step(params, x, &mut h); // h = tanh(w_xh·x + h + b_h)
        matvec_transposed(&work.w_hy_tr, &h, &mut y); // y = w_hy·h
        y.add_assign(&params.b_y); //                   + b_y
        x = match strategy {
            Strategy::Sample { temperature } => {
                softmax_with_temperature(&y, temperature, &mut p);
                draw(&p, rng)
            }
            Strategy::Argmax => y.argmax(),
        };
        ixes.push(x);
        std::mem::swap(&mut h_prev, &mut h);
    }
    ixes
}
// ANCHOR_END: fast_generate

/// How many characters [`evaluate`] runs through one forward pass.
pub const EVAL_CHUNK: usize = 100;

/// The plain [`evaluate`](crate::train::evaluate), with the same bits: the text runs through
/// the fast forward pass [`EVAL_CHUNK`] characters at a time, the memory carried from one
/// chunk to the next, and the losses are added in the plain order, one character after
/// another.
///
/// # Panics
///
/// If `data` has fewer than 2 characters, or an index `>= V`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{ForwardCache, Params, fast, train};
/// let params = Params::new(4, 6, 2);
/// let data: Vec<usize> = (0..250).map(|i| (i * i) % 4).collect();
/// let mut cache = ForwardCache::new(0, 0, 0);
/// let quick = fast::evaluate(&params, &data, &mut cache, &mut fast::Workspace::default());
/// assert_eq!(quick, train::evaluate(&params, &data));
/// ```
// ANCHOR: fast_evaluate
#[track_caller]
pub fn evaluate(
    params: &Params,
    data: &[usize],
    cache: &mut ForwardCache,
    work: &mut Workspace,
) -> f64 {
    assert!(
        data.len() >= 2,
        "evaluate: {} character(s), at least 2 are needed (one input and its target)",
        data.len()
    );
    let steps = data.len() - 1; // every character but the last is an input
    let mut h_prev = Vector::zeros(params.hidden_size());
    let mut total = 0.0;
    let mut start = 0;
    while start < steps {
        let end = (start + EVAL_CHUNK).min(steps);
        forward(params, &data[start..end], &h_prev, cache, work);
        for t in 0..end - start {
            total += cross_entropy(&cache.ps[t], data[start + t + 1]); // −ln p_t[target_t]
        }
        h_prev.copy_from(cache.last_hidden());
        start = end;
    }
    total / steps as f64
}
// ANCHOR_END: fast_evaluate
