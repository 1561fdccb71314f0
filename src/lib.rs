//! # min-char-rnn
//!
//! A character-level recurrent neural network that learns to write text, one module per step
//! of the algorithm: the std-only Rust form of Andrej Karpathy's 112-line numpy program
//! *min-char-rnn*, with the same numbers (checked against a numpy reference to about 1e−9) and
//! every step verified by a test named after it.
//!
//! ## Legend
//!
//! | symbol | meaning | default |
//! |---|---|---|
//! | `V` | vocabulary size: the number of distinct characters in the text | from the text |
//! | `H` | hidden size: the length of the hidden state `h`, the network's memory | 100 |
//! | `T` | sequence length (`seq_length`): characters per training chunk | 25 |
//! | `B` | batch size (Part II): streams of text read side by side, one memory each | 1 in Part I |
//! | `L` | number of layers (Part II): recurrent layers stacked on top of each other | 1 in Part I |
//! | `G` | gate blocks per cell (Part II): RNN 1, LSTM 4 (`i, f, g, o`), GRU 3 (`r, z, n`) | 1 in Part I |
//! | `x_t` | the one-hot input at time `t` | `(V)` |
//! | `h_t` | the hidden state after reading `x_t` | `(H)` |
//! | `y_t`, `p_t` | scores and probabilities for the next character | `(V)` |
//!
//! Parameters: `w_xh` `(H, V)`, `w_hh` `(H, H)`, `w_hy` `(V, H)`, `b_h` `(H)`, `b_y` `(V)`.
//!
//! ## The steps, in the order data flows through them
//!
//! ```text
//! text ──encode──▶ indices ──(p .. p+T)──▶ inputs, targets
//!                                  │
//! params, h_prev ──forward──▶ cache {xs, hs, ys, ps} ──loss──▶ loss, dy = p − onehot(target)
//!                                  │
//!                    backward (BPTT, dhnext) ──▶ grads ──clip[−5,5]──▶ adagrad ──▶ params'
//!                                  │
//!                       h_prev ← hs[T−1];  p += T;  smooth_loss
//! now and then: sample(params, h_prev, inputs[0], n) ──▶ text
//! ```
//!
//! | step | module | equation |
//! |---|---|---|
//! | numbers | [`vector`], [`matrix`] | `W·x`, `Wᵀ·x`, `W += a·bᵀ`, `W[:, c] += v` |
//! | 1. data | [`encode`] | text → sorted vocabulary → indices → one-hot `x_t` |
//! | 2. model | [`model`] | `w ~ N(0, 1)·0.01`, `b = 0` |
//! | 3. forward | [`forward`] | `h_t = tanh(w_xh·x_t + w_hh·h_{t−1} + b_h)`, `y_t = w_hy·h_t + b_y` |
//! | 4. loss | [`loss`] | `p_t = softmax(y_t)`, `L = Σ −ln p_t[target_t]`, `dy = p − onehot` |
//! | 5. backward | [`backward`] | BPTT with `dhnext`, clip to `[−5, 5]` |
//! | 6. update | [`adagrad`] | `m += g²`, `w −= lr·g/√(m + 1e−8)` |
//! | 7. sampling | [`sample`] | `x ~ softmax(y / temperature)` |
//! | 8. training | [`train`] | the loop: chunks, `h_prev`, smooth loss |
//! | 9. checkpoints | [`checkpoint`] | save everything, load it back bit for bit, atomically |
//! | 10. the loss curve | [`plot`] | smooth and validation loss → an SVG chart |
//! | 11. monitoring | [`monitor`] | per parameter `‖g‖` and `‖Δw‖ / ‖w‖` (≈ 1e−3 is healthy) → panels under the loss curve |
//! | training like char-rnn | [`optim`], [`clip`] | SGD, Adagrad, RMSprop `m = α·m + (1−α)·g²`, `w −= lr·g/(√m + ε)`, Adam; clip by value or by global norm `‖g‖ ≤ c` |
//! | | [`charrnn`] | the loop: `B` streams, chunks split into training and validation, `epoch = i / N_train`, decay, the best validation loss; checkpoints of format version 2 |
//! | speed | [`math`], [`fast`] | `tanh` and `exp` that the compiler can vectorise; the fast path, the same bits |
//! | what it learned | [`explain`] | surprise `−ln p_t[c_{t+1}]`, top-5 guesses, units vs features of the text → one HTML page |
//!
//! ## A whole training run
//!
//! ```
//! use min_char_rnn::{Hyperparams, Strategy, Trainer, Vocab};
//!
//! let text = "hello world. hello rust. hello rnn. ".repeat(10);
//! let vocab = Vocab::from_text(&text);
//! let hp = Hyperparams { hidden_size: 32, seq_length: 10, learning_rate: 0.1 };
//! let mut trainer = Trainer::new(vocab.encode(&text)?, vocab.len(), hp, 42)?;
//! for _ in 0..500 {
//!     trainer.step()?;
//! }
//! let sample = vocab.decode(&trainer.sample(40, Strategy::ORIGINAL));
//! assert_eq!(sample.chars().count(), 40);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]
// Loops over `0..n` with `x[i]` mirror the math (`h[i] = tanh(…)`) and step well in a
// debugger; iterator chains would hide the index a learner wants to watch.
#![allow(clippy::needless_range_loop)]
#![warn(missing_docs)]
// gdb shows a Vector, a Matrix, a ForwardCache and a Grads as what they mean (a grid for a
// matrix); the script is embedded in every binary that links the crate. See the debugger
// chapter for the one setting gdb needs to run it.
#![debugger_visualizer(gdb_script_file = "debugger/min_char_rnn_gdb.py")]

pub mod adagrad;
pub mod backward;
pub mod batch;
pub mod cells;
pub mod charrnn;
pub mod checkpoint;
pub mod clip;
pub mod encode;
pub mod explain;
pub mod fast;
pub mod forward;
pub mod loss;
pub mod math;
pub mod matrix;
pub mod model;
pub mod monitor;
pub mod network;
pub mod optim;
pub mod plot;
pub mod sample;
pub mod train;
pub mod vector;

pub use adagrad::Adagrad;
pub use backward::Grads;
pub use checkpoint::{Checkpoint, CheckpointError};
pub use encode::{EncodeError, Vocab};
pub use forward::ForwardCache;
pub use matrix::Matrix;
pub use model::{ConfigError, Hyperparams, Params};
pub use sample::{SampleError, Strategy};
pub use train::{TrainError, TrainState, Trainer};
pub use vector::Vector;

/// The book's chapters, compiled as doctests: every ```` ```rust ```` block in a chapter that
/// is not marked `ignore` (the slices of `src/` pulled in with `{{#include}}` are) must
/// compile and run, so the usage shown in the book cannot rot.
#[cfg(doctest)]
mod book {
    macro_rules! chapters {
        ($($name:ident => $file:literal),* $(,)?) => {
            $(
                #[doc = include_str!(concat!("../book/src/", $file))]
                struct $name;
            )*
        };
    }
    chapters! {
        Introduction => "introduction.md",
        Notation => "notation.md",
        Encode => "encode.md",
        Matrix => "matrix.md",
        Model => "model.md",
        Forward => "forward.md",
        Loss => "loss.md",
        Backward => "backward.md",
        GradientCheck => "gradient-check.md",
        Adagrad => "adagrad.md",
        Sample => "sample.md",
        Train => "train.md",
        Debugger => "debugger.md",
        Cli => "cli.md",
        Exercises => "exercises.md",
        Speed => "speed.md",
        FastPath => "fast-path.md",
        WhyGates => "why-gates.md",
        LstmForward => "lstm-forward.md",
        LstmBackward => "lstm-backward.md",
        Gru => "gru.md",
        Layers => "layers.md",
        Minibatches => "minibatches.md",
        FastCells => "fast-cells.md",
        Training => "training.md",
        WhatItLearned => "what-it-learned.md",
        WhereNext => "where-next.md",
    }
}
