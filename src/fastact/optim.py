"""SGD and Adam over fastact.nn Parameters (objects with .data and .grad).

Updates are in place and keep each parameter's dtype: hyperparameters are
Python floats, which NumPy never lets upcast a float32 array.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Protocol, Tuple

import numpy as np
import numpy.typing as npt

from .nn import _accumulation_dtype

__all__ = ["Optimizer", "SGD", "Adam", "Param"]


class Param(Protocol):
    """What the optimizers update: fastact.nn.Parameter, or any object with
    arrays ``data`` and ``grad``."""

    data: npt.NDArray[Any]
    grad: npt.NDArray[Any]


class Optimizer:
    """``zero_grad()`` and ``step()`` over a list of parameters."""

    def __init__(self, params: Iterable[Param], lr: float) -> None:
        self.params = list(params)
        if not self.params:
            raise ValueError("%s got an empty parameter list" % type(self).__name__)
        if lr <= 0:
            raise ValueError("learning rate must be positive, got %r" % (lr,))
        self.lr = float(lr)

    if TYPE_CHECKING:  # every subclass defines it
        def step(self) -> None: ...

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad[...] = 0

    def _grad(self, p: Param, weight_decay: float) -> npt.NDArray[Any]:
        # L2 weight decay added to the gradient, as torch.optim.SGD/Adam do
        return p.grad + weight_decay * p.data if weight_decay else p.grad


class SGD(Optimizer):
    """p -= lr * v with v = momentum * v + (grad + weight_decay * p)."""

    def __init__(self, params: Iterable[Param], lr: float = 0.01, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)
        self._velocity: List[Optional[npt.NDArray[Any]]] = [None] * len(self.params)

    def step(self) -> None:
        for i, p in enumerate(self.params):
            g = self._grad(p, self.weight_decay)
            if self.momentum:
                v = self._velocity[i]
                if v is None:
                    v = self._velocity[i] = g.copy()  # torch: the first step is plain
                else:
                    v *= self.momentum
                    v += g
                g = v
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction and optional L2 weight decay."""

    def __init__(self, params: Iterable[Param], lr: float = 1e-3,
                 betas: Tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1, self.beta2 = (float(b) for b in betas)
        self.eps, self.weight_decay = float(eps), float(weight_decay)
        # the moments in at least float32: in float16, eps = 1e-8 rounds to
        # 0 and g * g underflows, so the first steps divide 0 by 0
        self._m = [np.zeros(p.data.shape, _accumulation_dtype(p.data.dtype)) for p in self.params]
        self._v = [np.zeros_like(m) for m in self._m]
        self.t = 0

    def step(self) -> None:
        self.t += 1
        step_size = self.lr / (1 - self.beta1 ** self.t)
        root_correction = (1 - self.beta2 ** self.t) ** 0.5
        for p, m, v in zip(self.params, self._m, self._v):
            g = self._grad(p, self.weight_decay).astype(m.dtype, copy=False)
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            update = step_size * m / (np.sqrt(v) / root_correction + self.eps)
            p.data -= update.astype(p.data.dtype, copy=False)
