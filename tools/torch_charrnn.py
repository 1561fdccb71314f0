#!/usr/bin/env python3
"""Train char-rnn's default model with PyTorch and print its validation curve, epoch by epoch.

Usage:  python3 tools/torch_charrnn.py TEXT [--epochs 5] [--dtype float64|float32] [--threads 2]
Needs:  python3 -m pip install -r tools/requirements-torch.txt

The model, the data and the optimizer are char-rnn's defaults (github.com/karpathy/char-rnn,
train.lua and util/CharSplitLMMinibatchLoader.lua), the same ones `min-char-rnn train --cell lstm`
uses, so the two curves can be compared epoch by epoch:

  * 2 layers of 128 LSTM units, an nn.Linear output layer, the mean cross-entropy per character;
  * every parameter uniform in [-0.08, 0.08], the forget gates' bias 1;
  * the text cut to a multiple of B*T (B = 50, T = 50), targets the next character (the last one
    wrapping to the first), the B streams contiguous parts of the text read side by side;
  * the chunks split 95% training, 5% validation (the last chunks);
  * RMSprop as char-rnn's optim.rmsprop: m = a*m + (1-a)*g^2, w -= lr * g / (sqrt(m) + 1e-8),
    lr 2e-3, a = 0.95; gradients clipped elementwise to [-5, 5];
  * the state carried from chunk to chunk and reset at the start of every epoch; the validation
    loss over the whole validation split from a zero state, at the end of each epoch.

With --init CHECKPOINT (a version-2 checkpoint of the same model, such as the one
`min-char-rnn train FILE --cell lstm --iterations 0` saves) it starts from that checkpoint's
weights instead of its own draw, through tools/checkpoint_torch.py's loader. nn.LSTM has two
biases per layer, bias_ih and bias_hh, which char-rnn's LSTM also has (two nn.Linear); the crate
has one, their sum. Both get the same gradient, so RMSprop moves their sum about twice as far per
step as it moves one bias. With --one-bias, bias_hh stays at zero and is not trained: the model
and its updates are then the crate's exactly, and the two curves differ only by rounding.

It prints one line per epoch (training loss averaged over the epoch, validation loss in nats per
character and bits per character, characters per second) and the figures as a table at the end.
"""

import argparse
import math
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

B, T, H, L = 50, 50, 128, 2
LR, DECAY, EPS, CLIP = 2e-3, 0.95, 1e-8, 5.0
INIT = 0.08


def load(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    data = np.array([index[c] for c in text], dtype=np.int64)
    n = len(data) // (B * T) * (B * T)
    data = data[:n]
    targets = np.roll(data, -1)
    targets[-1] = data[0]
    # B streams side by side: stream b is data[b*S:(b+1)*S]; chunk k is columns [k*T, (k+1)*T).
    xs = data.reshape(B, -1)
    ys = targets.reshape(B, -1)
    chunks = xs.shape[1] // T
    x_chunks = [xs[:, k * T:(k + 1) * T] for k in range(chunks)]
    y_chunks = [ys[:, k * T:(k + 1) * T] for k in range(chunks)]
    ntrain = int(math.floor(chunks * 0.95))
    return vocab, (x_chunks[:ntrain], y_chunks[:ntrain]), (x_chunks[ntrain:], y_chunks[ntrain:])


class Model(torch.nn.Module):
    def __init__(self, vocab_size, dtype):
        super().__init__()
        self.vocab_size = vocab_size
        self.lstm = torch.nn.LSTM(vocab_size, H, num_layers=L, batch_first=True, dtype=dtype)
        self.out = torch.nn.Linear(H, vocab_size, dtype=dtype)
        with torch.no_grad():
            for p in self.parameters():
                p.uniform_(-INIT, INIT)
            for l in range(L):
                # One bias in the crate: bias_ih + bias_hh. The forget block sums to 1.
                getattr(self.lstm, "bias_ih_l%d" % l)[H:2 * H] = 1.0
                getattr(self.lstm, "bias_hh_l%d" % l)[H:2 * H] = 0.0
        self.dtype = dtype

    def forward(self, x, state):
        onehot = F.one_hot(x, self.vocab_size).to(self.dtype)
        out, state = self.lstm(onehot, state)
        return self.out(out), state


def start_from(model, path, vocab):
    """Copies a version-2 checkpoint's weights into `model` (same cell, layers, H and text)."""
    from checkpoint_torch import load_checkpoint, torch_modules  # beside this script

    meta, chars, arrays = load_checkpoint(path)
    if chars != vocab or meta["cell"] != "lstm" or int(meta["num_layers"]) != L \
            or int(meta["hidden_size"]) != H:
        sys.exit("%s is not a %d-layer, %d-unit LSTM of this text's %d characters"
                 % (path, L, H, len(vocab)))
    rnn, out = torch_modules(meta, chars, arrays)
    with torch.no_grad():
        for mine, theirs in zip(model.parameters(), list(rnn.parameters()) + list(out.parameters())):
            mine.copy_(theirs.to(mine.dtype))


def evaluate(model, split):
    xs, ys = split
    state = None
    total, count = 0.0, 0
    with torch.no_grad():
        for x, y in zip(xs, ys):
            logits, state = model(torch.from_numpy(x), state)
            loss = F.cross_entropy(logits.reshape(-1, model.vocab_size),
                                   torch.from_numpy(y).reshape(-1))
            total += loss.item()
            count += 1
    return total / count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=123)
    parser.add_argument("--init", metavar="CHECKPOINT",
                        help="start from this version-2 checkpoint's weights")
    parser.add_argument("--one-bias", action="store_true",
                        help="keep bias_hh at zero, untrained: the crate's one bias per layer")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    dtype = getattr(torch, args.dtype)

    vocab, train, val = load(args.text)
    model = Model(len(vocab), dtype)
    if args.init:
        start_from(model, args.init, vocab)
    if args.one_bias:
        for l in range(L):
            bias_hh = getattr(model.lstm, "bias_hh_l%d" % l)
            with torch.no_grad():
                bias_hh.zero_()
            bias_hh.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    memory = [torch.zeros_like(p) for p in params]
    print("torch %s, %s, %d threads; V = %d, %d training and %d validation chunks of %d x %d"
          % (torch.__version__.split("+")[0], args.dtype, args.threads, len(vocab),
             len(train[0]), len(val[0]), B, T), flush=True)
    rows = []
    for epoch in range(1, args.epochs + 1):
        state = None
        start = time.perf_counter()
        total = 0.0
        for x, y in zip(*train):
            if state is not None:
                state = tuple(s.detach() for s in state)
            logits, state = model(torch.from_numpy(x), state)
            loss = F.cross_entropy(logits.reshape(-1, len(vocab)), torch.from_numpy(y).reshape(-1))
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, m in zip(params, memory):
                    g = p.grad.clamp_(-CLIP, CLIP)
                    m.mul_(DECAY).addcmul_(g, g, value=1 - DECAY)
                    p.addcdiv_(g, m.sqrt().add_(EPS), value=-LR)
            total += loss.item()
        seconds = time.perf_counter() - start
        val_loss = evaluate(model, val)
        chars = len(train[0]) * B * T
        rows.append((epoch, total / len(train[0]), val_loss, chars / seconds))
        print("epoch %d: train %.4f, val %.4f nats/char (%.4f bits/char), %.0f chars/s"
              % (epoch, rows[-1][1], val_loss, val_loss / math.log(2), rows[-1][3]), flush=True)
    print()
    print("| epoch | training loss | validation loss | bits/char | chars/s |")
    print("|---|---|---|---|---|")
    for epoch, tr, va, speed in rows:
        print("| %d | %.4f | %.4f | %.4f | %.0f |" % (epoch, tr, va, va / math.log(2), speed))


if __name__ == "__main__":
    main()
