# Stub of the compiled _fastpath module (see _fastpath.pyx).
from typing import Any, Dict, Optional, Tuple

import numpy as np
from numpy.typing import ArrayLike

class ActivationBase:
    ufunc: np.ufunc
    backward_ufunc: np.ufunc
    backward_from_y_ufunc: Optional[np.ufunc]
    rows: Dict[np.ufunc, np.ufunc]  # each ufunc -> its rows gufunc
    defaults: Tuple[Optional[float], ...]  # None: a required parameter
    param_names: Tuple[str, ...]
    # The result is an ndarray, a NumPy scalar for scalar input, or the
    # input's own array type (Dask, xarray) through __array_ufunc__.
    def __call__(self, x: ArrayLike, /, *params: ArrayLike, out: Any = None,
                 **kwparams: ArrayLike) -> Any: ...
    def backward(self, grad: ArrayLike, /, *, x: Optional[ArrayLike] = None,
                 y: Optional[ArrayLike] = None, out: Any = None,
                 **kwparams: ArrayLike) -> Any: ...

def rows_or_ufunc(rows: Dict[np.ufunc, np.ufunc], ufunc: np.ufunc, a: Any,
                  *others: Any) -> np.ufunc: ...
