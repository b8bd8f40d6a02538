"""Typed use of fastact's public API: tests/test_typing.py runs mypy on it
(with --strict), so the annotations and stubs stay usable."""

from typing import Any, List, Tuple

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
