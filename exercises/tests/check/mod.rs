//! The checks: each exercise's functions run beside the crate's own (its plain path, the code
//! the book walks through) on the same inputs, small ones and awkward ones, and the first
//! difference is reported with the most likely mistake.
//!
//! Each exercise has a module here with
//! - `Fns`, the exercise's functions as function pointers, so that the same check can run your
//!   functions, the crate's, and the wrong answers of `tests/wrong/`;
//! - `yours()`, the functions of the `exercises` library (the files in `src/`, or their twins
//!   in `solutions/` under `--features solutions`);
//! - `run(&Fns)`, the check.

// The runner and the self-check each use a different part.
#![allow(dead_code)]

pub mod adagrad;
pub mod backward;
pub mod clip;
pub mod compare;
pub mod data;
pub mod dy;
pub mod encode;
pub mod forward;
pub mod loss;
pub mod one_hot;
pub mod report;
pub mod sample;
pub mod train;

mod catch;

pub use catch::call;

/// Why a check stopped before the end.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// The function still has its `todo!()` body.
    NotWritten {
        /// Its name.
        function: &'static str,
    },
    /// The function gave a wrong answer, or panicked.
    Wrong(Failure),
}

/// A wrong answer, described for the learner.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The function that gave it.
    pub function: &'static str,
    /// The inputs, in words.
    pub case: String,
    /// What differs: which output, which index, what it should be and what it is.
    pub what: String,
    /// The most likely mistake.
    pub hint: String,
}

/// `Ok` if every case of a check passed.
pub type Checked = Result<(), Stop>;

/// A [`Stop::Wrong`].
pub fn wrong(function: &'static str, case: &str, what: String, hint: String) -> Stop {
    Stop::Wrong(Failure {
        function,
        case: case.to_string(),
        what,
        hint,
    })
}

/// One exercise: where it is, what it asks for, and its check run on the `exercises`
/// library's functions.
pub struct Exercise {
    /// Its number, in the book's order.
    pub number: usize,
    /// The name a filter matches (`cargo test forward`).
    pub name: &'static str,
    /// The file to write in, relative to `exercises/`.
    pub file: &'static str,
    /// The functions to write, in the order they are checked.
    pub functions: &'static [&'static str],
    /// The check, on the library's functions.
    pub run: fn() -> Checked,
}

/// Exercises 1 to 10, in the book's order.
pub const EXERCISES: [Exercise; 10] = [
    Exercise {
        number: 1,
        name: "encode",
        file: "src/01_encode.rs",
        functions: &["vocabulary", "encode"],
        run: || encode::run(&encode::yours()),
    },
    Exercise {
        number: 2,
        name: "one_hot",
        file: "src/02_one_hot.rs",
        functions: &["one_hot"],
        run: || one_hot::run(&one_hot::yours()),
    },
    Exercise {
        number: 3,
        name: "forward",
        file: "src/03_forward.rs",
        functions: &["hidden_step", "output_step"],
        run: || forward::run(&forward::yours()),
    },
    Exercise {
        number: 4,
        name: "loss",
        file: "src/04_loss.rs",
        functions: &["softmax", "cross_entropy", "sequence_loss"],
        run: || loss::run(&loss::yours()),
    },
    Exercise {
        number: 5,
        name: "dy",
        file: "src/05_dy.rs",
        functions: &["output_gradient"],
        run: || dy::run(&dy::yours()),
    },
    Exercise {
        number: 6,
        name: "backward",
        file: "src/06_backward.rs",
        functions: &["backward"],
        run: || backward::run(&backward::yours()),
    },
    Exercise {
        number: 7,
        name: "clip",
        file: "src/07_clip.rs",
        functions: &["clip"],
        run: || clip::run(&clip::yours()),
    },
    Exercise {
        number: 8,
        name: "adagrad",
        file: "src/08_adagrad.rs",
        functions: &["adagrad_update"],
        run: || adagrad::run(&adagrad::yours()),
    },
    Exercise {
        number: 9,
        name: "sample",
        file: "src/09_sample.rs",
        functions: &["softmax_with_temperature", "draw"],
        run: || sample::run(&sample::yours()),
    },
    Exercise {
        number: 10,
        name: "train",
        file: "src/10_train.rs",
        functions: &["next_chunk", "finish_chunk"],
        run: || train::run(&train::yours()),
    },
];

/// The last exercise's name: it trains with the other ten.
pub const YOUR_NETWORK: &str = "your_network";
