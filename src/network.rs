//! Part II, the network: `L` layers of one kind of cell, an output layer on top, run over
//! `B` streams of `T` steps at once; its forward pass, its loss, its backward pass (BPTT
//! through time and down the layers), and a one-step runner for sampling.
//!
//! ```text
//! x_t (one-hot, V) ──▶ layer 0 ──h_t^0──▶ layer 1 ──h_t^1──▶ … ──h_t^{L−1}──▶ y_t = W_hy·h_t^{L−1} + b_y
//!                        ▲ h_{t−1}^0        ▲ h_{t−1}^1                       p_t = softmax(y_t)
//! ```
//!
//! Each layer is a cell of the [`cells`](crate::cells) module with its own memory (`h`, and
//! `c` for the LSTM), carried from step to step and from chunk to chunk; layer `l > 0` reads
//! the `h` its layer below has just computed. Every stream `b` of the minibatch has its own
//! memories (row `b` of each `(B, H)` [`State`] matrix) and shares the parameters.
//!
//! ## The loop, in the notebook's order
//!
//! [`forward`] is three nested loops, `for t` (time), `for b` (streams), `for l` (layers): the
//! notebook's loop over `t`, with the layers and the streams inside. [`backward`] walks the
//! same loops the other way: `t` from `T−1` down to 0, each stream, `l` from `L−1` down to 0,
//! carrying `dhnext` (and the LSTM's `dcnext`) per layer and stream, and handing each layer's
//! `dx` down to the layer below as part of its `dh`.
//!
//! ## The loss is a mean
//!
//! ```text
//! L  = (1 / (B·T)) · Σ_t Σ_b −ln p_t^b[target_t^b]          the mean over streams and steps
//! dy = (p − onehot(target)) / (B·T)                          ∂L/∂y_t^b
//! ```
//!
//! This is PyTorch's `cross_entropy` (whose default is the mean) and the per-character loss
//! char-rnn prints, so a loss reads the same whatever `B` and `T`: `ln V` for uniform guesses.
//! Part I sums over the `T` steps instead; for one stream the two differ by the factor `1/T`,
//! and so do their gradients (a test checks it).
//!
//! What this means for the learning rate: Adagrad, RMSprop and Adam divide each gradient by
//! the root of its own running square, so a constant factor in the gradients nearly cancels
//! (only their small `ε` notices it): the same learning rate works for a summed or a mean
//! loss. Plain SGD has no such division: with a mean loss its steps are `B·T` times smaller
//! than with Part I's summed one, and its learning rate must be that much larger. (char-rnn
//! divides its loss by `T` but leaves its gradients summed over time, "since we use rmsprop it
//! would have no effect".)
//!
//! ## Orders of addition
//!
//! A fast path must give these bits, so it must add in these orders (the cells' own orders are
//! in the [`cells`](crate::cells) module):
//!
//! - the loss: one running sum from `0.0` over `t = 0..T` (outer) and `b = 0..B` (inner) of
//!   [`cross_entropy`], then one division by `B·T`;
//! - `dy`: [`output_gradient`] (`p − onehot`), then each element divided by `B·T`;
//! - `y = W_hy·h + b_y`: the product's running sum, then `+ b_y[k]`, as Part I;
//! - gradients are zeroed first, then every stream and step adds its part with `+=`: `t`
//!   from `T−1` down to 0, and within a step the streams `b = 0..B` in order; at each
//!   `(t, b)` the output layer first (`dw_hy += dy·h_topᵀ`, `db_y += dy`), then the layers
//!   from the top down;
//! - the `dh` a layer's backward step starts from is `dh[j] = above[j] + dhnext[j]`, where
//!   `above` is `W_hyᵀ·dy` for the top layer (as Part I's `dh = W_hyᵀ·dy + dhnext`) and the
//!   `dx` of the layer above otherwise.
//!
//! ## Dropout
//!
//! char-rnn's `-dropout p` (its `model/LSTM.lua`) drops numbers on their way *up*: the input
//! of every layer above the first (the `h_t` of the layer below) and the top layer's `h_t`
//! before the output layer; never the memories a layer carries from step to step. It is
//! inverted dropout: each number is kept with probability `1 − p` and then scaled by
//! `1/(1 − p)`, so that its expected value is unchanged and nothing needs rescaling when
//! dropout is off (in evaluation and sampling).
//!
//! ```text
//! x_t^l = h_t^{l−1} ⊙ m_t^{l−1}          the input of layer l > 0
//! y_t   = W_hy·(h_t^{L−1} ⊙ m_t^{L−1}) + b_y
//! m[j]  = 0 (probability p) or 1/(1 − p) (probability 1 − p)
//! ```
//!
//! A [`Dropout`] holds one mask per layer, step and stream (`m_t^l`, applied to `h_t^l` as
//! it leaves layer `l` upward), drawn before the chunk ([`Dropout::draw`]).
//! [`forward_with_dropout`] and [`backward_with_dropout`] take it; [`forward`] and
//! [`backward`] are the same passes without it. The backward pass multiplies by the same
//! masks: `∂L/∂h_t^l` from above is `(W_hyᵀ·dy) ⊙ m` for the top layer and `dx ⊙ m` for the
//! others, and `dW_ih`, `dW_hy` read the masked inputs. The masked values are computed as
//! `h[j] · m[j]`, once per use, in forward and backward alike.

use crate::batch::Chunk;
use crate::cells::{
    CellKind, Input, LayerGrads, LayerParams, StepCache, StepGrads, dot, gru, lstm, rnn,
};
use crate::loss::{cross_entropy, output_gradient, softmax, softmax_with_temperature};
use crate::sample::{Strategy, draw};
use crate::{Matrix, Params, Vector};

/// Every parameter starts uniform in `[−INIT_RANGE, INIT_RANGE)`, char-rnn's
/// `params:uniform(-0.08, 0.08)`.
// ANCHOR: init_range
pub const INIT_RANGE: f64 = 0.08;
// ANCHOR_END: init_range

/// The LSTM's forget-gate bias starts at 1 (char-rnn's `train.lua`: "initialize the LSTM
/// forget gates with slightly higher biases to encourage remembering in the beginning").
// ANCHOR: forget_bias
pub const FORGET_BIAS: f64 = 1.0;
// ANCHOR_END: forget_bias

/// A stack of `L` recurrent layers of one kind of cell and an output layer: every learned
/// number of a Part II model.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::Network;
/// let net = Network::new(CellKind::Lstm, 65, 128, 2, 42); // V = 65, H = 128, L = 2
/// assert_eq!(net.layers[0].w_ih.shape(), (4 * 128, 65));
/// assert_eq!(net.layers[1].w_ih.shape(), (4 * 128, 128));
/// assert_eq!(net.w_hy.shape(), (65, 128));
/// ```
// ANCHOR: network
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// The cell every layer uses.
    pub cell: CellKind,
    /// The `L` layers, bottom (reads characters) to top (feeds the output layer).
    pub layers: Vec<LayerParams>,
    /// Top hidden state → scores, `(V, H)` (PyTorch's `nn.Linear(H, V)`).
    pub w_hy: Matrix,
    /// Output bias, `(V)`.
    pub b_y: Vector,
}
// ANCHOR_END: network

impl Network {
    /// A network initialised as char-rnn initialises one: every parameter uniform in
    /// `[−0.08, 0.08)` ([`INIT_RANGE`]), then, for the LSTM, every forget-gate bias set to 1
    /// ([`FORGET_BIAS`]). The random numbers come from a generator seeded with `seed`.
    ///
    /// (char-rnn has two biases per layer, each uniform, and sets the input one's forget
    /// block to 1, so its forget bias sum is `1 + U(−0.08, 0.08)`; with one bias here it is
    /// exactly 1.)
    ///
    /// # Panics
    ///
    /// If `vocab_size`, `hidden_size` or `num_layers` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let net = Network::new(CellKind::Lstm, 5, 3, 1, 7);
    /// assert_eq!(net, Network::new(CellKind::Lstm, 5, 3, 1, 7)); // same seed, same weights
    /// assert_eq!(net.layers[0].b[3], 1.0); // row H of b: the first forget gate
    /// assert!(net.w_hy.as_slice().iter().all(|w| w.abs() <= 0.08));
    /// ```
    #[track_caller]
    pub fn new(
        cell: CellKind,
        vocab_size: usize,
        hidden_size: usize,
        num_layers: usize,
        seed: u64,
    ) -> Network {
        let mut rng = fastrand::Rng::with_seed(seed);
        Network::with_rng(cell, vocab_size, hidden_size, num_layers, &mut rng)
    }

    /// Like [`Network::new`], drawing from `rng`, in the order of [`Network::slices`] (each
    /// parameter element by element, row by row).
    ///
    /// # Panics
    ///
    /// If `vocab_size`, `hidden_size` or `num_layers` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let mut rng = fastrand::Rng::with_seed(1);
    /// let net = Network::with_rng(CellKind::Gru, 4, 2, 2, &mut rng);
    /// assert_eq!(net.num_layers(), 2);
    /// ```
    // ANCHOR: network_init
    #[track_caller]
    pub fn with_rng(
        cell: CellKind,
        vocab_size: usize,
        hidden_size: usize,
        num_layers: usize,
        rng: &mut fastrand::Rng,
    ) -> Network {
        let mut network = Network::zeros(cell, vocab_size, hidden_size, num_layers);
        for values in network.slices_mut() {
            for w in values {
                *w = INIT_RANGE * (2.0 * rng.f64() - 1.0); // uniform in [−0.08, 0.08)
            }
        }
        if cell == CellKind::Lstm {
            let h = hidden_size;
            for layer in &mut network.layers {
                for j in h..2 * h {
                    layer.b[j] = FORGET_BIAS; // block 1 of i, f, g, o: the forget gate
                }
            }
        }
        network
    }
    // ANCHOR_END: network_init

    /// All parameters zero (the shapes of a network; the start of an optimizer's memory).
    ///
    /// # Panics
    ///
    /// If `vocab_size`, `hidden_size` or `num_layers` is 0.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let net = Network::zeros(CellKind::Rnn, 4, 3, 2);
    /// assert_eq!(net.layers[1].w_ih.shape(), (3, 3)); // layer 1 reads layer 0's h
    /// ```
    // ANCHOR: network_zeros
    #[track_caller]
    pub fn zeros(
        cell: CellKind,
        vocab_size: usize,
        hidden_size: usize,
        num_layers: usize,
    ) -> Network {
        assert!(
            vocab_size > 0 && hidden_size > 0 && num_layers > 0,
            "Network: V = {vocab_size}, H = {hidden_size}, L = {num_layers}; each must be at least 1"
        );
        let mut layers = Vec::with_capacity(num_layers);
        for l in 0..num_layers {
            let input_size = if l == 0 { vocab_size } else { hidden_size };
            layers.push(LayerParams::zeros(cell, input_size, hidden_size));
        }
        Network {
            cell,
            layers,
            w_hy: Matrix::zeros(vocab_size, hidden_size),
            b_y: Vector::zeros(vocab_size),
        }
    }
    // ANCHOR_END: network_zeros

    /// Part I's model as a Part II network: one `Rnn` layer with `w_ih = w_xh`,
    /// `w_hh = w_hh`, `b = b_h`, and the same output layer.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Params;
    /// use min_char_rnn::network::Network;
    /// let params = Params::new(5, 3, 1);
    /// let net = Network::from_params(&params);
    /// assert_eq!(net.layers[0].w_ih, params.w_xh);
    /// assert_eq!(net.b_y, params.b_y);
    /// ```
    pub fn from_params(params: &Params) -> Network {
        let layer = LayerParams {
            w_ih: params.w_xh.clone(),
            w_hh: params.w_hh.clone(),
            b: params.b_h.clone(),
            b_hn: Vector::zeros(0),
        };
        Network {
            cell: CellKind::Rnn,
            layers: vec![layer],
            w_hy: params.w_hy.clone(),
            b_y: params.b_y.clone(),
        }
    }

    /// `V`, read off the output layer.
    pub fn vocab_size(&self) -> usize {
        self.w_hy.rows()
    }

    /// `H`, read off the output layer.
    pub fn hidden_size(&self) -> usize {
        self.w_hy.cols()
    }

    /// `L`, the number of recurrent layers.
    pub fn num_layers(&self) -> usize {
        self.layers.len()
    }

    /// The names of the parameters in the order of [`Network::slices`]: `w_ih_0`, `w_hh_0`,
    /// `b_0` (and `b_hn_0` for the GRU), the same for each layer above, then `w_hy`, `b_y`
    /// (the names of the PyTorch fixtures).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let net = Network::zeros(CellKind::Gru, 4, 2, 1);
    /// assert_eq!(net.names(), ["w_ih_0", "w_hh_0", "b_0", "b_hn_0", "w_hy", "b_y"]);
    /// ```
    pub fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for (l, layer) in self.layers.iter().enumerate() {
            for (name, values) in layer.slices() {
                if !values.is_empty() {
                    names.push(format!("{name}_{l}"));
                }
            }
        }
        names.push("w_hy".to_string());
        names.push("b_y".to_string());
        names
    }

    /// Every parameter as a slice, layer by layer (`w_ih`, `w_hh`, `b`, and `b_hn` for the
    /// GRU: the empty `b_hn` of the other cells is left out), then `w_hy`, `b_y`: one loop
    /// can visit them all (optimizers, clipping, checkpoints, gradient checks).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let net = Network::zeros(CellKind::Rnn, 4, 2, 2);
    /// assert_eq!(net.slices().len(), 2 * 3 + 2);
    /// ```
    pub fn slices(&self) -> Vec<&[f64]> {
        let layers = self
            .layers
            .iter()
            .map(|layer| layer.slices().map(|(_, v)| v));
        in_order(layers, [self.w_hy.as_slice(), self.b_y.as_slice()])
    }

    /// Every parameter as a mutable slice, in the order of [`Network::slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// let mut net = Network::zeros(CellKind::Rnn, 4, 2, 1);
    /// net.slices_mut()[4].fill(1.0); // b_y
    /// assert_eq!(net.b_y.as_slice(), &[1.0; 4]);
    /// ```
    pub fn slices_mut(&mut self) -> Vec<&mut [f64]> {
        let layers = self.layers.iter_mut().map(LayerParams::slices_mut);
        in_order(layers, [self.w_hy.as_mut_slice(), self.b_y.as_mut_slice()])
    }

    /// The total number of learned numbers.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::Network;
    /// // One LSTM layer, V = 2, H = 1: w_ih 4·2, w_hh 4·1, b 4, w_hy 2·1, b_y 2.
    /// assert_eq!(Network::zeros(CellKind::Lstm, 2, 1, 1).parameter_count(), 8 + 4 + 4 + 2 + 2);
    /// ```
    pub fn parameter_count(&self) -> usize {
        let mut count = 0;
        for values in self.slices() {
            count += values.len();
        }
        count
    }
}

/// The order every listing of a network's numbers follows (parameters, gradients,
/// optimizer memories, checkpoint blocks): each layer's slices (`w_ih`, `w_hh`, `b`, `b_hn`)
/// but the empty `b_hn` of the cells without one, then the output layer's two.
fn in_order<S: AsRef<[f64]>>(
    layers: impl Iterator<Item = impl IntoIterator<Item = S>>,
    output: [S; 2],
) -> Vec<S> {
    let mut slices: Vec<S> = layers
        .flatten()
        .filter(|values| !values.as_ref().is_empty())
        .collect();
    slices.extend(output);
    slices
}

/// The gradient of the loss with respect to every parameter of a [`Network`], same shapes.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Network, NetworkGrads};
/// let grads = NetworkGrads::zeros_like(&Network::zeros(CellKind::Lstm, 5, 3, 2));
/// assert_eq!(grads.layers[1].dw_ih.shape(), (12, 3));
/// assert_eq!(grads.dw_hy.shape(), (5, 3));
/// ```
// ANCHOR: network_grads
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkGrads {
    /// One [`LayerGrads`] per layer, bottom to top.
    pub layers: Vec<LayerGrads>,
    /// `∂L/∂w_hy`, `(V, H)`.
    pub dw_hy: Matrix,
    /// `∂L/∂b_y`, `(V)`.
    pub db_y: Vector,
}
// ANCHOR_END: network_grads

impl NetworkGrads {
    /// Zero gradients shaped like `network`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, NetworkGrads};
    /// let g = NetworkGrads::zeros_like(&Network::zeros(CellKind::Gru, 5, 3, 1));
    /// assert_eq!(g.layers[0].db_hn.len(), 3);
    /// ```
    pub fn zeros_like(network: &Network) -> NetworkGrads {
        let mut layers = Vec::with_capacity(network.num_layers());
        for layer in &network.layers {
            layers.push(LayerGrads::zeros_like(layer));
        }
        NetworkGrads {
            layers,
            dw_hy: Matrix::zeros(network.w_hy.rows(), network.w_hy.cols()),
            db_y: Vector::zeros(network.b_y.len()),
        }
    }

    /// `true` if every gradient has the shape of the matching parameter of `network`.
    pub fn fits(&self, network: &Network) -> bool {
        let theirs = network.slices();
        let ours = self.slices();
        ours.len() == theirs.len()
            && ours.iter().zip(&theirs).all(|(a, b)| a.len() == b.len())
            && self.dw_hy.shape() == network.w_hy.shape()
    }

    /// Every gradient as a slice, in the order of [`Network::slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, NetworkGrads};
    /// let net = Network::zeros(CellKind::Gru, 4, 2, 2);
    /// assert_eq!(NetworkGrads::zeros_like(&net).slices().len(), net.slices().len());
    /// ```
    pub fn slices(&self) -> Vec<&[f64]> {
        let layers = self.layers.iter().map(LayerGrads::slices);
        in_order(layers, [self.dw_hy.as_slice(), self.db_y.as_slice()])
    }

    /// Every gradient as a mutable slice, in the order of [`NetworkGrads::slices`].
    pub fn slices_mut(&mut self) -> Vec<&mut [f64]> {
        let layers = self.layers.iter_mut().map(LayerGrads::slices_mut);
        in_order(
            layers,
            [self.dw_hy.as_mut_slice(), self.db_y.as_mut_slice()],
        )
    }

    /// Sets every gradient to 0.
    pub fn zero(&mut self) {
        for values in self.slices_mut() {
            values.fill(0.0);
        }
    }

    /// Clips every element of every gradient into `[−limit, limit]` (Part I's
    /// [`CLIP`](crate::backward::CLIP) is 5, char-rnn's `grad_clip` too).
    ///
    /// # Panics
    ///
    /// If `limit` is negative or NaN.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, NetworkGrads};
    /// let mut g = NetworkGrads::zeros_like(&Network::zeros(CellKind::Lstm, 2, 1, 1));
    /// g.layers[0].db[1] = -9.0;
    /// g.db_y[0] = 0.5;
    /// g.clip(5.0);
    /// assert_eq!((g.layers[0].db[1], g.db_y[0]), (-5.0, 0.5));
    /// ```
    // ANCHOR: network_clip
    #[track_caller]
    pub fn clip(&mut self, limit: f64) {
        for layer in &mut self.layers {
            layer.dw_ih.clip(-limit, limit);
            layer.dw_hh.clip(-limit, limit);
            layer.db.clip(-limit, limit);
            layer.db_hn.clip(-limit, limit);
        }
        self.dw_hy.clip(-limit, limit);
        self.db_y.clip(-limit, limit);
    }
    // ANCHOR_END: network_clip
}

/// The memories of every layer for every stream: what one chunk hands to the next.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Network, State};
/// let state = State::zeros(&Network::zeros(CellKind::Lstm, 5, 3, 2), 4); // B = 4
/// assert_eq!((state.h.len(), state.h[1].shape(), state.c[1].shape()), (2, (4, 3), (4, 3)));
/// let gru = State::zeros(&Network::zeros(CellKind::Gru, 5, 3, 2), 4);
/// assert_eq!(gru.c[0].shape(), (4, 0)); // no cell state
/// ```
// ANCHOR: state
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// `h` of layer `l` for every stream, `(B, H)`: row `b` is stream `b`'s.
    pub h: Vec<Matrix>,
    /// The LSTM's `c` of layer `l`, `(B, H)`; `(B, 0)` for the other cells.
    pub c: Vec<Matrix>,
}
// ANCHOR_END: state

impl State {
    /// All memories zero, for `batch` streams of `network`.
    pub fn zeros(network: &Network, batch: usize) -> State {
        let h = network.hidden_size();
        let c_cols = if network.cell.has_cell_state() { h } else { 0 };
        let mut state = State {
            h: Vec::with_capacity(network.num_layers()),
            c: Vec::with_capacity(network.num_layers()),
        };
        for _ in 0..network.num_layers() {
            state.h.push(Matrix::zeros(batch, h));
            state.c.push(Matrix::zeros(batch, c_cols));
        }
        state
    }

    /// `B`, the number of streams.
    pub fn batch_size(&self) -> usize {
        self.h.first().map_or(0, |h| h.rows())
    }

    /// `true` if the shapes are those of [`State::zeros`]`(network, batch)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, State};
    /// let net = Network::zeros(CellKind::Lstm, 5, 3, 2);
    /// assert!(State::zeros(&net, 4).fits(&net, 4));
    /// assert!(!State::zeros(&net, 4).fits(&net, 1));
    /// ```
    pub fn fits(&self, network: &Network, batch: usize) -> bool {
        let h = network.hidden_size();
        let c_cols = if network.cell.has_cell_state() { h } else { 0 };
        self.h.len() == network.num_layers()
            && self.c.len() == network.num_layers()
            && self.h.iter().all(|m| m.shape() == (batch, h))
            && self.c.iter().all(|m| m.shape() == (batch, c_cols))
    }

    /// Copies `other` into `self`, which must have the same shapes.
    ///
    /// # Panics
    ///
    /// If the shapes differ.
    #[track_caller]
    pub fn copy_from(&mut self, other: &State) {
        let same = self.h.len() == other.h.len()
            && self.c.len() == other.c.len()
            && self
                .h
                .iter()
                .zip(&other.h)
                .all(|(a, b)| a.shape() == b.shape())
            && self
                .c
                .iter()
                .zip(&other.c)
                .all(|(a, b)| a.shape() == b.shape());
        assert!(same, "State::copy_from: the shapes differ");
        for (mine, theirs) in self.h.iter_mut().zip(&other.h) {
            mine.as_mut_slice().copy_from_slice(theirs.as_slice());
        }
        for (mine, theirs) in self.c.iter_mut().zip(&other.c) {
            mine.as_mut_slice().copy_from_slice(theirs.as_slice());
        }
    }

    /// Sets every memory to 0 (a fresh start, as at the beginning of a text).
    pub fn reset(&mut self) {
        for m in self.h.iter_mut().chain(self.c.iter_mut()) {
            m.fill(0.0);
        }
    }
}

/// Dropout masks for one chunk: `masks[l]` is `(B·T, H)`, its row `b·T + t` the mask
/// `m_t^l` of stream `b` at step `t`, multiplied into `h_t^l` as it leaves layer `l` upward
/// (into layer `l + 1`, or into the output layer for the top layer). Every entry is 0 (the
/// number is dropped) or `1/(1 − p)` (kept, and scaled).
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Dropout, Network};
/// let net = Network::zeros(CellKind::Lstm, 5, 100, 2);
/// let mut dropout = Dropout::new(&net, 4, 10, 0.25); // B = 4, T = 10
/// dropout.draw(&mut fastrand::Rng::with_seed(1));
/// let mask = dropout.mask(1, 3, 9); // layer 1, stream 3, step 9
/// assert!(mask.iter().all(|&m| m == 0.0 || m == 1.0 / 0.75));
/// ```
// ANCHOR: dropout
#[derive(Clone, Debug, PartialEq)]
pub struct Dropout {
    /// `p`, the probability of dropping a number, `0 ≤ p < 1`.
    pub p: f64,
    /// `masks[l]`, `(B·T, H)`: row `b·T + t` is `m_t^l` of stream `b`.
    pub masks: Vec<Matrix>,
    /// `T`, to find a row.
    steps: usize,
}
// ANCHOR_END: dropout

impl Dropout {
    /// Masks for `batch` streams × `steps` steps of `network`, dropping with probability
    /// `p`; every entry starts at 1 (nothing dropped) until [`Dropout::draw`].
    ///
    /// # Panics
    ///
    /// Unless `0 ≤ p < 1`.
    #[track_caller]
    pub fn new(network: &Network, batch: usize, steps: usize, p: f64) -> Dropout {
        assert!(
            (0.0..1.0).contains(&p),
            "Dropout::new: p = {p}; it must be in [0, 1)"
        );
        let mut all_kept = Matrix::zeros(batch * steps, network.hidden_size());
        all_kept.fill(1.0);
        Dropout {
            p,
            masks: vec![all_kept; network.num_layers()],
            steps,
        }
    }

    /// `true` if `p > 0`: with `p = 0` the passes skip the masks altogether.
    pub fn is_active(&self) -> bool {
        self.p > 0.0
    }

    /// `true` if the masks are those of [`Dropout::new`]`(network, batch, steps, _)`.
    pub fn fits(&self, network: &Network, batch: usize, steps: usize) -> bool {
        self.steps == steps
            && self.masks.len() == network.num_layers()
            && self
                .masks
                .iter()
                .all(|m| m.shape() == (batch * steps, network.hidden_size()))
    }

    /// Draws new masks from `rng`: each entry 0 if `rng.f64() < p`, otherwise `1/(1 − p)`.
    /// The order of the draws: layer `l = 0..L`, then the rows of `masks[l]` (stream `b`
    /// outer, step `t` inner), then `j = 0..H`: one `f64` per entry, `L·B·T·H` in all. With
    /// `p = 0` it draws nothing (every entry is 1), so a run without dropout uses its
    /// generator as it would without this call.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Dropout, Network};
    /// let net = Network::zeros(CellKind::Gru, 3, 4, 1);
    /// let mut rng = fastrand::Rng::with_seed(5);
    /// let before = rng.clone();
    /// Dropout::new(&net, 2, 3, 0.0).draw(&mut rng);
    /// assert_eq!(rng, before); // p = 0: nothing drawn
    /// ```
    // ANCHOR: dropout_draw
    pub fn draw(&mut self, rng: &mut fastrand::Rng) {
        if !self.is_active() {
            return;
        }
        let keep_scale = 1.0 / (1.0 - self.p); // kept numbers are scaled by 1/(1 − p)
        for mask in &mut self.masks {
            for m in mask.as_mut_slice() {
                let dropped = rng.f64() < self.p; // probability p
                *m = if dropped { 0.0 } else { keep_scale };
            }
        }
    }
    // ANCHOR_END: dropout_draw

    /// `m_t^l` of stream `b`, `(H)`.
    ///
    /// # Panics
    ///
    /// If `l`, `b` or `t` is out of range.
    #[track_caller]
    pub fn mask(&self, l: usize, b: usize, t: usize) -> &[f64] {
        assert!(t < self.steps, "Dropout::mask: step {t} of {}", self.steps);
        self.masks[l].row(b * self.steps + t)
    }
}

/// `out[j] = h[j] · mask[j]`: `h` with dropout applied.
///
/// # Panics
///
/// If the lengths differ.
// ANCHOR: apply_mask
#[track_caller]
pub fn apply_mask(h: &[f64], mask: &[f64], out: &mut Vector) {
    assert!(
        h.len() == mask.len() && h.len() == out.len(),
        "apply_mask: ({}) ⊙ ({}) into ({})",
        h.len(),
        mask.len(),
        out.len()
    );
    for j in 0..out.len() {
        out[j] = h[j] * mask[j];
    }
}
// ANCHOR_END: apply_mask

/// What the forward pass keeps for the backward pass: Part I's `xs, hs, ys, ps`, for every
/// step, stream and layer.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Network, NetworkCache, State, forward};
/// let net = Network::new(CellKind::Gru, 4, 3, 2, 1);
/// let chunk = Chunk::new(2, 3, vec![0, 1, 2, 3, 2, 1], vec![1, 2, 3, 2, 1, 0]);
/// let mut state = State::zeros(&net, 2);
/// let mut cache = NetworkCache::new(&net, 2, 3);
/// forward(&net, &chunk, &mut state, &mut cache);
/// assert_eq!(cache.steps[2][1][1].h.as_slice(), state.h[1].row(1)); // [t][b][l]
/// assert!((cache.ps[0][1].sum() - 1.0).abs() < 1e-12); // [t][b]
/// ```
// ANCHOR: network_cache
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkCache {
    /// The memories step 0 started from (Part I's `hs[-1]`, for every layer and stream).
    pub state0: State,
    /// `steps[t][b][l]`: what layer `l` computed for stream `b` at step `t`.
    pub steps: Vec<Vec<Vec<StepCache>>>,
    /// `ys[t][b]`: the scores `y_t` of stream `b`, `(V)`.
    pub ys: Vec<Vec<Vector>>,
    /// `ps[t][b]`: `softmax(y_t)` of stream `b`, `(V)`.
    pub ps: Vec<Vec<Vector>>,
    /// A buffer for an `h` with dropout applied, `(H)` ([`forward_with_dropout`]).
    pub dropped: Vector,
}
// ANCHOR_END: network_cache

impl NetworkCache {
    /// Buffers for `steps` steps of `batch` streams of `network`.
    pub fn new(network: &Network, batch: usize, steps: usize) -> NetworkCache {
        let (v, h, layers) = (
            network.vocab_size(),
            network.hidden_size(),
            network.num_layers(),
        );
        let one_stream = vec![StepCache::new(network.cell, h); layers];
        NetworkCache {
            state0: State::zeros(network, batch),
            steps: vec![vec![one_stream; batch]; steps],
            ys: vec![vec![Vector::zeros(v); batch]; steps],
            ps: vec![vec![Vector::zeros(v); batch]; steps],
            dropped: Vector::zeros(h),
        }
    }

    /// `true` if the cache has room for `steps` steps of `batch` streams of `network`, so
    /// that [`forward`] can reuse it as it is.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, NetworkCache};
    /// let net = Network::zeros(CellKind::Lstm, 5, 3, 2);
    /// let cache = NetworkCache::new(&net, 4, 10);
    /// assert!(cache.fits(&net, 4, 10));
    /// assert!(!cache.fits(&net, 4, 11));
    /// assert!(!cache.fits(&Network::zeros(CellKind::Gru, 5, 3, 2), 4, 10));
    /// ```
    pub fn fits(&self, network: &Network, batch: usize, steps: usize) -> bool {
        let (v, h, layers) = (
            network.vocab_size(),
            network.hidden_size(),
            network.num_layers(),
        );
        let cells_fit = self.steps.iter().all(|streams| {
            streams.len() == batch
                && streams.iter().all(|cells| {
                    cells.len() == layers && cells.iter().all(|cell| cell.fits(network.cell, h))
                })
        });
        let outputs_fit = |outputs: &Vec<Vec<Vector>>| {
            outputs.len() == steps
                && outputs
                    .iter()
                    .all(|streams| streams.len() == batch && streams.iter().all(|y| y.len() == v))
        };
        self.state0.fits(network, batch)
            && self.steps.len() == steps
            && cells_fit
            && outputs_fit(&self.ys)
            && outputs_fit(&self.ps)
            && self.dropped.len() == h
    }

    /// `T`, the number of steps the cache holds.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// `true` if the cache holds no step.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// `B`, the number of streams.
    pub fn batch_size(&self) -> usize {
        self.state0.batch_size()
    }

    /// `h_{t−1}` of layer `l` for stream `b`: the memory step `t` started from (row `b` of
    /// `state0` for `t = 0`).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn h_before(&self, t: usize, b: usize, l: usize) -> &[f64] {
        if t == 0 {
            self.state0.h[l].row(b)
        } else {
            self.steps[t - 1][b][l].h.as_slice()
        }
    }

    /// The LSTM's `c_{t−1}` of layer `l` for stream `b` (empty for the other cells).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn c_before(&self, t: usize, b: usize, l: usize) -> &[f64] {
        if t == 0 {
            self.state0.c[l].row(b)
        } else {
            self.steps[t - 1][b][l].c.as_slice()
        }
    }
}

/// One time step of every layer for stream `b`: reads the character `x` and the memories in
/// row `b` of `state`, writes what each layer computed into `cells[l]`, and leaves the new
/// memories in row `b` of `state`.
///
/// Layer 0 reads the character; layer `l > 0` reads the `h_t` layer `l − 1` has just
/// computed (already in `state`). With `dropout = Some((masks, t))` that input is
/// `h_t^{l−1} ⊙ m_t^{l−1}`, computed into `dropped`; the memories stay undropped. [`forward`]
/// calls this for every step and stream; [`Sampler`] for one stream, without dropout.
///
/// # Panics
///
/// If `x >= V`, `b >= B` or a shape does not fit `network`.
// ANCHOR: layers_step
#[track_caller]
pub fn layers_step(
    network: &Network,
    x: usize,
    state: &mut State,
    b: usize,
    cells: &mut [StepCache],
    dropout: Option<(&Dropout, usize)>,
    dropped: &mut Vector,
) {
    for l in 0..network.num_layers() {
        let layer = &network.layers[l];
        let input = if l == 0 {
            Input::OneHot(x)
        } else {
            let h_below = state.h[l - 1].row(b); // the h_t just computed below
            match dropout {
                None => Input::Dense(h_below),
                Some((masks, t)) => {
                    apply_mask(h_below, masks.mask(l - 1, b, t), dropped); // h_t ⊙ m_t
                    Input::Dense(dropped.as_slice())
                }
            }
        };
        let h_prev = state.h[l].row(b); // h_{t−1} of this layer
        let c_prev = state.c[l].row(b); // c_{t−1}, LSTM only (empty otherwise)
        let out = &mut cells[l];
        match network.cell {
            CellKind::Rnn => rnn::forward_step(layer, input, h_prev, out),
            CellKind::Lstm => lstm::forward_step(layer, input, h_prev, c_prev, out),
            CellKind::Gru => gru::forward_step(layer, input, h_prev, out),
        }
        state.h[l].row_mut(b).copy_from_slice(out.h.as_slice()); // h_t becomes the memory
        state.c[l].row_mut(b).copy_from_slice(out.c.as_slice());
    }
}
// ANCHOR_END: layers_step

/// `y = W_hy·h_top + b_y`: one score per character from the top layer's `h` of one stream.
///
/// # Panics
///
/// If `h_top.len() != H` or `y.len() != V`.
// ANCHOR: network_output_step
#[track_caller]
pub fn output_step(network: &Network, h_top: &[f64], y: &mut Vector) {
    for k in 0..network.vocab_size() {
        y[k] = dot(network.w_hy.row(k), h_top) + network.b_y[k];
    }
}
// ANCHOR_END: network_output_step

/// Runs `network` over a chunk of `B` streams × `T` steps, starting from `state` and leaving
/// in it the memories after the last step (the state the next chunk starts from), and fills
/// `cache` with everything the backward pass needs.
///
/// The cache is made anew only if it does not fit; in training it always fits.
///
/// # Panics
///
/// If an input is `>= V` or `state` does not fit `network` and `B`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Network, NetworkCache, State, forward, loss};
/// let net = Network::new(CellKind::Lstm, 5, 8, 2, 3);
/// let chunk = Chunk::new(2, 4, vec![0, 1, 2, 3, 4, 3, 2, 1], vec![1, 2, 3, 4, 3, 2, 1, 0]);
/// let mut state = State::zeros(&net, 2);
/// let mut cache = NetworkCache::new(&net, 2, 4);
/// forward(&net, &chunk, &mut state, &mut cache);
/// // Small weights: every character about equally likely, a loss near ln V per character.
/// assert!((loss(&cache, &chunk) - 5f64.ln()).abs() < 0.05);
/// ```
#[track_caller]
pub fn forward(network: &Network, chunk: &Chunk, state: &mut State, cache: &mut NetworkCache) {
    forward_with_dropout(network, chunk, state, cache, None);
}

/// [`forward`] with dropout between the layers and before the output layer (see the module
/// docs): `dropout`'s masks for this chunk, or `None` for none. Masks with `p = 0` are
/// skipped: the result is [`forward`]'s, bit for bit.
///
/// # Panics
///
/// As [`forward`], and if `dropout` does not fit `network` and the chunk.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::*;
/// let net = Network::new(CellKind::Lstm, 5, 8, 2, 3);
/// let chunk = Chunk::new(1, 3, vec![0, 1, 2], vec![1, 2, 3]);
/// let mut dropout = Dropout::new(&net, 1, 3, 0.5);
/// dropout.draw(&mut fastrand::Rng::with_seed(9));
/// let mut cache = NetworkCache::new(&net, 1, 3);
/// forward_with_dropout(&net, &chunk, &mut State::zeros(&net, 1), &mut cache, Some(&dropout));
/// let mut plain = NetworkCache::new(&net, 1, 3);
/// forward(&net, &chunk, &mut State::zeros(&net, 1), &mut plain);
/// assert_eq!(cache.steps[0][0][0], plain.steps[0][0][0]); // layer 0 reads characters
/// assert_ne!(cache.ys[0][0], plain.ys[0][0]); // the top h was masked
/// ```
// ANCHOR: network_forward
#[track_caller]
pub fn forward_with_dropout(
    network: &Network,
    chunk: &Chunk,
    state: &mut State,
    cache: &mut NetworkCache,
    dropout: Option<&Dropout>,
) {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    assert!(
        state.fits(network, batch),
        "forward: the state does not fit {batch} streams of this network"
    );
    let dropout = dropout.filter(|masks| masks.is_active()); // p = 0: no masks at all
    if let Some(masks) = dropout {
        assert!(
            masks.fits(network, batch, steps),
            "forward: the dropout masks do not fit ({batch} x {steps})"
        );
    }
    if !cache.fits(network, batch, steps) {
        *cache = NetworkCache::new(network, batch, steps);
    }
    cache.state0.copy_from(state); // hs[-1] = np.copy(hprev), for every layer and stream
    let top = network.num_layers() - 1;
    for t in 0..steps {
        for b in 0..batch {
            let x = chunk.input(b, t);
            let step_dropout = dropout.map(|masks| (masks, t));
            let (cells, dropped) = (&mut cache.steps[t][b], &mut cache.dropped);
            layers_step(network, x, state, b, cells, step_dropout, dropped);
            let h_top = state.h[top].row(b);
            let h_top = match dropout {
                None => h_top,
                Some(masks) => {
                    apply_mask(h_top, masks.mask(top, b, t), &mut cache.dropped); // h ⊙ m
                    cache.dropped.as_slice()
                }
            };
            output_step(network, h_top, &mut cache.ys[t][b]); // y = W_hy·h + b_y
            softmax(&cache.ys[t][b], &mut cache.ps[t][b]); // p = softmax(y)
        }
    }
}
// ANCHOR_END: network_forward

/// The mean loss per character, `(1/(B·T)) · Σ_t Σ_b −ln p_t^b[target]`, from the
/// probabilities the forward pass left in `cache`.
///
/// # Panics
///
/// If the chunk and the cache differ in `B` or `T`, or a target is `>= V`.
// ANCHOR: network_loss
#[track_caller]
pub fn loss(cache: &NetworkCache, chunk: &Chunk) -> f64 {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    check_chunk("loss", cache, chunk);
    let mut sum = 0.0;
    for t in 0..steps {
        for b in 0..batch {
            sum += cross_entropy(&cache.ps[t][b], chunk.target(b, t)); // −ln p[target]
        }
    }
    sum / (batch * steps) as f64 // the mean over B·T characters
}
// ANCHOR_END: network_loss

/// `dys[t][b] = (p_t^b − onehot(target)) / (B·T)`: the gradient of the mean loss with
/// respect to every score.
///
/// # Panics
///
/// If the chunk, the cache and `dys` differ in `B`, `T` or `V`.
// ANCHOR: output_gradients
#[track_caller]
pub fn output_gradients(cache: &NetworkCache, chunk: &Chunk, dys: &mut [Vec<Vector>]) {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    check_chunk("output_gradients", cache, chunk);
    let count = (batch * steps) as f64;
    for t in 0..steps {
        for b in 0..batch {
            let dy = &mut dys[t][b];
            output_gradient(&cache.ps[t][b], chunk.target(b, t), dy); // p − onehot
            for k in 0..dy.len() {
                dy[k] /= count; // the loss is a mean over B·T characters
            }
        }
    }
}
// ANCHOR_END: output_gradients

/// Panics unless `cache` holds `chunk`'s `B` and `T`.
#[track_caller]
fn check_chunk(op: &str, cache: &NetworkCache, chunk: &Chunk) {
    assert!(
        cache.len() == chunk.steps() && cache.batch_size() == chunk.batch_size(),
        "{op}: a chunk of ({} x {}) with a cache of ({} x {})",
        chunk.batch_size(),
        chunk.steps(),
        cache.batch_size(),
        cache.len()
    );
}

/// The backward pass's buffers, sized once and reused, and what it leaves behind.
///
/// After [`backward`]:
/// - `d_state` holds `∂L/∂h_0` and `∂L/∂c_0`: the gradient with respect to the state the
///   chunk started from (`d_state.h[l]`, row `b`);
/// - `dhs[t][l]` holds, row `b`, `∂L/∂h_t` of layer `l` for stream `b`: everything that
///   reached `h_t`, from the layer above (or the output) and from step `t+1`. Its norm
///   against `t` shows how a gradient fades (or grows) on its way back through time.
///
/// To follow the gradient of one step's loss alone (say `L_{T−1}`), fill `dys` yourself
/// (zeros except at `t = T−1`) and call [`backward_from_dys`].
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::*;
/// let net = Network::new(CellKind::Rnn, 4, 6, 1, 2);
/// let chunk = Chunk::single(&[0, 1, 2, 3, 0, 1], &[1, 2, 3, 0, 1, 2]);
/// let (mut state, mut cache) = (State::zeros(&net, 1), NetworkCache::new(&net, 1, 6));
/// forward(&net, &chunk, &mut state, &mut cache);
/// let mut grads = NetworkGrads::zeros_like(&net);
/// let mut work = BackwardWork::new(&net, 1, 6);
/// // Only the last step's loss: dy = 0 before it.
/// output_gradients(&cache, &chunk, &mut work.dys);
/// for t in 0..5 {
///     work.dys[t][0].fill(0.0);
/// }
/// backward_from_dys(&net, &cache, &chunk, &mut grads, &mut work);
/// let norm = |t: usize| work.dhs[t][0].row(0).iter().map(|g| g * g).sum::<f64>().sqrt();
/// assert!(norm(0) < norm(5)); // with small weights, the gradient fades going back
/// ```
// ANCHOR: backward_work
#[derive(Clone, Debug, PartialEq)]
pub struct BackwardWork {
    /// `dys[t][b] = ∂L/∂y_t` of stream `b`, `(V)` ([`output_gradients`]).
    pub dys: Vec<Vec<Vector>>,
    /// The part of `∂L/∂h_t` that comes from above: `W_hyᵀ·dy` for the top layer, the `dx`
    /// of the layer above for the others, `(H)`.
    pub dh_above: Vector,
    /// One [`StepGrads`] per layer, reused at every step and stream.
    pub layers: Vec<StepGrads>,
    /// `dhnext` (`d_state.h[l]`) and `dcnext` (`d_state.c[l]`) of every layer, `(B, H)`:
    /// during the loop, the gradient that reaches step `t` from step `t+1`; after it,
    /// `∂L/∂h_0` and `∂L/∂c_0`.
    pub d_state: State,
    /// `dhs[t][l]`: `∂L/∂h_t` of layer `l`, `(B, H)`.
    pub dhs: Vec<Vec<Matrix>>,
    /// A buffer for an `h` with dropout applied, `(H)` ([`backward_with_dropout`]).
    pub dropped: Vector,
}
// ANCHOR_END: backward_work

impl BackwardWork {
    /// Buffers for `steps` steps of `batch` streams of `network`.
    pub fn new(network: &Network, batch: usize, steps: usize) -> BackwardWork {
        let (v, h) = (network.vocab_size(), network.hidden_size());
        let mut layers = Vec::with_capacity(network.num_layers());
        for l in 0..network.num_layers() {
            let dense_input_size = if l == 0 { 0 } else { h }; // layer 0 reads characters
            layers.push(StepGrads::new(network.cell, dense_input_size, h));
        }
        BackwardWork {
            dys: vec![vec![Vector::zeros(v); batch]; steps],
            dh_above: Vector::zeros(h),
            layers,
            d_state: State::zeros(network, batch),
            dhs: vec![vec![Matrix::zeros(batch, h); network.num_layers()]; steps],
            dropped: Vector::zeros(h),
        }
    }

    /// `true` if the buffers have the shapes [`BackwardWork::new`] would give them.
    pub fn fits(&self, network: &Network, batch: usize, steps: usize) -> bool {
        let (v, h, layers) = (
            network.vocab_size(),
            network.hidden_size(),
            network.num_layers(),
        );
        let dys_fit = self.dys.len() == steps
            && self
                .dys
                .iter()
                .all(|streams| streams.len() == batch && streams.iter().all(|dy| dy.len() == v));
        let layers_fit = self.layers.len() == layers
            && self.layers.iter().enumerate().all(|(l, d)| {
                let dense_input_size = if l == 0 { 0 } else { h };
                d.fits(network.cell, dense_input_size, h)
            });
        let dhs_fit = self.dhs.len() == steps
            && self.dhs.iter().all(|per_layer| {
                per_layer.len() == layers && per_layer.iter().all(|m| m.shape() == (batch, h))
            });
        dys_fit
            && self.dh_above.len() == h
            && layers_fit
            && self.d_state.fits(network, batch)
            && dhs_fit
            && self.dropped.len() == h
    }
}

/// The backward pass: the output gradients ([`output_gradients`]), then backpropagation
/// through time and down the layers ([`backward_from_dys`]). Writes the gradients of the mean
/// loss into `grads` (overwriting them) and returns `∂L/∂` the state the chunk started from
/// (`d_h0` in `.h`, `d_c0` in `.c`).
///
/// `work` is made anew only if it does not fit.
///
/// # Panics
///
/// If the chunk and the cache differ in `B` or `T`, a target is `>= V`, or a shape does not
/// fit `network`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::*;
/// let net = Network::new(CellKind::Lstm, 4, 3, 2, 5);
/// let chunk = Chunk::new(2, 2, vec![0, 1, 2, 3], vec![1, 2, 3, 0]);
/// let (mut state, mut cache) = (State::zeros(&net, 2), NetworkCache::new(&net, 2, 2));
/// forward(&net, &chunk, &mut state, &mut cache);
/// let mut grads = NetworkGrads::zeros_like(&net);
/// let mut work = BackwardWork::new(&net, 2, 2);
/// let d_state = backward(&net, &cache, &chunk, &mut grads, &mut work);
/// assert_eq!(d_state.c[1].shape(), (2, 3)); // ∂L/∂c_0 of layer 1, one row per stream
/// // Each dy sums to 0 (Σp − 1), so db_y does too.
/// assert!(grads.db_y.sum().abs() < 1e-15);
/// ```
#[track_caller]
pub fn backward<'w>(
    network: &Network,
    cache: &NetworkCache,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut BackwardWork,
) -> &'w State {
    backward_with_dropout(network, cache, chunk, grads, work, None)
}

/// [`backward`] through the dropout masks [`forward_with_dropout`] applied: `dropout` must
/// be the masks the forward pass used (`None` if it used none).
///
/// # Panics
///
/// As [`backward`], and if `dropout` does not fit `network` and the chunk.
// ANCHOR: network_backward
#[track_caller]
pub fn backward_with_dropout<'w>(
    network: &Network,
    cache: &NetworkCache,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut BackwardWork,
    dropout: Option<&Dropout>,
) -> &'w State {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    if !work.fits(network, batch, steps) {
        *work = BackwardWork::new(network, batch, steps);
    }
    output_gradients(cache, chunk, &mut work.dys); // dy = (p − onehot) / (B·T)
    backward_from_dys_with_dropout(network, cache, chunk, grads, work, dropout)
}
// ANCHOR_END: network_backward

/// Backpropagation through time and down the layers, from the score gradients already in
/// `work.dys`: writes the gradients into `grads` (zeroed first), records every `∂L/∂h_t` in
/// `work.dhs`, and returns `∂L/∂` the starting state (also in `work.d_state`).
///
/// One loop, `t` from `T−1` down to 0, each stream `b`, layers from the top down. At each
/// step of each stream: the output layer's gradients and `W_hyᵀ·dy`; then for each layer,
/// `dh = above + dhnext`, the cell's backward step, and the gradients it hands on: `dh_prev`
/// and `dc_prev` to step `t−1` (the next `dhnext`, `dcnext`), `dx` to the layer below.
///
/// # Panics
///
/// If `work` does not fit `network`, `B` and `T`, or the chunk and the cache differ.
#[track_caller]
pub fn backward_from_dys<'w>(
    network: &Network,
    cache: &NetworkCache,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut BackwardWork,
) -> &'w State {
    backward_from_dys_with_dropout(network, cache, chunk, grads, work, None)
}

/// [`backward_from_dys`] through the dropout masks the forward pass used (`None` for none;
/// masks with `p = 0` are skipped, as [`forward_with_dropout`] skips them). With masks,
/// the output layer and each layer above the first read `h ⊙ m`, and the gradient from above
/// is multiplied by the same `m` on its way down: `(W_hyᵀ·dy) ⊙ m` into the top layer,
/// `dx ⊙ m` into the layer below.
///
/// # Panics
///
/// As [`backward_from_dys`], and if `dropout` does not fit `network` and the chunk.
// ANCHOR: backward_from_dys
#[track_caller]
pub fn backward_from_dys_with_dropout<'w>(
    network: &Network,
    cache: &NetworkCache,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut BackwardWork,
    dropout: Option<&Dropout>,
) -> &'w State {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    check_chunk("backward_from_dys", cache, chunk);
    assert!(
        work.fits(network, batch, steps),
        "backward_from_dys: the work buffers do not fit ({batch} x {steps})"
    );
    let dropout = dropout.filter(|masks| masks.is_active()); // p = 0: no masks at all
    if let Some(masks) = dropout {
        assert!(
            masks.fits(network, batch, steps),
            "backward_from_dys: the dropout masks do not fit ({batch} x {steps})"
        );
    }
    if !grads.fits(network) {
        *grads = NetworkGrads::zeros_like(network);
    }
    grads.zero(); // the gradients are sums over steps and streams: start from 0
    work.d_state.reset(); // nothing reaches the last step from a step after it
    let (h, top) = (network.hidden_size(), network.num_layers() - 1);
    for t in (0..steps).rev() {
        for b in 0..batch {
            let dy = &work.dys[t][b];
            let h_top = &cache.steps[t][b][top].h;
            let h_top = match dropout {
                None => h_top,
                Some(masks) => {
                    apply_mask(h_top.as_slice(), masks.mask(top, b, t), &mut work.dropped);
                    &work.dropped // what the output layer read: h_top ⊙ m
                }
            };
            grads.dw_hy.add_outer(dy, h_top); // dW_hy += dy · h_topᵀ
            grads.db_y.add_assign(dy); // db_y += dy
            network.w_hy.matvec_transposed(dy, &mut work.dh_above); // from the output: W_hyᵀ·dy
            if let Some(masks) = dropout {
                mask_in_place(&mut work.dh_above, masks.mask(top, b, t)); // ⊙ m
            }
            for l in (0..=top).rev() {
                let d = &mut work.layers[l];
                let dhnext = work.d_state.h[l].row(b); // ∂L/∂h_t through step t+1
                for j in 0..h {
                    d.dh[j] = work.dh_above[j] + dhnext[j]; // from above + from step t+1
                }
                work.dhs[t][l].row_mut(b).copy_from_slice(d.dh.as_slice()); // kept for plots
                let dcnext = work.d_state.c[l].row(b); // ∂L/∂c_t through step t+1 (LSTM)
                d.dcnext.as_mut_slice().copy_from_slice(dcnext);
                let input = if l == 0 {
                    Input::OneHot(chunk.input(b, t))
                } else {
                    let h_below = cache.steps[t][b][l - 1].h.as_slice();
                    match dropout {
                        None => Input::Dense(h_below),
                        Some(masks) => {
                            let mask = masks.mask(l - 1, b, t);
                            apply_mask(h_below, mask, &mut work.dropped); // what layer l read
                            Input::Dense(work.dropped.as_slice())
                        }
                    }
                };
                let h_prev = cache.h_before(t, b, l);
                let c_prev = cache.c_before(t, b, l);
                let step = &cache.steps[t][b][l];
                let layer = &network.layers[l];
                let layer_grads = &mut grads.layers[l];
                match network.cell {
                    CellKind::Rnn => rnn::backward_step(layer, input, h_prev, step, d, layer_grads),
                    CellKind::Lstm => {
                        lstm::backward_step(layer, input, h_prev, c_prev, step, d, layer_grads)
                    }
                    CellKind::Gru => gru::backward_step(layer, input, h_prev, step, d, layer_grads),
                }
                let next_dhnext = work.d_state.h[l].row_mut(b); // for step t−1: ∂L/∂h_{t−1}
                next_dhnext.copy_from_slice(d.dh_prev.as_slice());
                let next_dcnext = work.d_state.c[l].row_mut(b); // and ∂L/∂c_{t−1}
                next_dcnext.copy_from_slice(d.dc_prev.as_slice());
                if l > 0 {
                    work.dh_above.copy_from(&d.dx); // to the layer below
                    if let Some(masks) = dropout {
                        mask_in_place(&mut work.dh_above, masks.mask(l - 1, b, t)); // ⊙ m
                    }
                }
            }
        }
    }
    &work.d_state
}
// ANCHOR_END: backward_from_dys

/// `g[j] = g[j] · mask[j]`: a gradient through dropout.
fn mask_in_place(g: &mut Vector, mask: &[f64]) {
    for j in 0..g.len() {
        g[j] *= mask[j];
    }
}

/// Runs a network one character at a time, for one stream (`B = 1`): for sampling, and for
/// anything else that reads text as it comes. Its buffers are allocated once, by
/// [`Sampler::new`].
///
/// # Examples
///
/// ```
/// use min_char_rnn::Strategy;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::network::{Network, Sampler};
/// let net = Network::new(CellKind::Lstm, 4, 8, 2, 1);
/// let mut sampler = Sampler::new(&net);
/// sampler.prime(&net, &[0, 1, 2]);
/// let mut rng = fastrand::Rng::with_seed(7);
/// let ixes = sampler.generate(&net, 3, 10, Strategy::ORIGINAL, &mut rng);
/// assert_eq!(ixes.len(), 10);
/// assert!(ixes.iter().all(|&ix| ix < 4));
/// ```
// ANCHOR: sampler
#[derive(Clone, Debug, PartialEq)]
pub struct Sampler {
    /// The memories of the one stream, `(1, H)` per layer.
    pub state: State,
    /// What each layer computed at the last step.
    pub cells: Vec<StepCache>,
    /// The scores after the last character read, `(V)`.
    pub y: Vector,
    /// A buffer for the probabilities, `(V)`.
    p: Vector,
    /// An unused stand-in for the dropout buffer: sampling never drops.
    no_dropout: Vector,
}
// ANCHOR_END: sampler

impl Sampler {
    /// A sampler for `network`, starting from zero memories.
    pub fn new(network: &Network) -> Sampler {
        let v = network.vocab_size();
        Sampler {
            state: State::zeros(network, 1),
            cells: vec![StepCache::new(network.cell, network.hidden_size()); network.num_layers()],
            y: Vector::zeros(v),
            p: Vector::zeros(v),
            no_dropout: Vector::zeros(0),
        }
    }

    /// Forgets everything read: zero memories.
    pub fn reset(&mut self) {
        self.state.reset();
    }

    /// Reads the character `x`: one step of every layer, then the scores for the next
    /// character, which it returns (and keeps in `self.y`).
    ///
    /// # Panics
    ///
    /// If `x >= V` or `network` is not the one the sampler was made for.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::network::{Network, Sampler};
    /// let net = Network::new(CellKind::Gru, 4, 3, 1, 1);
    /// let mut sampler = Sampler::new(&net);
    /// let y = sampler.step(&net, 2);
    /// assert_eq!(y.len(), 4);
    /// ```
    // ANCHOR: sampler_step
    #[track_caller]
    pub fn step(&mut self, network: &Network, x: usize) -> &Vector {
        let (state, cells) = (&mut self.state, &mut self.cells);
        layers_step(network, x, state, 0, cells, None, &mut self.no_dropout); // no dropout
        let top = network.num_layers() - 1;
        output_step(network, self.state.h[top].row(0), &mut self.y);
        &self.y
    }
    // ANCHOR_END: sampler_step

    /// Reads `indices` one after another, leaving the memories after the last.
    ///
    /// # Panics
    ///
    /// If an index is `>= V`.
    #[track_caller]
    pub fn prime(&mut self, network: &Network, indices: &[usize]) {
        for &x in indices {
            self.step(network, x);
        }
    }

    /// Generates `n` characters: reads `seed_ix`, chooses the next character from the scores
    /// with `strategy`, reads that, and so on (Part I's
    /// [`generate`](crate::sample::generate), for any network).
    ///
    /// # Panics
    ///
    /// If `seed_ix >= V`.
    // ANCHOR: sampler_generate
    #[track_caller]
    pub fn generate(
        &mut self,
        network: &Network,
        seed_ix: usize,
        n: usize,
        strategy: Strategy,
        rng: &mut fastrand::Rng,
    ) -> Vec<usize> {
        let mut ixes = Vec::with_capacity(n);
        let mut x = seed_ix;
        for _ in 0..n {
            self.step(network, x); // y = the scores for the character after x
            x = match strategy {
                Strategy::Sample { temperature } => {
                    softmax_with_temperature(&self.y, temperature, &mut self.p);
                    draw(&self.p, rng)
                }
                Strategy::Argmax => self.y.argmax(),
            };
            ixes.push(x);
        }
        ixes
    }
    // ANCHOR_END: sampler_generate
}
