//! Layers: the network's backward pass (BPTT through time and down the layers) checked
//! against the slow way of computing a gradient, for every element of every parameter of a
//! two-layer network of each cell, over two streams with a nonzero carried state; and the
//! gradient with respect to that carried state (`d_h0`, `d_c0`) the same way.
//!
//! The check is Part I's (the book's "Checking gradients" chapter): central differences
//! `(L(w + ε) − L(w − ε)) / 2ε` with the same `ε`, relative tolerance and "zero" threshold.
//!
//! Also: the initialisation (char-rnn's uniform range, the LSTM's forget bias), the sampler
//! (one stream, one step at a time) against the forward pass, and clipping.
//!
//! Run with `cargo test --test layers`.

use min_char_rnn::Strategy;
use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::CellKind;
use min_char_rnn::network::{
    BackwardWork, FORGET_BIAS, INIT_RANGE, Network, NetworkCache, NetworkGrads, Sampler, State,
    backward, forward, loss,
};

mod gradient_check;
use gradient_check::{B, H, L, T, check, problem};

fn loss_of(network: &Network, chunk: &Chunk, state: &State) -> f64 {
    let mut state = state.clone();
    let mut cache = NetworkCache::new(network, chunk.batch_size(), chunk.steps());
    forward(network, chunk, &mut state, &mut cache);
    loss(&cache, chunk)
}

fn analytic_gradients(network: &Network, chunk: &Chunk, state: &State) -> (NetworkGrads, State) {
    let mut forward_state = state.clone();
    let mut cache = NetworkCache::new(network, B, T);
    forward(network, chunk, &mut forward_state, &mut cache);
    let mut grads = NetworkGrads::zeros_like(network);
    let mut work = BackwardWork::new(network, B, T);
    let d_state = backward(network, &cache, chunk, &mut grads, &mut work).clone();
    (grads, d_state)
}

/// Every element of every parameter: returns how many were checked.
fn check_every_parameter(cell: CellKind) -> usize {
    let (network, chunk, state) = problem(cell);
    let (grads, _) = analytic_gradients(&network, &chunk, &state);
    let names = network.names();
    let mut checked = 0;
    let mut within_noise = 0;
    let mut worst = 0.0f64;
    for (which, name) in names.iter().enumerate() {
        for i in 0..network.slices()[which].len() {
            let loss_at = |delta: f64| {
                let mut nudged = network.clone();
                nudged.slices_mut()[which][i] += delta;
                loss_of(&nudged, &chunk, &state)
            };
            let analytic = grads.slices()[which][i];
            match check(&format!("{cell} d{name}[{i}]"), analytic, loss_at) {
                Some(rel) => worst = worst.max(rel),
                None => within_noise += 1,
            }
            checked += 1;
        }
    }
    println!(
        "{cell}: {checked} gradient elements; largest relative error {worst:e}; \
         {within_noise} zero or within rounding noise"
    );
    checked
}

/// `d_h0` (and `d_c0` for the LSTM) of every layer and stream.
fn check_state_gradient(cell: CellKind) -> usize {
    let (network, chunk, state) = problem(cell);
    let (_, d_state) = analytic_gradients(&network, &chunk, &state);
    let mut checked = 0;
    for l in 0..L {
        for i in 0..B * H {
            let loss_at = |delta: f64| {
                let mut nudged = state.clone();
                nudged.h[l].as_mut_slice()[i] += delta;
                loss_of(&network, &chunk, &nudged)
            };
            let analytic = d_state.h[l].as_slice()[i];
            check(&format!("{cell} d_h0[{l}][{i}]"), analytic, loss_at);
            checked += 1;
            if cell == CellKind::Lstm {
                let loss_at = |delta: f64| {
                    let mut nudged = state.clone();
                    nudged.c[l].as_mut_slice()[i] += delta;
                    loss_of(&network, &chunk, &nudged)
                };
                let analytic = d_state.c[l].as_slice()[i];
                check(&format!("{cell} d_c0[{l}][{i}]"), analytic, loss_at);
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn layers_rnn_gradients_match_finite_differences() {
    // Layer 0: w_ih 4·5, w_hh 4·4, b 4; layer 1: 4·4, 4·4, 4; output: 5·4, 5.
    assert_eq!(
        check_every_parameter(CellKind::Rnn),
        20 + 16 + 4 + 16 + 16 + 4 + 20 + 5
    );
}

#[test]
fn layers_lstm_gradients_match_finite_differences() {
    assert_eq!(
        check_every_parameter(CellKind::Lstm),
        4 * (20 + 16 + 4 + 16 + 16 + 4) + 20 + 5
    );
}

#[test]
fn layers_gru_gradients_match_finite_differences() {
    // Each layer also has b_hn, (H).
    assert_eq!(
        check_every_parameter(CellKind::Gru),
        3 * (20 + 16 + 4 + 16 + 16 + 4) + 2 * 4 + 20 + 5
    );
}

#[test]
fn layers_gradient_of_the_carried_state_matches_finite_differences() {
    assert_eq!(check_state_gradient(CellKind::Rnn), L * B * H);
    assert_eq!(check_state_gradient(CellKind::Lstm), 2 * L * B * H);
    assert_eq!(check_state_gradient(CellKind::Gru), L * B * H);
}

#[test]
fn layers_backward_overwrites_rather_than_accumulates() {
    for cell in CellKind::ALL {
        let (network, chunk, state) = problem(cell);
        let mut forward_state = state.clone();
        let mut cache = NetworkCache::new(&network, B, T);
        forward(&network, &chunk, &mut forward_state, &mut cache);
        let mut grads = NetworkGrads::zeros_like(&network);
        let mut work = BackwardWork::new(&network, B, T);
        backward(&network, &cache, &chunk, &mut grads, &mut work);
        let once = grads.clone();
        backward(&network, &cache, &chunk, &mut grads, &mut work);
        assert_eq!(grads, once, "{cell}");
    }
}

#[test]
fn layers_init_is_uniform_in_plus_minus_0_08_with_forget_bias_one() {
    for cell in CellKind::ALL {
        let network = Network::new(cell, 30, 40, 2, 3);
        let mut count = 0;
        let mut sum = 0.0;
        let mut largest = 0.0f64;
        for (name, values) in network.names().iter().zip(network.slices()) {
            for (j, &w) in values.iter().enumerate() {
                let forget =
                    cell == CellKind::Lstm && name.starts_with("b_") && (40..80).contains(&j);
                if forget {
                    assert_eq!(w, FORGET_BIAS, "{cell} {name}[{j}]");
                } else {
                    assert!(
                        (-INIT_RANGE..INIT_RANGE).contains(&w),
                        "{cell} {name}[{j}] = {w}"
                    );
                    largest = largest.max(w.abs());
                    sum += w;
                    count += 1;
                }
            }
        }
        // Uniform in ±0.08: mean 0 with standard deviation 0.08/√3 per draw, so the mean of
        // n draws is within 5 standard errors, 5 · 0.0462/√n, with overwhelming probability;
        // and the largest of thousands of draws is close to the bound.
        let mean = sum / count as f64;
        let bound = 5.0 * (INIT_RANGE / 3f64.sqrt()) / (count as f64).sqrt();
        assert!(mean.abs() < bound, "{cell}: mean {mean} over {count}");
        assert!(largest > 0.079, "{cell}: largest |w| {largest}");
    }
}

#[test]
fn layers_init_is_the_same_for_the_same_seed_only() {
    let a = Network::new(CellKind::Gru, 6, 5, 3, 11);
    assert_eq!(a, Network::new(CellKind::Gru, 6, 5, 3, 11));
    assert_ne!(a, Network::new(CellKind::Gru, 6, 5, 3, 12));
}

#[test]
fn layers_sampler_steps_give_the_forward_passs_scores_bit_for_bit() {
    for cell in CellKind::ALL {
        let (network, chunk, state) = problem(cell);
        let mut forward_state = state.clone();
        let mut cache = NetworkCache::new(&network, B, T);
        forward(&network, &chunk, &mut forward_state, &mut cache);
        // Stream 1, one character at a time, from stream 1's starting state.
        let mut sampler = Sampler::new(&network);
        for l in 0..L {
            sampler.state.h[l]
                .row_mut(0)
                .copy_from_slice(state.h[l].row(1));
            sampler.state.c[l]
                .row_mut(0)
                .copy_from_slice(state.c[l].row(1));
        }
        for t in 0..T {
            let y = sampler.step(&network, chunk.input(1, t));
            assert_eq!(y, &cache.ys[t][1], "{cell} y_{t}");
        }
        for l in 0..L {
            assert_eq!(sampler.state.h[l].row(0), forward_state.h[l].row(1));
        }
    }
}

#[test]
fn layers_sampler_with_argmax_follows_the_highest_score() {
    let network = Network::new(CellKind::Lstm, 6, 8, 2, 9);
    let mut rng = fastrand::Rng::with_seed(1);
    let mut sampler = Sampler::new(&network);
    let ixes = sampler.generate(&network, 2, 12, Strategy::Argmax, &mut rng);
    // Replay: each generated character is the argmax of the scores after the one before.
    let mut replay = Sampler::new(&network);
    let mut x = 2;
    for &ix in &ixes {
        let best = replay.step(&network, x).argmax();
        assert_eq!(ix, best);
        x = ix;
    }
}

#[test]
fn layers_clip_bounds_every_gradient_and_leaves_the_rest() {
    let (network, chunk, state) = problem(CellKind::Gru);
    let (grads, _) = analytic_gradients(&network, &chunk, &state);
    let limit = 0.01; // small enough that some gradients exceed it
    let mut clipped = grads.clone();
    clipped.clip(limit);
    let mut beyond = 0;
    for (raw, cut) in grads.slices().iter().zip(clipped.slices()) {
        for (&g, &c) in raw.iter().zip(cut) {
            if g.abs() > limit {
                assert_eq!(c, limit.copysign(g));
                beyond += 1;
            } else {
                assert_eq!(c, g);
            }
        }
    }
    assert!(beyond > 0);
}
