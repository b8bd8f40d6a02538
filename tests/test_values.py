"""Values against the independent float64 references of src/fastact/_references.py:
forward, derivative, value_and_derivative and backward (from x, and from y
where the derivative is a function of the output), in float32 and float64,
over many memory layouts and the special values; derivatives also against
finite differences; and no floating-point warnings for any input.
"""

import itertools
import warnings

import numpy as np
import pytest

from helpers import (assert_identical, assert_signs_of_zeros, backward_expected,
                     assert_ulp_close, y_slack, grads_like, layouts, params_in, special_values,
                     ufunc_params, ulp, ulp_error, value_mix, value_tol)
from helpers import reference_in_dtype as _expected
import fastact as fa
from fastact._references import REFERENCES

uses_y = pytest.mark.acts(lambda a: a.backward_uses == "y")


# ---- forward and derivative ----------------------------------------------------

@pytest.mark.parametrize("kind", ["forward", "derivative"])
def test_values_all_layouts(act, ref, dtype, kind):
    func = act if kind == "forward" else act.derivative
    ref_func = ref.forward if kind == "forward" else ref.derivative
    for params in ref.param_cases:
        for label, x in layouts(dtype):
            got = func(x, **params)
            expected = _expected(ref_func, x, dtype, params, ref)
            what = "fastact.%s %s(%s %s, %s)" % (act.name, kind, dtype, label, params)
            assert_ulp_close(got, expected, dtype, value_tol(dtype, kind), x=x, what=what)
            assert_signs_of_zeros(got, expected, what)


@pytest.mark.parametrize("kind", ["forward", "derivative"])
def test_special_inputs(act, ref, dtype, kind):
    """NaN -> NaN, +-inf -> limits, +-0, +-1e4, +-1e30, float max, tiny and
    subnormal inputs, against the references (sign of zero included)."""
    func = act if kind == "forward" else act.derivative
    ref_func = ref.forward if kind == "forward" else ref.derivative
    x = special_values(dtype)
    for params in ref.param_cases:
        got = func(x, **params)
        expected = _expected(ref_func, x, dtype, params, ref)
        what = "fastact.%s %s(%s special, %s)" % (act.name, kind, dtype, params)
        assert_ulp_close(got, expected, dtype, value_tol(dtype, kind), x=x, what=what)
        assert_signs_of_zeros(got, expected, what)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(x), err_msg=what + ": NaN")


@pytest.fixture
def silent():
    """Any floating-point warning or error flag is an exception inside."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            yield


def test_documented_values_bitwise(act, ref, dtype, silent):
    """The table's exact values (sigmoid(-1000.0) == 0.0 silently, tanh(-0.0)
    is -0.0, relu(-0.0) is +0.0, ...), bitwise, through every entry point,
    without a warning."""
    xs, fx, dfx = np.array(ref.special, dtype=dtype).T
    what = "fastact.%s(%s %s)" % (act.name, dtype, xs.tolist())
    assert_identical(act(xs), fx, what + " forward")
    assert_identical(act.derivative(xs), dfx, what + " derivative")
    y, d = act.value_and_derivative(xs)
    assert_identical(y, fx, what + " value_and_derivative[0]")
    assert_identical(d, dfx, what + " value_and_derivative[1]")
    ones = np.ones_like(xs)
    assert_identical(act.backward(ones, x=xs), dfx, what + " backward(1, x=x)")
    if act.backward_uses == "y":
        assert_identical(act.backward(ones, y=fx), dfx, what + " backward(1, y=f(x))")


def test_documented_values_python_floats(act, ref, silent):
    """The same values from Python floats: a float64 scalar back."""
    for x, fx, dfx in ref.special:
        got, dgot = act(x), act.derivative(x)
        assert isinstance(got, np.float64) and isinstance(dgot, np.float64)
        assert_identical(np.float64(got), np.float64(fx), "%s(%r)" % (act.name, x))
        assert_identical(np.float64(dgot), np.float64(dfx), "%s'(%r)" % (act.name, x))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_no_floating_point_warnings(act, ref, dtype):
    """No RuntimeWarning for any input, NaN and inf included, with NumPy's
    default error state and with np.errstate(all="raise") (which also turns
    underflow, ignored by default, into an error); same values both ways."""
    x = value_mix(dtype, 2000)
    g = grads_like(x)
    s = special_values(dtype)
    g[:s.size] = s  # special grads too: inf * 0 and NaN * 0 must stay quiet

    def everything():
        out = []
        for params in ref.param_cases:
            out += [act(x, **params), act.derivative(x, **params),
                    *act.value_and_derivative(x, **params),
                    act.backward(g, x=x, **params)]
            if act.backward_uses == "y":
                out.append(act.backward(g, y=act(x, **params), **params))
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default_state = everything()
        with np.errstate(all="raise"):
            raising_state = everything()
    for a, b in zip(default_state, raising_state):
        assert_identical(a, b, "fastact.%s %s" % (act.name, dtype))
    # and they are the right values, not just quiet ones
    assert_ulp_close(default_state[0], _expected(ref.forward, x, dtype, {}, ref), dtype,
                     value_tol(dtype, "forward"), x=x, what="fastact.%s" % act.name)


def _check_limits(act, ref, cases, dtype):
    x = np.array([-np.inf, np.inf], dtype=dtype)
    for params in cases:
        expected = np.array(ref.limits(**params_in(np.float64, params, ref)), dtype=dtype)
        assert_identical(act(x, **params), expected,
                         "fastact.%s(+-inf, %s)" % (act.name, params))


def test_limits_at_infinity(act, ref, dtype):
    """f(-inf) and f(inf) are the table's limits, for every parameter set."""
    _check_limits(act, ref, ref.param_cases, dtype)


@pytest.mark.acts(lambda a: a.name not in REFERENCES or REFERENCES[a.name].edge_param_cases)
def test_limits_at_infinity_degenerate_parameters(act, ref, dtype):
    _check_limits(act, ref, ref.edge_param_cases, dtype)


# ---- derivatives -----------------------------------------------------------------

def test_derivative_finite_difference(act, ref):
    """The derivative kernel against a 4th-order central difference of the
    float64 forward kernel, away from kinks."""
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-8, 8, 400), rng.uniform(-0.5, 0.5, 100)])
    h = 2.0 ** -9
    for params in ref.param_cases:
        kinks = np.array(ref.kinks(**{k: v for k, v in params.items()}), dtype=float)
        xs = x
        if kinks.size:
            xs = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 4 * h]

        def f(t):
            return act(t, **params)

        fd = (-f(xs + 2 * h) + 8 * f(xs + h) - 8 * f(xs - h) + f(xs - 2 * h)) / (12 * h)
        np.testing.assert_allclose(act.derivative(xs, **params), fd, rtol=1e-8, atol=1e-10,
                                   err_msg="fastact.%s %s" % (act.name, params))


def test_derivative_is_derivative_of_reference(act, ref):
    """The reference derivative is the derivative of the reference forward
    (guards the table itself)."""
    x = np.random.default_rng(8).uniform(-6, 6, 300)
    h = 2.0 ** -9
    for params in ref.param_cases:
        kinks = np.array(ref.kinks(**params), dtype=float)
        xs = x
        if kinks.size:
            xs = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 4 * h]
        p = params_in(np.float64, params, ref)
        f = ref.forward
        fd = (-f(xs + 2 * h, **p) + 8 * f(xs + h, **p) - 8 * f(xs - h, **p)
              + f(xs - 2 * h, **p)) / (12 * h)
        np.testing.assert_allclose(ref.derivative(xs, **p), fd, rtol=1e-8, atol=1e-10)


def test_value_and_derivative_ufunc_bitwise(act, ref, dtype):
    """The fused loop gives exactly forward and derivative of the same dtype."""
    for params in ref.param_cases:
        for label, x in layouts(dtype):
            y, d = act.value_and_derivative_ufunc(x, *ufunc_params(act, params))
            what = "fastact.%s value_and_derivative(%s %s)" % (act.name, dtype, label)
            assert_identical(y, np.asarray(act(x, **params)), what + "[0]")
            assert_identical(d, np.asarray(act.derivative(x, **params)), what + "[1]")


def test_value_and_derivative_bitwise(act, ref, dtype):
    """act.value_and_derivative(x) == (act(x), act.derivative(x)) bitwise."""
    for params in ref.param_cases:
        for label, x in layouts(dtype):
            result = act.value_and_derivative(x, **params)
            assert isinstance(result, tuple) and len(result) == 2
            what = "fastact.%s value_and_derivative(%s %s)" % (act.name, dtype, label)
            assert_identical(result[0], np.asarray(act(x, **params)), what + "[0]")
            assert_identical(result[1], np.asarray(act.derivative(x, **params)), what + "[1]")


# ---- backward --------------------------------------------------------------------

def test_backward_from_x(act, ref, dtype):
    """backward(g, x=x) is g * derivative(x): within 1 ulp of the product of
    fastact's own derivative, and within tolerance of the reference."""
    for params in ref.param_cases:
        for label, x in layouts(dtype):
            g = grads_like(x)
            got = act.backward(g, x=x, **params)
            what = "fastact.%s.backward(%s %s, %s)" % (act.name, dtype, label, params)
            assert_ulp_close(got, np.asarray(g * act.derivative(x, **params)), dtype, 1,
                             x=x, what=what + " vs g * derivative(x)")
            exact = backward_expected(g, ref.derivative(x, **params_in(dtype, params, ref)))
            assert_ulp_close(got, exact, dtype, value_tol(dtype, "derivative") + 1, x=x,
                             what=what + " vs reference")


def test_backward_from_x_special(act, ref, dtype):
    """Special values in both grad and x: the same as g * f'(x) with the
    reference derivative (so inf * 0 is NaN, 0 * NaN is NaN ...)."""
    s = special_values(dtype)
    g, x = (a.ravel() for a in np.meshgrid(s, s))
    for params in ref.param_cases:
        got = act.backward(g, x=x, **params)
        exact = backward_expected(g, ref.derivative(x, **params_in(dtype, params, ref)))
        assert_ulp_close(got, exact, dtype, value_tol(dtype, "derivative") + 1, x=x,
                         what="fastact.%s.backward(%s special, %s)" % (act.name, dtype, params))


@uses_y
def test_backward_from_y(act, ref, dtype):
    """backward(g, y=f(x)) against g * f'(x) from the input (the reference and
    fastact's backward from x), within the error the rounding of y to dtype
    allows: 4 ulp plus |g| * L * (ulps of y) with L the table's Lipschitz
    bound of f' as a function of y."""
    for params, (label, x) in itertools.product(ref.param_cases, layouts(dtype)):
        g = grads_like(x)
        p = params_in(dtype, params, ref)
        y = np.asarray(act(x, **params))
        got = np.asarray(act.backward(g, y=y, **params)).astype(np.float64)
        from_x = np.asarray(act.backward(g, x=x, **params)).astype(np.float64)
        exact_x = g.astype(np.float64) * ref.derivative(x, **p)
        exact_y = g.astype(np.float64) * ref.derivative_from_y(y, **p)
        what = "fastact.%s.backward(%s %s, y=, %s)" % (act.name, dtype, label, params)
        for expected, against, ulps_y in [(from_x, "backward(x=)", value_tol(dtype, "forward") + 1),
                                          (exact_x, "reference f'(x)", value_tol(dtype, "forward") + 1),
                                          (exact_y, "reference f'(y)", 1)]:
            tol = 4 * ulp(expected, dtype) + y_slack(g, y, ref, dtype, ulps_y)
            with np.errstate(invalid="ignore"):
                bad = ~(np.abs(got - expected) <= tol) & ~(np.isnan(got) & np.isnan(expected))
            assert not np.any(bad), "%s vs %s: %d bad, e.g. x=%s y=%s g=%s: %s vs %s" % (
                what, against, bad.sum(), x[bad][:3], y[bad][:3], g[bad][:3], got[bad][:3],
                expected[bad][:3])


@uses_y
def test_backward_from_y_special(act, ref, dtype):
    """The derivative from y at special outputs (NaN, the limits, 0, -0)."""
    x = special_values(dtype)
    for params in ref.param_cases:
        y = np.asarray(act(x, **params))
        got = act.backward(np.ones_like(y), y=y, **params)
        expected = ref.derivative_from_y(y, **params_in(dtype, params, ref)).astype(dtype)
        assert_ulp_close(got, expected, dtype, 4, x=y,
                         what="fastact.%s.backward(y=, %s)" % (act.name, params))
        np.testing.assert_array_equal(np.isnan(got), np.isnan(x))


@uses_y
def test_backward_from_y_table_matches_derivative(act, ref):
    """The table's derivative_from_y(f(x)) is its derivative(x) (table check)."""
    x = np.random.default_rng(9).uniform(-5, 5, 500)
    np.testing.assert_allclose(ref.derivative_from_y(ref.forward(x)), ref.derivative(x),
                               rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_log_sigmoid_backward_from_y_above_its_range(dtype):
    """log_sigmoid returns y <= 0; a y above 0 (x passed as y?) gives NaN,
    in the contiguous and the strided loop, and y <= 0 still 1 - exp(y)."""
    y = np.array([np.inf, 3e4, 1.0, 1e-7, 0.0, -0.0, -1e-7, -1.0, -3e4, -np.inf, np.nan],
                 dtype=dtype)
    g = np.full_like(y, 2.0)
    with np.errstate(over="ignore"):
        expected = np.where(y > 0, np.nan, 2.0 * -np.expm1(y.astype(np.float64)))
    for yy, gg, want in [(y, g, expected), (np.repeat(y, 2)[::2], np.repeat(g, 2)[::2], expected)]:
        got = fa.log_sigmoid.backward(gg, y=yy)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        assert_ulp_close(got, want, dtype, 1, x=yy, what="log_sigmoid.backward(y=)")


def test_ulp_of_helper_matches_spacing():
    for dt in (np.float16, np.float32, np.float64):
        v = np.array([1.0, 1.5, 3.0, 1e-3, 2.0 ** -20], dtype=dt)
        np.testing.assert_array_equal(ulp(v.astype(np.float64), dt),
                                      np.spacing(v).astype(np.float64))
        assert ulp(np.array([0.0]), dt)[0] == np.finfo(dt).smallest_subnormal
    assert ulp_error(np.float32(1.0), np.float64(1.0), np.float32) == 0


@pytest.mark.parametrize("b", [1e300, 1.7e308, 1.7976931348623157e308])
def test_squareplus_huge_b(b):
    """b near the top of the double range: the exact products of the
    residuals (Dekker's on the baseline build) must not overflow into NaN,
    nor x^2 + b (b = DBL_MAX at x = 1e149 gave inf and NaN)."""
    import mpmath
    x = np.array([-1e308, -1e200, -1e150, -1.34e149, -1e149, -1.0, -1e-300, 0.0, 1.0,
                  1e149, 1.34e149, 1e150, 1e300])
    with mpmath.workdps(60):  # x < 0: b / (2 (s - x)), no cancellation
        s = [mpmath.sqrt(mpmath.mpf(v) ** 2 + b) for v in x]
        value = np.array([float(b / (2 * (r - v)) if v < 0 else (v + r) / 2)
                          for v, r in zip(x, s)])
        slope = np.array([float(b / (2 * r * (r - v)) if v < 0 else (1 + v / r) / 2)
                          for v, r in zip(x, s)])
    tiny = np.finfo(np.float64).tiny  # subnormal results: absolute
    np.testing.assert_allclose(fa.squareplus(x, b=b), value, rtol=1e-15, atol=tiny)
    np.testing.assert_allclose(fa.squareplus.derivative(x, b=b), slope, rtol=1e-15, atol=tiny)


@pytest.mark.parametrize("b", [0.0, 2.0 ** -149, 0.3, 4.0, 100.0, 1e30, 3.4e38])
def test_squareplus_float32_rounds_once(b):
    """float32 squareplus and its derivative are computed in double (x^2 of
    a float is exact there, and in range): each within half an ulp of the
    exact value, and a hair for the double roundings before the last, over
    the whole float32 range (every 4093rd bit pattern, both signs, +-inf)."""
    x = np.arange(0, 0x7F800000, 4093, dtype=np.uint32).view(np.float32)
    x = np.concatenate([x, -x, np.float32([np.inf, -np.inf])])
    b32 = np.float32(b)
    for func, ref_func in [(fa.squareplus, REFERENCES["squareplus"].forward),
                           (fa.squareplus.derivative, REFERENCES["squareplus"].derivative)]:
        err = ulp_error(func(x, b=b32), ref_func(x.astype(np.float64), b=float(b32)), np.float32)
        worst = int(np.argmax(err))
        assert err[worst] <= 0.5 + 2.0 ** -20, (func, b, x[worst], err[worst])


@pytest.mark.parametrize("b", [0.3, 4.0, 100.0, 1e-300, 1e300])
def test_squareplus_float64_slope_within_an_ulp(b):
    """float64 squareplus' as b / (2 s p) (x < 0) or 1 minus it, every part
    carried with its error: within 1.25 ulp of mpmath's, where the baseline
    build (no FMA: the inverse's rounding uncorrected) reaches 1.0 and
    x86-64-v3 0.75 (each rounding left in costs up to an ulp)."""
    import mpmath
    rng = np.random.default_rng(7)
    scale = np.sqrt(b)
    x = np.concatenate([scale * rng.normal(0, 30, 1500),
                        np.exp(rng.uniform(-700, 700, 500)) * rng.choice([-1, 1], 500),
                        [0.0, -0.0, np.inf, -np.inf, -1e308, 1e308, -scale / 2, scale / 2]])
    got = fa.squareplus.derivative(x, b=b)
    with mpmath.workdps(80):
        exact = np.array([REFERENCES["squareplus"].mp_derivative(mpmath.mpf(v), b)
                          if np.isfinite(v) else float(v > 0) for v in x], dtype=object)
    err = ulp_error(got, exact, np.float64)
    worst = int(np.argmax(err))
    assert err[worst] <= 1.25, (b, x[worst], err[worst])


@pytest.mark.parametrize("dtype, alpha, xs", [
    # alpha < 0: exp(x / alpha) overflows while alpha exp(x / alpha) is finite
    # (x / alpha at twice exp's overflow threshold: exp(t / 2) is inf and
    # (alpha e) e was inf * 0 = NaN)
    (np.float32, -0.5, [-44.0, -44.25, -44.5, -44.7, -88.72283935546875, -89.0]),
    (np.float64, -0.5, [-354.0, -354.75, -355.0, -355.2, -709.782712893384, -710.0, -1e4]),
    (np.float32, -0.25, [-44.361419677734375]),
    # huge alpha: x / alpha underflows, celu(x) is x
    (np.float32, 3e38, [-3e-41, -1e-39, -1e-30, -1.0]),
    (np.float64, 1e308, [-5e-324, -1e-300, -1.0]),
    # subnormal alpha: 1 / alpha would overflow
    (np.float32, 1e-40, [-1e-45, -3e-41, -1e-39, -1.0]),
    (np.float32, -1e-40, [-1e-45, -3e-41, -1e-39]),
    (np.float64, 3e-320, [-5e-324, -1e-322, -1.0]),
    # huge negative alpha: alpha expm1(x / alpha) overflows to -inf (the
    # correction alpha e tl overflowed first, with tl's sign: +inf)
    (np.float64, -1e300, [-6e301, -7e301, -8e301]),
    (np.float32, -1e30, [-4e31, -5e31]),
])
def test_celu_extreme_alpha(dtype, alpha, xs):
    """Parameters near the ends of the range: x / alpha as x (1 / alpha) must
    neither overflow nor lose x, and the overflow of exp(x / alpha) is not
    the overflow of celu."""
    import mpmath
    x = np.array(xs, dtype=dtype)
    a = dtype(alpha)
    with mpmath.workdps(60):
        t = [mpmath.mpf(float(v)) / mpmath.mpf(float(a)) for v in x]
        value = np.array([float(mpmath.mpf(float(a)) * mpmath.expm1(u)) if abs(u) < 1e6 else
                          (-float(a) if u < 0 else float(a) * np.inf) for u in t])
        slope = np.array([float(mpmath.exp(u)) if u < 1e6 else np.inf for u in t])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, d = fa.celu(x, a), fa.celu.derivative(x, a)
    tiny = np.finfo(dtype).smallest_subnormal
    rtol = 4 * np.finfo(dtype).eps
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(got, value.astype(dtype), rtol=rtol, atol=tiny)
        np.testing.assert_allclose(d, slope.astype(dtype), rtol=rtol, atol=0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("alpha", [1.0, 0.3, 1e-3, -0.3, -1.5])
@pytest.mark.parametrize("kind", ["forward", "derivative"])
def test_celu_loops_agree(dtype, alpha, kind):
    """celu and celu' have two contiguous loops each (Spec.unswitch), for
    alpha > 0 (expm1 and exp of t <= 0) and the general one (alpha < 0,
    which the reference table's cases do not take): each agrees bitwise
    with the strided loop, the scalar tail and value_and_derivative (and
    celu' with backward), and with alpha expm1(x / alpha) and exp(x / alpha)
    to 2 ulp (beyond exp's overflow: +-inf)."""
    import mpmath
    x = np.concatenate([value_mix(dtype, 2000, seed=5), special_values(dtype)]).astype(dtype)
    a = dtype(alpha)
    func = fa.celu if kind == "forward" else fa.celu.derivative
    got = func(x, alpha=a)
    others = [fa.celu.value_and_derivative(x, alpha=a)[kind == "derivative"],
              func(np.repeat(x, 2)[::2], alpha=a),
              np.concatenate([func(x[i:i + 15], alpha=a) for i in range(0, x.size, 15)])]
    if kind == "derivative":
        others.append(fa.celu.backward(np.ones_like(x), x=x, alpha=a))
    for other in others:
        assert_identical(other, got)

    def exact_at(v):
        if not v <= 0:
            return (v if kind == "forward" else 1.0) if v > 0 else np.nan
        t = mpmath.mpf(float(v)) / mpmath.mpf(float(a))
        if abs(t) > 1e6:  # exp(t) 0 or inf
            return (-float(a) if t < 0 else -np.inf) if kind == "forward" else (0.0 if t < 0 else np.inf)
        return float(a * mpmath.expm1(t)) if kind == "forward" else float(mpmath.exp(t))

    with mpmath.workdps(40):
        exact = np.array([exact_at(v) for v in x])
    with np.errstate(over="ignore"):
        assert_ulp_close(got, exact, dtype, 2, x=x, what="celu %s (alpha=%s)" % (kind, alpha))


@pytest.mark.parametrize("dtype, alpha", [
    (np.float64, 1e300), (np.float64, -1e300), (np.float64, 1.7e308), (np.float64, 1e30),
    (np.float64, 2.0 ** 20), (np.float64, 2.0 ** -54), (np.float64, 1e-310), (np.float64, 5e-324),
    (np.float32, 3e38), (np.float32, -1e30), (np.float32, 2.0 ** 7), (np.float32, 2.0 ** -29),
    (np.float32, 1e-40), (np.float32, 1e-45),
])
def test_elu_derivative_extreme_alpha(dtype, alpha):
    """elu' = alpha exp(x) for alpha beyond the moderate range that the
    fast loops take (fa_elu_is_moderate): exact to a few ulp down to
    the subnormal results, in every kernel and layout.  float64 returned
    inf for alpha = 1.7e308 at x = -0.4, and 8.6e-31 for alpha = 1e300 at
    x = -800 (exact 3.7e-48: exp's argument was clamped at -760)."""
    import mpmath
    x = np.array([-0.0, -1e-300, -1e-30, -0.4, -1.0, -30.0, -100.0, -104.0, -700.0,
                  -745.0, -800.0, -1400.0, -1456.0, -1e4, 0.5], dtype=dtype)
    a = dtype(alpha)
    with mpmath.workdps(60):
        slope = np.array([float(mpmath.mpf(float(a)) * mpmath.exp(mpmath.mpf(float(v))))
                          if v <= 0 else 1.0 for v in x])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        d = fa.elu.derivative(x, alpha=a)
        y, d2 = fa.elu.value_and_derivative(x, alpha=a)
        g = fa.elu.backward(np.ones_like(x), x=x, alpha=a)
        strided = fa.elu.derivative(np.repeat(x, 2)[::2], alpha=np.full(x.shape, a))
    np.testing.assert_allclose(d, slope.astype(dtype), rtol=4 * np.finfo(dtype).eps,
                               atol=np.finfo(dtype).smallest_subnormal)
    for other in (d2, g, strided):
        np.testing.assert_array_equal(other, d)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_elu_derivative_infinite_alpha(dtype):
    """alpha = +-inf: alpha exp(x) is +-inf for finite x <= 0 (exp's
    inf t + inf was NaN)."""
    x = np.array([-0.0, -1e-3, -1.0, -50.0, -1e4, 1.0], dtype=dtype)
    for a in (np.inf, -np.inf):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            d = fa.elu.derivative(x, alpha=a)
        np.testing.assert_array_equal(d, np.array([a] * 5 + [1.0], dtype=dtype))


@pytest.mark.parametrize("beta, xs", [
    # |beta| < 1: exp(b x) subnormal or 0 while exp(b x) / beta is not
    (1e-30, [-7.45e32, -8e32, -6e32, -1e32]),
    (1e-10, [-7.45e12, -8e12, -1e13]),
    (1e-3, [-7.2e5, -7.5e5, -1e6]),
    (-1e-3, [7.2e5, 7.5e5]),
    (0.5, [-1400.0, -1490.0, -1500.0]),
    (1e-300, [-1e303, -2e303]),
    # huge beta: Dekker's product (no FMA, the baseline build) must not overflow
    (1.7e308, [0.0, -1e-306, 1e-310]),
    (1e-310, [-1.7e308, 1.7e308]),
])
def test_softplus_extreme_beta(beta, xs):
    """softplus = log1p(exp(b x)) / b to a few ulp (subnormal results to
    one 2^-1074) where b x is far below -708 or comes from a huge or
    subnormal beta, and softplus' = sigmoid(b x); threshold inf so the
    formulas always apply."""
    import mpmath
    x = np.array(xs)
    with mpmath.workdps(80):
        value = np.array([float(mpmath.log1p(mpmath.exp(mpmath.mpf(beta) * mpmath.mpf(v)))
                                / mpmath.mpf(beta)) for v in x])
        slope = np.array([float(1 / (1 + mpmath.exp(-mpmath.mpf(beta) * mpmath.mpf(v))))
                          for v in x])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fa.softplus(x, beta=beta, threshold=np.inf)
        d = fa.softplus.derivative(x, beta=beta, threshold=np.inf)
        strided = fa.softplus(np.repeat(x, 2)[::2], beta=np.full(x.shape, beta),
                              threshold=np.inf)
    np.testing.assert_allclose(got, value, rtol=4 * np.finfo(np.float64).eps,
                               atol=np.finfo(np.float64).smallest_subnormal)
    np.testing.assert_array_equal(strided, got)
    np.testing.assert_allclose(d, slope, rtol=4 * np.finfo(np.float64).eps, atol=0)


@pytest.mark.parametrize("threshold", [np.inf, np.nan])
def test_softplus_overflowing_product(threshold):
    """Where b x overflows float64 and the threshold (inf or NaN) never
    makes softplus linear, it is x (its limit: log1p(exp(b x)) / b is x to
    the last bit there), not inf, and softplus' is 1, on the contiguous and
    the strided loops."""
    for beta, xs in [(1e30, [1e300, 1.7e308]), (10.0, [1e308, 1.7e308]),
                     (-1e30, [-1e300, -1.7e308])]:
        x = np.array(xs)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = fa.softplus(x, beta=beta, threshold=threshold)
            strided = fa.softplus(np.repeat(x, 2)[::2], beta=np.full(x.shape, beta),
                                  threshold=threshold)
            d = fa.softplus.derivative(x, beta=beta, threshold=threshold)
        np.testing.assert_array_equal(got, x)
        np.testing.assert_array_equal(strided, x)
        np.testing.assert_array_equal(d, np.ones_like(x))


@pytest.mark.parametrize("beta", [1e-3, 1e-7, 1e-10, 1e-30, -1e-30, 1e30])
def test_softplus_float32_every_beta(beta):
    """float32 softplus has one loop for every beta (Unswitch.dtypes: in
    double, where b x is exact, the moderate form serves all): within an
    ulp of float64's softplus (checked above against mpmath), over the whole
    float32 range, including the betas float64 takes its general case for."""
    x = np.concatenate([np.geomspace(1e-30, 3e38, 400), -np.geomspace(1e-30, 3e38, 400),
                        [0.0]]).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fa.softplus(x, beta=beta, threshold=np.inf)
    exact = fa.softplus(x.astype(np.float64), beta=float(np.float32(beta)), threshold=np.inf)
    with np.errstate(over="ignore"):
        assert np.max(ulp_error(got, exact, np.float32)) <= 1
