//! What the network learned: run a trained network over a text, character by character, and
//! keep what it did at every step, then write it all into one HTML page you can read.
//!
//! For each character of the text the network reads, three things are kept:
//!
//! ```text
//! surprise_t = −ln p_{t−1}[c_t]          how unexpected c_t was            (nats; ÷ ln 2: bits)
//! top-5      = the 5 largest p_{t−1}[k]  what the network expected instead
//! rank       = 1 + #{k : p_{t−1}[k] > p_{t−1}[c_t]}   where the real character came
//! units_t    = h_t                       every hidden unit after reading c_t            (U)
//! ```
//!
//! The first character has no surprise (nothing came before it to make a guess), so a text of
//! `n` characters has `n − 1` guesses, and their mean surprise is exactly what
//! [`evaluate`](crate::train::evaluate) (for a Part II network,
//! [`evaluate_text`](crate::charrnn::evaluate_text)) reports for the same text: the same
//! functions in the same order, from the same empty memory.
//!
//! Then the units are compared with simple features of the text (inside quotation marks,
//! position in the line, start of a word, position in the word, after a full stop): the
//! Pearson correlation of each
//! unit's activations with each feature over the whole text ranks the units worth looking at.
//!
//! The network is anything [`Explainable`]: a step function, and its units in named groups.
//! The vanilla RNN ([`Params`]) has one group, `h`; a Part II [`Network`] of `L` layers has
//! one group per layer and kind: `l0 h`, `l1 h`, …, and for the LSTM `l0 c`, `l1 c`, … (its
//! cell states), and gets the same page.

use crate::forward::{hidden_step, output_step};
use crate::loss::{cross_entropy, softmax};
use crate::network::{Network, Sampler};
use crate::{Params, Vector, Vocab};
use std::fmt::{self, Write as _};

/// How many of the network's best guesses are kept for each character.
pub const TOP: usize = 5;

/// How many units the ranking keeps for each feature.
pub const RANKED: usize = 5;

/// The surprise, in nats, at which the page's shading stops getting darker. A uniform guess
/// over 71 characters is `ln 71 ≈ 4.26` nats; a network rarely does worse than 8.
pub const SURPRISE_SCALE: f64 = 8.0;

/// The number of shades the page uses for the surprise (each `SURPRISE_SCALE / 16` nats wide).
pub const SURPRISE_SHADES: usize = 16;

/// The most characters the command line explains at once: the page of 50,000 characters is
/// already several megabytes.
pub const MAX_CHARS: usize = 50_000;

/// A named group of a network's units: for the vanilla RNN, its hidden state `h`; for a
/// network of layers, the hidden state or the cell state of one layer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitGroup {
    /// How the page names the group's units, before their index: `h`, `l2 h`, `l2 c`.
    pub label: String,
    /// What the group is, in words, for the chooser: `the hidden state`, `the cell state of
    /// layer 2`.
    pub title: String,
    /// A short name without spaces, for the page's address (`#unit=h37`): `h`, `l2h`, `l2c`.
    pub key: String,
    /// How many units the group has.
    pub size: usize,
    /// Whether every value lies in `[−1, 1]` (a `tanh`): the page then shades every unit of
    /// the group on that one scale; otherwise each unit on its own largest `|value|`.
    pub bounded: bool,
}

impl UnitGroup {
    /// The name of unit `j` of this group, as the page shows it: `h[37]`, `l2 c[5]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::explain::UnitGroup;
    /// let h = UnitGroup {
    ///     label: "h".into(),
    ///     title: "the hidden state".into(),
    ///     key: "h".into(),
    ///     size: 100,
    ///     bounded: true,
    /// };
    /// assert_eq!(h.unit_label(37), "h[37]");
    /// ```
    pub fn unit_label(&self, j: usize) -> String {
        format!("{}[{j}]", self.label)
    }
}

/// A network that can be watched as it reads: it starts from an empty memory, reads one
/// character at a time, gives its probabilities for the next one, and shows its units.
///
/// The state lives outside the network (`Self::State`), so the network itself is only read,
/// as in [`evaluate`](crate::train::evaluate).
// ANCHOR: explainable
pub trait Explainable {
    /// The memory between two steps, and any buffers a step needs.
    type State;

    /// `V`: how many characters the network knows.
    fn vocab_size(&self) -> usize;

    /// The memory before the first character: all zeros, as in `evaluate` and `sample`.
    fn start(&self) -> Self::State;

    /// Reads character `x` and writes the probabilities of the next character into `probs`
    /// `(V)`.
    fn step(&self, state: &mut Self::State, x: usize, probs: &mut Vector);

    /// The units, in the order [`read_units`](Explainable::read_units) writes them.
    fn unit_groups(&self) -> Vec<UnitGroup>;

    /// Writes every unit's value after the last step into `out`, group after group; `out`
    /// has the total size of the groups.
    fn read_units(&self, state: &Self::State, out: &mut [f64]);
}
// ANCHOR_END: explainable

/// The vanilla RNN's memory while it is being watched: `h_{t−1}`, `h_t` and the scores `y_t`.
#[derive(Clone, Debug)]
pub struct RnnState {
    /// The hidden state before the last step, `(H)`.
    pub h_prev: Vector,
    /// The hidden state after the last step, `(H)`.
    pub h: Vector,
    /// The scores of the last step, `(V)`.
    pub y: Vector,
}

// ANCHOR: explainable_rnn
impl Explainable for Params {
    type State = RnnState;

    fn vocab_size(&self) -> usize {
        Params::vocab_size(self)
    }

    fn start(&self) -> RnnState {
        RnnState {
            h_prev: Vector::zeros(self.hidden_size()),
            h: Vector::zeros(self.hidden_size()), // h_{−1} = 0
            y: Vector::zeros(Params::vocab_size(self)),
        }
    }

    fn step(&self, state: &mut RnnState, x: usize, probs: &mut Vector) {
        std::mem::swap(&mut state.h_prev, &mut state.h); // the new memory becomes the old
        hidden_step(self, x, &state.h_prev, &mut state.h); // h_t = tanh(w_xh·x_t + w_hh·h_{t−1} + b_h)
        output_step(self, &state.h, &mut state.y); // y_t = w_hy·h_t + b_y
        softmax(&state.y, probs); // p_t = softmax(y_t)
    }

    fn unit_groups(&self) -> Vec<UnitGroup> {
        vec![UnitGroup {
            label: "h".to_string(),
            title: "the hidden state".to_string(),
            key: "h".to_string(),
            size: self.hidden_size(),
            bounded: true, // tanh
        }]
    }

    fn read_units(&self, state: &RnnState, out: &mut [f64]) {
        out.copy_from_slice(state.h.as_slice());
    }
}
// ANCHOR_END: explainable_rnn

/// A Part II network is watched through a [`Sampler`]: the one stream's memories (`h`, and
/// `c` for the LSTM, of every layer) and its scores, stepped as
/// [`evaluate_text`](crate::charrnn::evaluate_text) steps them, so the loss on the page is the
/// one it reports, to the last bit.
///
/// Its units come layer by layer, bottom (layer 0, which reads the characters) to top: the
/// hidden state `h` of each layer (`l0 h`, `l1 h`, …; between −1 and 1 for every cell) and,
/// for the LSTM, the cell state `c` after it (`l0 c`, …; unbounded, so each unit gets its
/// own scale on the page).
///
/// # Examples
///
/// ```
/// use min_char_rnn::cells::CellKind;
/// use min_char_rnn::explain::{Explainable, explain};
/// use min_char_rnn::{Vocab, charrnn::evaluate_text, network::Network};
/// let vocab = Vocab::from_text("ab \"c\"");
/// let text = vocab.encode("ab \"c\" ab")?;
/// let net = Network::new(CellKind::Lstm, vocab.len(), 4, 2, 1);
/// let labels: Vec<String> = net.unit_groups().into_iter().map(|g| g.label).collect();
/// assert_eq!(labels, ["l0 h", "l0 c", "l1 h", "l1 c"]);
/// let e = explain(&net, &vocab, &text)?;
/// assert_eq!((e.unit_count, e.unit_label(13)), (16, "l1 c[1]".to_string()));
/// assert_eq!(e.loss, evaluate_text(&net, &text)); // the same number, to the last bit
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl Explainable for Network {
    type State = Sampler;

    fn vocab_size(&self) -> usize {
        Network::vocab_size(self)
    }

    fn start(&self) -> Sampler {
        Sampler::new(self) // zero memories in every layer
    }

    fn step(&self, sampler: &mut Sampler, x: usize, probs: &mut Vector) {
        let y = sampler.step(self, x); // every layer, then y_t = W_hy·h_t^{L−1} + b_y
        softmax(y, probs); // p_t = softmax(y_t)
    }

    fn unit_groups(&self) -> Vec<UnitGroup> {
        let size = self.hidden_size();
        let mut groups = Vec::new();
        for l in 0..self.num_layers() {
            groups.push(UnitGroup {
                label: format!("l{l} h"),
                title: format!("the hidden state of layer {l}"),
                key: format!("l{l}h"),
                size,
                bounded: true, // tanh, o·tanh(c), or a mix of h_{t−1} and a tanh
            });
            if self.cell.has_cell_state() {
                groups.push(UnitGroup {
                    label: format!("l{l} c"),
                    title: format!("the cell state of layer {l}"),
                    key: format!("l{l}c"),
                    size,
                    bounded: false, // c_t = f·c_{t−1} + i·g can grow past ±1
                });
            }
        }
        groups
    }

    fn read_units(&self, sampler: &Sampler, out: &mut [f64]) {
        let size = self.hidden_size();
        let mut at = 0;
        for l in 0..self.num_layers() {
            out[at..at + size].copy_from_slice(sampler.state.h[l].row(0)); // the one stream
            at += size;
            if self.cell.has_cell_state() {
                out[at..at + size].copy_from_slice(sampler.state.c[l].row(0));
                at += size;
            }
        }
    }
}

/// What the network expected at one character, before it saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Guess {
    /// The character that came, as an index.
    pub target: usize,
    /// The probability the network gave it.
    pub p: f64,
    /// `−ln p`, in nats: the loss of this step.
    pub surprise: f64,
    /// Where it ranked among the network's guesses: 1 if it was the most likely. Characters
    /// with the same probability share a rank.
    pub rank: usize,
    /// The `TOP` most likely characters and their probabilities, the most likely first (of
    /// equal probabilities, the lower index first).
    pub top: Vec<(usize, f64)>,
}

impl Guess {
    /// The guess that the probabilities `p` `(V)` made for the character `target`.
    ///
    /// # Panics
    ///
    /// If `target >= p.len()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use min_char_rnn::{Vector, explain::Guess};
    /// let p = Vector::from_vec(vec![0.1, 0.6, 0.3]);
    /// let guess = Guess::of(&p, 2);
    /// assert_eq!((guess.rank, guess.surprise), (2, -(0.3f64).ln()));
    /// assert_eq!(guess.top, [(1, 0.6), (2, 0.3), (0, 0.1)]);
    /// ```
    // ANCHOR: guess
    #[track_caller]
    pub fn of(p: &Vector, target: usize) -> Guess {
        let mut top: Vec<(usize, f64)> = Vec::with_capacity(TOP + 1);
        let mut above = 0; // how many characters were more likely than the target
        for k in 0..p.len() {
            if p[k] > p[target] {
                above += 1;
            }
            // Insert k after every kept guess at least as likely: a short insertion sort.
            let at = top.iter().take_while(|&&(_, q)| q >= p[k]).count();
            if at < TOP {
                top.insert(at, (k, p[k]));
                top.truncate(TOP);
            }
        }
        Guess {
            target,
            p: p[target],
            surprise: cross_entropy(p, target), // −ln p[target], as the loss computes it
            rank: above + 1,
            top,
        }
    }
    // ANCHOR_END: guess
}

/// A simple property of each character of a text, as a number (1 or 0 for yes or no).
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// What it is, in a few words: "inside quotation marks".
    pub name: &'static str,
    /// What it counts, exactly.
    pub description: &'static str,
    /// Its value at each character of the text.
    pub values: Vec<f64>,
}

/// How closely one unit follows one feature.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UnitScore {
    /// The unit, numbered across all groups (as [`Explainable::read_units`] writes them).
    pub unit: usize,
    /// The Pearson correlation of the unit's activations with the feature, in `[−1, 1]`:
    /// near 1, the unit is high where the feature is; near −1, low.
    pub r: f64,
}

/// The units that follow one feature best.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureRanking {
    /// Which feature (an index into [`Explanation::features`]).
    pub feature: usize,
    /// The `RANKED` units with the largest `|r|`, the largest first; empty if the feature
    /// does not vary in the text (no quotation marks at all, say).
    pub best: Vec<UnitScore>,
}

/// Everything the network did on a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    /// The vocabulary's characters, so that an index means something.
    pub vocab: Vec<char>,
    /// The text, as indices: `n` characters.
    pub text: Vec<usize>,
    /// `guesses[t]` is the guess for `text[t + 1]`, made after reading `text[..=t]`: `n − 1`
    /// of them.
    pub guesses: Vec<Guess>,
    /// The groups of units.
    pub groups: Vec<UnitGroup>,
    /// `U`: the number of units of all groups together.
    pub unit_count: usize,
    /// `units[t · U + u]`: unit `u` after reading `text[t]`, `(n, U)` row-major.
    pub units: Vec<f64>,
    /// The features of the text the units are compared with.
    pub features: Vec<Feature>,
    /// For each feature, the units that follow it best.
    pub ranking: Vec<FeatureRanking>,
    /// The mean surprise per guessed character, in nats: the loss
    /// [`evaluate`](crate::train::evaluate) (or, for a Part II network,
    /// [`evaluate_text`](crate::charrnn::evaluate_text)) reports for this text.
    pub loss: f64,
}

impl Explanation {
    /// The value of unit `u` after reading `text[t]`.
    pub fn unit(&self, t: usize, u: usize) -> f64 {
        self.units[t * self.unit_count + u]
    }

    /// The group unit `u` belongs to, and its index inside it.
    ///
    /// # Panics
    ///
    /// If `u >= U`.
    pub fn group_of(&self, u: usize) -> (&UnitGroup, usize) {
        let mut first = 0;
        for group in &self.groups {
            if u < first + group.size {
                return (group, u - first);
            }
            first += group.size;
        }
        panic!(
            "group_of: unit {u}, but there are {} units",
            self.unit_count
        );
    }

    /// The name of unit `u` on the page: `h[37]`.
    pub fn unit_label(&self, u: usize) -> String {
        let (group, j) = self.group_of(u);
        group.unit_label(j)
    }

    /// The address of unit `u` on the page (`h37` for `#unit=h37`).
    pub fn unit_key(&self, u: usize) -> String {
        let (group, j) = self.group_of(u);
        format!("{}{j}", group.key)
    }
}

/// Why a text cannot be explained.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExplainError {
    /// Fewer than 2 characters: nothing to guess.
    TooShort(usize),
    /// The vocabulary does not have the network's `V` characters.
    VocabSize {
        /// Characters in the vocabulary.
        vocab: usize,
        /// The network's `V`.
        network: usize,
    },
    /// An index of the text is not below `V`.
    IndexOutOfRange {
        /// Where in the text.
        position: usize,
        /// The index found.
        index: usize,
    },
}

impl fmt::Display for ExplainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExplainError::TooShort(n) => write!(
                f,
                "the text has {n} character(s); at least 2 are needed (one to read, one to guess)"
            ),
            ExplainError::VocabSize { vocab, network } => write!(
                f,
                "the vocabulary has {vocab} characters, but the network knows {network}"
            ),
            ExplainError::IndexOutOfRange { position, index } => write!(
                f,
                "index {index} at position {position} is outside the network's vocabulary"
            ),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Runs `model` over `text` (indices in `vocab`) from an empty memory and keeps, at every
/// character, its guess for the next one and the value of every unit; then compares the
/// units with the text's [`features`] and ranks them.
///
/// # Errors
///
/// [`ExplainError`] if the text has fewer than 2 characters, the vocabulary does not fit
/// the network, or an index is out of range.
///
/// # Examples
///
/// ```
/// use min_char_rnn::{Params, Vocab, explain::explain, train::evaluate};
/// let vocab = Vocab::from_text("ab \"c\"");
/// let text = vocab.encode("ab \"c\" ab")?;
/// let params = Params::new(vocab.len(), 8, 1);
/// let e = explain(&params, &vocab, &text)?;
/// assert_eq!(e.guesses.len(), text.len() - 1);
/// assert_eq!(e.loss, evaluate(&params, &text)); // the same number, to the last bit
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
// ANCHOR: explain
pub fn explain<M: Explainable>(
    model: &M,
    vocab: &Vocab,
    text: &[usize],
) -> Result<Explanation, ExplainError> {
    let v = model.vocab_size();
    check_text(vocab, v, text)?;
    let groups = model.unit_groups();
    let unit_count: usize = groups.iter().map(|g| g.size).sum();
    let n = text.len();
    let mut units = vec![0.0; n * unit_count];
    let mut guesses = Vec::with_capacity(n - 1);
    let mut state = model.start();
    let mut p = Vector::zeros(v);
    let mut total = 0.0;
    for t in 0..n {
        model.step(&mut state, text[t], &mut p); // p: the guesses for text[t + 1]
        model.read_units(&state, &mut units[t * unit_count..(t + 1) * unit_count]);
        if t + 1 < n {
            let guess = Guess::of(&p, text[t + 1]);
            total += guess.surprise; // the sum evaluate makes, in its order
            guesses.push(guess);
        }
    }
    let chars: Vec<char> = text.iter().map(|&ix| vocab.ix_to_char(ix)).collect();
    let features = features(&chars);
    let ranking = rank_units(&units, unit_count, &features);
    Ok(Explanation {
        vocab: vocab.chars().to_vec(),
        text: text.to_vec(),
        guesses,
        groups,
        unit_count,
        units,
        features,
        ranking,
        loss: total / (n - 1) as f64,
    })
}
// ANCHOR_END: explain

fn check_text(vocab: &Vocab, v: usize, text: &[usize]) -> Result<(), ExplainError> {
    if text.len() < 2 {
        return Err(ExplainError::TooShort(text.len()));
    }
    if vocab.len() != v {
        return Err(ExplainError::VocabSize {
            vocab: vocab.len(),
            network: v,
        });
    }
    match text.iter().position(|&ix| ix >= v) {
        Some(position) => Err(ExplainError::IndexOutOfRange {
            position,
            index: text[position],
        }),
        None => Ok(()),
    }
}

/// The features the units are compared with, each with its value at every character `t`
/// (as the network has read it, `c_t` included):
///
/// - **inside quotation marks**: 1 from an opening `"` up to the character before the
///   closing one (an odd number of `"` read so far; `“` opens, `”` closes);
/// - **position in the line**: how many characters since the last newline (1 for the first
///   of a line, 0 for the newline itself);
/// - **start of a word**: 1 for a letter or digit that follows anything else;
/// - **position in the word**: how many letters and digits in a row, up to this one (0
///   for a space or a punctuation mark);
/// - **after a full stop**: 1 for a `.` and the spaces and newlines after it, where a
///   capital letter is likely next.
///
/// # Examples
///
/// ```
/// let chars: Vec<char> = "a \"b\" c.".chars().collect();
/// let f = min_char_rnn::explain::features(&chars);
/// assert_eq!(f[0].values, [0., 0., 1., 1., 0., 0., 0., 0.]); // inside quotation marks
/// assert_eq!(f[1].values, [1., 2., 3., 4., 5., 6., 7., 8.]); // position in the line
/// ```
// ANCHOR: features
pub fn features(chars: &[char]) -> Vec<Feature> {
    let n = chars.len();
    let mut quoted = vec![0.0; n];
    let mut column = vec![0.0; n];
    let mut word_start = vec![0.0; n];
    let mut in_word = vec![0.0; n];
    let mut after_stop = vec![0.0; n];
    let (mut inside, mut col, mut letters, mut stop) = (false, 0, 0, false);
    for t in 0..n {
        let c = chars[t];
        inside = match c {
            '"' => !inside,
            '“' => true,
            '”' => false,
            _ => inside,
        };
        col = if c == '\n' { 0 } else { col + 1 };
        stop = c == '.' || (stop && c.is_whitespace());
        letters = if c.is_alphanumeric() { letters + 1 } else { 0 };
        let previous = if t == 0 { ' ' } else { chars[t - 1] };
        quoted[t] = f64::from(u8::from(inside));
        column[t] = col as f64;
        word_start[t] = f64::from(u8::from(c.is_alphanumeric() && !previous.is_alphanumeric()));
        in_word[t] = letters as f64;
        after_stop[t] = f64::from(u8::from(stop));
    }
    vec![
        Feature {
            name: "inside quotation marks",
            description: "1 from an opening quotation mark to the character before the closing one",
            values: quoted,
        },
        Feature {
            name: "position in the line",
            description: "characters since the last newline",
            values: column,
        },
        Feature {
            name: "start of a word",
            description: "1 at a letter or digit that follows a space or punctuation",
            values: word_start,
        },
        Feature {
            name: "position in the word",
            description: "letters and digits since the word began (0 between words)",
            values: in_word,
        },
        Feature {
            name: "after a full stop",
            description: "1 at a full stop and the spaces after it",
            values: after_stop,
        },
    ]
}
// ANCHOR_END: features

/// Pearson's correlation of `x` and `y`:
/// `r = Σ (x_t − x̄)(y_t − ȳ) / √(Σ (x_t − x̄)² · Σ (y_t − ȳ)²)`, in `[−1, 1]`. `None` if
/// either does not vary (the formula divides by 0).
///
/// # Panics
///
/// If the lengths differ.
///
/// # Examples
///
/// ```
/// use min_char_rnn::explain::correlation;
/// assert_eq!(correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
/// assert_eq!(correlation(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0]), None);
/// ```
// ANCHOR: correlation
#[track_caller]
pub fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    crate::vector::check_len("correlation", "vs", x.len(), y.len());
    let n = x.len() as f64;
    let mean_x = x.iter().sum::<f64>() / n;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut xy, mut xx, mut yy) = (0.0, 0.0, 0.0);
    for t in 0..x.len() {
        let (dx, dy) = (x[t] - mean_x, y[t] - mean_y);
        xy += dx * dy;
        xx += dx * dx;
        yy += dy * dy;
    }
    if xx <= 0.0 || yy <= 0.0 {
        return None;
    }
    Some((xy / (xx * yy).sqrt()).clamp(-1.0, 1.0))
}
// ANCHOR_END: correlation

/// For each feature, the `RANKED` units whose activations correlate best with it (largest
/// `|r|`, the lower unit first on a tie). `units` is `(n, unit_count)` row-major, as in
/// [`Explanation::units`].
// ANCHOR: rank_units
pub fn rank_units(units: &[f64], unit_count: usize, features: &[Feature]) -> Vec<FeatureRanking> {
    let n = units.len().checked_div(unit_count).unwrap_or(0); // characters
    let mut column = vec![0.0; n]; // one unit's activations over the text
    let mut scores: Vec<Vec<UnitScore>> = vec![Vec::new(); features.len()];
    for u in 0..unit_count {
        for t in 0..n {
            column[t] = units[t * unit_count + u];
        }
        for (f, feature) in features.iter().enumerate() {
            if let Some(r) = correlation(&column, &feature.values) {
                scores[f].push(UnitScore { unit: u, r });
            }
        }
    }
    let mut ranking = Vec::with_capacity(features.len());
    for (feature, mut best) in scores.into_iter().enumerate() {
        best.sort_by(|a, b| b.r.abs().total_cmp(&a.r.abs()).then(a.unit.cmp(&b.unit)));
        best.truncate(RANKED);
        ranking.push(FeatureRanking { feature, best });
    }
    ranking
}
// ANCHOR_END: rank_units

/// What the page says about where the text and the network come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// The page's title.
    pub title: String,
    /// The network, in a few words: "a vanilla RNN with 100 hidden units, after 20000
    /// iterations".
    pub model: String,
    /// The text: "the first 1987 characters of the built-in corpus".
    pub source: String,
}

/// The first line of every page: how a page is recognised as one `explain` wrote.
pub const PAGE_MARK: &str = "<!-- min-char-rnn explain page -->";

/// The colour-blind-safe palette for the surprise, cividis (Nuñez, Anderton and Renslow,
/// 2018), at 0, 0.2, …, 1: dark blue to yellow, evenly brighter along the way.
const CIVIDIS: [[u8; 3]; 6] = [
    [0, 34, 78],
    [53, 69, 108],
    [102, 105, 112],
    [148, 142, 119],
    [200, 184, 102],
    [254, 232, 56],
];

/// The palette for the units, viridis (van der Walt and Smith, 2015), at 0, 1/8, …, 1:
/// purple through teal to yellow.
const VIRIDIS: [[u8; 3]; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// The levels a unit's value is stored at on the page: one character of `UNIT_DIGITS` each.
const UNIT_LEVELS: usize = 64;

/// The 64 characters that store a unit's level, the lowest first.
const UNIT_DIGITS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The colour at `x` in `[0, 1]` along `stops` (evenly spaced), mixed linearly in sRGB.
fn palette(stops: &[[u8; 3]], x: f64) -> [u8; 3] {
    let x = x.clamp(0.0, 1.0) * (stops.len() - 1) as f64;
    let k = (x.floor() as usize).min(stops.len() - 2);
    let f = x - k as f64;
    let mut out = [0u8; 3];
    for c in 0..3 {
        let (a, b) = (f64::from(stops[k][c]), f64::from(stops[k + 1][c]));
        out[c] = (a + (b - a) * f).round() as u8;
    }
    out
}

/// Black or white, whichever reads better on `rgb` (by WCAG contrast).
fn ink(rgb: [u8; 3]) -> &'static str {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
    // Contrast with black (l + 0.05) / 0.05 against white 1.05 / (l + 0.05).
    if (l + 0.05) * (l + 0.05) > 0.05 * 1.05 {
        "#000"
    } else {
        "#fff"
    }
}

fn hex(rgb: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2])
}

/// The colour of surprise shade `b` (of `SURPRISE_SHADES`): light for an expected character,
/// dark for a surprise, so that the ink goes where the network stumbled.
fn surprise_colour(b: usize) -> [u8; 3] {
    palette(&CIVIDIS, 1.0 - (b as f64 + 0.5) / SURPRISE_SHADES as f64)
}

/// The shade of a surprise `s` in nats: `0 ..= SURPRISE_SHADES − 1`.
fn surprise_shade(s: f64) -> usize {
    let b = (s / SURPRISE_SCALE * SURPRISE_SHADES as f64).floor();
    if b.is_nan() || b < 0.0 {
        0
    } else {
        (b as usize).min(SURPRISE_SHADES - 1)
    }
}

/// `c` as the page shows it: a newline as `↵` (the line break follows its element), a tab
/// as `⇥`, other control characters as their Unicode pictures (`␀`, `␍`, …).
fn glyph(c: char) -> char {
    match c {
        '\n' => '↵',
        '\t' => '⇥',
        '\u{7f}' => '␡',
        c if (c as u32) < 0x20 => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        c => c,
    }
}

/// `s` escaped for HTML text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// `s` as a JSON string that is also safe inside a `<script>` element (no `<`, `>`, `&`).
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || "<>&\u{2028}\u{2029}".contains(c) => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A probability in thousandths, for the page: `0.3124` → `312`.
fn permille(p: f64) -> u32 {
    (p * 1000.0).round() as u32
}

/// The element of character `t`: its surprise shade as a class, and as data its surprise in
/// nats (`data-s`), the real character's rank (`data-r`) and the top guesses as
/// `index:thousandths` pairs (`data-g`). The first character has no guess, so no data.
// ANCHOR: char_element
fn write_char(out: &mut String, e: &Explanation, t: usize) {
    let c = e.vocab[e.text[t]];
    match t.checked_sub(1).map(|g| &e.guesses[g]) {
        None => out.push_str("<span>"),
        Some(guess) => {
            let _ = write!(
                out,
                "<span class=s{} data-s={:.2} data-r={} data-g=",
                surprise_shade(guess.surprise),
                guess.surprise,
                guess.rank
            );
            for (k, &(ix, p)) in guess.top.iter().enumerate() {
                let comma = if k == 0 { "" } else { "," };
                let _ = write!(out, "{comma}{ix}:{}", permille(p));
            }
            out.push('>');
        }
    }
    out.push_str(&escape(&glyph(c).to_string()));
    out.push_str("</span>");
    if c == '\n' {
        out.push('\n');
    }
}
// ANCHOR_END: char_element

/// The largest `|value|` of each unit over the text: the scale its shading uses (1 for a
/// bounded group, so that all its units share one scale).
fn unit_scales(e: &Explanation) -> Vec<f64> {
    let mut scales = Vec::with_capacity(e.unit_count);
    for u in 0..e.unit_count {
        let (group, _) = e.group_of(u);
        if group.bounded {
            scales.push(1.0);
            continue;
        }
        let mut largest: f64 = 0.0;
        for t in 0..e.text.len() {
            largest = largest.max(e.unit(t, u).abs());
        }
        scales.push(if largest > 0.0 { largest } else { 1.0 });
    }
    scales
}

/// Every unit's values, one line per unit, one character per value (`UNIT_LEVELS` levels
/// from `−scale` to `+scale`).
fn write_unit_data(out: &mut String, e: &Explanation, scales: &[f64]) {
    for u in 0..e.unit_count {
        for t in 0..e.text.len() {
            let x = (e.unit(t, u) / scales[u] + 1.0) / 2.0; // in [0, 1]
            let level = (x * (UNIT_LEVELS - 1) as f64).round();
            let level = if level.is_nan() { 0.0 } else { level };
            let level = level.clamp(0.0, (UNIT_LEVELS - 1) as f64) as usize;
            out.push(char::from(UNIT_DIGITS[level]));
        }
        out.push('\n');
    }
}

/// "0.482" → "+0.48", for correlations.
fn signed(r: f64) -> String {
    format!("{r:+.2}").replace('-', "−")
}

/// An estimate of the size in bytes of the page of a text of `chars` characters for a
/// network of `units` units: each character's element and one byte per unit, plus the
/// page's fixed part (styles, script, the chooser).
///
/// # Examples
///
/// ```
/// use min_char_rnn::explain::page_size_estimate;
/// assert!(page_size_estimate(10_000, 100) < 2_200_000);
/// ```
pub fn page_size_estimate(chars: usize, units: usize) -> usize {
    chars.saturating_mul(units.saturating_add(90)) + units.saturating_mul(40) + 24_000
}

/// The page: one self-contained HTML file (no network access, no external script or font)
/// that shows the text shaded by surprise or by any unit, the guesses at each character on
/// hover, tap or focus, the loss, and the ranked units.
pub fn page(e: &Explanation, info: &PageInfo) -> String {
    let n = e.text.len();
    let mut out = String::with_capacity(page_size_estimate(n, e.unit_count));
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(PAGE_MARK);
    out.push_str("\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(&info.title));
    write_style(&mut out);
    out.push_str("</head>\n<body>\n");
    write_header(&mut out, e, info);
    write_controls(&mut out, e);
    out.push_str(
        "<p class=\"hint\">Point at, tap or focus a character to see what the network \
         expected there.</p>\n<div id=\"detail\" role=\"status\" aria-live=\"polite\" \
         hidden></div>\n",
    );
    out.push_str(
        "<div id=\"text\" role=\"group\" tabindex=\"0\" aria-label=\"The text, one character at a time: \
         move with the arrow keys\" aria-describedby=\"detail\">",
    );
    for t in 0..n {
        write_char(&mut out, e, t);
    }
    out.push_str("</div>\n");
    write_ranking(&mut out, e);
    write_footer(&mut out, e);
    let scales = unit_scales(e);
    out.push_str("<script type=\"text/plain\" id=\"unit-data\">\n");
    write_unit_data(&mut out, e, &scales);
    out.push_str("</script>\n");
    write_script(&mut out, e, &scales);
    out.push_str("</body>\n</html>\n");
    out
}

fn write_style(out: &mut String) {
    out.push_str("<style>\n");
    out.push_str(STYLE);
    for b in 0..SURPRISE_SHADES {
        let rgb = surprise_colour(b);
        let _ = writeln!(out, ".s{b}{{background:{};color:{}}}", hex(rgb), ink(rgb));
    }
    out.push_str("</style>\n");
}

const STYLE: &str = "\
:root{font-size:100%;color-scheme:light}
body{font-family:system-ui,sans-serif;line-height:1.5;margin:0 auto;padding:1rem 1rem 12rem;max-width:52rem;color:#1b1b1b;background:#fff}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
p{margin:.5rem 0}
dl.figures{display:flex;flex-wrap:wrap;gap:.25rem 1.5rem;margin:.5rem 0}
dl.figures div{display:flex;gap:.4rem;align-items:baseline}
dl.figures dt{color:#555}
dl.figures dd{margin:0;font-weight:600;font-variant-numeric:tabular-nums}
.controls{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:1rem 0 .5rem}
select,button{font:inherit;font-size:1rem}
select{min-height:2.2rem;max-width:100%}
.legend{flex:1 1 16rem;min-width:14rem}
.bar{height:.9rem;border:1px solid #888;border-radius:.2rem;position:relative}
.ticks{position:relative;height:1.1rem;font-size:.75rem;color:#333;font-variant-numeric:tabular-nums}
.ticks span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.ticks span.first{transform:none}
.ticks span.last{transform:translateX(-100%)}
.mark{position:absolute;top:-.3rem;bottom:-.3rem;border-left:2px dashed #d00}
.legend-note{font-size:.8rem;color:#444}
#text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;line-height:1.6;white-space:pre-wrap;overflow-wrap:anywhere;padding:.5rem;border:1px solid #ccc;border-radius:.3rem;margin:.5rem 0}
#text span{cursor:pointer}
#text span:focus,#text span.here{outline:2px solid #000;outline-offset:0;box-shadow:0 0 0 4px #fff}
#text:focus-visible{outline:3px solid #0a58ca}
#detail{position:fixed;left:0;right:0;bottom:0;margin:0 auto;max-width:52rem;box-sizing:border-box;background:#fff;border-top:2px solid #333;padding:.6rem 1rem;font-size:.95rem;max-height:45vh;overflow:auto;box-shadow:0 -.2rem .6rem #0002}
#detail.float{pointer-events:none;border:2px solid #333;position:absolute;right:auto;bottom:auto;width:22rem;max-width:calc(100vw - 1rem);max-height:none;border-radius:.4rem;box-shadow:0 .2rem .8rem #0004}
#detail table{border-collapse:collapse;margin-top:.3rem}
#detail td,#detail th{padding:.05rem .5rem;white-space:nowrap;text-align:left;font-variant-numeric:tabular-nums}
#detail .real{font-weight:700}
.hint{font-size:.9rem;color:#444}
.ch{font-family:ui-monospace,Menlo,Consolas,monospace;background:#eee;border:1px solid #ccc;border-radius:.2rem;padding:0 .25rem}
.pbar{display:inline-block;height:.7rem;background:#2c718e;vertical-align:middle}
table.units{border-collapse:collapse;width:100%}
table.units th,table.units td{text-align:left;padding:.3rem .4rem;border-bottom:1px solid #ddd;vertical-align:top}
table.units button{margin:.1rem .2rem .1rem 0;padding:.15rem .4rem;border:1px solid #888;border-radius:.3rem;background:#f4f4f4;font-variant-numeric:tabular-nums}
table.units button[aria-pressed=true]{background:#1b1b1b;color:#fff}
footer{margin-top:2rem;font-size:.9rem;color:#333}
@media (max-width:40rem){body{padding:.5rem .5rem 14rem}#text{font-size:.95rem}}
";

fn write_header(out: &mut String, e: &Explanation, info: &PageInfo) {
    let scored = e.guesses.len();
    let bits = e.loss / std::f64::consts::LN_2;
    let _ = write!(
        out,
        "<header>\n<h1>{}</h1>\n<p>{}</p>\n<p>{}</p>\n</header>\n",
        escape(&info.title),
        escape(&info.model),
        escape(&info.source)
    );
    let _ = writeln!(
        out,
        "<dl class=\"figures\" id=\"figures\">\
         <div><dt>loss per character</dt><dd id=\"loss\">{:.6} nats</dd></div>\
         <div><dt>bits per character</dt><dd id=\"bits\">{bits:.4}</dd></div>\
         <div><dt>perplexity</dt><dd id=\"perplexity\">{:.3}</dd></div>\
         <div><dt>characters guessed</dt><dd id=\"scored\">{scored} of {}</dd></div>\
         </dl>",
        e.loss,
        e.loss.exp(),
        e.text.len()
    );
}

fn write_controls(out: &mut String, e: &Explanation) {
    out.push_str(
        "<div class=\"controls\">\n<label for=\"shade\">Shade by</label>\n\
         <select id=\"shade\">\n<option value=\"surprise\">surprise (−ln p)</option>\n",
    );
    let mut u = 0;
    for group in &e.groups {
        let _ = writeln!(
            out,
            "<optgroup label=\"{}: {}\">",
            escape(&group.label),
            escape(&group.title)
        );
        for j in 0..group.size {
            let _ = writeln!(
                out,
                "<option value=\"{}{j}\">{}</option>",
                escape(&group.key),
                escape(&group.unit_label(j))
            );
            u += 1;
        }
        out.push_str("</optgroup>\n");
    }
    debug_assert_eq!(u, e.unit_count);
    out.push_str(
        "</select>\n<div class=\"legend\" id=\"legend\" role=\"img\" aria-label=\"colour \
         scale\"><div class=\"bar\" id=\"bar\"></div><div class=\"ticks\" id=\"ticks\"></div>\
         <div class=\"ticks\" id=\"ticks2\"></div><div class=\"legend-note\" id=\"note\"></div>\
         </div>\n</div>\n",
    );
}

fn write_ranking(out: &mut String, e: &Explanation) {
    out.push_str(
        "<section id=\"units\">\n<h2>Units worth looking at</h2>\n<p>For each feature of the \
         text, the units whose values follow it most closely over this text (Pearson's r: \
         +1 or −1 is a perfect match, 0 none). Choose one to shade the text by it.</p>\n\
         <table class=\"units\">\n<tr><th scope=\"col\">feature</th>\
         <th scope=\"col\">units (r)</th></tr>\n",
    );
    for ranking in &e.ranking {
        let feature = &e.features[ranking.feature];
        let _ = write!(
            out,
            "<tr><td>{}<br><small>{}</small></td><td>",
            escape(feature.name),
            escape(feature.description)
        );
        if ranking.best.is_empty() {
            out.push_str("(does not vary in this text)");
        }
        for score in &ranking.best {
            let _ = write!(
                out,
                "<button type=\"button\" data-unit=\"{}\" aria-pressed=\"false\">{} {}</button>",
                escape(&e.unit_key(score.unit)),
                escape(&e.unit_label(score.unit)),
                signed(score.r)
            );
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</table>\n</section>\n");
}

fn write_footer(out: &mut String, e: &Explanation) {
    let v = e.vocab.len();
    let uniform = (v as f64).ln();
    let _ = write!(
        out,
        "<footer>\n<p>Each character is shaded by the network's surprise at it, −ln p, where p \
         is the probability the network gave it just before reading it: 0 nats for a \
         certainty, ln {v} = {uniform:.2} nats for a blind guess among its {v} characters. \
         Divide by ln 2 = 0.693 for bits. The loss per character above is the mean surprise \
         over every character but the first (which nothing came before), from an empty \
         memory: the figure min-char-rnn's evaluation gives for this text.</p>\n<p>Shaded by \
         a unit, each character takes that unit's value just after the network read it. \
         Keys: Tab reaches the text, the arrow keys move from character to character, Home \
         and End to the ends of the line, Escape hides the details.</p>\n"
    );
    if e.unit_count > 0 {
        let _ = writeln!(
            out,
            "<p>The address can choose a unit and a character: <code>#unit={}&amp;focus=10</code> \
             shades the text by {} and shows the details of the tenth character.</p>",
            escape(&e.unit_key(0)),
            escape(&e.unit_label(0))
        );
    }
    out.push_str("</footer>\n");
}

fn write_script(out: &mut String, e: &Explanation, scales: &[f64]) {
    let vocab: Vec<String> = e
        .vocab
        .iter()
        .map(|&c| json_string(&glyph(c).to_string()))
        .collect();
    let mut keys = Vec::with_capacity(e.unit_count);
    let mut labels = Vec::with_capacity(e.unit_count);
    for u in 0..e.unit_count {
        keys.push(json_string(&e.unit_key(u)));
        labels.push(json_string(&e.unit_label(u)));
    }
    let scales: Vec<String> = scales.iter().map(|s| format!("{s}")).collect();
    let surprise: Vec<String> = (0..SURPRISE_SHADES)
        .map(|b| json_string(&hex(surprise_colour(b))))
        .collect();
    let mut units = Vec::with_capacity(UNIT_LEVELS);
    for level in 0..UNIT_LEVELS {
        let rgb = palette(&VIRIDIS, level as f64 / (UNIT_LEVELS - 1) as f64);
        units.push(format!(
            "[{},{}]",
            json_string(&hex(rgb)),
            json_string(ink(rgb))
        ));
    }
    let _ = write!(
        out,
        "<script>\nconst META={{vocab:[{}],keys:[{}],labels:[{}],scales:[{}],\
         surpriseColours:[{}],unitColours:[{}],surpriseScale:{SURPRISE_SCALE},\
         uniform:{},digits:{}}};\n",
        vocab.join(","),
        keys.join(","),
        labels.join(","),
        scales.join(","),
        surprise.join(","),
        units.join(","),
        (e.vocab.len() as f64).ln(),
        json_string(std::str::from_utf8(UNIT_DIGITS).unwrap_or_default()),
    );
    out.push_str(SCRIPT);
    out.push_str("</script>\n");
}

/// The page's script: the chooser, the legend, the details of a character, the keys, the
/// address. It reads the elements' data and `META`; it never loads anything.
const SCRIPT: &str = r#"(function () {
"use strict";
const text = document.getElementById("text");
const spans = Array.from(text.children);
const detail = document.getElementById("detail");
const shade = document.getElementById("shade");
const digit = {};
for (let i = 0; i < META.digits.length; i++) digit[META.digits[i]] = i;
const rows = document.getElementById("unit-data").textContent.split("\n").filter(function (r) { return r.length > 0; });
const unitIndex = {};
META.keys.forEach(function (k, u) { unitIndex[k] = u; });
let unit = -1;     // the unit the text is shaded by; -1: the surprise
let current = -1;  // the character whose details are shown
const lineStart = [];
let start = 0;
// A newline's element is followed by a line break, the only text between the elements.
spans.forEach(function (s, i) { lineStart.push(start); if (s.nextSibling && s.nextSibling.nodeType === 3) start = i + 1; });
function level(u, i) { return digit[rows[u][i]]; }
function value(u, i) { return (level(u, i) / (META.digits.length - 1) * 2 - 1) * META.scales[u]; }
function fmt(x, d) { return (x < 0 ? "\u2212" : "+") + Math.abs(x).toFixed(d); }
function name(c) { return c === " " ? "space" : (c === "\u21b5" ? "newline" : c); }
function esc(s) { return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"); }
function ticks(id, labels) {
  const box = document.getElementById(id);
  box.textContent = "";
  labels.forEach(function (l, k) {
    const t = document.createElement("span");
    t.style.left = (l[0] * 100) + "%";
    if (l[0] <= 0) t.className = "first"; else if (l[0] >= 1) t.className = "last";
    t.textContent = l[1];
    box.appendChild(t);
  });
}
function legend() {
  const bar = document.getElementById("bar");
  const note = document.getElementById("note");
  bar.textContent = "";
  if (unit < 0) {
    bar.style.background = "linear-gradient(to right," + META.surpriseColours.join(",") + ")";
    const nats = [], bits = [];
    for (let k = 0; k <= META.surpriseScale; k += 2) {
      nats.push([k / META.surpriseScale, k + (k === 0 ? " nats" : "")]);
      bits.push([k / META.surpriseScale, (k / Math.LN2).toFixed(1) + (k === 0 ? " bits" : "")]);
    }
    ticks("ticks", nats);
    ticks("ticks2", bits);
    const mark = document.createElement("div");
    mark.className = "mark";
    mark.style.left = (Math.min(META.uniform / META.surpriseScale, 1) * 100) + "%";
    bar.appendChild(mark);
    note.textContent = "surprise at each character: light = expected, dark = surprising; dashed line: a blind guess among " + META.vocab.length + " characters (" + META.uniform.toFixed(2) + " nats, " + (META.uniform / Math.LN2).toFixed(2) + " bits); " + META.surpriseScale + " nats or more: darkest";
  } else {
    bar.style.background = "linear-gradient(to right," + META.unitColours.filter(function (c, k) { return k % 7 === 0 || k === 63; }).map(function (c) { return c[0]; }).join(",") + ")";
    const s = META.scales[unit];
    ticks("ticks", [[0, fmt(-s, 2)], [0.25, fmt(-s / 2, 2)], [0.5, "0"], [0.75, fmt(s / 2, 2)], [1, fmt(s, 2)]]);
    ticks("ticks2", []);
    note.textContent = META.labels[unit] + " just after reading each character";
  }
}
function paint() {
  for (let i = 0; i < spans.length; i++) {
    const s = spans[i];
    if (unit < 0) { s.style.background = ""; s.style.color = ""; continue; }
    const c = META.unitColours[level(unit, i)];
    s.style.background = c[0];
    s.style.color = c[1];
  }
  legend();
  document.querySelectorAll("button[data-unit]").forEach(function (b) {
    b.setAttribute("aria-pressed", String(unit >= 0 && b.dataset.unit === META.keys[unit]));
  });
}
function choose(key) {
  unit = key in unitIndex ? unitIndex[key] : -1;
  shade.value = unit < 0 ? "surprise" : key;
  paint();
  if (current >= 0) show(current);
}
function show(i) {
  if (current >= 0) spans[current].classList.remove("here");
  current = i;
  const s = spans[i];
  s.classList.add("here");
  const shown = name(s.textContent);
  let html = "<strong>character " + (i + 1) + " of " + spans.length + ": <span class=\"ch\">" + esc(shown) + "</span></strong>";
  if (s.dataset.s === undefined) {
    html += "<br>The first character: nothing came before it, so the network made no guess.";
  } else {
    const surprise = parseFloat(s.dataset.s);
    const rank = parseInt(s.dataset.r, 10);
    html += "<br>p = " + (100 * Math.exp(-surprise)).toFixed(1) + "%, surprise " + surprise.toFixed(2) + " nats (" + (surprise / Math.LN2).toFixed(2) + " bits), ranked " + rank + " of " + META.vocab.length;
    html += "<table><tr><th>guess</th><th>p</th><th></th></tr>";
    s.dataset.g.split(",").forEach(function (pair) {
      const kv = pair.split(":");
      const ix = parseInt(kv[0], 10), pm = parseInt(kv[1], 10);
      const real = META.vocab[ix] === s.textContent;
      html += "<tr" + (real ? " class=\"real\"" : "") + "><td><span class=\"ch\">" + esc(name(META.vocab[ix])) + "</span>" + (real ? " \u2190 came" : "") + "</td><td>" + (pm === 0 ? "&lt;0.1" : (pm / 10).toFixed(1)) + "%</td><td><span class=\"pbar\" style=\"width:" + (pm / 100) + "rem\"></span></td></tr>";
    });
    html += "</table>";
  }
  if (unit >= 0) html += META.labels[unit] + " after reading it: " + fmt(value(unit, i), 2) + " (to \u00b1" + (META.scales[unit] / 63).toFixed(3) + ")";
  detail.innerHTML = html;
  detail.hidden = false;
  place(s);
}
// On a wide screen the details float just under the character; on a narrow one (a phone)
// they stay at the bottom of the screen, where a finger does not hide them.
function place(s) {
  if (!window.matchMedia("(min-width: 40rem)").matches) { unplace(); return; }
  detail.classList.add("float");
  const r = s.getBoundingClientRect();
  const width = detail.offsetWidth;
  const left = Math.max(8, Math.min(r.left + window.scrollX - 16, document.documentElement.clientWidth - width - 8));
  detail.style.left = left + "px";
  detail.style.top = (r.bottom + window.scrollY + 6) + "px";
}
function unplace() { detail.classList.remove("float"); detail.style.left = ""; detail.style.top = ""; }
function focusChar(i) {
  i = Math.max(0, Math.min(spans.length - 1, i));
  if (current >= 0 && current !== i) spans[current].removeAttribute("tabindex");
  spans[i].setAttribute("tabindex", "-1");
  spans[i].focus();
  show(i);
}
text.addEventListener("mouseover", function (ev) { const i = spans.indexOf(ev.target); if (i >= 0) show(i); });
text.addEventListener("click", function (ev) { const i = spans.indexOf(ev.target); if (i >= 0) focusChar(i); });
text.addEventListener("focus", function (ev) { if (ev.target === text) focusChar(current >= 0 ? current : 0); });
text.addEventListener("keydown", function (ev) {
  if (current < 0) return;
  const col = current - lineStart[current];
  let to = -1;
  if (ev.key === "ArrowRight") to = current + 1;
  else if (ev.key === "ArrowLeft") to = current - 1;
  else if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
    let j = current;
    if (ev.key === "ArrowDown") { while (j < spans.length - 1 && lineStart[j] === lineStart[current]) j++; }
    else { j = lineStart[current] - 1; if (j < 0) j = 0; }
    const begin = lineStart[j];
    let end = begin;
    while (end < spans.length - 1 && lineStart[end + 1] === begin) end++;
    to = Math.min(begin + col, end);
  } else if (ev.key === "Home") to = lineStart[current];
  else if (ev.key === "End") { to = current; while (to < spans.length - 1 && lineStart[to + 1] === lineStart[current]) to++; }
  else if (ev.key === "Escape") { detail.hidden = true; unplace(); spans[current].classList.remove("here"); return; }
  else return;
  ev.preventDefault();
  focusChar(to);
});
shade.addEventListener("change", function () { choose(shade.value); });
document.querySelectorAll("button[data-unit]").forEach(function (b) {
  b.addEventListener("click", function () { choose(b.dataset.unit); });
});
function fromAddress() {
  const args = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (kv) { const p = kv.split("="); if (p.length === 2) args[p[0]] = decodeURIComponent(p[1]); });
  choose(args.unit || "surprise");
  if (args.focus !== undefined) {
    const i = parseInt(args.focus, 10) - 1; // counted from 1, as the details count
    if (i >= 0 && i < spans.length) {
      const r = spans[i].getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight - 200) spans[i].scrollIntoView({block: "center"});
      show(i);
    }
  }
}
window.addEventListener("hashchange", fromAddress);
fromAddress();
})();
"#;
