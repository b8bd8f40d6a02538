"""Dying ReLU: too large a learning rate pushes ReLU units to where they
are negative for every input; they then get no gradient and never recover.

Three runs of the same MLP on three-arm spirals (full-batch Adam): ReLU with
a too-large rate, ReLU with a sensible rate, and Leaky ReLU with the large
rate.  Prints the dead fraction (units that pass no gradient for the whole
batch, mean over the hidden layers) during training and the warnings of the
diagnostics recorder; saves the curves with matplotlib.
"""

import warnings

from _common import accuracy, fa, mlp, nn, np, parse_args, pyplot, save, train_step

args = parse_args(__doc__)
n, epochs = (300, 100) if args.quick else (600, 400)
X, y = fa.datasets.make_spirals(n, n_classes=3, turns=1.5, rng=0)
runs = [("relu", 0.2, {}), ("relu", 0.01, {}), ("leaky_relu", 0.2, {"negative_slope": 0.1})]
every = epochs // 5

curves = {}
print("dead fraction every %d epochs" % every)
for name, lr, params in runs:
    label = "%s lr=%g" % (name, lr)
    model = mlp([2, 64, 64, 3], name, rng=0, **params)
    rec = fa.diagnostics.Recorder(model, dead_threshold=0.5)  # warns above 50% dead
    loss_fn, opt = nn.CrossEntropyLoss(), fa.optim.Adam(model.parameters(), lr=lr)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", fa.diagnostics.DeadUnitWarning)
        for _ in range(epochs):
            loss = train_step(model, loss_fn, opt, X, y)
    # mean over the hidden layers, per epoch
    curves[label] = np.mean([h["dead"] for h in rec.history if "dead" in h], axis=0)
    print("%-22s %s  final: dead %.2f, loss %.3f, accuracy %.3f" % (
        label, " ".join("%.2f" % d for d in curves[label][::every]), curves[label][-1],
        loss, accuracy(model, X, y)))
    for w in caught:
        print("    warning: %s" % w.message)

plt = pyplot(args)
if plt:
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, curve in curves.items():
        ax.plot(curve, label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("dead fraction")
    ax.legend()
    fig.tight_layout()
    save(fig, args, "dying_relu.png")
