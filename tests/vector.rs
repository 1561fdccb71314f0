//! The numbers step, part 1: `Vector`, the column of numbers behind `h`, `y`, `p` and the biases.
//!
//! How it is verified:
//! - every operation (`dot`, `hadamard`, `add_assign`, `clip`, `argmax`, `max`, `sum`,
//!   `copy_from`, `one_hot`) is compared with a small example worked by hand, the arithmetic
//!   written in a comment; `sum` also against numpy's own `np.sum`, bit for bit
//!   (`tests/fixtures/sums.txt`);
//! - every length mismatch panics with the message the source documents, naming the operation
//!   and both lengths;
//! - `Debug` and `Display` print exactly the documented strings, honour a precision, and elide
//!   the middle of a long vector with `...`.
//!
//! Run with `cargo test --test vector`.

mod common;

use min_char_rnn::Vector;

fn vector(values: &[f64]) -> Vector {
    Vector::from_vec(values.to_vec())
}

// ---------------------------------------------------------------------------------------------
// Construction
// ---------------------------------------------------------------------------------------------

#[test]
fn zeros_has_the_length_asked_for() {
    let v = Vector::zeros(4);
    assert_eq!(v.len(), 4);
    assert_eq!(v.as_slice(), &[0.0, 0.0, 0.0, 0.0]);
    assert!(Vector::zeros(0).is_empty());
    assert!(!v.is_empty());
}

#[test]
fn one_hot_has_a_single_one_at_the_index() {
    // np.zeros((5, 1)); x[3] = 1
    assert_eq!(Vector::one_hot(5, 3).as_slice(), &[0.0, 0.0, 0.0, 1.0, 0.0]);
    assert_eq!(Vector::one_hot(1, 0).as_slice(), &[1.0]);
}

#[test]
#[should_panic(expected = "one_hot: index 4 is out of range for length 4")]
fn one_hot_out_of_range_panics_naming_index_and_length() {
    Vector::one_hot(4, 4);
}

// ---------------------------------------------------------------------------------------------
// Operations
// ---------------------------------------------------------------------------------------------

#[test]
fn dot_matches_hand_computed_example() {
    // [1, −2, 3, 0.5, 4] · [2, 1, −1, 4, 0.25]
    //   = 2 − 2 − 3 + 2 + 1 = 0
    // and with the last element changed to 1: 2 − 2 − 3 + 2 + 4 = 3.
    // (Five elements: one more than the four accumulators the dot product uses, so the tail
    // loop is exercised too.)
    let a = vector(&[1.0, -2.0, 3.0, 0.5, 4.0]);
    assert_eq!(a.dot(&vector(&[2.0, 1.0, -1.0, 4.0, 0.25])), 0.0);
    assert_eq!(a.dot(&vector(&[2.0, 1.0, -1.0, 4.0, 1.0])), 3.0);
}

#[test]
fn hadamard_multiplies_element_by_element() {
    // [2, −3, 0.5] ⊙ [4, 2, −6] = [2·4, −3·2, 0.5·(−6)] = [8, −6, −3]
    let mut a = vector(&[2.0, -3.0, 0.5]);
    a.hadamard(&vector(&[4.0, 2.0, -6.0]));
    assert_eq!(a.as_slice(), &[8.0, -6.0, -3.0]);
}

#[test]
fn add_assign_adds_element_by_element() {
    // [1, −2, 3] + [0.5, 0.5, −4] = [1.5, −1.5, −1]
    let mut a = vector(&[1.0, -2.0, 3.0]);
    a.add_assign(&vector(&[0.5, 0.5, -4.0]));
    assert_eq!(a.as_slice(), &[1.5, -1.5, -1.0]);
}

#[test]
fn clip_clamps_every_element_into_the_range() {
    // Into [−5, 5], as the gradients are clipped: −9 → −5, 0.5 stays, 7 → 5, −5 stays.
    let mut g = vector(&[-9.0, 0.5, 7.0, -5.0]);
    g.clip(-5.0, 5.0);
    assert_eq!(g.as_slice(), &[-5.0, 0.5, 5.0, -5.0]);
}

#[test]
#[should_panic(expected = "clip: min 5 is not <= max -5")]
fn clip_with_min_above_max_panics() {
    vector(&[1.0]).clip(5.0, -5.0);
}

#[test]
fn argmax_is_the_index_of_the_largest_element() {
    // Largest is 0.7 at index 2 (not at the ends, so neither the first nor the last index
    // wins by default).
    assert_eq!(vector(&[0.1, -3.0, 0.7, 0.2]).argmax(), 2);
    // All negative: the largest is −0.5 at index 1.
    assert_eq!(vector(&[-2.0, -0.5, -1.0]).argmax(), 1);
}

#[test]
fn argmax_takes_the_first_of_tied_maxima_like_numpy() {
    // np.argmax([0.2, 0.4, 0.1, 0.4]) == 1
    assert_eq!(vector(&[0.2, 0.4, 0.1, 0.4]).argmax(), 1);
}

#[test]
#[should_panic(expected = "argmax: the vector is empty")]
fn argmax_of_empty_vector_panics() {
    Vector::zeros(0).argmax();
}

#[test]
fn max_is_the_largest_element() {
    assert_eq!(vector(&[0.1, -3.0, 0.7, 0.2]).max(), 0.7);
    assert_eq!(vector(&[-2.0, -0.5, -1.0]).max(), -0.5);
    assert_eq!(Vector::zeros(0).max(), f64::NEG_INFINITY);
}

#[test]
fn max_finds_the_largest_wherever_it_is() {
    // Eight running maxima and a tail: the largest may sit in any lane or in the tail.
    for len in [1, 7, 8, 9, 16, 17, 71, 100] {
        for at in 0..len {
            let mut values: Vec<f64> = (0..len).map(|i| -(i as f64) - 1.0).collect();
            values[at] = 3.5;
            assert_eq!(vector(&values).max(), 3.5, "length {len}, largest at {at}");
        }
    }
}

#[test]
fn max_passes_over_nan() {
    let mut values = vec![0.25; 20];
    values[3] = f64::NAN;
    values[11] = 0.75;
    values[19] = f64::NAN; // in the tail
    assert_eq!(vector(&values).max(), 0.75);
}

#[test]
fn sum_adds_every_element() {
    // 0.5 − 1.25 + 2 + 0.25 = 1.5 (all exact in binary)
    assert_eq!(vector(&[0.5, -1.25, 2.0, 0.25]).sum(), 1.5);
    assert_eq!(Vector::zeros(0).sum(), 0.0);
}

#[test]
fn sum_adds_in_eight_running_sums_then_the_rest() {
    // x = [2^53, 1, 1, 1, 1, 1, 1, 1, 1]. Above 2^53 doubles are 2 apart, and a tie rounds
    // to the even neighbour.
    // One by one: 2^53 + 1 is a tie, rounded to 2^53, and so is every later + 1: 2^53.
    // Eight running sums hold x[0..8]; added in pairs:
    //   ((2^53 + 1) + (1 + 1)) + ((1 + 1) + (1 + 1)) = (2^53 + 2) + 4 = 2^53 + 6
    // then the ninth: 2^53 + 7, a tie between 2^53 + 6 and 2^53 + 8; the even one is + 8.
    // (numpy: np.sum of this array, as a (9, 1) column, is 2^53 + 8 too.)
    let two_53 = 2f64.powi(53);
    let mut values = vec![1.0; 9];
    values[0] = two_53;
    assert_eq!(vector(&values).sum(), two_53 + 8.0);
}

#[test]
fn sum_is_numpys_pairwise_sum_bit_for_bit() {
    // tests/fixtures/sums.txt: np.sum of (n, 1) arrays of mixed magnitudes, lengths 1 to
    // 1000 (above 128 numpy cuts the array in halves).
    let fixture = common::Fixture::load("sums.txt");
    for n in [1, 7, 8, 9, 25, 61, 71, 100, 128, 129, 200, 300, 1000] {
        let x = fixture.vector(&format!("x_{n}"));
        let expected = fixture.scalar(&format!("sum_{n}"));
        assert_eq!(x.sum().to_bits(), expected.to_bits(), "length {n}");
    }
}

#[test]
fn sum_splits_where_numpy_splits() {
    // tests/fixtures/sums.txt: arrays of signed values of very different sizes, chosen so
    // that np.sum's bits differ from every other order of additions at that length: a split
    // at 128 elements instead of above 128, blocks of 127 or 129, halves not rounded to a
    // multiple of 8, no split, one running sum. So only numpy's own order passes.
    let fixture = common::Fixture::load("sums.txt");
    for n in [128, 129, 200] {
        let y = fixture.vector(&format!("y_{n}"));
        let expected = fixture.scalar(&format!("sum_y_{n}"));
        assert_eq!(y.sum().to_bits(), expected.to_bits(), "length {n}");
        let mut one_by_one = 0.0;
        for i in 0..n {
            one_by_one += y[i];
        }
        assert_ne!(
            one_by_one, expected,
            "length {n}: the order must matter here"
        );
    }
}

#[test]
fn copy_from_replaces_every_element() {
    let mut a = vector(&[9.0, 9.0, 9.0]);
    a.copy_from(&vector(&[1.0, -2.0, 3.0]));
    assert_eq!(a.as_slice(), &[1.0, -2.0, 3.0]);
}

#[test]
fn fill_sets_every_element() {
    let mut a = vector(&[1.0, 2.0]);
    a.fill(-0.5);
    assert_eq!(a.as_slice(), &[-0.5, -0.5]);
}

#[test]
fn index_reads_and_writes_one_element() {
    let mut a = Vector::zeros(3);
    a[1] = 0.5;
    assert_eq!(a[1], 0.5);
    assert_eq!(a.as_slice(), &[0.0, 0.5, 0.0]);
}

// ---------------------------------------------------------------------------------------------
// Length mismatches: each panic names the operation and both lengths
// ---------------------------------------------------------------------------------------------

#[test]
#[should_panic(expected = "dot: (3) · (2)")]
fn dot_length_mismatch_panics_naming_both_lengths() {
    Vector::zeros(3).dot(&Vector::zeros(2));
}

#[test]
#[should_panic(expected = "hadamard: (3) ⊙ (2)")]
fn hadamard_length_mismatch_panics_naming_both_lengths() {
    Vector::zeros(3).hadamard(&Vector::zeros(2));
}

#[test]
#[should_panic(expected = "add_assign: (3) + (2)")]
fn add_assign_length_mismatch_panics_naming_both_lengths() {
    Vector::zeros(3).add_assign(&Vector::zeros(2));
}

#[test]
#[should_panic(expected = "copy_from: (3) <- (2)")]
fn copy_from_length_mismatch_panics_naming_both_lengths() {
    Vector::zeros(3).copy_from(&Vector::zeros(2));
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

#[test]
fn debug_shows_length_and_every_value() {
    assert_eq!(
        format!("{:?}", vector(&[0.0, 0.5, -2.0])),
        "Vector(3) [0.0, 0.5, -2.0]"
    );
}

#[test]
fn debug_honours_precision() {
    assert_eq!(
        format!("{:.2?}", vector(&[0.126, -1.0, 3.0])),
        "Vector(3) [0.13, -1.00, 3.00]"
    );
}

#[test]
fn display_shows_four_decimals() {
    assert_eq!(
        format!("{}", vector(&[0.1, 0.2, -0.3])),
        "[0.1000, 0.2000, -0.3000]"
    );
}

#[test]
fn display_honours_precision() {
    assert_eq!(
        format!("{:.2}", vector(&[0.1, 0.25, -3.0])),
        "[0.10, 0.25, -3.00]"
    );
}

/// `[0, 1, 2, …, 19]`: each value is its own index.
fn numbered(len: usize) -> Vector {
    let mut v = Vector::zeros(len);
    for i in 0..len {
        v[i] = i as f64;
    }
    v
}

#[test]
fn ten_elements_are_shown_in_full() {
    assert_eq!(
        format!("{:?}", numbered(10)),
        "Vector(10) [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]"
    );
}

#[test]
fn debug_of_long_vector_elides_the_middle() {
    // Past ten elements only the first three and the last three are shown.
    assert_eq!(
        format!("{:?}", numbered(20)),
        "Vector(20) [0.0, 1.0, 2.0, ..., 17.0, 18.0, 19.0]"
    );
}

#[test]
fn display_of_long_vector_elides_the_middle_and_stays_short() {
    let shown = format!("{}", numbered(1000));
    assert_eq!(
        shown,
        "[0.0000, 1.0000, 2.0000, ..., 997.0000, 998.0000, 999.0000]"
    );
}
