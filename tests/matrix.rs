//! The numbers step, part 2: `Matrix`, the `(rows x cols)` grid behind `w_xh`, `w_hh` and `w_hy`.
//!
//! How it is verified:
//! - every product (`matvec`, `matvec_transposed`, `add_outer`, `add_to_column`) and every
//!   element-wise operation (`add_assign`, `clip`) is compared with a small example worked by
//!   hand, the arithmetic written in a comment. The examples use 2 x 3 matrices with values
//!   that are not symmetric, so mixing up rows and columns gives a different answer;
//! - two identities tie the products together: `Wᵀ·x` equals `matvec` of a transpose built
//!   element by element, and `add_to_column(c, v)` equals `add_outer(v, one_hot(c))`;
//! - every shape mismatch panics with the message the source documents, naming the
//!   operation and both shapes;
//! - `Debug` and `Display` print exactly the documented strings, elide the middle of a large
//!   matrix with `...`, honour a precision, and `{:#?}` puts each row on its own line.
//!
//! Run with `cargo test --test matrix`.

use min_char_rnn::{Matrix, Vector};

/// The matrix most tests start from, `(2 x 3)`:
///
/// ```text
/// W = [[1.0, -2.0,  3.0],
///      [4.0,  0.5, -1.0]]
/// ```
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
// Construction and layout
// ---------------------------------------------------------------------------------------------

#[test]
fn from_rows_stores_row_major() {
    let w = w_2x3();
    assert_eq!(w.shape(), (2, 3));
    assert_eq!((w.rows(), w.cols()), (2, 3));
    // Row 0, then row 1: element (r, c) at r * 3 + c.
    assert_eq!(w.as_slice(), &[1.0, -2.0, 3.0, 4.0, 0.5, -1.0]);
    assert_eq!(w[(0, 2)], 3.0); // row 0, column 2
    assert_eq!(w[(1, 0)], 4.0); // row 1, column 0 (not 3.0: that would be column-major)
    assert_eq!(w.row(1), &[4.0, 0.5, -1.0]);
}

#[test]
fn index_mut_writes_the_named_element_only() {
    let mut w = Matrix::zeros(2, 3);
    w[(1, 2)] = 7.0; // position 1 * 3 + 2 = 5
    assert_eq!(w.as_slice(), &[0.0, 0.0, 0.0, 0.0, 0.0, 7.0]);
}

#[test]
#[should_panic(expected = "from_vec: 5 values for (2 x 3)")]
fn from_vec_with_wrong_length_panics_naming_count_and_shape() {
    Matrix::from_vec(2, 3, vec![1.0; 5]);
}

#[test]
#[should_panic(expected = "from_rows: row 1 has 1 values, row 0 has 2")]
fn from_rows_with_ragged_rows_panics_naming_the_row() {
    Matrix::from_rows(&[&[1.0, 2.0], &[3.0]]);
}

#[test]
#[should_panic(expected = "index: (2, 0) of (2 x 3)")]
fn index_out_of_range_panics_naming_index_and_shape() {
    let _ = w_2x3()[(2, 0)];
}

#[test]
#[should_panic(expected = "index: (0, 3) of (2 x 3)")]
fn writing_a_column_out_of_range_panics_instead_of_wrapping_into_the_next_row() {
    // (0, 3) of a 2 x 3 matrix would be data[3], element (1, 0), without the check.
    let mut w = w_2x3();
    w[(0, 3)] = 9.0;
}

#[test]
#[should_panic(expected = "index: (2, 0) of (2 x 3)")]
fn writing_a_row_out_of_range_panics_naming_index_and_shape() {
    let mut w = w_2x3();
    w[(2, 0)] = 9.0;
}

#[test]
#[should_panic(expected = "row: row 2 of (2 x 3)")]
fn row_out_of_range_panics_naming_row_and_shape() {
    w_2x3().row(2);
}

#[test]
fn row_mut_writes_that_row_only() {
    let mut w = w_2x3();
    w.row_mut(1).copy_from_slice(&[7.0, 8.0, 9.0]);
    assert_eq!(w.row(0), w_2x3().row(0));
    assert_eq!(w.row(1), &[7.0, 8.0, 9.0]);
}

#[test]
#[should_panic(expected = "row_mut: row 2 of (2 x 3)")]
fn row_mut_out_of_range_panics_naming_row_and_shape() {
    w_2x3().row_mut(2);
}

// ---------------------------------------------------------------------------------------------
// The products
// ---------------------------------------------------------------------------------------------

#[test]
fn matvec_matches_hand_computed_example() {
    // W·x with x = [2, 1, -1]:
    //   row 0: 1·2 + (−2)·1 + 3·(−1)   = 2 − 2 − 3     = −3
    //   row 1: 4·2 + 0.5·1 + (−1)·(−1) = 8 + 0.5 + 1   =  9.5
    let mut out = Vector::zeros(2);
    w_2x3().matvec(&vector(&[2.0, 1.0, -1.0]), &mut out);
    assert_eq!(out.as_slice(), &[-3.0, 9.5]);
}

#[test]
fn matvec_overwrites_whatever_was_in_out() {
    // `out` is a reused buffer: stale values must not leak into the result.
    let mut out = vector(&[100.0, -100.0]);
    w_2x3().matvec(&vector(&[2.0, 1.0, -1.0]), &mut out);
    assert_eq!(out.as_slice(), &[-3.0, 9.5]);
}

#[test]
fn matvec_transposed_matches_hand_computed_example() {
    // Wᵀ·x with x = [3, −1] (length rows = 2); output has length cols = 3:
    //   col 0: 1·3 + 4·(−1)      =  3 − 4   = −1
    //   col 1: (−2)·3 + 0.5·(−1) = −6 − 0.5 = −6.5
    //   col 2: 3·3 + (−1)·(−1)   =  9 + 1   = 10
    let mut out = vector(&[100.0, 100.0, 100.0]); // stale values: must be overwritten
    w_2x3().matvec_transposed(&vector(&[3.0, -1.0]), &mut out);
    assert_eq!(out.as_slice(), &[-1.0, -6.5, 10.0]);
}

#[test]
fn matvec_transposed_equals_matvec_of_explicit_transpose() {
    // A 7 x 5 matrix of seeded random values. Output c of Wᵀ·x is Σ_r W[r, c]·x[r], added
    // from r = 0 up; row c of the transpose dotted with x adds the same products in the same
    // order, so the two agree to the last bit.
    let mut rng = fastrand::Rng::with_seed(11);
    let mut w = Matrix::zeros(7, 5);
    for value in w.as_mut_slice() {
        *value = rng.f64() * 2.0 - 1.0;
    }
    let mut x = Vector::zeros(7);
    for value in x.as_mut_slice() {
        *value = rng.f64() * 2.0 - 1.0;
    }

    let mut product = Vector::zeros(5);
    w.matvec_transposed(&x, &mut product);
    let mut reference = Vector::zeros(5);
    transpose(&w).matvec(&x, &mut reference);
    assert_eq!(product, reference);
}

#[test]
fn add_outer_matches_hand_computed_example() {
    // a = [2, −1] (length rows), b = [1, 0, 3] (length cols):
    //   a·bᵀ = [[ 2·1,  2·0,  2·3],    = [[ 2, 0,  6],
    //           [−1·1, −1·0, −1·3]]       [−1, 0, −3]]
    //   W + a·bᵀ = [[1 + 2, −2 + 0,  3 + 6],    = [[3, −2,  9],
    //               [4 − 1, 0.5 + 0, −1 − 3]]      [3, 0.5, −4]]
    let mut w = w_2x3();
    w.add_outer(&vector(&[2.0, -1.0]), &vector(&[1.0, 0.0, 3.0]));
    assert_eq!(w.as_slice(), &[3.0, -2.0, 9.0, 3.0, 0.5, -4.0]);
}

#[test]
fn add_to_column_matches_hand_computed_example() {
    // W[:, 2] += [10, 20]: column 2 goes from [3, −1] to [13, 19]; the rest is untouched.
    let mut w = w_2x3();
    w.add_to_column(2, &vector(&[10.0, 20.0]));
    assert_eq!(w.as_slice(), &[1.0, -2.0, 13.0, 4.0, 0.5, 19.0]);
}

#[test]
fn add_to_column_equals_add_outer_with_one_hot() {
    // The shortcut used for dW_xh: v·xᵀ for a one-hot x is v in column c, zero elsewhere.
    let v = vector(&[0.25, -1.5]);
    for c in 0..3 {
        let mut shortcut = w_2x3();
        shortcut.add_to_column(c, &v);
        let mut outer = w_2x3();
        outer.add_outer(&v, &Vector::one_hot(3, c));
        assert_eq!(shortcut, outer, "column {c}");
    }
}

#[test]
fn add_assign_matches_hand_computed_example() {
    // [[1, −2, 3], [4, 0.5, −1]] + [[10, 20, 30], [40, 50, 60]]
    //   = [[11, 18, 33], [44, 50.5, 59]]
    let mut w = w_2x3();
    w.add_assign(&Matrix::from_rows(&[
        &[10.0, 20.0, 30.0],
        &[40.0, 50.0, 60.0],
    ]));
    assert_eq!(w.as_slice(), &[11.0, 18.0, 33.0, 44.0, 50.5, 59.0]);
}

#[test]
fn clip_clamps_every_element_into_the_range() {
    // Into [−1.5, 2]: 1 stays, −2 → −1.5, 3 → 2, 4 → 2, 0.5 stays, −1 stays.
    let mut w = w_2x3();
    w.clip(-1.5, 2.0);
    assert_eq!(w.as_slice(), &[1.0, -1.5, 2.0, 2.0, 0.5, -1.0]);
}

#[test]
fn fill_sets_every_element() {
    let mut w = w_2x3();
    w.fill(0.0);
    assert_eq!(w, Matrix::zeros(2, 3));
}

// ---------------------------------------------------------------------------------------------
// Shape mismatches: each panic names the operation and both shapes
// ---------------------------------------------------------------------------------------------

#[test]
#[should_panic(expected = "matvec: (2 x 3) · (2)")]
fn matvec_shape_mismatch_panics_naming_both_shapes() {
    w_2x3().matvec(&Vector::zeros(2), &mut Vector::zeros(2));
}

#[test]
#[should_panic(expected = "matvec: (2 x 3) · (3) gives (2), not (5)")]
fn matvec_output_length_mismatch_panics_naming_both_lengths() {
    w_2x3().matvec(&Vector::zeros(3), &mut Vector::zeros(5));
}

#[test]
#[should_panic(expected = "matvec_transposed: (2 x 3)ᵀ · (3)")]
fn matvec_transposed_shape_mismatch_panics_naming_both_shapes() {
    w_2x3().matvec_transposed(&Vector::zeros(3), &mut Vector::zeros(3));
}

#[test]
#[should_panic(expected = "matvec_transposed: (2 x 3)ᵀ · (2) gives (3), not (4)")]
fn matvec_transposed_output_length_mismatch_panics_naming_both_lengths() {
    w_2x3().matvec_transposed(&Vector::zeros(2), &mut Vector::zeros(4));
}

#[test]
#[should_panic(expected = "add_outer: (2 x 3) += (4) ⊗ (3)")]
fn add_outer_wrong_left_length_panics_naming_all_shapes() {
    w_2x3().add_outer(&Vector::zeros(4), &Vector::zeros(3));
}

#[test]
#[should_panic(expected = "add_outer: (2 x 3) += (2) ⊗ (2)")]
fn add_outer_wrong_right_length_panics_naming_all_shapes() {
    w_2x3().add_outer(&Vector::zeros(2), &Vector::zeros(2));
}

#[test]
#[should_panic(expected = "add_to_column: (2 x 3)[:, 3] += (2)")]
fn add_to_column_out_of_range_panics_naming_column_and_shape() {
    w_2x3().add_to_column(3, &Vector::zeros(2));
}

#[test]
#[should_panic(expected = "add_to_column: (2 x 3)[:, 0] += (3)")]
fn add_to_column_wrong_length_panics_naming_both_shapes() {
    w_2x3().add_to_column(0, &Vector::zeros(3));
}

#[test]
#[should_panic(expected = "add_assign: (2 x 3) + (3 x 2)")]
fn add_assign_shape_mismatch_panics_naming_both_shapes() {
    w_2x3().add_assign(&Matrix::zeros(3, 2));
}

#[test]
#[should_panic(expected = "clip: min 1 is not <= max -1")]
fn clip_with_min_above_max_panics() {
    w_2x3().clip(1.0, -1.0);
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

#[test]
fn debug_shows_shape_and_every_value() {
    let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    assert_eq!(
        format!("{w:?}"),
        "Matrix(2 x 3) [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]"
    );
}

#[test]
fn debug_honours_precision() {
    assert_eq!(
        format!("{:.2?}", w_2x3()),
        "Matrix(2 x 3) [[1.00, -2.00, 3.00], [4.00, 0.50, -1.00]]"
    );
}

#[test]
fn alternate_debug_puts_each_row_on_its_own_line() {
    let w = Matrix::from_rows(&[&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0]]);
    assert_eq!(
        format!("{w:#?}"),
        "Matrix(2 x 3) [[1.0, 2.0, 3.0],\n    [4.0, 5.0, 6.0]]"
    );
}

#[test]
fn display_right_aligns_four_decimals() {
    // Widest entry: "-2.0000" (7 characters), so the others are padded to 7.
    let w = Matrix::from_rows(&[&[1.0, -2.0], &[3.5, 4.0]]);
    assert_eq!(format!("{w}"), "[[ 1.0000, -2.0000],\n [ 3.5000,  4.0000]]");
}

#[test]
fn display_honours_precision() {
    // With {:.2} the widest entry is "-2.00" (5 characters).
    let w = Matrix::from_rows(&[&[1.0, -2.0], &[3.5, 4.0]]);
    assert_eq!(format!("{w:.2}"), "[[ 1.00, -2.00],\n [ 3.50,  4.00]]");
}

/// A 20 x 20 matrix whose element (r, c) is `20·r + c`, so every value says where it sits.
fn numbered_20x20() -> Matrix {
    let mut w = Matrix::zeros(20, 20);
    for r in 0..20 {
        for c in 0..20 {
            w[(r, c)] = (20 * r + c) as f64;
        }
    }
    w
}

#[test]
fn debug_of_large_matrix_elides_the_middle() {
    // Past ten rows or columns only the first three and last three are shown:
    // rows 0, 1, 2, ..., 17, 18, 19 and in each of them columns 0, 1, 2, ..., 17, 18, 19.
    let expected = "Matrix(20 x 20) [\
        [0.0, 1.0, 2.0, ..., 17.0, 18.0, 19.0], \
        [20.0, 21.0, 22.0, ..., 37.0, 38.0, 39.0], \
        [40.0, 41.0, 42.0, ..., 57.0, 58.0, 59.0], \
        ..., \
        [340.0, 341.0, 342.0, ..., 357.0, 358.0, 359.0], \
        [360.0, 361.0, 362.0, ..., 377.0, 378.0, 379.0], \
        [380.0, 381.0, 382.0, ..., 397.0, 398.0, 399.0]]";
    assert_eq!(format!("{:?}", numbered_20x20()), expected);
}

#[test]
fn display_of_large_matrix_elides_the_middle_and_stays_short() {
    let shown = format!("{}", numbered_20x20());
    let lines: Vec<&str> = shown.lines().collect();
    // Six rows plus one row of "..." in place of the fourteen hidden ones.
    assert_eq!(lines.len(), 7, "{shown}");
    // The first line holds row 0: columns 0, 1, 2, then "...", then 17, 18, 19.
    let first: Vec<&str> = lines[0]
        .split(',')
        .map(|cell| cell.trim_matches(|ch: char| ch == '[' || ch == ']' || ch == ' '))
        .filter(|cell| !cell.is_empty())
        .collect();
    assert_eq!(
        first,
        [
            "0.0000", "1.0000", "2.0000", "...", "17.0000", "18.0000", "19.0000"
        ]
    );
    // The middle line is nothing but "..." cells.
    assert!(
        lines[3]
            .chars()
            .all(|ch| matches!(ch, '.' | ',' | ' ' | '[' | ']')),
        "middle line: {:?}",
        lines[3]
    );
    // The last line holds row 19 (values 380 to 399).
    assert!(lines[6].contains("380.0000") && lines[6].contains("399.0000"));
    // 49 cells of at most 8 characters plus separators: far less than all 400 values
    // (400 × 8 = 3200 characters).
    assert!(shown.len() < 600, "{} characters:\n{shown}", shown.len());
}
