"""fastact against the NumPy expressions it replaces (pytest-benchmark).

The reference expressions come from fastact._bench.NUMPY_EXPRESSIONS, the
table the ``fastact bench`` CLI uses, and for softmax, log_softmax and the
GLU family from its AXIS_REFERENCES (the stable NumPy expression and SciPy;
the GLUs' NumPy lines on the halves) on a 4096 x 1000 matrix along either
axis; prelu with a weight per channel against its NumPy lines (np.where,
and the weight's gradient a product, minimum and sum) on a batch of
images, of small images and of vectors (the CLI's prelu_cases).  Each (function, pass, dtype, size) is
one benchmark group holding a fastact and a numpy entry, so the group tables
show the two side by side.  No timing assertions: this measures, it does not
test.
"""

import functools

import numpy as np
import pytest

import fastact as fa
from fastact._bench import (AXIS_FUNCTIONS, DEFAULT, NUMPY_EXPRESSIONS, PASSES, axis_cases,
                            format_size, make_case, prelu_cases)

SIZES = (10**3, 10**5, 10**6, 16 * 10**6)
SLOW_SIZE = 16 * 10**6


def _params():
    # impl innermost, so the fastact and numpy runs of one case are adjacent
    # and share the cached buffers.
    for act in fa.catalog():
        if act.name not in NUMPY_EXPRESSIONS:
            continue
        for pass_ in ("forward", "backward"):
            for dtype in ("float32", "float64"):
                for size in SIZES:
                    marks = [pytest.mark.slow] if size >= SLOW_SIZE else []
                    for impl in ("fastact", "numpy"):
                        yield pytest.param(
                            act.name, pass_, dtype, size, impl, marks=marks,
                            id="%s-%s-%s-%s-%s" % (act.name, pass_, dtype,
                                                    format_size(size), impl))


@functools.lru_cache(maxsize=1)
def _case(name, pass_, dtype, size):
    return make_case(fa.ACTIVATIONS[name], pass_, dtype, size)


@pytest.mark.parametrize("name, pass_, dtype, size, impl", list(_params()))
def test_activation(benchmark, name, pass_, dtype, size, impl):
    benchmark.group = "%s %s %s %s" % (name, pass_, dtype, format_size(size))
    benchmark.extra_info.update(elements=size, impl=impl)
    case = _case(name, pass_, dtype, size)
    benchmark(getattr(case, impl))


def _axis_params():
    for name in AXIS_FUNCTIONS:
        for function, pass_, dtype, _, make in axis_cases(name, PASSES, ("float32", "float64"),
                                                          DEFAULT["matrix"]):
            for impl in ("fastact", "numpy"):  # numpy: the NumPy or SciPy line
                yield pytest.param(function, pass_, dtype, make, impl,
                                   id="%s-%s-%s-%s" % (function.replace(" ", ""),
                                                       pass_.replace("/", "-"), dtype, impl))


@functools.lru_cache(maxsize=1)
def _cached_case(function, pass_, dtype, make):
    """make()'s Case, built once for its fastact and numpy runs."""
    return make()


@pytest.mark.parametrize("function, pass_, dtype, make, impl", list(_axis_params()))
def test_axis_function(benchmark, function, pass_, dtype, make, impl):
    benchmark.group = "%s %s %s %s" % (function, pass_, dtype, "x".join(map(str, DEFAULT["matrix"])))
    benchmark.extra_info.update(impl=impl)
    benchmark(getattr(_cached_case(function, pass_, dtype, make), impl))


# prelu with a weight per channel: batches of 2^20 elements of the CLI's
# samples (channel rows of 1024, of 4 and of 1)
PRELU_SIZE = 2**20


def _prelu_params():
    for function, pass_, dtype, size, make in prelu_cases(PASSES, ("float32", "float64"),
                                                          PRELU_SIZE):
        for impl in ("fastact", "numpy"):
            yield pytest.param(function, pass_, dtype, size, make, impl,
                               id="%s-%s-%s-%s" % (function.replace(" ", ""), pass_, dtype,
                                                   impl))


@pytest.mark.parametrize("function, pass_, dtype, size, make, impl", list(_prelu_params()))
def test_prelu(benchmark, function, pass_, dtype, size, make, impl):
    benchmark.group = "%s %s %s %s" % (function, pass_, dtype, format_size(size))
    benchmark.extra_info.update(elements=size, impl=impl)
    benchmark(getattr(_cached_case(function, pass_, dtype, make), impl))
