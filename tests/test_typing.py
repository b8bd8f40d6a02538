"""Typing: the package is marked typed (py.typed), the compiled modules have
stubs that match them, every activation is declared for type checkers, and
mypy --strict accepts typed use of the API (when mypy is installed)."""

import ast
import os
import pathlib
import sysconfig

import pytest

import fastact as fa
from fastact import _backend, _cpu, _fastpath

PACKAGE = pathlib.Path(fa.__file__).parent
HERE = pathlib.Path(__file__).parent


def _declared(body):
    """The functions, classes and annotated names of a stub (or class) body."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            yield node.name, node
        elif isinstance(node, ast.AnnAssign):
            yield node.target.id, node


def _stub_names(stub):
    """{name: [member names if it is a class]} of a .pyi of the package."""
    tree = ast.parse((PACKAGE / stub).read_text())
    return {name: [m for m, _ in _declared(node.body)] if isinstance(node, ast.ClassDef) else []
            for name, node in _declared(tree.body)}


def test_py_typed_and_stubs_ship():
    for name in ["py.typed", "_fastpath.pyi", "_cpu.pyi", "_ufuncs.pyi"]:
        assert (PACKAGE / name).is_file(), "%s missing from %s" % (name, PACKAGE)


@pytest.mark.parametrize("stub, module", [("_fastpath.pyi", _fastpath), ("_cpu.pyi", _cpu),
                                          ("_ufuncs.pyi", _backend.kernels)])
def test_stub_matches_compiled_module(stub, module):
    """Every name a stub declares exists in the compiled module (for
    _ufuncs.pyi: in the kernel module of every target alike)."""
    for name, members in _stub_names(stub).items():
        assert hasattr(module, name), "%s declares %s, %s has none" % (stub, name, module)
        obj = getattr(module, name)
        for member in members:
            # instance attributes of a cdef class are descriptors on the type
            assert hasattr(obj, member), "%s declares %s.%s" % (stub, name, member)


def test_activations_declared_for_type_checkers():
    declared = {k for k, v in fa.__annotations__.items() if v in (fa.Activation, "Activation")}
    assert declared == set(fa.ACTIVATIONS) | set(fa.ALIASES), (
        "declare each catalog function as `name: Activation` in fastact/__init__.py")


def test_nn_activation_modules_declared_for_type_checkers():
    declared = {k for k, v in vars(fa.nn)["__annotations__"].items()
                if v in ("Type[ActivationModule]", fa.nn.Type[fa.nn.ActivationModule])}
    assert declared == {cls.__name__ for cls in fa.nn.ACTIVATIONS.values()}, (
        "declare each generated module as `Name: Type[ActivationModule]` in fastact/nn.py")


def test_axis_functions_reexported_for_type_checkers():
    """mypy --strict does not read the computed __all__: each axis function
    is imported as `name as name` (an explicit re-export)."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    reexported = {a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                  for a in node.names if a.asname == a.name}
    assert set(fa._AXIS_FUNCTIONS) <= reexported


def test_mypy_strict_accepts_typed_usage(tmp_path, monkeypatch):
    api = pytest.importorskip("mypy.api")
    # A source checkout (PYTHONPATH=src) needs MYPYPATH; an installed
    # fastact is found (py.typed) in site-packages, which MYPYPATH must not name.
    parent = str(PACKAGE.parent)
    if parent not in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        monkeypatch.setenv("MYPYPATH", parent)
    args = ["--strict", "--no-error-summary", "--cache-dir", str(tmp_path / "cache")]
    out, err, status = api.run(args + [str(HERE / "typed_usage.py")])
    assert status == 0, out + err
    # The examples are plain (unannotated) scripts: mypy's default checks;
    # matplotlib is optional (fastact[plot]), so it may have no stubs here.
    examples = HERE.parent / "examples"
    if examples.is_dir():
        out, err, status = api.run(args[1:] + ["--ignore-missing-imports", str(examples)])
        assert status == 0, out + err
    # and it does check fastact: a typo is an error
    bad = tmp_path / "bad.py"
    bad.write_text("import fastact as fa\nfa.sigmiod([1.0])\nfa.set_num_threads('2')\n"
                   "fa.softmax.backward([1.0], z=[1.0])\nfa.geglu([1.0, 2.0], approximate=1)\n"
                   "fa.nn.Linear('2', 3)\nfa.optim.SGD([1.0])\n")
    out, err, status = api.run(args + [str(bad)])
    assert status == 1 and out.count("error") >= 6, out + err
    for line in range(2, 8):
        assert "bad.py:%d: error" % line in out, out
