"""``fastact accuracy``: ULP errors of fastact's kernels, and of the NumPy
expressions they replace, against exact values.

For every activation of the catalog, kind and dtype: the max and mean error
in ULP of the result's dtype, measured against the exact value (a
fractional ULP, not a distance to a rounded reference), the input of the
max, and the same figures for the expression of fastact._bench's
NUMPY_EXPRESSIONS evaluated in the same dtype.  Kinds: forward, derivative,
backward (grad * f'(x) in one pass, grad random normal) and backward_y
(backward from the output y = fastact's f(x), against grad * f'(y) exactly
at that y), where the function has it.

Exact values, from the closed forms and mpmath versions of
fastact._references:

- float32 results: the closed form evaluated in float64 (far below a
  float32 ulp; the derivatives that cancel near a root of f' recompute
  their ill-conditioned points in long double or mpmath).
- float64 results: the closed form in long double.  The same formula in
  float64 and in long double differ by about the float64 evaluation's
  error, and long double's is 2^-11 of that: twice that is each point's
  error estimate (with the condition of the cancelling derivatives).
  Points estimated above EXACT_TOL ulp are computed with mpmath.

Where the exact result is below the normal range (subnormal or zero) an
error is an absolute error in units of the smallest subnormal (2^-149,
2^-1074): the forward target there is one such unit; derivative and
backward targets apply only where the exact result is normal, and their
subnormal-range figures are reported apart.

Inputs (NaN never: NaN in gives NaN out, which the tests check): float32,
a stride through all 2^32 bit patterns (every one with --exhaustive, which
measures forward unless --kinds says more) plus windows of consecutive
floats around the hard points; float64, random points (typical ranges, wide magnitudes, random
bit patterns, subnormals) plus the hard points and their neighbours.  The
hard points are the branch points and clamps of src/fastact/_kernels (exp
range reduction and clamps, expm1 cut-offs, gelu's erfc branches, the
root polynomials of f'), where float32 and float64 exp overflow and
underflow, and each function's kinks.
"""

import math
import multiprocessing
import os
import sys
import time
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

import fastact as fa
from fastact import _bench

KINDS = ("forward", "derivative", "backward", "backward_y")
DTYPES = ("float32", "float64")
# Issue 5's targets, in ULP: forward over all finite inputs, derivative
# and backward where the exact result is normal.
TARGETS = {"forward": 2.0, "derivative": 4.0, "backward": 4.0, "backward_y": 4.0}
# forward below the normal range: absolute error in smallest-subnormal units
SUBNORMAL_TARGET = 1.0
EXACT_TOL = 2.0 ** -5  # error bound (ulp) of the float64 results' exact values
# A row is over its target when its max exceeds it by more than the exact
# values' own error (float32's: float64 closed forms, far below 2^-20 ulp).
MEASURE_TOL = {"float32": 2.0 ** -20, "float64": EXACT_TOL}

FLOAT32_POINTS = 1 << 22  # default sample: a stride through the bit patterns
FLOAT64_POINTS = 1 << 16
PARAM_SHARE = 8  # the other parameter cases get 1/8 of the points
BLOCK = 1 << 20  # elements per evaluation (memory)
PATTERNS = 1 << 32  # --exhaustive: every float32 bit pattern (NaN skipped)
EXHAUSTIVE_UNIT = 1 << 26  # bit patterns per work unit

EXTRA_MESSAGE = ("fastact accuracy needs scipy and mpmath (exact references, gelu's "
                 "NumPy expression): pip install 'fastact[accuracy]'")


class MissingExtra(RuntimeError):
    pass


def require_extra():
    """fastact._references (which imports mpmath) once scipy and mpmath are
    importable, else MissingExtra naming the extra."""
    try:
        import mpmath  # noqa: F401
        import scipy.special  # noqa: F401
    except ImportError as e:
        raise MissingExtra("%s (%s)" % (EXTRA_MESSAGE, e)) from None
    from fastact import _references
    return _references


# ---- ULP -----------------------------------------------------------------------

def ulp(value, dtype):
    """The spacing of dtype's numbers at |value| (a float64 or long double
    array): 2^(e - mantissa bits) in value's binade, the subnormal spacing
    below the normal range (so an error there is an absolute one), the
    spacing at the largest finite number beyond the range."""
    info = np.finfo(dtype)
    value = np.ascontiguousarray(value)
    if value.dtype == np.float64:  # the exponent bits: 2^floor(log2 |value|)
        binade = (value.view(np.uint64) & np.uint64(0x7FF0000000000000)).view(np.float64)
        u = binade * 2.0 ** -info.nmant
    else:
        _, e = np.frexp(np.abs(value))
        u = np.where(value == 0, 0, np.ldexp(np.ones_like(value), e - 1 - info.nmant))
    top = value.dtype.type(2.0 ** (info.maxexp - 1 - info.nmant))
    return np.clip(u, value.dtype.type(info.smallest_subnormal), top)


def _ulp_distance(actual, expected):
    """How many representable numbers apart two arrays of one float dtype
    are (+0 and -0 count as one number); NaN/inf rules as ulp_error."""
    actual, expected = np.broadcast_arrays(actual, expected)
    bits = "i%d" % actual.dtype.itemsize
    sign_mask = np.iinfo(bits).max

    def ordered(a):
        i = np.ascontiguousarray(a).view(bits).astype(np.int64)
        return np.where(i < 0, -(i & sign_mask), i)

    oa, oe = ordered(actual), ordered(expected)
    same_sign = (oa >= 0) == (oe >= 0)
    # exact in integers when the signs agree; no int64 overflow otherwise
    err = np.where(same_sign, np.abs(np.where(same_sign, oa - oe, 0)).astype(np.float64),
                   np.abs(oa).astype(np.float64) + np.abs(oe).astype(np.float64))
    with np.errstate(invalid="ignore"):
        nan_a, nan_e = np.isnan(actual), np.isnan(expected)
        infinite = np.isinf(actual) | np.isinf(expected)
        err = np.where(infinite, np.where(actual == expected, 0.0, np.inf), err)
    return np.where(nan_a | nan_e, np.where(nan_a & nan_e, 0.0, np.inf), err)


def ulp_error(actual, exact, dtype):
    """|actual - exact| in ULP of `dtype` at exact (float64 array).

    `exact`: a float64 array (exact enough for float16/float32 results), a
    long double array or an array of mpmath mpf (float64 results).  Both
    NaN, or the same infinity, count as 0; NaN against a number, or an
    infinity against anything else, as inf; an exact value beyond dtype's
    range must give the infinity it rounds to.  Below the normal range the
    unit is the smallest subnormal (an absolute error).  When `exact` is
    already rounded to `dtype` (same dtype as `actual`), the error is the
    integer number of representable values between the two.
    """
    dtype = np.dtype(dtype)
    actual, exact = np.asarray(actual), np.asarray(exact)
    if exact.dtype == dtype and actual.dtype == dtype:
        return _ulp_distance(actual, exact)
    if exact.dtype == object:
        from fastact._references import from_mp
        exact = np.array([from_mp(v, np.longdouble) for v in exact.ravel()],
                         dtype=np.longdouble).reshape(exact.shape)
    work = np.longdouble if exact.dtype == np.longdouble else np.float64
    actual, exact = np.broadcast_arrays(actual, exact.astype(work, copy=False))
    with np.errstate(all="ignore"):
        err = np.abs(np.subtract(actual, exact, dtype=work)) / ulp(exact, dtype)
        err = err.astype(np.float64, copy=False)
        # NaN, infinities, exact values beyond dtype's range: their rules
        special = ~((np.abs(exact) <= np.finfo(dtype).max) & np.isfinite(actual))
        if np.any(special):
            a, e = actual[special].astype(work), exact[special]
            # a result in dtype must be the inf that exact rounds to beyond
            # the range (a wider `actual`, an exact value itself, need not)
            rounded = e.astype(dtype) if actual.dtype == dtype else e
            fix = np.where(np.isinf(a) | np.isinf(rounded),
                           np.where(a == rounded, 0.0, np.inf), err[special])
            nan_a, nan_e = np.isnan(a), np.isnan(e)
            err[special] = np.where(nan_a | nan_e, np.where(nan_a & nan_e, 0.0, np.inf), fix)
    return err


def below_normal(exact, dtype):
    """Where the exact value is below dtype's normal range (zeros included):
    the subnormal rule applies."""
    exact = np.asarray(exact)
    if exact.dtype == object:
        return np.array([abs(v) < np.finfo(dtype).tiny for v in exact.ravel()]).reshape(
            exact.shape)
    return np.abs(exact) < np.finfo(dtype).tiny


# ---- exact values --------------------------------------------------------------------

@dataclass
class Exact:
    value: np.ndarray  # float64 (float32 results) or long double (float64 results)
    mpmath: int = 0  # points computed with mpmath
    unverified: int = 0  # points estimated above EXACT_TOL without an mpmath reference


def _closed(R, ref, kind, x, params):
    """(value, condition or None) of ref's closed form in x's precision."""
    with np.errstate(all="ignore"):
        if kind == "derivative" and ref.derivative_terms is not None:
            a, b = ref.derivative_terms(x, **params)
            return a + b, R.condition(a, b)
        return getattr(ref, kind)(x, **params), None


def exact(ref, kind, x, params, dtype):
    """Exact values of ref's `kind` (forward, derivative, derivative_from_y)
    at x (in dtype) for results in dtype; params as the loop sees them."""
    R = require_extra()
    x = np.asarray(x)
    if np.dtype(dtype) != np.float64:
        with np.errstate(all="ignore"):
            return Exact(np.asarray(getattr(ref, kind)(x, **params), dtype=np.float64))
    ld, eps_ratio = np.longdouble, np.finfo(np.longdouble).eps / np.finfo(np.float64).eps
    value, cond = _closed(R, ref, kind, x.astype(ld), params)
    v64, _ = _closed(R, ref, kind, x.astype(np.float64), params)
    with np.errstate(all="ignore"):
        u = ulp(value, np.float64)
        est = 2 * eps_ratio * np.abs(v64.astype(ld) - value) / u
        if cond is not None:  # a few ulp of the terms, times the condition
            est = np.maximum(est, 8 * np.finfo(ld).eps * cond * np.abs(value) / u)
        same = (v64 == value) | (np.isnan(v64) & np.isnan(value))
        need = ~((est <= EXACT_TOL) | same)
        if not R.EXTENDED:
            need[...] = True  # long double is double here: no estimate
    mp_func = {"forward": ref.mp_forward, "derivative": ref.mp_derivative}.get(kind)
    n = int(np.count_nonzero(need))
    if n and mp_func is not None:
        value = value.copy()
        value[need] = [R.from_mp(v, ld) for v in R.mp_values(mp_func, x[need], params)]
        return Exact(value, mpmath=n)
    return Exact(value, unverified=n)


# ---- inputs ------------------------------------------------------------------------

_LN2 = math.log(2)
# Inputs where a kernel changes branch or clamps, or where an output
# saturates, overflows or underflows (both signs are sampled).  Read off
# src/fastact/_kernels/*.h; re-check them when the kernels change.
HARD_POINTS = {
    "all": [
        0.0, 2.0 ** -1074, 2.0 ** -1022, 2.0 ** -149, 2.0 ** -126, 1e-300, 1e-30,
        2.0 ** -54, 2.0 ** -27, 2.0 ** -26, 2.0 ** -25, 2.0 ** -24, 1e-8, 1e-3, 0.5, 1.0, 2.0,
        # exp: range reduction boundaries (k + 1/2) ln2, for -x, -2|x| and -x^2/2
        *[(k + 0.5) * _LN2 * s for k in (0, 1, 2, 5, 20, 100, 500, 1000) for s in (1, 0.5)],
        # float32 exp: overflow, underflow to subnormal and to 0, the clamp
        88.72283935546875, 87.33654475, 103.27892990, 103.97207708, 104.0,
        # float64 exp
        709.782712893384, 708.3964185322641, 744.4400719213812, 745.1332191019411, 760.0,
        # where sigmoid and tanh round to 1 (float32, float64)
        9.010913, 16.635532, 19.061547465398498, 36.7368005696771, 37.42994775023705,
        1000.0, 2.0 ** 60, 1e30, 3.4028234663852886e38, 1e300, 1.7976931348623157e308,
    ],
    # fa_erfc_parts_d: |z| = 0.5 and the clamp of z at 28 (x = z sqrt 2), x
    # clamped at 40, the underflow of x Phi(x); the references' branches
    "gelu": [0.7071067811865476, 39.59797974644666, 40.0, 37.5, 38.6, 8.0, 0.75],
    "gelu_tanh": [100.0, 21.9],
    # -6.665 (silu), -23.76 (squareplus b=0.3): baseline-build backward worst
    # (4.03, 4.06 ulp) while its residuals rounded twice without FMA
    # float64's tables on AVX-512: the ends of their intervals, 0.625 (k + 1/2),
    # the last 9.6875 (the quotient forms from there)
    "silu": [745.0, 6.664963136330485, *[0.625 * (k + 0.5) for k in range(16)]],
    "mish": [745.0, 0.25, 2.0 ** -960],  # 0.25: the series form (float64)
    # where scale x overflows, float32 and float64; -0.0735: float64 worst
    # while scale alpha multiplied a rounded expm1 (2.07 ulp; also celu's)
    "selu": [3.4028234663852886e38 / 1.0507009873554805,
             1.7976931348623157e308 / 1.0507009873554805, 0.0735],
    "celu": [1000.0, 0.1253],
    "softplus": [1000.0, 20.0],
    # 1.0152: float64 worst with x^5 rounded (2.3 ulp); 2^-300: the scaled
    # tiny branch; 2^-340: x^3 / 3 at the subnormal range
    "tanhshrink": [1.0, 1.0152, 1.25, 2.0 ** -300, 2.0 ** -340],
    "squareplus": [2.0 ** 60, 23.761298771717986],
}


# The roots of f' (where f' cancels) and the intervals of the kernels' root
# polynomials around them (polynomials.h: X0_HI and RADIUS).
ROOTS = {"gelu": (-0.7517915246935645, 0.5), "gelu_tanh": (-0.7524614220710163, 0.5),
         "silu": (-1.2784645427610737, 0.5), "mish": (-1.1924312145154952, 1.25)}


def hard_points(ref, name, params):
    """The hard points for one function and parameter case, both signs."""
    pts = HARD_POINTS["all"] + HARD_POINTS.get(name, []) + list(ref.kinks(**params))
    if name in ROOTS:
        root, radius = ROOTS[name]
        pts += [root, root - radius, root + radius]
    return np.unique(np.concatenate([pts, np.negative(pts)]))


def _seed(*key):
    return zlib.crc32(repr(key).encode())


def _not_nan(x):
    """The inputs but NaN (NaN in gives NaN out: the test suite checks it)."""
    return x[~np.isnan(x)]


def float32_inputs(points, hard):
    """Every k-th float32 bit pattern (about `points`; NaN patterns
    skipped), +-inf, and the 1025 consecutive floats around each hard
    point that float32 represents."""
    step = max(1, (1 << 32) // points) | 1  # odd: every low-bit pattern occurs
    stride = np.arange(0, 1 << 32, step, dtype=np.uint64).astype(np.uint32)
    stride = np.concatenate([stride, np.array([np.inf, -np.inf], np.float32).view(np.uint32)])
    with np.errstate(over="ignore"):
        h = np.asarray(hard, np.float64).astype(np.float32)
    h = h[np.isfinite(h)].view(np.int32).astype(np.int64)
    # neighbours on the integer line of ordered floats (crossing zero)
    ordered = np.where(h < 0, -(h & 0x7FFFFFFF), h)
    near = (ordered[:, None] + np.arange(-512, 513)).ravel()
    near = near[np.abs(near) <= 0x7F7FFFFF]
    bits = np.where(near < 0, (-near) | 0x80000000, near).astype(np.uint32)
    return _not_nan(np.concatenate([stride, np.unique(bits)]).view(np.float32))


def float64_inputs(points, hard, seed):
    """`points` random float64 inputs (typical ranges, magnitudes from 1e-12
    to 1e3, random bit patterns, subnormals) and each hard point with its
    8 neighbours either side and 16 random points within 2^-20 of it."""
    rng = np.random.default_rng(seed)
    n = points // 8
    bits = rng.integers(0, 0x7FF0000000000000, points - 6 * n, dtype=np.int64, endpoint=False)
    sign = rng.choice([-1.0, 1.0], n * 2)
    random = [rng.uniform(-20, 20, 2 * n), rng.uniform(-800, 800, n),
              sign * np.exp(rng.uniform(math.log(1e-12), math.log(1e3), 2 * n)),
              rng.choice([-1.0, 1.0], n) * rng.uniform(0, 2.0 ** -1022, n),
              bits.view(np.float64) * rng.choice([-1.0, 1.0], bits.size)]
    h = np.asarray(hard, np.float64)
    near, up, down = [h], h, h
    with np.errstate(over="ignore"):
        for _ in range(8):
            up, down = np.nextafter(up, np.inf), np.nextafter(down, -np.inf)
            near += [up, down]
        near.append((h[:, None] * (1 + rng.uniform(-2.0 ** -20, 2.0 ** -20, (h.size, 16))))
                    .ravel())
    x = np.concatenate(random + near + [np.array([np.inf, -np.inf])])
    return _not_nan(x)


def exhaustive_inputs(unit, size=None):
    """The float32 bit patterns of work unit `unit` of --exhaustive (NaN
    included: the unit skips them)."""
    size = size or EXHAUSTIVE_UNIT
    return np.arange(unit * size, (unit + 1) * size, dtype=np.uint64).astype(np.uint32).view(
        np.float32)


# ---- measuring -----------------------------------------------------------------------

def _worst(e, x):
    i = int(np.argmax(e))
    return float(e[i]), float(x[i])


@dataclass
class Stats:
    """One implementation's errors over a row's inputs; mergeable."""

    normal: int = 0  # points whose exact value is normal (or beyond the range)
    finite: int = 0  # of those, with a finite error: the mean's count
    total: float = 0.0
    max: float = 0.0
    at: Optional[float] = None  # the input of the max
    nonfinite: int = 0  # inf errors: NaN or inf where the exact value differs
    subnormal: int = 0  # points whose exact value is below the normal range
    sub_max: float = 0.0  # in smallest-subnormal units
    sub_at: Optional[float] = None

    def add(self, err, low, x):
        some_low = bool(np.any(low))
        e, xs = (err[~low], x[~low]) if some_low else (err, x)
        if e.size:
            worst, at = _worst(e, xs)
            if self.at is None or worst > self.max:
                self.max, self.at = worst, at
            finite = np.isfinite(e)
            self.normal += e.size
            self.finite += int(np.count_nonzero(finite))
            self.total += float(np.sum(e, where=finite))
        e, xs = err[low], x[low]
        if some_low:
            worst, at = _worst(e, xs)
            if self.sub_at is None or worst > self.sub_max:
                self.sub_max, self.sub_at = worst, at
            self.subnormal += e.size
        self.nonfinite += int(np.count_nonzero(~np.isfinite(err)))

    def merge(self, other):
        if other.at is not None and (self.at is None or other.max > self.max):
            self.max, self.at = other.max, other.at
        if other.sub_at is not None and (self.sub_at is None or other.sub_max > self.sub_max):
            self.sub_max, self.sub_at = other.sub_max, other.sub_at
        for name in ("normal", "finite", "total", "nonfinite", "subnormal"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def mean(self):
        return self.total / self.finite if self.finite else None


@dataclass
class Tally:
    """One row: fastact's and the NumPy expression's errors; mergeable."""

    points: int = 0
    fastact: Stats = field(default_factory=Stats)
    numpy: Optional[Stats] = None  # None: no NumPy expression
    mpmath: int = 0  # exact values computed with mpmath
    unverified: int = 0
    promoted: bool = False  # the NumPy expression's result had a wider dtype

    def merge(self, other):
        self.points += other.points
        self.fastact.merge(other.fastact)
        if other.numpy is not None:
            if self.numpy is None:
                self.numpy = Stats()
            self.numpy.merge(other.numpy)
        self.mpmath += other.mpmath
        self.unverified += other.unverified
        self.promoted |= other.promoted


def kinds_of(ref, kinds):
    """The kinds a function has: backward_y only where f' is a function of y."""
    return [k for k in kinds if k != "backward_y" or ref.derivative_from_y is not None]


class Measurement:
    """The rows of activation `name` with one parameter case in one dtype:
    add(x) measures every kind at inputs x and adds to the tallies."""

    def __init__(self, name, params, dtype, kinds):
        R = require_extra()
        self.name, self.params, self.dtype = name, params, np.dtype(dtype)
        self.act, self.ref = fa.ACTIVATIONS[name], R.REFERENCES[name]
        self.kinds = kinds_of(self.ref, kinds)
        self.tallies = {k: Tally() for k in self.kinds}
        self.call = dict(self.ref.defaults, **params)  # required parameters too
        self.loop = R.params_in(self.dtype, params, self.ref)  # as the loop sees them
        self.numpy = _bench.numpy_reference(self.act, self.call)
        for t in self.tallies.values():
            t.numpy = None if self.numpy is None else Stats()

    def _exact(self, kind, at):
        e = exact(self.ref, kind, at, self.loop, self.dtype)
        uses = {"forward": ("forward",), "derivative": ("derivative", "backward"),
                "derivative_from_y": ("backward_y",)}[kind]
        for k in uses:  # each exact value counts once in every row using it
            if k in self.tallies:
                self.tallies[k].mpmath += e.mpmath
                self.tallies[k].unverified += e.unverified
        return e.value

    def add(self, x, g=None):
        """Measure at inputs x (in dtype); g: the grads (default: seeded
        random normal)."""
        act, call, dtype, kinds = self.act, self.call, self.dtype, self.kinds
        if g is None and ("backward" in kinds or "backward_y" in kinds):
            g = _grads(x.size, dtype, self.name, sorted(self.params.items()), x[:16].tobytes())
        y = act(x, **call)
        d = None  # the exact f'(x), shared by derivative and backward
        y_np = None

        def numpy_y():  # the NumPy user's own y, for the expressions that use it
            nonlocal y_np
            if y_np is None:
                y_np = self._numpy_value(self.numpy[0], x.shape, "forward", x)
            return y_np

        for kind in kinds:
            if kind == "forward":
                got, ex = y, self._exact("forward", x)
                np_call = self.numpy and (self.numpy[0], x)
            elif kind == "derivative":
                d = self._exact("derivative", x) if d is None else d
                got, ex = act.derivative(x, **call), d
                np_call = self.numpy and (self.numpy[1], np.ones_like(x), x, numpy_y())
            elif kind == "backward":
                d = self._exact("derivative", x) if d is None else d
                got, ex = act.backward(g, x=x, **call), g.astype(d.dtype) * d
                np_call = self.numpy and (self.numpy[1], g, x, numpy_y())
            else:  # backward_y: at the y fastact computed, against g f'(y) there
                dy = self._exact("derivative_from_y", y)
                got, ex = act.backward(g, y=y, **call), g.astype(dy.dtype) * dy
                np_call = self.numpy and (self.numpy[1], g, x, y)
            t = self.tallies[kind]
            low = below_normal(ex, dtype)
            t.points += x.size
            t.fastact.add(ulp_error(got, ex, dtype), low, x)
            if np_call:
                got = self._numpy_value(np_call[0], x.shape, kind, *np_call[1:])
                t.numpy.add(ulp_error(got, ex, dtype), low, x)
        return self.tallies

    def _numpy_value(self, func, shape, kind, *args):
        """The NumPy expression (warnings off) in dtype: a wider result (a
        float64 NumPy scalar in a table entry promotes; the table's own
        entries keep the dtype, tests/test_cli.py) is cast, and noted."""
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = np.asarray(func(*args))
        if v.dtype != self.dtype:
            self.tallies[kind if kind in self.tallies else self.kinds[0]].promoted = True
        return np.broadcast_to(v, shape).astype(self.dtype)


def _grads(size, dtype, *key):
    return np.random.default_rng(_seed(*key)).standard_normal(size).astype(dtype)


def sampled_unit(name, params, dtype, kinds, points):
    """A row group's tallies over the sampled inputs (a work unit)."""
    m = Measurement(name, params, dtype, kinds)
    hard = hard_points(m.ref, name, m.call)
    if m.dtype == np.float32:
        x = float32_inputs(points, hard)
    else:
        x = float64_inputs(points, hard, _seed(name, sorted(params.items()), dtype))
    x = x.astype(dtype)
    for start in range(0, x.size, BLOCK):
        m.add(x[start:start + BLOCK])
    return m.tallies


def exhaustive_unit(name, params, kinds, unit):
    """The tallies of one unit of all float32 bit patterns (a work unit)."""
    m = Measurement(name, params, np.float32, kinds)
    x = exhaustive_inputs(unit)
    for start in range(0, x.size, BLOCK):
        m.add(_not_nan(x[start:start + BLOCK]))
    return m.tallies


# ---- running -------------------------------------------------------------------------

@dataclass
class Group:
    """The rows of one function, parameter case and dtype, and its work units."""

    name: str
    params: dict
    dtype: str
    kinds: list
    units: list  # (function, args) for a worker
    exhaustive: bool = False


def plan(functions=None, kinds=KINDS, dtypes=DTYPES, params="all",
         float32_points=FLOAT32_POINTS, float64_points=FLOAT64_POINTS, exhaustive=False):
    R = require_extra()
    groups = []
    for act in fa.catalog():
        if functions is not None and act.name not in functions:
            continue
        ref = R.REFERENCES[act.name]
        ks = kinds_of(ref, kinds)
        for i, case in enumerate(ref.param_cases if params == "all" else ({},)):
            for dtype in dtypes:
                if exhaustive and dtype == "float32":
                    units = [(exhaustive_unit, (act.name, case, ks, u))
                             for u in range(PATTERNS // EXHAUSTIVE_UNIT)]
                else:
                    n = float32_points if dtype == "float32" else float64_points
                    units = [(sampled_unit, (act.name, case, dtype, ks,
                                             n if i == 0 else max(1, n // PARAM_SHARE)))]
                groups.append(Group(act.name, case, dtype, ks, units,
                                    exhaustive and dtype == "float32"))
    return groups


def _run_unit(job):
    func, args = job
    return func(*args)


def _init_worker():
    fa.set_num_threads(1)  # the parallelism is across processes
    warnings.simplefilter("ignore")


def _results(jobs, nprocs):
    """Each job's result, in order: in this process for one job at a time,
    else from a pool of worker processes."""
    if nprocs <= 1:
        with fa.threads(1):
            for job in jobs:
                yield _run_unit(job)
        return
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with multiprocessing.get_context(method).Pool(nprocs, initializer=_init_worker) as pool:
        yield from pool.imap(_run_unit, jobs)


def record(group, kind, tally):
    """One row as a flat dict (FIELDS)."""
    f, n = tally.fastact, tally.numpy
    target, tol = TARGETS[kind], MEASURE_TOL[group.dtype]
    over = (f.max > target + tol or f.nonfinite > 0
            or (kind == "forward" and f.sub_max > SUBNORMAL_TARGET + tol))
    return dict(
        function=group.name, params=format_params(group.params), kind=kind,
        dtype=group.dtype, points=tally.points, exhaustive=group.exhaustive,
        target_ulp=target, fastact_max_ulp=f.max, fastact_max_at=f.at,
        fastact_mean_ulp=f.mean, fastact_nonfinite=f.nonfinite,
        fastact_subnormal_points=f.subnormal, fastact_subnormal_max=f.sub_max if f.subnormal
        else None, fastact_subnormal_at=f.sub_at,
        numpy_max_ulp=n and n.max, numpy_max_at=n and n.at, numpy_mean_ulp=n and n.mean,
        numpy_nonfinite=n and n.nonfinite,
        numpy_subnormal_max=n.sub_max if n and n.subnormal else None,
        numpy_promoted=tally.promoted, exact_mpmath_points=tally.mpmath,
        exact_unverified_points=tally.unverified, over_target=over)


def format_params(params):
    return ",".join("%s=%g" % kv for kv in params.items())


FIELDS = tuple(record(Group("", {}, "float32", [], []), "forward", Tally()))


def measure(groups, jobs=None, bar=None):
    """Yield each group's records (one per kind) as the group completes, in
    order; its work units run on `jobs` processes."""
    work = [(grp, i) for grp in groups for i in range(len(grp.units))]
    merged = None
    for (grp, i), tallies in zip(work, _results([g.units[i] for g, i in work],
                                                jobs or _cpus())):
        if bar:
            bar.step("%s%s %s%s" % (grp.name, " " + format_params(grp.params) if grp.params
                                    else "", grp.dtype, " (%d/%d)" % (i + 1, len(grp.units))
                                    if len(grp.units) > 1 else ""))
        if i == 0:
            merged = tallies
        else:
            for k in merged:
                merged[k].merge(tallies[k])
        if i == len(grp.units) - 1:
            if bar:
                bar.clear()
            yield [record(grp, kind, merged[kind]) for kind in grp.kinds]


def run(functions=None, kinds=KINDS, dtypes=DTYPES, params="all",
        float32_points=FLOAT32_POINTS, float64_points=FLOAT64_POINTS, exhaustive=False,
        jobs=None, progress=False, out=None):
    """Measure, print the table to `out`; return (records, metadata)."""
    R = require_extra()
    out = out or sys.stdout
    jobs = jobs or _cpus()
    groups = plan(functions, kinds, dtypes, params, float32_points, float64_points,
                  exhaustive)
    meta = metadata(R, dict(functions=functions and list(functions), kinds=list(kinds),
                            dtypes=list(dtypes), params=params, float32_points=float32_points,
                            float64_points=float64_points, exhaustive=exhaustive, jobs=jobs))
    _header(meta, out)
    print(_line([c for c, _ in COLUMNS]), file=out, flush=True)
    bar = _bench.Progress(sum(len(g.units) for g in groups), progress)
    records = []
    for rows in measure(groups, jobs, bar):
        records += rows
        for r in rows:
            print(_line(_cells(r)), file=out, flush=True)
    notes = _notes(records, exhaustive)
    meta["notes"] = notes
    print(file=out)
    for note in notes:
        print(note, file=out)
    return records, meta


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def metadata(R, settings):
    import mpmath
    import scipy
    return dict(fa.config(), date=time.strftime("%Y-%m-%d"), cpu=_bench.cpu_model(),
                cpus=os.cpu_count(), scipy=scipy.__version__, mpmath=mpmath.__version__,
                long_double_bits=int(np.finfo(np.longdouble).nmant) + 1,
                targets=TARGETS, subnormal_target=SUBNORMAL_TARGET, exact_tol_ulp=EXACT_TOL,
                **settings)


def _header(meta, out):
    print("fastact %s accuracy: cpu target %s, numpy %s, scipy %s, mpmath %s, python %s "
          "on %s" % (meta["fastact"], meta["cpu_target"], meta["numpy"], meta["scipy"],
                     meta["mpmath"], meta["python"], meta["machine"]), file=out)
    print("error: |result - exact| in ulp of the result's dtype at the exact value "
          "(fractional); max, mean and the input of the max; numpy: the expression of "
          "fastact._bench.NUMPY_EXPRESSIONS in the same dtype", file=out)
    print("exact: float32 results from float64 closed forms (fastact._references); float64 "
          "results from %d-bit long double closed forms, mpmath where the per-point error "
          "estimate exceeds %g ulp" % (meta["long_double_bits"], meta["exact_tol_ulp"]),
          file=out)
    print("subnormal rule: where the exact result is below the normal range (subnormal or "
          "0) the error is absolute, in units of the smallest subnormal (2^-149, 2^-1074): "
          "column 'sub'; forward must be within %g there, derivative and backward targets "
          "apply only where the exact result is normal; OVER: above a target by more than "
          "the exact values' error" % SUBNORMAL_TARGET, file=out)
    inputs = []
    if "float32" in meta["dtypes"]:
        inputs.append("float32 every float32 but NaN (all 2^32 bit patterns)" if meta["exhaustive"]
                      else "float32 every k-th bit pattern but NaN (%d), +-inf and the floats "
                      "around hard points" % meta["float32_points"])
    if "float64" in meta["dtypes"]:
        inputs.append("float64 %d random points and the hard points" % meta["float64_points"])
    print("targets: forward %g ulp, derivative and backward %g ulp; inputs: %s%s" % (
        TARGETS["forward"], TARGETS["derivative"], "; ".join(inputs),
        "; parameter cases 1/%d of the sampled points" % PARAM_SHARE
        if meta["params"] == "all" else ""), file=out)
    print(file=out)


COLUMNS = (("function", "%-14s"), ("params", "%-19s"), ("kind", "%-10s"), ("dtype", "%-7s"),
           ("points", "%10s"), ("max ulp", "%9s"), ("at x", "%-24s"), ("mean", "%7s"),
           ("sub", "%5s"), ("inf", "%4s"), ("numpy max", "%9s"), ("numpy at x", "%-24s"),
           ("mean", "%7s"), ("inf", "%6s"), ("target", "%6s"), ("", "%s"))


def _format_x(v, dtype):
    if v is None:
        return "-"
    return str(np.float32(v)) if dtype == "float32" else repr(float(v))


def _num(v, fmt="%.3g"):
    return "-" if v is None else ("inf" if v == math.inf else fmt % v)


def _cells(r):
    over = "OVER" if r["over_target"] else ""
    return [r["function"], r["params"] or "-", r["kind"], r["dtype"],
            _bench.format_size(r["points"]), _num(r["fastact_max_ulp"]),
            _format_x(r["fastact_max_at"], r["dtype"]), _num(r["fastact_mean_ulp"]),
            _num(r["fastact_subnormal_max"], "%.2g"), str(r["fastact_nonfinite"]),
            _num(r["numpy_max_ulp"]), _format_x(r["numpy_max_at"], r["dtype"]),
            _num(r["numpy_mean_ulp"]), _num(r["numpy_nonfinite"], "%d"),
            "%g" % r["target_ulp"], over]


def _line(cells):
    return " ".join(fmt % c for (_, fmt), c in zip(COLUMNS, cells)).rstrip()


def _notes(records, exhaustive):
    notes = []
    over = [r for r in records if r["over_target"]]
    if over:
        notes.append("OVER target (%d rows): %s" % (len(over), ", ".join(
            "%s%s %s %s" % (r["function"], "(%s)" % r["params"] if r["params"] else "",
                            r["kind"], r["dtype"]) for r in over)))
    mp = sum(r["exact_mpmath_points"] for r in records)
    if mp:
        notes.append("exact values computed with mpmath: %d points" % mp)
    unverified = [r for r in records if r["exact_unverified_points"]]
    if unverified:
        notes.append("exact values estimated above %g ulp with no mpmath reference "
                     "(long double kept): %s" % (EXACT_TOL, ", ".join(
                         "%s %s %s: %d" % (r["function"], r["kind"], r["dtype"],
                                           r["exact_unverified_points"]) for r in unverified)))
    promoted = sorted({r["function"] for r in records if r["numpy_promoted"]})
    if promoted:
        notes.append("NumPy expression computes in a wider dtype (cast back): %s"
                     % ", ".join(promoted))
    notes.append("inf: points with an infinite error (NaN against a number, or an infinity "
                 "against anything else); 'sub': the subnormal rule above")
    if not exhaustive:
        notes.append("sampled; --exhaustive for every float32 input")
    return notes


# ---- machine output ---------------------------------------------------------------

def write_json(records, meta, path):
    """As the bench's, but JSON has no infinity: an infinite error is null
    (the *_nonfinite counts say how many)."""
    def clean(r):
        return {k: None if isinstance(v, float) and math.isinf(v) else v for k, v in r.items()}
    _bench.write_json([clean(r) for r in records], meta, path)


# ---- command line -----------------------------------------------------------------

def _elementwise(s):
    return _bench._choice("function", [a.name for a in fa.catalog()])(s)


def add_arguments(parser):
    names = ", ".join(a.name for a in fa.catalog())
    parser.add_argument("--functions", type=_bench._list_of(_elementwise), metavar="F,...",
                        help="activations to measure (default: all of %s)" % names)
    parser.add_argument("--kinds", type=_bench._list_of(_bench._choice("kind", KINDS)),
                        metavar="K,...", help="forward, derivative, backward (from x), "
                        "backward_y (from y, where the function has it); default: all, "
                        "with --exhaustive forward")
    parser.add_argument("--dtypes", type=_bench._list_of(_bench._choice("dtype", DTYPES)),
                        metavar="D,...", help="default: float32,float64")
    parser.add_argument("--params", choices=("all", "defaults"),
                        help="parameter cases: the reference table's (sampled more sparsely)"
                        " or the defaults only (default: all; with --exhaustive defaults)")
    parser.add_argument("--float32-points", type=_bench._size, metavar="N",
                        help="float32 sample: every (2^32/N)-th bit pattern, plus the hard "
                        "points' neighbours (default: %d)" % FLOAT32_POINTS)
    parser.add_argument("--float64-points", type=_bench._size, metavar="N",
                        help="random float64 inputs per function and kind, plus the hard "
                        "points (default: %d; e.g. 1e6)" % FLOAT64_POINTS)
    parser.add_argument("--exhaustive", action="store_true",
                        help="float32 over all 2^32 bit patterns but NaN (forward: about "
                        "1.7 hours on 2 cores; see README)")
    parser.add_argument("--jobs", type=_bench._positive_int, metavar="N",
                        help="worker processes (default: the CPUs this process may use, %d)"
                        % _cpus())
    parser.add_argument("--check", action="store_true",
                        help="exit with status 1 if a row is over its target")
    _bench.add_output_arguments(parser)


def main(args):
    """Run the tool for parsed command-line arguments; the exit status."""
    progress, table_out = _bench.check_output_arguments(args, "accuracy")
    try:
        require_extra()
    except MissingExtra as e:
        _bench._fail(str(e), "accuracy")
    records, meta = run(
        functions=args.functions, dtypes=args.dtypes or DTYPES,
        kinds=args.kinds or (("forward",) if args.exhaustive else KINDS),
        params=args.params or ("defaults" if args.exhaustive else "all"),
        float32_points=args.float32_points or FLOAT32_POINTS,
        float64_points=args.float64_points or FLOAT64_POINTS, exhaustive=args.exhaustive,
        jobs=args.jobs, progress=progress, out=table_out)
    if args.json:
        write_json(records, meta, args.json)
    if args.csv:
        _bench.write_csv(records, args.csv, FIELDS)
    return 1 if args.check and any(r["over_target"] for r in records) else 0
