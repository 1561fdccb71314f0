//! Calling a learner's function without letting its panic end the run: a `todo!()` body
//! becomes "not written yet", any other panic a wrong answer that quotes the message and the
//! line. While a call runs, the panic hook records the panic instead of printing it, so the
//! first run is a list of friendly lines, not a page of panics.

use super::{Failure, Stop};
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// True while [`call`] runs a learner's function on this thread.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The last panic caught on this thread: its message and where it happened.
    static CAUGHT: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
}

/// Runs `run`, the learner's function `function` on the inputs `case` describes.
///
/// # Errors
///
/// [`Stop::NotWritten`] if it panicked with `todo!()` (or `unimplemented!()`);
/// [`Stop::Wrong`] for any other panic, with `hint(message)` as the likely mistake.
pub fn call<T>(
    function: &'static str,
    case: &str,
    run: impl FnOnce() -> T,
    hint: impl FnOnce(&str) -> String,
) -> Result<T, Stop> {
    install_hook();
    CATCHING.with(|c| c.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    CATCHING.with(|c| c.set(false));
    match result {
        Ok(value) => Ok(value),
        Err(payload) => {
            let (message, location) = CAUGHT
                .with(|c| c.borrow_mut().take())
                .unwrap_or_else(|| (payload_text(payload.as_ref()), String::new()));
            if message.starts_with("not yet implemented") || message.starts_with("not implemented")
            {
                return Err(Stop::NotWritten { function });
            }
            let at = if location.is_empty() {
                String::new()
            } else {
                format!(" at {location}")
            };
            Err(Stop::Wrong(Failure {
                function,
                case: case.to_string(),
                what: format!("it panicked{at}: {message}"),
                hint: hint(&message),
            }))
        }
    }
}

/// Installs, once, a panic hook that records the panics of [`call`] and leaves every other
/// panic to the hook that was there before (so a failing test still prints its message).
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let message = payload_text(info.payload());
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                CAUGHT.with(|c| *c.borrow_mut() = Some((message, location)));
            } else {
                previous(info);
            }
        }));
    });
}

/// The text a panic was raised with.
fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}
