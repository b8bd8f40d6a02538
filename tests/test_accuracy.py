"""Accuracy against issue 5's targets, measured by ``fastact accuracy``'s
own code (fastact._accuracy) on its default sample: float32 forward within
2 ULP, float64 forward within 2 ULP, derivative and backward within 4 ULP
where the exact result is normal (forward below the normal range: within
one subnormal ULP, absolutely).  The exhaustive float32 run is
``fastact accuracy --exhaustive`` (hours; see README "Accuracy").

Also: the references the tool measures against, validated against mpmath;
the tool's figures at its worst points, recomputed with mpmath; float16
over every value.
"""

import functools

import numpy as np
import pytest

import fastact as fa
from fastact import _accuracy as A
from fastact import _references as R
from helpers import describe_worst, params_in, ulp_error



@functools.lru_cache(maxsize=None)
def rows(name):
    """Every row of one function (all kinds, dtypes and parameter cases) at
    the tool's default sample, measured on all CPUs."""
    return [r for group in A.measure(A.plan([name])) for r in group]


def describe(r):
    return ("fastact.%s%s %s %s: max %.4g ulp at x=%r (target %g; mean %.3g), below the "
            "normal range max %s at %r, %d infinite errors, %d points" % (
                r["function"], "(%s)" % r["params"] if r["params"] else "", r["kind"],
                r["dtype"], r["fastact_max_ulp"], r["fastact_max_at"], r["target_ulp"],
                r["fastact_mean_ulp"] or 0, r["fastact_subnormal_max"],
                r["fastact_subnormal_at"], r["fastact_nonfinite"], r["points"]))


def check(act, kind, dtype):
    got = [r for r in rows(act.name) if r["kind"] == kind and r["dtype"] == dtype]
    assert got, "no %s %s rows for %s" % (kind, dtype, act.name)
    over = [r for r in got if r["over_target"]]
    assert not over, "over target:\n" + "\n".join(describe(r) for r in over)


from_y = pytest.mark.acts(lambda a: a.backward_uses == "y")


def _target_test(kind, dtype, *marks):
    """test_<kind>_<dtype>(act): every row of the function within target
    (a failure lists the rows over it)."""
    def test(act):
        check(act, kind, dtype)
    for mark in marks:
        test = mark(test)
    return test


test_forward_float32 = _target_test("forward", "float32")
test_forward_float64 = _target_test("forward", "float64")
test_derivative_float32 = _target_test("derivative", "float32")
test_derivative_float64 = _target_test("derivative", "float64")
test_backward_float32 = _target_test("backward", "float32")
test_backward_float64 = _target_test("backward", "float64")
test_backward_y_float32 = _target_test("backward_y", "float32", from_y)
test_backward_y_float64 = _target_test("backward_y", "float64", from_y)


# ---- the references, against mpmath ----------------------------------------------

def _validation_points(act, ref, params, n=120):
    """The tool's hard points and a few of its random float64 inputs."""
    hard = A.hard_points(ref, act.name, dict(ref.defaults, **params))
    x = A.float64_inputs(n, hard, seed=5)
    keep = np.random.default_rng(3).permutation(x.size)[:n + 60]
    x = np.concatenate([hard, x[keep]])
    return x[np.isfinite(x)]  # the mpmath versions know no limits


def _mp_exact(func, x, params):
    return R.mp_values(func, x, params)


@pytest.mark.parametrize("kind", ["forward", "derivative"])
def test_references_against_mpmath(act, ref, kind):
    """The float64 closed forms (float32 results' exact values) within 4 ulp
    of mpmath, and the tool's float64 exact values (long double, mpmath
    where estimated worse) within its stated bound, 2^-5 ulp."""
    mp_func = ref.mp_forward if kind == "forward" else ref.mp_derivative
    for params in ref.param_cases:
        p = dict(ref.defaults, **params)
        x = _validation_points(act, ref, params)
        exact = _mp_exact(mp_func, x, p)
        closed = getattr(ref, kind)(x, **p)
        err = ulp_error(closed, exact, np.float64)
        assert np.all(err <= 4), "%s %s closed form (%s):\n%s" % (
            act.name, kind, params, describe_worst(err, x, closed, exact))
        tool = A.exact(ref, kind, x, p, np.float64).value
        err = ulp_error(tool, exact, np.float64)
        with np.errstate(over="ignore"):
            shown = tool.astype(np.float64)
        assert np.all(err <= A.EXACT_TOL), "%s %s exact float64 values (%s):\n%s" % (
            act.name, kind, params, describe_worst(err, x, shown, exact))


@pytest.mark.acts(lambda a: a.name in A.ROOTS)
def test_cancelling_derivatives_near_their_roots(act, ref):
    """Within 1e-6 of the root of f', where every formula cancels: the
    float64 reference and the tool's exact values still match mpmath."""
    root, _ = A.ROOTS[act.name]
    x = root + np.concatenate([np.linspace(-1e-6, 1e-6, 41), [0.0]])
    x32 = x.astype(np.float32).astype(np.float64)
    for pts in (x, x32):
        exact = _mp_exact(ref.mp_derivative, pts, {})
        err = ulp_error(ref.derivative(pts), exact, np.float64)
        assert np.all(err <= 1), describe_worst(err, pts, ref.derivative(pts), exact)
        err = ulp_error(A.exact(ref, "derivative", pts, {}, np.float64).value, exact, np.float64)
        assert np.all(err <= A.EXACT_TOL)


def test_long_double_estimate_catches_a_cancellation():
    """exact() decides per point: near gelu's root its long double sum is
    estimated unreliable and mpmath takes over; far from it, not."""
    ref = R.REFERENCES["gelu"]
    x = np.array([-0.7517915246935645, -0.7517915246935646, 3.0, -5.0])
    e = A.exact(ref, "derivative", x, {}, np.float64)
    assert e.mpmath == 2 and e.unverified == 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_worst_points_against_mpmath(dtype):
    """The tool's max error of a row, recomputed at its input with mpmath."""
    for name in ("sigmoid", "tanh", "gelu", "mish", "celu", "squareplus"):
        act, ref = fa.ACTIVATIONS[name], R.REFERENCES[name]
        params = ref.param_cases[-1]
        tallies = A.sampled_unit(name, params, dtype, ["forward", "derivative"], 1 << 14)
        for kind, t in tallies.items():
            x = np.array([t.fastact.at], dtype=dtype)
            p = dict(ref.defaults, **params)
            got = act(x, **p) if kind == "forward" else act.derivative(x, **p)
            mp_func = ref.mp_forward if kind == "forward" else ref.mp_derivative
            exact = _mp_exact(mp_func, x.astype(np.float64), params_in(dtype, params, ref))
            err = float(ulp_error(got, exact, dtype)[0])
            # float32: exact values within 2^-29 ulp; float64: within EXACT_TOL
            tol = 1e-6 if dtype == "float32" else A.EXACT_TOL
            assert err == pytest.approx(t.fastact.max, abs=tol), (name, kind, x)


# ---- float16 ------------------------------------------------------------------------

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


# ---- the ULP measure itself --------------------------------------------------------

def test_ulp_error():
    """Exact values, one ulp, subnormals, NaN and inf, overflow, long double."""
    f32 = np.float32
    one = np.array([1.0], f32)
    assert ulp_error(one, np.array([1.0]), f32)[0] == 0
    assert ulp_error(np.nextafter(one, f32(2)), np.array([1.0]), f32)[0] == 1
    assert ulp_error(np.nextafter(one, f32(2)), one, f32)[0] == 1
    assert ulp_error(np.nextafter(one, f32(0)), one, f32)[0] == 1
    # below 1 the spacing halves: one float below 1.0 is half an ulp of 1.0 away
    assert ulp_error(np.nextafter(one, f32(0)), np.array([1.0]), f32)[0] == 0.5
    tiny = np.finfo(f32).smallest_subnormal
    assert ulp_error(np.array([3 * tiny], f32), np.array([0.0]), f32)[0] == 3
    assert ulp_error(np.array([-0.0], f32), np.array([0.0], f32), f32)[0] == 0
    nan, inf = np.nan, np.inf
    got = ulp_error(np.array([nan, nan, 1.0, inf, inf, -inf]),
                    np.array([nan, 1.0, nan, inf, 1e308, inf]), np.float64)
    np.testing.assert_array_equal(got, [0, inf, inf, 0, inf, inf])
    # an exact value beyond float32's range must round to inf
    big = np.array([3.5e38])
    assert ulp_error(np.array([inf], f32), big, f32)[0] == 0
    assert ulp_error(np.array([np.finfo(f32).max], f32), big, f32)[0] == inf
    third = R.mp_values(lambda x: x / 3, np.array([1.0]))
    assert 0 < ulp_error(np.array([1 / 3]), third, np.float64)[0] <= 0.5
    ld = np.array([1 / 3], np.longdouble) + np.longdouble(2.0 ** -60)
    assert ulp_error(np.array([1 / 3]), ld, np.float64)[0] == pytest.approx(
        2.0 ** -60 / 2.0 ** -54, rel=1e-6)
