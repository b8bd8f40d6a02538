"""Generate src/fastact/_kernels/polynomials.h: the polynomial tables of
the activations (gelu's erf/erfc, expm1, tanh and tanhshrink near 0, the
derivatives of gelu, gelu_tanh, silu and mish near their root, and the
tables of 32 polynomials of float32 tanh, gelu and silu' for AVX-512): in
double; for the float32 kernels computed in float, in float (names ending
in _f); for the float32 kernels computed in double, in double to float32
accuracy (names with _fd, as the functions that use them).

Each table interpolates a smooth function at Chebyshev nodes (computed with
mpmath at 60 digits), converted to monomial coefficients for Horner's rule;
the degree is the smallest one whose rounded coefficients reach about 0.5
ulp (double, TARGET), 0.2 ulp (float, TARGET_F) or 0.05 ulp of float32
with double coefficients (TARGET_FD).  Run from the repository root:

    python tools/fit_polynomials.py > src/fastact/_kernels/polynomials.h
"""

import struct

import mpmath as mp

mp.mp.dps = 60
TARGET = 8e-17  # max relative error of the polynomial (with double coefficients)
TARGET_F = 1.2e-8  # the same for float coefficients
# float32 results computed in double: 3e-9 is 0.05 ulp of float32, so the
# one rounding to float32 stays the only error that counts
TARGET_FD = 3e-9


def cheb_fit(f, a, b, n):
    """Monomial coefficients of f's interpolant at n + 1 Chebyshev nodes."""
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos((2 * k + 1) * mp.pi / (2 * (n + 1)))
             for k in range(n + 1)]
    A = mp.matrix([[t ** j for j in range(n + 1)] for t in nodes])
    return list(mp.lu_solve(A, mp.matrix([f(t) for t in nodes])))


def _f32(x):
    """x rounded to the nearest float32."""
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def max_error(f, c, a, b, m=600, rounding=float):
    c = [mp.mpf(rounding(ci)) if rounding is float else mp.mpf(ci) for ci in c]
    worst = 0
    for t in mp.linspace(a, b, m):
        p = mp.mpf(0)
        for ci in reversed(c):
            p = p * t + ci
        worst = max(worst, abs((p - f(t)) / f(t)))
    return float(worst)


def rounded_fit(f, a, b, n, rounding, points=2000, c0=None):
    """Float coefficients: minimax of the relative error (a linear program,
    scipy) with the coefficients rounded one at a time, lowest first, the
    higher ones refitted to what the rounded ones leave: float coefficients
    lose too much when all are rounded at once."""
    import numpy as np
    from scipy.optimize import linprog

    t = np.array([float((a + b) / 2 - (b - a) / 2 * mp.cos(mp.pi * k / (points - 1)))
                  for k in range(points)])
    ft = np.array([float(f(mp.mpf(v))) for v in t])
    span = float(max(abs(a), abs(b)))
    fixed = {} if c0 is None else {0: float(c0)}
    for j in range(len(fixed), n + 1):
        free = list(range(j, n + 1))
        A = np.stack([(t / span) ** i for i in free], 1) / ft[:, None]
        rhs = 1 - sum(c * t ** i for i, c in fixed.items()) / ft
        # the solver's tolerances are absolute: scale the error to about 1
        lsq = np.linalg.lstsq(A, rhs, rcond=None)[0]
        scale = 1 / max(np.max(np.abs(A @ lsq - rhs)), 1e-15)
        cost = np.zeros(len(free) + 1)
        cost[-1] = 1
        ones = np.ones((points, 1))
        res = linprog(cost, A_ub=np.block([[A * scale, -ones], [-A * scale, -ones]]),
                      b_ub=np.concatenate([rhs, -rhs]) * scale,
                      bounds=[(None, None)] * (len(free) + 1), method="highs")
        if not res.success:
            raise ValueError(res.message)
        fixed[j] = rounding(res.x[0] / span ** j)
    return [mp.mpf(fixed[j]) for j in range(n + 1)]


def fit(f, a, b, single=False, scale=1, c0=None, target=None):
    """single: float coefficients; target: the max relative error (TARGET
    or TARGET_F by default), scale relaxes it (a term whose error reaches
    the result reduced); c0: the constant term, exact (in two parts in the
    code): the table holds the others."""
    a, b = mp.mpf(a), mp.mpf(b)
    rounding = _f32 if single else float
    target = (target or (TARGET_F if single else TARGET)) * scale
    best = None
    for n in range(3 if single else 4, 32):
        try:
            c = rounded_fit(f, a, b, n, rounding, c0=c0) if single else cheb_fit(f, a, b, n)
        except ValueError:  # the linear program did not converge: next degree
            continue
        # (rounded_fit rounds; its c0 stays exact)
        err = max_error(f, c, a, b, rounding=(lambda v: v) if single else float)
        if err < target:
            return (c if c0 is None else c[1:]), err
        best = min(best or (err, c), (err, c), key=lambda t: t[0])
    if best[0] > 3 * target:
        raise ValueError("no fit")
    return (best[1] if c0 is None else best[1][1:]), best[0]


def table(name, c, err, comment, single=False):
    print("/* %s; max relative error %.2g */" % (comment, err))
    if single:
        print("static const float %s_f[%d] = {" % (name, len(c)))
        print(",\n".join("    %rf" % _f32(float(x)) for x in c) + "};\n")
        return
    print("static const double %s[%d] = {" % (name, len(c)))
    print(",\n".join("    %r" % float(x) for x in c) + "};\n")


sigmoid = lambda x: 1 / (1 + mp.exp(-x))
SQRT_2_PI, A = mp.sqrt(2 / mp.pi), mp.mpf("0.044715")


def gelu_tanh_derivative(x):
    u = SQRT_2_PI * (x + A * x ** 3)
    return (1 + mp.tanh(u)) / 2 + x * mp.sech(u) ** 2 * SQRT_2_PI * (1 + 3 * A * x ** 2) / 2


def mish_derivative(x):
    sp = mp.log1p(mp.exp(x))
    return mp.tanh(sp) + x * mp.sech(sp) ** 2 * sigmoid(x)


DERIVATIVES = {
    "gelu": lambda x: mp.erfc(-x / mp.sqrt(2)) / 2 + x * mp.exp(-x * x / 2) / mp.sqrt(2 * mp.pi),
    "gelu_tanh": gelu_tanh_derivative,
    "silu": lambda x: sigmoid(x) * (1 + x * (1 - sigmoid(x))),
    "mish": mish_derivative,
}
# |x - x0| below which f' comes from the polynomial: where the formula's
# cancellation could cost more than about 2 ulp
ROOT_RADIUS = {"gelu": 0.5, "gelu_tanh": 0.5, "silu": 0.5, "mish": 1.25}
# the float tables (float32 kernels, evaluated in float or double): radius
# and how far the target is relaxed (mish'' at the root rounds to float with
# a relative error of 4e-8, the floor for float coefficients)
ROOT_RADIUS_F = {"silu": (0.25, 1), "mish": (0.25, 4)}

print("/* polynomials.h -- generated by tools/fit_polynomials.py; do not edit. */")
print("#ifndef FASTACT_POLYNOMIALS_H\n#define FASTACT_POLYNOMIALS_H\n")

# gelu in double (activations.h): Phi(x) = 1/2 + x E(x^2) and
# gelu'(x) = 1/2 + x E'(x^2) for |x| < A0, u erfcx(u / sqrt 2) = F(Y),
# Y = (u - C) / (u + C), for A0 <= u <= U_MAX (gelu(-38.7) underflows)
SQRT2, SQRT_2PI = mp.sqrt(2), mp.sqrt(2 * mp.pi)
A0, C, U_MAX = 1 / SQRT2, 4, 39
print("#define FA_GELU_A0 %r\n#define FA_GELU_C %r\n#define FA_GELU_U_MAX %r"
      % (float(A0), float(C), float(U_MAX)))
small = lambda w: mp.erf(mp.sqrt(w) / SQRT2) / (2 * mp.sqrt(w)) if w > 1e-40 else 1 / SQRT_2PI
table("fa_gelu_small_poly", *fit(small, 0, A0 ** 2),
      "(Phi(x) - 1/2) / x on |x| < A0, in w = x^2 (the constant is 1 / sqrt(2 pi))")
small_d = lambda w: small(w) + mp.exp(-w / 2) / SQRT_2PI
table("fa_gelu_small_derivative_poly", *fit(small_d, 0, A0 ** 2),
      "(gelu'(x) - 1/2) / x on |x| < A0, in w = x^2")
u_of = lambda Y: C * (1 + Y) / (1 - Y)
table("fa_gelu_tail_poly", *fit(lambda Y: u_of(Y) * mp.erfc(u_of(Y) / SQRT2) * mp.exp(u_of(Y) ** 2 / 2),
                                (A0 - C) / (A0 + C), mp.mpf(U_MAX - C) / (U_MAX + C)),
      "u erfcx(u / sqrt 2) on A0 <= u <= U_MAX, in Y = (u - C) / (u + C)")

# expm1(r) = r + r^2 p(r) on |r| <= ln2 / 2 (and a little: the reduced
# argument of fa_exp_mul_dd carries the low part of exp's argument)
ln2_2 = mp.log(2) / 2
expm1_rest = lambda r: (mp.expm1(r) - r) / r ** 2 if abs(r) > 1e-30 else mp.mpf(1) / 2
table("fa_expm1_rest_poly", *fit(expm1_rest, -ln2_2 - mp.mpf(0.01), ln2_2 + mp.mpf(0.01)),
      "(expm1(r) - r) / r^2 on |r| <= ln2 / 2 + 0.01")

# log1p(e) = e L(e) on [0, 1] to float accuracy (the float32 kernels that
# compute softplus in double)
L = lambda e: mp.log1p(e) / e if e > 1e-40 else mp.mpf(1)
table("fa_log1p_fd_poly", *fit(L, 0, 1, target=TARGET_FD),
      "log1p(e) / e on [0, 1], to float accuracy")

# tanh(x) = x - x^3 R(w), w = x^2; tanhshrink = x^3 R as x^3 (1/3 + w R1(w)),
# 1/3 in two parts in the code
R = lambda w: (mp.sqrt(w) - mp.tanh(mp.sqrt(w))) / mp.sqrt(w) ** 3 if w > 1e-40 else mp.mpf(1) / 3
R1 = lambda w: (R(w) - mp.mpf(1) / 3) / w if w > 1e-30 else mp.mpf(-2) / 15
for single in (False, True):
    # tanh = x - x^3 R: the error of R reaches tanh reduced by w R / (1 - w R) < 0.31
    table("fa_tanh_poly", *fit(R, 0, 1, single, 3), "(x - tanh x) / x^3 on |x| <= 1, in w = x^2",
          single)
    # The float table: R fitted with its constant term 1/3 exact.  The double
    # one: R1 = (R - 1/3) / w in s = w - W0; R1 alternates in w (its pole
    # is at w = -pi^2/4), so Horner in w loses ~2 ulp at the top of the
    # range, in s almost nothing.
    if single:
        table("fa_tanhshrink_poly", *fit(R, 0, 1.5625, True, c0=mp.mpf(1) / 3),
              "((x - tanh x) / x^3 - 1/3) / x^2 on |x| <= 1.25, in w = x^2", single)
    else:
        W0 = mp.mpf(25) / 32
        print("#define FA_TANHSHRINK_W0 %r" % float(W0))
        table("fa_tanhshrink_poly", *fit(lambda s: R1(s + W0), -W0, W0),
              "((x - tanh x) / x^3 - 1/3) / x^2 on |x| <= 1.25, in s = x^2 - W0", single)


def root_table(name, df, target=TARGET):
    """f'(x) = d p(d) near the root x0 of f': FA_<name>_X0_HI/_LO/_RADIUS
    and fa_<name>_root_poly, for FA_NEAR_ROOT / FA_ROOT_POLY."""
    base = name[:-3] if name.endswith("_fd") else name
    x0 = mp.findroot(df, -1.0)
    h = lambda d: df(x0 + d) / d if abs(d) > 1e-25 else mp.diff(df, x0)
    hi = float(x0)
    r = ROOT_RADIUS[base]
    print("/* %s'(x) = d p(d) with d = x - x0 (x0 = X0_HI + X0_LO, the root of %s'),"
          " |d| < RADIUS */" % (name, base))
    print("#define FA_%s_X0_HI %r\n#define FA_%s_X0_LO %r\n#define FA_%s_RADIUS %r"
          % (name, hi, name, float(x0 - mp.mpf(hi)), name, r))
    table("fa_%s_root_poly" % name, *fit(h, -r, r, target=target), "p")
    if name in ROOT_RADIUS_F:
        (r, relax), hf = ROOT_RADIUS_F[name], _f32(hi)
        print("/* float: the same with X0_HI_f + X0_LO_f, |d| < RADIUS_f */")
        print("#define FA_%s_X0_HI_f %rf\n#define FA_%s_X0_LO_f %rf\n#define FA_%s_RADIUS_f %rf"
              % (name, hf, name, _f32(float(x0 - mp.mpf(hf))), name, r))
        table("fa_%s_root_poly" % name, *fit(h, -r, r, True, relax), "p", True)


for name, df in DERIVATIVES.items():
    root_table(name, df)


TABLE_DEGREE = 6  # the tables of 32 polynomials: activations.h evaluates rows 1..7


def _bits_f(b):
    return struct.unpack("f", struct.pack("I", b))[0]


def _f_bits(v):
    return struct.unpack("I", struct.pack("f", v))[0]


def table_intervals(first, count):
    """The intervals of fa_table_index_f(bits, first) (activations.h):
    k = (bits(|x|) >> 21) - first, 4 per binade from k = 1; k = 0 below."""
    starts = [0.0] + [_bits_f((first + k) << 21) for k in range(1, count)]
    return list(zip(starts, starts[1:] + [_bits_f((first + count) << 21)]))


def accurate_point(f, a, b, search=1500):
    """A float x0 near the middle of [a, b) whose f(x0) is nearly a float
    (Gal's accurate tables): c0 = float32(f(x0)) is then exact to ~0.001
    ulp, and the polynomial's other terms are small corrections."""
    def ulps_off(x0):
        t = f(_bits_f(x0))
        return abs(t - _f32(t)) / (mp.mpf(2) ** -24 * 2 ** mp.floor(mp.log(abs(_f32(t)), 2) + 1))
    mid = _f_bits(_f32((a + b) / 2))
    return _bits_f(min(range(mid - search, mid + search), key=ulps_off))


def relative_fit(f, a, b, x0, points=1500, c0=None):
    """c0 + c1 d + ... + c6 d^6 (d = x - x0) for f on [a, b): c0 =
    float32(f(x0)) (or as given), the rest weighted least squares of the
    relative error at Chebyshev nodes; float coefficients."""
    import numpy as np

    x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (np.arange(points) + 0.5) / points)
    fx = np.array([float(f(v)) for v in x])
    c0 = _f32(f(x0)) if c0 is None else c0
    d = x - x0
    V = np.stack([d ** j for j in range(1, TABLE_DEGREE + 1)], 1)
    c = np.concatenate([[c0], np.linalg.lstsq(V / fx[:, None], (fx - c0) / fx, rcond=None)[0]])
    return [_f32(v) for v in c]


def root_fit(f, a, b, x0, points=1500):
    """As relative_fit where f has a root x0 (a float) or one within an ulp
    of it, in or near [a, b): c0 = float32(f(x0)) and q(d) = (f - c0) / d
    fitted relative to q, so c0 + d q(d) keeps the relative error of q and
    c0 also near the root, where f is small."""
    import numpy as np

    x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (np.arange(points) + 0.5) / points)
    c0 = _f32(f(x0))
    q = np.array([float((f(mp.mpf(v)) - c0) / (mp.mpf(v) - x0)) for v in x])
    V = np.stack([(x - x0) ** j for j in range(TABLE_DEGREE)], 1)
    return [c0] + [_f32(v) for v in np.linalg.lstsq(V / q[:, None], q / q, rcond=None)[0]]


def max_relative_error(f, rows, intervals, m=400):
    import numpy as np

    worst = 0.0
    for (a, b), (x0, *c) in zip(intervals, rows):
        x = np.linspace(a, b, m)
        fx = np.array([float(f(v)) for v in x])
        p = np.polyval(np.array(c[::-1]), x - x0)
        worst = max(worst, float(np.max(np.abs(p - fx)[fx != 0] / np.abs(fx[fx != 0]))))
    return worst


def print_table(name, rows, comment, degree=TABLE_DEGREE):
    """rows[k] = [x0, c0, ..., c_degree] per interval, printed by column."""
    rows = rows + [rows[-1]] * (32 - len(rows))
    print(comment)
    print("static const float %s[%d][32] = {" % (name, degree + 2))
    print(",\n".join("    {%s}" % ", ".join("%rf" % _f32(r[j]) for r in rows)
                     for j in range(degree + 2)) + "};\n")


def tanh_table():
    """float32 tanh as 32 polynomials of |x| (AVX-512's two-register table
    lookup, activations.h): interval k = (bits(|x|) >> 21) - 491, clamped
    to [0, 31], which is 4 intervals per binade from 2^-4 to 8 (k = 1..28),
    [8, 10), [10, 12), and k = 0 below 2^-4, 31 from 12 on (tanh = 1).  On
    k = 0 the odd x + c3 x^3 + c5 x^5; elsewhere p(d), d = |x| - x0, with x0
    a float near the interval's middle whose tanh is nearly a float (Gal's
    accurate tables), so c0 = float32(tanh x0) is exact to 0.001 ulp.
    Weighted least squares of the relative error at Chebyshev nodes."""
    import numpy as np

    intervals = table_intervals(491, 31)
    rows = []
    for k, (a, b) in enumerate(intervals):
        if k == 0:
            points = 1500
            x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (np.arange(points) + 0.5) / points)
            f = np.array([float(mp.tanh(v)) for v in x])
            V = np.stack([x ** 3, x ** 5], 1)
            c35 = np.linalg.lstsq(V / f[:, None], (f - x) / f, rcond=None)[0]
            c = [0.0] * (TABLE_DEGREE + 1)
            c[1], c[3], c[5] = 1, _f32(c35[0]), _f32(c35[1])
            rows.append([0.0] + c)
        else:
            x0 = accurate_point(mp.tanh, a, b)
            rows.append([x0] + relative_fit(mp.tanh, a, b, x0))
    worst = max_relative_error(mp.tanh, rows, intervals)
    rows.append([intervals[-1][1], 1.0] + [0.0] * TABLE_DEGREE)  # from 12 on: 1
    print_table("fa_tanh_table_f", rows,
                "/* tanh(|x|) on the 32 intervals of fa_table_index_f(bits, 491): row 0 the"
                " points x0, row j + 1\n   the coefficients of d^j, d = |x| - x0; max relative"
                " error %.2g */" % worst)


tanh_table()


def exp_product_tables(name, first, count, functions, root_guess, last_rows=None):
    """The tables of a function f = relu(x) - e G(u), f' = (x >= 0 ? 1 -
    e D(u) : e D(u)) with u = |x| and e a decaying exponential (gelu's and
    silu's on AVX-512, activations.h): G and D (functions, by name) each
    as polynomials of u on the first count intervals of
    fa_table_index_f(bits, first): interval 0 with x0 = 0, the others x0
    accurate points (Gal), but D's root as x0 of the intervals it is in or
    near (root_fit), so f' keeps its relative error near its root.  last_rows:
    the rows of the intervals after count, by name (else copies of the
    last fitted row)."""
    root = mp.findroot(functions["D"], root_guess)
    intervals = table_intervals(first, count)
    for part, f in functions.items():
        rows = []
        for k, (a, b) in enumerate(intervals):
            if part == "D" and a - (b - a) / 4 < root < b + (b - a) / 4:
                x0 = _f32(root)
                rows.append([x0] + root_fit(f, a, b, x0))
            else:
                x0 = 0.0 if k == 0 else accurate_point(f, a, b)
                rows.append([x0] + relative_fit(f, a, b, x0))
        extra = (last_rows or {}).get(part, [])
        print_table("fa_%s_%s_table_f" % (name, part), rows + extra,
                    "/* %s(u) on the intervals of fa_table_index_f(bits, %d) (%d%s), rows as\n"
                    "   fa_tanh_table_f's; max relative error %.2g */"
                    % (part, first, count, " and %d exact" % len(extra) if extra
                       else " and copies of the last", max_relative_error(f, rows, intervals)))


def gelu_tables():
    """float32 gelu on AVX-512: e = exp(-u^2/2), G = u erfcx(u / sqrt 2) / 2
    and D = erfcx(u / sqrt 2) / 2 - u / sqrt(2 pi) on the intervals of
    fa_table_index_f(bits, 495): below 2^-3, then 4 per binade to 16
    (D's root 0.7518: gelu' = 0 at -0.7518)."""
    erfcx = lambda z: mp.exp(z * z) * mp.erfc(z)
    exp_product_tables("gelu", 495, 29, {"G": lambda u: u * erfcx(u / SQRT2) / 2,
                                         "D": lambda u: erfcx(u / SQRT2) / 2 - u / SQRT_2PI},
                       0.75)


gelu_tables()


def silu_tables():
    """float32 silu' on AVX-512: e = exp(-u), D = (1 - u + e) / (1 + e)^2
    on the intervals of fa_table_index_f(bits, 495): below 2^-3, then 4 per
    binade to 16, [16, 20), [20, 24) (D's root 1.2785: silu' = 0 at
    -1.2785); from 24 on, where e is below 2^-34, D = 1 - u exactly
    (x0 = 1, c1 = -1).  silu itself: silu_sigmoid_table."""
    e = lambda u: mp.exp(-u)
    exact_row = [1.0, 0.0, -1.0] + [0.0] * (TABLE_DEGREE - 1)
    exp_product_tables("silu", 495, 31, {"D": lambda u: (1 - u + e(u)) / (1 + e(u)) ** 2},
                       1.28, {"D": [exact_row]})


def sequential_relative_fit(f, a, b, x0, degree=TABLE_DEGREE, points=1500, iterations=30):
    """As relative_fit, nearer minimax and with the coefficients' rounding
    compensated: c1, ..., c_degree in turn, each the first of a fit of the
    residual left by the rounded ones before it, its weights reweighted
    toward the largest relative errors (Lawson's iteration).  8x smaller
    errors than relative_fit on silu_sigmoid_table's intervals."""
    import numpy as np

    x = (a + b) / 2 + (b - a) / 2 * np.cos(np.pi * (np.arange(points) + 0.5) / points)
    fx = np.array([float(f(v)) for v in x])
    d = x - x0
    c = [_f32(f(x0))]
    for j in range(1, degree + 1):
        V = np.stack([d ** i for i in range(j, degree + 1)], 1)
        residual = fx - sum(ci * d ** i for i, ci in enumerate(c))
        w = np.ones_like(fx)
        for _ in range(iterations):
            sol = np.linalg.lstsq(V * (w / fx)[:, None], residual * w / fx, rcond=None)[0]
            w = w * np.sqrt(np.abs(residual - V @ sol) / np.abs(fx) + 1e-30)
            w /= w.max()
        c.append(_f32(sol[0]))
    return c


SILU_TABLE_SCALE = 1.6  # silu's intervals: k = (int)(u * 1.6f), width 0.625
SILU_U_MAX = 19.5  # and u clamped below 20 = 32 intervals


def silu_sigmoid_table():
    """float32 silu on AVX-512: S(u) = sigmoid(-u) for u = |x| on 32
    intervals of equal width (sigmoid(-u) falls as e^-u: one width serves
    all), k = (int)(u * SILU_TABLE_SCALE), so silu = relu(x) - u S(u) has
    no exp and no division for x > -SILU_U_MAX (with u = SILU_U_MAX
    beyond, for x > 0, u S(u) is below half an ulp of x)."""
    w = 1 / SILU_TABLE_SCALE
    # u * 1.6f rounds: the intervals' ends move by an ulp, so fit a little beyond
    intervals = [(max(k * w - 1e-6, 0.0), (k + 1) * w + 1e-6) for k in range(32)]
    S = lambda u: 1 / (1 + mp.exp(u))
    rows = [[x0] + sequential_relative_fit(S, a, b, x0)
            for a, b in intervals for x0 in [accurate_point(S, a, b, 300)]]
    print("#define FA_SILU_TABLE_SCALE %rf\n#define FA_SILU_TABLE_U_MAX %rf"
          % (SILU_TABLE_SCALE, SILU_U_MAX))
    print_table("fa_silu_S_table_f", rows,
                "/* silu's S(u) = sigmoid(-u) on [0.625 k, 0.625 (k + 1)), rows as\n"
                "   fa_tanh_table_f's; max relative error %.2g */"
                % max_relative_error(S, rows, intervals))


silu_tables()
silu_sigmoid_table()


SILU_D_INTERVALS = 16  # float64 silu's tables: k = round(1.6 u), to u = 9.6875


def centred_fit(f, a, b, n, c):
    """Coefficients in d = x - c of f's interpolant at n + 1 Chebyshev
    nodes of [a, b]."""
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos((2 * k + 1) * mp.pi / (2 * (n + 1)))
             for k in range(n + 1)]
    A = mp.matrix([[(t - c) ** j for j in range(n + 1)] for t in nodes])
    return list(mp.lu_solve(A, mp.matrix([f(t) for t in nodes])))


def double_table(name, f, root=None):
    """float64 silu and silu' on AVX-512 (activations.h): f on 16 intervals
    of u = |x| centred on 0.625 k (k = round(1.6 u): the first is half as
    wide), the polynomial of each in d = u - x0 with x0 = 0.625 k, or root
    (a double within an ulp of f's root) in its interval, where f =
    (u - root) q(u) is fitted through q: relative accuracy where f
    vanishes.  The root (P's, 1.2785) is then well inside its interval: at
    an end, the next interval's c0 would cancel against the rest (8.5 ulp
    with intervals starting at 0.625 k, the root near 1.25).  Prints the
    rows c0 (the high part), c0's low part, c1, ..., c_degree (double) of
    the smallest degree whose max relative error (rounded coefficients,
    exact arithmetic) is below TARGET; returns the x0."""
    w = 1 / mp.mpf(SILU_TABLE_SCALE)
    for degree in range(8, 24):
        rows, centres, worst = [], [], 0
        for k in range(SILU_D_INTERVALS):
            # 1.6 u rounds: the ends move by an ulp, so fit a little beyond
            a, b = max((k - mp.mpf(0.5)) * w - mp.mpf(1e-12), 0), (k + mp.mpf(0.5)) * w + mp.mpf(1e-12)
            x0 = mp.mpf(float(k * w))
            if root is not None and a <= root < b:
                x0 = mp.mpf(float(root))
                q = lambda t: f(t) / (t - root) if abs(t - root) > 1e-30 else mp.diff(f, root)
                qc = centred_fit(q, a, b, degree - 1, x0)  # f = (d + x0 - root) q
                c = [(x0 - root) * qc[0]] + [qc[j - 1] + (x0 - root) * qc[j]
                                             for j in range(1, degree)] + [qc[-1]]
            else:
                c = centred_fit(f, a, b, degree, x0)
            hi = float(c[0])
            row = [hi, float(c[0] - hi)] + [float(v) for v in c[1:]]
            exact = [mp.mpf(row[0]) + mp.mpf(row[1])] + [mp.mpf(v) for v in row[2:]]
            points = list(mp.linspace(a, b, 300)) + [x0 + h for h in (1e-15, -1e-15, 1e-8, -1e-8)]
            for t in points:
                p = mp.polyval(exact[::-1], t - x0)
                worst = max(worst, abs(p / f(t) - 1))
            rows.append(row)
            centres.append(float(x0))
        if worst < TARGET:
            break
    print("/* %s: degree %d; max relative error %.2g */" % (name, degree, worst))
    print("static const double %s[%d][%d] = {" % (name, degree + 2, SILU_D_INTERVALS))
    print(",\n".join("    {%s}" % ", ".join(repr(r[j]) for r in rows)
                     for j in range(degree + 2)) + "};\n")
    return centres


def silu_double_tables():
    """float64 silu and silu' on AVX-512, without exp or division: silu =
    relu(x) - u S(u), S(u) = sigmoid(-u), and silu' = P(u) (x < 0) or
    1 - P(u) (x >= 0), P(u) = silu'(-u) (its root at u = 1.2785 in the
    third interval, P's x0 there), both for u = |x| <
    FA_SILU_TABLE_U_MAX_D; the quotient forms beyond."""
    print("#define FA_SILU_TABLE_SCALE_D %r\n#define FA_SILU_TABLE_WIDTH_D %r\n"
          "#define FA_SILU_TABLE_U_MAX_D %r"
          % (SILU_TABLE_SCALE, 1 / SILU_TABLE_SCALE, (SILU_D_INTERVALS - 0.5) / SILU_TABLE_SCALE))
    P = lambda u: DERIVATIVES["silu"](-u)
    double_table("fa_silu_S_table_d", lambda u: 1 / (1 + mp.exp(u)))
    centres = double_table("fa_silu_P_table_d", P, mp.findroot(P, 1.28))
    print("/* P's x0: 0.625 k, but the root's interval */")
    print("static const double fa_silu_P_x0_d[%d] = {%s};\n"
          % (SILU_D_INTERVALS, ", ".join(repr(c) for c in centres)))


silu_double_tables()


GELU_H_DEGREE = 8
GELU_H_SHIFT, GELU_H_END = 4, 9  # gelu's intervals: u (u + 4) uniform on [0, 9 * 13)


def gelu_h_table():
    """float32 gelu on AVX-512: H(u) = u Phi(-u) (Phi the normal
    distribution function) for u = |x| on 32 intervals, interval k where
    u (u + GELU_H_SHIFT) FA_GELU_H_SCALE is in [k, k + 1): Phi(-u) falls as
    e^(-u^2/2), so by a factor e^(-u w) across an interval of width w, and
    these widths (~1.6 / u from u = 2 on) keep that factor the same; the
    shift narrows the intervals near 0 (the first ends at 0.767).  Degree
    8, so gelu = relu(x) - H(u) with no exp for x > -FA_GELU_H_U_MAX (and
    for x > 0 beyond: H(u) is below 1e-17 there)."""
    import numpy as np

    scale = _f32(32 / (GELU_H_END * (GELU_H_END + GELU_H_SHIFT)))
    ends = [float((-GELU_H_SHIFT + mp.sqrt(GELU_H_SHIFT ** 2 + 4 * k / mp.mpf(scale))) / 2)
            for k in range(33)]
    # the float index rounds: the intervals' ends move by an ulp, so fit a little beyond
    intervals = [(max(a - 1e-6, 0.0), b + 1e-6) for a, b in zip(ends, ends[1:])]
    H = lambda u: u * mp.erfc(u / SQRT2) / 2
    rows = [[x0] + sequential_relative_fit(H, a, b, x0, GELU_H_DEGREE)
            for k, (a, b) in enumerate(intervals)
            for x0 in [0.0 if k == 0 else accurate_point(H, a, b, 300)]]
    # u_max: a float whose index is 31 with a margin for the index's roundings
    u_max = _f32(GELU_H_END - 0.01)
    assert u_max * (u_max * scale + _f32(GELU_H_SHIFT * scale)) < 31.99
    print("#define FA_GELU_H_SCALE %rf\n#define FA_GELU_H_SHIFT_SCALED %rf\n"
          "#define FA_GELU_H_U_MAX %rf\n#define FA_GELU_H_DEGREE %d"
          % (scale, _f32(GELU_H_SHIFT * scale), u_max, GELU_H_DEGREE))
    print_table("fa_gelu_H_table_f", rows,
                "/* gelu's H(u) = u Phi(-u) on the intervals of u (u + %d) %r in [k, k + 1),\n"
                "   rows x0, c0, ..., c%d; max relative error %.2g */"
                % (GELU_H_SHIFT, scale, GELU_H_DEGREE,
                   max_relative_error(H, rows, [(max(a, 1e-3), b) for a, b in intervals])),
                GELU_H_DEGREE)


gelu_h_table()

# ---- float32 kernels computed in double (activations.h, "float32 results
# computed in double"): to TARGET_FD

print("/* exp(r) = 1 + r + r^2 p(r) on |r| <= ln2 / 2 */")
table("fa_exp_fd_poly", *fit(expm1_rest, -ln2_2, ln2_2, target=TARGET_FD), "p")

# erfcx(u / sqrt 2) = 1 + (1 + Y) R(Y), Y = (u - C) / (u + C), on 0 <= u <= 15:
# float32's gelu(x) rounds to x or -0.0 beyond, so one polynomial serves
# every u, and erfcx is exactly 1 where Y rounds to -1 (tiny u)
C, U_MAX = 4, 15
u_of = lambda Y: C * (1 + Y) / (1 - Y)
erfcx_R = lambda Y: ((mp.erfc(u_of(Y) / mp.sqrt(2)) * mp.exp(u_of(Y) ** 2 / 2) - 1) / (1 + Y)
                     if Y > -1 + mp.mpf(10) ** -30 else -C / mp.sqrt(2 * mp.pi))
print("#define FA_GELU_FD_C %r\n#define FA_GELU_FD_U_MAX %r" % (float(C), float(U_MAX)))
table("fa_gelu_erfcx_fd_poly", *fit(erfcx_R, -1, mp.mpf(U_MAX - C) / (U_MAX + C), target=TARGET_FD),
      "R = (erfcx(u / sqrt 2) - 1) / (1 + Y) on 0 <= u <= %d, Y = (u - %d) / (u + %d)"
      % (U_MAX, C, C))

for name in ("gelu", "gelu_tanh"):
    root_table(name + "_fd", DERIVATIVES[name], TARGET_FD)

print("#endif")
