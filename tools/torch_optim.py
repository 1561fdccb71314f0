#!/usr/bin/env python3
"""Write the PyTorch fixture for the optimizers and clipping (tests/fixtures/torch_optim.txt).

Usage:  python3 tools/torch_optim.py [--out-dir DIR]
Needs:  python3 -m pip install -r tools/requirements-torch.txt   (torch, numpy; CPU is enough)

Two parameters, p0 of shape (3, 4) and p1 of shape (5,), both float64, start from the same values
for every optimizer; a sequence of STEPS gradients for them, drawn from a seeded numpy generator,
is fed to each of

  * torch.optim.SGD(lr=SGD_LR)                              (momentum 0: w -= lr*g)
  * torch.optim.RMSprop(lr=RMSPROP_LR, alpha=0.95, eps=1e-8) (centered=False, momentum 0:
        v = alpha*v + (1-alpha)*g^2;  w -= lr*g/(sqrt(v) + eps), eps outside the root, as in
        char-rnn's optim.rmsprop; alpha is char-rnn's decay 0.95, not PyTorch's default 0.99)
  * torch.optim.Adam(lr=ADAM_LR, betas=(0.9, 0.999), eps=1e-8)   (bias correction, amsgrad off)

and the parameters are written after every step. The gradients are also passed through
torch.nn.utils.clip_grad_norm_(max_norm=MAX_NORM) and clip_grad_value_(clip_value=CLIP_VALUE),
one step at a time, and the norm it returns and the clipped gradients are written.

The learning rates are larger than the crate's defaults so that five steps move the parameters
by about as much as their size, and the tests' relative tolerance checks the updates, not just
the starting values. Element 0 of p1 gets gradients of about 1e-9, below RMSprop's and Adam's
eps = 1e-8, where the place of eps (outside or inside the square root) changes the step by orders
of magnitude. The steps' gradients are scaled differently so that clip_grad_norm_ clips some
steps and leaves others alone.

The file format is tools/make_fixtures.py's ('@ name rows cols', then the numbers, row-major,
shortest round-trip repr). Running the script twice gives byte-identical files.
"""

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_fixtures import FixtureWriter  # noqa: E402

SEED = 31
STEPS = 5
SHAPES = [(3, 4), (5,)]
STEP_SCALES = [1.0, 3.0, 0.5, 2.0, 0.2]  # gradient size per step: norms 3.1, 12.3, 1.5, 6.8, 0.7
TINY = 1e-9  # p1[0]'s gradients, below eps
SGD_LR = 0.1
RMSPROP_LR = 0.01
RMSPROP_ALPHA = 0.95
RMSPROP_EPS = 1e-8
ADAM_LR = 0.01
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8
MAX_NORM = 5.0
CLIP_VALUE = 1.0


def draw(rng):
    """The starting parameters and the gradients of every step, in a fixed order."""
    start = [rng.standard_normal(shape) * 0.1 for shape in SHAPES]
    grads = []
    for k in range(STEPS):
        step = [rng.standard_normal(shape) * STEP_SCALES[k] for shape in SHAPES]
        step[1][0] = TINY * (1.0 + rng.standard_normal())
        grads.append(step)
    return start, grads


def run(make_optimizer, start, grads):
    """The parameters after each step of one torch optimizer."""
    params = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in start]
    optimizer = make_optimizer(params)
    after = []
    for step in grads:
        optimizer.zero_grad()
        for p, g in zip(params, step):
            p.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        after.append([p.detach().numpy().copy() for p in params])
    return after


def clip(grads, clip_fn):
    """What a torch clipping function does to each step's gradients, step by step."""
    results = []
    for step in grads:
        params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in step]
        for p, g in zip(params, step):
            p.grad = torch.tensor(g, dtype=torch.float64)
        returned = clip_fn(params)
        results.append((returned, [p.grad.numpy().copy() for p in params]))
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out-dir", default=os.path.join(here, "..", "tests", "fixtures"))
    args = parser.parse_args()
    torch.set_num_threads(1)

    rng = np.random.default_rng(SEED)
    start, grads = draw(rng)

    runs = {
        "sgd": run(lambda ps: torch.optim.SGD(ps, lr=SGD_LR), start, grads),
        "rmsprop": run(lambda ps: torch.optim.RMSprop(ps, lr=RMSPROP_LR, alpha=RMSPROP_ALPHA,
                                                      eps=RMSPROP_EPS), start, grads),
        "adam": run(lambda ps: torch.optim.Adam(ps, lr=ADAM_LR, betas=ADAM_BETAS, eps=ADAM_EPS),
                    start, grads),
    }
    by_norm = clip(grads, lambda ps: torch.nn.utils.clip_grad_norm_(ps, max_norm=MAX_NORM).item())
    by_value = clip(grads, lambda ps: torch.nn.utils.clip_grad_value_(ps, clip_value=CLIP_VALUE))

    norms = [n for n, _ in by_norm]
    assert any(n > MAX_NORM for n in norms) and any(n < MAX_NORM for n in norms), norms
    assert any(np.any(np.abs(g) > CLIP_VALUE) for step in grads for g in step)

    w = FixtureWriter()
    w.comment("torch_optim.txt -- generated by tools/torch_optim.py (torch %s, numpy %s);"
              " do not edit by hand." % (torch.__version__.split("+")[0], np.__version__))
    w.comment("Regenerate with: python3 tools/torch_optim.py")
    w.comment("Format: '@ name rows cols' then rows*cols numbers, row-major, one row per line.")
    w.comment("Two float64 parameters p0 (3, 4) and p1 (5,), start values w0_0, w1_0 (randn*0.1);")
    w.comment("gradients g0_k, g1_k of step k = 1..%d (randn * %s per step; g1[0] about %g)," %
              (STEPS, STEP_SCALES, TINY))
    w.comment("all drawn from np.random.default_rng(%d)." % SEED)
    w.comment("<opt>_w0_k, <opt>_w1_k: the parameters after step k of torch.optim.SGD(lr),")
    w.comment("RMSprop(lr, alpha, eps) (centered=False, momentum=0) and Adam(lr, betas, eps).")
    w.comment("clip_norm_k: what clip_grad_norm_(max_norm) returned at step k (the norm before);")
    w.comment("clip_norm_g0_k, clip_norm_g1_k: the gradients it left (torch scales by")
    w.comment("min(max_norm / (norm + 1e-6), 1)). clip_value_g0_k, clip_value_g1_k: the gradients")
    w.comment("clip_grad_value_(clip_value) left. Vectors are written as columns (n 1).")
    w.blank()
    w.comment("settings")
    w.floats("sgd_lr", SGD_LR)
    w.floats("rmsprop_lr", RMSPROP_LR)
    w.floats("rmsprop_alpha", RMSPROP_ALPHA)
    w.floats("rmsprop_eps", RMSPROP_EPS)
    w.floats("adam_lr", ADAM_LR)
    w.floats("adam_beta1", ADAM_BETAS[0])
    w.floats("adam_beta2", ADAM_BETAS[1])
    w.floats("adam_eps", ADAM_EPS)
    w.floats("max_norm", MAX_NORM)
    w.floats("clip_value", CLIP_VALUE)
    w.int_scalar("steps", STEPS)
    w.blank()
    w.comment("start and gradients")
    for i, p in enumerate(start):
        w.floats("w%d_0" % i, p)
    for k, step in enumerate(grads, start=1):
        for i, g in enumerate(step):
            w.floats("g%d_%d" % (i, k), g)
    for name, after in runs.items():
        w.blank()
        w.comment("torch.optim.%s" % {"sgd": "SGD", "rmsprop": "RMSprop", "adam": "Adam"}[name])
        for k, params in enumerate(after, start=1):
            for i, p in enumerate(params):
                w.floats("%s_w%d_%d" % (name, i, k), p)
    w.blank()
    w.comment("torch.nn.utils.clip_grad_norm_")
    for k, (norm, clipped) in enumerate(by_norm, start=1):
        w.floats("clip_norm_%d" % k, norm)
        for i, g in enumerate(clipped):
            w.floats("clip_norm_g%d_%d" % (i, k), g)
    w.blank()
    w.comment("torch.nn.utils.clip_grad_value_")
    for k, (_, clipped) in enumerate(by_value, start=1):
        for i, g in enumerate(clipped):
            w.floats("clip_value_g%d_%d" % (i, k), g)

    path = os.path.join(args.out_dir, "torch_optim.txt")
    w.save(path)
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
