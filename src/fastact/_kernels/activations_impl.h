/*
 * activations_impl.h -- included by activations.h once per FA_T; see there.
 * No include guard on purpose.  Integer constants need no FA_K (C converts
 * them to FA_T exactly); non-integer ones do.
 */

/* the largest finite FA_T (the _fd functions: double's) */
#define FA_MAX FA_PICK(0x1.fffffep127f, 0x1.fffffffffffffp1023)

/* f'(x) = d p(d) with d = x - x0 near the root x0 of f' (the tables of
 * polynomials.h, the float ones for float32: FA_ROOT_OR), else f;
 * x - hi is exact near the root (Sterbenz).  The table's element type is
 * FA_PICK(float, double). */
FA_INLINE FA_T FA_F(fa_root_or)(FA_T x, FA_T hi, FA_T lo, FA_T radius,
                                const FA_PICK(float, double) *c, int n, FA_T f)
{
    FA_T d = (x - hi) - lo, root = d * FA_F(fa_poly)(c, n, d);
    return FA_F(fa_abs)(d) < radius ? root : f;
}

/* ---- sigmoid: 1 / (1 + exp(-x)) ----------------------------------------
 * With e = exp(-|x|) in (0, 1] nothing overflows: sigmoid = n / (1 + e),
 * n = 1 for x > 0 and e otherwise (one division).  u = 1 + e is rounded:
 * with ue = e - (u - 1) (exact, |1| >= e) the quotient is corrected,
 * n / (u + ue) = y (1 - ue / u), taking 1/u ~ 1 where ue matters (small e);
 * without it the float32 error reaches 2.4 ulp, with it 1.97.
 * sigmoid' = e / (1 + e)^2, accurate in both tails (s (1 - s) would cancel
 * for large x), with (1 + e)^2 = u^2 + 2 u ue fused into one rounding;
 * for float32 in double (three float roundings reach 4 ulp of grad * f'). */
FA_INLINE FA_T FA_F(fa_sigmoid)(FA_T x)
{
    FA_T e = FA_F(fa_exp_neg)(-FA_F(fa_abs)(x));
    FA_T u = 1 + e, ue = e - (u - 1);
    FA_T y = (x > 0 ? 1 : e) / u;
    /* _fd: the double rounding of u is far below a float ulp */
    return FA_IS_FD ? y : FA_F(fa_fma)(-y, ue, y);
}
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_sigmoid_derivative)(FA_T x)
{
    FA_T e = FA_F(fa_exp_neg)(-FA_F(fa_abs)(x));
    FA_T u = 1 + e, ue = e - (u - 1);
    return e / (FA_IS_FD ? u * u : FA_F(fa_fma_exact)(u, u, 2 * u * ue));
}
#endif
FA_INLINE FA_T FA_F(fa_sigmoid_derivative_from_y)(FA_T y) { return y * (1 - y); }

/* ---- tanh and tanhshrink -------------------------------------------------
 * |x| < 1 (tanh) or 1.25 (tanhshrink): x - tanh x = x^3 R(x^2)
 * (polynomials.h), tanh = x - x^3 R.  Above: with e = exp(-2|x|) <= 0.14,
 * 1 - tanh|x| = 2e / (1 + e), whose error reaches tanh and tanhshrink =
 * (|x| - 1) + (1 - tanh|x|) reduced (no cancellation from 1 on for tanh,
 * 1.25 for tanhshrink).  Both pieces are computed for |x|, the sign of x
 * set last (tanh(-0.0) = -0.0).  fa_tanh_exp is fa_tanh (activations.h)
 * but for float32 on AVX-512, where a table is faster. */
FA_INLINE FA_T FA_F(fa_tanh_tail)(FA_T ax)
{
    /* from 2 |x| = FA_NORMAL_EXP_ARG on 2 e is far below an ulp */
    FA_T e = FA_F(fa_exp_neg_normal)(-2 * ax);
    return (e + e) / (1 + e);
}
FA_INLINE FA_T FA_F(fa_tanh_exp)(FA_T x)
{
    FA_T ax = FA_F(fa_abs)(x), w = x * x;
    FA_T r = FA_F(fa_poly)(FA_PICK(fa_tanh_poly_f, fa_tanh_poly),
                           FA_LEN(FA_PICK(fa_tanh_poly_f, fa_tanh_poly)), w);
    FA_T small = FA_F(fa_fma)(-(ax * w), r, ax);
    FA_T large = 1 - FA_F(fa_tanh_tail)(ax);
    return FA_F(fa_with_sign_of)(ax < 1 ? small : large, x);
}

/* |x| < 1.25: x - tanh x = x^3 R(x^2), R = 1/3 + w R1(w) (polynomials.h).
 * float: in double, rounded once (float arithmetic loses up to 3 ulp
 * there, most without FMA).  double: x^3 = p + pl and x^5 = q + ql in two
 * parts (fa_two_prod; x^5 as q alone reached 2.3 ulp near x = 1, where
 * x^5 R1 is 0.4 of the result), 1/3 in two parts, R1 in s = w - W0: one
 * rounding of the sum of the main terms, within 1.4 ulp.  Both pieces
 * are computed. */
FA_INLINE FA_T FA_F(fa_tanhshrink)(FA_T x)
{
    FA_T ax = FA_F(fa_abs)(x);
#if FA_IS_FLOAT
    double xd = x, wd = xd * xd;
    FA_T small = (FA_T)((xd * wd) * (1.0 / 3 + wd * fa_poly_fd(fa_tanhshrink_poly_f,
                                                               FA_LEN(fa_tanhshrink_poly_f), wd)));
#else
    /* |x| < 2^-300: x^3 / 3 alone, from x 2^300 (the products' low parts
       stay exact, also for Dekker's product without FMA), times 2^-900
       last: one rounding more, to the subnormal grid */
    int tiny = ax < FA_K(0x1p-300);
    FA_T xs = ax * (tiny ? FA_K(0x1p300) : 1);
    FA_T wl, w = FA_F(fa_two_prod)(xs, xs, &wl);
    FA_T pl, p = FA_F(fa_two_prod)(xs, w, &pl);
    pl = FA_F(fa_fma)(xs, wl, pl);
    FA_T ql, q = FA_F(fa_two_prod)(p, w, &ql);
    ql = FA_F(fa_fma)(p, wl, FA_F(fa_fma)(pl, w, ql));
    FA_T r1 = fa_poly_d(fa_tanhshrink_poly, FA_LEN(fa_tanhshrink_poly), w - FA_TANHSHRINK_W0);
    r1 = tiny ? 0 : r1;
    FA_T tl, t = FA_F(fa_two_prod)(p, FA_K(1.0) / 3, &tl);  /* p / 3 = t + tl */
    FA_T lo = FA_F(fa_fma)(q, r1, FA_F(fa_fma)(ql, r1, FA_F(fa_fma)(p, FA_THIRD_LO,
                                                                  pl * (FA_K(1.0) / 3) + tl)));
    FA_T small = FA_F(fa_with_sign_of)((t + lo) * (tiny ? FA_K(0x1p-900) : 1), x);
#endif
    FA_T large = FA_F(fa_with_sign_of)((ax - 1) + FA_F(fa_tanh_tail)(ax), x);
    return ax < FA_K(1.25) ? small : large;
}
/* 1 - y^2 as (1 - y)(1 + y): 1 - y is exact for y near 1. */
FA_INLINE FA_T FA_F(fa_tanh_derivative_from_y)(FA_T y) { return (1 - y) * (1 + y); }

/* tanh' = 4 e / (1 + e)^2 with e = exp(-2|x|): 4 sigmoid'(2x) */
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_tanh_derivative)(FA_T x) { return 4 * FA_F(fa_sigmoid_derivative)(2 * x); }
#endif
/* tanhshrink' = 1 - tanh' = tanh(x)^2: within 1 + 2 tanh's error (3 ulp
 * for float32, computed in float; the exp form on every target, which gcc
 * vectorizes, not the table) */
FA_INLINE FA_T FA_F(fa_tanhshrink_derivative)(FA_T x)
{
    FA_T t = FA_F(fa_tanh_exp)(x);
    return t * t;
}

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
 * expm1 keeps tiny inputs exact; x >= 0 (and NaN) give x itself, so
 * elu(-0.0) = -0.0.  The derivatives use x (y + alpha would cancel where
 * y -> -alpha): alpha exp(x) with the factor applied before the scaling of
 * a subnormal result (rounded once), chosen by fa_select, not ?: (as in
 * celu's: with ?: the x > 0 inputs ran 2x-2.5x slower than the others in
 * the template's loops, float32 elu' and selu' and float64 selu' on AVX2). */
FA_INLINE FA_T FA_F(fa_elu)(FA_T x, FA_T alpha)
{
    return x < 0 ? alpha * FA_F(fa_expm1_neg)(x) : x;
}
/* elu' for the alpha of fa_exp_neg_mul (as selu'), in FA_T's own
 * arithmetic; other alpha (0, huge, tiny, inf, NaN) take fa_exp_neg_mul_fd
 * (float32 in double) or fa_exp_neg_mul_wide_d.  The template tests
 * fa_elu_is_moderate once per call and loops over one of the two (Spec.
 * unswitch): a loop over fa_elu_derivative, which tests per element,
 * gcc does not vectorize at all. */
FA_INLINE int FA_F(fa_elu_is_moderate)(FA_T alpha)
{
    FA_T a = FA_F(fa_abs)(alpha);
    return a >= FA_PICK(FA_K(0x1p-28), FA_K(0x1p-53)) && a < FA_PICK(FA_K(0x1p7), FA_K(0x1p20));
}
FA_INLINE FA_T FA_F(fa_elu_derivative_moderate)(FA_T x, FA_T alpha)
{
    return FA_F(fa_select)(x > 0, 1, FA_F(fa_exp_neg_mul)(x, alpha));
}
FA_INLINE FA_T FA_F(fa_elu_derivative_general)(FA_T x, FA_T alpha)
{
    FA_T d = (FA_T)FA_PICK(fa_exp_neg_mul_fd, fa_exp_neg_mul_wide_d)(x, alpha);
    /* alpha = +-inf: exp's inf t + inf is NaN where t = expm1(r) < 0 */
    return FA_F(fa_select)(x > 0, 1, d == d || x - x != 0 ? d : alpha);
}
FA_INLINE FA_T FA_F(fa_elu_derivative)(FA_T x, FA_T alpha)
{
    return FA_F(fa_elu_is_moderate)(alpha) ? FA_F(fa_elu_derivative_moderate)(x, alpha)
                                           : FA_F(fa_elu_derivative_general)(x, alpha);
}

/* scale * elu(x, alpha) with torch's constants; scale * alpha rounded once.
 * scale x = x (scale + lo) in one rounding (the product with the rounded
 * constant is 1 ulp off and overflows below the float32 range's end);
 * x lo is dropped for x = +-inf (inf - inf), the sign of -0.0 kept. */
#define FA_SELU_SCALE FA_K(1.0507009873554804934193349852946)
#define FA_SELU_SCALE_LO (FA_IS_FLOAT ? FA_K(-3.479265231476347e-08) : FA_K(3.9874847667154144e-17))
#define FA_SELU_SCALE_ALPHA FA_K(1.7580993408473768599402175208123)
#define FA_SELU_SCALE_ALPHA_LO 1.4153519380084477e-17  /* double: scale * alpha - its double */
FA_INLINE FA_T FA_F(fa_selu)(FA_T x)
{
    FA_T lo = FA_F(fa_abs)(x) < (FA_T)INFINITY ? x * FA_SELU_SCALE_LO : 0;
#if FA_IS_FLOAT  /* float: scale * alpha rounded once */
    FA_T neg = FA_SELU_SCALE_ALPHA * FA_F(fa_expm1_neg)(x);
#else
    FA_T neg = fa_expm1_neg_mul_d(x, FA_SELU_SCALE_ALPHA, FA_SELU_SCALE_ALPHA_LO, 0);
#endif
    return x < 0 ? neg : FA_F(fa_copysign)(FA_F(fa_fma)(x, FA_SELU_SCALE, lo), x);
}
FA_INLINE FA_T FA_F(fa_selu_derivative)(FA_T x)
{
    return FA_F(fa_select)(x > 0, FA_SELU_SCALE, FA_F(fa_exp_neg_mul)(x, FA_SELU_SCALE_ALPHA));
}
#undef FA_SELU_SCALE
#undef FA_SELU_SCALE_LO
#undef FA_SELU_SCALE_ALPHA
#undef FA_SELU_SCALE_ALPHA_LO

/* celu: x / alpha = t + tl to twice the precision where it matters
 * (|t| < 1000), so exp(x / alpha) keeps its relative accuracy (rounding t
 * alone costs up to |t| / 2 ulp): t = x (1 / alpha), one division, its
 * two roundings undone by the residual tl (x - p is exact: p = t alpha
 * is within a few ulp of x).  Outside 2^-64 <= |alpha| <= 2^64 (2^+-512)
 * both are scaled by 2^-+64 (2^-+512) first, so 1 / alpha stays finite and
 * Dekker's product (no FMA) does not overflow; where x loses bits to it,
 * t is tiny and celu x itself.  alpha < 0 makes the argument positive:
 * exp of any sign. */
FA_INLINE FA_T FA_F(fa_celu_arg)(FA_T x, FA_T alpha, FA_T *tl)
{
    FA_T aa = FA_F(fa_abs)(alpha);
    /* (fa_select: a nested ?: becomes branches, and nothing vectorizes) */
    FA_T scale = FA_F(fa_select)(aa < FA_PICK(0x1p-64f, 0x1p-512), FA_PICK(0x1p64f, 0x1p512), 1)
               * FA_F(fa_select)(aa > FA_PICK(0x1p64f, 0x1p512), FA_PICK(0x1p-64f, 0x1p-512), 1);
    FA_T xs = x * scale, as = alpha * scale;
    FA_T inv = 1 / as, t = xs * inv, pe;
    int small = FA_F(fa_abs)(t) < 1000;
    FA_T p = FA_F(fa_two_prod)(small ? t : 0, as, &pe);
    *tl = small ? ((xs - p) - pe) * inv : 0;
    return t;
}

/* Near exp's overflow (alpha < 0 makes t > 0) celu is alpha exp(t), finite
 * for |alpha| < 1 past the threshold: from t = FA_CELU_HALF on (where
 * expm1's 2^k would overflow) computed as (alpha e) e, e = exp(t / 2)
 * (from 2 FA_EXP_MAX on, where e is inf: alpha inf, not inf * 0 = NaN
 * from e tl with tl = 0).  celu' is inf above FA_EXP_MAX, exp's
 * clamp.  For tiny t celu is x itself (x (1 + t / 2) rounds to x; t may
 * have underflowed). */
#define FA_EXP_MAX FA_PICK(88.72283935546875f, 709.782712893384)
#define FA_CELU_HALF FA_PICK(88.0f, 709.0)
FA_INLINE FA_T FA_F(fa_celu_general)(FA_T x, FA_T alpha)
{
    FA_T tl, t = FA_F(fa_celu_arg)(x, alpha, &tl), m;
    /* (a select of constants: of t / 2 and t, gcc could take exp of both) */
    FA_T e = FA_F(fa_exp_expm1)(t * (t > FA_CELU_HALF ? FA_K(0.5) : 1), &m);
    /* alpha (m + e tl) with the product fused: one rounding fewer.  Where
       alpha m overflows, alpha e tl may too, with tl's sign: dropped (it
       made celu(-6e301, -1e300) +inf, or NaN without FMA) */
    FA_T c = alpha * (e * tl);
    FA_T y = tl != 0 ? FA_F(fa_fma)(alpha, m, c - c == 0 ? c : 0) : alpha * m;
#if !FA_IS_FLOAT && !defined(FA_HAVE_FMA)
    /* double without FMA (2.26 ulp for alpha = 2.5; 1.7 with): alpha m +
       alpha e tl without rounding m, for t < 0 and 0 < alpha < 2^900 */
    FA_T neg = fa_expm1_neg_mul_d(t, alpha, 0, alpha * (e * tl));
    y = t < 0 && alpha < FA_K(0x1p900) ? neg : y;
#endif
    FA_T big = FA_F(fa_select)(t >= 2 * FA_EXP_MAX, alpha * (FA_T)INFINITY,
                               (alpha * e) * FA_F(fa_fma)(e, tl, e));
    y = FA_F(fa_select)(t > FA_CELU_HALF, big, FA_F(fa_select)(FA_F(fa_abs)(t) < FA_K(0x1p-54), x, y));
    return x > 0 ? x : y;
}

/* alpha > 0, the usual case (Spec.unswitch: fa_celu_is_positive once per
 * call), makes t <= 0 wherever x <= 0, and exp or expm1 of a non-positive
 * argument serves: without the general exp's two-sided clamp, two-step
 * scaling and overflow branch, celu took 0.61x-0.67x the time and celu'
 * 0.63x-0.81x.  The x > 0 lanes (celu = x, celu' = 1) take exp(0), not
 * exp of their t > 0, whose scale factor is garbage (and an argument t 0,
 * not a select of 0, which gcc would fold through the exp).  Returns the
 * reduced argument r and *s = 2^(k+K) of exp(t) (fa_exp_neg_reduce). */
FA_INLINE int FA_F(fa_celu_is_positive)(FA_T alpha) { return alpha > 0; }
FA_INLINE FA_T FA_F(fa_celu_reduce_positive)(FA_T x, FA_T alpha, FA_T *t, FA_T *tl, FA_T *s)
{
    *t = FA_F(fa_celu_arg)(x, alpha, tl);
    return FA_F(fa_exp_neg_reduce)(*t * FA_F(fa_select)(x > 0, 0, 1), s);
}
FA_INLINE FA_T FA_F(fa_celu_positive)(FA_T x, FA_T alpha)
{
    FA_T t, tl, s, q = FA_F(fa_expm1_poly)(FA_F(fa_celu_reduce_positive)(x, alpha, &t, &tl, &s));
    s *= FA_EXP_NEG_SCALE;
    /* alpha (m + e tl), m = expm1(t) and e = exp(t) from one reduction */
    FA_T m = FA_F(fa_fma)(q, s, s - 1), e = FA_F(fa_fma)(q, s, s);
    FA_T y = FA_F(fa_fma)(alpha, m, alpha * (e * tl));
#if !FA_IS_FLOAT && !defined(FA_HAVE_FMA)
    y = alpha < FA_K(0x1p900) ? fa_expm1_neg_mul_d(t, alpha, 0, alpha * (e * tl)) : y;
#endif
    y = FA_F(fa_select)(FA_F(fa_abs)(t) < FA_K(0x1p-54), x, y);
    return x > 0 ? x : y;
}
FA_INLINE FA_T FA_F(fa_celu)(FA_T x, FA_T alpha)
{
    return FA_F(fa_celu_is_positive)(alpha) ? FA_F(fa_celu_positive)(x, alpha)
                                            : FA_F(fa_celu_general)(x, alpha);
}

/* celu' = exp(t + tl) for x <= 0; for alpha > 0 from the reduction above.
 * alpha < 0 makes t > 0 for x < 0: the general exp, inf from FA_EXP_MAX
 * on. */
FA_INLINE FA_T FA_F(fa_celu_derivative_positive)(FA_T x, FA_T alpha)
{
    FA_T t, tl, s, r = FA_F(fa_celu_reduce_positive)(x, alpha, &t, &tl, &s);
    /* exp(t + tl) 2^K, tl in the polynomial's argument (float32: 1.01 ulp
       at most, 1.32 as a factor 1 + tl after it) or as that factor
       (double: the same accuracy either way, and gcc's code for the
       first took 1.3x as long) */
    FA_T es;
    if (FA_IS_FLOAT) {
        es = FA_F(fa_fma)(FA_F(fa_expm1_poly)(r + tl), s, s);
    } else {
        es = FA_F(fa_fma)(FA_F(fa_expm1_poly)(r), s, s);
        es = FA_F(fa_fma)(es, tl, es);
    }
    FA_T scale = FA_F(fa_select)(x > 0, 0, FA_EXP_NEG_SCALE);
    return FA_F(fa_select)(x > 0, 1, es * scale);
}
FA_INLINE FA_T FA_F(fa_celu_derivative_general)(FA_T x, FA_T alpha)
{
    FA_T tl, t = FA_F(fa_celu_arg)(x, alpha, &tl);
    /* selects, not ?: (which gcc 12 turned into an exp masked to the
       x <= 0 lanes whose unset scale factors, subnormals, then took a
       microcode assist per vector: 7x slower backward for x > 0) */
    FA_T d = FA_F(fa_select)(t > FA_EXP_MAX, (FA_T)INFINITY, FA_F(fa_exp2sum)(t, tl));
    return FA_F(fa_select)(x > 0, 1, d);
}
FA_INLINE FA_T FA_F(fa_celu_derivative)(FA_T x, FA_T alpha)
{
    return FA_F(fa_celu_is_positive)(alpha) ? FA_F(fa_celu_derivative_positive)(x, alpha)
                                            : FA_F(fa_celu_derivative_general)(x, alpha);
}
#undef FA_EXP_MAX
#undef FA_CELU_HALF

/* ---- silu: x sigmoid(x) ---------------------------------------------------
 * As sigmoid, with the numerator x (x > 0) or x e, the product taken from
 * the parts of e = s (1 + t) before rounding, x e = fma(x s, t, x s) 2^-K:
 * one rounding, also where it is subnormal.  Corrected as sigmoid, with
 * the rounding error of x e (exact by fma) added: y + (xel - y ue) / u,
 * 1/u ~ (3 - u) / 2.  x clamped at lo for the product (-inf * 0 is NaN);
 * the sign of x restores -0.0, which the correction loses.  fa_silu
 * (activations.h) is this but on AVX-512, where a table is faster (and
 * this serves it from |x| = 10 on, in float64). */
#define FA_SILU_LO FA_K(-800.0)
FA_INLINE FA_T FA_F(fa_silu_quotient)(FA_T x)
{
    FA_T s, t = FA_F(fa_expm1_poly)(FA_F(fa_exp_neg_reduce)(-FA_F(fa_abs)(x), &s));
    FA_T e = FA_F(fa_fma)(t, s, s) * FA_EXP_NEG_SCALE;
    FA_T xs = (x > FA_SILU_LO ? x : FA_SILU_LO) * s;
    FA_T xes = FA_F(fa_fma)(xs, t, xs), xel = FA_F(fa_fma)(xs, t, xs - xes);
    FA_T u = 1 + e, ue = e - (u - 1);
    /* numerator and its rounding error chosen together, before the
       division: a second test of x > 0 after it made gcc thread the
       division into both arms (two divisions per vector: float32 silu
       took 5% longer) */
    FA_T n = FA_F(fa_select)(x > 0, x, xes * FA_EXP_NEG_SCALE);
    FA_T nl = FA_F(fa_select)(x > 0, 0, xel * FA_EXP_NEG_SCALE);
    FA_T y = n / u;
    FA_T c = FA_F(fa_fma)(-y, ue, nl);
    y = FA_F(fa_copysign)(FA_F(fa_fma)(c, FA_F(fa_fma)(u, FA_K(-0.5), FA_K(1.5)), y), x);
    return x == (FA_T)INFINITY ? x : y;  /* (c is inf * 0 there) */
}

/* silu' = (1 + e + x e) / (1 + e)^2 for x > 0, e (1 + x + e) / (1 + e)^2
 * otherwise (1 + x is exact where it cancels; the product with the parts of
 * e, rounded once), the numerator for x <= 0 scaled by 2^K until after the
 * division (subnormal results rounded once); (1 + e)^2 as in sigmoid'.
 * Near the root x0 of silu', where 1 + x + e cancels, d p(d) with
 * d = x - x0 (polynomials.h).  float32 in float: within 3 ulp (backward
 * 3.24) on every build, twice as fast as in double.  fa_silu_derivative
 * (activations.h) is this but on AVX-512, where a table is faster (and
 * this serves it from |x| = 10 on, in float64). */
FA_INLINE FA_T FA_F(fa_silu_derivative_quotient)(FA_T x)
{
    FA_T s, t = FA_F(fa_expm1_poly)(FA_F(fa_exp_neg_reduce)(-FA_F(fa_abs)(x), &s));
    FA_T es = FA_F(fa_fma)(t, s, s), e = es * FA_EXP_NEG_SCALE;
    FA_T u = 1 + e, ue = e - (u - 1);
    /* x clamped on the side each form uses (two selects, not a two-sided
       clamp: gcc makes that a three-way choice, of 1 + x too, 8 more
       instructions per vector) */
    FA_T xh = x > -FA_SILU_LO ? -FA_SILU_LO : x, xl = x < FA_SILU_LO ? FA_SILU_LO : x;
    FA_T upper = (u + FA_F(fa_fma)(xh, e, ue)) / FA_EXP_NEG_SCALE;
    /* 1 + x + e = ((1 + x) + 2^k) + 2^k t, the first sum exact where it
       cancels: one rounding, with e to the last bit of t */
    FA_T sk = s * FA_EXP_NEG_SCALE;
    FA_T fs = FA_F(fa_fma)(sk, t, (1 + xl) + sk) * s, lower = FA_F(fa_fma_exact)(fs, t, fs);
    FA_T d = (FA_F(fa_select)(x > 0, upper, lower) / FA_F(fa_fma_exact)(u, u, 2 * u * ue))
             * FA_EXP_NEG_SCALE;
    return FA_ROOT_OR(silu, x, d);
}
#undef FA_SILU_LO

/* ---- gelu (exact and tanh): activations.h, in double (fa_NAME_d) and
 * for float32 in double (fa_NAME_fd, FA_VIA_FD), but float32 gelu on
 * AVX-512: tables of polynomials (activations.h, explicit SIMD blocks) */

/* ---- mish = x tanh(softplus(x)), in double for float32 -------------------
 * With e = exp(-|x|) <= 1 and n = e^x (e^x + 2): tanh(log(1 + e^x)) =
 * n / (n + 2), written so that nothing overflows:  x <= 0: e (e + 2) / D,
 * D = 2 + e (e + 2); x > 0: (1 + 2e) / D, D = 1 + 2e (1 + e).  And
 * mish' = tanh(sp) + x sech(sp)^2 sigmoid(x) = t + 4 x g / D^2 with
 * g = e (1 + e) (x <= 0) or e^2 (1 + e) (x > 0); for x <= 0 summed as
 * e (4 (1 + x) + e (6 + 4x) + e^2 (4 + e)) / D^2, whose terms share a sign
 * outside the root polynomial's interval (fused explicitly: see FA_FMA_D). */
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
/* |x| < 1/4, double: the forms below round g or h (~0.4) and reach 2.5
 * ulp (forward, without FMA) and 4 (derivative).  There e = 1 + t exactly
 * (t = expm1(-|x|)) and tanh(softplus(x)) = (3/5) (1 + delta) with delta =
 * t (a1 + a2 t) / (1 + t (b1 + b2 t)) small (|delta| < 0.14), so the last
 * rounding is the one that counts.  3/5 = 0.6 + FA_MISH_C0_LO. */
#define FA_MISH_SERIES_MAX FA_K(0.25)
#define FA_MISH_C0_LO FA_K(2.2204460492503132e-17)
FA_INLINE FA_T FA_F(fa_mish_delta)(FA_T x, FA_T t)
{
    int neg = x <= 0;
    FA_T a1 = neg ? FA_K(8.0) / 15 : FA_K(-8.0) / 15, a2 = neg ? FA_K(2.0) / 15 : FA_K(-0.4);
    FA_T b1 = neg ? FA_K(0.8) : FA_K(1.2), b2 = neg ? FA_K(0.2) : FA_K(0.4);
    return (t * FA_F(fa_fma)(a2, t, a1)) / FA_F(fa_fma)(t, FA_F(fa_fma)(b2, t, b1), 1);
}

FA_INLINE FA_T FA_F(fa_mish)(FA_T x)
{
    FA_T s, t = FA_F(fa_expm1_poly)(FA_F(fa_exp_neg_reduce)(-FA_F(fa_abs)(x), &s));
    FA_T e = FA_F(fa_fma)(t, s, s) * FA_EXP_NEG_SCALE;
    /* x > 0: x (1 - h), h = 2 e^2 / (1 + 2e (1 + e)); h = 0 from x = 1000
       on, where x may be inf (inf * 0) */
    FA_T upper = FA_F(fa_fma)(x < 1000 ? -x : -1000, (2 * e * e) / (1 + 2 * e * (1 + e)), x);
    /* x <= 0: x e (1 - g), g = e (1 + e) / (2 + e (e + 2)), x e = xe + xel
       exactly from the parts of e (2^K scaled: subnormal results) */
    FA_T xs = (x < -1000 ? -1000 : x) * s;
    FA_T xe = FA_F(fa_fma)(xs, t, xs), xel = FA_F(fa_fma)(xs, t, xs - xe);
    FA_T g = (e * (1 + e)) / (2 + e * (e + 2));
    FA_T lower = (xe + FA_F(fa_fma)(-xe, g, xel)) * FA_EXP_NEG_SCALE;
    FA_T y = x > 0 ? upper : FA_F(fa_copysign)(lower, x);  /* mish(-0.0) = -0.0 */
    if (!FA_IS_FD) {
        /* (3/5) x = p + pl (fa_two_prod, also without FMA: x above 2^-960;
           below, the result is subnormal and p rounds it) */
        FA_T pl, p = FA_F(fa_two_prod)(x, FA_K(0.6), &pl);
        pl = FA_F(fa_abs)(x) < FA_K(0x1p-960) ? 0 : pl;
        FA_T mid = p + FA_F(fa_fma)(p, FA_F(fa_mish_delta)(x, t),
                                    FA_F(fa_fma)(x, FA_MISH_C0_LO, pl));
        y = FA_F(fa_abs)(x) < FA_MISH_SERIES_MAX ? FA_F(fa_copysign)(mid, x) : y;
    }
    return y;
}
#endif

#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_mish_derivative)(FA_T x)
{
    FA_T s, t = FA_F(fa_expm1_poly)(FA_F(fa_exp_neg_reduce)(-FA_F(fa_abs)(x), &s));
    FA_T e = FA_F(fa_fma)(t, s, s) * FA_EXP_NEG_SCALE;
    /* x clamped on the side each form uses (as in silu') */
    FA_T xh = x > 1000 ? 1000 : x, xl = x < -1000 ? -1000 : x;
    FA_T Dp = 1 + 2 * e * (1 + e), Dn = FA_F(fa_fma)(e, e + 2, 2);
    FA_T upper = (1 + 2 * e) / Dp + ((4 * xh * (e * e * (1 + e))) / Dp) / Dp;
    /* e (e (4 + e) + (6 + 4x)) + 4 (1 + x) */
    FA_T n = FA_F(fa_fma)(e, FA_F(fa_fma)(e, 4 + e, FA_F(fa_fma)(4, xl, 6)), 4 * (1 + xl));
    FA_T m = (n / Dn) / Dn;
    if (!FA_IS_FD) {
        /* double: n / D^2 rounded once, D^2 = (2 + q)^2 exact but for q's
           rounding (two roundings of D each counted twice reach 4 ulp) */
        double Dl, D = fa_two_sum_d(2, FA_FMA_D(e, e, 2 * e), &Dl);
        double D2l, D2 = fa_two_prod_d(D, D, &D2l);
        double m0 = n / D2;
        m = FA_FMA_D(-m0, FA_FMA_D(2 * D, Dl, D2l) / D2, m0);
    }
    FA_T lower = FA_F(fa_exp_neg_mul)(-FA_F(fa_abs)(x), m);
    FA_T d = FA_ROOT_OR(mish, x, x > 0 ? upper : lower);
    if (!FA_IS_FD) {
        /* |x| < 1/4: tanh(sp) = (3/5) (1 + delta) plus x sech(sp)^2
           sigmoid(x) = 4 x e (1 + e) (e for x > 0) / D^2, below 0.13 */
        FA_T D = x > 0 ? Dp : Dn;
        FA_T rest = (4 * x * (e * (1 + e)) * (x > 0 ? e : 1)) / (D * D);
        FA_T mid = FA_K(0.6) + FA_F(fa_fma)(FA_K(0.6), FA_F(fa_mish_delta)(x, t),
                                            rest + FA_MISH_C0_LO);
        d = FA_F(fa_abs)(x) < FA_MISH_SERIES_MAX ? mid : d;
    }
    return d;
}
#undef FA_MISH_SERIES_MAX
#undef FA_MISH_C0_LO
#endif

/* ---- softplus, log_sigmoid: float32 forward in double --------------------
 * (float's log1p of exp loses ulps); their derivatives, sigmoids, in float:
 * within 1.8 ulp, backward 3.1, twice as fast as in double. */

#if !FA_IS_FLOAT
/* exp(-|b x|) 2^K (fa_exp_neg_scaled: normal down to -760) with b x =
 * p + pe exactly (fa_two_prod) where it matters, |b x| < 1000:
 * exp(-|p|) (1 -+ pe); *p_out = p, b x rounded.  (A float b x is exact in
 * double: no pe for the _fd functions.  The selects are bit operations:
 * else gcc evaluates what follows once per arm.) */
FA_INLINE FA_T FA_F(fa_exp_neg_abs_prod_scaled)(FA_T b, FA_T x, FA_T *p_out)
{
    FA_T pe, p = FA_F(fa_two_prod)(b, x, &pe);
    FA_T e = FA_F(fa_exp_neg_scaled)(-FA_F(fa_abs)(p));
    *p_out = p;
    if (FA_IS_FD) {
        return e;
    }
    pe = FA_F(fa_select)(FA_F(fa_abs)(p) < 1000, FA_F(fa_select)(p > 0, -pe, pe), 0);
    return FA_F(fa_fma)(e, pe, e);
}
#endif

/* softplus, torch semantics: x where b x > threshold, else
 * log(1 + exp(b x)) / b = (log1p(exp(-|b x|)) + max(b x, 0)) / b.  From
 * b x = -600 down log1p(e) = e, and e / beta is taken from e 2^K (normal)
 * to a result rounded once: with e itself, subnormal from -708 on,
 * beta = 1e-3 at x = -7.2e5 was 119 ulp off and beta = 1e-30 at
 * x = -7.45e32 gave 4.9e-294 for 2.8e-294 (3% of the float64 forward's
 * time; float32's b x, exact in double, never needs it).  e 2^K stops at
 * -760 (the clamp), which is enough for |beta| >= 2^-20; below, the
 * general case takes exp(b x) (1 / beta) from fa_exp_neg_mul_wide_d, and
 * the template tests the case once per call (Spec.unswitch). */
FA_INLINE int FA_F(fa_softplus_is_moderate)(FA_T beta, FA_T threshold)
{
    return (void)threshold, FA_F(fa_abs)(beta) >= FA_K(0x1p-20);
}
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_softplus_moderate)(FA_T x, FA_T beta, FA_T threshold)
{
    FA_T p, es = FA_F(fa_exp_neg_abs_prod_scaled)(beta, x, &p), e = es * FA_EXP_NEG_SCALE;
    int tail = !FA_IS_FD && p < -600;
    /* (the tail's scale selected before the division: a second select on
       tail after it let gcc divide once per arm) */
    FA_T scale = FA_F(fa_select)(tail, FA_EXP_NEG_SCALE, 1);
    FA_T sp = FA_F(fa_select)(tail, es, FA_F(fa_log1p)(e) + (p > 0 ? p : 0)) / beta * scale;
    /* b x overflowed (double; threshold inf or NaN, else b x > threshold
       already): the limit, x.  The clamp is loop-invariant. */
    FA_T linear_above = threshold < FA_MAX ? threshold : FA_MAX;
    return p > linear_above ? x : sp;
}
FA_INLINE FA_T FA_F(fa_softplus_general)(FA_T x, FA_T beta, FA_T threshold)
{
    if (FA_IS_FD) {
        return FA_F(fa_softplus_moderate)(x, beta, threshold);
    }
    FA_T pe, p = FA_F(fa_two_prod)(beta, x, &pe);
    FA_T tail = fa_exp_neg_mul_wide_d(p, 1 / beta);  /* times 1 + pe: */
    tail = FA_F(fa_fma)(tail, pe, tail);
    FA_T y = FA_F(fa_softplus_moderate)(x, beta, threshold);
    /* (p = -inf, from x = -inf: y = 0, where 1 / beta may be inf.
       Selects, not &&: gcc vectorized no fused loop with the &&s) */
    tail = FA_F(fa_select)(p > threshold, y, tail);
    return FA_F(fa_select)(p < -600, FA_F(fa_select)(p > -(FA_T)INFINITY, tail, y), y);
}
FA_INLINE FA_T FA_F(fa_softplus)(FA_T x, FA_T beta, FA_T threshold)
{
    return FA_F(fa_softplus_is_moderate)(beta, threshold)
               ? FA_F(fa_softplus_moderate)(x, beta, threshold)
               : FA_F(fa_softplus_general)(x, beta, threshold);
}
#endif

/* softplus' = sigmoid(b x), 1 where b x > threshold; b x = p + pe exactly:
 * sigmoid(p + pe) = s (1 + pe (1 - s)) */
FA_INLINE FA_T FA_F(fa_softplus_derivative)(FA_T x, FA_T beta, FA_T threshold)
{
    FA_T pe, p = FA_F(fa_two_prod)(beta, x, &pe);
    FA_T s = FA_F(fa_sigmoid)(p);
    s = FA_F(fa_fma)(s, FA_F(fa_select)(FA_F(fa_abs)(p) < 1000, pe, 0) * (1 - s), s);
    return p > threshold ? 1 : s;
}

/* log_sigmoid(x) = -softplus(-x) = -(log1p(exp(-|x|)) + max(-x, 0)) */
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_log_sigmoid)(FA_T x)
{
    FA_T e = FA_F(fa_exp_neg)(-FA_F(fa_abs)(x));
    return -(FA_F(fa_log1p)(e) + (x < 0 ? -x : 0));
}
#endif

/* log_sigmoid'(x) = sigmoid(-x) */
FA_INLINE FA_T FA_F(fa_log_sigmoid_derivative)(FA_T x) { return FA_F(fa_sigmoid)(-x); }

/* sigmoid(-x) = 1 - exp(y), accurate where it is tiny (y -> -0), for the
 * y <= 0 that log_sigmoid returns: expm1 of a non-positive argument (1.6x
 * as fast as expm1 of any, with its two-sided clamp).  y > 0 is no output
 * of log_sigmoid (x mistaken for y?): NaN. */
FA_INLINE FA_T FA_F(fa_log_sigmoid_derivative_from_y)(FA_T y)
{
    /* 0 - m, not -m: +0.0 at y = -0.0, where expm1_neg gives +0.0 */
    return FA_F(fa_select)(y > 0, (FA_T)NAN, 0 - FA_F(fa_expm1_neg)(y));
}

/* ---- softsign: x / (1 + |x|) ---------------------------------------------- */
FA_INLINE FA_T FA_F(fa_softsign)(FA_T x)
{
    FA_T ax = FA_F(fa_abs)(x);
    return ax == (FA_T)INFINITY ? FA_F(fa_copysign)(1, x) : x / (1 + ax);
}
/* 1 / (1 + |x|)^2 as r * r: (1 + |x|)^2 would overflow where r^2 is a
 * subnormal.  float32 in double: three float roundings put grad * f'
 * 4 ulp off. */
#if !FA_IS_FLOAT  /* float32: in double, activations.h */
FA_INLINE FA_T FA_F(fa_softsign_derivative)(FA_T x)
{
    FA_T r = 1 / (1 + FA_F(fa_abs)(x));
    return r * r;
}
#endif
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
/* torch's: 0 up to -3, x / 3 + 1/2 on (-3, 3), 1 from 3 (the outer
 * pieces at the kinks, as torch since 2.x); as (2x + 3) / 6, exact near
 * the root -1.5.  NaN falls through both selects. */
FA_INLINE FA_T FA_F(fa_hardswish_derivative)(FA_T x)
{
    FA_T d = (2 * x + 3) / 6;
    d = x >= 3 ? 1 : d;
    return x <= -3 ? 0 : d;
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
    /* one compare, which gcc makes a select (x >= -lambd && x <= lambd
       was a branch per element in the strided loop: 4x slower) */
    return FA_F(fa_abs)(x) <= lambd ? 0 : x;
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
 * s = sqrt(x^2 + b), p = |x| + s; x < 0 as b / (2p): no cancellation.
 * float32, in double: x^2 of a float is exact and far inside double's
 * range (2^-298 to 2^256), so no scaling and no corrections: each of the
 * few roundings is 2^-53, and the conversion to float the one that counts
 * (within 0.5 ulp and a hair).  t = b / (2 s p) is the slope for x < 0
 * (= (1 + x/s) / 2, without the cancellation), 1 - t >= 1/2 the slope
 * for x >= 0, and s t the value for x < 0: one sqrt and one division
 * serve value_and_derivative.  s takes |x| clamped at 2^300, so x = +-inf
 * give t = 0 and s t = 0 (not inf * 0); p = |x| + s keeps the inf. */
#if FA_IS_FD
/* s p = 0 only for b = 0 at x = 0: t = 1/2, the mean of the one-sided slopes */
FA_INLINE FA_T FA_F(fa_squareplus_slope)(FA_T x, FA_T b, FA_T *s, FA_T *p)
{
    FA_T ax = FA_F(fa_abs)(x), xc = ax > FA_K(0x1p300) ? FA_K(0x1p300) : ax;  /* (NaN stays) */
    *s = FA_F(fa_sqrt)(FA_F(fa_fma)(xc, xc, b));
    *p = ax + *s;
    FA_T sp = *s * *p;
    return sp != 0 ? (FA_K(0.5) * b) / sp : FA_K(0.5);
}
FA_INLINE FA_T FA_F(fa_squareplus)(FA_T x, FA_T b)
{
    FA_T s, p, t = FA_F(fa_squareplus_slope)(x, b, &s, &p);
    return x >= 0 ? p * FA_K(0.5) : s * t;
}
FA_INLINE FA_T FA_F(fa_squareplus_derivative)(FA_T x, FA_T b)
{
    FA_T s, p, t = FA_F(fa_squareplus_slope)(x, b, &s, &p);
    return x >= 0 ? 1 - t : t;
}
#elif !FA_IS_FLOAT  /* float32: in double (above, activations.h) */
/* 1 / d for a power of two d (normal, its inverse too): the exponent
   negated, exactly */
FA_INLINE FA_T FA_F(fa_squareplus_inverse)(FA_T d)
{
    return fa_from_bits_d(0x7FE0000000000000 - fa_bits_d(d));
}
/* double: x and b are scaled by D and D^2 first, and the result back, so
 * x^2 neither overflows nor underflows: D = 2^-520 above |x| = 2^500 or
 * from b = 2^1023 on (where x^2 + b overflows below 2^500), D = 2^600
 * where |x| < 2^-500 and b < 2^-1000; +-inf are clamped to finite values
 * (the corrections stay finite).  For x < 0, b / (2 (s - x)) unscaled:
 * q = (b Db) (r Dr), r = 1 / (2w), w = s - xs, D = Db Dr (big: split in
 * halves, so neither b Db nor r Dr under- or overflows while the result is
 * representable), then one correction for the roundings of q, of r, of w
 * (fast two-sum: s >= |xs|) and of s (its residual v - s^2, v with its
 * own rounding; / (2s) taken as r, off by a factor w / s that only scales
 * an already small correction): each costs up to an ulp otherwise (2.7
 * ulp in all, measured).  The scale factors are products of two-way
 * selects, as in the slope's below. */
FA_INLINE FA_T FA_F(fa_squareplus)(FA_T x, FA_T b)
{
    FA_T ax = FA_F(fa_abs)(x);
    int big = ax > 0x1p500 || b > 0x1p1023;
    int tiny = ax < 0x1p-500 && b < 0x1p-1000;
    FA_T dr = FA_F(fa_select)(big, 0x1p-260, 1);
    FA_T d = (dr * dr) * FA_F(fa_select)(tiny, 0x1p600, 1);
    FA_T db = d * FA_F(fa_squareplus_inverse)(dr);
    FA_T xs = x * d, axs = FA_F(fa_abs)(xs);
    xs = FA_F(fa_copysign)(FA_F(fa_select)(axs > 0x1p510, 0x1p510, axs), xs);
    FA_T bs = (b * d) * d, v = FA_F(fa_fma_exact)(xs, xs, bs), s = FA_F(fa_sqrt)(v);
    FA_T vl = FA_F(fa_fma_exact)(xs, xs, bs - v);
    FA_T w = s - xs, wl = -xs - (w - s);
    FA_T r = 1 / (2 * w), bd = b * db, rd = r * dr, q = bd * rd;
    FA_T delta = FA_F(fa_fma_exact)(FA_F(fa_fma_exact)(-s, s, v) + vl, r, wl);
    FA_T c = FA_F(fa_fma_exact)(-2 * r, delta, FA_F(fa_fma_exact)(-2 * w, r, 1));
    FA_T neg = q + FA_F(fa_fma_exact)(q, c, FA_F(fa_fma_exact)(bd, rd, -q));
    neg = x == -(FA_T)INFINITY ? 0 : neg;
    return x >= 0 ? ((xs + s) / 2) * FA_F(fa_squareplus_inverse)(d) : neg;
}
/* The slope as float32's: t = b / (2 s p) for x < 0 and 1 - t for x >= 0,
 * each part carried with its error: x^2 + b as v + vl exactly (two_prod,
 * two_sum), s's error ds = (v - s^2 + vl) / (2s), p = |x| + s as p + pl
 * (fast two-sum: s >= |x|) and s p as D + Dl; t from one rounded inverse
 * of D, corrected to first order for all of these and for its own
 * rounding (each costs up to an ulp otherwise).  x and b are scaled by d
 * and d^2: d = 2^-520 above |x| = 2^500 or from b = 2^1020 on (s p
 * overflows near b = 2^1023), d = 2^600 where |x| < 2^-400 and
 * b < 2^-800 (the residuals, Dekker's products on the baseline build, stay
 * normal); |x| = inf is clamped to DBL_MAX first (t = 0, by a select for
 * b near 2^1024).  (b d / 2) / (s p d^2) = t / d is then multiplied by d
 * (b d^2 may underflow, b d does not). */
FA_INLINE FA_T FA_F(fa_squareplus_derivative)(FA_T x, FA_T b)
{
    FA_T ax = FA_F(fa_abs)(x);
    int big = ax > 0x1p500 || b >= 0x1p1020, tiny = ax < 0x1p-400 && b < 0x1p-800;
    /* (a product of two-way selects: gcc carries a nested ?: of constants
       into every later use, 10 more instructions per vector) */
    FA_T d = FA_F(fa_select)(big, 0x1p-520, 1) * FA_F(fa_select)(tiny, 0x1p600, 1);
    FA_T xs = FA_F(fa_select)(ax > 0x1.fffffffffffffp1023, 0x1.fffffffffffffp1023, ax) * d;
    FA_T xxl, xx = FA_F(fa_two_prod)(xs, xs, &xxl);
    FA_T vl, v = FA_F(fa_two_sum)(xx, (b * d) * d, &vl);
    FA_T s = FA_F(fa_sqrt)(v), p = xs + s, pl = xs - (p - s);
    FA_T dl, dd = FA_F(fa_two_prod)(s, p, &dl);
    FA_T inv = 1 / FA_F(fa_select)(dd != 0, dd, 1);
    FA_T ds = (FA_F(fa_fma_exact)(-s, s, v) + (vl + xxl)) * (FA_K(0.5) * (p * inv));
    /* t / d = h / ((s + ds)(p + pl + ds)) with inv = (1 - e) / dd */
    FA_T e = FA_F(fa_fma_exact)(-dd, inv, 1);
    FA_T c = e - (dl + FA_F(fa_fma)(ds, s + p, s * pl)) * inv;
    FA_T h = FA_K(0.5) * (b * d), q = h * inv;
    FA_T t = (q + FA_F(fa_fma)(q, c, FA_F(fa_fma)(h, inv, -q))) * d;
    /* s p = 0 only for b = 0 at x = 0: t = 1/2, the mean of the one-sided
       slopes (!=: NaN stays) */
    t = dd != 0 ? t : FA_K(0.5);
    return x >= 0 ? 1 - t : (x == -(FA_T)INFINITY ? 0 : t);
}
#endif

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
#undef FA_MAX
