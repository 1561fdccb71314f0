//! Exercise 7: `clip`, against the crate's `Grads::clip`.

use super::compare::{Difference, close, gradient, gradients};
use super::data::Numbers;
use super::{Checked, call, wrong};
use min_char_rnn::{Grads, Params};

/// The function of exercise 7.
pub struct Fns {
    /// `clip(grads, limit)`.
    pub clip: fn(&mut Grads, f64),
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        clip: exercises::clip::clip,
    }
}

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(7);
    let cases = [
        (
            gradients_between(&mut numbers, 12.0),
            5.0,
            "V = 5, H = 3, numbers between −12 and 12 in all five gradients, limit 5",
        ),
        (
            gradients_between(&mut numbers, 1.0),
            0.5,
            "numbers between −1 and 1, limit 0.5",
        ),
        (
            edges(),
            5.0,
            "numbers at the limit exactly, zeros, and ±infinity, limit 5",
        ),
        (
            gradients_between(&mut numbers, 4.0),
            5.0,
            "every number already inside [−5, 5]: nothing changes",
        ),
    ];
    for (input, limit, what) in cases {
        let case = format!("clip(grads, {limit:?}): {what}");
        let mut got = input.clone();
        call(
            "clip",
            &case,
            || (f.clip)(&mut got, limit),
            |_| "read the panic message and the line it points at".to_string(),
        )?;
        let mut expected = input.clone();
        expected.clip(limit);
        if let Some((name, d)) = gradients(&expected, &got) {
            let hint = hint(&input, &got, limit, name, &d);
            return Err(wrong("clip", &case, d.describe(name), hint));
        }
    }
    Ok(())
}

/// Gradients for `V = 5`, `H = 3` with every number uniform in `[−scale, scale)`.
fn gradients_between(numbers: &mut Numbers, scale: f64) -> Grads {
    let p = numbers.params(5, 3, scale);
    let mut g = Grads::zeros_like(&p);
    g.dw_xh = p.w_xh;
    g.dw_hh = p.w_hh;
    g.dw_hy = p.w_hy;
    g.db_h = numbers.vector(3, scale);
    g.db_y = numbers.vector(5, scale);
    g
}

/// Gradients holding ±5 exactly, ±0, ±infinity and numbers just past the limit.
fn edges() -> Grads {
    let mut g = Grads::zeros_like(&Params::zeros(2, 2));
    let values = [
        5.0,
        -5.0,
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5.000001,
        -5.000001,
    ];
    for (k, w) in g.dw_xh.as_mut_slice().iter_mut().enumerate() {
        *w = values[k];
    }
    for (k, w) in g.dw_hh.as_mut_slice().iter_mut().enumerate() {
        *w = values[k + 4];
    }
    for (k, w) in g.dw_hy.as_mut_slice().iter_mut().enumerate() {
        *w = values[7 - k];
    }
    g.db_h[0] = f64::INFINITY;
    g.db_h[1] = -7.0;
    g.db_y[0] = 6.0;
    g.db_y[1] = f64::NEG_INFINITY;
    g
}

fn hint(input: &Grads, got: &Grads, limit: f64, name: &str, d: &Difference) -> String {
    if let Difference::Shape { .. } | Difference::Length { .. } = d {
        return "clip changes numbers, never shapes: clamp each number in place".to_string();
    }
    if same_direction(input, got, name) {
        return "that rescales the whole gradient (clipping by norm, as in PyTorch's \
                clip_grad_norm_); min-char-rnn clips each number on its own, as np.clip does"
            .to_string();
    }
    let all: Vec<f64> = got
        .slices()
        .iter()
        .flat_map(|g| g.iter().copied())
        .collect();
    let above = all.iter().any(|&x| x > limit);
    let below = all.iter().any(|&x| x < -limit);
    if above != below {
        let (kept, side) = if below {
            (format!("below −{limit}"), format!("−{limit}"))
        } else {
            (format!("above {limit}"), format!("{limit}"))
        };
        return format!(
            "clip both ways: numbers {kept} were left as they are, and should become {side} \
             (x.clamp(-limit, limit))"
        );
    }
    if gradient(name, input, got).is_none() {
        return format!(
            "{name} was not clipped at all: all five gradients are, dw_xh, dw_hh, dw_hy, db_h \
             and db_y, the biases too"
        );
    }
    if let Difference::Value {
        index,
        expected,
        got: g,
        ..
    } = d
    {
        let x = input_value(input, name, *index);
        if x.abs() <= limit {
            return format!(
                "a number inside [−{limit}, {limit}] stays as it is: {x:?} should not change"
            );
        }
        if close(x, *g) {
            return format!(
                "every number beyond the limit is clipped: {x:?} should become {expected:?} \
                 (x.clamp(-limit, limit))"
            );
        }
    }
    "x.clamp(-limit, limit) for every number of the five gradients".to_string()
}

/// `true` if the gradient `name` was multiplied by one number, as clipping by norm does.
fn same_direction(input: &Grads, got: &Grads, name: &str) -> bool {
    let (a, b) = (values(input, name), values(got, name));
    if a.len() != b.len() {
        return false;
    }
    let k = match (0..a.len()).find(|&i| a[i] != 0.0 && a[i].is_finite()) {
        Some(i) => b[i] / a[i],
        None => return false,
    };
    k != 1.0 && (0..a.len()).all(|i| !a[i].is_finite() || close(a[i] * k, b[i]))
}

fn values<'a>(g: &'a Grads, name: &str) -> &'a [f64] {
    match name {
        "dw_xh" => g.dw_xh.as_slice(),
        "dw_hh" => g.dw_hh.as_slice(),
        "dw_hy" => g.dw_hy.as_slice(),
        "db_h" => g.db_h.as_slice(),
        _ => g.db_y.as_slice(),
    }
}

fn input_value(g: &Grads, name: &str, index: usize) -> f64 {
    values(g, name)[index]
}
