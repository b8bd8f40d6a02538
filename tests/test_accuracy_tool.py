"""``fastact accuracy``: the table, options, JSON/CSV, --check, the
subnormal rule, a wrong kernel caught, the missing-extra error."""

import csv
import json
import subprocess
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import _accuracy as A
from fastact.__main__ import main

# A small in-process run: two functions, few points.
SMALL = ["accuracy", "--functions", "relu,elu", "--float32-points", "4096",
         "--float64-points", "256", "--params", "defaults", "--jobs", "1"]


def table_rows(text):
    return [line.split() for line in text.splitlines()
            if line.split() and line.split()[0] in fa.ACTIVATIONS]


def test_table(capsys):
    assert main(SMALL) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("function"))
    for column in ("params", "kind", "dtype", "points", "max ulp", "at x", "mean", "sub",
                   "inf", "numpy max", "numpy at x", "target"):
        assert column in header
    assert "subnormal rule" in out and "2^-149" in out and "2^-1074" in out
    assert "mpmath" in out and "long double" in out
    rows = table_rows(out)
    kinds = {"relu": ["forward", "derivative", "backward", "backward_y"],
             "elu": ["forward", "derivative", "backward"]}  # elu backward needs x
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (f, k, d) for f in ("relu", "elu") for d in ("float32", "float64") for k in kinds[f]]
    for r in rows:
        assert float(r[5]) <= float(r[-1])  # within target: no OVER mark
    relu = [r for r in rows if r[0] == "relu"]
    assert all(float(r[5]) == 0 for r in relu)  # exact


def test_options_select_rows(capsys):
    assert main(["accuracy", "--functions", "sigmoid", "--kinds", "forward,backward_y",
                 "--dtypes", "float64", "--float64-points", "300", "--jobs", "1"]) == 0
    rows = table_rows(capsys.readouterr().out)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("sigmoid", "forward", "float64"), ("sigmoid", "backward_y", "float64")]
    assert int(rows[0][4]) > 300  # the random points and the hard points


def test_parameter_cases_are_sampled_sparsely():
    groups = A.plan(["elu"], kinds=["forward"], float32_points=1 << 16,
                    float64_points=1 << 12)
    assert [(g.params, g.dtype) for g in groups] == [
        ({}, "float32"), ({}, "float64"), ({"alpha": 0.3}, "float32"),
        ({"alpha": 0.3}, "float64"), ({"alpha": 2.5}, "float32"), ({"alpha": 2.5}, "float64")]
    points = [g.units[0][1][-1] for g in groups]
    assert points == [1 << 16, 1 << 12] + [(1 << 16) // 8, (1 << 12) // 8] * 2
    assert [g.params for g in A.plan(["elu"], params="defaults")] == [{}, {}]


def test_json_and_csv(tmp_path, capsys):
    jpath, cpath = tmp_path / "a.json", tmp_path / "a.csv"
    assert main(SMALL + ["--json", str(jpath), "--csv", str(cpath)]) == 0
    assert table_rows(capsys.readouterr().out)
    # strict JSON: no Infinity or NaN
    data = json.loads(jpath.read_text(), parse_constant=lambda c: pytest.fail(c))
    meta, records = data["metadata"], data["records"]
    assert meta["cpu_target"] == fa.config()["cpu_target"] and meta["targets"] == A.TARGETS
    assert "mpmath" in meta and "scipy" in meta and meta["notes"]
    assert len(records) == 14 and all(tuple(r) == A.FIELDS for r in records)
    relu = records[0]
    assert (relu["function"], relu["kind"], relu["dtype"]) == ("relu", "forward", "float32")
    assert relu["fastact_max_ulp"] == 0 and relu["over_target"] is False
    with open(cpath, newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["function"] for r in rows] == [r["function"] for r in records]
    assert tuple(rows[0]) == A.FIELDS


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_machine_output_to_stdout_moves_the_table_to_stderr(capsys, fmt):
    assert main(SMALL + ["--kinds", "forward", fmt, "-"]) == 0
    out, err = capsys.readouterr()
    assert "function" in err and table_rows(err)
    if fmt == "--json":
        assert json.loads(out)["records"]
    else:
        assert out.startswith("function,params,kind")


def test_progress_goes_to_stderr(capsys):
    assert main(SMALL + ["--progress"]) == 0
    out, err = capsys.readouterr()
    assert "[1/4] relu float32" in err and "[4/4] elu float64" in err
    assert "[1/" not in out


def test_jobs_give_the_same_figures():
    one = [r for g in A.measure(A.plan(["tanh"], params="defaults", float32_points=1 << 12,
                                       float64_points=1 << 8), jobs=1) for r in g]
    two = [r for g in A.measure(A.plan(["tanh"], params="defaults", float32_points=1 << 12,
                                       float64_points=1 << 8), jobs=2) for r in g]
    assert one == two


def test_tallies_merge_like_one_run():
    """Work units (the exhaustive run's chunks) merge to the figures of one."""
    x = A.float32_inputs(1 << 14, [0.0])
    whole = A.Measurement("elu", {}, np.float32, A.KINDS)
    whole.add(x)
    parts = [A.Measurement("elu", {}, np.float32, A.KINDS) for _ in range(2)]
    parts[0].add(x[:5000])
    parts[1].add(x[5000:])
    for kind, t in parts[0].tallies.items():
        t.merge(parts[1].tallies[kind])
        w = whole.tallies[kind]
        assert t.points == w.points == x.size
        if kind == "forward":  # the grads differ by block for backward
            assert (t.fastact.max, t.fastact.at, t.numpy.max) == (
                w.fastact.max, w.fastact.at, w.numpy.max)
            assert t.fastact.mean == pytest.approx(w.fastact.mean)


def test_exhaustive_covers_every_pattern_but_nan(monkeypatch, capsys):
    """--exhaustive on a shrunken universe: units merge into one row per kind."""
    monkeypatch.setattr(A, "PATTERNS", 1 << 18)
    monkeypatch.setattr(A, "EXHAUSTIVE_UNIT", 1 << 16)
    assert main(["accuracy", "--exhaustive", "--functions", "relu", "--dtypes", "float32",
                 "--jobs", "1", "--progress"]) == 0
    out, err = capsys.readouterr()
    assert "(4/4)" in err and "every float32 but NaN" in out
    (row,) = table_rows(out)  # forward only: the exhaustive target
    assert row[2] == "forward" and row[4] == str(1 << 18) and float(row[5]) == 0
    n = np.arange(0, 1 << 32, 1 << 20, dtype=np.uint64).astype(np.uint32).view(np.float32)
    assert np.isnan(n).any()  # NaN patterns exist; the units skip them:
    x = A.exhaustive_inputs(0x7F8, 1 << 20)  # 0x7F800000...: +inf, then NaNs
    assert x[0] == np.inf and np.isnan(x[1:]).all()


# ---- a wrong kernel is caught -------------------------------------------------------

class Nudged:
    """An activation whose `kind` outputs are moved by `ulps` ulp where
    `where(out)` holds: what the tool must catch."""

    def __init__(self, act, kind, ulps, where=lambda out: np.ones(out.shape, bool)):
        self._act, self._kind, self._ulps, self._where = act, kind, ulps, where

    def __getattr__(self, name):
        return getattr(self._act, name)

    def _nudge(self, kind, out):
        if kind != self._kind:
            return out
        out = out.copy()
        mask = self._where(out)
        for _ in range(self._ulps):
            out[mask] = np.nextafter(out[mask], np.inf)
        return out

    def __call__(self, x, **params):
        return self._nudge("forward", self._act(x, **params))

    def derivative(self, x, **params):
        return self._nudge("derivative", self._act.derivative(x, **params))

    def backward(self, g, **kw):
        return self._nudge("backward", self._act.backward(g, **kw))


def _inject(monkeypatch, name, *args, **kw):
    monkeypatch.setitem(fa.ACTIVATIONS, name, Nudged(fa.ACTIVATIONS[name], *args, **kw))


@pytest.mark.parametrize("kind", ["forward", "derivative", "backward"])
def test_a_wrong_kernel_is_caught(monkeypatch, capsys, kind):
    assert main(SMALL + ["--check"]) == 0
    capsys.readouterr()
    _inject(monkeypatch, "elu", kind, 5, lambda out: (np.abs(out) > 1e-3) & (np.abs(out) < 1e30))
    assert main(SMALL + ["--check"]) == 1
    out = capsys.readouterr().out
    bad = [r for r in table_rows(out) if r[-1] == "OVER"]
    assert {(r[0], r[2]) for r in bad} == {("elu", kind)}
    # 5 steps up, +-1.5 of the kernel's own error; 9 where they cross into a
    # binade of twice the spacing
    assert all(3.5 < float(r[5]) <= 10.5 for r in bad)
    assert "OVER target (2 rows): elu %s float32, elu %s float64" % (kind, kind) in out


def test_nan_where_finite_is_an_infinite_error(monkeypatch, capsys, tmp_path):
    _inject(monkeypatch, "relu", "forward", 0)
    monkeypatch.setattr(Nudged, "_nudge", lambda self, kind, out: np.where(
        out > 1, out.dtype.type("nan"), out))
    path = tmp_path / "a.json"
    assert main(SMALL + ["--check", "--kinds", "forward", "--json", str(path)]) == 1
    rows = [r for r in table_rows(capsys.readouterr().out) if r[0] == "relu"]
    assert rows and all(r[5] == "inf" and int(r[9]) > 0 and r[-1] == "OVER" for r in rows)
    # strict JSON: the infinite max is null, the count says why
    records = json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(c))["records"]
    relu = [r for r in records if r["function"] == "relu"]
    assert all(r["fastact_max_ulp"] is None and r["fastact_nonfinite"] > 0 for r in relu)


def _subnormal(out):
    return (out != 0) & (np.abs(out) < np.finfo(out.dtype).tiny)


def test_subnormal_rule(monkeypatch):
    """Below the normal range an error is absolute, in subnormal ulps:
    forward may be off by one there, derivative and backward are reported
    but not held to a target."""
    def rows_of(kind, ulps):
        monkeypatch.setitem(fa.ACTIVATIONS, "elu", Nudged(fa.elu, kind, ulps, _subnormal))
        (r,) = [r for g in A.measure(A.plan(["elu"], kinds=[kind], dtypes=["float32"],
                                            params="defaults", float32_points=1 << 16), 1)
                for r in g]
        return r

    one, three = rows_of("forward", 1), rows_of("forward", 3)
    assert 0.5 <= one["fastact_subnormal_max"] <= 1.5
    assert 2.5 <= three["fastact_subnormal_max"] <= 3.5
    assert three["fastact_max_ulp"] <= 2 and three["over_target"]
    assert one["fastact_max_ulp"] <= 2
    assert one["over_target"] == (one["fastact_subnormal_max"] > 1 + A.MEASURE_TOL["float32"])
    d = rows_of("derivative", 3)
    assert d["fastact_subnormal_max"] >= 2.5 and d["fastact_subnormal_points"] > 0
    assert not d["over_target"]


# ---- options and the extra ------------------------------------------------------------

@pytest.mark.parametrize("argv, message", [
    (["--kinds", "sideways"], "unknown kind 'sideways'"),
    (["--functions", "softmax"], "unknown function 'softmax'"),
    (["--dtypes", "float16"], "unknown dtype 'float16'"),
    (["--float64-points", "0"], "not a positive integer"),
    (["--json", "-", "--csv", "-"], "cannot both write to stdout"),
])
def test_bad_options_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        main(["accuracy"] + argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def _python(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


@pytest.mark.parametrize("module", ["scipy", "mpmath"])
def test_missing_extra_names_it(module):
    r = _python("import sys; sys.modules[%r] = None\n"
                "from fastact.__main__ import main\n"
                "sys.exit(main(['accuracy', '--functions', 'relu']))" % module)
    assert r.returncode == 2, r.stderr
    assert "pip install 'fastact[accuracy]'" in r.stderr and "Traceback" not in r.stderr


def test_fastact_never_imports_scipy_or_mpmath():
    r = _python("import sys, fastact, fastact.__main__\n"
                "fastact.__main__._parser()\n"
                "print(sorted(m for m in ('scipy', 'mpmath') if m in sys.modules))")
    assert r.returncode == 0 and r.stdout.strip() == "[]", r.stderr
