"""Choose and load the compiled kernels for this CPU.

setup.py builds the kernels once per CPU target (``_ufuncs_<target>``);
the best target the CPU supports is loaded, unless the environment variable
``FASTACT_CPU`` names one (``baseline`` to force portable SSE2 code).
"""

import contextlib
import importlib
import importlib.util
import os
import re
from typing import TYPE_CHECKING, Iterator, Optional, Set, Tuple

# ---- how long OpenMP's idle threads spin ---------------------------------
# After a parallel region libgomp's threads spin before they sleep: 300000
# spins by default, about 8 ms on the Xeon of the README's tables, on the
# core that the next np.matmul's OpenBLAS thread needs.  A training step of
# matmuls and a 2-thread gelu there ran 1.5-2x slower than with fastact on
# one thread.  10000 spins (about 1 ms there, as long as the tight-loop
# window of threads_for, WARM_SECONDS) give the core back; the same for
# LLVM's libomp (clang builds; its default is 200 ms) is KMP_BLOCKTIME in
# ms.  An OpenMP runtime reads these when it loads, which the import of
# fastact's first extension does; the environment is restored right after,
# so child processes and libraries loaded later see the user's.  Any of
# them set by the user wins, and a runtime loaded before fastact keeps
# whatever it read then.
SPIN_ENV = {"GOMP_SPINCOUNT": "10000", "KMP_BLOCKTIME": "1"}
WAIT_VARIABLES = ("OMP_WAIT_POLICY",) + tuple(SPIN_ENV)


def mapped_runtimes() -> Optional[Set[str]]:
    """The OpenMP runtime libraries loaded in this process (libgomp, libomp,
    libiomp5, ...), as files; None where /proc/self/maps does not tell."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "omp" in line}
    except OSError:
        return None
    return {p for p in paths if re.search(r"/lib(g|i5|i)?omp[-.\w]*\.so", p)}


@contextlib.contextmanager
def _spin_for_import() -> Iterator[None]:
    """SPIN_ENV in the environment while fastact's extensions load, unless
    the user set any of WAIT_VARIABLES."""
    if any(v in os.environ for v in WAIT_VARIABLES):
        yield
        return
    os.environ.update(SPIN_ENV)
    try:
        yield
    finally:
        for var in SPIN_ENV:
            del os.environ[var]


def _describe_wait(before: Optional[Set[str]], after: Optional[Set[str]]) -> str:
    user = ["%s=%s" % (v, os.environ[v]) for v in WAIT_VARIABLES if v in os.environ]
    if user:
        return "from the environment: " + ", ".join(user)
    if before is not None and after is not None and before and not after - before:
        return "the runtime's own (loaded before fastact)"
    return "GOMP_SPINCOUNT=%(GOMP_SPINCOUNT)s, KMP_BLOCKTIME=%(KMP_BLOCKTIME)s (fastact)" % SPIN_ENV


# Both imports in _spin_for_import: whichever extension brings the runtime
# in (a linker with --as-needed may leave it out of _cpu) loads it there.
_runtimes_before = mapped_runtimes()
with _spin_for_import():
    from . import _cpu

# Best first.  Must match TARGETS in setup.py.
TARGETS = ("x86_64_v4", "x86_64_v3", "baseline")


def _normalize(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def built_targets() -> Tuple[str, ...]:
    """The targets compiled into this installation, best first."""
    return tuple(t for t in TARGETS
                 if importlib.util.find_spec("fastact._ufuncs_" + t) is not None)


def choose_target(requested: Optional[str] = None) -> str:
    """The target to load: FASTACT_CPU if set (and runnable), else the best."""
    if requested is None:
        requested = os.environ.get("FASTACT_CPU", "") or "auto"
    requested = _normalize(requested)
    built = built_targets()
    if requested == "auto":
        return next(t for t in built if _cpu.supports(t))
    if requested not in TARGETS:
        raise ValueError(
            "FASTACT_CPU=%r is not a CPU target; use 'auto' or one of %s"
            % (requested, ", ".join(t.replace("_", "-") for t in TARGETS)))
    if requested not in built:
        raise ImportError("FASTACT_CPU=%s: this installation has no kernels for it "
                          "(built: %s)" % (requested, ", ".join(built)))
    if not _cpu.supports(requested):
        raise ImportError("FASTACT_CPU=%s: this CPU cannot run those kernels"
                          % requested)
    return requested


TARGET = choose_target()
if TYPE_CHECKING:
    from . import _ufuncs
    kernels = _ufuncs  # the stub that every _ufuncs_<target> matches
else:
    with _spin_for_import():
        kernels = importlib.import_module("fastact._ufuncs_" + TARGET)
# config()["omp_wait"]: how long idle OpenMP threads spin, and who chose it
OMP_WAIT = _describe_wait(_runtimes_before, mapped_runtimes())
