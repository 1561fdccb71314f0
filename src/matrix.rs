//! `Matrix`: a `rows × cols` grid of `f64`, stored row by row in one `Vec<f64>`, such as
//! `w_xh` `(H, V)`, `w_hh` `(H, H)` and `w_hy` `(V, H)`.
//!
//! Element `(r, c)` lives at `data[r * cols + c]` ("row-major", numpy's default order): row
//! 0 first, then row 1, and so on, so a row is one contiguous slice.
//!
//! The products the RNN needs, and the numpy lines they stand for:
//!
//! | method | computes | numpy |
//! |---|---|---|
//! | [`matvec`](Matrix::matvec) | `out = W·x` | `np.dot(Whh, hs[t-1])` |
//! | [`matvec_transposed`](Matrix::matvec_transposed) | `out = Wᵀ·x` | `np.dot(Whh.T, dhraw)` |
//! | [`add_outer`](Matrix::add_outer) | `W += a·bᵀ` | `dWhy += np.dot(dy, hs[t].T)` |
//! | [`add_to_column`](Matrix::add_to_column) | `W[:, c] += v` | `dWxh += np.dot(dhraw, xs[t].T)` for one-hot `xs[t]` |
//!
//! Each is a plain loop that adds its terms one after another, starting from zero. That order
//! is part of the result: floating-point addition rounds, so another order could change the
//! last bits. The fast path ([`crate::fast`]) computes the same products its own way, in the
//! same order, and gets the same bits.
//!
//! A shape mismatch is a bug in the caller, so it panics, with a message that names the
//! operation and both shapes and points at the caller's line (`#[track_caller]`):
//! `matvec: (100 x 61) · (100)`.

use crate::Vector;
use crate::vector::{DISPLAY_PRECISION, clip_slice, shown_indices, write_row};
use std::fmt;
use std::ops::{Index, IndexMut};

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
#[derive(Clone, Default, PartialEq)]
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
    pub fn zeros(rows: usize, cols: usize) -> Matrix {
        Matrix {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

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
    #[track_caller]
    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Matrix {
        assert!(
            data.len() == rows * cols,
            "from_vec: {} values for ({rows} x {cols})",
            data.len()
        );
        Matrix { rows, cols, data }
    }

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

    /// The number of rows.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).rows(), 2);
    /// ```
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The number of columns.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).cols(), 3);
    /// ```
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// `(rows, cols)`, numpy's `.shape`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Matrix::zeros(2, 3).shape(), (2, 3));
    /// ```
    pub fn shape(&self) -> (usize, usize) {
        (self.rows, self.cols)
    }

    /// All `rows * cols` elements, row after row.
    ///
    /// # Examples
    ///
    /// ```
    /// let m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
    /// assert_eq!(m.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    /// ```
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// All elements, row after row, mutable.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = min_char_rnn::Matrix::zeros(2, 2);
    /// m.as_mut_slice()[3] = 1.0;
    /// assert_eq!(m[(1, 1)], 1.0);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

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

    /// Row `r` as a contiguous mutable slice (to write one stream's row of a `(B, H)` state).
    ///
    /// # Panics
    ///
    /// If `r >= rows`.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = min_char_rnn::Matrix::zeros(2, 2);
    /// m.row_mut(1).copy_from_slice(&[3.0, 4.0]);
    /// assert_eq!(m.as_slice(), &[0.0, 0.0, 3.0, 4.0]);
    /// ```
    #[track_caller]
    pub fn row_mut(&mut self, r: usize) -> &mut [f64] {
        assert!(
            r < self.rows,
            "row_mut: row {r} of ({} x {})",
            self.rows,
            self.cols
        );
        &mut self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// Sets every element to `value` (used to reset a buffer without reallocating it).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut m = min_char_rnn::Matrix::from_rows(&[&[1.0, 2.0]]);
    /// m.fill(0.0);
    /// assert_eq!(m.as_slice(), &[0.0, 0.0]);
    /// ```
    pub fn fill(&mut self, value: f64) {
        self.data.fill(value);
    }

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
    #[track_caller]
    pub fn clip(&mut self, min: f64, max: f64) {
        clip_slice(&mut self.data, min, max);
    }

    /// `out = W·x`: the matrix–vector product (numpy: `np.dot(W, x)`).
    ///
    /// `out[r]` is the dot product of row `r` with `x`, `Σ_c W[r, c]·x[c]`, added up from
    /// `c = 0` to `cols − 1`.
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
        for r in 0..self.rows {
            let mut sum = 0.0;
            for c in 0..self.cols {
                sum += self.data[r * self.cols + c] * x[c]; // W[r, c] · x[c]
            }
            out[r] = sum; // row r of W, dotted with x
        }
    }
    // ANCHOR_END: matvec

    /// `out = Wᵀ·x`: the product with the transpose, without building the transpose
    /// (numpy: `np.dot(W.T, x)`).
    ///
    /// `out[c]` is the dot product of column `c` of `W` with `x`, `Σ_r W[r, c]·x[r]`, added
    /// up from `r = 0` to `rows − 1`: row `c` of `Wᵀ` is column `c` of `W`, so no transposed
    /// copy is needed, only another way through the same numbers.
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
        for c in 0..self.cols {
            let mut sum = 0.0;
            for r in 0..self.rows {
                sum += self.data[r * self.cols + c] * x[r]; // Wᵀ[c, r] · x[r] = W[r, c] · x[r]
            }
            out[c] = sum; // column c of W, dotted with x
        }
    }
    // ANCHOR_END: matvec_transposed

    /// `W += a·bᵀ`: adds the outer product of `a` (length `rows`) and `b` (length `cols`), a
    /// "rank-1 update" (numpy: `W += np.dot(a, b.T)`).
    ///
    /// Element `(r, c)` of `a·bᵀ` is `a[r]·b[c]`.
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
        for r in 0..self.rows {
            for c in 0..self.cols {
                self.data[r * self.cols + c] += a[r] * b[c]; // (a·bᵀ)[r, c] = a[r] · b[c]
            }
        }
    }
    // ANCHOR_END: add_outer

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

/// One row per line, numbers right-aligned with four decimals unless a precision is given
/// (`{:.2}`); past ten rows or columns the middle is elided.
///
/// ```text
/// [[ 1.0000, -2.0000],
///  [ 3.5000,  4.0000]]
/// ```
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
