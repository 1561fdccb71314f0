#!/usr/bin/env python3
"""Reference implementation: a Python 3 + numpy port of Karpathy's min-char-rnn.

This is the program the Rust crate is checked against, and the "numpy
original" speed baseline.  It follows the original algorithm step by step:

* vocabulary: the unique characters of the text, **sorted** (the original used
  ``list(set(data))``, whose order is not reproducible between runs);
* a vanilla RNN  h_t = tanh(Wxh x_t + Whh h_{t-1} + bh),  y_t = Why h_t + by,
  p_t = softmax(y_t), loss = sum_t -ln p_t[target_t];
* backpropagation through time over ``seq_length`` characters, gradients
  clipped elementwise to [-5, 5];
* Adagrad updates;
* the original's training loop (reset of the hidden state and data pointer,
  smoothed loss, a sample of 200 characters every 100 iterations).

Nothing is vectorised beyond what the original does: one-hot column vectors,
one ``np.dot`` per product, per time step, with numpy's default BLAS.

Usable as a module (``lossFun``, ``sample``, ``adagrad_update``, ``train``,
``init_params``) and as a program; run with ``--help`` for the options.
"""

import argparse
import sys
import time

import numpy as np

PARAM_NAMES = ("Wxh", "Whh", "Why", "bh", "by")
CLIP = 5.0
ADAGRAD_EPS = 1e-8


def build_vocab(data):
    """Return (chars, char_to_ix, ix_to_char) with chars sorted by code point."""
    chars = sorted(set(data))
    char_to_ix = {ch: i for i, ch in enumerate(chars)}
    ix_to_char = {i: ch for i, ch in enumerate(chars)}
    return chars, char_to_ix, ix_to_char


def init_params(hidden_size, vocab_size):
    """Weights ~ N(0, 1) * 0.01 drawn from numpy's global RNG in the order
    Wxh, Whh, Why; biases zero.  Seed with ``np.random.seed`` beforehand."""
    return {
        "Wxh": np.random.randn(hidden_size, vocab_size) * 0.01,  # (H, V): the input's weights
        "Whh": np.random.randn(hidden_size, hidden_size) * 0.01,  # (H, H): the memory's weights
        "Why": np.random.randn(vocab_size, hidden_size) * 0.01,  # (V, H): the output's weights
        "bh": np.zeros((hidden_size, 1)),  # (H, 1)
        "by": np.zeros((vocab_size, 1)),  # (V, 1)
    }


def lossFun(inputs, targets, hprev, params, clip=True, states=None):
    """Forward and backward pass over one sequence.

    inputs, targets: lists of integer character indices (same length T).
    hprev: (H, 1) array, the hidden state before the first input.
    params: dict with Wxh, Whh, Why, bh, by.
    clip: clip each gradient elementwise to [-5, 5] (the original always does).
    states: if a dict is given, it receives 'xs', 'hs', 'ys', 'ps' (dicts keyed
        by time step; hs[-1] is hprev) for inspection.

    Returns (loss, dWxh, dWhh, dWhy, dbh, dby, hs[T-1]).
    """
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    bh, by = params["bh"], params["by"]
    vocab_size = Wxh.shape[1]

    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    # forward pass
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1))  # one-hot column vector
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalised log probabilities
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # softmax
        loss += -np.log(ps[t][targets[t], 0])  # cross-entropy
    # backward pass
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1  # gradient of softmax + cross-entropy
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext  # dL/dh: from the output and from step t+1
        dhraw = (1 - hs[t] * hs[t]) * dh  # through tanh: tanh' = 1 - tanh^2
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    if clip:
        for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
            np.clip(dparam, -CLIP, CLIP, out=dparam)  # against exploding gradients
    if states is not None:
        states.update(xs=xs, hs=hs, ys=ys, ps=ps)
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def sample(h, seed_ix, n, params):
    """Sample n character indices from the model, starting from hidden state h
    and seed character seed_ix, using numpy's global RNG."""
    Wxh, Whh, Why = params["Wxh"], params["Whh"], params["Why"]
    bh, by = params["bh"], params["by"]
    vocab_size = Wxh.shape[1]
    x = np.zeros((vocab_size, 1))
    x[seed_ix] = 1
    ixes = []
    for t in range(n):
        h = np.tanh(np.dot(Wxh, x) + np.dot(Whh, h) + bh)
        y = np.dot(Why, h) + by
        p = np.exp(y) / np.sum(np.exp(y))
        ix = np.random.choice(range(vocab_size), p=p.ravel())
        x = np.zeros((vocab_size, 1))
        x[ix] = 1
        ixes.append(ix)
    return ixes


def adagrad_update(params, grads, mems, learning_rate):
    """In-place Adagrad step.  grads and mems are sequences in PARAM_NAMES order;
    mems are updated in place too."""
    for name, dparam, mem in zip(PARAM_NAMES, grads, mems):
        param = params[name]
        mem += dparam * dparam
        param += -learning_rate * dparam / np.sqrt(mem + ADAGRAD_EPS)


def train(data, params, seq_length, learning_rate, iterations,
          print_every=100, sample_every=100, sample_length=200,
          out=sys.stdout, record=None):
    """The original training loop, run for a finite number of iterations.

    params are updated in place.  print_every / sample_every = 0 disables
    printing / sampling.  If record is a list, one tuple
    (n, p, loss, smooth_loss) is appended per iteration (smooth_loss after
    its update).  Returns the final smooth loss.
    """
    _, char_to_ix, ix_to_char = build_vocab(data)
    vocab_size = len(char_to_ix)
    hidden_size = params["Whh"].shape[0]

    n, p = 0, 0
    mems = [np.zeros_like(params[name]) for name in PARAM_NAMES]
    smooth_loss = -np.log(1.0 / vocab_size) * seq_length  # a uniform guess: T * ln V
    while n < iterations:
        # at the start, or when the next chunk would run past the end: start over with an empty memory
        if p + seq_length + 1 >= len(data) or n == 0:
            hprev = np.zeros((hidden_size, 1))
            p = 0
        inputs = [char_to_ix[ch] for ch in data[p:p + seq_length]]
        targets = [char_to_ix[ch] for ch in data[p + 1:p + seq_length + 1]]

        if sample_every and n % sample_every == 0:
            sample_ix = sample(hprev, inputs[0], sample_length, params)
            txt = "".join(ix_to_char[ix] for ix in sample_ix)
            out.write("----\n %s \n----\n" % (txt,))

        loss, dWxh, dWhh, dWhy, dbh, dby, hprev = lossFun(inputs, targets, hprev, params)
        smooth_loss = smooth_loss * 0.999 + loss * 0.001
        if print_every and n % print_every == 0:
            out.write("iter %d, loss: %f\n" % (n, smooth_loss))
        if record is not None:
            record.append((n, p, loss, smooth_loss))

        adagrad_update(params, [dWxh, dWhh, dWhy, dbh, dby], mems, learning_rate)

        p += seq_length  # move the data pointer
        n += 1
    return smooth_loss


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="min-char-rnn reference program (Python 3 + numpy).")
    ap.add_argument("file", help="training text (read as UTF-8)")
    ap.add_argument("--iterations", type=int, default=20000,
                    help="number of training iterations (default 20000)")
    ap.add_argument("--seed", type=int, default=0,
                    help="numpy RNG seed for initialisation and sampling (default 0)")
    ap.add_argument("--hidden-size", type=int, default=100, help="default 100")
    ap.add_argument("--seq-length", type=int, default=25, help="default 25")
    ap.add_argument("--learning-rate", type=float, default=1e-1, help="default 0.1")
    ap.add_argument("--print-every", type=int, default=100,
                    help="print the smoothed loss every N iterations (0: never; default 100)")
    ap.add_argument("--sample-every", type=int, default=100,
                    help="print a 200-character sample every N iterations (0: never; default 100)")
    ap.add_argument("--quiet", action="store_true",
                    help="no samples (loss lines are still printed; use --print-every 0 to drop them)")
    args = ap.parse_args(argv)
    if args.iterations < 0:
        ap.error("--iterations must be >= 0")

    with open(args.file, "r", encoding="utf-8") as f:
        data = f.read()
    chars, _, _ = build_vocab(data)
    data_size, vocab_size = len(data), len(chars)
    print("data has %d characters, %d unique." % (data_size, vocab_size))
    if data_size < args.seq_length + 2:
        ap.error("the text must have at least seq_length + 2 characters")

    np.random.seed(args.seed)
    params = init_params(args.hidden_size, vocab_size)

    sample_every = 0 if args.quiet else args.sample_every
    start = time.perf_counter()
    train(data, params, args.seq_length, args.learning_rate, args.iterations,
          print_every=args.print_every, sample_every=sample_every)
    sys.stdout.flush()
    secs = time.perf_counter() - start
    rate = args.iterations / secs if secs > 0 else float("inf")
    sys.stderr.write("python: %d iterations in %.3f s (%.1f it/s)\n"
                     % (args.iterations, secs, rate))
    return 0


if __name__ == "__main__":
    sys.exit(main())
