# The interface of every compiled kernel module _ufuncs_<target> (rendered
# from _ufuncs.pyx.tp); _backend.kernels is typed with it.
from typing import Any, Dict

import numpy as np

TARGET: str
CFLAGS: str
COMPILER: str
OPENMP_VERSION: int
UFUNCS: Dict[str, np.ufunc]

def set_num_threads(n: int) -> None: ...
def get_num_threads() -> int: ...
def effective_num_threads() -> int: ...
def threads_for_size(n: int, grain: int, warm: int) -> int: ...
def prelu(x: object, weight: object, out: object = None, grad: object = None,
          double_sums: bool = False) -> Any: ...  # None where it declines the arrays

PRELU_ROW_MIN: int
