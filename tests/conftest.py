"""Session guard, report header and the registry-wide fixtures.

The suite tests the *compiled* fastact: if ``import fastact`` finds a copy
whose kernels are not a compiled extension (a source checkout that was never
built, a pure-Python stand-in), the session stops with a clear message
instead of producing a wall of confusing failures.
"""

import importlib.machinery
import os
import sys

import pytest

# The helper module (helpers.py) sits next to this file;
# pyproject's --import-mode=importlib does not put this directory on sys.path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _compiled_fastact():
    """The fastact module, or a pytest.UsageError explaining what is wrong."""
    try:
        import fastact
        from fastact import _backend, _cpu
    except ImportError as e:
        raise pytest.UsageError(
            "fastact tests: cannot import the compiled fastact package (%s: %s).\n"
            "Build it first: `pip install .` or `python setup.py build_ext --inplace`."
            % (type(e).__name__, e))
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for module in (_backend.kernels, _cpu):
        path = getattr(module, "__file__", None) or ""
        if not path.endswith(suffixes):
            raise pytest.UsageError(
                "fastact tests: %s is loaded from %r, which is not a compiled "
                "extension (expected a file ending in one of %s); the imported "
                "fastact (%s) is not the built package.  Build it with `pip install .` "
                "or `python setup.py build_ext --inplace` and make sure that copy is "
                "the one imported." % (module.__name__, path, ", ".join(suffixes),
                                       fastact.__file__))
    return fastact


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False,
                     help="also run the tests marked slow (or set FASTACT_SLOW=1)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow") or os.environ.get("FASTACT_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow or FASTACT_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "slow: minutes or gigabytes (arrays of more than 2**31 elements); "
        "skipped unless --runslow or FASTACT_SLOW=1")
    config.addinivalue_line(
        "markers", "acts(predicate): run the test only for the activations "
        "of fastact.catalog() for which predicate(activation) is true")
    # A RuntimeWarning anywhere (fastact promises none; the tests' own NumPy
    # code silences the overflow of its casts explicitly) fails the test.
    config.addinivalue_line("filterwarnings", "error::RuntimeWarning")
    _compiled_fastact()


def pytest_report_header(config):
    fa = _compiled_fastact()
    lines = ["fastact: %s (kernels %s)" % (os.path.dirname(fa.__file__),
                                          os.path.basename(fa._backend.kernels.__file__))]
    for key, value in fa.config().items():
        if isinstance(value, list):
            value = ", ".join(value)
        lines.append("  %-18s %s" % (key + ":", value))
    return lines


# ---- fixtures over the registry ------------------------------------------------

def pytest_generate_tests(metafunc):
    """Parametrize every test that takes `act` over the whole registry,
    fastact.catalog(), or the part of it a ``@pytest.mark.acts(predicate)``
    marker selects."""
    if "act" not in metafunc.fixturenames:
        return
    fa = _compiled_fastact()
    acts = fa.catalog()
    for marker in metafunc.definition.iter_markers("acts"):
        acts = [a for a in acts if marker.args[0](a)]
    metafunc.parametrize("act", [pytest.param(_with_required(a), id=a.name) for a in acts])


class WithRequired:
    """An activation with required parameters (threshold's) as the generic
    tests see it: the table's values fill in what a call leaves out, and
    `defaults` are those values.  Everything else is the activation's own
    (tests/test_api.py checks the requirement itself)."""

    def __init__(self, act, values):
        self._act, self._values = act, values
        self.__doc__ = act.__doc__
        self.defaults = tuple(values[n] for n in act.param_names)

    def __getattr__(self, name):
        if name == "_act":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self._act, name)

    def __repr__(self):
        return repr(self._act)

    def _fill(self, params, kwparams):
        names = self._act.param_names[len(params):]
        return dict({n: self._values[n] for n in names}, **kwparams)

    def __call__(self, x, *params, **kw):
        return self._act(x, *params, **self._fill(params, kw))

    def derivative(self, x, *params, **kw):
        return self._act.derivative(x, *params, **self._fill(params, kw))

    def value_and_derivative(self, x, *params, **kw):
        return self._act.value_and_derivative(x, *params, **self._fill(params, kw))

    def backward(self, grad, *args, x=None, y=None, out=None, **kw):
        return self._act.backward(grad, *args, x=x, y=y, out=out, **self._fill((), kw))


def _with_required(act):
    from fastact._references import REFERENCES
    ref = REFERENCES.get(act.name)
    if ref is None or not ref.required:
        return act
    return WithRequired(act, ref.defaults)


class _MissingReference:
    """Stands for a missing table entry: the first use inside the test FAILS
    it (a FAILED test, not a setup ERROR) with reference()'s message."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        from helpers import reference
        reference(self._name)  # pytest.fail(...)


@pytest.fixture
def ref(act):
    """The reference-table entry of `act`; a test using it FAILS when the
    catalog has a function the table lacks."""
    from fastact._references import REFERENCES
    return REFERENCES.get(act.name) or _MissingReference(act.name)


@pytest.fixture(params=["float32", "float64"])
def dtype(request):
    import numpy as np
    return np.dtype(request.param)
