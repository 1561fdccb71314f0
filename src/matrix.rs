//! `Matrix`: a `rows × cols` grid of `f64`, stored row by row in one `Vec<f64>`, such as
//! `w_xh` `(H, V)`, `w_hh` `(H, H)` and `w_hy` `(V, H)`.
//!
//! Element `(r, c)` lives at `data[r * cols + c]` ("row-major", numpy's default order). A row
//! is therefore a contiguous slice, and every product below is written so that its inner
//! loop walks along a row: that is what lets the compiler keep the numbers in SIMD registers
//! and the CPU stream them from cache.
//!
//! The products the RNN needs, and the numpy lines they stand for:
//!
//! | method | computes | numpy |
//! |---|---|---|
//! | [`matvec`](Matrix::matvec) | `out = W·x` | `np.dot(Whh, h)` |
//! | [`matvec_transposed`](Matrix::matvec_transposed) | `out = Wᵀ·x` | `np.dot(Whh.T, dhraw)` |
//! | [`add_outer`](Matrix::add_outer) | `W += a·bᵀ` | `dWhy += np.dot(dy, hs[t].T)` |
//! | [`add_to_column`](Matrix::add_to_column) | `W[:, c] += v` | `dWxh += np.dot(dhraw, xs[t].T)` for one-hot `xs[t]` |
//!
//! A shape mismatch is a bug in the caller, so it panics, with a message that names the
//! operation and both shapes and points at the caller's line (`#[track_caller]`):
//! `matvec: (100 x 61) · (100)`.

// ANCHOR: imports
use crate::Vector;
use crate::vector::{DISPLAY_PRECISION, axpy, clip_slice, dot, dots, shown_indices, write_row};
use std::fmt;
use std::ops::{Index, IndexMut};
// ANCHOR_END: imports

/// A dense matrix of `f64` in row-major order.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Matrix, Vector};
///
/// let w = Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0], &[5.0, 6.0]]);
/// assert_eq!(w.shape(), (3, 2));
/// assert_eq!(w[(2, 1)], 6.0);
///
/// let mut out = Vector::zeros(3);
/// w.matvec(&Vector::from_vec(vec![1.0, 1.0]), &mut out);
/// assert_eq!(out.as_slice(), &[3.0, 7.0, 11.0]);
/// ```
// ANCHOR: matrix_struct
#[derive(Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}
// ANCHOR_END: matrix_struct

impl Matrix {
    /// A `rows × cols` matrix of zeros (numpy: `np.zeros((rows, cols))`).
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::zeros(2, 3);
    /// assert_eq!(m.shape(), (2, 3));
    /// assert_eq!(m.as_slice(), &[0.0; 6]);
    /// ```
    // ANCHOR: zeros
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }
    // ANCHOR_END: zeros

    /// A `rows × cols` matrix that owns `data`, given row by row.
    ///
    /// # Panics
    ///
    /// If `data.len() != rows * cols`: `from_vec: 5 values for (2 x 3)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::from_vec(2, 2, vec![1.0, 2.0, 3.0, 4.0]);
    /// assert_eq!(m[(1, 0)], 3.0);
    /// ```
    // ANCHOR: from_vec
    #[track_caller]
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Matrix {
        assert!(
            data.len() == rows * cols,
            "from_vec: {} values for ({rows} x {cols})",
            data.len()
        );
        Matrix { rows, cols, data }
    }
    // ANCHOR_END: from_vec

    /// A matrix from a list of equally long rows (handy in examples and tests).
    ///
    /// # Panics
    ///
    /// If the rows differ in length: `from_rows: row 1 has 1 values, row 0 has 2`.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// assert_eq!(m.row(1), &[3.0, 4.0]);
    /// ```
    // ANCHOR: from_rows
    #[track_caller]
    pub fn from_rows(rows: &[&[f64]]) -> Matrix {
        let cols = rows.first().map_or(0, |r| r.len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (r, row) in rows.iter().enumerate() {
            assert!(
                row.len() == cols,
                "from_rows: row {r} has {} values, row 0 has {cols}",
                row.len()
            );
            data.extend_from_slice(row);
        }
        Matrix::from_vec(rows.len(), cols, data)
    }
    // ANCHOR_END: from_rows

    /// The number of rows.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).rows(), 2);
    /// ```
    // ANCHOR: rows
    pub fn rows(&self) -> usize {
        self.rows
    }
    // ANCHOR_END: rows

    /// The number of columns.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).cols(), 3);
    /// ```
    // ANCHOR: cols
    pub fn cols(&self) -> usize {
        self.cols
    }
    // ANCHOR_END: cols

    /// `(rows, cols)`, numpy's `.shape`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).shape(), (2, 3));
    /// ```
    // ANCHOR: shape
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }
    // ANCHOR_END: shape

    /// All `rows * cols` elements, row after row.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// assert_eq!(m.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    /// ```
    // ANCHOR: as_slice
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }
    // ANCHOR_END: as_slice

    /// All elements, row after row, mutable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = min_char_rnn::Matrix::zeros(2, 2);
    /// m.as_mut_slice()[3] = 1.0;
    /// assert_eq!(m[(1, 1)], 1.0);
    /// ```
    // ANCHOR: as_mut_slice
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }
    // ANCHOR_END: as_mut_slice

    /// Row `r` as a contiguous slice.
    ///
    /// # Panics
    ///
    /// If `r >= rows`.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// assert_eq!(m.row(0), &[1.0, 2.0]);
    /// ```
    // ANCHOR: row
    #[track_caller]
    pub fn row(&self, r: usize) -> &[f64] {
        assert!(
            r < self.rows,
            "row: row {r} of ({} x {})",
            self.rows,
            self.cols
        );
        &self.data[r * self.cols..(r + 1) * self.cols]
    }
    // ANCHOR_END: row

    /// Sets every element to `value` (used to reset a buffer without reallocating it).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0]]);
    /// m.fill(0.0);
    /// assert_eq!(m.as_slice(), &[0.0, 0.0]);
    /// ```
    // ANCHOR: fill
    pub fn fill(&mut self, value: f64) {
        self.data.fill(value);
    }
    // ANCHOR_END: fill

    /// Adds `other` element by element: `self += other`.
    ///
    /// # Panics
    ///
    /// If the shapes differ: `add_assign: (2 x 3) + (3 x 2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Matrix;
    /// let mut a = Matrix::from_rows(&[&[1.0, 2.0]]);
    /// a.add_assign(&Matrix::from_rows(&[&[10.0, 20.0]]));
    /// assert_eq!(a.as_slice(), &[11.0, 22.0]);
    /// ```
    // ANCHOR: add_assign
    #[track_caller]
    pub fn add_assign(&mut self, other: &Matrix) {
        if self.shape() != other.shape() {
            panic!(
                "add_assign: ({} x {}) + ({} x {})",
                self.rows, self.cols, other.rows, other.cols
            );
        }
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
    }
    // ANCHOR_END: add_assign

    /// Clamps every element into `[min, max]` in place (numpy: `np.clip(W, min, max, out=W)`).
    ///
    /// # Panics
    ///
    /// If `min > max` or either is NaN.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = min_char_rnn::Matrix::from_rows(&[&[-8.0, 1.0], &[6.0, -2.0]]);
    /// g.clip(-5.0, 5.0);
    /// assert_eq!(g.as_slice(), &[-5.0, 1.0, 5.0, -2.0]);
    /// ```
    // ANCHOR: clip
    #[track_caller]
    pub fn clip(&mut self, min: f64, max: f64) {
        clip_slice(&mut self.data, min, max);
    }
    // ANCHOR_END: clip

    /// `out = W·x`: the matrix–vector product (numpy: `np.dot(W, x)`).
    ///
    /// `out[r]` is the dot product of row `r` with `x`: a walk along one contiguous row.
    ///
    /// # Panics
    ///
    /// If `x.len() != cols`: `matvec: (2 x 3) · (2)`; if `out.len() != rows`:
    /// `matvec: (2 x 3) · (3) gives (2), not (5)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    /// let mut out = Vector::zeros(2);
    /// w.matvec(&Vector::from_vec(vec![1.0, 0.0, -1.0]), &mut out);
    /// assert_eq!(out.as_slice(), &[-2.0, -2.0]);
    /// ```
    // ANCHOR: matvec
    #[track_caller]
    pub fn matvec(&self, x: &Vector, out: &mut Vector) {
        if x.len() != self.cols {
            panic!("matvec: ({} x {}) · ({})", self.rows, self.cols, x.len());
        }
        if out.len() != self.rows {
            panic!(
                "matvec: ({} x {}) · ({}) gives ({}), not ({})",
                self.rows,
                self.cols,
                x.len(),
                self.rows,
                out.len()
            );
        }
        let x = x.as_slice();
        let out = out.as_mut_slice();
        // Four rows at a time share each load of x; the last rows (rows % 4) one at a time.
        let blocks = self.rows / 4;
        for b in 0..blocks {
            let r = 4 * b;
            let rows = [
                self.row(r),
                self.row(r + 1),
                self.row(r + 2),
                self.row(r + 3),
            ];
            let four = dots(rows, x);
            out[r..r + 4].copy_from_slice(&four);
        }
        for r in 4 * blocks..self.rows {
            out[r] = dot(self.row(r), x);
        }
    }
    // ANCHOR_END: matvec

    /// Writes `Wᵀ` into `out`, which must be `(cols x rows)`: `out[(c, r)] = self[(r, c)]`
    /// (numpy: `W.T`, which only relabels the axes; here the numbers are really moved).
    ///
    /// # Panics
    ///
    /// If `out` has the wrong shape: `transpose_into: (2 x 3)ᵀ into (2 x 3)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Matrix;
    /// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    /// let mut wt = Matrix::zeros(3, 2);
    /// w.transpose_into(&mut wt);
    /// assert_eq!(wt.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    /// ```
    // ANCHOR: transpose_into
    #[track_caller]
    pub fn transpose_into(&self, out: &mut Matrix) {
        if out.shape() != (self.cols, self.rows) {
            panic!(
                "transpose_into: ({} x {})ᵀ into ({} x {})",
                self.rows, self.cols, out.rows, out.cols
            );
        }
        // Four rows of W at a time: element c of each becomes four neighbours in row c of Wᵀ.
        let (rows, cols) = (self.rows, self.cols);
        let mut r = 0;
        while r + 4 <= rows {
            let w_rows: [&[f64]; 4] = std::array::from_fn(|k| self.row(r + k));
            for c in 0..cols {
                let to: &mut [f64; 4] = (&mut out.data[c * rows + r..c * rows + r + 4])
                    .try_into()
                    .expect("4 values");
                *to = [w_rows[0][c], w_rows[1][c], w_rows[2][c], w_rows[3][c]];
            }
            r += 4;
        }
        for r in r..rows {
            for c in 0..cols {
                out.data[c * rows + r] = self.data[r * cols + c];
            }
        }
    }
    // ANCHOR_END: transpose_into

    /// `out = Wᵀ·x`: the product with the transpose, without building the transpose
    /// (numpy: `np.dot(W.T, x)`).
    ///
    /// `Wᵀ·x` is the sum of the rows of `W`, row `r` weighted by `x[r]`, so it is computed as
    /// that sum: `out += x[r] · row r` for every row, each step a walk along a contiguous row.
    /// The partial sums are kept in registers, 64 outputs at a time, while all the rows are
    /// added to them, so `out` is written once instead of once per row.
    ///
    /// # Panics
    ///
    /// If `x.len() != rows`: `matvec_transposed: (2 x 3)ᵀ · (3)`; if `out.len() != cols`:
    /// `matvec_transposed: (2 x 3)ᵀ · (2) gives (3), not (4)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    /// let mut out = Vector::zeros(3);
    /// w.matvec_transposed(&Vector::from_vec(vec![1.0, -1.0]), &mut out);
    /// assert_eq!(out.as_slice(), &[-3.0, -3.0, -3.0]);
    /// ```
    // ANCHOR: matvec_transposed
    #[track_caller]
    pub fn matvec_transposed(&self, x: &Vector, out: &mut Vector) {
        if x.len() != self.rows {
            panic!(
                "matvec_transposed: ({} x {})ᵀ · ({})",
                self.rows,
                self.cols,
                x.len()
            );
        }
        if out.len() != self.cols {
            panic!(
                "matvec_transposed: ({} x {})ᵀ · ({}) gives ({}), not ({})",
                self.rows,
                self.cols,
                x.len(),
                self.cols,
                out.len()
            );
        }
        self.transposed_products(std::slice::from_ref(x), std::slice::from_mut(out));
    }
    // ANCHOR_END: matvec_transposed

    /// `outs[t] = Wᵀ·xs[t]` for every `t` (numpy: `np.dot(W.T, X)`), each exactly what
    /// [`matvec_transposed`](Matrix::matvec_transposed) gives, with `W` read once.
    ///
    /// The backward pass uses it to send every step's output gradient back at once:
    /// `w_hyᵀ·dy_t` for all `T` steps.
    ///
    /// # Panics
    ///
    /// If there are not as many outputs as vectors, or a length does not fit:
    /// `matvec_transposed_batch: (2 x 3)ᵀ · (3) at index 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let w = Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// let xs = [Vector::from_vec(vec![1.0, 0.0]), Vector::from_vec(vec![0.0, 1.0])];
    /// let mut outs = [Vector::zeros(2), Vector::zeros(2)];
    /// w.matvec_transposed_batch(&xs, &mut outs);
    /// assert_eq!(outs[0].as_slice(), &[1.0, 2.0]); // row 0
    /// assert_eq!(outs[1].as_slice(), &[3.0, 4.0]); // row 1
    /// ```
    // ANCHOR: matvec_transposed_batch
    #[track_caller]
    pub fn matvec_transposed_batch(&self, xs: &[Vector], outs: &mut [Vector]) {
        self.check_batch(
            "matvec_transposed_batch",
            "ᵀ",
            xs,
            outs,
            self.rows,
            self.cols,
        );
        self.transposed_products(xs, outs);
    }
    // ANCHOR_END: matvec_transposed_batch

    /// `outs[t] = Σ_r xs[t][r] · row r` (shapes checked by the caller). Both ways start every
    /// output at zero and add the rows to it in row order, so the result is the same bit for
    /// bit whichever of them computes it.
    // ANCHOR: transposed_products
    fn transposed_products(&self, xs: &[Vector], outs: &mut [Vector]) {
        match (xs, &mut *outs) {
            ([x], [out]) if self.cols >= WIDE => {
                self.wide_product(x.as_slice(), out.as_mut_slice())
            }
            _ => {
                let rows: Vec<&[f64]> = self.data.chunks_exact(self.cols).collect();
                let mut outs: Vec<&mut [f64]> = outs.iter_mut().map(Vector::as_mut_slice).collect();
                sum_scaled_rows(&mut outs, &rows, |t, r| xs[t][r]); // outs[t] = Σ_r xs[t][r]·row r
            }
        }
    }
    // ANCHOR_END: transposed_products

    /// `out = Σ_r x[r] · row r` for one vector and at least [`WIDE`] columns: blocks of
    /// `WIDE` outputs stay in registers while every row is added to them, two blocks per pass
    /// over the rows, so that each row is read once for both. When `cols` is not a multiple
    /// of `WIDE`, the last block overlaps the one before; the outputs they share are computed
    /// twice, the same way, so they get the same values.
    // ANCHOR: wide_product
    fn wide_product(&self, x: &[f64], out: &mut [f64]) {
        let cols = self.cols;
        let mut start = 0;
        loop {
            // The two blocks of this pass; the last block ends at the last column. (With one
            // block left, both are that block.)
            let a0 = start.min(cols - WIDE);
            let b0 = (start + WIDE).min(cols - WIDE);
            let mut a = [0.0; WIDE];
            let mut b = [0.0; WIDE];
            for r in 0..self.rows {
                let row = &self.data[r * cols..(r + 1) * cols];
                let piece_a: &[f64; WIDE] = row[a0..a0 + WIDE].try_into().expect("WIDE values");
                let piece_b: &[f64; WIDE] = row[b0..b0 + WIDE].try_into().expect("WIDE values");
                for k in 0..WIDE {
                    a[k] += x[r] * piece_a[k]; // out[a0 + k] += x[r] · W[r, a0 + k]
                }
                for k in 0..WIDE {
                    b[k] += x[r] * piece_b[k]; // out[b0 + k] += x[r] · W[r, b0 + k]
                }
            }
            out[a0..a0 + WIDE].copy_from_slice(&a);
            out[b0..b0 + WIDE].copy_from_slice(&b);
            if b0 + WIDE == cols {
                break;
            }
            start += 2 * WIDE;
        }
    }
    // ANCHOR_END: wide_product

    /// `W += a·bᵀ`: adds the outer product of `a` (length `rows`) and `b` (length `cols`), a
    /// "rank-1 update" (numpy: `W += np.dot(a, b.T)`).
    ///
    /// Row `r` of `a·bᵀ` is `a[r] · b`, so each row of `W` gets `b` scaled by one number.
    ///
    /// # Panics
    ///
    /// If `a.len() != rows` or `b.len() != cols`: `add_outer: (2 x 3) += (4) ⊗ (3)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let mut w = Matrix::zeros(2, 3);
    /// w.add_outer(&Vector::from_vec(vec![1.0, 2.0]), &Vector::from_vec(vec![1.0, 0.0, -1.0]));
    /// assert_eq!(w.as_slice(), &[1.0, 0.0, -1.0, 2.0, 0.0, -2.0]);
    /// ```
    // ANCHOR: add_outer
    #[track_caller]
    pub fn add_outer(&mut self, a: &Vector, b: &Vector) {
        if a.len() != self.rows || b.len() != self.cols {
            panic!(
                "add_outer: ({} x {}) += ({}) ⊗ ({})",
                self.rows,
                self.cols,
                a.len(),
                b.len()
            );
        }
        let b = b.as_slice();
        for (&a_r, row) in a
            .as_slice()
            .iter()
            .zip(self.data.chunks_exact_mut(self.cols))
        {
            axpy(a_r, b, row);
        }
    }
    // ANCHOR_END: add_outer

    /// `W = Σ_t a[t]·b[t]ᵀ`: the sum of many outer products (numpy: `W = np.dot(A, B.T)`,
    /// the vectors as the columns of `A` and `B`).
    ///
    /// The result is exactly that of zeroing `W` and then calling [`add_outer`](Matrix::add_outer)
    /// for `t = 0, 1, …` in turn, bit for bit, but `W` is written once instead of once per
    /// term: a tile of it stays in registers while every term is added, and is stored when it
    /// is done. The backward pass sums its weight gradients over all `T` steps with it:
    /// `dw_hy = Σ_t dy_t·h_tᵀ`.
    ///
    /// `b` may be a list of [`Vector`]s or of `&Vector`s (anything that is a slice of numbers).
    ///
    /// # Panics
    ///
    /// If `a` and `b` differ in length, or a vector does not fit:
    /// `set_sum_of_outers: (2 x 3) = Σ (4) ⊗ (3) at index 0`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let mut w = Matrix::zeros(2, 2);
    /// let a = [Vector::from_vec(vec![1.0, 0.0]), Vector::from_vec(vec![0.0, 2.0])];
    /// let b = [Vector::from_vec(vec![1.0, 1.0]), Vector::from_vec(vec![1.0, -1.0])];
    /// w.set_sum_of_outers(&a, &b);
    /// assert_eq!(w.as_slice(), &[1.0, 1.0, 2.0, -2.0]);
    /// ```
    // ANCHOR: set_sum_of_outers
    #[track_caller]
    pub fn set_sum_of_outers<B: AsRef<[f64]>>(&mut self, a: &[Vector], b: &[B]) {
        let (rows, cols) = self.shape();
        if a.len() != b.len() {
            panic!(
                "set_sum_of_outers: {} vectors ⊗ {} vectors",
                a.len(),
                b.len()
            );
        }
        let vectors: Vec<&[f64]> = b.iter().map(AsRef::as_ref).collect();
        for t in 0..a.len() {
            if a[t].len() != rows || vectors[t].len() != cols {
                panic!(
                    "set_sum_of_outers: ({rows} x {cols}) = Σ ({}) ⊗ ({}) at index {t}",
                    a[t].len(),
                    vectors[t].len()
                );
            }
        }
        let mut w_rows: Vec<&mut [f64]> = self.data.chunks_exact_mut(cols).collect();
        sum_scaled_rows(&mut w_rows, &vectors, |r, t| a[t][r]); // row r = Σ_t a[t][r]·b[t]
    }
    // ANCHOR_END: set_sum_of_outers

    /// `W[:, col] += v`: adds `v` (length `rows`) to one column.
    ///
    /// This is `W += v·xᵀ` for a one-hot `x` with its `1` at `col`: every other column of
    /// `v·xᵀ` is zero, so the rank-1 update touches one column only.
    ///
    /// # Panics
    ///
    /// If `col >= cols` or `v.len() != rows`: `add_to_column: (2 x 3)[:, 3] += (2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Matrix, Vector};
    /// let mut w = Matrix::zeros(2, 3);
    /// w.add_to_column(1, &Vector::from_vec(vec![5.0, 6.0]));
    /// assert_eq!(w.as_slice(), &[0.0, 5.0, 0.0, 0.0, 6.0, 0.0]);
    /// ```
    // ANCHOR: add_to_column
    #[track_caller]
    pub fn add_to_column(&mut self, col: usize, v: &Vector) {
        if col >= self.cols || v.len() != self.rows {
            panic!(
                "add_to_column: ({} x {})[:, {col}] += ({})",
                self.rows,
                self.cols,
                v.len()
            );
        }
        for r in 0..self.rows {
            self.data[r * self.cols + col] += v[r];
        }
    }
    // ANCHOR_END: add_to_column
}

/// How many outputs [`Matrix::wide_product`] keeps in registers at once: 64 numbers, eight
/// 512-bit registers, eight independent chains of additions, enough to keep the adders busy.
const WIDE: usize = 64;

/// `outs[i] = Σ_k coeff(i, k) · rows[k]` for every output `i`, the terms added in the order
/// of `k`: the same result, bit for bit, as zeroing `outs[i]` and then one [`axpy`] per
/// `(i, k)` in that order.
///
/// The outputs are cut into tiles of four outputs by sixteen columns. A tile (64 numbers,
/// eight 512-bit registers) starts at zero, stays in registers while all the terms are added
/// to it, and is stored once, at the end; each piece of a row is loaded once for four
/// outputs. The four outputs' coefficients are copied first into a small "panel",
/// `panel[k] = [coeff(i, k), coeff(i + 1, k), …]`, read in order by the tile.
// ANCHOR: sum_scaled_rows
fn sum_scaled_rows(outs: &mut [&mut [f64]], rows: &[&[f64]], coeff: impl Fn(usize, usize) -> f64) {
    let mut panel = vec![[0.0; 4]; rows.len()];
    let mut i = 0;
    while i + 4 <= outs.len() {
        for k in 0..rows.len() {
            panel[k] = [
                coeff(i, k),
                coeff(i + 1, k),
                coeff(i + 2, k),
                coeff(i + 3, k),
            ];
        }
        sum_scaled_rows_across(&mut outs[i..i + 4], rows, &panel);
        i += 4;
    }
    for i in i..outs.len() {
        let column: Vec<[f64; 1]> = (0..rows.len()).map(|k| [coeff(i, k)]).collect();
        sum_scaled_rows_across(&mut outs[i..i + 1], rows, &column);
    }
}
// ANCHOR_END: sum_scaled_rows

/// The tiles of one group of `N` outputs, from left to right: 16 columns at a time; then the
/// columns left over, in one last tile of the last 16 columns, which overlaps the one before
/// (or, in outputs narrower than 16, one column at a time). The columns the two tiles share
/// are computed twice, the same way, so they get the same values.
// ANCHOR: sum_scaled_rows_across
fn sum_scaled_rows_across<const N: usize>(
    outs: &mut [&mut [f64]],
    rows: &[&[f64]],
    panel: &[[f64; N]],
) {
    let width = outs[0].len();
    let mut c = 0;
    while c + 16 <= width {
        sum_scaled_rows_tile::<N, 16>(outs, rows, panel, c);
        c += 16;
    }
    if c < width && width >= 16 {
        // The last 16 columns: those before c are computed again, to the same values.
        sum_scaled_rows_tile::<N, 16>(outs, rows, panel, width - 16);
    } else {
        for c in c..width {
            sum_scaled_rows_tile::<N, 1>(outs, rows, panel, c);
        }
    }
}
// ANCHOR_END: sum_scaled_rows_across

/// One tile of [`sum_scaled_rows`]: the `N` outputs of `outs`, columns `c0 .. c0 + W`, with
/// `panel[k][i]` the coefficient of row `k` for output `i`.
// ANCHOR: sum_scaled_rows_tile
#[inline(always)]
fn sum_scaled_rows_tile<const N: usize, const W: usize>(
    outs: &mut [&mut [f64]],
    rows: &[&[f64]],
    panel: &[[f64; N]],
    c0: usize,
) {
    let mut tile = [[0.0; W]; N];
    for (row, coeffs) in rows.iter().zip(panel) {
        let piece: &[f64; W] = row[c0..c0 + W].try_into().expect("W values");
        for i in 0..N {
            for c in 0..W {
                tile[i][c] += coeffs[i] * piece[c]; // + coeff(i, k) · rows[k][c0 + c]
            }
        }
    }
    for i in 0..N {
        outs[i][c0..c0 + W].copy_from_slice(&tile[i]);
    }
}
// ANCHOR_END: sum_scaled_rows_tile

impl Matrix {
    /// Panics unless `outs` has one vector per `xs`, each `x` of length `x_len` and each
    /// output of length `out_len`: `op: (2 x 3)ᵀ · (3) at index 0`.
    #[track_caller]
    fn check_batch(
        &self,
        op: &str,
        transposed: &str,
        xs: &[Vector],
        outs: &[Vector],
        x_len: usize,
        out_len: usize,
    ) {
        let (rows, cols) = self.shape();
        if xs.len() != outs.len() {
            panic!("{op}: {} vectors give {} outputs", xs.len(), outs.len());
        }
        for t in 0..xs.len() {
            if xs[t].len() != x_len {
                panic!(
                    "{op}: ({rows} x {cols}){transposed} · ({}) at index {t}",
                    xs[t].len()
                );
            }
            if outs[t].len() != out_len {
                panic!(
                    "{op}: ({rows} x {cols}){transposed} · ({}) gives ({out_len}), not ({}) at index {t}",
                    x_len,
                    outs[t].len()
                );
            }
        }
    }
}

// ANCHOR: index
impl Index<(usize, usize)> for Matrix {
    type Output = f64;

    #[track_caller]
    fn index(&self, (r, c): (usize, usize)) -> &f64 {
        if r >= self.rows || c >= self.cols {
            panic!("index: ({r}, {c}) of ({} x {})", self.rows, self.cols);
        }
        &self.data[r * self.cols + c]
    }
}

impl IndexMut<(usize, usize)> for Matrix {
    #[track_caller]
    fn index_mut(&mut self, (r, c): (usize, usize)) -> &mut f64 {
        if r >= self.rows || c >= self.cols {
            panic!("index: ({r}, {c}) of ({} x {})", self.rows, self.cols);
        }
        &mut self.data[r * self.cols + c]
    }
}
// ANCHOR_END: index

/// `Matrix(2 x 3) [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]`; past ten rows or columns the middle is
/// elided (`...`). A precision (`{:.3?}`) applies to every element; `{:#?}` puts each row on
/// its own line.
// ANCHOR: matrix_debug
impl fmt::Debug for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Matrix({} x {}) ", self.rows, self.cols)?;
        let precision = f.precision();
        let separator = if f.alternate() { ",\n    " } else { ", " };
        write!(f, "[")?;
        for (k, shown) in shown_indices(self.rows).into_iter().enumerate() {
            if k > 0 {
                write!(f, "{separator}")?;
            }
            match shown {
                None => write!(f, "...")?,
                Some(r) => write_row(f, self.row(r), precision)?,
            }
        }
        write!(f, "]")
    }
}
// ANCHOR_END: matrix_debug

/// One row per line, numbers right-aligned with four decimals unless a precision is given
/// (`{:.2}`); past ten rows or columns the middle is elided.
///
/// ```text
/// [[ 1.0000, -2.0000],
///  [ 3.5000,  4.0000]]
/// ```
// ANCHOR: matrix_display
impl fmt::Display for Matrix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = f.precision().unwrap_or(DISPLAY_PRECISION);
        let rows = shown_indices(self.rows);
        let cols = shown_indices(self.cols);
        let mut width = 3; // wide enough for "..."
        for r in rows.iter().flatten() {
            for c in cols.iter().flatten() {
                width = width.max(format!("{:.*}", precision, self[(*r, *c)]).len());
            }
        }
        write!(f, "[")?;
        for (k, row) in rows.iter().enumerate() {
            if k > 0 {
                write!(f, ",\n ")?;
            }
            write!(f, "[")?;
            for (j, col) in cols.iter().enumerate() {
                if j > 0 {
                    write!(f, ", ")?;
                }
                match (row, col) {
                    (Some(r), Some(c)) => write!(f, "{:>width$.precision$}", self[(*r, *c)])?,
                    _ => write!(f, "{:>width$}", "...")?,
                }
            }
            write!(f, "]")?;
        }
        write!(f, "]")
    }
}
// ANCHOR_END: matrix_display
