"""Choose and load the compiled kernels for this CPU.

setup.py builds the kernels once per CPU target (``_ufuncs_<target>``);
the best target the CPU supports is loaded, unless the environment variable
``FASTACT_CPU`` names one (``baseline`` to force portable SSE2 code).
"""

import importlib
import importlib.util
import os
from typing import TYPE_CHECKING, Optional, Tuple

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
    kernels = importlib.import_module("fastact._ufuncs_" + TARGET)
