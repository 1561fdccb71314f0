//! Step 7, sampling: the network writes one character at a time.
//!
//! How it is verified:
//! - `draw` follows its distribution: 100,000 draws from `[0.1, 0.2, 0.3, 0.4, 0.0]` pass a
//!   chi-square goodness-of-fit test at the 0.999 level, and the zero-probability index never
//!   comes up;
//! - `generate` with `Strategy::Argmax` follows the path worked out with
//!   `forward::hidden_step` and `forward::output_step`, one step at a time;
//! - temperatures: near 0 (0.01) sampling picks the argmax at every step, on a model whose
//!   scores are checked to be far apart; a high temperature (100) makes the distribution
//!   nearly uniform (bounds worked out by hand); 0, negative, NaN and infinite temperatures
//!   are rejected;
//! - reproducibility: the same seed writes the same text, another seed another text;
//! - priming: `prime` leaves in `h` exactly what calling `forward::hidden_step` by hand over
//!   the prime leaves there, and `sample_text` is the prime followed by `generate` from that
//!   memory; its output starts with the prime and has prime + n characters; an unknown prime
//!   character is an error naming it.
//!
//! Run with `cargo test --test sample`.

use min_char_rnn::forward::{hidden_step, output_step};
use min_char_rnn::loss::softmax_with_temperature;
use min_char_rnn::sample::{draw, generate, prime, sample, sample_text};
use min_char_rnn::{EncodeError, Params, SampleError, Strategy, Vector, Vocab};

// ---------------------------------------------------------------------------------------------
// draw: one index from a distribution
// ---------------------------------------------------------------------------------------------

/// The 0.999 quantile of the chi-square distribution with 3 degrees of freedom: a correct
/// sampler exceeds it one time in a thousand. Source: NIST/SEMATECH e-Handbook of Statistical
/// Methods, section 1.3.6.7.4, "Critical Values of the Chi-Square Distribution" (16.266).
const CHI_SQUARE_3_DOF_QUANTILE_0_999: f64 = 16.266;

#[test]
fn draw_histogram_matches_the_distribution() {
    const N: usize = 100_000;
    let p = [0.1, 0.2, 0.3, 0.4, 0.0];
    let probabilities = Vector::from_vec(p.to_vec());
    let mut rng = fastrand::Rng::with_seed(2024);
    let mut counts = [0usize; 5];
    for _ in 0..N {
        counts[draw(&probabilities, &mut rng)] += 1;
    }

    // Pearson's statistic over the four possible indices: Σ (observed − expected)² / expected,
    // with expected = n · p[k]. Four categories whose counts sum to n: 4 − 1 = 3 degrees of
    // freedom.
    let mut chi_square = 0.0;
    for k in 0..4 {
        let expected = N as f64 * p[k];
        let deviation = counts[k] as f64 - expected;
        chi_square += deviation * deviation / expected;
    }
    assert!(
        chi_square < CHI_SQUARE_3_DOF_QUANTILE_0_999,
        "chi-square {chi_square:.2} ≥ {CHI_SQUARE_3_DOF_QUANTILE_0_999} for counts {counts:?} \
         (expected 10000, 20000, 30000, 40000, 0)"
    );
    assert_eq!(counts[4], 0, "index 4 has probability 0 but was drawn");
}

#[test]
fn zero_probability_index_is_never_drawn() {
    // Zeros at the start, in the middle and at the end: the stretch of a zero is empty.
    let p = Vector::from_vec(vec![0.0, 0.5, 0.0, 0.5, 0.0]);
    let mut rng = fastrand::Rng::with_seed(3);
    for _ in 0..10_000 {
        let k = draw(&p, &mut rng);
        assert!(k == 1 || k == 3, "drew index {k}, whose probability is 0");
    }
}

#[test]
fn certain_index_is_always_drawn() {
    let p = Vector::from_vec(vec![0.0, 0.0, 1.0]);
    let mut rng = fastrand::Rng::with_seed(4);
    for _ in 0..1000 {
        assert_eq!(draw(&p, &mut rng), 2);
    }
}

// ---------------------------------------------------------------------------------------------
// Temperature
// ---------------------------------------------------------------------------------------------

#[test]
fn temperature_accepts_finite_positive_values() {
    assert_eq!(
        Strategy::temperature(0.5),
        Ok(Strategy::Sample { temperature: 0.5 })
    );
    assert_eq!(Strategy::temperature(1.0), Ok(Strategy::ORIGINAL));
}

#[test]
fn temperature_rejects_zero_negative_nan_and_infinity() {
    for t in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        // Matched rather than compared with ==: NaN is not equal to itself.
        match Strategy::temperature(t) {
            Err(SampleError::BadTemperature(reported)) => {
                assert!(
                    reported.to_bits() == t.to_bits(),
                    "reported {reported}, given {t}"
                );
            }
            other => panic!("temperature {t}: expected BadTemperature, got {other:?}"),
        }
    }
}

#[test]
fn high_temperature_makes_the_distribution_nearly_uniform() {
    // Scores y = [0, 1, 2, 3, 4].
    let y = Vector::from_vec(vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    let mut p = Vector::zeros(5);

    // At temperature 1: p[k] = e^k / Σ e^j, Σ = 1 + e + e² + e³ + e⁴ = 85.79;
    // p[4] = 54.60 / 85.79 = 0.6364, far from uniform (0.2).
    softmax_with_temperature(&y, 1.0, &mut p);
    assert!((p[4] - 0.6364).abs() < 1e-4, "p = {p:?}");

    // At temperature 100: p[k] = e^(k/100) / Σ e^(j/100),
    //   Σ = 1 + 1.010050 + 1.020201 + 1.030455 + 1.040811 = 5.101517,
    //   p[0] = 1 / 5.101517 = 0.196020, p[4] = 1.040811 / 5.101517 = 0.204020:
    // every probability within 0.0041 of 1/5 (p[4] − 0.2 = 0.00402, 0.2 − p[0] = 0.00398).
    softmax_with_temperature(&y, 100.0, &mut p);
    assert!((p[0] - 0.196020).abs() < 1e-6, "p = {p:?}");
    assert!((p[4] - 0.204020).abs() < 1e-6, "p = {p:?}");
    for k in 0..5 {
        assert!((p[k] - 0.2).abs() < 0.0041, "p[{k}] = {}", p[k]);
    }
}

/// A model whose scores are far apart: `Params::new(6, 8, 3)` with `w_xh` and `w_hy` scaled
/// by 100. At the initial scale (`0.01`) `h` and `y` are both tiny and every score is close to
/// every other; scaled, `h = tanh(w_xh·x + …)` has entries of order 1 and so do the scores.
fn confident_params() -> Params {
    let mut params = Params::new(6, 8, 3);
    for w in params.w_xh.as_mut_slice() {
        *w *= 100.0;
    }
    for w in params.w_hy.as_mut_slice() {
        *w *= 100.0;
    }
    params
}

/// A model whose memory matters: `Params::new(vocab_size, 8, 3)` with all three weight
/// matrices scaled by 50, so weights are about N(0, 0.5²). At the initial scale `w_hh·h` adds
/// well under 0.001 to each unit, too little to change which character a draw picks; scaled, what
/// the network read before visibly changes what it writes next.
fn lively_params(vocab_size: usize) -> Params {
    let mut params = Params::new(vocab_size, 8, 3);
    for w in params.w_xh.as_mut_slice() {
        *w *= 50.0;
    }
    for w in params.w_hh.as_mut_slice() {
        *w *= 50.0;
    }
    for w in params.w_hy.as_mut_slice() {
        *w *= 50.0;
    }
    params
}

/// The argmax path of `n` steps from memory `h` and input `seed_ix`, worked out with the
/// forward steps one at a time, and the smallest gap seen between the best and the
/// second-best score along it.
fn argmax_path_by_hand(params: &Params, h: &Vector, seed_ix: usize, n: usize) -> (Vec<usize>, f64) {
    let v = params.vocab_size();
    let mut h = h.clone();
    let mut y = Vector::zeros(v);
    let mut x = seed_ix;
    let mut path = Vec::new();
    let mut smallest_gap = f64::INFINITY;
    for _ in 0..n {
        let mut next = Vector::zeros(h.len());
        hidden_step(params, x, &h, &mut next); // h = tanh(w_xh·x + w_hh·h + b_h)
        h = next;
        output_step(params, &h, &mut y); // y = w_hy·h + b_y
        let best = y.argmax();
        let mut second = f64::NEG_INFINITY;
        for k in 0..v {
            if k != best && y[k] > second {
                second = y[k];
            }
        }
        smallest_gap = smallest_gap.min(y[best] - second);
        path.push(best);
        x = best; // the written character is the next input
    }
    (path, smallest_gap)
}

#[test]
fn generate_with_argmax_follows_the_forward_steps_by_hand() {
    // With lively weights the memory carries from step to step, so a generator that forgot
    // to pass `h` on (or fed back the wrong character) would leave this path.
    let params = lively_params(6);
    let h = Vector::zeros(8);
    for seed_ix in 0..6 {
        let (by_hand, _) = argmax_path_by_hand(&params, &h, seed_ix, 60);
        let mut rng = fastrand::Rng::with_seed(1); // unused by argmax
        let generated = generate(&params, &h, seed_ix, 60, Strategy::Argmax, &mut rng);
        assert_eq!(generated, by_hand, "first input {seed_ix}");
    }
}

#[test]
fn temperature_near_zero_picks_the_argmax_at_every_step() {
    const N: usize = 60;
    const TEMPERATURE: f64 = 0.01;
    let params = confident_params();
    let h = Vector::zeros(8);
    let cold = Strategy::temperature(TEMPERATURE).unwrap();

    // Every character of the vocabulary as the first input, so that many memories are visited.
    for seed_ix in 0..6 {
        // Precondition: the runner-up score always trails by at least `gap`, so at
        // temperature 0.01 its probability is at most exp(−gap / 0.01) relative to the best
        // one. A gap of 0.3 makes that exp(−30) ≈ 1e−13 per character, and with 5 runners-up
        // and 60 steps the chance of a single non-argmax draw is below 1e−10.
        let (by_hand, gap) = argmax_path_by_hand(&params, &h, seed_ix, N);
        assert!(
            gap > 0.3,
            "first input {seed_ix}: scores too close ({gap}) for a meaningful comparison"
        );

        let mut rng = fastrand::Rng::with_seed(1);
        let argmax = generate(&params, &h, seed_ix, N, Strategy::Argmax, &mut rng);
        assert_eq!(argmax, by_hand, "first input {seed_ix}");
        let mut rng = fastrand::Rng::with_seed(seed_ix as u64);
        let sampled = generate(&params, &h, seed_ix, N, cold, &mut rng);
        assert_eq!(sampled, argmax, "first input {seed_ix}");

        // The control: at temperature 1 the same model and generator stray from the argmax
        // path (the gaps of about 1 leave the runner-up a probability of e^(−1) or so
        // relative to the best, at each of the 60 steps).
        let mut rng = fastrand::Rng::with_seed(seed_ix as u64);
        let warm = generate(&params, &h, seed_ix, N, Strategy::ORIGINAL, &mut rng);
        assert_ne!(
            warm, argmax,
            "first input {seed_ix}: temperature 1 followed the argmax"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Reproducibility
// ---------------------------------------------------------------------------------------------

#[test]
fn same_seed_gives_same_text() {
    let params = Params::new(6, 8, 3);
    let h = Vector::zeros(8);
    let a = sample(&params, &h, 2, 200, &mut fastrand::Rng::with_seed(9));
    let b = sample(&params, &h, 2, 200, &mut fastrand::Rng::with_seed(9));
    assert_eq!(a, b);
}

#[test]
fn different_seed_gives_different_text() {
    // With the small initial weights p ≈ 1/6 for every character, so two independent texts of
    // 200 characters agree everywhere with probability about (1/6)^200: never.
    let params = Params::new(6, 8, 3);
    let h = Vector::zeros(8);
    let a = sample(&params, &h, 2, 200, &mut fastrand::Rng::with_seed(9));
    let b = sample(&params, &h, 2, 200, &mut fastrand::Rng::with_seed(10));
    assert_ne!(a, b);
}

#[test]
fn generate_writes_n_indices_in_range_and_leaves_h_alone() {
    let params = Params::new(6, 8, 3);
    let h = Vector::from_vec(vec![0.1; 8]);
    let before = h.clone();
    let ixes = generate(
        &params,
        &h,
        5,
        50,
        Strategy::ORIGINAL,
        &mut fastrand::Rng::with_seed(1),
    );
    assert_eq!(ixes.len(), 50);
    assert!(ixes.iter().all(|&ix| ix < 6), "{ixes:?}");
    assert_eq!(h, before);
}

// ---------------------------------------------------------------------------------------------
// Priming and sample_text
// ---------------------------------------------------------------------------------------------

#[test]
fn prime_equals_hidden_steps_by_hand() {
    let params = confident_params();
    let indices = [3, 1, 4, 1, 5];

    // By hand: h₀ = 0, then h_t = tanh(w_xh·x_t + w_hh·h_{t−1} + b_h) for each index.
    let mut by_hand = Vector::zeros(8);
    for &x in &indices {
        let mut next = Vector::zeros(8);
        hidden_step(&params, x, &by_hand, &mut next);
        by_hand = next;
    }

    let mut h = Vector::zeros(8);
    prime(&params, &mut h, &indices);
    assert_eq!(h, by_hand);
    // Priming changed the memory: it no longer is the empty memory it started as.
    assert_ne!(h, Vector::zeros(8));
}

#[test]
fn sample_text_is_prime_then_generate_from_the_primed_memory() {
    let text = "the cat sat on the mat";
    let vocab = Vocab::from_text(text);
    let params = lively_params(vocab.len());
    let prime_text = "the ca";
    let n = 40;
    let strategy = Strategy::ORIGINAL;

    let written = sample_text(
        &params,
        &vocab,
        prime_text,
        n,
        strategy,
        &mut fastrand::Rng::with_seed(21),
    )
    .unwrap();

    // By hand: read "the c" into the memory with hidden_step, then generate from 'a',
    // the prime's last character.
    let mut h = Vector::zeros(8);
    for ch in "the c".chars() {
        let mut next = Vector::zeros(8);
        hidden_step(&params, vocab.char_to_ix(ch).unwrap(), &h, &mut next);
        h = next;
    }
    assert_ne!(h, Vector::zeros(8), "priming changes the memory");
    let seed_ix = vocab.char_to_ix('a').unwrap();
    let ixes = generate(
        &params,
        &h,
        seed_ix,
        n,
        strategy,
        &mut fastrand::Rng::with_seed(21),
    );
    let expected = format!("{prime_text}{}", vocab.decode(&ixes));
    assert_eq!(written, expected);

    // The control: from an empty memory the same random numbers write something else, so the
    // comparison above does depend on the memory the prime left behind.
    let unprimed = generate(
        &params,
        &Vector::zeros(8),
        seed_ix,
        n,
        strategy,
        &mut fastrand::Rng::with_seed(21),
    );
    assert_ne!(unprimed, ixes, "priming made no difference to the text");
}

#[test]
fn sample_text_starts_with_prime_and_has_prime_plus_n_chars() {
    // Multi-byte characters, so a byte count would be wrong.
    let vocab = Vocab::from_text("héllo wörld — 🙂");
    let params = Params::new(vocab.len(), 8, 5);
    let mut rng = fastrand::Rng::with_seed(8);
    for (prime_text, n) in [("hé", 30), ("🙂 w", 1), ("ö", 0)] {
        let written =
            sample_text(&params, &vocab, prime_text, n, Strategy::ORIGINAL, &mut rng).unwrap();
        assert!(written.starts_with(prime_text), "{written:?}");
        assert_eq!(
            written.chars().count(),
            prime_text.chars().count() + n,
            "{written:?}"
        );
        assert!(written.chars().all(|ch| vocab.contains(ch)), "{written:?}");
    }
}

#[test]
fn sample_text_with_empty_prime_writes_n_chars() {
    let vocab = Vocab::from_text("ab\ncd");
    let params = Params::new(vocab.len(), 8, 5);
    let written = sample_text(
        &params,
        &vocab,
        "",
        25,
        Strategy::ORIGINAL,
        &mut fastrand::Rng::with_seed(2),
    )
    .unwrap();
    assert_eq!(written.chars().count(), 25);
}

#[test]
fn sample_text_rejects_prime_outside_the_vocabulary_naming_the_char() {
    let vocab = Vocab::from_text("abc ");
    let params = Params::new(vocab.len(), 8, 1);
    // "ab?c": '?' is character 2.
    let result = sample_text(
        &params,
        &vocab,
        "ab?c",
        5,
        Strategy::ORIGINAL,
        &mut fastrand::Rng::with_seed(1),
    );
    let err = result.unwrap_err();
    assert_eq!(
        err,
        SampleError::Prime(EncodeError::UnknownChar {
            ch: '?',
            position: 2
        })
    );
    let message = err.to_string();
    assert!(message.contains("'?'"), "{message}");
    // The encoding error is the source, so `?` chains keep the whole story.
    let source = std::error::Error::source(&err).expect("the prime error has a source");
    assert!(source.to_string().contains("'?'"));
}

#[test]
fn sample_text_rejects_a_vocabulary_that_does_not_fit_the_params() {
    let vocab = Vocab::from_text("abc");
    let params = Params::new(5, 8, 1);
    let result = sample_text(
        &params,
        &vocab,
        "a",
        5,
        Strategy::ORIGINAL,
        &mut fastrand::Rng::with_seed(1),
    );
    assert_eq!(
        result,
        Err(SampleError::VocabMismatch {
            vocab: 3,
            params: 5
        })
    );
}
