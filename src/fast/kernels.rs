//! The fast path's products: the plain [`Matrix`] products, computed so that the CPU keeps its
//! SIMD registers full, with the same bits.
//!
//! Every kernel here adds its terms in the order the plain loops add them (each output starts
//! at zero and gets its terms one after another, the first term first), and Rust never fuses a
//! multiplication and an addition into one rounding. So each result equals the plain
//! product's to the last bit; `tests/two_paths.rs` checks it at shapes that reach every block
//! and every tail below.
//!
//! | kernel | computes | the plain product it equals |
//! |---|---|---|
//! | [`transpose_into`] | `out = Wᵀ` | (a copy, laid out for the products below) |
//! | [`matvec_transposed`] | `out = Wᵀ·x` | [`Matrix::matvec_transposed`]; and `Matrix::matvec` of the transposed copy |
//! | [`matvec_transposed_batch`] | `outs[t] = Wᵀ·xs[t]` for every `t` | the same, once per `t` |
//! | [`set_sum_of_outers`] | `W = Σ_k a[k]·b[k]ᵀ` | zero, then [`Matrix::add_outer`] for `k = 0, 1, …` |
//! | [`map_in_place`] | `x = f(x)` for every element | a loop of single calls |

use crate::{Matrix, Vector};

// ANCHOR: sizes
/// How many outputs [`matvec_transposed`] keeps in registers at once when there are enough
/// columns: 64 numbers, eight 512-bit registers, eight independent chains of additions,
/// enough to keep the adders busy.
pub const WIDE: usize = 64;

/// The columns of one tile of [`set_sum_of_outers`] and [`matvec_transposed_batch`].
pub const TILE_COLS: usize = 16;

/// How many numbers [`map_in_place`] transforms together: one 512-bit register of `f64`.
pub const LANES: usize = 8;
// ANCHOR_END: sizes

/// Writes `Wᵀ` into `out`, which must be `(cols x rows)`: `out[(c, r)] = w[(r, c)]`
/// (numpy: `W.T`, which only relabels the axes; here the numbers are really moved).
///
/// # Panics
///
/// If `out` has the wrong shape: `transpose_into: (2 x 3)ᵀ into (2 x 3)`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Matrix, fast::kernels::transpose_into};
/// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
/// let mut wt = Matrix::zeros(3, 2);
/// transpose_into(&w, &mut wt);
/// assert_eq!(wt.as_slice(), &[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
/// ```
// ANCHOR: transpose_into
#[track_caller]
pub fn transpose_into(w: &Matrix, out: &mut Matrix) {
    let (rows, cols) = w.shape();
    if out.shape() != (cols, rows) {
        panic!(
            "transpose_into: ({rows} x {cols})ᵀ into ({} x {})",
            out.rows(),
            out.cols()
        );
    }
    let from = w.as_slice();
    let to = out.as_mut_slice();
    // Four rows of W at a time: element c of each becomes four neighbours in row c of Wᵀ.
    let mut r = 0;
    while r + 4 <= rows {
        let w_rows: [&[f64]; 4] = std::array::from_fn(|k| w.row(r + k));
        for c in 0..cols {
            let four: &mut [f64; 4] = (&mut to[c * rows + r..c * rows + r + 4])
                .try_into()
                .expect("4 values");
            *four = [w_rows[0][c], w_rows[1][c], w_rows[2][c], w_rows[3][c]];
        }
        r += 4;
    }
    for r in r..rows {
        for c in 0..cols {
            to[c * rows + r] = from[r * cols + c];
        }
    }
}
// ANCHOR_END: transpose_into

/// `out = Wᵀ·x`, the same bits as [`Matrix::matvec_transposed`].
///
/// With `w` a transposed copy (`w = Aᵀ`, made by [`transpose_into`]) this is `A·x`, the same
/// bits as [`Matrix::matvec`] of `A`: the forward pass computes `w_hh·h` this way.
///
/// # Panics
///
/// If `x.len() != rows` or `out.len() != cols`: `matvec_transposed: (2 x 3)ᵀ · (3)`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Matrix, Vector, fast::kernels::matvec_transposed};
/// let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
/// let mut out = Vector::zeros(3);
/// matvec_transposed(&w, &Vector::from_vec(vec![1.0, -1.0]), &mut out);
/// assert_eq!(out.as_slice(), &[-3.0, -3.0, -3.0]);
/// ```
// ANCHOR: matvec_transposed
#[track_caller]
pub fn matvec_transposed(w: &Matrix, x: &Vector, out: &mut Vector) {
    check_batch(
        "matvec_transposed",
        w,
        std::slice::from_ref(x),
        std::slice::from_ref(out),
        false,
    );
    if w.cols() >= WIDE {
        wide_product(w, x.as_slice(), out.as_mut_slice());
    } else {
        let rows: Vec<&[f64]> = w.as_slice().chunks_exact(w.cols().max(1)).collect();
        sum_scaled_rows(&mut [out.as_mut_slice()], &rows, |_, r| x[r]); // out = Σ_r x[r]·row r
    }
}
// ANCHOR_END: matvec_transposed

/// `outs[t] = Wᵀ·xs[t]` for every `t` (numpy: `np.dot(W.T, X)`), each the same bits as
/// [`Matrix::matvec_transposed`], with `W` read once for all of them.
///
/// # Panics
///
/// If there are not as many outputs as vectors, or a length does not fit:
/// `matvec_transposed_batch: (2 x 3)ᵀ · (3) at index 0`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Matrix, Vector, fast::kernels::matvec_transposed_batch};
/// let w = Matrix::from_rows(&[&[1.0, 2.0], &[3.0, 4.0]]);
/// let xs = [Vector::from_vec(vec![1.0, 0.0]), Vector::from_vec(vec![0.0, 1.0])];
/// let mut outs = [Vector::zeros(2), Vector::zeros(2)];
/// matvec_transposed_batch(&w, &xs, &mut outs);
/// assert_eq!(outs[0].as_slice(), &[1.0, 2.0]); // row 0
/// assert_eq!(outs[1].as_slice(), &[3.0, 4.0]); // row 1
/// ```
// ANCHOR: matvec_transposed_batch
#[track_caller]
pub fn matvec_transposed_batch(w: &Matrix, xs: &[Vector], outs: &mut [Vector]) {
    check_batch("matvec_transposed_batch", w, xs, outs, true);
    let rows: Vec<&[f64]> = w.as_slice().chunks_exact(w.cols().max(1)).collect();
    let mut outs: Vec<&mut [f64]> = outs.iter_mut().map(Vector::as_mut_slice).collect();
    sum_scaled_rows(&mut outs, &rows, |t, r| xs[t][r]); // outs[t] = Σ_r xs[t][r]·row r
}
// ANCHOR_END: matvec_transposed_batch

/// `W = Σ_k a[k]·b[k]ᵀ`, the terms added in the order of `k`: the same bits as zeroing `W`
/// and then calling [`Matrix::add_outer`]`(a[k], b[k])` for `k = 0, 1, …` in turn. `W` is
/// written once instead of once per term: a tile of it stays in registers while every term
/// is added, and is stored when it is done.
///
/// `a` and `b` may be lists of [`Vector`]s or of `&Vector`s. The backward pass passes its
/// steps from the last to the first, the order in which the plain loop adds them.
///
/// # Panics
///
/// If `a` and `b` differ in length, or a vector does not fit:
/// `set_sum_of_outers: (2 x 3) = Σ (4) ⊗ (3) at index 0`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Matrix, Vector, fast::kernels::set_sum_of_outers};
/// let mut w = Matrix::zeros(2, 2);
/// let a = [Vector::from_vec(vec![1.0, 0.0]), Vector::from_vec(vec![0.0, 2.0])];
/// let b = [Vector::from_vec(vec![1.0, 1.0]), Vector::from_vec(vec![1.0, -1.0])];
/// set_sum_of_outers(&mut w, &a, &b);
/// assert_eq!(w.as_slice(), &[1.0, 1.0, 2.0, -2.0]);
/// ```
// ANCHOR: set_sum_of_outers
#[track_caller]
pub fn set_sum_of_outers<A: AsRef<[f64]>, B: AsRef<[f64]>>(w: &mut Matrix, a: &[A], b: &[B]) {
    let (rows, cols) = w.shape();
    if a.len() != b.len() {
        panic!(
            "set_sum_of_outers: {} vectors ⊗ {} vectors",
            a.len(),
            b.len()
        );
    }
    let a: Vec<&[f64]> = a.iter().map(AsRef::as_ref).collect();
    let b: Vec<&[f64]> = b.iter().map(AsRef::as_ref).collect();
    for k in 0..a.len() {
        if a[k].len() != rows || b[k].len() != cols {
            panic!(
                "set_sum_of_outers: ({rows} x {cols}) = Σ ({}) ⊗ ({}) at index {k}",
                a[k].len(),
                b[k].len()
            );
        }
    }
    let mut w_rows: Vec<&mut [f64]> = w.as_mut_slice().chunks_exact_mut(cols.max(1)).collect();
    sum_scaled_rows(&mut w_rows, &b, |r, k| a[k][r]); // row r of W = Σ_k a[k][r]·b[k]
}
// ANCHOR_END: set_sum_of_outers

/// `x = f(x)` for every element of `xs`, [`LANES`] elements at a time.
///
/// A plain `for x in xs` loop over `f = tanh` is vectorised too, but the compiler finishes
/// it with a scalar loop for the `len % 8` elements left over, one slow call each (4 of the
/// 100 hidden units, 5 of a 61-character vocabulary). Here the leftovers are done as one more
/// group of 8: the *last* 8 elements, overlapping the group before. Their inputs are copied
/// out first, so that no element is transformed twice.
///
/// # Examples
///
/// ```
/// let mut xs: Vec<f64> = (0..11).map(f64::from).collect();
/// min_char_rnn::fast::kernels::map_in_place(&mut xs, |x| 2.0 * x);
/// assert_eq!(xs, (0..11).map(|i| f64::from(2 * i)).collect::<Vec<_>>());
/// ```
// ANCHOR: map_in_place
#[inline]
pub fn map_in_place(xs: &mut [f64], f: impl Fn(f64) -> f64) {
    let n = xs.len();
    if n < LANES {
        for x in xs {
            *x = f(*x);
        }
        return;
    }
    // The inputs of the last group, taken before the groups of 8 overwrite any of them.
    let mut last: [f64; LANES] = xs[n - LANES..].try_into().expect("LANES values");
    for group in xs.chunks_exact_mut(LANES) {
        for x in group {
            *x = f(*x);
        }
    }
    for x in &mut last {
        *x = f(*x);
    }
    xs[n - LANES..].copy_from_slice(&last);
}
// ANCHOR_END: map_in_place

/// `out = Σ_r x[r] · row r` for one vector and at least [`WIDE`] columns: blocks of
/// `WIDE` outputs stay in registers while every row is added to them, two blocks per pass
/// over the rows, so that each row is read once for both. When `cols` is not a multiple
/// of `WIDE`, the last block overlaps the one before; the outputs they share are computed
/// twice, the same way, so they get the same values.
// ANCHOR: wide_product
fn wide_product(w: &Matrix, x: &[f64], out: &mut [f64]) {
    let (rows, cols) = w.shape();
    let data = w.as_slice();
    let mut start = 0;
    loop {
        // The two blocks of this pass; the last block ends at the last column. (With one
        // block left, both are that block.)
        let a0 = start.min(cols - WIDE);
        let b0 = (start + WIDE).min(cols - WIDE);
        let mut a = [0.0; WIDE];
        let mut b = [0.0; WIDE];
        for r in 0..rows {
            let row = &data[r * cols..(r + 1) * cols];
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

/// `outs[i] = Σ_k coeff(i, k) · rows[k]` for every output `i`, the terms added in the order
/// of `k`: the same result, bit for bit, as zeroing `outs[i]` and then adding
/// `coeff(i, k) · rows[k]` for `k = 0, 1, …` in turn.
///
/// The outputs are cut into tiles of four outputs by [`TILE_COLS`] columns. A tile (64
/// numbers, eight 512-bit registers) starts at zero, stays in registers while all the terms
/// are added to it, and is stored once, at the end; each piece of a row is loaded once for
/// four outputs. The four outputs' coefficients are copied first into a small "panel",
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
        tiles_across(&mut outs[i..i + 4], rows, &panel);
        i += 4;
    }
    for i in i..outs.len() {
        let column: Vec<[f64; 1]> = (0..rows.len()).map(|k| [coeff(i, k)]).collect();
        tiles_across(&mut outs[i..i + 1], rows, &column);
    }
}
// ANCHOR_END: sum_scaled_rows

/// The tiles of one group of `N` outputs, from left to right: [`TILE_COLS`] columns at a
/// time; then the columns left over, in one last tile of the last `TILE_COLS` columns, which
/// overlaps the one before (or, in outputs narrower than `TILE_COLS`, one column at a time).
/// The columns the two tiles share are computed twice, the same way, so they get the same
/// values.
// ANCHOR: tiles_across
fn tiles_across<const N: usize>(outs: &mut [&mut [f64]], rows: &[&[f64]], panel: &[[f64; N]]) {
    let width = outs[0].len();
    let mut c = 0;
    while c + TILE_COLS <= width {
        tile::<N, TILE_COLS>(outs, rows, panel, c);
        c += TILE_COLS;
    }
    if c < width && width >= TILE_COLS {
        // The last TILE_COLS columns: those before c are computed again, to the same values.
        tile::<N, TILE_COLS>(outs, rows, panel, width - TILE_COLS);
    } else {
        for c in c..width {
            tile::<N, 1>(outs, rows, panel, c);
        }
    }
}
// ANCHOR_END: tiles_across

/// One tile of [`sum_scaled_rows`]: the `N` outputs of `outs`, columns `c0 .. c0 + COLS`,
/// with `panel[k][i]` the coefficient of row `k` for output `i`.
// ANCHOR: tile
#[inline(always)]
fn tile<const N: usize, const COLS: usize>(
    outs: &mut [&mut [f64]],
    rows: &[&[f64]],
    panel: &[[f64; N]],
    c0: usize,
) {
    let mut tile = [[0.0; COLS]; N];
    for (row, coeffs) in rows.iter().zip(panel) {
        let piece: &[f64; COLS] = row[c0..c0 + COLS].try_into().expect("COLS values");
        for i in 0..N {
            for c in 0..COLS {
                tile[i][c] += coeffs[i] * piece[c]; // + coeff(i, k) · rows[k][c0 + c]
            }
        }
    }
    for i in 0..N {
        outs[i][c0..c0 + COLS].copy_from_slice(&tile[i]);
    }
}
// ANCHOR_END: tile

/// Panics unless `outs` has one vector per `xs`, each `x` of length `rows` and each output of
/// length `cols`: `op: (2 x 3)ᵀ · (3) at index 0` (without the index unless `batch`).
#[track_caller]
fn check_batch(op: &str, w: &Matrix, xs: &[Vector], outs: &[Vector], batch: bool) {
    let (rows, cols) = w.shape();
    if xs.len() != outs.len() {
        panic!("{op}: {} vectors give {} outputs", xs.len(), outs.len());
    }
    let at = |t: usize| {
        if !batch {
            String::new()
        } else {
            format!(" at index {t}")
        }
    };
    for t in 0..xs.len() {
        if xs[t].len() != rows {
            panic!("{op}: ({rows} x {cols})ᵀ · ({}){}", xs[t].len(), at(t));
        }
        if outs[t].len() != cols {
            panic!(
                "{op}: ({rows} x {cols})ᵀ · ({rows}) gives ({cols}), not ({}){}",
                outs[t].len(),
                at(t)
            );
        }
    }
}
