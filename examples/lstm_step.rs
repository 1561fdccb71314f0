//! One step of an LSTM layer, forward and backward, in numbers small enough to follow with a
//! pencil: `V = 3` characters, `H = 2` units, weights written out below.
//!
//! ```sh
//! cargo run --example lstm_step
//! ```
//!
//! The layer reads character 0 from a memory `h_prev`, `c_prev`; an output layer on top turns
//! its `h` into probabilities for the next character, which is character 2. Then the gradient
//! of `L = −ln p[2]` goes back through the output layer and through the LSTM step.
//!
//! What the library computes (`lstm::forward_step`, `lstm::backward_step`) is printed from the
//! library's own buffers. The intermediates that `backward_step` keeps in local variables
//! (`do`, `dc`, `di`, `df`, `dg`) are recomputed here from the book's equations, written as the
//! code writes them, and the program checks that they lead to the library's `dgates` and
//! `dc_prev` bit for bit. It also checks that the network's own backward pass, on a chunk of
//! this one character, gives the same gradients.
//!
//! The book shows the output from `book/src/generated/lstm-step.txt`, which
//! `tools/lstm-step.sh` regenerates and checks.

use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::{
    CellKind, Input, LayerGrads, StepCache, StepGrads, lstm, pre_activation,
};
use min_char_rnn::loss::{cross_entropy, output_gradient, softmax};
use min_char_rnn::network::{self, BackwardWork, Network, NetworkCache, NetworkGrads, State};
use min_char_rnn::{Matrix, Vector};

/// Vocabulary size and hidden size.
const V: usize = 3;
const H: usize = 2;
/// The character read and the character that comes next.
const X: usize = 0;
const TARGET: usize = 2;
/// The names of the four blocks of `H` rows, in the order of the rows.
const BLOCKS: [&str; 4] = ["i", "f", "g", "o"];

fn main() {
    let net = network();
    let layer = &net.layers[0];
    let h_prev = [0.5, -0.5];
    let c_prev = [0.8, -0.3];

    header("the layer: V = 3 characters, H = 2 units; gate rows i0 i1 f0 f1 g0 g1 o0 o1");
    println!("w_ih (8 x 3) =\n{:.1}", layer.w_ih);
    println!("w_hh (8 x 2) =\n{:.1}", layer.w_hh);
    println!("b = {:.1}", layer.b);
    println!("w_hy (3 x 2) =\n{:.1}", net.w_hy);
    println!("b_y = {:.1}", net.b_y);

    header("forward: read character 0");
    println!("h_prev = {:.4}", vector(&h_prev));
    println!("c_prev = {:.4}", vector(&c_prev));
    println!("a = W_ih·x + W_hh·h_prev + b, block by block (x one-hot: column 0 of W_ih):");
    for (k, name) in BLOCKS.iter().enumerate() {
        let a: Vec<f64> = (0..H)
            .map(|j| pre_activation(layer, Input::OneHot(X), &h_prev, k * H + j))
            .collect();
        println!("  a_{name} = {:.4}", vector(&a));
    }
    let mut step = StepCache::new(CellKind::Lstm, H);
    lstm::forward_step(layer, Input::OneHot(X), &h_prev, &c_prev, &mut step);
    let [i, f, g, o] = blocks(&step.gates);
    show(NARROW, "i = σ(a_i)", i);
    show(NARROW, "f = σ(a_f)", f);
    show(NARROW, "g = tanh(a_g)", g);
    show(NARROW, "o = σ(a_o)", o);
    let kept: Vec<f64> = (0..H).map(|j| f[j] * c_prev[j]).collect();
    let written: Vec<f64> = (0..H).map(|j| i[j] * g[j]).collect();
    show(NARROW, "f ⊙ c_prev", &kept);
    show(NARROW, "i ⊙ g", &written);
    show(NARROW, "c = f ⊙ c_prev + i ⊙ g", step.c.as_slice());
    show(NARROW, "tanh(c)", step.tanh_c.as_slice());
    show(NARROW, "h = o ⊙ tanh(c)", step.h.as_slice());

    header("the output layer: the next character is 2");
    let mut y = Vector::zeros(V);
    network::output_step(&net, step.h.as_slice(), &mut y);
    let mut p = Vector::zeros(V);
    softmax(&y, &mut p);
    let mut dy = Vector::zeros(V);
    output_gradient(&p, TARGET, &mut dy);
    show(NARROW, "y = W_hy·h + b_y", y.as_slice());
    show(NARROW, "p = softmax(y)", p.as_slice());
    println!(
        "{:<NARROW$} = {:.4}",
        "L = −ln p[2]",
        cross_entropy(&p, TARGET)
    );
    show(NARROW, "dy = p − onehot(2)", dy.as_slice());

    header("backward: dh from the output layer, nothing from a step after this one");
    let mut d = StepGrads::new(CellKind::Lstm, 0, H); // layer 0: no dx
    net.w_hy.matvec_transposed(&dy, &mut d.dh); // + dhnext, which is 0 here
    show(WIDE, "dh = W_hyᵀ·dy + dhnext", d.dh.as_slice());
    show(WIDE, "dcnext", d.dcnext.as_slice());
    let tanh_c = step.tanh_c.as_slice();
    let (dh, dcnext) = (d.dh.as_slice(), d.dcnext.as_slice());
    let by_hand = |rule: &dyn Fn(usize) -> f64| -> Vec<f64> { (0..H).map(rule).collect() };
    let d_o = by_hand(&|j| dh[j] * tanh_c[j]);
    let dc = by_hand(&|j| dh[j] * o[j] * (1.0 - tanh_c[j] * tanh_c[j]) + dcnext[j]);
    let d_i = by_hand(&|j| dc[j] * g[j]);
    let d_f = by_hand(&|j| dc[j] * c_prev[j]);
    let d_g = by_hand(&|j| dc[j] * i[j]);
    let dc_prev = by_hand(&|j| dc[j] * f[j]);
    show(WIDE, "do = dh ⊙ tanh(c)", &d_o);
    show(WIDE, "dc = dh ⊙ o ⊙ (1 − tanh²(c)) + dcnext", &dc);
    show(WIDE, "di = dc ⊙ g", &d_i);
    show(WIDE, "df = dc ⊙ c_prev", &d_f);
    show(WIDE, "dg = dc ⊙ i", &d_g);
    show(WIDE, "dc_prev = dc ⊙ f", &dc_prev);
    let dgates_by_hand = [
        by_hand(&|j| d_i[j] * i[j] * (1.0 - i[j])),
        by_hand(&|j| d_f[j] * f[j] * (1.0 - f[j])),
        by_hand(&|j| d_g[j] * (1.0 - g[j] * g[j])),
        by_hand(&|j| d_o[j] * o[j] * (1.0 - o[j])),
    ];

    let mut grads = LayerGrads::zeros_like(layer);
    lstm::backward_step(
        layer,
        Input::OneHot(X),
        &h_prev,
        &c_prev,
        &step,
        &mut d,
        &mut grads,
    );
    assert_eq!(d.dc_prev.as_slice(), &dc_prev[..], "dc_prev");
    for (k, block) in blocks(&d.dgates).into_iter().enumerate() {
        assert_eq!(block, &dgates_by_hand[k][..], "dgates, block {}", BLOCKS[k]);
    }
    println!("dgates, back through σ' = σ(1 − σ) and tanh' = 1 − tanh²:");
    let rules = [
        "di ⊙ i ⊙ (1 − i)",
        "df ⊙ f ⊙ (1 − f)",
        "dg ⊙ (1 − g²)   ",
        "do ⊙ o ⊙ (1 − o)",
    ];
    for (k, block) in blocks(&d.dgates).into_iter().enumerate() {
        println!("  {}: {} = {:.4}", BLOCKS[k], rules[k], vector(block));
    }
    println!("db = dgates = {:.4}", grads.db);
    println!("dw_ih = dgates·xᵀ (column 0 only) =\n{:.4}", grads.dw_ih);
    println!("dw_hh = dgates·h_prevᵀ =\n{:.4}", grads.dw_hh);
    println!("handed to step t−1 (its dhnext and dcnext):");
    println!("  dh_prev = W_hhᵀ·dgates = {:.4}", d.dh_prev);
    println!("  dc_prev = dc ⊙ f       = {:.4}", d.dc_prev);
    assert!(d.dx.is_empty());
    println!("dx: none (layer 0 reads a character, which has no gradient)");

    same_as_the_network(&net, &h_prev, &c_prev, &grads, &d);
}

/// The layer and the output layer. The forget gate's biases are 1, as `Network::new` starts
/// them; the other weights are chosen by hand.
fn network() -> Network {
    let mut net = Network::zeros(CellKind::Lstm, V, H, 1);
    let layer = &mut net.layers[0];
    layer.w_ih = Matrix::from_rows(&[
        &[0.5, -0.3, 0.8], // i0
        &[-0.4, 0.9, 0.1], // i1
        &[0.2, 0.6, -0.5], // f0
        &[-0.1, 0.3, 0.7], // f1
        &[0.9, -0.8, 0.2], // g0
        &[-0.6, 0.4, 0.5], // g1
        &[0.3, 0.1, -0.7], // o0
        &[0.7, -0.2, 0.6], // o1
    ]);
    layer.w_hh = Matrix::from_rows(&[
        &[0.6, -0.2],
        &[0.3, 0.7],
        &[-0.4, 0.5],
        &[0.2, -0.3],
        &[0.5, 0.4],
        &[-0.7, 0.1],
        &[0.1, -0.6],
        &[0.4, 0.2],
    ]);
    layer.b = Vector::from_vec(vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
    net.w_hy = Matrix::from_rows(&[&[1.0, -1.0], &[0.5, 0.5], &[-0.7, 0.2]]);
    net
}

/// The network's forward and backward passes over a chunk of this one character, from the
/// same memory, give the same gradients, bit for bit (the loss is a mean over `B·T = 1`
/// character, so nothing is divided).
fn same_as_the_network(
    net: &Network,
    h_prev: &[f64],
    c_prev: &[f64],
    grads: &LayerGrads,
    d: &StepGrads,
) {
    let chunk = Chunk::single(&[X], &[TARGET]);
    let mut state = State::zeros(net, 1);
    state.h[0].row_mut(0).copy_from_slice(h_prev);
    state.c[0].row_mut(0).copy_from_slice(c_prev);
    let mut cache = NetworkCache::new(net, 1, 1);
    network::forward(net, &chunk, &mut state, &mut cache);
    let mut net_grads = NetworkGrads::zeros_like(net);
    let mut work = BackwardWork::new(net, 1, 1);
    let d_state = network::backward(net, &cache, &chunk, &mut net_grads, &mut work);
    assert_eq!(&net_grads.layers[0], grads, "the network's gradients");
    assert_eq!(
        d_state.h[0].row(0),
        d.dh_prev.as_slice(),
        "the network's d_h0"
    );
    assert_eq!(
        d_state.c[0].row(0),
        d.dc_prev.as_slice(),
        "the network's d_c0"
    );
}

/// The four blocks `i, f, g, o` of a `(4H)` vector.
fn blocks(v: &Vector) -> [&[f64]; 4] {
    let v = v.as_slice();
    [&v[..H], &v[H..2 * H], &v[2 * H..3 * H], &v[3 * H..]]
}

/// Label widths, so that the `=` signs line up within a section.
const NARROW: usize = 22;
const WIDE: usize = 37;

/// `label = [values]`, the label padded to `width` characters.
fn show(width: usize, label: &str, values: &[f64]) {
    println!("{label:<width$} = {:.4}", vector(values));
}

/// A slice as a `Vector`, for its `Display`.
fn vector(values: &[f64]) -> Vector {
    Vector::from_vec(values.to_vec())
}

fn header(title: &str) {
    println!("== {title} ==");
}
