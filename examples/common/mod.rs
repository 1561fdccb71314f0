//! What several examples share: the way a `run` function's error ends the program, the
//! `--svg PATH` option, a figure drawn as SVG text, and the small helpers of the benchmarks
//! (the median, the machine's name, the peak memory).
//!
//! Each example that needs it says `mod common;` and compiles its own copy, so an example
//! that uses only some of it would be warned about the rest: hence the `allow` below.

#![allow(dead_code)]

use min_char_rnn::plot::escape_xml;
use std::fmt::{self, Write as _};
use std::process::ExitCode;

/// The exit of an example whose work is in a `run` function: success, or the message after
/// `error: ` on standard error and a failure code.
pub fn exit_code(result: Result<(), String>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The one option of the examples that draw a figure: nothing, or `--svg PATH`. `program`
/// names the example in the usage message that any other arguments get.
pub fn svg_option(program: &str) -> Result<Option<String>, String> {
    let mut args = std::env::args().skip(1);
    match (args.next(), args.next(), args.next()) {
        (None, _, _) => Ok(None),
        (Some(flag), Some(path), None) if flag == "--svg" => Ok(Some(path)),
        _ => Err(format!("usage: {program} [--svg PATH]")),
    }
}

/// Blue and vermillion of the Okabe–Ito palette: the two colours of a figure, distinct for
/// the common kinds of colour blindness.
pub const BLUE: &str = "#0072B2";
pub const VERMILLION: &str = "#D55E00";

/// The dash pattern of a dashed line, as an attribute to append to an element.
const DASHED: &str = r#" stroke-dasharray="9 6""#;

/// `DASHED` when `dashed`, nothing otherwise.
fn dash(dashed: bool) -> &'static str {
    if dashed { DASHED } else { "" }
}

/// A figure being written as an SVG document: a white canvas with a rectangular plotting
/// area inside its margins, and the data ranges that area's edges stand for.
///
/// The common pieces (title, grid, frame, lines, legend entries) have methods; anything
/// else is written into it with `write!`. [`Canvas::finish`] closes the document.
pub struct Canvas {
    svg: String,
    width: f64,
    /// The plotting area: its top left corner, its width and its height.
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    /// The data at the left and right edges, and at the bottom and top edges.
    x_range: (f64, f64),
    y_range: (f64, f64),
}

impl Canvas {
    /// Starts the document: the XML declaration, the `<svg>` element (`width` × `height`,
    /// sans-serif at 14), a white background. `margins` are `(left, right, top, bottom)`.
    pub fn new(
        (width, height): (f64, f64),
        (left, right, top, bottom): (f64, f64, f64, f64),
        x_range: (f64, f64),
        y_range: (f64, f64),
    ) -> Canvas {
        let mut s = String::new();
        let _ = writeln!(s, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="14">"#
        );
        let _ = writeln!(
            s,
            r#"<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>"#
        );
        Canvas {
            svg: s,
            width,
            left,
            top,
            plot_w: width - left - right,
            plot_h: height - top - bottom,
            x_range,
            y_range,
        }
    }

    /// The canvas's width.
    pub fn width(&self) -> f64 {
        self.width
    }

    /// The plotting area as `(left, top, width, height)`.
    pub fn area(&self) -> (f64, f64, f64, f64) {
        (self.left, self.top, self.plot_w, self.plot_h)
    }

    /// Where `x` lies across the canvas.
    pub fn px(&self, x: f64) -> f64 {
        let (x0, x1) = self.x_range;
        self.left + (x - x0) / (x1 - x0) * self.plot_w
    }

    /// Where `y` lies down the canvas (SVG's `y` grows down, the data's up).
    pub fn py(&self, y: f64) -> f64 {
        let (y0, y1) = self.y_range;
        self.top + (y1 - y) / (y1 - y0) * self.plot_h
    }

    /// The title, bold and centred at the top.
    pub fn title(&mut self, text: &str) {
        let _ = writeln!(
            self.svg,
            r#"<text x="{}" y="34" text-anchor="middle" font-size="18" font-weight="bold">{}</text>"#,
            self.width / 2.0,
            escape_xml(text)
        );
    }

    /// A horizontal grid line at `y`, with `label` (SVG markup, already escaped) to its left.
    pub fn y_tick(&mut self, y: f64, label: &str) {
        let (left, yp) = (self.left, self.py(y));
        let _ = writeln!(
            self.svg,
            r##"<line x1="{left}" y1="{yp:.2}" x2="{}" y2="{yp:.2}" stroke="#e0e0e0"/>"##,
            left + self.plot_w
        );
        let _ = writeln!(
            self.svg,
            r#"<text x="{}" y="{:.2}" text-anchor="end">{label}</text>"#,
            left - 8.0,
            yp + 5.0
        );
    }

    /// A vertical grid line at each of `ticks`, each labelled below the plotting area.
    pub fn x_ticks(&mut self, ticks: &[f64]) {
        let (top, bottom) = (self.top, self.top + self.plot_h);
        for &x in ticks {
            let xp = self.px(x);
            let _ = writeln!(
                self.svg,
                r##"<line x1="{xp:.2}" y1="{top}" x2="{xp:.2}" y2="{bottom}" stroke="#e0e0e0"/>"##
            );
            let _ = writeln!(
                self.svg,
                r#"<text x="{xp:.2}" y="{}" text-anchor="middle">{x}</text>"#,
                bottom + 22.0
            );
        }
    }

    /// The frame around the plotting area.
    pub fn frame(&mut self) {
        let (left, top, plot_w, plot_h) = self.area();
        let _ = writeln!(
            self.svg,
            r##"<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>"##
        );
    }

    /// A line through `points` (data units) in `colour`, dashed or solid, with `attributes`
    /// (say a clip path) added to the element.
    pub fn polyline(
        &mut self,
        points: &[(f64, f64)],
        colour: &str,
        dashed: bool,
        attributes: &str,
    ) {
        let mut at = String::new();
        for &(x, y) in points {
            let _ = write!(at, "{:.2},{:.2} ", self.px(x), self.py(y));
        }
        let _ = writeln!(
            self.svg,
            r#"<polyline points="{}" fill="none" stroke="{colour}" stroke-width="2.5"{attributes}{}/>"#,
            at.trim_end(),
            dash(dashed)
        );
    }

    /// One legend entry at `(x, y)` on the canvas: a stretch of line 42 long in `colour`,
    /// dashed or solid, then `name`.
    pub fn legend_entry(&mut self, (x, y): (f64, f64), colour: &str, dashed: bool, name: &str) {
        let _ = writeln!(
            self.svg,
            r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="2.5"{}/>"#,
            x + 42.0,
            dash(dashed)
        );
        let _ = writeln!(
            self.svg,
            r#"<text x="{}" y="{}">{}</text>"#,
            x + 52.0,
            y + 5.0,
            escape_xml(name)
        );
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.svg.push_str("</svg>\n");
        self.svg
    }
}

impl fmt::Write for Canvas {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.svg.push_str(s);
        Ok(())
    }
}

/// The median of some numbers: the middle one, or the mean of the middle two.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// How many threads the machine runs at once (1 where it cannot tell).
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// The processor's name, from `/proc/cpuinfo` where there is one, and the number of cores.
pub fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split(':').nth(1))
        .map_or("unknown CPU", str::trim);
    format!("{model}, {} cores", cores())
}

/// The peak resident size of this process in KiB (VmHWM), where Linux reports it.
pub fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// `n` and the noun, plural unless `n` is 1: "1 thread", "2 threads".
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("{n} {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
