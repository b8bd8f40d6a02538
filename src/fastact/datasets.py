"""Small seeded 2-D classification sets for examples and tests.

Each returns ``(X, y)``: X of shape (n_samples, 2) in `dtype`, y integer
class labels (int64).  `rng` is a seed or a numpy Generator; the default
seed 0 makes every call reproducible.
"""

from __future__ import annotations

from typing import Any, List, Tuple

import numpy as np
import numpy.typing as npt
from numpy.typing import DTypeLike

from .init import Seed, _rng

__all__ = ["make_spirals", "make_rings", "make_moons"]


def _finish(rng: np.random.Generator, X: npt.NDArray[Any], y: npt.NDArray[Any], noise: float,
            dtype: DTypeLike) -> Tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    X = X + noise * rng.standard_normal(X.shape)
    order = rng.permutation(len(y))  # classes interleaved, not in blocks
    return X[order].astype(dtype), y[order].astype(np.int64)


def _split(n_samples: int, n_classes: int) -> List[int]:
    """Samples per class, as equal as possible."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def make_spirals(n_samples: int = 200, n_classes: int = 2, noise: float = 0.02,
                 turns: float = 1.5, rng: Seed = 0,
                 dtype: DTypeLike = np.float64) -> Tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Interleaved spiral arms (the classic "two spirals"), radius up to 1."""
    rng = _rng(rng)
    X, y = [], []
    for k, n in enumerate(_split(n_samples, n_classes)):
        r = np.sqrt(rng.uniform(0.02, 1.0, n))  # sqrt: even density along the arm
        theta = 2 * np.pi * (turns * r + k / n_classes)
        X.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        y.append(np.full(n, k))
    return _finish(rng, np.concatenate(X), np.concatenate(y), noise, dtype)


def make_rings(n_samples: int = 200, n_classes: int = 2, noise: float = 0.05, rng: Seed = 0,
               dtype: DTypeLike = np.float64) -> Tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Concentric rings, class k at radius (k + 1) / n_classes."""
    rng = _rng(rng)
    X, y = [], []
    for k, n in enumerate(_split(n_samples, n_classes)):
        theta = rng.uniform(0, 2 * np.pi, n)
        r = (k + 1) / n_classes
        X.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
        y.append(np.full(n, k))
    return _finish(rng, np.concatenate(X), np.concatenate(y), noise, dtype)


def make_moons(n_samples: int = 200, noise: float = 0.1, rng: Seed = 0,
               dtype: DTypeLike = np.float64) -> Tuple[npt.NDArray[Any], npt.NDArray[np.int64]]:
    """Two interleaving half circles (as sklearn.datasets.make_moons)."""
    rng = _rng(rng)
    n0, n1 = _split(n_samples, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(rng, X, y, noise, dtype)
