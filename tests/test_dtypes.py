"""dtype rules (DESIGN.md): float16/32/64 keep their dtype (float16 computed
in float32), integers and bools compute in float64, byte-swapped floats give
the native float of the same size, Python scalars and lists work, and
complex, object, str and datetime inputs raise a TypeError naming the
function and the dtype, through every entry point.
"""

import re
import warnings

import numpy as np
import pytest

import fastact as fa

from helpers import (KINDS, assert_identical, grads_like,
                     params_in, run, value_mix)


# ---- float16 ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_float16_is_float32_rounded(act, ref, kind):
    """Every float16 bit pattern: the float16 result is the float32 result
    (parameters rounded to float16, as the float16 loop sees them) rounded
    to float16, bitwise; in several layouts (scalar and array parameters,
    strides), so the block conversion loop is covered."""
    x16 = np.arange(1 << 16, dtype=np.uint16).view(np.float16)
    g16 = grads_like(x16).astype(np.float16)
    for params in ref.param_cases:
        p16 = params_in(np.float16, params, ref)
        # backward from y: from the float16 output, in both
        y16 = act(x16, **params)
        with np.errstate(over="ignore"):  # float32 results beyond float16 max
            expected = [r.astype(np.float16) for r in run(
                act, kind, x16.astype(np.float32), p16, g16.astype(np.float32),
                y16.astype(np.float32))]
        for label, sl in [("contiguous", slice(None)), ("step 3", slice(None, None, 3)),
                          ("reversed", slice(None, None, -1))]:
            got = run(act, kind, x16[sl], params, g16[sl], y16[sl])
            for i, (a, e) in enumerate(zip(got, expected)):
                assert_identical(a, e[sl], "fastact.%s %s(float16 %s, %s)[%d]"
                                 % (act.name, kind, label, params, i))


@pytest.mark.parametrize("kind", KINDS)
def test_float16_raises_no_warnings(act, ref, kind):
    """Every float16 bit pattern, the signaling NaNs among them (whose
    conversion to float16 raises invalid in the FPU), repeated to 2^20
    elements so that the loop splits across threads: no warning, on 1 and
    2 threads, and the same bits on both."""
    x16 = np.tile(np.arange(1 << 16, dtype=np.uint16).view(np.float16), 16)
    g16 = grads_like(x16).astype(np.float16)
    results = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for n in (1, 2):
            with fa.threads(n):
                results.append(run(act, kind, x16, ref.param_cases[0], g16))
    for a, b in zip(*results):
        assert_identical(a, b, "fastact.%s %s(float16), 2 threads vs 1" % (act.name, kind))


@pytest.mark.acts(lambda a: a.param_names)
def test_float16_array_parameters(act, ref):
    """Array parameters in float16 go through the block conversion too."""
    x16 = value_mix(np.float16, 3000)
    for name in act.param_names:
        values = np.array([c.get(name, act.defaults[act.param_names.index(name)])
                           for c in ref.param_cases], dtype=np.float16)
        p = np.resize(values, x16.shape)
        got = act(x16, **{name: p})
        with np.errstate(over="ignore"):
            expected = act(x16.astype(np.float32), **{name: p.astype(np.float32)})
            expected = expected.astype(np.float16)
        assert_identical(got, expected, "fastact.%s float16 %s=array" % (act.name, name))


# ---- output dtypes -----------------------------------------------------------------

@pytest.mark.parametrize("in_dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
def test_float_dtype_kept(act, kind, in_dtype):
    x = value_mix(in_dtype, 50)
    for out in run(act, kind, x):
        assert out.dtype == np.dtype(in_dtype)
        assert out.shape == x.shape


@pytest.mark.parametrize("in_dtype", ["int8", "int32", "int64", "uint8", "uint64", "bool",
                                      "longdouble"])
@pytest.mark.parametrize("kind", KINDS)
def test_integers_bools_long_double_compute_in_float64(act, ref, kind, in_dtype):
    """int8 (where NumPy alone would pick float16), other integers and bool
    compute in float64 and return float64, the same values as a float64
    input; so does long double."""
    rng = np.random.default_rng(4)
    info = np.iinfo(in_dtype) if np.dtype(in_dtype).kind in "iu" else None
    if in_dtype == "bool":
        x = np.array([True, False, True, True])
    elif in_dtype == "longdouble":
        x = value_mix(np.float64, 60).astype(np.longdouble)
    else:
        x = np.concatenate([np.array([info.min, info.max, 0, 1], dtype=in_dtype),
                            rng.integers(max(info.min, -50), min(info.max, 50), 40,
                                         dtype=in_dtype)])
    g = np.arange(x.size).astype(in_dtype) if in_dtype != "bool" else x[::-1].copy()
    x64, g64 = x.astype(np.float64), g.astype(np.float64)
    for params in ref.param_cases:
        got = run(act, kind, x, params, g)
        expected = run(act, kind, x64, params, g64)
        for a, e in zip(got, expected):
            assert_identical(a, e, "fastact.%s %s(%s)" % (act.name, kind, in_dtype))


@pytest.mark.parametrize("in_dtype", [">f2", ">f4", ">f8", "<f2", "<f4", "<f8"])
@pytest.mark.parametrize("kind", KINDS)
def test_byte_order(act, ref, kind, in_dtype):
    """Big-endian (and explicitly little-endian) floats: the native float of
    the same size, with the values of a native input."""
    native = np.dtype(in_dtype).newbyteorder("=")
    x_native = value_mix(native, 200)
    x = x_native.astype(in_dtype)
    g = grads_like(x_native).astype(in_dtype)
    for params in ref.param_cases:
        got = run(act, kind, x, params, g)
        expected = run(act, kind, x_native, params, g.astype(native))
        for a, e in zip(got, expected):
            assert a.dtype == native and a.dtype.isnative
            assert_identical(a, e, "fastact.%s %s(%s)" % (act.name, kind, in_dtype))


def test_mixed_byte_order_backward(act):
    """grad big-endian float32, x (or y) native float32: float32 out."""
    x = value_mix(np.float32, 100)
    g = grads_like(x)
    expected = act.backward(g, x=x)
    got = act.backward(g.astype(">f4"), x=x)
    assert_identical(got, expected, "fastact.%s.backward(>f4, f4)" % act.name)
    got = act.backward(g, x=x.astype(">f4"))
    assert_identical(got, expected, "fastact.%s.backward(f4, >f4)" % act.name)


# ---- Python objects ---------------------------------------------------------------

def test_python_scalars(act, ref):
    for params in ref.param_cases:
        p = params_in(np.float64, params, ref)
        for x in [0.5, -2.0, 3, -7, 0, True, False]:
            got = act(x, **params)
            assert isinstance(got, np.float64), (x, type(got))
            np.testing.assert_allclose(got, ref.forward(float(x), **p), rtol=1e-14)
            d = act.derivative(x, **params)
            assert isinstance(d, np.float64)
            np.testing.assert_allclose(d, ref.derivative(float(x), **p), rtol=1e-14)
            b = act.backward(2.0, x=x, **params)
            assert isinstance(b, np.float64)
            np.testing.assert_allclose(b, 2.0 * d, rtol=1e-15)


def test_python_lists(act, ref):
    data = [[-3.0, -0.5, 0.0], [0.5, 2, 40]]
    x = np.array(data, dtype=np.float64)
    for kind in KINDS:
        got = run(act, kind, data, g=[[1.0, -2, 3], [0.5, 0, 1]])
        expected = run(act, kind, x, g=np.array([[1.0, -2, 3], [0.5, 0, 1]]))
        for a, e in zip(got, expected):
            assert_identical(a, e, "fastact.%s %s(list)" % (act.name, kind))
    ints = act([1, 2, 3])
    assert ints.dtype == np.float64
    assert_identical(ints, act(np.array([1.0, 2.0, 3.0])))


# ---- unsupported dtypes ---------------------------------------------------------------

BAD_INPUTS = {
    "complex128": np.array([1.0 + 2j, 0.5]),
    "complex64": np.array([1.0 + 2j, 0.5], dtype=np.complex64),
    "object": np.array([1.0, 2.0], dtype=object),
    "str": np.array(["1.0", "2.0"]),
    "bytes": np.array([b"1.0", b"2.0"]),
    "datetime64": np.array(["2024-01-01", "2024-06-01"], dtype="datetime64[D]"),
    "timedelta64": np.array([1, 2], dtype="timedelta64[s]"),
    "python complex": 1.5 + 0.5j,
    "python str": "1.0",
}


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_unsupported_dtypes_raise_type_error(act, bad):
    x = BAD_INPUTS[bad]
    dtype_name = str(np.asarray(x).dtype)
    good = np.ones(np.shape(x))
    calls = [("forward", lambda: act(x)),
             ("derivative", lambda: act.derivative(x)),
             ("value_and_derivative", lambda: act.value_and_derivative(x)),
             ("backward grad", lambda: act.backward(x, x=good)),
             ("backward x", lambda: act.backward(good, x=x))]
    if act.backward_uses == "y":
        calls += [("backward y", lambda: act.backward(good, y=x)),
                  ("backward grad with y", lambda: act.backward(x, y=good))]
    for what, call in calls:
        with pytest.raises(TypeError) as info:
            call()
        message = str(info.value)
        assert re.search(re.escape("fastact.%s" % act.name) + r"\b", message), (what, message)
        assert dtype_name in message, (what, message)


def test_value_and_derivative_keeps_float_dtype(act):
    for dt in ["float16", "float32", "float64", ">f4"]:
        x = value_mix(np.dtype(dt).newbyteorder("="), 40).astype(dt)
        y, d = act.value_and_derivative(x)
        assert y.dtype == d.dtype == np.dtype(dt).newbyteorder("=")


def test_value_and_derivative_integers_in_float64(act):
    y, d = act.value_and_derivative(np.array([-2, 0, 3], dtype=np.int8))
    assert y.dtype == d.dtype == np.float64
    assert_identical(y, act(np.array([-2.0, 0.0, 3.0])))


def test_integer_layouts(act):
    """Integer inputs in non-contiguous layouts (NumPy casts them in buffers)."""
    a = np.arange(-60, 60, dtype=np.int16)
    for label, xi in [("step 3", a[::3]), ("reversed", a[::-1]),
                      ("transposed", a.reshape(12, 10).T), ("0d", np.int16(-3)),
                      ("empty", a[:0])]:
        got = np.asarray(act(xi))
        assert got.dtype == np.float64
        assert_identical(got, np.asarray(act(np.asarray(xi, dtype=np.float64))),
                         "fastact.%s(int16 %s)" % (act.name, label))
