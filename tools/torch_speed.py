#!/usr/bin/env python3
"""PyTorch's speed at the job `cargo run --release --example bench_cells` times: the reference
figure beside the crate's in book/src/generated/bench-cells.txt (tools/bench-cells.sh runs both).

Usage:  python3 tools/torch_speed.py [--iterations N] [--cell lstm|gru|rnn] [--threads N ...]
Needs:  python3 -m pip install -r tools/requirements-torch.txt   (torch; the CPU is enough)

The same model and batch as the benchmark: char-rnn's default, 2 layers of 128 units
(torch.nn.LSTM / GRU / RNN(nonlinearity="tanh")) and an nn.Linear output layer, all float64,
reading one-hot characters of the shipped corpus (data/corpus.txt, its V distinct characters),
B = 50 streams of T = 50 steps (batch_first), starting from the state the previous chunk left;
the mean cross-entropy over B*T characters, and its backward pass into every weight. As in the
benchmark, no optimizer step is timed. Each figure is the median over the iterations, after
two warm-up iterations, for each thread count asked for (by default 1 and all cores).
"""

import argparse
import os
import statistics
import sys
import time

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIDDEN, LAYERS, BATCH, STEPS = 128, 2, 50, 50


def chunks(text, vocab):
    """char-rnn's split: B contiguous streams, T characters of each at a time."""
    index = {ch: i for i, ch in enumerate(vocab)}
    data = torch.tensor([index[ch] for ch in text], dtype=torch.long)
    n = BATCH * STEPS * (len(data) // (BATCH * STEPS))
    targets = torch.empty(n, dtype=torch.long)
    targets[:-1] = data[1:n]
    targets[-1] = data[0]
    xs = data[:n].view(BATCH, -1).split(STEPS, dim=1)
    ys = targets.view(BATCH, -1).split(STEPS, dim=1)
    return list(zip(xs, ys))


def measure(cell, threads, iterations, batches, v):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    kind = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[cell]
    rnn = kind(v, HIDDEN, LAYERS, batch_first=True, dtype=torch.float64)
    out = torch.nn.Linear(HIDDEN, v, dtype=torch.float64)
    zeros = torch.zeros(LAYERS, BATCH, HIDDEN, dtype=torch.float64)
    state = (zeros, zeros.clone()) if cell == "lstm" else zeros
    forward_times, backward_times = [], []
    for k in range(iterations + 2):
        x, y = batches[k % len(batches)]
        start = time.perf_counter()
        onehot = torch.nn.functional.one_hot(x, v).to(torch.float64)
        hs, last = rnn(onehot, state)
        loss = torch.nn.functional.cross_entropy(out(hs.reshape(-1, HIDDEN)), y.reshape(-1))
        middle = time.perf_counter()
        rnn.zero_grad()
        out.zero_grad()
        loss.backward()
        end = time.perf_counter()
        state = tuple(s.detach() for s in last) if cell == "lstm" else last.detach()
        if k >= 2:
            forward_times.append(middle - start)
            backward_times.append(end - middle)
    f, b = statistics.median(forward_times), statistics.median(backward_times)
    print(
        f"  torch, {threads} thread{'s' if threads > 1 else ' '}: {BATCH * STEPS / (f + b):>7.0f}"
        f" characters/s   forward + loss {f * 1e3:>7.1f} ms   backward {b * 1e3:>7.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--cell", choices=["lstm", "gru", "rnn"], action="append")
    parser.add_argument("--threads", type=int, action="append")
    args = parser.parse_args()
    with open(os.path.join(ROOT, "data", "corpus.txt"), encoding="utf-8") as f:
        text = f.read()
    vocab = sorted(set(text))
    batches = chunks(text, vocab)
    cores = os.cpu_count() or 1
    threads = args.threads or sorted({1, cores})
    print(
        f"PyTorch {torch.__version__}, float64, V = {len(vocab)}, {LAYERS} layers of H = {HIDDEN},"
        f" B = {BATCH} streams of T = {STEPS} steps; medians over {args.iterations} iterations"
    )
    for cell in args.cell or ["lstm"]:
        print(f"{cell}:")
        for n in threads:
            measure(cell, n, args.iterations, batches, len(vocab))
    return 0


if __name__ == "__main__":
    sys.exit(main())
