//! The live progress line on stderr: iteration / total, smooth loss, iterations per second and
//! the time left, redrawn in place with `\r` at most ten times a second.
//!
//! Only when stderr is a terminal: in a log file or a pipe the line would be a mess of
//! carriage returns, so there it is never drawn and nothing but plain lines is written.
//! Nothing here uses an escape sequence: the line is erased by writing spaces over it.

use std::io::{self, IsTerminal, Write};
use std::time::{Duration, Instant};

/// How often the line is redrawn.
const REDRAW_EVERY: Duration = Duration::from_millis(100);

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
        let line = format!(
            "{done}/{total}  loss {smooth_loss:.3}  {rate:.0} it/s  ETA {eta}",
            total = self.total
        );
        let width = line.chars().count();
        let padding = " ".repeat(self.shown_width.saturating_sub(width));
        let mut err = io::stderr().lock();
        let _ = write!(err, "\r{line}{padding}");
        let _ = err.flush();
        self.shown_width = width;
        self.last_drawn = Some(Instant::now());
    }
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
    use super::format_duration;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(format_duration(9.4), "9s");
        assert_eq!(format_duration(75.0), "1m15s");
        assert_eq!(format_duration(3725.0), "1h02m");
    }
}
