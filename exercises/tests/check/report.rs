//! What the learner reads: one line per exercise, and under a wrong one, which function, on
//! which inputs, which output and index, what it should be and what it is, and the most likely
//! mistake.

use super::{Checked, EXERCISES, Exercise, Stop, YOUR_NETWORK};

/// Lines are wrapped at this width.
const WIDTH: usize = 96;
/// The indentation of the details under an exercise's line.
const INDENT: &str = "      ";

/// The first line of a run.
pub fn header() -> String {
    "Part I, written by you: each exercise's functions against the crate's own.\n\n".to_string()
}

/// An exercise's line, and the details of a wrong answer.
pub fn block(exercise: &Exercise, outcome: &Checked) -> String {
    let start = format!("{:>2}  {:<13} ", exercise.number, exercise.name);
    match outcome {
        Ok(()) => format!("{start}ok\n"),
        Err(Stop::NotWritten { function }) => {
            let done = passed_before(exercise, function);
            let passes = match done.len() {
                0 => String::new(),
                1 => format!(" ({} passes)", done[0]),
                _ => format!(" ({} pass)", done.join(", ")),
            };
            format!(
                "{start}not written yet: `{function}` in {}{passes}\n",
                exercise.file
            )
        }
        Err(Stop::Wrong(failure)) => {
            let mut text = format!(
                "{start}WRONG: `{}` in {}\n",
                failure.function, exercise.file
            );
            text.push_str(&wrap(&format!("case: {}", failure.case)));
            text.push_str(&wrap(&failure.what));
            text.push_str(&wrap(&format!("likely mistake: {}", failure.hint)));
            text
        }
    }
}

/// The last exercise's line while some of the ten do not pass yet.
pub fn network_waits() -> String {
    format!(
        "{:>2}  {:<13} waits until 1 to 10 pass: then it trains a network with your functions\n",
        EXERCISES.len() + 1,
        YOUR_NETWORK
    )
}

/// The last line: how many pass, and what to do next.
pub fn summary(results: &[(&Exercise, Checked)]) -> String {
    let passed = results.iter().filter(|(_, r)| r.is_ok()).count();
    let next = results.iter().find(|(_, r)| r.is_err());
    let count = if results.len() == EXERCISES.len() {
        format!("{passed} of {} exercises pass.", EXERCISES.len())
    } else {
        let names: Vec<&str> = results.iter().map(|(e, _)| e.name).collect();
        format!("{passed} of {} pass ({}).", results.len(), names.join(", "))
    };
    let advice = match next {
        None if results.len() == EXERCISES.len() => return format!("\n{count}\n"),
        None => "`cargo test` runs them all.".to_string(),
        Some((exercise, Err(Stop::NotWritten { function }))) => format!(
            "Next: write `{function}` in {}, then run `cargo test {}`.",
            exercise.file, exercise.name
        ),
        Some((exercise, _)) => format!(
            "Next: fix `{}` in {} (see above), then run `cargo test {}`.",
            function_of(exercise, results),
            exercise.file,
            exercise.name
        ),
    };
    format!("\n{count}\n{advice}\n")
}

/// The functions of `exercise` checked before `function`, which therefore pass.
fn passed_before(exercise: &Exercise, function: &str) -> Vec<String> {
    exercise
        .functions
        .iter()
        .take_while(|f| **f != function)
        .map(|f| format!("`{f}`"))
        .collect()
}

fn function_of(exercise: &Exercise, results: &[(&Exercise, Checked)]) -> &'static str {
    for (e, r) in results {
        if e.number == exercise.number {
            if let Err(Stop::Wrong(failure)) = r {
                return failure.function;
            }
        }
    }
    exercise.functions[0]
}

/// `text` wrapped at [`WIDTH`], every line indented by [`INDENT`] (continuation lines by two
/// more spaces).
pub fn wrap(text: &str) -> String {
    let indent = INDENT;
    let mut out = String::new();
    for paragraph in text.lines() {
        let mut line = String::from(indent);
        let mut empty = true;
        for word in paragraph.split(' ') {
            if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = format!("{indent}  ");
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
