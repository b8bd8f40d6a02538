"""fastact.diagnostics: dead and saturated units on constructed layers, the
Recorder on a Sequential, its warning, summary and (with matplotlib) plot."""

import sys
import warnings

import numpy as np
import pytest

import fastact as fa
from fastact import nn
from fastact.diagnostics import DeadUnitWarning, Recorder, dead_fraction, saturation_fraction


def test_dead_fraction():
    a = np.array([[0.0, 1.0, -1.0, 0.0],
                  [0.0, 0.0, -2.0, 3.0]])
    assert dead_fraction(a) == 0.5  # columns 0 and 2 never activate
    assert dead_fraction(a.reshape(1, 2, 4)) == 0.5  # units on the last axis
    assert dead_fraction(np.ones((3, 5))) == 0.0
    with pytest.raises(ValueError):
        dead_fraction(np.float64(1.0))


def test_saturation_fraction():
    y = np.array([0.001, 0.5, 0.999, 0.97])
    assert saturation_fraction(y, "sigmoid") == 0.5
    assert saturation_fraction(y, fa.sigmoid, tol=0.05) == 0.75
    assert saturation_fraction(np.array([-0.999, 0.0, 0.999, 0.5]), nn.Tanh()) == 0.5
    with pytest.raises(ValueError, match="finite output range"):
        saturation_fraction(y, "relu")
    # a range named by parameters: the module's values, else the defaults
    h = np.array([-2.0, -1.99, 0.0, 1.0])
    assert saturation_fraction(h, nn.Hardtanh(-2.0, 2.0)) == 0.5
    assert saturation_fraction(h, "hardtanh") == 0.75  # [-1, 1]
    assert saturation_fraction(np.array([0.0, 3.0, 5.99, 6.0]), fa.relu6) == 0.75  # [0, 6]


def _model(dead_bias=0.0, weight_scale=1.0):
    """Linear -> ReLU -> Linear -> Sigmoid -> Linear; the first layer's bias
    and the second layer's weights scaled to kill or saturate on purpose."""
    model = nn.Sequential(nn.Linear(2, 20, rng=0), nn.ReLU(), nn.Linear(20, 20, rng=1),
                          nn.Sigmoid(), nn.Linear(20, 2, rng=2))
    model[0].bias.data[:10] = dead_bias
    model[2].weight.data *= weight_scale
    return model


def _step(model, X, y):
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())


def test_recorder_detects_a_dead_layer():
    X, y = fa.datasets.make_moons(64)
    model = _model(dead_bias=-100.0)  # half the ReLU units below zero for every input
    rec = Recorder(model)
    with pytest.warns(DeadUnitWarning, match=r"layer 1:ReLU: 50% of its units are dead") as caught:
        _step(model, X, y)
        _step(model, X, y)
    assert len(caught) == 1  # once per layer
    assert rec.last("dead") == {"1:ReLU": 0.5, "3:Sigmoid": 0.0}
    assert "0:Linear" not in rec.last("dead")
    assert dead_fraction(model[1](model[0](X))) == 0.5


@pytest.mark.parametrize("dead_units, warns", [(1, False), (2, False), (3, True)])
def test_recorder_warns_above_ten_percent_by_default(dead_units, warns):
    """The default threshold is 10%: 1 or 2 dead units of 20 (5%, 10%) pass,
    3 (15%) warn."""
    X, y = fa.datasets.make_moons(64)
    model = _model()
    model[0].bias.data[:dead_units] = -100.0
    rec = Recorder(model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DeadUnitWarning)
        _step(model, X, y)
    assert rec.last("dead")["1:ReLU"] == dead_units / 20
    assert [str(w.message) for w in caught if w.category is DeadUnitWarning] == (
        ["layer 1:ReLU: 15% of its units are dead at forward pass 1 (threshold 10%)"]
        if warns else [])


def test_recorder_detects_a_saturated_sigmoid_layer():
    X, y = fa.datasets.make_moons(64)
    rec = Recorder(_model(weight_scale=200.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeadUnitWarning)  # saturated is not dead
        _step(rec.model, X, y)
    assert rec.last("saturated")["3:Sigmoid"] > 0.8
    healthy = Recorder(_model())
    _step(healthy.model, X, y)
    assert healthy.last("saturated")["3:Sigmoid"] < 0.2


def test_recorder_gradient_norms_and_summary():
    X, y = fa.datasets.make_moons(64)
    model = _model()
    rec = Recorder(model, dead_threshold=1.0)
    for _ in range(3):
        _step(model, X, y)
    norms = rec.gradient_norms()
    assert list(norms) == ["0:Linear", "2:Linear", "4:Linear"]
    expected = np.sqrt(np.sum(model[0].weight.grad ** 2) + np.sum(model[0].bias.grad ** 2))
    assert rec.history[0]["param_grad_norm"][-1] == pytest.approx(expected)
    assert len(rec.history[1]["grad_norm"]) == 3 and len(rec.history[1]["dead"]) == 3
    text = rec.summary()
    for name in rec.names:
        assert name in text
    assert "dead" in text and "saturated" in text
    rec.detach()
    _step(model, X, y)
    assert len(rec.history[1]["dead"]) == 3


def test_plot_gradients(tmp_path):
    pytest.importorskip("matplotlib")
    X, y = fa.datasets.make_moons(32)
    rec = Recorder(_model())
    _step(rec.model, X, y)
    rec.plot_gradients(tmp_path / "grads.png")
    assert (tmp_path / "grads.png").stat().st_size > 1000


def test_plot_gradients_without_matplotlib(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        Recorder(_model()).plot_gradients()
