"""Do two CPU targets' float32 kernels give the same bits?  A developer check.

Runs every elementwise activation's forward and derivative loops of two
builds of the in-place checkout (``python setup.py build_ext --inplace``
builds them all on x86-64) over all 2^32 float32 bit patterns, default
parameters, and counts the inputs whose results differ in any bit (NaN
against NaN of any payload is equal).  Where two targets agree everywhere,
the exhaustive accuracy table measured with one holds for the other.

    PYTHONPATH=src python tools/compare_builds.py x86_64_v3 x86_64_v4
    PYTHONPATH=src python tools/compare_builds.py baseline x86_64_v3 --functions sigmoid

Exits 1 if any loop differs.  About half an hour on 2 cores for the catalog.
"""

import argparse
import importlib
import multiprocessing
import sys
import time

import numpy as np

CHUNK = 1 << 24  # bit patterns per task


def loops(functions):
    """(ufunc name, default parameters as float32) of each forward and
    derivative loop, the variants (gelu_tanh) included."""
    import fastact as fa
    from fastact._references import REFERENCES, params_in

    out = []
    for act in fa.catalog():
        for variant in (act.variants or {None: act}).values():
            name = variant.name
            if functions and name not in functions and act.name not in functions:
                continue
            params = params_in(np.float32, {}, REFERENCES[name])
            values = [np.float32(params[p]) for p in variant.param_names]
            out += [(variant.ufunc.__name__, values),
                    (variant.derivative_ufunc.__name__, values)]
    return list(dict((n, (n, v)) for n, v in out).values())


def _differences(task):
    """(differing inputs, up to 3 examples) of one loop on one chunk."""
    targets, name, params, chunk = task
    import fastact as fa
    fa.set_num_threads(1)  # the workers are the parallelism
    a, b = (importlib.import_module("fastact._ufuncs_" + t).UFUNCS[name] for t in targets)
    x = np.arange(chunk * CHUNK, (chunk + 1) * CHUNK, dtype=np.uint64).astype(np.uint32)
    x = x.view(np.float32)
    ya, yb = a(x, *params), b(x, *params)
    differ = (ya.view(np.uint32) != yb.view(np.uint32)) & ~(np.isnan(ya) & np.isnan(yb))
    where = np.flatnonzero(differ)
    return int(where.size), [(float(x[i]), float(ya[i]), float(yb[i])) for i in where[:3]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs=2, help="two of baseline, x86_64_v3, x86_64_v4")
    parser.add_argument("--functions", type=lambda s: s.split(","), default=None,
                        metavar="F,...", help="activations (default: all)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes")
    parser.add_argument("--sample", type=int, default=1, metavar="K",
                        help="every K-th block of 2^24 bit patterns only (default: 1, all)")
    args = parser.parse_args()
    from fastact import _backend, _cpu
    for t in args.targets:
        if t not in _backend.built_targets() or not _cpu.supports(t):
            sys.exit("compare_builds: %s is not a target built (%s) that this CPU runs"
                     % (t, ", ".join(_backend.built_targets())))
    todo = loops(args.functions)
    if not todo:
        sys.exit("compare_builds: no such function")
    chunks = range(0, (1 << 32) // CHUNK, max(args.sample, 1))
    failed = 0
    start = time.time()
    with multiprocessing.Pool(args.jobs) as pool:
        for name, params in todo:
            tasks = [(args.targets, name, params, c) for c in chunks]
            results = pool.map(_differences, tasks)
            count = sum(n for n, _ in results)
            examples = [e for _, ex in results for e in ex][:3]
            failed += count > 0
            print("%-32s %s" % (name, "same bits" if not count else
                                "%d inputs differ, e.g. (x, %s, %s): %s"
                                % (count, *args.targets, examples)), flush=True)
    print("%d of %d loops differ between %s and %s over %d bit patterns each (%.0f s)"
          % (failed, len(todo), *args.targets, len(chunks) * CHUNK, time.time() - start))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
