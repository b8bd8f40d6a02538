"""Property-based tests (hypothesis): random shapes, memory layouts
(negative strides, zero strides from broadcast_to, transposes), dtypes and
values (NaN, +-inf, subnormals, +-0, huge), against the float64 references
of src/fastact/_references.py, forward and backward, for every catalog function."""

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import example, given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from helpers import (assert_ulp_close, backward_expected, params_in,  # noqa: E402
                     reference_in_dtype, ulp, value_tol, y_slack)
from helpers import reference  # noqa: E402

DTYPES = [np.dtype(d) for d in ("float16", "float32", "float64")]


def _view(a, layout):
    """The values of a in another memory layout (same or reordered values)."""
    if a.ndim == 0 or layout == "contiguous":
        return a
    if layout == "reversed":
        return a[..., ::-1]
    if layout == "step 2":  # every other element of a buffer twice as long
        return np.repeat(a, 2, axis=-1)[..., ::2]
    if layout == "reversed step 2":
        return np.repeat(a, 2, axis=-1)[..., ::-2]
    if layout == "broadcast":  # stride 0 along the new axis
        return np.broadcast_to(a, (3,) + a.shape)
    return a.T


@st.composite
def arrays(draw):
    """(x, g, layout, case): x and a gradient in one float dtype and
    layout, and a number that picks the parameter case."""
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=9))
    floats = st.floats(width=8 * dtype.itemsize, allow_nan=True, allow_infinity=True,
                       allow_subnormal=True)
    x = draw(hnp.arrays(dtype, shape, elements=floats))
    g = draw(hnp.arrays(dtype, shape, elements=st.floats(-1e4, 1e4, width=8 * dtype.itemsize)))
    layout = draw(st.sampled_from(["contiguous", "reversed", "step 2", "reversed step 2",
                                   "broadcast", "transpose"]))
    return _view(x, layout), _view(g, layout), layout, draw(st.integers(0, 100))


def _what(act, kind, x, layout, params):
    return "fastact.%s %s(%s %s %s, %s)" % (act.name, kind, x.dtype, x.shape, layout, params)


def _unpack(act, data):
    """(reference, x, g, layout, params) of one drawn example."""
    ref = reference(act.name)
    x, g, layout, case = data
    return ref, x, g, layout, ref.param_cases[case % len(ref.param_cases)]


# Reproducible (the same examples every run) and no database in the checkout.
examples = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@examples
@given(data=arrays())
def test_forward_and_derivative_against_reference(act, data):
    ref, x, _, layout, params = _unpack(act, data)
    for kind, func, ref_func in [("forward", act, ref.forward),
                                 ("derivative", act.derivative, ref.derivative)]:
        expected = reference_in_dtype(ref_func, x, x.dtype, params, ref)
        assert_ulp_close(func(x, **params), expected, x.dtype, value_tol(x.dtype, kind), x=x,
                         what=_what(act, kind, x, layout, params))


def _assert_within(got, expected, tol, what, **show):
    """|got - expected| <= tol (float64 arrays), equal infinities and NaNs
    matching; the message shows the failing elements of `show`."""
    got = np.asarray(got).astype(np.float64)
    with np.errstate(all="ignore"):
        bad = ~(np.abs(got - expected) <= tol) & ~(np.isnan(got) & np.isnan(expected)) \
            & ~(got == expected)
    if np.any(bad):
        values = ", ".join("%s=%s" % (k, np.broadcast_to(v, bad.shape)[bad][:3])
                           for k, v in show.items())
        raise AssertionError("%s: %s: got %s, expected %s"
                             % (what, values, got[bad][:3], expected[bad][:3]))


@examples
@given(data=arrays())
@example(data=(np.array(369.0), np.array(5.0), "contiguous", 0))  # subnormal tanh'(x)
def test_backward_against_reference(act, data):
    """grad * f'(x) against the reference derivative.  The derivative may
    be off by its own tolerance in ulps of f'(x), which |grad| scales: in
    absolute terms when f'(x) is subnormal (tanh'(369.0) is 1.2e-320)."""
    ref, x, g, layout, params = _unpack(act, data)
    p = params_in(x.dtype, params, ref)
    g64 = g.astype(np.float64)
    d = ref.derivative(x, **p)
    expected = backward_expected(g, d).astype(np.float64)
    tol_d = value_tol(x.dtype, "derivative")
    with np.errstate(all="ignore"):
        tol = (tol_d + 1) * ulp(expected, x.dtype) + np.abs(g64) * tol_d * ulp(d, x.dtype)
    _assert_within(act.backward(g, x=x, **params), expected, tol,
                   _what(act, "backward x", x, layout, params), x=x, g=g)
    if act.backward_uses == "y":
        # from fastact's y, within what an ulp of y moves the derivative
        y = np.asarray(act(x, **params))
        with np.errstate(all="ignore"):
            expected = g64 * ref.derivative_from_y(y, **p)
            tol = 4 * ulp(expected, x.dtype) + y_slack(g, y, ref, x.dtype, 1)
        _assert_within(act.backward(g, y=y, **params), expected, tol,
                       _what(act, "backward y", x, layout, params), x=x, y=y, g=g)
