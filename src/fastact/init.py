"""Weight initialization: He (Kaiming) and Xavier (Glorot), as in torch.nn.init.

Each function returns a new array of `shape` (out_features, in_features, ...)
drawn from `rng` (a numpy Generator, a seed, or None).  Values are drawn in
float64 and then cast, so one seed gives the same weights, rounded, in
float32 and float64.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
from numpy.typing import DTypeLike

__all__ = ["gain", "he_normal", "he_uniform", "xavier_normal", "xavier_uniform", "SCHEMES",
           "Seed"]

# What `rng=` accepts: a numpy Generator, a seed (anything default_rng takes), or None.
Seed = Union[np.random.Generator, int, Sequence[int], np.random.SeedSequence, None]

# torch.nn.init.calculate_gain; leaky_relu depends on its slope.
_GAINS = {"linear": 1.0, "identity": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
          "relu": math.sqrt(2.0), "selu": 0.75}


def gain(name: Any, param: Optional[float] = None) -> float:
    """The recommended gain for an activation (torch.nn.init.calculate_gain).

    `name` is a string or an object with a ``name`` (a fastact Activation);
    `param` is leaky_relu's negative slope (default 0.01).
    """
    name = getattr(name, "name", name)
    if name == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    if name not in _GAINS:
        raise ValueError("fastact.init.gain: no gain known for %r (known: %s)"
                         % (name, ", ".join(sorted(_GAINS) + ["leaky_relu"])))
    return _GAINS[name]


def _fans(shape: Sequence[int]) -> Tuple[int, int]:
    if len(shape) < 2:
        raise ValueError("fastact.init: shape %r needs at least 2 dimensions "
                         "(out_features, in_features, ...)" % (tuple(shape),))
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _rng(rng: Seed) -> np.random.Generator:
    return rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)


def _normal(shape: Sequence[int], std: float, rng: Seed, dtype: DTypeLike) -> npt.NDArray[Any]:
    return (_rng(rng).standard_normal(tuple(shape)) * std).astype(dtype)


def _uniform(shape: Sequence[int], bound: float, rng: Seed,
             dtype: DTypeLike) -> npt.NDArray[Any]:
    return _rng(rng).uniform(-bound, bound, tuple(shape)).astype(dtype)


def he_normal(shape: Sequence[int], gain: float = math.sqrt(2.0), rng: Seed = None,
              dtype: DTypeLike = np.float64) -> npt.NDArray[Any]:
    """N(0, std**2) with std = gain / sqrt(fan_in) (kaiming_normal_)."""
    fan_in, _ = _fans(shape)
    return _normal(shape, gain / math.sqrt(fan_in), rng, dtype)


def he_uniform(shape: Sequence[int], gain: float = math.sqrt(2.0), rng: Seed = None,
               dtype: DTypeLike = np.float64) -> npt.NDArray[Any]:
    """U(-b, b) with b = gain * sqrt(3 / fan_in) (kaiming_uniform_)."""
    fan_in, _ = _fans(shape)
    return _uniform(shape, gain * math.sqrt(3.0 / fan_in), rng, dtype)


def xavier_normal(shape: Sequence[int], gain: float = 1.0, rng: Seed = None,
                  dtype: DTypeLike = np.float64) -> npt.NDArray[Any]:
    """N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _normal(shape, gain * math.sqrt(2.0 / (fan_in + fan_out)), rng, dtype)


def xavier_uniform(shape: Sequence[int], gain: float = 1.0, rng: Seed = None,
                   dtype: DTypeLike = np.float64) -> npt.NDArray[Any]:
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _fans(shape)
    return _uniform(shape, gain * math.sqrt(6.0 / (fan_in + fan_out)), rng, dtype)


# The names Linear(init=...) accepts.
SCHEMES: Dict[str, Callable[..., npt.NDArray[Any]]] = {
    "he": he_normal, "he_normal": he_normal, "he_uniform": he_uniform,
    "xavier": xavier_uniform, "xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal}
