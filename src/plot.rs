//! A loss curve as an SVG picture, written by hand with `std`: no plotting library, just
//! text in the SVG format that every browser draws.
//!
//! A [`Chart`] is a title, two axis labels and a few [`Series`] of `(x, y)` points.
//! [`Chart::to_svg`] maps the data onto a fixed 800 × 500 canvas:
//!
//! ```text
//! px = left + (x − x_min) / (x_max − x_min) · width        x grows to the right
//! py = top  + (y_max − y) / (y_max − y_min) · height       y grows *up*, SVG's y grows down
//! ```
//!
//! and draws grid lines at round numbers ([`nice_ticks`]: steps of 1, 2 or 5 times a power of
//! ten), the axes' labels, the title, a legend and one polyline per series. Every piece of
//! text goes through [`escape_xml`] first, so a file name such as `tom & jerry.txt` cannot
//! break the XML.
//!
//! A [`Figure`] is a chart with [`Panel`]s stacked below it, all on the chart's horizontal
//! axis: `min-char-rnn train --monitor` draws each parameter's gradient norm and
//! update-to-weight ratio that way (see [`monitor`](crate::monitor)). A panel may have a
//! logarithmic vertical axis, a reference line, dashed lines and circled points. A figure
//! without panels is exactly its chart, byte for byte.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// The canvas size, in SVG user units (pixels when shown at 100%).
const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 500.0;
/// The margins around the plotting area, room for the title, ticks and labels.
const LEFT: f64 = 80.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 60.0;
const BOTTOM: f64 = 70.0;
/// The colours of the series, in order (blue, red, green, purple), then again.
const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
/// The colours of a [`Panel`]'s lines, in order: the Okabe–Ito palette (blue, orange, bluish
/// green, vermillion, reddish purple, sky blue, black), chosen to stay distinct for readers
/// with the common kinds of colour blindness.
const PANEL_COLOURS: [&str; 7] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000",
];
/// The height of each [`Panel`] below a chart; its plotting area has the chart's margins.
const PANEL_HEIGHT: f64 = 420.0;
/// Where the legend row of a panel sits, between its title and its plotting area.
const PANEL_LEGEND_Y: f64 = 46.0;

/// The comment on the third line of every plot [`Chart::to_svg`] draws: how
/// [`is_loss_plot`] knows a file that a new plot may replace from a picture of the user's.
pub const MARK: &str = "<!-- a loss plot drawn by min-char-rnn -->";

/// Whether `head`, the first bytes of a file (a kilobyte is plenty), is a plot drawn by
/// [`Chart::to_svg`]: an XML declaration, then [`MARK`] within the first three lines.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::{Chart, is_loss_plot};
/// let chart = Chart {
///     title: "t".to_string(),
///     x_label: "x".to_string(),
///     y_label: "y".to_string(),
///     series: vec![],
/// };
/// assert!(is_loss_plot(chart.to_svg().as_bytes()));
/// assert!(!is_loss_plot(b"<?xml version=\"1.0\"?>\n<svg>my drawing</svg>\n"));
/// ```
pub fn is_loss_plot(head: &[u8]) -> bool {
    let mut lines = head.split(|&b| b == b'\n');
    let declaration = lines.next().unwrap_or_default();
    declaration.starts_with(b"<?xml") && lines.take(2).any(|line| line == MARK.as_bytes())
}

/// One named line of `(x, y)` points.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::Series;
/// let series = Series::new("training", vec![(0.0, 4.2), (100.0, 3.9)]);
/// assert_eq!(series.points.len(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The name shown in the legend.
    pub name: String,
    /// The points, in the order they are joined.
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series called `name` through `points`.
    ///
    /// # Examples
    ///
    /// ```
    /// let s = min_char_rnn::plot::Series::new("validation", vec![(0.0, 1.0)]);
    /// assert_eq!(s.name, "validation");
    /// ```
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// A line chart: title, axis labels, series.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::{Chart, Series};
/// let chart = Chart {
///     title: "Loss".to_string(),
///     x_label: "iteration".to_string(),
///     y_label: "loss per character".to_string(),
///     series: vec![Series::new("training", vec![(0.0, 4.2), (1000.0, 2.5)])],
/// };
/// let svg = chart.to_svg();
/// assert!(svg.starts_with("<?xml"));
/// assert!(svg.contains("<polyline"));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// Shown centred above the plot.
    pub title: String,
    /// Shown below the horizontal axis.
    pub x_label: String,
    /// Shown, turned, left of the vertical axis.
    pub y_label: String,
    /// The lines, drawn in order, each in its own colour.
    pub series: Vec<Series>,
}

/// Round numbers from at or below `min` to at or above `max`, about `count` steps apart: the
/// step is 1, 2 or 5 times a power of ten, the first tick a multiple of it.
///
/// An empty or inverted range is widened around its value, so there are always at least
/// two ticks. Non-finite input gives `[0, 1]`.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::nice_ticks;
/// assert_eq!(nice_ticks(0.0, 19_900.0, 5), [0.0, 5000.0, 10000.0, 15000.0, 20000.0]);
/// assert_eq!(nice_ticks(2.13, 4.26, 5), [2.0, 2.5, 3.0, 3.5, 4.0, 4.5]);
/// assert_eq!(nice_ticks(3.0, 3.0, 4), [2.0, 2.5, 3.0, 3.5, 4.0]); // a flat line, widened
/// assert_eq!(nice_ticks(-1e308, 1e308, 5), [-1e308, 1e308]); // too wide for round steps
/// ```
// ANCHOR: nice_ticks
pub fn nice_ticks(min: f64, max: f64, count: usize) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) {
        return vec![0.0, 1.0];
    }
    let (mut min, mut max) = (min.min(max), min.max(max));
    if max - min < 1e-12 * max.abs().max(1.0) {
        let pad = (min.abs() * 0.1).max(1.0); // a flat line: show it in the middle
        min -= pad;
        max += pad;
    }
    let step = nice_step((max - min) / count.max(1) as f64);
    if !step.is_finite() {
        return vec![min, max]; // a range beyond f64 (such as −1e308 to 1e308): no round steps
    }
    let first = (min / step).floor() as i64;
    let last = (max / step).ceil() as i64;
    let mut ticks = Vec::new();
    for k in first..=last {
        ticks.push(round_to_step(k as f64 * step, step));
    }
    if ticks.len() < 2 {
        return vec![min, max];
    }
    ticks
}
// ANCHOR_END: nice_ticks

/// The smallest of `1, 2, 5, 10` times a power of ten that is at least `raw`.
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let normalised = raw / magnitude; // in [1, 10)
    let nice = if normalised <= 1.0 {
        1.0
    } else if normalised <= 2.0 {
        2.0
    } else if normalised <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// `x` without the binary rounding noise of `k · step` (`0.30000000000000004` → `0.3`).
fn round_to_step(x: f64, step: f64) -> f64 {
    let decimals = decimals_for(step);
    let scale = 10f64.powi(decimals as i32);
    (x * scale).round() / scale
}

/// How many decimals a tick label needs for ticks `step` apart.
fn decimals_for(step: f64) -> usize {
    let d = -step.log10().floor();
    if d > 0.0 { d as usize } else { 0 }
}

/// `text` with the five characters XML gives a meaning escaped (`&` → `&amp;`, `<` → `&lt;`,
/// `>` → `&gt;`, `"` → `&quot;`, `'` → `&apos;`), and control characters other than tab and
/// newline dropped (XML 1.0 does not allow them at all).
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::escape_xml;
/// assert_eq!(escape_xml("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
/// ```
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(ch),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

impl Chart {
    /// The chart as a complete SVG document. Points that are not finite are left out.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::plot::{Chart, Series};
    /// let chart = Chart {
    ///     title: "R&D".to_string(),
    ///     x_label: "x".to_string(),
    ///     y_label: "y".to_string(),
    ///     series: vec![Series::new("a", vec![(0.0, 1.0), (1.0, f64::NAN), (2.0, 0.5)])],
    /// };
    /// let svg = chart.to_svg();
    /// assert!(svg.contains(">R&amp;D</text>"));
    /// assert!(svg.trim_end().ends_with("</svg>"));
    /// ```
    // ANCHOR: to_svg
    pub fn to_svg(&self) -> String {
        let points: Vec<Vec<(f64, f64)>> = self
            .series
            .iter()
            .map(|s| {
                s.points
                    .iter()
                    .copied()
                    .filter(|(x, y)| x.is_finite() && y.is_finite())
                    .collect()
            })
            .collect();
        let (x_ticks, y_ticks) = ticks_for(&points);
        let frame = Frame::new(&x_ticks, &y_ticks);

        let mut svg = String::new();
        let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(svg, "{MARK}");
        let _ = writeln!(
            svg,
            r#"<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="white"/>"#
        );
        self.write_title_and_labels(&mut svg);
        frame.write_grid(&mut svg, &x_ticks, &y_ticks);
        let mut any = false;
        for (k, series) in points.iter().enumerate() {
            any |= !series.is_empty();
            frame.write_series(&mut svg, series, COLOURS[k % COLOURS.len()]);
        }
        if any {
            self.write_legend(&mut svg);
        } else {
            let (cx, cy) = (LEFT + frame.width / 2.0, TOP + frame.height / 2.0);
            let _ = writeln!(
                svg,
                r##"<text x="{cx}" y="{cy}" text-anchor="middle" fill="#666">no data yet</text>"##
            );
        }
        svg.push_str("</svg>\n");
        svg
    }
    // ANCHOR_END: to_svg

    /// Writes [`Chart::to_svg`] to `path` atomically (see
    /// [`write_atomic`](crate::checkpoint::write_atomic)).
    ///
    /// # Errors
    ///
    /// Any I/O error; `path` is then untouched.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::plot::{Chart, Series};
    /// let chart = Chart {
    ///     title: "t".to_string(),
    ///     x_label: "x".to_string(),
    ///     y_label: "y".to_string(),
    ///     series: vec![Series::new("s", vec![(0.0, 1.0), (1.0, 2.0)])],
    /// };
    /// let path = std::env::temp_dir().join(format!("doc-plot-{}.svg", std::process::id()));
    /// chart.save(&path)?;
    /// assert!(std::fs::read_to_string(&path)?.contains("<svg"));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        crate::checkpoint::write_atomic(path.as_ref(), self.to_svg().as_bytes())
    }

    fn write_title_and_labels(&self, svg: &mut String) {
        let plot_width = WIDTH - LEFT - RIGHT;
        let plot_height = HEIGHT - TOP - BOTTOM;
        let (cx, cy) = (LEFT + plot_width / 2.0, TOP + plot_height / 2.0);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="32" text-anchor="middle" font-size="18" font-weight="bold">{}</text>"#,
            WIDTH / 2.0,
            escape_xml(&self.title)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{cx}" y="{}" text-anchor="middle">{}</text>"#,
            HEIGHT - 22.0,
            escape_xml(&self.x_label)
        );
        let _ = writeln!(
            svg,
            r#"<text x="22" y="{cy}" text-anchor="middle" transform="rotate(-90 22 {cy})">{}</text>"#,
            escape_xml(&self.y_label)
        );
    }

    fn write_legend(&self, svg: &mut String) {
        let longest = self
            .series
            .iter()
            .map(|s| s.name.chars().count())
            .max()
            .unwrap_or(0);
        let box_width = 48.0 + 7.5 * longest as f64; // about 7.5 units per character
        let box_height = 10.0 + 20.0 * self.series.len() as f64;
        let x = WIDTH - RIGHT - box_width - 10.0;
        let y = TOP + 10.0;
        let _ = writeln!(
            svg,
            r##"<rect x="{x}" y="{y}" width="{box_width}" height="{box_height}" fill="white" fill-opacity="0.85" stroke="#999"/>"##
        );
        for (k, series) in self.series.iter().enumerate() {
            let row = y + 15.0 + 20.0 * k as f64;
            let colour = COLOURS[k % COLOURS.len()];
            let _ = writeln!(
                svg,
                r#"<line x1="{}" y1="{row}" x2="{}" y2="{row}" stroke="{colour}" stroke-width="2.5"/>"#,
                x + 8.0,
                x + 32.0
            );
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{}">{}</text>"#,
                x + 40.0,
                row + 4.5,
                escape_xml(&series.name)
            );
        }
    }
}

/// One line of a [`Panel`]: a series, solid or dashed, with some of its points circled.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::{Line, Series};
/// let line = Line::new(Series::new("b_h", vec![(0.0, 1.0), (100.0, 0.5)])).dashed();
/// assert!(line.dashed && line.marks.is_empty());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// The points, and the name shown in the legend.
    pub series: Series,
    /// Drawn dashed rather than solid: a cue besides the colour.
    pub dashed: bool,
    /// Points to circle, in the line's colour: where something happened.
    pub marks: Vec<(f64, f64)>,
}

impl Line {
    /// A solid line through `series`, nothing circled.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::plot::{Line, Series};
    /// let line = Line::new(Series::new("w_xh", vec![(0.0, 2.0)]));
    /// assert!(!line.dashed);
    /// ```
    pub fn new(series: Series) -> Line {
        Line {
            series,
            dashed: false,
            marks: Vec::new(),
        }
    }

    /// The same line, dashed.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::plot::{Line, Series};
    /// assert!(Line::new(Series::new("b_y", vec![])).dashed().dashed);
    /// ```
    pub fn dashed(self) -> Line {
        Line {
            dashed: true,
            ..self
        }
    }
}

/// A horizontal line across a [`Panel`] at a value worth comparing the lines with, drawn as a
/// grey band.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::Reference;
/// let healthy = Reference { y: 1e-3, label: "1e−3".to_string() };
/// assert_eq!(healthy.y, 0.001);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// Where the band is, in data units.
    pub y: f64,
    /// What it stands for, shown in the legend.
    pub label: String,
}

/// A plot stacked below a [`Chart`] in a [`Figure`]: its own title, vertical axis, lines and
/// legend (one row, above the plotting area), on the chart's horizontal axis.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::{Line, Panel, Reference, Series};
/// let panel = Panel {
///     title: "Update-to-weight ratio".to_string(),
///     y_label: "‖Δw‖ / ‖w‖".to_string(),
///     log_y: true,
///     lines: vec![Line::new(Series::new("w_hh", vec![(0.0, 0.1), (100.0, 0.002)]))],
///     mark_label: String::new(),
///     reference: Some(Reference { y: 1e-3, label: "1e−3".to_string() }),
/// };
/// assert_eq!(panel.lines.len(), 1);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Panel {
    /// Shown above the panel.
    pub title: String,
    /// Shown, turned, left of the vertical axis.
    pub y_label: String,
    /// A logarithmic vertical axis, with a tick at each power of ten. Values that are not
    /// above 0 cannot be shown on it and are left out.
    pub log_y: bool,
    /// The lines, each in its own colour (a palette that stays distinct for colour-blind
    /// readers), drawn in order.
    pub lines: Vec<Line>,
    /// What a circled point means, for the legend; empty for no legend entry.
    pub mark_label: String,
    /// A value to compare with, drawn across the panel.
    pub reference: Option<Reference>,
}

/// A [`Chart`] with [`Panel`]s stacked below it, all on one horizontal axis, in one SVG.
///
/// # Examples
///
/// ```
/// use min_char_rnn::plot::{Chart, Figure, Line, Panel, Series};
/// let chart = Chart {
///     title: "Loss".to_string(),
///     x_label: "iteration".to_string(),
///     y_label: "loss".to_string(),
///     series: vec![Series::new("training", vec![(0.0, 4.2), (100.0, 3.9)])],
/// };
/// let alone = Figure { chart: chart.clone(), panels: vec![] };
/// assert_eq!(alone.to_svg(), chart.to_svg()); // no panels: the chart, byte for byte
/// let panel = Panel {
///     title: "Gradient norm".to_string(),
///     y_label: "‖g‖".to_string(),
///     log_y: true,
///     lines: vec![Line::new(Series::new("w_xh", vec![(0.0, 3.0), (100.0, 1.5)]))],
///     mark_label: String::new(),
///     reference: None,
/// };
/// let figure = Figure { chart, panels: vec![panel] };
/// let svg = figure.to_svg();
/// assert!(svg.contains(">Gradient norm</text>"));
/// assert_eq!(svg.matches("<polyline").count(), 2);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The chart at the top.
    pub chart: Chart,
    /// The panels below it, top to bottom.
    pub panels: Vec<Panel>,
}

impl Figure {
    /// The figure as one SVG document: the chart, then each panel below it, 800 wide. The
    /// horizontal axis covers every point of the chart and the panels, so that one
    /// iteration is at the same place in all of them. Points that cannot be drawn (not
    /// finite, or not above 0 on a logarithmic axis) are left out. Without panels, this is
    /// [`Chart::to_svg`].
    pub fn to_svg(&self) -> String {
        if self.panels.is_empty() {
            return self.chart.to_svg();
        }
        let chart_points: Vec<Vec<(f64, f64)>> = self
            .chart
            .series
            .iter()
            .map(|s| drawable(&s.points, false))
            .collect();
        let panel_points: Vec<Vec<Vec<(f64, f64)>>> = self
            .panels
            .iter()
            .map(|p| {
                let lines = p.lines.iter();
                lines.map(|l| drawable(&l.series.points, p.log_y)).collect()
            })
            .collect();
        let mut every_point = chart_points.concat();
        for lines in &panel_points {
            every_point.extend(lines.concat());
        }
        let (x_ticks, _) = ticks_for(&[every_point]);
        let (_, y_ticks) = ticks_for(&chart_points);

        let height = HEIGHT + PANEL_HEIGHT * self.panels.len() as f64;
        let mut svg = String::new();
        let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="13">"#
        );
        let _ = writeln!(svg, "{MARK}");
        let _ = writeln!(
            svg,
            r#"<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="white"/>"#
        );
        self.write_chart(&mut svg, &chart_points, &x_ticks, &y_ticks);
        for (k, (panel, points)) in self.panels.iter().zip(&panel_points).enumerate() {
            let top = HEIGHT + PANEL_HEIGHT * k as f64;
            let _ = writeln!(svg, r#"<g transform="translate(0 {top})">"#);
            panel.write(&mut svg, points, &x_ticks);
            svg.push_str("</g>\n");
        }
        svg.push_str("</svg>\n");
        svg
    }

    /// Writes [`Figure::to_svg`] to `path` atomically (see
    /// [`write_atomic`](crate::checkpoint::write_atomic)), as [`Chart::save`] does.
    ///
    /// # Errors
    ///
    /// Any I/O error; `path` is then untouched.
    pub fn save(&self, path: impl AsRef<Path>) -> io::Result<()> {
        crate::checkpoint::write_atomic(path.as_ref(), self.to_svg().as_bytes())
    }

    /// The chart's part of the figure, as [`Chart::to_svg`] draws it, on the figure's
    /// horizontal axis.
    fn write_chart(
        &self,
        svg: &mut String,
        points: &[Vec<(f64, f64)>],
        x_ticks: &[f64],
        y_ticks: &[f64],
    ) {
        let chart = &self.chart;
        let frame = Frame::new(x_ticks, y_ticks);
        chart.write_title_and_labels(svg);
        frame.write_grid(svg, x_ticks, y_ticks);
        for (k, series) in points.iter().enumerate() {
            frame.write_series(svg, series, COLOURS[k % COLOURS.len()]);
        }
        if points.iter().any(|p| !p.is_empty()) {
            chart.write_legend(svg);
        } else {
            frame.write_no_data(svg);
        }
    }
}

impl Panel {
    /// The panel, drawn from its top left corner at (0, 0); `points` are its lines' points
    /// as [`drawable`] gives them.
    fn write(&self, svg: &mut String, points: &[Vec<(f64, f64)>], x_ticks: &[f64]) {
        let reference = self.reference.as_ref().and_then(|r| {
            let y = drawable(&[(0.0, r.y)], self.log_y);
            y.first().map(|&(_, y)| y)
        });
        let y_ticks = self.y_ticks(points, reference);
        let frame = Frame::panel(x_ticks, &y_ticks, self.log_y);
        let (cx, cy) = (LEFT + frame.width / 2.0, TOP + frame.height / 2.0);
        let _ = writeln!(
            svg,
            r##"<line x1="0" y1="0" x2="{WIDTH}" y2="0" stroke="#bbb"/>"##
        );
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="26" text-anchor="middle" font-size="16" font-weight="bold">{}</text>"#,
            WIDTH / 2.0,
            escape_xml(&self.title)
        );
        let _ = writeln!(
            svg,
            r#"<text x="{cx}" y="{}" text-anchor="middle">iteration</text>"#,
            PANEL_HEIGHT - 22.0
        );
        let _ = writeln!(
            svg,
            r#"<text x="22" y="{cy}" text-anchor="middle" transform="rotate(-90 22 {cy})">{}</text>"#,
            escape_xml(&self.y_label)
        );
        if self.log_y {
            frame.write_minor_grid(svg, &y_ticks);
        }
        frame.write_grid(svg, x_ticks, &y_ticks);
        if let Some(y) = reference {
            let (_, py) = frame.to_canvas(frame.x_range.0, y);
            let _ = writeln!(svg, "{}", reference_band(LEFT, LEFT + frame.width, py));
        }
        for (k, (line, points)) in self.lines.iter().zip(points).enumerate() {
            let colour = PANEL_COLOURS[k % PANEL_COLOURS.len()];
            let style = if line.dashed { DASHED } else { "" };
            frame.write_styled_series(svg, points, colour, style);
        }
        for (k, line) in self.lines.iter().enumerate() {
            let colour = PANEL_COLOURS[k % PANEL_COLOURS.len()];
            for (x, y) in drawable(&line.marks, self.log_y) {
                let (px, py) = frame.to_canvas(x, y);
                let _ = writeln!(
                    svg,
                    r#"<circle cx="{px:.2}" cy="{py:.2}" r="4" fill="white" stroke="{colour}" stroke-width="1.5"/>"#
                );
            }
        }
        if points.iter().all(|p| p.is_empty()) {
            frame.write_no_data(svg);
        }
        self.write_legend(svg);
    }

    /// Ticks for the vertical axis, covering every point and the reference line: powers of
    /// ten on a logarithmic axis (the values are already `log₁₀`), round numbers otherwise.
    fn y_ticks(&self, points: &[Vec<(f64, f64)>], reference: Option<f64>) -> Vec<f64> {
        let (mut min, mut max) = (f64::INFINITY, f64::NEG_INFINITY);
        for &(_, y) in points.iter().flatten() {
            min = min.min(y);
            max = max.max(y);
        }
        if let Some(y) = reference {
            min = min.min(y);
            max = max.max(y);
        }
        match (min <= max, self.log_y) {
            (false, _) => vec![0.0, 1.0],
            (true, true) => log_ticks(min, max),
            (true, false) => nice_ticks(min, max, 4),
        }
    }

    /// The legend, one row between the title and the plotting area: each line's colour and
    /// dash with its name, then the circle and the reference band with what they mean.
    fn write_legend(&self, svg: &mut String) {
        let row = PANEL_LEGEND_Y;
        let mut x = LEFT;
        for (k, line) in self.lines.iter().enumerate() {
            let colour = PANEL_COLOURS[k % PANEL_COLOURS.len()];
            let style = if line.dashed { DASHED } else { "" };
            let swatch = format!(
                r#"<line x1="{x}" y1="{row}" x2="{}" y2="{row}" stroke="{colour}" stroke-width="2.5"{style}/>"#,
                x + 24.0
            );
            x = legend_entry(svg, x, &swatch, &line.series.name);
        }
        if !self.mark_label.is_empty() {
            let swatch = format!(
                r##"<circle cx="{}" cy="{row}" r="4" fill="white" stroke="#444" stroke-width="1.5"/>"##,
                x + 12.0
            );
            x = legend_entry(svg, x, &swatch, &self.mark_label);
        }
        if let Some(reference) = &self.reference {
            let swatch = reference_band(x, x + 24.0, row);
            legend_entry(svg, x, &swatch, &reference.label);
        }
    }
}

/// One entry of a panel's legend at `x`: its swatch (24 wide), then `text`. Returns where
/// the next entry starts (about 7.5 units per character of text).
fn legend_entry(svg: &mut String, x: f64, swatch: &str, text: &str) -> f64 {
    let _ = writeln!(
        svg,
        r#"{swatch}<text x="{}" y="{}">{}</text>"#,
        x + 30.0,
        PANEL_LEGEND_Y + 4.5,
        escape_xml(text)
    );
    x + 30.0 + 7.5 * text.chars().count() as f64 + 16.0
}

/// The dash pattern of a dashed [`Line`], as polyline attributes.
const DASHED: &str = r#" stroke-dasharray="7 4""#;

/// A [`Reference`] line from `x1` to `x2` at height `y`: a light grey band with a thin
/// darker line along its middle.
fn reference_band(x1: f64, x2: f64, y: f64) -> String {
    format!(
        r##"<line x1="{x1}" y1="{y:.2}" x2="{x2}" y2="{y:.2}" stroke="#999" stroke-opacity="0.35" stroke-width="10"/><line x1="{x1}" y1="{y:.2}" x2="{x2}" y2="{y:.2}" stroke="#555" stroke-width="1"/>"##
    )
}

/// The points of a line that can be drawn, in the frame's units: the finite ones, and on a
/// logarithmic axis (`log_y`) only those above 0, as `(x, log₁₀ y)`.
fn drawable(points: &[(f64, f64)], log_y: bool) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len());
    for &(x, y) in points {
        if !(x.is_finite() && y.is_finite()) {
            continue;
        }
        if !log_y {
            out.push((x, y));
        } else if y > 0.0 {
            out.push((x, y.log10()));
        }
    }
    out
}

/// Ticks for a logarithmic axis whose values (`log₁₀` of the data) run from `min` to `max`:
/// whole powers of ten around them, every power when there are up to ten, fewer beyond.
fn log_ticks(min: f64, max: f64) -> Vec<f64> {
    if !(min.is_finite() && max.is_finite()) {
        return vec![0.0, 1.0];
    }
    let (mut lo, mut hi) = (min.floor(), max.ceil());
    if hi <= lo {
        // a flat line at a power of ten: one decade either side
        lo -= 1.0;
        hi += 1.0;
    }
    let step = ((hi - lo) / 10.0).ceil();
    let mut ticks = vec![lo];
    while ticks[ticks.len() - 1] < hi {
        ticks.push(ticks[ticks.len() - 1] + step);
    }
    ticks
}

/// `10` raised to the whole number `exponent`, as a tick label: `10⁻³`.
fn power_of_ten(exponent: f64) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let e = exponent.round() as i64;
    let mut text = String::from("10");
    if e < 0 {
        text.push('⁻');
    }
    for digit in e.unsigned_abs().to_string().bytes() {
        text.push(DIGITS[usize::from(digit - b'0')]);
    }
    text
}

/// Ticks for both axes, covering every point (or `[0, 1]` without points).
fn ticks_for(series: &[Vec<(f64, f64)>]) -> (Vec<f64>, Vec<f64>) {
    let (mut x_min, mut x_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y_min, mut y_max) = (f64::INFINITY, f64::NEG_INFINITY);
    for points in series {
        for &(x, y) in points {
            x_min = x_min.min(x);
            x_max = x_max.max(x);
            y_min = y_min.min(y);
            y_max = y_max.max(y);
        }
    }
    if x_min > x_max {
        return (vec![0.0, 1.0], vec![0.0, 1.0]);
    }
    (nice_ticks(x_min, x_max, 5), nice_ticks(y_min, y_max, 5))
}

/// Where `v` lies between `lo` (0) and `hi` (1). The halves keep `hi − lo` finite even for a
/// range such as −1e308 to 1e308 (halving an `f64` is exact).
fn fraction(v: f64, lo: f64, hi: f64) -> f64 {
    let t = (v * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
    if t.is_finite() { t } else { 0.0 }
}

/// A tick label: `decimals` after the point, or `1.5e7` style for very large or small values.
fn label(value: f64, decimals: usize) -> String {
    let size = value.abs();
    if size >= 1e7 || (size > 0.0 && size < 1e-4) {
        format!("{value:e}")
    } else {
        format!("{value:.decimals$}")
    }
}

/// The plotting area and the data ranges its edges stand for.
struct Frame {
    width: f64,
    height: f64,
    x_range: (f64, f64),
    y_range: (f64, f64),
    /// The y values are `log₁₀` of the data: label the ticks as powers of ten.
    log_y: bool,
}

impl Frame {
    fn new(x_ticks: &[f64], y_ticks: &[f64]) -> Frame {
        let first_last = |t: &[f64]| (t[0], t[t.len() - 1]);
        Frame {
            width: WIDTH - LEFT - RIGHT,
            height: HEIGHT - TOP - BOTTOM,
            x_range: first_last(x_ticks),
            y_range: first_last(y_ticks),
            log_y: false,
        }
    }

    /// The plotting area of a [`Panel`]: the chart's margins, a panel's height.
    fn panel(x_ticks: &[f64], y_ticks: &[f64], log_y: bool) -> Frame {
        Frame {
            height: PANEL_HEIGHT - TOP - BOTTOM,
            log_y,
            ..Frame::new(x_ticks, y_ticks)
        }
    }

    /// Data coordinates → canvas coordinates.
    // ANCHOR: to_canvas
    fn to_canvas(&self, x: f64, y: f64) -> (f64, f64) {
        let (x0, x1) = self.x_range;
        let (y0, y1) = self.y_range;
        let px = LEFT + fraction(x, x0, x1) * self.width;
        let py = TOP + (1.0 - fraction(y, y0, y1)) * self.height; // SVG's y axis points down
        (px, py)
    }
    // ANCHOR_END: to_canvas

    /// "no data yet", in the middle of the plotting area.
    fn write_no_data(&self, svg: &mut String) {
        let (cx, cy) = (LEFT + self.width / 2.0, TOP + self.height / 2.0);
        let _ = writeln!(
            svg,
            r##"<text x="{cx}" y="{cy}" text-anchor="middle" fill="#666">no data yet</text>"##
        );
    }

    /// Faint lines at 2, 3, … 9 times each power of ten of a logarithmic axis whose ticks
    /// are one decade apart.
    fn write_minor_grid(&self, svg: &mut String, y_ticks: &[f64]) {
        if y_ticks.len() < 2 || y_ticks[1] - y_ticks[0] != 1.0 {
            return;
        }
        let right = LEFT + self.width;
        for &decade in &y_ticks[..y_ticks.len() - 1] {
            for m in 2..10 {
                let (_, py) = self.to_canvas(self.x_range.0, decade + f64::from(m).log10());
                let _ = writeln!(
                    svg,
                    r##"<line x1="{LEFT}" y1="{py:.2}" x2="{right}" y2="{py:.2}" stroke="#f3f3f3"/>"##
                );
            }
        }
    }

    fn write_grid(&self, svg: &mut String, x_ticks: &[f64], y_ticks: &[f64]) {
        let bottom = TOP + self.height;
        let right = LEFT + self.width;
        let x_decimals = decimals_for(x_ticks[1] - x_ticks[0]);
        for &x in x_ticks {
            let (px, _) = self.to_canvas(x, self.y_range.0);
            let _ = writeln!(
                svg,
                r##"<line x1="{px:.2}" y1="{TOP}" x2="{px:.2}" y2="{bottom}" stroke="#e4e4e4"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{px:.2}" y="{}" text-anchor="middle">{}</text>"#,
                bottom + 20.0,
                label(x, x_decimals)
            );
        }
        let y_decimals = decimals_for(y_ticks[1] - y_ticks[0]);
        for &y in y_ticks {
            let (_, py) = self.to_canvas(self.x_range.0, y);
            let _ = writeln!(
                svg,
                r##"<line x1="{LEFT}" y1="{py:.2}" x2="{right}" y2="{py:.2}" stroke="#e4e4e4"/>"##
            );
            let text = if self.log_y {
                power_of_ten(y)
            } else {
                label(y, y_decimals)
            };
            let _ = writeln!(
                svg,
                r#"<text x="{}" y="{:.2}" text-anchor="end">{}</text>"#,
                LEFT - 8.0,
                py + 4.5,
                text
            );
        }
        let _ = writeln!(
            svg,
            r#"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="none" stroke="black"/>"#,
            self.width, self.height
        );
    }

    fn write_series(&self, svg: &mut String, points: &[(f64, f64)], colour: &str) {
        self.write_styled_series(svg, points, colour, "");
    }

    /// A series as [`Frame::write_series`] draws it, with `style` (more attributes, such as
    /// a dash pattern, each preceded by a space) added to its polyline.
    fn write_styled_series(
        &self,
        svg: &mut String,
        points: &[(f64, f64)],
        colour: &str,
        style: &str,
    ) {
        if points.len() == 1 {
            let (px, py) = self.to_canvas(points[0].0, points[0].1);
            let _ = writeln!(
                svg,
                r#"<circle cx="{px:.2}" cy="{py:.2}" r="3" fill="{colour}"/>"#
            );
            return;
        }
        if points.is_empty() {
            return;
        }
        svg.push_str("<polyline fill=\"none\" stroke=\"");
        svg.push_str(colour);
        svg.push_str("\" stroke-width=\"2\" stroke-linejoin=\"round\"");
        svg.push_str(style);
        svg.push_str(" points=\"");
        for (k, &(x, y)) in points.iter().enumerate() {
            let (px, py) = self.to_canvas(x, y);
            if k > 0 {
                svg.push(' ');
            }
            let _ = write!(svg, "{px:.2},{py:.2}");
        }
        svg.push_str("\"/>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(points: Vec<(f64, f64)>) -> Chart {
        Chart {
            title: "t".to_string(),
            x_label: "x".to_string(),
            y_label: "y".to_string(),
            series: vec![Series::new("s", points)],
        }
    }

    #[test]
    fn degenerate_and_extreme_data_still_make_a_picture() {
        let cases = [
            vec![],
            vec![(5.0, 2.0)],
            vec![(0.0, 1.0), (0.0, 1.0)],
            vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
            vec![(0.0, -1e308), (1.0, 1e308)],
            vec![(1e15, 1e-300), (1e15 + 1.0, 2e-300)],
        ];
        for points in cases {
            let svg = chart(points.clone()).to_svg();
            assert!(svg.trim_end().ends_with("</svg>"), "{points:?}");
            assert!(
                !svg.contains("NaN") && !svg.contains("inf"),
                "{points:?}:\n{svg}"
            );
        }
    }

    fn figure(panel_points: Vec<(f64, f64)>, log_y: bool) -> Figure {
        let line = Line {
            series: Series::new("p", panel_points.clone()),
            dashed: true,
            marks: panel_points,
        };
        Figure {
            chart: chart(vec![(0.0, 1.0), (10.0, 0.5)]),
            panels: vec![Panel {
                title: "panel".to_string(),
                y_label: "y".to_string(),
                log_y,
                lines: vec![line],
                mark_label: "marked".to_string(),
                reference: Some(Reference {
                    y: 1e-3,
                    label: "reference".to_string(),
                }),
            }],
        }
    }

    #[test]
    fn panels_with_degenerate_data_still_make_a_picture() {
        let cases = [
            vec![],
            vec![(5.0, 2.0)],
            vec![(0.0, 0.0), (1.0, -1.0)], // nothing above 0: nothing on a log axis
            vec![(0.0, f64::INFINITY), (1.0, f64::NAN), (2.0, 1e-3)],
            vec![(0.0, 1e-300), (1.0, 1e300)],
            vec![(0.0, 1e-3), (1.0, 1e-3)],
        ];
        for points in cases {
            for log_y in [true, false] {
                let svg = figure(points.clone(), log_y).to_svg();
                assert!(svg.trim_end().ends_with("</svg>"), "{points:?}");
                assert!(
                    !svg.contains("NaN") && !svg.contains("inf"),
                    "{points:?}:\n{svg}"
                );
                assert_eq!(svg.matches("<g ").count(), 1);
            }
        }
    }

    #[test]
    fn a_figure_without_panels_is_its_chart() {
        let chart = chart(vec![(0.0, 1.0), (10.0, 0.5)]);
        let panels = Vec::new();
        let figure = Figure { chart, panels };
        assert_eq!(figure.to_svg(), figure.chart.to_svg());
    }

    #[test]
    fn log_ticks_are_powers_of_ten_around_the_data() {
        assert_eq!(
            log_ticks(-3.2, 1.1),
            [-4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0]
        );
        assert_eq!(log_ticks(-3.0, -3.0), [-4.0, -3.0, -2.0]); // a flat line at 10⁻³
        assert_eq!(log_ticks(f64::NAN, 1.0), [0.0, 1.0]);
        let wide = log_ticks(-300.0, 300.0);
        assert!(wide.len() <= 12 && wide[0] <= -300.0 && wide[wide.len() - 1] >= 300.0);
        assert_eq!(power_of_ten(-3.0), "10⁻³");
        assert_eq!(power_of_ten(0.0), "10⁰");
        assert_eq!(power_of_ten(12.0), "10¹²");
    }

    #[test]
    fn only_drawable_points_reach_a_log_axis() {
        let points = [(0.0, 100.0), (1.0, 0.0), (2.0, -1.0), (3.0, f64::NAN)];
        assert_eq!(drawable(&points, true), [(0.0, 2.0)]);
        assert_eq!(drawable(&points, false).len(), 3);
    }

    #[test]
    fn ticks_are_round_and_cover_the_data() {
        for (min, max) in [(0.0, 7.0), (0.013, 0.0171), (-3.2, 41.0), (1234.0, 98765.0)] {
            let ticks = nice_ticks(min, max, 5);
            assert!(ticks[0] <= min && *ticks.last().unwrap_or(&0.0) >= max);
            assert!((2..=12).contains(&ticks.len()), "{ticks:?}");
        }
    }
}
