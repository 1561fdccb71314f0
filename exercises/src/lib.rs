//! # Exercises: write Part I yourself
//!
//! One file per step of the book's Part I, in the book's order. Each holds the signature of
//! the step, its equation, the numpy line it stands for, a hint or two, and a `todo!()` where
//! your code goes:
//!
//! | # | file | you write | chapter |
//! |---|---|---|---|
//! | 1 | `src/01_encode.rs` | `vocabulary`, `encode` | The data: encode |
//! | 2 | `src/02_one_hot.rs` | `one_hot` | The data: encode |
//! | 3 | `src/03_forward.rs` | `hidden_step`, `output_step` | The forward pass |
//! | 4 | `src/04_loss.rs` | `softmax`, `cross_entropy`, `sequence_loss` | The loss |
//! | 5 | `src/05_dy.rs` | `output_gradient` | The loss |
//! | 6 | `src/06_backward.rs` | `backward` | The backward pass |
//! | 7 | `src/07_clip.rs` | `clip` | The backward pass |
//! | 8 | `src/08_adagrad.rs` | `adagrad_update` | Adagrad |
//! | 9 | `src/09_sample.rs` | `softmax_with_temperature`, `draw` | Sampling |
//! | 10 | `src/10_train.rs` | `next_chunk`, `finish_chunk` | The training loop |
//! | 11 | `src/11_your_network.rs` | nothing: it trains with your ten | |
//!
//! In this folder, `cargo test` checks them all, and `cargo test forward` checks one. Each
//! check runs your function and the crate's own on the same inputs and says where they differ.
//!
//! With `--features solutions`, each file above is replaced by its twin in `solutions/`, which
//! calls the crate's own function (or repeats its few lines, where the crate's takes other
//! arguments): that is how we know that every check can pass.

// Loops over `0..n` with `x[i]` mirror the math, as in the main crate.
#![allow(clippy::needless_range_loop)]
#![forbid(unsafe_code)]

#[cfg_attr(not(feature = "solutions"), path = "01_encode.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/01_encode.rs")]
pub mod encode;

#[cfg_attr(not(feature = "solutions"), path = "02_one_hot.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/02_one_hot.rs")]
pub mod one_hot;

#[cfg_attr(not(feature = "solutions"), path = "03_forward.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/03_forward.rs")]
pub mod forward;

#[cfg_attr(not(feature = "solutions"), path = "04_loss.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/04_loss.rs")]
pub mod loss;

#[cfg_attr(not(feature = "solutions"), path = "05_dy.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/05_dy.rs")]
pub mod dy;

#[cfg_attr(not(feature = "solutions"), path = "06_backward.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/06_backward.rs")]
pub mod backward;

#[cfg_attr(not(feature = "solutions"), path = "07_clip.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/07_clip.rs")]
pub mod clip;

#[cfg_attr(not(feature = "solutions"), path = "08_adagrad.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/08_adagrad.rs")]
pub mod adagrad;

#[cfg_attr(not(feature = "solutions"), path = "09_sample.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/09_sample.rs")]
pub mod sample;

#[cfg_attr(not(feature = "solutions"), path = "10_train.rs")]
#[cfg_attr(feature = "solutions", path = "../solutions/10_train.rs")]
pub mod train;

#[path = "11_your_network.rs"]
pub mod your_network;

/// The library's test binary, which prints nothing. `cargo test forward` (with a test name)
/// runs it although `Cargo.toml` says `test = false` (cargo issue 13668), and libtest's would
/// print "running 0 tests … test result: ok" above your results.
#[allow(dead_code)]
fn main() {}
