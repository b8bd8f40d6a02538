"""``fastact bench``: fastact's kernels against the NumPy lines they replace.

NUMPY_EXPRESSIONS is the one table of reference expressions, shared with the
pytest-benchmark suite in ``benchmarks/``.  An activation of the catalog
without an entry is skipped with a note, so adding one is one table line.
"""

import argparse
import functools
import math
import os
import sys
from dataclasses import dataclass
from time import perf_counter
from typing import Callable

import numpy as np

import fastact as fa

# name -> (forward, backward): the NumPy code users write today.  Names in
# scope: np, x (input), y (output), g (incoming gradient) and the function's
# parameters, which take their catalog defaults.
NUMPY_EXPRESSIONS = {
    "sigmoid": ("1 / (1 + np.exp(-x))", "g * y * (1 - y)"),
    "tanh": ("np.tanh(x)", "g * (1 - y**2)"),
    "relu": ("np.maximum(x, 0)", "g * (x > 0)"),
    "leaky_relu": ("np.where(x > 0, x, negative_slope * x)",
                   "g * np.where(x > 0, 1, negative_slope)"),
    "relu6": ("np.clip(x, 0, 6)", "g * ((x > 0) & (x < 6))"),
    "hardtanh": ("np.clip(x, min_val, max_val)", "g * ((x > min_val) & (x < max_val))"),
    "elu": ("np.where(x > 0, x, alpha * np.expm1(x))",
            "g * np.where(x > 0, 1, alpha * np.exp(x))"),
    "selu": ("1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(x))",
             "g * np.where(x > 0, 1.0507009873554805, 1.7580993408473768 * np.exp(x))"),
    "celu": ("np.where(x > 0, x, alpha * np.expm1(x / alpha))",
             "g * np.where(x > 0, 1, np.exp(x / alpha))"),
    "gelu": ("0.5 * x * (1 + scipy.special.erf(x / np.sqrt(2)))",
             "g * (0.5 * (1 + scipy.special.erf(x / np.sqrt(2)))"
             " + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi))"),
    "gelu_tanh": ("0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))",
                  "g * (0.5 * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))"
                  " + 0.5 * x * (1 - np.tanh(0.7978845608028654 * (x + 0.044715 * x**3))**2)"
                  " * 0.7978845608028654 * (1 + 0.134145 * x**2))"),
    "silu": ("x / (1 + np.exp(-x))",
             "g * (1 / (1 + np.exp(-x))) * (1 + x * (1 - 1 / (1 + np.exp(-x))))"),
    "mish": ("x * np.tanh(np.logaddexp(0, x))",
             "g * (np.tanh(np.logaddexp(0, x)) + x * (1 - np.tanh(np.logaddexp(0, x))**2)"
             " / (1 + np.exp(-x)))"),
    "softplus": ("np.where(beta * x > threshold, x, np.logaddexp(0, beta * x) / beta)",
                 "g * np.where(beta * x > threshold, 1, 1 / (1 + np.exp(-beta * x)))"),
    "softsign": ("x / (1 + np.abs(x))", "g * (1 - np.abs(y))**2"),
    "hardsigmoid": ("np.clip(x / 6 + 0.5, 0, 1)", "g * ((x > -3) & (x < 3)) / 6"),
    "hardswish": ("x * np.clip(x + 3, 0, 6) / 6",
                  "g * np.where(x < -3, 0, np.where(x <= 3, x / 3 + 0.5, 1))"),
    "log_sigmoid": ("-np.logaddexp(0, -x)", "g * -np.expm1(y)"),
    "tanhshrink": ("x - np.tanh(x)", "g * np.tanh(x)**2"),
    "softshrink": ("np.where(x > lambd, x - lambd, np.where(x < -lambd, x + lambd, 0))",
                   "g * (y != 0)"),
    "hardshrink": ("np.where(np.abs(x) > lambd, x, 0)", "g * (y != 0)"),
    "threshold": ("np.where(x > threshold, x, value)", "g * (x > threshold)"),
    "squareplus": ("(x + np.sqrt(x * x + b)) / 2", "g * (1 + x / np.sqrt(x * x + b)) / 2"),
    "sparse_plus": ("np.where(x <= -1, 0, np.where(x >= 1, x, (x + 1)**2 / 4))",
                    "g * np.clip((x + 1) / 2, 0, 1)"),
    "sparse_sigmoid": ("np.clip((x + 1) / 2, 0, 1)", "g * ((y > 0) & (y < 1)) / 2"),
}
# Values for parameters the catalog requires (threshold's): the bench
# calls both implementations with them.
REQUIRED_PARAMS = {"threshold": 0.5, "value": 0.0}

PASSES = ("forward", "backward")
DTYPES = ("float16", "float32", "float64")
DEFAULT = dict(dtypes=("float32", "float64"), sizes=(10**3, 10**5, 10**6),
               repeats=15, min_time=5e-3)
QUICK = dict(sizes=(10**5, 10**6), repeats=3, min_time=1e-3)


def numpy_reference(act):
    """(forward(x), backward(g, x, y)) for `act` from the table, or None."""
    if act.name not in NUMPY_EXPRESSIONS:
        return None
    params = {n: REQUIRED_PARAMS[n] if d is None else d
              for n, d in zip(act.param_names, act.defaults)}
    # Bind parameters as lambda defaults: the lambdas then run the table's
    # expression and nothing else.
    args = "".join(", %s=%r" % kv for kv in params.items())
    forward, backward = NUMPY_EXPRESSIONS[act.name]
    scope = {"np": np, "scipy": _scipy()}
    if scope["scipy"] is None and "scipy" in forward + backward:
        return None
    return (eval("lambda x%s: %s" % (args, forward), scope),
            eval("lambda g, x, y%s: %s" % (args, backward), scope))


def _scipy():
    """scipy (gelu's erf) if installed, else None: gelu is then skipped."""
    try:
        import scipy.special
        return scipy
    except ImportError:
        return None


@dataclass
class Case:
    """One benchmark: both implementations on the same preallocated inputs."""

    fastact: Callable  # writes into a preallocated out=, returns it
    numpy: Callable    # the table's expression, allocating like user code
    nbytes: int        # bytes fastact reads and writes per call


def make_case(act, pass_, dtype, size, seed=0):
    rng = np.random.default_rng(seed)
    # Typical pre-activations, both signs, no overflow in NumPy's exp.
    x = (3 * rng.standard_normal(size)).astype(dtype)
    g = rng.standard_normal(size).astype(dtype)
    required = {n: REQUIRED_PARAMS[n] for n, d in zip(act.param_names, act.defaults)
                if d is None}
    y = act(x, **required)
    out = np.empty_like(x)
    forward, backward = numpy_reference(act)
    if pass_ == "forward":
        return Case(functools.partial(act, x, out=out, **required),
                    functools.partial(forward, x), x.nbytes + out.nbytes)
    # backward takes what the function's training loop keeps: y or x.
    saved = {act.backward_uses: y if act.backward_uses == "y" else x}
    return Case(functools.partial(act.backward, g, out=out, **saved, **required),
                functools.partial(backward, g, x, y), 3 * x.nbytes)


def _loop(fn, n):
    r = range(n)
    t0 = perf_counter()
    for _ in r:
        fn()
    return perf_counter() - t0


def _calibrate(fn, min_time):
    """Calls per timed loop so that one loop lasts at least min_time."""
    fn()  # warm-up: page in the buffers, fill caches, start the threads
    n = 1
    while True:
        t = _loop(fn, n)
        if t >= min_time:
            return n
        n = max(2 * n, int(n * 1.2 * min_time / max(t, 1e-9)))


def time_pair(fa_fn, np_fn, repeats, min_time):
    """Seconds per call (min over repeats) of both functions.  The repeats
    alternate between the two so that clock or load drift hits both alike."""
    n_fa, n_np = _calibrate(fa_fn, min_time), _calibrate(np_fn, min_time)
    t_fa = t_np = math.inf
    for _ in range(repeats):
        t_fa = min(t_fa, _loop(fa_fn, n_fa) / n_fa)
        t_np = min(t_np, _loop(np_fn, n_np) / n_np)
    return t_fa, t_np


def _cpu_seconds():
    """(CPU seconds used by every process, by this one), or None off Linux."""
    try:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    t = os.times()
    return busy / os.sysconf("SC_CLK_TCK"), t.user + t.system


def format_size(n):
    s = "%.2g" % n
    return s.replace("e+0", "e").replace("e+", "e") if float(s) == n else str(n)


def _header(out, repeats, min_time):
    c = fa.config()
    print("fastact %s bench: cpu target %s, %d thread(s)%s, numpy %s "
          "(single-threaded), python %s on %s"
          % (c["fastact"], c["cpu_target"], c["num_threads"],
             "" if c["openmp"] else " (no OpenMP)", c["numpy"], c["python"],
             c["machine"]), file=out)
    print("build: compiler %s, %s" % (c["compiler"], c["cflags"]), file=out)
    print("time: min of %d repeats of a loop >= %g ms; fastact writes into out=, "
          "NumPy allocates (as users write it)" % (repeats, min_time * 1e3), file=out)
    print(file=out)


ROW = "%-12s %-9s %-8s %6s %14s %12s %9s %13s"


def _row(out, func, pass_, dtype, size, t_fa, t_np, gbs):
    print(ROW % (func, pass_, dtype, size, "%.3f" % t_fa, "%.3f" % t_np,
                 "%.2fx" % (t_np / t_fa), gbs), file=out, flush=True)


def run(functions=None, passes=PASSES, dtypes=DEFAULT["dtypes"],
        sizes=DEFAULT["sizes"], repeats=DEFAULT["repeats"],
        min_time=DEFAULT["min_time"], out=None):
    """Print the benchmark table; return the speed-ups (NumPy / fastact)."""
    out = out or sys.stdout
    acts = [a for a in fa.catalog() if functions is None or a.name in functions]
    _header(out, repeats, min_time)
    print(ROW % ("function", "pass", "dtype", "size", "fastact ns/el",
                 "numpy ns/el", "speed-up", "fastact GB/s"), file=out)
    notes, speedups = [], {}
    start, cpu_start = perf_counter(), _cpu_seconds()
    for act in acts:
        if numpy_reference(act) is None:
            notes.append("skipped %s: no NumPy expression in "
                         "fastact._bench.NUMPY_EXPRESSIONS (or it needs scipy)" % act.name)
            continue
        for pass_ in passes:
            for dtype in dtypes:
                for size in sizes:
                    case = make_case(act, pass_, dtype, size)
                    # A fast wrong kernel is no speed-up: check before timing.
                    with np.errstate(all="ignore"):
                        expected = case.numpy()
                    tol = 64 * np.finfo(dtype).eps
                    if not np.allclose(case.fastact(), expected, rtol=tol, atol=tol):
                        notes.append("WARNING: %s %s %s size %s differs from NumPy"
                                     % (act.name, pass_, dtype, format_size(size)))
                    t_fa, t_np = time_pair(case.fastact, case.numpy, repeats, min_time)
                    _row(out, act.name, pass_, dtype, format_size(size),
                         t_fa / size * 1e9, t_np / size * 1e9,
                         "%.1f" % (case.nbytes / t_fa / 1e9))
                    speedups.setdefault(pass_, []).append(t_np / t_fa)

    # Per-call overhead: the Python layer over the ufunc vs a bare NumPy ufunc.
    x1, o1 = np.ones(1), np.empty(1)
    t_fa, t_np = time_pair(functools.partial(fa.sigmoid, x1, out=o1),
                           functools.partial(np.exp, x1, out=o1), repeats, min_time)
    _row(out, "sigmoid", "call", "float64", "1", t_fa * 1e9, t_np * 1e9, "-")
    print("  (call row: ns per 1-element call, fa.sigmoid(x1, out=o1) vs "
          "np.exp(x1, out=o1); not in the mean)", file=out)

    # Other busy processes make OpenMP loops wait for a descheduled thread,
    # which can make threaded timings many times slower: say so.
    cpu_end = _cpu_seconds()
    if cpu_start and cpu_end:
        others = (cpu_end[0] - cpu_start[0]) - (cpu_end[1] - cpu_start[1])
        share = others / ((perf_counter() - start) * (os.cpu_count() or 1))
        if share > 0.05:
            notes.append("WARNING: other processes used %.0f%% of the CPUs during "
                         "the bench; timings (threaded ones most) may be inflated"
                         % (100 * share))

    print(file=out)
    for note in notes:
        print(note, file=out)
    every = [s for ss in speedups.values() for s in ss]
    if every:
        per_pass = ", ".join("%s %.2fx" % (p, _geomean(s)) for p, s in speedups.items())
        print("geometric-mean speed-up: %.2fx over %d rows (%s)"
              % (_geomean(every), len(every), per_pass), file=out)
    return every


def _geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values))


# ---- command line ---------------------------------------------------------

def _list_of(parse):
    """An argparse type: comma-separated values, each through parse()."""
    def parse_list(text):
        items = [s.strip() for s in text.split(",") if s.strip()]
        if not items:
            raise argparse.ArgumentTypeError("expected a comma-separated list")
        return tuple(parse(s) for s in items)
    return parse_list


def _choice(kind, valid):
    def parse(s):
        if s not in valid:
            raise argparse.ArgumentTypeError(
                "unknown %s %r; valid: %s" % (kind, s, ", ".join(valid)))
        return s
    return parse


def _function(s):
    return _choice("function", [a.name for a in fa.catalog()])(s)


def _size(s):
    try:
        n = float(s)
    except ValueError:
        n = None
    if n is None or n != int(n) or n < 1:
        raise argparse.ArgumentTypeError("size %r is not a positive integer "
                                         "(e.g. 1000 or 1e6)" % s)
    return int(n)


def _positive_int(s):
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError("%r is not an integer >= 1" % s)
    return n


def add_arguments(parser):
    names = ", ".join(a.name for a in fa.catalog())
    parser.add_argument("--quick", action="store_true",
                        help="a few seconds: sizes 1e5,1e6 and fewer repeats")
    parser.add_argument("--functions", type=_list_of(_function), metavar="F,...",
                        help="activations to run (default: all of %s)" % names)
    parser.add_argument("--passes", type=_list_of(_choice("pass", PASSES)),
                        default=PASSES, metavar="P,...",
                        help="forward, backward (default: both)")
    parser.add_argument("--dtypes", type=_list_of(_choice("dtype", DTYPES)),
                        metavar="D,...", help="default: float32,float64")
    parser.add_argument("--sizes", type=_list_of(_size), metavar="N,...",
                        help="elements per array, e.g. 1000,1e6 "
                        "(default: 1e3,1e5,1e6; with --quick 1e5,1e6)")
    parser.add_argument("--threads", type=_positive_int, metavar="N",
                        help="fastact threads (default: fastact.get_num_threads())")
    parser.add_argument("--repeats", type=_positive_int, metavar="N",
                        help="timed loops per measurement; the minimum is "
                        "reported (default: %d; with --quick %d)"
                        % (DEFAULT["repeats"], QUICK["repeats"]))


def main(args):
    """Run the bench for parsed command-line arguments."""
    settings = dict(DEFAULT, **QUICK) if args.quick else dict(DEFAULT)
    for key in ("dtypes", "sizes", "repeats"):
        if getattr(args, key) is not None:
            settings[key] = getattr(args, key)
    threads = args.threads or fa.get_num_threads()
    with fa.threads(threads):
        run(functions=args.functions, passes=args.passes, **settings)
    return 0
