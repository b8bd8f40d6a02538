"""Helpers shared by the tests: ULP errors, exact comparisons, array generators."""

import numpy as np
import pytest

from fastact._accuracy import ulp, ulp_error  # noqa: F401 (re-exported)
from fastact._references import REFERENCES, params_in  # noqa: F401 (re-exported)


def reference(name):
    """The table entry for `name`; FAILS the calling test when there is none."""
    try:
        return REFERENCES[name]
    except KeyError:
        pytest.fail(
            "fastact.%s is in the catalog but has no entry in src/fastact/_references.py "
            "REFERENCES: add independent closed forms and mpmath references (forward "
            "and derivative), its parameters and special values there" % name,
            pytrace=False,
        )


# ---- parameters ---------------------------------------------------------------

def full_params(act, params):
    """The parameters by name, defaults filled in."""
    values = dict(zip(act.param_names, act.defaults))
    values.update(params)
    return values


def ufunc_params(act, params):
    """The parameter values in the order the raw ufuncs take them."""
    full = full_params(act, params)
    return tuple(full[name] for name in act.param_names)


# ---- calling every entry point ----------------------------------------------

KINDS = ["forward", "derivative", "value_and_derivative", "backward_x", "backward_y"]


def run(act, kind, x, params=None, g=None, y=None):
    """The outputs (a list) of one entry point of act at x.  backward_y runs
    on y if given, else on y = act(x) (the output of the same dtype)."""
    params = params or {}
    if kind == "forward":
        return [act(x, **params)]
    if kind == "derivative":
        return [act.derivative(x, **params)]
    if kind == "value_and_derivative":
        result = act.value_and_derivative(x, **params)
        assert isinstance(result, tuple) and len(result) == 2
        return list(result)
    if g is None:
        g = grads_like(x)
    if kind == "backward_x":
        return [act.backward(g, x=x, **params)]
    if act.backward_uses != "y":
        # the derivative needs x: backward from y alone must refuse
        with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs x=" % act.name):
            act.backward(g, y=x, **params)
        return []
    if y is None:
        y = act(x, **params)
    return [act.backward(g, y=y, **params)]


# ---- ULP errors (the measuring logic is fastact._accuracy's) ------------------

def describe_worst(err, x, actual, expected, count=5):
    """The worst `count` elements, for an assertion message."""
    err = np.asarray(err)
    # broadcast before raveling: a 2-d x against a 2-d err
    cols = [np.broadcast_to(np.asarray(a), err.shape or (1,)).ravel()
            if a is not None else None for a in (x, actual, expected)]
    err = err.ravel()
    order = np.argsort(-np.where(np.isnan(err), np.inf, err), kind="stable")[:count]
    lines = []
    for i in order:
        xs, a, e = (repr(c[i]) if c is not None else "-" for c in cols)
        lines.append("    x=%s: got %s, expected %s (%.3g ulp)" % (xs, a, e, err[i]))
    return "\n".join(lines)


def assert_ulp_close(actual, expected, dtype, maxulp, x=None, what=""):
    """actual within maxulp ULP (of dtype) of expected (float64 or mpf)."""
    actual = np.asarray(actual)
    assert actual.dtype == np.dtype(dtype), "%s: dtype %s, expected %s" % (
        what, actual.dtype, np.dtype(dtype))
    assert actual.shape == np.shape(expected), "%s: shape %s, expected %s" % (
        what, actual.shape, np.shape(expected))
    err = ulp_error(actual, expected, dtype)
    if err.size and not np.all(err <= maxulp):
        n_bad = int(np.sum(~(err <= maxulp)))
        raise AssertionError(
            "%s: %d of %d values off by more than %g ulp (max %.3g ulp); worst:\n%s"
            % (what, n_bad, err.size, maxulp, np.max(err), describe_worst(
                err, x, actual, np.asarray(expected, dtype=np.float64)
                if np.asarray(expected).dtype != object else expected)))


def assert_identical(actual, expected, what=""):
    """Same dtype, shape and bits (so the sign of zero too); NaNs with any
    payload match each other."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.dtype == expected.dtype, "%s: dtype %s != %s" % (
        what, actual.dtype, expected.dtype)
    assert actual.shape == expected.shape, "%s: shape %s != %s" % (
        what, actual.shape, expected.shape)
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    np.testing.assert_array_equal(nan_a, nan_e, err_msg=what + ": NaN positions differ")
    uint = np.dtype("u%d" % actual.dtype.itemsize)
    a_bits = np.where(nan_a, 0, np.ascontiguousarray(actual).view(uint))
    e_bits = np.where(nan_e, 0, np.ascontiguousarray(expected).view(uint))
    diff = np.atleast_1d(a_bits != e_bits)
    if np.any(diff):
        a, e = np.atleast_1d(actual), np.atleast_1d(expected)
        idx = np.argwhere(diff)[:5]
        raise AssertionError("%s: %d of %d values differ bitwise, e.g. at %s: %s vs %s"
                             % (what, int(diff.sum()), diff.size, idx.tolist(),
                                a[tuple(idx.T)], e[tuple(idx.T)]))


def assert_signs_of_zeros(actual, expected, what=""):
    """Where expected is a zero, actual is a zero of the same sign."""
    actual, expected = np.broadcast_arrays(np.asarray(actual), np.asarray(expected))
    zero = expected == 0
    np.testing.assert_array_equal(actual[zero], 0, err_msg=what)
    np.testing.assert_array_equal(np.signbit(actual[zero]), np.signbit(expected[zero]),
                                  err_msg=what + ": sign of zero")


# ---- inputs -------------------------------------------------------------------

def special_values(dtype):
    """NaN, +-inf, +-0, huge and tiny magnitudes, the float limits."""
    info = np.finfo(dtype)
    values = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5,
              1e4, -1e4, 1e30, -1e30, 1000.0, -1000.0, 100.0, -100.0, 20.0, -20.0,
              float(info.max), -float(info.max), float(info.tiny), -float(info.tiny),
              float(info.smallest_subnormal), -float(info.smallest_subnormal),
              1e-30, -1e-30, 1e-8, -1e-8]
    with np.errstate(over="ignore"):
        return np.array(values, dtype=np.float64).astype(dtype)


def value_mix(dtype, n, seed=0):
    """n values: mostly normal(0, 4), some wide (log-uniform magnitudes),
    and the special values (every one when n >= 60), shuffled."""
    rng = np.random.default_rng(seed)
    special = special_values(dtype)
    m = max(n, 2 * len(special))
    wide = np.exp(rng.uniform(-20, 20, m // 4)) * rng.choice([-1, 1], m // 4)
    body = rng.normal(0, 4, m - len(special) - len(wide))
    with np.errstate(over="ignore"):
        values = np.concatenate([special, wide.astype(dtype), body.astype(dtype)])
    return rng.permutation(values).astype(dtype)[:n]


def layouts(dtype, seed=0):
    """(label, array) in many memory layouts, bottleneck-style: 0-d, empty,
    lengths around SIMD widths, C/F order, steps, negative strides,
    transposes, broadcast (stride 0) and unaligned views."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)

    def values(*shape):
        return value_mix(dtype, int(np.prod(shape)) + 40, seed=rng.integers(1 << 30))[
            :int(np.prod(shape))].reshape(shape)

    yield "0d", np.array(values(1)[0])
    for shape in [(0,), (2, 0), (0, 3, 4)]:
        yield "empty%s" % (shape,), np.empty(shape, dtype)
    for n in [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 127, 257, 1000]:
        yield "contiguous[%d]" % n, values(n)
    a = values(6, 35)
    yield "2d C", a
    yield "2d F", np.asfortranarray(a)
    yield "2d transpose", a.T
    b = values(301)
    yield "step 2", b[::2]
    yield "step 3 offset 1", b[1::3]
    yield "reversed", b[::-1]
    yield "reversed step 2", b[::-2]
    c = values(4, 10, 6)
    yield "3d middle step", c[:, ::2, :]
    yield "3d transposed", c.transpose(2, 0, 1)
    yield "broadcast row", np.broadcast_to(values(9), (5, 9))
    # contiguous rows, not contiguous as a whole: the rows gufuncs (NAME_rows)
    yield "2d rows of a wider array", values(20, 41)[:, 3:38]
    yield "3d rows of a wider array", values(3, 7, 30)[:, :, :17]
    raw = np.zeros(dtype.itemsize * 100 + 1, np.uint8)
    unaligned = raw[1:].view(dtype)
    unaligned[...] = values(100)
    yield "unaligned", unaligned


# ---- tolerances of the value tests (the accuracy bars are in test_accuracy) ---

def value_tol(dtype, kind):
    """Max ULP against the float64 references rounded to dtype.  float32:
    the accuracy bar (the references are exact at float32 precision).
    float64: looser, since the float64 closed forms carry up to ~4 ulp of
    their own (test_accuracy checks them, and fastact against the targets)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return 8
    if dtype == np.float16:
        return 1
    return 4 if kind == "forward" else 6


def reference_in_dtype(ref_func, x, dtype, params, ref):
    """The float64 reference at x (already in dtype), rounded to dtype."""
    exact = ref_func(np.asarray(x), **params_in(dtype, params, ref))
    with np.errstate(over="ignore"):
        return np.asarray(exact).astype(dtype)


def backward_expected(g, derivative):
    """g * f'(x) as backward computes it in g's dtype: f'(x) rounded to the
    dtype first (so in float32, inf * tanh'(100.0) is inf * 0 = NaN, as
    g * act.derivative(x) would be), then the product rounded."""
    g = np.asarray(g)
    with np.errstate(all="ignore"):
        d = np.asarray(derivative).astype(g.dtype).astype(np.float64)
        return (g.astype(np.float64) * d).astype(g.dtype)


def y_slack(g, y, ref, dtype, maxulp_y):
    """Absolute error that an error of maxulp_y ulp in y causes in g * f'(y)."""
    return np.abs(g.astype(np.float64)) * ref.lipschitz_from_y * maxulp_y * ulp(
        y.astype(np.float64), dtype)


def grads_like(x, seed=1):
    """A gradient array of x's shape and dtype (normal(0, 3) values)."""
    x = np.asarray(x)
    rng = np.random.default_rng(seed)
    return rng.normal(0, 3, x.shape).astype(x.dtype)


def spy_rows(monkeypatch, owner, attribute):
    """Replace owner.attribute, a dict of ufunc -> rows gufunc, by one of
    spies; returns the list of the rows gufuncs' names, as they are called."""
    calls = []

    def spy(rows):
        def call(*args, **kwargs):
            calls.append(rows.__name__)
            return rows(*args, **kwargs)
        return call

    monkeypatch.setattr(owner, attribute,
                        {u: spy(r) for u, r in getattr(owner, attribute).items()})
    return calls
