"""Accuracy in ULP: float32 over a dense sample of every finite float32,
float16 over every float16, float64 against mpmath.

The quick version of DESIGN.md's accuracy bar ("every float32 forward
function within a few ULP of the exact value over all float32 inputs; float64
within a few ULP against mpmath"): every 97th float32 bit pattern (44 million
inputs) instead of all 2^32.
"""

import functools

import mpmath
import numpy as np
import pytest

from helpers import describe_worst, params_in, ulp_error

FORWARD_MAX_ULP = 4
# f' of the smooth functions is a product/quotient of several rounded terms
# (sigmoid' = e r r, tanh' = 4e / u^2): measured up to 5 ulp in float32,
# 3.3 in float64.
DERIVATIVE_MAX_ULP = 6
DENSE_STEP = 97  # forward, default parameters
SPARSE_STEP = 997  # derivatives and the other parameter sets
CHUNK = 1 << 22


@functools.lru_cache(maxsize=None)
def float32_sample(step):
    """Every `step`-th float32 bit pattern that is finite (both signs, zeros,
    subnormals, up to float32 max)."""
    n = -(-(1 << 32) // step)
    x = (np.arange(n, dtype=np.uint32) * np.uint32(step)).view(np.float32)
    return x[np.isfinite(x)]


def _dense_check(act, ref, params, kind, step, maxulp):
    func = act if kind == "forward" else act.derivative
    ref_func = ref.forward if kind == "forward" else ref.derivative
    p32 = params_in(np.float32, params, ref)
    x = float32_sample(step)
    worst, worst_msg, n_bad = 0.0, "", 0
    for start in range(0, x.size, CHUNK):
        xc = x[start:start + CHUNK]
        got = func(xc, **params)
        assert got.dtype == np.float32
        exact = ref_func(xc, **p32)
        with np.errstate(over="ignore"):
            err = ulp_error(got, exact.astype(np.float32), np.float32)
        bad = ~(err <= maxulp)
        n_bad += int(bad.sum())
        if err.max() > worst:
            worst = float(err.max())
            worst_msg = describe_worst(err, xc, got, exact)
    assert n_bad == 0, (
        "fastact.%s %s(float32, %s): %d of %d inputs (every %dth float32) off by "
        "more than %d ulp from the float64 reference rounded to float32; max %g ulp:\n%s"
        % (act.name, kind, params or "defaults", n_bad, x.size, step, maxulp, worst,
           worst_msg))


def test_float32_forward_dense(act, ref):
    """Default parameters, every 97th float32: within 4 ulp."""
    _dense_check(act, ref, {}, "forward", DENSE_STEP, FORWARD_MAX_ULP)


def test_float32_forward_dense_params(act, ref):
    for params in ref.param_cases[1:]:
        _dense_check(act, ref, params, "forward", SPARSE_STEP, FORWARD_MAX_ULP)


def test_float32_derivative_dense(act, ref):
    for params in ref.param_cases:
        _dense_check(act, ref, params, "derivative", SPARSE_STEP, DERIVATIVE_MAX_ULP)


def test_float16_every_value(act, ref):
    """float16 is computed in float32 and rounded once more: within 1 ulp of
    the exact value rounded to float16, over all 65536 bit patterns."""
    x = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    for params in ref.param_cases:
        p16 = params_in(np.float16, params, ref)
        for kind, func, ref_func in [("forward", act, ref.forward),
                                     ("derivative", act.derivative, ref.derivative)]:
            got = func(x, **params)
            assert got.dtype == np.float16
            exact = ref_func(x, **p16)
            with np.errstate(over="ignore"):
                err = ulp_error(got, exact.astype(np.float16), np.float16)
            assert np.all(err <= 1), "fastact.%s %s(float16, %s): max %g ulp:\n%s" % (
                act.name, kind, params or "defaults", err.max(),
                describe_worst(err, x, got, exact))


# ---- float64 against mpmath --------------------------------------------------

def float64_points():
    """~2000 points: edges (0, subnormals, near the overflow and underflow
    thresholds of exp, where tanh and sigmoid saturate, float max) and random
    points, uniform on [-40, 40] and log-uniform in magnitude."""
    edges = [0.0, 5e-324, 1e-310, 2.2250738585072014e-308, 1e-300, 1e-200, 1e-30,
             1e-20, 1.4901161193847656e-08, 1e-8, 1e-5, 1e-3, 0.1,
             0.34657359027997264,  # ln2 / 2: the exp range-reduction boundary
             0.5, 0.5493061443340549,  # atanh(1/2)
             0.6931471805599453, 1.0, 2.0, 5.0, 10.0, 18.714973875118524,
             19.06154746539849,  # tanh(x) rounds to 1 above this
             20.0, 36.04365338911715, 36.7368005696771, 37.0, 44.0, 100.0,
             354.89135644669756, 355.0, 372.0, 700.0, 708.3964185322641,
             709.782712893384, 709.7827128933841, 710.0, 744.0, 744.4400719213812,
             745.1332191019411, 745.1332191019412, 745.2, 746.0, 1000.0, 1e4, 1e30,
             1e300, 1.7976931348623157e308]
    edges = edges + [np.nextafter(e, np.inf) for e in edges[2:-1]] \
        + [np.nextafter(e, 0) for e in edges[2:]]
    rng = np.random.default_rng(20240611)
    uniform = rng.uniform(-40, 40, 800)
    magnitudes = np.exp(rng.uniform(np.log(1e-30), np.log(800.0), 1000))
    log_uniform = magnitudes * rng.choice([-1.0, 1.0], magnitudes.size)
    edges = np.array(edges)
    return np.concatenate([edges, -edges, uniform, log_uniform])


def _mp_values(func, x, params):
    with mpmath.workprec(256):
        return np.array([func(mpmath.mpf(float(v)), **params) for v in x], dtype=object)


@pytest.mark.parametrize("kind", ["forward", "derivative"])
def test_float64_against_mpmath(act, ref, kind):
    x = float64_points()
    maxulp = FORWARD_MAX_ULP if kind == "forward" else DERIVATIVE_MAX_ULP
    for params in ref.param_cases:
        full = dict(ref.defaults, **params)
        if kind == "forward":
            got, exact = act(x, **params), _mp_values(ref.mp_forward, x, full)
        else:
            got, exact = act.derivative(x, **params), _mp_values(ref.mp_derivative, x, full)
        assert got.dtype == np.float64
        err = ulp_error(got, exact, np.float64)
        assert np.all(err <= maxulp), (
            "fastact.%s %s(float64, %s): %d of %d points off by more than %d ulp "
            "from mpmath; max %g ulp:\n%s"
            % (act.name, kind, params or "defaults", int(np.sum(~(err <= maxulp))),
               x.size, maxulp, err.max(),
               describe_worst(err, x, got, np.array([float(e) for e in exact]))))


def test_ulp_error_helper():
    """The helper itself: exact values, one ulp, subnormals, NaN and inf."""
    f32 = np.float32
    one = np.array([1.0], f32)
    assert ulp_error(one, np.array([1.0]), f32)[0] == 0
    assert ulp_error(np.nextafter(one, f32(2)), np.array([1.0]), f32)[0] == 1
    assert ulp_error(np.nextafter(one, f32(2)), one, f32)[0] == 1
    assert ulp_error(np.nextafter(one, f32(0)), one, f32)[0] == 1
    tiny = np.finfo(f32).smallest_subnormal
    assert ulp_error(np.array([3 * tiny], f32), np.array([0.0]), f32)[0] == 3
    assert ulp_error(np.array([-0.0], f32), np.array([0.0], f32), f32)[0] == 0
    nan, inf = np.nan, np.inf
    got = ulp_error(np.array([nan, nan, 1.0, inf, inf, -inf]),
                    np.array([nan, 1.0, nan, inf, 1e308, inf]), np.float64)
    np.testing.assert_array_equal(got, [0, inf, inf, 0, inf, inf])
    with mpmath.workprec(200):
        third = mpmath.mpf(1) / 3
        got = ulp_error(np.array([1 / 3]), np.array([third], dtype=object), np.float64)
    assert 0 < got[0] <= 0.5
