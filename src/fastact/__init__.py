"""fastact: compiled activation functions for NumPy.

Every activation is an ``Activation`` whose forward pass, derivative, fused
value-and-derivative and backward pass are real NumPy ufuncs compiled from
one Cython template, with SIMD kernels chosen for this CPU at import::

    >>> import numpy as np, fastact as fa
    >>> x = np.array([-2.0, 0.0, 2.0], dtype=np.float32)
    >>> y = fa.sigmoid(x)
    >>> y.round(4), y.dtype
    (array([0.1192, 0.5   , 0.8808], dtype=float32), dtype('float32'))
    >>> fa.sigmoid.backward(np.ones_like(x), y=y).round(4)
    array([0.105, 0.25 , 0.105], dtype=float32)
    >>> fa.leaky_relu(x, negative_slope=0.1)
    array([-0.2,  0. ,  2. ], dtype=float32)

Axis-wise functions (softmax, log_softmax, glu, swiglu, geglu, prelu) are
plain functions with a ``backward`` attribute::

    >>> fa.softmax(np.array([[1000.0, 1000.0]]), axis=-1)
    array([[0.5, 0.5]])
"""

from typing import Any as _Any

from ._backend import OMP_WAIT as _OMP_WAIT, TARGET as _TARGET, built_targets as _built_targets
from ._backend import kernels as _kernels
from ._catalog import SPECS as _SPECS
# "name as name": re-exported for type checkers (mypy --strict), which do
# not read the computed __all__ below.
from ._activation import Activation as Activation
from ._axis import FUNCTIONS as _AXIS_FUNCTIONS
from ._axis import (geglu as geglu, glu as glu, log_softmax as log_softmax, prelu as prelu,
                    softmax as softmax, swiglu as swiglu)
from . import _named_ufuncs  # noqa: F401 (makes the ufuncs picklable)
from ._threads import (get_num_threads as get_num_threads, set_num_threads as set_num_threads,
                       threads as threads)

__version__ = "0.1.0"

ACTIVATIONS: dict[str, Activation] = {s.name: Activation(s, _kernels.UFUNCS) for s in _SPECS}
for _act in ACTIVATIONS.values():
    if _act.spec.option:
        _act.variants = {v: ACTIVATIONS[n] for v, n in _act.spec.option.choices.items()}
# Other names of the same objects: fastact.swish is fastact.silu.
ALIASES: dict[str, Activation] = {a: ACTIVATIONS[s.name] for s in _SPECS for a in s.aliases}
globals().update(ACTIVATIONS)
globals().update(ALIASES)
# The same names declared for type checkers, which cannot see through
# globals(); tests/test_typing.py checks them against the catalog.
sigmoid: Activation
tanh: Activation
relu: Activation
leaky_relu: Activation
relu6: Activation
hardtanh: Activation
elu: Activation
selu: Activation
celu: Activation
gelu: Activation
gelu_tanh: Activation
silu: Activation
mish: Activation
softplus: Activation
softsign: Activation
hardsigmoid: Activation
hardswish: Activation
log_sigmoid: Activation
tanhshrink: Activation
softshrink: Activation
hardshrink: Activation
threshold: Activation
squareplus: Activation
sparse_plus: Activation
sparse_sigmoid: Activation
swish: Activation
hard_silu: Activation


def catalog() -> list[Activation]:
    """The elementwise activations, in catalog order, as Activation objects."""
    return list(ACTIVATIONS.values())


def config() -> dict[str, _Any]:
    """How this fastact was built and what it runs: a dict (see show_config)."""
    import platform
    import numpy

    from . import _cpu

    return {
        "fastact": __version__,
        "numpy": numpy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_target": _TARGET.replace("_", "-"),
        "targets_built": [t.replace("_", "-") for t in _built_targets()],
        "targets_supported": [t.replace("_", "-") for t in _built_targets() if _cpu.supports(t)],
        "compiler": _kernels.COMPILER,
        "cflags": _kernels.CFLAGS,
        "openmp": _kernels.OPENMP_VERSION or None,
        "openmp_runtime": _openmp_runtime() if _kernels.OPENMP_VERSION else None,
        "omp_wait": _OMP_WAIT if _kernels.OPENMP_VERSION else None,
        "num_threads": get_num_threads(),
        "stream_min_bytes": _kernels.get_stream_min_bytes(),
    }


def _openmp_runtime() -> _Any:
    """The OpenMP runtime files loaded in this process, or None."""
    from ._backend import mapped_runtimes

    return ", ".join(sorted(mapped_runtimes() or ())) or None


def show_config() -> None:
    """Print the CPU target in use, the build (compiler, flags) and versions."""
    for key, value in config().items():
        if isinstance(value, list):
            value = ", ".join(value)
        print("%-18s %s" % (key + ":", value))


__all__ = ["Activation", "catalog", "config", "show_config", "get_num_threads",
           "set_num_threads", "threads", *ACTIVATIONS, *ALIASES, *_AXIS_FUNCTIONS]


# The training-loop layer (pure Python on top of the activations above).
from . import datasets as datasets, diagnostics as diagnostics, init as init  # noqa: E402
from . import nn as nn, optim as optim  # noqa: E402
