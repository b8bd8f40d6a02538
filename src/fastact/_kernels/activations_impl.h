/*
 * activations_impl.h -- included by activations.h once per FA_T; see there.
 * No include guard on purpose.  Integer constants need no FA_K (C converts
 * them to FA_T exactly); non-integer ones do.
 */

/* ---- sigmoid: 1 / (1 + exp(-x)) ----------------------------------------
 * With e = exp(-|x|) in (0, 1] nothing overflows: sigmoid = 1 / (1 + e) for
 * x > 0 and e / (1 + e) otherwise, and sigmoid' = e / (1 + e)^2, accurate
 * in both tails (s * (1 - s) would cancel for large x). */
FA_INLINE FA_T FA_F(fa_sigmoid)(FA_T x)
{
    FA_T e = FA_F(fa_exp)(-FA_F(fa_abs)(x));
    FA_T r = 1 / (1 + e);
    return x > 0 ? r : e * r;
}
FA_INLINE FA_T FA_F(fa_sigmoid_derivative)(FA_T x)
{
    FA_T e = FA_F(fa_exp)(-FA_F(fa_abs)(x));
    FA_T r = 1 / (1 + e);
    return (e * r) * r;
}
FA_INLINE FA_T FA_F(fa_sigmoid_derivative_from_y)(FA_T y) { return y * (1 - y); }

/* ---- tanh ---------------------------------------------------------------
 * With m = expm1(-2|x|) in (-1, 0]: tanh|x| = -m / (2 + m), no cancellation
 * near 0, and tanh' = 4 exp(-2|x|) / (2 + m)^2, accurate where tanh -> 1. */
FA_INLINE FA_T FA_F(fa_tanh)(FA_T x)
{
    FA_T m;
    FA_F(fa_exp_expm1)(-2 * FA_F(fa_abs)(x), &m);
    return FA_F(fa_copysign)(-m / (2 + m), x);
}
FA_INLINE FA_T FA_F(fa_tanh_derivative)(FA_T x)
{
    FA_T m;
    FA_T e = FA_F(fa_exp_expm1)(-2 * FA_F(fa_abs)(x), &m);
    FA_T u = 2 + m;
    return (4 * e) / (u * u);
}
/* 1 - y^2 as (1 - y)(1 + y): 1 - y is exact for y near 1. */
FA_INLINE FA_T FA_F(fa_tanh_derivative_from_y)(FA_T y) { return (1 - y) * (1 + y); }

/* ---- relu: max(x, 0), as np.maximum(x, 0): relu(-0.0) = +0.0 ------------
 * Derivative 1 for x > 0, 0 for x <= 0 (at 0, as torch), NaN for NaN. */
FA_INLINE FA_T FA_F(fa_relu)(FA_T x) { return x <= 0 ? 0 : x; }
FA_INLINE FA_T FA_F(fa_relu_derivative)(FA_T x)
{
    return x > 0 ? 1 : (x <= 0 ? 0 : x);
}
FA_INLINE FA_T FA_F(fa_relu_derivative_from_y)(FA_T y)
{
    return FA_F(fa_relu_derivative)(y);
}

/* ---- leaky_relu: x if x > 0 else negative_slope * x -------------------
 * A zero slope gives 0 (not 0 * -inf = NaN) for every non-NaN x <= 0. */
FA_INLINE FA_T FA_F(fa_leaky_relu)(FA_T x, FA_T negative_slope)
{
    FA_T negative = negative_slope == 0 && x == x ? 0 : negative_slope * x;
    return x > 0 ? x : negative;
}
FA_INLINE FA_T FA_F(fa_leaky_relu_derivative)(FA_T x, FA_T negative_slope)
{
    return x > 0 ? 1 : (x <= 0 ? negative_slope : x);
}

/* ---- relu6: min(max(x, 0), 6), +0.0 at -0.0 as relu ---------------------- */
FA_INLINE FA_T FA_F(fa_relu6)(FA_T x) { return x <= 0 ? 0 : (x >= 6 ? 6 : x); }
/* 1 on the open interval (0 and 6 are kinks with derivative 0, as torch) */
FA_INLINE FA_T FA_F(fa_relu6_derivative)(FA_T x)
{
    return x > 0 && x < 6 ? 1 : (x == x ? 0 : x);
}
FA_INLINE FA_T FA_F(fa_relu6_derivative_from_y)(FA_T y)
{
    return FA_F(fa_relu6_derivative)(y);
}

/* ---- hardtanh: clamp to [min_val, max_val]; -0.0 stays -0.0 --------------- */
FA_INLINE FA_T FA_F(fa_hardtanh)(FA_T x, FA_T min_val, FA_T max_val)
{
    return x < min_val ? min_val : (x > max_val ? max_val : x);
}
/* y is inside (min_val, max_val) exactly when x is */
FA_INLINE FA_T FA_F(fa_hardtanh_derivative_from_y)(FA_T y, FA_T min_val, FA_T max_val)
{
    return y > min_val && y < max_val ? 1 : (y == y ? 0 : y);
}
FA_INLINE FA_T FA_F(fa_hardtanh_derivative)(FA_T x, FA_T min_val, FA_T max_val)
{
    return FA_F(fa_hardtanh_derivative_from_y)(x, min_val, max_val);
}

/* ---- elu, selu, celu: alpha * expm1(x) for x <= 0 --------------------------
 * expm1 keeps -0.0 (elu(-0.0) = -0.0) and tiny inputs exact.  The
 * derivatives use x: y + alpha would cancel where y -> -alpha. */
FA_INLINE FA_T FA_F(fa_elu)(FA_T x, FA_T alpha)
{
    return x > 0 ? x : alpha * FA_F(fa_expm1)(x);
}
/* alpha exp(x) in double, rounded once where it is subnormal */
FA_INLINE FA_T FA_F(fa_elu_derivative)(FA_T x, FA_T alpha)
{
    return x > 0 ? 1 : (FA_T)fa_exp_mul_d(x, 0.0, alpha);
}

/* scale * elu(x, alpha) with torch's constants; scale * alpha rounded once */
#define FA_SELU_SCALE FA_K(1.0507009873554804934193349852946)
#define FA_SELU_SCALE_ALPHA FA_K(1.7580993408473768599402175208123)
FA_INLINE FA_T FA_F(fa_selu)(FA_T x)
{
    return x > 0 ? FA_SELU_SCALE * x : FA_SELU_SCALE_ALPHA * FA_F(fa_expm1)(x);
}
FA_INLINE FA_T FA_F(fa_selu_derivative)(FA_T x)
{
    return x > 0 ? FA_SELU_SCALE : (FA_T)fa_exp_mul_d(x, 0.0, 1.7580993408473768);
}
#undef FA_SELU_SCALE
#undef FA_SELU_SCALE_ALPHA

/* celu: in double for float32 too, with x / alpha to twice the precision */
FA_INLINE FA_T FA_F(fa_celu)(FA_T x, FA_T alpha)
{
    return (FA_T)fa_celu_core_d(x, alpha);
}
FA_INLINE FA_T FA_F(fa_celu_derivative)(FA_T x, FA_T alpha)
{
    return (FA_T)fa_celu_derivative_core_d(x, alpha);
}

/* ---- gelu (exact and tanh): computed in double, from the cores of
 * activations.h, fa_NAME_core_d for double and fa_NAME_core_f (float32
 * accuracy, cheaper) for float. */
FA_INLINE FA_T FA_F(fa_gelu)(FA_T x) { return (FA_T)FA_F(fa_gelu_core)(x); }
FA_INLINE FA_T FA_F(fa_gelu_derivative)(FA_T x) { return (FA_T)FA_F(fa_gelu_derivative_core)(x); }
FA_INLINE FA_T FA_F(fa_gelu_tanh)(FA_T x) { return (FA_T)FA_F(fa_gelu_tanh_core)(x); }
FA_INLINE FA_T FA_F(fa_gelu_tanh_derivative)(FA_T x)
{
    return (FA_T)FA_F(fa_gelu_tanh_derivative_core)(x);
}

/* ---- silu, mish, log_sigmoid ----------------------------------------------
 * Computed in double for float32 as well: the cores fa_NAME_core_d and
 * fa_NAME_derivative_core_d of activations.h (a float32 sigmoid(-100) is
 * already subnormal). */
#define FA_FROM_DOUBLE_CORES(name) \
    FA_INLINE FA_T FA_F(fa_##name)(FA_T x) { return (FA_T)fa_##name##_core_d(x); } \
    FA_INLINE FA_T FA_F(fa_##name##_derivative)(FA_T x) \
    { \
        return (FA_T)fa_##name##_derivative_core_d(x); \
    }
FA_FROM_DOUBLE_CORES(silu)
FA_FROM_DOUBLE_CORES(mish)
FA_FROM_DOUBLE_CORES(log_sigmoid)
#undef FA_FROM_DOUBLE_CORES

FA_INLINE FA_T FA_F(fa_softplus)(FA_T x, FA_T beta, FA_T threshold)
{
    return (FA_T)fa_softplus_core_d(x, beta, threshold);
}
FA_INLINE FA_T FA_F(fa_softplus_derivative)(FA_T x, FA_T beta, FA_T threshold)
{
    return (FA_T)fa_softplus_derivative_core_d(x, beta, threshold);
}

/* sigmoid(-x) = 1 - exp(y), accurate where it is tiny (y -> -0) */
FA_INLINE FA_T FA_F(fa_log_sigmoid_derivative_from_y)(FA_T y)
{
    return -FA_F(fa_expm1)(y);
}

FA_INLINE FA_T FA_F(fa_tanhshrink)(FA_T x) { return (FA_T)fa_tanhshrink_core_d(x); }
/* 1 - tanh'(x) = tanh(x)^2 */
FA_INLINE FA_T FA_F(fa_tanhshrink_derivative)(FA_T x)
{
    FA_T t = FA_F(fa_tanh)(x);
    return t * t;
}

/* ---- softsign: x / (1 + |x|) ---------------------------------------------- */
FA_INLINE FA_T FA_F(fa_softsign)(FA_T x)
{
    FA_T ax = FA_F(fa_abs)(x);
    return ax == (FA_T)INFINITY ? FA_F(fa_copysign)(1, x) : x / (1 + ax);
}
/* 1 / (1 + |x|)^2 as r * r: (1 + |x|)^2 would overflow where r^2 is a
 * subnormal */
FA_INLINE FA_T FA_F(fa_softsign_derivative)(FA_T x)
{
    FA_T r = 1 / (1 + FA_F(fa_abs)(x));
    return r * r;
}
FA_INLINE FA_T FA_F(fa_softsign_derivative_from_y)(FA_T y)
{
    FA_T r = 1 - FA_F(fa_abs)(y);
    return r * r;
}

/* ---- hardsigmoid: relu6(x + 3) / 6 ----------------------------------------
 * (x + 3) / 6, not x / 6 + 0.5, which cancels near x = -3. */
FA_INLINE FA_T FA_F(fa_hardsigmoid)(FA_T x)
{
    return x <= -3 ? 0 : (x >= 3 ? 1 : (x + 3) / 6);
}
FA_INLINE FA_T FA_F(fa_hardsigmoid_derivative_from_y)(FA_T y)
{
    return y > 0 && y < 1 ? FA_K(1) / 6 : (y == y ? 0 : y);
}
FA_INLINE FA_T FA_F(fa_hardsigmoid_derivative)(FA_T x)
{
    return x > -3 && x < 3 ? FA_K(1) / 6 : (x == x ? 0 : x);
}

/* ---- hardswish: x * relu6(x + 3) / 6, -0.0 for x <= -3 as torch ---------- */
FA_INLINE FA_T FA_F(fa_hardswish)(FA_T x)
{
    /* flat selects, not nested ternaries: the fused loop with the
       derivative's comparisons stays branch-free for gcc */
    FA_T y = (x * (x + 3)) / 6;
    y = x >= 3 ? x : y;
    return x <= -3 ? -FA_K(0.0) : y;
}
/* torch's: 0 below -3, x / 3 + 1/2 on [-3, 3], 1 above; as (2x + 3) / 6,
 * exact near the root -1.5.  NaN falls through both selects. */
FA_INLINE FA_T FA_F(fa_hardswish_derivative)(FA_T x)
{
    FA_T d = (2 * x + 3) / 6;
    d = x > 3 ? 1 : d;
    return x < -3 ? 0 : d;
}

/* ---- softshrink, hardshrink (lambd >= 0, checked in Python) -------------- */
FA_INLINE FA_T FA_F(fa_softshrink)(FA_T x, FA_T lambd)
{
    return x >= -lambd && x <= lambd ? 0 : (x > lambd ? x - lambd : x + lambd);
}
/* y != 0 exactly when |x| > lambd (x - lambd is never rounded to 0) */
FA_INLINE FA_T FA_F(fa_softshrink_derivative_from_y)(FA_T y, FA_T lambd)
{
    (void)lambd;
    return y > 0 || y < 0 ? 1 : (y == y ? 0 : y);
}
FA_INLINE FA_T FA_F(fa_softshrink_derivative)(FA_T x, FA_T lambd)
{
    return x > lambd || x < -lambd ? 1 : (x == x ? 0 : x);
}

FA_INLINE FA_T FA_F(fa_hardshrink)(FA_T x, FA_T lambd)
{
    return x >= -lambd && x <= lambd ? 0 : x;
}
FA_INLINE FA_T FA_F(fa_hardshrink_derivative_from_y)(FA_T y, FA_T lambd)
{
    return FA_F(fa_softshrink_derivative_from_y)(y, lambd);
}
FA_INLINE FA_T FA_F(fa_hardshrink_derivative)(FA_T x, FA_T lambd)
{
    return FA_F(fa_softshrink_derivative)(x, lambd);
}

/* ---- threshold: x if x > threshold else value (NaN stays NaN) ------------ */
FA_INLINE FA_T FA_F(fa_threshold)(FA_T x, FA_T threshold, FA_T value)
{
    return x <= threshold ? value : x;
}
FA_INLINE FA_T FA_F(fa_threshold_derivative)(FA_T x, FA_T threshold, FA_T value)
{
    (void)value;
    return x > threshold ? 1 : (x <= threshold ? 0 : x);
}

/* ---- squareplus: (x + sqrt(x^2 + b)) / 2 ----------------------------------
 * s = sqrt(x^2 + b); for x < 0 as b / (2 (s - x)): no cancellation.  x and
 * b are scaled by D and D^2 first, and the results back, so x^2 neither
 * overflows nor underflows: D = 2^-66 above |x| = 2^40 (2^-520 above
 * 2^500 for double), D = 2^90 (2^600) where |x| < 2^-40 and b < 2^-80
 * (2^-500, 2^-1000); +-inf are clamped to finite values (x / s = +-1
 * then, and the corrections stay finite).  Returns xs = x D and *p
 * (D = db dr, big: split in halves, so neither b db nor r dr below
 * under- or overflows while the result is representable). */
typedef struct {
    FA_T d, up;  /* D, 1 / D */
    FA_T v, s;   /* xs^2 + b D^2 rounded, sqrt(v) */
    FA_T db, dr;
} FA_F(fa_squareplus_scaled);

FA_INLINE FA_T FA_F(fa_squareplus_parts)(FA_T x, FA_T b, FA_F(fa_squareplus_scaled) *p)
{
    FA_T ax = FA_F(fa_abs)(x);
    int big = ax > FA_PICK(0x1p40, 0x1p500);
    int tiny = ax < FA_PICK(0x1p-40, 0x1p-500) && b < FA_PICK(0x1p-80, 0x1p-1000);
    FA_T d = big ? FA_PICK(0x1p-66, 0x1p-520) : (tiny ? FA_PICK(0x1p90, 0x1p600) : 1);
    p->d = d;
    p->up = big ? FA_PICK(0x1p66, 0x1p520) : (tiny ? FA_PICK(0x1p-90, 0x1p-600) : 1);
    p->dr = big ? FA_PICK(0x1p-33, 0x1p-260) : 1;
    p->db = big ? FA_PICK(0x1p-33, 0x1p-260) : d;
    FA_T xs = x * d, axs = FA_F(fa_abs)(xs);
    xs = FA_F(fa_copysign)(axs > FA_PICK(0x1p63, 0x1p510) ? FA_PICK(0x1p63, 0x1p510) : axs, xs);
    p->v = FA_F(fa_fma)(xs, xs, (b * d) * d);
    p->s = FA_F(fa_sqrt)(p->v);
    return xs;
}
/* b / (2 (s - x)) for x < 0 (unscaled): q = (b Db) (r Dr), r = 1 / (2w),
 * w = s - xs, then one correction for the roundings of q, of r, of w (fast
 * two-sum: s >= |xs|) and of s (its residual v - s^2, v with its own
 * rounding; / (2s) taken as r, off by a factor w / s that only scales an
 * already small correction): each costs up to an ulp otherwise (2.7 ulp in
 * all, measured). */
FA_INLINE FA_T FA_F(fa_squareplus_negative)(FA_T xs, FA_T b, const FA_F(fa_squareplus_scaled) *p)
{
    FA_T s = p->s, v = p->v, d = p->d;
    FA_T vl = FA_F(fa_fma)(xs, xs, (b * d) * d - v);
    FA_T w = s - xs, wl = -xs - (w - s);
    FA_T r = 1 / (2 * w), bd = b * p->db, rd = r * p->dr, q = bd * rd;
    FA_T delta = FA_F(fa_fma)(FA_F(fa_fma)(-s, s, v) + vl, r, wl);
    FA_T c = FA_F(fa_fma)(-2 * r, delta, FA_F(fa_fma)(-2 * w, r, 1));
    return q + FA_F(fa_fma)(q, c, FA_F(fa_fma)(bd, rd, -q));
}
FA_INLINE FA_T FA_F(fa_squareplus)(FA_T x, FA_T b)
{
    FA_F(fa_squareplus_scaled) p;
    FA_T xs = FA_F(fa_squareplus_parts)(x, b, &p);
    FA_T neg = x == -(FA_T)INFINITY ? 0 : FA_F(fa_squareplus_negative)(xs, b, &p);
    return x >= 0 ? ((xs + p.s) / 2) * p.up : neg;
}
/* (1 + x / s) / 2, where x < -s / 2 as squareplus(x) / s (no
 * cancellation), with 1 / s = D / (s D) applied in the order that keeps
 * both products in range, and corrected for the roundings of s and of the
 * division (as in fa_squareplus_negative).  s == 0 only for b = 0 at x = 0:
 * the mean of the one-sided slopes. */
FA_INLINE FA_T FA_F(fa_squareplus_derivative)(FA_T x, FA_T b)
{
    FA_F(fa_squareplus_scaled) p;
    FA_T xs = FA_F(fa_squareplus_parts)(x, b, &p), s = p.s, d = p.d, v = p.v;
    FA_T sv = s > 0 ? s : 1, inv = 1 / sv;
    FA_T rho = FA_F(fa_fma)(-s, s, v) + FA_F(fa_fma)(xs, xs, (b * d) * d - v);  /* v - s^2 */
    inv = FA_F(fa_fma)(inv, FA_F(fa_fma)(-sv, inv, 1) - (rho * inv) * (inv / 2), inv);
    FA_T neg = FA_F(fa_squareplus_negative)(xs, b, &p);
    FA_T far = d > 1 ? (neg == 0 ? neg : neg * (inv * d)) : (neg * inv) * d;
    far = x == -(FA_T)INFINITY ? 0 : far;
    return xs >= -s / 2 ? FA_F(fa_fma)(xs, inv, 1) / 2 : far;
}

/* ---- sparse_plus, sparse_sigmoid (jax) ------------------------------------ */
FA_INLINE FA_T FA_F(fa_sparse_plus)(FA_T x)
{
    FA_T u = x + 1;
    return x <= -1 ? 0 : (x >= 1 ? x : (u * u) / 4);
}
FA_INLINE FA_T FA_F(fa_sparse_plus_derivative)(FA_T x)
{
    return x <= -1 ? 0 : (x >= 1 ? 1 : (x + 1) / 2);
}

FA_INLINE FA_T FA_F(fa_sparse_sigmoid)(FA_T x)
{
    return x <= -1 ? 0 : (x >= 1 ? 1 : (x + 1) / 2);
}
FA_INLINE FA_T FA_F(fa_sparse_sigmoid_derivative_from_y)(FA_T y)
{
    return y > 0 && y < 1 ? FA_K(0.5) : (y == y ? 0 : y);
}
FA_INLINE FA_T FA_F(fa_sparse_sigmoid_derivative)(FA_T x)
{
    return x > -1 && x < 1 ? FA_K(0.5) : (x == x ? 0 : x);
}
