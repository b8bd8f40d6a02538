"""Typed use of fastact's public API: tests/test_typing.py runs mypy on it
(with --strict), so the annotations and stubs stay usable."""

from typing import Any, Dict, List, Tuple

import numpy as np
import numpy.typing as npt

import fastact as fa


def train_step(x: npt.NDArray[np.float32], grad: npt.NDArray[np.float32]) -> Tuple[Any, Any]:
    y = fa.sigmoid(x)
    fa.sigmoid(x, out=x)
    g = fa.sigmoid.backward(grad, y=y)
    fa.leaky_relu.backward(grad, x=x, negative_slope=0.2, out=grad)
    z = fa.leaky_relu(x, 0.2) + fa.relu([1.0, -2.0]) + fa.tanh(3)
    value, derivative = fa.tanh.value_and_derivative(x)
    return g, value * derivative + z


def inspect_catalog() -> List[str]:
    act: fa.Activation = fa.catalog()[0]
    ufunc: np.ufunc = act.ufunc
    names = [a.name for a in fa.catalog()] + [ufunc.__name__, act.backward_uses]
    config = fa.config()
    fa.show_config()
    with fa.threads(1):
        fa.set_num_threads(fa.get_num_threads())
    return names + [str(config["cpu_target"])]


def axis_functions(x: npt.NDArray[np.float64], grad: npt.NDArray[np.float64]) -> List[Any]:
    p = fa.softmax(x, axis=0)
    fa.softmax(x, -1, out=p)
    g = fa.softmax.backward(grad, y=p, axis=0)
    lp = fa.log_softmax(x)
    gl = fa.log_softmax.backward(grad, y=lp, out=g)
    h = fa.glu(x, axis=-1) + fa.swiglu(x) + fa.geglu(x, approximate="tanh")
    gx = fa.glu.backward(h, x=x) + fa.swiglu.backward(h, x=x)
    gx += fa.geglu.backward(h, x=x, axis=-1, approximate="tanh")
    y = fa.prelu(x, np.array([0.25]))
    grad_x, grad_w = fa.prelu.backward(grad, x=x, weight=0.25)
    return [g, gl, gx, y, grad_x, grad_w, fa.softmax.__name__]


def train(steps: int) -> float:
    X, labels = fa.datasets.make_spirals(64, n_classes=3, rng=0, dtype=np.float32)
    Xm, _ = fa.datasets.make_moons(32, noise=0.05, rng=np.random.default_rng(1))
    Xr, _ = fa.datasets.make_rings(32, n_classes=2, rng=None)
    w: npt.NDArray[np.float64] = fa.init.he_uniform((4, 2), rng=0)
    w = fa.init.xavier_normal((4, 2), gain=fa.init.gain(fa.relu)) + fa.init.gain("leaky_relu", 0.2)
    model = fa.nn.Sequential(
        fa.nn.Linear(2, 16, init="xavier", rng=0, dtype=np.float32),
        fa.nn.ReLU(),
        fa.nn.Linear(16, 16, rng=1, dtype=np.float32),
        fa.nn.LeakyReLU(negative_slope=0.1),
        fa.nn.PReLU(16, dtype=np.float32),
        fa.nn.Linear(16, 3, bias=False, rng=2, dtype=np.float32),
        fa.nn.Softmax(axis=-1),
    )
    layer: fa.nn.Module = model[0]
    recorder = fa.diagnostics.Recorder(model, dead_threshold=0.9)
    loss_fn = fa.nn.CrossEntropyLoss(reduction="mean")
    opt: fa.optim.Optimizer = fa.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.99))
    sgd = fa.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    loss = 0.0
    for _ in range(steps):
        opt.zero_grad()
        probs = model(X)
        loss = float(loss_fn(probs, labels))
        grad_input = model.backward(loss_fn.backward())
        opt.step()
        sgd.step()
        sgd.zero_grad()
    recorder.detach()
    mse, bce = fa.nn.MSELoss(), fa.nn.BCEWithLogitsLoss(reduction="sum")
    mse(Xm, Xr)
    bce(Xm, np.ones_like(Xm))
    grads: List[npt.NDArray[Any]] = [mse.backward(), bce.backward(2.0), grad_input, w]
    stats: Dict[str, float] = recorder.last("dead")
    norms = recorder.gradient_norms(last=2)
    dead = fa.diagnostics.dead_fraction(model[1](X)) + sum(stats.values()) + sum(norms.values())
    sat = fa.diagnostics.saturation_fraction(fa.sigmoid(X), "sigmoid", tol=0.01)
    sat += fa.diagnostics.saturation_fraction(X, fa.nn.Tanh())
    axis_modules: List[fa.nn.AxisModule] = [
        fa.nn.LogSoftmax(0), fa.nn.GLU(), fa.nn.SwiGLU(-1), fa.nn.GeGLU(approximate="tanh")]
    return loss + dead + sat + len(grads) + len(axis_modules) + len(recorder.summary())
