//! Part II, the cells: what one layer computes for one stream at one time step, forward and
//! backward, for the three kinds of recurrent cell.
//!
//! | cell | module | gate blocks `G` | equation (one step, `x` the input, `h` the memory before it) |
//! |---|---|---|---|
//! | RNN | [`rnn`] | 1 | `h' = tanh(W_ih·x + W_hh·h + b)`, Part I's step |
//! | LSTM | [`lstm`] | 4: `i, f, g, o` | `c' = f⊙c + i⊙g`, `h' = o⊙tanh(c')` |
//! | GRU | [`gru`] | 3: `r, z, n` | `n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn))`, `h' = (1 − z)⊙n + z⊙h` |
//!
//! ## One layer's parameters
//!
//! Every cell has the same three parameters, [`LayerParams`], with `G` blocks of `H` rows
//! stacked on top of each other (`I` is the input size: `V` for layer 0, `H` above):
//!
//! ```text
//! w_ih  (G·H, I)    input  → gates      (Part I's w_xh for the RNN)
//! w_hh  (G·H, H)    memory → gates
//! b     (G·H)       one bias per gate row (Part I's b_h for the RNN)
//! b_hn  (H)         the GRU only: the bias inside the reset gate's product (empty otherwise)
//! ```
//!
//! The blocks are in PyTorch's order (LSTM `i, f, g, o`; GRU `r, z, n`), so the matrices copy
//! straight into `torch.nn.LSTM`'s and `torch.nn.GRU`'s `weight_ih_l{l}` and `weight_hh_l{l}`.
//!
//! **One bias, not two.** PyTorch keeps two bias vectors, `b_ih` and `b_hh`, and always adds
//! them: `W_ih·x + b_ih + W_hh·h + b_hh`. Two numbers that are only ever used as their sum are
//! one parameter; two copies get the same gradient and only make the sum move twice as fast.
//! So there is one `b` here (PyTorch's `b_ih + b_hh`). The GRU is the exception, which is why
//! it has `b_hn`: its reset gate multiplies `W_hn·h + b_hn`, so that bias is *not* simply added
//! to the others.
//!
//! ## Layer 0 reads characters
//!
//! The input of layer 0 is a one-hot vector, so `W_ih·x` is a column of `W_ih`, a lookup, as
//! in Part I; above, the input is the `h` of the layer below. [`Input`] is either.
//!
//! ## Order of additions
//!
//! Floating-point addition rounds, so the order in which terms are added is part of the
//! result. The fast path copies these orders to get the same bits:
//!
//! - every product entry `(W·v)[j]` is one running sum `Σ_k W[j, k]·v[k]`, `k = 0, 1, …`,
//!   starting from `0.0` ([`dot`]); `(Wᵀ·v)[k]` likewise over `j = 0, 1, …`
//!   ([`Matrix::matvec_transposed`]);
//! - a gate's pre-activation is `((W_ih·x)[j] + (W_hh·h)[j]) + b[j]` ([`pre_activation`]),
//!   with `w_ih[(j, x)]` in place of the first product for a one-hot `x`;
//! - LSTM: `c = f·c_prev + i·g` (the two products, then their sum), `h = o·tanh(c)`;
//! - GRU: `hn = (W_hn·h)[j] + b_hn[j]`, `n = tanh(((W_in·x)[j] + b_in[j]) + r·hn)`,
//!   `h' = (1 − z)·n + z·h_prev`; backward, `dh_prev = (W_hhᵀ·dgates_h)[k] + dh[k]·z[k]`;
//! - the gradients of the weights are rank-1 updates `dW[j, k] += dgates[j]·v[k]`, row by
//!   row, one per stream and step, added to what is there ([`add_outer`], or
//!   [`Matrix::add_to_column`] for a one-hot `x`), and `db[j] += dgates[j]`; the network's
//!   backward pass says in which order of steps and streams;
//! - every other expression is evaluated as written in the cell's code, left to right (for
//!   example the LSTM's `dh[j] * o * (1.0 - tanh_c * tanh_c) + dcnext[j]`).
//!
//! `tanh` is [`math::tanh`] and the sigmoid is built on [`math::exp`] ([`sigmoid`]), as in
//! Part I, so both paths call the same scalar functions.

pub mod gru;
pub mod lstm;
pub mod rnn;

use crate::{Matrix, Vector, math};
use std::fmt;
use std::str::FromStr;

/// Which recurrent cell every layer of a network uses.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// let cell: CellKind = "lstm".parse()?;
/// assert_eq!(cell, CellKind::Lstm);
/// assert_eq!(cell.gates(), 4);
/// assert_eq!(cell.to_string(), "lstm");
/// assert!("transformer".parse::<CellKind>().is_err());
/// # Ok::<(), min_char_rnn::cells::UnknownCell>(())
/// ```
// ANCHOR: cell_kind
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    /// The vanilla RNN of Part I: one `tanh`.
    Rnn,
    /// Long short-term memory: a cell state `c` beside `h`, and input, forget and output gates.
    Lstm,
    /// Gated recurrent unit: a reset gate and an update gate, no separate cell state.
    Gru,
}
// ANCHOR_END: cell_kind

impl CellKind {
    /// The three kinds, in the order of their names in [`CellKind::NAMES`].
    pub const ALL: [CellKind; 3] = [CellKind::Rnn, CellKind::Lstm, CellKind::Gru];

    /// The names [`FromStr`] accepts, as the command line spells them.
    pub const NAMES: [&'static str; 3] = ["rnn", "lstm", "gru"];

    /// `G`, the number of gate blocks of `H` rows in `w_ih`, `w_hh` and `b`: RNN 1, LSTM 4,
    /// GRU 3.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// assert_eq!([CellKind::Rnn.gates(), CellKind::Gru.gates()], [1, 3]);
    /// ```
    pub fn gates(self) -> usize {
        match self {
            CellKind::Rnn => 1,
            CellKind::Lstm => 4,
            CellKind::Gru => 3,
        }
    }

    /// The name as the command line spells it: `"rnn"`, `"lstm"` or `"gru"`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::cells::CellKind::Gru.name(), "gru");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CellKind::Rnn => "rnn",
            CellKind::Lstm => "lstm",
            CellKind::Gru => "gru",
        }
    }

    /// `true` for the LSTM, the one cell with a cell state `c` beside `h`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// assert!(CellKind::Lstm.has_cell_state() && !CellKind::Gru.has_cell_state());
    /// ```
    pub fn has_cell_state(self) -> bool {
        self == CellKind::Lstm
    }
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A cell name that is not `rnn`, `lstm` or `gru` (what it was is kept).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCell(pub String);

impl fmt::Display for UnknownCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown cell {:?}: expected one of {}",
            self.0,
            CellKind::NAMES.join(", ")
        )
    }
}

impl std::error::Error for UnknownCell {}

impl FromStr for CellKind {
    type Err = UnknownCell;

    /// `"rnn"`, `"lstm"` or `"gru"`, exactly (lowercase).
    fn from_str(name: &str) -> Result<CellKind, UnknownCell> {
        match name {
            "rnn" => Ok(CellKind::Rnn),
            "lstm" => Ok(CellKind::Lstm),
            "gru" => Ok(CellKind::Gru),
            _ => Err(UnknownCell(name.to_string())),
        }
    }
}

/// The parameters of one layer: `G` blocks of `H` rows each (see the [module docs](self)).
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, LayerParams};
/// let layer = LayerParams::zeros(CellKind::Lstm, 65, 128); // I = V = 65, H = 128
/// assert_eq!(layer.w_ih.shape(), (4 * 128, 65));
/// assert_eq!(layer.w_hh.shape(), (4 * 128, 128));
/// assert_eq!((layer.b.len(), layer.b_hn.len()), (4 * 128, 0));
/// ```
// ANCHOR: layer_params
#[derive(Clone, Debug, PartialEq)]
pub struct LayerParams {
    /// Input → gates, `(G·H, I)`.
    pub w_ih: Matrix,
    /// Memory → gates, `(G·H, H)`.
    pub w_hh: Matrix,
    /// One bias per gate row, `(G·H)` (PyTorch's `b_ih + b_hh`).
    pub b: Vector,
    /// The GRU's bias inside the reset gate's product, `(H)`; empty for the other cells.
    pub b_hn: Vector,
}
// ANCHOR_END: layer_params

impl LayerParams {
    /// The names of the four parameters, in the order of [`LayerParams::slices`].
    pub const NAMES: [&'static str; 4] = ["w_ih", "w_hh", "b", "b_hn"];

    /// All-zero parameters of a `cell` layer with input size `input_size` (`I`) and hidden
    /// size `hidden_size` (`H`).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerParams};
    /// let gru = LayerParams::zeros(CellKind::Gru, 10, 4);
    /// assert_eq!((gru.b.len(), gru.b_hn.len()), (12, 4));
    /// ```
    pub fn zeros(cell: CellKind, input_size: usize, hidden_size: usize) -> LayerParams {
        let rows = cell.gates() * hidden_size;
        let b_hn_len = if cell == CellKind::Gru {
            hidden_size
        } else {
            0
        };
        LayerParams {
            w_ih: Matrix::zeros(rows, input_size),
            w_hh: Matrix::zeros(rows, hidden_size),
            b: Vector::zeros(rows),
            b_hn: Vector::zeros(b_hn_len),
        }
    }

    /// `I`, the input size, read off `w_ih`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerParams};
    /// assert_eq!(LayerParams::zeros(CellKind::Rnn, 7, 3).input_size(), 7);
    /// ```
    pub fn input_size(&self) -> usize {
        self.w_ih.cols()
    }

    /// `H`, the hidden size, read off `w_hh`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerParams};
    /// assert_eq!(LayerParams::zeros(CellKind::Lstm, 7, 3).hidden_size(), 3);
    /// ```
    pub fn hidden_size(&self) -> usize {
        self.w_hh.cols()
    }

    /// The four parameters as `(name, values)` pairs, in the order of
    /// [`LayerParams::NAMES`] (`b_hn` is empty except for the GRU).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerParams};
    /// let layer = LayerParams::zeros(CellKind::Rnn, 5, 2);
    /// assert_eq!(layer.slices()[0], ("w_ih", &[0.0; 10][..]));
    /// ```
    pub fn slices(&self) -> [(&'static str, &[f64]); 4] {
        let [w_ih, w_hh, b, b_hn] = LayerParams::NAMES;
        [
            (w_ih, self.w_ih.as_slice()),
            (w_hh, self.w_hh.as_slice()),
            (b, self.b.as_slice()),
            (b_hn, self.b_hn.as_slice()),
        ]
    }

    /// The four parameters as mutable slices, in the order of [`LayerParams::slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerParams};
    /// let mut layer = LayerParams::zeros(CellKind::Rnn, 5, 2);
    /// layer.slices_mut()[2].fill(1.0);
    /// assert_eq!(layer.b.as_slice(), &[1.0, 1.0]);
    /// ```
    pub fn slices_mut(&mut self) -> [&mut [f64]; 4] {
        [
            self.w_ih.as_mut_slice(),
            self.w_hh.as_mut_slice(),
            self.b.as_mut_slice(),
            self.b_hn.as_mut_slice(),
        ]
    }
}

/// The gradient of the loss with respect to one layer's parameters: same names with a `d`,
/// same shapes as [`LayerParams`].
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, LayerGrads, LayerParams};
/// let grads = LayerGrads::zeros_like(&LayerParams::zeros(CellKind::Gru, 5, 2));
/// assert_eq!(grads.dw_ih.shape(), (6, 5));
/// assert_eq!(grads.db_hn.len(), 2);
/// ```
// ANCHOR: layer_grads
#[derive(Clone, Debug, PartialEq)]
pub struct LayerGrads {
    /// `∂L/∂w_ih`, `(G·H, I)`.
    pub dw_ih: Matrix,
    /// `∂L/∂w_hh`, `(G·H, H)`.
    pub dw_hh: Matrix,
    /// `∂L/∂b`, `(G·H)`.
    pub db: Vector,
    /// `∂L/∂b_hn`, `(H)` for the GRU, empty otherwise.
    pub db_hn: Vector,
}
// ANCHOR_END: layer_grads

impl LayerGrads {
    /// Zero gradients shaped like `layer`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerGrads, LayerParams};
    /// let g = LayerGrads::zeros_like(&LayerParams::zeros(CellKind::Lstm, 3, 2));
    /// assert_eq!(g.db.as_slice(), &[0.0; 8]);
    /// ```
    pub fn zeros_like(layer: &LayerParams) -> LayerGrads {
        LayerGrads {
            dw_ih: Matrix::zeros(layer.w_ih.rows(), layer.w_ih.cols()),
            dw_hh: Matrix::zeros(layer.w_hh.rows(), layer.w_hh.cols()),
            db: Vector::zeros(layer.b.len()),
            db_hn: Vector::zeros(layer.b_hn.len()),
        }
    }

    /// The four gradients as slices, in the order of [`LayerParams::slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerGrads, LayerParams};
    /// let g = LayerGrads::zeros_like(&LayerParams::zeros(CellKind::Rnn, 3, 2));
    /// assert_eq!(g.slices()[1].len(), 4);
    /// ```
    pub fn slices(&self) -> [&[f64]; 4] {
        [
            self.dw_ih.as_slice(),
            self.dw_hh.as_slice(),
            self.db.as_slice(),
            self.db_hn.as_slice(),
        ]
    }

    /// The four gradients as mutable slices, in the order of [`LayerGrads::slices`].
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, LayerGrads, LayerParams};
    /// let mut g = LayerGrads::zeros_like(&LayerParams::zeros(CellKind::Rnn, 3, 2));
    /// g.slices_mut()[2][1] = 4.0;
    /// assert_eq!(g.db[1], 4.0);
    /// ```
    pub fn slices_mut(&mut self) -> [&mut [f64]; 4] {
        [
            self.dw_ih.as_mut_slice(),
            self.dw_hh.as_mut_slice(),
            self.db.as_mut_slice(),
            self.db_hn.as_mut_slice(),
        ]
    }
}

/// What a layer reads at one time step: a character (layer 0) or the hidden state of the
/// layer below (layers 1 and up).
///
/// # Examples
///
/// ```
/// use min_char_rnn::Matrix;
/// use min_char_rnn::cells::Input;
/// let w_ih = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
/// assert_eq!(Input::OneHot(2).product(&w_ih, 1), 6.0); // column 2, row 1
/// assert_eq!(Input::Dense(&[1.0, 0.0, -1.0]).product(&w_ih, 1), -2.0);
/// ```
// ANCHOR: input
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input<'a> {
    /// The one-hot vector of this character index, `(V)`, never built.
    OneHot(usize),
    /// A dense vector, `(I)`: the `h` of the layer below.
    Dense(&'a [f64]),
}
// ANCHOR_END: input

impl Input<'_> {
    /// `(W_ih·x)[row]`: for a one-hot `x` the lookup `w_ih[(row, x)]`, for a dense one the dot
    /// product of row `row` with `x` ([`dot`]).
    ///
    /// # Panics
    ///
    /// If the index or the length does not fit `w_ih`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Matrix;
    /// use min_char_rnn::cells::Input;
    /// let w_ih = Matrix::from_rows(&[&[1.0, 2.0]]);
    /// assert_eq!(Input::OneHot(0).product(&w_ih, 0), 1.0);
    /// ```
    // ANCHOR: input_product
    #[track_caller]
    pub fn product(&self, w_ih: &Matrix, row: usize) -> f64 {
        match *self {
            Input::OneHot(x) => w_ih[(row, x)], // column x: every other column meets a 0
            Input::Dense(x) => dot(w_ih.row(row), x),
        }
    }
    // ANCHOR_END: input_product

    /// `dw_ih += dgates · xᵀ`: for a one-hot `x` one column of `dw_ih`
    /// ([`Matrix::add_to_column`]), for a dense one the whole rank-1 update ([`add_outer`]).
    ///
    /// # Panics
    ///
    /// If a shape does not fit `dw_ih`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// use min_char_rnn::cells::Input;
    /// let mut dw_ih = Matrix::zeros(2, 3);
    /// Input::OneHot(1).add_gradient(&mut dw_ih, &Vector::from_vec(vec![5.0, 6.0]));
    /// assert_eq!(dw_ih.as_slice(), &[0.0, 5.0, 0.0, 0.0, 6.0, 0.0]);
    /// ```
    // ANCHOR: input_add_gradient
    #[track_caller]
    pub fn add_gradient(&self, dw_ih: &mut Matrix, dgates: &Vector) {
        match *self {
            Input::OneHot(x) => dw_ih.add_to_column(x, dgates),
            Input::Dense(x) => add_outer(dw_ih, dgates.as_slice(), x),
        }
    }
    // ANCHOR_END: input_add_gradient

    /// `dx = W_ihᵀ · dgates` for a dense input: the gradient handed down to the layer below.
    /// Nothing for a one-hot input (a character has no gradient to receive).
    ///
    /// # Panics
    ///
    /// If a dense input's shapes do not fit `w_ih`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// use min_char_rnn::cells::Input;
    /// let w_ih = Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// let mut dx = Vector::zeros(2);
    /// Input::Dense(&[0.0, 0.0]).backward(&w_ih, &Vector::from_vec(vec![1.0, 1.0]), &mut dx);
    /// assert_eq!(dx.as_slice(), &[4.0, 6.0]);
    /// ```
    // ANCHOR: input_backward
    #[track_caller]
    pub fn backward(&self, w_ih: &Matrix, dgates: &Vector, dx: &mut Vector) {
        if let Input::Dense(_) = self {
            w_ih.matvec_transposed(dgates, dx);
        }
    }
    // ANCHOR_END: input_backward
}

/// `((W_ih·x)[row] + (W_hh·h_prev)[row]) + b[row]`: the sum a gate row feeds into its
/// activation, in this order (the convention every cell and both paths share).
///
/// # Panics
///
/// If a shape does not fit `layer`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, Input, LayerParams, pre_activation};
/// let mut layer = LayerParams::zeros(CellKind::Rnn, 2, 1);
/// layer.w_ih[(0, 1)] = 0.5;
/// layer.w_hh[(0, 0)] = 2.0;
/// layer.b[0] = 0.25;
/// assert_eq!(pre_activation(&layer, Input::OneHot(1), &[3.0], 0), 0.5 + 6.0 + 0.25);
/// ```
// ANCHOR: pre_activation
#[track_caller]
pub fn pre_activation(layer: &LayerParams, x: Input, h_prev: &[f64], row: usize) -> f64 {
    let from_input = x.product(&layer.w_ih, row); // (W_ih·x)[row]
    let from_memory = dot(layer.w_hh.row(row), h_prev); // (W_hh·h_{t−1})[row]
    from_input + from_memory + layer.b[row]
}
// ANCHOR_END: pre_activation

/// The logistic sigmoid `σ(x) = 1 / (1 + exp(−x))`, between 0 and 1: a gate's "how much".
///
/// Written with [`math::exp`], exactly as this expression, so that the fast path gets the
/// same bits. For very negative `x`, `exp(−x)` is `+∞` and `σ(x) = 1/∞ = 0`; nothing
/// overflows into a NaN. Its derivative is `σ(x)·(1 − σ(x))`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::sigmoid;
/// assert_eq!(sigmoid(0.0), 0.5);
/// assert!((sigmoid(3f64.ln()) - 0.75).abs() < 1e-15); // 1 / (1 + 1/3)
/// assert_eq!(sigmoid(-1000.0), 0.0);
/// assert_eq!(sigmoid(1000.0), 1.0);
/// ```
// ANCHOR: sigmoid
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + math::exp(-x))
}
// ANCHOR_END: sigmoid

/// `Σ_k a[k]·b[k]`: one running sum from `0.0`, `k = 0, 1, …` in order (the order of
/// [`Matrix::matvec`]).
///
/// # Panics
///
/// If the lengths differ: `dot: (3) · (2)`.
///
/// # Examples
///
/// ```
/// assert_eq!(min_char_rnn::cells::dot(&[1.0, 2.0], &[3.0, 4.0]), 11.0);
/// ```
#[track_caller]
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    crate::vector::check_len("dot", "·", a.len(), b.len());
    let mut sum = 0.0;
    for k in 0..a.len() {
        sum += a[k] * b[k];
    }
    sum
}

/// `w += a·bᵀ` for slices: element `(r, c)` gets `a[r]·b[c]` added, row by row (the order of
/// [`Matrix::add_outer`]).
///
/// # Panics
///
/// If `a.len() != rows` or `b.len() != cols`: `add_outer: (2 x 3) += (4) ⊗ (3)`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::Matrix;
/// let mut w = Matrix::zeros(2, 2);
/// min_char_rnn::cells::add_outer(&mut w, &[1.0, 2.0], &[3.0, 4.0]);
/// assert_eq!(w.as_slice(), &[3.0, 4.0, 6.0, 8.0]);
/// ```
#[track_caller]
pub fn add_outer(w: &mut Matrix, a: &[f64], b: &[f64]) {
    let (rows, cols) = w.shape();
    if a.len() != rows || b.len() != cols {
        panic!(
            "add_outer: ({rows} x {cols}) += ({}) ⊗ ({})",
            a.len(),
            b.len()
        );
    }
    for r in 0..rows {
        let row = w.row_mut(r);
        for c in 0..cols {
            row[c] += a[r] * b[c]; // (a·bᵀ)[r, c] = a[r] · b[c]
        }
    }
}

/// What the forward pass keeps of one cell at one step (one layer, one stream, one `t`): the
/// backward pass reads it.
///
/// Every cell fills `h`; the other fields are empty where a cell has no such quantity.
///
/// | field | RNN | LSTM | GRU |
/// |---|---|---|---|
/// | `h` | `h_t` | `h_t` | `h_t` |
/// | `gates` | — | `i, f, g, o` `(4H)` | `r, z, n` `(3H)` |
/// | `c` | — | `c_t` | — |
/// | `tanh_c` | — | `tanh(c_t)` | — |
/// | `hn` | — | — | `W_hn·h_{t−1} + b_hn` |
///
/// `gates` holds the gate values (after their sigmoid or `tanh`), not the sums before.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, StepCache};
/// let step = StepCache::new(CellKind::Gru, 5);
/// assert_eq!((step.h.len(), step.gates.len(), step.c.len(), step.hn.len()), (5, 15, 0, 5));
/// ```
// ANCHOR: step_cache
#[derive(Clone, Debug, PartialEq)]
pub struct StepCache {
    /// `h_t`, the layer's output and next memory, `(H)`.
    pub h: Vector,
    /// The gate values, `(G·H)` in the cell's block order; empty for the RNN.
    pub gates: Vector,
    /// The LSTM's cell state `c_t`, `(H)`.
    pub c: Vector,
    /// The LSTM's `tanh(c_t)`, `(H)`.
    pub tanh_c: Vector,
    /// The GRU's `W_hn·h_{t−1} + b_hn`, the term the reset gate multiplies, `(H)`.
    pub hn: Vector,
}
// ANCHOR_END: step_cache

impl StepCache {
    /// Buffers for one step of a `cell` layer with `hidden_size` units, sized as in the table
    /// above.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, StepCache};
    /// let step = StepCache::new(CellKind::Lstm, 3);
    /// assert_eq!((step.gates.len(), step.c.len(), step.tanh_c.len()), (12, 3, 3));
    /// ```
    pub fn new(cell: CellKind, hidden_size: usize) -> StepCache {
        let [h, gates, c, tanh_c, hn] = StepCache::sizes(cell, hidden_size);
        StepCache {
            h: Vector::zeros(h),
            gates: Vector::zeros(gates),
            c: Vector::zeros(c),
            tanh_c: Vector::zeros(tanh_c),
            hn: Vector::zeros(hn),
        }
    }

    /// `true` if every buffer has the size [`StepCache::new`] would give it.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, StepCache};
    /// let step = StepCache::new(CellKind::Lstm, 3);
    /// assert!(step.fits(CellKind::Lstm, 3));
    /// assert!(!step.fits(CellKind::Gru, 3));
    /// ```
    pub fn fits(&self, cell: CellKind, hidden_size: usize) -> bool {
        let lens = [
            self.h.len(),
            self.gates.len(),
            self.c.len(),
            self.tanh_c.len(),
            self.hn.len(),
        ];
        lens == StepCache::sizes(cell, hidden_size)
    }

    /// The lengths of `h, gates, c, tanh_c, hn` for a `cell` layer of `hidden_size` units.
    fn sizes(cell: CellKind, hidden_size: usize) -> [usize; 5] {
        let h = hidden_size;
        match cell {
            CellKind::Rnn => [h, 0, 0, 0, 0],
            CellKind::Lstm => [h, 4 * h, h, h, 0],
            CellKind::Gru => [h, 3 * h, 0, 0, h],
        }
    }
}

/// The gradients one backward step of one layer reads and writes, for one stream. One is
/// kept per layer and reused at every step and stream.
///
/// | field | before the step | after the step |
/// |---|---|---|
/// | `dh` | `∂L/∂h_t`, everything that reaches `h_t` | unchanged |
/// | `dcnext` | LSTM: `∂L/∂c_t` through step `t+1` | unchanged |
/// | `dgates` | — | `∂L/∂` each gate row's pre-activation (for `W_ih`, `b`) |
/// | `dgates_h` | — | GRU: the same for the `W_hh` side (differs in the `n` block) |
/// | `dh_prev` | — | `∂L/∂h_{t−1}` through this step: the next `dhnext` |
/// | `dc_prev` | — | LSTM: `∂L/∂c_{t−1}`: the next `dcnext` |
/// | `dx` | — | `∂L/∂x_t`, handed to the layer below (empty for layer 0) |
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::{CellKind, StepGrads};
/// let top = StepGrads::new(CellKind::Lstm, 8, 8); // a layer above layer 0: I = H = 8
/// assert_eq!((top.dgates.len(), top.dx.len(), top.dcnext.len()), (32, 8, 8));
/// let bottom = StepGrads::new(CellKind::Rnn, 0, 8); // layer 0 reads one-hot characters
/// assert_eq!((bottom.dx.len(), bottom.dcnext.len()), (0, 0));
/// ```
// ANCHOR: step_grads
#[derive(Clone, Debug, PartialEq)]
pub struct StepGrads {
    /// `∂L/∂h_t`: from the layer above (or the output) plus from step `t+1`, `(H)`.
    pub dh: Vector,
    /// LSTM: `∂L/∂c_t` through step `t+1` (the notebook-style `dcnext`), `(H)`.
    pub dcnext: Vector,
    /// `∂L/∂a` for each gate row's pre-activation `a`, `(G·H)`.
    pub dgates: Vector,
    /// GRU: the gradient at `W_hh·h_{t−1} + b_hn` per gate row, `(3H)`; empty otherwise.
    pub dgates_h: Vector,
    /// `∂L/∂h_{t−1}` through this step, `(H)`.
    pub dh_prev: Vector,
    /// LSTM: `∂L/∂c_{t−1}` through this step, `(H)`.
    pub dc_prev: Vector,
    /// `∂L/∂x_t` for a dense input, `(I)`; empty for layer 0.
    pub dx: Vector,
}
// ANCHOR_END: step_grads

impl StepGrads {
    /// Buffers for a `cell` layer with `hidden_size` units whose input is dense of size
    /// `dense_input_size` (pass 0 for layer 0, whose input is one-hot and needs no `dx`).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, StepGrads};
    /// let gru = StepGrads::new(CellKind::Gru, 4, 4);
    /// assert_eq!(gru.dgates_h.len(), 12);
    /// ```
    pub fn new(cell: CellKind, dense_input_size: usize, hidden_size: usize) -> StepGrads {
        let [dh, dcnext, dgates, dgates_h, dh_prev, dc_prev, dx] =
            StepGrads::sizes(cell, dense_input_size, hidden_size);
        StepGrads {
            dh: Vector::zeros(dh),
            dcnext: Vector::zeros(dcnext),
            dgates: Vector::zeros(dgates),
            dgates_h: Vector::zeros(dgates_h),
            dh_prev: Vector::zeros(dh_prev),
            dc_prev: Vector::zeros(dc_prev),
            dx: Vector::zeros(dx),
        }
    }

    /// `true` if every buffer has the size [`StepGrads::new`] would give it.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::{CellKind, StepGrads};
    /// let d = StepGrads::new(CellKind::Gru, 0, 4);
    /// assert!(d.fits(CellKind::Gru, 0, 4));
    /// assert!(!d.fits(CellKind::Gru, 4, 4));
    /// ```
    pub fn fits(&self, cell: CellKind, dense_input_size: usize, hidden_size: usize) -> bool {
        let lens = [
            self.dh.len(),
            self.dcnext.len(),
            self.dgates.len(),
            self.dgates_h.len(),
            self.dh_prev.len(),
            self.dc_prev.len(),
            self.dx.len(),
        ];
        lens == StepGrads::sizes(cell, dense_input_size, hidden_size)
    }

    /// The lengths of `dh, dcnext, dgates, dgates_h, dh_prev, dc_prev, dx`.
    fn sizes(cell: CellKind, dense_input_size: usize, hidden_size: usize) -> [usize; 7] {
        let h = hidden_size;
        let lstm_only = if cell == CellKind::Lstm { h } else { 0 };
        let gru_gates = if cell == CellKind::Gru { 3 * h } else { 0 };
        let gates = cell.gates() * h;
        [
            h,
            lstm_only,
            gates,
            gru_gates,
            h,
            lstm_only,
            dense_input_size,
        ]
    }
}
