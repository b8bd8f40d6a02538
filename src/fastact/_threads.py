"""The number of threads fastact's loops may use.

Only contiguous loops over more than two grains of elements (a grain is per
function, see _catalog.py) are split across OpenMP threads, so small arrays
never pay for threads.  The default comes from ``FASTACT_NUM_THREADS``, then
``OMP_NUM_THREADS``, then the CPUs this process may run on.  An invalid
``FASTACT_NUM_THREADS`` is an error; an invalid ``OMP_NUM_THREADS`` (other
libraries read it too) is ignored with a RuntimeWarning.
"""

import contextlib
import os
import warnings
from typing import Iterator, SupportsIndex, Union

from ._backend import kernels


def _env_threads() -> int:
    for var in ("FASTACT_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "").strip()
        if value:
            # OMP_NUM_THREADS may be a list for nested levels: "4,2".
            try:
                n = int(value.split(",")[0])
                problem = "" if n >= 1 else "the number of threads must be >= 1"
            except ValueError:
                problem = "not a number of threads"
            if not problem:
                return n
            message = "%s=%r: %s" % (var, value, problem)
            if var == "FASTACT_NUM_THREADS":
                raise ValueError(message)
            # OMP_NUM_THREADS is every OpenMP library's: ignored with a
            # warning, as libgomp does, rather than failing the import
            warnings.warn(message + "; ignored", RuntimeWarning, stacklevel=2)
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def set_num_threads(n: Union[int, SupportsIndex]) -> None:
    """Set how many threads fastact's loops may use (an int >= 1).

    Without OpenMP in the build this is always 1.
    """
    if isinstance(n, bool):
        raise TypeError("the number of threads must be an int, got %r" % (n,))
    if not isinstance(n, int):
        try:
            n = n.__index__()
        except AttributeError:
            raise TypeError("the number of threads must be an int, got %r" % (n,)) from None
    kernels.set_num_threads(n)


def get_num_threads() -> int:
    """How many threads fastact's loops may use."""
    return kernels.get_num_threads()


@contextlib.contextmanager
def threads(n: Union[int, SupportsIndex]) -> Iterator[None]:
    """Context manager: use `n` threads inside the block, then restore.

    The count is process-wide, not per Python thread: blocks entered from
    several threads at once restore each other's counts in the order they
    exit.  There, call `set_num_threads` once instead.
    """
    before = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(before)


def _single_threaded_after_fork() -> None:
    # libgomp's thread pool does not survive fork(): a child that entered a
    # parallel region would hang.  The child starts single-threaded; it may
    # call set_num_threads() again if it knows it is safe (e.g. after exec).
    kernels.set_num_threads(1)


set_num_threads(_env_threads())
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_single_threaded_after_fork)
