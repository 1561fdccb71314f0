//! Wrong answers to exercise 6: a backward pass written as a learner would write it, with
//! one slip each.

use min_char_rnn::backward::CLIP;
use min_char_rnn::{ForwardCache, Grads, Params, Vector};

#[derive(Clone, Copy, PartialEq)]
enum Slip {
    NoDhnext,
    DhnextNotTransposed,
    DwHhWithHt,
    LoopForward,
    ClipsHere,
    TanhDerivative,
}

fn backward_with(params: &Params, cache: &ForwardCache, targets: &[usize], slip: Slip) -> Grads {
    let h = params.hidden_size();
    let mut grads = Grads::zeros_like(params);
    let mut dhnext = Vector::zeros(h);
    let mut dh = Vector::zeros(h);
    let mut dhraw = Vector::zeros(h);
    let steps: Vec<usize> = if slip == Slip::LoopForward {
        (0..cache.len()).collect()
    } else {
        (0..cache.len()).rev().collect()
    };
    for t in steps {
        let mut dy = cache.ps[t].clone();
        dy[targets[t]] -= 1.0;
        grads.dw_hy.add_outer(&dy, &cache.hs[t]);
        grads.db_y.add_assign(&dy);
        params.w_hy.matvec_transposed(&dy, &mut dh);
        if slip != Slip::NoDhnext {
            dh.add_assign(&dhnext);
        }
        for i in 0..h {
            let h_t = cache.hs[t][i];
            dhraw[i] = if slip == Slip::TanhDerivative {
                (1.0 - h_t) * dh[i]
            } else {
                (1.0 - h_t * h_t) * dh[i]
            };
        }
        grads.db_h.add_assign(&dhraw);
        grads.dw_xh.add_to_column(cache.inputs[t], &dhraw);
        if slip == Slip::DwHhWithHt {
            grads.dw_hh.add_outer(&dhraw, &cache.hs[t]);
        } else {
            grads.dw_hh.add_outer(&dhraw, cache.h_before(t));
        }
        if slip == Slip::DhnextNotTransposed {
            params.w_hh.matvec(&dhraw, &mut dhnext);
        } else {
            params.w_hh.matvec_transposed(&dhraw, &mut dhnext);
        }
    }
    if slip == Slip::ClipsHere {
        grads.clip(CLIP);
    }
    grads
}

/// Forgets `dhnext`: each step learns only from its own output.
pub fn no_dhnext(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::NoDhnext)
}

/// `dhnext = w_hh · dhraw`, not transposed.
pub fn dhnext_not_transposed(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::DhnextNotTransposed)
}

/// `dw_hh += dhraw · h_tᵀ` instead of `h_{t−1}`.
pub fn dw_hh_with_h_t(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::DwHhWithHt)
}

/// Walks the steps forwards.
pub fn loop_forward(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::LoopForward)
}

/// Clips the sums before returning them: clipping done too early, in the wrong function.
pub fn clips_in_backward(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::ClipsHere)
}

/// `tanh′ = 1 − h` instead of `1 − h²`.
pub fn tanh_derivative(params: &Params, cache: &ForwardCache, targets: &[usize]) -> Grads {
    backward_with(params, cache, targets, Slip::TanhDerivative)
}

/// Not written yet.
pub fn todo_backward(_: &Params, _: &ForwardCache, _: &[usize]) -> Grads {
    todo!()
}
