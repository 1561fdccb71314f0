//! Exercise 10: `next_chunk` and `finish_chunk`, against the crate's `Trainer`: its data
//! pointer, iteration count and memory, step by step.
//!
//! Before each of the crate's steps, your `next_chunk` starts from the trainer's state and
//! must find the chunk the trainer then trains on, with the memory it uses (the `h_prev` of
//! its forward pass). After the step, your `finish_chunk` must leave the state the trainer is
//! in.

use super::data::{show, show_rounded};
use super::{Checked, Stop, call, wrong};
use exercises::train::LoopState;
use min_char_rnn::{ForwardCache, Hyperparams, Trainer};

/// The functions of exercise 10.
pub struct Fns {
    /// `next_chunk(state, data_len, seq_length)`.
    pub next_chunk: fn(&mut LoopState, usize, usize) -> usize,
    /// `finish_chunk(state, p, cache)`.
    pub finish_chunk: fn(&mut LoopState, usize, &ForwardCache),
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        next_chunk: exercises::train::next_chunk,
        finish_chunk: exercises::train::finish_chunk,
    }
}

/// `(data length, T, iterations, what it tries)`.
const CASES: [(usize, usize, usize, &str); 4] = [
    (7, 2, 6, "7 characters, T = 2"),
    (
        19,
        3,
        14,
        "19 characters, T = 3: at p = 15 the chunk would end at the last character",
    ),
    (
        4,
        3,
        4,
        "4 characters, T = 3: the whole text is one chunk, and every iteration starts over",
    ),
    (10, 1, 25, "10 characters, T = 1"),
];

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    for (len, t, iterations, what) in CASES {
        let data: Vec<usize> = (0..len).map(|i| (i * 7 + 1) % 3).collect();
        let hp = Hyperparams {
            hidden_size: 4,
            seq_length: t,
            learning_rate: 0.1,
        };
        let mut trainer = Trainer::new(data, 3, hp, 10).expect("a small trainer");
        for _ in 0..iterations {
            check_step(f, &mut trainer, len, t, what)?;
        }
    }
    Ok(())
}

/// One iteration: your `next_chunk`, the crate's step, your `finish_chunk`.
fn check_step(
    f: &Fns,
    trainer: &mut Trainer,
    len: usize,
    t: usize,
    what: &str,
) -> Result<(), Stop> {
    let before = LoopState {
        pointer: trainer.pointer,
        iteration: trainer.iteration,
        h_prev: trainer.h_prev.clone(),
    };
    let case = format!(
        "{what}; at iteration {} with pointer {} and h_prev = {}",
        before.iteration,
        before.pointer,
        show_rounded(&before.h_prev)
    );
    let mut state = before.clone();
    let p = call(
        "next_chunk",
        &case,
        || (f.next_chunk)(&mut state, len, t),
        |_| "read the panic message and the line it points at".to_string(),
    )?;
    let report = trainer.step().expect("the crate's step");
    let used = trainer.cache().h_prev.clone(); // the memory the step started from
    if p != report.pointer {
        let hint = pointer_hint(&before, len, t, report.pointer, p);
        return Err(wrong(
            "next_chunk",
            &case,
            format!(
                "the chunk should start at p = {} but starts at {p}",
                report.pointer
            ),
            hint,
        ));
    }
    if state.h_prev != used {
        let hint = if used.as_slice().iter().all(|&x| x == 0.0) {
            "starting over also empties the memory: h_prev = 0 (state.h_prev.fill(0.0))"
        } else {
            "leave the memory as it is unless the loop starts over: between two chunks of the \
             text, the memory carries on"
        };
        return Err(wrong(
            "next_chunk",
            &case,
            format!(
                "h_prev should be {} but is {}",
                show(&used),
                show(&state.h_prev)
            ),
            hint.to_string(),
        ));
    }

    let case = format!("{case}, after the chunk at p = {p}");
    call(
        "finish_chunk",
        &case,
        || (f.finish_chunk)(&mut state, p, trainer.cache()),
        |_| "cache.last_hidden() is hs[T − 1]; state.h_prev has the same length".to_string(),
    )?;
    if state.pointer != trainer.pointer {
        return Err(wrong(
            "finish_chunk",
            &case,
            format!(
                "pointer should be {} but is {}",
                trainer.pointer, state.pointer
            ),
            format!(
                "the next chunk starts where this one ended: pointer = p + T = {p} + {t}, from \
                 the p this chunk started at"
            ),
        ));
    }
    if state.iteration != trainer.iteration {
        return Err(wrong(
            "finish_chunk",
            &case,
            format!(
                "iteration should be {} but is {}",
                trainer.iteration, state.iteration
            ),
            "count the iteration: iteration += 1".to_string(),
        ));
    }
    if state.h_prev != trainer.h_prev {
        let last = trainer.cache().last_hidden();
        let hint = if state.h_prev == trainer.cache().hs[0] && t > 1 {
            "hs[T − 1], the memory after the last step of the chunk, not hs[0]"
        } else {
            "keep the memory the chunk ended with: h_prev = hs[T − 1] (cache.last_hidden()), \
             which the next chunk starts from"
        };
        return Err(wrong(
            "finish_chunk",
            &case,
            format!(
                "h_prev should be {} but is {}",
                show(last),
                show(&state.h_prev)
            ),
            hint.to_string(),
        ));
    }
    Ok(())
}

fn pointer_hint(before: &LoopState, len: usize, t: usize, expected: usize, got: usize) -> String {
    let p = before.pointer;
    if before.iteration == 0 {
        return "the first iteration (n = 0) always starts at 0, with an empty memory".to_string();
    }
    if expected == 0 && got == p && p + t + 1 == len {
        return format!(
            "the notebook's test is p + T + 1 >= len(data), with >=: here {p} + {t} + 1 = {len}, \
             so the chunk that would end at the last character is skipped, and the loop starts \
             over"
        );
    }
    if expected == 0 {
        return format!(
            "start over (p = 0) when p + T + 1 >= len(data): here {p} + {t} + 1 >= {len}, the \
             chunk's targets would run past the end"
        );
    }
    if got == 0 {
        return format!(
            "start over only on the first iteration, or when p + T + 1 >= len(data); here {p} + \
             {t} + 1 < {len}, so the chunk starts at the pointer, {p}"
        );
    }
    format!("the chunk starts at the pointer, {p}, unless the loop starts over at 0")
}
