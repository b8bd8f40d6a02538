# cython: language_level=3, binding=True
"""The hot calls of Activation, compiled: a call on a small array should
cost about what the ufunc call itself costs.

The common case -- native-byte-order float16/32/64 ndarrays, parameters
given as Python floats or left to their defaults -- goes straight to the
ufunc.  Everything else (other dtypes,
parameters, lists, duck arrays, errors) goes to the Python methods
_call_general and _backward_general of fastact._activation.Activation.
An array of contiguous rows that is not contiguous as a whole (x[:, :k])
goes to the kernel's rows gufunc, NAME_rows (along_rows).
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


# Shorter rows stay with the ufunc: there NumPy's buffered iteration
# (the rows copied into contiguous buffers of 8192 elements) cost less
# than the rows gufunc's call per row (AVX2, one thread, 2^20 elements, 2026-12-07: rows of 2 took 0.84x-
# 2.3x the ufunc's time, of 4 0.74x-1.39x, of 8 0.65x-1.10x, of 16 to 1000
# 0.55x-0.96x; relu, sigmoid and gelu, float32 and float64).
cdef enum:
    ROW_MIN = 8


cdef inline bint contiguous_rows(cnp.ndarray a, cnp.ndarray like):
    """a is rows (its last axis, at least ROW_MIN long) of contiguous
    elements, of like's shape and dtype."""
    cdef int nd = cnp.PyArray_NDIM(a)
    return (nd >= 2 and cnp.PyArray_DIM(a, nd - 1) >= ROW_MIN
            and cnp.PyArray_STRIDE(a, nd - 1) == cnp.PyArray_ITEMSIZE(a)
            and cnp.PyArray_TYPE(a) == cnp.PyArray_TYPE(like)
            and cnp.PyArray_SAMESHAPE(a, like))


cdef object along_rows(dict rows, object ufunc, cnp.ndarray a, tuple others):
    """The ufunc's rows gufunc (_ufuncs.pyx.tp: NAME_rows) if a and the
    others (ndarrays, or None to skip) are rows of contiguous elements, of
    one shape and dtype, not all contiguous as a whole: there NumPy would
    copy the rows into buffers of 8192 elements for the ufunc's loop, and
    back, unthreaded; else the ufunc.  Scalar parameters only: a parameter
    array would broadcast against the rows gufunc's rows, not against x.
    (Small arrays too: a gufunc call costs what a ufunc call does, 1-2 us
    for 16 to 2048 float32 elements as rows of 8 to 64.)"""
    if not contiguous_rows(a, a):
        return ufunc
    cdef bint whole = cnp.PyArray_IS_C_CONTIGUOUS(a)
    for other in others:
        if other is None:
            continue
        if type(other) is not cnp.ndarray or not contiguous_rows(<cnp.ndarray>other, a):
            return ufunc
        whole = whole and cnp.PyArray_IS_C_CONTIGUOUS(<cnp.ndarray>other)
    return ufunc if whole else rows[ufunc]


def rows_or_ufunc(dict rows, ufunc, a, *others):
    """along_rows for the Python paths (the activations' derivative,
    value_and_derivative and checked parameters; the GLU gates): the
    ufunc unless a is an ndarray; an out tuple among the others counts
    as its arrays.  The caller makes sure the ufunc computes in the
    arrays' own dtype and the parameters are scalars."""
    if type(a) is not cnp.ndarray:
        return ufunc
    cdef list arrays = []
    for other in others:
        if type(other) is tuple:
            arrays.extend(other)
        else:
            arrays.append(other)
    return along_rows(rows, ufunc, a, tuple(arrays))


cdef class ActivationBase:
    """Base of Activation: the ufuncs and the fast paths of __call__ and
    backward."""

    cdef public object ufunc
    cdef public object backward_ufunc
    cdef public object backward_from_y_ufunc
    # each ufunc -> its rows gufunc (along_rows)
    cdef public dict rows
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
        ufunc = along_rows(self.rows, self.ufunc, x, (out,))
        # out passed by position: cheaper than a keyword call
        if not values:
            return ufunc(x) if out is None else ufunc(x, out)
        return ufunc(x, *values) if out is None else ufunc(x, *values, out)

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
        ufunc = along_rows(self.rows, ufunc, grad, (value, out))
        try:
            if not values:
                return ufunc(grad, value) if out is None else ufunc(grad, value, out)
            return ufunc(grad, value, *values) if out is None else ufunc(grad, value, *values, out)
        except ValueError:  # reported with the function's name
            return self._backward_general(grad, x, y, out, kwparams)
