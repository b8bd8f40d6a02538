"""Two spirals: epochs to 95% training accuracy for ReLU, tanh, sigmoid (and
GELU when fastact has it), same MLP, same init seed, full-batch Adam.
Saves the decision boundaries with matplotlib.
"""

import time

from _common import accuracy, fa, mlp, nn, np, parse_args, pyplot, save, train_step

args = parse_args(__doc__, target=(float, 0.95, "accuracy to reach"))
n, max_epochs = (200, 400) if args.quick else (600, 3000)
X, y = fa.datasets.make_spirals(n, turns=1.75 if args.quick else 2.0, rng=0)
names = ["relu", "tanh", "sigmoid"] + (["gelu"] if "gelu" in fa.ACTIVATIONS else [])

models = {}
for name in names:
    init = "xavier" if name in ("tanh", "sigmoid") else "he"
    model = models[name] = mlp([2, 64, 64, 2], name, init=init, rng=0)
    loss_fn, opt = nn.CrossEntropyLoss(), fa.optim.Adam(model.parameters(), lr=0.01)
    start = time.perf_counter()
    for epoch in range(1, max_epochs + 1):
        train_step(model, loss_fn, opt, X, y)
        if accuracy(model, X, y) >= args.target:
            print("%-8s %.0f%% accuracy after %4d epochs (%.2f s)"
                  % (name, 100 * args.target, epoch, time.perf_counter() - start))
            break
    else:
        print("%-8s %.0f%% accuracy not reached in %d epochs (%.1f%%)"
              % (name, 100 * args.target, max_epochs, 100 * accuracy(model, X, y)))

plt = pyplot(args)
if plt:
    grid = np.linspace(-1.2, 1.2, 200)
    gx, gy = np.meshgrid(grid, grid)
    points = np.column_stack([gx.ravel(), gy.ravel()])
    fig, axes = plt.subplots(1, len(models), figsize=(3.2 * len(models), 3.4))
    for ax, (name, model) in zip(axes, models.items()):
        ax.contourf(gx, gy, model(points).argmax(axis=1).reshape(gx.shape), alpha=0.3, cmap="coolwarm")
        ax.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap="coolwarm")
        ax.set_title(name)
        ax.set_xticks([]), ax.set_yticks([])
    fig.tight_layout()
    save(fig, args, "spirals.png")
