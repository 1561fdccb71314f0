//! Exercise 8: `adagrad_update`, against the crate's `adagrad::adagrad_update`.

use super::compare::{Difference, close, list, slices};
use super::data::Numbers;
use super::{Checked, call, wrong};
use min_char_rnn::adagrad::{self, EPSILON};

/// The function of exercise 8.
pub struct Fns {
    /// `adagrad_update(w, g, m, learning_rate)`.
    pub adagrad_update: fn(&mut [f64], &[f64], &mut [f64], f64),
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        adagrad_update: exercises::adagrad::adagrad_update,
    }
}

/// One update to check: the weights, gradients and memory before it.
struct Case {
    what: String,
    w: Vec<f64>,
    g: Vec<f64>,
    m: Vec<f64>,
    learning_rate: f64,
}

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(8);
    let mut cases = vec![
        Case {
            what: "the first step, from an empty memory".to_string(),
            w: vec![0.5, -0.2, 1.0, 0.0],
            g: vec![2.0, -0.5, 0.1, 3.0],
            m: vec![0.0; 4],
            learning_rate: 0.1,
        },
        Case {
            what: "a zero gradient on an empty memory: nothing moves".to_string(),
            w: vec![0.3, -0.7],
            g: vec![0.0, 0.0],
            m: vec![0.0, 0.0],
            learning_rate: 0.1,
        },
        Case {
            what: "a memory that has seen large gradients, and one that has not".to_string(),
            w: vec![0.5, -0.2, 1.0],
            g: vec![1.0, -2.0, 0.5],
            m: vec![100.0, 4.0, 0.01],
            learning_rate: 0.1,
        },
    ];
    let (w, g, m) = (
        numbers.values(50, 1.0),
        numbers.values(50, 5.0),
        numbers.values(50, 20.0),
    );
    cases.push(Case {
        what: "50 random numbers, learning rate 0.05".to_string(),
        w,
        g,
        m: m.iter().map(|x| x.abs()).collect(),
        learning_rate: 0.05,
    });
    for c in &cases {
        update(f, c)?;
    }
    // Two updates in a row: the memory must keep what the first one added.
    let mut first = Case {
        what: "two updates in a row, the second on the first one's memory: update 1".to_string(),
        w: vec![0.5, -0.5],
        g: vec![1.0, -3.0],
        m: vec![0.0, 0.0],
        learning_rate: 0.1,
    };
    let (w, m) = update(f, &first)?;
    first.what = "two updates in a row, the second on the first one's memory: update 2 (w and \
                  m as update 1 left them)"
        .to_string();
    first.w = w;
    first.m = m;
    first.g = vec![-2.0, 1.0];
    update(f, &first)?;
    Ok(())
}

/// Checks one update, and returns the weights and memory after it.
fn update(f: &Fns, c: &Case) -> Result<(Vec<f64>, Vec<f64>), super::Stop> {
    let case = format!(
        "{}: w = {}, g = {}, m = {}, learning_rate = {}",
        c.what,
        short(&c.w),
        short(&c.g),
        short(&c.m),
        c.learning_rate
    );
    let (mut w, mut m) = (c.w.clone(), c.m.clone());
    call(
        "adagrad_update",
        &case,
        || (f.adagrad_update)(&mut w, &c.g, &mut m, c.learning_rate),
        |_| "w, g and m have the same length: one loop over i in 0..w.len()".to_string(),
    )?;
    let (mut w_expected, mut m_expected) = (c.w.clone(), c.m.clone());
    adagrad::adagrad_update(&mut w_expected, &c.g, &mut m_expected, c.learning_rate);
    if let Some(d) = slices(&m_expected, &m) {
        return Err(wrong(
            "adagrad_update",
            &case,
            d.describe("m"),
            memory_hint(c, &d),
        ));
    }
    if let Some(d) = slices(&w_expected, &w) {
        return Err(wrong(
            "adagrad_update",
            &case,
            d.describe("w"),
            weight_hint(c, &w),
        ));
    }
    Ok((w, m))
}

fn memory_hint(c: &Case, d: &Difference) -> String {
    if let Difference::Value { index: i, got, .. } = d {
        let (m, g) = (c.m[*i], c.g[*i]);
        if close(m, *got) {
            return "the memory must change: m += g · g, in place (m is Adagrad's memory, kept \
                    from one update to the next)"
                .to_string();
        }
        if close(g * g, *got) {
            return "add to the memory, m += g · g; don't replace it: it sums every squared \
                    gradient so far"
                .to_string();
        }
        if close(m + g.abs(), *got) {
            return "the square of the gradient: m += g · g, not |g|".to_string();
        }
    }
    "m[i] += g[i] · g[i]".to_string()
}

fn weight_hint(c: &Case, got: &[f64]) -> String {
    if got.iter().any(|w| w.is_nan()) {
        return "0 / 0 gave NaN: the 1e−8 (EPSILON) goes under the square root, √(m + 1e−8), so \
                that an empty memory and a zero gradient make a step of 0"
            .to_string();
    }
    let lr = c.learning_rate;
    let n = c.w.len();
    let with = |step: &dyn Fn(usize, f64) -> f64| -> bool {
        (0..n).all(|i| {
            let m_new = c.m[i] + c.g[i] * c.g[i];
            close(step(i, m_new), got[i])
        })
    };
    if with(&|i, m| c.w[i] + lr * c.g[i] / (m + EPSILON).sqrt()) {
        return "the sign: w −= lr · g / √(m + 1e−8), a step against the gradient, downhill"
            .to_string();
    }
    if with(&|i, _| c.w[i] - lr * c.g[i] / (c.m[i] + EPSILON).sqrt()) {
        return "update the memory first, then take the step with the new memory: with the old \
                one, a first step divides by √1e−8"
            .to_string();
    }
    if with(&|i, m| c.w[i] - lr * c.g[i] / m.sqrt()) {
        return "the 1e−8 (EPSILON) is missing: it goes under the square root, √(m + 1e−8). It \
                changes the step in the ninth digit, and keeps an empty memory from dividing 0 \
                by 0"
            .to_string();
    }
    if with(&|i, m| c.w[i] - lr * c.g[i] / (m + EPSILON)) {
        return "the square root: divide by √(m + 1e−8), not by m + 1e−8".to_string();
    }
    if with(&|i, _| c.w[i] - lr * c.g[i]) {
        return "that is plain gradient descent: Adagrad divides each step by √(m + 1e−8)"
            .to_string();
    }
    if with(&|i, m| c.w[i] - lr * c.g[i] / (m.sqrt() + EPSILON)) {
        return "the 1e−8 goes under the square root, as the notebook writes it: √(m + 1e−8), \
                not √m + 1e−8"
            .to_string();
    }
    "w[i] −= learning_rate · g[i] / √(m[i] + 1e−8), with the memory just updated".to_string()
}

/// A list in full if short, else its first numbers.
fn short(values: &[f64]) -> String {
    if values.len() <= 4 {
        list(values)
    } else {
        format!("({} numbers)", values.len())
    }
}
