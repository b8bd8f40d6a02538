"""Which contiguous loops did gcc vectorize?  A developer check.

Compiles the generated C of one CPU target (after
``python setup.py build_ext --inplace``) with gcc's vectorization report and
prints, for every ``*_contiguous`` loop of the template, the vector width gcc
used, or MISSED.  Exits 1 if any loop was not vectorized.  A loop that an
explicit SIMD block of activations.h does on this target (FA_SIMD_BLOCKS:
float32 tanh, gelu and silu and float64 silu on AVX-512) counts as
vectorized whatever gcc did with the few elements the block leaves.

Then it reads the built module's machine code (objdump): a call to a
vector helper of activations.h (``fa_*16``, ``fa_*8``) that is not declared
``noinline`` there means gcc left a vector function out of line, a call
per vector (fa_gelu16 was one until made FA_INLINE): also exit 1.

    python tools/vectorization_report.py [x86_64_v3]
"""

import glob
import re
import subprocess
import sys
import sysconfig

import numpy as np

target = sys.argv[1] if len(sys.argv) > 1 else "x86_64_v3"
source = "src/fastact/_ufuncs_%s.c" % target
# the flags setup.py compiled this target with, as its module records them
# (CFLAGS of the rendered template), and OpenMP's, which setup.py adds
cflags = re.search(r'^CFLAGS = "(.*)"$', open("src/fastact/_ufuncs_%s.pyx" % target).read(),
                   re.M).group(1).split() + ["-fopenmp"]
report = subprocess.run(
    ["gcc", *cflags,
     "-I", np.get_include(), "-I", sysconfig.get_paths()["include"], "-I", "src/fastact",
     "-c", source, "-o", "/dev/null", "-fopt-info-vec-optimized",
     # without merging identical functions (hardshrink' and softshrink',
     # a backward from y and from x), which gcc then reports at the lines
     # of the copy it kept: each loop is reported at its own lines
     "-fno-ipa-icf"],
    capture_output=True, text=True, check=True).stderr

# FA_SIMD_BLOCKS as activations.h defines it for this target
march = [f for f in cflags if f.startswith("-march=")]
macros = subprocess.run(
    ["gcc", "-E", "-dM", *march, "-x", "c", "src/fastact/_kernels/activations.h"],
    capture_output=True, text=True, check=True).stdout
explicit = set(" ".join(re.findall(r'"([^"]*)"', re.search(r"#define FA_SIMD_BLOCKS (.*)", macros)
                                                  .group(1))).split())

# The line ranges of the C functions generated for each *_contiguous loop
# (their definitions: Cython's prototypes end in /*proto*/).
lines = open(source).read().splitlines()
starts = [(i + 1, m.group(1)) for i, line in enumerate(lines)
          if (m := re.match(r"static CYTHON_INLINE void __pyx_f_7fastact_\d+_ufuncs_"
                              r"(?:x86_64_v\d|baseline)_(\w+_contiguous)\(", line))
          and not line.endswith("/*proto*/")]
vectorized = {}
for m in re.finditer(r":(\d+):\d+: optimized: loop vectorized using (\d+) byte vectors", report):
    line, width = int(m.group(1)), int(m.group(2))
    for (start, name), nxt in zip(starts, starts[1:] + [(len(lines) + 1, None)]):
        if start <= line < nxt[0]:
            vectorized[name] = max(vectorized.get(name, 0), width)

missed = 0
for _, name in starts:
    width = vectorized.get(name)
    block = name[:-len("_contiguous")] in explicit
    missed += width is None and not block
    print("%-50s %s" % (name, "explicit SIMD block" if block and not width
                        else "%d-byte vectors" % width if width else "MISSED"))

# Calls to vector helpers in the built module, against the helpers
# activations.h keeps out of line on purpose (rare paths)
module, = glob.glob("src/fastact/_ufuncs_%s.*.so" % target)
code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", module],
                      capture_output=True, text=True, check=True).stdout
header = open("src/fastact/_kernels/activations.h").read()
out_of_line = set(re.findall(r"__attribute__\(\(noinline\)\)[^(]*?\b(fa_\w+(?:16|8))\(", header)
                  + re.findall(r"^FA_BEYOND_TABLE\((fa_\w+(?:16|8)),", header, re.M))
called = {m.group(1) for m in re.finditer(r"\bcall\s.*<(fa_\w+(?:16|8))(?:\.\w+)*>", code)}
not_inlined = sorted(called - out_of_line)
for name in not_inlined:
    print("%-50s CALLED (not inlined)" % name)
print("%d loops, %d not vectorized; out-of-line vector helpers called: %s; others: %d"
      % (len(starts), missed, ", ".join(sorted(called & out_of_line)) or "none",
         len(not_inlined)))
sys.exit(1 if missed or not_inlined else 0)
