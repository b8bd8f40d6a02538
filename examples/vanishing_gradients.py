"""Vanishing gradients: a 10-layer MLP with sigmoid against ReLU.

sigmoid'(x) <= 1/4, so every sigmoid layer shrinks the gradient on its way
back and the first layers of a deep sigmoid net barely learn; ReLU passes
gradients through unchanged where units are active.  Prints the gradient
norm of each Linear layer over the first training steps (from the usual
init of each: Xavier for sigmoid, He for ReLU) and the ratio first layer /
last layer; saves a bar chart per activation with matplotlib.
"""

import warnings

from _common import fa, mlp, nn, parse_args, pyplot, save, train_step

# Some ReLU units of a deep net on 2-D data never fire: real, but the
# subject of dying_relu.py, not of this example.
warnings.simplefilter("ignore", fa.diagnostics.DeadUnitWarning)

args = parse_args(__doc__, depth=(int, 10, "Linear layers"), width=(int, 64, "units per layer"))
steps, n = (5, 128) if args.quick else (20, 2048)
X, y = fa.datasets.make_spirals(n, rng=0)
sizes = [2] + [args.width] * (args.depth - 1) + [2]

recorders = {}
for name, init in [("sigmoid", "xavier"), ("relu", "he")]:
    model = mlp(sizes, name, init=init, rng=1)
    recorders[name] = rec = fa.diagnostics.Recorder(model)
    loss_fn, opt = nn.CrossEntropyLoss(), fa.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(steps):
        train_step(model, loss_fn, opt, X, y)

norms = {name: list(rec.gradient_norms().values()) for name, rec in recorders.items()}
print("gradient norm of each Linear layer, mean over %d steps (layer 1 is the input side)" % steps)
print("%5s %12s %12s" % ("layer", "sigmoid", "relu"))
for i, (s, r) in enumerate(zip(norms["sigmoid"], norms["relu"]), 1):
    print("%5d %12.3e %12.3e" % (i, s, r))
for name, values in norms.items():
    print("first/last gradient ratio %s: %.3e" % (name, values[0] / values[-1]))

plt = pyplot(args)
if plt:
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), sharey=True)
    for ax, (name, rec) in zip(axes, recorders.items()):
        rec.plot_gradients(ax=ax, title="%s: gradient norm per layer" % name)
    save(fig, args, "vanishing_gradients.png")
