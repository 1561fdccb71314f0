//! Checkpoints: a save and a load give back every bit; a resumed trainer takes exactly the
//! steps the original would have; and no damaged file, however damaged, makes the loader
//! panic.

use min_char_rnn::checkpoint::{
    Checkpoint, CheckpointErrorKind, Snapshot, save_target, write_atomic, write_atomic_with,
};
use min_char_rnn::{Hyperparams, Params, Strategy, Trainer, Vocab};
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// A trainer on a small text after `steps` iterations, and its vocabulary.
fn trained(steps: usize, hidden_size: usize) -> (Trainer, Vocab) {
    let text = "she sells sea shells by the sea shore. ".repeat(12);
    let vocab = Vocab::from_text(&text);
    let hp = Hyperparams {
        hidden_size,
        seq_length: 7,
        learning_rate: 0.1,
    };
    let data = vocab
        .encode(&text)
        .expect("the vocabulary comes from the text");
    let mut trainer = Trainer::new(data, vocab.len(), hp, 11).expect("valid settings");
    for _ in 0..steps {
        trainer.step().expect("no divergence");
    }
    (trainer, vocab)
}

/// A checkpoint with a history, as the binary writes them.
fn checkpoint(steps: usize, hidden_size: usize) -> Checkpoint {
    let (trainer, vocab) = trained(steps, hidden_size);
    let mut checkpoint = Checkpoint::from_trainer(&trainer, &vocab);
    checkpoint.val_fraction = 0.25;
    // Histories must lie before the current iteration: at 0 and half-way.
    checkpoint.loss_history = vec![(0, 14.5), (steps / 2, 13.25)];
    checkpoint.val_history = vec![(0, 2.0625), (steps / 2, 1.9)];
    checkpoint
}

fn temp_path(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("min-char-rnn-ckpt-{name}-{}", std::process::id()))
}

/// Every value of `a` and `b` compared by bits (so `-0.0` and `0.0` differ, and NaN equals
/// itself), with the first difference in the message.
#[track_caller]
fn assert_same_bits(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for k in 0..a.len() {
        assert_eq!(
            a[k].to_bits(),
            b[k].to_bits(),
            "{what}[{k}]: {:?} != {:?}",
            a[k],
            b[k]
        );
    }
}

#[track_caller]
fn assert_params_same_bits(what: &str, a: &Params, b: &Params) {
    for ((name, x), (_, y)) in a.slices().into_iter().zip(b.slices()) {
        assert_same_bits(&format!("{what}.{name}"), x, y);
    }
}

#[test]
fn save_then_load_gives_back_every_bit() {
    let saved = checkpoint(40, 6);
    let path = temp_path("round-trip");
    saved.save(&path).expect("save");
    let loaded = Checkpoint::load(&path).expect("load");
    let _ = fs::remove_file(&path);

    assert_params_same_bits("params", &saved.state.params, &loaded.state.params);
    assert_params_same_bits("memory", &saved.state.memory, &loaded.state.memory);
    assert_same_bits(
        "h_prev",
        saved.state.h_prev.as_slice(),
        loaded.state.h_prev.as_slice(),
    );
    let scalars = |c: &Checkpoint| [c.state.smooth_loss, c.state.hyperparams.learning_rate];
    assert_same_bits("scalars", &scalars(&saved), &scalars(&loaded));
    assert_eq!(loaded.state.rng_state, saved.state.rng_state);
    assert_eq!(loaded, saved, "and everything else");
}

#[test]
fn awkward_floats_round_trip_exactly() {
    let mut saved = checkpoint(3, 4);
    let awkward = [
        0.1,
        -0.0,
        f64::MIN_POSITIVE,
        5e-324, // the smallest subnormal
        f64::MAX,
        -1.0 / 3.0,
        1e-300,
        123_456_789.123_456_79,
    ];
    saved.state.params.w_hh.as_mut_slice()[..awkward.len()].copy_from_slice(&awkward);
    let loaded = Checkpoint::parse(saved.to_text().as_bytes()).expect("parse");
    assert_same_bits(
        "w_hh",
        saved.state.params.w_hh.as_slice(),
        loaded.state.params.w_hh.as_slice(),
    );
}

#[test]
fn the_random_state_restores_the_generator_exactly() {
    let mut rng = fastrand::Rng::with_seed(99);
    for _ in 0..17 {
        rng.f64();
    }
    let mut restored = fastrand::Rng::with_seed(rng.get_seed());
    for _ in 0..100 {
        assert_eq!(rng.u64(..), restored.u64(..));
    }
}

#[test]
fn a_resumed_trainer_takes_the_same_steps_and_samples() {
    let (mut original, vocab) = trained(25, 8);
    let text = Checkpoint::from_trainer(&original, &vocab).to_text();
    let loaded = Checkpoint::parse(text.as_bytes()).expect("parse");
    let mut resumed =
        Trainer::from_state(original.data().to_vec(), loaded.state).expect("from_state");
    for step in 0..60 {
        if step % 20 == 0 {
            let a = original.sample(30, Strategy::ORIGINAL);
            assert_eq!(
                a,
                resumed.sample(30, Strategy::ORIGINAL),
                "sample at step {step}"
            );
        }
        let (a, b) = (original.step(), resumed.step());
        assert_eq!(a, b, "step {step}");
    }
    assert_params_same_bits("params", &original.params, &resumed.params);
    assert_params_same_bits("memory", &original.adagrad.memory, &resumed.adagrad.memory);
}

#[test]
fn the_text_is_the_documented_format() {
    let text = checkpoint(5, 3).to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        &lines[..3],
        ["min-char-rnn checkpoint", "version 1", "hidden_size 3"]
    );
    let keys: Vec<&str> = lines[2..13]
        .iter()
        .map(|l| l.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        keys,
        [
            "hidden_size",
            "seq_length",
            "learning_rate",
            "iteration",
            "pointer",
            "smooth_loss",
            "rng_state",
            "val_fraction",
            "data_chars",
            "data_fnv1a64",
            "vocab"
        ]
    );
    assert!(lines[12].starts_with("vocab 32 46 97 98 "), "{}", lines[12]);
    let blocks: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with("@ "))
        .map(|l| l.split(' ').nth(1).unwrap_or(""))
        .collect();
    assert_eq!(
        blocks,
        [
            "w_xh",
            "w_hh",
            "w_hy",
            "b_h",
            "b_y",
            "mem_w_xh",
            "mem_w_hh",
            "mem_w_hy",
            "mem_b_h",
            "mem_b_y",
            "h_prev",
            "loss_history",
            "val_history"
        ]
    );
    assert!(text.contains("\n@ w_xh 3 12\n"), "H = 3, V = 12");
    assert_eq!(lines.last(), Some(&"end"));
}

#[track_caller]
fn parse_error(text: &str) -> String {
    match Checkpoint::parse(text.as_bytes()) {
        Ok(_) => panic!("accepted a bad checkpoint"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn inconsistent_checkpoints_are_refused_with_the_reason() {
    let good = checkpoint(5, 3).to_text();
    let cases = [
        (
            good.replace("hidden_size 3", "hidden_size 4"),
            "w_xh is 3 x 12, but",
        ),
        (
            good.replacen("\nvocab 32 46", "\nvocab 46 32", 1),
            "not sorted",
        ),
        (
            good.replacen("\nvocab 32 ", "\nvocab 1114112 ", 1),
            "not a Unicode code point",
        ),
        (
            good.replacen("\niteration 5\n", "\niteration 0\n", 1),
            "pointer",
        ),
        (good.replacen("\npointer ", "\npointer 3", 1), "pointer"),
        (
            good.replacen("\nlearning_rate 0.1", "\nlearning_rate -0.1", 1),
            "learning rate",
        ),
        (
            good.replacen("\nsmooth_loss ", "\nsmooth_loss inf", 1),
            "not",
        ),
        (
            good.replacen("\n@ val_history 2 2\n0.0", "\n@ val_history 2 2\n11.0", 1),
            "val_history",
        ),
        (
            good.replacen("\nend\n", "\nend\nmore\n", 1),
            "after the `end` line",
        ),
        (good.replacen("\nend\n", "\n", 1), "the file ends early"),
        (
            good.replacen("\nversion 1\n", "\nversion 0\n", 1),
            "unknown format version 0",
        ),
    ];
    for (text, needle) in cases {
        let message = parse_error(&text);
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    // A negative memory entry: the sum of squares cannot be.
    let mem = good.find("@ mem_b_y").expect("mem_b_y");
    let line = mem + good[mem..].find('\n').expect("newline") + 1;
    let negative = format!(
        "{}-1.0{}",
        &good[..line],
        &good[line + good[line..].find('\n').expect("newline")..]
    );
    assert!(parse_error(&negative).contains("sum of squares"));
}

#[test]
fn a_newer_version_is_named() {
    let text = checkpoint(2, 3)
        .to_text()
        .replacen("version 1", "version 7", 1);
    let err = Checkpoint::parse(text.as_bytes()).expect_err("version 7");
    assert!(matches!(
        err.kind(),
        CheckpointErrorKind::NewerVersion { version: 7 }
    ));
    assert!(err.to_string().contains("upgrade"), "{err}");
}

#[test]
fn saving_a_non_finite_value_writes_nothing() {
    let path = temp_path("non-finite");
    let good = checkpoint(2, 3);
    good.save(&path).expect("save");
    let mut bad = good.clone();
    bad.state.params.w_hy.as_mut_slice()[0] = f64::NAN;
    let err = bad.save(&path).expect_err("NaN");
    assert!(matches!(
        err.kind(),
        CheckpointErrorKind::NotFinite { name: "w_hy" }
    ));
    assert_eq!(Checkpoint::load(&path).expect("the old file"), good);
    let _ = fs::remove_file(&path);
}

#[test]
fn a_failed_atomic_write_leaves_no_temporary_file() {
    let dir = temp_path("atomic-dir");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("target-is-a-dir")).expect("mkdir");
    // Renaming a file over a directory fails: the temporary file must be cleaned up.
    assert!(write_atomic(&dir.join("target-is-a-dir"), b"data").is_err());
    let left: Vec<_> = fs::read_dir(&dir).expect("read_dir").collect();
    assert_eq!(left.len(), 1, "only the directory remains: {left:?}");
    write_atomic(&dir.join("ok.txt"), b"data").expect("write");
    assert_eq!(fs::read(dir.join("ok.txt")).expect("read"), b"data");
    let _ = fs::remove_dir_all(&dir);
}

/// One random change to a valid file: flip bits, overwrite, insert, delete, truncate, or
/// swap in a character that means something to the parser.
fn mutate(bytes: &mut Vec<u8>, rng: &mut fastrand::Rng) {
    let len = bytes.len();
    match rng.u8(0..7) {
        0 => bytes[rng.usize(..len)] ^= 1 << rng.u8(0..8),
        1 => bytes[rng.usize(..len)] = rng.u8(..),
        2 => bytes.insert(rng.usize(..=len), rng.u8(..)),
        3 => {
            bytes.remove(rng.usize(..len));
        }
        4 => bytes.truncate(rng.usize(..len)),
        5 => {
            let special = b"0123456789 \n@-.eE+";
            bytes[rng.usize(..len)] = special[rng.usize(..special.len())];
        }
        _ => {
            // Repeat a slice somewhere else (duplicated lines, doubled digits).
            let start = rng.usize(..len);
            let end = (start + rng.usize(1..40)).min(len);
            let piece = bytes[start..end].to_vec();
            let at = rng.usize(..=bytes.len());
            bytes.splice(at..at, piece);
        }
    }
}

#[test]
fn damaged_checkpoints_never_panic_the_loader() {
    let valid = checkpoint(4, 2).to_text().into_bytes();
    let mut rng = fastrand::Rng::with_seed(2024);
    let (mut accepted, mut refused) = (0, 0);
    for case in 0..6000 {
        let mut bytes = valid.clone();
        for _ in 0..rng.usize(1..4) {
            if bytes.is_empty() {
                break;
            }
            mutate(&mut bytes, &mut rng);
        }
        let result = catch_unwind(AssertUnwindSafe(|| Checkpoint::parse(&bytes)));
        match result {
            Ok(Ok(_)) => accepted += 1,
            Ok(Err(e)) => {
                let message = e.to_string();
                assert!(
                    !message.is_empty() && !message.ends_with('.'),
                    "case {case}: {message}"
                );
                refused += 1;
            }
            Err(_) => panic!(
                "case {case}: the loader panicked on:\n{}",
                String::from_utf8_lossy(&bytes)
            ),
        }
    }
    // Most damage is caught; a changed digit in a weight is a valid, different checkpoint.
    assert!(refused > 4000, "refused {refused}, accepted {accepted}");
}

#[test]
fn a_snapshot_streams_the_same_bytes_as_the_checkpoint() {
    let saved = checkpoint(12, 5);
    let mut streamed = Vec::new();
    saved
        .snapshot()
        .write_to(&mut streamed)
        .expect("write to a Vec");
    assert_eq!(streamed, saved.to_text().into_bytes());
    let (trainer, vocab) = trained(12, 5);
    let from_trainer = Checkpoint::from_trainer(&trainer, &vocab);
    let mut borrowed = Vec::new();
    Snapshot::of_trainer(&trainer, &vocab)
        .write_to(&mut borrowed)
        .expect("write to a Vec");
    assert_eq!(borrowed, from_trainer.to_text().into_bytes());
}

#[test]
fn windows_line_endings_are_named() {
    let text = checkpoint(2, 3).to_text().replace('\n', "\r\n");
    let err = Checkpoint::parse(text.as_bytes()).expect_err("CRLF");
    assert!(matches!(
        err.kind(),
        CheckpointErrorKind::WindowsLineEndings
    ));
    assert!(err.to_string().contains("Windows line endings"), "{err}");
    let bom = format!("\u{feff}{}", checkpoint(2, 3).to_text());
    let err = Checkpoint::parse(bom.as_bytes()).expect_err("BOM");
    assert!(err.to_string().contains("byte order mark"), "{err}");
}

#[test]
fn a_save_replaces_only_a_regular_file() {
    let dir = temp_path("regular-only");
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("a-dir")).expect("mkdir");
    let err = write_atomic(&dir.join("a-dir"), b"data").expect_err("a directory");
    assert!(
        err.to_string().contains("a directory, not a regular file"),
        "{err}"
    );
    assert!(write_atomic(&dir.join("a-dir/"), b"data").is_err());
    assert!(
        write_atomic(&dir.join("new/"), b"data").is_err(),
        "a trailing slash"
    );
    assert!(!dir.join("new").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, PermissionsExt, symlink};
        let err = save_target("/dev/null".as_ref()).expect_err("a device");
        assert!(err.to_string().contains("a character device"), "{err}");
        assert!(write_atomic("/dev/null".as_ref(), b"data").is_err());
        let null = fs::metadata("/dev/null").expect("/dev/null");
        assert!(null.file_type().is_char_device());
        // A link is written through: the file it points to changes, the link stays.
        fs::write(dir.join("real.txt"), b"old").expect("write");
        symlink("real.txt", dir.join("link.txt")).expect("symlink");
        write_atomic(&dir.join("link.txt"), b"new").expect("through the link");
        assert_eq!(fs::read(dir.join("real.txt")).expect("read"), b"new");
        let link = fs::symlink_metadata(dir.join("link.txt")).expect("link");
        assert!(link.file_type().is_symlink());
        // A read-only file is kept; a file's mode is kept when it is replaced.
        let mode = |p: &str| {
            fs::metadata(dir.join(p))
                .expect("mode")
                .permissions()
                .mode()
                & 0o777
        };
        fs::set_permissions(dir.join("real.txt"), fs::Permissions::from_mode(0o444))
            .expect("chmod");
        assert!(write_atomic(&dir.join("real.txt"), b"newer").is_err());
        assert_eq!(fs::read(dir.join("real.txt")).expect("read"), b"new");
        fs::set_permissions(dir.join("real.txt"), fs::Permissions::from_mode(0o640))
            .expect("chmod");
        write_atomic_with(&dir.join("real.txt"), |file| {
            use std::io::Write;
            file.write_all(b"newest")
        })
        .expect("write");
        assert_eq!(mode("real.txt"), 0o640);
    }
    let left: Vec<_> = fs::read_dir(&dir).expect("read_dir").flatten().collect();
    assert!(
        left.iter()
            .all(|e| !e.file_name().to_string_lossy().ends_with(".tmp")),
        "a temporary file is left: {left:?}"
    );
    let _ = fs::remove_dir_all(&dir);
}
