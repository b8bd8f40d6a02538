"""Activation diagnostics: dead units, saturation, per-layer gradient flow.

``dead_fraction`` and ``saturation_fraction`` look at one batch of
activations; a ``Recorder`` attached to a ``fastact.nn.Sequential`` collects
them for every activation layer on each forward, with the gradient norms of
each backward, and warns (``DeadUnitWarning``) when a layer's dead fraction
passes a threshold.  matplotlib is optional: only ``plot_gradients`` needs it.
"""

from __future__ import annotations

import math
import re
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Set, Tuple, Union, cast

import numpy as np
from numpy.typing import ArrayLike

import fastact as fa

__all__ = ["dead_fraction", "saturation_fraction", "Recorder", "DeadUnitWarning",
           "ActivationLike"]

if TYPE_CHECKING:
    from .nn import ActivationModule, Module, Sequential

# What names a bounded activation: "sigmoid", fastact.sigmoid, or an nn module of it.
ActivationLike = Union[str, fa.Activation, "ActivationModule"]


class DeadUnitWarning(UserWarning):
    """A layer has more dead units (never active over a batch) than allowed."""


def dead_fraction(a: ArrayLike) -> float:
    """The fraction of units (last axis) that are <= 0 for every sample of
    the batch (all other axes): units that passed no gradient through a
    ReLU on this batch."""
    a = np.asarray(a)
    if a.ndim == 0:
        raise ValueError("dead_fraction: expected activations of shape (batch, units)")
    return float(np.all(a.reshape(-1, a.shape[-1]) <= 0, axis=0).mean())


def _bounds(activation: Any) -> Tuple[float, float]:
    """The finite output range (lo, hi) of an activation, from its catalog
    entry ("[0, 1]" for sigmoid); ValueError for an unbounded one."""
    module = activation
    act = fa.ACTIVATIONS[activation] if isinstance(activation, str) else activation
    act = getattr(act, "activation", act)  # an nn activation module
    # a bound named by a parameter ("[min_val, max_val]" for hardtanh): the
    # module's value, else the default
    params = dict(zip(act.param_names, act.defaults))
    params.update(getattr(module, "params", {}))
    ends = re.findall(r"[-+]?(?:inf|\d+(?:\.\d*)?|[a-z_]+)", act.spec.output_range)
    try:
        lo, hi = (float(params.get(e, e)) for e in ends) if len(ends) == 2 else (-math.inf,
                                                                                 math.inf)
    except (TypeError, ValueError):  # a bound without a value
        lo, hi = -math.inf, math.inf
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError("saturation_fraction: %s has no finite output range (%s)"
                         % (act.name, act.spec.output_range))
    return lo, hi


def saturation_fraction(y: ArrayLike, activation: ActivationLike, tol: float = 0.02) -> float:
    """The fraction of outputs `y` of a bounded activation (sigmoid, tanh,
    a name, Activation or module) within `tol` of an asymptote, where the
    derivative, and so the gradient, nearly vanishes."""
    lo, hi = _bounds(activation)
    y = np.asarray(y)
    return float(((y <= lo + tol) | (y >= hi - tol)).mean())


def _bounded(layer: Any) -> bool:
    try:
        _bounds(layer)
        return True
    except ValueError:
        return False


class Recorder:
    """Per-layer statistics of a Sequential during training.

    On each forward, for each activation layer: mean and std of the output,
    dead fraction (units whose derivative is 0 for the whole batch) and,
    for bounded activations, saturation fraction.  On each
    backward, for each layer: the norm of the gradient arriving at its
    output and, for layers with parameters, the norm of their gradients
    (as accumulated since ``zero_grad``, so call it every step).
    ``history[i]`` maps a statistic to its list of values for layer i.
    """

    def __init__(self, model: Sequential, dead_threshold: float = 0.1,
                 saturation_tol: float = 0.02) -> None:
        from .nn import ActivationModule

        self.model, self.dead_threshold, self.saturation_tol = model, dead_threshold, saturation_tol
        self.names = ["%d:%s" % (i, type(layer).__name__) for i, layer in enumerate(model)]
        self._is_activation = [isinstance(layer, ActivationModule) for layer in model]
        self._is_bounded = [a and _bounded(layer) for a, layer in zip(self._is_activation, model)]
        self.history: List[Dict[str, List[float]]] = [{} for _ in self.names]
        self._warned: Set[int] = set()
        model.observers.append(self)

    def detach(self) -> None:
        self.model.observers.remove(self)

    def _add(self, i: int, key: str, value: float) -> None:
        self.history[i].setdefault(key, []).append(value)

    def on_forward(self, i: int, layer: Module, y: Any) -> None:
        if not self._is_activation[i]:
            return
        self._add(i, "mean", float(y.mean()))
        self._add(i, "std", float(y.std()))
        # Dead: f' = 0 on the whole batch, so no gradient gets through (for
        # ReLU exactly dead_fraction(y); Leaky ReLU units never die).  The
        # module's own backward of ones gives f' from what it cached.
        dead = dead_fraction(np.abs(layer.backward(np.ones_like(y))))
        self._add(i, "dead", dead)
        if self._is_bounded[i]:
            self._add(i, "saturated", saturation_fraction(y, cast("ActivationModule", layer),
                                                         self.saturation_tol))
        if dead > self.dead_threshold and i not in self._warned:
            self._warned.add(i)  # once per layer, not every step
            warnings.warn("layer %s: %.0f%% of its units are dead at forward pass %d "
                          "(threshold %.0f%%)" % (self.names[i], 100 * dead, len(self.history[i]["dead"]),
                                                  100 * self.dead_threshold),
                          DeadUnitWarning, stacklevel=4)

    def on_backward(self, i: int, layer: Module, grad_output: Any) -> None:
        self._add(i, "grad_norm", float(np.linalg.norm(grad_output)))
        params = layer.parameters()
        if params:
            self._add(i, "param_grad_norm",
                      float(math.sqrt(sum(float(np.vdot(p.grad, p.grad)) for p in params))))

    def last(self, key: str) -> Dict[str, float]:
        """{layer name: latest value of statistic `key`} for layers that have it."""
        return {n: h[key][-1] for n, h in zip(self.names, self.history) if h.get(key)}

    def gradient_norms(self, last: Optional[int] = None) -> Dict[str, float]:
        """{layer name: mean parameter-gradient norm over the last `last`
        recorded steps (all if None)} for the layers with parameters."""
        return {n: float(np.mean(h["param_grad_norm"][-last if last else 0:]))
                for n, h in zip(self.names, self.history) if h.get("param_grad_norm")}

    def summary(self) -> str:
        """A text table of each layer's latest statistics."""
        keys = ["mean", "std", "dead", "saturated", "grad_norm", "param_grad_norm"]
        lines = ["%-14s" % "layer" + "".join("%16s" % k for k in keys)]
        for name, h in zip(self.names, self.history):
            cells = ["%16.4g" % h[k][-1] if h.get(k) else "%16s" % "-" for k in keys]
            lines.append("%-14s" % name + "".join(cells))
        return "\n".join(lines)

    def plot_gradients(self, path: Any = None, ax: Any = None,
                       title: str = "gradient norm per layer") -> Any:
        """A bar chart (log scale) of the mean parameter-gradient norm per
        layer; saved to `path` if given.  Needs matplotlib."""
        try:
            # optional, so maybe absent or without types for mypy
            from matplotlib.figure import Figure  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise ImportError("Recorder.plot_gradients needs matplotlib "
                              "(pip install matplotlib)") from None
        norms = self.gradient_norms()
        if ax is None:
            ax = Figure(figsize=(6, 3.5)).subplots()
        ax.bar(range(len(norms)), list(norms.values()))
        ax.set_xticks(range(len(norms)), list(norms), rotation=45, ha="right")
        ax.set_yscale("log")
        ax.set_ylabel("|grad|")
        ax.set_title(title)
        ax.figure.tight_layout()
        if path is not None:
            ax.figure.savefig(path)
        return ax.figure
