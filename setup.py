"""Build fastact's kernels: render the template, compile one module per CPU target.

``src/fastact/_ufuncs.pyx.tp`` is rendered (Cython's Tempita) for every ufunc
of ``_catalog.KERNELS`` and ``_catalog.GLU_KERNELS``, followed by
``_axis.pyx.tp`` (the softmax gufuncs), into ``_ufuncs_<target>.pyx``, once
per CPU target:

- ``baseline``: the compiler's default for the platform (SSE2 on x86-64);
- ``x86_64_v3``: AVX2 + FMA (+ BMI2, F16C), x86-64 only;
- ``x86_64_v4``: AVX-512 (F, BW, CD, DQ, VL), x86-64 only.

fastact picks the best target the running CPU supports at import time.
Never ``-ffast-math`` (it breaks NaN/inf/-0.0) nor ``-march=native`` (the
build would not run on other CPUs).
"""

import os
import platform
import runpy
import tempfile

import numpy as np
from Cython import Tempita
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "src", "fastact")

# target -> extra flags (gcc/clang, MSVC); "baseline" has none.
TARGETS = {"baseline": ([], [])}
if platform.machine().lower() in ("x86_64", "amd64"):
    TARGETS["x86_64_v3"] = (["-march=x86-64-v3"], ["/arch:AVX2"])
    TARGETS["x86_64_v4"] = (["-march=x86-64-v4"], ["/arch:AVX512"])
# For development only: FASTACT_BUILD_TARGETS=x86_64_v3 builds that target
# (and always the baseline, the fallback of every CPU) to save compile time.
if os.environ.get("FASTACT_BUILD_TARGETS"):
    _wanted = {t.strip().replace("-", "_") for t in os.environ["FASTACT_BUILD_TARGETS"].split(",")}
    _unknown = _wanted - set(TARGETS)
    if _unknown:
        raise SystemExit("FASTACT_BUILD_TARGETS: unknown target(s) %s; known: %s"
                         % (", ".join(sorted(_unknown)), ", ".join(TARGETS)))
    TARGETS = {t: f for t, f in TARGETS.items() if t == "baseline" or t in _wanted}
# Compile the kernel modules side by side (one target per core).
JOBS = os.cpu_count() or 1

# -g0 overrides the -g of Python's own CFLAGS: the debug information was
# 80% of the modules (34 MB of the three kernel builds' 43; the machine
# code is the same).
COMMON_FLAGS = ["-O3", "-g0", "-fno-math-errno", "-fno-trapping-math", "-fopenmp-simd"]
MSVC_FLAGS = ["/O2", "/fp:precise"]


TEMPLATES = ("_ufuncs.pyx.tp", "_axis.pyx.tp")
HEADERS = ("fastmath.h", "polynomials.h", "activations.h", "activations_impl.h", "axis_impl.h",
           "type_end.h", "stream.h")


def render(target):
    """Write _ufuncs_<target>.pyx from the templates (only when it changes).

    _axis.pyx.tp (softmax and log_softmax along an axis, as gufuncs) is
    rendered into the same module as _ufuncs.pyx.tp, whose thread count,
    float16 conversions and declarations it shares.
    """
    catalog = runpy.run_path(os.path.join(SRC, "_catalog.py"))
    text = ""
    for template in TEMPLATES:
        with open(os.path.join(SRC, template)) as f:
            text += Tempita.sub(
                f.read(),
                kernels=catalog["KERNELS"] + catalog["GLU_KERNELS"],
                c_functions=catalog["C_FUNCTIONS"],
                axis_grains=catalog["AXIS_GRAINS"],
                target=target.replace("_", "-"),
                cflags=" ".join(COMMON_FLAGS + TARGETS[target][0]),
            )
    path = os.path.join(SRC, "_ufuncs_%s.pyx" % target)
    if not os.path.exists(path) or open(path).read() != text:
        with open(path, "w") as f:
            f.write(text)
    return os.path.relpath(path)


def kernels(target):
    return Extension(
        "fastact._ufuncs_" + target,
        [render(target)],
        include_dirs=[np.get_include(), SRC],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_2_0_API_VERSION")],
        depends=[os.path.relpath(os.path.join(SRC, "_kernels", h)) for h in HEADERS]
        + [os.path.relpath(os.path.join(SRC, f)) for f in ("_catalog.py",) + TEMPLATES],
    )


class BuildExt(build_ext):
    """Set the flags by compiler, with OpenMP when the compiler has it."""

    def finalize_options(self):
        super().finalize_options()
        if self.parallel is None:
            self.parallel = JOBS

    def build_extensions(self):
        msvc = self.compiler.compiler_type == "msvc"
        openmp = ["/openmp"] if msvc else ["-fopenmp"]
        if not self._compiles_with(openmp):
            print("fastact: no OpenMP with this compiler; building single-threaded")
            openmp = []
        for ext in self.extensions:
            # _cpu and _fastpath are compiled for the baseline: they run anywhere.
            target = ext.name.split("_ufuncs_")[1] if "_ufuncs_" in ext.name else "baseline"
            gcc_flags, msvc_flags = TARGETS[target]
            if msvc:
                ext.extra_compile_args = MSVC_FLAGS + msvc_flags + openmp
            else:
                ext.extra_compile_args = COMMON_FLAGS + gcc_flags + openmp
                ext.extra_link_args = openmp
                ext.libraries = ["m"]
        super().build_extensions()

    def _compiles_with(self, flags):
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "omp.c")
            with open(src, "w") as f:
                f.write("#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n")
            try:
                objs = self.compiler.compile([src], output_dir=tmp, extra_postargs=flags)
                self.compiler.link_executable(objs, os.path.join(tmp, "omp"), extra_postargs=flags)
            except Exception:
                return False
        return True


setup(
    ext_modules=cythonize(
        [kernels(t) for t in TARGETS]
        + [Extension("fastact." + name, [os.path.relpath(os.path.join(SRC, name + ".pyx"))],
                     include_dirs=[np.get_include()])
           for name in ("_cpu", "_fastpath")],
        compiler_directives={"language_level": 3},
        nthreads=JOBS,
    ),
    cmdclass={"build_ext": BuildExt},
)
