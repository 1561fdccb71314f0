//! End-to-end tests of `min-char-rnn train --monitor` on the built binary: the plot gains a
//! panel of gradient norms and one of update-to-weight ratios, one line per parameter in
//! each; the log gains two lines per printed iteration; without the flag nothing changes,
//! byte for byte; the plot is still written atomically; both paths write the same bytes.
//!
//! Each test runs in its own directory under the system's temp directory, on a small text
//! with a small network (as `tests/cli.rs` does).

use min_char_rnn::monitor::{GRAD_NORM_TITLE, UPDATE_RATIO_TITLE};
use min_char_rnn::plot::{Chart, MARK, Series};
use min_char_rnn::{Checkpoint, Params};
use std::fs;
use std::process::{Command, Output, Stdio};

mod scratch;
use scratch::{BIN, Scratch, stderr, stdout};

/// A small network on a small text.
const SMALL: [&str; 4] = ["--hidden-size", "16", "--seq-length", "10"];

impl Scratch {
    /// Trains on the small text up to `iterations`, printing (and so monitoring) every 50
    /// iterations, into `NAME.ckpt` and (unless `extra` says `--no-plot`) `NAME.svg`.
    fn train(&self, name: &str, iterations: &str, extra: &[&str]) -> Output {
        let (checkpoint, plot) = (format!("{name}.ckpt"), format!("{name}.svg"));
        let mut args = vec!["train", "text.txt", "--iterations", iterations];
        args.extend(SMALL);
        args.extend(["--print-every", "50", "--checkpoint", &checkpoint]);
        if !extra.contains(&"--no-plot") {
            args.extend(["--plot", &plot]);
        }
        args.extend(extra);
        let out = Command::new(BIN)
            .args(&args)
            .current_dir(&self.0)
            .output()
            .expect("run the binary");
        assert!(
            out.status.success(),
            "{args:?} failed with {:?}:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        out
    }
}

/// The log without the monitor's lines.
fn without_monitor_lines(log: &str) -> String {
    let mut kept = String::new();
    for line in log.lines() {
        if !(line.contains(", grad norm: ") || line.contains(", update/weight: ")) {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

#[test]
fn monitor_adds_a_panel_per_figure_with_a_line_per_parameter() {
    let s = Scratch::new("panels");
    s.text();
    let out = s.train("m", "450", &["--monitor"]);
    let svg = s.read("m.svg");
    assert!(svg.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "));
    assert_eq!(
        svg.lines().nth(2),
        Some(MARK),
        "a plot a later run may replace"
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(&format!(">{GRAD_NORM_TITLE}</text>")), "{svg}");
    assert!(
        svg.contains(&format!(">{UPDATE_RATIO_TITLE}</text>")),
        "{svg}"
    );
    assert!(
        svg.contains(r#"height="1340""#),
        "the loss panel and two more"
    );
    // The loss, then one line per parameter in each panel.
    assert_eq!(svg.matches("<polyline").count(), 1 + 5 + 5, "{svg}");
    for name in Params::NAMES {
        assert_eq!(svg.matches(&format!(">{name}</text>")).count(), 2, "{name}");
    }
    assert!(
        svg.contains("10⁻³, the usual healthy ratio"),
        "the reference"
    );
    assert!(svg.contains("clipped to ±5"), "what a circle means");
    assert_eq!(svg.matches("<g ").count(), svg.matches("</g>").count());

    // Two lines in the log for each printed iteration, after its loss line.
    let log = stdout(&out);
    for n in (0..450).step_by(50) {
        let loss = format!("iter {n}, loss: ");
        let norms = format!("\niter {n}, grad norm: w_xh ");
        let ratios = format!("\niter {n}, update/weight: w_xh ");
        let at = log.find(&loss).unwrap_or_else(|| panic!("{loss}\n{log}"));
        let after = &log[at..];
        assert!(
            after.contains(&norms) && after.contains(&ratios),
            "{n}:\n{log}"
        );
    }
    assert_eq!(log.matches(", grad norm: ").count(), 9);
    assert!(stderr(&out).contains("monitoring: "), "{}", stderr(&out));
}

#[test]
fn without_monitor_the_plot_is_the_loss_chart_alone() {
    let s = Scratch::new("default");
    s.text();
    s.train(
        "d",
        "450",
        &["--val-fraction", "0.1", "--eval-every", "100"],
    );
    let svg = s.read("d.svg");
    assert!(!svg.contains(GRAD_NORM_TITLE) && !svg.contains(UPDATE_RATIO_TITLE));
    // Byte for byte what the loss chart alone draws from the saved history.
    let checkpoint = Checkpoint::load(s.path("d.ckpt")).expect("load d.ckpt");
    let training = checkpoint.loss_history.iter();
    let chart = Chart {
        title: "min-char-rnn: loss on text.txt".to_string(),
        x_label: "iteration".to_string(),
        y_label: "loss per character (nats)".to_string(),
        series: vec![
            Series::new(
                "training (smooth loss / 10)",
                training.map(|&(n, l)| (n as f64, l / 10.0)).collect(),
            ),
            Series::new(
                "validation",
                checkpoint
                    .val_history
                    .iter()
                    .map(|&(n, l)| (n as f64, l))
                    .collect(),
            ),
        ],
    };
    assert_eq!(svg, chart.to_svg());
}

#[test]
fn monitoring_changes_nothing_else() {
    // The same run with and without --monitor: the same training (checkpoint and log, but
    // for the monitor's lines), and the monitored plot is the loss chart with a taller
    // canvas and the panels added at the end.
    let s = Scratch::new("same");
    s.text();
    let extra = ["--sample-every", "100", "--checkpoint-every", "150"];
    let plain = s.train("off", "400", &extra);
    let mut with = extra.to_vec();
    with.push("--monitor");
    let monitored = s.train("on", "400", &with);
    assert_eq!(
        without_monitor_lines(&stdout(&monitored)),
        stdout(&plain),
        "the logs"
    );
    assert_ne!(stdout(&monitored), stdout(&plain));
    assert_eq!(
        fs::read(s.path("on.ckpt")).expect("on.ckpt"),
        fs::read(s.path("off.ckpt")).expect("off.ckpt"),
        "the checkpoints"
    );
    let (on, off) = (s.read("on.svg"), s.read("off.svg"));
    let on = on.replace(
        r#"height="1340" viewBox="0 0 800 1340""#,
        r#"height="500" viewBox="0 0 800 500""#,
    );
    let on = on.replace(
        r#"height="1340" fill="white""#,
        r#"height="500" fill="white""#,
    );
    let panels = on.find("<g transform=").expect("the panels");
    let loss_part = format!("{}</svg>\n", &on[..panels]);
    assert_eq!(
        loss_part, off,
        "the loss chart is drawn as without --monitor"
    );
}

#[test]
fn both_paths_write_the_same_monitored_bytes() {
    let s = Scratch::new("paths");
    s.text();
    let fast = s.train("fast", "300", &["--monitor", "--val-fraction", "0.1"]);
    let plain = s.train(
        "plain",
        "300",
        &["--monitor", "--val-fraction", "0.1", "--plain"],
    );
    assert_eq!(stdout(&fast), stdout(&plain), "the logs");
    assert_eq!(s.read("fast.svg"), s.read("plain.svg"), "the plots");
}

#[test]
fn the_monitored_plot_is_written_atomically_and_leaves_no_temporary_file() {
    let s = Scratch::new("atomic");
    s.text();
    s.train("a", "200", &["--monitor", "--checkpoint-every", "10"]);
    let mut names: Vec<String> = fs::read_dir(&s.0)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["a.ckpt", "a.svg", "text.txt"],
        "no temporary or lock file"
    );

    // Killed at any moment, a run leaves the whole plot of some save, never half of one.
    let mut seen = 0;
    for round in 0..4 {
        let mut child = Command::new(BIN)
            .args(["train", "text.txt", "--iterations", "1000000", "--force"])
            .args(SMALL)
            .args(["--monitor", "--print-every", "1", "--checkpoint-every", "1"])
            .args(["--checkpoint", "k.ckpt", "--plot", "k.svg"])
            .current_dir(&s.0)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(200 + 80 * round));
        child.kill().expect("kill"); // SIGKILL: no chance to clean up
        let _ = child.wait();
        if let Ok(svg) = fs::read_to_string(s.path("k.svg")) {
            assert!(
                svg.trim_end().ends_with("</svg>"),
                "round {round}: cut short"
            );
            assert!(svg.contains(UPDATE_RATIO_TITLE), "round {round}");
            seen += 1;
        }
    }
    assert!(seen > 0, "no plot was ever written");
}

#[test]
fn monitor_without_a_plot_still_writes_the_figures_to_the_log() {
    let s = Scratch::new("no-plot");
    s.text();
    let out = s.train("n", "120", &["--monitor", "--no-plot"]);
    assert!(!s.path("n.svg").exists());
    assert_eq!(stdout(&out).matches(", update/weight: ").count(), 3);
    assert!(stderr(&out).contains("into the log\n"), "{}", stderr(&out));
}

#[test]
fn a_resumed_monitored_run_records_from_where_it_resumes() {
    let s = Scratch::new("resume");
    s.text();
    s.train("r", "200", &["--monitor"]);
    let out = s.train("r", "400", &["--monitor", "--resume", "r.ckpt"]);
    let log = stdout(&out);
    assert!(!log.contains("iter 150, grad norm"), "{log}");
    assert!(log.contains("iter 200, grad norm") && log.contains("iter 350, grad norm"));
    let svg = s.read("r.svg");
    assert_eq!(svg.matches("<polyline").count(), 11, "{svg}");
}
