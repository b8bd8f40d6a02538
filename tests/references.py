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
required
    parameters without a default (threshold's); `defaults` then holds the
    values the generic tests call the function with.
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
    # parameters the function requires (no default in the catalog); the
    # tests give them the values in `defaults` (see conftest.py)
    required: Tuple[str, ...] = ()

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


# ---- helpers for the new entries ---------------------------------------------

def _mp_at(func, x, mask, **params):
    """mpmath func at x[mask] (float64 array back); the rest NaN.  For the
    few points near a root of a derivative, where every float64 formula
    cancels."""
    out = np.full(np.shape(x), NAN)
    xs = np.broadcast_to(x, out.shape)[mask]
    with mpmath.workdps(40):
        out[mask] = [float(func(mpmath.mpf(float(v)), **params)) for v in xs]
    return out


def _near_root(x0, radius=0.6):
    return lambda x: np.abs(x - x0) < radius


def _pieces(x, *cases, nan=True):
    """np.select over (condition, value) pairs, NaN where x is NaN."""
    conds, values = zip(*cases)
    out = np.select(conds, [np.broadcast_to(v, np.shape(x)) for v in values], NAN)
    return np.where(np.isnan(x), NAN, out) if nan else out


def _ld(x):
    return np.asarray(x, dtype=np.longdouble)


# ---- relu6, hardtanh ----------------------------------------------------------

@_quiet
def relu6(x):
    return np.where(np.isnan(x), x, np.where(x > 0, np.minimum(x, 6.0), 0.0))


@_quiet
def relu6_derivative(x):
    return _pieces(x, ((x > 0) & (x < 6), 1.0), (True, 0.0))


@_quiet
def hardtanh(x, min_val=-1.0, max_val=1.0):
    return np.where(x < min_val, min_val, np.where(x > max_val, max_val, x))


@_quiet
def hardtanh_derivative(x, min_val=-1.0, max_val=1.0):
    return _pieces(x, ((x > min_val) & (x < max_val), 1.0), (True, 0.0))


# ---- elu, selu, celu ------------------------------------------------------------

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SELU_SCALE_ALPHA = 1.7580993408473768  # the product, correctly rounded
MP_SELU_ALPHA = "1.6732632423543772848170429916717"
MP_SELU_SCALE = "1.0507009873554804934193349852946"


@_quiet
def elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(x))


@_quiet
def elu_derivative(x, alpha=1.0):
    return np.where(x > 0, 1.0, alpha * np.exp(x))


def mp_elu(x, alpha=1.0):
    return x if x > 0 else mpmath.mpf(alpha) * mpmath.expm1(x)


def mp_elu_derivative(x, alpha=1.0):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(alpha) * mpmath.exp(x)


@_quiet
def selu(x):
    return np.where(x > 0, SELU_SCALE * x, SELU_SCALE_ALPHA * np.expm1(x))


@_quiet
def selu_derivative(x):
    return np.where(x > 0, SELU_SCALE, SELU_SCALE_ALPHA * np.exp(x))


def mp_selu(x):
    s, a = mpmath.mpf(MP_SELU_SCALE), mpmath.mpf(MP_SELU_ALPHA)
    return s * (x if x > 0 else a * mpmath.expm1(x))


def mp_selu_derivative(x):
    s, a = mpmath.mpf(MP_SELU_SCALE), mpmath.mpf(MP_SELU_ALPHA)
    return s if x > 0 else s * a * mpmath.exp(x)


@_quiet
def celu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * np.expm1(_ld(x) / alpha).astype(np.float64))


@_quiet
def celu_derivative(x, alpha=1.0):
    # x / alpha in long double: exp(t) of a rounded t is off by |t| / 2 ulp
    return np.where(x > 0, 1.0, np.exp(_ld(x) / alpha).astype(np.float64))


def mp_celu(x, alpha=1.0):
    return x if x > 0 else mpmath.mpf(alpha) * mpmath.expm1(x / mpmath.mpf(alpha))


def mp_celu_derivative(x, alpha=1.0):
    return mpmath.mpf(1) if x > 0 else mpmath.exp(x / mpmath.mpf(alpha))


# ---- gelu, gelu_tanh, silu, mish ------------------------------------------------

def mp_gelu(x):
    if abs(x) > 1e4:  # mpmath's erfc overflows; exp(-x^2/2) < 1e-10**7
        return x if x > 0 else mpmath.mpf(0)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def mp_gelu_derivative(x):
    if abs(x) > 1e4:
        return mpmath.mpf(1 if x > 0 else 0)
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2 + x * mpmath.exp(-x * x / 2) / mpmath.sqrt(
        2 * mpmath.pi)


def _exp_neg_half_square(x):
    """exp(-x^2 / 2) with x^2 in long double (no 1500-ulp loss at x = -38)."""
    return np.exp(-_ld(x) ** 2 / 2).astype(np.float64)


@_quiet
def gelu(x):
    # Phi(x) = erfc(z) / 2, z = -x / sqrt 2; for z > 0.5 as exp(-x^2/2) erfcx(z) / 2
    # (scipy's erfc(z) is off by z^2 ulp from the rounding of z, and computes
    # 1 - erf(z) up to z = 1).
    z = -x / np.sqrt(2.0)
    tail = _exp_neg_half_square(x) * scipy.special.erfcx(z)
    phi2 = np.where(z > 0.5, tail, scipy.special.erfc(z))
    return np.where(np.isneginf(x), -0.0, 0.5 * x * phi2)


_GELU_X0 = -0.7517915246935645


@_quiet
def gelu_derivative(x):
    z = -x / np.sqrt(2.0)
    e = _exp_neg_half_square(x)
    phi2 = np.where(z > 0.5, e * scipy.special.erfcx(z), scipy.special.erfc(z))
    d = 0.5 * phi2 + np.where(np.isinf(x), 0.0, x * e / np.sqrt(2 * np.pi))
    d = np.where((d == 0) & (x < 0), -0.0, d)  # f' < 0 there: underflows to -0.0
    near = _near_root(_GELU_X0)(x)
    return np.where(near, _mp_at(mp_gelu_derivative, x, near), d)


_LD_PI = np.longdouble("3.14159265358979323846264338327950288")  # not np.pi, a double
MP_GELU_TANH_A = "0.044715"


def _gelu_tanh_v(x):
    """2 sqrt(2/pi) (x + 0.044715 x^3) in long double, for |x| <= 100."""
    xl = _ld(np.clip(x, -100, 100))
    return 2 * np.sqrt(2 / _LD_PI) * (
        xl + np.longdouble(MP_GELU_TANH_A) * xl ** 3)


@_quiet
def gelu_tanh(x):
    # 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation for x -> -inf
    s = 1 / (1 + np.exp(-_gelu_tanh_v(x)))
    return np.where(np.isneginf(x), -0.0, (x * s).astype(np.float64))


def mp_gelu_tanh(x):
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf(MP_GELU_TANH_A) * x ** 3)
    return x / (1 + mpmath.exp(-2 * u))


def mp_gelu_tanh_derivative(x):
    c, a = mpmath.sqrt(2 / mpmath.pi), mpmath.mpf(MP_GELU_TANH_A)
    u = c * (x + a * x ** 3)
    s = 1 / (1 + mpmath.exp(-2 * u))  # (1 + tanh u) / 2
    return s + x * 2 * s * (1 - s) * c * (1 + 3 * a * x * x)


_GELU_TANH_X0 = -0.7524614220710163


@_quiet
def gelu_tanh_derivative(x):
    v = _gelu_tanh_v(x)
    s, sm = 1 / (1 + np.exp(-v)), 1 / (1 + np.exp(v))
    xl = _ld(np.clip(x, -100, 100))
    dv = 2 * np.sqrt(2 / _LD_PI) * (
        1 + 3 * np.longdouble(MP_GELU_TANH_A) * xl ** 2)
    d = (s * (1 + xl * sm * dv)).astype(np.float64)
    near = _near_root(_GELU_TANH_X0)(x)
    return np.where(near, _mp_at(mp_gelu_tanh_derivative, x, near), d)


@_quiet
def silu(x):
    return np.where(np.isneginf(x), -0.0, x * sigmoid(x))


def mp_silu(x):
    return x / (1 + mpmath.exp(-x))


def mp_silu_derivative(x):
    s = 1 / (1 + mpmath.exp(-x))
    return s * (1 + x * (1 - s))


_SILU_X0 = -1.2784645427610737


@_quiet
def silu_derivative(x):
    xc = np.clip(x, -1000, 1000)
    d = sigmoid(x) * (1 + xc * sigmoid(-x))
    near = _near_root(_SILU_X0)(x)
    return np.where(near, _mp_at(mp_silu_derivative, x, near), d)


@_quiet
def mish(x):
    t = np.tanh(np.logaddexp(0.0, x))
    return np.where(np.isneginf(x), -0.0, x * t)


def mp_mish(x):
    return x * mpmath.tanh(mpmath.log1p(mpmath.exp(x)))


def mp_mish_derivative(x):
    sp = mpmath.log1p(mpmath.exp(x))
    return mpmath.tanh(sp) + x * mpmath.sech(sp) ** 2 / (1 + mpmath.exp(-x))


_MISH_X0 = -1.1924312145154952


@_quiet
def mish_derivative(x):
    sp = np.logaddexp(0.0, x)
    xc = np.clip(x, -1000, 1000)
    d = np.tanh(sp) + xc * (1 / np.cosh(sp)) ** 2 * sigmoid(x)
    d = np.where((d == 0) & (x < 0), -0.0, d)  # f' < 0 there: underflows to -0.0
    # cancels over a wide range below the root; not near 0, where f' ~ 0.6
    # (and half of all floats lie: mpmath there would take minutes)
    near = _near_root(_MISH_X0, 1.3)(x) & (x < -0.1)
    return np.where(near, _mp_at(mp_mish_derivative, x, near), d)


# ---- softplus, log_sigmoid, tanhshrink, softsign ---------------------------------

@_quiet
def softplus(x, beta=1.0, threshold=20.0):
    bx = beta * x
    return np.where(bx > threshold, x, np.logaddexp(0.0, bx) / beta)


@_quiet
def softplus_derivative(x, beta=1.0, threshold=20.0):
    bx = beta * x
    return np.where(np.isnan(x), NAN, np.where(bx > threshold, 1.0, sigmoid(bx)))


def mp_softplus(x, beta=1.0, threshold=20.0):
    b = mpmath.mpf(beta)
    return x if b * x > threshold else mpmath.log1p(mpmath.exp(b * x)) / b


def mp_softplus_derivative(x, beta=1.0, threshold=20.0):
    b = mpmath.mpf(beta)
    return mpmath.mpf(1) if b * x > threshold else 1 / (1 + mpmath.exp(-b * x))


@_quiet
def log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


@_quiet
def log_sigmoid_derivative(x):
    return sigmoid(-x)


@_quiet
def log_sigmoid_derivative_from_y(y):
    return -np.expm1(y)


def mp_log_sigmoid(x):
    return -mpmath.log1p(mpmath.exp(-x))


def mp_log_sigmoid_derivative(x):
    return 1 / (1 + mpmath.exp(x))


def _tanhshrink_series(n=40):
    """(x - tanh x) / x^3 = sum c_k x^(2k): from tanh's Taylor series
    (Bernoulli numbers)."""
    c = []
    for k in range(2, n + 2):
        b = mpmath.bernoulli(2 * k)
        c.append(-float(4 ** k * (4 ** k - 1) * b / mpmath.factorial(2 * k)))
    return np.array(c[::-1])  # highest power first, for np.polyval


_TANHSHRINK_SERIES = _tanhshrink_series()


@_quiet
def tanhshrink(x):
    ax = np.abs(x)
    small = x * x * x * np.polyval(_TANHSHRINK_SERIES, x * x)
    # |x| >= 1: (|x| - 1) exact, 2 sigmoid(-2|x|) = 1 - tanh|x|
    large = np.sign(x) * ((ax - 1) + 2 * scipy.special.expit(-2 * ax))
    return np.where(ax < 1, small, np.where(np.isnan(x), x, large))


@_quiet
def tanhshrink_derivative(x):
    return np.tanh(x) ** 2


def mp_tanhshrink(x):
    return x - mpmath.tanh(x)


def mp_tanhshrink_derivative(x):
    return mpmath.tanh(x) ** 2


@_quiet
def softsign(x):
    return np.where(np.isinf(x), np.sign(x), x / (1 + np.abs(x)))


@_quiet
def softsign_derivative(x):
    return (1 / (1 + np.abs(x))) ** 2


@_quiet
def softsign_derivative_from_y(y):
    return (1 - np.abs(y)) ** 2


# ---- hard*, shrinks, threshold, squareplus, sparse_* ------------------------------

@_quiet
def hardsigmoid(x):
    return np.where(x <= -3, 0.0, np.where(x >= 3, 1.0, (x + 3) / 6))


@_quiet
def hardsigmoid_derivative(x):
    return _pieces(x, ((x > -3) & (x < 3), 1 / 6), (True, 0.0))


@_quiet
def hardsigmoid_derivative_from_y(y):
    return _pieces(y, ((y > 0) & (y < 1), 1 / 6), (True, 0.0))


@_quiet
def hardswish(x):
    return np.where(x <= -3, -0.0, np.where(x >= 3, x, x * (x + 3) / 6))


@_quiet
def hardswish_derivative(x):
    return _pieces(x, (x < -3, 0.0), (x <= 3, (2 * x + 3) / 6), (True, 1.0))


@_quiet
def softshrink(x, lambd=0.5):
    return np.where(np.isnan(x), x,
                    np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0.0)))


@_quiet
def shrink_derivative(x, lambd=0.5):
    return _pieces(x, (np.abs(x) > lambd, 1.0), (True, 0.0))


@_quiet
def shrink_derivative_from_y(y, lambd=0.5):
    return _pieces(y, (y != 0, 1.0), (True, 0.0))


@_quiet
def hardshrink(x, lambd=0.5):
    return np.where(np.isnan(x), x, np.where(np.abs(x) > lambd, x, 0.0))


def _shrink_reference(forward, mp_forward, special, formula_words):
    """softshrink and hardshrink: the same derivative, parameter and zeros."""
    return Reference(
        forward=forward,
        derivative=shrink_derivative,
        derivative_from_y=shrink_derivative_from_y,  # y != 0 iff |x| > lambd
        lipschitz_from_y=0.0,
        mp_forward=mp_forward,
        mp_derivative=lambda x, lambd=0.5: mpmath.mpf(1 if abs(x) > lambd else 0),
        defaults={"lambd": 0.5},
        param_cases=({}, {"lambd": 0.0}, {"lambd": 2.25}),
        limits=lambda lambd=0.5: (-INF, INF),
        kinks=lambda lambd=0.5: (-lambd, lambd),
        special=((0.0, 0.0, 0.0), (-0.0, 0.0, 0.0), (0.5, 0.0, 0.0)) + special
        + ((INF, INF, 1.0), (-INF, -INF, 1.0), (NAN, NAN, NAN)),
        formula_words=formula_words,
    )


@_quiet
def threshold(x, threshold=0.5, value=-1.0):
    return np.where(np.isnan(x), x, np.where(x > threshold, x, value))


@_quiet
def threshold_derivative(x, threshold=0.5, value=-1.0):
    return _pieces(x, (x > threshold, 1.0), (True, 0.0))


@_quiet
def squareplus(x, b=4.0):
    # long double: x^2 + b neither overflows below 1e2466 nor cancels for
    # x < 0 at this precision once written as b / (s - x)
    xl = _ld(x)
    s = np.sqrt(xl * xl + b)
    y = np.where(x >= 0, (xl + s) / 2, b / (2 * (s - xl)))
    return np.where(np.isposinf(x), INF, y.astype(np.float64))


@_quiet
def squareplus_derivative(x, b=4.0):
    xl = _ld(x)
    s = np.sqrt(xl * xl + b)
    d = np.where(x >= 0, (1 + xl / s) / 2, b / (2 * s * (s - xl)))
    d = np.where(s == 0, 0.5, d)  # b = 0 at x = 0: the mean of the one-sided slopes
    return np.where(np.isposinf(x), 1.0, d.astype(np.float64))


def mp_squareplus(x, b=4.0):
    # for x < 0 as b / (2 (s - x)): x + s cancels beyond 256 bits at x = -1e300
    s = mpmath.sqrt(x * x + mpmath.mpf(b))
    return (x + s) / 2 if x >= 0 else mpmath.mpf(b) / (2 * (s - x))


def mp_squareplus_derivative(x, b=4.0):
    s = mpmath.sqrt(x * x + mpmath.mpf(b))
    return (1 + x / s) / 2 if x >= 0 else mpmath.mpf(b) / (2 * s * (s - x))


@_quiet
def sparse_plus(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))


@_quiet
def sparse_plus_derivative(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))


@_quiet
def sparse_sigmoid(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, 1.0, (x + 1) / 2))


@_quiet
def sparse_sigmoid_derivative(x):
    return _pieces(x, ((x > -1) & (x < 1), 0.5), (True, 0.0))


@_quiet
def sparse_sigmoid_derivative_from_y(y):
    return _pieces(y, ((y > 0) & (y < 1), 0.5), (True, 0.0))


def _gated_reference(forward, derivative, mp_forward, mp_derivative, far, formula_words):
    """x * gate(x) with gate(-inf) = 0, gate(0) = 1/2, gate(inf) = 1 (gelu,
    gelu_tanh, silu): f' < 0 below its root, so the zeros there are -0.0."""
    return Reference(
        forward=forward,
        derivative=derivative,
        derivative_from_y=None,
        mp_forward=mp_forward,
        mp_derivative=mp_derivative,
        limits=lambda: (-0.0, INF),
        special=(
            (0.0, 0.0, 0.5),
            (-0.0, -0.0, 0.5),
            (far, -0.0, -0.0),
            (1000.0, 1000.0, 1.0),
            (INF, INF, 1.0),
            (-INF, -0.0, -0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=formula_words,
    )


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
    "relu6": Reference(
        forward=relu6,
        derivative=relu6_derivative,
        derivative_from_y=relu6_derivative,  # 0 < y < 6 exactly when 0 < x < 6
        lipschitz_from_y=0.0,
        mp_forward=lambda x: min(max(x, mpmath.mpf(0)), mpmath.mpf(6)),
        mp_derivative=lambda x: mpmath.mpf(1 if 0 < x < 6 else 0),
        limits=lambda: (0.0, 6.0),
        kinks=lambda: (0.0, 6.0),
        special=(
            (0.0, 0.0, 0.0),
            (-0.0, 0.0, 0.0),  # +0.0, as relu
            (3.0, 3.0, 1.0),
            (6.0, 6.0, 0.0),
            (7.0, 6.0, 0.0),
            (-1.0, 0.0, 0.0),
            (INF, 6.0, 0.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("min(max(x, 0), 6)",),
    ),
    "hardtanh": Reference(
        forward=hardtanh,
        derivative=hardtanh_derivative,
        derivative_from_y=hardtanh_derivative,  # y inside (min, max) iff x is
        lipschitz_from_y=0.0,
        mp_forward=lambda x, min_val=-1.0, max_val=1.0: min(max(x, mpmath.mpf(min_val)),
                                                             mpmath.mpf(max_val)),
        mp_derivative=lambda x, min_val=-1.0, max_val=1.0: mpmath.mpf(
            1 if min_val < x < max_val else 0),
        defaults={"min_val": -1.0, "max_val": 1.0},
        param_cases=({}, {"min_val": -2.0, "max_val": 3.0}, {"min_val": 0.0, "max_val": 6.0},
                     {"min_val": 0.5, "max_val": 0.5}),
        limits=lambda min_val=-1.0, max_val=1.0: (min_val, max_val),
        kinks=lambda min_val=-1.0, max_val=1.0: (min_val, max_val),
        special=(
            (0.0, 0.0, 1.0),
            (-0.0, -0.0, 1.0),
            (1.0, 1.0, 0.0),
            (-1.0, -1.0, 0.0),
            (0.5, 0.5, 1.0),
            (5.0, 1.0, 0.0),
            (INF, 1.0, 0.0),
            (-INF, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("min_val", "max_val"),
    ),
    "elu": Reference(
        forward=elu,
        derivative=elu_derivative,
        derivative_from_y=None,  # y + alpha cancels, and alpha = 0 hides x
        mp_forward=mp_elu,
        mp_derivative=mp_elu_derivative,
        defaults={"alpha": 1.0},
        param_cases=({}, {"alpha": 0.3}, {"alpha": 2.5}),
        limits=lambda alpha=1.0: (-alpha, INF),
        edge_param_cases=({"alpha": 0.0},),
        kinks=lambda alpha=1.0: (0.0,),
        special=(
            (0.0, 0.0, 1.0),
            (-0.0, -0.0, 1.0),
            (1.0, 1.0, 1.0),
            (-1000.0, -1.0, 0.0),
            (INF, INF, 1.0),
            (-INF, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("exp(x) - 1",),
    ),
    "selu": Reference(
        forward=selu,
        derivative=selu_derivative,
        derivative_from_y=None,
        mp_forward=mp_selu,
        mp_derivative=mp_selu_derivative,
        limits=lambda: (-SELU_SCALE_ALPHA, INF),
        kinks=lambda: (0.0,),
        special=(
            (0.0, 0.0, SELU_SCALE_ALPHA),
            (-0.0, -0.0, SELU_SCALE_ALPHA),
            (1.0, SELU_SCALE, SELU_SCALE),
            (-1000.0, -SELU_SCALE_ALPHA, 0.0),
            (INF, INF, SELU_SCALE),
            (-INF, -SELU_SCALE_ALPHA, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("1.6732632423543772848170429916717", "1.0507009873554804934193349852946"),
    ),
    "celu": Reference(
        forward=celu,
        derivative=celu_derivative,
        derivative_from_y=None,
        mp_forward=mp_celu,
        mp_derivative=mp_celu_derivative,
        defaults={"alpha": 1.0},
        param_cases=({}, {"alpha": 0.3}, {"alpha": 2.5}),
        limits=lambda alpha=1.0: (-alpha, INF),
        kinks=lambda alpha=1.0: (0.0,),
        special=(
            (0.0, 0.0, 1.0),
            (-0.0, -0.0, 1.0),
            (1.0, 1.0, 1.0),
            (-1000.0, -1.0, 0.0),
            (INF, INF, 1.0),
            (-INF, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("exp(x / alpha) - 1",),
    ),
    "gelu": _gated_reference(gelu, gelu_derivative, mp_gelu, mp_gelu_derivative,
                             far=-40.0,  # below the smallest double, silently
                             formula_words=("erfc(-x / sqrt(2))",)),
    "gelu_tanh": _gated_reference(gelu_tanh, gelu_tanh_derivative, mp_gelu_tanh,
                                  mp_gelu_tanh_derivative, far=-40.0,
                                  formula_words=("0.044715",)),
    # silu: not monotonic, so y does not determine x
    "silu": _gated_reference(silu, silu_derivative, mp_silu, mp_silu_derivative,
                             far=-1000.0, formula_words=("sigmoid(x)",)),
    "mish": Reference(
        forward=mish,
        derivative=mish_derivative,
        derivative_from_y=None,
        mp_forward=mp_mish,
        mp_derivative=mp_mish_derivative,
        limits=lambda: (-0.0, INF),
        special=(
            (0.0, 0.0, 0.6),
            (-0.0, -0.0, 0.6),
            (1000.0, 1000.0, 1.0),
            (INF, INF, 1.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("tanh(softplus(x))",),
    ),
    "softplus": Reference(
        forward=softplus,
        derivative=softplus_derivative,
        derivative_from_y=None,  # torch's: 1 exactly above the threshold
        mp_forward=mp_softplus,
        mp_derivative=mp_softplus_derivative,
        defaults={"beta": 1.0, "threshold": 20.0},
        param_cases=({}, {"beta": 2.0}, {"beta": 0.5, "threshold": 5.0},
                     {"threshold": 1000.0}),
        limits=lambda beta=1.0, threshold=20.0: (0.0, INF),
        kinks=lambda beta=1.0, threshold=20.0: (threshold / beta,),
        special=(
            (0.0, 0.6931471805599453, 0.5),
            (-0.0, 0.6931471805599453, 0.5),
            (1000.0, 1000.0, 1.0),  # documented
            (-1000.0, 0.0, 0.0),
            (INF, INF, 1.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("log(1 + exp(beta * x)) / beta",),
    ),
    "softsign": Reference(
        forward=softsign,
        derivative=softsign_derivative,
        derivative_from_y=softsign_derivative_from_y,
        lipschitz_from_y=2.0,  # d/dy (1 - |y|)^2
        mp_forward=lambda x: x / (1 + abs(x)),
        mp_derivative=lambda x: 1 / (1 + abs(x)) ** 2,
        limits=lambda: (-1.0, 1.0),
        kinks=lambda: (0.0,),  # f'' jumps at 0
        special=(
            (0.0, 0.0, 1.0),
            (-0.0, -0.0, 1.0),
            (1.0, 0.5, 0.25),
            (-3.0, -0.75, 0.0625),
            (INF, 1.0, 0.0),
            (-INF, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("x / (1 + |x|)",),
    ),
    "hardsigmoid": Reference(
        forward=hardsigmoid,
        derivative=hardsigmoid_derivative,
        derivative_from_y=hardsigmoid_derivative_from_y,
        lipschitz_from_y=0.0,
        mp_forward=lambda x: min(max((x + 3) / 6, mpmath.mpf(0)), mpmath.mpf(1)),
        mp_derivative=lambda x: mpmath.mpf(1) / 6 if -3 < x < 3 else mpmath.mpf(0),
        limits=lambda: (0.0, 1.0),
        kinks=lambda: (-3.0, 3.0),
        special=(
            (0.0, 0.5, 1 / 6),
            (-0.0, 0.5, 1 / 6),
            (3.0, 1.0, 0.0),
            (-3.0, 0.0, 0.0),
            (INF, 1.0, 0.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("min(max(x + 3, 0), 6) / 6",),
    ),
    "hardswish": Reference(
        forward=hardswish,
        derivative=hardswish_derivative,
        derivative_from_y=None,  # not monotonic
        mp_forward=lambda x: mpmath.mpf(0) if x <= -3 else x if x >= 3 else x * (x + 3) / 6,
        mp_derivative=lambda x: (mpmath.mpf(0) if x < -3 else (2 * x + 3) / 6 if x <= 3
                                 else mpmath.mpf(1)),
        limits=lambda: (-0.0, INF),
        kinks=lambda: (-3.0, 3.0),
        special=(
            (0.0, 0.0, 0.5),
            (-0.0, -0.0, 0.5),
            (-3.0, -0.0, -0.5),  # torch: x * 0 = -0.0; slope x/3 + 1/2 at -3
            (-5.0, -0.0, 0.0),
            (3.0, 3.0, 1.5),
            (-1.5, -0.375, 0.0),
            (INF, INF, 1.0),
            (-INF, -0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("x * min(max(x + 3, 0), 6) / 6",),
    ),
    "log_sigmoid": Reference(
        forward=log_sigmoid,
        derivative=log_sigmoid_derivative,
        derivative_from_y=log_sigmoid_derivative_from_y,
        lipschitz_from_y=1.0,  # d/dy -expm1(y) = -exp(y), y <= 0
        mp_forward=mp_log_sigmoid,
        mp_derivative=mp_log_sigmoid_derivative,
        limits=lambda: (-INF, -0.0),
        special=(
            (0.0, -0.6931471805599453, 0.5),
            (-0.0, -0.6931471805599453, 0.5),
            (-1000.0, -1000.0, 1.0),  # documented
            (1000.0, -0.0, 0.0),
            (INF, -0.0, 0.0),
            (-INF, -INF, 1.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("log(sigmoid(x))",),
    ),
    "tanhshrink": Reference(
        forward=tanhshrink,
        derivative=tanhshrink_derivative,
        derivative_from_y=None,
        mp_forward=mp_tanhshrink,
        mp_derivative=mp_tanhshrink_derivative,
        limits=lambda: (-INF, INF),
        special=(
            (0.0, 0.0, 0.0),
            (-0.0, -0.0, 0.0),
            (1000.0, 999.0, 1.0),
            (-1000.0, -999.0, 1.0),
            (INF, INF, 1.0),
            (-INF, -INF, 1.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("x - tanh(x)",),
    ),
    "softshrink": _shrink_reference(
        softshrink,
        lambda x, lambd=0.5: (x - lambd if x > lambd else x + lambd if x < -lambd
                              else mpmath.mpf(0)),
        ((1.0, 0.5, 1.0), (-1.0, -0.5, 1.0)),
        ("x - lambd",)),
    "hardshrink": _shrink_reference(
        hardshrink,
        lambda x, lambd=0.5: x if abs(x) > lambd else mpmath.mpf(0),
        ((1.0, 1.0, 1.0), (-1.0, -1.0, 1.0)),
        ("lambd",)),
    "threshold": Reference(
        forward=threshold,
        derivative=threshold_derivative,
        derivative_from_y=None,  # y == value is ambiguous
        mp_forward=lambda x, threshold, value: x if x > threshold else mpmath.mpf(value),
        mp_derivative=lambda x, threshold, value: mpmath.mpf(1 if x > threshold else 0),
        required=("threshold", "value"),
        defaults={"threshold": 0.5, "value": -1.0},
        param_cases=({}, {"threshold": -2.0, "value": 7.0}, {"threshold": 0.0, "value": 0.0}),
        limits=lambda threshold=0.5, value=-1.0: (value, INF),
        kinks=lambda threshold=0.5, value=-1.0: (threshold,),
        special=(
            (0.0, -1.0, 0.0),
            (0.5, -1.0, 0.0),
            (1.0, 1.0, 1.0),
            (INF, INF, 1.0),
            (-INF, -1.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("value",),
    ),
    "squareplus": Reference(
        forward=squareplus,
        derivative=squareplus_derivative,
        derivative_from_y=None,
        mp_forward=mp_squareplus,
        mp_derivative=mp_squareplus_derivative,
        defaults={"b": 4.0},
        param_cases=({}, {"b": 0.3}, {"b": 100.0}),
        limits=lambda b=4.0: (0.0, INF),
        edge_param_cases=({"b": 0.0},),
        special=(
            (0.0, 1.0, 0.5),
            (-0.0, 1.0, 0.5),
            (-1.5, 0.5, 0.2),
            (INF, INF, 1.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("sqrt(x**2 + b)",),
    ),
    "sparse_plus": Reference(
        forward=sparse_plus,
        derivative=sparse_plus_derivative,
        derivative_from_y=None,
        mp_forward=lambda x: (mpmath.mpf(0) if x <= -1 else x if x >= 1 else (x + 1) ** 2 / 4),
        mp_derivative=lambda x: (mpmath.mpf(0) if x <= -1 else mpmath.mpf(1) if x >= 1
                                 else (x + 1) / 2),
        limits=lambda: (0.0, INF),
        kinks=lambda: (-1.0, 1.0),  # f'' jumps: no finite differences across
        special=(
            (0.0, 0.25, 0.5),
            (-0.0, 0.25, 0.5),
            (-1.0, 0.0, 0.0),
            (1.0, 1.0, 1.0),
            (INF, INF, 1.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("(x + 1)**2 / 4",),
    ),
    "sparse_sigmoid": Reference(
        forward=sparse_sigmoid,
        derivative=sparse_sigmoid_derivative,
        derivative_from_y=sparse_sigmoid_derivative_from_y,
        lipschitz_from_y=0.0,
        mp_forward=lambda x: min(max((x + 1) / 2, mpmath.mpf(0)), mpmath.mpf(1)),
        mp_derivative=lambda x: mpmath.mpf(0.5) if -1 < x < 1 else mpmath.mpf(0),
        limits=lambda: (0.0, 1.0),
        kinks=lambda: (-1.0, 1.0),
        special=(
            (0.0, 0.5, 0.5),
            (-0.0, 0.5, 0.5),
            (-1.0, 0.0, 0.0),
            (1.0, 1.0, 0.0),
            (INF, 1.0, 0.0),
            (-INF, 0.0, 0.0),
            (NAN, NAN, NAN),
        ),
        formula_words=("(x + 1) / 2",),
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
