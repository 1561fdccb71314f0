//! Exercise 6: `backward`, against the crate's `backward::backward`.
//!
//! The cases go from one step with an empty memory, where `dhnext` plays no part, to long
//! chunks; the first case that fails already says a lot. When the answer is wrong, the check
//! also runs the usual mistakes (no `dhnext`, the loop in the wrong direction, a product not
//! transposed, `h_t` where `h_{t−1}` belongs, …) and names the one that gives the same
//! numbers.

use super::compare::{GRADIENT_ORDER, gradient, gradients, same_gradients};
use super::data::{Numbers, cache};
use super::{Checked, call, wrong};
use min_char_rnn::backward::CLIP;
use min_char_rnn::{ForwardCache, Grads, Params, Vector, backward};

/// The function of exercise 6.
pub struct Fns {
    /// `backward(params, cache, targets)`.
    pub backward: fn(&Params, &ForwardCache, &[usize]) -> Grads,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        backward: exercises::backward::backward,
    }
}

/// A chunk to run backwards: sizes, inputs and targets, and whether the memory starts empty.
struct Case {
    what: &'static str,
    v: usize,
    h: usize,
    inputs: &'static [usize],
    targets: &'static [usize],
    memory: bool,
    scale: f64,
}

const CASES: [Case; 7] = [
    Case {
        what: "T = 1 (V = 5, H = 3), h_prev = 0: one step, nothing from the future",
        v: 5,
        h: 3,
        inputs: &[2],
        targets: &[4],
        memory: false,
        scale: 0.8,
    },
    Case {
        what: "T = 1 (V = 5, H = 3), h_prev ≠ 0: dw_hh meets h_{t−1} = h_prev",
        v: 5,
        h: 3,
        inputs: &[0],
        targets: &[3],
        memory: true,
        scale: 0.8,
    },
    Case {
        what: "T = 3 (V = 5, H = 3): the first case where dhnext matters",
        v: 5,
        h: 3,
        inputs: &[1, 3, 0],
        targets: &[3, 0, 2],
        memory: true,
        scale: 0.8,
    },
    Case {
        what: "T = 5 (V = 5, H = 3), character 2 read twice: its column of dw_xh gets both steps",
        v: 5,
        h: 3,
        inputs: &[2, 4, 2, 0, 1],
        targets: &[4, 2, 0, 1, 3],
        memory: true,
        scale: 0.8,
    },
    Case {
        what: "T = 4, V = H = 4: square matrices, where a product that should be transposed \
               does not panic",
        v: 4,
        h: 4,
        inputs: &[0, 3, 1, 3],
        targets: &[3, 1, 3, 2],
        memory: true,
        scale: 0.8,
    },
    Case {
        what: "T = 30 (V = 4, H = 6), inputs 1, 2, 3, 1, 2, 3, …, every target 0: gradients \
               beyond ±5",
        v: 4,
        h: 6,
        inputs: &[
            1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2,
            3,
        ],
        targets: &[0; 30],
        memory: true,
        scale: 0.6,
    },
    Case {
        what: "T = 10, V = 20, H = 16: a bigger chunk",
        v: 20,
        h: 16,
        inputs: &[19, 0, 7, 7, 12, 3, 19, 5, 11, 2],
        targets: &[0, 7, 7, 12, 3, 19, 5, 11, 2, 14],
        memory: true,
        scale: 0.3,
    },
];

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(6);
    for c in &CASES {
        let params = numbers.params(c.v, c.h, c.scale);
        let h_prev = if c.memory {
            numbers.vector(c.h, 0.9)
        } else {
            Vector::zeros(c.h)
        };
        let cache = cache(&params, c.inputs, &h_prev);
        let case = if c.inputs.len() <= 10 {
            format!("{}; inputs {:?}, targets {:?}", c.what, c.inputs, c.targets)
        } else {
            c.what.to_string()
        };
        let got = call(
            "backward",
            &case,
            || (f.backward)(&params, &cache, c.targets),
            panic_hint,
        )?;
        let mut expected = Grads::zeros_like(&params);
        backward::backward(&params, &cache, c.targets, &mut expected);
        if let Some((name, d)) = gradients(&expected, &got) {
            let hint = hint(&params, &cache, c.targets, &expected, &got, name);
            return Err(wrong("backward", &case, d.describe(name), hint));
        }
    }
    Ok(())
}

/// The usual mistakes, each a change to one line of the loop.
#[derive(Clone, Copy, PartialEq)]
enum Mistake {
    NoMinusOne,
    DwHyWithHPrev,
    DhNotTransposed,
    TanhDerivative,
    NoDhnext,
    ForwardOrder,
    DhnextNotTransposed,
    ColumnOverwritten,
    DwHhWithHt,
    HPrevAsZero,
}

const MISTAKES: [(Mistake, &str); 10] = [
    (
        Mistake::NoMinusOne,
        "dy = p_t − onehot(targets[t]): take 1 off at the target (exercise 5's \
         output_gradient)",
    ),
    (
        Mistake::DwHyWithHPrev,
        "dw_hy += dy · h_tᵀ with h_t = cache.hs[t], the memory the scores were computed from, \
         not h_{t−1}",
    ),
    (
        Mistake::DhNotTransposed,
        "dh = w_hyᵀ · dy, a transposed product: w_hy is (V, H), and dh[i] = Σ_k w_hy[(k, i)] · \
         dy[k] (matvec_transposed)",
    ),
    (
        Mistake::TanhDerivative,
        "dhraw = (1 − h_t ⊙ h_t) ⊙ dh: tanh′(a) = 1 − tanh(a)², and tanh(a) is h_t itself, so \
         square it",
    ),
    (
        Mistake::NoDhnext,
        "dhnext is missing: dh = w_hyᵀ · dy + dhnext, where dhnext = w_hhᵀ · dhraw was left by \
         step t + 1 (and is zero before the loop). Without it each step learns only from its \
         own output, nothing through the memory",
    ),
    (
        Mistake::ForwardOrder,
        "the loop must run backwards, t = T−1 down to 0 ((0..T).rev()): dhnext brings the \
         gradient from step t + 1, so step t + 1 must be done first",
    ),
    (
        Mistake::DhnextNotTransposed,
        "dhnext = w_hhᵀ · dhraw, a transposed product: dhnext[j] = Σ_i w_hh[(i, j)] · \
         dhraw[i] (matvec_transposed). w_hh is square, so w_hh · dhraw fits too, silently",
    ),
    (
        Mistake::ColumnOverwritten,
        "dw_xh += dhraw · x_tᵀ adds dhraw to column inputs[t] (add_to_column): add, don't \
         overwrite. A character read twice gets both steps' gradients",
    ),
    (
        Mistake::DwHhWithHt,
        "dw_hh += dhraw · h_{t−1}ᵀ: the memory before step t, cache.h_before(t), not h_t = \
         cache.hs[t]",
    ),
    (
        Mistake::HPrevAsZero,
        "at t = 0, the memory before the step is cache.h_prev, carried over from the previous \
         chunk, not zero: cache.h_before(t) gives the right one at every t",
    ),
];

fn hint(
    params: &Params,
    cache: &ForwardCache,
    targets: &[usize],
    expected: &Grads,
    got: &Grads,
    first_wrong: &str,
) -> String {
    let mut clipped = expected.clone();
    clipped.clip(CLIP);
    if same_gradients(&clipped, got) {
        return "these are the right gradients, clipped to [−5, 5]: backward returns them as \
                they are, and clipping is the next exercise (clip), done once on the sums"
            .to_string();
    }
    for (mistake, hint) in MISTAKES {
        if let Some(m) = with_mistake(params, cache, targets, mistake) {
            if same_gradients(&m, got) {
                return hint.to_string();
            }
        }
    }
    let right_so_far: Vec<&str> = GRADIENT_ORDER
        .iter()
        .copied()
        .take_while(|&name| gradient(name, expected, got).is_none())
        .collect();
    let so_far = if right_so_far.is_empty() {
        String::new()
    } else {
        format!(" ({} right)", right_so_far.join(", "))
    };
    let general = match first_wrong {
        "db_y" => {
            "db_y = Σ_t dy_t, with dy_t = p_t − onehot(targets[t]): check dy, and that \
                   every step adds its own"
        }
        "dw_hy" => {
            "dw_hy += dy · h_tᵀ: entry (k, i) gets dy[k] · h_t[i] (add_outer(&dy, \
                    &cache.hs[t]))"
        }
        "db_h" => {
            "db_h = Σ_t dhraw_t: check dh = w_hyᵀ · dy + dhnext, and dhraw = (1 − h_t²) ⊙ \
                   dh"
        }
        "dw_xh" => {
            "dw_xh += dhraw · x_tᵀ: dhraw goes into column inputs[t] \
                    (add_to_column(cache.inputs[t], &dhraw))"
        }
        _ => "dw_hh += dhraw · h_{t−1}ᵀ (add_outer(&dhraw, cache.h_before(t)))",
    };
    format!("{general}{so_far}")
}

/// The gradients as `backward` would give them with `mistake`, computed here the plain way;
/// `None` where the mistake does not fit the shapes (it would have panicked).
fn with_mistake(
    params: &Params,
    cache: &ForwardCache,
    targets: &[usize],
    mistake: Mistake,
) -> Option<Grads> {
    let (v, h) = (params.vocab_size(), params.hidden_size());
    if mistake == Mistake::DhNotTransposed && v != h {
        return None;
    }
    let mut g = Grads::zeros_like(params);
    let mut dhnext = vec![0.0; h];
    let steps: Vec<usize> = if mistake == Mistake::ForwardOrder {
        (0..cache.len()).collect()
    } else {
        (0..cache.len()).rev().collect()
    };
    let zeros = Vector::zeros(h);
    for t in steps {
        let hs = &cache.hs[t];
        let before = if mistake == Mistake::HPrevAsZero && t == 0 {
            &zeros
        } else {
            cache.h_before(t)
        };
        let mut dy = cache.ps[t].clone();
        if mistake != Mistake::NoMinusOne {
            dy[targets[t]] -= 1.0;
        }
        let for_w_hy = if mistake == Mistake::DwHyWithHPrev {
            before
        } else {
            hs
        };
        g.dw_hy.add_outer(&dy, for_w_hy);
        g.db_y.add_assign(&dy);
        let mut dhraw = Vector::zeros(h);
        for i in 0..h {
            let mut dh = 0.0;
            for k in 0..v {
                dh += if mistake == Mistake::DhNotTransposed {
                    params.w_hy[(i, k)] * dy[k]
                } else {
                    params.w_hy[(k, i)] * dy[k]
                };
            }
            if mistake != Mistake::NoDhnext {
                dh += dhnext[i];
            }
            dhraw[i] = if mistake == Mistake::TanhDerivative {
                (1.0 - hs[i]) * dh
            } else {
                (1.0 - hs[i] * hs[i]) * dh
            };
        }
        g.db_h.add_assign(&dhraw);
        let x = cache.inputs[t];
        for i in 0..h {
            if mistake == Mistake::ColumnOverwritten {
                g.dw_xh[(i, x)] = dhraw[i];
            } else {
                g.dw_xh[(i, x)] += dhraw[i];
            }
        }
        let for_w_hh = if mistake == Mistake::DwHhWithHt {
            hs
        } else {
            before
        };
        g.dw_hh.add_outer(&dhraw, for_w_hh);
        for j in 0..h {
            let mut sum = 0.0;
            for i in 0..h {
                sum += if mistake == Mistake::DhnextNotTransposed {
                    params.w_hh[(j, i)] * dhraw[i]
                } else {
                    params.w_hh[(i, j)] * dhraw[i]
                };
            }
            dhnext[j] = sum;
        }
    }
    Some(g)
}

fn panic_hint(message: &str) -> String {
    if message.starts_with("matvec") {
        "a product with the wrong shapes: w_hy is (V, H), so dh = w_hyᵀ · dy is \
         params.w_hy.matvec_transposed(&dy, &mut dh) with dh of length H; dhnext = w_hhᵀ · \
         dhraw likewise"
            .to_string()
    } else if message.starts_with("add_outer") {
        "add_outer(&a, &b) adds a · bᵀ, a as long as the rows and b as the columns: dw_hy (V, \
         H) += dy (V) ⊗ h_t (H), dw_hh (H, H) += dhraw (H) ⊗ h_{t−1} (H)"
            .to_string()
    } else if message.starts_with("add_to_column") {
        "dw_xh is (H, V): dhraw (H) goes into column inputs[t], add_to_column(cache.inputs[t], \
         &dhraw)"
            .to_string()
    } else if message.contains("overflow") || message.contains("out of bounds") {
        "at t = 0 there is no hs[t − 1]: the memory before step t is cache.h_before(t), which \
         is cache.h_prev at t = 0"
            .to_string()
    } else {
        "read the panic message and the line it points at: it names the operation and the \
         shapes"
            .to_string()
    }
}
