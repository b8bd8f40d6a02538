"""fastact as a drop-in: one plain-NumPy MLP training loop (no fastact.nn),
run twice: with the usual NumPy activation lines and with fastact's.  The
loss curves agree to floating-point tolerance; prints the time per epoch and
the part of it spent in the activation lines (the matrix products take the
rest).  The two runs alternate epoch by epoch, so that a change of load on
the machine affects both alike.
"""

import time

from _common import fa, np, parse_args

args = parse_args(__doc__, dtype=(str, "float32", "float32 or float64"))
dtype = np.dtype(args.dtype)
n, hidden, epochs, batch = (2048, 128, 3, 256) if args.quick else (16384, 256, 10, 512)
X, y = fa.datasets.make_moons(n, rng=0, dtype=dtype)
t = y.astype(dtype)[:, None]


def numpy_sigmoid(z):
    with np.errstate(over="ignore"):  # exp(-z) overflows for z < -88 in float32
        return 1 / (1 + np.exp(-z))


# The only lines that differ: forward and backward of ReLU, tanh, sigmoid.
LINES = {
    "numpy": dict(relu=lambda z: np.maximum(z, 0), relu_back=lambda g, h: g * (h > 0),
                  tanh=np.tanh, tanh_back=lambda g, h: g * (1 - h * h), sigmoid=numpy_sigmoid),
    "fastact": dict(relu=fa.relu, relu_back=lambda g, h: fa.relu.backward(g, y=h),
                    tanh=fa.tanh, tanh_back=lambda g, h: fa.tanh.backward(g, y=h),
                    sigmoid=fa.sigmoid),
}


def timed(lines, clock):
    """The activation lines, each adding its seconds to clock[0]."""
    def wrap(f):
        def call(*args):
            start = time.perf_counter()
            result = f(*args)
            clock[0] += time.perf_counter() - start
            return result
        return call
    return {name: wrap(f) for name, f in lines.items()}


def train(lines):
    """Minibatch SGD on 2 -> hidden (ReLU) -> hidden (tanh) -> 1 (sigmoid,
    binary cross-entropy); yields, per epoch, (loss, seconds, seconds in the
    activation lines)."""
    clock = [0.0]
    a = timed(lines, clock)
    rng = np.random.default_rng(0)
    W1 = (rng.standard_normal((2, hidden)) * np.sqrt(2 / 2)).astype(dtype)
    W2 = (rng.standard_normal((hidden, hidden)) * np.sqrt(1 / hidden)).astype(dtype)
    W3 = (rng.standard_normal((hidden, 1)) * np.sqrt(1 / hidden)).astype(dtype)
    b1, b2, b3 = np.zeros(hidden, dtype), np.zeros(hidden, dtype), np.zeros(1, dtype)
    params, lr = [W1, b1, W2, b2, W3, b3], 0.1
    for epoch in range(epochs):
        start, clock[0] = time.perf_counter(), 0.0
        total = 0.0
        for i in range(0, n, batch):
            xb, tb = X[i:i + batch], t[i:i + batch]
            h1 = a["relu"](xb @ W1 + b1)
            h2 = a["tanh"](h1 @ W2 + b2)
            z = h2 @ W3 + b3
            p = a["sigmoid"](z)
            total += float(np.sum(np.logaddexp(0, z) - tb * z))  # BCE from the logits
            g3 = (p - tb) / len(xb)  # d BCE / dz: the sigmoid output rule
            g2 = a["tanh_back"](g3 @ W3.T, h2)
            g1 = a["relu_back"](g2 @ W2.T, h1)
            grads = [xb.T @ g1, g1.sum(0), h1.T @ g2, g2.sum(0), h2.T @ g3, g3.sum(0)]
            for param, grad in zip(params, grads):
                param -= lr * grad
        assert all(p.dtype == dtype for p in params)
        yield total / n, time.perf_counter() - start, clock[0]


# name -> per epoch (loss, seconds, seconds in activation lines), interleaved
results: dict[str, list] = {name: [] for name in LINES}
for epoch in zip(*[train(lines) for lines in LINES.values()]):
    for name, row in zip(LINES, epoch):
        results[name].append(row)
(loss_np, sec_np, act_np), (loss_fa, sec_fa, act_fa) = (
    np.array(results[name]).T for name in ("numpy", "fastact"))
print("epoch  numpy loss  fastact loss")
for i, (a, b) in enumerate(zip(loss_np, loss_fa), 1):
    print("%5d  %10.6f  %12.6f" % (i, a, b))
diff = float(np.max(np.abs(loss_np - loss_fa) / np.abs(loss_np)))
tol = 1e-5 if dtype == np.float32 else 1e-9
print("max relative difference of the loss curves: %.2e (tolerance %.0e): %s"
      % (diff, tol, "agree" if diff <= tol else "DIFFER"))
# the fastest epoch of each: the least disturbed by other processes
print("time per epoch (%s, fastest of %d): numpy %.1f ms, fastact %.1f ms (%.2fx)"
      % (dtype, epochs, 1e3 * sec_np.min(), 1e3 * sec_fa.min(), sec_np.min() / sec_fa.min()))
# (on a machine whose cores are busy with other work, fastact's threads
# wait for each other: FASTACT_NUM_THREADS=1 there)
print("of which activation lines: numpy %.1f ms, fastact %.1f ms (%.2fx; fastact threads: %d)"
      % (1e3 * act_np.min(), 1e3 * act_fa.min(), act_np.min() / act_fa.min(),
         fa.get_num_threads()))
