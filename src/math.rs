//! Fast `exp`, `expm1` and `tanh` for the training loop: the same numbers as the C library's
//! to within a couple of ulps, but written so that a loop over a slice runs on SIMD registers.
//!
//! ## Why not `f64::exp` and `f64::tanh`?
//!
//! They are calls into the C library (`libm`), one call per element. The compiler cannot see
//! inside them, so a loop such as
//!
//! ```text
//! for i in 0..n { h[i] = tanh(a[i]) }        n = H = 100 per time step
//! ```
//!
//! stays a loop of `n` calls, one number at a time. The functions here are ordinary Rust with
//! no branches: every element goes through the same additions, multiplications and bit
//! operations, so the compiler can do the loop 2, 4 or 8 elements at a time (a 512-bit
//! register holds 8 doubles, and one `vmulpd` multiplies them all). Where a branch would be natural (is `x` too big?), both
//! values are computed and one is *selected* (`if c { a } else { b }` on values already in
//! hand), which compiles to a blend, not a jump.
//!
//! ## `exp` in three steps
//!
//! 1. **Reduce.** Write `x = k·ln 2 + r` with `k = round(x / ln 2)` an integer, so that
//!    `|r| ≤ ln 2 / 2 ≈ 0.347` and `e^x = 2^k · e^r`.
//! 2. **Polynomial.** On that small interval a polynomial is enough: the Taylor series
//!
//!    ```text
//!    expm1(r) = e^r − 1 = r + r²/2! + r³/3! + … + r¹³/13!  =  r + tail
//!    ```
//!
//!    with `tail = r²·(1/2! + r·(1/3! + … + r·(1/13!)))` evaluated by Horner's rule.
//! 3. **Scale.** `2^k` is a double whose exponent field is `k + 1023` and whose fraction is
//!    zero, so it is built from bits, with no arithmetic: `e^x = 2^k · (1 + r + tail)`.
//!
//! ## `expm1`: the same steps, and the bits rounding would lose
//!
//! `expm1(x) = e^x − 1` must stay accurate when the result is small, so the 1 is taken away
//! before anything is rounded:
//!
//! ```text
//! e^x − 1 = 2^k·(1 + r + tail) − 1 = (2^k − 1) + 2^k·r + 2^k·tail
//! ```
//!
//! `2^k − 1` and `2^k·r` are exact (for `|k| ≤ 53`); their sum is not, but what its rounding loses can be
//! computed exactly (`fast_two_sum`: for `s = a + b` rounded, with `|a| ≥ |b|`, the lost part
//! is `b − (s − a)`, exactly) and added back with the small `2^k·tail`. The same goes for `r`
//! itself, rounded once in step 1: its lost bits, `r_err`, go into the tail. Without these
//! corrections the result can be more than 2 ulps off; with them, under 1.
//!
//! ## `tanh` through `expm1`
//!
//! ```text
//! tanh(x) = (e^{2x} − 1) / (e^{2x} + 1) = e / (e + 2)      with e = expm1(2x)
//! ```
//!
//! The textbook form `1 − 2/(e^{2x} + 1)` subtracts two numbers close to 1 when `x` is near 0
//! (where the training loop spends much of its time): for `x = 1e−10` it keeps only about seven
//! correct digits, and for `x = 1e−17` it returns 0. `expm1` computes `e^{2x} − 1` without ever
//! forming `e^{2x}`, so the quotient is accurate relative to the result, down to the smallest
//! subnormal. `tanh` keeps what the roundings of `e` and of `e + 2` lose (again with
//! `fast_two_sum`) and corrects the quotient with them; only the division's own rounding is
//! left.
//!
//! ## Accuracy
//!
//! In ulps (units in the last place: 1 ulp is the gap between a double and the next one),
//! measured over a few hundred thousand points per range in `tests/math.rs` and over 2·10⁷
//! random points, against the C library (glibc) and against the exact value (160-bit
//! arithmetic, on 60 000 points per range):
//!
//! | function | inputs | vs the C library | vs exact |
//! |---|---|---|---|
//! | `exp` | `[−745.2, 709.8]`, subnormal results included | 1 ulp | 0.79 ulp |
//! | `expm1` | `[−40, 709.8]`, `±[1e−300, 0.1]` | 1 ulp | 0.98 ulp |
//! | `tanh` | `[−40, 40]`, `±[1e−300, 0.1]` | 3 ulps | 1.16 ulps |
//!
//! glibc's own `tanh` is up to 2.1 ulps from the exact value, hence the 3 ulps between the two
//! (at 5 of 4·10⁷ random points; at most 2 in the test's sweeps).
//!
//! The results are the same bits whatever the target CPU: there is no fused multiply-add
//! (Rust never fuses `a * b + c` unless asked), and a vectorised loop does the same
//! operations in the same order as a scalar call.

use std::f64::consts::LOG2_E;

/// The high part of `ln 2`: `ln 2` with its last 16 bits cleared (the four zero hex digits).
/// It has 37 significant bits and `|k| < 2^11`, so `k · LN2_HI` fits in 48 bits: exact.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fefa_0000);

/// The low part: `ln 2 − LN2_HI`, rounded. `LN2_HI + LN2_LO` is `ln 2` to about 2^−93.
const LN2_LO: f64 = 1.6465949582897082e-12;

/// `1.5 · 2^52`. Any `y` with `|y| < 2^51`, added to it, gives a sum between `2^52` and `2^53`,
/// where doubles are exactly the integers: the sum is rounded to the nearest integer.
/// (`f64::round_ties_even` gives the same `k`, but on a CPU without SSE4.1, such as the
/// x86-64 baseline, it is a call into the C library, and the loop no longer vectorises.)
const SHIFTER: f64 = 6755399441055744.0;

/// The degree of the Taylor polynomial for `expm1(r)`, `|r| ≤ ln 2 / 2`.
///
/// Dropping the terms after `r^n/n!` leaves an error of about `|r|^(n+1)/(n+1)!`, which must be
/// below half an ulp of the result, `2^−53 · |r|`: that is `|r|^n/(n+1)! < 2^−53 ≈ 1.1e−16`.
/// At `|r| = ln 2 / 2`: `n = 12` gives `4.8e−16` (too big), `n = 13` gives `1.2e−17`.
const DEGREE: usize = 13;

/// `1/n!` for `n = 0..=DEGREE`. `n!` is an exact integer in f64 up to `18!`, so each
/// coefficient is rounded once, by the division.
const INV_FACTORIALS: [f64; DEGREE + 1] = inverse_factorials();

/// Above this, `e^x` overflows to `+∞` (`ln(f64::MAX) ≈ 709.78`).
const EXP_MAX_INPUT: f64 = 710.0;

/// Below this, `e^x` rounds to 0 (`e^x < 2^−1075`, half the smallest subnormal, below about
/// `−745.13`).
const EXP_MIN_INPUT: f64 = -746.0;

/// Below this, `expm1(x)` rounds to −1: `e^−40 ≈ 4e−18` is less than half an ulp of 1.
const EXPM1_MIN_INPUT: f64 = -40.0;

/// Above this, `2^k` may be `2^1024`, which is not a double (`k = 1024` from `x ≈ 709.44`).
const EXPM1_TWO_STEP_ABOVE: f64 = 709.0;

/// `tanh(x)` rounds to ±1 beyond `|x| ≈ 19.06` (`1 − tanh x ≈ 2e^{−2x} < 2^−54`), so `|x|` is
/// capped here.
const TANH_CAP: f64 = 20.0;

/// `[1/0!, 1/1!, …, 1/DEGREE!]`, computed by the compiler.
const fn inverse_factorials() -> [f64; DEGREE + 1] {
    let mut coefficients = [1.0; DEGREE + 1];
    let mut factorial = 1.0;
    let mut n = 1;
    while n <= DEGREE {
        factorial *= n as f64;
        coefficients[n] = 1.0 / factorial;
        n += 1;
    }
    coefficients
}

/// Step 1: `x = k·ln 2 + r` with `k = round(x / ln 2)` and `|r| ≤ ln 2 / 2` (a hair more when
/// `x / ln 2` is within a rounding of a half-integer), for `|x| ≤ 746`.
///
/// Returns `(k, r, r_err)`: `r` is rounded once, and `r_err` is what that rounding lost, so
/// that `x − k·ln 2 = r + r_err` to about 2^−100.
// ANCHOR: exp_reduce
#[inline]
fn reduce(x: f64) -> (i64, f64, f64) {
    // k = round(x / ln 2): the sum lands where doubles are integers, so the addition rounds.
    let shifted = x * LOG2_E + SHIFTER;
    let k = shifted - SHIFTER;
    // The sum's exponent is fixed (2^52 ≤ shifted < 2^53), so its fraction bits count in
    // units of 1: they hold 2^51 + k, and subtracting the shifter's bits leaves k as an integer.
    let k_int = shifted.to_bits() as i64 - SHIFTER.to_bits() as i64;
    // r = x − k·ln 2 in two steps (Cody and Waite): k·LN2_HI is exact and so is the
    // subtraction (x and k·LN2_HI are within a factor 2 of each other); only the tiny
    // k·LN2_LO is rounded, and so is r.
    let r_hi = x - k * LN2_HI;
    let k_lo = k * LN2_LO;
    let r = r_hi - k_lo;
    // What rounding r lost: exact as in `fast_two_sum` when |r_hi| ≥ |k_lo|; otherwise r is
    // below 4e−9 and its rounding error too small to matter.
    let r_err = (r_hi - r) - k_lo;
    (k_int, r, r_err)
}
// ANCHOR_END: exp_reduce

/// Step 2: the part of `expm1(r + r_err)` after its first term, `expm1(r + r_err) − r`, for
/// `|r| ≤ ln 2 / 2` and a tiny `r_err`: the Taylor polynomial of degree 13, and `r_err`'s
/// first-order effect.
///
/// `r` itself is kept apart (exact) and added last, by the caller: `r + tail` rounded once
/// is better than `r·(1 + r/2 + …)` rounded twice.
// ANCHOR: expm1_polynomial
#[inline]
fn expm1_tail(r: f64, r_err: f64) -> f64 {
    // Horner's rule from the top: s = 1/2! + r·(1/3! + r·(1/4! + … + r·(1/13!))).
    let mut s = INV_FACTORIALS[DEGREE];
    for n in (2..DEGREE).rev() {
        s = s * r + INV_FACTORIALS[n];
    }
    // expm1(r) = r + r²·s. The derivative of expm1 is e^r ≈ 1 + r, so the missing r_err adds
    // r_err·(1 + r).
    r * (r * s) + (r_err + r_err * r)
}
// ANCHOR_END: expm1_polynomial

/// Step 3: `m · 2^k` for `k` in `−1076..=1024`, rounded once.
// ANCHOR: exp_scale
#[inline]
fn scale(m: f64, k: i64) -> f64 {
    // 2^j is f64::from_bits((j + 1023) << 52): exponent field j + 1023, fraction zero. That
    // covers j in −1022..=1023 only, so split k = j1 + j2 with j1 = ⌊k/2⌋, both within range.
    let biased = (k + 2 * 1023) as u64; // (j1 + 1023) + (j2 + 1023)
    let biased_1 = biased >> 1;
    let biased_2 = biased - biased_1;
    let two_j1 = f64::from_bits(biased_1 << 52);
    let two_j2 = f64::from_bits(biased_2 << 52);
    // m·2^j1 is exact (a normal number); the second product rounds once, into the subnormals
    // if it must, to 0 below them and to +∞ above f64::MAX.
    m * two_j1 * two_j2
}
// ANCHOR_END: exp_scale

/// `(sum, err)` with `sum = a + b` rounded and `err` exactly what the rounding lost:
/// `a + b = sum + err`, provided `|a| ≥ |b|` (Dekker's *Fast2Sum*).
///
/// `sum − a` is exact (it is the part of `b` that made it into `sum`), and so is what is left
/// of `b` after taking it away.
// ANCHOR: fast_two_sum
#[inline]
fn fast_two_sum(a: f64, b: f64) -> (f64, f64) {
    let sum = a + b;
    let err = b - (sum - a);
    (sum, err)
}
// ANCHOR_END: fast_two_sum

/// `e^x − 1` as an unevaluated sum `(e, e_err)`: `e` is the double nearest the result (to
/// within about half an ulp) and `e_err` the bits beyond it, for `x` in `−40..=709` (where
/// `k ≤ 1023`).
///
/// ```text
/// e^x − 1 = 2^k·(1 + r + tail) − 1 = (2^k − 1) + 2^k·r + 2^k·tail
/// ```
///
/// `2^k − 1` (exact for `|k| ≤ 53`; beyond, the 1 hardly counts) and `2^k·r` (exact) are added
/// with `fast_two_sum` (`|2^k − 1| ≥ |2^k·r|` because `|r| < 1/2`), and the small rest goes in
/// last.
// ANCHOR: expm1_parts
#[inline]
fn expm1_parts(x: f64) -> (f64, f64) {
    let (k, r, r_err) = reduce(x);
    let tail = expm1_tail(r, r_err);
    // 2^k as one double: exponent field k + 1023 (k is at most 1023 here).
    let two_k = f64::from_bits(((k + 1023) as u64) << 52);
    let (head, head_err) = fast_two_sum(two_k - 1.0, two_k * r);
    let rest = head_err + two_k * tail;
    fast_two_sum(head, rest)
}
// ANCHOR_END: expm1_parts

/// `e^x`, within 1 ulp of the C library's `exp`, as a branch-free function that vectorises.
///
/// ```text
/// x = k·ln 2 + r,   e^x = 2^k · e^r = 2^k · (1 + r + tail)
/// ```
///
/// `exp(x)` is `+∞` above `ln(f64::MAX) ≈ 709.78`, subnormal from about `−708.4` to
/// `−745.13`, and 0 below; `exp(NaN)` is NaN.
///
/// # Examples
///
/// ```
/// use min_char_rnn::math;
/// let x = 1.5_f64;
/// assert!((math::exp(x) - x.exp()).abs() <= 2.0 * f64::EPSILON * x.exp());
/// assert_eq!(math::exp(0.0), 1.0);
/// assert_eq!(math::exp(f64::INFINITY), f64::INFINITY);
/// assert_eq!(math::exp(f64::NEG_INFINITY), 0.0);
/// ```
// ANCHOR: exp
#[inline]
pub fn exp(x: f64) -> f64 {
    // Beyond these bounds the result is +∞ or 0 anyway; clamping keeps k in the range that
    // `scale` handles, and lets NaN through (`clamp`, unlike `min` and `max`, keeps NaN).
    let x = x.clamp(EXP_MIN_INPUT, EXP_MAX_INPUT);
    let (k, r, r_err) = reduce(x);
    let tail = expm1_tail(r, r_err);
    // e^r = 1 + r + tail, then times 2^k.
    scale(1.0 + (r + tail), k)
}
// ANCHOR_END: exp

/// `e^x − 1`, accurate relative to the result even for tiny `x` (where `exp(x) − 1` would
/// lose every digit), within 1 ulp of the C library's `exp_m1`; branch-free, so it vectorises.
///
/// ```text
/// x = k·ln 2 + r,   e^x − 1 = 2^k·(1 + r + tail) − 1 = (2^k − 1) + 2^k·r + 2^k·tail
/// ```
///
/// `expm1(±0) = ±0`, `expm1(x)` is −1 below about −37.4, `+∞` above `≈ 709.78`, and NaN for
/// NaN.
///
/// # Examples
///
/// ```
/// use min_char_rnn::math;
/// let x = 1e-10_f64;
/// assert!((math::expm1(x) - x.exp_m1()).abs() <= 2.0 * f64::EPSILON * x.exp_m1());
/// assert!(((x.exp() - 1.0) - x.exp_m1()).abs() > 1e-8 * x); // the naive way: 8e−8 off
/// assert_eq!(math::expm1(f64::NEG_INFINITY), -1.0);
/// assert_eq!(math::expm1(-0.0).to_bits(), (-0.0_f64).to_bits());
/// ```
#[inline]
pub fn expm1(x: f64) -> f64 {
    let x = x.clamp(EXPM1_MIN_INPUT, EXP_MAX_INPUT);
    let (e, _) = expm1_parts(x);
    // Above 709, k can be 1024 and 2^k is not a double: use exp's two-step scaling. Up there
    // e^x is about 1e307, and the −1 is far below its last bit.
    let e = if x > EXPM1_TWO_STEP_ABOVE { exp(x) } else { e };
    // e^x − 1 = x exactly for x = ±0; the sum above would turn −0 into +0.
    if x == 0.0 { x } else { e }
}

/// `tanh(x)`, within 3 ulps of the C library's `tanh` and 1.2 ulps of the exact value,
/// accurate relative to the result everywhere (`tanh(1e−300) = 1e−300`); branch-free, so it
/// vectorises.
///
/// ```text
/// tanh(x) = sign(x) · e / (e + 2),   e = expm1(2|x|) = e^{2|x|} − 1
/// ```
///
/// `tanh(±0) = ±0`, `tanh(x) = ±1` for `|x| ≥ 19.1` (and `±∞`), `tanh(NaN)` is NaN.
///
/// # Examples
///
/// ```
/// use min_char_rnn::math;
/// for x in [-3.0_f64, -0.5, 1e-12, 0.25, 2.0] {
///     assert!((math::tanh(x) - x.tanh()).abs() <= 3.0 * f64::EPSILON * x.tanh().abs());
/// }
/// assert_eq!(math::tanh(1000.0), 1.0);
/// assert_eq!(math::tanh(-0.0).to_bits(), (-0.0_f64).to_bits());
/// ```
// ANCHOR: tanh
#[inline]
pub fn tanh(x: f64) -> f64 {
    // tanh is odd: compute tanh(|x|) and give it the sign of x at the end.
    let a = x.abs();
    // tanh(20) is 1 in f64 already; capping keeps e^{2a} finite. A NaN fails `a > 20` and
    // stays NaN (`f64::min(NaN, 20.0)` would return 20).
    let a = if a > TANH_CAP { TANH_CAP } else { a };
    // e + e_err = e^{2a} − 1, and d + d_err = e + 2 exactly (the larger operand goes first).
    let (e, e_err) = expm1_parts(2.0 * a);
    let (larger, smaller) = if e > 2.0 { (e, 2.0) } else { (2.0, e) };
    let (d, d_err) = fast_two_sum(larger, smaller);
    // tanh(a) = (e + e_err) / (d + d_err + e_err). With q = e/d, to first order in the small
    // errors: q + (e_err − q·(d_err + e_err)) / d.
    let q = e / d;
    let t = q + (e_err - q * (d_err + e_err)) / d;
    t.copysign(x)
}
// ANCHOR_END: tanh
