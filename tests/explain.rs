//! What the network learned (`src/explain.rs`): the numbers kept at every character equal the
//! forward pass, the loss equals `evaluate`, the ranking finds a unit planted to follow
//! quotation marks, and the page is well-formed HTML with one element per character that
//! carries its surprise and top-5 guesses, and stays small. The same for Part II's networks
//! (RNN, LSTM and GRU layers): their units, `h` and `c` of every layer, equal
//! `network::forward`'s, their loss equals `charrnn::evaluate_text`, and a cell state planted
//! to hold a flag inside quotation marks is found.

// The equations written out by hand index `h[i]`, `y[k]` as the math does.
#![allow(clippy::needless_range_loop)]

use min_char_rnn::batch::Chunk;
use min_char_rnn::cells::CellKind;
use min_char_rnn::charrnn::{Config, NetworkTrainer, evaluate_text};
use min_char_rnn::explain::{
    Explainable, Explanation, Guess, PAGE_MARK, PageInfo, TOP, UnitGroup, correlation, explain,
    features, page,
};
use min_char_rnn::forward::forward;
use min_char_rnn::network::{self, Network, NetworkCache, State};
use min_char_rnn::{ForwardCache, Hyperparams, Params, Trainer, Vector, Vocab, train::evaluate};

const CORPUS: &str = include_str!("../data/corpus.txt");

/// A model with weights large enough that its guesses are far from uniform.
fn lively_params(v: usize, h: usize, seed: u64) -> Params {
    let mut params = Params::new(v, h, seed);
    for w in params.slices_mut() {
        for x in w.iter_mut() {
            *x *= 80.0; // ~N(0, 0.8²)
        }
    }
    params
}

fn info() -> PageInfo {
    PageInfo {
        title: "a test page".to_string(),
        model: "a lively network".to_string(),
        source: "a text with <, & and \"quotes\"".to_string(),
    }
}

/// A text with every character the page must escape or draw specially.
const AWKWARD: &str = "if a < b && c > d:\n\t\"quote\" it's 'fine'\n\nend.";

// --- a std-only HTML reader, just enough to check the page ------------------------------------

/// One tag of the page: its name, its attributes, and whether it closes an element.
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    /// Byte offsets of `<` and just after `>`.
    start: usize,
    end: usize,
}

impl Tag {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

const VOID: &[&str] = &["meta", "br", "input", "img", "link", "hr", "wbr"];

/// The tags of `html`, skipping the doctype, comments and the contents of `script` and
/// `style`; panics on anything malformed.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut k = 0;
    while let Some(offset) = html[k..].find('<') {
        let start = k + offset;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            let close = rest.find("-->").expect("an unclosed comment");
            k = start + close + 3;
            continue;
        }
        if rest.starts_with("<!") {
            k = start + rest.find('>').expect("an unclosed doctype") + 1;
            continue;
        }
        let (tag, len) = parse_tag(rest).unwrap_or_else(|| panic!("a bad tag at byte {start}"));
        let end = start + len;
        let raw = !tag.closing && (tag.name == "script" || tag.name == "style");
        let name = tag.name.clone();
        out.push(Tag { start, end, ..tag });
        k = end;
        if raw {
            let close = format!("</{name}>");
            let at = html[k..].find(&close).expect("an unclosed script or style");
            k += at;
        }
    }
    out
}

/// Reads one tag at the start of `s`: `<name attr=value attr="value" ...>` or `</name>`.
fn parse_tag(s: &str) -> Option<(Tag, usize)> {
    let bytes = s.as_bytes();
    let mut i = 1;
    let closing = bytes.get(1) == Some(&b'/');
    if closing {
        i += 1;
    }
    let name_start = i;
    while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = s[name_start..i].to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i)? {
            b'>' => {
                return Some((
                    Tag {
                        name,
                        attrs,
                        closing,
                        start: 0,
                        end: 0,
                    },
                    i + 1,
                ));
            }
            b'<' | b'"' | b'\'' | b'=' => return None,
            _ => {}
        }
        let a = i;
        while i < bytes.len() && !b" \t\n=>".contains(&bytes[i]) {
            i += 1;
        }
        let attr = s[a..i].to_string();
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            if bytes.get(i) == Some(&b'"') {
                let close = s[i + 1..].find('"')?;
                value = s[i + 1..i + 1 + close].to_string();
                i += close + 2;
            } else {
                let v = i;
                while i < bytes.len() && !b" \t\n>".contains(&bytes[i]) {
                    if b"\"'=<`".contains(&bytes[i]) {
                        return None; // not allowed unquoted
                    }
                    i += 1;
                }
                value = s[v..i].to_string();
            }
        }
        attrs.push((attr, value));
    }
}

/// Panics unless every element is closed, in order.
fn assert_balanced(tags: &[Tag]) {
    let mut open: Vec<&str> = Vec::new();
    for tag in tags {
        if VOID.contains(&tag.name.as_str()) {
            assert!(
                !tag.closing,
                "a closing tag for the void element {}",
                tag.name
            );
            continue;
        }
        if tag.closing {
            let top = open
                .pop()
                .unwrap_or_else(|| panic!("</{}> closes nothing", tag.name));
            assert_eq!(top, tag.name, "<{top}> is closed by </{}>", tag.name);
        } else {
            open.push(&tag.name);
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// One character element of the page's text.
#[derive(Debug)]
struct CharElement {
    text: String,
    surprise: Option<String>,
    rank: Option<String>,
    guesses: Option<String>,
    class: Option<String>,
}

/// The elements inside `<div id="text">`, in order.
fn char_elements(html: &str) -> Vec<CharElement> {
    let tags = tags(html);
    let begin = tags
        .iter()
        .position(|t| t.name == "div" && t.attr("id") == Some("text"))
        .expect("a <div id=\"text\">");
    let mut out = Vec::new();
    let mut k = begin + 1;
    while tags[k].name == "span" && !tags[k].closing {
        let (open, close) = (&tags[k], &tags[k + 1]);
        assert!(
            close.closing && close.name == "span",
            "a nested element in the text"
        );
        out.push(CharElement {
            text: unescape(&html[open.end..close.start]),
            surprise: open.attr("data-s").map(str::to_string),
            rank: open.attr("data-r").map(str::to_string),
            guesses: open.attr("data-g").map(str::to_string),
            class: open.attr("class").map(str::to_string),
        });
        // Between two elements: nothing, or the line break after a newline's element.
        let between = &html[close.end..tags[k + 2].start];
        assert!(
            between.is_empty() || between == "\n",
            "{between:?} between elements"
        );
        k += 2;
    }
    assert!(
        tags[k].closing && tags[k].name == "div",
        "the text ends with </div>"
    );
    out
}

// --- the numbers -------------------------------------------------------------------------------

/// The top `TOP` indices and probabilities of `p`, found by sorting a copy.
fn top_by_sorting(p: &Vector) -> Vec<(usize, f64)> {
    let mut all: Vec<(usize, f64)> = p.as_slice().iter().copied().enumerate().collect();
    all.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    all.truncate(TOP);
    all
}

#[test]
fn the_guesses_and_units_equal_the_forward_pass_bit_for_bit() {
    let vocab = Vocab::from_text(AWKWARD);
    let text = vocab.encode(AWKWARD).unwrap();
    let params = lively_params(vocab.len(), 12, 3);
    let e = explain(&params, &vocab, &text).unwrap();
    let mut cache = ForwardCache::new(0, 0, 0);
    forward(&params, &text, &Vector::zeros(12), &mut cache);
    assert_eq!(e.guesses.len(), text.len() - 1);
    for t in 0..text.len() {
        assert_eq!(
            &e.units[t * 12..(t + 1) * 12],
            cache.hs[t].as_slice(),
            "h at {t}"
        );
        if t + 1 == text.len() {
            break;
        }
        let (p, target) = (&cache.ps[t], text[t + 1]);
        let guess = &e.guesses[t];
        assert_eq!(guess.p.to_bits(), p[target].to_bits(), "p at {t}");
        assert_eq!(
            guess.surprise.to_bits(),
            (-p[target].ln()).to_bits(),
            "surprise at {t}"
        );
        assert_eq!(guess.top, top_by_sorting(p), "top guesses at {t}");
        let above = p.as_slice().iter().filter(|&&q| q > p[target]).count();
        assert_eq!(guess.rank, above + 1, "rank at {t}");
    }
}

#[test]
fn the_guesses_match_the_equations_written_out_with_f64s() {
    // h_t = tanh(w_xh[:, x_t] + w_hh·h_{t−1} + b_h), y = w_hy·h + b_y, p = softmax(y), with
    // std's tanh and exp: the same to within rounding.
    let vocab = Vocab::from_text(AWKWARD);
    let text = vocab.encode(AWKWARD).unwrap();
    let (v, hs) = (vocab.len(), 9);
    let params = lively_params(v, hs, 4);
    let e = explain(&params, &vocab, &text).unwrap();
    let mut h = vec![0.0; hs];
    for t in 0..text.len() - 1 {
        let mut next = vec![0.0; hs];
        for i in 0..hs {
            let mut sum = params.w_xh[(i, text[t])] + params.b_h[i];
            for k in 0..hs {
                sum += params.w_hh[(i, k)] * h[k];
            }
            next[i] = sum.tanh();
        }
        h = next;
        let mut y = vec![0.0; v];
        for k in 0..v {
            y[k] = params.b_y[k];
            for i in 0..hs {
                y[k] += params.w_hy[(k, i)] * h[i];
            }
        }
        let max = y.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let total: f64 = y.iter().map(|&s| (s - max).exp()).sum();
        let p_target = (y[text[t + 1]] - max).exp() / total;
        let surprise = e.guesses[t].surprise;
        assert!(
            (surprise + p_target.ln()).abs() < 1e-12,
            "at {t}: {surprise} vs {}",
            -p_target.ln()
        );
        for i in 0..hs {
            assert!((e.unit(t, i) - h[i]).abs() < 1e-12, "h[{i}] at {t}");
        }
    }
}

#[test]
fn the_loss_on_a_text_is_what_evaluate_reports() {
    let text = &CORPUS[..3000];
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(text).unwrap();
    let hp = Hyperparams {
        hidden_size: 24,
        seq_length: 20,
        learning_rate: 0.1,
    };
    let mut trainer = Trainer::new(vocab.encode(CORPUS).unwrap(), vocab.len(), hp, 5).unwrap();
    for _ in 0..300 {
        trainer.step().unwrap();
    }
    let e = explain(&trainer.params, &vocab, &data).unwrap();
    // The same number to the last bit: the same steps from the same empty memory, the same
    // characters scored (all but the first), summed in the same order.
    assert_eq!(e.loss.to_bits(), evaluate(&trainer.params, &data).to_bits());
    assert_eq!(e.loss.to_bits(), trainer.evaluate(&data).to_bits());
    let html = page(&e, &info());
    assert!(html.contains(&format!("<dd id=\"loss\">{:.6} nats</dd>", e.loss)));
    let bits = e.loss / std::f64::consts::LN_2;
    assert!(html.contains(&format!("<dd id=\"bits\">{bits:.4}</dd>")));
}

#[test]
fn a_guess_ranks_ties_together_and_keeps_the_lower_index_first() {
    let p = Vector::from_vec(vec![0.1, 0.3, 0.1, 0.3, 0.05, 0.05, 0.1]);
    let guess = Guess::of(&p, 2);
    assert_eq!(guess.rank, 3); // two characters more likely; 0 and 6 tie with it
    assert_eq!(
        guess.top,
        [(1, 0.3), (3, 0.3), (0, 0.1), (2, 0.1), (6, 0.1)]
    );
    let few = Guess::of(&Vector::from_vec(vec![0.25, 0.75]), 0);
    assert_eq!((few.rank, few.top.len()), (2, 2)); // V < TOP: all of them
}

// --- the features and the ranking --------------------------------------------------------------

#[test]
fn features_mark_quotes_columns_words_and_full_stops() {
    let chars: Vec<char> = "He said \"Go.\" Then\nhe went.  Up".chars().collect();
    let f = features(&chars);
    let names: Vec<&str> = f.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        [
            "inside quotation marks",
            "position in the line",
            "start of a word",
            "position in the word",
            "after a full stop"
        ]
    );
    let at = |k: usize| -> Vec<usize> {
        (0..chars.len())
            .filter(|&t| f[k].values[t] != 0.0)
            .collect()
    };
    assert_eq!(at(0), [8, 9, 10, 11]); // the opening mark to the character before the closing
    assert_eq!(f[1].values[0], 1.0);
    assert_eq!(f[1].values[18], 0.0); // the newline
    assert_eq!(f[1].values[19], 1.0); // "he" starts the line again
    assert_eq!(at(2), [0, 3, 9, 14, 19, 22, 29]); // He said Go Then he went Up
    assert_eq!(&f[3].values[..7], [1.0, 2.0, 0.0, 1.0, 2.0, 3.0, 4.0]); // "He said"
    assert_eq!(at(4), [11, 26, 27, 28]); // "." inside the quote, "." and the two spaces
}

#[test]
fn correlation_is_pearsons_r() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(correlation(&x, &[4.0, 3.0, 2.0, 1.0]), Some(-1.0));
    let r = correlation(&x, &[1.0, 3.0, 2.0, 4.0]).unwrap();
    assert!((r - 0.8).abs() < 1e-12, "{r}"); // Σdxdy = 4, Σdx² = Σdy² = 5
    assert_eq!(correlation(&x, &[2.0; 4]), None);
}

/// A text with quoted speech of varying lengths, never two quotation marks in a row.
fn quoted_text() -> String {
    let mut text = String::new();
    let speech = [
        "yes",
        "not today, thank you",
        "the boat is late again",
        "no",
        "look",
    ];
    for k in 0..60 {
        text.push_str(&format!(
            "The keeper said \"{}\" and the cat went out{}",
            speech[k % speech.len()],
            if k % 4 == 3 { ".\n" } else { ". " }
        ));
    }
    text
}

/// Unit `j` of `params` wired to switch on after an opening `"` and off after the closing
/// one, with two helpers: `j + 1` fires at an opening mark (a `"` while `j` is off), `j + 2`
/// at a closing one (a `"` while `j` is on). With the units near ±1 and `K` large:
///
/// ```text
/// open_t  = tanh(K·(2·[x_t = "] − j_{t−1} − 2))       on only for a " with j off
/// close_t = tanh(K·(2·[x_t = "] + j_{t−1} − 2))       on only for a " with j on
/// j_t     = tanh(K·(j_{t−1} + open_{t−1} − close_{t−1} − 0.5))
/// ```
///
/// A single tanh unit cannot flip on the very character (that would be an exclusive or of
/// its input and its own state), so `j` follows one character late.
fn plant_quote_unit(params: &mut Params, quote: usize, j: usize) {
    const K: f64 = 6.0;
    let (open, close) = (j + 1, j + 2);
    let h = params.hidden_size();
    for unit in [j, open, close] {
        for k in 0..h {
            params.w_hh[(unit, k)] = 0.0;
        }
        for x in 0..params.vocab_size() {
            params.w_xh[(unit, x)] = 0.0;
        }
    }
    params.w_xh[(open, quote)] = 2.0 * K;
    params.w_hh[(open, j)] = -K;
    params.b_h[open] = -2.0 * K;
    params.w_xh[(close, quote)] = 2.0 * K;
    params.w_hh[(close, j)] = K;
    params.b_h[close] = -2.0 * K;
    params.w_hh[(j, j)] = K;
    params.w_hh[(j, open)] = K;
    params.w_hh[(j, close)] = -K;
    params.b_h[j] = -0.5 * K;
}

#[test]
fn the_ranking_finds_a_unit_planted_to_follow_quotation_marks() {
    let text = quoted_text();
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).unwrap();
    let mut params = Params::new(vocab.len(), 16, 7);
    for w in params.slices_mut() {
        for x in w.iter_mut() {
            *x *= 30.0; // other units that move too: ~N(0, 0.3²)
        }
    }
    plant_quote_unit(&mut params, vocab.char_to_ix('"').unwrap(), 9);
    let e = explain(&params, &vocab, &data).unwrap();
    let quotes = &e.ranking[0];
    assert_eq!(e.features[quotes.feature].name, "inside quotation marks");
    let best = quotes.best[0];
    assert_eq!(best.unit, 9, "the ranking: {:?}", quotes.best);
    assert!(best.r > 0.8, "r = {}", best.r);
    assert!(
        quotes.best[1].r.abs() < best.r - 0.2,
        "no clear winner: {:?}",
        quotes.best
    );
    // It is on inside the quotes, off outside, one character late.
    let open = text.find('"').unwrap();
    assert!(e.unit(open + 2, 9) > 0.9 && e.unit(open - 1, 9) < -0.9);
    // And the page offers it first.
    let html = page(&e, &info());
    let row = html.find("inside quotation marks<br>").unwrap();
    let first = html[row..].find("data-unit=").unwrap();
    assert!(
        html[row + first..].starts_with("data-unit=\"h9\""),
        "{}",
        &html[row..row + 400]
    );
}

#[test]
fn a_feature_that_never_varies_ranks_no_unit() {
    let text = "no quotation marks here, none at all. ";
    let vocab = Vocab::from_text(text);
    let e = explain(
        &Params::new(vocab.len(), 4, 1),
        &vocab,
        &vocab.encode(text).unwrap(),
    )
    .unwrap();
    assert!(e.ranking[0].best.is_empty());
    assert!(page(&e, &info()).contains("(does not vary in this text)"));
}

// --- the page ----------------------------------------------------------------------------------

#[test]
fn the_page_is_html_with_one_element_per_character_carrying_its_guesses() {
    let vocab = Vocab::from_text(AWKWARD);
    let text = vocab.encode(AWKWARD).unwrap();
    let params = lively_params(vocab.len(), 10, 5);
    let e = explain(&params, &vocab, &text).unwrap();
    let html = page(&e, &info());
    assert!(html.starts_with(&format!("<!DOCTYPE html>\n{PAGE_MARK}\n")));
    assert_balanced(&tags(&html));
    let elements = char_elements(&html);
    assert_eq!(elements.len(), AWKWARD.chars().count());
    for (t, (element, c)) in elements.iter().zip(AWKWARD.chars()).enumerate() {
        let shown = match c {
            '\n' => "↵".to_string(),
            '\t' => "⇥".to_string(),
            c => c.to_string(),
        };
        assert_eq!(element.text, shown, "character {t}");
        if t == 0 {
            assert!(element.surprise.is_none() && element.guesses.is_none());
            continue;
        }
        let guess = &e.guesses[t - 1];
        assert_eq!(
            element.surprise.as_deref(),
            Some(format!("{:.2}", guess.surprise).as_str())
        );
        assert_eq!(
            element.rank.as_deref(),
            Some(guess.rank.to_string().as_str())
        );
        let pairs: Vec<String> = guess
            .top
            .iter()
            .map(|&(ix, p)| format!("{ix}:{}", (p * 1000.0).round()))
            .collect();
        assert_eq!(
            element.guesses.as_deref(),
            Some(pairs.join(",").as_str()),
            "at {t}"
        );
        let shade = (guess.surprise / 0.5).floor().min(15.0) as usize;
        assert_eq!(element.class.as_deref(), Some(format!("s{shade}").as_str()));
    }
}

#[test]
fn the_page_is_self_contained_and_readable_on_a_phone() {
    let vocab = Vocab::from_text(AWKWARD);
    let e = explain(
        &lively_params(vocab.len(), 6, 1),
        &vocab,
        &vocab.encode(AWKWARD).unwrap(),
    )
    .unwrap();
    let html = page(&e, &info());
    for external in [
        "http:", "https:", "src=", "href=", "@import", "url(", "fetch(", "XMLHttp",
    ] {
        assert!(
            !html.contains(external),
            "the page refers to something outside: {external}"
        );
    }
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
    assert!(html.contains("<html lang=\"en\">"));
    let tags = tags(&html);
    let scripts = tags
        .iter()
        .filter(|t| t.name == "script" && !t.closing)
        .count();
    assert_eq!(scripts, 2, "the unit data and one script");
    // The text can be reached with the keyboard, and the chooser offers every unit.
    let text = tags.iter().find(|t| t.attr("id") == Some("text")).unwrap();
    assert_eq!(text.attr("tabindex"), Some("0"));
    let options: Vec<&str> = tags
        .iter()
        .filter(|t| t.name == "option" && !t.closing)
        .filter_map(|t| t.attr("value"))
        .collect();
    assert_eq!(options, ["surprise", "h0", "h1", "h2", "h3", "h4", "h5"]);
    // The user's text is escaped: no stray tag from it.
    assert!(html.contains("a text with &lt;, &amp; and &quot;quotes&quot;"));
}

/// The stated bound: a page of 10,000 characters for the default network (`H = 100`, the
/// corpus's 71 characters) is under 2,000,000 bytes, 200 bytes per character: one byte per
/// unit (100), and at most about 90 for the character's element with its surprise, rank and
/// top-5 guesses.
const BYTES_FOR_10_000_CHARS: usize = 2_000_000;

#[test]
fn a_page_of_10000_characters_stays_under_the_stated_size() {
    let text: String = CORPUS.chars().take(10_000).collect();
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(&text).unwrap();
    // An untrained network guesses nearly uniformly: long ranks and many small probabilities,
    // the largest elements a character gets.
    let e = explain(&Params::new(vocab.len(), 100, 1), &vocab, &data).unwrap();
    let size = page(&e, &info()).len();
    assert!(size < BYTES_FOR_10_000_CHARS, "{size} bytes");
    eprintln!("a page of 10,000 characters, H = 100: {size} bytes");
}

// --- a network of another kind -----------------------------------------------------------------

/// A made-up network with two groups of units, one unbounded (a cell state's kind): it
/// counts the characters read (`c`) and shows whether the last one was an `a` (`h`).
struct Counter {
    v: usize,
}

impl Explainable for Counter {
    type State = (f64, f64);

    fn vocab_size(&self) -> usize {
        self.v
    }

    fn start(&self) -> (f64, f64) {
        (0.0, 0.0)
    }

    fn step(&self, state: &mut (f64, f64), x: usize, probs: &mut Vector) {
        state.0 = if x == 0 { 1.0 } else { -1.0 };
        state.1 += 1.0;
        probs.fill(1.0 / self.v as f64);
    }

    fn unit_groups(&self) -> Vec<UnitGroup> {
        let group = |label: &str, key: &str, bounded| UnitGroup {
            label: label.to_string(),
            title: format!("the units {label}"),
            key: key.to_string(),
            size: 1,
            bounded,
        };
        vec![
            group("layer 1 h", "l1h", true),
            group("layer 1 c", "l1c", false),
        ]
    }

    fn read_units(&self, state: &(f64, f64), out: &mut [f64]) {
        out.copy_from_slice(&[state.0, state.1]);
    }
}

#[test]
fn any_explainable_network_gets_a_page_with_all_its_groups() {
    let vocab = Vocab::from_text("ab");
    let data = vocab.encode("abba").unwrap();
    let e: Explanation = explain(&Counter { v: 2 }, &vocab, &data).unwrap();
    assert_eq!(e.unit_count, 2);
    assert_eq!(
        (e.unit_label(1), e.unit_key(1)),
        ("layer 1 c[0]".to_string(), "l1c0".to_string())
    );
    assert_eq!(e.units, [1.0, 1.0, -1.0, 2.0, -1.0, 3.0, 1.0, 4.0]);
    assert!((e.loss - 2f64.ln()).abs() < 1e-15);
    let html = page(&e, &info());
    assert_balanced(&tags(&html));
    assert!(html.contains("<option value=\"l1c0\">layer 1 c[0]</option>"));
    assert!(html.contains("scales:[1,4]")); // the unbounded unit on its own largest value
}

#[test]
fn texts_that_cannot_be_explained_are_errors() {
    let vocab = Vocab::from_text("ab");
    let params = Params::new(2, 3, 1);
    assert!(explain(&params, &vocab, &[0]).is_err());
    assert!(explain(&params, &vocab, &[0, 2]).is_err());
    assert!(explain(&params, &Vocab::from_text("abc"), &[0, 1]).is_err());
}

// --- Part II's networks ------------------------------------------------------------------------

/// A network of `cell` layers with weights large enough that its guesses are far from
/// uniform and its cell states leave `[−1, 1]`.
fn lively_network(cell: CellKind, v: usize, h: usize, layers: usize, seed: u64) -> Network {
    let mut net = Network::new(cell, v, h, layers, seed);
    for w in net.slices_mut() {
        for x in w.iter_mut() {
            *x *= 15.0; // uniform in [−1.2, 1.2)
        }
    }
    net
}

#[test]
fn a_networks_guesses_and_units_equal_its_forward_pass_bit_for_bit() {
    let vocab = Vocab::from_text(AWKWARD);
    let text = vocab.encode(AWKWARD).unwrap();
    let n = text.len();
    let (hs, layers) = (6, 2);
    for cell in CellKind::ALL {
        let net = lively_network(cell, vocab.len(), hs, layers, 11);
        let e = explain(&net, &vocab, &text).unwrap();
        // The forward pass of training, on one stream of all n characters (the last target
        // wraps around: it is never looked at).
        let mut targets = text[1..].to_vec();
        targets.push(text[0]);
        let chunk = Chunk::single(&text, &targets);
        let mut state = State::zeros(&net, 1);
        let mut cache = NetworkCache::new(&net, 1, n);
        network::forward(&net, &chunk, &mut state, &mut cache);
        let kinds = if cell == CellKind::Lstm { 2 } else { 1 };
        assert_eq!(e.unit_count, layers * kinds * hs, "{cell}");
        let mut grew = false; // an LSTM cell state outside [−1, 1] somewhere
        for t in 0..n {
            let mut expected = Vec::new();
            for l in 0..layers {
                let step = &cache.steps[t][0][l];
                expected.extend_from_slice(step.h.as_slice());
                if cell == CellKind::Lstm {
                    expected.extend_from_slice(step.c.as_slice());
                    grew |= step.c.as_slice().iter().any(|c| c.abs() > 1.0);
                }
            }
            let units = &e.units[t * e.unit_count..(t + 1) * e.unit_count];
            assert_eq!(units, expected.as_slice(), "{cell}: units at {t}");
            if t + 1 == n {
                break;
            }
            let (p, target) = (&cache.ps[t][0], text[t + 1]);
            let guess = &e.guesses[t];
            assert_eq!(guess.p.to_bits(), p[target].to_bits(), "{cell}: p at {t}");
            assert_eq!(guess.top, top_by_sorting(p), "{cell}: top guesses at {t}");
            let above = p.as_slice().iter().filter(|&&q| q > p[target]).count();
            assert_eq!(guess.rank, above + 1, "{cell}: rank at {t}");
        }
        assert_eq!(grew, cell == CellKind::Lstm, "{cell}: the cell states");
        // The loss: the forward pass's mean over one stream of n − 1 steps, and evaluate's.
        let chunk = Chunk::single(&text[..n - 1], &text[1..]);
        let mut state = State::zeros(&net, 1);
        network::forward(&net, &chunk, &mut state, &mut cache);
        let loss = network::loss(&cache, &chunk);
        assert_eq!(e.loss.to_bits(), loss.to_bits(), "{cell}: the loss");
        assert_eq!(
            e.loss.to_bits(),
            evaluate_text(&net, &text).to_bits(),
            "{cell}"
        );
    }
}

#[test]
fn a_networks_units_come_layer_by_layer_h_then_c() {
    let lstm = Network::new(CellKind::Lstm, 5, 3, 3, 1);
    let groups = lstm.unit_groups();
    let labels: Vec<&str> = groups.iter().map(|g| g.label.as_str()).collect();
    assert_eq!(labels, ["l0 h", "l0 c", "l1 h", "l1 c", "l2 h", "l2 c"]);
    let bounded: Vec<bool> = groups.iter().map(|g| g.bounded).collect();
    assert_eq!(bounded, [true, false, true, false, true, false]);
    assert_eq!(groups[3].title, "the cell state of layer 1");
    assert!(groups.iter().all(|g| g.size == 3));
    let gru = Network::new(CellKind::Gru, 5, 4, 2, 1).unit_groups();
    let keys: Vec<&str> = gru.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["l0h", "l1h"]); // no cell state
    assert!(gru.iter().all(|g| g.bounded));

    // The page's chooser offers every unit of every group, in that order.
    let vocab = Vocab::from_text(AWKWARD);
    let net = lively_network(CellKind::Lstm, vocab.len(), 2, 2, 3);
    let e = explain(&net, &vocab, &vocab.encode(AWKWARD).unwrap()).unwrap();
    assert_eq!(
        (e.unit_label(7), e.unit_key(7)),
        ("l1 c[1]".into(), "l1c1".into())
    );
    let html = page(&e, &info());
    assert_balanced(&tags(&html));
    let options = tags(&html)
        .iter()
        .filter(|t| t.name == "option" && !t.closing)
        .count();
    assert_eq!(options, 1 + 8); // the surprise, then 2 layers × (h, c) × 2 units
    for (key, label) in [
        ("l0h0", "l0 h[0]"),
        ("l0c1", "l0 c[1]"),
        ("l1c1", "l1 c[1]"),
    ] {
        assert!(
            html.contains(&format!("<option value=\"{key}\">{label}</option>")),
            "{key}"
        );
    }
    assert!(html.contains("<optgroup label=\"l1 c: the cell state of layer 1\">"));
    // The cell states are shaded on their own scales, the hidden states on ±1.
    let scales = html
        .split("scales:[")
        .nth(1)
        .unwrap()
        .split(']')
        .next()
        .unwrap();
    let scales: Vec<f64> = scales.split(',').map(|x| x.parse().unwrap()).collect();
    for u in 0..8 {
        let (group, j) = e.group_of(u);
        let largest = (0..e.text.len())
            .map(|t| e.unit(t, u).abs())
            .fold(0.0, f64::max);
        let expected = if group.bounded { 1.0 } else { largest };
        assert_eq!(scales[u], expected, "{}", group.unit_label(j));
    }
}

/// An LSTM whose unit `j` of layer 0 holds a flag in its cell state: `c_j` becomes +1 at an
/// opening `"` and −1 at a closing one, and keeps its value in between. With `K` large, every
/// gate is 0 or 1:
///
/// ```text
/// i_j = σ(K·[x_t = "] − K/2)        write only at a quotation mark
/// f_j = σ(−K·[x_t = "] + K/2)       and forget only there
/// g_j = tanh(−K·h_{t−1,j} + 0.3·K)  what to write: −1 if the flag showed +1, else +1
/// o_j = σ(±K)                       show the flag (h_j = tanh c_j) only after a letter
/// ```
///
/// Unlike a single tanh unit (see `plant_quote_unit`), the cell flips on the very quotation
/// mark: the gates multiply, so `c_t` can depend on `x_t` and `h_{t−1}` together. A closing
/// mark follows a letter, where `h_j = tanh(1)` says "inside"; an opening one follows a space,
/// where `h_j = 0`, which the bias of `g` reads as "outside". So `h_j` shows the flag only at
/// letters, and `c_j` follows the quotes more closely than any `h`.
fn plant_quote_cell(net: &mut Network, vocab: &Vocab, j: usize) {
    const K: f64 = 20.0;
    let hs = net.hidden_size();
    let quote = vocab.char_to_ix('"').unwrap();
    let layer = &mut net.layers[0];
    let (i, f, g, o) = (j, hs + j, 2 * hs + j, 3 * hs + j);
    for row in [i, f, g, o] {
        for x in 0..layer.w_ih.cols() {
            layer.w_ih[(row, x)] = 0.0;
        }
        for k in 0..hs {
            layer.w_hh[(row, k)] = 0.0;
        }
        layer.b[row] = 0.0;
    }
    layer.w_ih[(i, quote)] = K;
    layer.b[i] = -K / 2.0;
    layer.w_ih[(f, quote)] = -K;
    layer.b[f] = K / 2.0;
    layer.w_hh[(g, j)] = -K;
    layer.b[g] = 0.3 * K;
    for (x, &c) in vocab.chars().iter().enumerate() {
        layer.w_ih[(o, x)] = if c.is_alphabetic() { K } else { -K };
    }
}

#[test]
fn the_ranking_finds_a_cell_state_planted_to_follow_quotation_marks() {
    let text = quoted_text();
    let vocab = Vocab::from_text(&text);
    let data = vocab.encode(&text).unwrap();
    let hs = 12;
    let mut net = Network::new(CellKind::Lstm, vocab.len(), hs, 2, 7);
    for w in net.slices_mut() {
        for x in w.iter_mut() {
            *x *= 5.0; // other units that move too: uniform in [−0.4, 0.4)
        }
    }
    plant_quote_cell(&mut net, &vocab, 5);
    let e = explain(&net, &vocab, &data).unwrap();
    let planted = hs + 5; // after layer 0's h
    assert_eq!(e.unit_label(planted), "l0 c[5]");
    // It flips on the quotation marks themselves and holds in between.
    let open = text.find('"').unwrap();
    let close = open + 1 + text[open + 1..].find('"').unwrap();
    let again = close + 1 + text[close + 1..].find('"').unwrap();
    assert!(
        e.unit(open - 1, planted).abs() < 1e-3,
        "nothing yet before the first mark"
    );
    for t in open..close {
        assert!(
            e.unit(t, planted) > 0.99,
            "inside at {t}: {}",
            e.unit(t, planted)
        );
    }
    for t in close..again {
        assert!(
            e.unit(t, planted) < -0.99,
            "outside at {t}: {}",
            e.unit(t, planted)
        );
    }
    assert!(e.unit(again, planted) > 0.99);
    // The ranking puts it first, well ahead of its own h (the flag shown only at letters).
    let quotes = &e.ranking[0];
    assert_eq!(e.features[quotes.feature].name, "inside quotation marks");
    let best = quotes.best[0];
    assert_eq!(best.unit, planted, "the ranking: {:?}", quotes.best);
    assert!(best.r > 0.98, "r = {}", best.r);
    assert!(
        quotes.best[1].r.abs() < best.r - 0.1,
        "no clear winner: {:?}",
        quotes.best
    );
    // And the page offers it first.
    let html = page(&e, &info());
    let row = html.find("inside quotation marks<br>").unwrap();
    let first = html[row..].find("data-unit=").unwrap();
    assert!(
        html[row + first..].starts_with("data-unit=\"l0c5\""),
        "{}",
        &html[row..row + 400]
    );
}

#[test]
fn the_loss_of_a_trained_network_is_what_evaluate_text_reports() {
    let vocab = Vocab::from_text(CORPUS);
    let data = vocab.encode(&CORPUS[..20_000]).unwrap();
    let held = vocab.encode(&CORPUS[20_000..22_000]).unwrap();
    for cell in [CellKind::Lstm, CellKind::Gru] {
        let mut config = Config::new(cell);
        (config.num_layers, config.hidden_size) = (2, 16);
        (config.batch_size, config.seq_length) = (4, 20);
        let mut trainer = NetworkTrainer::new(&data, vocab.len(), config, 5).unwrap();
        for _ in 0..30 {
            trainer.step().unwrap();
        }
        let e = explain(&trainer.network, &vocab, &held).unwrap();
        // The same steps from the same zero memories, the same characters scored (all but
        // the first), summed in the same order: the same number to the last bit.
        let expected = evaluate_text(&trainer.network, &held);
        assert_eq!(e.loss.to_bits(), expected.to_bits(), "{cell}");
        assert!(
            e.loss < (vocab.len() as f64).ln(),
            "{cell}: it learned something"
        );
        let html = page(&e, &info());
        assert!(html.contains(&format!("<dd id=\"loss\">{:.6} nats</dd>", e.loss)));
    }
}
