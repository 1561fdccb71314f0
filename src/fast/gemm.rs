//! Matrix–matrix products for the fast path of Part II: many streams, steps and gate rows at
//! once, with the plain path's bits.
//!
//! Part I's kernels ([`kernels`](super::kernels)) multiply a matrix by one vector, or by a
//! list of vectors. Part II's network runs `B` streams side by side, so almost every product
//! of the plain path, done once per stream, becomes one product of two matrices: `B` (or
//! `B·T`) rows on the left, a weight matrix on the right. Two kernels compute all of them:
//!
//! | kernel | computes | each output is |
//! |---|---|---|
//! | [`product`] | `out = A·W` | `Σ_k A[i, k]·W[k, j]`, `k = 0, 1, …`: a plain `matvec` of row `i` of `A` |
//! | [`product_transposed`] | `out = Aᵀ·W` | `Σ_k A[k, i]·W[k, j]`, `k = 0, 1, …`: `add_outer` of row `k` of `A` and of `W`, `k = 0, 1, …` |
//!
//! Each output starts at `0.0` and gets its terms one after another in the order of `k`, as
//! the plain loops add them, and Rust never fuses a multiplication and an addition into one
//! rounding: each result is the plain path's, to the last bit.
//!
//! ## How they are fast
//!
//! - **Tiles in registers.** The outputs are cut into tiles of [`TILE_ROWS`] rows by up to
//!   [`PANEL`] columns: 5 × 32 numbers, twenty of the 32 512-bit registers. A tile starts at
//!   zero, stays in registers while the terms are added to it, and is stored once. Each term
//!   reads one number of `A` per row (broadcast to a whole register) and one row piece of
//!   `W` (four registers), used by all five rows: twenty multiplications and twenty additions
//!   of eight numbers each for nine loads.
//! - **Panels.** `W` is copied once per pass into [`Panels`]: column blocks of [`PANEL`]
//!   columns, each stored as `K` rows of 32 contiguous numbers, so that a tile reads `W`
//!   front to back (a row of a weight matrix with 512 columns is 4 KiB long, and reading 32
//!   columns of many such rows fights the cache's associativity).
//! - **Blocks of terms.** The terms are taken [`DEPTH`] at a time: a panel's block of
//!   `DEPTH` rows (32 KiB) stays in the caches close to the core while every tile of a group
//!   of [`GROUP_ROWS`] output rows uses it. Between two blocks a tile goes to memory and
//!   comes back: a double stored and loaded is the same double, so the sum goes on exactly as
//!   it would have in registers.

use crate::Matrix;

// ANCHOR: gemm_sizes
/// The columns of a full panel, and of a full tile: four 512-bit registers of `f64`.
pub const PANEL: usize = 32;

/// The rows of a full tile: with [`PANEL`] columns, 20 registers of running sums. (Five
/// rows also divide char-rnn's 50 streams, and the 25 of each of two threads.)
pub const TILE_ROWS: usize = 5;

/// How many terms of each sum a tile adds before the next tile's turn.
pub const DEPTH: usize = 128;

/// How many output rows share one block of a panel while it is in the level-1 cache.
pub const GROUP_ROWS: usize = 30;
// ANCHOR_END: gemm_sizes

/// A `(K × N)` matrix `W` laid out for [`product`] and [`product_transposed`]: column blocks
/// of [`PANEL`] columns, each stored as `K` rows of its columns, one after another. The
/// last block holds the columns left over, padded with zeros to a multiple of 8 (its
/// padding is computed like any column, and never stored).
///
/// # Examples
///
/// ```
/// use min_char_rnn::Matrix;
/// use min_char_rnn::fast::gemm::Panels;
/// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
/// let mut panels = Panels::default();
/// panels.pack_transposed(&w); // Wᵀ: K = 3, N = 2
/// assert_eq!((panels.depth(), panels.cols()), (3, 2));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panels {
    depth: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Panels {
    /// `K`, the number of terms of each sum (rows of `W`).
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// `N`, the number of output columns (columns of `W`).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The number of column blocks.
    fn count(&self) -> usize {
        self.cols.div_ceil(PANEL)
    }

    /// Block `p`: its numbers (`K` rows of `width`), `width` (a multiple of 8), its first
    /// column and how many of its columns are real.
    fn panel(&self, p: usize) -> (&[f64], usize, usize, usize) {
        let first = p * PANEL;
        let real = (self.cols - first).min(PANEL);
        let width = real.div_ceil(8) * 8;
        let start = first * self.depth; // every block before this one is PANEL wide
        (
            &self.data[start..start + width * self.depth],
            width,
            first,
            real,
        )
    }

    /// Lays out the `(depth × cols)` matrix whose element `(k, n)` is `value(k, n)`,
    /// reusing the buffer (it allocates only when the matrix grows).
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::fast::gemm::Panels;
    /// let mut panels = Panels::default();
    /// panels.pack_with(2, 40, |k, n| (k * 100 + n) as f64);
    /// assert_eq!(panels.cols(), 40); // blocks of 32 and 8 columns
    /// ```
    pub fn pack_with(&mut self, depth: usize, cols: usize, value: impl Fn(usize, usize) -> f64) {
        self.depth = depth;
        self.cols = cols;
        let len = cols.div_ceil(8) * 8 * depth;
        self.data.clear();
        self.data.resize(len, 0.0); // within the capacity once the sizes are known
        for p in 0..self.count() {
            let first = p * PANEL;
            let real = (cols - first).min(PANEL);
            let width = real.div_ceil(8) * 8;
            let block = &mut self.data[first * depth..(first + width) * depth];
            for (k, row) in block.chunks_exact_mut(width).enumerate() {
                for (c, x) in row[..real].iter_mut().enumerate() {
                    *x = value(k, first + c);
                }
            }
        }
    }

    /// Lays out `w` as it is: `K` = its rows, `N` = its columns (for `A·w`).
    pub fn pack(&mut self, w: &Matrix) {
        let rows: Vec<&[f64]> = (0..w.rows()).map(|k| w.row(k)).collect();
        self.pack_rows(&rows, w.cols());
    }

    /// Lays out `wᵀ`: `K` = the columns of `w`, `N` = its rows (for `A·wᵀ`, that is `w·a`
    /// for every row `a` of `A`).
    pub fn pack_transposed(&mut self, w: &Matrix) {
        let data = w.as_slice();
        let cols = w.cols();
        self.pack_with(cols, w.rows(), |k, n| data[n * cols + k]);
    }

    /// Lays out the matrix whose row `k` is `rows[k][..cols]`: the rows in the order in which
    /// the sums must take them.
    ///
    /// # Panics
    ///
    /// If a row is shorter than `cols`.
    #[track_caller]
    pub fn pack_rows(&mut self, rows: &[&[f64]], cols: usize) {
        let depth = rows.len();
        self.depth = depth;
        self.cols = cols;
        self.data.clear();
        self.data.resize(cols.div_ceil(8) * 8 * depth, 0.0);
        for p in 0..self.count() {
            let first = p * PANEL;
            let real = (cols - first).min(PANEL);
            let width = real.div_ceil(8) * 8;
            let block = &mut self.data[first * depth..(first + width) * depth];
            for (to, from) in block.chunks_exact_mut(width).zip(rows) {
                to[..real].copy_from_slice(&from[first..first + real]);
            }
        }
    }
}

/// Rows `start..start + len` of a [`Panels`]: the terms of a sum that takes only some of
/// them ([`Panels::rows`]).
#[derive(Clone, Copy, Debug)]
pub struct PanelRows<'a> {
    panels: &'a Panels,
    start: usize,
    len: usize,
}

impl Panels {
    /// Rows `range` of the laid-out matrix, for [`product_transposed`].
    ///
    /// # Panics
    ///
    /// If `range` goes past the last row.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Matrix;
    /// use min_char_rnn::fast::gemm::{Panels, product_transposed};
    /// let mut panels = Panels::default();
    /// panels.pack(&Matrix::from_rows(&[&[1.0], &[2.0], &[3.0]]));
    /// let a: [&[f64]; 2] = [&[1.0], &[1.0]];
    /// let mut out = [0.0];
    /// product_transposed(&a, 0, 1, panels.rows(1..3), &mut out, 1); // 2 + 3
    /// assert_eq!(out, [5.0]);
    /// ```
    #[track_caller]
    pub fn rows(&self, range: std::ops::Range<usize>) -> PanelRows<'_> {
        assert!(
            range.start <= range.end && range.end <= self.depth,
            "Panels::rows: {range:?} of {} rows",
            self.depth
        );
        PanelRows {
            panels: self,
            start: range.start,
            len: range.len(),
        }
    }

    /// All the rows.
    fn all(&self) -> PanelRows<'_> {
        self.rows(0..self.depth)
    }
}

/// `out = A·W`: for every `i < rows` and `j < N`, `out[i·out_stride + j] = Σ_k A[i, k]·W[k, j]`,
/// with `A[i, k] = a[i·a_stride + k]`, one running sum from `0.0` over `k = 0, 1, …, K−1`.
///
/// Each output is the plain product's: row `i` of `A` times `W` as
/// [`Matrix::matvec`] of `Wᵀ` would compute it (and as [`cells::dot`](crate::cells::dot) of
/// a weight row with a vector adds it).
///
/// # Panics
///
/// If `a` or `out` is too short for `rows` rows of their strides.
///
/// # Examples
///
/// ```
/// use min_char_rnn::Matrix;
/// use min_char_rnn::fast::gemm::{Panels, product};
/// let w = Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]]); // (3 × 2)
/// let mut panels = Panels::default();
/// panels.pack_transposed(&w); // W·x for each row x of A
/// let a = [1.0, 0.0, 1.0]; // one row
/// let mut out = [0.0; 3];
/// product(&a, 2, 1, &panels, &mut out, 3);
/// assert_eq!(out, [1.0, 3.0, 5.0]);
/// ```
#[track_caller]
pub fn product(
    a: &[f64],
    a_stride: usize,
    rows: usize,
    w: &Panels,
    out: &mut [f64],
    out_stride: usize,
) {
    check(
        "product",
        a.len(),
        rows,
        a_stride,
        w.depth,
        out,
        out_stride,
        w.cols,
    );
    drive::<false>(
        Left::Strided {
            a,
            stride: a_stride,
        },
        rows,
        w.all(),
        out,
        out_stride,
    );
}

/// `out = Aᵀ·W`, a sum of outer products: for every `i < rows` and `j < N`,
/// `out[i·out_stride + j] = Σ_k a_rows[k][first + i]·W[k, j]`, one running sum from `0.0`
/// over `k = 0, 1, …, K−1`.
///
/// `W` is some rows of a [`Panels`] ([`Panels::rows`]), `K` of them; `a_rows` lists the `K`
/// rows of `A`, in the order in which the terms are added: row `k` of `A` goes with row `k`
/// of `W`. The result is `Σ_k a_k·w_kᵀ` (`a_k` the numbers
/// `first..first + rows` of `a_rows[k]`, `w_k` row `k` of `W`) with the same bits as zeroing
/// `out` and calling [`Matrix::add_outer`] for `k = 0, 1, …` in turn. The backward pass lists
/// its rows in the order in which the plain path adds its steps and streams.
///
/// # Panics
///
/// If `a_rows` does not hold `K` rows of at least `first + rows` numbers, or `out` is too
/// short.
///
/// # Examples
///
/// ```
/// use min_char_rnn::Matrix;
/// use min_char_rnn::fast::gemm::{Panels, product_transposed};
/// let b = Matrix::from_rows(&[&[1.0, 1.0], &[1.0, -1.0]]); // rows b_0, b_1
/// let mut panels = Panels::default();
/// panels.pack(&b);
/// let a: [&[f64]; 2] = [&[1.0, 0.0], &[0.0, 2.0]]; // rows a_0, a_1
/// let mut out = [0.0; 4];
/// product_transposed(&a, 0, 2, panels.rows(0..2), &mut out, 2); // a_0·b_0ᵀ + a_1·b_1ᵀ
/// assert_eq!(out, [1.0, 1.0, 2.0, -2.0]);
/// ```
#[track_caller]
pub fn product_transposed(
    a_rows: &[&[f64]],
    first: usize,
    rows: usize,
    w: PanelRows,
    out: &mut [f64],
    out_stride: usize,
) {
    assert!(
        a_rows.len() == w.len && a_rows.iter().all(|row| row.len() >= first + rows),
        "product_transposed: {} rows for {} terms, or a row shorter than {}",
        a_rows.len(),
        w.len,
        first + rows
    );
    check_out("product_transposed", out, rows, out_stride, w.panels.cols);
    let left = Left::Listed {
        rows: a_rows,
        first,
    };
    drive::<true>(left, rows, w, out, out_stride);
}

/// Panics unless `a` holds `rows` rows of `depth` numbers at `a_stride`, and `out` `rows`
/// rows of `cols` at `out_stride`.
#[allow(clippy::too_many_arguments)]
#[track_caller]
fn check(
    op: &str,
    a_len: usize,
    rows: usize,
    a_stride: usize,
    depth: usize,
    out: &[f64],
    out_stride: usize,
    cols: usize,
) {
    if rows > 0 {
        assert!(
            depth <= a_stride && a_len >= (rows - 1) * a_stride + depth,
            "{op}: {a_len} numbers hold no ({rows} x {depth}) matrix of stride {a_stride}"
        );
    }
    check_out(op, out, rows, out_stride, cols);
}

/// Panics unless `out` holds `rows` rows of `cols` numbers at `out_stride`.
#[track_caller]
fn check_out(op: &str, out: &[f64], rows: usize, out_stride: usize, cols: usize) {
    if rows > 0 {
        assert!(
            cols <= out_stride && out.len() >= (rows - 1) * out_stride + cols,
            "{op}: {} numbers hold no ({rows} x {cols}) output of stride {out_stride}",
            out.len()
        );
    }
}

/// Where the left operand's numbers are.
#[derive(Clone, Copy)]
enum Left<'a> {
    /// `A[i, k] = a[i·stride + k]`, for [`product`].
    Strided { a: &'a [f64], stride: usize },
    /// `A[k, i] = rows[k][first + i]`, for [`product_transposed`].
    Listed { rows: &'a [&'a [f64]], first: usize },
}

/// The loops around the tiles: blocks of [`DEPTH`] terms, groups of [`GROUP_ROWS`] output
/// rows, panels, tiles of [`TILE_ROWS`] rows. `TRANSPOSED` is true for a [`Left::Listed`]
/// operand.
// ANCHOR: drive
fn drive<const TRANSPOSED: bool>(
    left: Left,
    rows: usize,
    w: PanelRows,
    out: &mut [f64],
    out_stride: usize,
) {
    let (depth, cols) = (w.len, w.panels.cols);
    if depth == 0 {
        for i in 0..rows {
            out[i * out_stride..i * out_stride + cols].fill(0.0); // a sum of no terms
        }
        return;
    }
    let mut k0 = 0;
    while k0 < depth {
        let k1 = (k0 + DEPTH).min(depth);
        let terms = Terms {
            left,
            k0,
            k1,
            first: k0 == 0, // the first block starts from 0.0, the others from `out`
        };
        let mut g0 = 0;
        while g0 < rows {
            let g1 = (g0 + GROUP_ROWS).min(rows);
            for p in 0..w.panels.count() {
                let (panel, width, j0, real) = w.panels.panel(p);
                let panel = &panel[w.start * width..(w.start + depth) * width]; // the terms' rows
                let cols = Cols { j0, real };
                match width {
                    32 => tiles::<TRANSPOSED, 32>(&terms, panel, g0, g1, cols, out, out_stride),
                    24 => tiles::<TRANSPOSED, 24>(&terms, panel, g0, g1, cols, out, out_stride),
                    16 => tiles::<TRANSPOSED, 16>(&terms, panel, g0, g1, cols, out, out_stride),
                    _ => tiles::<TRANSPOSED, 8>(&terms, panel, g0, g1, cols, out, out_stride),
                }
            }
            g0 = g1;
        }
        k0 = k1;
    }
}
// ANCHOR_END: drive

/// The left operand and the block of terms a tile adds.
struct Terms<'a> {
    left: Left<'a>,
    k0: usize,
    k1: usize,
    first: bool,
}

/// The output columns of a panel: the first, and how many are real (not padding).
#[derive(Clone, Copy)]
struct Cols {
    j0: usize,
    real: usize,
}

/// Output rows `g0..g1` of one panel: full tiles of [`TILE_ROWS`] rows, then one smaller
/// tile for the rows left over. (A function of its own for each panel width, so that the
/// compiler unrolls each tile's loops into registers.)
#[inline(never)]
fn tiles<const TRANSPOSED: bool, const NR: usize>(
    terms: &Terms,
    panel: &[f64],
    g0: usize,
    g1: usize,
    cols: Cols,
    out: &mut [f64],
    out_stride: usize,
) {
    let mut i0 = g0;
    while i0 + TILE_ROWS <= g1 {
        tile::<TRANSPOSED, TILE_ROWS, NR>(terms, panel, i0, cols, out, out_stride);
        i0 += TILE_ROWS;
    }
    match g1 - i0 {
        0 => {}
        1 => tile::<TRANSPOSED, 1, NR>(terms, panel, i0, cols, out, out_stride),
        2 => tile::<TRANSPOSED, 2, NR>(terms, panel, i0, cols, out, out_stride),
        3 => tile::<TRANSPOSED, 3, NR>(terms, panel, i0, cols, out, out_stride),
        4 => tile::<TRANSPOSED, 4, NR>(terms, panel, i0, cols, out, out_stride),
        5 => tile::<TRANSPOSED, 5, NR>(terms, panel, i0, cols, out, out_stride),
        6 => tile::<TRANSPOSED, 6, NR>(terms, panel, i0, cols, out, out_stride),
        _ => tile::<TRANSPOSED, 7, NR>(terms, panel, i0, cols, out, out_stride),
    }
}

/// One tile: output rows `i0..i0 + MR`, the panel's `NR` columns, terms `k0..k1`. The
/// running sums start at `0.0` for the first block of terms, and from what the block before
/// left in `out` for the others.
// ANCHOR: tile
#[inline(always)]
fn tile<const TRANSPOSED: bool, const MR: usize, const NR: usize>(
    terms: &Terms,
    panel: &[f64],
    i0: usize,
    cols: Cols,
    out: &mut [f64],
    out_stride: usize,
) {
    let Terms {
        left,
        k0,
        k1,
        first,
    } = *terms;
    let Cols { j0, real } = cols;
    let mut sums = [[0.0; NR]; MR];
    if !first {
        for i in 0..MR {
            let from = &out[(i0 + i) * out_stride + j0..];
            let mut row = [0.0; NR]; // whole arrays in, so that `sums` stays in registers
            if real == NR {
                row = *<&[f64; NR]>::try_from(&from[..NR]).expect("NR values");
            } else {
                row[..real].copy_from_slice(&from[..real]);
            }
            sums[i] = row;
        }
    }
    let w_rows = panel[k0 * NR..k1 * NR].chunks_exact(NR);
    match left {
        Left::Listed { rows, first } if TRANSPOSED => {
            for (a_row, w_row) in rows[k0..k1].iter().zip(w_rows) {
                let w_row: &[f64; NR] = w_row.try_into().expect("NR values");
                let a_k: &[f64; MR] = a_row[first + i0..][..MR].try_into().expect("MR values");
                for i in 0..MR {
                    for c in 0..NR {
                        sums[i][c] += a_k[i] * w_row[c]; // + A[k, i0 + i] · W[k, j0 + c]
                    }
                }
            }
        }
        Left::Strided { a, stride } if !TRANSPOSED => {
            let a_rows: [&[f64]; MR] =
                std::array::from_fn(|i| &a[(i0 + i) * stride + k0..(i0 + i) * stride + k1]);
            for (kk, w_row) in w_rows.enumerate() {
                let w_row: &[f64; NR] = w_row.try_into().expect("NR values");
                for i in 0..MR {
                    let a_ik = a_rows[i][kk];
                    for c in 0..NR {
                        sums[i][c] += a_ik * w_row[c]; // + A[i0 + i, k] · W[k, j0 + c]
                    }
                }
            }
        }
        _ => unreachable!("TRANSPOSED goes with Left::Listed"),
    }
    for i in 0..MR {
        let row = sums[i]; // whole arrays out
        let to = &mut out[(i0 + i) * out_stride + j0..];
        if real == NR {
            *<&mut [f64; NR]>::try_from(&mut to[..NR]).expect("NR values") = row;
        } else {
            to[..real].copy_from_slice(&row[..real]);
        }
    }
}
// ANCHOR_END: tile
