"""The axis-wise and parametric functions: softmax, log_softmax, glu, swiglu,
geglu and prelu, forward and backward.

References are float64 NumPy/SciPy expressions (closed forms); backwards
are also checked against central differences of the forward pass.
"""

import doctest
import warnings

import numpy as np
import pytest
import scipy.special

import fastact as fa
import fastact._axis
from helpers import assert_identical, spy_rows

DTYPES = ["float16", "float32", "float64"]


def tolerances(dtype, scale=1.0):
    """(rtol, atol) for a float64 reference of values of magnitude ~scale."""
    eps = float(np.finfo(dtype).eps)
    return 8 * eps, 8 * eps * scale


def assert_close(actual, expected, dtype, scale=1.0, what=""):
    actual = np.asarray(actual)
    assert actual.dtype == np.dtype(dtype), what
    rtol, atol = tolerances(dtype, scale)
    np.testing.assert_allclose(actual.astype(np.float64), expected, rtol=rtol, atol=atol,
                               err_msg=what)


def values(shape, dtype, seed=0, scale=3.0):
    rng = np.random.default_rng(seed)
    return (scale * rng.standard_normal(shape)).astype(dtype)


def layouts(shape, dtype, seed=0):
    """(label, array of `shape`) in C, F, transposed, strided and reversed
    memory layouts: every path of the gufunc loops (rows, columns, buffered)."""
    a = values(shape, dtype, seed)
    yield "C", a
    yield "F", np.asfortranarray(a)
    yield "transposed", values(shape[::-1], dtype, seed).T
    wide = values(shape[:-1] + (2 * shape[-1],), dtype, seed)
    yield "step 2", wide[..., ::2]
    yield "reversed", a[::-1, ..., ::-1]


def softmax_ref(x, axis):
    return scipy.special.softmax(np.asarray(x, np.float64), axis=axis)


def log_softmax_ref(x, axis):
    return scipy.special.log_softmax(np.asarray(x, np.float64), axis=axis)


SHAPES_AXES = [((7, 45), -1), ((7, 45), 0), ((40, 3), 0), ((40, 33), 1),
               ((3, 20, 5), 0), ((3, 20, 5), 1), ((3, 20, 5), 2), ((2, 17), -2)]


# ---- softmax and log_softmax: values ------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis", SHAPES_AXES)
def test_softmax_values(dtype, shape, axis):
    for label, x in layouts(shape, dtype):
        what = "%s %s axis %d" % (label, shape, axis)
        assert_close(fa.softmax(x, axis=axis), softmax_ref(x, axis), dtype, what=what)
        scale = 1 + np.abs(x.astype(np.float64)).max()
        assert_close(fa.log_softmax(x, axis=axis), log_softmax_ref(x, axis), dtype,
                     scale=2 * scale, what=what)


def test_default_axis_is_last():
    x = values((4, 6), np.float64)
    np.testing.assert_array_equal(fa.softmax(x), fa.softmax(x, axis=1))
    np.testing.assert_array_equal(fa.log_softmax(x), fa.log_softmax(x, axis=-1))


@pytest.mark.parametrize("dtype", DTYPES)
def test_axis_none_is_one_slice_of_every_element(dtype):
    """axis=None (scipy's default, jax's None): one slice of all elements;
    its backward too, with grad broadcast against y; out= of x's shape."""
    x = values((3, 4, 5), dtype)
    for func, ref in [(fa.softmax, scipy.special.softmax),
                      (fa.log_softmax, scipy.special.log_softmax)]:
        y = func(x, axis=None)
        assert y.shape == x.shape
        assert_close(y, ref(x.astype(np.float64), axis=None), dtype, scale=30,
                     what=func.__name__)
        assert_identical(y, func(x.reshape(-1)).reshape(x.shape))
        out = np.empty_like(x)
        assert func(x, axis=None, out=out) is out
        assert_identical(out, y)
        g = values(x.shape[-1:], dtype, seed=1)  # broadcasts against y
        expected = func.backward(np.broadcast_to(g, x.shape).reshape(-1), y=y.reshape(-1))
        assert_identical(func.backward(g, y=y, axis=None), expected.reshape(x.shape))
        assert func(x[0, 0, 0], axis=None) == func(x[0, 0, 0])  # 0-d: a scalar
        with pytest.raises(ValueError, match=r"fastact\.%s: out has shape" % func.__name__):
            func(x, axis=None, out=np.empty(x.size, dtype))


@pytest.mark.parametrize("n", [1, 2, 15, 16, 17, 1000, 5000])
def test_softmax_lengths(n):
    # lengths around the SIMD widths, a single element, long rows
    for axis, shape in [(-1, (3, n)), (0, (n, 20))]:
        x = values(shape, np.float32, seed=n)
        assert_close(fa.softmax(x, axis=axis), softmax_ref(x, axis), np.float32)


@pytest.mark.parametrize("func", [fa.softmax, fa.log_softmax])
@pytest.mark.parametrize("axis", [0, 1])
def test_out_and_in_place(func, axis):
    # Results agree to rounding: another layout of out can take another
    # loop (rows, columns, buffered), which sums in another order.
    x = values((20, 33), np.float32)
    expected = func(x, axis=axis)
    out = np.empty_like(x)
    assert func(x, axis=axis, out=out) is out
    np.testing.assert_array_equal(out, expected)
    y = x.copy()
    func(y, axis=axis, out=y)
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=2e-6)
    # a non-contiguous out
    big = np.zeros((20, 66), np.float32)
    func(x, axis=axis, out=big[:, ::2])
    np.testing.assert_allclose(big[:, ::2], expected, rtol=1e-6, atol=2e-6)
    assert np.all(big[:, 1::2] == 0)


def test_result_keeps_the_input_layout():
    # NumPy alone would allocate a gufunc's output with the axis last in
    # memory (an F-ordered result for axis=0); fastact keeps x's layout.
    x = values((6, 5), np.float32)
    for axis in [0, 1]:
        assert fa.softmax(x, axis=axis).flags.c_contiguous
        assert fa.log_softmax(np.asfortranarray(x), axis=axis).flags.f_contiguous
        assert fa.softmax.backward(x, y=x, axis=axis).flags.c_contiguous


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
@pytest.mark.parametrize("shape, axis, step", [((1100, 500), 1, 1), ((200, 3000), 0, 1),
                                               ((600, 1000), 0, 1), ((1100, 1000), 1, 2)])
def test_threads_give_the_same_result(shape, axis, step, dtype):
    """> 2 grains (2 * 262144 elements): split across threads, the rows
    (along axis 0: in column blocks, one per thread here, 1500 + 1500 and
    512 + 488 columns, float16's narrower; a strided axis, x[:, ::2]: each
    softmax through a buffer, in chunks of softmaxes).  The same bits on 1
    and 2 threads; float16 is float32's result on the same layout,
    rounded."""
    x = values(shape, dtype)[:, ::step]
    g = values(x.shape, dtype, seed=1)
    assert x.size > 2 * fa.sigmoid.spec.grain
    results = {}
    for n in (1, 2):
        with fa.threads(n):
            results[n] = fa.softmax(x, axis=axis), fa.log_softmax.backward(g, y=x, axis=axis)
    for a, b in zip(results[1], results[2]):
        np.testing.assert_array_equal(a, b)
    if dtype == np.float16:
        # float16's buffers run float32's row kernel on a strided axis (as
        # float32 does on a contiguous copy), its column blocks float32's
        # column kernel along axis 0
        x32, g32 = x.astype(np.float32), g.astype(np.float32)
        expected = fa.softmax(x32, axis=axis), fa.log_softmax.backward(g32, y=x32, axis=axis)
        for a, e in zip(results[2], expected):
            np.testing.assert_array_equal(a, e.astype(np.float16))


# ---- stability, NaN and inf ------------------------------------------------------

def test_no_overflow_and_no_warnings():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(fa.softmax([1000.0, 1000.0]), [0.5, 0.5])
        np.testing.assert_array_equal(fa.softmax(np.float32([1000, 1000])), [0.5, 0.5])
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]] * 6)
    for dtype in ["float32", "float64"]:
        for axis in [0, 1]:
            xa = np.ascontiguousarray(x.astype(dtype) if axis == 1 else x.T.astype(dtype))
            with np.errstate(all="raise"):
                y, ly = fa.softmax(xa, axis=axis), fa.log_softmax(xa, axis=axis)
            with np.errstate(under="ignore"):
                assert_close(y, softmax_ref(xa, axis), dtype)
                assert_close(ly, log_softmax_ref(xa, axis), dtype, scale=2e4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [0, 1])
def test_nan_and_inf_rows(dtype, axis):
    """As torch: all -inf, a NaN or a +inf make the whole slice NaN; -inf
    entries next to finite ones are exact zeros (log: -inf); other slices
    are unaffected (the column kernel keeps them apart)."""
    inf, nan = np.inf, np.nan
    rows = np.array([[-inf] * 4, [nan, 1, 2, 3], [inf, 1, 2, 3], [-inf, 0, -inf, 0],
                     [1, 2, 3, 4]] + [[0.5, -0.5, 1.5, 2]] * 20)
    x = rows.astype(dtype)
    x = np.ascontiguousarray(x if axis == 1 else x.T)
    with np.errstate(all="raise"):
        y, ly = fa.softmax(x, axis=axis), fa.log_softmax(x, axis=axis)
    if axis == 0:
        y, ly = y.T, ly.T
    assert np.isnan(y[:3]).all() and np.isnan(ly[:3]).all()
    np.testing.assert_array_equal(y[3], [0, 0.5, 0, 0.5])
    assert ly[3, 0] == -inf and ly[3, 2] == -inf
    good = rows[4:]
    assert_close(y[4:], softmax_ref(good.astype(dtype), 1), dtype)
    assert_close(ly[4:], log_softmax_ref(good.astype(dtype), 1), dtype, scale=4)


def test_empty():
    for shape, axis in [((0, 5), -1), ((3, 0), -1), ((0, 5), 0)]:
        x = np.empty(shape, np.float32)
        assert fa.softmax(x, axis=axis).shape == shape
        assert fa.log_softmax.backward(x, y=x, axis=axis).shape == shape


# ---- dtypes -------------------------------------------------------------------------

@pytest.mark.parametrize("func", [fa.softmax, fa.log_softmax, fa.glu, fa.swiglu])
def test_dtype_rules(func):
    for dtype in DTYPES:
        assert func(np.zeros((2, 4), dtype)).dtype == np.dtype(dtype)
    for dtype in ["int8", "int64", "uint16", "bool"]:
        assert func(np.ones((2, 4), dtype)).dtype == np.float64
    assert func([[1.0, 2.0]]).dtype == np.float64
    for bad in [np.ones((2, 4), complex), np.array([["a", "b"]]), np.ones((2, 4), object)]:
        with pytest.raises(TypeError, match=r"fastact\.%s" % func.__name__):
            func(bad)


def test_float16_matches_float32_rounded():
    x = values((8, 50), np.float16)
    for func in [fa.softmax, fa.log_softmax]:
        for axis in [0, 1]:
            expected = func(x.astype(np.float32), axis=axis).astype(np.float16)
            np.testing.assert_array_equal(func(x, axis=axis), expected)


# ---- backward ----------------------------------------------------------------------

def central_difference(f, x, g, h=1e-6):
    """d/dx of sum(g * f(x)) by central differences (float64)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        grad[i] = (np.sum(g * f(xp)) - np.sum(g * f(xm))) / (2 * h)
    return grad


BACKWARD_CLOSED_FORMS = {
    "softmax": lambda g, y, axis: y * (g - np.sum(g * y, axis=axis, keepdims=True)),
    "log_softmax": lambda g, y, axis: g - np.exp(y) * np.sum(g, axis=axis, keepdims=True),
}


@pytest.mark.parametrize("name", BACKWARD_CLOSED_FORMS)
@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_backward(name, axis):
    func = getattr(fa, name)
    x = values((3, 4, 5), np.float64, scale=1.0)
    g = values(x.shape, np.float64, seed=1)
    y = func(x, axis=axis)
    closed = BACKWARD_CLOSED_FORMS[name](g, y, axis)
    np.testing.assert_allclose(func.backward(g, y=y, axis=axis), closed,
                               rtol=1e-13, atol=1e-14)
    numeric = central_difference(lambda v: func(v, axis=axis), x, g)
    np.testing.assert_allclose(closed, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", BACKWARD_CLOSED_FORMS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis", SHAPES_AXES)
def test_fused_backward_equals_unfused(name, dtype, shape, axis):
    func = getattr(fa, name)
    for label, x in layouts(shape, dtype):
        g = values(shape, dtype, seed=2)
        y = func(x, axis=axis)
        unfused = BACKWARD_CLOSED_FORMS[name](g.astype(np.float64), y.astype(np.float64), axis)
        # the sum over the axis carries the rounding of n terms of size |g|
        scale = np.abs(g.astype(np.float64)).max() * (2 if name == "softmax" else 4 * shape[axis])
        assert_close(func.backward(g, y=y, axis=axis), unfused, dtype, scale=scale, what=label)


def test_backward_out():
    y = fa.softmax(values((5, 8), np.float32))
    g = values(y.shape, np.float32, seed=3)
    out = np.empty_like(y)
    assert fa.softmax.backward(g, y=y, out=out) is out
    np.testing.assert_array_equal(out, fa.softmax.backward(g, y=y))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [-1, 0])
def test_log_softmax_backward_from_y_above_its_range(dtype, axis):
    """log_softmax returns y <= 0; a y above 0 (x passed as y?) gives NaN
    there, along rows and columns, and y <= 0 (with -0.0 and -inf) still
    g - exp(y) sum(g)."""
    y = np.array([[np.inf, 3e4, 1.0, 1e-7, 0.0, -0.0, -1e-7, -1.0, -3e4, -np.inf, np.nan]], dtype)
    y = y if axis == -1 else y.T.copy()
    g = np.full_like(y, 0.5)
    with np.errstate(over="ignore"):
        closed = BACKWARD_CLOSED_FORMS["log_softmax"](g.astype(np.float64), y.astype(np.float64), axis)
    expected = np.where(y > 0, np.nan, closed)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = fa.log_softmax.backward(g, y=y, axis=axis)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    assert_close(got, expected, dtype, scale=5.5, what="log_softmax.backward(y=)")


# ---- errors, with out untouched ------------------------------------------------------

SENTINEL = -7.0


def untouched_out(shape, dtype=np.float64):
    return np.full(shape, SENTINEL, dtype)


@pytest.mark.parametrize("func, one", [(fa.softmax, 1.0), (fa.log_softmax, 0.0)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_0d(func, one, dtype):
    """A 0-d x is one slice of one element (as torch, jax and scipy take it):
    softmax 1, log_softmax 0, NaN for NaN and +-inf; a scalar of x's dtype,
    or out; backward the same way (0 for finite values)."""
    for axis in (-1, 0):
        got = func(np.array(2.5, dtype), axis=axis)
        assert isinstance(got, np.generic) and got.dtype == np.dtype(dtype) and got == one
    assert func(3) == one and func(3).dtype == np.float64
    for special in (np.nan, np.inf, -np.inf):
        assert np.isnan(func(np.array(special, dtype)))
    out = np.full((), SENTINEL, dtype)
    assert func(np.array(-7.0, dtype), out=out) is out and out == one
    y = func(np.array(0.5, dtype))
    g = func.backward(np.array(3.0, dtype), y=y)
    assert g.dtype == np.dtype(dtype) and g == 0


@pytest.mark.parametrize("func", [fa.softmax, fa.log_softmax])
def test_softmax_errors(func):
    name = func.__name__
    x = values((3, 4), np.float64)
    out = untouched_out(x.shape)
    with pytest.raises(ValueError, match=r"fastact\.%s.*axis" % name):
        func(x, axis=2, out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s" % name):
        func(x, axis=-3, out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s: axis 1 .* 0-d" % name):
        func(np.float64(1.0), axis=1)
    with pytest.raises(ValueError, match=r"fastact\.%s: out must be a 0-d" % name):
        func(np.float64(1.0), out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s" % name):
        func(x, out=untouched_out((3, 5)))
    with pytest.raises(TypeError, match=r"fastact\.%s" % name):
        func(x.astype(complex), out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward" % name):
        func.backward(x, y=x[:, :3], out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs y=" % name):
        func.backward(x, out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward" % name):
        func.backward(x, y=x, axis=5, out=out)
    with pytest.raises(TypeError, match=r"fastact\.%s\.backward" % name):
        func.backward(x.astype(complex), y=x, out=out)
    np.testing.assert_array_equal(out, SENTINEL)


# ---- the GLU family --------------------------------------------------------------------

def sigmoid(v):
    return scipy.special.expit(v)


def gelu(v):
    return 0.5 * v * scipy.special.erfc(-v / np.sqrt(2))


def gelu_derivative(v):
    return 0.5 * scipy.special.erfc(-v / np.sqrt(2)) + v * np.exp(-v * v / 2) / np.sqrt(2 * np.pi)


def gelu_tanh(v):
    return 0.5 * v * (1 + np.tanh(np.sqrt(2 / np.pi) * (v + 0.044715 * v**3)))


def gelu_tanh_derivative(v):
    u = np.sqrt(2 / np.pi) * (v + 0.044715 * v**3)
    t = np.tanh(u)
    return 0.5 * (1 + t) + 0.5 * v * (1 - t**2) * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * v**2)


GLU = {
    # name: (call, backward, y(a, b), (dy/da, dy/db))
    "glu": (fa.glu, fa.glu.backward, lambda a, b: a * sigmoid(b),
            lambda a, b: (sigmoid(b), a * sigmoid(b) * (1 - sigmoid(b)))),
    "swiglu": (fa.swiglu, fa.swiglu.backward, lambda a, b: a * sigmoid(a) * b,
               lambda a, b: ((sigmoid(a) * (1 + a * (1 - sigmoid(a)))) * b, a * sigmoid(a))),
    "geglu": (fa.geglu, fa.geglu.backward, lambda a, b: gelu(a) * b,
              lambda a, b: (gelu_derivative(a) * b, gelu(a))),
    "geglu_tanh": (lambda x, **k: fa.geglu(x, approximate="tanh", **k),
                   lambda g, **k: fa.geglu.backward(g, approximate="tanh", **k),
                   lambda a, b: gelu_tanh(a) * b,
                   lambda a, b: (gelu_tanh_derivative(a) * b, gelu_tanh(a))),
}


def split(x, axis):
    return np.split(np.asarray(x, np.float64), 2, axis=axis)


@pytest.mark.parametrize("name", GLU)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, axis", [((6, 10), -1), ((6, 10), 0), ((4, 6, 2), 1),
                                         ((4, 6, 2), 2), ((4, 3, 8), 0)])
def test_glu_values(name, dtype, shape, axis):
    call, backward, f, df = GLU[name]
    for label, x in layouts(shape, dtype):
        a, b = split(x, axis)
        scale = 1 + np.abs(f(a, b)).max()
        assert_close(call(x, axis=axis), f(a, b), dtype, scale=2 * scale, what=label)
        g = values(a.shape, dtype, seed=4)
        da, db = df(a, b)
        expected = np.concatenate([g * da, g * db], axis=axis)
        assert_close(backward(g, x=x, axis=axis), expected, dtype,
                     scale=4 * (1 + np.abs(expected).max()), what=label)


@pytest.mark.parametrize("name", GLU)
@pytest.mark.parametrize("axis", [0, -1])
def test_glu_backward_central_differences(name, axis):
    call, backward, _, _ = GLU[name]
    x = values((4, 6), np.float64, scale=1.5)
    g = values(call(x, axis=axis).shape, np.float64, seed=5)
    numeric = central_difference(lambda v: call(v, axis=axis), x, g)
    np.testing.assert_allclose(backward(g, x=x, axis=axis), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", GLU)
def test_glu_special_values(name):
    """Limits, no NaN from -inf * 0 and no warnings."""
    call, backward, _, _ = GLU[name]
    a = np.array([-np.inf, np.inf, -1e30, 1e30, np.nan, -1000.0, 1000.0, 0.0])
    b = np.full_like(a, 2.0)
    x = np.concatenate([a, b])
    with np.errstate(all="raise"):
        y = call(x)
        grad_x = backward(np.ones_like(a), x=x)
    if name == "glu":
        expected = sigmoid(2.0) * a
    else:  # silu and gelu: 0 at -inf, the identity at +inf
        expected = np.array([0, np.inf, 0, 2e30, np.nan, 0, 2000, 0])
    np.testing.assert_allclose(y, expected, rtol=1e-6)
    if name == "glu":  # d/da = sigmoid(b), d/db = a * sigmoid'(b)
        np.testing.assert_allclose(grad_x[:8], sigmoid(2.0))
        assert np.isnan(grad_x[12])
    else:
        assert np.isnan(grad_x[4]) and np.isfinite(grad_x[[0, 2, 3, 5, 6, 7]]).all()
        np.testing.assert_array_equal(grad_x[[0, 2, 5]], 0)  # d/da at -inf: 0
        np.testing.assert_allclose(grad_x[[3, 6]], 2)        # d/da at +inf: b


@pytest.mark.parametrize("name", GLU)
def test_glu_keeps_a_masked_array(name):
    """A MaskedArray's mask carries through, as in the elementwise
    activations: an output is masked where either half's input was."""
    call = GLU[name][0]
    data = values((3, 8), np.float64)
    mask = np.zeros(data.shape, bool)
    mask[0, 1] = mask[1, 6] = True
    y = call(np.ma.array(data, mask=mask))
    assert isinstance(y, np.ma.MaskedArray)
    np.testing.assert_array_equal(y.mask, mask[:, :4] | mask[:, 4:])
    assert_identical(y.data[~y.mask], call(data)[~y.mask])


@pytest.mark.parametrize("name", GLU)
def test_glu_out(name):
    call, backward, _, _ = GLU[name]
    x = values((4, 6), np.float32)
    out = np.empty((4, 3), np.float32)
    assert call(x, out=out) is out
    np.testing.assert_array_equal(out, call(x))
    g = values((4, 3), np.float32, seed=6)
    gout = np.empty_like(x)
    assert backward(g, x=x, out=gout) is gout
    np.testing.assert_array_equal(gout, backward(g, x=x))


@pytest.mark.parametrize("name", GLU)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_glu_rows_split_across_threads(monkeypatch, name, dtype):
    """Along the last axis of an array of rows the gates run as one
    gufunc call over all the rows (NAME_rows), split across threads, where
    NumPy would copy the rows into buffers for the elementwise ufunc: the
    same bits as that ufunc on the halves, on one thread or two, C-ordered
    or not."""
    call, backward, _, _ = GLU[name]
    gate = name + "_halves"  # the elementwise ufunc
    ufuncs = fastact._axis._UFUNCS
    rows = 1100  # 550,000 outputs: above two grains, so two threads split them
    x = (3 * np.random.default_rng(8).standard_normal((rows, 1000))).astype(dtype)
    g = np.random.default_rng(9).standard_normal((rows, 500)).astype(dtype)
    calls = spy_rows(monkeypatch, fastact._axis, "_GATE_ROWS")
    for label, v in [("C", x), ("Fortran", np.asfortranarray(x)), ("strided", x[::-1, ::1])]:
        a, b = v[:, :500], v[:, 500:]
        y_ref = ufuncs[gate](a, b)
        ga, gb = ufuncs[gate + "_backward"](g, a, b)
        for n in (1, 2):
            with fa.threads(n):
                what = "%s %s, %d thread(s)" % (name, label, n)
                del calls[:]
                assert_identical(call(v), y_ref, what)
                assert_identical(backward(g, x=v), np.concatenate([ga, gb], axis=1), what)
                # Fortran order: columns, not rows, are contiguous
                rows_calls = [] if label == "Fortran" else [gate + "_rows",
                                                            gate + "_backward_rows"]
                assert calls == rows_calls, what


@pytest.mark.parametrize("name", GLU)
def test_glu_rows_rule(monkeypatch, name):
    """Which GLU calls run the rows gufunc: the activations' rule
    (_fastpath.along_rows) on the halves, grad and out.  Halves of rows
    split along another axis too; not rows shorter than 8 elements (NumPy's
    buffers take them faster), a cast, or a broadcast or cast out.  The
    same bits either way."""
    call, backward, _, _ = GLU[name]
    gate = name + "_halves"
    calls = spy_rows(monkeypatch, fastact._axis, "_GATE_ROWS")
    x3 = values((6, 4, 24), np.float32)
    cases = [  # (x, axis, out of the forward or None, calls the rows gufunc)
        (x3[0], -1, None, True),
        (x3, 1, None, True),  # halves x3[:, :2], x3[:, 2:]: rows of 24
        (x3, 0, None, False),  # halves contiguous as a whole: the ufunc's one call
        (x3[:, :, :12], 1, None, True),
        (values((50, 14), np.float32), -1, None, False),  # rows of 7
        (values((50, 2), np.float32), -1, None, False),  # rows of 1
        (values((5, 32), np.int64), -1, None, False),  # computed in float64: a cast
        (x3[0], -1, np.empty((3, 4, 12), np.float32), False),  # x broadcasts to out
        (x3[0], -1, np.empty((4, 12), np.float64), False),  # out casts
        (x3[0], -1, np.empty((4, 12), np.float32), True),
    ]
    for x, axis, out, rows in cases:
        what = "%s%s along %d, out %s" % (x.dtype, x.shape, axis, getattr(out, "shape", None))
        a, b = np.split(x.astype(np.result_type(x, np.float32)), 2, axis=axis)
        contiguous = (np.ascontiguousarray(a), np.ascontiguousarray(b))
        del calls[:]
        y = call(x, axis=axis, out=out)
        assert calls == ([gate + "_rows"] if rows else []), what
        expected = fastact._axis._UFUNCS[gate](*contiguous)
        if out is not None:
            assert y is out
            expected = np.broadcast_to(expected, out.shape).astype(out.dtype)
        assert_identical(y, expected, what)
        if out is None:
            del calls[:]
            g = values(y.shape, y.dtype, seed=3)
            grad_x = backward(g, x=x, axis=axis)
            assert calls == ([gate + "_backward_rows"] if rows else []), what
            ga, gb = fastact._axis._UFUNCS[gate + "_backward"](g, *contiguous)
            assert_identical(grad_x, np.concatenate([ga, gb], axis=axis), what)


@pytest.mark.parametrize("name", GLU)
def test_glu_errors(name):
    call, backward, _, _ = GLU[name]
    fname = name.replace("_tanh", "")  # geglu_tanh is geglu(approximate="tanh")
    out = untouched_out((3, 2))
    with pytest.raises(ValueError, match=r"fastact\.%s.*odd length 5" % fname):
        call(np.ones((3, 5)), out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s" % fname):
        call(np.ones((3, 4)), axis=2, out=out)
    with pytest.raises(ValueError, match=r"fastact\.%s: out has shape \(3, 3\); expected \(3, 2\)"
                       % fname):
        call(np.ones((3, 4)), out=untouched_out((3, 3)))
    with pytest.raises(TypeError, match=r"fastact\.%s" % fname):
        call(np.ones((3, 4), complex), out=out)
    gout = untouched_out((3, 4))
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward: grad has shape" % fname):
        backward(np.ones((3, 3)), x=np.ones((3, 4)), out=gout)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward.*odd" % fname):
        backward(np.ones((3, 2)), x=np.ones((3, 5)), out=gout)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward.*out" % fname):
        backward(np.ones((3, 2)), x=np.ones((3, 4)), out=np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs x=" % fname):
        backward(np.ones((3, 2)), out=gout)
    np.testing.assert_array_equal(out, SENTINEL)
    np.testing.assert_array_equal(gout, SENTINEL)


def test_geglu_approximate():
    x = values((2, 4), np.float64)
    np.testing.assert_array_equal(fa.geglu(x), fa.geglu(x, approximate="none"))
    assert not np.array_equal(fa.geglu(x), fa.geglu(x, approximate="tanh"))
    with pytest.raises(ValueError, match=r"fastact\.geglu: approximate"):
        fa.geglu(x, approximate="erf")


# ---- prelu --------------------------------------------------------------------------

def prelu_ref(x, w):
    x = np.asarray(x, np.float64)
    return np.where(x > 0, x, w * x)


def channel_weight(w, ndim):
    w = np.asarray(w, np.float64)
    return w.reshape(w.shape + (1,) * (ndim - 2)) if w.size > 1 else w.reshape(())


PRELU_CASES = [((5, 4), [0.1, 0.2, 0.3, 0.4]), ((2, 3, 7), [0.25, -0.5, 2.0]),
               ((2, 3, 4, 5), [0.1, 0.2, 0.3]), ((6,), 0.25), ((6,), [0.25]),
               ((3, 4), np.float64(0.3)), ((3, 1, 2), [0.5])]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape, weight", PRELU_CASES)
def test_prelu(dtype, shape, weight):
    x = values(shape, dtype)
    w = channel_weight(np.asarray(weight).astype(dtype), len(shape))
    y = fa.prelu(x, weight)
    assert y.dtype == np.dtype(dtype)
    assert_close(y, prelu_ref(x, w), dtype, scale=10)
    g = values(shape, dtype, seed=7)
    grad_x, grad_w = fa.prelu.backward(g, x=x, weight=weight)
    assert grad_x.dtype == grad_w.dtype == np.dtype(dtype)
    assert grad_w.shape == np.shape(weight)
    g64, x64 = g.astype(np.float64), x.astype(np.float64)
    assert_close(grad_x, np.where(x64 > 0, g64, w * g64), dtype, scale=10)
    axes = tuple(i for i in range(x.ndim) if np.size(weight) == 1 or i != 1)
    expected_w = np.sum(np.where(x64 > 0, 0, g64 * x64), axis=axes).reshape(np.shape(weight))
    assert_close(grad_w, expected_w, dtype, scale=10 * x.size)


def spy_prelu_kernel(monkeypatch):
    """Record each call of the kernel module's prelu: "forward" or
    "backward", and whether the kernel took the arrays (else None)."""
    kernels = fastact._axis.kernels
    kernel, calls = kernels.prelu, []

    def spy(x, weight, out=None, grad=None, **kwargs):
        result = kernel(x, weight, out, grad, **kwargs)
        calls.append(("forward" if grad is None else "backward", result is not None))
        return result

    monkeypatch.setattr(kernels, "prelu", spy)
    return calls


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_channel_rows(monkeypatch, dtype):
    """x (N, C, ...) C-ordered with a weight per channel: N * C channel rows
    (at least PRELU_ROW_MIN long) or N samples, in one call to the kernel
    module's prelu (split across threads): the same bits as the
    elementwise ufunc with the broadcast weight, on 1 and 2 threads, into
    out= and in place too.  A strided x or a cast: the elementwise ufunc."""
    ufuncs = dict(fastact._axis._UFUNCS)
    calls = spy_prelu_kernel(monkeypatch)
    ufunc_calls = []

    def spy(name):
        def call(*args, **kwargs):
            ufunc_calls.append(name)
            return ufuncs[name](*args, **kwargs)
        return call

    monkeypatch.setattr(fastact._axis, "_UFUNCS", {
        **ufuncs, **{n: spy(n) for n in ("leaky_relu", "leaky_relu_backward")}})
    row_min = fastact._axis.kernels.PRELU_ROW_MIN
    w = np.linspace(-0.5, 2.0, 16).astype(dtype)
    w4 = w.reshape(16, 1, 1)
    # channel rows of 900 and of 30, a sample at a time: rows of 15, 1 and
    # 9 (each above two grains in all), and 2-d x
    for shape in [(40, 16, 30, 30), (1200, 16, 1, 30), (2400, 16, 3, 5), (36000, 16, 1, 1),
                  (4096, 16, 3, 3)]:
        assert (shape[2] * shape[3] >= row_min) == (shape[3] == 30 and shape[2] == 30)
        x = values(shape, dtype)
        g = values(x.shape, dtype, seed=3)
        y_ref = ufuncs["leaky_relu"](x, w4)
        gx_ref = ufuncs["leaky_relu_backward"](g, x, w4)
        for n in (1, 2):
            with fa.threads(n):
                what = "%s %s, %d thread(s)" % (shape, dtype, n)
                assert_identical(fa.prelu(x, w), y_ref, what)
                out = np.empty_like(x)
                assert fa.prelu(x, w, out=out) is out
                assert_identical(out, y_ref, what + " out=")
                inplace = x.copy()
                assert fa.prelu(inplace, w, out=inplace) is inplace
                assert_identical(inplace, y_ref, what + " in place")
                grad_x, _ = fa.prelu.backward(g, x=x, weight=w, out=out)
                assert grad_x is out
                assert_identical(grad_x, gx_ref, what + " backward")
        assert calls == ([("forward", True)] * 3 + [("backward", True)]) * 2, shape
        del calls[:]
    # (the backwards' weight gradients: test_prelu_backward_one_pass)
    assert ufunc_calls == []
    # a strided x or a cast: the elementwise ufunc
    x = values((40, 16, 30, 30), dtype)
    assert_identical(fa.prelu(x[:, :, ::2], w), ufuncs["leaky_relu"](x[:, :, ::2], w4))
    out64 = np.empty(x.shape, np.float64)  # a cast, but for float64 x
    assert_identical(fa.prelu(x, w, out=out64), ufuncs["leaky_relu"](x, w4, out=out64.copy()))
    assert ufunc_calls == ["leaky_relu"] * (1 if dtype == "float64" else 2)
    # empty batches, channels or rows
    for shape in [(0, 16, 30, 30), (0, 16, 2, 2), (4, 16, 0, 30), (4, 0, 3, 3)]:
        e = np.zeros(shape, dtype)
        weight = w[:shape[1]]
        assert fa.prelu(e, weight).shape == shape
        grad_x, grad_w = fa.prelu.backward(e, x=e, weight=weight)
        assert grad_x.shape == shape and np.all(grad_w == 0) and grad_w.shape == weight.shape


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4, 40), (6, 4, 3, 2), (24, 4)])
def test_prelu_out_overlapping_at_a_shift(shape, dtype):
    """out= a view of grad's or x's memory one element ahead or behind:
    the same results as without the overlap, forward and backward, in each
    layout (channel rows, a sample at a time, 2-d), as NumPy's ufuncs give
    by copying.  (The one-pass backward had written elements of grad it
    had not yet read.)"""
    n = int(np.prod(shape))
    w = np.linspace(0.2, 1.5, shape[1]).astype(dtype)
    x0 = values((n + 1,), dtype)
    g0 = values((n + 1,), dtype, seed=2)
    for ahead in (True, False):
        into, read = (slice(1, None), slice(None, -1)) if ahead else (slice(None, -1), slice(1, None))
        what = "%s %s out %s" % (shape, dtype, "ahead" if ahead else "behind")
        # forward: out overlapping x
        buf = x0.copy()
        expected = fa.prelu(buf[read].reshape(shape).copy(), w)
        y = fa.prelu(buf[read].reshape(shape), w, out=buf[into].reshape(shape))
        assert_identical(y, expected, what + " forward")
        # backward: out overlapping grad, then x
        for overlapped in ("grad", "x"):
            gbuf, xbuf = g0.copy(), x0.copy()
            g, x = gbuf[read].reshape(shape), xbuf[read].reshape(shape)
            expected = fa.prelu.backward(g.copy(), x=x.copy(), weight=w)
            out = (gbuf if overlapped == "grad" else xbuf)[into].reshape(shape)
            grad_x, grad_w = fa.prelu.backward(g, x=x, weight=w, out=out)
            assert grad_x is out
            assert_identical(grad_x, expected[0], what + " backward over " + overlapped)
            assert_identical(grad_w, expected[1], what + " backward over " + overlapped)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(6, 4, 40), (6, 4, 3, 2)])
def test_prelu_out_over_the_weight(shape, dtype):
    """out= sharing memory with the weight (the weight a view of out's
    first elements, which the first channel row overwrites): the results of
    a copy of the weight, as NumPy's ufuncs give, forward and backward."""
    c = shape[1]
    x, g = values(shape, dtype), values(shape, dtype, seed=2)
    for backward in (False, True):
        buf = np.empty(shape, dtype)
        w = buf.reshape(-1)[:c]
        w[...] = np.linspace(0.2, 1.5, c)
        expected = (fa.prelu.backward(g, x=x, weight=w.copy()) if backward
                    else fa.prelu(x, w.copy()))
        result = (fa.prelu.backward(g, x=x, weight=w, out=buf) if backward
                  else fa.prelu(x, w, out=buf))
        if backward:
            assert result[0] is buf
            assert_identical(result[1], expected[1], "%s %s weight's gradient" % (shape, dtype))
            result, expected = result[0], expected[0]
        assert result is buf
        assert_identical(buf, expected, "%s %s backward=%s" % (shape, dtype, backward))


def test_prelu_backward_central_differences():
    x = values((3, 4, 5), np.float64)
    w = np.array([0.1, -0.3, 0.7, 1.5])
    g = values(x.shape, np.float64, seed=8)
    grad_x, grad_w = fa.prelu.backward(g, x=x, weight=w)
    np.testing.assert_allclose(grad_x, central_difference(lambda v: fa.prelu(v, w), x, g),
                               rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_w, central_difference(lambda v: fa.prelu(x, v), w, g),
                               rtol=1e-6, atol=1e-8)


def test_prelu_dtypes_and_out():
    x = values((4, 3), np.float32)
    # the output keeps x's dtype whatever the weight's
    assert fa.prelu(x, np.array([0.1, 0.2, 0.3])).dtype == np.float32
    assert fa.prelu(np.ones((4, 3), np.int32), [0.1, 0.2, 0.3]).dtype == np.float64
    out = np.empty_like(x)
    assert fa.prelu(x, 0.2, out=out) is out
    np.testing.assert_array_equal(out, fa.leaky_relu(x, 0.2))
    grad_x, _ = fa.prelu.backward(np.ones_like(x), x=x, weight=0.2, out=out)
    assert grad_x is out
    with pytest.raises(TypeError, match=r"fastact\.prelu"):
        fa.prelu(x.astype(complex), 0.1)
    with pytest.raises(TypeError, match=r"fastact\.prelu: weight"):
        fa.prelu(x, np.array([1j, 1, 1]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape, layout", [((48, 12, 1000), "rows"),
                                           ((8000, 12, 3, 2), "samples"),
                                           ((48000, 12), "samples")])
def test_prelu_backward_one_pass(monkeypatch, shape, layout, dtype):
    """x (N, C, ...) C-ordered: both gradients in one pass, over the
    channel rows (at least PRELU_ROW_MIN long) or a sample at a time
    (float16 through float32 buffers).  grad_x has leaky_relu's backward bits;
    grad_w is the float64 sum of grad * min(x, 0) rounded once (float16
    and float32: within an ulp of the exact sum); the same bits on 1 and 2
    threads and in place (out=grad or x); inf and NaN as the products give
    them, silently."""
    calls = spy_prelu_kernel(monkeypatch)
    x = values(shape, dtype)  # 576,000 elements: two threads split them
    g = values(x.shape, dtype, seed=4)
    c = shape[1]
    w = np.linspace(-1.0, 2.0, c).astype(dtype)
    # channel 3: a NaN, an infinite product, inf * 0, and products beyond
    # float16's and float32's range (finite in float64)
    special = (slice(0, 4), 3) + (0,) * (x.ndim - 2)
    big = 1e3 if dtype == np.float16 else 1e30
    x[special], g[special] = [np.nan, -1.0, -np.inf, -big], [1.0, np.inf, 0.0, big]
    axes = tuple(i for i in range(x.ndim) if i != 1)
    with np.errstate(over="ignore", invalid="ignore"):
        exact = np.sum(g.astype(np.float64) * np.minimum(x, 0).astype(np.float64), axis=axes)
        expected_w = exact.astype(dtype)
    expected_x = fastact._axis._UFUNCS["leaky_relu_backward"](
        g, x, w.reshape((c,) + (1,) * (x.ndim - 2)))
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for threads in (1, 2):
            with fa.threads(threads):
                results.append(fa.prelu.backward(g, x=x, weight=w))
        g_copy, x_copy = g.copy(), x.copy()
        for grad_in, x_in, out in [(g_copy, x, g_copy), (g, x_copy, x_copy)]:
            grad_x, grad_w = fa.prelu.backward(grad_in, x=x_in, weight=w, out=out)
            assert grad_x is out
            results.append((grad_x, grad_w))
    assert calls == [("backward", True)] * 4
    assert (np.prod(shape[2:]) >= fastact._axis.kernels.PRELU_ROW_MIN) == (layout == "rows")
    for grad_x, grad_w in results:
        assert_identical(grad_x, expected_x)
        assert_identical(grad_w, results[0][1])
    grad_w = results[0][1]
    assert np.isnan(grad_w[3]) and np.array_equal(np.isfinite(grad_w), np.isfinite(expected_w))
    finite = np.isfinite(expected_w)
    if dtype != np.float64:
        assert np.all(np.abs(grad_w[finite] - exact[finite])
                      <= np.spacing(np.abs(expected_w[finite]))), (grad_w, exact)
    else:
        np.testing.assert_allclose(grad_w[finite], exact[finite], rtol=1e-13)


@pytest.mark.parametrize("shape", [(3, 4096), (1, 512, 32)])
def test_prelu_float16_weight_gradient_rounded_once(shape):
    """float16's weight gradient is the float64 sum rounded once to
    float16, as NumPy casts it: here the sums are exact in float64 (terms
    in [0.25, 4) of 22 bits at most), so the bits are NumPy's.  Channel 0
    sums to -(1 + 2^-11 + 2^-30), just above the midpoint of two halves:
    -(1 + 2^-10), where rounding through float32 would give -1 (a tie, to
    even)."""
    rng = np.random.default_rng(5)
    signs = rng.choice([-1.0, 1.0], size=shape)
    x = (signs * rng.uniform(0.5, 2.0, size=shape)).astype(np.float16)
    g = (rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)).astype(np.float16)
    x[:, 0], g[:, 0] = 0.0, 0.0
    x[:, 0].flat[:3] = [-1.0, -1.0, -2.0**-15]
    g[:, 0].flat[:3] = [1.0, 2.0**-11, 2.0**-15]
    w = np.full(shape[1], 0.25, np.float16)
    axes = tuple(i for i in range(x.ndim) if i != 1)
    exact = np.sum(g.astype(np.float64) * np.minimum(x, 0).astype(np.float64), axis=axes)
    _, grad_w = fa.prelu.backward(g, x=x, weight=w)
    assert exact[0] == -(1 + 2.0**-11 + 2.0**-30)
    assert grad_w[0] == np.float16(-(1 + 2.0**-10)) != np.float16(np.float32(exact[0]))
    assert_identical(grad_w, exact.astype(np.float16))


def test_prelu_backward_special_values_silent():
    """inf and NaN reach both gradients as products do, with no warning
    (the weight gradient's reduction included)."""
    x = np.array([[-1e30, np.inf, -np.inf, 1.0, -2.0]], np.float32)
    g = np.array([[1e30, np.inf, 0.0, np.nan, 3.0]], np.float32)
    w = np.full(5, 0.5, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad_x, grad_w = fa.prelu.backward(g, x=x, weight=w)
    assert_identical(grad_x, np.array([[5e29, np.inf, 0.0, np.nan, 1.5]], np.float32))
    assert_identical(grad_w, np.array([-np.inf, np.nan, np.nan, np.nan, -6.0], np.float32))


def test_prelu_errors():
    out = untouched_out((4, 3))
    x = np.ones((4, 3))
    for bad in [np.ones(4), np.ones(2), np.ones((3, 1)), np.ones((1, 3))]:
        with pytest.raises(ValueError, match=r"fastact\.prelu: weight"):
            fa.prelu(x, bad, out=out)
    with pytest.raises(ValueError, match=r"fastact\.prelu: weight"):
        fa.prelu(np.ones(3), np.ones(3))  # 1-d x has one channel
    with pytest.raises(ValueError, match=r"fastact\.prelu\.backward: grad has shape"):
        fa.prelu.backward(np.ones((4, 2)), x=x, weight=0.1, out=out)
    with pytest.raises(ValueError, match=r"fastact\.prelu\.backward: weight"):
        fa.prelu.backward(x, x=x, weight=np.ones(4), out=out)
    with pytest.raises(ValueError, match=r"fastact\.prelu\.backward needs"):
        fa.prelu.backward(x, x=x)
    np.testing.assert_array_equal(out, SENTINEL)


# ---- API --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["softmax", "log_softmax", "glu", "swiglu", "geglu", "prelu"])
def test_exported_with_backward_and_docs(name):
    func = getattr(fa, name)
    assert name in fa.__all__
    assert callable(func.backward) and func.backward.__qualname__ == name + ".backward"
    assert name in func.__doc__ and ">>>" in func.__doc__
    assert func.backward.__doc__


def test_docstring_examples():
    result = doctest.testmod(fastact._axis, extraglobs={"np": np})
    assert result.attempted >= 6 and result.failed == 0
