//! `Vector`: a column of `f64` values, such as a hidden state `h` (length `H`) or a
//! probability distribution `p` (length `V`).
//!
//! The original program keeps every vector as a numpy column of shape `(n, 1)`
//! (`np.zeros((hidden_size, 1))`). Here a vector is simply `n` numbers in a `Vec<f64>`; whether
//! it is a row or a column is decided by the [`Matrix`](crate::Matrix) method that uses it
//! ([`matvec`](crate::Matrix::matvec) or
//! [`matvec_transposed`](crate::Matrix::matvec_transposed)).
//!
//! Only the operations the RNN needs are here, each under a name that says what it does.
//! Every operation that takes two vectors checks that their lengths agree and, if not,
//! panics with a message that names the operation and both lengths, pointing at the caller's
//! line (`#[track_caller]`): `add_assign: (7) + (5)`.

use std::fmt;
use std::ops::{Index, IndexMut};

/// A vector of `f64`, stored contiguously.
///
/// # Examples
///
/// ```
/// use min_char_rnn::Vector;
///
/// let mut h = Vector::zeros(3);
/// h[1] = 0.5;
/// assert_eq!(h.as_slice(), &[0.0, 0.5, 0.0]);
/// assert_eq!(format!("{h:?}"), "Vector(3) [0.0, 0.5, 0.0]");
/// ```
// ANCHOR: vector_struct
#[derive(Clone, PartialEq)]
pub struct Vector {
    data: Vec<f64>,
}
// ANCHOR_END: vector_struct

impl Vector {
    /// A vector of `len` zeros (numpy: `np.zeros((len, 1))`).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = min_char_rnn::Vector::zeros(4);
    /// assert_eq!(v.len(), 4);
    /// assert!(v.as_slice().iter().all(|&x| x == 0.0));
    /// ```
    pub fn zeros(len: usize) -> Vector {
        Vector {
            data: vec![0.0; len],
        }
    }

    /// A vector that owns `data`.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = min_char_rnn::Vector::from_vec(vec![1.0, 2.0]);
    /// assert_eq!(v[1], 2.0);
    /// ```
    pub fn from_vec(data: Vec<f64>) -> Vector {
        Vector { data }
    }

    /// The one-hot vector of length `len` with a single `1.0` at `index`
    /// (numpy: `x = np.zeros((V, 1)); x[index] = 1`).
    ///
    /// # Panics
    ///
    /// If `index >= len`.
    ///
    /// # Examples
    ///
    /// ```
    /// let x = min_char_rnn::Vector::one_hot(4, 2);
    /// assert_eq!(x.as_slice(), &[0.0, 0.0, 1.0, 0.0]);
    /// ```
    // ANCHOR: one_hot
    #[track_caller]
    pub fn one_hot(len: usize, index: usize) -> Vector {
        assert!(
            index < len,
            "one_hot: index {index} is out of range for length {len}"
        );
        let mut x = Vector::zeros(len);
        x[index] = 1.0;
        x
    }
    // ANCHOR_END: one_hot

    /// The number of elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(min_char_rnn::Vector::zeros(7).len(), 7);
    /// ```
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// `true` if the vector has no elements.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(min_char_rnn::Vector::zeros(0).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements as a slice.
    ///
    /// # Examples
    ///
    /// ```
    /// let v = min_char_rnn::Vector::from_vec(vec![1.0, 2.0]);
    /// assert_eq!(v.as_slice(), &[1.0, 2.0]);
    /// ```
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// The elements as a mutable slice.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut v = min_char_rnn::Vector::zeros(2);
    /// v.as_mut_slice()[0] = 3.0;
    /// assert_eq!(v[0], 3.0);
    /// ```
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        &mut self.data
    }

    /// Sets every element to `value` (used to reset a buffer without reallocating it).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut v = min_char_rnn::Vector::from_vec(vec![1.0, 2.0]);
    /// v.fill(0.0);
    /// assert_eq!(v.as_slice(), &[0.0, 0.0]);
    /// ```
    pub fn fill(&mut self, value: f64) {
        self.data.fill(value);
    }

    /// Copies `other` into `self` (numpy: `np.copy`, but into an existing buffer).
    ///
    /// # Panics
    ///
    /// If the lengths differ: `copy_from: (3) <- (2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Vector;
    /// let mut a = Vector::zeros(2);
    /// a.copy_from(&Vector::from_vec(vec![1.0, 2.0]));
    /// assert_eq!(a.as_slice(), &[1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn copy_from(&mut self, other: &Vector) {
        check_len("copy_from", "<-", self.len(), other.len());
        self.data.copy_from_slice(&other.data);
    }

    /// Adds `other` element by element: `self += other`.
    ///
    /// # Panics
    ///
    /// If the lengths differ: `add_assign: (3) + (2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Vector;
    /// let mut a = Vector::from_vec(vec![1.0, 2.0]);
    /// a.add_assign(&Vector::from_vec(vec![0.5, -1.0]));
    /// assert_eq!(a.as_slice(), &[1.5, 1.0]);
    /// ```
    // ANCHOR: add_assign
    #[track_caller]
    pub fn add_assign(&mut self, other: &Vector) {
        check_len("add_assign", "+", self.len(), other.len());
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a += b;
        }
    }
    // ANCHOR_END: add_assign

    /// Multiplies element by element (the Hadamard product, numpy's `*`): `self ⊙= other`.
    ///
    /// # Panics
    ///
    /// If the lengths differ: `hadamard: (3) ⊙ (2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Vector;
    /// let mut a = Vector::from_vec(vec![2.0, 3.0]);
    /// a.hadamard(&Vector::from_vec(vec![4.0, -1.0]));
    /// assert_eq!(a.as_slice(), &[8.0, -3.0]);
    /// ```
    #[track_caller]
    pub fn hadamard(&mut self, other: &Vector) {
        check_len("hadamard", "⊙", self.len(), other.len());
        for (a, b) in self.data.iter_mut().zip(&other.data) {
            *a *= b;
        }
    }

    /// The dot product `Σ self[i]·other[i]`.
    ///
    /// # Panics
    ///
    /// If the lengths differ: `dot: (3) · (2)`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::Vector;
    /// let a = Vector::from_vec(vec![1.0, 2.0, 3.0]);
    /// let b = Vector::from_vec(vec![4.0, 5.0, 6.0]);
    /// assert_eq!(a.dot(&b), 32.0);
    /// ```
    #[track_caller]
    pub fn dot(&self, other: &Vector) -> f64 {
        check_len("dot", "·", self.len(), other.len());
        let mut sum = 0.0;
        for i in 0..self.len() {
            sum += self.data[i] * other.data[i];
        }
        sum
    }

    /// Clamps every element into `[min, max]` in place (numpy: `np.clip(v, min, max, out=v)`).
    ///
    /// # Panics
    ///
    /// If `min > max` or either is NaN.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut g = min_char_rnn::Vector::from_vec(vec![-9.0, 0.5, 7.0]);
    /// g.clip(-5.0, 5.0);
    /// assert_eq!(g.as_slice(), &[-5.0, 0.5, 5.0]);
    /// ```
    #[track_caller]
    pub fn clip(&mut self, min: f64, max: f64) {
        clip_slice(&mut self.data, min, max);
    }

    /// The largest element (`f64::NEG_INFINITY` for an empty vector; NaNs are passed over).
    ///
    /// # Examples
    ///
    /// ```
    /// let v = min_char_rnn::Vector::from_vec(vec![0.1, 0.7, 0.2]);
    /// assert_eq!(v.max(), 0.7);
    /// ```
    pub fn max(&self) -> f64 {
        let mut best = f64::NEG_INFINITY;
        for &x in &self.data {
            if x > best {
                best = x;
            }
        }
        best
    }

    /// The index of the largest element (the first one on ties, like `np.argmax`).
    ///
    /// # Panics
    ///
    /// If the vector is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = min_char_rnn::Vector::from_vec(vec![0.1, 0.7, 0.2]);
    /// assert_eq!(p.argmax(), 1);
    /// ```
    #[track_caller]
    pub fn argmax(&self) -> usize {
        assert!(!self.is_empty(), "argmax: the vector is empty");
        let mut best = 0;
        for i in 1..self.len() {
            if self.data[i] > self.data[best] {
                best = i;
            }
        }
        best
    }

    /// The sum of all elements, added in the order numpy's `np.sum` adds them, so that the
    /// result is the same to the last bit.
    ///
    /// That order is numpy's *pairwise summation*. Up to 128 elements: eight running sums,
    /// element `i` going to sum `i % 8`; the eight added in pairs; then the last `len % 8`
    /// elements one by one. Longer vectors are cut in two (at a multiple of 8 near the
    /// middle), each half summed the same way, and the halves added. Besides matching numpy,
    /// eight independent sums are faster than one: each addition need not wait for the one
    /// before, and eight of them fill one 512-bit register.
    ///
    /// # Examples
    ///
    /// ```
    /// let p = min_char_rnn::Vector::from_vec(vec![0.25, 0.75]);
    /// assert_eq!(p.sum(), 1.0);
    /// ```
    pub fn sum(&self) -> f64 {
        pairwise_sum(&self.data)
    }
}

/// A vector is a slice of numbers wherever one is asked for (the fast path's kernels take a
/// list of `Vector`s or of `&Vector`s alike).
impl AsRef<[f64]> for Vector {
    fn as_ref(&self) -> &[f64] {
        &self.data
    }
}

impl Index<usize> for Vector {
    type Output = f64;

    #[track_caller]
    fn index(&self, i: usize) -> &f64 {
        &self.data[i]
    }
}

impl IndexMut<usize> for Vector {
    #[track_caller]
    fn index_mut(&mut self, i: usize) -> &mut f64 {
        &mut self.data[i]
    }
}

/// `Vector(3) [0.1, 0.2, 0.3]`; past ten elements the middle is elided (`...`), as numpy does.
/// A precision (`{:.3?}`) applies to every element.
// ANCHOR: vector_debug
impl fmt::Debug for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vector({}) ", self.len())?;
        write_row(f, &self.data, f.precision())
    }
}
// ANCHOR_END: vector_debug

/// `[0.1000, 0.2000, 0.3000]`: four decimals unless a precision is given (`{:.2}`); past ten
/// elements the middle is elided.
impl fmt::Display for Vector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let precision = Some(f.precision().unwrap_or(DISPLAY_PRECISION));
        write_row(f, &self.data, precision)
    }
}

// ANCHOR: printing
/// Decimals shown by `Display` when the format string gives none.
pub(crate) const DISPLAY_PRECISION: usize = 4;

/// Rows or columns longer than this are elided to their first and last `EDGE_ITEMS`.
pub(crate) const ELIDE_OVER: usize = 10;
/// How many leading and trailing items are kept when eliding.
pub(crate) const EDGE_ITEMS: usize = 3;

/// The indices shown when printing `len` items: all of them, or the edges with `None` for `...`.
pub(crate) fn shown_indices(len: usize) -> Vec<Option<usize>> {
    if len <= ELIDE_OVER {
        (0..len).map(Some).collect()
    } else {
        let head = (0..EDGE_ITEMS).map(Some);
        let tail = (len - EDGE_ITEMS..len).map(Some);
        head.chain(std::iter::once(None)).chain(tail).collect()
    }
}

/// Writes `[a, b, ..., z]`, each number with `precision` decimals, or with `{:?}` when `None`.
pub(crate) fn write_row(
    f: &mut fmt::Formatter<'_>,
    values: &[f64],
    precision: Option<usize>,
) -> fmt::Result {
    write!(f, "[")?;
    for (k, shown) in shown_indices(values.len()).into_iter().enumerate() {
        if k > 0 {
            write!(f, ", ")?;
        }
        match (shown, precision) {
            (None, _) => write!(f, "...")?,
            (Some(i), Some(p)) => write!(f, "{:.*}", p, values[i])?,
            (Some(i), None) => write!(f, "{:?}", values[i])?,
        }
    }
    write!(f, "]")
}
// ANCHOR_END: printing

/// Panics with `op: (a) SYMBOL (b)` when two lengths differ.
// ANCHOR: check_len
#[track_caller]
pub(crate) fn check_len(op: &str, symbol: &str, a: usize, b: usize) {
    if a != b {
        panic!("{op}: ({a}) {symbol} ({b})");
    }
}
// ANCHOR_END: check_len

/// numpy's pairwise summation (`pairwise_sum` in numpy's C source), for [`Vector::sum`].
fn pairwise_sum(xs: &[f64]) -> f64 {
    const BLOCK: usize = 128; // numpy's PW_BLOCKSIZE
    const LANES: usize = 8; // numpy's eight running sums
    if xs.len() > BLOCK {
        let half = xs.len() / 2;
        let half = half - half % LANES;
        return pairwise_sum(&xs[..half]) + pairwise_sum(&xs[half..]);
    }
    let mut lanes = [0.0; LANES];
    let groups = xs.chunks_exact(LANES);
    let rest = groups.remainder();
    for group in groups {
        for k in 0..LANES {
            lanes[k] += group[k]; // running sum k gets elements k, k + 8, k + 16, …
        }
    }
    let mut total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
        + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
    for &x in rest {
        total += x;
    }
    total
}

/// Clamps every element of `values` into `[min, max]`.
#[track_caller]
pub(crate) fn clip_slice(values: &mut [f64], min: f64, max: f64) {
    assert!(min <= max, "clip: min {min} is not <= max {max}");
    for x in values {
        *x = x.clamp(min, max);
    }
}
