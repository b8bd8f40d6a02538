"""THE table of per-function knowledge: one entry per activation, for the
tests and for ``fastact accuracy`` (which is why it lives in the package).

Every test is parametrized over the registry (``fastact.catalog()``) and
looks its function up here (``tests/helpers.reference(name)``).  A function
that is in the catalog but not in this table makes every test that touches
it FAIL, so a new activation cannot be added without independent references.

Needs mpmath (the ``accuracy`` extra); ``import fastact`` never imports this.

Each entry gives, written independently of fastact's C kernels:

forward, derivative(x, **params)
    closed forms in NumPy, evaluated in the precision of x: float64 for any
    input but long double (a float32 input is computed in float64, exact to
    far below a float32 ulp), long double for long double input (11 more
    bits on x86: ``exact_float64`` uses them for float64 results).  Stable
    formulas, exact arguments where an exp of a large argument needs them
    (double-length products), exact at special values: NaN -> NaN, +-inf ->
    the mathematical limits, and the documented sign of zero.
derivative_terms(x, **params)
    (a, b) with f' = a + b, for the derivatives that cancel near a root of
    f' (gelu, gelu_tanh, silu, mish): the condition (|a| + |b|) / |a + b|
    estimates the error of the sum, point by point.  In float64,
    ``derivative`` recomputes the ill-conditioned points in long double,
    and those still ill-conditioned there with mpmath.
derivative_from_y(y, **params)
    f'(x) written with y = f(x), or None when the derivative is not a
    function of the output (then ``backward`` needs x).
lipschitz_from_y
    a bound on |d derivative_from_y / dy| over the output range: how much
    an error of one ulp in y moves the derivative computed from y.
mp_forward, mp_derivative(x, **params)
    mpmath versions (x an mpf), for validation and the points where the
    closed forms are not accurate enough for float64 results.
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

import functools
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional, Tuple

import mpmath
import numpy as np

INF = np.inf
NAN = np.nan
LD = np.longdouble
# Long double carries more bits than double (x86's 80-bit format: 64 bits)?
# Elsewhere (MSVC, arm64 macOS) it is double: float64 results then need mpmath.
EXTENDED = np.finfo(LD).nmant > np.finfo(np.float64).nmant
# mpmath's working precision: exact to far below a float64 ulp even where a
# formula cancels 60 bits.
MP_PREC = 192


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
    derivative_terms: Optional[Callable] = None

    @property
    def backward_uses(self):
        return "x" if self.derivative_from_y is None else "y"


def params_in(dtype, params, ref):
    """All parameters (the table's defaults filled in) as the loop of
    `dtype` sees them: a float32 loop rounds negative_slope=0.2 to float32,
    a float16 loop to float16.  Python floats (or float64 arrays) for the
    references."""
    dtype = np.dtype(dtype)
    return {k: float(np.asarray(v, dtype=dtype)) if np.ndim(v) == 0
            else np.asarray(v, dtype=dtype).astype(np.float64)
            for k, v in dict(ref.defaults, **params).items()}


# ---- working precision ---------------------------------------------------------

def _work(x):
    """x as a float64 array, or long double when it is long double."""
    x = np.asarray(x)
    return x if x.dtype == LD else x.astype(np.float64)


def _quiet(func):
    """A closed form, in the precision of its input (see _work), with all
    floating-point warnings off (it is exact at special values by
    construction; the tests check fastact's warnings)."""

    @functools.wraps(func)
    def wrapper(x, **params):
        x = _work(x)
        with np.errstate(all="ignore"):
            return np.asarray(func(x, **params), dtype=x.dtype)

    return wrapper


def _k(text, like):
    """The decimal constant `text` rounded to like's precision (not a double
    constant, which would cost long double its extra bits)."""
    return like.dtype.type(text)


def from_mp(value, dtype):
    """An mpf rounded to dtype; long double through two doubles of its
    mantissa (scaled: a double's subnormal range would cut them short)."""
    if dtype != LD or not value or not mpmath.isfinite(value):
        return np.dtype(dtype).type(float(value))
    m, e = mpmath.frexp(value)
    info = np.finfo(LD)
    if e > info.maxexp or e < info.minexp - info.nmant - 1:  # beyond long double
        return LD(np.copysign(np.inf if e > 0 else 0.0, float(value)))
    hi = float(m)
    return np.ldexp(LD(hi) + LD(float(m - hi)), int(e))


def _mp_k(value, dtype):
    """(hi, lo): an mpf constant to twice dtype's precision."""
    hi = from_mp(value, dtype)
    return hi, from_mp(value - _to_mp(hi), dtype)


def _to_mp(v):
    """A float64 or long double value as an exact mpf."""
    if not np.isfinite(v) or not v:
        return mpmath.mpf(float(v))
    m, e = np.frexp(v)
    hi = float(m)
    return mpmath.ldexp(mpmath.mpf(hi) + mpmath.mpf(float(m - type(m)(hi))), int(e))


# Double-length arithmetic in the working precision (Dekker, Knuth): the
# exact arguments of exp(-x^2/2), exp(-v(x)), exp(x / alpha).

def _split(a):
    """a = hi + lo, hi with the upper half of a's bits: products of halves
    are exact.  |a| < 2^(emax - p/2) (callers clamp)."""
    c = a.dtype.type(2.0 ** ((np.finfo(a.dtype).nmant + 2) // 2) + 1)
    t = c * a
    hi = t - (t - a)
    return hi, a - hi


def _two_prod(a, b):
    """a * b = p + err exactly (arrays of one precision)."""
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _two_sum(a, b):
    """a + b = s + err exactly."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _as(value, like):
    """A parameter (Python float or array) in like's precision."""
    return np.asarray(value, dtype=like.dtype)


def _expit2(hi, lo, m=1):
    """(m sigmoid(v), m sigmoid(-v)) for v = hi + lo, |lo| <= ulp(hi): from
    e = exp(-|v|), never overflowing, accurate in both tails.  A tiny
    m e is computed as (m exp(-|v|/2)) exp(-|v|/2): rounded once even
    where it is a subnormal double."""
    half = np.exp(-np.abs(hi) / 2) * (1 - np.sign(hi) * lo / 2)
    e = half * half
    mr = m / (1 + e)
    tiny = (mr * half) * half
    return np.where(hi > 0, mr, tiny), np.where(hi > 0, tiny, mr)


def _expit(x):
    return _expit2(x, 0)[0]


def _select(cond, true, false, *args):
    """true(*args) where cond, false(*args) elsewhere, each computed only
    on its own elements."""
    args = np.broadcast_arrays(cond, *args)
    cond, args = args[0], args[1:]
    out = np.empty(cond.shape, args[0].dtype)
    out[cond] = true(*(a[cond] for a in args))
    out[~cond] = false(*(a[~cond] for a in args))
    return out


def condition(a, b):
    """(|a| + |b|) / |a + b|: how much the rounding errors of a and b grow
    in their sum (1 where both are 0, inf where they cancel to 0)."""
    total = np.abs(a) + np.abs(b)
    s = np.abs(a + b)
    return np.where(s > 0, total / np.where(s > 0, s, 1), np.where(total > 0, INF, 1))


def mp_values(func, x, params=None):
    """func (an mpmath reference) at every x, as an object array of mpf."""
    params = params or {}
    with mpmath.workprec(MP_PREC):
        return np.array([func(mpmath.mpf(float(v)), **params)
                         for v in np.ravel(x)], dtype=object).reshape(np.shape(x))


def _mp_float64(func, x, params):
    """func at x rounded to float64 (the parameters as Python floats)."""
    return np.array([float(v) for v in np.ravel(mp_values(func, x, params))]).reshape(
        np.shape(x))


# float64 evaluation of a cancelling sum: long double where its condition
# exceeds _CANCEL_F64 (its error estimate, a few ulp of the terms times the
# condition, would pass ~1 ulp), mpmath where it exceeds _CANCEL_LD there.
_CANCEL_F64, _CANCEL_LD = 2.0, 256.0


def _cancelling(terms, mp_func):
    """f' = a + b with (a, b) = terms(x) (no parameters): in long double
    the plain sum; in float64 the sum with its ill-conditioned points
    recomputed, so a float64 result is within about an ulp."""

    @_quiet
    def derivative(x):
        a, b = terms(x)
        # f' < 0 below the root: where it underflows, -0.0
        d = np.where((a + b == 0) & (x < 0), -0.0, a + b)
        bad = condition(a, b) > _CANCEL_F64
        if x.dtype == LD or not np.any(bad):
            return d
        al, bl = terms(x[bad].astype(LD))
        d[bad] = (al + bl).astype(np.float64)
        worse = np.zeros_like(bad)
        worse[bad] = (condition(al, bl) > _CANCEL_LD) | (not EXTENDED)
        if np.any(worse):
            d[worse] = _mp_float64(mp_func, x[worse], {})
        return d

    return derivative


# ---- sigmoid ----------------------------------------------------------------

@_quiet
def sigmoid(x):
    return _expit(x)


@_quiet
def sigmoid_derivative(x):
    s, sm = _expit2(x, 0)
    return s * sm


@_quiet
def sigmoid_derivative_from_y(y):
    return y * (1 - y)


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
    # In long double: libm's coshl, not NumPy's SIMD cosh (several ulp off on
    # AVX-512 machines, which broke the 4 ulp backward test).
    x = np.asarray(x)
    return ((1 / np.cosh(x.astype(np.longdouble))) ** 2).astype(np.result_type(x, np.float64))


@_quiet
def tanh_derivative_from_y(y):
    # (1 - y)(1 + y): 1 - y is exact near 1, where 1 - y^2 would cancel
    return (1 - y) * (1 + y)


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
    return np.where(x > 0, x, _as(negative_slope, x) * x)


@_quiet
def leaky_relu_derivative(x, negative_slope=0.01):
    slope = np.broadcast_to(_as(negative_slope, x), np.broadcast_shapes(
        np.shape(x), np.shape(negative_slope)))
    return np.where(np.isnan(x), NAN, np.where(x > 0, 1.0, slope))


def mp_leaky_relu(x, negative_slope=0.01):
    return x if x > 0 else mpmath.mpf(negative_slope) * x


def mp_leaky_relu_derivative(x, negative_slope=0.01):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(negative_slope)


# ---- helpers for the piecewise entries ---------------------------------------------

def _pieces(x, *cases, nan=True):
    """np.select over (condition, value) pairs, NaN where x is NaN."""
    conds, values = zip(*cases)
    out = np.select(conds, [np.broadcast_to(v, np.shape(x)) for v in values], NAN)
    return np.where(np.isnan(x), NAN, out) if nan else out


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

MP_SELU_ALPHA = "1.6732632423543772848170429916717"
MP_SELU_SCALE = "1.0507009873554804934193349852946"
SELU_ALPHA = float(MP_SELU_ALPHA)
SELU_SCALE = float(MP_SELU_SCALE)
SELU_SCALE_ALPHA = 1.7580993408473768  # the product, correctly rounded
with mpmath.workprec(MP_PREC):
    _SELU_SCALE_ALPHA_TEXT = mpmath.nstr(
        mpmath.mpf(MP_SELU_SCALE) * mpmath.mpf(MP_SELU_ALPHA), 40)


@_quiet
def elu(x, alpha=1.0):
    return np.where(x > 0, x, _as(alpha, x) * np.expm1(x))


@_quiet
def elu_derivative(x, alpha=1.0):
    return np.where(x > 0, 1.0, _as(alpha, x) * np.exp(x))


def mp_elu(x, alpha=1.0):
    return x if x > 0 else mpmath.mpf(alpha) * mpmath.expm1(x)


def mp_elu_derivative(x, alpha=1.0):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(alpha) * mpmath.exp(x)


@_quiet
def selu(x):
    return np.where(x > 0, _k(MP_SELU_SCALE, x) * x,
                    _k(_SELU_SCALE_ALPHA_TEXT, x) * np.expm1(x))


@_quiet
def selu_derivative(x):
    return np.where(x > 0, _k(MP_SELU_SCALE, x), _k(_SELU_SCALE_ALPHA_TEXT, x) * np.exp(x))


def mp_selu(x):
    s, a = mpmath.mpf(MP_SELU_SCALE), mpmath.mpf(MP_SELU_ALPHA)
    return s * (x if x > 0 else a * mpmath.expm1(x))


def mp_selu_derivative(x):
    s, a = mpmath.mpf(MP_SELU_SCALE), mpmath.mpf(MP_SELU_ALPHA)
    return s if x > 0 else s * a * mpmath.exp(x)


def _celu_t(x, alpha):
    """x / alpha = t + tl to twice the working precision (|t| < 2^20):
    exp(t) of a rounded t is off by |t| / 2 ulp."""
    a = _as(alpha, x)
    t = x / a
    small = np.abs(t) < 2.0 ** 20
    p, pe = _two_prod(np.where(small, t, 0), a)
    return t, np.where(small, ((np.where(small, x, 0) - p) - pe) / a, 0)


@_quiet
def celu(x, alpha=1.0):
    t, tl = _celu_t(x, alpha)
    m = np.expm1(t)
    y = _as(alpha, x) * np.where(tl == 0, m, m + np.exp(t) * tl)
    # |t| < 2^-100: x itself, x (1 + t / 2 + ...) to far below an ulp of
    # the working precision, also where t underflowed (x / alpha of a
    # subnormal x in float64); keeps -0.0
    return np.where(x > 0, x, np.where(np.abs(t) < 2.0 ** -100, x, y))


@_quiet
def celu_derivative(x, alpha=1.0):
    t, tl = _celu_t(x, alpha)
    return np.where(x > 0, 1.0, np.exp(t) * (1 + tl))


def mp_celu(x, alpha=1.0):
    return x if x > 0 else mpmath.mpf(alpha) * mpmath.expm1(x / mpmath.mpf(alpha))


def mp_celu_derivative(x, alpha=1.0):
    return mpmath.mpf(1) if x > 0 else mpmath.exp(x / mpmath.mpf(alpha))


# ---- gelu: x Phi(x) -------------------------------------------------------------
# Phi, the normal distribution function, in the working precision: NumPy has
# no erfc, and SciPy's is double only.  |x| < 0.75: its Maclaurin series;
# 0.75 <= |x| <= 8: Taylor series around the nearest c = -j/8 (h = x - c
# exact, |h| <= 1/16) with Phi(c), phi(c) from mpmath; |x| > 8: the
# continued fraction of erfc.  exp(-x^2/2) with x^2 exact (split x).

_INV_SQRT_2PI = "0.398942280401432677939946059934381868475858631164934657666"
_INV_SQRT_PI = "0.564189583547756286948079451560772585844050629328998856844"
_SQRT_HALF = "0.707106781186547524400844362104849039284835937688474036588"
_PHI_CENTERS = 64  # c = -j/8, j <= 64


@functools.lru_cache(maxsize=None)
def _phi_table(dtype):
    with mpmath.workprec(MP_PREC):
        cs = [mpmath.mpf(-j) / 8 for j in range(_PHI_CENTERS + 1)]
        return (np.array([from_mp(mpmath.ncdf(c), dtype) for c in cs], dtype=dtype),
                np.array([from_mp(mpmath.npdf(c), dtype) for c in cs], dtype=dtype))


def _exp_neg_half_square(x, m=1):
    """m exp(-x^2 / 2), x^2 = hi^2 + (2 hi lo + lo^2) exact in its big part,
    rounded once where it is tiny (see _expit2)."""
    hi, lo = _split(x)
    half = np.exp(-(hi * hi) / 4)
    return ((m * np.exp(-(hi * lo + lo * lo / 2))) * half) * half


def _phi_lower(x):
    """Phi(x) for -8 <= x <= -0.75: Phi(c + h) = Phi(c) + phi(c) sum_n
    (-1)^(n-1) He_(n-1)(c) h^n / n! (He: Hermite polynomials)."""
    j = np.rint(-8 * x)
    c = -j / 8
    h = x - c
    cdf, pdf = _phi_table(x.dtype)
    idx = np.clip(j, 0, _PHI_CENTERS).astype(np.intp)
    he_prev, he = np.zeros_like(x), np.ones_like(x)
    power, total = np.ones_like(x), np.zeros_like(x)
    for n in range(1, 27):  # |term| < 2^-70 relative by n = 26
        power = power * h / n
        total = total + (he if n % 2 else -he) * power
        he_prev, he = he, c * he - (n - 1) * he_prev
    return cdf[idx] + pdf[idx] * total


def _phi_tail(x, m=1):
    """m Phi(x) for x < -8: erfc(t) / 2 = exp(-t^2) / (2 sqrt(pi) (t + K)),
    t = -x / sqrt 2, K = (1/2) / (t + 1 / (t + (3/2) / (t + ...))) (40
    levels are exact to 2^-70 from t = 5.6 on)."""
    t = -x * _k(_SQRT_HALF, x)
    k = np.zeros_like(x)
    for n in range(40, 0, -1):
        k = (n / 2) / (t + k)
    return _exp_neg_half_square(x, m * _k(_INV_SQRT_PI, x) / (2 * (t + k)))


def _phi_small(x):
    """Phi(x) for |x| < 0.75: 1/2 + x / sqrt(2 pi) sum_n (-x^2/2)^n / (n! (2n + 1))."""
    w = -(x * x) / 2
    term, series = np.ones_like(x), np.ones_like(x)
    for n in range(1, 19):
        term = term * w / n
        series = series + term / (2 * n + 1)
    return 0.5 + _k(_INV_SQRT_2PI, x) * x * series


def _phi(x):
    """Phi(x), each region computed only where it applies; 0 or 1 from
    |x| = 40 on (Phi(-40) < 1e-349: x Phi(x) and x phi(x) are below every
    double there, and most float32 inputs are out there)."""
    ax = np.abs(x)

    def mid(v):
        lower = _phi_lower(-np.abs(v))
        return np.where(v < 0, lower, 1 - lower)

    def tail(v):
        lower = _phi_tail(-np.abs(v))
        return np.where(v < 0, lower, 1 - lower)

    return np.piecewise(x, [ax < 0.75, (ax >= 0.75) & (ax <= 8), (ax > 8) & (ax < 40),
                            ax >= 40],
                        [_phi_small, mid, tail, lambda v: np.where(v < 0, 0.0, 1.0),
                         lambda v: v])  # NaN


@_quiet
def gelu(x):
    # below -8 from Phi's tail scaled by x (rounded once where tiny)
    return np.piecewise(x, [x <= -40, (x > -40) & (x < -8), (x >= -8) & (x < 40), x >= 40],
                        [lambda v: np.copysign(0.0, v), lambda v: _phi_tail(v, v),
                         lambda v: v * _phi(v), lambda v: v, lambda v: v])  # NaN


def _gelu_derivative_terms(x):
    # Phi(x) + x phi(x)
    xc = np.clip(x, -40, 40)
    return _phi(xc), _exp_neg_half_square(xc, xc * _k(_INV_SQRT_2PI, x))


def mp_gelu(x):
    if abs(x) > 1e4:  # mpmath's erfc overflows; exp(-x^2/2) < 1e-10**7
        return x if x > 0 else mpmath.mpf(0)
    return x * mpmath.erfc(-x / mpmath.sqrt(2)) / 2


def mp_gelu_derivative(x):
    if abs(x) > 1e4:
        return mpmath.mpf(1 if x > 0 else 0)
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2 + x * mpmath.exp(-x * x / 2) / mpmath.sqrt(
        2 * mpmath.pi)


gelu_derivative = _cancelling(_gelu_derivative_terms, mp_gelu_derivative)


# ---- gelu_tanh: x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3) --------------

MP_GELU_TANH_A = "0.044715"


@functools.lru_cache(maxsize=None)
def _gelu_tanh_k(dtype):
    """2 sqrt(2/pi) and 2 sqrt(2/pi) 0.044715, each as (hi, lo)."""
    with mpmath.workprec(MP_PREC):
        k1 = 2 * mpmath.sqrt(2 / mpmath.pi)
        return _mp_k(k1, dtype), _mp_k(k1 * mpmath.mpf(MP_GELU_TANH_A), dtype)


def _gelu_tanh_v(x):
    """(v, vl, xc): v + vl = k1 xc + k3 xc^3 to twice the working precision
    (exp(-|v|) at |v| ~ 700 needs v to the last bit), xc = x clamped to
    [-30, 30] (|v| > 1970 beyond: sigmoid(v) is 0 or 1 far below every
    double's resolution)."""
    (k1, k1l), (k3, k3l) = _gelu_tanh_k(x.dtype)
    xc = np.clip(x, -30, 30)
    p, pl = _two_prod(xc, xc)
    t, tl = _two_prod(np.full_like(p, k3), p)
    tl = tl + (k3 * pl + k3l * p)
    q, ql = _two_sum(np.full_like(t, k1), t)
    ql = ql + (tl + k1l)
    v, vl = _two_prod(xc, q)
    return v, vl + xc * ql, xc


def _gelu_tanh_near(x):
    v, vl, _ = _gelu_tanh_v(x)
    return _expit2(v, vl, x)[0]


@_quiet
def gelu_tanh(x):
    # x sigmoid(v) is -0.0 or x from |x| = 30 on (see _gelu_tanh_v)
    return _select(np.abs(x) < 30, _gelu_tanh_near, lambda v: np.where(v < 0, -0.0, v), x)


def _gelu_tanh_derivative_terms(x):
    # sigmoid(v) + x sigmoid(v) sigmoid(-v) v'(x)
    (k1, _), (k3, _) = _gelu_tanh_k(x.dtype)
    v, vl, xc = _gelu_tanh_v(x)
    s, sm = _expit2(v, vl)
    return s, _expit2(v, vl, xc * sm * (k1 + 3 * k3 * (xc * xc)))[0]


def mp_gelu_tanh(x):
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf(MP_GELU_TANH_A) * x ** 3)
    return x / (1 + mpmath.exp(-2 * u))


def mp_gelu_tanh_derivative(x):
    c, a = mpmath.sqrt(2 / mpmath.pi), mpmath.mpf(MP_GELU_TANH_A)
    u = c * (x + a * x ** 3)
    s = 1 / (1 + mpmath.exp(-2 * u))  # (1 + tanh u) / 2
    return s + x * 2 * s * (1 - s) * c * (1 + 3 * a * x * x)


gelu_tanh_derivative = _cancelling(_gelu_tanh_derivative_terms, mp_gelu_tanh_derivative)


# ---- silu, mish ----------------------------------------------------------------------

@_quiet
def silu(x):
    return np.where(np.isneginf(x), -0.0, _expit2(x, 0, x)[0])


def _silu_derivative_terms(x):
    # sigmoid(x) (1 + x sigmoid(-x))
    s, sm = _expit2(x, 0)
    return s, _expit2(x, 0, np.clip(x, -1000, 1000) * sm)[0]


def mp_silu(x):
    return x / (1 + mpmath.exp(-x))


def mp_silu_derivative(x):
    s = 1 / (1 + mpmath.exp(-x))
    return s * (1 + x * (1 - s))


silu_derivative = _cancelling(_silu_derivative_terms, mp_silu_derivative)


def _softplus1(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|))."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def _mish_parts(x):
    """(sp, q, half): softplus(x), and for x <= 0 q = tanh(sp) / e^x =
    (e + 2) / (e (e + 2) + 2) (tanh(log1p(e)) = e (e + 2) / (e (e + 2) + 2))
    and half = exp(x / 2), for tiny results rounded once (see _expit2)."""
    sp = _softplus1(x)
    e = np.exp(np.minimum(x, 0))
    return sp, (e + 2) / (e * (e + 2) + 2), np.exp(np.minimum(x, 0) / 2)


@_quiet
def mish(x):
    sp, q, half = _mish_parts(x)
    y = np.where(x > 0, x * np.tanh(sp), ((x * q) * half) * half)
    return np.where(np.isneginf(x), -0.0, y)


def _mish_derivative_terms(x):
    # tanh(sp) + x sech(sp)^2 sigmoid(x); for x <= 0 sigmoid(x) = e^x / (1 + e^x)
    sp, q, half = _mish_parts(x)
    xc = np.clip(x, -1000, 1000)
    m = xc * (1 / np.cosh(sp)) ** 2
    tiny_a = (q * half) * half
    tiny_b = ((m / (1 + half * half)) * half) * half
    return (np.where(x > 0, np.tanh(sp), tiny_a),
            np.where(x > 0, m * _expit(x), tiny_b))


def mp_mish(x):
    return x * mpmath.tanh(mpmath.log1p(mpmath.exp(x)))


def mp_mish_derivative(x):
    sp = mpmath.log1p(mpmath.exp(x))
    return mpmath.tanh(sp) + x * mpmath.sech(sp) ** 2 / (1 + mpmath.exp(-x))


mish_derivative = _cancelling(_mish_derivative_terms, mp_mish_derivative)


# ---- softplus, log_sigmoid, tanhshrink, softsign ---------------------------------

def _softplus_bx(x, beta):
    """beta x = hi + lo exactly (for |x| < 1e6: exp(-|beta x|) needs it)."""
    return _two_prod(np.clip(x, -1e6, 1e6), _as(beta, x))


def _softplus_above(x, beta, threshold):
    # the kernel's test: beta * x rounded to double, as the loop computes it
    return np.asarray(beta, dtype=np.float64) * x.astype(np.float64) > threshold


@_quiet
def softplus(x, beta=1.0, threshold=20.0):
    hi, lo = _softplus_bx(x, beta)
    e = np.exp(-np.abs(hi)) * (1 - np.sign(hi) * lo)
    # log(1 + exp(b x)) / b = max(x, 0) + log1p(exp(-|b x|)) / b for b > 0
    sp = np.maximum(x, 0) + np.log1p(e) / _as(beta, x)
    return np.where(_softplus_above(x, beta, threshold), x, sp)


@_quiet
def softplus_derivative(x, beta=1.0, threshold=20.0):
    s, _ = _expit2(*_softplus_bx(x, beta))
    return np.where(np.isnan(x), NAN, np.where(_softplus_above(x, beta, threshold), 1.0, s))


def mp_softplus(x, beta=1.0, threshold=20.0):
    b = mpmath.mpf(beta)
    return x if b * x > threshold else mpmath.log1p(mpmath.exp(b * x)) / b


def mp_softplus_derivative(x, beta=1.0, threshold=20.0):
    b = mpmath.mpf(beta)
    return mpmath.mpf(1) if b * x > threshold else 1 / (1 + mpmath.exp(-b * x))


@_quiet
def log_sigmoid(x):
    return -_softplus1(-x)


@_quiet
def log_sigmoid_derivative(x):
    return _expit(-x)


@_quiet
def log_sigmoid_derivative_from_y(y):
    # y > 0 is no output of log_sigmoid: NaN, as fastact's
    return np.where(np.asarray(y) > 0, np.nan, -np.expm1(y))


def mp_log_sigmoid(x):
    return -mpmath.log1p(mpmath.exp(-x))


def mp_log_sigmoid_derivative(x):
    return 1 / (1 + mpmath.exp(x))


@functools.lru_cache(maxsize=None)
def _tanhshrink_series(dtype):
    """(x - tanh x) / x^3 = sum c_k x^(2k), from tanh's Taylor series
    (Bernoulli numbers), highest power first (np.polyval): terms shrink
    like (2/pi)^(2k), so long double needs more of them at |x| -> 1."""
    n = 72 if np.dtype(dtype) == LD else 40
    c = []
    with mpmath.workprec(MP_PREC):
        for k in range(2, n + 2):
            b = mpmath.bernoulli(2 * k)
            c.append(from_mp(-(4 ** k * (4 ** k - 1) * b / mpmath.factorial(2 * k)), dtype))
    return np.array(c[::-1], dtype=dtype)


def _tanhshrink_small(x):
    # |x| < 1/16: the first 12 terms are exact to 2^-90 (float32's patterns
    # are mostly there: the exhaustive run's cost)
    w = x * x
    c = _tanhshrink_series(x.dtype)
    return x * w * _select(w < 2.0 ** -8, lambda v: np.polyval(c[-12:], v),
                           lambda v: np.polyval(c, v), w)


def _tanhshrink_large(x):
    # (|x| - 1) exact, 2 sigmoid(-2|x|) = 1 - tanh|x|
    ax = np.abs(x)
    return np.sign(x) * ((ax - 1) + 2 * _expit(-2 * ax))


@_quiet
def tanhshrink(x):
    ax = np.abs(x)
    return np.piecewise(x, [ax < 1, ax >= 1], [_tanhshrink_small, _tanhshrink_large,
                                               lambda v: v])  # NaN


@_quiet
def tanhshrink_derivative(x):
    return np.tanh(x) ** 2


def mp_tanhshrink(x):
    # x - tanh x ~ x^3 / 3 cancels 2 log2(1 / |x|) bits
    extra = max(0, -2 * int(mpmath.floor(mpmath.log(abs(x), 2)))) if x else 0
    with mpmath.extraprec(extra):
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
    return _pieces(x, ((x > -3) & (x < 3), _as(1, x) / 6), (True, 0.0))


@_quiet
def hardsigmoid_derivative_from_y(y):
    return _pieces(y, ((y > 0) & (y < 1), _as(1, y) / 6), (True, 0.0))


@_quiet
def hardswish(x):
    return np.where(x <= -3, -0.0, np.where(x >= 3, x, x * (x + 3) / 6))


@_quiet
def hardswish_derivative(x):
    return _pieces(x, (x <= -3, 0.0), (x < 3, (2 * x + 3) / 6), (True, 1.0))


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


def _squareplus_parts(x, b):
    """(ax, r, s, big): s = sqrt(x^2 + b), for |x| > 1 as ax r with
    r = sqrt(1 + b / x^2), so that nothing overflows."""
    ax = np.abs(x)
    big = ax > 1
    safe = np.where(big, ax, 1)
    r = np.sqrt(1 + (b / safe) / safe)
    return ax, r, np.where(big, ax * r, np.sqrt(x * x + b)), big


@_quiet
def squareplus(x, b=4.0):
    # x < 0 as b / (2 (s - x)): no cancellation; x / 2 + s / 2 never overflows
    b = _as(b, x)
    ax, r, s, big = _squareplus_parts(x, b)
    negative = np.where(big, (b / ax) / (2 * (r + 1)), b / (2 * (s - x)))
    return np.where(x >= 0, x / 2 + s / 2, negative)


@_quiet
def squareplus_derivative(x, b=4.0):
    # (1 + x / s) / 2, for x < 0 as b / (2 s (s - x))
    b = _as(b, x)
    ax, r, s, big = _squareplus_parts(x, b)
    positive = np.where(big, (1 + 1 / r) / 2,
                        np.where(s == 0, 0.5, (1 + x / np.where(s == 0, 1, s)) / 2))
    # s == 0 only for b = 0 at x = 0: the mean of the one-sided slopes
    negative = np.where(big, ((b / ax) / ax) / (2 * r * (r + 1)), b / (2 * s * (s - x)))
    return np.where(x >= 0, positive, negative)


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


def _gated_reference(forward, derivative, terms, mp_forward, mp_derivative, far,
                     formula_words):
    """x * gate(x) with gate(-inf) = 0, gate(0) = 1/2, gate(inf) = 1 (gelu,
    gelu_tanh, silu): f' < 0 below its root, so the zeros there are -0.0."""
    return Reference(
        forward=forward,
        derivative=derivative,
        derivative_terms=terms,
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
    "gelu": _gated_reference(gelu, gelu_derivative, _gelu_derivative_terms, mp_gelu,
                             mp_gelu_derivative, far=-40.0,  # below the smallest double, silently
                             formula_words=("erfc(-x / sqrt(2))",)),
    "gelu_tanh": _gated_reference(gelu_tanh, gelu_tanh_derivative,
                                  _gelu_tanh_derivative_terms, mp_gelu_tanh,
                                  mp_gelu_tanh_derivative, far=-40.0,
                                  formula_words=("0.044715",)),
    # silu: not monotonic, so y does not determine x
    "silu": _gated_reference(silu, silu_derivative, _silu_derivative_terms, mp_silu,
                             mp_silu_derivative, far=-1000.0, formula_words=("sigmoid(x)",)),
    "mish": Reference(
        forward=mish,
        derivative=mish_derivative,
        derivative_terms=_mish_derivative_terms,
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
        mp_derivative=lambda x: (mpmath.mpf(0) if x <= -3 else (2 * x + 3) / 6 if x < 3
                                 else mpmath.mpf(1)),
        limits=lambda: (-0.0, INF),
        kinks=lambda: (-3.0, 3.0),
        special=(
            (0.0, 0.0, 0.5),
            (-0.0, -0.0, 0.5),
            (-3.0, -0.0, 0.0),  # torch: x * 0 = -0.0; at the kinks the outer slopes
            (-5.0, -0.0, 0.0),
            (3.0, 3.0, 1.0),
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

