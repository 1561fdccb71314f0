//! Exercise 9: `softmax_with_temperature` and `draw`, against the crate's
//! `loss::softmax_with_temperature` and `sample::draw`.
//!
//! The crate's `draw` asks its random generator for `u` itself. The check gives your `draw`
//! the very number the crate's will draw next (from a copy of the generator), then compares
//! the two indices, over hundreds of draws.

use super::compare::{Difference, slices, vectors};
use super::data::{Numbers, show};
use super::{Checked, call, wrong};
use min_char_rnn::{Hyperparams, Trainer, Vector, loss, sample};

/// The functions of exercise 9.
pub struct Fns {
    /// `softmax_with_temperature(y, temperature)`.
    pub softmax_with_temperature: fn(&Vector, f64) -> Vector,
    /// `draw(p, u)`.
    pub draw: fn(&Vector, f64) -> usize,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        softmax_with_temperature: exercises::sample::softmax_with_temperature,
        draw: exercises::sample::draw,
    }
}

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(9);
    let softmax_cases = [
        (vec![1.0, 2.0], 0.5, "the chapter's example"),
        (vec![1.0, 2.0, 3.0], 1.0, "temperature 1: the plain softmax"),
        (vec![1.0, 2.0, 3.0], 2.0, "a high temperature flattens"),
        (vec![1.0, 2.0, 3.0], 0.25, "a low temperature sharpens"),
        (
            vec![10.0, 9.5, -3.0],
            0.01,
            "a tiny temperature: scores of 10 become 1000",
        ),
        (numbers.values(61, 4.0), 0.7, "61 random scores"),
    ];
    for (scores, temperature, what) in softmax_cases {
        let y = Vector::from_vec(scores);
        let case = format!(
            "softmax_with_temperature(y = {}, temperature = {temperature:?}): {what}",
            show(&y)
        );
        let got = call(
            "softmax_with_temperature",
            &case,
            || (f.softmax_with_temperature)(&y, temperature),
            |_| "p has as many entries as y: Vector::zeros(y.len())".to_string(),
        )?;
        let mut expected = Vector::zeros(y.len());
        loss::softmax_with_temperature(&y, temperature, &mut expected);
        if let Some(d) = vectors(&expected, &got) {
            let hint = softmax_hint(&y, temperature, &d, &got);
            return Err(wrong(
                "softmax_with_temperature",
                &case,
                d.describe("p"),
                hint,
            ));
        }
    }

    let hp = Hyperparams {
        hidden_size: 1,
        seq_length: 1,
        learning_rate: 0.1,
    };
    let trainer = Trainer::new(vec![0, 1], 2, hp, 9).expect("a trainer for two characters");
    let mut rng = trainer.rng.clone(); // the crate's generator, as its sampler uses it
    let draw_cases = [
        (vec![0.1, 0.2, 0.3, 0.4], 300, "four characters"),
        (
            vec![0.0, 0.5, 0.0, 0.5, 0.0],
            300,
            "probability 0 at the start, in the middle and at the end",
        ),
        (vec![0.0, 0.0, 1.0, 0.0], 50, "a certain character"),
        (vec![1.0], 10, "a single character"),
        (
            numbers.probabilities(61).as_slice().to_vec(),
            500,
            "61 probabilities from a softmax",
        ),
    ];
    for (probabilities, draws, what) in draw_cases {
        let p = Vector::from_vec(probabilities);
        for _ in 0..draws {
            let u = rng.clone().f64(); // the number the crate's draw takes next
            let expected = sample::draw(&p, &mut rng);
            let case = format!("draw(p = {}, u = {u:?}): {what}", show(&p));
            let got = call(
                "draw",
                &case,
                || (f.draw)(&p, u),
                |_| "the index returned must be below p.len()".to_string(),
            )?;
            if got != expected {
                return Err(wrong(
                    "draw",
                    &case,
                    format!("the index should be {expected} but is {got}"),
                    draw_hint(f.draw, &p, u, expected, got),
                ));
            }
        }
    }
    Ok(())
}

fn softmax_hint(y: &Vector, temperature: f64, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { .. } = d {
        return "one probability per score: p has the length of y".to_string();
    }
    if got.as_slice().iter().any(|p| !p.is_finite()) {
        return "exp overflowed, or 0 was divided by 0: subtract the largest score before exp, \
                exp((y[k] − max) / temperature); at a small temperature the divided scores are \
                huge"
            .to_string();
    }
    let softmax_of = |scale: f64| -> Vec<f64> {
        let z: Vec<f64> = y.as_slice().iter().map(|v| v * scale).collect();
        let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = z.iter().map(|v| (v - max).exp()).collect();
        let sum: f64 = e.iter().sum();
        e.iter().map(|v| v / sum).collect()
    };
    if slices(&softmax_of(temperature), got.as_slice()).is_none() {
        return "divide the scores by the temperature, y / temperature: multiplying turns a \
                cold temperature into a hot one"
            .to_string();
    }
    if slices(&softmax_of(1.0), got.as_slice()).is_none() {
        return "the temperature is not used: p = softmax(y / temperature)".to_string();
    }
    "p[k] = exp((y[k] − m) / T) / Σ_j exp((y[j] − m) / T), with m the largest score".to_string()
}

fn draw_hint(
    draw: fn(&Vector, f64) -> usize,
    p: &Vector,
    u: f64,
    expected: usize,
    got: usize,
) -> String {
    if got >= p.len() {
        return format!(
            "the index must be below p.len() = {}: return the last k whose p[k] is above 0 if \
             the running sum never passes u · Σp",
            p.len()
        );
    }
    if p[got] == 0.0 {
        return format!(
            "index {got} has probability 0: it can never be drawn; its stretch of [0, Σp) is \
             empty, so skip the k whose p[k] is 0"
        );
    }
    // One draw may fit several mistakes: try the learner's draw on u = 0.025, 0.075, …, 0.975.
    let grid: Vec<f64> = (0..20).map(|i| (i as f64 + 0.5) / 20.0).collect();
    let learner: Option<Vec<usize>> = grid
        .iter()
        .map(|&u| call("draw", "", || draw(p, u), |_| String::new()).ok())
        .collect();
    let fits = |mistake: &dyn Fn(f64) -> usize| match &learner {
        Some(answers) => grid.iter().zip(answers).all(|(&u, &a)| mistake(u) == a),
        None => false,
    };
    let n = p.len();
    let alone = |u: f64| (0..n).find(|&k| u * p.sum() < p[k]).unwrap_or(n - 1);
    let too_far = |u: f64| {
        let mut cumulative = 0.0;
        for k in 0..n {
            if u * p.sum() < cumulative {
                return k;
            }
            cumulative += p[k];
        }
        n - 1
    };
    let scaled = u * p.sum();
    if fits(&alone) {
        return format!(
            "compare u · Σp with the running sum p[0] + … + p[k], not with p[k] alone: here u · \
             Σp = {scaled:?} falls in the stretch of index {expected}"
        );
    }
    if fits(&too_far) || got == expected + 1 || got + 1 == expected {
        return format!(
            "off by one: return k as soon as u · Σp < p[0] + … + p[k], the running sum with \
             p[k] included (here u · Σp = {scaled:?}, which falls in the stretch of index \
             {expected})"
        );
    }
    "compare u · Σp with the running sum p[0] + … + p[k], not with p[k] alone".to_string()
}
