//! The network against PyTorch: `torch.nn.RNN`, `torch.nn.LSTM` and `torch.nn.GRU` (two
//! layers) with an `nn.Linear` on top, in float64, run by `tools/torch_reference.py` over one
//! chunk of `B = 3` streams × `T = 6` steps from a nonzero carried state, with
//! `F.cross_entropy` (the mean over `B·T`) and autograd for every gradient.
//!
//! Loaded into a [`Network`] (PyTorch's `bias_ih` holds our `b`, its `bias_hh` zeros, or
//! `[0, 0, b_hn]` for the GRU), the same chunk must give the same loss, scores, final state,
//! every parameter's gradient and the gradient with respect to the carried state, to about
//! 1e−12 relative. `cargo test` needs no Python: the fixtures are checked in.
//!
//! Run with `cargo test --test torch_reference`.

mod common;

use common::{Fixture, assert_close};
use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::{CellKind, LayerParams};
use min_char_rnn::network::{
    BackwardWork, Network, NetworkCache, NetworkGrads, State, backward, forward, loss,
};
use min_char_rnn::{Matrix, Vector};

/// Largest relative difference from PyTorch: both compute in float64, in different orders.
const REL_TOL: f64 = 1e-12;
/// Below this, a value counts as zero and only the absolute difference is checked.
const ABS_TOL: f64 = 1e-15;

/// The fixture's network, chunk and starting state.
fn load(fixture: &Fixture, cell: CellKind) -> (Network, Chunk, State) {
    let meta = fixture.indices("meta");
    let [v, h, layers, batch, steps] = [meta[0], meta[1], meta[2], meta[3], meta[4]];
    let mut network = Network::zeros(cell, v, h, layers);
    for l in 0..layers {
        let b_hn = if cell == CellKind::Gru {
            fixture.vector(&format!("b_hn_{l}"))
        } else {
            Vector::zeros(0)
        };
        network.layers[l] = LayerParams {
            w_ih: fixture.matrix(&format!("w_ih_{l}")),
            w_hh: fixture.matrix(&format!("w_hh_{l}")),
            b: fixture.vector(&format!("b_{l}")),
            b_hn,
        };
    }
    network.w_hy = fixture.matrix("w_hy");
    network.b_y = fixture.vector("b_y");
    let chunk = Chunk::new(
        batch,
        steps,
        fixture.indices("inputs"),
        fixture.indices("targets"),
    );
    let mut state = State::zeros(&network, batch);
    for l in 0..layers {
        state.h[l] = fixture.matrix(&format!("h0_{l}"));
        if cell == CellKind::Lstm {
            state.c[l] = fixture.matrix(&format!("c0_{l}"));
        }
    }
    assert!(
        state.fits(&network, batch),
        "the fixture's state has the wrong shapes"
    );
    (network, chunk, state)
}

/// Runs the forward and backward passes on the fixture and compares everything with it.
fn compare_with_torch(file: &str, cell: CellKind) {
    let fixture = Fixture::load(file);
    let (network, chunk, state0) = load(&fixture, cell);
    let (batch, steps) = (chunk.batch_size(), chunk.steps());
    let mut state = state0.clone();
    let mut cache = NetworkCache::new(&network, batch, steps);
    forward(&network, &chunk, &mut state, &mut cache);

    let ours = loss(&cache, &chunk);
    assert_close("loss", &[ours], &[fixture.scalar("loss")], REL_TOL, ABS_TOL);

    // logits: row b·T + t.
    let mut logits = Vec::new();
    for b in 0..batch {
        for t in 0..steps {
            logits.extend_from_slice(cache.ys[t][b].as_slice());
        }
    }
    assert_close(
        "logits",
        &logits,
        fixture.values("logits"),
        REL_TOL,
        ABS_TOL,
    );

    for l in 0..network.num_layers() {
        let name = format!("hn_{l}");
        assert_close(
            &name,
            state.h[l].as_slice(),
            fixture.values(&name),
            REL_TOL,
            ABS_TOL,
        );
        if cell == CellKind::Lstm {
            let name = format!("cn_{l}");
            assert_close(
                &name,
                state.c[l].as_slice(),
                fixture.values(&name),
                REL_TOL,
                ABS_TOL,
            );
        }
    }

    let mut grads = NetworkGrads::zeros_like(&network);
    let mut work = BackwardWork::new(&network, batch, steps);
    let d_state = backward(&network, &cache, &chunk, &mut grads, &mut work);
    let names = network.names();
    let slices = grads.slices();
    assert_eq!(names.len(), slices.len());
    for (name, values) in names.iter().zip(slices) {
        let expected = format!("d_{name}");
        assert_close(
            &expected,
            values,
            fixture.values(&expected),
            REL_TOL,
            ABS_TOL,
        );
    }
    for l in 0..network.num_layers() {
        let name = format!("d_h0_{l}");
        assert_close(
            &name,
            d_state.h[l].as_slice(),
            fixture.values(&name),
            REL_TOL,
            ABS_TOL,
        );
        if cell == CellKind::Lstm {
            let name = format!("d_c0_{l}");
            assert_close(
                &name,
                d_state.c[l].as_slice(),
                fixture.values(&name),
                REL_TOL,
                ABS_TOL,
            );
        }
    }
    // The fixture's state really is nonzero (else d_h0 and hn would test less).
    let carried: &Matrix = &state0.h[0];
    assert!(carried.as_slice().iter().all(|&x| x != 0.0));
}

#[test]
fn torch_reference_rnn_matches_pytorch() {
    compare_with_torch("torch_rnn.txt", CellKind::Rnn);
}

#[test]
fn torch_reference_lstm_matches_pytorch() {
    compare_with_torch("torch_lstm.txt", CellKind::Lstm);
}

#[test]
fn torch_reference_gru_matches_pytorch() {
    compare_with_torch("torch_gru.txt", CellKind::Gru);
}
