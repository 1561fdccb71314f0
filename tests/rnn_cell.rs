//! The RNN cell of Part II is Part I's step: a one-layer `Rnn` network with one stream, built
//! from Part I's `Params`, gives Part I's hidden states and probabilities to the bit, Part I's
//! loss divided by `T` (Part II's loss is a mean, Part I's a sum) and Part I's gradients
//! divided by `T`, to about 1e−12.
//!
//! Part I is the independent reference here: its own forward and backward passes, checked
//! against numpy and finite differences by its own tests.
//!
//! Run with `cargo test --test rnn_cell`.

mod common;

use common::assert_close;
use min_char_rnn::backward::backward as part_one_backward;
use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::{CellKind, Input, StepCache, rnn};
use min_char_rnn::forward::{ForwardCache, forward as part_one_forward, hidden_step};
use min_char_rnn::loss::sequence_loss;
use min_char_rnn::network::{
    BackwardWork, Network, NetworkCache, NetworkGrads, State, backward, forward, loss,
};
use min_char_rnn::{Grads, Matrix, Params, Vector};

/// Largest relative difference allowed between Part II's and Part I's gradients (÷ T): they
/// add the same terms, but Part II divides `dy` by `T` first and Part I never does, so the
/// roundings differ a little.
const REL_TOL: f64 = 1e-12;
/// Below this, a gradient element counts as zero and only the absolute difference is checked.
const ABS_TOL: f64 = 1e-15;

/// V = 6, H = 5, T = 7, weights ~N(0, 0.5²) and nonzero biases, a nonzero starting memory.
fn problem() -> (Params, Vec<usize>, Vec<usize>, Vector) {
    let mut params = Params::new(6, 5, 21);
    for w in params.slices_mut() {
        for (i, x) in w.iter_mut().enumerate() {
            *x = *x * 50.0 + 0.03 * ((i % 7) as f64 - 3.0);
        }
    }
    let inputs = vec![0, 4, 2, 2, 5, 1, 3];
    let targets = vec![4, 2, 2, 5, 1, 3, 0];
    let h_prev = Vector::from_vec(vec![0.3, -0.6, 0.1, 0.45, -0.2]);
    (params, inputs, targets, h_prev)
}

/// Part II's `(1, H)` state holding Part I's `h_prev`.
fn state_from(network: &Network, h_prev: &Vector) -> State {
    let mut state = State::zeros(network, 1);
    state.h[0] = Matrix::from_vec(1, h_prev.len(), h_prev.as_slice().to_vec());
    state
}

#[test]
fn rnn_cell_step_is_part_ones_hidden_step_bit_for_bit() {
    let (params, inputs, _, h_prev) = problem();
    let network = Network::from_params(&params);
    let mut part_one = Vector::zeros(5);
    hidden_step(&params, inputs[1], &h_prev, &mut part_one);
    let mut out = StepCache::new(CellKind::Rnn, 5);
    rnn::forward_step(
        &network.layers[0],
        Input::OneHot(inputs[1]),
        h_prev.as_slice(),
        &mut out,
    );
    assert_eq!(out.h, part_one);
}

#[test]
fn rnn_cell_network_forward_gives_part_ones_states_and_probabilities_bit_for_bit() {
    let (params, inputs, targets, h_prev) = problem();
    let mut part_one = ForwardCache::new(6, 5, 7);
    part_one_forward(&params, &inputs, &h_prev, &mut part_one);

    let network = Network::from_params(&params);
    let chunk = Chunk::single(&inputs, &targets);
    let mut state = state_from(&network, &h_prev);
    let mut cache = NetworkCache::new(&network, 1, 7);
    forward(&network, &chunk, &mut state, &mut cache);
    for t in 0..7 {
        assert_eq!(cache.steps[t][0][0].h, part_one.hs[t], "h_{t}");
        assert_eq!(cache.ys[t][0], part_one.ys[t], "y_{t}");
        assert_eq!(cache.ps[t][0], part_one.ps[t], "p_{t}");
    }
    assert_eq!(state.h[0].row(0), part_one.last_hidden().as_slice());
}

#[test]
fn rnn_cell_network_loss_is_part_ones_loss_over_t() {
    let (params, inputs, targets, h_prev) = problem();
    let mut part_one = ForwardCache::new(6, 5, 7);
    part_one_forward(&params, &inputs, &h_prev, &mut part_one);
    let summed = sequence_loss(&part_one.ps, &targets);

    let network = Network::from_params(&params);
    let chunk = Chunk::single(&inputs, &targets);
    let mut state = state_from(&network, &h_prev);
    let mut cache = NetworkCache::new(&network, 1, 7);
    forward(&network, &chunk, &mut state, &mut cache);
    // The same terms added in the same order, then one division: the same bits.
    assert_eq!(loss(&cache, &chunk), summed / 7.0);
}

#[test]
fn rnn_cell_network_gradients_are_part_ones_gradients_over_t() {
    let (params, inputs, targets, h_prev) = problem();
    let mut part_one = ForwardCache::new(6, 5, 7);
    part_one_forward(&params, &inputs, &h_prev, &mut part_one);
    let mut expected = Grads::zeros_like(&params);
    part_one_backward(&params, &part_one, &targets, &mut expected); // unclipped

    let network = Network::from_params(&params);
    let chunk = Chunk::single(&inputs, &targets);
    let mut state = state_from(&network, &h_prev);
    let mut cache = NetworkCache::new(&network, 1, 7);
    forward(&network, &chunk, &mut state, &mut cache);
    let mut grads = NetworkGrads::zeros_like(&network);
    let mut work = BackwardWork::new(&network, 1, 7);
    backward(&network, &cache, &chunk, &mut grads, &mut work);

    let over_t = |g: &[f64]| -> Vec<f64> { g.iter().map(|x| x / 7.0).collect() };
    let layer = &grads.layers[0];
    let pairs = [
        ("dw_xh", layer.dw_ih.as_slice(), expected.dw_xh.as_slice()),
        ("dw_hh", layer.dw_hh.as_slice(), expected.dw_hh.as_slice()),
        ("db_h", layer.db.as_slice(), expected.db_h.as_slice()),
        ("dw_hy", grads.dw_hy.as_slice(), expected.dw_hy.as_slice()),
        ("db_y", grads.db_y.as_slice(), expected.db_y.as_slice()),
    ];
    for (name, ours, theirs) in pairs {
        assert_close(name, ours, &over_t(theirs), REL_TOL, ABS_TOL);
    }
    assert_eq!(
        grads.slices().len(),
        5,
        "an RNN layer and the output: five parameters, as Part I"
    );
}
