"""Layers and losses for plain NumPy training loops, in torch's shape.

Every module has ``forward(x)`` (also ``module(x)``) and ``backward(grad)``,
which returns d loss / d input and adds parameter gradients into
``param.grad``.  Modules cache only what backward needs: an activation keeps
its output y when the activation's backward can use it, else its input x.

One activation module per entry of ``fastact.catalog()`` is generated at
import (``ReLU``, ``LeakyReLU(negative_slope=0.01)``, ...), so a new catalog
entry gets its module with no new code.  dtypes are the caller's: float32
in, float32 parameters, gradients and losses out; nothing upcasts silently.
"""

from __future__ import annotations

import inspect
import operator
from typing import (TYPE_CHECKING, Any, ClassVar, Dict, Iterator, List, Optional,
                    Protocol, SupportsIndex, Type)

import numpy as np
import numpy.typing as npt
from numpy.typing import ArrayLike, DTypeLike

import fastact as fa

from . import init as _init

# The hand-written classes and helpers; the activation modules are added
# below, from the catalog.
__all__ = ["Parameter", "Module", "ActivationModule", "activation_module", "class_name",
           "ACTIVATIONS", "TORCH_NAMES", "Linear", "Sequential", "Observer", "AxisModule",
           "Softmax", "LogSoftmax", "GLU", "SwiGLU", "GeGLU", "PReLU", "Loss", "MSELoss",
           "CrossEntropyLoss", "BCEWithLogitsLoss"]


class Parameter:
    """A trainable array ``data`` and its accumulated gradient ``grad``."""

    def __init__(self, data: npt.NDArray[Any]) -> None:
        self.data = data
        self.grad: npt.NDArray[Any] = np.zeros_like(data)

    def __repr__(self) -> str:
        return "Parameter(shape=%s, dtype=%s)" % (self.data.shape, self.data.dtype)


class Module:
    """Base class: ``forward``, ``backward``, ``parameters``, ``zero_grad``."""

    if TYPE_CHECKING:  # every subclass defines them
        def forward(self, x: Any) -> Any: ...
        def backward(self, grad: Any) -> Any: ...

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def parameters(self) -> List[Parameter]:
        return []

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad[...] = 0

    def __repr__(self) -> str:
        return "%s(%s)" % (type(self).__name__, self.extra_repr())

    def extra_repr(self) -> str:
        return ""


# ---- activations, generated from the catalog ----------------------------------

# torch.nn's spelling where plain CamelCase would differ from it (ReLU, not
# Relu), keyed by the name without underscores so "log_sigmoid" and
# "logsigmoid" both find LogSigmoid.
TORCH_NAMES = {n.lower(): n for n in (
    "ReLU", "LeakyReLU", "ReLU6", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
    "Softplus", "Softsign", "Hardsigmoid", "Hardswish", "LogSigmoid", "Tanhshrink",
    "Softshrink", "Hardshrink", "Threshold", "Hardtanh", "Sigmoid", "Tanh")}


def class_name(name: str) -> str:
    """The module class name of catalog function `name`: torch's spelling
    if known, else CamelCase ("fancy_unit" -> "FancyUnit")."""
    return TORCH_NAMES.get(name.replace("_", "").lower(),
                           "".join(w[:1].upper() + w[1:] for w in name.split("_")))


class ActivationModule(Module):
    """Base of the generated activation modules; ``activation`` is the
    fastact Activation, ``params`` its parameter values by name."""

    # None on this base; each generated subclass sets its Activation.
    activation: ClassVar[fa.Activation] = None  # type: ignore[assignment]
    _signature = inspect.Signature()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        self.params: Dict[str, Any] = dict(bound.arguments)
        # Validated by the Activation itself (unknown values, wrong types),
        # here rather than at the first forward.
        self.activation(np.zeros(1), **self.params)
        self._saved: Any = None

    def forward(self, x: ArrayLike) -> Any:
        y = self.activation(x, **self.params)
        self._saved = y if self.activation.backward_uses == "y" else x
        return y

    def backward(self, grad: ArrayLike) -> Any:
        if self._saved is None:
            raise RuntimeError("%s.backward called before forward" % type(self).__name__)
        key = "y" if self.activation.backward_uses == "y" else "x"
        return self.activation.backward(grad, **{key: self._saved}, **self.params)

    def extra_repr(self) -> str:
        return ", ".join("%s=%r" % kv for kv in self.params.items())


def activation_module(act: fa.Activation) -> Type[ActivationModule]:
    """A new ActivationModule subclass for the fastact Activation `act`."""
    P = inspect.Parameter
    signature = inspect.Signature([  # the parameters and options, not x or out
        p for p in act.__signature__.parameters.values()
        if p.kind == P.POSITIONAL_OR_KEYWORD or (p.kind == P.KEYWORD_ONLY and p.name != "out")])
    name = class_name(act.name)
    doc = "Module of fastact.%s: %s.  Backward caches %s." % (
        act.name, act.spec.formula, "the output y" if act.backward_uses == "y" else "the input x")
    return type(name, (ActivationModule,), {
        "activation": act, "_signature": signature, "__doc__": doc,
        "__module__": __name__, "__signature__": signature})


# Activation name -> module class, in catalog order; each also a name here.
ACTIVATIONS: Dict[str, Type[ActivationModule]] = {
    act.name: activation_module(act) for act in fa.catalog()}
globals().update({cls.__name__: cls for cls in ACTIVATIONS.values()})
__all__ += [cls.__name__ for cls in ACTIVATIONS.values()]
# The same classes declared for type checkers, which cannot see through
# globals(); tests/test_typing.py checks them against ACTIVATIONS.
Sigmoid: Type[ActivationModule]
Tanh: Type[ActivationModule]
ReLU: Type[ActivationModule]
LeakyReLU: Type[ActivationModule]
ReLU6: Type[ActivationModule]
Hardtanh: Type[ActivationModule]
ELU: Type[ActivationModule]
SELU: Type[ActivationModule]
CELU: Type[ActivationModule]
GELU: Type[ActivationModule]
GeluTanh: Type[ActivationModule]
SiLU: Type[ActivationModule]
Mish: Type[ActivationModule]
Softplus: Type[ActivationModule]
Softsign: Type[ActivationModule]
Hardsigmoid: Type[ActivationModule]
Hardswish: Type[ActivationModule]
LogSigmoid: Type[ActivationModule]
Tanhshrink: Type[ActivationModule]
Softshrink: Type[ActivationModule]
Hardshrink: Type[ActivationModule]
Threshold: Type[ActivationModule]
Squareplus: Type[ActivationModule]
SparsePlus: Type[ActivationModule]
SparseSigmoid: Type[ActivationModule]


# ---- layers -------------------------------------------------------------------

class Linear(Module):
    """y = x @ weight.T + bias, weight of shape (out_features, in_features).

    `init` names a scheme of fastact.init ("he", "he_uniform", "xavier",
    "xavier_normal", ...); the bias starts at zero.  x must have `dtype`.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, init: str = "he",
                 rng: _init.Seed = None, dtype: DTypeLike = np.float64) -> None:
        if init not in _init.SCHEMES:
            raise ValueError("Linear: unknown init %r (one of %s)"
                             % (init, ", ".join(_init.SCHEMES)))
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(_init.SCHEMES[init]((out_features, in_features),
                                                    rng=rng, dtype=dtype))
        self.bias = Parameter(np.zeros(out_features, dtype=dtype)) if bias else None
        self._x: Any = None

    def forward(self, x: npt.NDArray[Any]) -> npt.NDArray[Any]:
        if getattr(x, "dtype", None) != self.weight.data.dtype:
            # NumPy would promote float32 weights to float64 without a word
            raise TypeError("Linear: input dtype %s differs from the layer's %s"
                            % (getattr(x, "dtype", type(x).__name__), self.weight.data.dtype))
        self._x = x
        y: npt.NDArray[Any] = x @ self.weight.data.T
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad: npt.NDArray[Any]) -> npt.NDArray[Any]:
        x = self._x.reshape(-1, self.in_features)
        g = grad.reshape(-1, self.out_features)
        self.weight.grad += g.T @ x
        if self.bias is not None:
            self.bias.grad += g.sum(axis=0)
        grad_x: npt.NDArray[Any] = grad @ self.weight.data
        return grad_x

    def parameters(self) -> List[Parameter]:
        return [self.weight] + ([self.bias] if self.bias is not None else [])

    def extra_repr(self) -> str:
        return "in_features=%d, out_features=%d, bias=%s, dtype=%s" % (
            self.in_features, self.out_features, self.bias is not None,
            self.weight.data.dtype)


class Observer(Protocol):
    """What Sequential.observers hold (fastact.diagnostics.Recorder is one)."""

    def on_forward(self, index: int, layer: Module, output: Any) -> None: ...

    def on_backward(self, index: int, layer: Module, grad_output: Any) -> None: ...


class Sequential(Module):
    """Modules applied in order; backward runs them in reverse.

    ``observers`` get ``on_forward(index, layer, output)`` calls and, after
    each layer's backward, ``on_backward(index, layer, grad_output)`` (see
    fastact.diagnostics.Recorder).
    """

    def __init__(self, *layers: Module) -> None:
        self.layers = list(layers)
        self.observers: List[Observer] = []

    def forward(self, x: Any) -> Any:
        for i, layer in enumerate(self.layers):
            x = layer.forward(x)
            for obs in self.observers:
                obs.on_forward(i, layer, x)
        return x

    def backward(self, grad: Any) -> Any:
        for i in reversed(range(len(self.layers))):
            grad_output, grad = grad, self.layers[i].backward(grad)
            for obs in self.observers:  # after: parameter gradients are in
                obs.on_backward(i, self.layers[i], grad_output)
        return grad

    def parameters(self) -> List[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __repr__(self) -> str:
        return "Sequential(\n%s\n)" % "\n".join("  (%d): %r" % il for il in enumerate(self.layers))


class AxisModule(Module):
    """Base of the axis-wise modules: ``function`` (fastact.softmax, ...)
    along ``axis``; backward (one fused kernel) from the cached output y
    (softmax, log_softmax) or input x (the GLU family), per ``saves``."""

    function: ClassVar[Any] = None  # a FunctionWithBackward: fastact.softmax, ...
    saves = "x"

    def __init__(self, axis: SupportsIndex = -1) -> None:
        self.axis = operator.index(axis)
        self._saved: Any = None

    def _options(self) -> Dict[str, Any]:
        return {}

    def forward(self, x: ArrayLike) -> Any:
        y = self.function(x, axis=self.axis, **self._options())
        self._saved = y if self.saves == "y" else x
        return y

    def backward(self, grad: ArrayLike) -> Any:
        if self._saved is None:
            raise RuntimeError("%s.backward called before forward" % type(self).__name__)
        return self.function.backward(grad, axis=self.axis, **{self.saves: self._saved},
                                      **self._options())

    def extra_repr(self) -> str:
        return ", ".join("%s=%r" % kv for kv in dict(axis=self.axis, **self._options()).items())


class Softmax(AxisModule):
    """fastact.softmax along `axis`, as torch.nn.Softmax(dim)."""
    function, saves = staticmethod(fa.softmax), "y"


class LogSoftmax(AxisModule):
    """fastact.log_softmax along `axis`, as torch.nn.LogSoftmax(dim)."""
    function, saves = staticmethod(fa.log_softmax), "y"


class GLU(AxisModule):
    """fastact.glu: x split in halves (a, b) along `axis`, a * sigmoid(b), as
    torch.nn.GLU(dim); the output is half as long along axis."""
    function = staticmethod(fa.glu)


class SwiGLU(AxisModule):
    """fastact.swiglu: silu(a) * b of x's halves along `axis`."""
    function = staticmethod(fa.swiglu)


class GeGLU(AxisModule):
    """fastact.geglu: gelu(a) * b of x's halves along `axis`, gelu exact
    (approximate="none") or its tanh form."""
    function = staticmethod(fa.geglu)

    def __init__(self, axis: SupportsIndex = -1, approximate: str = "none") -> None:
        super().__init__(axis)
        fa.geglu(np.zeros(2), approximate=approximate)  # a bad value fails here
        self.approximate = approximate

    def _options(self) -> Dict[str, Any]:
        return {"approximate": self.approximate}


class PReLU(Module):
    """fastact.prelu with a learned slope per channel (axis 1, or one slope
    for all), as torch.nn.PReLU(num_parameters, init=0.25)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25,
                 dtype: DTypeLike = np.float64) -> None:
        self.weight = Parameter(np.full(num_parameters, init, dtype=dtype))

    def forward(self, x: ArrayLike) -> Any:
        self._x = x
        return fa.prelu(x, self.weight.data)

    def backward(self, grad: ArrayLike) -> Any:
        grad_x, grad_w = fa.prelu.backward(grad, x=self._x, weight=self.weight.data)
        self.weight.grad += grad_w
        return grad_x

    def parameters(self) -> List[Parameter]:
        return [self.weight]


# ---- losses -------------------------------------------------------------------

class Loss:
    """``loss = fn(input, target)`` returns the loss (a NumPy scalar of the
    input's dtype); ``fn.backward()`` then gives d loss / d input."""

    if TYPE_CHECKING:  # every subclass defines them
        def forward(self, input: Any, target: Any) -> Any: ...
        def backward(self, grad: float = 1.0) -> npt.NDArray[Any]: ...

    def __init__(self, reduction: str = "mean") -> None:
        if reduction not in ("mean", "sum"):
            raise ValueError("reduction must be 'mean' or 'sum', got %r" % (reduction,))
        self.reduction = reduction

    def __call__(self, input: Any, target: Any) -> Any:
        return self.forward(input, target)

    def _reduce(self, values: npt.NDArray[Any], n: int, dtype: Optional[DTypeLike] = None) -> Any:
        # summed and divided in at least float32: a float16 sum overflows
        # past 65504 (and n itself can), then rounded to dtype (the input's)
        wide = _accumulation_dtype(values.dtype)
        total = values.sum(dtype=wide)
        result = np.dtype(values.dtype if dtype is None else dtype).type
        return result(total / wide.type(n) if self.reduction == "mean" else total)

    def _scaled(self, g: npt.NDArray[Any], n: int, factor: float,
                in_place: bool = True) -> npt.NDArray[Any]:
        """g * factor (/ n for 'mean'), into g if in_place and g's dtype is
        at least float32; float16 is scaled in float32 and rounded once (1/n
        in float16 is subnormal past n = 16384, 0 past 2^25)."""
        wide = _accumulation_dtype(g.dtype)
        scale = wide.type(factor / n if self.reduction == "mean" else factor)
        if wide != g.dtype:
            return (g * scale).astype(g.dtype)
        result: npt.NDArray[Any] = np.multiply(g, scale, out=g if in_place else None)
        return result


def _accumulation_dtype(dtype: DTypeLike) -> np.dtype:
    """The dtype sums and running statistics are kept in: at least float32
    (float16 overflows past 65504, and small terms such as Adam's eps round
    to 0 in it)."""
    return np.promote_types(dtype, np.float32)


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy from logits (N, C) and integer labels (N,).

    The loss uses log-sum-exp with the max subtracted; the gradient is the
    fused softmax(z) - onehot(label), which never divides by a probability.
    float16 logits are computed in float32, the loss and gradient rounded
    to float16 once.
    """

    def forward(self, logits: npt.NDArray[Any], labels: ArrayLike) -> Any:
        labels = np.asarray(labels)
        if labels.shape != logits.shape[:1] or labels.dtype.kind not in "iu":
            raise ValueError("CrossEntropyLoss: labels must be integers of shape (%d,)"
                             % logits.shape[0])
        classes = logits.shape[1]
        if labels.size and (labels.min() < 0 or labels.max() >= classes):
            # (NumPy indexing would take -1 as the last class, silently)
            bad = labels[(labels < 0) | (labels >= classes)][0]
            raise ValueError("CrossEntropyLoss: label %d is not a class in [0, %d)"
                             % (bad, classes))
        # in at least float32: float16 probabilities, rounded, cost their
        # gradient more than an ulp; the loss and gradient are rounded once
        z = np.asarray(logits, dtype=_accumulation_dtype(logits.dtype))
        shifted = z - z.max(axis=1, keepdims=True)  # exp never overflows
        e = np.exp(shifted)
        total = e.sum(axis=1, keepdims=True)
        self._dtype = logits.dtype if logits.dtype.kind == "f" else z.dtype
        self._probs, self._labels = e / total, labels
        picked = shifted[np.arange(len(labels)), labels]
        return self._reduce(np.log(total[:, 0]) - picked, len(labels), self._dtype)

    def backward(self, grad: float = 1.0) -> npt.NDArray[Any]:
        g: npt.NDArray[Any] = self._probs.copy()
        g[np.arange(len(self._labels)), self._labels] -= 1
        return self._scaled(g, len(self._labels), grad).astype(self._dtype, copy=False)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy from logits z and targets t in [0, 1].

    loss = relu(z) - z t + log1p(exp(-|z|)) never overflows; the gradient
    is the sigmoid output rule sigmoid(z) - t, with fastact's sigmoid.
    """

    def forward(self, logits: npt.NDArray[Any], targets: ArrayLike) -> Any:
        t = np.asarray(targets, dtype=logits.dtype)
        if t.shape != logits.shape:
            raise ValueError("BCEWithLogitsLoss: targets shape %s != logits shape %s"
                             % (t.shape, logits.shape))
        self._logits, self._t = logits, t
        values = fa.relu(logits) - logits * t + np.log1p(np.exp(-np.abs(logits)))
        return self._reduce(values, logits.size)

    def backward(self, grad: float = 1.0) -> npt.NDArray[Any]:
        g: npt.NDArray[Any] = fa.sigmoid(self._logits)
        g -= self._t
        return self._scaled(g, g.size, grad)


class MSELoss(Loss):
    """Mean squared error; the target is cast to the input's dtype."""

    def forward(self, input: npt.NDArray[Any], target: ArrayLike) -> Any:
        t = np.asarray(target, dtype=input.dtype)
        if t.shape != input.shape:  # (N, 1) - (N,) would broadcast to (N, N)
            raise ValueError("MSELoss: target shape %s != input shape %s"
                             % (t.shape, input.shape))
        self._diff = input - t
        return self._reduce(self._diff * self._diff, self._diff.size)

    def backward(self, grad: float = 1.0) -> npt.NDArray[Any]:
        return self._scaled(self._diff, self._diff.size, 2.0 * grad, in_place=False)
