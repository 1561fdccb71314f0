//! Wrong answers to exercise 7.

use min_char_rnn::Grads;

/// Clips the three weight gradients and forgets the biases.
pub fn forgets_the_biases(grads: &mut Grads, limit: f64) {
    for g in [
        grads.dw_xh.as_mut_slice(),
        grads.dw_hh.as_mut_slice(),
        grads.dw_hy.as_mut_slice(),
    ] {
        for x in g {
            *x = x.clamp(-limit, limit);
        }
    }
}

/// Clips by norm: scales all five so that their joint length is at most `limit`.
pub fn by_norm(grads: &mut Grads, limit: f64) {
    let mut squares = 0.0;
    for g in grads.slices() {
        for x in g {
            squares += x * x;
        }
    }
    let norm = f64::sqrt(squares);
    if norm > limit {
        let scale = limit / norm;
        for g in [
            grads.dw_xh.as_mut_slice(),
            grads.dw_hh.as_mut_slice(),
            grads.dw_hy.as_mut_slice(),
            grads.db_h.as_mut_slice(),
            grads.db_y.as_mut_slice(),
        ] {
            for x in g {
                *x *= scale;
            }
        }
    }
}

/// Clips from above only.
pub fn one_sided(grads: &mut Grads, limit: f64) {
    for g in [
        grads.dw_xh.as_mut_slice(),
        grads.dw_hh.as_mut_slice(),
        grads.dw_hy.as_mut_slice(),
        grads.db_h.as_mut_slice(),
        grads.db_y.as_mut_slice(),
    ] {
        for x in g {
            *x = x.min(limit);
        }
    }
}

/// Not written yet.
pub fn todo_clip(_: &mut Grads, _: f64) {
    todo!()
}
