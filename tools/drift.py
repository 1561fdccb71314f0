#!/usr/bin/env python3
"""How far two correct implementations drift apart during training.

Trains on data/corpus.txt at the original's sizes (H = 100, T = 25, lr 0.1) for N
iterations twice from the same initial weights: once in the numpy port
(tools/min_char_rnn.py) and once in Rust (examples/drift.rs), and prints the
relative difference of their losses at a few iterations.  The two programs do the
same arithmetic in a different order, so they differ by rounding at first; the
table shows what training does to that difference.

    python3 tools/drift.py [ITERATIONS]      (default 1000; needs numpy and cargo)

The book shows its output: python3 tools/drift.py > book/src/generated/drift.txt
"""

import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import min_char_rnn as ref  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with open(os.path.join(ROOT, "data", "corpus.txt"), encoding="utf-8") as f:
        data = f.read()
    chars, _, _ = ref.build_vocab(data)
    np.random.seed(1)
    params = ref.init_params(100, len(chars))
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for name in ref.PARAM_NAMES:
            f.write(" ".join(repr(float(x)) for x in params[name].ravel()) + "\n")
        weights = f.name
    rust = subprocess.run(
        ["cargo", "run", "--quiet", "--release", "--example", "drift", "--", weights, str(iterations)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split()
    os.unlink(weights)
    rust = [float(x) for x in rust]

    record = []
    ref.train(data, params, 25, 0.1, iterations, print_every=0, sample_every=0, record=record)
    numpy_losses = [float(loss) for (_, _, loss, _) in record]

    print("iteration  numpy loss            rust loss             relative difference")
    marks = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
    for k in [m for m in marks if m <= iterations]:
        a, b = numpy_losses[k - 1], rust[k - 1]
        print("%9d  %-20r  %-20r  %.1e" % (k, a, b, abs(a - b) / abs(a)))


if __name__ == "__main__":
    main()
