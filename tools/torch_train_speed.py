#!/usr/bin/env python3
"""Time PyTorch training char-rnn's default model: one line of figures for
`cargo run --release --example bench_train`, which runs this script between its own rounds.

Usage:  python3 tools/torch_train_speed.py TEXT [--iterations 40] [--start 0]
                [--dtype float64|float32] [--threads 2]
Needs:  python3 -m pip install -r tools/requirements-torch.txt   (torch; the CPU is enough)

The model and the data come from tools/torch_charrnn.py (its Model, load and evaluate): 2 layers
of 128 LSTM units reading one-hot characters and an nn.Linear, B = 50 streams of T = 50 steps,
95% of the chunks for training. One iteration is what `NetworkTrainer::step` does: the forward
pass and the mean cross-entropy, the backward pass, the gradients clipped to [-5, 5]
(clip_grad_value_), one torch.optim.RMSprop step (lr 2e-3, alpha 0.95, eps 1e-8: char-rnn's
rmsprop) and the loss read back as a float. The state is carried from chunk to chunk and
reset when a chunk 0 starts an epoch.

The script runs one untimed warm-up iteration on training chunk START, then times ITERATIONS
iterations on the chunks after it (START + 1, START + 2, ..., wrapping around the training
split), then one pass over the validation split. Importing torch and reading the text are not
timed. It prints a single line of `name value` pairs:

  v V train_chunks N val_chunks N batch B steps T torch VERSION threads N dtype D
  iterations N seconds S forward_s S backward_s S rest_s S chars_per_s X
  val_s_per_chunk S peak_rss_kb K

(on one line): seconds are totals over the timed iterations; forward_s is the forward pass and
the loss, backward_s the backward pass, rest_s the clipping, the update, zeroing the gradients
and reading the loss; peak_rss_kb is the process's peak resident size (getrusage's ru_maxrss).
"""

import argparse
import resource
import time

import torch
import torch.nn.functional as F

from torch_charrnn import B, CLIP, DECAY, EPS, LR, T, Model, evaluate, load


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=123)
    args = parser.parse_args()
    if args.iterations < 1 or args.start < 0 or args.threads < 1:
        parser.error("--iterations and --threads must be at least 1, --start at least 0")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = getattr(torch, args.dtype)

    try:
        vocab, (train_x, train_y), val = load(args.text)
    except (OSError, UnicodeDecodeError) as e:
        parser.error("cannot read %s: %s" % (args.text, e))
    if not train_x:
        parser.error("%s is too short for one training chunk of %d x %d" % (args.text, B, T))
    v = len(vocab)
    chunks = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in zip(train_x, train_y)]
    model = Model(v, dtype)
    params = list(model.parameters())
    optimizer = torch.optim.RMSprop(params, lr=LR, alpha=DECAY, eps=EPS)
    state = None

    def iteration(k):
        """One training iteration on chunk k: the seconds of its three phases."""
        nonlocal state
        x, y = chunks[k]
        start = time.perf_counter()
        if k == 0:
            state = None  # a new epoch: every stream starts again from zero
        elif state is not None:
            state = tuple(s.detach() for s in state)
        logits, state = model(x, state)
        loss = F.cross_entropy(logits.reshape(-1, v), y.reshape(-1))
        middle = time.perf_counter()
        loss.backward()
        after_backward = time.perf_counter()
        torch.nn.utils.clip_grad_value_(params, CLIP)
        optimizer.step()
        optimizer.zero_grad()
        loss.item()
        end = time.perf_counter()
        return middle - start, after_backward - middle, end - after_backward

    n = len(chunks)
    iteration(args.start % n)  # warm-up, not timed
    forward = backward = rest = 0.0
    for i in range(1, args.iterations + 1):
        f, b, r = iteration((args.start + i) % n)
        forward += f
        backward += b
        rest += r
    seconds = forward + backward + rest

    val_start = time.perf_counter()
    evaluate(model, val)
    val_seconds = time.perf_counter() - val_start
    val_chunks = len(val[0])
    val_per_chunk = val_seconds / val_chunks if val_chunks else float("nan")

    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    figures = [
        ("v", v), ("train_chunks", n), ("val_chunks", val_chunks), ("batch", B), ("steps", T),
        ("torch", torch.__version__.split("+")[0]), ("threads", torch.get_num_threads()),
        ("dtype", args.dtype), ("iterations", args.iterations),
        ("seconds", "%.6f" % seconds), ("forward_s", "%.6f" % forward),
        ("backward_s", "%.6f" % backward), ("rest_s", "%.6f" % rest),
        ("chars_per_s", "%.1f" % (args.iterations * B * T / seconds)),
        ("val_s_per_chunk", "%.6f" % val_per_chunk), ("peak_rss_kb", peak_kb),
    ]
    print(" ".join("%s %s" % pair for pair in figures), flush=True)


if __name__ == "__main__":
    main()
