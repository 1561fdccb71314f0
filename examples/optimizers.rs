//! The same gradients through the four optimizers: how far each moves one weight, step by
//! step.
//!
//! ```sh
//! cargo run --example optimizers
//! ```
//!
//! One weight gets a gradient of 1 for 100 steps, then a gradient of 0.01 for 400 steps: a
//! steep stretch, then a nearly flat one, as late in training when the loss changes slowly.
//! All four optimizers use the same learning rate, 0.01, so that their steps can be compared
//! (their defaults differ); RMSprop and Adam use their defaults otherwise (decay 0.95; β₁ 0.9,
//! β₂ 0.999; ε 1e−8). The table shows the size of the step each takes at some of the steps,
//! then how far each moved in the two stretches.
//!
//! The chapter "Training like char-rnn" shows the output from
//! `book/src/generated/optimizers.txt`, which `tools/optimizers.sh` regenerates and checks.

use min_char_rnn::adagrad::adagrad_update;
use min_char_rnn::optim::{OptimizerConfig, OptimizerKind, adam, rmsprop, sgd};

/// The learning rate of all four.
const LEARNING_RATE: f64 = 0.01;
/// The gradient in the first stretch, its length, the gradient in the second, its length.
const STEEP: (f64, usize) = (1.0, 100);
const FLAT: (f64, usize) = (0.01, 400);
/// The steps the table shows.
const SHOWN: [usize; 16] = [
    1, 2, 3, 5, 10, 20, 50, 100, 101, 102, 105, 110, 120, 200, 300, 500,
];

/// One weight and what one optimizer remembers about it.
struct Weight {
    w: [f64; 1],
    first: [f64; 1],
    second: [f64; 1],
}

fn main() {
    let rmsprop_defaults = OptimizerConfig::new(OptimizerKind::Rmsprop);
    let adam_defaults = OptimizerConfig::new(OptimizerKind::Adam);
    let kinds = ["SGD", "Adagrad", "RMSprop", "Adam"];
    let mut weights: Vec<Weight> = (0..4)
        .map(|_| Weight {
            w: [0.0],
            first: [0.0],
            second: [0.0],
        })
        .collect();

    println!("one weight, the same learning rate for all four: {LEARNING_RATE}");
    println!(
        "gradient {} for steps 1-{}, then {} for steps {}-{}",
        STEEP.0,
        STEEP.1,
        FLAT.0,
        STEEP.1 + 1,
        STEEP.1 + FLAT.1
    );
    println!();
    println!("the size of each step:");
    println!(
        "{:>7}  {:>8}  {:>9}  {:>9}  {:>9}  {:>9}",
        "step", "gradient", kinds[0], kinds[1], kinds[2], kinds[3]
    );
    let mut moved = [[0.0; 4]; 2];
    for step in 1..=STEEP.1 + FLAT.1 {
        let (g, stretch) = if step <= STEEP.1 {
            (STEEP.0, 0)
        } else {
            (FLAT.0, 1)
        };
        let mut steps = [0.0; 4];
        for (k, weight) in weights.iter_mut().enumerate() {
            let before = weight.w[0];
            let w = &mut weight.w;
            match k {
                0 => sgd::update(w, &[g], LEARNING_RATE),
                1 => adagrad_update(w, &[g], &mut weight.second, LEARNING_RATE),
                2 => rmsprop::update(
                    w,
                    &[g],
                    &mut weight.second,
                    LEARNING_RATE,
                    rmsprop_defaults.decay,
                    rmsprop_defaults.epsilon,
                ),
                _ => adam::update(
                    w,
                    &[g],
                    &mut weight.first,
                    &mut weight.second,
                    LEARNING_RATE,
                    adam_defaults.beta1,
                    adam_defaults.beta2,
                    adam_defaults.epsilon,
                    step as u64,
                ),
            }
            steps[k] = before - weight.w[0];
            moved[stretch][k] += steps[k];
        }
        if SHOWN.contains(&step) {
            println!(
                "{step:>7}  {g:>8}  {:>9.2e}  {:>9.2e}  {:>9.2e}  {:>9.2e}",
                steps[0], steps[1], steps[2], steps[3]
            );
        }
    }
    println!();
    println!("how far each moved in all:");
    println!(
        "{:>7}  {:>8}  {:>9}  {:>9}  {:>9}  {:>9}",
        "steps", "gradient", kinds[0], kinds[1], kinds[2], kinds[3]
    );
    let stretches = [(1, STEEP), (STEEP.1 + 1, FLAT)];
    for (stretch, (first, (g, n))) in stretches.into_iter().enumerate() {
        let range = format!("{first}-{}", first + n - 1);
        println!(
            "{range:>7}  {g:>8}  {:>9.4}  {:>9.4}  {:>9.4}  {:>9.4}",
            moved[stretch][0], moved[stretch][1], moved[stretch][2], moved[stretch][3]
        );
    }
}
