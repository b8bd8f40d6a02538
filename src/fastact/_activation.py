"""Activation: the Python face of one elementwise activation's ufuncs.

Thin by design: broadcasting, ``out=``, ``where=``, casting and
``__array_ufunc__`` dispatch all come from the ufuncs.  This layer only
binds the parameters by name, applies fastact's dtype rule (integers and
bools compute in float64, where NumPy would pick float16 for int8) and
turns unsupported dtypes into a ``TypeError`` that names the function.
"""

import inspect
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike

from ._catalog import Spec
from ._fastpath import ActivationBase, rows_or_ufunc

_FLOAT64 = np.dtype(np.float64)
# Values for the parameters the catalog requires (threshold's), used by the
# docstring examples and the benchmark.
EXAMPLE_PARAMS = {"threshold": 0.5, "value": 0.0}
_EXAMPLE_X = (-2.0, -0.5, 0.0, 1.0, 3.0)
_NATIVE_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), _FLOAT64)


def _dtype_of(value: Any) -> np.dtype:
    # The dtype attribute first: np.asarray would compute a Dask array.
    dtype = getattr(value, "dtype", None)
    return dtype if isinstance(dtype, np.dtype) else np.asarray(value).dtype


def _loop_dtype(func: str, arg: str, value: Any) -> Optional[np.dtype]:
    """The dtype= to pass the ufunc for `value`: None lets NumPy choose."""
    if isinstance(value, (float, int)) and not isinstance(value, bool):
        return None  # NumPy computes Python scalars in float64
    dtype = _dtype_of(value)
    if dtype in _NATIVE_FLOATS:
        return None
    if dtype.kind in "biu" or (dtype.kind == "f" and dtype.itemsize > 8):
        return _FLOAT64  # ints, bools, and long double compute in float64
    if dtype.kind == "f":  # byte-swapped float16/32/64
        return dtype.newbyteorder("=")
    raise TypeError("fastact.%s: %s has unsupported dtype %s; expected real "
                    "floating, integer or bool values" % (func, arg, dtype))


def _params_fit(where: str, names: Tuple[str, ...], values: Tuple[Any, ...],
                loop: np.dtype, check: Optional[Callable[..., Optional[str]]] = None) -> None:
    """A scalar parameter that would round to inf in the loop's dtype
    (float16 or float32 arrays): ValueError, rather than NumPy's overflow
    warning and an infinite parameter.  So is one that fails the function's
    check once rounded (celu's alpha=1e-50 is 0 in float32)."""
    if loop.kind != "f" or loop.itemsize >= 8:
        return
    rounded = {}
    with np.errstate(over="ignore", under="ignore"):
        for name, value in zip(names, values):
            if isinstance(value, float) and np.isfinite(value) and np.isinf(loop.type(value)):
                raise ValueError("fastact.%s: %s=%r does not fit in %s, x's dtype (it would "
                                 "round to inf)" % (where, name, value, loop))
            rounded[name] = float(loop.type(value)) if isinstance(value, float) \
                else np.asarray(value)
    changed = ["%s=%r rounds to %r" % (n, v, rounded[n]) for n, v in zip(names, values)
               if isinstance(v, float) and not rounded[n] == v]
    message = check(**rounded) if check is not None and changed else None
    if message:
        raise ValueError("fastact.%s: %s in %s, x's dtype: %s"
                         % (where, ", ".join(changed), loop, message))


def _cast_duck(value: Any, dtype: Optional[np.dtype]) -> Any:
    """A duck array (Dask, xarray) cast to the loop dtype up front: Dask
    ignores dtype= for the blocks (it computes in NumPy's choice of loop,
    float32 for int16, and casts after); NumPy arrays take dtype= as is."""
    if dtype is None or isinstance(value, np.ndarray) or not hasattr(value, "__array_ufunc__"):
        return value
    return value.astype(dtype)


def _common_dtype(func: str, **arrays: Any) -> Optional[np.dtype]:
    """dtype= for several array inputs (grad and x or y) together."""
    dtypes = [_loop_dtype(func, name, v) for name, v in arrays.items()]
    if all(d is None for d in dtypes):
        return None
    return np.result_type(*[d if d is not None else _dtype_of(v)
                            for d, v in zip(dtypes, arrays.values())])


def _by_name(name: str) -> "Activation":
    import fastact
    return fastact.ACTIVATIONS[name]


class _Docstring:
    """Activation.__doc__: the class docstring on the class, each
    activation's own (built from its catalog entry on first use, since its
    example runs the kernels) on an instance."""

    def __init__(self, class_doc: str) -> None:
        self.class_doc = class_doc

    def __get__(self, obj: Any, owner: Any = None) -> str:
        if obj is None:
            return self.class_doc
        if obj._doc is None:
            obj._doc = obj._docstring()
        doc: str = obj._doc
        return doc


class Activation(ActivationBase):
    """An elementwise activation with its derivative and fused loops.

    Call it for the forward pass; ``backward``, ``derivative`` and
    ``value_and_derivative`` give the rest.  The ufuncs themselves are
    ``ufunc``, ``derivative_ufunc``, ``value_and_derivative_ufunc``,
    ``backward_ufunc`` and ``backward_from_y_ufunc`` (None when the
    derivative needs x).
    """

    spec: Spec
    name: str
    derivative_ufunc: np.ufunc
    value_and_derivative_ufunc: np.ufunc

    def __init__(self, spec: Spec, ufuncs: Mapping[str, np.ufunc]) -> None:
        self.spec = spec
        self.name = spec.name
        self.__name__ = self.__qualname__ = spec.name
        self.ufunc = ufuncs[spec.name]
        self.derivative_ufunc = ufuncs[spec.name + "_derivative"]
        self.value_and_derivative_ufunc = ufuncs[spec.name + "_value_and_derivative"]
        self.backward_ufunc = ufuncs[spec.name + "_backward"]
        self.backward_from_y_ufunc = ufuncs.get(spec.name + "_backward_from_y")
        # each ufunc -> its rows gufunc, for arrays of rows (_rows_or)
        self.rows = {ufuncs[spec.name + kind]: ufuncs[spec.name + kind + "_rows"] for kind in (
            "", "_derivative", "_value_and_derivative", "_backward", "_backward_from_y")
            if spec.name + kind in ufuncs}
        self.param_names = tuple(p.name for p in spec.params)
        self.defaults = tuple(p.default for p in spec.params)
        required = any(p.default is None for p in spec.params)
        # The compiled fast path takes Python-float parameters as they are;
        # validated parameters and options go through _bind.
        self.checked = bool(spec.check or spec.option or required)
        self.fast_defaults = None if required else self.defaults
        # option value -> Activation, filled in by fastact/__init__.py
        self.variants: Dict[str, "Activation"] = {}
        self.__signature__ = self._signature()
        self._doc: Optional[str] = None  # see _Docstring

    # ---- the API -------------------------------------------------------

    # __call__ and backward are ActivationBase's compiled fast paths; they
    # fall back to these for anything but native float arrays and defaults.

    def _call_general(self, x: Any, params: Tuple[Any, ...], kwparams: Dict[str, Any],
                      out: Any) -> Any:
        act, kwparams = self._select(kwparams)
        if act is not self:
            return act._call_general(x, params, kwparams, out)
        params = self._bind(params, kwparams)
        dtype = _loop_dtype(self.name, "x", x)
        _params_fit(self.name, self.param_names, params, dtype or _dtype_of(x),
                    self.spec.check)
        ufunc = self._rows_or(self.ufunc, x, params, dtype, out)
        return ufunc(_cast_duck(x, dtype), *params, out=out, dtype=dtype)

    def derivative(self, x: ArrayLike, *params: ArrayLike, out: Any = None,
                   **kwparams: ArrayLike) -> Any:
        """f'(x, params...), elementwise."""
        act, kwparams = self._select(kwparams, "derivative")
        if act is not self:
            return act.derivative(x, *params, out=out, **kwparams)
        params = self._bind(params, kwparams, "derivative")
        dtype = _loop_dtype(self.name, "x", x)
        _params_fit(self.name + ".derivative", self.param_names, params, dtype or _dtype_of(x),
                    self.spec.check)
        ufunc = self._rows_or(self.derivative_ufunc, x, params, dtype, out)
        return ufunc(_cast_duck(x, dtype), *params, out=out, dtype=dtype)

    def value_and_derivative(self, x: ArrayLike, *params: ArrayLike, out: Any = None,
                             **kwparams: ArrayLike) -> Tuple[Any, Any]:
        """(f(x), f'(x)) computed in one pass; `out` is None or a pair."""
        act, kwparams = self._select(kwparams, "value_and_derivative")
        if act is not self:
            return act.value_and_derivative(x, *params, out=out, **kwparams)
        values = self._bind(params, kwparams, "value_and_derivative")
        dtype = _loop_dtype(self.name, "x", x)
        _params_fit(self.name + ".value_and_derivative", self.param_names, values,
                    dtype or _dtype_of(x), self.spec.check)
        ufunc = self._rows_or(self.value_and_derivative_ufunc, x, values, dtype, out)
        try:
            y, d = ufunc(  # NumPy wants a pair of outs
                _cast_duck(x, dtype), *values, out=(None, None) if out is None else out,
                dtype=dtype)
            return y, d
        except TypeError:
            if out is not None or isinstance(x, np.ndarray) or not hasattr(x, "__array_ufunc__"):
                raise
        # A duck array that has no two-output ufuncs (Dask): two lazy passes.
        return self(x, *params, **kwparams), self.derivative(x, *params, **kwparams)

    def _backward_general(self, grad: Any, x: Any, y: Any, out: Any,
                          kwparams: Dict[str, Any]) -> Any:
        act, kwparams = self._select(kwparams, "backward")
        if act is not self:
            return act._backward_general(grad, x, y, out, kwparams)
        params = self._bind((), kwparams, "backward")
        if y is not None and self.backward_from_y_ufunc is not None:
            ufunc, name, value = self.backward_from_y_ufunc, "y", y
        elif x is not None:
            ufunc, name, value = self.backward_ufunc, "x", x
        elif y is not None:
            raise ValueError("fastact.%s.backward needs x=: the derivative of %s "
                             "is not a function of its output" % (self.name, self.name))
        else:
            needs = "y= (or x=)" if self.backward_from_y_ufunc is not None else "x="
            raise ValueError("fastact.%s.backward needs %s" % (self.name, needs))
        dtype = _common_dtype(self.name, grad=grad, **{name: value})
        _params_fit(self.name + ".backward", self.param_names, params,
                    dtype or np.result_type(_dtype_of(grad), _dtype_of(value)), self.spec.check)
        try:
            np.broadcast_shapes(np.shape(grad), np.shape(value))
        except ValueError as e:
            raise ValueError("fastact.%s.backward: grad and %s: %s"
                             % (self.name, name, e)) from None
        ufunc = self._rows_or(ufunc, grad, params, dtype, out, value)
        try:
            return ufunc(_cast_duck(grad, dtype), _cast_duck(value, dtype), *params,
                         out=out, dtype=dtype)
        except ValueError as e:  # out= or a parameter: the ufunc's message
            raise ValueError("fastact.%s.backward: %s" % (self.name, e)) from None

    @property
    def backward_uses(self) -> str:
        """"y" if backward can take the output y, "x" if it needs the input."""
        return self.spec.backward_uses

    def __reduce__(self) -> Tuple[Any, Tuple[str]]:
        # By name, like a function: the same object in the unpickling process.
        return _by_name, (self.name,)

    def __repr__(self) -> str:
        return "<fastact activation %s>" % self.name

    # ---- helpers -------------------------------------------------------

    def _rows_or(self, ufunc: np.ufunc, x: Any, params: Tuple[Any, ...],
                 dtype: Optional[np.dtype], out: Any, value: Any = None) -> Any:
        """The ufunc, or its rows gufunc for an array of rows (as the fast
        path picks it: _fastpath.along_rows) where x (and value) are
        ndarrays computed in their own dtype and the parameters scalars."""
        if (dtype is None and type(x) is np.ndarray
                and all(type(p) in (float, int) for p in params)):
            return rows_or_ufunc(self.rows, ufunc, x, value, out)
        return ufunc

    def _select(self, kwargs: Dict[str, Any],
                method: Optional[str] = None) -> Tuple["Activation", Dict[str, Any]]:
        """(the activation that runs, kwargs without the option): gelu's
        approximate="tanh" picks gelu_tanh."""
        option = self.spec.option
        if option is None or option.name not in kwargs:
            return self, kwargs
        kwargs = dict(kwargs)
        value = kwargs.pop(option.name)
        if not isinstance(value, str) or value not in option.choices:
            raise ValueError("fastact.%s%s: %s must be one of %s, got %r"
                             % (self.name, "." + method if method else "", option.name,
                                ", ".join(map(repr, option.choices)), value))
        return self.variants[value], kwargs

    def _bind(self, args: Tuple[Any, ...], kwargs: Dict[str, Any],
              method: Optional[str] = None) -> Tuple[Any, ...]:
        """The parameter values, by position or name, with the defaults,
        checked by the catalog's check (the one place parameters are
        validated; the compiled fast path defers to it)."""
        if not args and not kwargs and self.fast_defaults is not None:
            return self.defaults
        where = self.name + ("." + method if method else "")
        names = self.param_names
        if len(args) > len(names):
            raise TypeError("%s() takes %d parameter(s) after x (%s), %d given"
                            % (where, len(names), ", ".join(names) or "none", len(args)))
        values = list(args) + list(self.defaults[len(args):])
        for key, value in kwargs.items():
            if key not in names:
                raise TypeError("%s() got an unexpected keyword argument %r" % (where, key))
            i = names.index(key)
            if i < len(args):
                raise TypeError("%s() got multiple values for argument %r" % (where, key))
            values[i] = value
        missing = [n for n, v in zip(names, values) if v is None]
        if missing:
            raise TypeError("%s() missing required argument(s): %s"
                            % (where, ", ".join(map(repr, missing))))
        checked = tuple(self._param_value(where, n, v) for n, v in zip(names, values))
        if self.spec.check is not None:
            message = self.spec.check(**{n: v if isinstance(v, float) else np.asarray(v)
                                         for n, v in zip(names, checked)})
            if message:
                raise ValueError("fastact.%s: %s" % (where, message))
        return checked

    @staticmethod
    def _param_value(where: str, name: str, value: Any) -> Any:
        # A scalar parameter becomes a Python float, which NumPy treats as
        # "weak": float32 x with negative_slope=np.float64(0.1) stays float32.
        if isinstance(value, (float, int)) and not isinstance(value, bool):
            return float(value)
        dtype = _dtype_of(value)
        if dtype.kind not in "biuf":
            raise TypeError("%s(): %s must be real numbers, got dtype %s"
                            % (where, name, dtype))
        return float(value) if np.ndim(value) == 0 else value

    def _signature(self) -> inspect.Signature:
        P = inspect.Parameter
        params = [P("x", P.POSITIONAL_ONLY)]
        params += [P(p.name, P.POSITIONAL_OR_KEYWORD) if p.default is None else
                   P(p.name, P.POSITIONAL_OR_KEYWORD, default=p.default)
                   for p in self.spec.params]
        if self.spec.option:
            o = self.spec.option
            params.append(P(o.name, P.KEYWORD_ONLY, default=o.default))
        params.append(P("out", P.KEYWORD_ONLY, default=None))
        return inspect.Signature(params)

    def _docstring(self) -> str:
        s = self.spec
        lines = [
            "%s%s" % (s.name, self.__signature__),
            "",
            s.doc,
            "",
            "    f(x)  = %s" % s.formula,
            "    f'(x) = %s" % s.derivative,
            "",
            "Output range %s; backward uses %s. Same as %s."
            % (s.output_range, s.backward_uses, " and ".join(n for n in (s.torch, s.jax)
                                                             if n != "-")),
        ]
        if s.params:
            lines += ["", "Parameters (scalars or arrays that broadcast with x):"]
            lines += ["    %s : %s, %s" % (p.name, "required" if p.default is None
                                             else "default %r" % p.default, p.doc)
                      for p in s.params]
        if s.option:
            lines += ["", "%s : default %r, %s" % (s.option.name, s.option.default,
                                                   s.option.doc)]
        lines += [
            "",
            "float16, float32 and float64 keep their dtype; integers and bools",
            "compute in float64.  Methods: backward(grad, *, %s=..., out=None),"
            % ("y" if s.backward_uses == "y" else "x"),
            "derivative(x), value_and_derivative(x); the ufuncs are .ufunc etc.",
            "",
            "Example::",
            "",
        ]
        return "\n".join(lines + ["    " + line for line in self._example()])

    def _example(self) -> Tuple[str, ...]:
        """Doctest lines: forward and backward on a few points, the outputs
        computed by the kernels themselves (tests run them as doctests)."""
        required = {n: EXAMPLE_PARAMS[n] for n, d in zip(self.param_names, self.defaults)
                    if d is None}
        params = tuple(required.get(n, d) for n, d in zip(self.param_names, self.defaults))
        call = "".join(", %s=%r" % kv for kv in required.items())
        x = np.array(_EXAMPLE_X)
        y = self.ufunc(x, *params)
        if self.backward_from_y_ufunc is not None:
            saved, grad = "y=fa.%s(x%s)" % (self.name, call), self.backward_from_y_ufunc(
                np.ones_like(x), y, *params)
        else:
            saved, grad = "x=x", self.backward_ufunc(np.ones_like(x), x, *params)
        return (">>> import numpy as np, fastact as fa",
                ">>> x = np.array(%r)" % (list(_EXAMPLE_X),),
                ">>> fa.%s(x%s).round(4)" % (self.name, call),
                *repr(y.round(4)).splitlines(),
                ">>> fa.%s.backward(np.ones(%d), %s%s).round(4)"
                % (self.name, x.size, saved, call),
                *repr(grad.round(4)).splitlines())


Activation.__doc__ = _Docstring(Activation.__doc__ or "")  # type: ignore[assignment]
