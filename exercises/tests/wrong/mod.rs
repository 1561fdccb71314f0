//! Answers the checks must reject: for each exercise, its `todo!()` body (one function at a
//! time, the functions before it right) and a few plausible mistakes, each with the function
//! the failure must name and words the likely mistake must contain.
//!
//! The functions that are not the point of a wrong answer are the `exercises` library's,
//! which `tests/self_check.rs` builds with `--features solutions`: the crate's own.

pub mod adagrad;
pub mod backward;
pub mod clip;
pub mod dy;
pub mod encode;
pub mod forward;
pub mod loss;
pub mod one_hot;
pub mod sample;
pub mod train;

use crate::check::{self, Checked};

/// A wrong answer and what its failure must say.
pub struct WrongAnswer {
    /// The exercise.
    pub exercise: &'static str,
    /// The mistake, in words.
    pub mistake: &'static str,
    /// The exercise's check, run on the wrong answer.
    pub check: fn() -> Checked,
    /// The function the failure must name.
    pub function: &'static str,
    /// Words the likely mistake must contain.
    pub hint: &'static str,
}

/// A function left with its `todo!()` body (the ones before it written, and right).
pub struct Unwritten {
    /// The exercise.
    pub exercise: &'static str,
    /// The function left as `todo!()`, which the check must name.
    pub function: &'static str,
    /// The exercise's check.
    pub check: fn() -> Checked,
}

/// Every wrong answer.
pub const WRONG_ANSWERS: &[WrongAnswer] = &[
    WrongAnswer {
        exercise: "encode",
        mistake: "dedup without sorting",
        check: || {
            check::encode::run(&check::encode::Fns {
                vocabulary: encode::vocabulary_unsorted,
                ..check::encode::yours()
            })
        },
        function: "vocabulary",
        hint: "sort the characters",
    },
    WrongAnswer {
        exercise: "encode",
        mistake: "positions in bytes",
        check: || {
            check::encode::run(&check::encode::Fns {
                encode: encode::encode_byte_positions,
                ..check::encode::yours()
            })
        },
        function: "encode",
        hint: "counts characters, not bytes",
    },
    WrongAnswer {
        exercise: "one_hot",
        mistake: "counting from 1",
        check: || {
            check::one_hot::run(&check::one_hot::Fns {
                one_hot: one_hot::one_based,
            })
        },
        function: "one_hot",
        hint: "off by one",
    },
    WrongAnswer {
        exercise: "one_hot",
        mistake: "a vector of length ix + 1",
        check: || {
            check::one_hot::run(&check::one_hot::Fns {
                one_hot: one_hot::too_short,
            })
        },
        function: "one_hot",
        hint: "the length is vocab_size",
    },
    WrongAnswer {
        exercise: "forward",
        mistake: "a row of w_xh instead of a column",
        check: || {
            check::forward::run(&check::forward::Fns {
                hidden_step: forward::hidden_step_row,
                ..check::forward::yours()
            })
        },
        function: "hidden_step",
        hint: "you read row x of w_xh",
    },
    WrongAnswer {
        exercise: "forward",
        mistake: "no b_h",
        check: || {
            check::forward::run(&check::forward::Fns {
                hidden_step: forward::hidden_step_no_bias,
                ..check::forward::yours()
            })
        },
        function: "hidden_step",
        hint: "the bias is missing",
    },
    WrongAnswer {
        exercise: "forward",
        mistake: "w_hhᵀ · h_prev",
        check: || {
            check::forward::run(&check::forward::Fns {
                hidden_step: forward::hidden_step_transposed,
                ..check::forward::yours()
            })
        },
        function: "hidden_step",
        hint: "came out transposed",
    },
    WrongAnswer {
        exercise: "forward",
        mistake: "no b_y",
        check: || {
            check::forward::run(&check::forward::Fns {
                output_step: forward::output_step_no_bias,
                ..check::forward::yours()
            })
        },
        function: "output_step",
        hint: "y = w_hy · h + b_y",
    },
    WrongAnswer {
        exercise: "loss",
        mistake: "softmax without subtracting the largest score",
        check: || {
            check::loss::run(&check::loss::Fns {
                softmax: loss::softmax_without_max,
                ..check::loss::yours()
            })
        },
        function: "softmax",
        hint: "subtract the largest score before exp",
    },
    WrongAnswer {
        exercise: "loss",
        mistake: "ln p without the minus",
        check: || {
            check::loss::run(&check::loss::Fns {
                cross_entropy: loss::cross_entropy_without_minus,
                ..check::loss::yours()
            })
        },
        function: "cross_entropy",
        hint: "the sign",
    },
    WrongAnswer {
        exercise: "loss",
        mistake: "the mean over the steps",
        check: || {
            check::loss::run(&check::loss::Fns {
                sequence_loss: loss::sequence_loss_mean,
                ..check::loss::yours()
            })
        },
        function: "sequence_loss",
        hint: "not a mean",
    },
    WrongAnswer {
        exercise: "dy",
        mistake: "the −1 at the favourite instead of the target",
        check: || {
            check::dy::run(&check::dy::Fns {
                output_gradient: dy::minus_one_at_the_favourite,
            })
        },
        function: "output_gradient",
        hint: "it belongs at the target",
    },
    WrongAnswer {
        exercise: "dy",
        mistake: "onehot − p",
        check: || {
            check::dy::run(&check::dy::Fns {
                output_gradient: dy::sign_flipped,
            })
        },
        function: "output_gradient",
        hint: "the sign",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "no dhnext",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::no_dhnext,
            })
        },
        function: "backward",
        hint: "dhnext is missing",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "dhnext = w_hh · dhraw",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::dhnext_not_transposed,
            })
        },
        function: "backward",
        hint: "dhnext = w_hhᵀ · dhraw",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "dw_hh with h_t",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::dw_hh_with_h_t,
            })
        },
        function: "backward",
        hint: "not h_t = cache.hs[t]",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "the loop forwards",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::loop_forward,
            })
        },
        function: "backward",
        hint: "the loop must run backwards",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "clipping inside backward",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::clips_in_backward,
            })
        },
        function: "backward",
        hint: "clipping is the next exercise",
    },
    WrongAnswer {
        exercise: "backward",
        mistake: "tanh′ = 1 − h",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::tanh_derivative,
            })
        },
        function: "backward",
        hint: "so square it",
    },
    WrongAnswer {
        exercise: "clip",
        mistake: "the biases left out",
        check: || {
            check::clip::run(&check::clip::Fns {
                clip: clip::forgets_the_biases,
            })
        },
        function: "clip",
        hint: "the biases too",
    },
    WrongAnswer {
        exercise: "clip",
        mistake: "clipping by norm",
        check: || {
            check::clip::run(&check::clip::Fns {
                clip: clip::by_norm,
            })
        },
        function: "clip",
        hint: "clipping by norm",
    },
    WrongAnswer {
        exercise: "clip",
        mistake: "clipping from above only",
        check: || {
            check::clip::run(&check::clip::Fns {
                clip: clip::one_sided,
            })
        },
        function: "clip",
        hint: "clip both ways",
    },
    WrongAnswer {
        exercise: "adagrad",
        mistake: "the step with the old memory",
        check: || {
            check::adagrad::run(&check::adagrad::Fns {
                adagrad_update: adagrad::step_before_memory,
            })
        },
        function: "adagrad_update",
        hint: "update the memory first",
    },
    WrongAnswer {
        exercise: "adagrad",
        mistake: "no 1e−8",
        check: || {
            check::adagrad::run(&check::adagrad::Fns {
                adagrad_update: adagrad::no_epsilon,
            })
        },
        function: "adagrad_update",
        hint: "EPSILON",
    },
    WrongAnswer {
        exercise: "adagrad",
        mistake: "a step uphill",
        check: || {
            check::adagrad::run(&check::adagrad::Fns {
                adagrad_update: adagrad::uphill,
            })
        },
        function: "adagrad_update",
        hint: "against the gradient",
    },
    WrongAnswer {
        exercise: "sample",
        mistake: "the scores multiplied by the temperature",
        check: || {
            check::sample::run(&check::sample::Fns {
                softmax_with_temperature: sample::temperature_multiplied,
                ..check::sample::yours()
            })
        },
        function: "softmax_with_temperature",
        hint: "divide the scores by the temperature",
    },
    WrongAnswer {
        exercise: "sample",
        mistake: "no largest score subtracted",
        check: || {
            check::sample::run(&check::sample::Fns {
                softmax_with_temperature: sample::temperature_without_max,
                ..check::sample::yours()
            })
        },
        function: "softmax_with_temperature",
        hint: "subtract the largest score",
    },
    WrongAnswer {
        exercise: "sample",
        mistake: "u against each p[k] alone",
        check: || {
            check::sample::run(&check::sample::Fns {
                draw: sample::draw_against_each_p,
                ..check::sample::yours()
            })
        },
        function: "draw",
        hint: "not with p[k] alone",
    },
    WrongAnswer {
        exercise: "sample",
        mistake: "the running sum tested before adding p[k]",
        check: || {
            check::sample::run(&check::sample::Fns {
                draw: sample::draw_one_too_far,
                ..check::sample::yours()
            })
        },
        function: "draw",
        hint: "off by one",
    },
    WrongAnswer {
        exercise: "train",
        mistake: "> instead of >=",
        check: || {
            check::train::run(&check::train::Fns {
                next_chunk: train::greater_than,
                ..check::train::yours()
            })
        },
        function: "next_chunk",
        hint: "with >=",
    },
    WrongAnswer {
        exercise: "train",
        mistake: "the memory kept when starting over",
        check: || {
            check::train::run(&check::train::Fns {
                next_chunk: train::keeps_the_memory,
                ..check::train::yours()
            })
        },
        function: "next_chunk",
        hint: "also empties the memory",
    },
    WrongAnswer {
        exercise: "train",
        mistake: "the memory not carried",
        check: || {
            check::train::run(&check::train::Fns {
                finish_chunk: train::forgets_the_memory,
                ..check::train::yours()
            })
        },
        function: "finish_chunk",
        hint: "keep the memory the chunk ended with",
    },
];

/// Every function of every exercise left as `todo!()`, the ones before it right.
pub const UNWRITTEN: &[Unwritten] = &[
    Unwritten {
        exercise: "encode",
        function: "vocabulary",
        check: || {
            check::encode::run(&check::encode::Fns {
                vocabulary: encode::todo_vocabulary,
                encode: encode::todo_encode,
            })
        },
    },
    Unwritten {
        exercise: "encode",
        function: "encode",
        check: || {
            check::encode::run(&check::encode::Fns {
                encode: encode::todo_encode,
                ..check::encode::yours()
            })
        },
    },
    Unwritten {
        exercise: "one_hot",
        function: "one_hot",
        check: || {
            check::one_hot::run(&check::one_hot::Fns {
                one_hot: one_hot::todo_one_hot,
            })
        },
    },
    Unwritten {
        exercise: "forward",
        function: "hidden_step",
        check: || {
            check::forward::run(&check::forward::Fns {
                hidden_step: forward::todo_hidden_step,
                output_step: forward::todo_output_step,
            })
        },
    },
    Unwritten {
        exercise: "forward",
        function: "output_step",
        check: || {
            check::forward::run(&check::forward::Fns {
                output_step: forward::todo_output_step,
                ..check::forward::yours()
            })
        },
    },
    Unwritten {
        exercise: "loss",
        function: "softmax",
        check: || {
            check::loss::run(&check::loss::Fns {
                softmax: loss::todo_softmax,
                cross_entropy: loss::todo_cross_entropy,
                sequence_loss: loss::todo_sequence_loss,
            })
        },
    },
    Unwritten {
        exercise: "loss",
        function: "cross_entropy",
        check: || {
            check::loss::run(&check::loss::Fns {
                cross_entropy: loss::todo_cross_entropy,
                sequence_loss: loss::todo_sequence_loss,
                ..check::loss::yours()
            })
        },
    },
    Unwritten {
        exercise: "loss",
        function: "sequence_loss",
        check: || {
            check::loss::run(&check::loss::Fns {
                sequence_loss: loss::todo_sequence_loss,
                ..check::loss::yours()
            })
        },
    },
    Unwritten {
        exercise: "dy",
        function: "output_gradient",
        check: || {
            check::dy::run(&check::dy::Fns {
                output_gradient: dy::todo_output_gradient,
            })
        },
    },
    Unwritten {
        exercise: "backward",
        function: "backward",
        check: || {
            check::backward::run(&check::backward::Fns {
                backward: backward::todo_backward,
            })
        },
    },
    Unwritten {
        exercise: "clip",
        function: "clip",
        check: || {
            check::clip::run(&check::clip::Fns {
                clip: clip::todo_clip,
            })
        },
    },
    Unwritten {
        exercise: "adagrad",
        function: "adagrad_update",
        check: || {
            check::adagrad::run(&check::adagrad::Fns {
                adagrad_update: adagrad::todo_adagrad_update,
            })
        },
    },
    Unwritten {
        exercise: "sample",
        function: "softmax_with_temperature",
        check: || {
            check::sample::run(&check::sample::Fns {
                softmax_with_temperature: sample::todo_softmax_with_temperature,
                draw: sample::todo_draw,
            })
        },
    },
    Unwritten {
        exercise: "sample",
        function: "draw",
        check: || {
            check::sample::run(&check::sample::Fns {
                draw: sample::todo_draw,
                ..check::sample::yours()
            })
        },
    },
    Unwritten {
        exercise: "train",
        function: "next_chunk",
        check: || {
            check::train::run(&check::train::Fns {
                next_chunk: train::todo_next_chunk,
                finish_chunk: train::todo_finish_chunk,
            })
        },
    },
    Unwritten {
        exercise: "train",
        function: "finish_chunk",
        check: || {
            check::train::run(&check::train::Fns {
                finish_chunk: train::todo_finish_chunk,
                ..check::train::yours()
            })
        },
    },
];
