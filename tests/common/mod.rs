//! Shared by the tests that compare with the numpy and PyTorch references: a loader for the
//! fixture files that `tools/make_fixtures.py` and `tools/torch_reference.py` write, and a
//! comparison that says where and by how much two arrays differ.
//!
//! Fixture format: `#` comment lines, then entries `@ name rows cols` each followed by
//! `rows * cols` numbers, row-major.

#![allow(dead_code)] // each test file uses a different part of this module

use min_char_rnn::{Matrix, Params, Vector};
use std::collections::HashMap;

/// One fixture file, its entries by name.
pub struct Fixture {
    file: String,
    entries: HashMap<String, (usize, usize, Vec<f64>)>,
}

impl Fixture {
    /// Reads `tests/fixtures/<name>`.
    pub fn load(name: &str) -> Fixture {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut entries = HashMap::new();
        let mut current: Option<(String, usize, usize, Vec<f64>)> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix('@') {
                if let Some((name, r, c, values)) = current.take() {
                    entries.insert(name, (r, c, values));
                }
                let parts: Vec<&str> = header.split_whitespace().collect();
                assert_eq!(parts.len(), 3, "{path}: bad header {line:?}");
                let rows = parts[1].parse().expect("rows");
                let cols = parts[2].parse().expect("cols");
                current = Some((parts[0].to_string(), rows, cols, Vec::new()));
            } else {
                let (name, _, _, values) = current.as_mut().expect("numbers before a header");
                for word in line.split_whitespace() {
                    let x: f64 = word
                        .parse()
                        .unwrap_or_else(|_| panic!("{path}: {name}: bad number {word:?}"));
                    values.push(x);
                }
            }
        }
        if let Some((name, r, c, values)) = current.take() {
            entries.insert(name, (r, c, values));
        }
        for (name, (r, c, values)) in &entries {
            assert_eq!(values.len(), r * c, "{path}: {name} has the wrong count");
        }
        Fixture {
            file: name.to_string(),
            entries,
        }
    }

    fn entry(&self, name: &str) -> &(usize, usize, Vec<f64>) {
        self.entries
            .get(name)
            .unwrap_or_else(|| panic!("{}: no entry {name}", self.file))
    }

    pub fn values(&self, name: &str) -> &[f64] {
        &self.entry(name).2
    }

    pub fn matrix(&self, name: &str) -> Matrix {
        let (r, c, values) = self.entry(name);
        Matrix::from_vec(*r, *c, values.clone())
    }

    pub fn vector(&self, name: &str) -> Vector {
        Vector::from_vec(self.values(name).to_vec())
    }

    pub fn scalar(&self, name: &str) -> f64 {
        let values = self.values(name);
        assert_eq!(values.len(), 1, "{}: {name} is not a scalar", self.file);
        values[0]
    }

    pub fn usize(&self, name: &str) -> usize {
        self.scalar(name) as usize
    }

    pub fn indices(&self, name: &str) -> Vec<usize> {
        self.values(name).iter().map(|&x| x as usize).collect()
    }

    /// The five parameters stored as `<prefix>w_xh`, …, `<prefix>b_y`.
    pub fn params(&self, prefix: &str) -> Params {
        Params {
            w_xh: self.matrix(&format!("{prefix}w_xh")),
            w_hh: self.matrix(&format!("{prefix}w_hh")),
            w_hy: self.matrix(&format!("{prefix}w_hy")),
            b_h: self.vector(&format!("{prefix}b_h")),
            b_y: self.vector(&format!("{prefix}b_y")),
        }
    }
}

/// `|a − b| / max(|a|, |b|)`, and 0 when both are 0.
pub fn relative_error(a: f64, b: f64) -> f64 {
    let scale = a.abs().max(b.abs());
    if scale == 0.0 {
        0.0
    } else {
        (a - b).abs() / scale
    }
}

/// Asserts that every `actual[i]` is within `rel_tol` of `expected[i]` relative to its size,
/// or within `abs_tol` absolutely (for values near zero, where a relative error says nothing).
/// On failure, names the quantity, the largest difference and the first values that differ.
#[track_caller]
pub fn assert_close(what: &str, actual: &[f64], expected: &[f64], rel_tol: f64, abs_tol: f64) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths differ");
    let mut worst = (0.0f64, 0usize);
    let mut failures = Vec::new();
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        let diff = (a - e).abs();
        if diff > worst.0 {
            worst = (diff, i);
        }
        let ok = diff <= abs_tol || relative_error(a, e) <= rel_tol;
        if !ok && failures.len() < 5 {
            failures.push(format!("[{i}] rust {a:e} vs reference {e:e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: max |difference| {:e} at [{}]; first differing values: {}",
        worst.0,
        worst.1,
        failures.join(", ")
    );
}
