"""The Python API: the registry and its metadata against the reference
table, out= / where= / in place, bad arguments, docstrings and doctests,
__array_ufunc__ dispatch, config() and the thread-count functions.
"""

import doctest
import inspect
import re
import sys
import typing
from pathlib import Path

import numpy as np

import pytest

import fastact as fa
from helpers import (assert_identical, grads_like,
                     ufunc_params, value_mix)
from fastact._references import REFERENCES
from helpers import reference

uses_y = pytest.mark.acts(lambda a: a.backward_uses == "y")
uses_x = pytest.mark.acts(lambda a: a.backward_uses == "x")
has_params = pytest.mark.acts(lambda a: a.param_names)


# ---- the registry ------------------------------------------------------------------

def test_every_function_has_a_reference(act):
    """Fails (here and in every other test of act) for a catalog entry
    without an entry in src/fastact/_references.py."""
    entry = reference(act.name)
    assert entry.param_cases and entry.param_cases[0] == {}


def test_reference_table_has_no_stale_entries():
    assert set(REFERENCES) <= set(fa.ACTIVATIONS), (
        "src/fastact/_references.py has entries for functions fastact does not have: %s"
        % sorted(set(REFERENCES) - set(fa.ACTIVATIONS)))


def test_registry_is_consistent():
    acts = fa.catalog()
    assert [a.name for a in acts] == list(fa.ACTIVATIONS)
    assert len(acts) == len(set(a.name for a in acts))
    for a in acts:
        assert isinstance(a, fa.Activation)
        assert getattr(fa, a.name) is a is fa.ACTIVATIONS[a.name]
        assert a.name in fa.__all__
    for name in ["Activation", "catalog", "config", "show_config", "set_num_threads",
                 "get_num_threads", "threads"]:
        assert name in fa.__all__ and hasattr(fa, name)


def test_namespace_has_only_the_api():
    """dir(fastact) (tab completion) shows the API: __all__, the registries
    and the training-loop modules, not names the package imports for itself
    (typing's Any, Dict and List were there)."""
    import types
    public = {n for n in dir(fa) if not n.startswith("_")}
    modules = {n for n in public if isinstance(getattr(fa, n), types.ModuleType)}
    assert modules == {"datasets", "diagnostics", "init", "nn", "optim"}
    assert public - modules == set(fa.__all__) | {"ACTIVATIONS", "ALIASES"}


@pytest.mark.parametrize("module", ["nn", "optim", "datasets", "diagnostics", "init"])
def test_training_modules_declare_their_api(module):
    """Each training-loop module's __all__ names what it defines (every
    public class and function, its registries and type aliases) and nothing
    it imports (np, typing's names), so `from fastact.nn import *` brings
    the layers and not Optional or np."""
    import types
    m = getattr(fa, module)
    own = {n for n, v in vars(m).items() if not n.startswith("_")
           and getattr(v, "__module__", None) == m.__name__}
    imported = {n for n, v in vars(m).items() if not n.startswith("_") and n not in own
                and (isinstance(v, types.ModuleType) or n in dir(typing) or n == "annotations")}
    assert own <= set(m.__all__)
    assert not imported & set(m.__all__)
    assert len(m.__all__) == len(set(m.__all__)) and all(hasattr(m, n) for n in m.__all__)
    namespace: dict = {}
    exec("from fastact.%s import *" % module, namespace)
    assert set(namespace) - {"__builtins__"} == set(m.__all__)


def test_metadata_matches_table(act, ref):
    assert act.name == act.__name__ == act.spec.name
    assert repr(act) == "<fastact activation %s>" % act.name
    assert act.backward_uses == act.spec.backward_uses == ref.backward_uses
    assert (act.backward_from_y_ufunc is None) == (ref.derivative_from_y is None)
    assert dict(zip(act.param_names, act.defaults)) == ref.defaults
    assert act.param_names == tuple(p.name for p in act.spec.params)


def test_signature(act, ref):
    sig = inspect.signature(act)
    params = list(sig.parameters.values())
    assert params[0].name == "x" and params[0].kind is inspect.Parameter.POSITIONAL_ONLY
    assert params[-1].name == "out" and params[-1].kind is inspect.Parameter.KEYWORD_ONLY
    expected = {n: inspect.Parameter.empty if n in ref.required else v
                for n, v in ref.defaults.items()}
    option = act.spec.option
    if option:  # keyword-only, before out
        assert params[-2].name == option.name and params[-2].default == option.default
        assert params[-2].kind is inspect.Parameter.KEYWORD_ONLY
        params = params[:-1]
    assert {p.name: p.default for p in params[1:-1]} == expected


def test_ufuncs(act):
    p = len(act.param_names)
    expected = [("ufunc", act.name, 1, 1),
                ("derivative_ufunc", act.name + "_derivative", 1, 1),
                ("value_and_derivative_ufunc", act.name + "_value_and_derivative", 1, 2),
                ("backward_ufunc", act.name + "_backward", 2, 1)]
    if act.backward_uses == "y":
        expected.append(("backward_from_y_ufunc", act.name + "_backward_from_y", 2, 1))
    for attr, name, nin, nout in expected:
        u = getattr(act, attr)
        assert isinstance(u, np.ufunc), attr
        assert u.__name__ == name
        assert (u.nin, u.nout) == (nin + p, nout), attr
        assert u.types == ["%s->%s" % (c * (nin + p), c * nout) for c in "efd"], u.types


def test_ufunc_is_what_the_activation_calls(act, dtype):
    x = value_mix(dtype, 100)
    g = grads_like(x)
    p = ufunc_params(act, {})
    assert_identical(act.ufunc(x, *p), act(x))
    assert_identical(act.derivative_ufunc(x, *p), act.derivative(x))
    assert_identical(act.backward_ufunc(g, x, *p), act.backward(g, x=x))
    if act.backward_uses == "y":
        y = act(x)
        assert_identical(act.backward_from_y_ufunc(g, y, *p), act.backward(g, y=y))


# ---- docstrings ------------------------------------------------------------------

def test_docstring(act, ref):
    doc = act.__doc__
    assert doc and doc.startswith(act.name + "(")
    for words in ref.formula_words + (act.spec.formula, act.spec.derivative, act.spec.torch,
                                      act.spec.jax):
        assert words in doc, "fastact.%s.__doc__ does not mention %r" % (act.name, words)
    for name in act.param_names:
        assert name in doc
    assert act.spec.formula in act.ufunc.__doc__
    assert act.spec.derivative in act.derivative_ufunc.__doc__


def test_docstring_example(act):
    """Each activation's docstring ends with an example of forward and
    backward that runs as a doctest."""
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(
        optionflags=doctest.NORMALIZE_WHITESPACE)
    test = parser.get_doctest(act.__doc__, {}, act.name, None, 0)
    assert len(test.examples) == 4 and "backward" in test.examples[3].source
    result = runner.run(test)
    assert result.failed == 0 and result.attempted == 4


def test_module_doctests():
    """The examples in fastact's docstrings (the module docstring has them)."""
    import fastact._activation
    import fastact._backend
    import fastact._catalog
    import fastact._threads

    attempted = 0
    for module in [fa, fastact._activation, fastact._backend, fastact._catalog,
                   fastact._threads]:
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE,
                                 verbose=False, report=True)
        assert result.failed == 0, "doctest failures in %s" % module.__name__
        attempted += result.attempted
    assert attempted >= 5


# ---- out= and where= ---------------------------------------------------------------

def _call(act, kind, x, g, out, **kw):
    if kind == "forward":
        return act(x, out=out, **kw)
    if kind == "derivative":
        return act.derivative(x, out=out, **kw)
    if kind == "value_and_derivative":
        return act.value_and_derivative(x, out=out, **kw)
    if kind == "backward_x":
        return act.backward(g, x=x, out=out, **kw)
    return act.backward(g, y=act(x), out=out, **kw)


def _kinds_for(act):
    return [k for k in ["forward", "derivative", "value_and_derivative", "backward_x",
                        "backward_y"] if k != "backward_y" or act.backward_uses == "y"]


def _expected(act, kind, x, g):
    if kind == "value_and_derivative":
        return (act(x), act.derivative(x))
    return _call(act, kind, x, g, None)


def test_out_is_written_and_returned(act, dtype):
    x = value_mix(dtype, 300)
    g = grads_like(x)
    for kind in _kinds_for(act):
        expected = _expected(act, kind, x, g)
        if kind == "value_and_derivative":
            out = (np.full_like(x, 7.0), np.full_like(x, 7.0))
            result = _call(act, kind, x, g, out)
            assert isinstance(result, tuple) and result[0] is out[0] and result[1] is out[1]
            assert_identical(out[0], expected[0])
            assert_identical(out[1], expected[1])
            continue
        for label, out in [("contiguous", np.full_like(x, 7.0)),
                           ("strided", np.full(2 * x.size, 7.0, dtype)[::2])]:
            result = _call(act, kind, x, g, out)
            assert result is out, (kind, label)
            assert_identical(out, expected, "fastact.%s %s out=%s" % (act.name, kind, label))


def test_out_as_one_element_tuple(act, dtype):
    """out=(array,) as for any NumPy ufunc, on the fast path (native float
    x) as on the general path (here: byte-swapped x)."""
    x = value_mix(dtype, 300)
    g = grads_like(x)
    for kind in [k for k in _kinds_for(act) if k != "value_and_derivative"]:
        expected = _expected(act, kind, x, g)
        for label, xx in [("byte-swapped x", x.astype(x.dtype.newbyteorder())),
                          ("native x", x)]:
            out = (np.full_like(x, 7.0),)
            result = _call(act, kind, xx, g, out)
            assert result is out[0], (kind, label)
            assert_identical(out[0], expected, "fastact.%s %s(%s, out=(a,))"
                             % (act.name, kind, label))


def test_in_place(act, dtype):
    """out= may be an input: x, grad or y."""
    x0 = value_mix(dtype, 300)
    g0 = grads_like(x0)
    x = x0.copy()
    assert act(x, out=x) is x
    assert_identical(x, act(x0))
    x = x0.copy()
    assert act.derivative(x, out=x) is x
    assert_identical(x, act.derivative(x0))
    x, d = x0.copy(), np.empty_like(x0)
    y, d2 = act.value_and_derivative(x, out=(x, d))
    assert y is x and d2 is d
    assert_identical(x, act(x0))
    assert_identical(d, act.derivative(x0))
    # either output in x's place, over more elements than an explicit SIMD
    # block buffers at once (activations.h: 1024)
    x1 = value_mix(dtype, 3000)
    for into in (0, 1):
        x, other = x1.copy(), np.empty_like(x1)
        out = (x, other) if into == 0 else (other, x)
        assert act.value_and_derivative(x, out=out)[into] is x
        assert_identical(out[0], act(x1))
        assert_identical(out[1], act.derivative(x1))
    for into in ["grad", "x"]:
        g, x = g0.copy(), x0.copy()
        r = act.backward(g, x=x, out=g if into == "grad" else x)
        assert r is (g if into == "grad" else x)
        assert_identical(r, act.backward(g0, x=x0))
    if act.backward_uses == "y":
        y0 = act(x0)
        y = y0.copy()
        assert act.backward(g0, y=y, out=y) is y
        assert_identical(y, act.backward(g0, y=y0))


def test_overlapping_out(act, dtype):
    """out= overlapping x in reverse order: NumPy copies, result as if not."""
    x0 = value_mix(dtype, 257)
    x = x0.copy()
    act(x, out=x[::-1])
    assert_identical(x, act(x0)[::-1])


def test_where_through_the_raw_ufuncs(act, dtype):
    x = value_mix(dtype, 300)
    g = grads_like(x)
    p = ufunc_params(act, {})
    mask = np.random.default_rng(5).random(x.shape) < 0.5
    cases = [(act.ufunc, (x,), act(x)), (act.derivative_ufunc, (x,), act.derivative(x)),
             (act.backward_ufunc, (g, x), act.backward(g, x=x))]
    if act.backward_uses == "y":
        cases.append((act.backward_from_y_ufunc, (g, act(x)), act.backward(g, y=act(x))))
    for ufunc, args, expected in cases:
        out = np.full_like(x, 7.0)
        assert ufunc(*args, *p, out=out, where=mask) is out
        assert_identical(out[mask], expected[mask], ufunc.__name__)
        assert np.all(out[~mask] == 7.0), ufunc.__name__
    y, d = np.full_like(x, 7.0), np.full_like(x, 7.0)
    act.value_and_derivative_ufunc(x, *p, out=(y, d), where=mask)
    assert_identical(y[mask], act(x)[mask])
    assert_identical(d[mask], act.derivative(x)[mask])
    assert np.all(y[~mask] == 7.0) and np.all(d[~mask] == 7.0)


def test_ufunc_at(act, dtype):
    """ufunc.at applies the function in place at the given indices."""
    x0 = value_mix(dtype, 50)
    x = x0.copy()
    idx = np.array([0, 3, 3 + 10, 49])
    params = [dtype.type(p) for p in ufunc_params(act, {})]
    if act.ufunc.nin > 2:  # NumPy's own limit, reported by NumPy
        with pytest.raises(ValueError, match="unary and binary"):
            act.ufunc.at(x, idx, *params)
        return
    # parameters as dtype scalars: ufunc.at does not treat Python floats as weak
    act.ufunc.at(x, idx, *params)
    expected = x0.copy()
    expected[idx] = act(x0[idx])
    assert_identical(x, expected)


def _untouched_after(exc, call, *outs):
    copies = [o.copy() for o in outs]
    with pytest.raises(exc) as info:
        call()
    for o, c in zip(outs, copies):
        assert_identical(o, c, "out was written before the error")
    return info


def test_out_wrong_shape_raises_value_error_untouched(act, dtype):
    x = value_mix(dtype, 12)
    g = grads_like(x)
    for kind in _kinds_for(act):
        for shape in [(11,), (12, 1), (2, 6)]:  # ((3, 12) would be fine: x broadcasts)
            if kind == "value_and_derivative":
                outs = (np.full(shape, 7.0, dtype), np.full(x.shape, 7.0, dtype))
                _untouched_after(ValueError, lambda: _call(act, kind, x, g, outs), *outs)
                outs = outs[::-1]
                _untouched_after(ValueError, lambda: _call(act, kind, x, g, outs), *outs)
            else:
                out = np.full(shape, 7.0, dtype)
                _untouched_after(ValueError, lambda: _call(act, kind, x, g, out), out)


@pytest.mark.parametrize("out_dtype", ["int64", "int8", "bool", "complex128"])
def test_out_wrong_dtype_raises_type_error_untouched(act, dtype, out_dtype):
    """Results cannot go into an integer (or bool) out under NumPy's
    same_kind rule: a TypeError (numpy's UFuncTypeError), out untouched.
    complex out is a safe cast of a real result, so it works."""
    x = value_mix(dtype, 12)
    g = grads_like(x)
    for kind in _kinds_for(act):
        n_out = 2 if kind == "value_and_derivative" else 1
        outs = tuple(np.ones(x.shape, out_dtype) for _ in range(n_out))
        out = outs if n_out == 2 else outs[0]
        if out_dtype == "complex128":
            _call(act, kind, x, g, out)
            expected = _expected(act, kind, x, g)
            for o, e in zip(outs, expected if n_out == 2 else (expected,)):
                np.testing.assert_array_equal(o.real, e)
                assert np.all(o.imag == 0)
        else:
            _untouched_after(TypeError, lambda: _call(act, kind, x, g, out), *outs)


def test_value_and_derivative_default_out(act, dtype):
    """The default call, out=None, returns a new pair."""
    x = value_mix(dtype, 20)
    y, d = act.value_and_derivative(x)
    assert_identical(y, act(x))
    assert_identical(d, act.derivative(x))


# ---- bad arguments -------------------------------------------------------------------

def test_unknown_keyword_raises_type_error(act):
    x = np.linspace(-2, 2, 5)
    calls = [lambda: act(x, bogus=1.0), lambda: act.derivative(x, bogus=1.0),
             lambda: act.value_and_derivative(x, bogus=1.0),
             lambda: act.backward(x, x=x, bogus=1.0)]
    for call in calls:
        with pytest.raises(TypeError, match=r"%s.*unexpected keyword argument 'bogus'"
                           % re.escape(act.name)):
            call()


def test_too_many_positional_parameters_raise_type_error(act):
    x = np.linspace(-2, 2, 5)
    extra = [0.5] * (len(act.param_names) + 1)
    for suffix, method in [("", act), (".derivative", act.derivative),
                           (".value_and_derivative", act.value_and_derivative)]:
        with pytest.raises(TypeError, match=r"%s\(\) takes %d parameter"
                           % (re.escape(act.name + suffix), len(act.param_names))):
            method(x, *extra)
    with pytest.raises(TypeError):
        act.backward(x, x, x=x)  # backward takes grad only positionally


@has_params
def test_parameter_given_twice_raises_type_error(act):
    x = np.linspace(-2, 2, 5)
    name = act.param_names[0]
    with pytest.raises(TypeError, match="multiple values for argument %r" % name):
        act(x, 0.5, **{name: 0.5})


def test_backward_without_x_or_y_raises_value_error(act):
    g = np.ones(3)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs" % act.name):
        act.backward(g)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs" % act.name):
        act.backward(g, x=None, y=None)


@uses_x
def test_backward_with_only_y_raises_value_error(act):
    """The derivative needs the input: y alone is refused, naming x."""
    g = np.ones(3)
    with pytest.raises(ValueError, match=r"fastact\.%s\.backward needs x=" % act.name):
        act.backward(g, y=act(np.ones(3)))


@uses_y
def test_backward_prefers_y(act, dtype):
    """Given both, backward uses y (the documented rule): a wrong x is ignored."""
    x = value_mix(dtype, 100)
    g, y = grads_like(x), act(x)
    assert_identical(act.backward(g, x=np.zeros_like(x), y=y), act.backward(g, y=y))


@uses_x
def test_backward_from_x_ignores_y(act, dtype):
    x = value_mix(dtype, 100)
    g = grads_like(x)
    assert_identical(act.backward(g, x=x, y=np.zeros_like(x)), act.backward(g, x=x))


def test_backward_shape_mismatch_raises_value_error_naming_function(act, dtype):
    g = grads_like(np.empty((4, 5), dtype))
    out = np.full((4, 5), 7.0, dtype)
    for kw in [{"x": value_mix(dtype, 3)}, {"x": value_mix(dtype, 20).reshape(5, 4)}] + (
            [{"y": np.full(3, 0.5, dtype)}] if act.backward_uses == "y" else []):
        info = _untouched_after(ValueError, lambda: act.backward(g, out=out, **kw), out)
        assert re.search(r"fastact\.%s\.backward\b" % act.name, str(info.value)), info.value


@has_params
@pytest.mark.parametrize("bad", [1j, np.complex128(0.5), np.array([0.1 + 1j]), "0.1",
                                 np.array(["a"]), None, np.datetime64("2024-01-01")],
                         ids=["complex", "np.complex128", "complex array", "str",
                              "str array", "None", "datetime64"])
def test_bad_parameter_dtype_raises_type_error(act, bad):
    x = np.linspace(-2, 2, 5)
    name = act.param_names[0]
    for call in [lambda: act(x, **{name: bad}), lambda: act.derivative(x, **{name: bad}),
                 lambda: act.value_and_derivative(x, **{name: bad}),
                 lambda: act.backward(x, x=x, **{name: bad})]:
        with pytest.raises(TypeError, match=r"%s.*%s" % (re.escape(act.name), name)):
            call()


# ---- parameter checks, required parameters, options, aliases -----------------------

# Parameters the catalog rejects (with ValueError, before anything is written);
# arrays are checked elementwise.
INVALID_PARAMS = [
    ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, "min_val must be <= max_val"),
    ("hardtanh", {"min_val": np.array([0.0, 2.0]), "max_val": 1.0}, "min_val must be <= max_val"),
    ("softshrink", {"lambd": -0.5}, "lambd must be >= 0"),
    ("softshrink", {"lambd": np.nan}, "lambd must be >= 0"),
    ("hardshrink", {"lambd": -1e-30}, "lambd must be >= 0"),
    ("hardshrink", {"lambd": np.array([0.5, -0.5])}, "lambd must be >= 0"),
    ("celu", {"alpha": 0.0}, "alpha must be nonzero"),
    ("celu", {"alpha": np.inf}, "alpha must be finite"),
    ("celu", {"alpha": np.array([1.0, -np.inf])}, "alpha must be finite"),
    ("celu", {"alpha": np.nan}, "alpha must be finite"),
    ("softplus", {"beta": 0.0}, "beta must be nonzero"),
    ("squareplus", {"b": -1.0}, "b must be >= 0"),
    ("squareplus", {"b": np.nan}, "b must be >= 0"),
    ("squareplus", {"b": np.inf}, "b must be finite"),
    ("squareplus", {"b": np.array([4.0, np.inf])}, "b must be finite"),
]


@pytest.mark.parametrize("name, params, message", INVALID_PARAMS,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(INVALID_PARAMS)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_invalid_parameters_raise_value_error_untouched(name, params, message, dtype):
    act = fa.ACTIVATIONS[name]
    x = np.linspace(-3, 3, 8).astype(dtype)
    out, out2 = np.full_like(x, 7.0), np.full_like(x, 7.0)
    calls = [lambda: act(x, out=out, **params),
             lambda: act.derivative(x, out=out, **params),
             lambda: act.value_and_derivative(x, out=(out, out2), **params),
             lambda: act.backward(x, x=x, out=out, **params)]
    if act.backward_uses == "y":
        calls.append(lambda: act.backward(x, y=x, out=out, **params))
    for call in calls:
        info = _untouched_after(ValueError, call, out, out2)
        assert re.search(r"fastact\.%s\b.*%s" % (name, re.escape(message)), str(info.value))
    name0, value0 = next(iter(params.items()))
    if np.ndim(value0) == 0:  # by position too: the same single check
        position = act.param_names.index(name0)
        args = [params.get(n, d) for n, d in zip(act.param_names, act.defaults)][:position + 1]
        _untouched_after(ValueError, lambda: act(x, *args, out=out), out)


def test_valid_edge_parameters_are_accepted():
    x = np.linspace(-3, 3, 7)
    assert_identical(fa.softshrink(x, 0.0), np.where(x == 0, 0.0, x))
    assert_identical(fa.hardshrink(x, lambd=0.0), np.where(x == 0, 0.0, x))
    assert_identical(fa.hardtanh(x, 0.5, 0.5), np.full_like(x, 0.5))
    np.testing.assert_array_equal(fa.squareplus(x, b=0.0), fa.relu(x))


def test_threshold_parameters_are_required():
    """torch.nn.functional.threshold has no defaults: neither has fastact's."""
    act = fa.threshold
    assert act.defaults == (None, None)
    sig = inspect.signature(act)
    assert all(sig.parameters[n].default is inspect.Parameter.empty
               for n in ("threshold", "value"))
    x = np.linspace(-2, 2, 5)
    out = np.full_like(x, 7.0)
    for method, call in [
            ("threshold()", lambda: act(x)), ("threshold()", lambda: act(x, 0.5)),
            ("threshold()", lambda: act(x, value=1.0, out=out)),
            ("threshold.derivative()", lambda: act.derivative(x)),
            ("threshold.value_and_derivative()", lambda: act.value_and_derivative(x, 0.5)),
            ("threshold.backward()", lambda: act.backward(x, x=x, out=out)),
            ("threshold.backward()", lambda: act.backward(x, x=x, threshold=0.5, out=out))]:
        info = _untouched_after(TypeError, call, out)
        assert "threshold" in str(info.value) and "required" in str(info.value)
        assert str(info.value).startswith(method), info.value  # names the entry point
    assert_identical(act(x, 0.5, -1.0), np.array([-1.0, -1.0, -1.0, 1.0, 2.0]))
    assert_identical(act(x, threshold=0.5, value=-1.0), act(x, 0.5, -1.0))
    assert_identical(act.backward(np.ones_like(x), x=x, threshold=0.5, value=-1.0),
                     np.array([0.0, 0.0, 0.0, 1.0, 1.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gelu_approximate_selects_gelu_tanh(dtype):
    x = value_mix(dtype, 200)
    g = grads_like(x)
    exact, tanh = fa.gelu, fa.gelu_tanh
    assert_identical(exact(x, approximate="tanh"), tanh(x))
    assert_identical(exact(x, approximate="none"), exact(x))
    assert_identical(exact.derivative(x, approximate="tanh"), tanh.derivative(x))
    for a, b in zip(exact.value_and_derivative(x, approximate="tanh"),
                    tanh.value_and_derivative(x)):
        assert_identical(a, b)
    assert_identical(exact.backward(g, x=x, approximate="tanh"), tanh.backward(g, x=x))
    assert_identical(exact.backward(g, x=x, approximate="none"), exact.backward(g, x=x))
    assert not np.array_equal(exact(x), tanh(x))
    sig = inspect.signature(exact)
    assert sig.parameters["approximate"].default == "none"


@pytest.mark.parametrize("bad", ["Tanh", "exact", "", None, True, 1])
def test_gelu_unknown_approximate_raises_value_error_untouched(bad):
    x = np.linspace(-2, 2, 5)
    out, out2 = np.full_like(x, 7.0), np.full_like(x, 7.0)
    for call in [lambda: fa.gelu(x, approximate=bad, out=out),
                 lambda: fa.gelu.derivative(x, approximate=bad, out=out),
                 lambda: fa.gelu.value_and_derivative(x, approximate=bad, out=(out, out2)),
                 lambda: fa.gelu.backward(x, x=x, approximate=bad, out=out)]:
        info = _untouched_after(ValueError, call, out, out2)
        assert "approximate" in str(info.value) and "'tanh'" in str(info.value)


@pytest.mark.parametrize("alias, name", [("swish", "silu"), ("hard_silu", "hardswish")])
def test_aliases_are_the_same_object(alias, name):
    assert getattr(fa, alias) is getattr(fa, name) is fa.ACTIVATIONS[name]
    assert alias in fa.__all__ and alias not in fa.ACTIVATIONS
    assert alias in getattr(fa, name).spec.aliases
    assert getattr(fa, name) in fa.catalog()


def test_catalog_order():
    assert [a.name for a in fa.catalog()] == [
        "sigmoid", "tanh", "relu", "leaky_relu", "relu6", "hardtanh", "elu", "selu", "celu",
        "gelu", "gelu_tanh", "silu", "mish", "softplus", "softsign", "hardsigmoid",
        "hardswish", "log_sigmoid", "tanhshrink", "softshrink", "hardshrink", "threshold",
        "squareplus", "sparse_plus", "sparse_sigmoid"]


def test_simd_blocks_name_kernels_of_their_entry():
    """Spec.blocks names kinds of kernels the entry has: a misspelt kind
    would leave its explicit SIMD block silently unused."""
    from fastact import _catalog

    for spec in _catalog.SPECS:
        assert set(spec.blocks) <= {k.kind for k in _catalog.kernels(spec)}, spec.name
    # and activations.h's AVX-512 section lists them (FA_SIMD_BLOCKS, which
    # tools/vectorization_report.py reads): every float32 one, and float64
    # silu's family and swiglu's, as its fa_FAMILY_has_blocks_c flags say
    header = (Path(__file__).parents[1] / "src/fastact/_kernels/activations.h").read_text()
    listed = re.search(r"#define FA_SIMD_BLOCKS\s*\\?\n?((?:[^\n]*\\\n)*[^\n]*)", header).group(1)
    flags = re.search(r"enum \{ (fa_tanh_has_blocks_f = 1.*?)\}", header, re.S).group(1)
    families = {c: {f for f, fc in re.findall(r"fa_(\w+)_has_blocks_(\w) = 1", flags) if fc == c}
                for c in "fd"}
    assert families["f"] == {k.block for k in _catalog.KERNELS + _catalog.GLU_KERNELS if k.block}
    assert " ".join(re.findall(r'"([^"]*)"', listed)).split() == [
        k.name + "_" + c for c in "fd" for k in _catalog.KERNELS + _catalog.GLU_KERNELS
        if k.block in families[c]]


# ---- __array_ufunc__ ------------------------------------------------------------------

class Duck:
    """An array-like with a float dtype that handles ufuncs itself (as
    Dask and xarray do)."""

    dtype = np.dtype(np.float64)
    shape = (3,)
    ndim = 1

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return ("handled", ufunc, method, len(inputs))


def test_array_ufunc_dispatch(act):
    duck = Duck()
    p = len(act.param_names)
    assert act(duck) == ("handled", act.ufunc, "__call__", 1 + p)
    assert act.derivative(duck) == ("handled", act.derivative_ufunc, "__call__", 1 + p)
    assert act.backward(duck, x=duck) == ("handled", act.backward_ufunc, "__call__", 2 + p)
    if act.backward_uses == "y":
        assert act.backward(np.ones(3), y=duck) == (
            "handled", act.backward_from_y_ufunc, "__call__", 2 + p)


# ---- config ---------------------------------------------------------------------------

def test_config():
    cfg = fa.config()
    for key in ["fastact", "numpy", "python", "machine", "cpu_target", "targets_built",
                "targets_supported", "compiler", "cflags", "openmp", "openmp_runtime",
                "omp_wait", "num_threads"]:
        assert key in cfg, key
    assert cfg["fastact"] == fa.__version__
    assert cfg["numpy"] == np.__version__
    assert cfg["cpu_target"] in cfg["targets_supported"]
    assert set(cfg["targets_supported"]) <= set(cfg["targets_built"])
    assert "baseline" in cfg["targets_supported"]
    assert cfg["num_threads"] == fa.get_num_threads()
    assert fa._backend.kernels.TARGET == cfg["cpu_target"]
    if cfg["openmp"] and sys.platform.startswith("linux"):
        # the runtime the kernels linked, e.g. /usr/lib/x86_64-linux-gnu/libgomp.so.1.0.0
        assert re.search(r"/lib(g|i5|i)?omp", cfg["openmp_runtime"]), cfg["openmp_runtime"]
    # DESIGN.md: never flags that break NaN/inf/-0.0 or the wheel on other CPUs
    for flag in ["-ffast-math", "-ffinite-math-only", "-march=native", "-Ofast"]:
        assert flag not in cfg["cflags"].split(), cfg["cflags"]


def test_show_config(capsys):
    fa.show_config()
    printed = capsys.readouterr().out
    cfg = fa.config()
    for key, value in cfg.items():
        if isinstance(value, list):
            value = ", ".join(value)
        assert re.search(r"^%s:\s+%s$" % (re.escape(key), re.escape(str(value))), printed,
                         re.M), (key, printed)


# ---- threads --------------------------------------------------------------------------

def test_set_num_threads_validates():
    before = fa.get_num_threads()
    try:
        for bad in [0, -1]:
            with pytest.raises(ValueError, match=">= 1"):
                fa.set_num_threads(bad)
        for bad in [1.5, 2.0, "2", None, [2]]:
            with pytest.raises(TypeError, match="int"):
                fa.set_num_threads(bad)
        assert fa.get_num_threads() == before
        fa.set_num_threads(np.int64(1))
        assert fa.get_num_threads() == 1
        fa.set_num_threads(2)
        assert fa.get_num_threads() == (2 if fa.config()["openmp"] else 1)
    finally:
        fa.set_num_threads(before)


def test_threads_context_manager_restores():
    before = fa.get_num_threads()
    with fa.threads(1):
        assert fa.get_num_threads() == 1
        with fa.threads(2):
            assert fa.get_num_threads() == (2 if fa.config()["openmp"] else 1)
        assert fa.get_num_threads() == 1
    assert fa.get_num_threads() == before
    with pytest.raises(KeyError):
        with fa.threads(1):
            raise KeyError("inside")
    assert fa.get_num_threads() == before
    with pytest.raises(ValueError):
        with fa.threads(0):
            pass
    assert fa.get_num_threads() == before
