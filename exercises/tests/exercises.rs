//! The exercises' runner: `cargo test` (in `exercises/`) checks every exercise in the book's
//! order and prints one line for each; `cargo test forward` checks one (any part of a name, a
//! function's name, or a number: `cargo test 3`). Once all ten pass, it trains a network with
//! your functions and lets it write.
//!
//! A test harness of its own (`harness = false`), so that an exercise not yet written is one
//! friendly line rather than a panic with a backtrace.

// Loops over `0..n` with `x[i]` mirror the math, as in the main crate.
#![allow(clippy::needless_range_loop)]

mod check;

use check::compare::close;
use check::{EXERCISES, Exercise, Stop, YOUR_NETWORK, report};
use exercises::your_network::{self, CORPUS, SETTINGS};
use min_char_rnn::{ForwardCache, Grads, Params, Vector, Vocab, train::loss_fun};
use std::process::ExitCode;

/// libtest's options that take a value, which may come as the next argument.
const OPTIONS_WITH_VALUE: [&str; 6] = [
    "--test-threads",
    "--format",
    "--color",
    "--skip",
    "--logfile",
    "--shuffle-seed",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for exercise in &EXERCISES {
            println!("{}: test", exercise.name);
        }
        println!("{YOUR_NETWORK}: test");
        return ExitCode::SUCCESS;
    }
    // Filters are the words that are not options (nor the value of a libtest option such as
    // `--test-threads 1`, which this runner ignores).
    let mut filters: Vec<&String> = Vec::new();
    let mut skip_value = false;
    for arg in &args {
        if skip_value {
            skip_value = false;
        } else if arg.starts_with('-') {
            skip_value = OPTIONS_WITH_VALUE.contains(&arg.as_str());
        } else {
            filters.push(arg);
        }
    }
    let chosen = |exercise: &Exercise| {
        filters.is_empty()
            || filters.iter().any(|f| {
                exercise.name.contains(f.as_str())
                    || exercise
                        .functions
                        .iter()
                        .any(|name| name.contains(f.as_str()))
                    || exercise.number.to_string() == **f
            })
    };
    let network_chosen = filters.is_empty()
        || filters
            .iter()
            .any(|f| YOUR_NETWORK.contains(f.as_str()) || **f == "11");

    print!("{}", report::header());
    let mut results = Vec::new();
    for exercise in EXERCISES.iter().filter(|e| chosen(e)) {
        let outcome = (exercise.run)();
        print!("{}", report::block(exercise, &outcome));
        results.push((exercise, outcome));
    }
    if results.is_empty() && !network_chosen {
        println!("No exercise matches {filters:?}. The exercises:");
        for exercise in &EXERCISES {
            println!("{:>2}  {}", exercise.number, exercise.name);
        }
        println!("{:>2}  {YOUR_NETWORK}", EXERCISES.len() + 1);
        return ExitCode::SUCCESS;
    }

    let mut success = results.iter().all(|(_, r)| r.is_ok());
    if network_chosen {
        let all_pass =
            EXERCISES.iter().all(
                |e| match results.iter().find(|(r, _)| r.number == e.number) {
                    Some((_, outcome)) => outcome.is_ok(),
                    None => (e.run)().is_ok(),
                },
            );
        if all_pass {
            success &= your_network_runs();
        } else {
            print!("{}", report::network_waits());
            success = false;
        }
    }
    if !results.is_empty() {
        print!("{}", report::summary(&results));
    }
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Exercise 11: trains with the learner's functions, checks the first loss against the
/// crate's, and prints a sample. `true` if all went well.
fn your_network_runs() -> bool {
    let s = SETTINGS;
    println!(
        "{:>2}  {:<13} training with your functions on data/corpus.txt: {} iterations, H = {}, T = \
         {}",
        EXERCISES.len() + 1,
        YOUR_NETWORK,
        s.iterations,
        s.hidden_size,
        s.seq_length
    );
    let run = check::call(
        "train",
        "your_network::train on the corpus",
        || {
            your_network::train(CORPUS, &s, |n, smooth_loss| {
                println!("      iter {n}, loss: {smooth_loss:.6}");
            })
        },
        |_| {
            "one of your functions panicked on the full-size network, though each passed its \
             own checks: the line above says where"
                .to_string()
        },
    );
    let trained = match run {
        Ok(Ok(trained)) => trained,
        Ok(Err(e)) => {
            println!("      the run stopped: {e:?}");
            return false;
        }
        Err(Stop::Wrong(failure)) => {
            print!("{}", report::wrap(&failure.what));
            print!("{}", report::wrap(&failure.hint));
            return false;
        }
        Err(Stop::NotWritten { function }) => {
            println!("      `{function}` is not written yet");
            return false;
        }
    };

    // The crate's own lossFun on the same first chunk, from the same starting weights.
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab
        .encode(CORPUS)
        .expect("the corpus encodes with its own vocabulary");
    let (v, h, t) = (vocab.len(), s.hidden_size, s.seq_length);
    let params = Params::new(v, h, s.seed);
    let mut cache = ForwardCache::new(v, h, t);
    let mut grads = Grads::zeros_like(&params);
    let crate_loss = loss_fun(
        &params,
        &data[..t],
        &data[1..=t],
        &Vector::zeros(h),
        &mut cache,
        &mut grads,
    );
    if !close(crate_loss, trained.first_loss) {
        println!(
            "      your loss on the first chunk is {:?}; the crate's, from the same weights, is \
             {crate_loss:?}",
            trained.first_loss
        );
        return false;
    }
    println!(
        "      first chunk: your loss {:.6}, the crate's {crate_loss:.6}",
        trained.first_loss
    );
    if trained.smooth_loss >= 0.8 * trained.initial_smooth_loss {
        println!(
            "      the smooth loss went from {:.2} to {:.2} only: it should fall well below {:.2}",
            trained.initial_smooth_loss,
            trained.smooth_loss,
            0.8 * trained.initial_smooth_loss
        );
        return false;
    }
    let text = your_network::write(&trained, '\n', s.sample_length, s.temperature, s.seed);
    println!(
        "      the smooth loss fell from {:.2} to {:.2}. Your network writes (temperature {}):",
        trained.initial_smooth_loss, trained.smooth_loss, s.temperature
    );
    println!("----\n{text}\n----");
    true
}
