//! The fast path's kernels (`min_char_rnn::fast::kernels`): each gives the bits of the plain
//! product it stands for.
//!
//! How it is verified:
//! - `matvec_transposed` equals, to the last bit, the plain `Matrix::matvec_transposed` and
//!   the plainest loop over rows, at widths below, at and above every block size: tiles of 4
//!   outputs by 16 columns, register blocks of 64 columns two at a time (so 128, 129, 191,
//!   192, 193, 256 and 257 columns, where a block or the overlapping last block starts);
//! - the batched products (`matvec_transposed_batch`, `set_sum_of_outers`) equal, to the last
//!   bit, the plain one-vector products called once per vector in order;
//! - `transpose_into` swaps rows and columns at shapes around its blocks of four rows;
//! - `map_in_place` transforms every element once and gives the bits of single calls;
//! - every shape mismatch panics with the message the source documents.
//!
//! Run with `cargo test --test fast_kernels`.

use min_char_rnn::fast::kernels::{
    map_in_place, matvec_transposed, matvec_transposed_batch, set_sum_of_outers, transpose_into,
};
use min_char_rnn::{Matrix, Vector, math};

/// The matrix most tests start from, `(2 x 3)`.
fn w_2x3() -> Matrix {
    Matrix::from_rows(&[&[1.0, -2.0, 3.0], &[4.0, 0.5, -1.0]])
}

fn vector(values: &[f64]) -> Vector {
    Vector::from_vec(values.to_vec())
}

/// The transpose, built one element at a time: `t[(c, r)] = w[(r, c)]`.
fn transpose(w: &Matrix) -> Matrix {
    let (rows, cols) = w.shape();
    let mut t = Matrix::zeros(cols, rows);
    for r in 0..rows {
        for c in 0..cols {
            t[(c, r)] = w[(r, c)];
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// The batched products: many vectors through one matrix, the matrix read once.
// ---------------------------------------------------------------------------------------------

/// A `rows x cols` matrix of seeded values in `[−1, 1)`.
fn random_matrix(rows: usize, cols: usize, seed: u64) -> Matrix {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut w = Matrix::zeros(rows, cols);
    for value in w.as_mut_slice() {
        *value = rng.f64() * 2.0 - 1.0;
    }
    w
}

/// `n` vectors of length `len` with seeded values in `[−1, 1)`.
fn random_vectors(n: usize, len: usize, seed: u64) -> Vec<Vector> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|_| Vector::from_vec((0..len).map(|_| rng.f64() * 2.0 - 1.0).collect()))
        .collect()
}

/// `Wᵀ·x` written as the plainest loop: for each column, the rows' terms added one after
/// another, in row order, to a sum that starts at zero.
// ANCHOR: transposed_by_plain_loops
fn transposed_by_plain_loops(w: &Matrix, x: &Vector) -> Vec<f64> {
    let (rows, cols) = w.shape();
    let mut out = vec![0.0; cols];
    for c in 0..cols {
        let mut sum = 0.0;
        for r in 0..rows {
            sum += x[r] * w[(r, c)];
        }
        out[c] = sum;
    }
    out
}
// ANCHOR_END: transposed_by_plain_loops

/// Shapes around the kernels' block sizes (tiles of 4 outputs by 16 columns, register blocks
/// of 64 columns): below, at and above each, and the defaults (H = 100, V = 71).
const SHAPES: [(usize, usize); 18] = [
    (1, 1),
    (3, 5),
    (7, 15),
    (5, 16),
    (6, 17),
    (7, 63),
    (7, 64),
    (5, 65),
    (100, 100),
    (71, 100),
    (8, 128),
    (9, 129),
    (9, 130),
    (4, 191),
    (5, 192),
    (6, 193),
    (3, 256),
    (2, 257),
];

#[test]
fn matvec_transposed_adds_the_rows_in_row_order_at_every_width() {
    // The crate promises each output to be the rows' terms added in row order, whatever
    // the register blocks do, so the plain loop must agree to the last bit.
    for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
        let w = random_matrix(rows, cols, 100 + k as u64);
        let x = random_vectors(1, rows, 200 + k as u64).remove(0);
        let mut out = Vector::from_vec(vec![123.0; cols]); // stale values: overwritten
        matvec_transposed(&w, &x, &mut out);
        assert_eq!(
            out.as_slice(),
            transposed_by_plain_loops(&w, &x).as_slice(),
            "({rows} x {cols})"
        );
    }
}

#[test]
fn matvec_transposed_batch_equals_one_product_per_vector() {
    for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
        for n in [1, 3, 4, 25] {
            let w = random_matrix(rows, cols, 300 + k as u64);
            let xs = random_vectors(n, rows, 400 + k as u64);
            let mut batch = vec![Vector::from_vec(vec![-7.0; cols]); n]; // stale values
            matvec_transposed_batch(&w, &xs, &mut batch);
            for t in 0..n {
                let mut one = Vector::zeros(cols);
                w.matvec_transposed(&xs[t], &mut one);
                assert_eq!(batch[t], one, "({rows} x {cols}), {n} vectors, vector {t}");
            }
        }
    }
}

#[test]
fn matvec_transposed_batch_matches_hand_computed_example() {
    // Wᵀ·x for x = [3, −1] is [−1, −6.5, 10] (see the single-vector example above);
    // for x = [0, 2] it is twice row 1: [8, 1, −2].
    let xs = [vector(&[3.0, -1.0]), vector(&[0.0, 2.0])];
    let mut outs = [Vector::zeros(3), Vector::zeros(3)];
    matvec_transposed_batch(&w_2x3(), &xs, &mut outs);
    assert_eq!(outs[0].as_slice(), &[-1.0, -6.5, 10.0]);
    assert_eq!(outs[1].as_slice(), &[8.0, 1.0, -2.0]);
}

#[test]
fn transpose_into_swaps_rows_and_columns_at_every_shape() {
    // transpose_into copies four rows at a time; the shapes include row counts that are
    // and are not multiples of four.
    for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
        let w = random_matrix(rows, cols, 800 + k as u64);
        let mut t = Matrix::from_vec(cols, rows, vec![9.0; rows * cols]); // stale values
        transpose_into(&w, &mut t);
        assert_eq!(t, transpose(&w), "({rows} x {cols})");
    }
}

#[test]
#[should_panic(expected = "transpose_into: (2 x 3)ᵀ into (2 x 3)")]
fn transpose_into_the_wrong_shape_panics_naming_both_shapes() {
    transpose_into(&w_2x3(), &mut Matrix::zeros(2, 3));
}

#[test]
fn set_sum_of_outers_equals_zero_then_add_outer_in_turn() {
    for (k, &(rows, cols)) in SHAPES.iter().enumerate() {
        for n in [1, 3, 4, 25] {
            let a = random_vectors(n, rows, 600 + k as u64);
            let b = random_vectors(n, cols, 700 + k as u64);
            let mut batch = random_matrix(rows, cols, 500 + k as u64); // stale values: overwritten
            set_sum_of_outers(&mut batch, &a, &b);
            let mut in_turn = Matrix::zeros(rows, cols);
            for t in 0..n {
                in_turn.add_outer(&a[t], &b[t]);
            }
            assert_eq!(batch, in_turn, "({rows} x {cols}), {n} terms");
        }
    }
}

#[test]
fn set_sum_of_outers_matches_hand_computed_example() {
    // W = a₀·b₀ᵀ + a₁·b₁ᵀ with a₀ = [1, 0], b₀ = [1, 1, 1], a₁ = [2, −1], b₁ = [0, 1, 0]:
    //   a₀·b₀ᵀ = [[1, 1, 1], [0, 0, 0]],  a₁·b₁ᵀ = [[0, 2, 0], [0, −1, 0]]
    //   sum    = [[1, 3, 1], [0, −1, 0]]
    // (whatever W held before, here w_2x3, is replaced)
    let mut w = w_2x3();
    let a = [vector(&[1.0, 0.0]), vector(&[2.0, -1.0])];
    let b = [vector(&[1.0, 1.0, 1.0]), vector(&[0.0, 1.0, 0.0])];
    set_sum_of_outers(&mut w, &a, &b);
    assert_eq!(w.as_slice(), &[1.0, 3.0, 1.0, 0.0, -1.0, 0.0]);
}

#[test]
fn set_sum_of_outers_takes_references_to_vectors_too() {
    // The backward pass hands it `&Vector`s (h_prev and the hs before it), not `Vector`s.
    let a = [vector(&[1.0, 0.0]), vector(&[2.0, -1.0])];
    let (b0, b1) = (vector(&[1.0, 1.0, 1.0]), vector(&[0.0, 1.0, 0.0]));
    let (mut by_value, mut by_reference) = (w_2x3(), w_2x3());
    set_sum_of_outers(&mut by_value, &a, &[b0.clone(), b1.clone()]);
    set_sum_of_outers(&mut by_reference, &a, &[&b0, &b1]);
    assert_eq!(by_value, by_reference);
}

#[test]
fn set_sum_of_outers_of_nothing_is_zero() {
    let mut w = w_2x3();
    set_sum_of_outers::<Vector, Vector>(&mut w, &[], &[]);
    assert_eq!(w, Matrix::zeros(2, 3));
}

#[test]
#[should_panic(expected = "matvec_transposed_batch: 2 vectors give 1 outputs")]
fn matvec_transposed_batch_count_mismatch_panics_naming_both_counts() {
    let xs = [vector(&[1.0, 2.0]), vector(&[3.0, 4.0])];
    matvec_transposed_batch(&w_2x3(), &xs, &mut [Vector::zeros(3)]);
}

#[test]
#[should_panic(expected = "matvec_transposed_batch: (2 x 3)ᵀ · (3) at index 1")]
fn matvec_transposed_batch_shape_mismatch_panics_naming_shapes_and_index() {
    let xs = [vector(&[1.0, 2.0]), vector(&[3.0, 4.0, 5.0])];
    matvec_transposed_batch(&w_2x3(), &xs, &mut [Vector::zeros(3), Vector::zeros(3)]);
}

#[test]
#[should_panic(expected = "matvec_transposed_batch: (2 x 3)ᵀ · (2) gives (3), not (4) at index 0")]
fn matvec_transposed_batch_output_mismatch_panics_naming_lengths_and_index() {
    let xs = [vector(&[1.0, 2.0])];
    matvec_transposed_batch(&w_2x3(), &xs, &mut [Vector::zeros(4)]);
}

#[test]
#[should_panic(expected = "set_sum_of_outers: 2 vectors ⊗ 1 vectors")]
fn set_sum_of_outers_count_mismatch_panics_naming_both_counts() {
    let a = [vector(&[1.0, 2.0]), vector(&[3.0, 4.0])];
    set_sum_of_outers(&mut w_2x3(), &a, &[vector(&[1.0, 2.0, 3.0])]);
}

#[test]
#[should_panic(expected = "set_sum_of_outers: (2 x 3) = Σ (4) ⊗ (3) at index 0")]
fn set_sum_of_outers_shape_mismatch_panics_naming_shapes_and_index() {
    let a = [vector(&[1.0, 2.0, 3.0, 4.0])];
    set_sum_of_outers(&mut w_2x3(), &a, &[vector(&[1.0, 2.0, 3.0])]);
}

// --- map_in_place: groups of eight, the last group overlapping ---

#[test]
fn map_in_place_transforms_every_element_exactly_once() {
    // x + 1 applied twice would give x + 2: the overlapping last group must not do that.
    for len in 0..=40 {
        let mut xs: Vec<f64> = (0..len).map(|i| 10.0 * i as f64).collect();
        map_in_place(&mut xs, |x| x + 1.0);
        let expected: Vec<f64> = (0..len).map(|i| 10.0 * i as f64 + 1.0).collect();
        assert_eq!(xs, expected, "length {len}");
    }
}

#[test]
fn map_in_place_gives_the_same_bits_as_single_calls() {
    // 100 is the hidden size (12 groups of 8 and 4 left over), 71 a vocabulary size.
    for len in [1, 7, 8, 9, 71, 100] {
        let xs = {
            let mut rng = fastrand::Rng::with_seed(len as u64);
            (0..len)
                .map(|_| rng.f64() * 60.0 - 30.0)
                .collect::<Vec<f64>>()
        };
        let mut mapped = xs.clone();
        map_in_place(&mut mapped, math::tanh);
        for (x, y) in xs.iter().zip(&mapped) {
            assert_eq!(
                y.to_bits(),
                math::tanh(std::hint::black_box(*x)).to_bits(),
                "tanh({x:e})"
            );
        }
    }
}
