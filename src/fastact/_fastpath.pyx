# cython: language_level=3, binding=True
"""The hot calls of Activation, compiled: a call on a small array should
cost about what the ufunc call itself costs.

The common case -- native-byte-order float16/32/64 ndarrays, parameters
given as Python floats or left to their defaults -- goes straight to the
ufunc.  Everything else (other dtypes,
parameters, lists, duck arrays, errors) goes to the Python methods
_call_general and _backward_general of fastact._activation.Activation.
"""

cimport numpy as cnp

cnp.import_array()


cdef inline bint native_float(object a):
    """True for an ndarray the ufunc's own float loops take as it is."""
    if type(a) is not cnp.ndarray:
        return False
    cdef int t = cnp.PyArray_TYPE(<cnp.ndarray>a)
    return ((t == cnp.NPY_FLOAT or t == cnp.NPY_DOUBLE or t == cnp.NPY_FLOAT16)
            and cnp.PyArray_ISNOTSWAPPED(<cnp.ndarray>a))


cdef inline bint params_fit(object a, tuple values):
    """False if a parameter would round to inf in a's float16 or float32
    (then the general path reports it, rather than NumPy's cast warning)."""
    cdef int t = cnp.PyArray_TYPE(<cnp.ndarray>a)
    cdef double big
    if t == cnp.NPY_DOUBLE or not values:
        return True
    big = 65504.0 if t == cnp.NPY_FLOAT16 else 3.4028234663852886e38
    for value in values:  # (rounding to the largest finite value is fine)
        if abs(<double>value) > big and abs(<double>value) != float("inf"):
            return False
    return True


cdef class ActivationBase:
    """Base of Activation: the ufuncs and the fast paths of __call__ and
    backward."""

    cdef public object ufunc
    cdef public object backward_ufunc
    cdef public object backward_from_y_ufunc
    cdef public tuple defaults
    cdef public tuple param_names
    # parameters that need validation (or an option): never bound here
    cdef public bint checked
    # the defaults when no parameter is given, None if some are required
    cdef public tuple fast_defaults

    cdef tuple bind_floats(self, tuple params, dict kwparams):
        """The parameters if all are Python floats, else None."""
        if self.checked or len(params) > len(self.defaults):
            return None
        cdef list values = list(params) + list(self.defaults[len(params):])
        for key, value in kwparams.items():
            if key not in self.param_names:
                return None
            i = self.param_names.index(key)
            if i < len(params):
                return None
            values[i] = value
        for value in values:
            if type(value) is not float:
                return None
        return tuple(values)

    def __call__(self, x, *params, out=None, **kwparams):
        cdef tuple values = self.fast_defaults
        if not native_float(x) or type(out) is tuple:
            return self._call_general(x, params, kwparams, out)
        if params or kwparams:
            values = self.bind_floats(params, kwparams)
        if values is None or not params_fit(x, values):
            return self._call_general(x, params, kwparams, out)
        # out passed by position: cheaper than a keyword call
        if not values:
            return self.ufunc(x) if out is None else self.ufunc(x, out)
        return self.ufunc(x, *values) if out is None else self.ufunc(x, *values, out)

    def backward(self, grad, *, x=None, y=None, out=None, **kwparams):
        """grad * f'(x) in one pass: the gradient with respect to the input.

        Give the output ``y = f(x)`` when the derivative can use it (see
        ``backward_uses``; then y is used even if x is given too), else the
        input ``x``.  grad and x (or y) broadcast together.
        """
        cdef object ufunc, value
        if y is not None and self.backward_from_y_ufunc is not None:
            ufunc, value = self.backward_from_y_ufunc, y
        else:
            ufunc, value = self.backward_ufunc, x
        cdef tuple values = self.bind_floats((), kwparams) if kwparams else self.fast_defaults
        if (values is None or value is None or not native_float(grad)
                or not native_float(value) or type(out) is tuple
                or not params_fit(value, values)):
            return self._backward_general(grad, x, y, out, kwparams)
        try:
            if not values:
                return ufunc(grad, value) if out is None else ufunc(grad, value, out)
            return ufunc(grad, value, *values) if out is None else ufunc(grad, value, *values, out)
        except ValueError:  # reported with the function's name
            return self._backward_general(grad, x, y, out, kwparams)
