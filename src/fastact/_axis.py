"""Axis-wise and parametric activations: softmax, log_softmax, the GLU
family (glu, swiglu, geglu) and prelu.

Plain functions, each with a ``backward`` attribute.  The compiled parts
are ufuncs of the kernel module: softmax and log_softmax (and their
backwards) are generalized ufuncs with signature ``(n)->(n)``, so NumPy
handles ``axis=``, ``out=``, broadcasting and casting; the GLU family runs
elementwise ufuncs on the two halves of x (views, no copies); prelu on a
C-ordered x with a weight per channel is one call to the kernel module's
prelu (over the channel rows or a sample at a time, split across threads;
the backward's two gradients in one pass), and elsewhere leaky_relu's
ufuncs with the weight as an array slope.

The dtype rule is Activation's: float16/32/64 are kept (float16 computed in
float32), integers and bools compute in float64, anything else raises
TypeError naming the function.  Bad shapes and axes raise ValueError before
anything is written to ``out``.  Dask arrays stay lazy; an xarray
DataArray, whose ufunc protocol takes elementwise ufuncs only, is unwrapped
and the result rewrapped (_on_xarray), its axis also a dimension's name.
"""

from __future__ import annotations

import operator
import sys
from typing import (Any, Callable, Dict, Mapping, Optional, Protocol, SupportsIndex, Tuple,
                    TypeVar, Union)

import numpy as np
from numpy.lib.array_utils import normalize_axis_index
from numpy.typing import ArrayLike, DTypeLike

from ._activation import _cast_duck, _common_dtype, _loop_dtype
from ._backend import kernels
from ._fastpath import rows_or_ufunc

_UFUNCS = kernels.UFUNCS

# an axis: its index, or on an xarray DataArray also a dimension's name
Axis = Union[SupportsIndex, str]

_F = TypeVar("_F", bound=Callable[..., Any], covariant=True)
_B = TypeVar("_B", bound=Callable[..., Any], covariant=True)
_Function = TypeVar("_Function", bound=Callable[..., Any])
_Backward = TypeVar("_Backward", bound=Callable[..., Any])


class FunctionWithBackward(Protocol[_F, _B]):
    """For type checkers: a function of signature _F with a ``backward``
    attribute of signature _B (softmax, glu, prelu, ...), so that both
    ``fa.softmax(x)`` and ``fa.softmax.backward(grad, y=y)`` are checked."""

    __name__: str

    @property
    def __call__(self) -> _F: ...

    @property
    def backward(self) -> _B: ...


def _with_backward(backward: _Backward) -> Callable[[_Function],
                                                    FunctionWithBackward[_Function, _Backward]]:
    """Attach `backward` to the decorated function as ``f.backward``."""
    def attach(function: Any) -> Any:
        backward.__name__ = "backward"
        backward.__qualname__ = function.__name__ + ".backward"
        function.backward = backward
        return function
    return attach


def _named_errors(name: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """call(...), with NumPy's ValueErrors (axis out of range, core
    dimensions that differ, a 0-d input) naming the fastact function."""
    try:
        return call(*args, **kwargs)
    except ValueError as e:
        raise ValueError("fastact.%s: %s" % (name, e)) from None


def _dask_array() -> Any:  # the module, or None
    """dask.array if some input may be a Dask array (it is imported), else None:
    fastact never imports Dask itself."""
    return sys.modules.get("dask.array")


def _is_dask(a: Any) -> bool:
    da = _dask_array()
    return da is not None and isinstance(a, da.Array)


def _is_xarray(a: Any) -> bool:
    """An xarray DataArray (fastact never imports xarray)."""
    return type(a).__module__.split(".")[0] == "xarray" and hasattr(a, "coords")


def _index_axis(name: str, axis: Axis) -> SupportsIndex:
    """axis, which names a dimension only for xarray inputs."""
    if isinstance(axis, str):
        raise TypeError("fastact.%s: axis=%r names a dimension, which only an xarray "
                        "DataArray has; give an axis index" % (name, axis))
    return axis


def _on_xarray(name: str, arrays: Dict[str, Any], like: str, axis: Any, out: Any,
               call: Callable[[Dict[str, Any], Any], Any]) -> Any:
    """call(arrays, axis) on the data (NumPy or Dask) of the DataArrays among
    arrays, whose ufunc protocol takes elementwise ufuncs only; axis may be
    a dimension's name.  The result is a DataArray like arrays[like] with
    its name, attributes and coordinates, but those along the axis where
    the result's length differs (the GLU halves).  The DataArrays must have
    the same dimensions, in the same order, and equal coordinates where
    their lengths agree: the data are used by position, not aligned."""
    where = "fastact." + name
    if out is not None:
        raise TypeError("%s: out= is not supported for xarray inputs" % where)
    given = {k: a for k, a in arrays.items() if _is_xarray(a)}
    first = next(iter(given.values()))
    for key, a in given.items():
        if a.dims != first.dims:
            raise ValueError("%s: the inputs' dimensions differ: %s and %s (transpose one)"
                             % (where, first.dims, a.dims))
        for c in set(a.coords) & set(first.coords):
            ac, fc = a.coords[c], first.coords[c]
            if ac.shape == fc.shape and not ac.equals(fc):
                raise ValueError("%s: the inputs' coordinate %r differs (align them first: "
                                 "xarray.align)" % (where, c))
    base = arrays[like] if _is_xarray(arrays[like]) else first
    index = axis
    if isinstance(axis, str):
        if axis not in base.dims:
            raise ValueError("%s: %r is not a dimension of the input %s" % (where, axis, base.dims))
        index = base.dims.index(axis)
    result = call({k: a.data if _is_xarray(a) else a for k, a in arrays.items()}, index)
    if result.shape != base.shape:  # shortened along the axis (GLU halves): its coordinates go
        dim = base.dims[_named_errors(name, normalize_axis_index, operator.index(index),
                                      base.ndim)]
        base = base.drop_vars([c for c, v in base.coords.items() if dim in v.dims])
        base = base.isel({dim: slice(0, result.shape[base.dims.index(dim)])})
    return base.copy(data=result)


# ---- softmax and log_softmax --------------------------------------------------

def _axis_in_one_chunk(name: str, arrays: Dict[str, Any], axis: SupportsIndex) -> Dict[str, Any]:
    """The arrays, each Dask array rechunked so that `axis` is one chunk.

    Dask runs a generalized ufunc block by block (map_blocks) and refuses a
    core dimension split over several chunks.  fastact rechunks it instead:
    every slice along `axis` becomes one chunk, and Dask sizes the other
    dimensions ("auto") to keep chunks near its configured chunk size.
    """
    if _dask_array() is None:
        return arrays
    ndim = max(np.ndim(a) for a in arrays.values())
    if ndim == 0:
        return arrays
    axis = _named_errors(name, normalize_axis_index, operator.index(axis), ndim)
    result = {}
    for key, a in arrays.items():
        i = axis - (ndim - a.ndim) if _is_dask(a) else -1  # grad and y broadcast
        if i >= 0 and len(a.chunks[i]) > 1:
            a = a.rechunk({d: -1 if d == i else "auto" for d in range(a.ndim)})
        result[key] = a
    return result


def _along_axis(name: str, ufunc: np.ufunc, arrays: Dict[str, Any],
                axis: Optional[Axis], out: Any) -> Any:
    if any(_is_xarray(a) for a in arrays.values()):
        return _on_xarray(name, arrays, "y" if "y" in arrays else "x", axis, out,
                          lambda data, i: _along_axis(name, ufunc, data, i, None))
    if axis is None:
        return _along_all_axes(name, ufunc, arrays, out)
    index = _index_axis(name, axis)
    if all(np.ndim(a) == 0 and not _is_dask(a) for a in arrays.values()):
        return _along_axis_0d(name, ufunc, arrays, index, out)
    dtype = _common_dtype(name, **arrays)
    arrays = _axis_in_one_chunk(name, arrays, index)
    inputs = list(arrays.values())
    if out is None and all(type(a) is np.ndarray for a in inputs):
        # NumPy would allocate the output with the axis last in memory: an
        # F-ordered result for axis=0, on the slow copying path.  Keep the
        # input's layout instead, like torch.
        result = _float_dtype(dtype, *inputs)
        like: Any = next((a for a in inputs if a.shape == inputs[0].shape), None)
        if all(a.shape == like.shape for a in inputs):
            out = np.empty_like(like, result)
        else:  # grad and y that broadcast: NumPy's allocation
            shape = _named_errors(name, np.broadcast_shapes, *[a.shape for a in inputs])
            out = np.empty(shape, result)
    return _named_errors(name, ufunc, *inputs, axis=index, out=out, dtype=dtype)


def _along_all_axes(name: str, ufunc: np.ufunc, arrays: Dict[str, Any], out: Any) -> Any:
    """axis=None: every element in one slice (scipy.special.softmax's and
    jax's None), as the last axis of the flattened, broadcast arrays."""
    shape = _named_errors(name, np.broadcast_shapes, *[np.shape(a) for a in arrays.values()])
    if out is not None and np.shape(out) != shape:
        raise ValueError("fastact.%s: out has shape %s, expected %s"
                         % (name, np.shape(out), shape))
    flat = {k: np.reshape(np.broadcast_to(a, shape) if np.shape(a) != shape else a, -1)
            for k, a in arrays.items()}
    result = _along_axis(name, ufunc, flat, -1, None).reshape(shape)
    if out is None:
        return result[()] if shape == () else result  # a scalar for 0-d, as axis=-1
    out[...] = result
    return out


def _along_axis_0d(name: str, ufunc: np.ufunc, arrays: Dict[str, Any], axis: SupportsIndex,
                   out: Any) -> Any:
    """0-d inputs as one slice of one element along axis -1 or 0, as torch,
    jax and scipy take them (softmax 1, log_softmax 0); a scalar result as
    NumPy's ufuncs give, or out."""
    if operator.index(axis) not in (-1, 0):
        raise ValueError("fastact.%s: axis %d is out of bounds for 0-d input (use -1 or 0)"
                         % (name, operator.index(axis)))
    if out is not None and (not isinstance(out, np.ndarray) or out.shape != ()):
        raise ValueError("fastact.%s: out must be a 0-d array for 0-d inputs, got %s"
                         % (name, getattr(out, "shape", type(out).__name__)))
    flat = {k: np.reshape(a, 1) for k, a in arrays.items()}
    result = _along_axis(name, ufunc, flat, -1, None if out is None else out.reshape(1))
    return result[0] if out is None else out


def _backward_from_y(name: str, grad: ArrayLike, y: Optional[ArrayLike],
                     axis: Optional[Axis], out: Any) -> Any:
    if y is None:
        raise ValueError("fastact.%s.backward needs y=, the output of the forward pass"
                         % name)
    return _along_axis(name + ".backward", _UFUNCS[name + "_backward"],
                       {"grad": grad, "y": y}, axis, out)


def _softmax_backward(grad: ArrayLike, *, y: Optional[ArrayLike] = None,
                        axis: Optional[Axis] = -1, out: Any = None) -> Any:
    """y * (grad - sum(grad * y, axis)): the gradient of softmax with
    respect to its input, from the output y, in one pass per softmax."""
    return _backward_from_y("softmax", grad, y, axis, out)


def _log_softmax_backward(grad: ArrayLike, *, y: Optional[ArrayLike] = None,
                            axis: Optional[Axis] = -1, out: Any = None) -> Any:
    """grad - exp(y) * sum(grad, axis): the gradient of log_softmax with
    respect to its input, from the output y, in one pass per softmax.
    log_softmax's outputs are y <= 0: NaN where y > 0 (x passed as y?)."""
    return _backward_from_y("log_softmax", grad, y, axis, out)


@_with_backward(_softmax_backward)
def softmax(x: ArrayLike, axis: Optional[Axis] = -1, *, out: Any = None) -> Any:
    """softmax(x, axis=-1, *, out=None)

        softmax(x) = exp(x - max(x)) / sum(exp(x - max(x)))   along axis

    Numerically stable: no overflow for any finite input, no warnings
    (softmax([1000, 1000]) is [0.5, 0.5]).  As in torch, a slice along the
    axis that contains NaN or +inf, or is all -inf, gives NaN throughout;
    a 0-d x is one slice of one element (softmax(2.0) is 1.0).
    Fast along the last axis and along any other (no transposed copy);
    axis=None takes every element as one slice.  An xarray DataArray gives
    a DataArray with x's coordinates, and axis may name a dimension.  Same as
    torch.softmax(x, dim=axis), jax.nn.softmax(x, axis) and
    scipy.special.softmax(x, axis) (whose default axis is None, not -1).

    backward(grad, *, y, axis=-1, out=None) = y * (grad - sum(grad * y, axis)),
    fused into one kernel, from the output y.

    >>> softmax(np.array([1.0, 2.0, 3.0])).round(4)
    array([0.09  , 0.2447, 0.6652])
    """
    return _along_axis("softmax", _UFUNCS["softmax"], {"x": x}, axis, out)


@_with_backward(_log_softmax_backward)
def log_softmax(x: ArrayLike, axis: Optional[Axis] = -1, *,
                out: Any = None) -> Any:
    """log_softmax(x, axis=-1, *, out=None)

        log_softmax(x) = (x - max(x)) - log(sum(exp(x - max(x))))   along axis

    Numerically stable and without warnings; NaN, +inf and all -inf slices
    give NaN as in torch; a 0-d x is one element (0.0); axis=None takes
    every element as one slice.  Same as torch.log_softmax(x, dim=axis),
    jax.nn.log_softmax(x, axis) and scipy.special.log_softmax(x, axis)
    (whose default axis is None, not -1).

    backward(grad, *, y, axis=-1, out=None) = grad - exp(y) * sum(grad, axis),
    fused, from the output y.

    >>> log_softmax(np.array([1.0, 2.0, 3.0])).round(4)
    array([-2.4076, -1.4076, -0.4076])
    """
    return _along_axis("log_softmax", _UFUNCS["log_softmax"], {"x": x}, axis, out)


# ---- the GLU family --------------------------------------------------------------

def _halves(name: str, x: Any, axis: SupportsIndex) -> Tuple[Any, Any, int]:
    """(a, b, axis): views of the two halves of x along axis (lazy slices of
    a Dask array; a MaskedArray's keep their masks, as the elementwise
    activations do)."""
    x = x if _is_dask(x) else np.asanyarray(x)
    i = operator.index(axis)
    if x.ndim == 0:
        raise ValueError("fastact.%s: x must have at least one dimension" % name)
    i = _named_errors(name, normalize_axis_index, i, x.ndim)
    n = x.shape[i]
    if n % 2:
        raise ValueError("fastact.%s: x has odd length %d along axis %d; it must split "
                         "into two equal halves" % (name, n, i))
    before = (slice(None),) * i
    return x[before + (slice(None, n // 2),)], x[before + (slice(n // 2, None),)], i


def _broadcasts_to(shape: Tuple[int, ...], target: Tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


# each GLU gate's ufunc (NAME_halves, NAME_halves_backward) -> its rows
# gufunc: for halves of an array of rows (_gates)
_GATE_ROWS = {_UFUNCS[name]: _UFUNCS[name + "_rows"] for name in _UFUNCS
              if name.endswith(("_halves", "_halves_backward"))}


def _gates(ufunc: np.ufunc, dtype: Optional[np.dtype], a: Any, *others: Any) -> np.ufunc:
    """The gates' ufunc, or its rows gufunc where the halves a (and the
    other arrays) are rows of contiguous elements, by the activations' rule
    (_fastpath.along_rows): the halves of a C-ordered x of several rows
    are not contiguous as a whole, and NumPy would copy their rows into
    buffers of 8192 elements for the ufunc, too small to split across
    threads.  Not for a cast (dtype), nor for rows shorter than 8, which
    NumPy's buffers take faster (halves of one element: 1.4x-23x the time
    through the rows gufunc)."""
    return ufunc if dtype is not None else rows_or_ufunc(_GATE_ROWS, ufunc, a, *others)


def _glu_forward(name: str, ufunc: np.ufunc, x: ArrayLike, axis: Axis, out: Any) -> Any:
    if _is_xarray(x):
        return _on_xarray(name, {"x": x}, "x", axis, out,
                          lambda data, i: _glu_forward(name, ufunc, data["x"], i, None))
    _loop_dtype(name, "x", x)  # TypeError for complex, object, ...
    a, b, i = _halves(name, x, _index_axis(name, axis))
    dtype = _loop_dtype(name, "x", a)
    target = out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if isinstance(target, np.ndarray) and not _broadcasts_to(a.shape, target.shape):
        full = a.shape[:i] + (2 * a.shape[i],) + a.shape[i + 1:]
        raise ValueError("fastact.%s: out has shape %s; expected %s (x's shape %s halved "
                         "along axis %d)" % (name, target.shape, a.shape, full, i))
    return _named_errors(name, _gates(ufunc, dtype, a, b, out), _cast_duck(a, dtype),
                         _cast_duck(b, dtype), out=out, dtype=dtype)


def _glu_backward(name: str, ufunc: np.ufunc, grad: ArrayLike, x: Optional[ArrayLike],
                  axis: Axis, out: Any) -> Any:
    """(grad_a, grad_b) of the halves, written into the halves of one
    array of x's shape."""
    where = name + ".backward"
    if x is None:
        raise ValueError("fastact.%s needs x=, the input of the forward pass" % where)
    if _is_xarray(grad) or _is_xarray(x):
        return _on_xarray(where, {"grad": grad, "x": x}, "x", axis, out,
                          lambda data, i: _glu_backward(name, ufunc, data["grad"], data["x"],
                                                        i, None))
    dask = _is_dask(grad) or _is_dask(x)
    asarray = _dask_array().asarray if dask else np.asarray
    grad, x = asarray(grad), asarray(x)
    dtype = _common_dtype(where, grad=grad, x=x)
    a, b, axis = _halves(where, x, _index_axis(where, axis))
    if grad.shape != a.shape:
        raise ValueError("fastact.%s: grad has shape %s; expected %s (x's shape %s "
                         "halved along axis %d)" % (where, grad.shape, a.shape, x.shape, axis))
    result = dtype or np.result_type(grad, x)
    if dask:
        return _glu_backward_dask(where, ufunc, grad, a, b, axis, result, out)
    if out is None:
        out = np.empty(x.shape, result)
    elif not isinstance(out, np.ndarray) or out.shape != x.shape:
        raise ValueError("fastact.%s: out must be an array of x's shape %s, got %s"
                         % (where, x.shape, getattr(out, "shape", type(out).__name__)))
    out_a, out_b, _ = _halves(where, out, axis)
    _named_errors(where, _gates(ufunc, dtype, a, grad, b, out_a, out_b), grad, a, b,
                  out=(out_a, out_b), dtype=dtype)
    return out


def _glu_backward_dask(where: str, ufunc: np.ufunc, grad: Any, a: Any, b: Any, axis: int,
                       dtype: np.dtype, out: Any) -> Any:
    """The lazy Dask version: Dask has no two-output ufuncs, so the kernel
    runs block by block (apply_gufunc) and the halves are concatenated."""
    if out is not None:
        raise ValueError("fastact.%s: out= is not supported for Dask arrays" % where)
    # blocks of the halves that line up with grad's
    grad, a, b = (v.astype(dtype).rechunk(grad.chunks) for v in (grad, a, b))
    grad_a, grad_b = _dask_array().apply_gufunc(ufunc, "(),(),()->(),()", grad, a, b,
                                                output_dtypes=(dtype, dtype))
    return _dask_array().concatenate([grad_a, grad_b], axis=axis)


class _GLUBackward(Protocol):
    def __call__(self, grad: ArrayLike, *, x: Optional[ArrayLike] = None,
                 axis: Axis = -1, out: Any = None) -> Any: ...


def _glu_backward_of(name: str, ufunc_name: str) -> _GLUBackward:
    def backward(grad: ArrayLike, *, x: Optional[ArrayLike] = None, axis: Axis = -1,
                 out: Any = None) -> Any:
        return _glu_backward(name, _UFUNCS[ufunc_name], grad, x, axis, out)
    backward.__doc__ = ("The gradient of %s with respect to x (x's shape), from the "
                        "incoming gradient (the output's shape) and the input x." % name)
    return backward


@_with_backward(_glu_backward_of("glu", "glu_halves_backward"))
def glu(x: ArrayLike, axis: Axis = -1, *, out: Any = None) -> Any:
    """glu(x, axis=-1, *, out=None)

        glu(x) = a * sigmoid(b),   a, b = the first and second half of x along axis

    The gated linear unit, as torch.nn.functional.glu (gate on the second
    half).  The length along axis must be even; the output is half as long.
    backward(grad, *, x, axis=-1, out=None) returns the gradient for all of x.
    An xarray DataArray gives a DataArray (without the coordinates along
    axis, which the halves do not keep), and axis may name a dimension; so
    for swiglu and geglu.

    >>> glu(np.array([1.0, 2.0, 0.0, 100.0]))
    array([0.5, 2. ])
    """
    return _glu_forward("glu", _UFUNCS["glu_halves"], x, axis, out)


@_with_backward(_glu_backward_of("swiglu", "swiglu_halves_backward"))
def swiglu(x: ArrayLike, axis: Axis = -1, *, out: Any = None) -> Any:
    """swiglu(x, axis=-1, *, out=None)

        swiglu(x) = silu(a) * b,   silu(a) = a * sigmoid(a),
        a, b = the first and second half of x along axis

    The SwiGLU of LLM feed-forward layers, with the usual convention: the
    activation is applied to the first half (the "gate" projection) and
    multiplies the second (the "up" projection).  The length along axis
    must be even.  backward(grad, *, x, axis=-1, out=None) returns the
    gradient for all of x.

    >>> swiglu(np.array([0.0, 1.0, 2.0, 3.0])).round(4)
    array([0.    , 2.1932])
    """
    return _glu_forward("swiglu", _UFUNCS["swiglu_halves"], x, axis, out)


_GEGLU_APPROXIMATIONS = ("none", "tanh")


def _geglu_ufunc(name: str, approximate: str) -> str:
    if approximate not in _GEGLU_APPROXIMATIONS:
        raise ValueError("fastact.%s: approximate must be 'none' or 'tanh', got %r"
                         % (name, approximate))
    return "geglu_halves" if approximate == "none" else "geglu_tanh_halves"


def _geglu_backward(grad: ArrayLike, *, x: Optional[ArrayLike] = None, axis: Axis = -1,
                    approximate: str = "none", out: Any = None) -> Any:
    """The gradient of geglu with respect to x (x's shape), from the
    incoming gradient (the output's shape) and the input x."""
    ufunc = _geglu_ufunc("geglu.backward", approximate)
    return _glu_backward("geglu", _UFUNCS[ufunc + "_backward"], grad, x, axis, out)


@_with_backward(_geglu_backward)
def geglu(x: ArrayLike, axis: Axis = -1, *, approximate: str = "none",
          out: Any = None) -> Any:
    """geglu(x, axis=-1, *, approximate="none", out=None)

        geglu(x) = gelu(a) * b,   a, b = the first and second half of x along axis
        gelu(a)  = 0.5 a (1 + erf(a / sqrt(2)))                        approximate="none"
        gelu(a)  = 0.5 a (1 + tanh(sqrt(2/pi) (a + 0.044715 a^3)))   approximate="tanh"

    GeGLU with the usual LLM convention (gelu on the first half); the
    exact gelu is fastact.gelu's kernel, torch's default.
    backward(grad, *, x, axis=-1, approximate=..., out=None) returns the
    gradient for all of x.

    >>> geglu(np.array([0.0, 1.0, 2.0, 3.0]), approximate="tanh").round(4)
    array([0.    , 2.5236])
    >>> geglu(np.array([0.0, 1.0, 2.0, 3.0])).round(4)
    array([0.   , 2.524])
    """
    ufunc = _geglu_ufunc("geglu", approximate)
    return _glu_forward("geglu", _UFUNCS[ufunc], x, axis, out)


# ---- prelu -------------------------------------------------------------------------

def _prelu_weight(name: str, x: ArrayLike, weight: ArrayLike, dtype: DTypeLike) -> np.ndarray:
    """weight as an array that broadcasts along axis 1 of x, in `dtype`."""
    w = np.asarray(weight)
    if w.dtype.kind not in "biuf":
        raise TypeError("fastact.%s: weight has unsupported dtype %s; expected real "
                        "floating, integer or bool values" % (name, w.dtype))
    if w.size == 1 and w.ndim <= 1:
        return w.reshape(()).astype(dtype)
    ndim, shape = np.ndim(x), np.shape(x)
    if w.ndim != 1 or ndim < 2 or shape[1] != w.shape[0]:
        raise ValueError("fastact.%s: weight must be a single value or have one value "
                         "per channel (axis 1 of x); got weight of shape %s for x of "
                         "shape %s" % (name, w.shape, shape))
    return w.reshape(w.shape + (1,) * (ndim - 2)).astype(dtype)


def _float_dtype(dtype: Optional[DTypeLike], *arrays: Any) -> np.dtype:
    """The dtype a ufunc call computes in: dtype, or NumPy's choice."""
    if dtype is not None:
        return np.dtype(dtype)
    dtypes = [getattr(a, "dtype", None) or np.asarray(a).dtype for a in arrays]
    return dtypes[0] if len(dtypes) == 1 else np.result_type(*dtypes)


def _prelu_backward(grad: ArrayLike, *, x: Optional[ArrayLike] = None,
                    weight: Optional[ArrayLike] = None, out: Any = None) -> Tuple[Any, Any]:
    """(grad_x, grad_weight): grad * (1 if x > 0 else weight) and the sum
    over every axis but the channel axis of grad * min(x, 0), in the shape
    of weight."""
    # the common case, which the kernel checks: both gradients in one pass
    both = kernels.prelu(x, weight, out, grad)
    if both is not None:
        return both
    if x is None or weight is None:
        raise ValueError("fastact.prelu.backward needs x= and weight=")
    dtype = _common_dtype("prelu.backward", grad=grad, x=x)
    # shapes, not np.asarray: a Dask grad or x stays lazy (both sums below too)
    if np.shape(grad) != np.shape(x):
        raise ValueError("fastact.prelu.backward: grad has shape %s, x has shape %s"
                         % (np.shape(grad), np.shape(x)))
    result = _float_dtype(dtype, grad, x)
    w = _prelu_weight("prelu.backward", x, weight, result)
    if w.ndim and (out is None or (type(out) is np.ndarray and out.shape == np.shape(x)
                                   and out.dtype == result)):
        # a weight per channel, now of x's dtype: the kernel, into a new
        # array where out is not the kernel's (e.g. it overlaps grad or x at
        # a shift, where NumPy's ufuncs copy), copied in
        both = kernels.prelu(x, w.reshape(-1), None, grad)
        if both is not None:
            if out is None:
                return both
            np.copyto(out, both[0])
            return out, both[1]
    grad_x = _named_errors("prelu.backward", _UFUNCS["leaky_relu_backward"], grad, x, w,
                           out=out, dtype=dtype)
    # float16 sums in float32
    acc = np.float32 if result == np.float16 else result
    axes = tuple(i for i in range(np.ndim(x)) if w.ndim == 0 or i != 1)
    # inf and NaN products propagate silently, as in the kernels (a Dask
    # graph computes later, outside this errstate)
    # weight's gradient is weight's kind: from a DataArray's data (NumPy or
    # Dask; xarray's sum would also skip NaN, which must propagate)
    g_data, x_data = (a.data if _is_xarray(a) else a for a in (grad, x))
    with np.errstate(over="ignore", invalid="ignore"):
        grad_w = np.multiply(g_data, np.minimum(x_data, 0), dtype=acc).sum(axis=axes)
    return grad_x, grad_w.astype(result).reshape(np.shape(weight))


@_with_backward(_prelu_backward)
def prelu(x: ArrayLike, weight: ArrayLike, *, out: Any = None) -> Any:
    """prelu(x, weight, *, out=None)

        prelu(x) = x if x > 0 else weight * x

    The parametric ReLU, as torch.nn.functional.prelu: weight is a single
    value (shape () or (1,)) or one value per channel, shape (C,), which
    applies along axis 1 of x (x.ndim >= 2, x.shape[1] == C).  The output
    has x's dtype (weight is cast to it).

    backward(grad, *, x, weight, out=None) returns (grad_x, grad_weight),
    grad_weight summed over every other axis, in weight's shape.

    >>> prelu(np.array([[-1.0, -1.0], [2.0, -2.0]]), np.array([0.1, 0.5]))
    array([[-0.1, -0.5],
           [ 2. , -1. ]])
    """
    # the common case, which the kernel checks: x (N, C, ...) C-ordered, a
    # weight per channel of its dtype
    y = kernels.prelu(x, weight, out)
    if y is not None:
        return y
    dtype = _loop_dtype("prelu", "x", x)
    w = _prelu_weight("prelu", x, weight, _float_dtype(dtype, x))
    if w.ndim:  # a weight per channel, now of x's dtype
        y = kernels.prelu(x, w.reshape(-1), out)
        if y is not None:
            return y
    return _named_errors("prelu", _UFUNCS["leaky_relu"], x, w, out=out, dtype=dtype)


FUNCTIONS: Mapping[str, FunctionWithBackward[Callable[..., Any], Callable[..., Any]]] = {
    f.__name__: f for f in (softmax, log_softmax, glu, swiglu, geglu, prelu)}
