"""Each example in examples/ runs in --quick mode, without matplotlib (and
with it, saving its plots, when it is installed), and prints what it claims."""

import os
import pathlib
import re
import subprocess
import sys

import pytest

import fastact

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="not run from a source checkout")

# Runs the example as `python example.py` would (its folder first on
# sys.path), with `import matplotlib` failing when asked to.
RUNNER = """
import os, runpy, sys
if sys.argv[1] == "no-matplotlib":
    sys.modules["matplotlib"] = None
sys.argv = sys.argv[2:]
sys.path.insert(0, os.path.dirname(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_example(name, tmp_path, matplotlib=False):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(pathlib.Path(fastact.__file__).parents[1]), os.environ.get("PYTHONPATH", "")]))
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, "matplotlib" if matplotlib else "no-matplotlib",
         str(EXAMPLES / name), "--quick", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def number(pattern, text):
    return float(re.search(pattern, text).group(1))


def test_vanishing_gradients(tmp_path):
    out = run_example("vanishing_gradients.py", tmp_path)
    assert len(re.findall(r"^\s+\d+\s+\S+\s+\S+$", out, re.M)) == 10  # one row per layer
    sigmoid = number(r"ratio sigmoid: (\S+)", out)
    relu = number(r"ratio relu: (\S+)", out)
    assert sigmoid < 1e-3 * relu and 0.1 < relu < 10
    assert "matplotlib not installed" in out


def test_spirals(tmp_path):
    out = run_example("spirals.py", tmp_path)
    names = ["relu", "tanh", "sigmoid"] + (["gelu"] if "gelu" in fastact.ACTIVATIONS else [])
    lines = dict(re.findall(r"^(\w+)\s+(95% accuracy .*)$", out, re.M))
    assert list(lines) == names
    epochs = {n: int(m.group(1)) for n in names
              for m in [re.match(r"95% accuracy after\s+(\d+) epochs", lines[n])] if m}
    assert "relu" in epochs and epochs["relu"] == min(epochs.values())


def test_dying_relu(tmp_path):
    out = run_example("dying_relu.py", tmp_path)
    large = number(r"relu lr=0.2 .*final: dead (\S+),", out)
    small = number(r"relu lr=0.01 .*final: dead (\S+),", out)
    leaky = number(r"leaky_relu lr=0.2 .*final: dead (\S+),", out)
    assert large > 0.5 and small < 0.3 and leaky == 0
    assert re.search(r"warning: layer \d:ReLU: \d+% of its units are dead", out)


def test_numpy_dropin(tmp_path):
    out = run_example("numpy_dropin.py", tmp_path)
    assert re.search(r"loss curves: \S+ \(tolerance \S+\): agree", out)
    assert re.search(r"time per epoch \(float32, fastest of 3\): numpy \S+ ms, fastact \S+ ms", out)
    assert re.search(r"of which activation lines: numpy \S+ ms, fastact \S+ ms", out)


@pytest.mark.parametrize("name, plot", [
    ("vanishing_gradients.py", "vanishing_gradients.png"), ("spirals.py", "spirals.png"),
    ("dying_relu.py", "dying_relu.png")])
def test_example_plots(name, plot, tmp_path):
    pytest.importorskip("matplotlib")
    out = run_example(name, tmp_path, matplotlib=True)
    assert "saved" in out and (tmp_path / plot).stat().st_size > 1000


def test_readme_training_loop(capsys):
    readme = EXAMPLES.parent / "README.md"
    section = readme.read_text().split("## Training loop", 1)[1].split("\n## ", 1)[0]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(code, namespace)
    model, X, y = namespace["model"], namespace["X"], namespace["y"]
    assert namespace["loss"].dtype == "float32" and model(X).dtype == "float32"
    assert (model(X).argmax(axis=1) == y).mean() >= 0.9
    assert "1:ReLU" in capsys.readouterr().out
