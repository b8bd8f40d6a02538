"""Reliability: errors before anything is written, no leaks (memory and
reference counts) over 1e5 calls, overlapping out= and input, and arrays
of more than 2**31 elements (slow: run with --runslow or FASTACT_SLOW=1)."""

import gc
import sys
import tracemalloc

import numpy as np
import pytest

import fastact as fa
from helpers import assert_identical, grads_like, value_mix


def _kinds(act):
    """(kind, call(x, g, out)) for every entry point with out=."""
    kinds = [("forward", lambda x, g, out: act(x, out=out)),
             ("derivative", lambda x, g, out: act.derivative(x, out=out)),
             ("backward x", lambda x, g, out: act.backward(g, x=x, out=out))]
    if act.backward_uses == "y":
        kinds.append(("backward y", lambda x, g, out: act.backward(g, y=act(x), out=out)))
    return kinds


# ---- errors leave out= untouched ----------------------------------------------------

def test_read_only_out_raises_value_error(act, dtype):
    x = value_mix(dtype, 20)
    g = grads_like(x)
    out = np.full_like(x, 7.0)
    out.flags.writeable = False
    for kind, call in _kinds(act):
        with pytest.raises(ValueError, match="read-only"):
            call(x, g, out)
    with pytest.raises(ValueError, match="read-only"):
        act.value_and_derivative(x, out=(np.empty_like(x), out))
    assert np.all(out == 7.0)


def test_bad_input_with_out_leaves_out_untouched(act, dtype):
    """Unsupported dtypes and bad parameters fail before out is written."""
    x = value_mix(dtype, 20)
    g = grads_like(x)
    out = np.full_like(x, 7.0)
    for bad in [x.astype(np.complex128), x.astype(object), x.astype("U8"),
                np.arange(20).astype("datetime64[s]")]:
        for kind, call in _kinds(act)[:3]:
            with pytest.raises(TypeError, match=r"fastact\.%s" % act.name):
                call(bad, g, out)
        with pytest.raises(TypeError, match=r"fastact\.%s" % act.name):
            act.backward(bad, x=x, out=out)
    with pytest.raises(TypeError):
        act(x, out=out, not_a_parameter=1.0)
    for name in act.param_names:
        with pytest.raises(TypeError, match=name):
            act(x, out=out, **{name: "0.5"})
        with pytest.raises(ValueError):
            act(x, out=out, **{name: np.ones(3)})  # does not broadcast with x
    assert np.all(out == 7.0)


# ---- overlap -----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("n", [1000, 600_000], ids=["small", "threaded"])
def test_out_overlapping_input_shifted(act, dtype, n):
    """out= a shifted view of an input, in both directions (reading ahead
    of, or behind, the writes): NumPy buffers, the result is as if no
    memory were shared."""
    x0 = value_mix(dtype, n + 1)
    g0 = grads_like(x0)
    for kind, call in _kinds(act):
        for label, src, dst in [("out behind", slice(1, None), slice(None, -1)),
                                ("out ahead", slice(None, -1), slice(1, None)),
                                # the strided path (blocks through buffers)
                                ("strided out behind", slice(2, None, 2), slice(None, -2, 2)),
                                ("strided out ahead", slice(None, -2, 2), slice(2, None, 2)),
                                ("strided in place", slice(None, None, 3), slice(None, None, 3))]:
            expected = call(x0[src], g0[src], None)
            for into in ["x", "grad"] if kind.startswith("backward") else ["x"]:
                x, g = x0.copy(), g0.copy()
                buf = x if into == "x" else g
                assert call(x[src], g[src], buf[dst]) is not None
                assert_identical(buf[dst], expected, "fastact.%s %s(%s), %s in %s"
                                 % (act.name, kind, label, "out", into))
    # the pair of value_and_derivative, both overlapping x
    for src, dst in [(slice(1, None), slice(None, -1)), (slice(None, -1), slice(1, None))]:
        x = x0.copy()
        y_exp, d_exp = act.value_and_derivative(x0[src])
        d = np.empty_like(x)
        act.value_and_derivative(x[src], out=(x[dst], d[dst]))
        assert_identical(x[dst], y_exp)
        assert_identical(d[dst], d_exp)


# ---- leaks -------------------------------------------------------------------------

CALLS = 100_000


def _expect(exc, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except exc:
        return
    raise AssertionError("no %s" % exc.__name__)


def _many_calls(act, x, g, out, x16, bad_out):
    """Calls of every kind through act: fast path, out=, general path,
    backward, the pair, and three errors."""
    # required parameters (threshold's) get a value; the rest their default
    param = {n: 0.5 if d is None else d for n, d in zip(act.param_names, act.defaults)}
    required = {n: v for n, v in param.items() if v is not act.defaults[act.param_names.index(n)]}
    uses = "y" if act.backward_uses == "y" else "x"
    return [
        lambda: act(x, **required),
        lambda: act(x, out=out, **required),
        lambda: act(x16, **param),
        lambda: act.backward(g, out=out, **{uses: x}, **required),
        lambda: act.value_and_derivative(x, out=(out, g), **required),
        lambda: _expect(ValueError, act, x, out=bad_out, **required),
        lambda: _expect(TypeError, act, x, bogus=1.0, **required),
        lambda: _expect(ValueError, act.backward, g[:3], x=x, **required),
    ]


def _axis_calls(x, out):
    """The axis-wise functions the same way: forward, out=, backward, errors."""
    m, mo = x.reshape(4, 4), out.reshape(4, 4)
    w = np.full(4, 0.25)
    return [
        lambda: fa.softmax(m, axis=0),
        lambda: fa.log_softmax(m, out=mo),
        lambda: fa.softmax.backward(m, y=fa.softmax(m), axis=0, out=mo),
        lambda: fa.glu(m),
        lambda: fa.swiglu.backward(m[:, :2], x=m),
        lambda: fa.prelu.backward(m, x=m, weight=w),
        lambda: _expect(ValueError, fa.softmax, m, axis=3),
        lambda: _expect(ValueError, fa.glu, m[:, :3]),
        lambda: _expect(ValueError, fa.prelu, m, np.ones(3)),
    ]


def test_no_leaks_over_many_calls():
    """1e5 calls, every kind through every activation and the axis-wise
    functions, leave the traced memory (what survives the garbage
    collector) and the reference counts of the arrays, activations and
    ufuncs involved flat."""
    x = np.linspace(-3, 3, 16)
    out, g, x16, bad_out = np.empty_like(x), np.ones_like(x), x.astype(np.int16), np.empty(3)
    calls = [c for act in fa.catalog() for c in _many_calls(act, x, g, out, x16, bad_out)]
    calls += _axis_calls(x, out)
    watched = [x, out, g, x16, bad_out] + [
        o for act in fa.catalog() for o in (act, act.ufunc, act.backward_ufunc)]

    def run(n):
        for i in range(n):
            calls[i % len(calls)]()
        gc.collect()  # exceptions leave frame cycles for the collector

    run(1000)  # warm up caches (NumPy's, the interpreter's)
    refs = [sys.getrefcount(o) for o in watched]
    tracemalloc.start()
    try:
        run(1000)
        before = tracemalloc.get_traced_memory()[0]
        run(CALLS)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # a leak of one small object per call would be megabytes
    assert grown < 64 * 1024, "memory grew by %d bytes over %d calls" % (grown, CALLS)
    assert [sys.getrefcount(o) for o in watched] == refs


# ---- more than 2**31 elements ----------------------------------------------------------

BIG = 2**31 + 16  # int32 indices would wrap; a multiple of 16


def _check_rows(a, expected, step=2**22):
    """Every row of a (n, 16) array equals expected, in bounded memory."""
    for start in range(0, a.shape[0], step):
        chunk = a[start:start + step]
        bad = np.flatnonzero(~np.all(chunk == expected, axis=1))
        assert bad.size == 0, "rows %s: %s, expected %s" % (
            (start + bad[:3]).tolist(), chunk[bad[0]], expected)


@pytest.mark.slow
def test_more_than_2_31_elements_float32_contiguous():
    """8 GiB in place: the contiguous (threaded) loop indexes with int64."""
    x = np.empty(BIG, np.float32)
    pattern = np.linspace(-8, 8, 16, dtype=np.float32)
    rows = x.reshape(-1, 16)
    rows[...] = pattern
    assert fa.sigmoid(x, out=x) is x
    _check_rows(rows, fa.sigmoid(pattern))
    del x, rows


@pytest.mark.slow
def test_more_than_2_31_elements_float16_reversed():
    """4 GiB in place, negative stride: the float16 block loop with int64
    offsets."""
    x = np.empty(BIG, np.float16)
    pattern = np.linspace(-4, 4, 16, dtype=np.float16)
    rows = x.reshape(-1, 16)
    rows[...] = pattern
    view = x[::-1]
    assert fa.tanh(view, out=view) is view
    _check_rows(rows, fa.tanh(pattern))
    del x, rows, view
