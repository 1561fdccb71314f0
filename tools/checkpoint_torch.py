#!/usr/bin/env python3
"""Load a version-2 min-char-rnn checkpoint into PyTorch modules and check them against the binary.

Usage:  python3 tools/checkpoint_torch.py CHECKPOINT TEXT [--prime "The "] [--length 60]
                                          [--check target/release/min-char-rnn]
Needs:  python3 -m pip install -r tools/requirements-torch.txt   (torch, numpy; CPU is enough)

The loader (load_checkpoint and torch_modules below) is the one the checkpoint module's
documentation shows (src/checkpoint.rs, "Loading version 2 into PyTorch"). It builds
torch.nn.LSTM / GRU / RNN and an nn.Linear output layer in float64 with the crate's weights, with
the bias mapping of tools/torch_reference.py: bias_ih = b, bias_hh = 0 (GRU: [0, 0, b_hn]).

It then prints, for TEXT, the loss per character of the network reading it as one stream from
zero memories (what `min-char-rnn evaluate --checkpoint CHECKPOINT TEXT` prints), and the most
likely continuation of --prime (what `min-char-rnn sample --argmax` writes). With --check BIN it
runs the binary too and exits 1 unless the losses agree to 1e-9 (relative) and the texts are
equal.
"""

import argparse
import math
import subprocess
import sys

import numpy as np
import torch


# --- the loader of the documentation -------------------------------------------------------------

def load_checkpoint(path):
    """The header as a dict, the characters, and every block as a float64 numpy array."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines[:2] != ["min-char-rnn checkpoint", "version 2"]:
        raise ValueError(f"{path} is not a min-char-rnn checkpoint of version 2")
    meta, i = {}, 2
    while not lines[i].startswith("@"):  # the header: one `key value` per line
        key, value = lines[i].split(" ", 1)
        meta[key] = value
        i += 1
    arrays = {}
    while lines[i] != "end":  # the blocks: `@ name rows cols`, then one row per line
        _, name, rows, cols = lines[i].split(" ")
        rows, cols = int(rows), int(cols)
        numbers = [float(x) for row in lines[i + 1 : i + 1 + rows] for x in row.split(" ")]
        arrays[name] = np.array(numbers).reshape(rows, cols)
        i += 1 + rows
    chars = [chr(int(code)) for code in meta["vocab"].split(" ")]
    return meta, chars, arrays


def torch_modules(meta, chars, arrays):
    """torch.nn.LSTM/GRU/RNN (batch_first) and nn.Linear(H, V), float64, with the weights."""
    cell, layers, h = meta["cell"], int(meta["num_layers"]), int(meta["hidden_size"])
    v = len(chars)
    kinds = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
    extra = {"nonlinearity": "tanh"} if cell == "rnn" else {}
    rnn = kinds[cell](v, h, num_layers=layers, batch_first=True, dtype=torch.float64, **extra)
    out = torch.nn.Linear(h, v, dtype=torch.float64)
    tensor = lambda name: torch.from_numpy(arrays[name])
    with torch.no_grad():
        for l in range(layers):
            getattr(rnn, f"weight_ih_l{l}").copy_(tensor(f"w_ih_{l}"))
            getattr(rnn, f"weight_hh_l{l}").copy_(tensor(f"w_hh_{l}"))
            getattr(rnn, f"bias_ih_l{l}").copy_(tensor(f"b_{l}")[:, 0])  # one bias: b_ih + b_hh
            bias_hh = getattr(rnn, f"bias_hh_l{l}")
            bias_hh.zero_()
            if cell == "gru":  # the reset gate multiplies b_hn: it stays in bias_hh
                bias_hh[2 * h :] = tensor(f"b_hn_{l}")[:, 0]
        out.weight.copy_(tensor("w_hy"))
        out.bias.copy_(tensor("b_y")[:, 0])
    return rnn, out


# --- what the binary computes, in PyTorch --------------------------------------------------------

def one_hot(indices, v):
    return torch.nn.functional.one_hot(torch.tensor([indices]), v).to(torch.float64)


def loss_per_char(rnn, out, chars, text):
    """Mean −ln p of each next character, reading `text` as one stream from zero memories."""
    ix = [chars.index(c) for c in text]
    with torch.no_grad():
        hs, _ = rnn(one_hot(ix[:-1], len(chars)))
        logits = out(hs)[0]
        return torch.nn.functional.cross_entropy(logits, torch.tensor(ix[1:])).item()


def argmax_text(rnn, out, chars, prime, n):
    """The prime, then the most likely next character n times (`sample --argmax`)."""
    ix = [chars.index(c) for c in prime]
    with torch.no_grad():
        state = None
        if len(ix) > 1:
            _, state = rnn(one_hot(ix[:-1], len(chars)))
        x, text = ix[-1], prime
        for _ in range(n):
            hs, state = rnn(one_hot([x], len(chars)), state)
            x = int(torch.argmax(out(hs)[0, -1]))
            text += chars[x]
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("text")
    parser.add_argument("--prime", default="The ")
    parser.add_argument("--length", type=int, default=60)
    parser.add_argument("--check", metavar="BIN", help="the min-char-rnn binary to compare with")
    args = parser.parse_args()

    meta, chars, arrays = load_checkpoint(args.checkpoint)
    rnn, out = torch_modules(meta, chars, arrays)
    with open(args.text, encoding="utf-8") as f:
        text = f.read()
    loss = loss_per_char(rnn, out, chars, text)
    sample = argmax_text(rnn, out, chars, args.prime, args.length)
    print(f"{meta['num_layers']} x {meta['hidden_size']} {meta['cell']}, V = {len(chars)}, "
          f"iteration {meta['iteration']}")
    print(f"torch: loss/char {loss:.12f}, perplexity {math.exp(loss):.6f}, "
          f"bits/char {loss / math.log(2):.6f}")
    print(f"torch: {sample}")
    if not args.check:
        return
    evaluated = subprocess.run([args.check, "evaluate", "--checkpoint", args.checkpoint, args.text],
                               capture_output=True, text=True, check=True).stdout
    rust_loss = float(evaluated.split("loss/char: ")[1].split(",")[0])
    rust_sample = subprocess.run([args.check, "sample", "--checkpoint", args.checkpoint,
                                  "--argmax", "--prime", args.prime, "--length", str(args.length)],
                                 capture_output=True, text=True, check=True).stdout[:-1]
    print(f"rust:  loss/char {rust_loss:.12f}")
    print(f"rust:  {rust_sample}")
    # The binary prints 6 decimals: compare to that precision.
    ok = abs(loss - rust_loss) <= 5e-7 + 1e-9 * abs(loss) and sample == rust_sample
    print("the same" if ok else "DIFFERENT")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
