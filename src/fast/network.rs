//! The fast path for Part II's network: the plain [`network`](crate::network) forward and
//! backward passes, for every cell, with the same bits, as matrix–matrix products, on one
//! thread or several.
//!
//! The plain passes loop over steps, streams and layers, and do one matrix–vector product per
//! stream. Here every product that can take all the streams at once does, and every product
//! that can take all the steps at once does too ([`gemm`](super::gemm) computes them):
//!
//! | product | plain: one per | fast: one per |
//! |---|---|---|
//! | `W_hh·h_{t−1}` (every layer) | step, stream, layer | step, layer: `B` rows |
//! | `W_ih·x_t` (layers above 0) | step, stream, layer | layer: `B·T` rows, before its time loop |
//! | `W_hy·h_t` (output) | step, stream | pass: `B·T` rows |
//! | `W_hyᵀ·dy` | step, stream | pass: `B·T` rows |
//! | `W_hhᵀ·dgates` (`dh_{t−1}`) | step, stream, layer | step, layer: `B` rows |
//! | `W_ihᵀ·dgates` (`dx`) | step, stream, layer | layer: `B·T` rows, after its time loop |
//! | `dW_hh`, `dW_ih`, `dW_hy` (sums of outer products) | step, stream, layer | pass: one product over all `B·T` terms |
//!
//! Only the recurrence must go step by step: `h_t` needs `h_{t−1}`, and backward `dh_{t−1}`
//! needs `dh_t`. The passes run layer after layer (layer 0 over all steps, then layer 1 over
//! all steps, …; backward from the top layer down), which the plain order allows: forward,
//! nothing is added across steps, streams or layers; backward, each gradient is its own sum,
//! and only the order of the terms *within* a sum matters.
//!
//! ## Threads
//!
//! The streams never meet: each has its own memories, and until the weight gradients add
//! them up, nothing of one stream enters a number of another. So the streams are cut into
//! [`StreamGroup`]s of consecutive streams, one per thread
//! ([`NetworkWorkspace::with_threads`]), and each thread runs the whole forward pass, and the
//! whole backward pass up to the weight gradients, for its group alone. The weight gradients
//! are then cut by rows: each thread computes some rows of each, every row a sum over all
//! the streams in the plain order. Each number is computed by one thread, in the same order
//! as on one: the results do not depend on the number of threads.
//!
//! ## The same bits
//!
//! Every number is computed by the plain path's expression, evaluated in the same order
//! (see the [`cells`](crate::cells) and [`network`](crate::network) module docs): each
//! product entry one running sum from `0.0` in the plain order of its terms; the
//! pre-activation `((W_ih·x)[j] + (W_hh·h)[j]) + b[j]`; the cells' expressions as written;
//! [`math::tanh`], [`math::exp`] and [`sigmoid`]. The sums over steps and streams
//! (`dW`, `db`) take `t` from `T−1` down to 0 and the streams `b = 0..B` within a step: the
//! weight-gradient products are handed their terms in that order.
//!
//! | plain | fast |
//! |---|---|
//! | [`network::forward`](crate::network::forward) | [`forward()`] |
//! | [`network::forward_with_dropout`](crate::network::forward_with_dropout) | [`forward_with_dropout()`] |
//! | [`network::loss`](crate::network::loss) | [`loss()`] |
//! | [`network::output_gradients`](crate::network::output_gradients) | [`output_gradients()`] |
//! | [`network::backward`](crate::network::backward) and [`network::backward_with_dropout`](crate::network::backward_with_dropout) | [`backward()`] (through the masks its forward pass kept) |
//! | [`network::backward_from_dys`](crate::network::backward_from_dys) | [`backward_from_dys()`] |
//! | [`NetworkCache`] and [`BackwardWork`](crate::network::BackwardWork) | [`NetworkWorkspace`] |
//!
//! Dropout: [`forward_with_dropout`] copies each group's rows of the masks into the group,
//! forms `h_t ⊙ m_t` of a whole layer at once (the same products `h[j] · m[j]` as the plain
//! path, so the same bits) before the products that read it, and the backward pass multiplies
//! `W_hyᵀ·dy` and each `dx` by the same masks; `dW_ih` and `dW_hy` read the masked rows.

use super::forward::softmax_with_temperature;
use super::gemm::{Panels, TILE_ROWS, product, product_transposed};
use super::kernels::transpose_into;
use crate::batch::Chunk;
use crate::cells::{CellKind, StepCache, sigmoid};
use crate::network::{Dropout, Network, NetworkCache, NetworkGrads, State};
use crate::{Matrix, Vector, math};
use std::ops::Range;

/// Numbers added at the end of each row of the gate gradients, unused: with `G·H = 512` a
/// row is 4 KiB long, and a sum of outer products reads a few numbers of each of many rows
/// (rows `T` apart, one step's streams after another); rows a multiple of 4 KiB apart all
/// land in the same few sets of the level-1 cache and evict each other. One more cache line
/// per row spreads them.
const ROW_PAD: usize = 8;

/// What a network's shape, a chunk's size and the number of threads make of the buffers:
/// they fit while these stay the same.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Shape {
    cell: Option<CellKind>,
    vocab: usize,
    hidden: usize,
    layers: usize,
    batch: usize,
    steps: usize,
    groups: usize,
}

/// One group of consecutive streams, `first..first + n`: their rows of every buffer of the
/// two passes, which one thread fills. Every per-step matrix holds one row per stream and
/// step, stream after stream: row `b·T + t` for the group's stream `b` (counted from the
/// group's first), as a [`Chunk`] holds its characters.
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::fast::network::NetworkWorkspace;
/// use min_char_rnn::network::Network;
/// let net = Network::zeros(CellKind::Lstm, 5, 4, 2);
/// let mut work = NetworkWorkspace::with_threads(2);
/// work.fit(&net, 5, 3); // 5 streams of 3 steps
/// assert_eq!((work.groups[0].streams.clone(), work.groups[1].streams.clone()), (0..3, 3..5));
/// assert_eq!(work.groups[1].gates[0].shape(), (2 * 3, 4 * 4)); // 2 streams × 3 steps
/// ```
// ANCHOR: stream_group
#[derive(Clone, Debug, PartialEq)]
pub struct StreamGroup {
    /// The streams of the group.
    pub streams: Range<usize>,
    /// Per layer, `h` (and the LSTM's `c`) the chunk started from, `(n, H)` (`c`: `(0, 0)`
    /// for the other cells).
    pub h0: Vec<Matrix>,
    /// See `h0`.
    pub c0: Vec<Matrix>,
    /// Per layer, `h_t`, `(n·T, H)`.
    pub hs: Vec<Matrix>,
    /// Per layer, the LSTM's `c_t` and `tanh(c_t)`, `(n·T, H)`; `(0, 0)` otherwise.
    pub cs: Vec<Matrix>,
    /// See `cs`.
    pub tanh_cs: Vec<Matrix>,
    /// Per layer, the gate values, `(n·T, G·H)` (`(n·T, 0)` for the RNN).
    pub gates: Vec<Matrix>,
    /// Per layer, the GRU's `W_hn·h_{t−1} + b_hn`, `(n·T, H)`; `(0, 0)` otherwise.
    pub hns: Vec<Matrix>,
    /// The scores `y` and probabilities `p`, `(n·T, V)`.
    pub ys: Matrix,
    /// See `ys`.
    pub ps: Matrix,
    /// `∂L/∂y`, `(n·T, V)`.
    pub dys: Matrix,
    /// Per layer, `∂L/∂h_t`, `(n·T, H)`: what comes from above (the output layer or the
    /// layer above), then, in the time loop, plus what comes from step `t+1`.
    pub dhs: Vec<Matrix>,
    /// Per layer, `∂L/∂` each gate row's pre-activation, `(n·T, G·H + 8)` (the last 8
    /// numbers of a row are unused).
    pub dgates: Vec<Matrix>,
    /// Per layer, the GRU's `dgates_h` (the `W_hh` side), `(n·T, 3H + 8)`; `(0, 0)` otherwise.
    pub dgates_h: Vec<Matrix>,
    /// Per layer, `dhnext` and `dcnext` during the backward time loop, `(n, H)`; after it,
    /// `∂L/∂h_0` and `∂L/∂c_0` (`(0, 0)` for cells without `c`).
    pub d_h: Vec<Matrix>,
    /// See `d_h`.
    pub d_c: Vec<Matrix>,
    /// Layers above 0: `W_ih·x_t` for every step and stream, `(n·T, G·H)`.
    from_inputs: Matrix,
    /// `W_hh·h_{t−1}` for the streams of one step, `(n, G·H)`.
    from_memory: Matrix,
    /// One row of scores and one of probabilities, for the softmax.
    y: Vector,
    p: Vector,
    /// Per layer, with dropout ([`forward_with_dropout`]): the group's rows of the masks
    /// `m_t^l`, `(n·T, H)`; empty until a pass uses dropout.
    pub masks: Vec<Matrix>,
    /// Per layer, with dropout: `h_t ⊙ m_t`, what the layer above (or the output layer)
    /// reads, `(n·T, H)`; empty until a pass uses dropout.
    pub dropped: Vec<Matrix>,
}
// ANCHOR_END: stream_group

impl StreamGroup {
    /// Buffers for `streams` of `steps` steps of `network`.
    fn new(network: &Network, streams: Range<usize>, steps: usize) -> StreamGroup {
        let (v, h, layers, cell) = (
            network.vocab_size(),
            network.hidden_size(),
            network.num_layers(),
            network.cell,
        );
        let (n, gh) = (streams.len(), cell.gates() * h);
        let rows = n * steps;
        let only = |wanted: CellKind, r: usize, c: usize| {
            let m = if cell == wanted {
                Matrix::zeros(r, c)
            } else {
                Matrix::zeros(0, 0)
            };
            vec![m; layers]
        };
        let per_layer = |r: usize, c: usize| vec![Matrix::zeros(r, c); layers];
        StreamGroup {
            streams,
            h0: per_layer(n, h),
            c0: only(CellKind::Lstm, n, h),
            hs: per_layer(rows, h),
            cs: only(CellKind::Lstm, rows, h),
            tanh_cs: only(CellKind::Lstm, rows, h),
            gates: per_layer(rows, if cell == CellKind::Rnn { 0 } else { gh }),
            hns: only(CellKind::Gru, rows, h),
            ys: Matrix::zeros(rows, v),
            ps: Matrix::zeros(rows, v),
            dys: Matrix::zeros(rows, v),
            dhs: per_layer(rows, h),
            dgates: per_layer(rows, gh + ROW_PAD),
            dgates_h: only(CellKind::Gru, rows, gh + ROW_PAD),
            d_h: per_layer(n, h),
            d_c: only(CellKind::Lstm, n, h),
            from_inputs: Matrix::zeros(if layers > 1 { rows } else { 0 }, gh),
            from_memory: Matrix::zeros(n, gh),
            y: Vector::zeros(v),
            p: Vector::zeros(v),
            masks: Vec::new(),
            dropped: Vec::new(),
        }
    }

    /// Copies the group's rows of `dropout`'s masks into `masks` (making room for them and
    /// for `dropped` the first time).
    fn take_masks(&mut self, dropout: &Dropout, steps: usize) {
        let (layers, h) = (self.hs.len(), dropout.masks[0].cols());
        let rows = self.streams.len() * steps;
        if self.masks.len() != layers || self.masks[0].shape() != (rows, h) {
            self.masks = vec![Matrix::zeros(rows, h); layers];
            self.dropped = vec![Matrix::zeros(rows, h); layers];
        }
        let first = self.streams.start * steps * h; // row start·T: rows b·T + t
        for (mine, all) in self.masks.iter_mut().zip(&dropout.masks) {
            mine.as_mut_slice()
                .copy_from_slice(&all.as_slice()[first..first + rows * h]);
        }
    }

    /// Copies the group's rows of `state` into `h0` and `c0`: the memories the chunk starts
    /// from.
    fn start_from(&mut self, state: &State) {
        for l in 0..self.h0.len() {
            copy_rows(&mut self.h0[l], &state.h[l], self.streams.clone());
            copy_rows(&mut self.c0[l], &state.c[l], self.streams.clone());
        }
    }

    /// Copies the memories after the chunk's last step into the group's rows of `state`.
    fn hand_on(&self, state: &mut State) {
        let steps = self.hs[0].rows() / self.streams.len().max(1);
        if steps == 0 {
            return; // an empty chunk leaves the state as it was
        }
        for (b, stream) in self.streams.clone().enumerate() {
            let last = b * steps + steps - 1; // h_{T−1}
            for l in 0..self.hs.len() {
                state.h[l]
                    .row_mut(stream)
                    .copy_from_slice(self.hs[l].row(last));
                let c = row_or_empty(&self.cs[l], last);
                state.c[l].row_mut(stream).copy_from_slice(c);
            }
        }
    }

    /// The row of the group's stream `b` (counted from its first) at step `t`, given `T`.
    fn row(&self, b: usize, t: usize, steps: usize) -> usize {
        (b - self.streams.start) * steps + t
    }
}

/// The weights, laid out for the products: made at the start of each pass, read by every
/// thread.
#[derive(Clone, Debug, Default, PartialEq)]
struct Layouts {
    /// Layer 0's `W_ihᵀ`, `(V, G·H)`: row `x` is column `x` of `W_ih`, the one-hot product.
    w_ih0_tr: Matrix,
    /// Per layer, `W_ihᵀ` (layers above 0) and `W_hhᵀ`, for the forward products.
    forward_ih: Vec<Panels>,
    forward_hh: Vec<Panels>,
    /// `W_hyᵀ`, for the output layer.
    forward_hy: Panels,
    /// Per layer, `W_ih` (above 0) and `W_hh` as they are, for `dx` and `dh_{t−1}`.
    backward_ih: Vec<Panels>,
    backward_hh: Vec<Panels>,
    /// `W_hy` as it is, for `W_hyᵀ·dy`.
    backward_hy: Panels,
}

/// Everything the fast passes keep and reuse: the forward pass's values (the plain
/// [`NetworkCache`]), the backward pass's buffers (the plain
/// [`BackwardWork`](crate::network::BackwardWork)), the weights laid out for the products,
/// and scratch space, for a number of threads chosen when it is made. Sized by the first
/// pass ([`NetworkWorkspace::fit`]); after it nothing is allocated inside a time loop.
///
/// The per-step values live in [`StreamGroup`]s, one per thread; the accessors
/// ([`NetworkWorkspace::h`], [`NetworkWorkspace::dh`], …) take `(t, b)` and find them.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::fast::network::{NetworkWorkspace, forward};
/// use min_char_rnn::network::{Network, State};
/// let net = Network::new(CellKind::Lstm, 5, 8, 2, 1);
/// let chunk = Chunk::new(2, 3, vec![0, 1, 2, 3, 4, 0], vec![1, 2, 3, 4, 0, 1]);
/// let mut state = State::zeros(&net, 2);
/// let mut work = NetworkWorkspace::default(); // one thread
/// forward(&net, &chunk, &mut state, &mut work);
/// assert_eq!(work.h(2, 1, 1), state.h[1].row(1)); // the last h is the state handed on
/// assert_eq!(work.gates(0, 0, 0).len(), 4 * 8); // i, f, g, o
/// ```
// ANCHOR: network_workspace
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkWorkspace {
    shape: Shape,
    threads: usize,
    /// The streams, in groups of consecutive streams, one per thread.
    pub groups: Vec<StreamGroup>,
    /// After [`backward`], `∂L/∂h_0` and `∂L/∂c_0` of every stream.
    pub d_state: State,
    /// The weights, laid out for the products.
    layouts: Layouts,
    /// Per layer, the right-hand sides of the weight-gradient sums: `h_t` for `t` from `T−1`
    /// down to 0, then the `h` the chunk started from, each step's streams in order.
    terms: Vec<Panels>,
    /// Layer 0's `dW_ihᵀ`, one part per thread: `(V, the part's rows of dW_ih)`.
    one_hot_parts: Vec<Matrix>,
    /// Whether the last forward pass used dropout masks (kept in the groups).
    dropout: bool,
    /// With dropout, per layer, `h_t ⊙ m_t` for `t` from `T−1` down to 0, laid out as
    /// `terms`: the right-hand sides of `dW_ih` (of the layer above) and `dW_hy`.
    dropped_terms: Vec<Panels>,
}
// ANCHOR_END: network_workspace

impl Default for NetworkWorkspace {
    /// An empty workspace for one thread: the first pass sizes it.
    fn default() -> NetworkWorkspace {
        NetworkWorkspace::with_threads(1)
    }
}

impl NetworkWorkspace {
    /// An empty workspace whose passes run on `threads` threads (at most one per stream;
    /// 0 counts as 1). The results are the same, bit for bit, for any number of threads.
    ///
    /// # Examples
    ///
    /// ```
    /// let work = min_char_rnn::fast::network::NetworkWorkspace::with_threads(2);
    /// assert_eq!(work.threads(), 2);
    /// ```
    pub fn with_threads(threads: usize) -> NetworkWorkspace {
        NetworkWorkspace {
            shape: Shape::default(),
            threads: threads.max(1),
            groups: Vec::new(),
            d_state: State {
                h: Vec::new(),
                c: Vec::new(),
            },
            layouts: Layouts::default(),
            terms: Vec::new(),
            one_hot_parts: Vec::new(),
            dropout: false,
            dropped_terms: Vec::new(),
        }
    }

    /// The number of threads the passes run on (fewer if the chunk has fewer streams).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Makes room for a chunk of `batch` streams × `steps` steps of `network`; does nothing
    /// if the buffers have those sizes already.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::fast::network::NetworkWorkspace;
    /// use min_char_rnn::network::Network;
    /// let net = Network::zeros(CellKind::Gru, 4, 3, 2);
    /// let mut work = NetworkWorkspace::default();
    /// work.fit(&net, 5, 7);
    /// assert_eq!(work.groups[0].hs[1].shape(), (5 * 7, 3)); // B·T rows
    /// let kept = work.groups[0].hs[1].as_slice().as_ptr();
    /// work.fit(&net, 5, 7); // fits already: nothing is allocated
    /// assert_eq!(work.groups[0].hs[1].as_slice().as_ptr(), kept);
    /// ```
    pub fn fit(&mut self, network: &Network, batch: usize, steps: usize) {
        let groups = self.threads.min(batch).max(1);
        let shape = Shape {
            cell: Some(network.cell),
            vocab: network.vocab_size(),
            hidden: network.hidden_size(),
            layers: network.num_layers(),
            batch,
            steps,
            groups,
        };
        if self.shape == shape {
            return;
        }
        let layers = shape.layers;
        self.shape = shape;
        self.groups = split(batch, groups)
            .into_iter()
            .map(|streams| StreamGroup::new(network, streams, steps))
            .collect();
        self.d_state = State::zeros(network, batch);
        self.layouts = Layouts {
            w_ih0_tr: Matrix::zeros(network.vocab_size(), network.layers[0].w_ih.rows()),
            forward_ih: vec![Panels::default(); layers],
            forward_hh: vec![Panels::default(); layers],
            forward_hy: Panels::default(),
            backward_ih: vec![Panels::default(); layers],
            backward_hh: vec![Panels::default(); layers],
            backward_hy: Panels::default(),
        };
        self.terms = vec![Panels::default(); layers];
        self.dropped_terms = vec![Panels::default(); layers];
        self.dropout = false;
        let gate_rows = network.layers[0].w_ih.rows();
        self.one_hot_parts = split_rows(gate_rows, groups)
            .into_iter()
            .map(|rows| Matrix::zeros(network.vocab_size(), rows.len()))
            .collect();
    }

    /// `B`, the streams of the chunk the buffers are sized for.
    pub fn batch_size(&self) -> usize {
        self.shape.batch
    }

    /// `T`, the steps of the chunk the buffers are sized for.
    pub fn steps(&self) -> usize {
        self.shape.steps
    }

    /// The group that holds stream `b`, and the row of `(t, b)` in its per-step matrices.
    #[track_caller]
    fn place(&self, t: usize, b: usize) -> (&StreamGroup, usize) {
        assert!(
            t < self.shape.steps && b < self.shape.batch,
            "NetworkWorkspace: (step {t}, stream {b}) of ({} x {})",
            self.shape.steps,
            self.shape.batch
        );
        let group = self
            .groups
            .iter()
            .find(|g| g.streams.contains(&b))
            .expect("every stream is in a group");
        (group, group.row(b, t, self.shape.steps))
    }

    /// `h_t` of layer `l`, stream `b`, after [`forward`].
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn h(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.hs[l].row(row)
    }

    /// The LSTM's `c_t` of layer `l`, stream `b` (empty for the other cells).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn c(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        row_or_empty(&group.cs[l], row)
    }

    /// The LSTM's `tanh(c_t)` of layer `l`, stream `b` (empty for the other cells).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn tanh_c(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        row_or_empty(&group.tanh_cs[l], row)
    }

    /// The gate values of layer `l`, stream `b`, step `t` (`i, f, g, o` or `r, z, n`;
    /// empty for the RNN).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn gates(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.gates[l].row(row)
    }

    /// The GRU's `W_hn·h_{t−1} + b_hn` of layer `l`, stream `b` (empty for the other cells).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn hn(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        row_or_empty(&group.hns[l], row)
    }

    /// The scores `y_t` of stream `b`.
    ///
    /// # Panics
    ///
    /// If `t` or `b` is out of range.
    #[track_caller]
    pub fn y(&self, t: usize, b: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.ys.row(row)
    }

    /// The probabilities `p_t` of stream `b`.
    ///
    /// # Panics
    ///
    /// If `t` or `b` is out of range.
    #[track_caller]
    pub fn p(&self, t: usize, b: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.ps.row(row)
    }

    /// `∂L/∂y_t` of stream `b`.
    ///
    /// # Panics
    ///
    /// If `t` or `b` is out of range.
    #[track_caller]
    pub fn dy(&self, t: usize, b: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.dys.row(row)
    }

    /// `∂L/∂y_t` of stream `b`, to be written before [`backward_from_dys`].
    ///
    /// # Panics
    ///
    /// If `t` or `b` is out of range.
    #[track_caller]
    pub fn dy_mut(&mut self, t: usize, b: usize) -> &mut [f64] {
        let row = self.place(t, b).1;
        let group = self
            .groups
            .iter_mut()
            .find(|g| g.streams.contains(&b))
            .expect("every stream is in a group");
        group.dys.row_mut(row)
    }

    /// `∂L/∂h_t` of layer `l`, stream `b`, after [`backward`]: everything that reached `h_t`
    /// (the plain `BackwardWork::dhs[t][l]`, row `b`).
    ///
    /// # Panics
    ///
    /// If `t`, `b` or `l` is out of range.
    #[track_caller]
    pub fn dh(&self, t: usize, b: usize, l: usize) -> &[f64] {
        let (group, row) = self.place(t, b);
        group.dhs[l].row(row)
    }

    /// Copies what [`forward`] computed into a plain [`NetworkCache`] (made anew if it does
    /// not fit), so that plain code can read it, or the plain backward pass run from it.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::batch::Chunk;
    /// use min_char_rnn::cells::CellKind;
    /// use min_char_rnn::fast::network::{self as fast, NetworkWorkspace};
    /// use min_char_rnn::network::{self, Network, NetworkCache, State};
    /// let net = Network::new(CellKind::Gru, 4, 6, 2, 3);
    /// let chunk = Chunk::new(2, 2, vec![0, 1, 2, 3], vec![1, 2, 3, 0]);
    /// let mut plain = NetworkCache::new(&net, 2, 2);
    /// network::forward(&net, &chunk, &mut State::zeros(&net, 2), &mut plain);
    /// let mut work = NetworkWorkspace::default();
    /// fast::forward(&net, &chunk, &mut State::zeros(&net, 2), &mut work);
    /// let mut copy = NetworkCache::new(&net, 1, 1);
    /// work.fill_cache(&net, &mut copy);
    /// assert_eq!(copy, plain);
    /// ```
    pub fn fill_cache(&self, network: &Network, cache: &mut NetworkCache) {
        let (batch, steps) = (self.shape.batch, self.shape.steps);
        if !cache.fits(network, batch, steps) {
            *cache = NetworkCache::new(network, batch, steps);
        }
        for group in &self.groups {
            for (b, stream) in group.streams.clone().enumerate() {
                for l in 0..network.num_layers() {
                    let state0 = &mut cache.state0;
                    state0.h[l]
                        .row_mut(stream)
                        .copy_from_slice(group.h0[l].row(b));
                    let c0 = row_or_empty(&group.c0[l], b);
                    state0.c[l].row_mut(stream).copy_from_slice(c0);
                }
            }
        }
        for t in 0..steps {
            for b in 0..batch {
                for (l, step) in cache.steps[t][b].iter_mut().enumerate() {
                    let StepCache {
                        h,
                        gates,
                        c,
                        tanh_c,
                        hn,
                    } = step;
                    h.as_mut_slice().copy_from_slice(self.h(t, b, l));
                    gates.as_mut_slice().copy_from_slice(self.gates(t, b, l));
                    c.as_mut_slice().copy_from_slice(self.c(t, b, l));
                    tanh_c.as_mut_slice().copy_from_slice(self.tanh_c(t, b, l));
                    hn.as_mut_slice().copy_from_slice(self.hn(t, b, l));
                }
                cache.ys[t][b].as_mut_slice().copy_from_slice(self.y(t, b));
                cache.ps[t][b].as_mut_slice().copy_from_slice(self.p(t, b));
            }
        }
    }
}

/// Row `row` of `m`, or nothing if `m` is an empty stand-in for a quantity the cell does not
/// have.
fn row_or_empty(m: &Matrix, row: usize) -> &[f64] {
    if m.rows() == 0 { &[] } else { m.row(row) }
}

/// `0..n` cut into `parts` consecutive ranges whose lengths differ by at most one.
fn split(n: usize, parts: usize) -> Vec<Range<usize>> {
    let (base, extra) = (n / parts, n % parts);
    let mut start = 0;
    (0..parts)
        .map(|p| {
            let len = base + usize::from(p < extra);
            start += len;
            start - len..start
        })
        .collect()
}

/// `0..n` cut into `parts` consecutive ranges of whole tiles of [`TILE_ROWS`] rows, except
/// the last.
fn split_rows(n: usize, parts: usize) -> Vec<Range<usize>> {
    let tiles = split(n.div_ceil(TILE_ROWS), parts);
    tiles
        .into_iter()
        .map(|r| (r.start * TILE_ROWS).min(n)..(r.end * TILE_ROWS).min(n))
        .collect()
}

/// Runs `job` on every part: the first on this thread, each other one on a thread of its own.
// ANCHOR: in_parallel
fn in_parallel<P: Send>(parts: Vec<P>, job: impl Fn(P) + Sync) {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else {
        return;
    };
    if parts.len() == 0 {
        return job(first);
    }
    std::thread::scope(|scope| {
        for part in parts {
            let job = &job;
            scope.spawn(move || job(part));
        }
        job(first);
    });
}
// ANCHOR_END: in_parallel

/// The plain [`network::forward`](crate::network::forward), with the same bits: runs
/// `network` over the chunk from `state`, leaves in `state` the memories after the last step,
/// and keeps in `work` everything the backward pass needs.
///
/// The weights are laid out for the products once; then each group of streams runs on its
/// own thread (`group_forward`).
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
/// use min_char_rnn::fast::network::{self as fast, NetworkWorkspace};
/// use min_char_rnn::network::{self, Network, NetworkCache, State};
/// let net = Network::new(CellKind::Lstm, 5, 8, 2, 3);
/// let chunk = Chunk::new(2, 4, vec![0, 1, 2, 3, 4, 3, 2, 1], vec![1, 2, 3, 4, 3, 2, 1, 0]);
/// let (mut plain_state, mut fast_state) = (State::zeros(&net, 2), State::zeros(&net, 2));
/// let mut cache = NetworkCache::new(&net, 2, 4);
/// network::forward(&net, &chunk, &mut plain_state, &mut cache);
/// let mut work = NetworkWorkspace::with_threads(2);
/// fast::forward(&net, &chunk, &mut fast_state, &mut work);
/// assert_eq!(fast_state, plain_state);
/// assert_eq!(fast::loss(&work, &chunk), network::loss(&cache, &chunk));
/// ```
#[track_caller]
pub fn forward(network: &Network, chunk: &Chunk, state: &mut State, work: &mut NetworkWorkspace) {
    forward_with_dropout(network, chunk, state, work, None);
}

/// The plain [`network::forward_with_dropout`](crate::network::forward_with_dropout), with
/// the same bits: [`forward`] through `dropout`'s masks (`None`, or `p = 0`, for none). The
/// masks are kept in `work`, and [`backward`] goes back through them.
///
/// # Panics
///
/// As [`forward`], and if `dropout` does not fit `network` and the chunk.
// ANCHOR: fast_network_forward
#[track_caller]
pub fn forward_with_dropout(
    network: &Network,
    chunk: &Chunk,
    state: &mut State,
    work: &mut NetworkWorkspace,
    dropout: Option<&Dropout>,
) {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    assert!(
        state.fits(network, batch),
        "forward: the state does not fit {batch} streams of this network"
    );
    check_inputs(network, chunk);
    let dropout = dropout.filter(|masks| masks.is_active()); // p = 0: no masks at all
    if let Some(masks) = dropout {
        assert!(
            masks.fits(network, batch, steps),
            "forward: the dropout masks do not fit ({batch} x {steps})"
        );
    }
    work.fit(network, batch, steps);
    work.dropout = dropout.is_some();
    lay_out_forward(network, &mut work.layouts);
    for group in &mut work.groups {
        group.start_from(state); // h_{−1}, c_{−1}
        if let Some(masks) = dropout {
            group.take_masks(masks, steps);
        }
    }
    let (layouts, with_dropout) = (&work.layouts, work.dropout);
    let groups: Vec<&mut StreamGroup> = work.groups.iter_mut().collect();
    in_parallel(groups, |group| {
        group_forward(network, chunk, layouts, group, with_dropout)
    });
    for group in &work.groups {
        group.hand_on(state); // h_{T−1}, c_{T−1}: what the next chunk starts from
    }
}
// ANCHOR_END: fast_network_forward

/// Panics unless every input of `chunk` is a character of `network`'s vocabulary.
#[track_caller]
fn check_inputs(network: &Network, chunk: &Chunk) {
    for b in 0..chunk.batch_size() {
        for &x in chunk.stream_inputs(b) {
            let v = network.vocab_size();
            assert!(x < v, "forward: input {x} of a vocabulary of {v}");
        }
    }
}

/// Rows `streams` of `from` into `to` (skipped for an empty stand-in).
fn copy_rows(to: &mut Matrix, from: &Matrix, streams: Range<usize>) {
    let cols = from.cols();
    if to.rows() > 0 {
        let rows = &from.as_slice()[streams.start * cols..streams.end * cols];
        to.as_mut_slice().copy_from_slice(rows);
    }
}

/// `from` into rows `streams` of `to` (skipped for an empty stand-in).
fn put_rows(to: &mut Matrix, from: &Matrix, streams: Range<usize>) {
    let cols = to.cols();
    if from.rows() > 0 {
        let rows = &mut to.as_mut_slice()[streams.start * cols..streams.end * cols];
        rows.copy_from_slice(from.as_slice());
    }
}

/// Lays out the weights the forward products read: `W_hhᵀ` of every layer, `W_ihᵀ` above
/// layer 0 (layer 0's as a plain transposed copy, for the column lookup), `W_hyᵀ`.
fn lay_out_forward(network: &Network, layouts: &mut Layouts) {
    for (l, layer) in network.layers.iter().enumerate() {
        layouts.forward_hh[l].pack_transposed(&layer.w_hh);
        if l == 0 {
            transpose_into(&layer.w_ih, &mut layouts.w_ih0_tr);
        } else {
            layouts.forward_ih[l].pack_transposed(&layer.w_ih);
        }
    }
    layouts.forward_hy.pack_transposed(&network.w_hy);
}

/// The forward pass of one group of streams: layer after layer (for layers above 0, the
/// products with the layer's input for all steps first), then the output layer.
// ANCHOR: group_forward
fn group_forward(
    network: &Network,
    chunk: &Chunk,
    layouts: &Layouts,
    group: &mut StreamGroup,
    dropout: bool,
) {
    let (h, gh) = (
        network.hidden_size(),
        network.cell.gates() * network.hidden_size(),
    );
    let rows = group.streams.len() * chunk.steps();
    for l in 0..network.num_layers() {
        if l > 0 {
            // W_ih·x_t for every step and stream at once: x_t is h_t of the layer below
            // (times its dropout mask).
            let below = if dropout {
                apply_masks(
                    &group.hs[l - 1],
                    &group.masks[l - 1],
                    &mut group.dropped[l - 1],
                );
                group.dropped[l - 1].as_slice()
            } else {
                group.hs[l - 1].as_slice()
            };
            let out = group.from_inputs.as_mut_slice();
            product(below, h, rows, &layouts.forward_ih[l], out, gh);
        }
        layer_forward(network, l, chunk, layouts, group);
    }
    output_forward(network, layouts, group, dropout);
}

/// `out = h ⊙ masks`, element by element: the plain
/// [`apply_mask`](crate::network::apply_mask) for every row.
fn apply_masks(h: &Matrix, masks: &Matrix, out: &mut Matrix) {
    let (h, masks) = (h.as_slice(), masks.as_slice());
    for (k, o) in out.as_mut_slice().iter_mut().enumerate() {
        *o = h[k] * masks[k];
    }
}

/// `g = g ⊙ masks`, element by element: a gradient through dropout.
fn mask_in_place(g: &mut Matrix, masks: &Matrix) {
    for (d, m) in g.as_mut_slice().iter_mut().zip(masks.as_slice()) {
        *d *= m;
    }
}
// ANCHOR_END: group_forward

/// One layer of one group over every step: for each step one product, `W_hh·h_{t−1}` for
/// the group's streams, then the cell's arithmetic for each stream.
// ANCHOR: layer_forward
fn layer_forward(
    network: &Network,
    l: usize,
    chunk: &Chunk,
    layouts: &Layouts,
    group: &mut StreamGroup,
) {
    let StreamGroup {
        streams,
        h0,
        c0,
        hs,
        cs,
        tanh_cs,
        gates,
        hns,
        from_inputs,
        from_memory,
        ..
    } = group;
    let layer = &network.layers[l];
    let (h, steps, n) = (network.hidden_size(), chunk.steps(), streams.len());
    let gh = network.cell.gates() * h;
    for t in 0..steps {
        // W_hh·h_{t−1} for the group's streams: rows b·T + t − 1 of hs (or h0 for t = 0).
        let (h_before, stride) = if t == 0 {
            (h0[l].as_slice(), h)
        } else {
            (&hs[l].as_slice()[(t - 1) * h..], steps * h)
        };
        product(
            h_before,
            stride,
            n,
            &layouts.forward_hh[l],
            from_memory.as_mut_slice(),
            gh,
        );
        for b in 0..n {
            let row = b * steps + t;
            let from_input = if l == 0 {
                layouts.w_ih0_tr.row(chunk.input(streams.start + b, t)) // w_ih[(j, x)]
            } else {
                from_inputs.row(row)
            };
            let parts = [from_input, from_memory.row(b), layer.b.as_slice()];
            let (h_prev, h_new) = before_and_now(&h0[l], &mut hs[l], b, t, steps);
            match network.cell {
                CellKind::Rnn => activate(h_new, parts, math::tanh), // h = tanh(…)
                CellKind::Lstm => {
                    let (c_prev, c) = before_and_now(&c0[l], &mut cs[l], b, t, steps);
                    let tanh_c = tanh_cs[l].row_mut(row);
                    lstm_forward(parts, c_prev, gates[l].row_mut(row), c, tanh_c, h_new);
                }
                CellKind::Gru => {
                    let (gates, hn) = (gates[l].row_mut(row), hns[l].row_mut(row));
                    gru_forward(parts, &layer.b_hn, h_prev, gates, hn, h_new);
                }
            }
        }
    }
}
// ANCHOR_END: layer_forward

/// The memory stream `b` starts step `t` from (row `b·T + t − 1` of `m`, or row `b` of `m0`
/// for `t = 0`), and the row step `t` writes.
fn before_and_now<'a>(
    m0: &'a Matrix,
    m: &'a mut Matrix,
    b: usize,
    t: usize,
    steps: usize,
) -> (&'a [f64], &'a mut [f64]) {
    let (cols, row) = (m.cols(), b * steps + t);
    if t == 0 {
        (m0.row(b), m.row_mut(row))
    } else {
        let (before, now) = m.as_mut_slice().split_at_mut(row * cols);
        (&before[(row - 1) * cols..], &mut now[..cols])
    }
}

/// The memory stream `b` started step `t` from: row `b·T + t − 1` of `m`, or row `b` of `m0`
/// for `t = 0`.
fn before<'a>(m0: &'a Matrix, m: &'a Matrix, b: usize, t: usize, steps: usize) -> &'a [f64] {
    if t == 0 {
        m0.row(b)
    } else {
        m.row(b * steps + t - 1)
    }
}

/// `out[j] = f((from_input[j] + from_memory[j]) + b[j])`: a block of gates, the
/// pre-activation added in the plain order.
// ANCHOR: activate
#[inline(always)]
fn activate(out: &mut [f64], [x, m, b]: [&[f64]; 3], f: impl Fn(f64) -> f64) {
    let n = out.len();
    let (x, m, b) = (&x[..n], &m[..n], &b[..n]);
    for j in 0..n {
        out[j] = f((x[j] + m[j]) + b[j]);
    }
}
// ANCHOR_END: activate

/// Block `k` (rows `k·H .. (k+1)·H`) of each of the three pre-activation parts.
fn block(parts: [&[f64]; 3], k: usize, h: usize) -> [&[f64]; 3] {
    parts.map(|part| &part[k * h..(k + 1) * h])
}

/// The LSTM's step for one stream, from the three parts of the pre-activations (`W_ih·x`,
/// `W_hh·h_{t−1}`, `b`): the plain [`lstm::forward_step`](crate::cells::lstm::forward_step),
/// one gate block at a time.
// ANCHOR: lstm_forward
fn lstm_forward(
    parts: [&[f64]; 3],
    c_prev: &[f64],
    gates: &mut [f64],
    c: &mut [f64],
    tanh_c: &mut [f64],
    h: &mut [f64],
) {
    let n = h.len();
    let (i, rest) = gates.split_at_mut(n);
    let (f, rest) = rest.split_at_mut(n);
    let (g, o) = rest.split_at_mut(n);
    activate(i, block(parts, 0, n), sigmoid); // input gate
    activate(f, block(parts, 1, n), sigmoid); // forget gate
    activate(g, block(parts, 2, n), math::tanh); // candidate
    activate(o, block(parts, 3, n), sigmoid); // output gate
    let (c_prev, c, tanh_c) = (&c_prev[..n], &mut c[..n], &mut tanh_c[..n]);
    for j in 0..n {
        c[j] = f[j] * c_prev[j] + i[j] * g[j];
        tanh_c[j] = math::tanh(c[j]);
        h[j] = o[j] * tanh_c[j];
    }
}
// ANCHOR_END: lstm_forward

/// The GRU's step for one stream: the plain
/// [`gru::forward_step`](crate::cells::gru::forward_step), the `r` and `z` blocks first.
fn gru_forward(
    parts: [&[f64]; 3],
    b_hn: &Vector,
    h_prev: &[f64],
    gates: &mut [f64],
    hn: &mut [f64],
    h: &mut [f64],
) {
    let n = h.len();
    let (r, rest) = gates.split_at_mut(n);
    let (z, candidate) = rest.split_at_mut(n);
    activate(r, block(parts, 0, n), sigmoid); // reset gate
    activate(z, block(parts, 1, n), sigmoid); // update gate
    let [x_n, m_n, b_n] = block(parts, 2, n);
    let (b_hn, h_prev, hn) = (&b_hn.as_slice()[..n], &h_prev[..n], &mut hn[..n]);
    for j in 0..n {
        let from_input = x_n[j] + b_n[j]; // W_in·x + b_in
        hn[j] = m_n[j] + b_hn[j]; // W_hn·h_{t−1} + b_hn
        candidate[j] = math::tanh(from_input + r[j] * hn[j]);
        h[j] = (1.0 - z[j]) * candidate[j] + z[j] * h_prev[j];
    }
}

/// The output layer for every step and stream of a group: `y = W_hy·h_top + b_y`, one
/// product, then `p = softmax(y)` row by row.
fn output_forward(network: &Network, layouts: &Layouts, group: &mut StreamGroup, dropout: bool) {
    let StreamGroup {
        hs,
        ys,
        ps,
        y,
        p,
        masks,
        dropped,
        ..
    } = group;
    let (v, h, rows) = (network.vocab_size(), network.hidden_size(), ys.rows());
    let l = network.num_layers() - 1;
    let top = if dropout {
        apply_masks(&hs[l], &masks[l], &mut dropped[l]); // h_top ⊙ m
        dropped[l].as_slice()
    } else {
        hs[l].as_slice()
    };
    product(top, h, rows, &layouts.forward_hy, ys.as_mut_slice(), v); // W_hy·h, every row
    for row in 0..rows {
        let scores = ys.row_mut(row);
        for k in 0..v {
            scores[k] += network.b_y[k]; // + b_y
        }
        y.as_mut_slice().copy_from_slice(scores);
        softmax_with_temperature(y, 1.0, p); // p = softmax(y)
        ps.row_mut(row).copy_from_slice(p.as_slice());
    }
}

/// The mean loss per character, as the plain [`network::loss`](crate::network::loss): the
/// same sum, in the same order (`t`, then `b`), from the probabilities in `work`.
///
/// # Panics
///
/// If the chunk is not the one [`forward`] ran, or a target is `>= V`.
#[track_caller]
pub fn loss(work: &NetworkWorkspace, chunk: &Chunk) -> f64 {
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    check_chunk("loss", work, chunk);
    let mut sum = 0.0;
    for t in 0..steps {
        for b in 0..batch {
            let p = work.p(t, b);
            sum += -p[chunk.target(b, t)].ln(); // −ln p[target], the plain cross_entropy
        }
    }
    sum / (batch * steps) as f64
}

/// `∂L/∂y = (p − onehot(target)) / (B·T)` for every step and stream, into the groups' `dys`:
/// the plain [`network::output_gradients`](crate::network::output_gradients).
///
/// # Panics
///
/// If the chunk is not the one [`forward`] ran, or a target is `>= V`.
#[track_caller]
pub fn output_gradients(work: &mut NetworkWorkspace, chunk: &Chunk) {
    let steps = chunk.steps();
    check_chunk("output_gradients", work, chunk);
    let count = (chunk.batch_size() * steps) as f64;
    for group in &mut work.groups {
        for (b, stream) in group.streams.clone().enumerate() {
            for t in 0..steps {
                let row = b * steps + t;
                let target = chunk.target(stream, t);
                let dy = group.dys.row_mut(row);
                dy.copy_from_slice(group.ps.row(row)); // p
                dy[target] -= 1.0; //                     − onehot
                for d in dy.iter_mut() {
                    *d /= count; // the loss is a mean over B·T characters
                }
            }
        }
    }
}

/// Panics unless `work` was sized for `chunk`.
#[track_caller]
fn check_chunk(op: &str, work: &NetworkWorkspace, chunk: &Chunk) {
    assert!(
        work.shape.batch == chunk.batch_size() && work.shape.steps == chunk.steps(),
        "{op}: a chunk of ({} x {}) with a workspace of ({} x {})",
        chunk.batch_size(),
        chunk.steps(),
        work.shape.batch,
        work.shape.steps
    );
}

/// The plain [`network::backward`](crate::network::backward), with the same bits: the output
/// gradients ([`output_gradients`]), then [`backward_from_dys`]. Writes the gradients of the
/// mean loss into `grads` and returns `∂L/∂` the state the chunk started from.
///
/// # Panics
///
/// If `work` does not hold a forward pass of this network over this chunk.
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::fast::network::{self as fast, NetworkWorkspace};
/// use min_char_rnn::network::{self, BackwardWork, Network, NetworkCache, NetworkGrads, State};
/// let net = Network::new(CellKind::Gru, 4, 6, 2, 5);
/// let chunk = Chunk::new(2, 3, vec![0, 1, 2, 3, 2, 1], vec![1, 2, 3, 2, 1, 0]);
/// let mut cache = NetworkCache::new(&net, 2, 3);
/// network::forward(&net, &chunk, &mut State::zeros(&net, 2), &mut cache);
/// let mut plain = NetworkGrads::zeros_like(&net);
/// let mut plain_work = BackwardWork::new(&net, 2, 3);
/// network::backward(&net, &cache, &chunk, &mut plain, &mut plain_work);
///
/// let mut work = NetworkWorkspace::with_threads(2);
/// fast::forward(&net, &chunk, &mut State::zeros(&net, 2), &mut work);
/// let mut quick = NetworkGrads::zeros_like(&net);
/// let d_state = fast::backward(&net, &chunk, &mut quick, &mut work);
/// assert_eq!(d_state, &plain_work.d_state);
/// assert_eq!(quick, plain);
/// ```
#[track_caller]
pub fn backward<'w>(
    network: &Network,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut NetworkWorkspace,
) -> &'w State {
    output_gradients(work, chunk); // dy = (p − onehot) / (B·T)
    backward_from_dys(network, chunk, grads, work)
}

/// Backpropagation from the score gradients already in the groups' `dys`, as the plain
/// [`network::backward_from_dys`](crate::network::backward_from_dys): writes the gradients
/// into `grads`, every `∂L/∂h_t` into the groups' `dhs`, and returns `∂L/∂` the starting
/// state (also in `work.d_state`).
///
/// Two parts, each on every thread. First each group of streams, alone
/// (`group_backward`): `W_hyᵀ·dy`, then each layer from the top down, its time loop from
/// the last step to the first and the gradient it hands to the layer below. Then the weight
/// gradients, sums over every step and stream (`weight_gradients`), each thread computing
/// some of their rows.
///
/// # Panics
///
/// If `work` does not hold a forward pass of this network over this chunk.
// ANCHOR: fast_backward_from_dys
#[track_caller]
pub fn backward_from_dys<'w>(
    network: &Network,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &'w mut NetworkWorkspace,
) -> &'w State {
    check_chunk("backward_from_dys", work, chunk);
    let shape = work.shape;
    assert!(
        shape.cell == Some(network.cell)
            && (shape.vocab, shape.hidden, shape.layers)
                == (
                    network.vocab_size(),
                    network.hidden_size(),
                    network.num_layers()
                ),
        "backward_from_dys: the workspace holds another network's forward pass"
    );
    if !grads.fits(network) {
        *grads = NetworkGrads::zeros_like(network);
    }
    lay_out_backward(network, &mut work.layouts);
    let (layouts, with_dropout) = (&work.layouts, work.dropout);
    let groups: Vec<&mut StreamGroup> = work.groups.iter_mut().collect();
    in_parallel(groups, |group| {
        group_backward(network, chunk, layouts, group, with_dropout)
    });
    weight_gradients(network, chunk, grads, work);
    for group in &work.groups {
        for l in 0..network.num_layers() {
            put_rows(&mut work.d_state.h[l], &group.d_h[l], group.streams.clone()); // ∂L/∂h_{−1}
            put_rows(&mut work.d_state.c[l], &group.d_c[l], group.streams.clone()); // ∂L/∂c_{−1}
        }
    }
    &work.d_state
}
// ANCHOR_END: fast_backward_from_dys

/// Lays out the weights the backward products read: `W_hh` of every layer, `W_ih` above
/// layer 0 and `W_hy`, each as it is.
fn lay_out_backward(network: &Network, layouts: &mut Layouts) {
    for (l, layer) in network.layers.iter().enumerate() {
        layouts.backward_hh[l].pack(&layer.w_hh);
        if l > 0 {
            layouts.backward_ih[l].pack(&layer.w_ih);
        }
    }
    layouts.backward_hy.pack(&network.w_hy);
}

/// The backward pass of one group of streams, up to the weight gradients: `W_hyᵀ·dy` for
/// every step and stream, then each layer from the top down: its time loop, and
/// `dx = W_ihᵀ·dgates`, the gradient from above of the layer below, one product.
// ANCHOR: group_backward
fn group_backward(
    network: &Network,
    chunk: &Chunk,
    layouts: &Layouts,
    group: &mut StreamGroup,
    dropout: bool,
) {
    let (v, h) = (network.vocab_size(), network.hidden_size());
    let (top, rows) = (network.num_layers() - 1, group.dys.rows());
    let above = group.dhs[top].as_mut_slice();
    product(
        group.dys.as_slice(),
        v,
        rows,
        &layouts.backward_hy,
        above,
        h,
    ); // W_hyᵀ·dy
    if dropout {
        mask_in_place(&mut group.dhs[top], &group.masks[top]); // (W_hyᵀ·dy) ⊙ m
    }
    for l in (0..network.num_layers()).rev() {
        layer_backward(network, l, chunk.steps(), layouts, group);
        if l > 0 {
            let dgates = &group.dgates[l];
            let below = group.dhs[l - 1].as_mut_slice();
            let (a, stride) = (dgates.as_slice(), dgates.cols());
            product(a, stride, rows, &layouts.backward_ih[l], below, h); // dx = W_ihᵀ·dgates
            if dropout {
                mask_in_place(&mut group.dhs[l - 1], &group.masks[l - 1]); // dx ⊙ m
            }
        }
    }
}
// ANCHOR_END: group_backward

/// One layer's time loop for one group, from the last step to the first: `dh = above +
/// dhnext`, the cell's backward arithmetic for each stream, and one product per step for
/// `dh_{t−1}` of the group's streams.
// ANCHOR: layer_backward
fn layer_backward(
    network: &Network,
    l: usize,
    steps: usize,
    layouts: &Layouts,
    group: &mut StreamGroup,
) {
    let StreamGroup {
        h0,
        c0,
        hs,
        cs,
        tanh_cs,
        gates,
        hns,
        dhs,
        dgates,
        dgates_h,
        d_h,
        d_c,
        ..
    } = group;
    let (h, n) = (network.hidden_size(), h0[l].rows());
    let gh = network.cell.gates() * h;
    d_h[l].fill(0.0); // nothing reaches the last step from a step after it
    d_c[l].fill(0.0);
    for t in (0..steps).rev() {
        for b in 0..n {
            let row = b * steps + t;
            let dh = dhs[l].row_mut(row);
            let dhnext = d_h[l].row(b); // ∂L/∂h_t through step t+1
            for j in 0..h {
                dh[j] += dhnext[j]; // from above + from step t+1
            }
            let dgates_row = &mut dgates[l].row_mut(row)[..gh];
            match network.cell {
                CellKind::Rnn => {
                    let h_t = hs[l].row(row);
                    for j in 0..h {
                        dgates_row[j] = (1.0 - h_t[j] * h_t[j]) * dh[j]; // tanh' = 1 − h²
                    }
                }
                CellKind::Lstm => lstm_backward(
                    [
                        gates[l].row(row),
                        tanh_cs[l].row(row),
                        before(&c0[l], &cs[l], b, t, steps),
                    ],
                    dh,
                    d_c[l].row_mut(b), // dcnext in, dc_prev out
                    dgates_row,
                ),
                CellKind::Gru => gru_backward(
                    [
                        gates[l].row(row),
                        hns[l].row(row),
                        before(&h0[l], &hs[l], b, t, steps),
                    ],
                    dh,
                    dgates_row,
                    &mut dgates_h[l].row_mut(row)[..gh],
                ),
            }
        }
        // dh_{t−1} = W_hhᵀ·dgates for the group's streams (rows b·T + t): one product.
        let from = if network.cell == CellKind::Gru {
            &dgates_h[l]
        } else {
            &dgates[l]
        };
        let stride = from.cols();
        let rows = &from.as_slice()[t * stride..];
        product(
            rows,
            steps * stride,
            n,
            &layouts.backward_hh[l],
            d_h[l].as_mut_slice(),
            h,
        );
        if network.cell == CellKind::Gru {
            for b in 0..n {
                let row = b * steps + t;
                let (z, dh) = (&gates[l].row(row)[h..2 * h], dhs[l].row(row));
                let dhnext = d_h[l].row_mut(b);
                for j in 0..h {
                    dhnext[j] += dh[j] * z[j]; // + dh ⊙ z
                }
            }
        }
    }
}
// ANCHOR_END: layer_backward

/// The LSTM's backward arithmetic for one stream, from the gates, `tanh(c_t)` and `c_{t−1}`:
/// the plain [`lstm::backward_step`](crate::cells::lstm::backward_step) without its
/// products. `dc` holds `dcnext` on the way in and `dc_prev` on the way out.
// ANCHOR: lstm_backward
fn lstm_backward(
    [gates, tanh_c, c_prev]: [&[f64]; 3],
    dh: &[f64],
    dc: &mut [f64],
    dgates: &mut [f64],
) {
    let n = dh.len();
    let (i, f, g, o) = (
        &gates[..n],
        &gates[n..2 * n],
        &gates[2 * n..3 * n],
        &gates[3 * n..4 * n],
    );
    let (d_i, rest) = dgates.split_at_mut(n);
    let (d_f, rest) = rest.split_at_mut(n);
    let (d_g, d_o) = rest.split_at_mut(n);
    let (tanh_c, c_prev, dc, d_o) = (&tanh_c[..n], &c_prev[..n], &mut dc[..n], &mut d_o[..n]);
    for j in 0..n {
        let dc_j = dh[j] * o[j] * (1.0 - tanh_c[j] * tanh_c[j]) + dc[j]; // via h_t, via c_{t+1}
        d_i[j] = dc_j * g[j] * i[j] * (1.0 - i[j]);
        d_f[j] = dc_j * c_prev[j] * f[j] * (1.0 - f[j]);
        d_g[j] = dc_j * i[j] * (1.0 - g[j] * g[j]);
        d_o[j] = dh[j] * tanh_c[j] * o[j] * (1.0 - o[j]);
        dc[j] = dc_j * f[j]; // dc_prev
    }
}
// ANCHOR_END: lstm_backward

/// The GRU's backward arithmetic for one stream, from the gates, `hn` and `h_{t−1}`: the
/// plain [`gru::backward_step`](crate::cells::gru::backward_step) without its products.
fn gru_backward(
    [gates, hn, h_prev]: [&[f64]; 3],
    dh: &[f64],
    dgates: &mut [f64],
    dgates_h: &mut [f64],
) {
    let n = dh.len();
    let (r, z, candidate) = (&gates[..n], &gates[n..2 * n], &gates[2 * n..3 * n]);
    let (hn, h_prev) = (&hn[..n], &h_prev[..n]);
    let (d_r, rest) = dgates.split_at_mut(n);
    let (d_z, d_n) = rest.split_at_mut(n);
    let (dh_r, rest) = dgates_h.split_at_mut(n);
    let (dh_z, dh_n) = rest.split_at_mut(n);
    for j in 0..n {
        let dn = dh[j] * (1.0 - z[j]);
        let dz = dh[j] * (h_prev[j] - candidate[j]);
        let dan = dn * (1.0 - candidate[j] * candidate[j]);
        let dr = dan * hn[j];
        let dar = dr * r[j] * (1.0 - r[j]);
        let daz = dz * z[j] * (1.0 - z[j]);
        (d_r[j], d_z[j], d_n[j]) = (dar, daz, dan);
        (dh_r[j], dh_z[j], dh_n[j]) = (dar, daz, dan * r[j]);
    }
}

/// What every thread reads while it computes its rows of the weight gradients: the rows of
/// each sum's left side and the inputs, listed in the order of the terms (`t` from `T−1` down
/// to 0, then the streams), and the right sides laid out in the same order.
struct Sums<'a> {
    /// `T·B`, the number of terms of each sum.
    count: usize,
    /// `B`: in [`NetworkWorkspace::terms`], the rows of `h_{t−1}` start at row `B`.
    batch: usize,
    dys: Vec<&'a [f64]>,
    /// Per layer, the rows of `dgates` and (GRU) `dgates_h`.
    dgates: Vec<Vec<&'a [f64]>>,
    dgates_h: Vec<Vec<&'a [f64]>>,
    /// The characters, for layer 0's `dW_ih`.
    inputs: Vec<usize>,
    /// [`NetworkWorkspace::terms`].
    terms: &'a [Panels],
    /// What each layer handed upward, in the order of the sums: `terms` without dropout,
    /// [`NetworkWorkspace::dropped_terms`] with it.
    upward: &'a [Panels],
}

/// One thread's share of the weight gradients: rows `hy` of `dW_hy` and of `db_y`, and per
/// layer rows `gates` of `dW_ih`, `dW_hh`, `db`, and numbers `hn` of `db_hn`.
struct Share<'a> {
    hy: Range<usize>,
    dw_hy: &'a mut [f64],
    db_y: &'a mut [f64],
    layers: Vec<LayerShare<'a>>,
}

/// One layer's part of a [`Share`].
struct LayerShare<'a> {
    gates: Range<usize>,
    dw_ih: &'a mut [f64],
    dw_hh: &'a mut [f64],
    db: &'a mut [f64],
    hn: Range<usize>,
    db_hn: &'a mut [f64],
    /// Layer 0: this share's part of `dW_ihᵀ`, `(V, gates.len())`.
    one_hot: Option<&'a mut Matrix>,
}

/// The weight gradients, every one a sum over all steps and streams, its terms in the plain
/// order: `t` from `T−1` down to 0, and the streams `b = 0..B` within a step. The terms' rows
/// are listed in that order, the right sides laid out (one layout per layer serves two sums),
/// and each thread computes its rows of every gradient ([`compute_share`]).
// ANCHOR: weight_gradients
fn weight_gradients(
    network: &Network,
    chunk: &Chunk,
    grads: &mut NetworkGrads,
    work: &mut NetworkWorkspace,
) {
    let NetworkWorkspace {
        shape,
        groups,
        terms,
        one_hot_parts,
        dropout,
        dropped_terms,
        ..
    } = work;
    let (steps, layers, h) = (shape.steps, shape.layers, shape.hidden);
    // (group, stream in the group, step) of every term, in the order of the sums, then the
    // rows h_{−1} the chunk started from.
    let mut order = Vec::with_capacity((steps + 1) * shape.batch);
    for t in (0..steps).rev() {
        for (g, group) in groups.iter().enumerate() {
            order.extend((0..group.streams.len()).map(|b| (g, b, t)));
        }
    }
    let rows_of = |m: &dyn Fn(&StreamGroup) -> &Matrix| -> Vec<&[f64]> {
        let row = |&(g, b, t): &(usize, usize, usize)| m(&groups[g]).row(b * steps + t);
        order.iter().map(row).collect()
    };
    // Per layer, h_t for t = T−1 down to 0, then h_{−1}: rows 0..T·B are the h_t of the
    // sums (for dW_ih of the layer above, or dW_hy), rows B..(T+1)·B their h_{t−1} (dW_hh).
    let h_rows: Vec<Vec<&[f64]>> = (0..layers)
        .map(|l| {
            let mut rows = rows_of(&|g| &g.hs[l]);
            for group in groups.iter() {
                rows.extend((0..group.streams.len()).map(|b| group.h0[l].row(b)));
            }
            rows
        })
        .collect();
    let jobs: Vec<_> = terms.iter_mut().zip(&h_rows).collect();
    in_parallel(bundles(jobs, groups.len()), |bundle| {
        for (panels, rows) in bundle {
            panels.pack_rows(rows, h);
        }
    });
    if *dropout {
        // With dropout the layer above and the output layer read h_t ⊙ m_t: lay those out
        // too (h_{t−1} for dW_hh stays undropped).
        let dropped_rows: Vec<Vec<&[f64]>> =
            (0..layers).map(|l| rows_of(&|g| &g.dropped[l])).collect();
        let jobs: Vec<_> = dropped_terms.iter_mut().zip(&dropped_rows).collect();
        in_parallel(bundles(jobs, groups.len()), |bundle| {
            for (panels, rows) in bundle {
                panels.pack_rows(rows, h);
            }
        });
    }
    let sums = Sums {
        count: order.len(),
        batch: shape.batch,
        dys: rows_of(&|g| &g.dys),
        dgates: (0..layers).map(|l| rows_of(&|g| &g.dgates[l])).collect(),
        dgates_h: (0..layers)
            .map(|l| {
                if network.cell == CellKind::Gru {
                    rows_of(&|g| &g.dgates_h[l])
                } else {
                    Vec::new()
                }
            })
            .collect(),
        inputs: order
            .iter()
            .map(|&(g, b, t)| chunk.input(groups[g].streams.start + b, t))
            .collect(),
        upward: if *dropout { dropped_terms } else { terms },
        terms,
    };
    let shares = shares(grads, one_hot_parts, h);
    in_parallel(shares, |share| compute_share(network, &sums, share));
}
// ANCHOR_END: weight_gradients

/// `jobs` dealt into `parts` bundles, round-robin (fewer if there are fewer jobs).
fn bundles<J>(jobs: Vec<J>, parts: usize) -> Vec<Vec<J>> {
    let mut bundles: Vec<Vec<J>> = (0..parts.min(jobs.len())).map(|_| Vec::new()).collect();
    let count = bundles.len();
    for (k, job) in jobs.into_iter().enumerate() {
        bundles[k % count].push(job);
    }
    bundles
}

/// Cuts every gradient into one [`Share`] per thread (one per part of `one_hot_parts`), by
/// rows.
fn shares<'a>(
    grads: &'a mut NetworkGrads,
    one_hot_parts: &'a mut [Matrix],
    h: usize,
) -> Vec<Share<'a>> {
    let parts = one_hot_parts.len();
    let hy_rows = split_rows(grads.db_y.len(), parts);
    let dw_hy = cut(grads.dw_hy.as_mut_slice(), &hy_rows, h);
    let db_y = cut(grads.db_y.as_mut_slice(), &hy_rows, 1);
    let mut shares: Vec<Share> = (hy_rows.into_iter().zip(dw_hy).zip(db_y))
        .map(|((hy, dw_hy), db_y)| Share {
            hy,
            dw_hy,
            db_y,
            layers: Vec::new(),
        })
        .collect();
    for layer in grads.layers.iter_mut() {
        let gate_rows = split_rows(layer.db.len(), parts);
        let hn_rows = split(layer.db_hn.len(), parts);
        let input_size = layer.dw_ih.cols();
        let pieces = (cut(layer.dw_ih.as_mut_slice(), &gate_rows, input_size).into_iter())
            .zip(cut(layer.dw_hh.as_mut_slice(), &gate_rows, h))
            .zip(cut(layer.db.as_mut_slice(), &gate_rows, 1))
            .zip(cut(layer.db_hn.as_mut_slice(), &hn_rows, 1));
        for (p, (((dw_ih, dw_hh), db), db_hn)) in pieces.enumerate() {
            shares[p].layers.push(LayerShare {
                gates: gate_rows[p].clone(),
                dw_ih,
                dw_hh,
                db,
                hn: hn_rows[p].clone(),
                db_hn,
                one_hot: None,
            });
        }
    }
    for (share, part) in shares.iter_mut().zip(one_hot_parts) {
        share.layers[0].one_hot = Some(part); // layer 0 reads characters
    }
    shares
}

/// `data`, rows of `cols` numbers, cut into the row ranges `rows` (consecutive, from 0).
fn cut<'a>(mut data: &'a mut [f64], rows: &[Range<usize>], cols: usize) -> Vec<&'a mut [f64]> {
    let mut pieces = Vec::with_capacity(rows.len());
    for range in rows {
        let (piece, rest) = std::mem::take(&mut data).split_at_mut(range.len() * cols);
        pieces.push(piece);
        data = rest;
    }
    pieces
}

/// One thread's rows of every weight gradient, each a sum over the terms in the order of
/// `sums`.
// ANCHOR: compute_share
fn compute_share(network: &Network, sums: &Sums, share: Share) {
    let h = network.hidden_size();
    let Share {
        hy,
        dw_hy,
        db_y,
        layers,
    } = share;
    let (count, batch) = (sums.count, sums.batch);
    let h_t = |l: usize| sums.upward[l].rows(0..count); // h_t of layer l (⊙ m), in sum order
    let h_before = |l: usize| sums.terms[l].rows(batch..batch + count); // and h_{t−1}
    let top = layers.len() - 1;
    product_transposed(&sums.dys, hy.start, hy.len(), h_t(top), dw_hy, h); // Σ dy·h_topᵀ
    add_rows(db_y, &sums.dys, hy.start); // db_y = Σ dy
    for (l, part) in layers.into_iter().enumerate() {
        let LayerShare {
            gates,
            dw_ih,
            dw_hh,
            db,
            hn,
            db_hn,
            one_hot,
        } = part;
        let dgates = &sums.dgates[l];
        let for_w_hh = if network.cell == CellKind::Gru {
            &sums.dgates_h[l]
        } else {
            dgates
        };
        let first = gates.start;
        let rows = gates.len();
        product_transposed(for_w_hh, first, rows, h_before(l), dw_hh, h); // Σ dgates·h_{t−1}ᵀ
        if l > 0 {
            product_transposed(dgates, first, rows, h_t(l - 1), dw_ih, h); // Σ dgates·xᵀ
        } else {
            let one_hot = one_hot.expect("layer 0 has its part of dW_ihᵀ");
            one_hot.fill(0.0);
            for (row, &x) in dgates.iter().zip(&sums.inputs) {
                let column = one_hot.row_mut(x); // column x of dW_ih, these rows
                for (d, g) in column.iter_mut().zip(&row[first..first + rows]) {
                    *d += g; // dW_ih += dgates·xᵀ
                }
            }
            let v = one_hot.rows();
            for j in 0..rows {
                for x in 0..v {
                    dw_ih[j * v + x] = one_hot[(x, j)];
                }
            }
        }
        add_rows(db, dgates, first); // db = Σ dgates
        if network.cell == CellKind::Gru {
            add_rows(db_hn, &sums.dgates_h[l], 2 * h + hn.start); // db_hn = Σ dan ⊙ r
        }
    }
}
// ANCHOR_END: compute_share

/// `sum = Σ_k rows[k][first..first + sum.len()]`, from zero, in the order of `rows`.
fn add_rows(sum: &mut [f64], rows: &[&[f64]], first: usize) {
    sum.fill(0.0);
    for row in rows {
        for (s, x) in sum.iter_mut().zip(&row[first..]) {
            *s += x;
        }
    }
}

/// Forward, loss and backward in one call, as a training step needs them: returns the mean
/// loss, leaves the gradients in `grads` and the state after the chunk in `state`.
///
/// # Panics
///
/// As [`forward`] and [`backward`].
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::fast::network::{NetworkWorkspace, loss_and_gradients};
/// use min_char_rnn::network::{Network, NetworkGrads, State};
/// let net = Network::new(CellKind::Lstm, 5, 8, 2, 1);
/// let chunk = Chunk::new(1, 3, vec![0, 1, 2], vec![1, 2, 3]);
/// let (mut state, mut grads) = (State::zeros(&net, 1), NetworkGrads::zeros_like(&net));
/// let loss = loss_and_gradients(&net, &chunk, &mut state, &mut grads, &mut NetworkWorkspace::default());
/// assert!((loss - 5f64.ln()).abs() < 0.05); // small weights: about uniform guesses
/// ```
pub fn loss_and_gradients(
    network: &Network,
    chunk: &Chunk,
    state: &mut State,
    grads: &mut NetworkGrads,
    work: &mut NetworkWorkspace,
) -> f64 {
    forward(network, chunk, state, work);
    let loss = loss(work, chunk);
    backward(network, chunk, grads, work);
    loss
}

/// The fast path as an engine of the char-rnn trainer
/// ([`NetworkTrainer::with_engine`](crate::charrnn::NetworkTrainer::with_engine)): the same
/// bits as the plain path's [`Plain`](crate::charrnn::Plain) engine, with matrix–matrix
/// products, on as many threads as its workspace has (the bits do not depend on how many).
///
/// # Examples
///
/// ```
/// use min_char_rnn::batch::Chunk;
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::charrnn::{Engine, Plain};
/// use min_char_rnn::fast::network::Fast;
/// use min_char_rnn::network::{Network, NetworkGrads, State};
/// let net = Network::new(CellKind::Lstm, 4, 3, 2, 1);
/// let chunk = Chunk::new(2, 3, vec![0, 1, 2, 3, 2, 1], vec![1, 2, 3, 2, 1, 0]);
/// let (mut plain_grads, mut fast_grads) = (NetworkGrads::zeros_like(&net), NetworkGrads::zeros_like(&net));
/// let plain = Plain::default().loss_and_gradients(&net, &chunk, &mut State::zeros(&net, 2), &mut plain_grads, None);
/// let fast = Fast::with_threads(2).loss_and_gradients(&net, &chunk, &mut State::zeros(&net, 2), &mut fast_grads, None);
/// assert_eq!(plain.to_bits(), fast.to_bits());
/// assert_eq!(plain_grads, fast_grads);
/// ```
// ANCHOR: fast_network_engine
#[derive(Clone, Debug, Default)]
pub struct Fast {
    /// The passes' buffers and threads.
    pub work: NetworkWorkspace,
}

impl Fast {
    /// An engine whose passes run on `threads` threads (0 counts as 1).
    pub fn with_threads(threads: usize) -> Fast {
        Fast {
            work: NetworkWorkspace::with_threads(threads),
        }
    }

    /// An engine with one thread per core the machine offers.
    pub fn on_all_cores() -> Fast {
        Fast::with_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }
}

impl crate::charrnn::Engine for Fast {
    fn loss_and_gradients(
        &mut self,
        network: &Network,
        chunk: &Chunk,
        state: &mut State,
        grads: &mut NetworkGrads,
        dropout: Option<&Dropout>,
    ) -> f64 {
        forward_with_dropout(network, chunk, state, &mut self.work, dropout);
        let loss = loss(&self.work, chunk);
        backward(network, chunk, grads, &mut self.work);
        loss
    }

    fn loss(&mut self, network: &Network, chunk: &Chunk, state: &mut State) -> f64 {
        forward(network, chunk, state, &mut self.work);
        loss(&self.work, chunk)
    }

    fn boxed_clone(&self) -> Box<dyn crate::charrnn::Engine> {
        Box::new(self.clone())
    }
}
// ANCHOR_END: fast_network_engine
