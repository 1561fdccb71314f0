//! The monitoring figures: gradient norms, clipped elements and update-to-weight ratios,
//! checked against values worked out by hand for a hand-made pair of parameters and
//! gradients, against two snapshots of a real trainer, and against Adagrad's own formula;
//! the recorder's series and panels; and the same readings from both paths. For a network:
//! hand-computed figures on two layers of one unit, clipping by norm, the panels per layer,
//! and a recorded step against two snapshots of a trainer.

use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Clip, Config, NetworkTrainer};
use min_char_rnn::fast::Fast;
use min_char_rnn::monitor::{
    GRAD_NORM_TITLE, HEALTHY_RATIO, Reading, Recorder, UPDATE_RATIO_TITLE, clipped, norm,
    update_ratio,
};
use min_char_rnn::network::{Network, NetworkGrads};
use min_char_rnn::{Grads, Hyperparams, Matrix, Params, Trainer, Vector, Vocab};

/// Relative tolerance for figures computed in a different order than the library's.
const REL_TOL: f64 = 1e-12;

#[track_caller]
fn assert_close(what: &str, actual: f64, expected: f64) {
    let scale = expected.abs().max(f64::MIN_POSITIVE);
    assert!(
        (actual - expected).abs() <= REL_TOL * scale,
        "{what}: {actual} vs {expected} (difference {:e})",
        (actual - expected).abs()
    );
}

/// V = 3, H = 2, with values whose norms are whole or simple numbers.
fn hand_made() -> (Params, Params, Grads) {
    let before = Params {
        w_xh: Matrix::from_rows(&[&[1.0, 2.0, 2.0], &[0.0, 0.0, 0.0]]), // ‖·‖ = 3
        w_hh: Matrix::from_rows(&[&[3.0, 0.0], &[0.0, 4.0]]),           // 5
        w_hy: Matrix::from_rows(&[&[0.6, 0.8], &[0.0, 0.0], &[0.0, 0.0]]), // 1
        b_h: Vector::from_vec(vec![0.0, 0.0]),                          // 0
        b_y: Vector::from_vec(vec![2.0, -1.0, 2.0]),                    // 3
    };
    let mut after = before.clone();
    after.w_xh = Matrix::from_rows(&[&[1.0, 2.0, 2.0], &[0.03, 0.0, 0.04]]); // Δ: 0.05
    after.w_hy = Matrix::from_rows(&[&[0.6, 0.8], &[0.006, 0.008], &[0.0, 0.0]]); // Δ: 0.01
    after.b_h = Vector::from_vec(vec![0.1, 0.0]); // from zero
    after.b_y = Vector::from_vec(vec![2.0, -1.0, 2.5]); // Δ: 0.5
    let grads = Grads {
        dw_xh: Matrix::from_rows(&[&[5.0, -5.0, 1.0], &[0.0, 0.0, 0.0]]), // √51, 2 clipped
        dw_hh: Matrix::from_rows(&[&[0.3, 0.4], &[0.0, 0.0]]),            // 0.5
        dw_hy: Matrix::zeros(3, 2),                                       // 0
        db_h: Vector::from_vec(vec![-5.0, 4.999_999]),                    // 1 clipped
        db_y: Vector::from_vec(vec![1.0, 2.0, 2.0]),                      // 3
    };
    (before, after, grads)
}

#[test]
fn norm_is_the_root_of_the_sum_of_squares() {
    assert_eq!(norm(&[]), 0.0);
    assert_eq!(norm(&[-3.0, 4.0]), 5.0);
    assert_eq!(norm(&[1.0, 2.0, 2.0]), 3.0);
    assert_close("norm of 100 ones", norm(&[1.0; 100]), 10.0);
}

#[test]
fn update_ratio_is_the_step_over_the_weight_before_it() {
    assert_close("ratio", update_ratio(&[3.0, 4.0], &[3.0, 4.005]), 1e-3);
    assert_eq!(update_ratio(&[1.0, 2.0], &[1.0, 2.0]), 0.0);
    assert_eq!(update_ratio(&[0.0, 0.0], &[0.0, 0.1]), f64::INFINITY);
    assert!(update_ratio(&[0.0], &[0.0]).is_nan());
}

#[test]
#[should_panic(expected = "update_ratio: 2 values before the step, 3 after")]
fn update_ratio_of_different_shapes_panics() {
    update_ratio(&[1.0, 2.0], &[1.0, 2.0, 3.0]);
}

#[test]
fn clipped_counts_the_elements_at_the_limit() {
    assert_eq!(clipped(&[5.0, -5.0, 4.999, -4.999, 0.0], 5.0), 2);
    assert_eq!(clipped(&[], 5.0), 0);
}

#[test]
fn a_reading_of_hand_made_parameters_matches_the_hand_computed_figures() {
    let (before, after, grads) = hand_made();
    let reading = Reading::measure(42, &before, &after, &grads);
    assert_eq!(reading.iteration, 42);
    let norms = [
        51f64.sqrt(),
        0.5,
        0.0,
        (25.0f64 + 4.999_999 * 4.999_999).sqrt(),
        3.0,
    ];
    for (k, expected) in norms.into_iter().enumerate() {
        assert_close(Params::NAMES[k], reading.grad_norm[k], expected);
    }
    assert_eq!(reading.clipped, [2, 0, 0, 1, 0]);
    assert_close("w_xh", reading.update_ratio[0], 0.05 / 3.0);
    assert_eq!(reading.update_ratio[1], 0.0, "w_hh did not move");
    assert_close("w_hy", reading.update_ratio[2], 0.01 / 1.0);
    assert_eq!(reading.update_ratio[3], f64::INFINITY, "b_h was zero");
    assert_close("b_y", reading.update_ratio[4], 0.5 / 3.0);
}

#[test]
fn the_log_lines_name_each_parameter_and_the_clipping() {
    let (before, after, grads) = hand_made();
    let reading = Reading::measure(100, &before, &after, &grads);
    assert_eq!(
        reading.log_lines(),
        "iter 100, grad norm: w_xh 7.1414, w_hh 0.5000, w_hy 0.0000, b_h 7.0711, b_y 3.0000 \
         (clipped to ±5: w_xh 2, b_h 1)\n\
         iter 100, update/weight: w_xh 1.67e-2, w_hh 0.00e0, w_hy 1.00e-2, b_h inf, b_y 1.67e-1\n"
    );
    let calm = Reading::measure(0, &before, &before, &Grads::zeros_like(&before));
    assert!(
        !calm.log_lines().contains("clipped"),
        "{}",
        calm.log_lines()
    );
}

/// A small trainer on a small text.
fn trainer(seed: u64) -> Trainer {
    let text = "the quick brown fox jumps over the lazy dog. ".repeat(20);
    let vocab = Vocab::from_text(&text);
    let hp = Hyperparams {
        hidden_size: 16,
        seq_length: 10,
        learning_rate: 0.1,
    };
    let data = vocab.encode(&text).expect("encode");
    Trainer::new(data, vocab.len(), hp, seed).expect("trainer")
}

/// `‖a − b‖ / ‖a‖` computed here, with iterators, not with the library's loops.
fn ratio_here(a: &[f64], b: &[f64]) -> f64 {
    let moved: f64 = a.iter().zip(b).map(|(x, y)| (y - x) * (y - x)).sum();
    let size: f64 = a.iter().map(|x| x * x).sum();
    (moved / size).sqrt()
}

#[test]
fn a_recorded_step_matches_two_snapshots_of_the_trainer() {
    let mut watched = trainer(3);
    for _ in 0..57 {
        watched.step().expect("step");
    }
    let mut plain = watched.clone();
    let mut recorder = Recorder::new();
    let report = recorder.step(&mut watched).expect("recorded step");

    let first = plain.params.clone();
    assert_eq!(
        plain.step().expect("step"),
        report,
        "recording changes nothing"
    );
    let second = plain.params.clone();
    assert_eq!(second, watched.params);

    let reading = &recorder.readings()[0];
    assert_eq!(reading.iteration, 57);
    let (a, b, g) = (first.slices(), second.slices(), plain.grads().slices());
    for k in 0..5 {
        let name = a[k].0;
        assert_close(name, reading.update_ratio[k], ratio_here(a[k].1, b[k].1));
        let g_norm = g[k].iter().map(|x| x * x).sum::<f64>().sqrt();
        assert_close(name, reading.grad_norm[k], g_norm);
        let at_limit = g[k].iter().filter(|x| x.abs() == 5.0).count();
        assert_eq!(reading.clipped[k], at_limit, "{name}");
        assert!(
            g[k].iter().all(|x| x.abs() <= 5.0),
            "{name}: clipped gradients"
        );
    }
}

#[test]
fn the_measured_update_is_adagrads_step() {
    // Δw = −lr · g / √(m + 1e−8), with m Adagrad's memory after the step: the ratio the
    // monitor measures from two snapshots is that step's size over the weight's.
    let mut t = trainer(5);
    let mut recorder = Recorder::new();
    for _ in 0..30 {
        t.step().expect("step");
    }
    let before = t.params.clone();
    recorder.step(&mut t).expect("recorded step");
    let reading = &recorder.readings()[0];
    let (w, g, m) = (
        before.slices(),
        t.grads().slices(),
        t.adagrad.memory.slices(),
    );
    for k in 0..5 {
        let mut step = 0.0;
        for (g_i, m_i) in g[k].iter().zip(m[k].1) {
            let d = 0.1 * g_i / (m_i + 1e-8).sqrt();
            step += d * d;
        }
        let expected = step.sqrt() / norm(w[k].1);
        let rel = (reading.update_ratio[k] - expected).abs() / expected;
        assert!(
            rel < 1e-9,
            "{}: {} vs {expected}",
            w[k].0,
            reading.update_ratio[k]
        );
    }
}

#[test]
fn both_paths_give_the_same_readings() {
    let mut plain = trainer(11);
    let mut fast = trainer(11).with_engine(Fast::default());
    let (mut plain_recorder, mut fast_recorder) = (Recorder::new(), Recorder::new());
    for n in 0..300 {
        if n % 50 == 0 {
            plain_recorder.step(&mut plain).expect("plain");
            fast_recorder.step(&mut fast).expect("fast");
        } else {
            assert_eq!(plain.step().expect("plain"), fast.step().expect("fast"));
        }
    }
    assert_eq!(plain_recorder.readings().len(), 6);
    for (p, f) in plain_recorder
        .readings()
        .iter()
        .zip(fast_recorder.readings())
    {
        // Bit for bit (`to_bits` also compares the infinite ratios of the zero biases).
        let bits = |r: &Reading| {
            let mut all: Vec<u64> = r.grad_norm.iter().map(|x| x.to_bits()).collect();
            all.extend(r.update_ratio.iter().map(|x| x.to_bits()));
            (r.iteration, r.clipped.clone(), all)
        };
        assert_eq!(bits(p), bits(f));
    }
}

#[test]
fn a_diverged_step_records_nothing() {
    let text = "abcabcabd".repeat(10);
    let vocab = Vocab::from_text(&text);
    let hp = Hyperparams {
        hidden_size: 4,
        seq_length: 3,
        learning_rate: 1e300,
    };
    let mut t =
        Trainer::new(vocab.encode(&text).expect("encode"), vocab.len(), hp, 1).expect("trainer");
    let mut recorder = Recorder::new();
    let mut ok = 0;
    for _ in 0..50 {
        match recorder.step(&mut t) {
            Ok(_) => ok += 1,
            Err(_) => break,
        }
    }
    assert!(ok < 50, "the run diverged");
    assert_eq!(recorder.readings().len(), ok);
}

fn reading(iteration: usize, base: f64, clipped_w_hh: usize) -> Reading {
    Reading {
        iteration,
        names: Params::NAMES.map(String::from).to_vec(),
        grad_norm: vec![base, base + 1.0, base + 2.0, base + 3.0, base + 4.0],
        clipped: vec![0, clipped_w_hh, 0, 0, 0],
        update_ratio: vec![
            base / 1e3,
            base / 1e4,
            base / 1e5,
            f64::INFINITY,
            base / 1e2,
        ],
        clip: Clip::Value(5.0),
        scaled_from: None,
    }
}

#[test]
fn the_recorder_keeps_one_series_per_parameter() {
    let mut recorder = Recorder::new();
    recorder.record(reading(0, 1.0, 0));
    recorder.record(reading(100, 2.0, 3));
    recorder.record(reading(200, 3.0, 0));
    assert_eq!(recorder.readings().len(), 3);
    assert_eq!(
        recorder.grad_norms(1),
        [(0.0, 2.0), (100.0, 3.0), (200.0, 4.0)]
    );
    assert_eq!(
        recorder.update_ratios(0),
        [(0.0, 1e-3), (100.0, 2e-3), (200.0, 3e-3)]
    );
    assert!(recorder.update_ratios(3).iter().all(|p| p.1.is_infinite()));
}

#[test]
fn the_panels_hold_one_line_per_parameter() {
    let mut recorder = Recorder::new();
    recorder.record(reading(0, 1.0, 0));
    recorder.record(reading(100, 2.0, 3));
    let panels = recorder.panels();
    assert_eq!(panels.len(), 2);
    let (norms, ratios) = (&panels[0], &panels[1]);
    assert_eq!(norms.title, GRAD_NORM_TITLE);
    assert_eq!(ratios.title, UPDATE_RATIO_TITLE);
    for panel in &panels {
        assert!(panel.log_y);
        let names: Vec<&str> = panel.lines.iter().map(|l| l.series.name.as_str()).collect();
        assert_eq!(names, Params::NAMES);
        let dashed: Vec<bool> = panel.lines.iter().map(|l| l.dashed).collect();
        assert_eq!(
            dashed,
            [false, false, false, true, true],
            "the biases dashed"
        );
    }
    assert_eq!(norms.lines[1].series.points, recorder.grad_norms(1));
    assert_eq!(ratios.lines[2].series.points, recorder.update_ratios(2));
    // Only w_hh was clipped, only at iteration 100: one circle, on its line.
    assert_eq!(norms.lines[1].marks, [(100.0, 3.0)]);
    let others = norms.lines.iter().filter(|l| !l.marks.is_empty()).count();
    assert_eq!(others, 1);
    assert!(norms.mark_label.contains("clipped"));
    assert!(norms.reference.is_none());
    let healthy = ratios.reference.as_ref().expect("a reference line");
    assert_eq!(healthy.y, HEALTHY_RATIO);
    assert_eq!(HEALTHY_RATIO, 1e-3);
}

/// Two layers of one RNN unit on V = 2, before and after a made-up step, and gradients, with
/// values whose norms and ratios are simple numbers. The slices, in the order of
/// `Network::names`: w_ih_0 (1×2), w_hh_0, b_0, w_ih_1, w_hh_1, b_1 (one number each),
/// w_hy (2×1), b_y (2).
fn hand_made_network() -> (Network, Network, NetworkGrads) {
    let before_values: [&[f64]; 8] = [
        &[3.0, 4.0],
        &[2.0],
        &[0.0],
        &[1.0],
        &[-1.0],
        &[0.5],
        &[0.6, 0.8],
        &[0.0, 0.0],
    ];
    let after_values: [&[f64]; 8] = [
        &[3.0, 4.005], // Δ 0.005 on ‖w‖ 5: 1e−3
        &[2.0],        // 0
        &[0.1],        // from zero: infinite
        &[1.01],       // 0.01
        &[-1.0],
        &[0.5],
        &[0.606, 0.808], // Δ (0.006, 0.008): 0.01 on ‖w‖ 1
        &[0.0, 0.0],     // 0 / 0
    ];
    let grad_values: [&[f64]; 8] = [
        &[5.0, -5.0], // √50, 2 at the limit
        &[0.3],
        &[-4.0],
        &[0.0],
        &[1.0],
        &[2.0],
        &[3.0, 4.0], // 5
        &[5.0, 0.0], // 5, 1 at the limit
    ];
    let mut before = Network::zeros(CellKind::Rnn, 2, 1, 2);
    let mut after = before.clone();
    let mut grads = NetworkGrads::zeros_like(&before);
    for (k, slice) in before.slices_mut().into_iter().enumerate() {
        slice.copy_from_slice(before_values[k]);
    }
    for (k, slice) in after.slices_mut().into_iter().enumerate() {
        slice.copy_from_slice(after_values[k]);
    }
    for (k, slice) in grads.slices_mut().into_iter().enumerate() {
        slice.copy_from_slice(grad_values[k]);
    }
    (before, after, grads)
}

const NETWORK_NAMES: [&str; 8] = [
    "w_ih_0", "w_hh_0", "b_0", "w_ih_1", "w_hh_1", "b_1", "w_hy", "b_y",
];

#[test]
fn a_network_reading_matches_the_hand_computed_figures() {
    let (before, after, grads) = hand_made_network();
    let reading = Reading::measure_network(9, &before, &after, &grads, Clip::Value(5.0), 8.0);
    assert_eq!(reading.iteration, 9);
    assert_eq!(reading.names, NETWORK_NAMES);
    let norms = [50f64.sqrt(), 0.3, 4.0, 0.0, 1.0, 2.0, 5.0, 5.0];
    for (k, expected) in norms.into_iter().enumerate() {
        assert_close(NETWORK_NAMES[k], reading.grad_norm[k], expected);
    }
    assert_eq!(reading.clipped, [2, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        reading.scaled_from, None,
        "clipping by value scales nothing"
    );
    assert_close("w_ih_0", reading.update_ratio[0], 1e-3);
    assert_eq!(reading.update_ratio[1], 0.0);
    assert_eq!(reading.update_ratio[2], f64::INFINITY);
    assert_close("w_ih_1", reading.update_ratio[3], 0.01);
    assert_close("w_hy", reading.update_ratio[6], 0.01);
    assert!(reading.update_ratio[7].is_nan(), "b_y: 0 / 0");
    assert!(
        reading
            .log_lines()
            .contains(", b_y 5.0000 (clipped to ±5: w_ih_0 2, b_y 1)\n"),
        "{}",
        reading.log_lines()
    );
}

#[test]
fn clipping_by_norm_marks_the_steps_it_scaled_down() {
    let (before, after, grads) = hand_made_network();
    let scaled = Reading::measure_network(3, &before, &after, &grads, Clip::Norm(1.0), 8.5);
    assert_eq!(scaled.clipped, [0; 8], "no element is counted");
    assert_eq!(scaled.scaled_from, Some(8.5));
    assert!((0..8).all(|k| scaled.clipped_at(k)));
    assert_eq!(
        scaled.log_lines(),
        "iter 3, grad norm: w_ih_0 7.0711, w_hh_0 0.3000, b_0 4.0000, w_ih_1 0.0000, \
         w_hh_1 1.0000, b_1 2.0000, w_hy 5.0000, b_y 5.0000 (global norm 8.5000 scaled down \
         to 1)\n\
         iter 3, update/weight: w_ih_0 1.00e-3, w_hh_0 0.00e0, b_0 inf, w_ih_1 1.00e-2, \
         w_hh_1 0.00e0, b_1 0.00e0, w_hy 1.00e-2, b_y NaN\n"
    );
    let within = Reading::measure_network(4, &before, &after, &grads, Clip::Norm(10.0), 8.5);
    assert_eq!(within.scaled_from, None);
    assert!(!within.log_lines().contains('('), "{}", within.log_lines());
    let unclipped = Reading::measure_network(5, &before, &after, &grads, Clip::None, 8.5);
    assert_eq!(
        (unclipped.clipped, unclipped.scaled_from),
        (vec![0; 8], None)
    );

    let mut recorder = Recorder::for_network(&before, Clip::Norm(1.0));
    recorder.record(scaled);
    recorder.record(within);
    let panels = recorder.panels();
    let titles: Vec<&str> = panels.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Gradient norm of each parameter of layer 0, after clipping",
            "Gradient norm of each parameter of layer 1, after clipping",
            "Gradient norm of each parameter of the output layer, after clipping",
            "Update-to-weight ratio of each parameter of layer 0",
            "Update-to-weight ratio of each parameter of layer 1",
            "Update-to-weight ratio of each parameter of the output layer",
        ]
    );
    let names: Vec<&str> = panels[..3]
        .iter()
        .flat_map(|p| p.lines.iter().map(|l| l.series.name.as_str()))
        .collect();
    assert_eq!(names, NETWORK_NAMES);
    // Iteration 3 was scaled down, 4 was not: one circle on every line, at 3.
    for panel in &panels[..3] {
        assert!(panel.mark_label.contains("global norm over 1"));
        for line in &panel.lines {
            assert_eq!(line.marks.len(), 1, "{}", line.series.name);
            assert_eq!(line.marks[0].0, 3.0);
        }
    }
    assert_eq!(panels[2].lines[1].series.points, [(3.0, 5.0), (4.0, 5.0)]);
}

#[test]
fn a_recorded_network_step_matches_two_snapshots_of_the_trainer() {
    let text = "the quick brown fox jumps over the lazy dog. ".repeat(20);
    let vocab = Vocab::from_text(&text);
    let mut config = Config::new(CellKind::Lstm);
    (config.num_layers, config.hidden_size) = (2, 6);
    (config.batch_size, config.seq_length) = (2, 8);
    (config.val_fraction, config.clip) = (0.0, Clip::Norm(0.05));
    let data = vocab.encode(&text).expect("encode");
    let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 3).expect("trainer");
    let mut recorder = Recorder::for_network(&trainer.network, Clip::Norm(0.05));
    trainer.step().expect("step");
    let before = trainer.network.clone();
    let report = recorder.step_network(&mut trainer).expect("step");
    let reading = &recorder.readings()[0];
    assert_eq!(reading.iteration, 1);
    assert_eq!(reading.scaled_from, Some(report.grad_norm));
    let grads = trainer.grads().slices();
    let (was, now) = (before.slices(), trainer.network.slices());
    let mut total = 0.0;
    for k in 0..grads.len() {
        let squares: f64 = grads[k].iter().map(|g| g * g).sum();
        total += squares;
        assert_close("‖g‖", reading.grad_norm[k], squares.sqrt());
        let moved: f64 = (0..was[k].len())
            .map(|i| (now[k][i] - was[k][i]).powi(2))
            .sum();
        let size: f64 = was[k].iter().map(|w| w * w).sum();
        assert_close("ratio", reading.update_ratio[k], (moved / size).sqrt());
    }
    // The gradients the update used were scaled to a global norm of 0.05.
    assert!((total.sqrt() - 0.05).abs() < 1e-12, "{}", total.sqrt());
}
