"""fastact.nn, fastact.optim, fastact.init and fastact.datasets: gradients
against central differences (every catalog activation's module included),
dtypes kept end to end, and a small training run that must learn."""

import dataclasses
import functools
import inspect
import math

import numpy as np
import pytest

import fastact as fa
from fastact import nn, optim
from fastact._activation import Activation
from fastact._backend import kernels
from helpers import assert_identical


# ---- central differences ----------------------------------------------------------

def numeric_grad(f, a, eps=1e-6):
    """d f() / d a by central differences, perturbing `a` in place."""
    g = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + eps
        up = f()
        a[i] = old - eps
        down = f()
        a[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def check_module(module, x, rtol=1e-5, atol=1e-7):
    """backward (input and parameter gradients) against central differences
    of sum(module(x) * G) for a random G."""
    G = np.random.default_rng(1).standard_normal(module.forward(x).shape)
    module.zero_grad()
    module.forward(x)
    dx = module.backward(G)
    analytic = [p.grad.copy() for p in module.parameters()]

    def f():
        return float(np.sum(module.forward(x) * G))

    np.testing.assert_allclose(dx, numeric_grad(f, x), rtol=rtol, atol=atol)
    for p, grad in zip(module.parameters(), analytic):
        np.testing.assert_allclose(grad, numeric_grad(f, p.data), rtol=rtol, atol=atol)


def away_from_zero(shape, seed=0):
    """Inputs not within 0.05 of 0, where relu-like functions have kinks."""
    x = np.random.default_rng(seed).standard_normal(shape) * 2
    return np.where(np.abs(x) < 0.05, 0.5, x)


# ---- activation modules -----------------------------------------------------------

def test_every_catalog_function_has_a_module(act):
    cls = nn.ACTIVATIONS[act.name]
    assert getattr(nn, cls.__name__) is cls and issubclass(cls, nn.ActivationModule)
    assert cls.activation is fa.ACTIVATIONS[act.name]
    option = [act.spec.option.name] if act.spec.option else []
    assert list(inspect.signature(cls).parameters) == list(act.param_names) + option


def test_activation_module_gradient(act):
    check_module(nn.ACTIVATIONS[act.name](*act.defaults), away_from_zero((5, 4)))


def test_activation_module_caches_only_what_backward_needs(act):
    module = nn.ACTIVATIONS[act.name](*act.defaults)
    x = away_from_zero((3, 4))
    y = module.forward(x)
    assert module._saved is (y if act.backward_uses == "y" else x)
    assert vars(module).keys() == {"params", "_saved"}


def test_activation_module_keeps_dtype(act, dtype):
    module = nn.ACTIVATIONS[act.name](*act.defaults)
    x = away_from_zero((3, 4)).astype(dtype)
    assert module(x).dtype == dtype
    assert module.backward(np.ones_like(x)).dtype == dtype


@pytest.mark.parametrize("name, expected", [
    ("relu", "ReLU"), ("leaky_relu", "LeakyReLU"), ("sigmoid", "Sigmoid"), ("relu6", "ReLU6"),
    ("gelu", "GELU"), ("silu", "SiLU"), ("log_sigmoid", "LogSigmoid"), ("logsigmoid", "LogSigmoid"),
    ("hard_swish", "Hardswish"), ("hardtanh", "Hardtanh"), ("selu", "SELU"),
    ("fancy_new_unit", "FancyNewUnit")])
def test_class_names_use_torch_spelling(name, expected):
    assert nn.class_name(name) == expected


def test_new_catalog_entry_gets_a_module_with_no_new_code():
    # a catalog entry fastact does not have: leaky_relu's kernels under a new name
    spec = dataclasses.replace(fa.leaky_relu.spec, name="bent_unit")
    ufuncs = {k.replace("leaky_relu", "bent_unit"): v for k, v in kernels.UFUNCS.items()
              if k.startswith("leaky_relu")}
    cls = nn.activation_module(Activation(spec, ufuncs))
    assert cls.__name__ == "BentUnit"
    module = cls(0.2)
    assert module.params == {"negative_slope": 0.2}
    np.testing.assert_array_equal(module(np.array([-1.0, 2.0])), [-0.2, 2.0])
    check_module(module, away_from_zero((3, 3)))


def test_activation_parameters_are_validated_by_the_activation():
    assert nn.LeakyReLU().params == {"negative_slope": 0.01}
    assert nn.LeakyReLU(0.2).params == nn.LeakyReLU(negative_slope=0.2).params
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    with pytest.raises(TypeError):
        nn.LeakyReLU(slope=0.2)
    with pytest.raises(TypeError):
        nn.LeakyReLU(0.1, 0.2)
    with pytest.raises(TypeError, match="negative_slope"):
        nn.LeakyReLU("steep")
    with pytest.raises(TypeError):
        nn.ReLU(0.5)


@pytest.mark.parametrize("approximate, same_as", [("none", "gelu"), ("tanh", "gelu_tanh")])
def test_gelu_module_approximate(approximate, same_as):
    """nn.GELU(approximate=...) as torch: the tanh form is gelu_tanh's kernels."""
    module = nn.GELU(approximate=approximate)
    assert repr(module) == "GELU(approximate=%r)" % approximate
    x = away_from_zero((4, 5))
    np.testing.assert_array_equal(module(x), fa.ACTIVATIONS[same_as](x))
    np.testing.assert_array_equal(module.backward(np.ones_like(x)),
                                  fa.ACTIVATIONS[same_as].derivative(x))
    check_module(module, x)
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU(approximate="exact")
    with pytest.raises(TypeError):
        nn.GELU("tanh")  # keyword-only, as in torch


def test_activation_backward_before_forward():
    with pytest.raises(RuntimeError, match="before forward"):
        nn.ReLU().backward(np.ones(3))


# ---- other layers -------------------------------------------------------------------

def test_linear_gradient():
    check_module(nn.Linear(4, 3, rng=0), np.random.default_rng(2).standard_normal((5, 4)))
    check_module(nn.Linear(4, 3, bias=False, rng=0), np.random.default_rng(2).standard_normal((5, 4)))


def test_sequential_gradient():
    model = nn.Sequential(nn.Linear(3, 5, rng=0), nn.Tanh(), nn.Linear(5, 4, rng=1),
                          nn.LeakyReLU(0.1), nn.Linear(4, 2, rng=2), nn.Sigmoid())
    check_module(model, np.random.default_rng(3).standard_normal((6, 3)))
    assert len(model.parameters()) == 6 and len(model) == 6 and model[1].activation is fa.tanh


AXIS_MODULES = [nn.Softmax, nn.LogSoftmax, nn.GLU, nn.SwiGLU, nn.GeGLU,
                functools.partial(nn.GeGLU, approximate="tanh")]


@pytest.mark.parametrize("module", AXIS_MODULES)
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_axis_module_gradient(module, axis):
    check_module(module(axis=axis), np.random.default_rng(0).standard_normal((4, 6)))


@pytest.mark.parametrize("module", AXIS_MODULES)
def test_axis_module_matches_its_function_and_caches_what_backward_needs(module):
    m = module(axis=0)
    x = np.random.default_rng(2).standard_normal((4, 6)).astype(np.float32)
    options = m._options()
    y = m(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, m.function(x, axis=0, **options))
    assert m._saved is (y if m.saves == "y" else x)
    g = np.ones_like(y)
    np.testing.assert_array_equal(m.backward(g),
                                  m.function.backward(g, axis=0, **{m.saves: m._saved}, **options))
    assert repr(m) == "%s(axis=0%s)" % (type(m).__name__, "".join(
        ", %s=%r" % kv for kv in options.items()))


def test_axis_module_errors():
    with pytest.raises(RuntimeError, match="LogSoftmax.backward called before forward"):
        nn.LogSoftmax().backward(np.ones(3))
    with pytest.raises(ValueError, match="approximate"):
        nn.GeGLU(approximate="fast")
    with pytest.raises(TypeError):
        nn.Softmax(axis=1.5)
    with pytest.raises(ValueError, match="odd length"):
        nn.GLU()(np.ones(3))


def test_prelu_module():
    prelu = nn.PReLU(4)
    prelu.weight.data[:] = [0.1, 0.2, 0.3, 0.4]
    check_module(prelu, away_from_zero((5, 4)))
    check_module(nn.PReLU(1), away_from_zero((5, 4)))
    # channels on axis 1 of (N, C, L), as torch.nn.PReLU
    prelu = nn.PReLU(3)
    prelu.weight.data[:] = [0.1, 0.2, 0.3]
    check_module(prelu, away_from_zero((2, 3, 4)))


@pytest.mark.parametrize("init", sorted(fa.init.SCHEMES))
def test_linear_init_and_dtype(init, dtype):
    layer = nn.Linear(50, 40, init=init, rng=0, dtype=dtype)
    assert layer.weight.data.shape == (40, 50) and layer.weight.data.dtype == dtype
    assert layer.bias.data.dtype == dtype and not layer.bias.data.any()
    with pytest.raises(TypeError, match="dtype"):
        layer(np.ones((2, 50), dtype=np.float16))


def test_linear_rejects_unknown_init():
    with pytest.raises(ValueError, match="init"):
        nn.Linear(2, 2, init="zeros")


# ---- losses -------------------------------------------------------------------------

def _check_loss(loss_fn, z, target):
    value = loss_fn(z, target)
    g = loss_fn.backward()
    np.testing.assert_allclose(g, numeric_grad(lambda: float(loss_fn(z, target)), z),
                               rtol=1e-5, atol=1e-8)
    loss_fn(z, target)
    np.testing.assert_allclose(loss_fn.backward(2.0), 2 * g)
    return value


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_loss_gradients(reduction):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 4)) * 3
    labels = rng.integers(0, 4, 6)
    ce = _check_loss(nn.CrossEntropyLoss(reduction), z, labels)
    import scipy.special
    expected = -scipy.special.log_softmax(z, axis=1)[np.arange(6), labels]
    assert ce == pytest.approx(expected.mean() if reduction == "mean" else expected.sum())
    t = rng.uniform(0, 1, (6, 4))
    bce = _check_loss(nn.BCEWithLogitsLoss(reduction), z, t)
    p = scipy.special.expit(z)
    expected = -(t * np.log(p) + (1 - t) * np.log1p(-p))
    assert bce == pytest.approx(expected.mean() if reduction == "mean" else expected.sum())
    mse = _check_loss(nn.MSELoss(reduction), z, t)
    assert mse == pytest.approx(((z - t) ** 2).mean() if reduction == "mean" else ((z - t) ** 2).sum())


def test_losses_are_stable_for_huge_logits(dtype):
    z = np.array([[1000.0, -1000.0], [-1000.0, 1000.0]], dtype=dtype)
    ce = nn.CrossEntropyLoss()
    assert ce(z, np.array([0, 0])) == pytest.approx(1000.0)
    np.testing.assert_allclose(ce.backward(), [[0, 0], [-0.5, 0.5]])
    bce = nn.BCEWithLogitsLoss()
    assert bce(z, np.array([[1, 0], [1, 0]])) == pytest.approx(500.0)
    np.testing.assert_allclose(bce.backward(), [[0, 0], [-0.25, 0.25]])
    for fn in (ce, bce):
        assert fn.backward().dtype == dtype


def test_loss_argument_errors():
    with pytest.raises(ValueError, match="labels"):
        nn.CrossEntropyLoss()(np.zeros((3, 2)), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="shape"):
        nn.BCEWithLogitsLoss()(np.zeros((3, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss("none")
    # (N, 1) predictions against (N,) targets would broadcast to (N, N)
    with pytest.raises(ValueError, match="target shape"):
        nn.MSELoss()(np.zeros((3, 1)), np.zeros(3))
    # NumPy indexing would read -1 as the last class
    for labels in ([-1, 0], [0, 2], [-100, 1]):
        with pytest.raises(ValueError, match="is not a class in \\[0, 2\\)"):
            nn.CrossEntropyLoss()(np.zeros((2, 2)), np.array(labels))


@pytest.mark.parametrize("loss, target", [
    ("mse", lambda n: np.zeros(n)), ("bce", lambda n: np.zeros(n)),
    ("ce", lambda n: np.zeros(n // 2, dtype=int))])
def test_float16_loss_over_many_elements(loss, target):
    """A float16 loss over more than 65504 elements: summed and divided in
    float32 (a float16 sum, or n itself, overflows), returned as float16."""
    n = 70000
    if loss == "ce":
        z, want = np.zeros((n // 2, 2), np.float16), np.log(2)
        fn = nn.CrossEntropyLoss()
    else:
        z = np.full(n, 0.1, np.float16)
        fn = nn.MSELoss() if loss == "mse" else nn.BCEWithLogitsLoss()
        z64 = z.astype(float)
        want = (z64 ** 2).mean() if loss == "mse" else np.logaddexp(0, z64).mean()
    with np.errstate(all="raise"):
        value = fn(z, target(n))
    assert value.dtype == np.float16
    assert float(value) == pytest.approx(want, rel=2e-3)


@pytest.mark.parametrize("loss", ["mse", "bce", "ce"])
@pytest.mark.parametrize("n", [70000, 2 ** 25 + 2])
def test_float16_gradient_over_many_elements(loss, n):
    """The mean's 1/n is applied in float32 and the gradient rounded once to
    float16 (1/n in float16 is subnormal past 16384 elements, 0 past 2^25:
    a zero gradient).  Against the float32 run on the same values: within
    4 float16 ulps where the gradient is normal in float16, two subnormal
    steps below; cross-entropy, computed in float32, is the float32 run's
    gradient rounded once (and so is its loss)."""
    rng = np.random.default_rng(0)
    if loss == "ce":
        z = rng.standard_normal((n // 2, 2)).astype(np.float16)
        fn, t = nn.CrossEntropyLoss, np.arange(n // 2) % 2
    else:
        z = rng.standard_normal(n).astype(np.float16)
        fn = nn.MSELoss if loss == "mse" else nn.BCEWithLogitsLoss
        t = np.full(n, 0.25)
    grads, values = [], []
    for dtype in (np.float16, np.float32):
        f = fn()
        values.append(f(z.astype(dtype), t))
        grads.append(f.backward(3.0))
    g16, g32 = grads
    assert g16.dtype == np.float16 and g16.shape == g32.shape
    np.testing.assert_allclose(g16.astype(np.float64), g32, rtol=4 * 2.0 ** -11, atol=2 * 2.0 ** -24)
    if loss == "ce":
        assert_identical(g16, g32.astype(np.float16), "CrossEntropyLoss float16 gradient")
        assert values[0].dtype == np.float16 and values[0] == values[1].astype(np.float16)


# ---- optimizers ---------------------------------------------------------------------

def _param(values, grad):
    p = nn.Parameter(np.array(values, dtype=float))
    p.grad[:] = grad
    return p


def test_sgd_momentum_and_weight_decay():
    p = _param([1.0, -2.0], [0.5, 0.5])
    opt = optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=0.01)
    g1 = np.array([0.5, 0.5]) + 0.01 * np.array([1.0, -2.0])
    opt.step()
    np.testing.assert_allclose(p.data, [1.0, -2.0] - 0.1 * g1)
    before = p.data.copy()
    g2 = 0.5 + 0.01 * before
    opt.step()
    np.testing.assert_allclose(p.data, before - 0.1 * (0.9 * g1 + g2))
    opt.zero_grad()
    assert not p.grad.any()


def test_adam_first_steps():
    p = _param([1.0, -2.0, 3.0], [0.5, -0.001, 0.0])
    opt = optim.Adam([p], lr=0.01)
    opt.step()  # bias-corrected: the first step is lr * sign(grad)
    np.testing.assert_allclose(p.data, [0.99, -1.99, 3.0], rtol=1e-6)
    with pytest.raises(ValueError):
        optim.Adam([p], lr=0)
    with pytest.raises(ValueError):
        optim.SGD([], lr=0.1)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_adam_keeps_dtype_and_is_finite(dtype):
    """Adam's moments in at least float32: in float16, eps rounds to 0 and
    g * g underflows (a zero or tiny gradient gave NaN or -inf)."""
    p = nn.Parameter(np.ones(3, dtype))
    p.grad[:] = [0.0, 1e-3, 1.0]
    opt = optim.Adam([p], lr=0.01)
    with np.errstate(all="raise"):
        for _ in range(3):
            opt.step()
    assert p.data.dtype == dtype
    # the first steps move each nonzero-gradient weight by lr (sign of grad)
    np.testing.assert_allclose(p.data.astype(float), [1.0, 0.97, 0.97], rtol=2e-3)


# ---- training, dtypes end to end ------------------------------------------------------

@pytest.mark.parametrize("opt", ["adam", "sgd"])
def test_training_reaches_95_percent_on_spirals(opt):
    X, y = fa.datasets.make_spirals(200, rng=0)
    model = nn.Sequential(nn.Linear(2, 64, rng=0), nn.ReLU(), nn.Linear(64, 64, rng=1), nn.ReLU(),
                          nn.Linear(64, 2, rng=2))
    loss_fn = nn.CrossEntropyLoss()
    opt = (optim.Adam(model.parameters(), lr=0.01) if opt == "adam"
           else optim.SGD(model.parameters(), lr=0.1, momentum=0.9))
    for _ in range(1000):
        opt.zero_grad()
        loss_fn(model(X), y)
        model.backward(loss_fn.backward())
        opt.step()
        if (model(X).argmax(axis=1) == y).mean() >= 0.95:
            break
    assert (model(X).argmax(axis=1) == y).mean() >= 0.95


@pytest.mark.parametrize("loss, opt", [("ce", "adam"), ("bce", "sgd"), ("mse", "adam")])
def test_dtype_kept_end_to_end(dtype, loss, opt):
    X, y = fa.datasets.make_moons(32, dtype=dtype)
    assert X.dtype == dtype
    out = 2 if loss == "ce" else 1
    model = nn.Sequential(nn.Linear(2, 8, rng=0, dtype=dtype), nn.LeakyReLU(0.1),
                          nn.Linear(8, 8, rng=1, dtype=dtype), nn.Sigmoid(),
                          nn.Linear(8, out, rng=2, dtype=dtype))
    loss_fn = {"ce": nn.CrossEntropyLoss(), "bce": nn.BCEWithLogitsLoss(), "mse": nn.MSELoss()}[loss]
    target = y if loss == "ce" else y[:, None].astype(np.float64)  # float64 targets must not upcast
    optimizer = (optim.Adam(model.parameters(), weight_decay=0.01) if opt == "adam"
                 else optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.01))
    for _ in range(2):
        optimizer.zero_grad()
        value = loss_fn(model(X), target)
        grad = model.backward(loss_fn.backward())
        optimizer.step()
    assert value.dtype == dtype and grad.dtype == dtype
    for p in model.parameters():
        assert p.data.dtype == dtype and p.grad.dtype == dtype
    with pytest.raises(TypeError, match="dtype"):
        model(X.astype(np.float64 if dtype == np.float32 else np.float32))


# ---- init and datasets -------------------------------------------------------------

def test_gain_matches_torch():
    assert fa.init.gain("relu") == math.sqrt(2)
    assert fa.init.gain("tanh") == 5 / 3
    assert fa.init.gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01 ** 2)))
    assert fa.init.gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert fa.init.gain("selu") == 0.75
    assert fa.init.gain("sigmoid") == fa.init.gain("linear") == 1
    assert fa.init.gain(fa.relu) == math.sqrt(2)
    with pytest.raises(ValueError, match="no gain"):
        fa.init.gain("nonsense")


@pytest.mark.parametrize("fn, expected_std", [
    ("he_normal", math.sqrt(2 / 400)), ("he_uniform", math.sqrt(2 / 400)),
    ("xavier_normal", math.sqrt(2 / 700)), ("xavier_uniform", math.sqrt(2 / 700))])
def test_init_scale_seed_and_dtype(fn, expected_std, dtype):
    f = getattr(fa.init, fn)
    w = f((300, 400), rng=0, dtype=dtype)
    assert w.shape == (300, 400) and w.dtype == dtype
    assert w.std() == pytest.approx(expected_std, rel=0.02)
    assert abs(w.mean()) < 0.1 * expected_std
    np.testing.assert_array_equal(w, f((300, 400), rng=np.random.default_rng(0), dtype=dtype))
    assert f((300, 400), gain=3.0, rng=0).std() == pytest.approx(
        3 * expected_std / (math.sqrt(2) if fn.startswith("he") else 1), rel=0.02)
    if fn.endswith("uniform"):
        assert np.abs(w).max() <= expected_std * math.sqrt(3) * (1 + 1e-6)
    with pytest.raises(ValueError, match="2 dimensions"):
        f((10,))


@pytest.mark.parametrize("make", ["make_spirals", "make_rings", "make_moons"])
def test_datasets(make, dtype):
    f = getattr(fa.datasets, make)
    X, y = f(101, dtype=dtype)
    assert X.shape == (101, 2) and X.dtype == dtype and y.dtype == np.int64
    assert set(np.bincount(y)) <= {50, 51}
    X2, y2 = f(101, dtype=dtype)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(f(101, rng=1)[0], f(101, rng=2)[0])
    assert np.abs(X).max() < 3
