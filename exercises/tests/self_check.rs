//! The checks, checked: `cargo test --features solutions`, where every exercise's functions are
//! the crate's own (`solutions/`).
//!
//! - Every check passes with the crate's functions: each exercise can be passed.
//! - Every check fails with a `todo!()` body, and says "not written yet" for that function.
//! - Every check fails with each plausible wrong answer of `tests/wrong/`, names the function,
//!   and gives the likely mistake that wrong answer makes.
//! - The book's chapter "Exercises" shows what the runner really prints.

// Loops over `0..n` with `x[i]` mirror the math, as in the main crate.
#![allow(clippy::needless_range_loop)]

mod check;
mod wrong;

use check::{Checked, EXERCISES, Stop, report};
use std::fs;
use wrong::{UNWRITTEN, WRONG_ANSWERS};

fn name(exercise: &str) -> &'static check::Exercise {
    EXERCISES
        .iter()
        .find(|e| e.name == exercise)
        .unwrap_or_else(|| panic!("no exercise named {exercise}"))
}

#[test]
fn every_check_passes_with_the_crates_own_functions() {
    let mut failed = String::new();
    for exercise in &EXERCISES {
        let outcome = (exercise.run)();
        if outcome.is_err() {
            failed.push_str(&report::block(exercise, &outcome));
        }
    }
    assert!(
        failed.is_empty(),
        "with the crate's own functions:\n{failed}"
    );
}

#[test]
fn a_todo_body_fails_as_not_written_yet() {
    let mut failed = Vec::new();
    for u in UNWRITTEN {
        let outcome = (u.check)();
        let expected: Checked = Err(Stop::NotWritten {
            function: u.function,
        });
        if outcome != expected {
            failed.push(format!(
                "{}: `{}` as todo!() gave {outcome:?}",
                u.exercise, u.function
            ));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

#[test]
fn every_function_is_tried_as_todo_and_as_a_wrong_answer() {
    for exercise in &EXERCISES {
        for function in exercise.functions {
            assert!(
                UNWRITTEN
                    .iter()
                    .any(|u| u.exercise == exercise.name && u.function == *function),
                "{}: `{function}` is never tried with a todo!() body",
                exercise.name
            );
            assert!(
                WRONG_ANSWERS
                    .iter()
                    .any(|w| w.exercise == exercise.name && w.function == *function),
                "{}: `{function}` has no wrong answer to reject",
                exercise.name
            );
        }
    }
}

#[test]
fn every_wrong_answer_fails_and_names_its_mistake() {
    let mut failed = Vec::new();
    for w in WRONG_ANSWERS {
        let outcome = (w.check)();
        match &outcome {
            Err(Stop::Wrong(f)) if f.function == w.function && f.hint.contains(w.hint) => {}
            Err(Stop::Wrong(_)) => failed.push(format!(
                "{} ({}): the failure should name `{}` and say \"{}\":\n{}",
                w.exercise,
                w.mistake,
                w.function,
                w.hint,
                report::block(name(w.exercise), &outcome)
            )),
            _ => failed.push(format!(
                "{} ({}): the check should fail, but gave {outcome:?}",
                w.exercise, w.mistake
            )),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}

/// What the runner prints on a first run, every exercise still `todo!()`.
fn first_run() -> String {
    let mut results = Vec::new();
    let mut text = report::header();
    for exercise in &EXERCISES {
        let unwritten = UNWRITTEN
            .iter()
            .find(|u| u.exercise == exercise.name)
            .expect("every exercise has a todo!() body");
        let outcome = (unwritten.check)();
        text.push_str(&report::block(exercise, &outcome));
        results.push((exercise, outcome));
    }
    text.push_str(&report::network_waits());
    text.push_str(&report::summary(&results));
    text
}

/// What the runner prints for `cargo test backward` when `dhnext` is forgotten.
fn forgotten_dhnext() -> String {
    let w = WRONG_ANSWERS
        .iter()
        .find(|w| w.exercise == "backward" && w.mistake == "no dhnext")
        .expect("the wrong answer without dhnext");
    let exercise = name("backward");
    let outcome = (w.check)();
    let mut text = report::header();
    text.push_str(&report::block(exercise, &outcome));
    text.push_str(&report::summary(&[(exercise, outcome)]));
    text
}

/// Fails unless `book/src/exercises.md` shows `output` as a ```text block, and prints the block
/// to paste if it does not.
fn book_shows(what: &str, output: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../book/src/exercises.md");
    let chapter = fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let block = format!("```text\n{output}```\n");
    assert!(
        chapter.contains(&block),
        "book/src/exercises.md should show {what}, as the runner prints it now:\n\n{block}"
    );
}

#[test]
fn the_book_shows_the_real_first_run() {
    book_shows("the first run", &first_run());
}

#[test]
fn the_book_shows_a_real_failure() {
    book_shows(
        "the failure of a backward pass without dhnext",
        &forgotten_dhnext(),
    );
}
