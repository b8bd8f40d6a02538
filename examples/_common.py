"""What the examples share: arguments, an MLP builder and one training step."""

import argparse
import os

# Before NumPy loads OpenBLAS: on matrices this small its threads cost more
# than they save, and on a busy machine far more (8x here).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

import fastact as fa  # noqa: E402
from fastact import nn  # noqa: E402


def parse_args(doc, **extra):
    """--quick (a few seconds, for CI), --out DIR (plots), --no-plot, and
    `extra` as name=(type, default, help)."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run for CI")
    parser.add_argument("--out", default=".", help="folder for the plots")
    parser.add_argument("--no-plot", action="store_true", help="skip the plots")
    for name, (type_, default, help_) in extra.items():
        parser.add_argument("--" + name.replace("_", "-"), type=type_, default=default, help=help_)
    return parser.parse_args()


def pyplot(args):
    """matplotlib.pyplot with a file backend, or None (not installed, --no-plot)."""
    if args.no_plot:
        return None
    try:
        import matplotlib
    except ImportError:
        print("(matplotlib not installed: no plots)")
        return None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save(fig, args, name):
    path = os.path.join(args.out, name)
    fig.savefig(path, dpi=100)
    print("saved %s" % path)


def mlp(sizes, activation, init="he", rng=0, dtype=np.float64, **params):
    """Linear layers of `sizes` with the activation module `activation`
    (a class of fastact.nn, or a catalog name) between them."""
    if isinstance(activation, str):
        activation = nn.ACTIVATIONS[activation]
    rng = np.random.default_rng(rng)
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(activation(**params))
        layers.append(nn.Linear(n_in, n_out, init=init, rng=rng, dtype=dtype))
    return nn.Sequential(*layers)


def train_step(model, loss_fn, optimizer, X, y):
    """One full-batch step; returns the loss before it."""
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return float(loss)


def accuracy(model, X, y):
    return float((model(X).argmax(axis=1) == y).mean())



__all__ = ["fa", "nn", "np", "parse_args", "pyplot", "save", "mlp", "train_step",
           "accuracy"]
