//! Exercise 3: `hidden_step` and `output_step`, against the crate's `forward::hidden_step` and
//! `forward::output_step`.
//!
//! When an answer is wrong, the check computes what the usual mistakes would have given (a
//! row of `w_xh` instead of a column, no bias, no `tanh`, a transposed `w_hh`, …) and names
//! the one that matches.

use super::compare::{Difference, slices, vectors};
use super::data::Numbers;
use super::{Checked, call, wrong};
use min_char_rnn::{Params, Vector, forward};

/// The functions of exercise 3.
pub struct Fns {
    /// `hidden_step(params, x, h_prev)`.
    pub hidden_step: fn(&Params, usize, &Vector) -> Vector,
    /// `output_step(params, h)`.
    pub output_step: fn(&Params, &Vector) -> Vector,
}

/// The `exercises` library's.
pub fn yours() -> Fns {
    Fns {
        hidden_step: exercises::forward::hidden_step,
        output_step: exercises::forward::output_step,
    }
}

/// A case for `hidden_step`: sizes, the input, and which parts are non-zero.
struct HiddenCase {
    what: &'static str,
    v: usize,
    h: usize,
    x: usize,
    memory: bool,
    bias: bool,
    scale: f64,
}

const HIDDEN_CASES: [HiddenCase; 5] = [
    HiddenCase {
        what: "V = 5, H = 3, x = 2, h_prev = 0, b_h = 0: the input's part alone",
        v: 5,
        h: 3,
        x: 2,
        memory: false,
        bias: false,
        scale: 1.0,
    },
    HiddenCase {
        what: "V = 5, H = 3, x = 4 (the last character), h_prev = 0: the bias",
        v: 5,
        h: 3,
        x: 4,
        memory: false,
        bias: true,
        scale: 1.0,
    },
    HiddenCase {
        what: "V = 5, H = 3, x = 0, h_prev ≠ 0: the memory's part, w_hh · h_prev",
        v: 5,
        h: 3,
        x: 0,
        memory: true,
        bias: true,
        scale: 1.0,
    },
    HiddenCase {
        what: "V = H = 4, x = 3: square matrices, where a mix-up of rows and columns does not \
               panic",
        v: 4,
        h: 4,
        x: 3,
        memory: true,
        bias: true,
        scale: 1.0,
    },
    HiddenCase {
        what: "V = 71, H = 100, x = 70: the corpus's sizes",
        v: 71,
        h: 100,
        x: 70,
        memory: true,
        bias: true,
        scale: 0.15,
    },
];

/// A case for `output_step`.
struct OutputCase {
    what: &'static str,
    v: usize,
    h: usize,
    bias: bool,
}

const OUTPUT_CASES: [OutputCase; 4] = [
    OutputCase {
        what: "V = 5, H = 3, b_y = 0: the product alone",
        v: 5,
        h: 3,
        bias: false,
    },
    OutputCase {
        what: "V = 5, H = 3: the bias",
        v: 5,
        h: 3,
        bias: true,
    },
    OutputCase {
        what: "V = H = 4: a square w_hy, where a transposed product does not panic",
        v: 4,
        h: 4,
        bias: true,
    },
    OutputCase {
        what: "V = 71, H = 100: the corpus's sizes",
        v: 71,
        h: 100,
        bias: true,
    },
];

/// Runs the check.
pub fn run(f: &Fns) -> Checked {
    let mut numbers = Numbers::new(3);
    for c in &HIDDEN_CASES {
        let mut params = numbers.params(c.v, c.h, c.scale);
        if !c.bias {
            params.b_h.fill(0.0);
        }
        let h_prev = if c.memory {
            numbers.vector(c.h, 0.9)
        } else {
            Vector::zeros(c.h)
        };
        let got = call(
            "hidden_step",
            c.what,
            || (f.hidden_step)(&params, c.x, &h_prev),
            hidden_panic_hint,
        )?;
        let mut expected = Vector::zeros(c.h);
        forward::hidden_step(&params, c.x, &h_prev, &mut expected);
        if let Some(d) = vectors(&expected, &got) {
            let hint = hidden_hint(&params, c.x, &h_prev, &d, &got);
            return Err(wrong("hidden_step", c.what, d.describe("h"), hint));
        }
    }
    for c in &OUTPUT_CASES {
        let mut params = numbers.params(c.v, c.h, 1.0);
        if !c.bias {
            params.b_y.fill(0.0);
        }
        let h = numbers.vector(c.h, 0.9);
        let got = call(
            "output_step",
            c.what,
            || (f.output_step)(&params, &h),
            output_panic_hint,
        )?;
        let mut expected = Vector::zeros(c.v);
        forward::output_step(&params, &h, &mut expected);
        if let Some(d) = vectors(&expected, &got) {
            let hint = output_hint(&params, &h, &d, &got);
            return Err(wrong("output_step", c.what, d.describe("y"), hint));
        }
    }
    Ok(())
}

/// What `hidden_step` gives with one usual mistake, entry by entry; `None` where the mistake
/// would not even fit the shapes.
fn hidden_mistake(params: &Params, x: usize, h_prev: &Vector, mistake: Hidden) -> Option<Vec<f64>> {
    let (v, h) = (params.vocab_size(), params.hidden_size());
    let mut out = Vec::with_capacity(h);
    for i in 0..h {
        let column = params.w_xh[(i, x)];
        let mut memory = 0.0;
        let mut memory_transposed = 0.0;
        for j in 0..h {
            memory += params.w_hh[(i, j)] * h_prev[j];
            memory_transposed += params.w_hh[(j, i)] * h_prev[j];
        }
        let b = params.b_h[i];
        out.push(match mistake {
            Hidden::NoTanh => column + memory + b,
            Hidden::Row => {
                if x >= h || i >= v {
                    return None;
                }
                (params.w_xh[(x, i)] + memory + b).tanh()
            }
            Hidden::NoBias => (column + memory).tanh(),
            Hidden::BiasOutside => (column + memory).tanh() + b,
            Hidden::NoMemory => (column + b).tanh(),
            Hidden::Transposed => (column + memory_transposed + b).tanh(),
        });
    }
    Some(out)
}

#[derive(Clone, Copy)]
enum Hidden {
    NoTanh,
    Row,
    NoBias,
    BiasOutside,
    NoMemory,
    Transposed,
}

fn hidden_hint(params: &Params, x: usize, h_prev: &Vector, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { expected, .. } = d {
        return format!(
            "h has one entry per hidden unit: its length is H = params.hidden_size(), here \
             {expected} (w_xh is (H, V): H rows)"
        );
    }
    let mistakes = [
        (
            Hidden::Row,
            "you read row x of w_xh, w_xh[(x, i)]; for a one-hot x, w_xh · x is column x: \
             w_xh[(i, x)]",
        ),
        (
            Hidden::NoTanh,
            "the sum goes through tanh: h = tanh(w_xh · x + w_hh · h_prev + b_h)",
        ),
        (
            Hidden::NoBias,
            "the bias is missing: add b_h[i] inside the tanh",
        ),
        (
            Hidden::BiasOutside,
            "b_h goes inside the tanh, with the two products: tanh(… + b_h)",
        ),
        (
            Hidden::NoMemory,
            "the memory's part is missing: add (w_hh · h_prev)[i], row i of w_hh dotted with \
             h_prev",
        ),
        (
            Hidden::Transposed,
            "w_hh · h_prev came out transposed: entry i is row i of w_hh dotted with h_prev, \
             Σ_j w_hh[(i, j)] · h_prev[j] (matvec, not matvec_transposed)",
        ),
    ];
    for (mistake, hint) in mistakes {
        if let Some(values) = hidden_mistake(params, x, h_prev, mistake) {
            if slices(&values, got.as_slice()).is_none() {
                return hint.to_string();
            }
        }
    }
    "h[i] = tanh(w_xh[(i, x)] + Σ_j w_hh[(i, j)] · h_prev[j] + b_h[i])".to_string()
}

fn output_hint(params: &Params, h: &Vector, d: &Difference, got: &Vector) -> String {
    if let Difference::Length { expected, .. } = d {
        return format!(
            "y has one score per character: its length is V = params.vocab_size(), here \
             {expected} (w_hy is (V, H): V rows)"
        );
    }
    let (v, hs) = (params.vocab_size(), params.hidden_size());
    let mut no_bias = vec![0.0; v];
    let mut transposed = vec![0.0; v];
    for k in 0..v {
        for i in 0..hs {
            no_bias[k] += params.w_hy[(k, i)] * h[i];
            if v == hs {
                transposed[k] += params.w_hy[(i, k)] * h[i];
            }
        }
        transposed[k] += params.b_y[k];
    }
    if slices(&no_bias, got.as_slice()).is_none() {
        return "the bias is missing: y = w_hy · h + b_y".to_string();
    }
    if v == hs && slices(&transposed, got.as_slice()).is_none() {
        return "a transposed product: entry k of w_hy · h is row k of w_hy dotted with h, \
                Σ_i w_hy[(k, i)] · h[i] (matvec)"
            .to_string();
    }
    "y[k] = Σ_i w_hy[(k, i)] · h[i] + b_y[k]".to_string()
}

fn hidden_panic_hint(message: &str) -> String {
    if message.starts_with("index: (") {
        "a matrix index out of range: w_xh is (H, V), so its entry for hidden unit i and \
         character x is w_xh[(i, x)], the row first"
            .to_string()
    } else if message.starts_with("matvec") {
        "the shapes of a product: w_hh is (H, H) and h_prev (H), so out = w_hh · h_prev needs \
         an out of length H"
            .to_string()
    } else {
        "read the panic message and the line it points at: it names the operation and the \
         shapes"
            .to_string()
    }
}

fn output_panic_hint(message: &str) -> String {
    if message.starts_with("matvec") || message.starts_with("index: (") {
        "w_hy is (V, H) and h is (H): y = w_hy · h is params.w_hy.matvec(h, &mut y), with y of \
         length V"
            .to_string()
    } else if message.starts_with("add_assign") {
        "y and b_y both have V entries: make y with Vector::zeros(params.vocab_size())".to_string()
    } else {
        "read the panic message and the line it points at: it names the operation and the \
         shapes"
            .to_string()
    }
}
