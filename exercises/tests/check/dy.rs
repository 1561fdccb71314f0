//! Exercise 5: `output_gradient`, against the crate's `loss::output_gradient`.

use super::compare::{Difference, close, vectors};
use super::data::{Numbers, show};
use super::{Checked, call, wrong};
use min_char_rnn::{Vector, loss};

/// The function of exercise 5.
pub struct Fns {
    /// `output_gradient(p, target)`.
    pub output_gradient: fn(&Vector, usize) -> Vector,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        output_gradient: exercises::dy::output_gradient,
    }
}

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(5);
    let p5 = Vector::from_vec(vec![0.1, 0.4, 0.2, 0.05, 0.25]);
    let cases = [
        (Vector::from_vec(vec![0.25, 0.75]), 1, "the example"),
        (
            Vector::from_vec(vec![0.25, 0.75]),
            0,
            "the target is not the favourite",
        ),
        (p5.clone(), 0, "the first character"),
        (p5, 4, "the last character"),
        (
            Vector::from_vec(vec![0.0, 1.0, 0.0]),
            1,
            "a certain guess, right: dy = 0",
        ),
        (numbers.probabilities(61), 17, "61 probabilities"),
    ];
    for (p, target, what) in cases {
        let case = format!(
            "output_gradient(p = {}, target = {target}): {what}",
            show(&p)
        );
        let got = call(
            "output_gradient",
            &case,
            || (f.output_gradient)(&p, target),
            |_| "dy has the length of p; the 1 comes off at dy[target]".to_string(),
        )?;
        let mut expected = Vector::zeros(p.len());
        loss::output_gradient(&p, target, &mut expected);
        if let Some(d) = vectors(&expected, &got) {
            let hint = hint(&p, target, &expected, &d, &got);
            return Err(wrong("output_gradient", &case, d.describe("dy"), hint));
        }
    }
    Ok(())
}

fn hint(p: &Vector, target: usize, expected: &Vector, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { .. } = d {
        return "dy has one entry per character, like p: start from a copy, p.clone()".to_string();
    }
    let n = p.len();
    let differ: Vec<usize> = (0..n).filter(|&k| !close(expected[k], got[k])).collect();
    if (0..n).all(|k| close(-expected[k], got[k])) {
        return "the sign: dy = p − onehot(target), not onehot(target) − p".to_string();
    }
    if differ == [target] {
        let g = got[target];
        let pt = p[target];
        if close(pt, g) {
            return format!("take 1 off at the target: dy[{target}] −= 1.0");
        }
        if close(pt + 1.0, g) {
            return "subtract the 1, don't add it: dy[target] = p[target] − 1".to_string();
        }
        if close(1.0 - pt, g) {
            return "p − 1, not 1 − p: dy = p − onehot(target)".to_string();
        }
        return format!("dy[{target}] = p[{target}] − 1");
    }
    if differ.len() == 2 && differ.contains(&target) {
        let k = if differ[0] == target {
            differ[1]
        } else {
            differ[0]
        };
        if close(p[k] - 1.0, got[k]) && close(p[target], got[target]) {
            let favourite = if k == p.argmax() {
                ", not at the character the network found most likely"
            } else {
                ""
            };
            return format!(
                "the −1 went to index {k}; it belongs at the target, index {target}, the \
                 character that really came next{favourite}"
            );
        }
    }
    "dy is a copy of p with 1 taken off at index target".to_string()
}
