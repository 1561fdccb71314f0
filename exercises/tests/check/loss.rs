//! Exercise 4: `softmax`, `cross_entropy` and `sequence_loss`, against the crate's
//! `loss::softmax`, `loss::cross_entropy` and `loss::sequence_loss`.

use super::compare::{Difference, close, slices, vectors};
use super::data::{Numbers, show};
use super::{Checked, call, wrong};
use min_char_rnn::{Vector, loss};

/// The functions of exercise 4.
pub struct Fns {
    /// `softmax(y)`.
    pub softmax: fn(&Vector) -> Vector,
    /// `cross_entropy(p, target)`.
    pub cross_entropy: fn(&Vector, usize) -> f64,
    /// `sequence_loss(ps, targets)`.
    pub sequence_loss: fn(&[Vector], &[usize]) -> f64,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        softmax: exercises::loss::softmax,
        cross_entropy: exercises::loss::cross_entropy,
        sequence_loss: exercises::loss::sequence_loss,
    }
}

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(4);
    let softmax_cases = [
        (vec![1.0, 2.0, 3.0], "small scores"),
        (vec![0.0; 4], "equal scores: a uniform guess"),
        (vec![3.7], "a single score"),
        (
            vec![1000.0, 1000.0, 0.0],
            "huge scores: exp(1000) is infinite in f64",
        ),
        (
            vec![-1000.0, -1000.0, -1001.0],
            "huge negative scores: every exp(y) is 0 in f64",
        ),
        (numbers.values(61, 5.0), "61 random scores"),
    ];
    for (scores, what) in softmax_cases {
        let y = Vector::from_vec(scores);
        let case = format!("softmax(y = {}): {what}", show(&y));
        let got = call(
            "softmax",
            &case,
            || (f.softmax)(&y),
            |_| "p has as many entries as y: Vector::zeros(y.len())".to_string(),
        )?;
        let mut expected = Vector::zeros(y.len());
        loss::softmax(&y, &mut expected);
        if let Some(d) = vectors(&expected, &got) {
            return Err(wrong(
                "softmax",
                &case,
                d.describe("p"),
                softmax_hint(&y, &d, &got),
            ));
        }
    }

    let p_random = numbers.probabilities(61);
    let cross_entropy_cases = [
        (Vector::from_vec(vec![0.25, 0.75]), 1, "the example"),
        (
            Vector::from_vec(vec![0.25, 0.75]),
            0,
            "the less likely character",
        ),
        (
            Vector::from_vec(vec![0.0, 1.0, 0.0]),
            1,
            "a certain guess, right",
        ),
        (
            Vector::from_vec(vec![1e-300, 1.0 - 1e-300]),
            0,
            "a tiny probability",
        ),
        (p_random, 60, "61 probabilities, the last one the target"),
    ];
    for (p, target, what) in cross_entropy_cases {
        let case = format!("cross_entropy(p = {}, target = {target}): {what}", show(&p));
        let got = call(
            "cross_entropy",
            &case,
            || (f.cross_entropy)(&p, target),
            |_| "p[target] is the probability of the character that came next".to_string(),
        )?;
        let expected = loss::cross_entropy(&p, target);
        if !close(expected, got) {
            return Err(wrong(
                "cross_entropy",
                &case,
                format!("the loss should be {expected:?} but is {got:?}"),
                cross_entropy_hint(&p, target, got),
            ));
        }
    }

    for (t, v) in [(1, 4), (3, 5), (25, 61)] {
        let ps: Vec<Vector> = (0..t).map(|_| numbers.probabilities(v)).collect();
        let targets = numbers.indices(t, v);
        let case = format!("sequence_loss of {t} step(s), V = {v}, targets {targets:?}");
        let got = call(
            "sequence_loss",
            &case,
            || (f.sequence_loss)(&ps, &targets),
            |_| {
                "one target per step: ps[t] goes with targets[t], for t in 0..targets.len()"
                    .to_string()
            },
        )?;
        let expected = loss::sequence_loss(&ps, &targets);
        if !close(expected, got) {
            return Err(wrong(
                "sequence_loss",
                &case,
                format!("the loss should be {expected:?} but is {got:?}"),
                sequence_loss_hint(&ps, &targets, got),
            ));
        }
    }
    Ok(())
}

fn softmax_hint(y: &Vector, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { .. } = d {
        return "one probability per score: p has the length of y".to_string();
    }
    if got.as_slice().iter().any(|p| !p.is_finite()) {
        return "exp overflowed, or 0 was divided by 0: subtract the largest score before exp, \
                p[k] = exp(y[k] − max) / Σ_j exp(y[j] − max), which is the same number but \
                never overflows"
            .to_string();
    }
    let max = y.max();
    let shifted: Vec<f64> = y.as_slice().iter().map(|v| (v - max).exp()).collect();
    let raw: Vec<f64> = y.as_slice().iter().map(|v| v.exp()).collect();
    if slices(&shifted, got.as_slice()).is_none() || slices(&raw, got.as_slice()).is_none() {
        return "divide every exp by the sum of them all, so that the probabilities add up to 1"
            .to_string();
    }
    "p[k] = exp(y[k] − m) / Σ_j exp(y[j] − m), with m the largest score".to_string()
}

fn cross_entropy_hint(p: &Vector, target: usize, got: f64) -> String {
    let right = -p[target].ln();
    if close(-right, got) {
        return "the sign: the loss is −ln p[target]; the logarithm of a probability is at \
                most 0, so negate it"
            .to_string();
    }
    if close(-p[target].log10(), got) || close(-p[target].log2(), got) {
        return "the natural logarithm: f64::ln, not log10 or log2".to_string();
    }
    for k in 0..p.len() {
        if k != target && close(-p[k].ln(), got) {
            return format!(
                "that is the loss of index {k}; the loss is the surprise at the target, \
                 −ln p[target] with target = {target}"
            );
        }
    }
    "the loss of one step is −ln p[target]".to_string()
}

fn sequence_loss_hint(ps: &[Vector], targets: &[usize], got: f64) -> String {
    let mut sum = 0.0;
    for t in 0..targets.len() {
        sum += -ps[t][targets[t]].ln();
    }
    let last = -ps[targets.len() - 1][targets[targets.len() - 1]].ln();
    if close(sum / targets.len() as f64, got) {
        return "a sum over the steps, not a mean: L = Σ_t −ln p_t[target_t]".to_string();
    }
    if close(last, got) {
        return "every step adds to the loss: loss += … inside the loop, not loss = …".to_string();
    }
    "L = Σ_t −ln ps[t][targets[t]], each step's probabilities with its own target".to_string()
}
