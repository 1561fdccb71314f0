//! Clipping the gradients: by value (every element into `[−c, c]`) and by global norm (all
//! elements scaled by one factor so that their joint L2 norm is at most `c`).
//!
//! How it is verified:
//! - by value: which elements change, how many are counted, and that an element exactly at the
//!   limit is left alone;
//! - the global norm against hand values (3-4-12 → 13 across two slices);
//! - by norm: below the limit and exactly at it, nothing changes, bit for bit; above it, the
//!   joint norm becomes the limit to 1e−15 and every element is scaled by the same factor (the
//!   direction is kept); a two-number case worked by hand;
//! - zero gradients, a zero limit, non-finite gradients, and bad limits.
//!
//! Run with `cargo test --test clip`. `tests/torch_optim.rs` compares with PyTorch's
//! `clip_grad_norm_` and `clip_grad_value_`.

use min_char_rnn::clip::{clip_by_norm, clip_by_value, global_norm};

/// Two slices of gradients with norm exactly 13: `√(3² + 4² + 12²) = √169`.
fn three_four_twelve() -> (Vec<f64>, Vec<f64>) {
    (vec![3.0], vec![4.0, -12.0])
}

/// Fixed gradients of mixed sizes, three slices, from a seeded generator.
fn mixed() -> Vec<Vec<f64>> {
    let mut rng = fastrand::Rng::with_seed(5);
    [7, 1, 4]
        .iter()
        .map(|&n| (0..n).map(|_| (rng.f64() - 0.5) * 8.0).collect())
        .collect()
}

fn as_mut(slices: &mut [Vec<f64>]) -> Vec<&mut [f64]> {
    slices.iter_mut().map(|s| &mut s[..]).collect()
}

fn as_ref(slices: &[Vec<f64>]) -> Vec<&[f64]> {
    slices.iter().map(|s| &s[..]).collect()
}

#[test]
fn clip_by_value_clamps_each_element_and_counts_the_changes() {
    // Limit 5: 7 → 5 and −9 → −5 change; −1, 0.5, and 5 (exactly at the limit) do not.
    let mut a = vec![7.0, -1.0, 5.0];
    let mut b = vec![-9.0, 0.5];
    let clipped = clip_by_value(&mut [&mut a, &mut b], 5.0);
    assert_eq!(clipped, 2);
    assert_eq!(a, [5.0, -1.0, 5.0]);
    assert_eq!(b, [-5.0, 0.5]);
}

#[test]
fn clip_by_value_changes_the_direction() {
    // (10, 1) clipped at 5 is (5, 1): the ratio of the two elements goes from 10 to 5.
    let mut g = vec![10.0, 1.0];
    clip_by_value(&mut [&mut g], 5.0);
    assert_eq!(g, [5.0, 1.0]);
}

#[test]
fn global_norm_of_3_4_12_is_13() {
    let (a, b) = three_four_twelve();
    assert_eq!(global_norm(&[&a, &b]), 13.0);
    assert_eq!(global_norm(&[&[-6.0], &[8.0]]), 10.0);
}

#[test]
fn global_norm_of_nothing_and_of_zeros_is_zero() {
    assert_eq!(global_norm(&[]), 0.0);
    assert_eq!(global_norm(&[&[], &[0.0, 0.0]]), 0.0);
}

#[test]
fn clip_by_norm_below_the_limit_changes_nothing() {
    let mut g = mixed();
    let before = g.clone();
    let norm = global_norm(&as_ref(&g));
    let returned = clip_by_norm(&mut as_mut(&mut g), norm * 1.5);
    assert_eq!(returned, norm);
    assert_eq!(g, before);
}

#[test]
fn clip_by_norm_exactly_at_the_limit_changes_nothing_bit_for_bit() {
    let (mut a, mut b) = three_four_twelve();
    let returned = clip_by_norm(&mut [&mut a, &mut b], 13.0);
    assert_eq!(returned, 13.0);
    assert_eq!((a, b), three_four_twelve());

    // The same with a norm that is not a round number: the limit is the norm itself.
    let mut g = mixed();
    let before = g.clone();
    let norm = global_norm(&as_ref(&g));
    clip_by_norm(&mut as_mut(&mut g), norm);
    for (after, before) in g.iter().zip(&before) {
        for (x, y) in after.iter().zip(before) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }
}

#[test]
fn clip_by_norm_above_the_limit_halves_6_8_to_3_4() {
    // ‖(6, 8)‖ = 10; the limit 5 gives the factor 5/10 = 0.5: (3, 4), of norm 5.
    let mut a = vec![6.0];
    let mut b = vec![8.0];
    assert_eq!(clip_by_norm(&mut [&mut a, &mut b], 5.0), 10.0);
    assert_eq!((a, b), (vec![3.0], vec![4.0]));

    // ‖(3, 4, −12)‖ = 13, limit 6.5: factor 0.5.
    let (mut a, mut b) = three_four_twelve();
    assert_eq!(clip_by_norm(&mut [&mut a, &mut b], 6.5), 13.0);
    assert_eq!((a, b), (vec![1.5], vec![2.0, -6.0]));
}

#[test]
fn clip_by_norm_above_the_limit_makes_the_joint_norm_the_limit() {
    for limit in [0.1, 1.0, 3.0] {
        let mut g = mixed();
        let norm = clip_by_norm(&mut as_mut(&mut g), limit);
        assert!(norm > limit);
        let after = global_norm(&as_ref(&g));
        assert!(
            (after - limit).abs() <= 1e-15 * limit,
            "limit {limit}: the norm after clipping is {after}"
        );
    }
}

#[test]
fn clip_by_norm_keeps_the_direction() {
    // Every element is multiplied by the same factor, limit / norm.
    let before = mixed();
    let mut g = before.clone();
    let limit = 2.0;
    let norm = clip_by_norm(&mut as_mut(&mut g), limit);
    let factor = limit / norm;
    for (after, before) in g.iter().zip(&before) {
        for (x, y) in after.iter().zip(before) {
            assert_eq!(*x, y * factor);
        }
    }
}

#[test]
fn zero_gradients_stay_zero() {
    let mut a = vec![0.0, 0.0];
    let mut b = vec![0.0];
    assert_eq!(clip_by_norm(&mut [&mut a, &mut b], 1.0), 0.0);
    // A zero limit and a zero norm: 0 is not above 0, so there is no 0/0.
    assert_eq!(clip_by_norm(&mut [&mut a, &mut b], 0.0), 0.0);
    assert_eq!(clip_by_value(&mut [&mut a, &mut b], 0.0), 0);
    assert_eq!((a, b), (vec![0.0, 0.0], vec![0.0]));
}

#[test]
fn a_zero_limit_zeroes_nonzero_gradients() {
    let mut g = vec![2.0, -1.0];
    assert_eq!(clip_by_norm(&mut [&mut g], 0.0), 5f64.sqrt());
    assert_eq!(g, [0.0, -0.0]);
}

#[test]
fn a_non_finite_norm_is_returned_and_the_gradients_are_left_alone() {
    let mut g = vec![f64::INFINITY, 1.0];
    assert_eq!(clip_by_norm(&mut [&mut g], 5.0), f64::INFINITY);
    assert_eq!(g, [f64::INFINITY, 1.0]);
    let mut g = vec![f64::NAN, 1.0];
    assert!(clip_by_norm(&mut [&mut g], 5.0).is_nan());
    assert_eq!(g[1], 1.0);
    // By value, a NaN stays NaN and is not counted.
    let mut g = vec![f64::NAN, 9.0];
    assert_eq!(clip_by_value(&mut [&mut g], 5.0), 1);
    assert!(g[0].is_nan());
}

#[test]
#[should_panic(expected = "clip_by_norm: the maximum norm must be at least 0, not -1")]
fn a_negative_maximum_norm_panics() {
    clip_by_norm(&mut [&mut [1.0]], -1.0);
}

#[test]
#[should_panic(expected = "clip_by_value: the limit must be at least 0, not NaN")]
fn a_nan_limit_panics() {
    clip_by_value(&mut [&mut [1.0]], f64::NAN);
}
