"""Dask and xarray through the ufunc protocol: every elementwise function
of the catalog on a dask array builds a lazy graph (nothing computed) with
the values of NumPy; the ufuncs and activations pickle (Dask ships them to
workers), a real multi-process distributed cluster computes them; an
xarray DataArray comes back a DataArray with its coordinates.  Neither
library is imported by fastact itself.
"""

import contextlib
import pickle
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from helpers import assert_identical, grads_like, value_mix


def _entry_points(act, x, g, params):
    """(label, call) for every elementwise entry point of act, on x and g of
    any array type."""
    calls = [("forward", lambda: act(x, **params)),
             ("derivative", lambda: act.derivative(x, **params)),
             ("value_and_derivative", lambda: act.value_and_derivative(x, **params)),
             ("backward x", lambda: act.backward(g, x=x, **params))]
    if act.backward_uses == "y":
        calls.append(("backward y", lambda: act.backward(g, y=act(x, **params), **params)))
    return calls


def test_import_does_not_import_dask_or_xarray():
    code = ("import sys, numpy as np, fastact as fa; fa.sigmoid(np.ones(3)); "
            "fa.relu.backward([1.0], x=[2.0]); "
            "print(sorted(m for m in ('dask', 'distributed', 'xarray', 'pandas') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_ufuncs_and_activations_pickle(act):
    act = fa.ACTIVATIONS[act.name]  # the object itself, not a test wrapper
    ufuncs = [act.ufunc, act.derivative_ufunc, act.value_and_derivative_ufunc,
              act.backward_ufunc, act.backward_from_y_ufunc]
    for obj in [act] + [u for u in ufuncs if u is not None]:
        assert pickle.loads(pickle.dumps(obj)) is obj
    # by a name that does not depend on the CPU target
    assert b"fastact._named_ufuncs" in pickle.dumps(act.ufunc)


# ---- Dask --------------------------------------------------------------------

@pytest.fixture
def da():
    return pytest.importorskip("dask.array")


@contextlib.contextmanager
def refusing_compute():
    """Any Dask computation inside raises: proves that building the graph is lazy."""
    dask = pytest.importorskip("dask")

    def refuse(*args, **kwargs):
        raise AssertionError("a dask array was computed")

    with dask.config.set(scheduler=refuse):
        yield


@pytest.fixture
def no_compute():
    with refusing_compute():
        yield


@pytest.mark.parametrize("in_dtype", ["float16", "float32", "float64", "int16"])
def test_dask_lazy_and_same_values(act, ref, da, no_compute, in_dtype):
    """Lazy dask arrays out (a pair for value_and_derivative), over several
    chunks; computed, the values of the same call on NumPy arrays, bitwise."""
    import dask

    x_np = (value_mix(in_dtype, 1000) if in_dtype != "int16"
            else np.arange(-500, 500, dtype=in_dtype)).reshape(40, 25)
    g_np = grads_like(np.zeros(x_np.shape, np.float32)).astype(in_dtype)
    x, g = da.from_array(x_np, chunks=(15, 10)), da.from_array(g_np, chunks=(15, 10))
    for params in ref.param_cases:
        expected = dict(_entry_points(act, x_np, g_np, params))
        for label, call in _entry_points(act, x, g, params):
            lazy = call()
            results = lazy if isinstance(lazy, tuple) else (lazy,)
            assert all(isinstance(r, da.Array) for r in results), (label, type(lazy))
            with dask.config.set(scheduler="sync"):
                got = dask.compute(*results)
            want = expected[label]()
            for r, w in zip(got, want if isinstance(want, tuple) else (want,)):
                assert_identical(r, w, "fastact.%s %s(dask %s, %s)"
                                 % (act.name, label, in_dtype, params))


def test_dask_mixed_with_numpy_stays_lazy(act, da, no_compute):
    """A dask grad with a NumPy x of another dtype (fastact decides the loop
    dtype from both: from the dask array's dtype, never its values)."""
    x_np = np.arange(-6, 6, dtype=np.int32)
    g = da.from_array(np.linspace(-1, 1, 12, dtype=np.float32), chunks=5)
    lazy = act.backward(g, x=x_np)
    assert isinstance(lazy, da.Array) and lazy.dtype == np.float64


def _axis_calls(name, x, g, axis):
    """(label, call) for the forward and backward of an axis-wise function;
    g has the output's shape."""
    f = getattr(fa, name)
    if name.endswith("softmax"):
        return [("forward", lambda: f(x, axis=axis)),
                ("backward", lambda: f.backward(g, y=f(x, axis=axis), axis=axis))]
    return [("forward", lambda: f(x, axis=axis)),
            ("backward", lambda: f.backward(g, x=x, axis=axis))]


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "glu", "swiglu", "geglu"])
@pytest.mark.parametrize("axis", [-1, 0])
@pytest.mark.parametrize("chunks", [(4, 30), (8, 5)], ids=["axis-1-whole", "all-split"])
def test_dask_axis_functions_lazy_along_any_axis(name, axis, chunks, da, no_compute):
    """softmax, log_softmax and the GLU family on Dask arrays stay lazy and
    give NumPy's values bitwise, whether the axis is one chunk (blockwise)
    or split over several (rechunked)."""
    import dask

    x_np = value_mix(np.float32, 360).reshape(12, 30)
    out_shape = list(x_np.shape)
    if not name.endswith("softmax"):
        out_shape[axis] //= 2
    g_np = grads_like(np.zeros(out_shape, np.float32))
    x, g = da.from_array(x_np, chunks=chunks), da.from_array(g_np, chunks=chunks)
    expected = dict(_axis_calls(name, x_np, g_np, axis))
    for label, call in _axis_calls(name, x, g, axis):
        lazy = call()
        assert isinstance(lazy, da.Array), (label, type(lazy))
        with dask.config.set(scheduler="sync"):
            got = lazy.compute()
        what = "fastact.%s %s(dask, axis=%d, chunks=%s)" % (name, label, axis, chunks)
        _assert_blockwise_equal(got, expected[label](), name, axis, what)


@pytest.mark.parametrize("weight", [np.float32(0.25), np.linspace(-1, 1, 30, dtype=np.float32)],
                         ids=["single", "per-channel"])
def test_dask_prelu_lazy(weight, da, no_compute):
    """prelu and prelu.backward on Dask arrays stay lazy (grad_x and the
    reduced grad_weight) and give NumPy's values bitwise."""
    import dask

    # finite values: NumPy's reduction of grad * min(x, 0) would warn on
    # overflow inside Dask's compute
    rng = np.random.default_rng(3)
    x_np = (rng.standard_normal((12, 30)) * 4).astype(np.float32)
    g_np = rng.standard_normal((12, 30)).astype(np.float32)
    x, g = da.from_array(x_np, chunks=(4, 10)), da.from_array(g_np, chunks=(4, 10))
    y = fa.prelu(x, weight)
    grad_x, grad_w = fa.prelu.backward(g, x=x, weight=weight)
    for lazy in (y, grad_x, grad_w):
        assert isinstance(lazy, da.Array), type(lazy)
    with dask.config.set(scheduler="sync"):
        got = dask.compute(y, grad_x, grad_w)
    want_gx, want_gw = fa.prelu.backward(g_np, x=x_np, weight=weight)
    assert_identical(got[0], fa.prelu(x_np, weight), "fastact.prelu(dask)")
    assert_identical(got[1], want_gx, "fastact.prelu.backward(dask) grad_x")
    # the weight gradient is a sum: Dask adds chunk by chunk
    np.testing.assert_allclose(got[2], want_gw, rtol=1e-5, atol=1e-5)
    assert got[2].dtype == want_gw.dtype and got[2].shape == np.shape(weight)


def _assert_blockwise_equal(got, want, name, axis, what):
    """Bitwise, except softmax along a non-last axis: its kernel vectorizes
    across neighbouring slices, so a slice's rounding depends on how wide
    its block is (a few ULP)."""
    if name.endswith("softmax") and axis in (0, -2):
        tol = 8 * np.finfo(want.dtype).eps
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)
        assert got.dtype == want.dtype, what
    else:
        assert_identical(got, want, what)


def test_dask_distributed_local_cluster(da):
    """A real cluster of two worker processes (loopback only) computes
    fastact on a chunked array, sigmoid then softmax along either axis:
    the ufuncs travel by pickle."""
    distributed = pytest.importorskip("distributed")
    x_np = value_mix(np.float32, 200_000).reshape(400, 500)
    g_np = grads_like(x_np)
    x = da.from_array(x_np, chunks=(100, 500))
    g = da.from_array(g_np, chunks=(100, 500))
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        y = fa.sigmoid(x)
        grad_x = fa.sigmoid.backward(g, y=y)
        slope = fa.leaky_relu(x, negative_slope=0.2)
        # softmax along a chunked axis (rechunked) and along a whole one
        p0, p1 = fa.softmax(y, axis=0), fa.softmax(y, axis=1)
        y_c, grad_c, slope_c, p0_c, p1_c = client.compute([y, grad_x, slope, p0, p1],
                                                          sync=True)
        assert len(client.scheduler_info()["workers"]) == 2
    y_np = fa.sigmoid(x_np)
    assert_identical(y_c, y_np, "sigmoid on the cluster")
    assert_identical(grad_c, fa.sigmoid.backward(g_np, y=y_np), "sigmoid.backward on the cluster")
    assert_identical(slope_c, fa.leaky_relu(x_np, negative_slope=0.2), "leaky_relu on the cluster")
    _assert_blockwise_equal(p0_c, fa.softmax(y_np, axis=0), "softmax", 0,
                            "softmax(axis=0) on the cluster")
    assert_identical(p1_c, fa.softmax(y_np, axis=1), "softmax(axis=1) on the cluster")


# ---- xarray ------------------------------------------------------------------------

def test_xarray_dataarray_keeps_coordinates(act, ref):
    xr = pytest.importorskip("xarray")
    x_np = value_mix(np.float32, 12).reshape(3, 4)
    x = xr.DataArray(x_np, dims=("batch", "unit"),
                     coords={"batch": [10, 20, 30], "unit": list("abcd")},
                     name="pre", attrs={"units": "logit"})
    g = xr.ones_like(x)
    params = ref.param_cases[-1]
    expected = dict(_entry_points(act, x_np, np.ones_like(x_np), params))
    for label, call in _entry_points(act, x, g, params):
        result = call()
        want = expected[label]()
        for r, w in zip(result if isinstance(result, tuple) else (result,),
                        want if isinstance(want, tuple) else (want,)):
            assert isinstance(r, xr.DataArray), (label, type(r))
            assert r.dims == x.dims
            for name in x.coords:
                assert r.coords[name].equals(x.coords[name]), (label, name)
            assert_identical(r.values, w, "fastact.%s %s(DataArray)" % (act.name, label))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "glu", "swiglu", "geglu"])
@pytest.mark.parametrize("axis", [-1, 0, "unit", "batch"])
def test_xarray_axis_functions_keep_coordinates(name, axis):
    """softmax, log_softmax and the GLU family on a DataArray (whose ufunc
    protocol refuses generalized ufuncs): a DataArray back, with x's name,
    attributes and coordinates (the GLU halves drop those along the axis),
    NumPy's values bitwise, and axis also a dimension's name."""
    xr = pytest.importorskip("xarray")
    x_np = value_mix(np.float32, 48).reshape(4, 12)
    x = xr.DataArray(x_np, dims=("batch", "unit"),
                     coords={"batch": [10, 20, 30, 40], "unit": np.arange(12),
                             "label": ("batch", list("abcd"))},
                     name="pre", attrs={"units": "logit"})
    i = x.dims.index(axis) if isinstance(axis, str) else axis
    y = getattr(fa, name)(x, axis=axis)
    g_np = grads_like(np.zeros(y.shape, np.float32))
    g = y.copy(data=g_np)
    expected = dict(_axis_calls(name, x_np, g_np, i))
    dim = x.dims[i]
    for label, call in _axis_calls(name, x, g, axis):
        r = call()
        what = "fastact.%s %s(DataArray, axis=%r)" % (name, label, axis)
        assert isinstance(r, xr.DataArray), (what, type(r))
        assert (r.dims, r.name, r.attrs) == (x.dims, x.name, x.attrs), what
        for c in x.coords:
            if r.shape != x.shape and dim in x.coords[c].dims:
                assert c not in r.coords, (what, c)
            else:
                assert r.coords[c].equals(x.coords[c]), (what, c)
        assert_identical(r.values, expected[label](), what)


@pytest.mark.parametrize("weight", [np.float32(0.25), np.array([0.1, 0.2, 0.3, 0.4], np.float32)])
def test_xarray_prelu(weight, da):
    """prelu on a DataArray (through the ufunc protocol): a DataArray back
    with x's dims, name, attributes and coordinates and NumPy's values
    bitwise; backward's grad_x a DataArray, grad_weight weight's kind and
    shape (a lazy Dask array from a Dask-backed DataArray)."""
    xr = pytest.importorskip("xarray")
    x_np = value_mix(np.float32, 12).reshape(3, 4)
    x = xr.DataArray(x_np, dims=("batch", "channel"),
                     coords={"batch": [10, 20, 30], "channel": list("abcd")},
                     name="pre", attrs={"units": "logit"})
    g_np = grads_like(x_np)
    y = fa.prelu(x, weight)
    assert isinstance(y, xr.DataArray)
    assert (y.dims, y.name, y.attrs) == (x.dims, x.name, x.attrs)
    assert all(y.coords[c].equals(x.coords[c]) for c in x.coords)
    assert_identical(y.values, fa.prelu(x_np, weight), "prelu(DataArray)")
    gx, gw = fa.prelu.backward(x.copy(data=g_np), x=x, weight=weight)
    want_gx, want_gw = fa.prelu.backward(g_np, x=x_np, weight=weight)
    assert isinstance(gx, xr.DataArray) and gx.dims == x.dims
    assert_identical(gx.values, want_gx, "prelu.backward(DataArray) grad_x")
    assert type(gw) is type(want_gw) and gw.shape == np.shape(weight)
    assert_identical(gw, want_gw, "prelu.backward(DataArray) grad_weight")
    with refusing_compute():
        lazy_gx, lazy_gw = fa.prelu.backward(x.copy(data=g_np).chunk({"batch": 1}),
                                             x=x.chunk({"batch": 1}), weight=weight)
    assert isinstance(lazy_gx.data, da.Array) and isinstance(lazy_gw, da.Array)
    assert_identical(lazy_gw.compute(), want_gw, "prelu.backward(Dask DataArray) grad_weight")


def test_xarray_axis_functions_errors_and_dask(da):
    """Inputs that do not line up are errors (the data are used by
    position), as are out= and a dimension's name for a NumPy array; a
    Dask-backed DataArray stays lazy."""
    xr = pytest.importorskip("xarray")
    x = xr.DataArray(np.ones((2, 4)), dims=("b", "c"), coords={"c": list("wxyz")})
    y = fa.softmax(x, axis="c")
    with pytest.raises(ValueError, match="dimensions differ"):
        fa.softmax.backward(x.transpose(), y=y)
    with pytest.raises(ValueError, match="coordinate 'c' differs"):
        fa.softmax.backward(x.assign_coords(c=list("abcd")), y=y, axis="c")
    with pytest.raises(ValueError, match="'q' is not a dimension"):
        fa.log_softmax(x, axis="q")
    with pytest.raises(TypeError, match="out= is not supported for xarray"):
        fa.glu(x, out=np.empty((2, 2)))
    with pytest.raises(TypeError, match="names a dimension"):
        fa.swiglu(np.ones((2, 4)), axis="c")
    with pytest.raises(TypeError, match="names a dimension"):
        fa.softmax.backward(np.ones(3), y=np.ones(3), axis="c")
    with refusing_compute():
        lazy = fa.softmax(x.chunk({"b": 1}), axis="c")
        lazy_grad = fa.swiglu.backward(xr.ones_like(fa.swiglu(x.chunk({"b": 1}))), x=x)
    assert isinstance(lazy.data, da.Array) and isinstance(lazy_grad.data, da.Array)
    assert_identical(lazy.values, y.values, "fastact.softmax(Dask-backed DataArray)")
    assert_identical(lazy_grad.values, fa.swiglu.backward(np.ones((2, 2)), x=x.values),
                     "fastact.swiglu.backward(Dask-backed DataArray)")
