//! Minibatches: `B` streams at once are `B` separate one-stream runs side by side; the text is
//! cut into streams and chunks by char-rnn's rule; a state carried from one chunk to the next
//! is the state of one long chunk.
//!
//! Run with `cargo test --test batch`.

mod common;

use common::assert_close;
use min_char_rnn::batch::{BatchError, Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::network::{
    BackwardWork, Network, NetworkCache, NetworkGrads, State, backward, forward, loss,
};

/// Sums over streams added in another grouping: equal up to rounding.
const REL_TOL: f64 = 1e-12;
const ABS_TOL: f64 = 1e-16;

fn random_state(network: &Network, batch: usize, seed: u64) -> State {
    let mut state = State::zeros(network, batch);
    let mut rng = fastrand::Rng::with_seed(seed);
    for m in state.h.iter_mut().chain(state.c.iter_mut()) {
        for x in m.as_mut_slice() {
            *x = rng.f64() - 0.5;
        }
    }
    state
}

/// Row `b` of every matrix of `state`, as a one-stream state.
fn stream_of(network: &Network, state: &State, b: usize) -> State {
    let mut one = State::zeros(network, 1);
    for l in 0..network.num_layers() {
        one.h[l].row_mut(0).copy_from_slice(state.h[l].row(b));
        one.c[l].row_mut(0).copy_from_slice(state.c[l].row(b));
    }
    one
}

#[test]
fn batch_streams_are_separate_single_stream_runs() {
    const B: usize = 3;
    const T: usize = 5;
    for cell in CellKind::ALL {
        let network = Network::new(cell, 6, 4, 2, 13);
        let inputs = vec![0, 1, 2, 3, 4, 5, 4, 3, 2, 1, 1, 1, 0, 0, 5];
        let targets = vec![1, 2, 3, 4, 5, 4, 3, 2, 1, 1, 1, 0, 0, 5, 2];
        let chunk = Chunk::new(B, T, inputs, targets);
        let state0 = random_state(&network, B, 4);

        let mut state = state0.clone();
        let mut cache = NetworkCache::new(&network, B, T);
        forward(&network, &chunk, &mut state, &mut cache);
        let batch_loss = loss(&cache, &chunk);
        let mut grads = NetworkGrads::zeros_like(&network);
        let mut work = BackwardWork::new(&network, B, T);
        let d_state = backward(&network, &cache, &chunk, &mut grads, &mut work).clone();

        let mut loss_sum = 0.0;
        let mut grad_sums: Vec<Vec<f64>> =
            grads.slices().iter().map(|g| vec![0.0; g.len()]).collect();
        for b in 0..B {
            let single = Chunk::single(chunk.stream_inputs(b), chunk.stream_targets(b));
            let mut one = stream_of(&network, &state0, b);
            let mut one_cache = NetworkCache::new(&network, 1, T);
            forward(&network, &single, &mut one, &mut one_cache);
            // The forward pass never mixes streams: the same bits.
            for t in 0..T {
                assert_eq!(
                    one_cache.ys[t][0], cache.ys[t][b],
                    "{cell} y_{t} of stream {b}"
                );
                assert_eq!(
                    one_cache.steps[t][0], cache.steps[t][b],
                    "{cell} cells at {t}, {b}"
                );
            }
            assert_eq!(
                one,
                stream_of(&network, &state, b),
                "{cell} final state of stream {b}"
            );
            loss_sum += loss(&one_cache, &single);

            let mut one_grads = NetworkGrads::zeros_like(&network);
            let mut one_work = BackwardWork::new(&network, 1, T);
            let one_d_state =
                backward(&network, &one_cache, &single, &mut one_grads, &mut one_work);
            // The batch's loss is the mean over B streams: its gradient with respect to one
            // stream's starting state is that stream's own gradient divided by B.
            for l in 0..network.num_layers() {
                let expected: Vec<f64> = one_d_state.h[l]
                    .row(0)
                    .iter()
                    .map(|g| g / B as f64)
                    .collect();
                assert_close("d_h0", d_state.h[l].row(b), &expected, REL_TOL, ABS_TOL);
                let expected: Vec<f64> = one_d_state.c[l]
                    .row(0)
                    .iter()
                    .map(|g| g / B as f64)
                    .collect();
                assert_close("d_c0", d_state.c[l].row(b), &expected, REL_TOL, ABS_TOL);
            }
            for (sum, g) in grad_sums.iter_mut().zip(one_grads.slices()) {
                for (s, x) in sum.iter_mut().zip(g) {
                    *s += x;
                }
            }
        }
        // The mean over B·T characters is the mean of the B streams' means.
        assert_close(
            "loss",
            &[batch_loss],
            &[loss_sum / B as f64],
            REL_TOL,
            ABS_TOL,
        );
        for ((name, ours), sum) in network.names().iter().zip(grads.slices()).zip(&grad_sums) {
            let mean: Vec<f64> = sum.iter().map(|s| s / B as f64).collect();
            assert_close(&format!("{cell} d{name}"), ours, &mean, REL_TOL, ABS_TOL);
        }
    }
}

#[test]
fn batch_split_follows_char_rnns_rule() {
    // 27 characters, B = 2, T = 3: ⌊27/6⌋ = 4 chunks, N' = 24 characters used, S = 12 each.
    // Targets are the next character; the last target, of data[23], wraps to data[0].
    //   stream 0: data[0..12],  stream 1: data[12..24];   chunk k: columns 3k..3k+3
    let data: Vec<usize> = (0..27).map(|i| 100 + i).collect();
    let batches = Batches::new(&data, 2, 3).unwrap();
    assert_eq!((batches.len(), batches.stream_len()), (4, 12));
    assert_eq!(batches.stream_start(1), 12);

    let first = batches.chunk(0);
    assert_eq!(first.stream_inputs(0), &[100, 101, 102]);
    assert_eq!(first.stream_targets(0), &[101, 102, 103]);
    assert_eq!(first.stream_inputs(1), &[112, 113, 114]);
    assert_eq!(first.stream_targets(1), &[113, 114, 115]);

    let last = batches.chunk(3);
    assert_eq!(last.stream_inputs(0), &[109, 110, 111]);
    assert_eq!(last.stream_targets(0), &[110, 111, 112]); // into stream 1's first character
    assert_eq!(last.stream_inputs(1), &[121, 122, 123]);
    assert_eq!(last.stream_targets(1), &[122, 123, 100]); // wraps around; 124..126 cut off
}

#[test]
fn batch_chunks_read_each_stream_in_order() {
    // Reading the chunks one after another, stream b sees data[b·S .. (b+1)·S], in order.
    let data: Vec<usize> = (0..1000).map(|i| (i * 7919) % 61).collect();
    let batches = Batches::new(&data, 4, 25).unwrap();
    assert_eq!(batches.len(), 1000 / 100);
    let s = batches.stream_len();
    for b in 0..4 {
        let mut read = Vec::new();
        let mut next = Vec::new();
        for k in 0..batches.len() {
            let chunk = batches.chunk(k);
            read.extend_from_slice(chunk.stream_inputs(b));
            next.extend_from_slice(chunk.stream_targets(b));
        }
        assert_eq!(read, &data[b * s..(b + 1) * s]);
        // The target of each character is the next one in the text; only the very last
        // character's target wraps around to the first.
        let mut expected = data[b * s + 1..(b + 1) * s].to_vec();
        expected.push(if b < 3 { data[(b + 1) * s] } else { data[0] });
        assert_eq!(next, expected);
    }
}

#[test]
fn batch_state_carried_between_chunks_is_the_state_of_one_long_chunk() {
    for cell in CellKind::ALL {
        let network = Network::new(cell, 7, 5, 2, 8);
        let data: Vec<usize> = (0..48).map(|i| (i * 5 + i / 7) % 7).collect();
        let short = Batches::new(&data, 2, 4).unwrap(); // 6 chunks of 4 per stream
        let long = Batches::new(&data, 2, 24).unwrap(); // 1 chunk of 24
        assert_eq!(short.stream_len(), long.stream_len());

        let state0 = random_state(&network, 2, 1);
        let mut long_state = state0.clone();
        let mut long_cache = NetworkCache::new(&network, 2, 24);
        forward(&network, &long.chunk(0), &mut long_state, &mut long_cache);

        let mut state = state0.clone();
        let mut cache = NetworkCache::new(&network, 2, 4);
        for k in 0..short.len() {
            forward(&network, &short.chunk(k), &mut state, &mut cache);
            for t in 0..4 {
                for b in 0..2 {
                    assert_eq!(cache.ys[t][b], long_cache.ys[4 * k + t][b], "{cell}");
                }
            }
        }
        assert_eq!(state, long_state, "{cell}: the state after the last chunk");
    }
}

#[test]
fn batch_text_too_short_or_sizes_zero_are_errors() {
    assert_eq!(
        Batches::new(&[1, 2, 3, 4, 5], 2, 3),
        Err(BatchError::TooShort { len: 5, needed: 6 })
    );
    assert_eq!(
        Batches::new(&[1, 2, 3], 0, 3),
        Err(BatchError::ZeroSize { batch: 0, steps: 3 })
    );
    let message = Batches::new(&[1], 2, 3).unwrap_err().to_string();
    assert!(
        message.contains("1 characters") && message.contains('6'),
        "{message}"
    );
}

#[test]
fn batch_forward_and_backward_reuse_their_buffers() {
    // Same shapes: no buffer is made anew (the time loop allocates nothing).
    let network = Network::new(CellKind::Lstm, 5, 3, 2, 2);
    let data: Vec<usize> = (0..40).map(|i| i % 5).collect();
    let batches = Batches::new(&data, 2, 5).unwrap();
    let mut state = State::zeros(&network, 2);
    let mut cache = NetworkCache::new(&network, 2, 5);
    let mut grads = NetworkGrads::zeros_like(&network);
    let mut work = BackwardWork::new(&network, 2, 5);
    let cell_buffer = cache.steps[4][1][1].gates.as_slice().as_ptr();
    let dh_buffer = work.dhs[0][1].as_slice().as_ptr();
    let grad_buffer = grads.layers[1].dw_hh.as_slice().as_ptr();
    for k in 0..batches.len() {
        let chunk = batches.chunk(k);
        forward(&network, &chunk, &mut state, &mut cache);
        backward(&network, &cache, &chunk, &mut grads, &mut work);
    }
    assert_eq!(cache.steps[4][1][1].gates.as_slice().as_ptr(), cell_buffer);
    assert_eq!(work.dhs[0][1].as_slice().as_ptr(), dh_buffer);
    assert_eq!(grads.layers[1].dw_hh.as_slice().as_ptr(), grad_buffer);
}
