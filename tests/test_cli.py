"""The ``fastact`` command line: ``bench`` output and option errors."""

import csv
import io
import json
import re
import sys

import numpy as np
import pytest

import fastact as fa
from fastact import _bench
from fastact.__main__ import main

# The smallest real run: one function, one size, one repeat of >= 1 ms.
FAST = ["bench", "--quick", "--functions", "relu", "--sizes", "1000", "--repeats", "1"]


def table_rows(text, name="relu"):
    return [line.split() for line in text.splitlines() if line.startswith(name + " ")]


@pytest.fixture
def no_torch(monkeypatch):
    monkeypatch.setattr(_bench, "_torch", lambda: None)


def test_bench_table(capsys, no_torch):
    assert main(FAST) == 0
    out = capsys.readouterr().out
    assert "cpu target" in out and "thread" in out and "numpy" in out
    header = next(line for line in out.splitlines() if line.startswith("function"))
    for column in ("pass", "dtype", "size", "threads", "fastact ns/el", "numpy ns/el",
                   "speed-up", "GB/s", "copy/fastact", "at copy", "torch ns/el"):
        assert column in header
    assert "vs 1T" not in header  # only with several thread counts
    rows = table_rows(out)
    assert sorted((r[1], r[2], r[3]) for r in rows) == [
        ("backward", "float32", "1e3"), ("backward", "float64", "1e3"),
        ("forward", "float32", "1e3"), ("forward", "float64", "1e3")]
    for r in rows:
        assert len(r) == 12
        fa_ns, np_ns, speedup, gbs, roofline, at_copy = (float(r[5]), float(r[6]), r[7],
                                                         float(r[8]), float(r[9]), r[10])
        assert fa_ns > 0 and np_ns > 0 and gbs > 0 and roofline > 0
        assert speedup.endswith("x") and float(speedup[:-1]) > 0
        assert at_copy.endswith("x") and float(at_copy[:-1]) > 0
        assert r[11] == "-"  # no torch
    assert re.search(r"^call overhead: \d+ ns for fa.sigmoid", out, re.M)
    assert re.search(r"geometric-mean speed-up over NumPy: [\d.]+x over 4 rows", out)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_numpy_expressions_keep_the_dtype(dtype):
    """Every NumPy line the bench times computes in the input's dtype, as
    fastact does: a float64 NumPy scalar (np.sqrt(2)) makes NumPy 2 compute
    a float32 row in float64, which timed gelu's float32 rows 1.1x-1.15x
    slow (and leaky_relu's backward, whose np.where(x > 0, 1, slope) was
    float64)."""
    pytest.importorskip("scipy")
    x = np.linspace(-4, 4, 64).astype(dtype)
    g = np.linspace(1, 2, 64).astype(dtype)
    for act in fa.catalog():
        reference = _bench.numpy_reference(act)
        if reference is None:
            continue
        forward, backward = reference
        y = forward(x)
        assert (act.name, y.dtype) == (act.name, x.dtype)
        assert (act.name, backward(g, x, y).dtype) == (act.name, x.dtype)
    xm = x.reshape(8, 8)
    for (name, pass_), references in _bench.AXIS_REFERENCES.items():
        ym = getattr(fa, name)(xm)  # a GLU's: half of xm
        gm = g[: ym.size].reshape(ym.shape)
        for label, reference in references:
            got = reference(xm, gm, ym, -1)
            assert (name, pass_, label, got.dtype) == (name, pass_, label, xm.dtype)
    for function, pass_, _, _, make in _bench.prelu_cases(_bench.PASSES, [dtype], 256):
        results = make().numpy()
        for got in results if isinstance(results, tuple) else (results,):
            assert (function, pass_, got.dtype) == (function, pass_, x.dtype)


def test_function_without_numpy_expression_is_skipped(capsys, monkeypatch, no_torch):
    monkeypatch.delitem(_bench.NUMPY_EXPRESSIONS, "tanh")
    main(["bench", "--quick", "--functions", "tanh,relu", "--dtypes", "float32",
          "--sizes", "1000", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "skipped tanh: no NumPy expression" in out
    assert not table_rows(out, "tanh")
    assert table_rows(out, "relu")


def test_matrix_sets_the_softmax_rows(capsys, tmp_path, no_torch):
    """--sizes is per element; the softmax rows take --matrix."""
    path = tmp_path / "b.json"
    assert main(["bench", "--functions", "softmax", "--dtypes", "float32", "--passes",
                 "forward", "--matrix", "8x1e2", "--repeats", "1", "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    assert data["metadata"]["matrix"] == "8 x 100"
    assert data["records"] and all(r["size"] == 800 for r in data["records"])


def test_glu_rows(tmp_path):
    """The GLU family is benchmarked like softmax: along both axes of the
    --matrix array (split in halves there), forward and backward, each dtype,
    with fastact, NumPy and (when installed) torch agreeing before timing."""
    pytest.importorskip("scipy")  # geglu's NumPy line takes scipy's erf
    path = tmp_path / "b.json"
    assert main(["bench", "--functions", "glu,swiglu,geglu", "--dtypes", "float32,float64",
                 "--matrix", "8x1e2", "--repeats", "1", "--no-progress",
                 "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    rows = {(r["function"], r["pass"], r["dtype"]) for r in data["records"]}
    assert rows == {("%s ax=%d" % (f, axis), p, d) for f in ("glu", "swiglu", "geglu")
                    for axis in (-1, 0) for p in ("forward", "backward")
                    for d in ("float32", "float64")}
    assert all(r["size"] == 800 and r["speedup"] > 0 for r in data["records"])
    # (a busy machine adds a warning about other processes: not this test's)
    assert not [n for n in data["metadata"]["notes"] if "differs" in n or "no torch" in n]


def test_prelu_rows(tmp_path):
    """prelu is benchmarked on a batch of each of PRELU_SAMPLES with as
    many elements as the --matrix array (at least one sample), forward and
    backward (both gradients), each dtype, with fastact, NumPy and (when
    installed) torch agreeing before timing."""
    path = tmp_path / "b.json"
    assert main(["bench", "--functions", "prelu", "--dtypes", "float32,float64",
                 "--matrix", "8x1e3", "--repeats", "1", "--no-progress",
                 "--json", str(path)]) == 0
    data = json.loads(path.read_text())
    sizes = {"prelu 64x32x32": 65536, "prelu 64x2x2": 7936, "prelu 256": 7936}
    assert sorted(_bench.PRELU_SAMPLES) == sorted(
        tuple(map(int, name.split()[1].split("x"))) for name in sizes)
    assert {(r["function"], r["pass"], r["dtype"], r["size"]) for r in data["records"]} == {
        (f, p, d, n) for f, n in sizes.items() for p in ("forward", "backward")
        for d in ("float32", "float64")}
    assert all(r["speedup"] > 0 for r in data["records"])
    # a torch time in every row where torch is installed, in none where not
    with_torch = [r["torch_ns_per_element"] is not None and r["torch_ns_per_element"] > 0
                  for r in data["records"]]
    assert with_torch == [_bench._torch() is not None] * len(data["records"])
    assert not [n for n in data["metadata"]["notes"] if "differs" in n or "no torch" in n]


def test_check_flags_a_wrong_sum():
    """The check before timing takes a sum's rounding into account (the
    summed terms of prelu's weight gradient, in NumPy's order and
    fastact's), and still flags a wrong one, or a wrong gradient of x."""
    case = next(make() for f, p, d, n, make in _bench.prelu_cases(["backward"], ["float32"],
                                                                      2**16))
    grad_x, grad_w = case.numpy()
    for got, wrong in [((grad_x, grad_w), False), (case.fastact(), False),
                       ((grad_x, grad_w * 1.01), True), ((grad_x * 1.01, grad_w), True)]:
        case.fastact = lambda got=got: got
        notes = []
        _bench._check(case, "prelu", np.float32, notes)
        assert any("fastact differs" in n for n in notes) == wrong


def test_bench_runs_without_scipy(capsys, monkeypatch, no_torch):
    """scipy is not a dependency (the README's main command installs
    without it): the rows whose NumPy line needs it (gelu, geglu: erf) and
    the SciPy rows are skipped with a note, the rest run."""
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy fails
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    assert main(["bench", "--functions", "relu,gelu,softmax,geglu,swiglu", "--dtypes",
                 "float32", "--sizes", "1000", "--matrix", "8x1e2", "--repeats", "1",
                 "--passes", "forward", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "skipped gelu, geglu, the SciPy rows: scipy is not installed" in out
    assert table_rows(out, "relu") and table_rows(out, "softmax") and table_rows(out, "swiglu")
    assert not table_rows(out, "gelu") and not table_rows(out, "geglu")
    assert "scipy" not in "".join(r[1] for r in table_rows(out, "softmax"))


def test_json_and_csv_parse_back(capsys, tmp_path, no_torch):
    jpath, cpath = tmp_path / "b.json", tmp_path / "b.csv"
    assert main(FAST + ["--passes", "forward", "--json", str(jpath),
                        "--csv", str(cpath)]) == 0
    out = capsys.readouterr().out
    assert len(table_rows(out)) == 2  # the table still goes to stdout
    data = json.loads(jpath.read_text())
    meta, records = data["metadata"], data["records"]
    assert meta["cpu_target"] == fa.config()["cpu_target"] and meta["repeats"] == 1
    assert meta["torch"] is None and "call_ns" in meta and "notes" in meta
    assert [(r["function"], r["pass"], r["dtype"], r["size"]) for r in records] == [
        ("relu", "forward", "float32", 1000), ("relu", "forward", "float64", 1000)]
    for r in records:
        assert tuple(r) == _bench.FIELDS
        assert r["fastact_ns_per_element"] > 0 and r["roofline_fraction"] > 0
        assert r["speedup"] == pytest.approx(
            r["numpy_ns_per_element"] / r["fastact_ns_per_element"])
        assert r["speedup_at_copy_speed"] == pytest.approx(
            r["numpy_ns_per_element"] / r["copy_ns_per_element"])
        assert r["roofline_fraction"] == pytest.approx(
            r["copy_ns_per_element"] / r["fastact_ns_per_element"])
        assert r["torch_ns_per_element"] is None and r["threads_speedup"] is None
    with open(cpath, newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == _bench.FIELDS
    for row, r in zip(rows, records):
        assert row["function"] == r["function"] and int(row["size"]) == r["size"]
        assert float(row["speedup"]) == pytest.approx(r["speedup"])
        assert row["torch_ns_per_element"] == ""  # None


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_machine_output_to_stdout_moves_the_table_to_stderr(capsys, fmt):
    assert main(FAST + ["--dtypes", "float32", "--passes", "forward",
                        "--" + fmt, "-"]) == 0
    out, err = capsys.readouterr()
    if fmt == "json":
        assert json.loads(out)["records"][0]["function"] == "relu"
    else:
        assert out.splitlines()[0] == ",".join(_bench.FIELDS)
        assert len(out.splitlines()) == 2
    assert len(table_rows(err)) == 1


def test_progress_goes_to_stderr_only(capsys):
    main(FAST + ["--passes", "forward", "--progress"])
    out, err = capsys.readouterr()
    assert "[1/2] relu forward float32 1e3" in err
    assert "[2/2] relu forward float64 1e3" in err
    assert "[1/" not in out
    main(FAST + ["--passes", "forward"])  # stderr is no terminal here: none
    assert "[1/" not in capsys.readouterr().err


def test_threads_list(tmp_path, capsys):
    path, before = tmp_path / "b.json", fa.get_num_threads()
    main(FAST + ["--passes", "forward", "--dtypes", "float32", "--threads", "1,2",
                 "--json", str(path)])
    out = capsys.readouterr().out
    assert "vs 1T" in out
    rows = table_rows(out)
    assert [r[4] for r in rows] == ["1", "2"] or not fa.config()["openmp"]
    assert all(r[12].endswith("x") for r in rows)
    records = json.loads(path.read_text())["records"]
    assert records[0]["threads_speedup"] == 1.0
    assert records[1]["threads_speedup"] == pytest.approx(
        records[0]["fastact_ns_per_element"] / records[1]["fastact_ns_per_element"])
    assert fa.get_num_threads() == before  # restored


def test_torch_table_covers_every_function_torch_has():
    """Every catalog function with a torch counterpart (and softmax,
    log_softmax, both passes) has a torch expression: a new one cannot be
    forgotten where torch is not installed."""
    has_torch = {a.name for a in fa.catalog() if a.spec.torch != "-"}
    assert set(_bench.TORCH_EXPRESSIONS) == has_torch
    assert set(_bench.TORCH_AXIS) == {(f, p) for f in _bench.AXIS_FUNCTIONS
                                      for p in _bench.PASSES}


def test_torch_expressions_compute_the_function():
    """Each torch expression computes what fastact computes (float64, away
    from the kinks; loose enough for torch's float32 constants)."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = 3 * rng.standard_normal(1000)
    g = rng.standard_normal(1000)
    for name in _bench.TORCH_EXPRESSIONS:
        act = fa.ACTIVATIONS[name]
        required = {n: _bench.REQUIRED_PARAMS[n]
                    for n, d in zip(act.param_names, act.defaults) if d is None}
        forward, backward, saved = _bench.torch_reference(act)
        tx, tg = torch.from_numpy(x), torch.from_numpy(g)
        y = act(x, **required)
        np.testing.assert_allclose(forward(tx).numpy(), y, rtol=1e-6, atol=1e-6,
                                   err_msg=name)
        got = backward(tg, tx, torch.from_numpy(y), saved and saved(tx)).numpy()
        np.testing.assert_allclose(got, act.backward(g, x=x, **required), rtol=1e-6,
                                   atol=1e-6, err_msg=name + " backward")
    x2 = x.reshape(10, 100)
    for (name, pass_), expression in _bench.TORCH_AXIS.items():
        f = getattr(fa, name)
        for axis in (-1, 0):
            y2 = f(x2, axis=axis)  # a GLU's: half of x2
            g2 = g[: y2.size].reshape(y2.shape)
            uses = _bench.AXIS_BACKWARD_USES[name]
            want = (y2 if pass_ == "forward" else
                    f.backward(g2, axis=axis, **{uses: y2 if uses == "y" else x2}))
            tx, tg, ty = map(torch.from_numpy, (x2, g2, y2))
            saved = _bench.TORCH_AXIS_SAVED.get(name)
            got = expression(torch, tx, tg, ty, axis, saved and saved(torch, tx, axis)).numpy()
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12,
                                       err_msg="%s %s axis %d" % (name, pass_, axis))


def test_backward_at_the_kinks_is_torchs():
    """At each kink (where the one-sided derivatives differ) both passes
    take torch's convention: every catalog function with a torch
    counterpart, both signs of each kink, float64."""
    torch = pytest.importorskip("torch")
    from fastact import _references

    for name in _bench.TORCH_EXPRESSIONS:
        act = fa.ACTIVATIONS[name]
        required = {n: _bench.REQUIRED_PARAMS[n]
                    for n, d in zip(act.param_names, act.defaults) if d is None}
        kinks = _references.REFERENCES[name].kinks
        x = np.array(kinks(**required) if kinks else (), dtype=float)
        if not x.size:
            continue
        x = np.concatenate([x, -x])
        g = np.ones_like(x)
        forward, backward, saved = _bench.torch_reference(act)
        tx = torch.from_numpy(x)
        y = act(x, **required)
        np.testing.assert_allclose(forward(tx).numpy(), y, rtol=1e-15, err_msg=name)
        want = backward(torch.from_numpy(g), tx, torch.from_numpy(y), saved and saved(tx))
        np.testing.assert_allclose(act.backward(g, x=x, **required), want.numpy(),
                                   rtol=1e-15, err_msg="%s backward at %s" % (name, x))
        np.testing.assert_allclose(act.derivative(x, **required), want.numpy(),
                                   rtol=1e-15, err_msg="%s derivative at %s" % (name, x))


def test_torch_column():
    pytest.importorskip("torch")
    functions = list(_bench.TORCH_EXPRESSIONS) + list(_bench.AXIS_FUNCTIONS)
    records, meta = _bench.run(functions=functions, dtypes=["float32"], sizes=[1000],
                               repeats=1, min_time=1e-4, matrix=(8, 100), out=io.StringIO())
    assert meta["torch"] and not [n for n in meta["notes"] if "torch" in n]
    with_torch = [r for r in records if "scipy" not in r["pass"]]
    # both passes of each; the axis functions along two axes
    assert len(with_torch) == 2 * len(_bench.TORCH_EXPRESSIONS) + 2 * 2 * len(_bench.AXIS_FUNCTIONS)
    assert all(r["torch_ns_per_element"] > 0 for r in with_torch)


def test_grain(capsys, tmp_path):
    path = tmp_path / "g.json"
    assert main(["bench", "--grain", "--functions", "relu", "--dtypes", "float32",
                 "--sizes", "1e3,1e4", "--repeats", "1", "--json", str(path)]) == 0
    out = capsys.readouterr().out
    assert "build grain" in out and "measured grain" in out
    grain = fa.relu.spec.grain
    assert re.search(r"^relu\s+forward\s+float32\s+%d\s+%d\s" % (grain, 2 * grain), out, re.M)
    [r] = json.loads(path.read_text())["records"]
    assert r["build_grain"] == fa.relu.spec.grain and r["sizes"] == [1000, 10000]
    assert len(r["speedups"]) == 2


def test_grain_idle(capsys, tmp_path, monkeypatch):
    """--idle MS sleeps that long before every timed call (and says so);
    it needs --grain and a number of milliseconds."""
    from fastact import _bench
    slept = []
    monkeypatch.setattr(_bench.time, "sleep", slept.append)
    path = tmp_path / "g.json"
    assert main(["bench", "--grain", "--idle", "2", "--functions", "relu", "--dtypes",
                 "float32", "--sizes", "1e3", "--repeats", "3", "--json", str(path)]) == 0
    assert "each after 2 ms idle" in capsys.readouterr().out
    assert slept == [0.002] * 6  # 3 samples of 1 and 2 threads
    assert json.loads(path.read_text())["metadata"]["idle_ms"] == 2
    for bad in (["--grain", "--idle", "-1"], ["--grain", "--idle", "x"], ["--idle", "1"]):
        with pytest.raises(SystemExit) as e:
            main(["bench", *bad])
        assert e.value.code == 2
    assert "--idle applies to --grain only" in capsys.readouterr().err


def test_measure_grain_tool_sets_every_grain():
    """tools/measure_grain.py builds a copy whose catalog has its small grain
    for every activation, however _catalog.py spells the grains."""
    import pathlib
    import runpy
    root = pathlib.Path(__file__).resolve().parents[1]
    if not (root / "tools" / "measure_grain.py").is_file():
        pytest.skip("not run from a source checkout")
    tool = runpy.run_path(str(root / "tools" / "measure_grain.py"))
    catalog = root / "src" / "fastact" / "_catalog.py"
    patched = tool["small_grain_catalog"](catalog.read_text(), 64)
    namespace = {}
    exec(compile(patched, str(catalog), "exec"), namespace)
    assert {s.grain for s in namespace["SPECS"]} == {64}
    assert len(namespace["SPECS"]) == len(fa.catalog())


def test_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "b.png"
    assert main(FAST + ["--dtypes", "float32", "--sizes", "1e3,1e4",
                        "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib(capsys, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import raises
    with pytest.raises(SystemExit) as e:
        main(FAST + ["--plot", str(tmp_path / "b.png")])
    assert e.value.code == 2
    assert "--plot needs matplotlib" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["bench", "--functions", "nope"], "unknown function 'nope'; valid: sigmoid"),
    (["bench", "--dtypes", "int8"], "unknown dtype 'int8'"),
    (["bench", "--passes", "sideways"], "unknown pass 'sideways'"),
    (["bench", "--sizes", "0"], "not a positive integer"),
    (["bench", "--sizes", "big"], "not a positive integer"),
    (["bench", "--threads", "0"], "not an integer >= 1"),
    (["bench", "--threads", "1,x"], "not an integer >= 1"),
    (["bench", "--threads", ","], "expected a comma-separated list"),
    (["bench", "--repeats", "x"], "not an integer >= 1"),
    (["bench", "--matrix", "3x"], "not ROWSxCOLS"),
    (["bench", "--matrix", "0x5"], "not ROWSxCOLS"),
    (["bench", "--matrix", "2x3x4"], "not ROWSxCOLS"),
    (["bench", "--json", "/no/such/dir/b.json"], "no such directory"),
    (["bench", "--json", "-", "--csv", "-"], "cannot both write to stdout"),
    (["bench", "--grain", "--csv", "g.csv"], "do not apply to --grain"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_options_exit_2(capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_no_command_prints_help(capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == 2
    assert "bench" in capsys.readouterr().err


def test_compare_builds_tool(tmp_path):
    """tools/compare_builds.py: relu gives the same bits on the best target
    and the baseline (over one block of bit patterns); an unknown target is
    refused with a message."""
    import pathlib
    import subprocess
    from fastact import _backend
    root = pathlib.Path(__file__).resolve().parents[1]
    tool = root / "tools" / "compare_builds.py"
    if not tool.is_file():
        pytest.skip("not run from a source checkout")
    pair = [_backend.TARGET, "baseline"]
    done = subprocess.run([sys.executable, str(tool), *pair, "--functions", "relu",
                           "--sample", "256", "--jobs", "1"],
                          cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"^relu\s+same bits$", done.stdout, re.M)
    assert re.search(r"^relu_derivative\s+same bits$", done.stdout, re.M)
    assert "0 of 2 loops differ between %s and baseline over 16777216" % pair[0] in done.stdout
    bad = subprocess.run([sys.executable, str(tool), "x86_64_v9", "baseline"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode != 0 and "not a target built" in bad.stderr
