"""THE table of per-function knowledge the tests use: one entry per activation.

Every test is parametrized over the registry (``fastact.catalog()``) and
looks its function up here with ``reference(name)``.  A function that is in
the catalog but not in this table makes every test that touches it FAIL, so
a new activation cannot be added without independent references.

Each entry gives, written independently of fastact's C kernels:

forward, derivative(x, **params)
    float64 NumPy/SciPy implementations (scipy.special.expit, np.tanh,
    np.where ...), exact at special values: NaN -> NaN, +-inf -> the
    mathematical limits, and the documented sign of zero.
derivative_from_y(y, **params)
    f'(x) written with y = f(x), or None when the derivative is not a
    function of the output (then ``backward`` needs x).
lipschitz_from_y
    a bound on |d derivative_from_y / dy| over the output range: how much
    an error of one ulp in y moves the derivative computed from y.
mp_forward, mp_derivative(x, **params)
    mpmath versions (x an mpf), for the float64 accuracy checks.
defaults
    the parameters and their defaults, as the catalog must declare them.
param_cases
    parameter sets to test besides the defaults (``{}`` is the defaults).
kinks(**params)
    points where the derivative is discontinuous (finite differences and
    the accuracy check of derivatives stay away from them).
limits(**params)
    (lim f(x) for x -> -inf, lim f(x) for x -> +inf), which f(-inf) and
    f(inf) must be.
edge_param_cases
    degenerate parameters, tested only for the limits at infinity.
special
    documented exact values, checked bitwise (sign of zero included):
    rows (x, f(x), f'(x)) for the default parameters.
formula_words
    what the docstring must mention.
"""

from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import mpmath
import numpy as np
import pytest
import scipy.special

INF = np.inf
NAN = np.nan


@dataclass(frozen=True)
class Reference:
    forward: Callable
    derivative: Callable
    derivative_from_y: Optional[Callable]
    mp_forward: Callable
    mp_derivative: Callable
    defaults: Dict[str, float] = field(default_factory=dict)
    param_cases: Tuple[Dict[str, float], ...] = ({},)
    kinks: Callable = lambda **params: ()
    lipschitz_from_y: float = 0.0
    limits: Callable = lambda **params: (NAN, NAN)
    edge_param_cases: Tuple[Dict[str, float], ...] = ()
    special: Tuple[Tuple[float, float, float], ...] = ()
    formula_words: Tuple[str, ...] = ()

    @property
    def backward_uses(self):
        return "x" if self.derivative_from_y is None else "y"


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _quiet(func):
    """Run a reference with all floating-point warnings off (it is exact at
    special values by construction; the tests check fastact's warnings)."""

    def wrapper(x, **params):
        with np.errstate(all="ignore"):
            return func(_f64(x), **params)

    wrapper.__name__ = func.__name__
    return wrapper


# ---- sigmoid ----------------------------------------------------------------

# scipy's expit flushes to 0 below x = -709.78 (where exp(-x) overflows)
# although sigmoid(x) is a subnormal down to -745; there sigmoid(x) = exp(x)
# and sigmoid'(x) = exp(-|x|) to within 1e-300 relative.
_SIGMOID_TAIL = 700.0


@_quiet
def sigmoid(x):
    return np.where(x < -_SIGMOID_TAIL, np.exp(x), scipy.special.expit(x))


@_quiet
def sigmoid_derivative(x):
    # expit(x) * expit(-x): both factors accurate in both tails.
    return np.where(np.abs(x) > _SIGMOID_TAIL, np.exp(-np.abs(x)),
                    scipy.special.expit(x) * scipy.special.expit(-x))


@_quiet
def sigmoid_derivative_from_y(y):
    return y * (1.0 - y)


def mp_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def mp_sigmoid_derivative(x):
    e = mpmath.exp(-abs(x))
    return e / (1 + e) ** 2


# ---- tanh -------------------------------------------------------------------

@_quiet
def tanh(x):
    return np.tanh(x)


@_quiet
def tanh_derivative(x):
    # sech(x)^2 as (1 / cosh(x))^2: relative accuracy everywhere, and 1/inf
    # = 0 past cosh's overflow, where sech^2 is far below the smallest double.
    return (1.0 / np.cosh(x)) ** 2


@_quiet
def tanh_derivative_from_y(y):
    return 1.0 - y * y


def mp_tanh(x):
    return mpmath.tanh(x)


def mp_tanh_derivative(x):
    return mpmath.sech(x) ** 2


# ---- relu -------------------------------------------------------------------

@_quiet
def relu(x):
    # max(x, 0) with NaN propagated and relu(-0.0) = +0.0 (as np.maximum).
    return np.where(np.isnan(x), x, np.where(x > 0, x, 0.0))


@_quiet
def relu_derivative(x):
    # 0 at x == 0 (as torch); NaN for NaN.
    return np.where(np.isnan(x), NAN, np.where(x > 0, 1.0, 0.0))


@_quiet
def relu_derivative_from_y(y):
    return np.where(np.isnan(y), NAN, np.where(y > 0, 1.0, 0.0))


def mp_relu(x):
    return x if x > 0 else mpmath.mpf(0)


def mp_relu_derivative(x):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0)


# ---- leaky_relu -------------------------------------------------------------

@_quiet
def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, np.float64(negative_slope) * x)


@_quiet
def leaky_relu_derivative(x, negative_slope=0.01):
    slope = np.broadcast_to(_f64(negative_slope), np.broadcast_shapes(
        np.shape(x), np.shape(negative_slope)))
    return np.where(np.isnan(x), NAN, np.where(x > 0, 1.0, slope))


def mp_leaky_relu(x, negative_slope=0.01):
    return x if x > 0 else mpmath.mpf(negative_slope) * x


def mp_leaky_relu_derivative(x, negative_slope=0.01):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(negative_slope)


# ---- the table --------------------------------------------------------------

REFERENCES = {
    "sigmoid": Reference(
        forward=sigmoid,
        derivative=sigmoid_derivative,
        derivative_from_y=sigmoid_derivative_from_y,
        lipschitz_from_y=1.0,  # d/dy y(1-y) = 1 - 2y
        mp_forward=mp_sigmoid,
        mp_derivative=mp_sigmoid_derivative,
        limits=lambda: (0.0, 1.0),
        special=(
            (0.0, 0.5, 0.25),
            (-0.0, 0.5, 0.25),
            (INF, 1.0, 0.0),
            (-INF, 0.0, 0.0),
            (1000.0, 1.0, 0.0),
            (-1000.0, 0.0, 0.0),  # documented: sigmoid(-1000.0) is 0.0
            (1e30, 1.0, 0.0),
            (-1e30, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("exp(-x)",),
    ),
    "tanh": Reference(
        forward=tanh,
        derivative=tanh_derivative,
        derivative_from_y=tanh_derivative_from_y,
        lipschitz_from_y=2.0,  # d/dy (1 - y^2) = -2y
        mp_forward=mp_tanh,
        mp_derivative=mp_tanh_derivative,
        limits=lambda: (-1.0, 1.0),
        special=(
            (0.0, 0.0, 1.0),
            (-0.0, -0.0, 1.0),  # odd: tanh(-0.0) is -0.0
            (INF, 1.0, 0.0),
            (-INF, -1.0, 0.0),
            (1000.0, 1.0, 0.0),
            (-1000.0, -1.0, 0.0),
            (1e30, 1.0, 0.0),
            (-1e30, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("tanh(x)",),
    ),
    "relu": Reference(
        forward=relu,
        derivative=relu_derivative,
        derivative_from_y=relu_derivative_from_y,
        lipschitz_from_y=0.0,  # piecewise constant; exact from y
        mp_forward=mp_relu,
        mp_derivative=mp_relu_derivative,
        limits=lambda: (0.0, INF),
        kinks=lambda: (0.0,),
        special=(
            (0.0, 0.0, 0.0),  # derivative at 0 is 0, as torch
            (-0.0, 0.0, 0.0),  # relu(-0.0) is +0.0, like np.maximum(x, 0)
            (1.0, 1.0, 1.0),
            (-1.0, 0.0, 0.0),
            (INF, INF, 1.0),
            (-INF, 0.0, 0.0),
            (1e30, 1e30, 1.0),
            (-1e30, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("max(x, 0)",),
    ),
    "leaky_relu": Reference(
        forward=leaky_relu,
        derivative=leaky_relu_derivative,
        derivative_from_y=None,  # f' is not a function of y for all slopes
        mp_forward=mp_leaky_relu,
        mp_derivative=mp_leaky_relu_derivative,
        # slope * x -> -inf, +inf, or 0 for slope 0 (then it is relu)
        limits=lambda negative_slope=0.01: (
            -INF * np.sign(negative_slope) if negative_slope else 0.0, INF),
        edge_param_cases=({"negative_slope": 0.0},),
        defaults={"negative_slope": 0.01},
        param_cases=({}, {"negative_slope": 0.2}, {"negative_slope": 1.5},
                     {"negative_slope": -0.5}),
        kinks=lambda negative_slope=0.01: (0.0,),
        special=(
            (0.0, 0.0, 0.01),
            (-0.0, -0.0, 0.01),  # negative_slope * -0.0
            (2.0, 2.0, 1.0),
            (-2.0, -0.02, 0.01),
            (INF, INF, 1.0),
            (-INF, -INF, 0.01),
            (NAN, NAN, NAN),
        ),
        formula_words=("negative_slope * x",),
    ),
}


def reference(name):
    """The table entry for `name`; FAILS the calling test when there is none."""
    try:
        return REFERENCES[name]
    except KeyError:
        pytest.fail(
            "fastact.%s is in the catalog but has no entry in tests/references.py "
            "REFERENCES: add independent float64 and mpmath references (forward "
            "and derivative), its parameters and special values there" % name,
            pytrace=False,
        )
