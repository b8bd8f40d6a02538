"""The ``fastact`` command line: ``bench`` output and option errors."""

import re

import pytest

from fastact.__main__ import main


def test_bench_table(capsys):
    assert main(["bench", "--quick", "--functions", "relu", "--sizes", "1000",
                 "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert "cpu target" in out and "thread" in out and "numpy" in out
    header = next(line for line in out.splitlines() if line.startswith("function"))
    for column in ("pass", "dtype", "size", "fastact ns/el", "numpy ns/el",
                   "speed-up", "fastact GB/s"):
        assert column in header
    rows = [line.split() for line in out.splitlines() if line.startswith("relu ")]
    assert sorted((r[1], r[2], r[3]) for r in rows) == [
        ("backward", "float32", "1e3"), ("backward", "float64", "1e3"),
        ("forward", "float32", "1e3"), ("forward", "float64", "1e3")]
    for r in rows:
        fa_ns, np_ns, speedup, gbs = float(r[4]), float(r[5]), r[6], float(r[7])
        assert fa_ns > 0 and np_ns > 0 and gbs > 0
        assert speedup.endswith("x") and float(speedup[:-1]) > 0
    assert re.search(r"^sigmoid\s+call\s+float64\s+1\s", out, re.M)
    assert re.search(r"geometric-mean speed-up: [\d.]+x over 4 rows", out)


def test_function_without_numpy_expression_is_skipped(capsys, monkeypatch):
    from fastact import _bench

    monkeypatch.delitem(_bench.NUMPY_EXPRESSIONS, "tanh")
    main(["bench", "--quick", "--functions", "tanh,relu", "--dtypes", "float32",
          "--sizes", "1000", "--repeats", "1"])
    out = capsys.readouterr().out
    assert "skipped tanh: no NumPy expression" in out
    assert not re.search(r"^tanh ", out, re.M)
    assert re.search(r"^relu ", out, re.M)


@pytest.mark.parametrize("argv, message", [
    (["bench", "--functions", "nope"], "unknown function 'nope'; valid: sigmoid"),
    (["bench", "--dtypes", "int8"], "unknown dtype 'int8'"),
    (["bench", "--passes", "sideways"], "unknown pass 'sideways'"),
    (["bench", "--sizes", "0"], "not a positive integer"),
    (["bench", "--sizes", "big"], "not a positive integer"),
    (["bench", "--threads", "0"], "not an integer >= 1"),
    (["bench", "--repeats", "x"], "not an integer >= 1"),
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
