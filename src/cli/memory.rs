//! What a training run needs in memory, estimated before it starts, and what the system
//! can give it.
//!
//! When an allocation fails, a Rust program does not get an error it could report: it
//! aborts, printing only `memory allocation of N bytes failed`. A run with a hidden size
//! of 10,000, or a text of a million distinct characters, needs gigabytes; started anyway,
//! it would abort somewhere in the middle, perhaps after hours. So `train` adds up what
//! the run will hold (every array has a size known from `V`, `H`, `T` and the text) and
//! refuses to start, with the figures and a hint, when the total is more than the system
//! has available or than `--max-memory`.

use super::Failure;
use min_char_rnn::fast::EVAL_CHUNK;
use std::fs;
use std::path::Path;

/// Bytes of one `f64`, and of one `usize` index.
const WORD: u64 = 8;
/// The program itself, its stack and the allocator's own bookkeeping: a generous guess.
const BASE: u64 = 8 << 20;

/// What decides the size of a run.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// `V`, the vocabulary size.
    pub vocab_size: usize,
    /// `H`.
    pub hidden_size: usize,
    /// `T`.
    pub seq_length: usize,
    /// Bytes of the text (UTF-8).
    pub text_bytes: u64,
    /// Characters held out for validation (0: none).
    pub val_chars: u64,
    /// Characters per sample (0: no samples).
    pub sample_length: usize,
    /// Bytes of the checkpoint to resume, read whole to be loaded (0: none).
    pub checkpoint_bytes: u64,
    /// Whether the fast path computes (its transposed copies of the weights).
    pub fast: bool,
}

/// The estimate: what each part holds, in bytes.
#[derive(Debug)]
pub struct Needs {
    parts: Vec<(&'static str, u64)>,
}

impl Needs {
    /// The sum of the parts.
    pub fn total(&self) -> u64 {
        self.parts
            .iter()
            .fold(0, |sum, &(_, bytes)| sum.saturating_add(bytes))
    }

    /// "parameters 7.6 MiB, Adagrad's memory 7.6 MiB, …", largest first.
    pub fn breakdown(&self) -> String {
        let mut parts = self.parts.clone();
        parts.sort_by_key(|&(_, bytes)| std::cmp::Reverse(bytes));
        let shown: Vec<String> = parts
            .iter()
            .filter(|(_, bytes)| *bytes > 0)
            .map(|(name, bytes)| format!("{name} {}", human(*bytes)))
            .collect();
        shown.join(", ")
    }
}

/// `a · b` in bytes, saturating instead of overflowing.
fn words(count: u128) -> u64 {
    u64::try_from(count.saturating_mul(u128::from(WORD))).unwrap_or(u64::MAX)
}

// ANCHOR: estimate
/// What a run of this shape holds at its peak, part by part.
pub fn estimate(s: &Shape) -> Needs {
    let (v, h, t) = (
        s.vocab_size as u128,
        s.hidden_size as u128,
        s.seq_length as u128,
    );
    // w_xh (H, V), w_hh (H, H), w_hy (V, H), b_h (H), b_y (V)
    let params = words(2 * v * h + h * h + h + v);
    let mut parts = vec![
        ("parameters", params),
        ("Adagrad's memory", params),
        ("gradients", params),
        // xs, hs, ys, ps of one chunk: T·(H + 2V) numbers and T indices
        ("the forward pass's record", words(t * (h + 2 * v) + t + h)),
    ];
    if s.fast {
        // w_hhᵀ, w_hyᵀ and the per-step dy, dh, dhraw
        parts.push((
            "the fast path's copies",
            words(h * h + h * v + t * (v + 2 * h)),
        ));
    }
    if s.val_chars > 0 {
        let chunk = EVAL_CHUNK as u128;
        parts.push((
            "an evaluation",
            words(h * h + h * v + chunk * (2 * h + 3 * v) + h),
        ));
    }
    // The text, then its indices (one `usize` per byte of room), the held-out part's own
    // copy, and the characters of a sample as indices and as text.
    let text = u128::from(s.text_bytes);
    let indices = words(text + u128::from(s.val_chars));
    parts.push(("the text", s.text_bytes.saturating_add(indices)));
    parts.push(("a sample", words(s.sample_length as u128) / 2 * 3));
    if s.checkpoint_bytes > 0 {
        // The file, read whole, and a reference to each of its lines.
        let lines = words(2 * (4 * h + 2 * v + 64));
        parts.push((
            "loading the checkpoint",
            s.checkpoint_bytes.saturating_add(lines),
        ));
    }
    parts.push(("the program", BASE));
    Needs { parts }
}
// ANCHOR_END: estimate

/// The most memory a run may take, and where the figure comes from.
#[derive(Debug)]
pub struct Limit {
    /// Bytes.
    pub bytes: u64,
    /// "set with --max-memory", "available (MemAvailable in /proc/meminfo)", …
    pub source: &'static str,
}

// ANCHOR: limit
/// `--max-memory` if given; else the least of what the system reports: the memory
/// available, what the control group (a container's limit) leaves, and what `ulimit -v`
/// leaves. `None` where none of these can be read (outside Linux): then there is no check.
pub fn limit(max_memory: Option<u64>) -> Option<Limit> {
    if let Some(bytes) = max_memory {
        return Some(Limit {
            bytes,
            source: "set with --max-memory",
        });
    }
    let mut found: Option<Limit> = None;
    let candidates = [
        (mem_available(), "available (MemAvailable in /proc/meminfo)"),
        (cgroup_left(), "left in this control group (memory.max)"),
        (
            address_space_left(),
            "left under the address-space limit (ulimit -v)",
        ),
    ];
    for (bytes, source) in candidates {
        if let Some(bytes) = bytes {
            if found.as_ref().is_none_or(|f| bytes < f.bytes) {
                found = Some(Limit { bytes, source });
            }
        }
    }
    found
}
// ANCHOR_END: limit

/// `MemAvailable` of `/proc/meminfo`, in bytes.
fn mem_available() -> Option<u64> {
    let meminfo = fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib.saturating_mul(1024))
}

/// What the control groups of this process leave: for each group from ours up to the root
/// that has a memory limit, the limit minus what the group uses now. Version 2 keeps them
/// in `memory.max` and `memory.current`, version 1 in `memory.limit_in_bytes` and
/// `memory.usage_in_bytes` (where "no limit" is a number near 2^63).
fn cgroup_left() -> Option<u64> {
    let groups = fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut least: Option<u64> = None;
    for line in groups.lines() {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next(), fields.next()?, fields.next()?);
        let (root, max, current) = match controllers {
            "" => ("/sys/fs/cgroup", "memory.max", "memory.current"),
            c if c.split(',').any(|c| c == "memory") => (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            ),
            _ => continue,
        };
        let root = Path::new(root);
        let mut dir = root.join(path.trim_start_matches('/'));
        loop {
            let read = |name: &str| -> Option<u64> {
                fs::read_to_string(dir.join(name)).ok()?.trim().parse().ok()
            };
            if let (Some(max), Some(current)) = (read(max), read(current)) {
                if max < 1 << 62 {
                    let left = max.saturating_sub(current);
                    least = Some(least.map_or(left, |l| l.min(left)));
                }
            }
            if dir == root || !dir.pop() {
                break;
            }
        }
    }
    least
}

/// The soft `Max address space` of `/proc/self/limits` (`ulimit -v`) minus the address
/// space this process already uses (`VmSize` of `/proc/self/status`).
fn address_space_left() -> Option<u64> {
    let limits = fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max address space"))?;
    let soft: u64 = line.split_whitespace().nth(3)?.parse().ok()?; // "unlimited" fails
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let used = status.lines().find(|l| l.starts_with("VmSize:"))?;
    let kib: u64 = used.split_whitespace().nth(1)?.parse().ok()?;
    Some(soft.saturating_sub(kib.saturating_mul(1024)))
}

/// Refuses to read a text of `bytes` bytes that does not fit in `limit` by itself.
pub fn check_text(path: &Path, bytes: u64, limit: &Limit) -> Result<(), Failure> {
    if bytes.saturating_add(BASE) <= limit.bytes {
        return Ok(());
    }
    Err(Failure::with_hint(
        format!(
            "{} is {}: reading it would take more memory than the {} {}",
            path.display(),
            human(bytes),
            human(limit.bytes),
            limit.source
        ),
        "train on a part of it (head -c 100M), or set the limit with --max-memory SIZE",
    ))
}

// ANCHOR: check
/// Refuses a run of `shape` that needs more than `limit`, saying how much it needs, for
/// what, and what would fit. `resumed`: the hidden size is the checkpoint's, not a choice.
pub fn check(shape: &Shape, limit: &Limit, resumed: bool) -> Result<(), Failure> {
    let needs = estimate(shape);
    if needs.total() <= limit.bytes {
        return Ok(());
    }
    let mut hints = vec![format!(
        "with {} distinct characters and a hidden size of {}, it would hold {}",
        shape.vocab_size,
        shape.hidden_size,
        needs.breakdown()
    )];
    let fits = |h: usize| {
        estimate(&Shape {
            hidden_size: h,
            ..*shape
        })
        .total()
            <= limit.bytes
    };
    if resumed {
        hints.push("a resumed run keeps its checkpoint's hidden size".to_string());
    } else if fits(1) {
        // The largest H that fits: the estimate grows with H, so halve the interval.
        let (mut lo, mut hi) = (1, shape.hidden_size);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if fits(mid) { lo = mid } else { hi = mid }
        }
        hints.push(format!("a --hidden-size of {lo} or less would fit"));
    } else {
        hints.push(format!(
            "even --hidden-size 1 would not fit: the text ({}, {} distinct characters) is \
             too large; train on a part of it",
            human(shape.text_bytes),
            shape.vocab_size
        ));
    }
    Err(too_large(&needs, limit, hints))
}
// ANCHOR_END: check

/// The refusal of a run that needs `needs`, more than `limit`: the figures, `hints` (what
/// it would hold, what would fit), and the way round the limit.
fn too_large(needs: &Needs, limit: &Limit, mut hints: Vec<String>) -> Failure {
    hints.push(
        "--max-memory SIZE sets the limit instead (such as --max-memory 16G), if you know \
         the system can give more"
            .to_string(),
    );
    Failure::Runtime {
        message: format!(
            "this run would need about {} of memory, more than the {} {}",
            human(needs.total()),
            human(limit.bytes),
            limit.source
        ),
        hints,
    }
}

/// What decides the size of a run that trains a network like char-rnn.
#[derive(Clone, Copy, Debug)]
pub struct NetworkShape {
    /// `V`.
    pub vocab_size: usize,
    /// `H`.
    pub hidden_size: usize,
    /// `L`.
    pub num_layers: usize,
    /// `G`, the gate blocks of the cell (RNN 1, LSTM 4, GRU 3).
    pub gates: usize,
    /// `B`.
    pub batch_size: usize,
    /// `T`.
    pub seq_length: usize,
    /// How many copies of the parameters the optimizer keeps (SGD 0, Adam 2, else 1).
    pub moments: usize,
    /// Bytes of the text (UTF-8).
    pub text_bytes: u64,
    /// Characters per sample (0: no samples).
    pub sample_length: usize,
    /// Bytes of the checkpoint to resume, read whole to be loaded (0: none).
    pub checkpoint_bytes: u64,
    /// Whether the run uses dropout (`--dropout P` with `P > 0`).
    pub dropout: bool,
    /// Whether the fast path computes (it keeps its own copies of the dropout masks).
    pub fast: bool,
}

/// What a network run of this shape holds at its peak, part by part.
pub fn estimate_network(s: &NetworkShape) -> Needs {
    let (v, h, l, g) = (
        s.vocab_size as u128,
        s.hidden_size as u128,
        s.num_layers as u128,
        s.gates as u128,
    );
    let (b, t) = (s.batch_size as u128, s.seq_length as u128);
    // Layer 0 reads V, the others H: w_ih (G·H, I), w_hh (G·H, H), b (G·H), and the GRU's
    // b_hn (H); then w_hy (V, H) and b_y (V).
    let b_hn = if s.gates == 3 { h } else { 0 };
    let layer = |inputs: u128| g * h * (inputs + h + 1) + b_hn;
    let params = words(layer(v) + l.saturating_sub(1) * layer(h) + v * h + v);
    // Per step, stream and layer: h, the gates, c, tanh(c) and the GRU's W_hn·h (about
    // (G + 4)·H); per step and stream the scores and probabilities (2V); backward: dy (V)
    // and dh (L·H) per step and stream, and two copies of the state.
    let cache = words(t * b * (l * (g + 4) * h + 2 * v));
    let work = words(t * b * (v + l * h) + 4 * l * b * h);
    // The trainer's dropout masks, one `(B·T, H)` matrix per layer, are allocated (all ones)
    // even when `p = 0`. With `p > 0` the fast path also copies each stream group's rows of
    // them and keeps `h ⊙ m` beside them: two more `(B·T, H)` matrices per layer in all.
    let mask_set = words(l * b * t * h);
    let copies = if s.dropout && s.fast { 2 } else { 0 };
    let masks = mask_set.saturating_mul(1 + copies);
    let text = u128::from(s.text_bytes);
    let parts = vec![
        ("parameters", params),
        (
            "the optimizer's memory",
            params.saturating_mul(s.moments as u64),
        ),
        ("gradients", params),
        ("the forward pass's record", cache),
        ("the backward pass's buffers", work),
        ("dropout's masks", masks),
        // The text, its indices, and the chunks' inputs and targets.
        ("the text", words(text * 3).saturating_add(s.text_bytes)),
        ("a sample", words(s.sample_length as u128) / 2 * 3),
        (
            "saving and loading checkpoints",
            params
                .saturating_mul(4)
                .saturating_add(s.checkpoint_bytes.saturating_mul(2)),
        ),
        ("the program", BASE),
    ];
    Needs { parts }
}

/// Refuses a network run of `shape` that needs more than `limit`, saying how much it needs
/// and for what.
pub fn check_network(shape: &NetworkShape, limit: &Limit) -> Result<(), Failure> {
    let needs = estimate_network(shape);
    if needs.total() <= limit.bytes {
        return Ok(());
    }
    let hints = vec![
        format!(
            "with {} distinct characters, {} layer(s) of {} units, {} streams of {} \
             characters, it would hold {}",
            shape.vocab_size,
            shape.num_layers,
            shape.hidden_size,
            shape.batch_size,
            shape.seq_length,
            needs.breakdown()
        ),
        "a smaller --hidden-size, --batch-size or --seq-length needs less".to_string(),
    ];
    Err(too_large(&needs, limit, hints))
}

/// `1536` → `1.5 KiB`, `8_900_000_000` → `8.3 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(hidden_size: usize) -> Shape {
        Shape {
            vocab_size: 71,
            hidden_size,
            seq_length: 25,
            text_bytes: 53_467,
            val_chars: 0,
            sample_length: 200,
            checkpoint_bytes: 0,
            fast: true,
        }
    }

    #[test]
    fn the_estimate_counts_three_copies_of_the_parameters() {
        // H = 10 000, V = 71: 101 430 071 numbers, 811 MB each for the parameters, Adagrad's
        // memory and the gradients, and as much again for the fast path's copies.
        let needs = estimate(&shape(10_000));
        let params = 8 * (2 * 71 * 10_000 + 10_000 * 10_000 + 10_000 + 71);
        assert!(needs.total() > 4 * params, "{}", needs.breakdown());
        assert!(needs.total() < 5 * params, "{}", needs.breakdown());
    }

    #[test]
    fn a_run_too_large_is_refused_with_what_would_fit() {
        let limit = Limit {
            bytes: 1 << 30,
            source: "set with --max-memory",
        };
        assert!(check(&shape(100), &limit, false).is_ok());
        match check(&shape(10_000), &limit, false) {
            Err(Failure::Runtime { message, hints }) => {
                assert!(message.contains("more than the 1.0 GiB set with --max-memory"));
                let fits = hints.iter().find(|h| h.contains("--hidden-size of"));
                let h: usize = fits
                    .and_then(|h| h.split_whitespace().nth(3))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                assert!(check(&shape(h), &limit, false).is_ok(), "{h}");
                assert!(check(&shape(h + 1), &limit, false).is_err(), "{h}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_network_estimate_counts_every_parameter() {
        use min_char_rnn::cells::CellKind;
        use min_char_rnn::network::Network;
        for cell in CellKind::ALL {
            let shape = NetworkShape {
                vocab_size: 83,
                hidden_size: 128,
                num_layers: 3,
                gates: cell.gates(),
                batch_size: 50,
                seq_length: 50,
                moments: 1,
                text_bytes: 0,
                sample_length: 0,
                checkpoint_bytes: 0,
                dropout: false,
                fast: true,
            };
            let count = Network::zeros(cell, 83, 128, 3).parameter_count() as u64;
            let needs = estimate_network(&shape);
            assert_eq!(needs.parts[0], ("parameters", 8 * count), "{cell}");
            assert!(
                check_network(
                    &shape,
                    &Limit {
                        bytes: 1 << 20,
                        source: "set"
                    }
                )
                .is_err()
            );
        }
    }

    #[test]
    fn the_network_estimate_counts_dropouts_masks() {
        // L = 2 layers, B = 4 streams, T = 25 steps, H = 64: one set of masks is
        // 2 · 4 · 25 · 64 = 12 800 numbers, 102 400 bytes.
        const MASK_SET: u64 = 102_400;
        let shape = |dropout: bool, fast: bool| NetworkShape {
            vocab_size: 65,
            hidden_size: 64,
            num_layers: 2,
            gates: 4,
            batch_size: 4,
            seq_length: 25,
            moments: 1,
            text_bytes: 10_000,
            sample_length: 200,
            checkpoint_bytes: 0,
            dropout,
            fast,
        };
        let masks = |needs: &Needs| {
            let part = needs
                .parts
                .iter()
                .find(|(name, _)| *name == "dropout's masks");
            part.map_or(0, |&(_, bytes)| bytes)
        };
        // The trainer holds its masks (all ones) even without dropout.
        let without = estimate_network(&shape(false, true));
        assert_eq!(masks(&without), MASK_SET);
        // With dropout, the fast path adds a copy of the masks and h ⊙ m: two sets more.
        let with = estimate_network(&shape(true, true));
        assert_eq!(with.total() - without.total(), 2 * MASK_SET);
        assert!(with.breakdown().contains("dropout's masks 300.0 KiB"));
        // The plain path applies the masks one row at a time: nothing more.
        let plain = estimate_network(&shape(true, false));
        assert_eq!(
            plain.total(),
            estimate_network(&shape(false, false)).total()
        );
    }

    #[test]
    fn sizes_read_like_a_person_writes_them() {
        assert_eq!(human(512), "512 bytes");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 << 30), "3.0 GiB");
    }
}
