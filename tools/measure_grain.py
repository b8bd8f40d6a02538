"""Measure each activation's grain: where 2 threads start to beat 1.

``python -m fastact bench --grain`` can only see crossovers at or above 2
grains of the build it runs (smaller arrays never use threads).  This tool
copies the checkout to a temporary directory, sets every ``grain`` in the
copy's ``_catalog.py`` to --build-grain (64 by default), builds it in place,
runs ``bench --grain`` on that build and prints the measured grains next to
the checkout's catalog.  It never edits the checkout.

    python tools/measure_grain.py                      # all functions, float32+float64
    python tools/measure_grain.py --idle 10 --repeats 20  # as the catalog's grains
    python tools/measure_grain.py --functions relu --dtypes float32 --repeats 9

Other arguments go to ``fastact bench --grain``.  Timings on a busy machine
are meaningless for threads: run it when the machine is otherwise idle (the
output warns when other processes used the CPUs).
"""

import argparse
import json
import os
import re
import runpy
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def small_grain_catalog(text, grain):
    """_catalog.py's text with every activation's grain (a number or a named
    constant such as TRANSCENDENTAL) set to `grain`."""
    text, n = re.subn(r"\bgrain=\w+", "grain=%d" % grain, text)
    if not n:
        sys.exit("measure_grain: no grain= in _catalog.py")
    return text


def build_copy(tmp, grain):
    """The checkout's sources under tmp with every grain set to `grain`, built."""
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(os.path.join(ROOT, name), tmp)
    shutil.copytree(os.path.join(ROOT, "src"), os.path.join(tmp, "src"),
                    ignore=shutil.ignore_patterns("*.so", "*.c", "_ufuncs_*.pyx",
                                                  "__pycache__", "*.egg-info"))
    catalog = os.path.join(tmp, "src", "fastact", "_catalog.py")
    with open(catalog) as f:
        text = small_grain_catalog(f.read(), grain)
    with open(catalog, "w") as f:
        f.write(text)
    done = subprocess.run([sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
                          cwd=tmp, capture_output=True, text=True)
    if done.returncode:
        sys.exit("measure_grain: the build failed:\n" + done.stdout + done.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-grain", type=int, default=64,
                        help="grain of the temporary build (default: 64)")
    args, bench_args = parser.parse_known_args()
    catalog = runpy.run_path(os.path.join(ROOT, "src", "fastact", "_catalog.py"))
    current = {s.name: s.grain for s in catalog["SPECS"]}
    with tempfile.TemporaryDirectory(prefix="fastact-grain-") as tmp:
        print("building a copy with grain=%d in %s ..." % (args.build_grain, tmp),
              file=sys.stderr)
        build_copy(tmp, args.build_grain)
        env = dict(os.environ, PYTHONPATH=os.path.join(tmp, "src"))
        # bench prints its own table (with the temporary build's grain) on
        # stderr; the JSON on stdout gives the numbers for the table below.
        done = subprocess.run([sys.executable, "-m", "fastact", "bench", "--grain",
                               "--json", "-", *bench_args],
                              cwd=tmp, env=env, check=True, stdout=subprocess.PIPE)
    results = json.loads(done.stdout)
    for note in results["metadata"].get("notes", []):
        print(note)
    row = "%-11s %-8s %-7s %14s %15s %15s"
    print(row % ("function", "pass", "dtype", "catalog grain", "2T wins from", "measured grain"))
    for r in results["records"]:
        print(row % (r["function"], r["pass"], r["dtype"], current[r["function"]],
                     r["crossover"] or "never", r["grain"] or "-"))


if __name__ == "__main__":
    main()
