//! Clipping: keeping one bad chunk's gradients from throwing the weights far away.
//!
//! Two ways, over all of a network's gradients given as slices (a
//! [`NetworkGrads`](crate::network::NetworkGrads)'s `slices_mut()`):
//!
//! ```text
//! by value:  g_i = min(max(g_i, −c), c)         every element on its own    (the original: c = 5)
//! by norm:   ‖g‖ = √(Σ_i g_i²)                  over all elements of all slices
//!            g = g · (c / ‖g‖)   if ‖g‖ > c     one factor for all of them
//! ```
//!
//! Clipping by value changes the large elements only, so the clipped gradient may point
//! somewhere else: `(10, 1)` clipped at 5 is `(5, 1)`, which no longer points where `(10, 1)`
//! did. Clipping by norm shrinks every element by the same factor: the gradient keeps its
//! direction and only its length is capped, at `c`. Gradients whose norm is at most `c` are
//! left exactly as they are.
//!
//! PyTorch: `torch.nn.utils.clip_grad_value_(params, c)` is [`clip_by_value`].
//! `torch.nn.utils.clip_grad_norm_(params, c)` returns the same norm as [`clip_by_norm`], but
//! scales by `min(c / (‖g‖ + 1e−6), 1)`: its `1e−6` keeps the division away from zero, and
//! makes it shrink gradients slightly even at or just below the limit (by the factor
//! `‖g‖ / (‖g‖ + 1e−6)`). Here the factor is `c / ‖g‖` exactly, and only above the limit,
//! where `‖g‖ > c ≥ 0` cannot be zero.
//!
//! The size of `c` depends on the loss's scale: Part II's loss is a mean per character, so its
//! gradients are `1/T` of those of a loss summed over the `T` steps of a chunk (Part I's, and
//! char-rnn's, which clips the sum's gradients at 5).

/// Clamps every element of every slice into `[−limit, limit]` and returns how many elements
/// it changed. A NaN stays NaN (and is not counted).
///
/// # Panics
///
/// If `limit` is negative or NaN: `clip_by_value: the limit must be at least 0, not -5`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::clip::clip_by_value;
/// let mut a = [7.0, -1.0];
/// let mut b = [-9.0];
/// assert_eq!(clip_by_value(&mut [&mut a, &mut b], 5.0), 2);
/// assert_eq!((a, b), ([5.0, -1.0], [-5.0]));
/// ```
// ANCHOR: clip_by_value
#[track_caller]
pub fn clip_by_value(grads: &mut [&mut [f64]], limit: f64) -> usize {
    assert!(
        limit >= 0.0,
        "clip_by_value: the limit must be at least 0, not {limit}"
    );
    let mut clipped = 0;
    for slice in grads.iter_mut() {
        for g in slice.iter_mut() {
            if *g > limit {
                *g = limit;
                clipped += 1;
            } else if *g < -limit {
                *g = -limit;
                clipped += 1;
            }
        }
    }
    clipped
}
// ANCHOR_END: clip_by_value

/// The L2 norm of all the gradients together, `√(Σ g²)` over every element of every slice:
/// one running sum of squares from `0.0`, slice by slice in order and element by element
/// within a slice, then one square root.
///
/// # Examples
///
/// ```
/// use min_char_rnn::clip::global_norm;
/// assert_eq!(global_norm(&[&[3.0], &[4.0, 12.0]]), 13.0); // √(9 + 16 + 144)
/// ```
// ANCHOR: global_norm
pub fn global_norm(grads: &[&[f64]]) -> f64 {
    sum_of_squares(grads).sqrt()
}

/// `Σ g²` over every element of every slice, in order, from `0.0`. Generic over the slice type
/// so that [`clip_by_norm`], which holds its slices mutably, adds in the same order.
fn sum_of_squares<S: AsRef<[f64]>>(grads: &[S]) -> f64 {
    let mut sum = 0.0;
    for slice in grads {
        for &g in slice.as_ref() {
            sum += g * g;
        }
    }
    sum
}
// ANCHOR_END: global_norm

/// Scales all the gradients by one factor, `max_norm / ‖g‖`, when their joint norm `‖g‖`
/// ([`global_norm`]) is above `max_norm`, so that it becomes `max_norm` (to rounding); leaves
/// them untouched, bit for bit, when it is at or below. Returns `‖g‖` before clipping (the
/// number to log and to watch).
///
/// A norm that is not finite (a NaN or an infinite gradient, or squares that overflow) is
/// returned as it is and the gradients are left untouched: scaling by `max_norm / ∞ = 0`
/// would hide the problem, and the caller should stop instead.
///
/// # Panics
///
/// If `max_norm` is negative or NaN: `clip_by_norm: the maximum norm must be at least 0, not
/// -1`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::clip::clip_by_norm;
/// let mut g = [6.0, 8.0]; // norm 10
/// assert_eq!(clip_by_norm(&mut [&mut g], 5.0), 10.0);
/// assert_eq!(g, [3.0, 4.0]); // half as long, the same direction
/// ```
// ANCHOR: clip_by_norm
#[track_caller]
pub fn clip_by_norm(grads: &mut [&mut [f64]], max_norm: f64) -> f64 {
    assert!(
        max_norm >= 0.0,
        "clip_by_norm: the maximum norm must be at least 0, not {max_norm}"
    );
    let norm = sum_of_squares(grads).sqrt(); // global_norm(grads)
    if norm > max_norm && norm.is_finite() {
        let scale = max_norm / norm; // < 1
        for slice in grads.iter_mut() {
            for g in slice.iter_mut() {
                *g *= scale;
            }
        }
    }
    norm
}
// ANCHOR_END: clip_by_norm
