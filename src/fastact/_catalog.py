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

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

REQUIRED = None  # a Param default: the argument must be given (as in torch)


@dataclass(frozen=True)
class Param:
    name: str
    default: Optional[float]
    doc: str


@dataclass(frozen=True)
class Option:
    """A string argument that picks one of several activations of the
    catalog (gelu's approximate="none" | "tanh"): value -> activation name."""

    name: str
    default: str
    choices: Dict[str, str]
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
    # costs more than it saves when the thread pool must be woken (a warm
    # pool takes less: warm_grain); cheap kernels need larger.
    grain: int
    params: Tuple[Param, ...] = ()
    doc: str = ""
    # Other names of the same function in fastact's namespace.
    aliases: Tuple[str, ...] = ()
    # check(**params) -> None, or the message of the ValueError to raise
    # before anything is computed; params are floats or arrays.
    check: Optional[Callable[..., Optional[str]]] = None
    option: Optional[Option] = None
    # The kernels (forward, value_and_derivative, ...) whose contiguous loop
    # first calls fa_<kernel>_block_<f|d>(inputs, params, outputs, n) of
    # activations.h: explicit SIMD where gcc cannot vectorize the scalar
    # function well (a table lookup), returning how many leading elements it
    # did (the loop does the rest, with the same bits).
    blocks: Tuple[str, ...] = ()
    # Where f or f' branches on the parameters alone (Unswitch).
    unswitch: Optional["Unswitch"] = None


@dataclass(frozen=True)
class Unswitch:
    """f or f' (`functions`: "forward", "derivative") in two cases of the
    parameters: activations_impl.h's predicate fa_<name>_is_<case>_<c>(params)
    (elu': alpha in the range of the dtype's own exp), the function
    fa_<name>[_derivative]_<case>_<c> where it holds and ..._general_<c>
    where not.  gcc does not vectorize a loop whose function tests per
    element (too big to unswitch), so the contiguous loops calling them are
    written once per case and chosen per call (Kernel.unswitched); the
    function itself, which tests per element, serves the strided loops.
    Only for the dtypes (suffixes) in `dtypes`: the others have one loop,
    of the case's functions, which serve every parameter there."""

    case: str
    functions: Tuple[str, ...]
    dtypes: Tuple[str, ...] = ("f", "d")


# Grain sizes from `bench --grain --idle 10` (2 threads against 1, each call
# after 10 ms asleep; benchmarks/grain-idle10.json, a 2-vCPU Xeon): 2 threads
# won from about 2^19 float32 elements for the exp-based kernels, 2^18-2^18.5
# for the costliest (gelu, mish), 2^19-2^19.5 for the piecewise-linear ones
# (float64: about half).  A warm pool takes less: warm_grain.
TRANSCENDENTAL, COSTLY, PIECEWISE = 262144, 131072, 524288


def warm_grain(grain: int, memory_bound: bool) -> int:
    """The grain in a tight loop, while the calling thread's OpenMP pool is
    warm (_ufuncs.pyx.tp): 8 times less, 4 for the memory-bound kernels
    (split, two cores' caches trade the array's lines: relu on 2^17 float32
    elements ran 0.74x as fast on 2 threads, 1.6x on 2^18)."""
    return grain // (4 if memory_bound else 8)


# softmax and log_softmax along an axis (_axis.pyx.tp): exp-based
AXIS_GRAINS = (TRANSCENDENTAL, warm_grain(TRANSCENDENTAL, memory_bound=False))


def _require(valid: Any, message: str) -> Optional[str]:
    """A check: None if `valid` holds for every element (NaN fails), else
    the message."""
    import numpy  # only the Python API calls checks, never setup.py

    return None if numpy.all(valid) else message


# softshrink's and hardshrink's parameter (torch rejects lambd < 0 too)
_LAMBD = Param("lambd", 0.5, "half-width of the zero region (>= 0)")


def _check_lambd(lambd: Any) -> Optional[str]:
    return _require(lambd >= 0, "lambd must be >= 0")


def _check_squareplus_b(b: Any) -> Optional[str]:
    # b = inf has no useful squareplus (inf at every finite x) and the
    # kernel's range scaling assumes a finite b (builds disagreed there)
    return _require(b >= 0, "b must be >= 0") \
        or _require(b < float("inf"), "b must be finite")


def _check_celu_alpha(alpha: Any) -> Optional[str]:
    # x / alpha is the argument: alpha = +-inf (or NaN) has no celu' but NaN
    # (celu itself would be x there; torch's celu and its gradient are NaN)
    return _require(abs(alpha) < float("inf"), "alpha must be finite") \
        or _require(alpha != 0, "alpha must be nonzero")


SPECS = (
    Spec(
        name="sigmoid",
        formula="1 / (1 + exp(-x))",
        derivative="y * (1 - y)",
        output_range="[0, 1]",
        backward_uses="y",
        torch="torch.sigmoid",
        jax="jax.nn.sigmoid",
        grain=TRANSCENDENTAL,
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
        grain=TRANSCENDENTAL,
        doc="The hyperbolic tangent; odd, so tanh(-0.0) is -0.0.",
        blocks=("forward", "value_and_derivative"),
    ),
    Spec(
        name="relu",
        formula="max(x, 0)",
        derivative="1 if x > 0 else 0",
        output_range="[0, inf)",
        backward_uses="y",
        torch="torch.nn.functional.relu",
        jax="jax.nn.relu",
        grain=PIECEWISE,
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
        grain=PIECEWISE,
        params=(Param("negative_slope", 0.01, "slope for x <= 0"),),
        doc="ReLU with a small slope for negative inputs, so units never "
        "stop receiving gradient.",
    ),
    Spec(
        name="relu6",
        formula="min(max(x, 0), 6)",
        derivative="1 if 0 < x < 6 else 0",
        output_range="[0, 6]",
        backward_uses="y",
        torch="torch.nn.functional.relu6",
        jax="jax.nn.relu6",
        grain=PIECEWISE,
        doc="ReLU capped at 6; relu6(-0.0) is 0.0 as relu. The derivative "
        "at the kinks 0 and 6 is 0, as torch.",
    ),
    Spec(
        name="hardtanh",
        formula="min(max(x, min_val), max_val)",
        derivative="1 if min_val < x < max_val else 0",
        output_range="[min_val, max_val]",
        backward_uses="y",
        torch="torch.nn.functional.hardtanh",
        jax="jax.nn.hard_tanh",
        grain=PIECEWISE,
        params=(Param("min_val", -1.0, "lower end of the linear region"),
                Param("max_val", 1.0, "upper end of the linear region (>= min_val)")),
        check=lambda min_val, max_val: _require(
            min_val <= max_val, "min_val must be <= max_val"),
        doc="Clamps x to [min_val, max_val]; -0.0 stays -0.0. The derivative "
        "at the kinks is 0, as torch.",
    ),
    Spec(
        name="elu",
        formula="x if x > 0 else alpha * (exp(x) - 1)",
        derivative="1 if x > 0 else alpha * exp(x)",
        output_range="(-alpha, inf)",
        backward_uses="x",
        torch="torch.nn.functional.elu",
        jax="jax.nn.elu",
        grain=TRANSCENDENTAL,
        params=(Param("alpha", 1.0, "the value approached as x -> -inf is -alpha"),),
        doc="Exponential linear unit, computed with expm1 (accurate near 0, "
        "elu(-0.0) is -0.0).",
        unswitch=Unswitch("moderate", ("derivative",)),
    ),
    Spec(
        name="selu",
        formula="scale * (x if x > 0 else alpha * (exp(x) - 1))",
        derivative="scale if x > 0 else scale * alpha * exp(x)",
        output_range="(-scale * alpha, inf)",
        backward_uses="x",
        torch="torch.nn.functional.selu",
        jax="jax.nn.selu",
        grain=TRANSCENDENTAL,
        doc="Scaled ELU with torch's constants alpha = "
        "1.6732632423543772848170429916717 and scale = "
        "1.0507009873554804934193349852946.",
    ),
    Spec(
        name="celu",
        formula="x if x > 0 else alpha * (exp(x / alpha) - 1)",
        derivative="1 if x > 0 else exp(x / alpha)",
        output_range="(-alpha, inf) for alpha > 0",
        backward_uses="x",
        torch="torch.nn.functional.celu",
        jax="jax.nn.celu",
        grain=TRANSCENDENTAL,
        params=(Param("alpha", 1.0, "scale of the negative part (finite, nonzero)"),),
        check=_check_celu_alpha,
        unswitch=Unswitch("positive", ("forward", "derivative")),
        doc="Continuously differentiable ELU; alpha = 1 is elu.",
    ),
    Spec(
        name="gelu",
        formula="x * Phi(x) = x / 2 * erfc(-x / sqrt(2))",
        derivative="Phi(x) + x * exp(-x**2 / 2) / sqrt(2 * pi)",
        output_range="[-0.17, inf)",
        backward_uses="x",
        torch="torch.nn.functional.gelu",
        jax="jax.nn.gelu(approximate=False)",
        grain=COSTLY,
        option=Option("approximate", "none", {"none": "gelu", "tanh": "gelu_tanh"},
                      "'none' (exact, erfc) or 'tanh' (gelu_tanh), as torch"),
        doc="Gaussian error linear unit, exact (Phi is the normal CDF); "
        "accurate in relative terms for large negative x down to underflow. "
        "approximate='tanh' calls gelu_tanh. float32: tables of polynomials with "
        "AVX-512 (x86-64-v4 builds), else computed in double.",
        blocks=("forward", "derivative", "value_and_derivative", "backward"),
    ),
    Spec(
        name="gelu_tanh",
        formula="x / 2 * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))",
        derivative="(1 + t) / 2 + x / 2 * (1 - t**2) * sqrt(2 / pi) * (1 + 3 * 0.044715 * x**2)"
        " with t = tanh(sqrt(2 / pi) * (x + 0.044715 * x**3))",
        output_range="[-0.17, inf)",
        backward_uses="x",
        torch="torch.nn.functional.gelu(approximate='tanh')",
        jax="jax.nn.gelu",
        grain=COSTLY,
        doc="The tanh approximation of gelu (gelu(x, approximate='tanh')), "
        "computed as x * sigmoid(2u) so large negative x keep their relative "
        "accuracy. Computed in double for float32.",
    ),
    Spec(
        name="silu",
        formula="x * sigmoid(x)",
        derivative="sigmoid(x) * (1 + x * (1 - sigmoid(x)))",
        output_range="[-0.28, inf)",
        backward_uses="x",
        torch="torch.nn.functional.silu",
        jax="jax.nn.silu",
        grain=TRANSCENDENTAL,
        blocks=("forward", "derivative", "value_and_derivative", "backward"),
        aliases=("swish",),
        doc="Sigmoid linear unit, also called swish (fastact.swish is the "
        "same object). float32: tables of polynomials with AVX-512 "
        "(x86-64-v4 builds).",
    ),
    Spec(
        name="mish",
        formula="x * tanh(softplus(x))",
        derivative="tanh(softplus(x)) + x * sigmoid(x) * (1 - tanh(softplus(x))**2)",
        output_range="[-0.31, inf)",
        backward_uses="x",
        torch="torch.nn.functional.mish",
        jax="jax.nn.mish",
        grain=COSTLY,
        doc="Self-regularized non-monotonic activation; computed without "
        "overflow for any x, in double for float32.",
    ),
    Spec(
        name="softplus",
        formula="log(1 + exp(beta * x)) / beta, x where beta * x > threshold",
        derivative="sigmoid(beta * x), 1 where beta * x > threshold",
        output_range="(0, inf) for beta > 0",
        backward_uses="x",
        torch="torch.nn.functional.softplus",
        jax="jax.nn.softplus",
        grain=TRANSCENDENTAL,
        params=(Param("beta", 1.0, "sharpness (nonzero)"),
                Param("threshold", 20.0, "above beta * x > threshold the result is x")),
        check=lambda beta, threshold: _require(beta != 0, "beta must be nonzero"),
        doc="Smooth ReLU with torch's semantics (linear above the threshold); "
        "softplus(1000.0) is 1000.0 and softplus(-1000.0) is 0.0, silently.",
        # float32 is computed in double, where b x is exact and the
        # moderate form serves every beta (fa_softplus_general_fd is it)
        unswitch=Unswitch("moderate", ("forward",), dtypes=("d",)),
    ),
    Spec(
        name="softsign",
        formula="x / (1 + |x|)",
        derivative="1 / (1 + |x|)**2 = (1 - |y|)**2",
        output_range="[-1, 1]",
        backward_uses="y",
        torch="torch.nn.functional.softsign",
        jax="jax.nn.soft_sign",
        grain=PIECEWISE,
        doc="A rational sigmoid-shaped function; softsign(+-inf) is +-1.",
    ),
    Spec(
        name="hardsigmoid",
        formula="min(max(x + 3, 0), 6) / 6",
        derivative="1/6 if -3 < x < 3 else 0",
        output_range="[0, 1]",
        backward_uses="y",
        torch="torch.nn.functional.hardsigmoid",
        jax="jax.nn.hard_sigmoid",
        grain=PIECEWISE,
        doc="Piecewise-linear sigmoid; the derivative at the kinks is 0, as torch.",
    ),
    Spec(
        name="hardswish",
        formula="x * min(max(x + 3, 0), 6) / 6",
        derivative="0 if x <= -3 else (2 * x + 3) / 6 if x < 3 else 1",
        output_range="[-0.375, inf)",
        backward_uses="x",
        torch="torch.nn.functional.hardswish",
        jax="jax.nn.hard_swish",
        grain=PIECEWISE,
        aliases=("hard_silu",),
        doc="Piecewise-quadratic silu, -0.0 for x <= -3 (x * 0, as torch); "
        "the derivative is torch's (x / 3 + 1/2 on (-3, 3); 0 at -3 and 1 at 3). Also "
        "fastact.hard_silu (jax's name).",
    ),
    Spec(
        name="log_sigmoid",
        formula="log(sigmoid(x)) = -softplus(-x)",
        derivative="sigmoid(-x) = 1 - exp(y)",
        output_range="(-inf, 0]",
        backward_uses="y",
        torch="torch.nn.functional.logsigmoid",
        jax="jax.nn.log_sigmoid",
        grain=TRANSCENDENTAL,
        doc="Logarithm of the sigmoid, without overflow: log_sigmoid(-1000.0) "
        "is -1000.0. Computed in double for float32. backward(grad, y=y) "
        "takes log_sigmoid's outputs, y <= 0: NaN where y > 0.",
    ),
    Spec(
        name="tanhshrink",
        formula="x - tanh(x)",
        derivative="tanh(x)**2",
        output_range="(-inf, inf)",
        backward_uses="x",
        torch="torch.nn.functional.tanhshrink",
        jax="-",
        grain=TRANSCENDENTAL,
        doc="x minus tanh(x), accurate near 0 (where it is x**3 / 3) without "
        "cancellation. Computed in double for float32.",
    ),
    Spec(
        name="softshrink",
        formula="x - lambd if x > lambd else x + lambd if x < -lambd else 0",
        derivative="1 if |x| > lambd else 0",
        output_range="(-inf, inf)",
        backward_uses="y",
        torch="torch.nn.functional.softshrink",
        jax="-",
        grain=PIECEWISE,
        params=(_LAMBD,),
        check=_check_lambd,
        doc="Soft thresholding: shrinks x towards 0 by lambd.",
    ),
    Spec(
        name="hardshrink",
        formula="x if |x| > lambd else 0",
        derivative="1 if |x| > lambd else 0",
        output_range="(-inf, inf)",
        backward_uses="y",
        torch="torch.nn.functional.hardshrink",
        jax="-",
        grain=PIECEWISE,
        params=(_LAMBD,),
        check=_check_lambd,
        doc="Hard thresholding: 0 on [-lambd, lambd], x elsewhere.",
    ),
    Spec(
        name="threshold",
        formula="x if x > threshold else value",
        derivative="1 if x > threshold else 0",
        output_range="(-inf, inf)",
        backward_uses="x",
        torch="torch.nn.functional.threshold",
        jax="-",
        grain=PIECEWISE,
        params=(Param("threshold", REQUIRED, "inputs at or below it are replaced"),
                Param("value", REQUIRED, "their replacement")),
        doc="Replaces x <= threshold by value; both arguments are required, "
        "as in torch. NaN stays NaN.",
    ),
    Spec(
        name="squareplus",
        formula="(x + sqrt(x**2 + b)) / 2",
        derivative="(1 + x / sqrt(x**2 + b)) / 2",
        output_range="[0, inf)",
        backward_uses="x",
        torch="-",
        jax="jax.nn.squareplus",
        grain=PIECEWISE,
        params=(Param("b", 4.0, "smoothness near 0 (finite, >= 0; b = 0 is relu)"),),
        check=_check_squareplus_b,
        doc="Algebraic smooth ReLU, without cancellation for negative x or "
        "overflow of x**2.",
    ),
    Spec(
        name="sparse_plus",
        formula="0 if x <= -1 else x if x >= 1 else (x + 1)**2 / 4",
        derivative="0 if x <= -1 else 1 if x >= 1 else (x + 1) / 2",
        output_range="[0, inf)",
        backward_uses="x",
        torch="-",
        jax="jax.nn.sparse_plus",
        grain=PIECEWISE,
        doc="Piecewise-quadratic softplus.",
    ),
    Spec(
        name="sparse_sigmoid",
        formula="min(max((x + 1) / 2, 0), 1)",
        derivative="1/2 if -1 < x < 1 else 0",
        output_range="[0, 1]",
        backward_uses="y",
        torch="-",
        jax="jax.nn.sparse_sigmoid",
        grain=PIECEWISE,
        doc="Piecewise-linear sigmoid, the derivative of sparse_plus.",
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
    # the loop starts with fa_<name>_block_<c> (Spec.blocks), of this family
    # (the activation or GLU it belongs to: activations.h's
    # fa_<block>_has_blocks_<c> says whether that block does anything)
    block: str = ""
    # the contiguous loop written twice, chosen per call (Spec.unswitch)
    unswitched: Optional["Unswitched"] = None

    @property
    def nin(self) -> int:
        return len(self.inputs) + len(self.params)

    @property
    def nargs(self) -> int:
        return self.nin + len(self.outputs)

    @property
    def streams(self) -> bool:
        """Whether outputs larger than the cache are written with streaming
        stores (_kernels/stream.h): the memory-bound kernels only; a
        compute-bound one would gain nothing and pay for the buffer's copy
        (sigmoid: 14% slower, measured)."""
        return self.grain == PIECEWISE

    @property
    def warm_grain(self) -> int:
        return warm_grain(self.grain, self.streams)

    def expressions(self, c: str, element: Callable[[str], str],
                    exprs: Optional[Tuple[str, ...]] = None) -> List[str]:
        """The C expressions (by default `exprs`) for dtype suffix `c`,
        inputs and parameters named by element()."""
        values = {a: element(a) for a in self.inputs + self.params}
        return [e.format(c=c, **values) for e in (self.exprs if exprs is None else exprs)]

    def unswitched_in(self, c: str) -> Optional["Unswitched"]:
        """`unswitched` where dtype suffix `c` has a loop per case."""
        u = self.unswitched
        return u if u and c in u.dtypes else None

    def loops(self, c: str) -> List[Tuple[str, Tuple[str, ...], bool]]:
        """(name suffix, expressions, whether the parameters vary per
        element) of each pair of loops NAME_c<suffix>_contiguous and
        NAME_c<suffix>_strided: one per case of the scalar parameters and,
        for a kernel with parameters, "_any" for parameter arrays, through
        the functions that test them per element (prelu's weight)."""
        u = self.unswitched_in(c)
        if u:
            loops = [("", u.general, False), ("_" + u.case, u.exprs, False)]
        else:  # elsewhere an unswitched kernel's case functions serve every parameter
            loops = [("", self.unswitched.exprs if self.unswitched else self.exprs, False)]
        return loops + ([("_any", self.exprs, True)] if self.params else [])


@dataclass(frozen=True)
class Unswitched:
    """A kernel's contiguous loop for each case of Spec.unswitch: the loop
    NAME_c_<case>_contiguous of `exprs` where the C expression `test` of the
    parameters holds, NAME_c_contiguous of `general` where it does not."""

    case: str
    test: str
    exprs: Tuple[str, ...]
    general: Tuple[str, ...]
    dtypes: Tuple[str, ...]


@dataclass(frozen=True)
class CFunction:
    """A function of activations.h, declared for float (_f) and double (_d),
    returning the dtype's type or `returns`."""

    name: str
    args: Tuple[str, ...]
    returns: str = ""


_C_SUFFIX = {"forward": "", "derivative": "_derivative"}  # fa_<name><suffix>_<c>


def c_functions(spec: Spec) -> Iterator[CFunction]:
    params = tuple(p.name for p in spec.params)
    yield CFunction("fa_" + spec.name, ("x",) + params)
    yield CFunction("fa_%s_derivative" % spec.name, ("x",) + params)
    if spec.unswitch:
        yield CFunction("fa_%s_is_%s" % (spec.name, spec.unswitch.case), params, "bint")
        for function in spec.unswitch.functions:
            for case in (spec.unswitch.case, "general"):
                yield CFunction("fa_%s%s_%s" % (spec.name, _C_SUFFIX[function], case),
                                ("x",) + params)
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
        u, unswitched = spec.unswitch, None
        calls = [{"forward": f, "derivative": df}[name] for name in (u.functions if u else ())]
        if u and any(call in e for call in calls for e in exprs):
            def case(name: str) -> Tuple[str, ...]:
                """exprs calling the functions' variant fa_..._<name>_<c>"""
                cased = list(exprs)
                for call in calls:
                    variant = call.replace("_{c}(", "_%s_{c}(" % name)
                    cased = [e.replace(call, variant) for e in cased]
                return tuple(cased)
            test = "fa_%s_is_%s_{c}(%s)" % (spec.name, u.case, ", ".join("{%s}" % p for p in params))
            unswitched = Unswitched(u.case, test, case(u.case), case("general"), u.dtypes)
        return Kernel(spec.name + suffix, kind, inputs, params, outputs, exprs,
                      spec.grain, doc, spec.name if kind in spec.blocks else "", unswitched)

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
# axis and call these, whose gates are the catalog's functions.  Rendered by the
# same template as the activations, so they get the same float16, threaded
# and strided loops.

GLU_GATES = {
    # name: (y, dy/da, dy/db) as C expressions of the halves {a} and {b}
    "glu": ("{a} * fa_sigmoid_{c}({b})",
            "fa_sigmoid_{c}({b})",
            "{a} * fa_sigmoid_derivative_{c}({b})"),
    "swiglu": ("fa_silu_{c}({a}) * {b}",  # the catalog's silu
               "fa_silu_derivative_{c}({a}) * {b}",
               "fa_silu_{c}({a})"),
    "geglu": ("fa_gelu_{c}({a}) * {b}",  # the catalog's exact gelu
              "fa_gelu_derivative_{c}({a}) * {b}",
              "fa_gelu_{c}({a})"),
    "geglu_tanh": ("fa_gelu_tanh_{c}({a}) * {b}",  # the catalog's gelu_tanh
                   "fa_gelu_tanh_derivative_{c}({a}) * {b}",
                   "fa_gelu_tanh_{c}({a})"),
}


# the gates' kernels ("forward": NAME_halves, "backward": NAME_halves_backward)
# that start with an explicit SIMD block (as Spec.blocks): over gelu's and
# silu's tables
GLU_BLOCKS = {"geglu": ("forward", "backward"), "swiglu": ("forward", "backward")}


def glu_kernels(name: str, y: str, dy_da: str, dy_db: str) -> Iterator[Kernel]:
    formula = y.replace("_{c}", "").replace("fa_glu_", "").replace("fa_", "")
    formula = formula.replace("{", "").replace("}", "")
    yield Kernel(name + "_halves", "forward", ("a", "b"), (), ("y",), (y,), TRANSCENDENTAL,
                 "%s of the halves a, b: y = %s" % (name, formula),
                 name if "forward" in GLU_BLOCKS.get(name, ()) else "")
    yield Kernel(name + "_halves_backward", "backward", ("grad", "a", "b"), (),
                 ("grad_a", "grad_b"),
                 ("{grad} * " + dy_da, "{grad} * " + dy_db), TRANSCENDENTAL,
                 "gradients of %s_halves with respect to a and b" % name,
                 name if "backward" in GLU_BLOCKS.get(name, ()) else "")


GLU_KERNELS = tuple(k for name, exprs in GLU_GATES.items() for k in glu_kernels(name, *exprs))
