//! The live progress line on stderr: iteration / total, smooth loss, iterations per second and
//! the time left, redrawn in place with `\r` at most ten times a second.
//!
//! Only when stderr is a terminal: in a log file or a pipe the line would be a mess of
//! carriage returns, so there it is never drawn and nothing but plain lines is written.
//! Nothing here uses an escape sequence: the line is erased by writing spaces over it.
//!
//! That only works if the line fits on one row: a line that wraps leaves its first row
//! behind at every redraw (`\r` goes back to the start of the *last* row). So the line is
//! cut to the terminal's width, which std cannot ask the terminal for: it is read from the
//! `COLUMNS` variable where set, and otherwise a compact form is drawn that fits in 40
//! columns.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const REDRAW_EVERY: Duration = Duration::from_millis(100);
/// The width assumed when `COLUMNS` is not set: the compact form fits.
const UNKNOWN_WIDTH: usize = 40;

/// The progress line and what it last showed.
pub struct Progress {
    /// `false` when stderr is not a terminal: then every method does nothing.
    enabled: bool,
    started: Instant,
    start_iteration: usize,
    total: usize,
    /// The latest figures: iterations done, smooth loss.
    latest: Option<(usize, f64)>,
    last_drawn: Option<Instant>,
    /// The width of the line on screen now (0: nothing drawn).
    shown_width: usize,
    /// The terminal's width in columns.
    columns: usize,
}

impl Progress {
    /// A progress line for a run from `start_iteration` to `total`, shown only if stderr is
    /// a terminal.
    pub fn new(start_iteration: usize, total: usize) -> Progress {
        Progress {
            enabled: io::stderr().is_terminal(),
            started: Instant::now(),
            start_iteration,
            total,
            latest: None,
            last_drawn: None,
            shown_width: 0,
            columns: terminal_columns(),
        }
    }

    /// Records that `done` iterations are done, redrawing if the last draw is old enough.
    pub fn update(&mut self, done: usize, smooth_loss: f64) {
        if !self.enabled {
            return;
        }
        self.latest = Some((done, smooth_loss));
        let due = self.last_drawn.is_none_or(|t| t.elapsed() >= REDRAW_EVERY);
        if due {
            self.draw();
        }
    }

    /// Erases the line, so that other output can be written cleanly.
    pub fn clear(&mut self) {
        if self.shown_width > 0 {
            let blank = " ".repeat(self.shown_width);
            let mut err = io::stderr().lock();
            let _ = write!(err, "\r{blank}\r");
            let _ = err.flush();
            self.shown_width = 0;
        }
    }

    /// Draws the line again after [`Progress::clear`] (if there is anything to show).
    pub fn redraw(&mut self) {
        if self.enabled && self.latest.is_some() {
            self.draw();
        }
    }

    /// Erases the line for good and, on a terminal, says how long the run took.
    pub fn finish(&mut self) {
        self.clear();
        if let (true, Some((done, _))) = (self.enabled, self.latest) {
            let seconds = self.started.elapsed().as_secs_f64();
            let ran = done.saturating_sub(self.start_iteration);
            let mut err = io::stderr().lock();
            let _ = writeln!(
                err,
                "{ran} iterations in {seconds:.1} s ({:.0} iterations/s)",
                ran as f64 / seconds.max(1e-9)
            );
        }
        self.enabled = false;
    }

    fn draw(&mut self) {
        let Some((done, smooth_loss)) = self.latest else {
            return;
        };
        let elapsed = self.started.elapsed().as_secs_f64();
        let ran = done.saturating_sub(self.start_iteration);
        let rate = if elapsed > 0.0 {
            ran as f64 / elapsed
        } else {
            0.0
        };
        let eta = if rate > 0.0 {
            format_duration(self.total.saturating_sub(done) as f64 / rate)
        } else {
            "?".to_string()
        };
        let figures = Figures {
            done,
            total: self.total,
            smooth_loss,
            rate,
            eta,
        };
        let line = fit(&figures, self.columns);
        let width = line.chars().count();
        let padding = " ".repeat(self.shown_width.saturating_sub(width));
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r{line}{padding}");
        let _ = err.flush();
        self.shown_width = width;
        self.last_drawn = Some(Instant::now());
    }
}

/// What the progress line shows.
struct Figures {
    done: usize,
    total: usize,
    smooth_loss: f64,
    rate: f64,
    eta: String,
}

// ANCHOR: fit
/// The fullest form of the line that fits in `columns - 1` characters (a line as wide as
/// the terminal wraps on some terminals): with everything, without the rate, without the
/// loss, the count alone, or nothing.
fn fit(f: &Figures, columns: usize) -> String {
    let (done, total, loss, rate, eta) = (f.done, f.total, f.smooth_loss, f.rate, &f.eta);
    let forms = [
        format!("{done}/{total}  loss {loss:.3}  {rate:.0} it/s  ETA {eta}"),
        format!("{done}/{total} loss {loss:.3} ETA {eta}"),
        format!("{done}/{total} ETA {eta}"),
        format!("{done}/{total}"),
    ];
    for form in forms {
        if form.chars().count() < columns {
            return form;
        }
    }
    String::new()
}
// ANCHOR_END: fit

/// The terminal's width: `COLUMNS` if it is set to a number, else [`UNKNOWN_WIDTH`].
fn terminal_columns() -> usize {
    let columns = std::env::var("COLUMNS").ok();
    columns
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
        .unwrap_or(UNKNOWN_WIDTH)
}

/// `75` → `1m15s`, `3725` → `1h02m`, `9` → `9s`.
fn format_duration(seconds: f64) -> String {
    let s = seconds.round() as u64;
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::{Figures, fit, format_duration};

    #[test]
    fn the_line_fits_the_width_it_is_given() {
        let figures = Figures {
            done: 12_000,
            total: 20_000,
            smooth_loss: 52.123,
            rate: 8123.0,
            eta: "1m05s".to_string(),
        };
        assert_eq!(
            fit(&figures, 80),
            "12000/20000  loss 52.123  8123 it/s  ETA 1m05s"
        );
        assert_eq!(fit(&figures, 40), "12000/20000 loss 52.123 ETA 1m05s");
        assert_eq!(fit(&figures, 30), "12000/20000 ETA 1m05s");
        assert_eq!(fit(&figures, 15), "12000/20000");
        assert_eq!(fit(&figures, 5), "");
        for columns in 1..100 {
            assert!(
                fit(&figures, columns).chars().count() < columns,
                "{columns}"
            );
        }
    }

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(format_duration(9.4), "9s");
        assert_eq!(format_duration(75.0), "1m15s");
        assert_eq!(format_duration(3725.0), "1h02m");
    }
}
