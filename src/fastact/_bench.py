"""``fastact bench``: fastact's kernels against the NumPy lines they replace.

NUMPY_EXPRESSIONS is the one table of reference expressions, shared with the
pytest-benchmark suite in ``benchmarks/``.  An activation of the catalog
without an entry is skipped with a note, so adding one is one table line.
TORCH_EXPRESSIONS is the same for PyTorch, timed only when torch imports.

Each row also times ``np.copyto`` over the same number of bytes: the memory
roofline, the speed no elementwise kernel can beat on large arrays.  NumPy's
time over the copy's is then the largest speed-up any kernel can show on
that row (``at copy``): where it is near 1, NumPy runs at memory speed
already and so can fastact at best.
"""

import argparse
import csv
import functools
import json
import math
import os
import sys
import time
from dataclasses import dataclass
from time import perf_counter
from typing import Callable, Optional, Tuple

import numpy as np

import fastact as fa
from fastact._activation import EXAMPLE_PARAMS
from fastact._backend import kernels

# name -> (forward, backward): the NumPy code users write today.  Names in
# scope: np, math, scipy, x (input), y (output), g (incoming gradient) and
# the function's parameters, which take their catalog defaults.  Constants
# are Python floats (math.sqrt(2), not np.sqrt(2)): a float64 NumPy scalar
# makes NumPy 2 compute a float32 row in float64, as gelu's did (1.1x-1.15x
# NumPy's float32 time; tests/test_cli.py checks every row keeps its dtype).
NUMPY_EXPRESSIONS = {
    "sigmoid": ("1 / (1 + np.exp(-x))", "g * y * (1 - y)"),
    "tanh": ("np.tanh(x)", "g * (1 - y**2)"),
    "relu": ("np.maximum(x, 0)", "g * (x > 0)"),
    "leaky_relu": ("np.where(x > 0, x, negative_slope * x)",
                   "np.where(x > 0, g, negative_slope * g)"),
    "relu6": ("np.clip(x, 0, 6)", "g * ((x > 0) & (x < 6))"),
    "hardtanh": ("np.clip(x, min_val, max_val)", "g * ((x > min_val) & (x < max_val))"),
    "elu": ("np.where(x > 0, x, alpha * np.expm1(x))",
            "g * np.where(x > 0, 1, alpha * np.exp(x))"),
    "selu": ("1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))",
             "g * np.where(x > 0, 1.0507009873554805, 1.7580993408473768 * np.exp(x))"),
    "celu": ("np.where(x > 0, x, alpha * np.expm1(x / alpha))",
             "g * np.where(x > 0, 1, np.exp(x / alpha))"),
    "gelu": ("0.5 * x * (1 + scipy.special.erf(x / math.sqrt(2)))",
             "g * (0.5 * (1 + scipy.special.erf(x / math.sqrt(2)))"
             " + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))"),
    "gelu_tanh": ("0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))",
                  "g * (0.5 * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))"
                  " + 0.5 * x * (1 - np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))**2)"
                  " * 0.7978845608028654 * (1 + 0.134145 * x**2))"),
    "silu": ("x / (1 + np.exp(-x))",
             "g * (1 / (1 + np.exp(-x))) * (1 + x * (1 - 1 / (1 + np.exp(-x))))"),
    "mish": ("x * np.tanh(np.logaddexp(0, x))",
             "g * (np.tanh(np.logaddexp(0, x)) + x * (1 - np.tanh(np.logaddexp(0, x))**2)"
             " / (1 + np.exp(-x)))"),
    "softplus": ("np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)",
                 "g * np.where(beta * x > threshold, 1, 1 / (1 + np.exp(-beta * x)))"),
    "softsign": ("x / (1 + np.abs(x))", "g * (1 - np.abs(y))**2"),
    "hardsigmoid": ("np.clip(x / 6 + 0.5, 0, 1)", "g * ((x > -3) & (x < 3)) / 6"),
    "hardswish": ("x * np.clip(x + 3, 0, 6) / 6",
                  "g * np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1))"),
    "log_sigmoid": ("-np.logaddexp(0, -x)", "g * -np.expm1(y)"),
    "tanhshrink": ("x - np.tanh(x)", "g * np.tanh(x)**2"),
    "softshrink": ("np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))",
                   "g * (y != 0)"),
    "hardshrink": ("np.where(np.abs(x) > lambd, x, 0)", "g * (y != 0)"),
    "threshold": ("np.where(x > threshold, x, value)", "g * (x > threshold)"),
    "squareplus": ("(x + np.sqrt(x * x + b)) / 2", "g * (1 + x / np.sqrt(x * x + b)) / 2"),
    "sparse_plus": ("np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1)**2 / 4))",
                    "g * np.clip((x + 1) / 2, 0, 1)"),
    "sparse_sigmoid": ("np.clip((x + 1) / 2, 0, 1)", "g * ((y > 0) & (y < 1)) / 2"),
}
# Values for parameters the catalog requires (threshold's): the bench
# calls both implementations with them.
REQUIRED_PARAMS = EXAMPLE_PARAMS

# The same for PyTorch (torch, F = torch.nn.functional; x, y, g are tensors
# viewing the NumPy buffers): every catalog function torch has.  Backward is
# the fused aten kernel autograd itself runs, without building a graph; for
# torch's composite functions (softsign, tanhshrink) the tensor expression
# of their derivative.  An optional third expression computes, once per
# case, what torch's forward saves for backward (`s` in backward).
_ATEN = "torch.ops.aten."
TORCH_EXPRESSIONS = {
    "sigmoid": ("torch.sigmoid(x)", _ATEN + "sigmoid_backward(g, y)"),
    "tanh": ("torch.tanh(x)", _ATEN + "tanh_backward(g, y)"),
    "relu": ("F.relu(x)", _ATEN + "threshold_backward(g, y, 0)"),
    "leaky_relu": ("F.leaky_relu(x, negative_slope)",
                   _ATEN + "leaky_relu_backward(g, x, negative_slope, False)"),
    "relu6": ("F.relu6(x)", _ATEN + "hardtanh_backward(g, x, 0.0, 6.0)"),
    "hardtanh": ("F.hardtanh(x, min_val, max_val)",
                 _ATEN + "hardtanh_backward(g, x, min_val, max_val)"),
    "elu": ("F.elu(x, alpha)", _ATEN + "elu_backward(g, alpha, 1.0, 1.0, False, x)"),
    "selu": ("F.selu(x)", _ATEN + "elu_backward(g, 1.6732632423543772, "
             "1.0507009873554805, 1.0, False, x)"),
    "celu": ("F.celu(x, alpha)", _ATEN + "elu_backward(g, alpha, 1.0, 1 / alpha, False, x)"),
    "gelu": ("F.gelu(x)", _ATEN + "gelu_backward(g, x)"),
    "gelu_tanh": ("F.gelu(x, approximate='tanh')",
                  _ATEN + "gelu_backward(g, x, approximate='tanh')"),
    "silu": ("F.silu(x)", _ATEN + "silu_backward(g, x)"),
    "mish": ("F.mish(x)", _ATEN + "mish_backward(g, x)"),
    "softplus": ("F.softplus(x, beta, threshold)",
                 _ATEN + "softplus_backward(g, x, beta, threshold)"),
    "softsign": ("F.softsign(x)", "g / (1 + x.abs())**2"),
    "hardsigmoid": ("F.hardsigmoid(x)", _ATEN + "hardsigmoid_backward(g, x)"),
    "hardswish": ("F.hardswish(x)", _ATEN + "hardswish_backward(g, x)"),
    # s: the buffer exp(-|x|) that torch's forward saves for backward
    "log_sigmoid": ("F.logsigmoid(x)", _ATEN + "log_sigmoid_backward(g, x, s)",
                    _ATEN + "log_sigmoid_forward(x)[1]"),
    "tanhshrink": ("F.tanhshrink(x)", "g * torch.tanh(x)**2"),
    "softshrink": ("F.softshrink(x, lambd)", _ATEN + "softshrink_backward(g, x, lambd)"),
    "hardshrink": ("F.hardshrink(x, lambd)", _ATEN + "hardshrink_backward(g, x, lambd)"),
    "threshold": ("F.threshold(x, threshold, value)",
                  _ATEN + "threshold_backward(g, x, threshold)"),
}

# The axis-wise functions against the NumPy (and SciPy) code they replace,
# on a matrix along its last and first axis: (function, pass) -> [(label,
# reference(x, g, y, axis))].
def _numpy_softmax(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def _numpy_log_softmax(x, axis):
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


def _scipy(name):
    def call(x, g, y, axis):
        import scipy.special
        return getattr(scipy.special, name)(x, axis=axis)
    return call


# The GLU family: a and b are x's halves along the axis; backward returns
# the gradient of all of x, grad_a and grad_b joined.
def _numpy_glu(a, b):
    return a / (1 + np.exp(-b))


def _numpy_glu_backward(g, a, b):
    s = 1 / (1 + np.exp(-b))
    return g * s, g * a * s * (1 - s)


def _numpy_swiglu(a, b):
    return a / (1 + np.exp(-a)) * b


def _numpy_swiglu_backward(g, a, b):
    s = 1 / (1 + np.exp(-a))
    return g * b * s * (1 + a * (1 - s)), g * a * s


def _numpy_geglu(a, b):
    import scipy.special
    return 0.5 * a * (1 + scipy.special.erf(a / math.sqrt(2))) * b


def _numpy_geglu_backward(g, a, b):
    import scipy.special
    phi = 0.5 * (1 + scipy.special.erf(a / math.sqrt(2)))
    return g * b * (phi + a * np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)), g * a * phi


def _gated(forward, backward):
    """AXIS_REFERENCES' forward and backward of a GLU from its NumPy code on
    the halves."""
    return ([("numpy", lambda x, g, y, axis: forward(*np.split(x, 2, axis)))],
            [("numpy", lambda x, g, y, axis:
              np.concatenate(backward(g, *np.split(x, 2, axis)), axis))])


AXIS_REFERENCES = {
    ("softmax", "forward"): [("numpy", lambda x, g, y, axis: _numpy_softmax(x, axis)),
                             ("scipy", _scipy("softmax"))],
    ("softmax", "backward"): [("numpy", lambda x, g, y, axis:
                               y * (g - (g * y).sum(axis, keepdims=True)))],
    ("log_softmax", "forward"): [("numpy", lambda x, g, y, axis: _numpy_log_softmax(x, axis)),
                                 ("scipy", _scipy("log_softmax"))],
    ("log_softmax", "backward"): [("numpy", lambda x, g, y, axis:
                                   g - np.exp(y) * g.sum(axis, keepdims=True))],
}
for _name, _code in [("glu", (_numpy_glu, _numpy_glu_backward)),
                     ("swiglu", (_numpy_swiglu, _numpy_swiglu_backward)),
                     ("geglu", (_numpy_geglu, _numpy_geglu_backward))]:
    AXIS_REFERENCES[(_name, "forward")], AXIS_REFERENCES[(_name, "backward")] = _gated(*_code)
AXIS_FUNCTIONS = ("softmax", "log_softmax", "glu", "swiglu", "geglu")
# Axis functions whose NumPy line takes scipy's erf (as gelu's): without
# scipy (not a dependency) they are skipped, and so are the SciPy rows.
AXIS_NEED_SCIPY = ("geglu",)
# What each axis function's backward takes (as the activations' backward_uses).
AXIS_BACKWARD_USES = {"softmax": "y", "log_softmax": "y", "glu": "x", "swiglu": "x",
                      "geglu": "x"}


def _torch_gated_backward(name):
    """What autograd runs for act(a) * b: act's fused backward of g b, and
    g act(a) from act(a) saved by the forward (s)."""
    def backward(torch, x, g, y, dim, s):
        a, b = x.chunk(2, dim)
        return torch.cat([getattr(torch.ops.aten, name + "_backward")(g * b, a), g * s], dim)
    return backward


# (function, pass) -> torch's version, on tensors viewing the same buffers;
# s: what torch's forward saves for backward (TORCH_AXIS_SAVED), or None.
TORCH_AXIS = {
    ("softmax", "forward"): lambda torch, x, g, y, dim, s: torch.softmax(x, dim),
    ("softmax", "backward"): lambda torch, x, g, y, dim, s:
        torch.ops.aten._softmax_backward_data(g, y, dim, y.dtype),
    ("log_softmax", "forward"): lambda torch, x, g, y, dim, s: torch.log_softmax(x, dim),
    ("log_softmax", "backward"): lambda torch, x, g, y, dim, s:
        torch.ops.aten._log_softmax_backward_data(g, y, dim, y.dtype),
    ("glu", "forward"): lambda torch, x, g, y, dim, s: torch.nn.functional.glu(x, dim),
    ("glu", "backward"): lambda torch, x, g, y, dim, s: torch.ops.aten.glu_backward(g, x, dim),
    ("swiglu", "forward"): lambda torch, x, g, y, dim, s:
        torch.nn.functional.silu(x.chunk(2, dim)[0]) * x.chunk(2, dim)[1],
    ("swiglu", "backward"): _torch_gated_backward("silu"),
    ("geglu", "forward"): lambda torch, x, g, y, dim, s:
        torch.nn.functional.gelu(x.chunk(2, dim)[0]) * x.chunk(2, dim)[1],
    ("geglu", "backward"): _torch_gated_backward("gelu"),
}
TORCH_AXIS_SAVED = {
    "swiglu": lambda torch, x, dim: torch.nn.functional.silu(x.chunk(2, dim)[0]),
    "geglu": lambda torch, x, dim: torch.nn.functional.gelu(x.chunk(2, dim)[0]),
}

# prelu with a weight per channel (axis 1 of x) on batches of these
# samples: channel rows of 1024 elements (images), of 4 (small images) and
# of 1 (vectors), against its NumPy lines and torch's functions (backward:
# what autograd runs, the weight's gradient per element, then its sum).
PRELU_SAMPLES = ((64, 32, 32), (64, 2, 2), (256,))


def _numpy_prelu(x, w):
    return np.where(x > 0, x, w * x)


def _numpy_prelu_backward(g, x, w, axes):
    return np.where(x > 0, g, w * g), (g * np.minimum(x, 0)).sum(axes)


def _torch_prelu_backward(torch, g, x, w, axes):
    grad_x, grad_w = torch.ops.aten._prelu_kernel_backward(g, x, w)
    return grad_x, grad_w.sum(axes)


PASSES = ("forward", "backward")
DTYPES = ("float16", "float32", "float64")
# About a minute for the whole catalog on a 2-core machine.
DEFAULT = dict(dtypes=("float32", "float64"), sizes=(10**3, 10**5, 10**6), matrix=(4096, 1000),
               repeats=7, min_time=2e-3)
QUICK = dict(sizes=(10**5, 10**6), repeats=3, min_time=1e-3, matrix=(512, 1000))

# The machine-readable columns, in order (--csv, --json).
FIELDS = ("function", "pass", "dtype", "size", "threads",
          "fastact_ns_per_element", "numpy_ns_per_element", "speedup",
          "gb_per_s", "copy_ns_per_element", "roofline_fraction", "speedup_at_copy_speed",
          "torch_ns_per_element", "threads_speedup")


@functools.lru_cache(maxsize=1)
def _torch():
    """The torch module, or None: torch is never required."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def _compile(table, act, scope, params=None):
    """(forward(x), backward(g, x, y, s=None), saved(x) or None) for `act`
    from `table`, or None; the parameters take their catalog defaults unless
    `params` gives them."""
    if act.name not in table:
        return None
    params = dict({n: REQUIRED_PARAMS[n] if d is None else d
                   for n, d in zip(act.param_names, act.defaults)}, **(params or {}))
    # Bind parameters as lambda defaults: the lambdas then run the table's
    # expression and nothing else.
    args = "".join(", %s=%r" % kv for kv in params.items())
    forward, backward, *saved = table[act.name]
    if scope.get("scipy", False) is None and "scipy" in forward + backward:
        return None  # gelu's NumPy line needs scipy's erf
    return (eval("lambda x%s: %s" % (args, forward), dict(scope)),
            eval("lambda g, x, y, s=None%s: %s" % (args, backward), dict(scope)),
            saved and eval("lambda x: %s" % saved[0], dict(scope)) or None)


def numpy_reference(act, params=None):
    """(forward(x), backward(g, x, y)) for `act` from the table, or None."""
    compiled = _compile(NUMPY_EXPRESSIONS, act,
                        {"np": np, "math": math, "scipy": _scipy_module()}, params)
    return compiled and compiled[:2]


def torch_reference(act):
    """Like numpy_reference, from TORCH_EXPRESSIONS, and saved(x): what
    torch's forward keeps for backward (`s` in the backward expression), or
    None.  None without torch."""
    torch = _torch()
    if torch is None:
        return None
    return _compile(TORCH_EXPRESSIONS, act,
                    {"torch": torch, "F": torch.nn.functional})


def _scipy_module():
    """scipy (gelu's erf) if installed, else None: gelu is then skipped."""
    try:
        import scipy.special
        return scipy
    except ImportError:
        return None


@dataclass
class Case:
    """One benchmark: every implementation on the same preallocated inputs."""

    fastact: Callable  # writes into a preallocated out=, returns it
    numpy: Callable    # the table's expression, allocating like user code
    copy: Callable     # np.copyto moving as many bytes as fastact does
    nbytes: int        # bytes fastact reads and writes per call
    torch: Optional[Callable] = None  # TORCH_EXPRESSIONS on views of the inputs
    # per part of a tuple result, the terms each of its values sums (prelu's
    # backward: 1 for the gradient of x, N * S for the weight's)
    summed: Tuple[int, ...] = ()


def make_case(act, pass_, dtype, size, seed=0):
    rng = np.random.default_rng(seed)
    # Typical pre-activations, both signs, no overflow in NumPy's exp.
    x = (3 * rng.standard_normal(size)).astype(dtype)
    g = rng.standard_normal(size).astype(dtype)
    required = {n: REQUIRED_PARAMS[n] for n, d in zip(act.param_names, act.defaults)
                if d is None}
    y = act(x, **required)
    out = np.empty_like(x)
    forward, backward = numpy_reference(act)
    tref = torch_reference(act)
    if tref is not None:
        torch = _torch()
        tx, ty, tg = (torch.from_numpy(a) for a in (x, y, g))
    if pass_ == "forward":
        return Case(functools.partial(act, x, out=out, **required),
                    functools.partial(forward, x),
                    _copy(2 * x.nbytes, x),
                    x.nbytes + out.nbytes,
                    tref and functools.partial(tref[0], tx))
    # backward takes what the function's training loop keeps: y or x.
    saved = {act.backward_uses: y if act.backward_uses == "y" else x}
    return Case(functools.partial(act.backward, g, out=out, **saved, **required),
                functools.partial(backward, g, x, y),
                _copy(3 * x.nbytes, x, g),
                3 * x.nbytes,
                tref and functools.partial(tref[1], tg, tx, ty, tref[2] and tref[2](tx)))


def _copy(nbytes, *arrays):
    """The roofline: np.copyto moving nbytes, half read and half written
    (a backward reads two arrays and writes one: as 1.5 arrays in and 1.5
    out), from the arrays' data.  Filled with data, because a copy from
    never-written pages reads the shared zero page and is too fast."""
    src = np.concatenate([a.ravel() for a in arrays])[: nbytes // (2 * arrays[0].itemsize)]
    return functools.partial(np.copyto, np.empty_like(src), src)


def axis_cases(name, passes, dtypes, matrix, seed=0):
    """(function, pass, dtype, size, make_case) for an axis-wise function on
    a `matrix`-shaped array along axis -1 and 0, one per reference."""
    func = getattr(fa, name)
    size = int(np.prod(matrix))
    for pass_ in passes:
        for dtype in dtypes:
            for axis in (-1, 0):
                for label, reference in AXIS_REFERENCES[(name, pass_)]:
                    if (label == "scipy" or name in AXIS_NEED_SCIPY) and _scipy_module() is None:
                        continue
                    # torch on the NumPy rows only (the SciPy rows repeat them)
                    tref = TORCH_AXIS[(name, pass_)] if label == "numpy" else None
                    yield ("%s ax=%d" % (name, axis),
                           pass_ if label == "numpy" else "%s/%s" % ({"forward": "fwd", "backward": "bwd"}[pass_], label), dtype, size,
                           functools.partial(_axis_case, func, pass_, dtype, matrix, axis,
                                             reference, seed, tref))


def _axis_case(func, pass_, dtype, matrix, axis, reference, seed, tref=None):
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal(matrix)).astype(dtype)
    y = func(x, axis=axis)  # a GLU's: half of x along the axis
    g = rng.standard_normal(y.shape).astype(dtype)
    saved = {AXIS_BACKWARD_USES[func.__name__]: y if AXIS_BACKWARD_USES[func.__name__] == "y" else x}
    if pass_ == "forward":
        out = np.empty_like(y)
        mine = functools.partial(func, x, axis=axis, out=out)
        nbytes = x.nbytes + out.nbytes
    else:
        out = np.empty_like(x)
        mine = functools.partial(func.backward, g, **saved, axis=axis, out=out)
        nbytes = next(iter(saved.values())).nbytes + g.nbytes + out.nbytes
    torch = _torch() if tref is not None else None
    if torch is not None:
        tx, tg, ty = map(torch.from_numpy, (x, g, y))
        saver = TORCH_AXIS_SAVED.get(func.__name__)
        theirs = functools.partial(tref, torch, tx, tg, ty, axis,
                                   saver and pass_ == "backward" and saver(torch, tx, axis))
    else:
        theirs = None
    return Case(mine, functools.partial(reference, x, g, y, axis), _copy(nbytes, x, g),
                nbytes, theirs)


def prelu_cases(passes, dtypes, size, seed=0):
    """(function, pass, dtype, size, make_case) for prelu on a batch of each
    of PRELU_SAMPLES, about `size` elements (at least one sample)."""
    for sample in PRELU_SAMPLES:
        shape = (max(1, size // math.prod(sample)),) + sample
        for pass_ in passes:
            for dtype in dtypes:
                yield ("prelu " + "x".join(map(str, sample)), pass_, dtype, math.prod(shape),
                       functools.partial(_prelu_case, shape, pass_, dtype, seed))


def _prelu_case(shape, pass_, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (3 * rng.standard_normal(shape)).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    w = rng.uniform(0.0, 0.5, shape[1]).astype(dtype)
    wb = w.reshape((-1,) + (1,) * (len(shape) - 2))  # along axis 1
    axes = tuple(i for i in range(len(shape)) if i != 1)
    out = np.empty_like(x)
    torch = _torch()
    if torch is not None:
        tx, tg, tw, twb = map(torch.from_numpy, (x, g, w, wb))
    if pass_ == "forward":
        return Case(functools.partial(fa.prelu, x, w, out=out),
                    functools.partial(_numpy_prelu, x, wb), _copy(2 * x.nbytes, x),
                    2 * x.nbytes, torch and functools.partial(torch.nn.functional.prelu, tx, tw))
    return Case(functools.partial(fa.prelu.backward, g, x=x, weight=w, out=out),
                functools.partial(_numpy_prelu_backward, g, x, wb, axes),
                _copy(3 * x.nbytes, x, g), 3 * x.nbytes,
                torch and functools.partial(_torch_prelu_backward, torch, tg, tx, twb, axes),
                summed=(1, x.size // shape[1]))


def _loop(fn, n):
    r = range(n)
    t0 = perf_counter()
    for _ in r:
        fn()
    return perf_counter() - t0


def _calibrate(fn, min_time):
    """Calls per timed loop so that one loop lasts at least min_time."""
    fn()  # warm-up: page in the buffers, fill caches, start the threads
    n = 1
    while True:
        t = _loop(fn, n)
        if t >= min_time:
            return n
        n = max(2 * n, int(n * 1.2 * min_time / max(t, 1e-9)))


def time_all(fns, repeats, min_time):
    """Seconds per call (min over repeats) of each function of a dict.  The
    repeats alternate between them so that clock or load drift hits all alike."""
    calls = {k: _calibrate(f, min_time) for k, f in fns.items()}
    best = dict.fromkeys(fns, math.inf)
    for _ in range(repeats):
        for k, f in fns.items():
            best[k] = min(best[k], _loop(f, calls[k]) / calls[k])
    return best


def time_pair(fa_fn, np_fn, repeats, min_time):
    """Seconds per call of both functions (see time_all)."""
    t = time_all({"fa": fa_fn, "np": np_fn}, repeats, min_time)
    return t["fa"], t["np"]


class _CpuShare:
    """The share of the CPUs other processes used since creation (Linux).

    Other busy processes make OpenMP loops wait for a descheduled thread,
    which can make threaded timings many times slower."""

    def __init__(self):
        self.start, self.cpu = perf_counter(), self._seconds()

    @staticmethod
    def _seconds():
        """(CPU seconds used by every process, by this one), or None."""
        try:
            with open("/proc/stat") as f:
                ticks = [int(v) for v in f.readline().split()[1:9]]
        except (OSError, ValueError):
            return None
        busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
        t = os.times()
        return busy / os.sysconf("SC_CLK_TCK"), t.user + t.system

    def others(self):
        end = self._seconds()
        if not (self.cpu and end):
            return None
        others = (end[0] - self.cpu[0]) - (end[1] - self.cpu[1])
        return max(0.0, others / ((perf_counter() - self.start) * (os.cpu_count() or 1)))

    def warning(self):
        share = self.others()
        if share is not None and share > 0.05:
            return ("WARNING: other processes used %.0f%% of the CPUs during the "
                    "bench; timings (threaded ones most) may be inflated" % (100 * share))
        return None


def format_size(n):
    s = "%.2g" % n
    return s.replace("e+0", "e").replace("e+", "e") if float(s) == n else str(n)


class Progress:
    """`[12/48] sigmoid backward float32 1e6` on stderr: rewritten in place on
    a terminal, one line per step otherwise (--progress into a log)."""

    def __init__(self, total, enabled, stream=None):
        self.total, self.done, self.enabled = total, 0, enabled
        self.stream = stream or sys.stderr
        self.tty = enabled and self.stream.isatty()

    def step(self, label):
        self.done += 1
        if self.enabled:
            text = "[%d/%d] %s" % (self.done, self.total, label)
            self.stream.write("\r\x1b[K" + text if self.tty else text + "\n")
            self.stream.flush()

    def clear(self):
        """Erase the progress line (before a table line on the same terminal)."""
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def cpu_model():
    """The CPU's model name (Linux: /proc/cpuinfo), else platform's guess."""
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
    except OSError:
        names = []
    if names:
        return names[0]
    import platform
    return platform.processor() or platform.machine()


def metadata(repeats, min_time, threads):
    """The run's configuration: the table's header, the JSON's metadata."""
    torch = _torch()
    return dict(fa.config(), date=time.strftime("%Y-%m-%d"), cpu=cpu_model(),
                cpus=os.cpu_count(), repeats=repeats,
                min_time_s=min_time, threads=list(threads), torch=torch and torch.__version__)


def _header(meta, out):
    print("fastact %s bench: cpu target %s, %s thread(s)%s, numpy %s "
          "(single-threaded), torch %s, python %s on %s (%s, %d CPUs)"
          % (meta["fastact"], meta["cpu_target"], ",".join(map(str, meta["threads"])),
             "" if meta["openmp"] else " (no OpenMP)", meta["numpy"],
             meta["torch"] or "not installed", meta["python"], meta["machine"], meta["cpu"],
             meta["cpus"]), file=out)
    print("build: compiler %s, %s" % (meta["compiler"], meta["cflags"]), file=out)
    print("time: min of %d repeats of a loop >= %g ms; fastact writes into out=, "
          "NumPy and torch allocate (as users write it); copy/fastact: np.copyto "
          "(one thread) of the same bytes over fastact's time (1.0 = copy speed); at copy: "
          "NumPy's time over the copy's, the speed-up of a kernel running at copy speed"
          % (meta["repeats"], meta["min_time_s"] * 1e3), file=out)
    print(file=out)


COLUMNS = (("function", "%-14s"), ("pass", "%-9s"), ("dtype", "%-7s"), ("size", "%6s"),
           ("threads", "%7s"), ("fastact ns/el", "%13s"), ("numpy ns/el", "%11s"),
           ("speed-up", "%8s"), ("GB/s", "%6s"), ("copy/fastact", "%12s"),
           ("at copy", "%7s"), ("torch ns/el", "%11s"))


def _cells(r):
    def num(v, fmt):
        return "-" if v is None else fmt % v
    return [r["function"], r["pass"], r["dtype"], format_size(r["size"]), str(r["threads"]),
            num(r["fastact_ns_per_element"], "%.3f"), num(r["numpy_ns_per_element"], "%.3f"),
            num(r["speedup"], "%.2fx"), num(r["gb_per_s"], "%.1f"),
            num(r["roofline_fraction"], "%.2f"), num(r["speedup_at_copy_speed"], "%.2fx"),
            num(r["torch_ns_per_element"], "%.3f"),
            num(r["threads_speedup"], "%.2fx")]


def _line(cells, columns):
    return " ".join(fmt % c for (_, fmt), c in zip(columns, cells))


def run(functions=None, passes=PASSES, dtypes=DEFAULT["dtypes"],
        sizes=DEFAULT["sizes"], repeats=DEFAULT["repeats"],
        min_time=DEFAULT["min_time"], threads=None, out=None, progress=False,
        matrix=DEFAULT["matrix"]):
    """Print the benchmark table; return (records, metadata): one dict per row
    with the FIELDS, and the configuration with the notes."""
    out = out or sys.stdout
    threads = tuple(sorted(set(threads or (fa.get_num_threads(),))))
    meta = dict(metadata(repeats, min_time, threads), matrix="%d x %d" % tuple(matrix))
    columns = COLUMNS
    if len(threads) > 1:  # fastact's speed-up over the fewest threads
        columns += (("vs %dT" % min(threads), "%7s"),)
    acts = [a for a in fa.catalog() if functions is None or a.name in functions]
    notes = ["skipped %s: no NumPy expression in fastact._bench.NUMPY_EXPRESSIONS"
             % a.name for a in acts if a.name not in NUMPY_EXPRESSIONS]
    acts = [a for a in acts if a.name in NUMPY_EXPRESSIONS]
    if _scipy_module() is None:
        need = [a.name for a in acts if numpy_reference(a) is None]
        need += [n for n in AXIS_NEED_SCIPY if functions is None or n in functions]
        notes.append("skipped %s: scipy is not installed (pip install scipy: the NumPy lines "
                     "of %s take its erf)" % (", ".join(need + ["the SciPy rows"]),
                                              " and ".join(need) or "gelu"))
        acts = [a for a in acts if numpy_reference(a) is not None]
    if meta["torch"]:
        notes += ["no torch column for %s: not in fastact._bench.TORCH_EXPRESSIONS"
                  % a.name for a in acts if a.name not in TORCH_EXPRESSIONS]
    _header(meta, out)
    print(_line([c for c, _ in columns], columns), file=out)
    cases = [(a.name, p, d, n, functools.partial(make_case, a, p, d, n))
             for a in acts for p in passes for d in dtypes for n in sizes]
    cases += [c for name in AXIS_FUNCTIONS if functions is None or name in functions
              for c in axis_cases(name, passes, dtypes, matrix)]
    if functions is None or "prelu" in functions:
        cases += prelu_cases(passes, dtypes, matrix[0] * matrix[1])
    bar = Progress(len(cases) * len(threads), progress)
    records, cpu = [], _CpuShare()
    for name, pass_, dtype, size, make in cases:
        # Thread counts innermost: their rows share the buffers.
        case = make()
        what = "%s %s %s %s" % (name, pass_, dtype, format_size(size))
        _check(case, what, dtype, notes)
        base = None
        for n in threads:
            bar.step(what + ("" if len(threads) == 1 else " %dT" % n))
            r = _measure(case, n, repeats, min_time)
            base = base or r["fastact_s"]
            r = dict(function=name, size=size, dtype=dtype, **{"pass": pass_},
                     threads_speedup=base / r["fastact_s"] if len(threads) > 1 else None,
                     **_per_element(r, size, case.nbytes))
            records.append(_ordered(r))
            bar.clear()
            print(_line(_cells(r), columns), file=out, flush=True)
    if any(name.split()[0] in AXIS_FUNCTIONS for name, *_ in cases):
        print("  (softmax and GLU rows: along the axis of a %s matrix, which the GLUs split in "
              "halves, against the stable NumPy expression, or SciPy where the pass says so)"
              % "x".join(map(str, matrix)), file=out)
    if any(name.startswith("prelu ") for name, *_ in cases):
        print("  (prelu rows: a batch of the samples named, as many elements as the matrix, "
              "with a weight per channel, axis 1; backward: both gradients)", file=out)

    # Per-call overhead: the Python layer over the ufunc vs a bare NumPy ufunc.
    x1, o1 = np.ones(1), np.empty(1)
    t_fa, t_np = time_pair(functools.partial(fa.sigmoid, x1, out=o1),
                           functools.partial(np.exp, x1, out=o1), repeats, min_time)
    meta["call_ns"] = dict(fastact=t_fa * 1e9, numpy=t_np * 1e9)
    print("\ncall overhead: %.0f ns for fa.sigmoid(x1, out=o1), %.0f ns for "
          "np.exp(x1, out=o1) (1-element float64 arrays)" % (t_fa * 1e9, t_np * 1e9),
          file=out)

    meta["cpu_share_of_other_processes"] = cpu.others()
    notes += filter(None, [cpu.warning()])
    meta["notes"] = notes
    print(file=out)
    for note in notes:
        print(note, file=out)
    if records:
        speedups = {}
        for r in records:
            speedups.setdefault(r["pass"], []).append(r["speedup"])
        every = [s for ss in speedups.values() for s in ss]
        per_pass = ", ".join("%s %.2fx" % (p, _geomean(s)) for p, s in speedups.items())
        print("geometric-mean speed-up over NumPy: %.2fx over %d rows (%s)"
              % (_geomean(every), len(every), per_pass), file=out)
    return records, meta


def _check(case, what, dtype, notes):
    """A fast wrong kernel is no speed-up: compare before timing.  A torch
    expression that fails (e.g. a dtype torch's CPU kernels lack) is dropped."""
    with np.errstate(all="ignore"):
        expected = case.numpy()
    tol = 64 * np.finfo(dtype).eps

    def close(got):  # an array, a tensor, or a tuple of them (prelu's backward)
        parts, wanted = (r if isinstance(r, tuple) else (r,) for r in (got, expected))
        for a, b, n in zip(parts, wanted, case.summed or (1,) * len(wanted)):
            # a sum's rounding grows with its terms, against its largest value
            atol = tol if n == 1 else tol * math.sqrt(n) * np.abs(b).max(initial=1.0)
            if not np.allclose(np.asarray(a), b, rtol=tol * math.sqrt(n), atol=atol):
                return False
        return True

    if not close(case.fastact()):
        notes.append("WARNING: %s: fastact differs from NumPy" % what)
    if case.torch is not None:
        try:
            got = case.torch()
        except Exception as e:  # torch raises RuntimeError, NotImplementedError, ...
            notes.append("no torch time for %s: %s" % (what, str(e).splitlines()[0]))
            case.torch = None
            return
        if not close(got):
            notes.append("WARNING: %s: torch differs from NumPy" % what)


def _measure(case, nthreads, repeats, min_time):
    """Seconds per call of each implementation with `nthreads` threads."""
    fns = dict(fastact=case.fastact, numpy=case.numpy, copy=case.copy)
    if case.torch is not None:
        fns["torch"] = case.torch
        _torch().set_num_threads(nthreads)
    # errstate: NumPy's float16 exp overflows (fastact's does not warn).
    with fa.threads(nthreads), np.errstate(all="ignore"):
        t = time_all(fns, repeats, min_time)
        used = kernels.effective_num_threads()  # 1 in a build without OpenMP
    return {"threads": used, **{k + "_s": v for k, v in t.items()}}


def _per_element(t, size, nbytes):
    ns = {k: t[k + "_s"] / size * 1e9 if k + "_s" in t else None
          for k in ("fastact", "numpy", "copy", "torch")}
    return dict(threads=t["threads"],
                fastact_ns_per_element=ns["fastact"], numpy_ns_per_element=ns["numpy"],
                speedup=t["numpy_s"] / t["fastact_s"],
                gb_per_s=nbytes / t["fastact_s"] / 1e9,
                copy_ns_per_element=ns["copy"],
                roofline_fraction=t["copy_s"] / t["fastact_s"],
                speedup_at_copy_speed=t["numpy_s"] / t["copy_s"],
                torch_ns_per_element=ns["torch"])


def _geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


# ---- machine output and plot -------------------------------------------------

def _open(path):
    return _Stdout() if path == "-" else open(path, "w", newline="")


class _Stdout:
    """sys.stdout as a context manager that is not closed afterwards."""

    def __enter__(self):
        return sys.stdout

    def __exit__(self, *exc):
        sys.stdout.flush()


def write_json(records, meta, path):
    with _open(path) as f:
        json.dump({"metadata": meta, "records": records}, f, indent=1)
        f.write("\n")


def write_csv(records, path, fields=FIELDS):
    with _open(path) as f:
        w = csv.DictWriter(f, fields, lineterminator="\n")
        w.writeheader()
        w.writerows(_ordered(r, fields) for r in records)  # None -> empty cell


def _ordered(r, fields=FIELDS):
    return {k: r[k] for k in fields}


def plot(records, path):
    """ns/element against size, log-log: one panel per (function, pass,
    dtype), one line per implementation (fastact and torch per thread count)."""
    import matplotlib
    matplotlib.use("Agg")  # files only; no display needed
    import matplotlib.pyplot as plt

    funcs = list(dict.fromkeys(r["function"] for r in records))
    kinds = list(dict.fromkeys((r["pass"], r["dtype"]) for r in records))
    threads = list(dict.fromkeys(r["threads"] for r in records))
    fig, axes = plt.subplots(len(funcs), len(kinds), squeeze=False, sharex=True,
                             figsize=(3.4 * len(kinds), 2.8 * len(funcs)))
    lines = [("fastact", "fastact_ns_per_element", t) for t in threads]
    lines += [("numpy", "numpy_ns_per_element", threads[0]),
              ("copy roofline", "copy_ns_per_element", threads[0])]
    lines += [("torch", "torch_ns_per_element", t) for t in threads]
    for i, func in enumerate(funcs):
        for j, (pass_, dtype) in enumerate(kinds):
            ax = axes[i][j]
            ax.set_title("%s %s %s" % (func, pass_, dtype), fontsize=9)
            for k, (label, key, t) in enumerate(lines):  # same colour everywhere
                pts = sorted((r["size"], r[key]) for r in records
                             if (r["function"], r["pass"], r["dtype"], r["threads"])
                             == (func, pass_, dtype, t) and r[key] is not None)
                if pts:
                    if len(threads) > 1 and label in ("fastact", "torch"):
                        label = "%s %dT" % (label, t)
                    ax.loglog(*zip(*pts), marker="o", ms=3, label=label, color="C%d" % k,
                              linestyle=":" if label == "copy roofline" else "-")
            ax.grid(True, which="both", alpha=0.3)
            if i == len(funcs) - 1:
                ax.set_xlabel("elements")
            if j == 0:
                ax.set_ylabel("ns / element")
    handles, labels = axes[0][0].get_legend_handles_labels()
    # as many legend entries per row as fit the figure's width
    ncol = max(1, min(len(labels), int(fig.get_figwidth() / 1.6)))
    rows = -(-len(labels) // ncol)
    fig.legend(handles, labels, loc="upper center", ncol=ncol, frameon=False)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.25 * rows / fig.get_figheight()))
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ---- grain sizes ---------------------------------------------------------------

GRAIN_SIZES = tuple(int(2 ** (k / 2)) // 64 * 64 for k in range(20, 47))  # 1k..8M
GRAIN_REPEATS = 40


def time_calls(fns, samples, idle=0.0):
    """Seconds of the fastest single call of each function of a dict, the
    calls alternating.  Threaded loops on a busy machine: a loop of many calls
    nearly always contains one whose thread was descheduled, while some single
    calls run with every core free, so their minimum still measures the code.
    idle: seconds the caller sleeps before each call, long enough for OpenMP's
    threads to stop spinning and sleep (a call between other work pays to
    wake them; back-to-back calls find them spinning)."""
    for f in fns.values():
        f()  # warm-up: page in, start the threads
    best = dict.fromkeys(fns, math.inf)
    for _ in range(samples):
        for k, f in fns.items():
            if idle:
                time.sleep(idle)
            t0 = perf_counter()
            f()
            best[k] = min(best[k], perf_counter() - t0)
    return best


def measure_grain(functions=None, passes=("forward",), dtypes=DEFAULT["dtypes"],
                  sizes=GRAIN_SIZES, repeats=GRAIN_REPEATS, nthreads=2, out=None,
                  progress=False, idle=0.0):
    """For each (function, pass, dtype): the smallest size of a geometric sweep
    from which `nthreads` threads beat 1 thread (by 5%, here and at the next
    two sizes, so one noisy point does not decide), each call after `idle`
    seconds of sleep.  Print it next to the catalog's grain; return (one
    dict per row, notes)."""
    out = out or sys.stdout
    acts = [a for a in fa.catalog() if functions is None or a.name in functions]
    sizes = sorted(sizes)
    bar = Progress(len(acts) * len(passes) * len(dtypes) * len(sizes), progress)
    print("grain: 1 vs %d threads, fastest of %d single calls%s, sizes %s..%s; "
          "a grain is per thread (threads start at 2 grains)"
          % (nthreads, repeats, " each after %g ms idle" % (idle * 1e3) if idle else "",
             format_size(sizes[0]), format_size(sizes[-1])), file=out)
    row = "%-11s %-8s %-7s %11s %11s %14s %16s %13s"
    print(row % ("function", "pass", "dtype", "build grain", "threads at",
                 "%dT wins from" % nthreads, "measured grain", "%dT/1T at max"
                 % nthreads), file=out)
    results, cpu = [], _CpuShare()
    for act in acts:
        for pass_ in passes:
            for dtype in dtypes:
                speedups = []
                for size in sizes:
                    bar.step("grain %s %s %s %s" % (act.name, pass_, dtype, format_size(size)))
                    fn = make_case(act, pass_, dtype, size).fastact
                    t = time_calls({1: _with_threads(fn, 1), 2: _with_threads(fn, nthreads)},
                                   repeats, idle)
                    speedups.append(t[1] / t[2])
                bar.clear()
                wins = [all(s > 1.05 for s in speedups[i:i + 3])
                        for i in range(len(speedups))]
                cross = sizes[wins.index(True)] if any(wins) else None
                grain = act.spec.grain
                # Below 2 grains the build never threads: a crossover at the
                # first threaded size is an upper bound.
                bound = cross is not None and cross < 2 * grain * 1.5
                results.append(dict(function=act.name, dtype=dtype, build_grain=grain,
                                    crossover=cross, grain=cross and cross // 2,
                                    upper_bound=bound, sizes=sizes,
                                    speedups=speedups, **{"pass": pass_}))
                print(row % (act.name, pass_, dtype, grain, format_size(2 * grain),
                             "never" if cross is None else ("<=" if bound else "") + str(cross),
                             "-" if cross is None else ("<=" if bound else "") + str(cross // 2),
                             "%.2fx" % speedups[-1]), file=out, flush=True)
    notes = list(filter(None, [cpu.warning()]))
    if any(r["upper_bound"] for r in results):
        notes.append("<=: threads win from the first size this build threads at; the best "
                     "grain may be smaller (measure a small-grain build: tools/measure_grain.py)")
    for note in notes:
        print(note, file=out)
    return results, notes


def _with_threads(fn, n):
    # Each call sets its own count (cheaper than a with-block, which would
    # add microseconds to both sides of the smallest sizes).
    def call():
        fa.set_num_threads(n)
        return fn()
    return call


# ---- command line ---------------------------------------------------------

def _list_of(parse):
    """An argparse type: comma-separated values, each through parse()."""
    def parse_list(text):
        items = [s.strip() for s in text.split(",") if s.strip()]
        if not items:
            raise argparse.ArgumentTypeError("expected a comma-separated list")
        return tuple(parse(s) for s in items)
    return parse_list


def _choice(kind, valid):
    def parse(s):
        if s not in valid:
            raise argparse.ArgumentTypeError(
                "unknown %s %r; valid: %s" % (kind, s, ", ".join(valid)))
        return s
    return parse


def _function_names():
    return [a.name for a in fa.catalog()] + list(AXIS_FUNCTIONS) + ["prelu"]


def _function(s):
    return _choice("function", _function_names())(s)


def _size(s):
    try:
        n = float(s)
    except ValueError:
        n = None
    if n is None or n != int(n) or n < 1:
        raise argparse.ArgumentTypeError("size %r is not a positive integer "
                                         "(e.g. 1000 or 1e6)" % s)
    return int(n)


def _matrix(s):
    """ROWSxCOLS, e.g. 4096x1000: the array of the softmax and GLU rows."""
    parts = s.lower().split("x")
    try:
        if len(parts) != 2:
            raise argparse.ArgumentTypeError("")
        return tuple(_size(part) for part in parts)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError("matrix %r is not ROWSxCOLS of positive integers "
                                         "(e.g. 4096x1000)" % s) from None


def _positive_int(s):
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError("%r is not an integer >= 1" % s)
    return n


def _milliseconds(s):
    """--idle MS as seconds."""
    try:
        ms = float(s)
    except ValueError:
        ms = -1.0
    if not 0 <= ms <= 1000:
        raise argparse.ArgumentTypeError("%r is not a number of milliseconds in [0, 1000]" % s)
    return ms / 1e3


def _output(s):
    """An argparse type: a file to write, or - for stdout."""
    if s != "-" and not os.path.isdir(os.path.dirname(os.path.abspath(s))):
        raise argparse.ArgumentTypeError("cannot write %r: no such directory" % s)
    return s


def add_arguments(parser):
    names = ", ".join(_function_names())
    parser.add_argument("--quick", action="store_true",
                        help="a few seconds: sizes 1e5,1e6 and fewer repeats")
    parser.add_argument("--functions", type=_list_of(_function), metavar="F,...",
                        help="activations to run (default: all of %s)" % names)
    parser.add_argument("--passes", type=_list_of(_choice("pass", PASSES)),
                        metavar="P,...", help="forward, backward "
                        "(default: both; with --grain forward)")
    parser.add_argument("--dtypes", type=_list_of(_choice("dtype", DTYPES)),
                        metavar="D,...", help="default: float32,float64")
    parser.add_argument("--sizes", type=_list_of(_size), metavar="N,...",
                        help="elements per array, e.g. 1000,1e6 "
                        "(default: 1e3,1e5,1e6; with --quick 1e5,1e6; with "
                        "--grain 1024 to 8e6 in steps of sqrt(2)); the softmax, "
                        "GLU and prelu rows take --matrix")
    parser.add_argument("--matrix", type=_matrix, metavar="ROWSxCOLS",
                        help="the array of the softmax and GLU rows, along each "
                        "axis, which the GLUs split in halves; prelu's batches have "
                        "as many elements (default: 4096x1000; with --quick 512x1000)")
    parser.add_argument("--threads", type=_list_of(_positive_int), metavar="N,...",
                        help="fastact (and torch) threads; a list such as 1,2 "
                        "runs each row per count and adds the speed-up over the "
                        "fewest (default: fastact.get_num_threads())")
    parser.add_argument("--repeats", type=_positive_int, metavar="N",
                        help="timed loops per measurement; the minimum is "
                        "reported (default: %d; with --quick %d)"
                        % (DEFAULT["repeats"], QUICK["repeats"]))
    parser.add_argument("--plot", type=_output, metavar="FILE.png",
                        help="plot ns/element against size (needs matplotlib: "
                        "pip install 'fastact[plot]')")
    add_output_arguments(parser)
    parser.add_argument("--grain", action="store_true",
                        help="instead of the table: for each function and dtype, "
                        "the smallest size at which 2 threads (or the largest of "
                        "--threads) beat 1, next to the catalog's grain")
    parser.add_argument("--idle", type=_milliseconds, default=0.0, metavar="MS",
                        help="with --grain: sleep MS milliseconds before each timed "
                        "call, as between the calls of a program doing other work "
                        "(OpenMP's threads then sleep too and must be woken; "
                        "default 0: back-to-back calls)")


def add_output_arguments(parser):
    """--json, --csv and --progress, shared by the commands (see
    check_output_arguments)."""
    parser.add_argument("--json", type=_output, metavar="FILE|-",
                        help="also write the rows and the configuration as JSON "
                        "(- for stdout; the table then goes to stderr)")
    parser.add_argument("--csv", type=_output, metavar="FILE|-",
                        help="also write the rows as CSV (- for stdout, as --json)")
    parser.add_argument("--progress", action=argparse.BooleanOptionalAction,
                        help="show progress on stderr (default: when stderr is "
                        "a terminal)")


def check_output_arguments(args, command="bench"):
    """(progress wanted, the stream for the table) for add_output_arguments'
    options; exits with 2 when both would write to stdout."""
    if args.json == "-" and args.csv == "-":
        _fail("--json - and --csv - cannot both write to stdout", command)
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    return progress, sys.stderr if "-" in (args.json, args.csv) else sys.stdout


def _fail(message, command="bench"):
    print("fastact %s: error: %s" % (command, message), file=sys.stderr)
    raise SystemExit(2)


def main(args):
    """Run the bench for parsed command-line arguments."""
    progress, table_out = check_output_arguments(args)
    if args.plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            _fail("--plot needs matplotlib: pip install 'fastact[plot]' "
                  "(or pip install matplotlib)")
    settings = dict(DEFAULT, **QUICK) if args.quick else dict(DEFAULT)
    for key in ("dtypes", "sizes", "repeats", "matrix"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    with fa.threads(fa.get_num_threads()):  # restored afterwards
        if args.idle and not args.grain:
            _fail("--idle applies to --grain only")
        if args.grain:
            if args.csv or args.plot:
                _fail("--csv and --plot do not apply to --grain (use --json)")
            results, notes = measure_grain(
                args.functions, args.passes or ("forward",), settings["dtypes"],
                args.sizes or GRAIN_SIZES, repeats=args.repeats or GRAIN_REPEATS,
                nthreads=max(args.threads or (2,)),
                progress=progress, idle=args.idle,
                out=sys.stderr if args.json == "-" else sys.stdout)
            if args.json:
                meta = metadata(args.repeats or GRAIN_REPEATS, None, args.threads or (2,))
                write_json(results, dict(meta, notes=notes, idle_ms=args.idle * 1e3),
                           args.json)
            return 0
        records, meta = run(functions=args.functions, passes=args.passes or PASSES,
                            threads=args.threads, progress=progress, out=table_out,
                            **settings)
    if args.json:
        write_json(records, meta, args.json)
    if args.csv:
        write_csv(records, args.csv)
    if args.plot:
        plot(records, args.plot)
    return 0
