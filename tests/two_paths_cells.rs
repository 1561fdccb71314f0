//! Two paths, one set of numbers, for Part II: the fast network passes
//! (`min_char_rnn::fast::network`) give the plain network passes' (`min_char_rnn::network`)
//! results bit for bit, for the RNN, LSTM and GRU cells.
//!
//! How it is verified:
//! - for each cell, on 1, 2 and 3 threads, at `L = 1, 2, 3` layers, `B = 1, 2, 5` streams,
//!   `T = 1, 7` steps, and `V` and `H` taken from 1, 16, 17, 63, 64, 65, 129 (either side of
//!   the products' tiles of 5 rows and 8 to 32 columns, their blocks of 128 terms (`4H` up to
//!   516 of them) and their groups of 30 rows; every pair `(V, H)` appears for every cell),
//!   over two chunks in a row, the second starting from the state the first left: every value
//!   the backward pass reads (`h`, `c`, `tanh c`, the gates, the GRU's `hn`, the scores and
//!   probabilities), the state after each chunk, the loss, every gradient, `∂L/∂y`, every
//!   `∂L/∂h_t`, and `∂L/∂h_0`, `∂L/∂c_0`;
//! - with weights large enough that the gates are far from 1/2 and the tanh far from linear,
//!   and a nonzero starting state;
//! - on the shipped corpus, chunk after chunk with the state carried, at char-rnn's sizes
//!   scaled down, and through 20 Adagrad updates: the parameters stay equal;
//! - with dropout (`p > 0`, masks drawn per chunk, and a chunk without dropout after one
//!   with it on the same workspace): every cell, `L = 1, 2, 3`, the same values and
//!   gradients;
//! - [`backward_from_dys`] with a loss at the last step only;
//! - the two products of `fast::gemm` against the plain running sums, at sizes either side of
//!   every tile, panel, block of terms and group of rows;
//! - [`NetworkWorkspace::fill_cache`] gives the plain cache, and the plain backward pass run
//!   from it gives the fast one's gradients; a workspace made for another size is made anew,
//!   and one that fits is reused.
//!
//! "Equal" is equality of the bits (`f64::to_bits`), so that `0.0` and `−0.0` differ and a
//! NaN would be seen: never a tolerance.
//!
//! Run with `cargo test --test two_paths_cells`.

use min_char_rnn::adagrad::adagrad_update;
use min_char_rnn::batch::{Batches, Chunk};
use min_char_rnn::cells::CellKind;
use min_char_rnn::fast::gemm::{
    DEPTH, GROUP_ROWS, PANEL, Panels, TILE_ROWS, product, product_transposed,
};
use min_char_rnn::fast::network::{
    self as fast, NetworkWorkspace, backward_from_dys, loss_and_gradients,
};
use min_char_rnn::network::{
    self as plain, BackwardWork, Dropout, Network, NetworkCache, NetworkGrads, State,
};
use min_char_rnn::{Matrix, Vocab};

/// Sizes of `V` and `H`: 1; 16 and 64 and one either side (tiles of 8, 16, 24 and 32
/// columns, and tails of 1 and 7); 129 (four panels of 32 columns and one more, and one term
/// past a block of 128).
// ANCHOR: cell_sizes
const SIZES: [usize; 7] = [1, 16, 17, 63, 64, 65, 129];
// ANCHOR_END: cell_sizes

/// A network with weights uniform in `±scale` (`scale` shrinking with the width, so that the
/// pre-activations are of order 1: the gates spread between 0 and 1), biases included.
fn network(cell: CellKind, v: usize, h: usize, layers: usize, seed: u64) -> Network {
    let mut net = Network::zeros(cell, v, h, layers);
    let mut rng = fastrand::Rng::with_seed(seed);
    let scale = 2.0 / (h as f64 + 1.0).sqrt();
    for values in net.slices_mut() {
        for w in values {
            *w = scale * (2.0 * rng.f64() - 1.0);
        }
    }
    net
}

/// A state of `batch` streams with values in `±0.8`.
fn random_state(net: &Network, batch: usize, seed: u64) -> State {
    let mut state = State::zeros(net, batch);
    let mut rng = fastrand::Rng::with_seed(seed);
    for m in state.h.iter_mut().chain(state.c.iter_mut()) {
        for x in m.as_mut_slice() {
            *x = 1.6 * rng.f64() - 0.8;
        }
    }
    state
}

/// A chunk of random characters.
fn random_chunk(batch: usize, steps: usize, v: usize, seed: u64) -> Chunk {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut draw = || (0..batch * steps).map(|_| rng.usize(0..v)).collect();
    Chunk::new(batch, steps, draw(), draw())
}

/// Panics at the first number whose bits differ.
#[track_caller]
fn same_bits(what: &str, fast: &[f64], plain: &[f64]) {
    assert_eq!(fast.len(), plain.len(), "{what}: lengths differ");
    for (k, (a, b)) in fast.iter().zip(plain).enumerate() {
        assert!(
            a.to_bits() == b.to_bits(),
            "{what}[{k}]: fast {a:e} != plain {b:e}"
        );
    }
}

#[track_caller]
fn same_states(what: &str, fast: &State, plain: &State) {
    for l in 0..fast.h.len() {
        same_bits(
            &format!("{what} h[{l}]"),
            fast.h[l].as_slice(),
            plain.h[l].as_slice(),
        );
        same_bits(
            &format!("{what} c[{l}]"),
            fast.c[l].as_slice(),
            plain.c[l].as_slice(),
        );
    }
}

/// Every forward value the backward pass reads, and the loss.
#[track_caller]
fn same_forward(at: &str, work: &NetworkWorkspace, cache: &NetworkCache, chunk: &Chunk) {
    for t in 0..chunk.steps() {
        for b in 0..chunk.batch_size() {
            for (l, step) in cache.steps[t][b].iter().enumerate() {
                let here = format!("{at} (t {t}, b {b}, l {l})");
                same_bits(&format!("{here} h"), work.h(t, b, l), step.h.as_slice());
                same_bits(&format!("{here} c"), work.c(t, b, l), step.c.as_slice());
                let tanh_c = step.tanh_c.as_slice();
                same_bits(&format!("{here} tanh c"), work.tanh_c(t, b, l), tanh_c);
                let gates = step.gates.as_slice();
                same_bits(&format!("{here} gates"), work.gates(t, b, l), gates);
                same_bits(&format!("{here} hn"), work.hn(t, b, l), step.hn.as_slice());
            }
            let here = format!("{at} (t {t}, b {b})");
            same_bits(
                &format!("{here} y"),
                work.y(t, b),
                cache.ys[t][b].as_slice(),
            );
            same_bits(
                &format!("{here} p"),
                work.p(t, b),
                cache.ps[t][b].as_slice(),
            );
        }
    }
    let (quick, slow) = (fast::loss(work, chunk), plain::loss(cache, chunk));
    assert_eq!(
        quick.to_bits(),
        slow.to_bits(),
        "{at}: loss {quick} != {slow}"
    );
}

/// Every gradient, `∂L/∂y`, every `∂L/∂h_t` and `∂L/∂` the starting state.
#[track_caller]
fn same_backward(
    at: &str,
    net: &Network,
    (work, grads, d_state): (&NetworkWorkspace, &NetworkGrads, &State),
    (plain_work, plain_grads): (&BackwardWork, &NetworkGrads),
) {
    let names = net.names();
    for (k, (a, b)) in grads.slices().iter().zip(plain_grads.slices()).enumerate() {
        same_bits(&format!("{at} d{}", names[k]), a, b);
    }
    same_states(&format!("{at} d_state"), d_state, &plain_work.d_state);
    same_states(
        &format!("{at} work.d_state"),
        &work.d_state,
        &plain_work.d_state,
    );
    let batch = work.batch_size();
    for t in 0..work.steps() {
        for b in 0..batch {
            let dy = plain_work.dys[t][b].as_slice();
            same_bits(&format!("{at} dy (t {t}, b {b})"), work.dy(t, b), dy);
            for l in 0..net.num_layers() {
                let dh = plain_work.dhs[t][l].row(b);
                same_bits(
                    &format!("{at} dh (t {t}, b {b}, l {l})"),
                    work.dh(t, b, l),
                    dh,
                );
            }
        }
    }
}

/// Two chunks in a row through the plain path and through the fast path on 1, 2 and 3
/// threads, the state carried from the first chunk to the second.
fn check_case(
    cell: CellKind,
    (v, h, layers): (usize, usize, usize),
    (batch, steps): (usize, usize),
) {
    check_case_with_dropout(cell, (v, h, layers), (batch, steps), [0.0, 0.0]);
}

/// [`check_case`] with dropout probability `ps[k]` for chunk `k` (masks drawn anew per
/// chunk; `p = 0` runs the passes without masks).
fn check_case_with_dropout(
    cell: CellKind,
    (v, h, layers): (usize, usize, usize),
    (batch, steps): (usize, usize),
    ps: [f64; 2],
) {
    let seed = (v * 1000 + h * 10 + layers) as u64;
    let net = network(cell, v, h, layers, seed);
    let mut plain_state = random_state(&net, batch, seed + 1);
    let mut fast_states = vec![plain_state.clone(); 3];
    let mut cache = NetworkCache::new(&net, batch, steps);
    let mut plain_work = BackwardWork::new(&net, batch, steps);
    let mut plain_grads = NetworkGrads::zeros_like(&net);
    let mut works: Vec<NetworkWorkspace> = (1..=3).map(NetworkWorkspace::with_threads).collect();
    let mut grads = NetworkGrads::zeros_like(&net);
    for k in 0..2 {
        let chunk = random_chunk(batch, steps, v, seed + 2 + k);
        let mut dropout = Dropout::new(&net, batch, steps, ps[k as usize]);
        dropout.draw(&mut fastrand::Rng::with_seed(seed + 10 + k));
        let masks = (ps[k as usize] > 0.0).then_some(&dropout);
        plain::forward_with_dropout(&net, &chunk, &mut plain_state, &mut cache, masks);
        let (grads_out, work_out) = (&mut plain_grads, &mut plain_work);
        plain::backward_with_dropout(&net, &cache, &chunk, grads_out, work_out, masks);
        for (work, fast_state) in works.iter_mut().zip(&mut fast_states) {
            let threads = work.threads();
            let at = format!(
                "{cell} V {v} H {h} L {layers} B {batch} T {steps} chunk {k} threads {threads}"
            );
            fast::forward_with_dropout(&net, &chunk, fast_state, work, masks);
            same_states(&format!("{at} state after"), fast_state, &plain_state);
            same_forward(&at, work, &cache, &chunk);
            let d_state = fast::backward(&net, &chunk, &mut grads, work).clone();
            same_backward(
                &at,
                &net,
                (work, &grads, &d_state),
                (&plain_work, &plain_grads),
            );
        }
    }
}

/// Every cell at `L = 1, 2, 3`, `B = 1, 2, 5`, `T = 1, 7`, three pairs `(V, H)` each: the 54
/// cases of a cell go through all 49 pairs of [`SIZES`].
fn check_cell(cell: CellKind) {
    let mut case = 0;
    for layers in [1, 2, 3] {
        for batch in [1, 2, 5] {
            for steps in [1, 7] {
                for _ in 0..3 {
                    let pair = case % (SIZES.len() * SIZES.len());
                    let (v, h) = (SIZES[pair / SIZES.len()], SIZES[pair % SIZES.len()]);
                    check_case(cell, (v, h, layers), (batch, steps));
                    case += 1;
                }
            }
        }
    }
}

#[test]
fn rnn_fast_equals_plain() {
    check_cell(CellKind::Rnn);
}

#[test]
fn lstm_fast_equals_plain() {
    check_cell(CellKind::Lstm);
}

#[test]
fn gru_fast_equals_plain() {
    check_cell(CellKind::Gru);
}

/// The shipped corpus, cut into minibatches as char-rnn cuts it: chunk after chunk with the
/// state carried, and an Adagrad update after each, for 20 iterations: the losses, gradients
/// and parameters of the two paths stay equal.
/// Every cell with dropout, `L = 1, 2, 3`, `B = 1, 2, 5`, `T = 1, 7`: first `p = 0.3` on
/// both chunks, then `p = 0.5` on the first and none on the second.
fn check_cell_with_dropout(cell: CellKind) {
    let pairs = [(16, 17), (65, 63), (7, 129)];
    let mut case = 0;
    for layers in [1, 2, 3] {
        for batch in [1, 2, 5] {
            for steps in [1, 7] {
                let (v, h) = pairs[case % pairs.len()];
                for ps in [[0.3, 0.3], [0.5, 0.0]] {
                    check_case_with_dropout(cell, (v, h, layers), (batch, steps), ps);
                }
                case += 1;
            }
        }
    }
}

#[test]
fn rnn_fast_equals_plain_with_dropout() {
    check_cell_with_dropout(CellKind::Rnn);
}

#[test]
fn lstm_fast_equals_plain_with_dropout() {
    check_cell_with_dropout(CellKind::Lstm);
}

#[test]
fn gru_fast_equals_plain_with_dropout() {
    check_cell_with_dropout(CellKind::Gru);
}

#[test]
fn training_on_the_corpus_stays_equal() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/corpus.txt"))
        .expect("the corpus is shipped");
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).expect("its own vocabulary");
    for cell in CellKind::ALL {
        let (batch, steps) = (9, 16); // 144 terms in each weight-gradient sum: two blocks
        let batches = Batches::new(&data, batch, steps).expect("the corpus is long enough");
        let mut plain_net = Network::new(cell, vocab.len(), 40, 2, 7);
        let mut fast_net = plain_net.clone();
        let mut plain_memory = Network::zeros(cell, vocab.len(), 40, 2);
        let mut fast_memory = plain_memory.clone();
        let (mut plain_state, mut fast_state) = (
            State::zeros(&plain_net, batch),
            State::zeros(&fast_net, batch),
        );
        let mut cache = NetworkCache::new(&plain_net, batch, steps);
        let mut plain_work = BackwardWork::new(&plain_net, batch, steps);
        let mut plain_grads = NetworkGrads::zeros_like(&plain_net);
        let mut work = NetworkWorkspace::default();
        let mut grads = NetworkGrads::zeros_like(&fast_net);
        let mut chunk = Chunk::zeros(batch, steps);
        for k in 0..20 {
            let at = format!("{cell} iteration {k}");
            batches.chunk_into(k % batches.len(), &mut chunk);
            plain::forward(&plain_net, &chunk, &mut plain_state, &mut cache);
            let slow = plain::loss(&cache, &chunk);
            plain::backward(
                &plain_net,
                &cache,
                &chunk,
                &mut plain_grads,
                &mut plain_work,
            );
            let quick =
                loss_and_gradients(&fast_net, &chunk, &mut fast_state, &mut grads, &mut work);
            assert_eq!(quick.to_bits(), slow.to_bits(), "{at}: loss");
            same_states(&format!("{at} state"), &fast_state, &plain_state);
            for (net, grads, memory) in [
                (&mut plain_net, &plain_grads, &mut plain_memory),
                (&mut fast_net, &grads, &mut fast_memory),
            ] {
                let params = net.slices_mut().into_iter();
                for ((w, g), m) in params.zip(grads.slices()).zip(memory.slices_mut()) {
                    adagrad_update(w, g, m, 0.1);
                }
            }
            for (k, (a, b)) in fast_net.slices().iter().zip(plain_net.slices()).enumerate() {
                same_bits(&format!("{at} {}", plain_net.names()[k]), a, b);
            }
        }
    }
}

/// A loss at the last step only: `∂L/∂y` zero before it, filled in by hand on both paths.
#[test]
fn backward_from_chosen_dys() {
    for cell in CellKind::ALL {
        let (batch, steps) = (3, 6);
        let net = network(cell, 17, 16, 2, 11);
        let chunk = random_chunk(batch, steps, 17, 12);
        let state = random_state(&net, batch, 13);
        let mut cache = NetworkCache::new(&net, batch, steps);
        plain::forward(&net, &chunk, &mut state.clone(), &mut cache);
        let mut plain_work = BackwardWork::new(&net, batch, steps);
        plain::output_gradients(&cache, &chunk, &mut plain_work.dys);
        for t in 0..steps - 1 {
            for b in 0..batch {
                plain_work.dys[t][b].fill(0.0);
            }
        }
        let mut plain_grads = NetworkGrads::zeros_like(&net);
        plain::backward_from_dys(&net, &cache, &chunk, &mut plain_grads, &mut plain_work);

        let mut work = NetworkWorkspace::default();
        fast::forward(&net, &chunk, &mut state.clone(), &mut work);
        fast::output_gradients(&mut work, &chunk);
        for t in 0..steps - 1 {
            for b in 0..batch {
                work.dy_mut(t, b).fill(0.0);
            }
        }
        let mut grads = NetworkGrads::zeros_like(&net);
        let d_state = backward_from_dys(&net, &chunk, &mut grads, &mut work).clone();
        let at = format!("{cell} last step only");
        same_backward(
            &at,
            &net,
            (&work, &grads, &d_state),
            (&plain_work, &plain_grads),
        );
    }
}

/// The fast forward pass copied into a plain cache is the plain cache, and the plain backward
/// pass run from it gives the fast gradients.
#[test]
fn fill_cache_gives_the_plain_cache() {
    for cell in CellKind::ALL {
        let net = network(cell, 9, 20, 3, 21);
        let chunk = random_chunk(4, 5, 9, 22);
        let state = random_state(&net, 4, 23);
        let mut cache = NetworkCache::new(&net, 4, 5);
        plain::forward(&net, &chunk, &mut state.clone(), &mut cache);
        let mut work = NetworkWorkspace::default();
        fast::forward(&net, &chunk, &mut state.clone(), &mut work);
        let mut copy = NetworkCache::new(&net, 1, 1); // the wrong size: made anew
        work.fill_cache(&net, &mut copy);
        assert_eq!(copy, cache, "{cell}");
        let mut plain_grads = NetworkGrads::zeros_like(&net);
        let mut plain_work = BackwardWork::new(&net, 4, 5);
        plain::backward(&net, &copy, &chunk, &mut plain_grads, &mut plain_work);
        let mut grads = NetworkGrads::zeros_like(&net);
        fast::backward(&net, &chunk, &mut grads, &mut work);
        for (a, b) in grads.slices().iter().zip(plain_grads.slices()) {
            same_bits(&format!("{cell} from the copied cache"), a, b);
        }
    }
}

/// One workspace through networks and chunks of other sizes: it is made anew when it does
/// not fit (and the results stay equal), kept when it does.
#[test]
fn workspace_refits_and_is_reused() {
    let mut work = NetworkWorkspace::default();
    let mut grads = NetworkGrads::zeros_like(&Network::zeros(CellKind::Rnn, 1, 1, 1));
    let cases = [
        (CellKind::Lstm, 7, 9, 2, 3, 4),
        (CellKind::Gru, 7, 9, 2, 3, 4),
        (CellKind::Gru, 7, 9, 2, 5, 4),
        (CellKind::Rnn, 12, 33, 1, 2, 6),
        (CellKind::Lstm, 7, 9, 3, 3, 2),
    ];
    for (cell, v, h, layers, batch, steps) in cases {
        let net = network(cell, v, h, layers, 31);
        let chunk = random_chunk(batch, steps, v, 32);
        let mut cache = NetworkCache::new(&net, batch, steps);
        plain::forward(&net, &chunk, &mut State::zeros(&net, batch), &mut cache);
        let mut plain_grads = NetworkGrads::zeros_like(&net);
        let mut plain_work = BackwardWork::new(&net, batch, steps);
        plain::backward(&net, &cache, &chunk, &mut plain_grads, &mut plain_work);
        for _ in 0..2 {
            fast::forward(&net, &chunk, &mut State::zeros(&net, batch), &mut work);
            let kept: Vec<*const f64> = work
                .groups
                .iter()
                .map(|g| g.hs[0].as_slice().as_ptr())
                .collect();
            fast::backward(&net, &chunk, &mut grads, &mut work);
            same_forward(&format!("{cell} refit"), &work, &cache, &chunk);
            for (a, b) in grads.slices().iter().zip(plain_grads.slices()) {
                same_bits(&format!("{cell} refit"), a, b);
            }
            fast::forward(&net, &chunk, &mut State::zeros(&net, batch), &mut work);
            let again: Vec<*const f64> = work
                .groups
                .iter()
                .map(|g| g.hs[0].as_slice().as_ptr())
                .collect();
            assert_eq!(kept, again, "a workspace that fits is reused");
        }
    }
}

/// The products of `fast::gemm` against the plain running sums, one term after another from
/// 0.0, at sizes either side of a tile's rows and columns, a panel, a block of terms and a
/// group of rows; `product_transposed` also over rows of the panels that do not start at 0.
#[test]
fn products_equal_the_plain_sums() {
    assert_eq!(
        (PANEL, TILE_ROWS, DEPTH, GROUP_ROWS),
        (32, 5, 128, 30),
        "update the sizes"
    );
    let mut rng = fastrand::Rng::with_seed(41);
    let mut random = |n: usize| -> Vec<f64> { (0..n).map(|_| rng.f64() * 2.0 - 1.0).collect() };
    for m in [1, 4, 5, 6, 29, 30, 31, 61] {
        for k in [1, 127, 128, 129, 300] {
            for n in [1, 7, 8, 9, 31, 32, 33, 65] {
                let at = format!("m {m} k {k} n {n}");
                // out = A·W with A (m × k) at a stride of k + 3, W (k × n).
                let stride = k + 3;
                let a = random(m * stride);
                let w = Matrix::from_vec(k, n, random(k * n));
                let mut panels = Panels::default();
                panels.pack(&w);
                let mut out = vec![f64::NAN; m * n];
                product(&a, stride, m, &panels, &mut out, n);
                for i in 0..m {
                    for j in 0..n {
                        let mut sum = 0.0;
                        for kk in 0..k {
                            sum += a[i * stride + kk] * w[(kk, j)];
                        }
                        same_bits(
                            &format!("{at} product ({i}, {j})"),
                            &[out[i * n + j]],
                            &[sum],
                        );
                    }
                }
                // out = Σ_k a_k·w_kᵀ over rows 2..2 + k of a (k + 2)-row panel, a_k of m numbers
                // from number 1 of rows listed back to front.
                let b = Matrix::from_vec(k + 2, n, random((k + 2) * n));
                panels.pack(&b);
                let rows = random(k * (m + 1));
                let listed: Vec<&[f64]> = rows.chunks_exact(m + 1).rev().collect();
                let mut out = vec![f64::NAN; m * n];
                product_transposed(&listed, 1, m, panels.rows(2..2 + k), &mut out, n);
                let mut plain = Matrix::zeros(m, n);
                for (kk, a_k) in listed.iter().enumerate() {
                    for i in 0..m {
                        for j in 0..n {
                            plain[(i, j)] += a_k[1 + i] * b[(2 + kk, j)];
                        }
                    }
                }
                same_bits(&format!("{at} product_transposed"), &out, plain.as_slice());
            }
        }
    }
}
