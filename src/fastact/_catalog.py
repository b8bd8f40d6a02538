"""The registry of elementwise activations: one entry per function.

This module is plain data with no imports from fastact, because it is read
twice: by ``setup.py`` at build time, to render ``_ufuncs.pyx.tp`` (one set
of loops and ufuncs per entry), and at import time, to build the
``Activation`` objects of the Python API.  Adding an activation means its
math in ``_kernels/activations_impl.h`` and one entry here; the tests are
parametrized over this list.

Each entry names the C functions ``fa_<name>_<f|d>``,
``fa_<name>_derivative_<f|d>`` and, when ``backward_uses == "y"``,
``fa_<name>_derivative_from_y_<f|d>``.
"""

from dataclasses import dataclass
from typing import Callable, Iterator, List, Tuple


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    doc: str


@dataclass(frozen=True)
class Spec:
    name: str
    formula: str
    derivative: str
    output_range: str
    # "y" when f'(x) can be written with the output y = f(x) alone, so a
    # training loop only keeps y; "x" when backward needs the input.
    backward_uses: str
    torch: str
    jax: str
    # Elements per thread below which splitting the loop across threads
    # costs more than it saves: cheap kernels need far larger chunks.
    grain: int
    params: Tuple[Param, ...] = ()
    doc: str = ""


SPECS = (
    Spec(
        name="sigmoid",
        formula="1 / (1 + exp(-x))",
        derivative="y * (1 - y)",
        output_range="[0, 1]",
        backward_uses="y",
        torch="torch.sigmoid",
        jax="jax.nn.sigmoid",
        grain=32768,
        doc="The logistic function. Large negative inputs give 0.0 (and "
        "subnormals) without overflow warnings.",
    ),
    Spec(
        name="tanh",
        formula="tanh(x)",
        derivative="1 - y**2",
        output_range="[-1, 1]",
        backward_uses="y",
        torch="torch.tanh",
        jax="jax.nn.tanh",
        grain=32768,
        doc="The hyperbolic tangent; odd, so tanh(-0.0) is -0.0.",
    ),
    Spec(
        name="relu",
        formula="max(x, 0)",
        derivative="1 if x > 0 else 0",
        output_range="[0, inf)",
        backward_uses="y",
        torch="torch.nn.functional.relu",
        jax="jax.nn.relu",
        grain=262144,
        doc="The rectified linear unit, like np.maximum(x, 0): relu(-0.0) "
        "is 0.0 and NaN stays NaN. The derivative at 0 is 0, as in torch.",
    ),
    Spec(
        name="leaky_relu",
        formula="x if x > 0 else negative_slope * x",
        derivative="1 if x > 0 else negative_slope",
        output_range="(-inf, inf)",
        backward_uses="x",
        torch="torch.nn.functional.leaky_relu",
        jax="jax.nn.leaky_relu",
        grain=262144,
        params=(Param("negative_slope", 0.01, "slope for x <= 0"),),
        doc="ReLU with a small slope for negative inputs, so units never "
        "stop receiving gradient.",
    ),
)


# ---- the ufuncs each entry gets (read by the template and the Python API) ---

KINDS = ("forward", "derivative", "value_and_derivative", "backward",
         "backward_from_y")


@dataclass(frozen=True)
class Kernel:
    """One ufunc: array inputs, scalar-or-array parameters, outputs, and per
    output a C expression.  In an expression ``{c}`` is the dtype suffix
    (f or d); ``{x}``, ``{y}``, ``{grad}`` and ``{<param>}`` stand for the
    current elements of the inputs and parameters."""

    name: str
    kind: str
    inputs: Tuple[str, ...]
    params: Tuple[str, ...]
    outputs: Tuple[str, ...]
    exprs: Tuple[str, ...]
    grain: int
    doc: str

    @property
    def nin(self) -> int:
        return len(self.inputs) + len(self.params)

    @property
    def nargs(self) -> int:
        return self.nin + len(self.outputs)

    def expressions(self, c: str, element: Callable[[str], str]) -> List[str]:
        """The C expressions for dtype suffix `c`, inputs named by element()."""
        values = {a: element(a) for a in self.inputs + self.params}
        return [e.format(c=c, **values) for e in self.exprs]


@dataclass(frozen=True)
class CFunction:
    """A function of activations.h, declared for float (_f) and double (_d)."""

    name: str
    args: Tuple[str, ...]


def c_functions(spec: Spec) -> Iterator[CFunction]:
    params = tuple(p.name for p in spec.params)
    yield CFunction("fa_" + spec.name, ("x",) + params)
    yield CFunction("fa_%s_derivative" % spec.name, ("x",) + params)
    if spec.backward_uses == "y":
        yield CFunction("fa_%s_derivative_from_y" % spec.name, ("y",) + params)


def kernels(spec: Spec) -> Iterator[Kernel]:
    """The ufuncs of one activation, named NAME, NAME_derivative, ..."""
    params = tuple(p.name for p in spec.params)
    args = "".join(", {%s}" % p for p in params)
    f = "fa_%s_{c}({x}%s)" % (spec.name, args)
    df = "fa_%s_derivative_{c}({x}%s)" % (spec.name, args)
    sig = "%s(x%s)" % (spec.name, "".join(", " + p for p in params))

    def kernel(kind: str, inputs: Tuple[str, ...], outputs: Tuple[str, ...],
               exprs: Tuple[str, ...], doc: str) -> Kernel:
        suffix = "" if kind == "forward" else "_" + kind
        return Kernel(spec.name + suffix, kind, inputs, params, outputs, exprs,
                      spec.grain, doc)

    yield kernel("forward", ("x",), ("y",), (f,),
                 "%s = %s" % (sig, spec.formula))
    yield kernel("derivative", ("x",), ("d",), (df,),
                 "derivative of %s: %s" % (sig, spec.derivative))
    yield kernel("value_and_derivative", ("x",), ("y", "d"), (f, df),
                 "(%s, its derivative) in one pass" % sig)
    yield kernel("backward", ("grad", "x"), ("g",), ("{grad} * " + df,),
                 "grad * derivative of %s, from the input x" % sig)
    if spec.backward_uses == "y":
        dy = "{grad} * fa_%s_derivative_from_y_{c}({y}%s)" % (spec.name, args)
        yield kernel("backward_from_y", ("grad", "y"), ("g",), (dy,),
                     "grad * derivative of %s from the output y: %s"
                     % (sig, spec.derivative))


KERNELS = tuple(k for s in SPECS for k in kernels(s))
C_FUNCTIONS = tuple(f for s in SPECS for f in c_functions(s))


# ---- the GLU family: elementwise ufuncs over the two halves -----------------
# glu, swiglu and geglu (fastact._axis) split x into halves a, b along an
# axis and call these; the gates are in _kernels/glu_impl.h.  Rendered by the
# same template as the activations, so they get the same float16, threaded
# and strided loops.

GLU_GATES = {
    # name: (y, dy/da, dy/db) as C expressions of the halves {a} and {b}
    "glu": ("{a} * fa_sigmoid_{c}({b})",
            "fa_sigmoid_{c}({b})",
            "{a} * fa_sigmoid_derivative_{c}({b})"),
    "swiglu": ("fa_glu_silu_{c}({a}) * {b}",
               "fa_glu_silu_derivative_{c}({a}) * {b}",
               "fa_glu_silu_{c}({a})"),
    "geglu_tanh": ("fa_glu_gelu_tanh_{c}({a}) * {b}",
                   "fa_glu_gelu_tanh_derivative_{c}({a}) * {b}",
                   "fa_glu_gelu_tanh_{c}({a})"),
}


def glu_kernels(name, y, dy_da, dy_db):
    formula = y.replace("_{c}", "").replace("fa_glu_", "").replace("fa_", "")
    formula = formula.replace("{", "").replace("}", "")
    yield Kernel(name + "_halves", "forward", ("a", "b"), (), ("y",), (y,), 32768,
                 "%s of the halves a, b: y = %s" % (name, formula))
    yield Kernel(name + "_halves_backward", "backward", ("grad", "a", "b"), (),
                 ("grad_a", "grad_b"),
                 ("{grad} * " + dy_da, "{grad} * " + dy_db), 32768,
                 "gradients of %s_halves with respect to a and b" % name)


GLU_KERNELS = tuple(k for name, exprs in GLU_GATES.items() for k in glu_kernels(name, *exprs))
GLU_C_FUNCTIONS = tuple(CFunction(n, ("x",)) for n in (
    "fa_glu_silu", "fa_glu_silu_derivative", "fa_glu_gelu_tanh",
    "fa_glu_gelu_tanh_derivative"))
