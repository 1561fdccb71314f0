//! Wrong answers to exercise 9.

use min_char_rnn::Vector;

/// Multiplies the scores by the temperature.
pub fn temperature_multiplied(y: &Vector, temperature: f64) -> Vector {
    let max = y.max();
    let mut p = Vector::zeros(y.len());
    for k in 0..y.len() {
        p[k] = ((y[k] - max) * temperature).exp();
    }
    let sum = p.sum();
    for k in 0..y.len() {
        p[k] /= sum;
    }
    p
}

/// Divides by the temperature but forgets to subtract the largest score.
pub fn temperature_without_max(y: &Vector, temperature: f64) -> Vector {
    let mut p = Vector::zeros(y.len());
    for k in 0..y.len() {
        p[k] = (y[k] / temperature).exp();
    }
    let sum = p.sum();
    for k in 0..y.len() {
        p[k] /= sum;
    }
    p
}

/// Compares `u` with each probability alone instead of the running sum.
pub fn draw_against_each_p(p: &Vector, u: f64) -> usize {
    for k in 0..p.len() {
        if u < p[k] {
            return k;
        }
    }
    p.len() - 1
}

/// Tests the running sum before adding `p[k]`: one index too far.
pub fn draw_one_too_far(p: &Vector, u: f64) -> usize {
    let u = u * p.sum();
    let mut cumulative = 0.0;
    for k in 0..p.len() {
        if u < cumulative {
            return k;
        }
        cumulative += p[k];
    }
    p.len() - 1
}

/// Not written yet.
pub fn todo_softmax_with_temperature(_: &Vector, _: f64) -> Vector {
    todo!()
}

/// Not written yet.
pub fn todo_draw(_: &Vector, _: f64) -> usize {
    todo!()
}
