"""Memory layouts and sizes: strided, transposed, reversed, 0-d, empty and
broadcast inputs give exactly what contiguous ones give; parameters
broadcast against x; large arrays (split across threads) give exactly what
one thread, or the same array in small chunks, gives.
"""

import functools
import subprocess

import numpy as np
import pytest

import fastact as fa
from fastact import _fastpath
from fastact._backend import kernels
from helpers import (KINDS, assert_identical, grads_like, layouts, run, spy_rows, ufunc_params,
                     value_mix)

has_params = pytest.mark.acts(lambda a: a.param_names)


def _c_copy(a):
    return np.array(a, order="C", copy=True)


def _strided_copy(a):
    """The same values in a non-contiguous array (every other element of a
    buffer twice as large along the last axis)."""
    a = np.asarray(a)
    if a.ndim == 0:
        return a
    big = np.empty(a.shape[:-1] + (2 * a.shape[-1],), a.dtype)
    view = big[..., ::2]
    view[...] = a
    return view


@pytest.mark.parametrize("kind", KINDS)
def test_layouts_match_contiguous(act, ref, dtype, kind):
    """Bitwise: the strided loop (element by element, or an explicit block
    through buffers) computes what the contiguous one does."""
    for params in ref.param_cases:
        for label, x in layouts(dtype):
            g = grads_like(x)
            expected = run(act, kind, _c_copy(x), params, g)
            for g_label, gg in [("contiguous grad", g), ("strided grad", _strided_copy(g))]:
                got = run(act, kind, x, params, gg)
                for i, (a, e) in enumerate(zip(got, expected)):
                    assert_identical(np.asarray(a), np.asarray(e), "fastact.%s %s(%s %s, %s, %s)[%d]"
                                     % (act.name, kind, dtype, label, g_label, params, i))


@pytest.mark.parametrize("kind", KINDS)
def test_vector_loops_match_the_scalar_tail(act, ref, dtype, kind):
    """Bitwise: the vectorized loop (and an explicit SIMD block, which
    strided arrays go through too) computes what its scalar tail does,
    the loop that takes the last n % 16 elements: each element again in a
    call of 15 elements, too short for a vector."""
    x = value_mix(dtype, 1000)
    g = grads_like(x)
    for params in ref.param_cases:
        expected = run(act, kind, x, params, g)
        parts = [run(act, kind, x[i:i + 15], params, g[i:i + 15]) for i in range(0, x.size, 15)]
        for k, e in enumerate(expected):
            got = np.concatenate([np.asarray(p[k]).reshape(-1) for p in parts])
            assert_identical(got, np.asarray(e), "fastact.%s %s(%s, %s)[%d]"
                             % (act.name, kind, dtype, params, k))


@pytest.mark.parametrize("kind", KINDS)
def test_0d_and_empty(act, dtype, kind):
    x0 = np.array(-1.25, dtype=dtype)
    for scalar in (x0, x0[()]):  # a 0-d array and a NumPy scalar
        got = run(act, kind, scalar, g=np.array(2.0, dtype=dtype))
        expected = run(act, kind, x0.reshape(1), g=np.array([2.0], dtype=dtype))
        for a, e in zip(got, expected):
            assert np.ndim(a) == 0 and isinstance(a, np.floating), type(a)
            assert a.dtype == dtype
            assert_identical(np.asarray(a).reshape(1), e)
    for shape in [(0,), (3, 0), (0, 2, 5)]:
        x = np.empty(shape, dtype)
        for out in run(act, kind, x, g=np.empty(shape, dtype)):
            assert out.shape == shape and out.dtype == dtype


def test_broadcast_input_and_grad(act, dtype):
    """x of shape (5,) against grad of shape (3, 5), and a 0-d x."""
    x = value_mix(dtype, 5)
    g = grads_like(np.empty((3, 5), dtype))
    got = act.backward(g, x=x)
    assert got.shape == (3, 5)
    for i in range(3):
        assert_identical(got[i], act.backward(g[i], x=x))
    got = act.backward(g, x=x[2])
    assert_identical(got, act.backward(g, x=np.full((3, 5), x[2])))
    if act.backward_uses == "y":
        y = act(x)
        got = act.backward(g, y=y[None, :])  # (1, 5) against (3, 5)
        assert_identical(got, act.backward(g, y=np.broadcast_to(y, (3, 5)).copy()))


# ---- parameters --------------------------------------------------------------------

def _param_values(act, ref, name, dtype):
    i = act.param_names.index(name)
    return np.array([c.get(name, act.defaults[i]) for c in ref.param_cases], dtype=dtype)


@has_params
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_arrays_broadcast(act, ref, dtype, kind):
    """A column of parameter values against a row of x: row i is the call
    with the scalar parameter p[i], bitwise; the same with a nested list
    (float64 values, so only with float64 x: NumPy promotes float32 x and a
    float64 parameter array to float64)."""
    x = value_mix(dtype, 40)
    g = grads_like(x)
    for name in act.param_names:
        p = _param_values(act, ref, name, dtype)
        cases = [("column", p[:, None])]
        if dtype == np.float64:
            cases.append(("list", [[v] for v in p.tolist()]))
        for label, column in cases:
            got = run(act, kind, x, {name: column}, g)
            for k, out in enumerate(got):
                assert out.shape == (len(p), x.size) and out.dtype == dtype
                for i, v in enumerate(p):
                    expected = run(act, kind, x, {name: float(v)}, g)[k]
                    assert_identical(out[i], expected, "fastact.%s %s(%s=%s %s)"
                                     % (act.name, kind, name, label, v))


@has_params
def test_parameter_that_does_not_fit_x_dtype(act):
    """A Python-float parameter that would round to inf in float32 or
    float16 x: a ValueError naming it, from every entry point (not NumPy's
    cast warning and an infinite parameter), out= untouched; float64 x
    takes it."""
    kinds = [k for k in KINDS if k != "backward_y" or act.backward_uses == "y"]
    for dtype, big in [(np.float32, 1e39), (np.float16, 1e6)]:
        x = value_mix(np.dtype(dtype), 20)
        for name in act.param_names:
            for value in (big, -big):
                for kind in kinds:
                    with np.errstate(all="raise"), pytest.raises(ValueError, match=name):
                        run(act, kind, x, {name: value})
                out = np.full_like(x, 7.0)
                with pytest.raises(ValueError, match=name):
                    act(x, out=out, **{name: value})
                assert np.all(out == 7.0)
    x = value_mix(np.dtype(np.float64), 20)
    for name in act.param_names:
        for kind in kinds:
            try:
                with np.errstate(over="raise", invalid="ignore"):
                    run(act, kind, x, {name: 1e39})
            except ValueError as e:  # a check of the catalog's, naming the parameter
                assert name in str(e) and "does not fit" not in str(e)


@pytest.mark.acts(lambda a: a.spec.check is not None)
def test_parameter_that_fails_its_check_once_rounded(act):
    """A Python-float parameter whose float32 or float16 rounding the
    catalog's check refuses (celu's alpha=1e-50 is 0 in float32): a
    ValueError from every entry point, out= untouched; float64 x takes it."""
    kinds = [k for k in KINDS if k != "backward_y" or act.backward_uses == "y"]
    for name, default in zip(act.param_names, act.defaults):
        values = dict(zip(act.param_names, act.defaults))
        if act.spec.check(**dict(values, **{name: 0.0})) is None:
            continue  # 0 is allowed
        for dtype, tiny in [(np.float32, 1e-50), (np.float16, 1e-10)]:
            x = value_mix(np.dtype(dtype), 20)
            for value in (tiny, -tiny):
                for kind in kinds:
                    with pytest.raises(ValueError, match="%s=.* rounds to" % name):
                        run(act, kind, x, {name: value})
                out = np.full_like(x, 7.0)
                with pytest.raises(ValueError, match=name):
                    act(x, out=out, **{name: value})
                assert np.all(out == 7.0)
        for kind in kinds:
            with np.errstate(all="ignore"):
                run(act, kind, value_mix(np.dtype(np.float64), 20), {name: 1e-50})


@has_params
def test_parameter_elementwise_and_scalar_kinds(act, ref, dtype):
    """A parameter array of x's shape applies elementwise; a NumPy scalar,
    a 0-d array and a Python int act like the Python float."""
    x = value_mix(dtype, 200)
    for name in act.param_names:
        p = np.resize(_param_values(act, ref, name, dtype), x.shape)
        got = act(x, **{name: p})
        expected = np.array([act(x[i:i + 1], **{name: float(p[i])})[0] for i in range(x.size)])
        assert_identical(got, expected.astype(dtype), "fastact.%s(%s=array)" % (act.name, name))
        assert_identical(act.derivative(x, **{name: p}),
                         np.array([act.derivative(x[i:i + 1], **{name: float(p[i])})[0]
                                   for i in range(x.size)], dtype=dtype))
        v = float(p[-1])
        expected = act(x, **{name: v})
        for same in [dtype.type(v), np.array(v, dtype=dtype), np.float64(v)]:
            assert_identical(act(x, **{name: same}), expected,
                             "fastact.%s(%s=%r)" % (act.name, name, same))
        # a Python int: one of the table's integral values (every value is valid)
        k = next((int(q) for q in p if float(q).is_integer()), 2)
        assert_identical(act(x, **{name: k}), act(x, **{name: float(k)}))
        # positional and keyword parameters are the same
        i = act.param_names.index(name)
        args = list(ufunc_params(act, {}))[:i] + [v]
        assert_identical(act(x, *args), expected)


@has_params
@pytest.mark.parametrize("kind", KINDS)
def test_parameter_arrays_contiguous_or_strided(act, ref, dtype, kind):
    """Parameter arrays of x's shape run through the per-element loops:
    NAME_c_any_contiguous where every array is contiguous (vectorized, and
    prelu's rows of channels), NAME_c_any_strided where not.  The same
    bits, 1003 elements (vectors, the scalar tail), every entry point."""
    x = value_mix(dtype, 1003)
    g = grads_like(x)
    params = {name: np.resize(_param_values(act, ref, name, dtype), x.shape)
              for name in act.param_names}
    y = act(x, **params)

    def strided(a):
        wide = np.zeros(2 * a.size, a.dtype)
        wide[::2] = a
        return wide[::2]

    contiguous = run(act, kind, x, params, g, y)
    views = run(act, kind, strided(x), {n: strided(p) for n, p in params.items()},
                strided(g), strided(y))
    for got, expected in zip(contiguous, views):
        assert_identical(got, expected, "fastact.%s %s, parameter arrays" % (act.name, kind))


@has_params
def test_parameter_does_not_broadcast(act, dtype):
    x = value_mix(dtype, 10)
    for name in act.param_names:
        with pytest.raises(ValueError):
            act(x, **{name: np.full(3, 0.5, dtype)})


# ---- large arrays and threads ----------------------------------------------------------

N_LARGE = 1_100_003  # above every grain size times two threads; odd, so chunks differ
CHUNK = 65_536


ROWS, ROW = 1100, 1000  # N_LARGE's first 1,100,000 elements as rows


def _rows_view(a):
    """a's first ROWS * ROW values as rows of a wider array: contiguous
    rows, not contiguous as a whole (the rows gufuncs' layout)."""
    big = np.full((ROWS, ROW + 24), np.nan, a.dtype)
    view = big[:, 8:ROW + 8]
    view[...] = a[:ROWS * ROW].reshape(ROWS, ROW)
    return view


def _flat_rows(a):
    return np.asarray(a).reshape(-1)


@functools.lru_cache(maxsize=None)
def _large(dtype):
    x = value_mix(dtype, N_LARGE, seed=11)
    x.flags.writeable = False
    g = grads_like(x, seed=12)
    g.flags.writeable = False
    return x, g


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
def test_large_arrays_threads_and_chunks(act, ref, dtype, kind):
    """1e6 elements: with 2 threads (the contiguous loop splits across
    threads) == with 1 thread == the same array in 64k chunks (each below
    the threading threshold) == a strided view of the same values == the
    same values as rows of a wider array (the rows gufunc, which splits
    the rows across threads), on 2 threads and on 1.  float16 too: its
    loop converts blocks (vector instructions where contiguous) for the
    float32 loop, split across threads as float32 is."""
    x, g = _large(dtype)
    xr, gr = _rows_view(x), _rows_view(g)
    for params in ref.param_cases[:2]:
        with fa.threads(2):
            assert fa.get_num_threads() == (2 if fa.config()["openmp"] else 1)
            threaded = run(act, kind, x, params, g)
            rows = {2: run(act, kind, xr, params, gr)}
        with fa.threads(1):
            assert fa.get_num_threads() == 1
            single = run(act, kind, x, params, g)
            rows[1] = run(act, kind, xr, params, gr)
        parts = [run(act, kind, x[i:i + CHUNK], params, g[i:i + CHUNK])
                 for i in range(0, N_LARGE, CHUNK)]
        chunked = [np.concatenate([p[k] for p in parts]) for k in range(len(threaded))]
        strided = run(act, kind, _strided_copy(x), params, _strided_copy(g))
        for k, t in enumerate(threaded):
            what = "fastact.%s %s(%s, n=%d, %s)[%d]" % (act.name, kind, dtype, N_LARGE, params, k)
            assert t.shape == x.shape
            assert_identical(t, single[k], what + " 2 threads vs 1")
            assert_identical(t, chunked[k], what + " whole vs chunks")
            assert_identical(t, strided[k], what + " contiguous vs strided")
            for n, r in rows.items():
                assert r[k].shape == xr.shape
                assert_identical(_flat_rows(r[k]), t[:ROWS * ROW], what + " rows, %d thread(s)" % n)


@pytest.fixture
def stream_everything():
    """Streaming stores for every output of the loops that stream (default:
    above 8 MiB or an eighth of the L3), so that 1e6 elements take that path."""
    old = kernels.get_stream_min_bytes()
    kernels.set_stream_min_bytes(0)
    yield
    kernels.set_stream_min_bytes(old)


@pytest.mark.parametrize("kind", KINDS)
def test_large_arrays_streamed(act, ref, dtype, kind, stream_everything):
    """Outputs written by streaming stores (blocks computed into a buffer,
    then stored past the cache): the values of the plain loop, with 1 and
    2 threads, also into an output that starts off the vector alignment."""
    x, g = _large(dtype)
    params = ref.param_cases[0]
    kernels.set_stream_min_bytes(1 << 62)
    with fa.threads(1):
        plain = run(act, kind, x, params, g)
    kernels.set_stream_min_bytes(0)
    for threads in (1, 2):
        with fa.threads(threads):
            streamed = run(act, kind, x, params, g)
            rows = run(act, kind, _rows_view(x), params, _rows_view(g))
        for k, (s, p) in enumerate(zip(streamed, plain)):
            assert_identical(s, p, "fastact.%s %s(%s) streamed, %d threads [%d]"
                             % (act.name, kind, dtype, threads, k))
            assert_identical(_flat_rows(rows[k]), p[:ROWS * ROW], "fastact.%s %s(%s) rows "
                             "streamed, %d threads [%d]" % (act.name, kind, dtype, threads, k))
    if kind == "forward":
        out = np.full(x.size + 1, np.nan, dtype=x.dtype)[1:]
        assert act(x, out=out, **params) is out
        assert_identical(out, plain[0], "fastact.%s(%s) streamed into out[1:]" % (act.name, dtype))


def test_stream_min_bytes_setting():
    """Default: 8 MiB, or an eighth of the L3 cache the OS reports where
    that is more; a bad setting is refused and changes nothing."""
    # Python's os.sysconf lacks the name; getconf asks the same sysconf
    try:
        run = subprocess.run(["getconf", "LEVEL3_CACHE_SIZE"], capture_output=True, text=True)
        l3 = int(run.stdout) if run.returncode == 0 else 0
    except (OSError, ValueError):  # no getconf, or "undefined"
        l3 = 0
    default = max(8 << 20, l3 // 8)
    assert kernels.get_stream_min_bytes() == default
    assert fa.config()["stream_min_bytes"] == default
    with pytest.raises(ValueError, match="nbytes must be >= 0"):
        kernels.set_stream_min_bytes(-1)
    assert kernels.get_stream_min_bytes() == default


def test_large_in_place_threaded(act, dtype):
    """In place (out=x) on a large array, threaded: same as out of place;
    also on rows of a wider array, and into rows that overlap the input
    shifted by one element (NumPy copies the input first), streaming
    stores allowed."""
    x, _ = _large(dtype)
    expected = act(x)
    work = x.copy()
    with fa.threads(2):
        result = act(work, out=work)
    assert result is work
    assert_identical(work, expected)
    old = kernels.get_stream_min_bytes()
    kernels.set_stream_min_bytes(0)
    try:
        for start in (8, 7):  # in place; the output one element before the input
            rows = _rows_view(x)  # (columns 8 to ROW + 8 of its base)
            with fa.threads(2):
                result = act(rows, out=rows.base[:, start:start + ROW])
            assert_identical(_flat_rows(result), expected[:ROWS * ROW],
                             "fastact.%s(%s) rows, out at column %d" % (act.name, dtype, start))
    finally:
        kernels.set_stream_min_bytes(old)


def test_rows_layouts_pick_the_rows_gufunc():
    """Which calls the fast path gives NAME_rows (_fastpath.along_rows):
    arrays of contiguous rows of one shape and dtype, not all contiguous as
    a whole (where the ufunc would run once per row); the ufunc takes
    everything else, and reports the errors."""
    act = fa.sigmoid
    rows = act.rows[act.ufunc]

    def pick(a, b=None, out=None, ufunc=act.ufunc):
        return _fastpath.rows_or_ufunc(act.rows, ufunc, a, b, out)

    wide = np.zeros((64, 40))
    view = wide[:, :32]
    c = np.zeros((64, 32))
    assert pick(view) is rows
    assert pick(view, out=c) is rows and pick(c, out=view) is rows
    assert pick(wide[None, :, 3:35]) is rows  # 3-d, rows off the vector alignment
    assert pick(c) is act.ufunc and pick(c, out=np.empty_like(c)) is act.ufunc
    assert pick(np.zeros((32, 64)).T) is act.ufunc  # Fortran order: one call
    assert pick(wide[:, :32:2]) is act.ufunc  # strided rows
    assert pick(wide[:2, :8]) is rows
    assert pick(wide[:, :7]) is act.ufunc  # rows shorter than ROW_MIN: NumPy buffers them
    assert pick(np.zeros((400, 4))[:, :1]) is act.ufunc
    assert pick(np.zeros((0, 4))[:, :2]) is act.ufunc  # empty
    assert pick(view, out=np.empty((1, 32))) is act.ufunc  # out broadcasts: the ufunc's error
    assert pick(view, out=np.empty((64, 32), np.float32)) is act.ufunc  # a cast
    assert pick(view, out=[0.0] * 32) is act.ufunc
    assert pick(view.tolist()) is act.ufunc and pick(np.ma.array(view)) is act.ufunc
    assert pick(view, out=(c,)) is rows and pick(view, out=(c, view[:, :7])) is act.ufunc
    backward = act.backward_ufunc
    assert pick(view, c, ufunc=backward) is act.rows[backward]
    assert pick(c, view, ufunc=backward) is act.rows[backward]
    assert pick(c, c, ufunc=backward) is backward
    assert pick(view, view[0], ufunc=backward) is backward  # x broadcast along the rows


@pytest.mark.parametrize("name", ["elu", "tanh", "celu"])
def test_rows_calls_run_the_rows_gufunc(monkeypatch, name):
    """Every entry point (the compiled fast paths of __call__ and backward,
    the Python ones of derivative and value_and_derivative, and of
    everything for celu, whose alpha is checked) calls the rows gufunc for
    rows of a wider array, with the parameters, and gets what the ufunc
    gets on a contiguous copy."""
    act = getattr(fa, name)
    calls = spy_rows(monkeypatch, act, "rows")
    x = value_mix(np.float32, 64 * 40).reshape(64, 40)[:, 4:36]
    g = grads_like(x)
    xc, gc = _c_copy(x), _c_copy(g)
    params = {"alpha": 0.5} if act.param_names else {}
    assert_identical(act(x, **params), act(xc, **params))
    out = np.empty_like(xc)
    assert act(x, out=out, **params) is out
    assert_identical(out, act(xc, **params))
    assert_identical(act.derivative(x, **params), act.derivative(xc, **params))
    for a, e in zip(act.value_and_derivative(x, **params), act.value_and_derivative(xc, **params)):
        assert_identical(a, e)
    assert_identical(act.backward(g, x=x, **params), act.backward(gc, x=xc, **params))
    expected = [name + "_rows", name + "_rows", name + "_derivative_rows",
                name + "_value_and_derivative_rows", name + "_backward_rows"]
    if act.backward_uses == "y":
        y = act(xc, **params)
        yv = np.zeros((64, 40), np.float32)[:, 8:40]
        yv[...] = y
        assert_identical(act.backward(g, y=yv, **params), act.backward(gc, y=y, **params))
        expected.append(name + "_backward_from_y_rows")
    assert calls == expected
    # a parameter array broadcasts against x, not per row: the ufunc
    if act.param_names:
        alpha = np.full(x.shape[-1], 0.5, np.float32)
        assert_identical(act(x, alpha=alpha), act(xc, **params))
        assert_identical(act.derivative(x, alpha), act.derivative(xc, **params))
        assert calls == expected
