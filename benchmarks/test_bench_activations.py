"""fastact against the NumPy expressions it replaces (pytest-benchmark).

The reference expressions come from fastact._bench.NUMPY_EXPRESSIONS, the
table the ``fastact bench`` CLI uses.  Each (function, pass, dtype, size) is
one benchmark group holding a fastact and a numpy entry, so the group tables
show the two side by side.  No timing assertions: this measures, it does not
test.
"""

import functools

import pytest

import fastact as fa
from fastact._bench import NUMPY_EXPRESSIONS, format_size, make_case

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


@pytest.mark.parametrize("name, pass_, dtype, size, impl", _params())
def test_activation(benchmark, name, pass_, dtype, size, impl):
    benchmark.group = "%s %s %s %s" % (name, pass_, dtype, format_size(size))
    benchmark.extra_info.update(elements=size, impl=impl)
    case = _case(name, pass_, dtype, size)
    benchmark(getattr(case, impl))
