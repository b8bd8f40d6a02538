/*
 * activations.h -- the scalar activation functions, for float and double.
 *
 * activations_impl.h is written once over a generic type FA_T and included
 * here three times: FA_F(fa_sigmoid) names fa_sigmoid_f for float,
 * fa_sigmoid_d for double and fa_sigmoid_fd for float32 results computed in
 * double (below), FA_K(c) turns a constant into FA_T at compile time (so
 * float code never computes in double) and FA_PICK(float_x, double_x)
 * picks a table or constant for float32 or double.  The loops in
 * _ufuncs.pyx.tp call:
 *
 *   fa_NAME_T(x, params...)                   forward
 *   fa_NAME_derivative_T(x, params...)        f'(x)
 *   fa_NAME_derivative_from_y_T(y, params...) f'(x) written with y = f(x),
 *                                             only where the catalog says so
 *
 * axis_impl.h adds the row and column kernels of softmax and log_softmax
 * (_axis.pyx.tp); the GLU family's halves are expressions of these
 * (_catalog.GLU_GATES).
 *
 * The fused value_and_derivative loop calls forward and derivative for the
 * same x; after inlining gcc merges their common work (the single exp of
 * sigmoid), so no third copy of the math is written.  The explicit SIMD
 * blocks at the end (Spec.blocks) do a leading part of some contiguous
 * loops with AVX-512 intrinsics, to the same bits as the scalar functions.
 */
#ifndef FASTACT_ACTIVATIONS_H
#define FASTACT_ACTIVATIONS_H

#include <math.h>
#include <stddef.h>

#include "fastmath.h"
#include "polynomials.h"

/* ---- written for double only --------------------------------------------
 * gelu and gelu_tanh (double-double tails, and their float32 versions
 * computed in double: fa_NAME_d, fa_NAME_fd; float32 gelu on AVX-512 is a
 * table, at the end) and the helpers that the instantiations of
 * activations_impl.h share. */

/* d p(d), d = x - x0, where f'(x) = d p(d) near the root x0 of f' (tables
 * of polynomials.h): relative accuracy where f' itself cancels. */
#define FA_LEN(table) ((int)(sizeof(table) / sizeof((table)[0])))
#define FA_POLY(table, t) fa_poly_d(table, FA_LEN(table), (t))
#define FA_ROOT_POLY(name, x) \
    fa_root_poly_d((x), FA_##name##_X0_HI, FA_##name##_X0_LO, \
                   fa_##name##_root_poly, FA_LEN(fa_##name##_root_poly))
#define FA_NEAR_ROOT(name, x) (fa_abs_d((x) - FA_##name##_X0_HI) < FA_##name##_RADIUS)
FA_INLINE double fa_root_poly_d(double x, double hi, double lo, const double *c, int n)
{
    double d = (x - hi) - lo;  /* x - hi is exact near the root (Sterbenz) */
    return d * fa_poly_d(c, n, d);
}
/* the same for the generic code of activations_impl.h: f'(x) of FA_T */
#define FA_ROOT_OR(name, x, f) \
    FA_F(fa_root_or)((x), FA_PICK(FA_##name##_X0_HI_f, FA_##name##_X0_HI), \
                     FA_PICK(FA_##name##_X0_LO_f, FA_##name##_X0_LO), \
                     FA_PICK(FA_##name##_RADIUS_f, FA_##name##_RADIUS), \
                     FA_PICK(fa_##name##_root_poly_f, fa_##name##_root_poly), \
                     FA_LEN(FA_PICK(fa_##name##_root_poly_f, fa_##name##_root_poly)), (f))

/* Where a result is (something) * exp(-a) and exp(-a) can be subnormal,
 * the something goes into fa_exp_mul_dd (or fa_exp_neg_mul_wide_d), so the result
 * is rounded once.  e = exp(-a) itself is still computed for the factors
 * that need it (gcc merges the two evaluations). */

/* ---- double-double pieces of gelu in double ------------------------------ */

/* -u^2/2 = returned hi + *lo with hi exact: u = uh + ul, uh the top 26 bits
 * of u (uh^2 is exact), lo = -ul (u + uh) / 2 (|lo| < 2^-25 u^2).  Rounding
 * u^2 instead would cost up to 750 ulp at u = 38. */
FA_INLINE double fa_neg_half_square_d(double u, double *lo)
{
    double uh = fa_from_bits_d(fa_bits_d(u) & (int64_t)0xfffffffff8000000LL);
    *lo = -0.5 * ((u - uh) * (u + uh));
    return -0.5 * (uh * uh);
}

/* (mh + ml) exp(hi + lo) for -1400 < hi + lo <= 0 (no clamp: callers bound
 * hi + lo), |ml| <= ulp(mh), |mh| < 2^20: as 2^k (mh + (mh q + ml)) with
 * q = expm1(r + rl), r + rl = hi + lo - k ln2 exactly to twice the
 * precision; 2^k is applied in two steps, so subnormal results are rounded
 * once.  Three fewer roundings than exp times m (within 0.6 ulp). */
FA_INLINE double fa_exp_mul_dd(double hi, double lo, double mh, double ml)
{
    const double magic = 6755399441055744.0;  /* 1.5 * 2^52 */
    double kshift = FA_FMA_D(hi + lo, 1.4426950408889634074, magic);
    double kf = kshift - magic;
    int64_t k = fa_bits_d(kshift) - fa_bits_d(magic);
    /* hi - k ln2_hi is exact; the rest is small, so a fast two-sum */
    double ra = FA_FMA_D(-kf, 6.93147180369123816490e-01, hi);
    double rb = FA_FMA_D(-kf, 1.90821492927058770002e-10, lo);
    double r = ra + rb, rl = rb - (r - ra);
    double q = FA_FMA_D(r * r, FA_POLY(fa_expm1_rest_poly, r), r);
    q += FA_FMA_D(rl, q, rl);  /* expm1(r + rl) to first order in rl */
    int64_t k1 = k >> 1, k2 = k - k1;
    double s1 = fa_from_bits_d((k1 + 1023) << 52), s2 = fa_from_bits_d((k2 + 1023) << 52);
    return ((mh + FA_FMA_D(mh, q, ml)) * s1) * s2;
}

/* Horner's rule with the last two steps in double-double, at t = th + tl
 * (|tl| <= ulp(th)): returns the high part, *lo the low one. */
FA_INLINE double fa_poly_dd_d(const double *c, int n, double th, double tl, double *lo)
{
    double s2 = fa_poly_d(c + 2, n - 2, th);
    double pe, p = fa_two_prod_d(th, s2, &pe), e1, s1 = fa_two_sum_d(c[1], p, &e1);
    double s1l = e1 + FA_FMA_D(tl, s2, pe);
    double qe, q = fa_two_prod_d(th, s1, &qe), e0, v = fa_two_sum_d(c[0], q, &e0);
    *lo = e0 + (qe + FA_FMA_D(th, s1l, tl * s1));
    return v;
}

/* ---- gelu in double --------------------------------------------------------
 * |x| < A0 = 1/sqrt 2: x Phi(x) with Phi = 1/2 + x E(x^2) (fa_gelu_small_poly),
 * Phi carried to twice the precision into the last product.  Else, with
 * u = min(|x|, 39) (beyond, exp(-u^2/2) underflows):
 *   gelu(x) = relu(x) - T, T = u Phi(-u) = e F / 2,
 *   gelu'(x) = (x >= 0 ? 1 - D : D), D = Phi(-u) - u phi(u) = e (F / (2u) - u / sqrt(2 pi)),
 * e = exp(-u^2/2), F = u erfcx(u / sqrt 2) = fa_gelu_tail_poly(Y),
 * Y = 2u / (u + 4) - 1.  Y and F are double-double: rounding either costs
 * up to an ulp near u = A0, where F is most sensitive to Y. */
#define FA_GELU_K_HI 0.3989422804014327     /* 1 / sqrt(2 pi) */
#define FA_GELU_K_LO -2.49232720227773e-17

/* Y = 2u / (u + C) - 1 = returned + *yl: the quotient t = u / (u + C)
 * corrected by its residual, u + C by its rounding error */
FA_INLINE double fa_gelu_y_d(double u, double *yl)
{
    double dl, d = fa_two_sum_d(u, FA_GELU_C, &dl);
    double w = 1.0 / d, t = u * w, pe, p = fa_two_prod_d(t, d, &pe);
    double tl = FA_FMA_D(-t, dl, (u - p) - pe) * w;
    double y = FA_FMA_D(2.0, t, -1.0);
    *yl = FA_FMA_D(2.0, tl, FA_FMA_D(2.0, t, -(y + 1.0)));  /* y + 1 is exact */
    return y;
}

/* u, F = *fh + *fl and -u^2/2 = *hi + *lo for |x| >= A0 */
FA_INLINE double fa_gelu_tail_d(double x, double *fh, double *fl, double *hi, double *lo)
{
    double u = fa_abs_d(x);
    u = u > FA_GELU_U_MAX ? FA_GELU_U_MAX : u;
    double yl, yh = fa_gelu_y_d(u, &yl);
    *fh = fa_poly_dd_d(fa_gelu_tail_poly, FA_LEN(fa_gelu_tail_poly), yh, yl, fl);
    *hi = fa_neg_half_square_d(u, lo);
    return u;
}

FA_INLINE double fa_gelu_d(double x)
{
    /* small: x (a + b), a + b = 1/2 + x E exactly but for E's rounding */
    double w = x * x, pe, p = fa_two_prod_d(x, FA_GELU_K_HI, &pe);
    double a = 0.5 + p, ae = p - (a - 0.5);  /* |p| < 1/2 */
    double tail_e = FA_FMA_D(w, fa_poly_d(fa_gelu_small_poly + 1, FA_LEN(fa_gelu_small_poly) - 1, w),
                             FA_GELU_K_LO);
    double b = ae + FA_FMA_D(x, tail_e, pe), ge, g = fa_two_prod_d(x, a, &ge);
    double small = fa_copysign_d(g + FA_FMA_D(x, b, ge), x);  /* -0.0 stays -0.0 */

    double fh, fl, hi, lo;
    fa_gelu_tail_d(x, &fh, &fl, &hi, &lo);
    double t = fa_exp_mul_dd(hi, lo, 0.5 * fh, 0.5 * fl);
    return fa_abs_d(x) < FA_GELU_A0 ? small : (x >= 0 ? x - t : -t);
}

FA_INLINE double fa_gelu_derivative_d(double x)
{
    double small = FA_FMA_D(x, FA_POLY(fa_gelu_small_derivative_poly, x * x), 0.5);

    double fh, fl, hi, lo, u = fa_gelu_tail_d(x, &fh, &fl, &hi, &lo);
    /* m = F / (2u) - u / sqrt(2 pi) to twice the precision: F / (2u) =
     * qh + ql, qh = (F / 2) (1 / u) corrected by its residual (one division).
     * fl must be used here as in gelu: were it dead, gcc would contract the
     * products of fa_poly_dd_d into its sums, and the fused value_and_derivative
     * loop (where fl is live) would differ bitwise from the derivative alone. */
    double inv = 1.0 / u, qh = (0.5 * fh) * inv;
    double ql = (FA_FMA_D(-qh, u, 0.5 * fh) + 0.5 * fl) * inv;
    double pe, p = fa_two_prod_d(u, -FA_GELU_K_HI, &pe), me, m = fa_two_sum_d(p, qh, &me);
    double d = fa_exp_mul_dd(hi, lo, m, me + (ql + FA_FMA_D(-u, FA_GELU_K_LO, pe)));
    d = fa_abs_d(x) < FA_GELU_A0 ? small : (x >= 0 ? 1.0 - d : d);
    return FA_NEAR_ROOT(gelu, x) ? FA_ROOT_POLY(gelu, x) : d;
}

/* gelu_tanh(x) = x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3) (the
 * constant taken as the exact decimal), odd in x: with u = min(|x|, 22)
 * (beyond, sigmoid(v) is 0 or 1), -v(u) = *hi + *lo in double-double
 * (exp(-v) at v ~ 700 needs v to the last bit), e = exp(-v(u)) and
 * r = 1 / (1 + e) = returned + *rl (a Newton step on the exactly rounded
 * 1 + e: each rounding of r would cost up to an ulp of the result). */
FA_INLINE double fa_gelu_tanh_parts_d(double x, double *hi, double *lo, double *e,
                                      double *rl, double *u_out)
{
    const double k1 = 1.5957691216057308, k1l = -9.96930880911092e-17;
    const double k3 = 0.07135481627260025, k3l = -6.175149918155315e-19;
    double u = fa_abs_d(x);
    u = u > 22.0 ? 22.0 : u;
    *u_out = u;
    double pl, p = fa_two_prod_d(u, u, &pl);               /* u^2 */
    double tl, t = fa_two_prod_d(k3, p, &tl);              /* k3 u^2 */
    tl += FA_FMA_D(k3, pl, k3l * p);
    double ql, q = fa_two_sum_d(k1, t, &ql);               /* k1 + k3 u^2 */
    ql += tl + k1l;
    double vl, vh = fa_two_prod_d(u, q, &vl);
    *hi = -vh;
    *lo = -FA_FMA_D(u, ql, vl);
    *e = fa_exp_mul_dd(*hi, *lo, 1.0, 0.0);
    double s = 1.0 + *e, sl = *e - (s - 1.0);              /* 1 + e exactly */
    double r = 1.0 / s, re, rs = fa_two_prod_d(r, s, &re);
    *rl = r * FA_FMA_D(-r, sl, (1.0 - rs) - re);           /* r (1 - r (s + sl)) */
    return r;
}

/* x r for x >= 0, -u e r below (m = -u r to twice the precision) */
FA_INLINE double fa_gelu_tanh_d(double x)
{
    double hi, lo, e, rl, u, r = fa_gelu_tanh_parts_d(x, &hi, &lo, &e, &rl, &u);
    double me, m = fa_two_prod_d(-u, r, &me);
    double lower = fa_exp_mul_dd(hi, lo, m, FA_FMA_D(-u, rl, me));
    /* u, not x: inf * 0; the sign of x: -0.0 stays -0.0, and lower is
       negative even where its product underflows to a zero */
    return x >= 0 ? fa_copysign_d(FA_FMA_D(x, r, u * rl), x) : -fa_abs_d(lower);
}

/* sigmoid(v) (1 + x sigmoid(-v) v'), v' = k1 + 3 k3 x^2:
 * r (1 + u e r v') for x >= 0, e r (1 - u r v') below, where 1 - u r v'
 * cancels up to 2x outside the root polynomial's interval: u v' = v + 2 k3 u^3
 * and the product with r are carried to twice the precision. */
FA_INLINE double fa_gelu_tanh_derivative_d(double x)
{
    double hi, lo, e, rl, u, r = fa_gelu_tanh_parts_d(x, &hi, &lo, &e, &rl, &u);
    double uvl, uv = fa_two_sum_d(-hi, (2.0 * u) * (0.07135481627260025 * (u * u)), &uvl);
    uvl -= lo;
    double t = (uv * e) * r;
    double upper = FA_FMA_D(rl, 1.0 + t, FA_FMA_D(r, t, r));
    double pe, p = fa_two_prod_d(uv, r, &pe);
    double c = (1.0 - p) - (pe + FA_FMA_D(uv, rl, uvl * r));  /* 1 - u r v' */
    double me, m = fa_two_prod_d(r, c, &me);
    double lower = fa_exp_mul_dd(hi, lo, m, FA_FMA_D(rl, c, me));
    double d = x >= 0 ? upper : lower;
    return FA_NEAR_ROOT(gelu_tanh, x) ? FA_ROOT_POLY(gelu_tanh, x) : d;
}

/* ---- float32 results computed in double: gelu, gelu_tanh ----------------
 * fa_NAME_fd, which FA_VIA_FD rounds to float32 (below), as the _fd
 * functions of activations_impl.h: double arithmetic with polynomials of
 * float32 accuracy (the _fd tables, relative error ~1e-9 instead of
 * 1e-17), so these functions cost little more than float arithmetic
 * would, while every double rounding stays far below float32's: the final
 * conversion is the one rounding that counts (within 0.6 ulp, subnormal
 * results rounded once), and x^2 of a float32 is exact in double, so
 * exp's arguments need no double-double products.  Computed in float, the
 * variable of a polynomial like erfcx's alone is off by more than an ulp
 * (rounding u + 4 loses u's low bits). */

/* exp(a) for -700 <= a <= 0 (callers clamp; NaN propagates) with a double
 * table (fa_exp_fd_poly, relative error 1e-10): 2^k is one normal double,
 * so no second scaling.  fastmath.h's fa_exp_neg_fd (float coefficients,
 * 4e-9) moves 0.4% of gelu's float32 results by an ulp, 96% of them away
 * from the exact value. */
FA_INLINE double fa_gelu_exp_fd(double a)
{
    const double magic = 6755399441055744.0;  /* 1.5 * 2^52 */
    double kshift = FA_FMA_D(a, 1.4426950408889634074, magic);
    double kf = kshift - magic;
    int64_t k = fa_bits_d(kshift) - fa_bits_d(magic);
    double r = FA_FMA_D(-kf, 1.90821492927058770002e-10,
                        FA_FMA_D(-kf, 6.93147180369123816490e-01, a));
    double p = FA_FMA_D(r * r, FA_POLY(fa_exp_fd_poly, r), r) + 1.0;
    return p * fa_from_bits_d((k + 1023) << 52);
}

/* gelu with u = |x| <= 15, e = exp(-u^2/2):  gelu(x) = relu(x) - T and
 * gelu'(x) = (x >= 0 ? 1 - D : D), where T = u Phi(-u) = u e G / 2,
 * D = Phi(-u) - u phi(u) = e (G / 2 - u / sqrt(2 pi)) and
 * G = erfcx(u / sqrt 2) (fa_gelu_erfcx_fd); beyond u = 15 float32 results
 * are the limits.  x = -0.0 gives -0.0 - 0 = -0.0. */
FA_INLINE double fa_gelu_u_fd(double x, double *e)
{
    double u = fa_abs_d(x);
    u = u > FA_GELU_FD_U_MAX ? FA_GELU_FD_U_MAX : u;
    *e = fa_gelu_exp_fd(-(0.5 * u) * u);
    return u;
}

/* exactly 1 for tiny u: float32's subnormal gelu(x) = x / 2 then rounds
   as NumPy's and the float64 reference's (ties to even) */
FA_INLINE double fa_gelu_erfcx_fd(double u)
{
    double y = (u - FA_GELU_FD_C) / (u + FA_GELU_FD_C);
    return FA_FMA_D(1.0 + y, FA_POLY(fa_gelu_erfcx_fd_poly, y), 1.0);
}

FA_INLINE double fa_gelu_fd(double x)
{
    double e, u = fa_gelu_u_fd(x, &e);
    double t = (0.5 * u) * fa_gelu_erfcx_fd(u) * e;
    return x >= 0 ? x - t : -t;
}

FA_INLINE double fa_gelu_derivative_fd(double x)
{
    double e, u = fa_gelu_u_fd(x, &e);
    double d = e * FA_FMA_D(-u, 0.3989422804014327, 0.5 * fa_gelu_erfcx_fd(u));
    d = x >= 0 ? 1.0 - d : d;
    return FA_NEAR_ROOT(gelu_fd, x) ? FA_ROOT_POLY(gelu_fd, x) : d;
}

/* gelu_tanh with u = |x| <= 12 (float32's results are the limits beyond):
 * v = k1 u + k3 u^3 (2 sqrt(2/pi) (u + 0.044715 u^3), accurate to 1e-15
 * in double), e = exp(-v) and r = 1 / (1 + e) = sigmoid(v); returns r. */
FA_INLINE double fa_gelu_tanh_parts_fd(double x, double *u_out, double *e)
{
    double u = fa_abs_d(x);
    u = u > 12.0 ? 12.0 : u;
    *u_out = u;
    *e = fa_gelu_exp_fd(-u * FA_FMA_D(0.07135481627260025, u * u, 1.5957691216057308));
    return 1.0 / (1.0 + *e);
}

/* x sigmoid(v(x)): x r for x >= 0, -u e r below */
FA_INLINE double fa_gelu_tanh_fd(double x)
{
    double u, e, r = fa_gelu_tanh_parts_fd(x, &u, &e);
    return x >= 0 ? x * r : -(u * e) * r;
}

/* sigmoid(v) (1 + x sigmoid(-v) v'), v' = k1 + 3 k3 x^2:
 * r (1 + u e r v') for x >= 0, e r (1 - u r v') below */
FA_INLINE double fa_gelu_tanh_derivative_fd(double x)
{
    double u, e, r = fa_gelu_tanh_parts_fd(x, &u, &e);
    double urv = (u * r) * FA_FMA_D(0.21406444881780074, u * u, 1.5957691216057308);
    double d = x >= 0 ? r * FA_FMA_D(urv, e, 1.0) : (e * r) * (1.0 - urv);
    return FA_NEAR_ROOT(gelu_tanh_fd, x) ? FA_ROOT_POLY(gelu_tanh_fd, x) : d;
}

/* A vectorized reduction in axis_impl.h: `omp simd reduction(op:var)`
   (compiled with -fopenmp-simd, no OpenMP runtime needed); without the
   pragma the loop is still right, only scalar. */
#define FA_SIMD_REDUCTION(r) FA_PRAGMA(omp simd reduction(r))
/* `omp simd` on the loops over columns: an output row may be the input row
   (in place), never another one, which the compiler cannot know. */
#define FA_SIMD FA_PRAGMA(omp simd)

/* log1p(x) for x in [0, 1] (or NaN), to float accuracy (the _fd functions:
 * softplus, log_sigmoid); fastmath.h's fa_log1p_d for double results */
FA_INLINE double fa_log1p_fd(double x)
{
    return x * fa_poly_d(fa_log1p_fd_poly, FA_LEN(fa_log1p_fd_poly), x);
}

/* 1/3 = 1/3 rounded to double + FA_THIRD_LO (tanhshrink) */
#define FA_THIRD_LO 1.850371707708594e-17

/* Per type: FA_IS_FLOAT, FA_IS_FD, FA_F(fa_x) names fa_x_f, fa_x_fd or
 * fa_x_d, FA_K(c) is the constant in FA_T, FA_PICK(float_x, double_x) the
 * float32 kernels' choice (float and _fd: the float tables name_f of
 * polynomials.h, float constants) or double's, FA_EXP_NEG_SCALE the 2^-K
 * of fastmath.h.  A function that float32 computes in double is written
 * once (under #if !FA_IS_FLOAT) and instantiated first as fa_x_fd: double
 * arithmetic with float tables and exp accuracy (fastmath.h's _fd
 * functions), which fa_x_f rounds once (FA_VIA_FD). */
#define FA_T double
#define FA_IS_FLOAT 0
#define FA_IS_FD 1
#define FA_F(name) name##_fd
#define FA_K(c) ((double)(c))
#define FA_PICK(float_x, double_x) float_x
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_D
#include "activations_impl.h"
#include "type_end.h"

/* The float32 kernels computed in double, rounded once */
#define FA_VIA_FD(name, params, args) \
    FA_INLINE float fa_##name##_f params { return (float)fa_##name##_fd args; }
FA_VIA_FD(sigmoid_derivative, (float x), (x))
FA_VIA_FD(tanh_derivative, (float x), (x))
FA_VIA_FD(gelu_tanh, (float x), (x))
FA_VIA_FD(gelu_tanh_derivative, (float x), (x))
FA_VIA_FD(mish, (float x), (x))
FA_VIA_FD(mish_derivative, (float x), (x))
FA_VIA_FD(softplus, (float x, float beta, float threshold), (x, beta, threshold))
FA_VIA_FD(softplus_moderate, (float x, float beta, float threshold), (x, beta, threshold))
FA_VIA_FD(softplus_general, (float x, float beta, float threshold), (x, beta, threshold))
FA_VIA_FD(log_sigmoid, (float x), (x))
FA_VIA_FD(softsign_derivative, (float x), (x))
FA_VIA_FD(squareplus, (float x, float b), (x, b))
FA_VIA_FD(squareplus_derivative, (float x, float b), (x, b))
/* FA_VIA_FD stays defined: gelu uses it below where it has no SIMD block */

#define FA_T float
#define FA_IS_FLOAT 1
#define FA_IS_FD 0
#define FA_F(name) name##_f
#define FA_K(c) ((float)(c))
#define FA_PICK(float_x, double_x) float_x
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_F
#include "activations_impl.h"
#include "axis_impl.h"
#include "type_end.h"

#define FA_T double
#define FA_IS_FLOAT 0
#define FA_IS_FD 0
#define FA_F(name) name##_d
#define FA_K(c) ((double)(c))
#define FA_PICK(float_x, double_x) double_x
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_D
#include "activations_impl.h"
#include "axis_impl.h"
#include "type_end.h"

/* ---- the explicit SIMD blocks (Spec.blocks): tanh, gelu, silu and silu' --
 * fa_NAME_block_T(inputs, params, outputs, n) computes a leading part of a
 * contiguous loop and returns its length; the template's loop does the rest
 * with the scalar function, to the same bits.  Only AVX-512 has them:
 * float32 tanh, gelu and silu, and float64 silu (at the end).  float32's
 * are tables of 32 polynomials (polynomials.h), the interval k from the
 * bits of |x| (fa_table_index_f: 4 per binade), p(d) of degree 6 in
 * d = |x| - x0 (exact: x0 lies in the interval), x0 a point whose value is
 * nearly a float (Gal's accurate tables, tools/fit_polynomials.py).  The
 * lookups are vpermt2ps (the 32 floats of a row in two registers), which
 * gcc does not generate from t[k]: vectorizing a scalar version, it
 * emulates gathers, 10x slower than the exp forms these replace.  On AVX2
 * each lookup would take four permutes and three blends: other targets
 * keep the exp forms (fa_tanh_exp, gelu computed in double,
 * fa_silu_derivative_quotient), as do float64 tanh and gelu.
 *
 * tanh: the table itself (below 2^-4 an odd polynomial, 1 from 12 on):
 * within 0.994 ulp, 1.8x as fast as the exp form (NumPy's AVX-512 tanh is
 * a table too).
 *
 * gelu: with u = min(|x|, 15) and e = exp(-u^2/2) = 2^-64 s (1 + m),
 * gelu(x) = relu(x) - e G(u) and gelu'(x) = (x >= 0 ? 1 - e D(u) : e D(u))
 * (G, D: fa_gelu_G_table_f, fa_gelu_D_table_f), e G and e D scaled by
 * 2^-64 inside the fused final operation; u^2 in two parts (FMA), which
 * exp's argument needs (u^2 up to 225).  The root of gelu' at -0.7518 is
 * x0 of D's intervals beside it, so D keeps its relative error there.
 * gelu's results below 2^-126 (u > 13) come from the double path: its
 * target there is one 2^-149, which float's roundings of e G exceed.
 * Every float32: within 1.8 ulp (derivative 2.48; in double 0.53
 * and 0.6), 2.3x and 2.9x as fast as in double (a C harness, 1e6 elements
 * with |x| < 5).  From u = 15 on the results are the limits (x or -0.0;
 * 1 or -0.0).  gelu itself, for x > -8.99 (and NaN), without exp: gelu =
 * relu(x) - H(u), H = u Phi(-u) of degree 8 on 32 intervals where
 * u (u + 4) is uniform (Phi(-u) falls by e^(-u w) across an interval of
 * width w: these keep u w the same), 2.2x as fast again; every float32:
 * within 1.64 ulp there.
 *
 * silu': as gelu's, silu' = (x >= 0 ? 1 - e D(u) : e D(u)) with e = exp(-u),
 * D = (1 - u + e) / (1 + e)^2 (fa_silu_D_table_f; 1 - u exactly from 24 on),
 * u = min(|x|, 112) (e D is below 2^-150 from there); the root of silu' at
 * -1.2785 is x0 of the interval it is in.  No division, no separate root
 * polynomial: 1.5x as fast as the quotient form (a C harness, 1e6
 * elements); every float32: within 2.3 ulp (backward 3.24, as the quotient
 * form's).
 *
 * silu: a table without exp, silu = relu(x) - u sigmoid(-u), sigmoid(-u)
 * on 32 intervals of equal width (0.625) to 20 (it falls as e^-u: one
 * width serves all); for x > 0 beyond, u sigmoid(-u) is below half an ulp
 * of x, and x <= -19.5 takes the quotient form.  Every float32: within
 * 1.76 ulp (the quotient form: 1.53); 1.6x as fast (a C harness, 1e6
 * elements of 3 N(0, 1)). */
#define FA_NO_BLOCK_1_1(name, T, c)                                                      \
    FA_INLINE intptr_t fa_##name##_block_##c(const T *x, T *y, intptr_t n)               \
    {                                                                                     \
        return (void)x, (void)y, (void)n, 0;                                              \
    }
#define FA_NO_BLOCK_1_2(name, T, c)                                                      \
    FA_INLINE intptr_t fa_##name##_block_##c(const T *x, T *y, T *d, intptr_t n)         \
    {                                                                                     \
        return (void)x, (void)y, (void)d, (void)n, 0;                                     \
    }
#define FA_NO_BLOCK_2_1(name, T, c)                                                      \
    FA_INLINE intptr_t fa_##name##_block_##c(const T *grad, const T *x, T *g, intptr_t n) \
    {                                                                                     \
        return (void)grad, (void)x, (void)g, (void)n, 0;                                  \
    }
#define FA_NO_BLOCK_3_2(name, T, c)                                                      \
    FA_INLINE intptr_t fa_##name##_block_##c(const T *grad, const T *a, const T *b,      \
                                             T *grad_a, T *grad_b, intptr_t n)            \
    {                                                                                     \
        return (void)grad, (void)a, (void)b, (void)grad_a, (void)grad_b, (void)n, 0;     \
    }
/* No blocks for type T (suffix c) in the tanh and gelu families, or in
 * silu's: the template's loop does every element.  fa_FAMILY_has_blocks_c
 * says whether a family's blocks do anything (Kernel.block names the
 * family; the template asks). */
#define FA_NO_TANH_GELU_BLOCKS(T, c)                                                      \
    enum { fa_tanh_has_blocks_##c = 0, fa_gelu_has_blocks_##c = 0,                        \
           fa_geglu_has_blocks_##c = 0 };                                                 \
    FA_NO_BLOCK_1_1(tanh, T, c) FA_NO_BLOCK_1_2(tanh_value_and_derivative, T, c)         \
    FA_NO_BLOCK_1_1(gelu, T, c) FA_NO_BLOCK_1_1(gelu_derivative, T, c)                   \
    FA_NO_BLOCK_1_2(gelu_value_and_derivative, T, c) FA_NO_BLOCK_2_1(gelu_backward, T, c) \
    FA_NO_BLOCK_2_1(geglu_halves, T, c) FA_NO_BLOCK_3_2(geglu_halves_backward, T, c)
#define FA_NO_SILU_BLOCKS(T, c)                                                           \
    enum { fa_silu_has_blocks_##c = 0, fa_swiglu_has_blocks_##c = 0 };                    \
    FA_NO_BLOCK_1_1(silu, T, c) FA_NO_BLOCK_1_1(silu_derivative, T, c)                   \
    FA_NO_BLOCK_1_2(silu_value_and_derivative, T, c)                                     \
    FA_NO_BLOCK_2_1(silu_backward, T, c) FA_NO_BLOCK_2_1(swiglu_halves, T, c)             \
    FA_NO_BLOCK_3_2(swiglu_halves_backward, T, c)
FA_INLINE double fa_tanh_d(double x) { return fa_tanh_exp_d(x); }
FA_NO_TANH_GELU_BLOCKS(double, d)

#ifdef __AVX512F__
#include <immintrin.h>
#include "stream.h"
/* the contiguous loops that an explicit block does on this target, for
   tools/vectorization_report.py (their remainder loops gcc may leave scalar) */
#define FA_SIMD_BLOCKS                                                                  \
    "tanh_f tanh_value_and_derivative_f gelu_f gelu_derivative_f "                      \
    "gelu_value_and_derivative_f gelu_backward_f silu_f silu_derivative_f "             \
    "silu_value_and_derivative_f silu_backward_f swiglu_halves_f "                      \
    "swiglu_halves_backward_f "                                                         \
    "geglu_halves_f geglu_halves_backward_f "                                           \
    "silu_d silu_derivative_d silu_value_and_derivative_d silu_backward_d "             \
    "swiglu_halves_d swiglu_halves_backward_d"
/* the template calls these blocks once over its range */
enum { fa_tanh_has_blocks_f = 1, fa_gelu_has_blocks_f = 1, fa_geglu_has_blocks_f = 1,
       fa_silu_has_blocks_f = 1, fa_swiglu_has_blocks_f = 1,
       fa_silu_has_blocks_d = 1, fa_swiglu_has_blocks_d = 1 };
typedef const float fa_table_f[32];  /* a row: one value per interval */

/* the interval of |x| (bits abits) in a table starting at 2^(first/4 - 127)
   (k = 1 there; k = 0 below, and at most 31) */
FA_INLINE int32_t fa_table_index_f(int32_t abits, int32_t first)
{
    int32_t k = (abits >> 21) - first;  /* exponent and 2 mantissa bits */
    return k < 0 ? 0 : (k > 31 ? 31 : k);
}
/* p(d) = c0 + d P(d), d = |x| - x0, of interval k in a table of rows x0,
   c0, ..., c_degree (FA_TABLE_DEGREE but gelu's H): P (*d = d), and p;
   the scalar versions of fa_table_tail16 and fa_table_poly16 */
#define FA_TABLE_DEGREE 6
FA_INLINE float fa_table_tail_n_f(fa_table_f *t, int degree, float ax, int32_t k, float *d)
{
    float p = t[degree + 1][k];
    *d = ax - t[0][k];
    for (int j = degree; j >= 2; j--)
        p = fa_fma_f(p, *d, t[j][k]);
    return p;
}
FA_INLINE float fa_table_tail_f(fa_table_f *t, float ax, int32_t k, float *d)
{
    return fa_table_tail_n_f(t, FA_TABLE_DEGREE, ax, k, d);
}
FA_INLINE float fa_table_poly_f(fa_table_f *t, float ax, int32_t k)
{
    float d, p = fa_table_tail_f(t, ax, k, &d);
    return fa_fma_f(p, d, t[1][k]);
}
static inline __m512 fa_lookup16(const float *row, __m512i k)
{
    return _mm512_permutex2var_ps(_mm512_loadu_ps(row), k, _mm512_loadu_ps(row + 16));
}
static inline __m512i fa_table_index16(__m512 ax, int32_t first)
{
    __m512i k = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(ax), 21),
                                 _mm512_set1_epi32(first));
    return _mm512_min_epi32(_mm512_max_epi32(k, _mm512_setzero_si512()), _mm512_set1_epi32(31));
}
static inline __m512 fa_table_tail_n16(fa_table_f *t, int degree, __m512 ax, __m512i k,
                                       __m512 *d)
{
    __m512 p = fa_lookup16(t[degree + 1], k);
    *d = _mm512_sub_ps(ax, fa_lookup16(t[0], k));
    for (int j = degree; j >= 2; j--)
        p = _mm512_fmadd_ps(p, *d, fa_lookup16(t[j], k));
    return p;
}
static inline __m512 fa_table_tail16(fa_table_f *t, __m512 ax, __m512i k, __m512 *d)
{
    return fa_table_tail_n16(t, FA_TABLE_DEGREE, ax, k, d);
}
static inline __m512 fa_table_poly16(fa_table_f *t, __m512 ax, __m512i k)
{
    __m512 d, p = fa_table_tail16(t, ax, k, &d);
    return _mm512_fmadd_ps(p, d, fa_lookup16(t[1], k));
}
static inline __m512 fa_abs16(__m512 x)
{
    return _mm512_castsi512_ps(_mm512_andnot_si512(_mm512_set1_epi32(INT32_MIN),
                                                   _mm512_castps_si512(x)));
}
static inline __m512 fa_with_sign_of16(__m512 m, __m512 s)  /* as fa_with_sign_of_f */
{
    return _mm512_castsi512_ps(_mm512_or_si512(
        _mm512_castps_si512(m), _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(INT32_MIN))));
}

/* tanh: the scalar version, the same operations as fa_tanh16 */
FA_INLINE float fa_tanh_f(float x)
{
    float ax = fa_abs_f(x);
    float p = fa_table_poly_f(fa_tanh_table_f, ax, fa_table_index_f(fa_bits_f(ax), 491));
    return fa_with_sign_of_f(ax > 12.0f ? 1.0f : p, x);  /* NaN stays p */
}
static inline __m512 fa_tanh16(__m512 x)
{
    __m512 ax = fa_abs16(x), p = fa_table_poly16(fa_tanh_table_f, ax, fa_table_index16(ax, 491));
    p = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(ax, _mm512_set1_ps(12.0f), _CMP_GT_OQ), p,
                             _mm512_set1_ps(1.0f));
    return fa_with_sign_of16(p, x);
}
/* The arrays' vectors, read and written with a software prefetch
   FA_PREFETCH_AHEAD bytes ahead (stream.h): the template calls a block
   once over its range and leaves the prefetching to it (without, arrays
   of 1.6e7 floats ran 20-35% slower; prefetches never fault) */
#define FA_VECTOR_IO(LANES, T, V, LOADU, STOREU)          \
    static inline V fa_load##LANES(const T *p)               \
    {                                                        \
        FA_PREFETCH((const char *)p + FA_PREFETCH_AHEAD, 0); \
        return LOADU(p);                                     \
    }                                                        \
    static inline void fa_store##LANES(T *p, V v)            \
    {                                                        \
        FA_PREFETCH((char *)p + FA_PREFETCH_AHEAD, 1);       \
        STOREU(p, v);                                        \
    }
FA_VECTOR_IO(16, float, __m512, _mm512_loadu_ps, _mm512_storeu_ps)
FA_VECTOR_IO(8, double, __m512d, _mm512_loadu_pd, _mm512_storeu_pd)
#undef FA_VECTOR_IO
/* The body of a block: BODY for each vector (at i, of LANES elements) of
   the leading multiple of LANES elements, returned.  Every BODY reads its
   input vectors before it writes an output, so an output may be an input.
   FA_LOAD, FA_STORE and FA_MUL serve float32 and float64 vectors alike. */
#define FA_BLOCK_LOOP(n, LANES, BODY)        \
    intptr_t i = 0;                          \
    for (; i + (LANES) <= (n); i += (LANES)) { \
        BODY;                                \
    }                                        \
    return i
#define FA_LOAD(a) \
    _Generic((a), const float *: fa_load16, float *: fa_load16, \
             const double *: fa_load8, double *: fa_load8)((a) + i)
#define FA_STORE(a, v) _Generic((a), float *: fa_store16, double *: fa_store8)((a) + i, (v))
#define FA_MUL(a, b) _Generic((a), __m512: _mm512_mul_ps, __m512d: _mm512_mul_pd)((a), (b))
static inline intptr_t fa_tanh_block_f(const float *x, float *y, intptr_t n)
{
    FA_BLOCK_LOOP(n, 16, FA_STORE(y, fa_tanh16(FA_LOAD(x))));
}
/* tanh' of x[0..15] from x, in double (fa_tanh_derivative_f, no table): a
   loop gcc vectorizes */
FA_INLINE __m512 fa_tanh_derivative16(const float *x)
{
    float d[16];
    for (int j = 0; j < 16; j++)
        d[j] = fa_tanh_derivative_f(x[j]);
    return _mm512_loadu_ps(d);
}
static inline intptr_t fa_tanh_value_and_derivative_block_f(const float *x, float *y, float *d,
                                                           intptr_t n)
{
    FA_BLOCK_LOOP(n, 16, __m512 dv = fa_tanh_derivative16(x + i); FA_STORE(y, fa_tanh16(FA_LOAD(x)));
                  FA_STORE(d, dv));
}

/* gelu and silu' (f = relu(x) - e G(u), f' = 1 - e D(u) or e D(u)): the
   parts of x, u = min(|x|, max) (NaN stays), k its interval, e = 2^-64 s
   (1 + m).  The exp's last steps from kshift (2^(k+64) in its low bits,
   magic FA_EXP_NEG_MAGIC_F) and r = exp's argument - k ln2: s, and m */
FA_INLINE float fa_exp_neg_table_m_f(float kshift, float r, float *s)
{
    *s = fa_from_bits_f((int32_t)((uint32_t)fa_bits_f(kshift) << 23));
    float q = fa_expm1_q_f[0];
    for (int j = 1; j < 5; j++)
        q = fa_fma_f(q, r, fa_expm1_q_f[j]);
    return fa_fma_f(q, r * r, r);
}
typedef struct {
    __m512 x, u, s, m;
    __m512i k;
} fa_exp_table16_parts;
static inline __m512 fa_exp_neg_table_m16(__m512 kshift, __m512 r, __m512 *s)
{
    *s = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(kshift), 23));
    __m512 q = _mm512_set1_ps(fa_expm1_q_f[0]);
    for (int j = 1; j < 5; j++)
        q = _mm512_fmadd_ps(q, r, _mm512_set1_ps(fa_expm1_q_f[j]));
    return _mm512_fmadd_ps(q, _mm512_mul_ps(r, r), r);
}
/* x and u = min(|x|, u_max) with its interval (first: the table's) */
FA_INLINE float fa_table_u_f(float x, float u_max, int32_t first, int32_t *k)
{
    float u = fa_abs_f(x);
    u = u > u_max ? u_max : u;
    *k = fa_table_index_f(fa_bits_f(u), first);
    return u;
}
static inline fa_exp_table16_parts fa_table_u16(const float *x, float u_max, int32_t first)
{
    fa_exp_table16_parts p;
    p.x = fa_load16(x);
    __m512 u = fa_abs16(p.x);
    p.u = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(u, _mm512_set1_ps(u_max), _CMP_GT_OQ), u,
                               _mm512_set1_ps(u_max));
    p.k = fa_table_index16(p.u, first);
    return p;
}
/* 2^64 e T(u) = s (T + T m) for a table T (D's) */
FA_INLINE float fa_scaled_table_poly_f(fa_table_f *t, float u, int32_t k, float s, float m)
{
    float f = fa_table_poly_f(t, u, k);
    return fa_fma_f(f, m, f) * s;
}
static inline __m512 fa_scaled_table_poly16(fa_table_f *t, fa_exp_table16_parts q)
{
    __m512 f = fa_table_poly16(t, q.u, q.k);
    return _mm512_mul_ps(_mm512_fmadd_ps(f, q.m, f), q.s);
}
/* f' from ed = 2^64 e D: 1 - e D for x >= 0, e D below (NaN: e D) */
FA_INLINE float fa_reflected_derivative_f(float x, float ed)
{
    return x >= 0 ? fa_fma_f(-ed, FA_EXP_NEG_SCALE_F, 1.0f) : ed * FA_EXP_NEG_SCALE_F;
}
static inline __m512 fa_reflected_derivative16(__m512 x, __m512 ed)
{
    __mmask16 nonneg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_GE_OQ);
    __m512 scale = _mm512_set1_ps(FA_EXP_NEG_SCALE_F);
    return _mm512_mask_blend_ps(nonneg, _mm512_mul_ps(ed, scale),
                                _mm512_fnmadd_ps(ed, scale, _mm512_set1_ps(1.0f)));
}
/* a block whose STORES take p, the parts of the vector of x (PARTS(x + i)) */
#define FA_TABLE_BLOCK(PARTS, x, n, STORES) \
    FA_BLOCK_LOOP(n, 16, fa_exp_table16_parts p = PARTS((x) + i); STORES)

/* gelu: u = min(|x|, 15), e = exp(-u^2/2) */
#define FA_GELU_TABLE_FIRST 495  /* k = 1 from 2^-3 */
FA_INLINE float fa_gelu_parts_f(float x, int32_t *k, float *s, float *m)
{
    float u = fa_table_u_f(x, 15.0f, FA_GELU_TABLE_FIRST, k);
    float hi = u * u, lo = fa_fma_f(u, u, -hi);  /* u^2 = hi + lo exactly */
    /* -u^2/2 = kf ln2 + r as fa_exp_neg_reduce_f, with lo: -hi/2 - kf ln2_hi
       is exact, the rest is small */
    const float magic = FA_EXP_NEG_MAGIC_F;
    float kshift = fa_fma_f(hi, -0.5f * FA_LOG2E_F, magic), kf = kshift - magic;
    float r = fa_fma_f(kf, -FA_LN2_HI_F, -0.5f * hi) + fa_fma_f(kf, -FA_LN2_LO_F, -0.5f * lo);
    *m = fa_exp_neg_table_m_f(kshift, r, s);
    return u;
}
static inline fa_exp_table16_parts fa_gelu_parts16(const float *x)
{
    fa_exp_table16_parts p = fa_table_u16(x, 15.0f, FA_GELU_TABLE_FIRST);
    __m512 hi = _mm512_mul_ps(p.u, p.u), lo = _mm512_fmsub_ps(p.u, p.u, hi);
    const __m512 magic = _mm512_set1_ps(FA_EXP_NEG_MAGIC_F), half = _mm512_set1_ps(-0.5f);
    __m512 kshift = _mm512_fmadd_ps(hi, _mm512_set1_ps(-0.5f * FA_LOG2E_F), magic);
    __m512 kf = _mm512_sub_ps(kshift, magic);
    __m512 r = _mm512_add_ps(
        _mm512_fmadd_ps(kf, _mm512_set1_ps(-FA_LN2_HI_F), _mm512_mul_ps(half, hi)),
        _mm512_fmadd_ps(kf, _mm512_set1_ps(-FA_LN2_LO_F), _mm512_mul_ps(half, lo)));
    p.m = fa_exp_neg_table_m16(kshift, r, &p.s);
    return p;
}
/* 2^64 e G(u) = s G (1 + m), as d (P + P m) s on interval 0 (G = d P,
   x0 = 0: G rounded first would cost up to an ulp of the result where G
   and e G lie in different binades) */
FA_INLINE float fa_gelu_scaled_G_f(float u, int32_t k, float s, float m)
{
    float d, p = fa_table_tail_f(fa_gelu_G_table_f, u, k, &d);
    float g = fa_fma_f(p, d, fa_gelu_G_table_f[1][k]);
    return (k == 0 ? d * fa_fma_f(p, m, p) : fa_fma_f(g, m, g)) * s;
}
static inline __m512 fa_gelu_scaled_G16(fa_exp_table16_parts q)
{
    __m512 d, p = fa_table_tail16(fa_gelu_G_table_f, q.u, q.k, &d);
    __m512 g = _mm512_fmadd_ps(p, d, fa_lookup16(fa_gelu_G_table_f[1], q.k));
    __m512 eg = _mm512_mask_mul_ps(_mm512_fmadd_ps(g, q.m, g),
                                   _mm512_cmpeq_epi32_mask(q.k, _mm512_setzero_si512()), d,
                                   _mm512_fmadd_ps(p, q.m, p));
    return _mm512_mul_ps(eg, q.s);
}
/* relu(x) - 2^-64 (2^64 e G), in one rounding (x = -0.0 gives -0.0);
   x / 2 below 2^-60, where gelu(x) = x / 2 (1 + 0.8 x) rounds as x / 2,
   ties to even as NumPy's and the float64 reference's (x - x / 2, with
   x / 2 rounded first, would give the odd one for subnormal x); from
   u = 13 on, where results reach the subnormal range and must be within
   one 2^-149 (issue 5), in double (e G's float roundings before the last
   one, relative 2^-24 each, are that much there) */
#define FA_GELU_TAIL 13.0f
FA_INLINE float fa_gelu_exp_f(float x)
{
    int32_t k;
    float s, m, u = fa_gelu_parts_f(x, &k, &s, &m);
    float t = fa_gelu_scaled_G_f(u, k, s, m);
    if (u > FA_GELU_TAIL)
        return (float)fa_gelu_fd(x);
    return u < 0x1p-60f ? x * 0.5f : fa_fma_f(-t, FA_EXP_NEG_SCALE_F, x >= 0 ? x : -0.0f);
}
FA_INLINE float fa_gelu_derivative_f(float x)
{
    int32_t k;
    float s, m, u = fa_gelu_parts_f(x, &k, &s, &m);
    return fa_reflected_derivative_f(x, fa_scaled_table_poly_f(fa_gelu_D_table_f, u, k, s, m));
}
/* the lanes of y beyond FA_GELU_TAIL, as fa_gelu_exp_f: rare (u > 13) */
static __attribute__((noinline)) __m512 fa_gelu_tail16(__m512 x, __m512 y, __mmask16 tail)
{
    float xs[16], ys[16];
    _mm512_storeu_ps(xs, x);
    _mm512_storeu_ps(ys, y);
    for (int j = 0; j < 16; j++)
        if (tail >> j & 1)
            ys[j] = (float)fa_gelu_fd(xs[j]);
    return _mm512_loadu_ps(ys);
}
static inline __m512 fa_gelu_exp16(fa_exp_table16_parts p)
{
    __mmask16 nonneg = _mm512_cmp_ps_mask(p.x, _mm512_setzero_ps(), _CMP_GE_OQ);
    __m512 y = _mm512_fnmadd_ps(fa_gelu_scaled_G16(p), _mm512_set1_ps(FA_EXP_NEG_SCALE_F),
                                _mm512_mask_blend_ps(nonneg, _mm512_set1_ps(-0.0f), p.x));
    __mmask16 tiny = _mm512_cmp_ps_mask(p.u, _mm512_set1_ps(0x1p-60f), _CMP_LT_OQ);
    y = _mm512_mask_mul_ps(y, tiny, p.x, _mm512_set1_ps(0.5f));
    __mmask16 tail = _mm512_cmp_ps_mask(p.u, _mm512_set1_ps(FA_GELU_TAIL), _CMP_GT_OQ);
    return tail ? fa_gelu_tail16(p.x, y, tail) : y;
}
static inline __m512 fa_gelu_derivative16(fa_exp_table16_parts p)
{
    return fa_reflected_derivative16(p.x, fa_scaled_table_poly16(fa_gelu_D_table_f, p));
}

/* gelu = relu(x) - H(u), H = u Phi(-u) (fa_gelu_H_table_f: 32 intervals
   where u (u + 4) is uniform, degree 8), u = min(|x|, FA_GELU_H_U_MAX), as
   (relu(x) - c0) - d P(d), one rounding for x <= 0 (c0 = 0 on interval 0,
   so for x > 0 there too: x / 2 rounds as the exp form's tiny case); its
   sign is the exact result's (-0.0: -0.0 - 0 - d P).  For x >
   -FA_GELU_H_U_MAX and NaN; the exp form (fa_gelu_exp_f) below.  No exp:
   2.2x as fast as the exp form in a C harness (1e6 elements of 3 N(0, 1): 0.27 against 0.59 ns each).
   The scalar version, the same operations as the vector one: */
FA_INLINE int fa_gelu_in_table_f(float x) { return !(x <= -FA_GELU_H_U_MAX); }
FA_INLINE float fa_gelu_direct_f(float x)
{
    float u = fa_abs_f(x), d;
    u = u < FA_GELU_H_U_MAX ? u : FA_GELU_H_U_MAX;  /* NaN too, as vminps */
    int32_t k = (int32_t)(u * fa_fma_f(u, FA_GELU_H_SCALE, FA_GELU_H_SHIFT_SCALED));
    float p = fa_table_tail_n_f(fa_gelu_H_table_f, FA_GELU_H_DEGREE, u, k, &d);
    return fa_fma_f(-p, d, (0.0f > x ? 0.0f : x) - fa_gelu_H_table_f[1][k]);  /* vmaxps(0, x) */
}
FA_INLINE float fa_gelu_f(float x)
{
    return fa_gelu_in_table_f(x) ? fa_gelu_direct_f(x) : fa_gelu_exp_f(x);
}
static inline __m512 fa_gelu_direct16(__m512 x)
{
    __m512 d, u = _mm512_min_ps(fa_abs16(x), _mm512_set1_ps(FA_GELU_H_U_MAX));
    __m512i k = _mm512_cvttps_epi32(_mm512_mul_ps(
        u, _mm512_fmadd_ps(u, _mm512_set1_ps(FA_GELU_H_SCALE),
                           _mm512_set1_ps(FA_GELU_H_SHIFT_SCALED))));
    __m512 p = fa_table_tail_n16(fa_gelu_H_table_f, FA_GELU_H_DEGREE, u, k, &d);
    __m512 base = _mm512_sub_ps(_mm512_max_ps(_mm512_setzero_ps(), x),
                                fa_lookup16(fa_gelu_H_table_f[1], k));
    return _mm512_fnmadd_ps(p, d, base);
}
/* gelu of x[0..15]: a vector with an x <= -FA_GELU_H_U_MAX (in 3 N(0, 1)
   data, one in 140) takes the exp form where the table does not apply,
   out of line (inlined, it kept gcc from inlining fa_gelu16: a call per
   vector, the tables loaded in each) */
static __attribute__((noinline)) __m512 fa_gelu_below16(const float *x, __m512 y,
                                                         __mmask16 in_table)
{
    return _mm512_mask_blend_ps(in_table, fa_gelu_exp16(fa_gelu_parts16(x)), y);
}
FA_INLINE __m512 fa_gelu16(const float *x)
{
    __m512 xv = fa_load16(x), y = fa_gelu_direct16(xv);
    __mmask16 in_table = _mm512_cmp_ps_mask(xv, _mm512_set1_ps(-FA_GELU_H_U_MAX), _CMP_NLE_UQ);
    return in_table == 0xffff ? y : fa_gelu_below16(x, y, in_table);
}
#define FA_GELU_BLOCK(x, n, STORES) FA_TABLE_BLOCK(fa_gelu_parts16, x, n, STORES)
static inline intptr_t fa_gelu_block_f(const float *x, float *y, intptr_t n)
{
    FA_BLOCK_LOOP(n, 16, FA_STORE(y, fa_gelu16(x + i)));
}
static inline intptr_t fa_gelu_derivative_block_f(const float *x, float *d, intptr_t n)
{
    FA_GELU_BLOCK(x, n, FA_STORE(d, fa_gelu_derivative16(p)));
}
static inline intptr_t fa_gelu_value_and_derivative_block_f(const float *x, float *y, float *d,
                                                           intptr_t n)
{
    FA_GELU_BLOCK(x, n, __m512 yv = fa_gelu16(x + i); FA_STORE(d, fa_gelu_derivative16(p));
                  FA_STORE(y, yv));
}
static inline intptr_t fa_gelu_backward_block_f(const float *grad, const float *x, float *g,
                                                intptr_t n)
{
    FA_GELU_BLOCK(x, n, FA_STORE(g, _mm512_mul_ps(FA_LOAD(grad), fa_gelu_derivative16(p))));
}
/* A GLU's halves (_catalog.GLU_GATES) with gate g: g(a) * b, and its
   backward (grad * g'(a)) * b and grad * g(a), as the template's
   expressions, for type T (suffix c, LANES per vector); GATE gives g of a
   vector of a, GATE_BLOCK the block whose parts p give g' by
   DERIVATIVE(p) */
#define FA_GLU_HALVES_BLOCKS(name, T, c, LANES, GATE, GATE_BLOCK, DERIVATIVE)                    \
    static inline intptr_t fa_##name##_halves_block_##c(const T *a, const T *b, T *y,          \
                                                        intptr_t n)                              \
    {                                                                                            \
        FA_BLOCK_LOOP(n, LANES, FA_STORE(y, FA_MUL(GATE(a + i), FA_LOAD(b))));                   \
    }                                                                                            \
    static inline intptr_t fa_##name##_halves_backward_block_##c(                                \
        const T *grad, const T *a, const T *b, T *grad_a, T *grad_b, intptr_t n)               \
    {                                                                                            \
        GATE_BLOCK(a, n, __auto_type gv = FA_LOAD(grad); __auto_type bv = FA_LOAD(b);            \
                   __auto_type gate = GATE(a + i);                                               \
                   FA_STORE(grad_a, FA_MUL(FA_MUL(gv, DERIVATIVE(p)), bv));                      \
                   FA_STORE(grad_b, FA_MUL(gv, gate)));                                          \
    }
FA_GLU_HALVES_BLOCKS(geglu, float, f, 16, fa_gelu16, FA_GELU_BLOCK, fa_gelu_derivative16)

/* silu': u = min(|x|, 112), e = exp(-u) (e D is below 2^-150 from there) */
#define FA_SILU_TABLE_FIRST 495  /* k = 1 from 2^-3 */
#define FA_SILU_U_MAX 112.0f
FA_INLINE float fa_silu_parts_f(float x, int32_t *k, float *s, float *m)
{
    float u = fa_table_u_f(x, FA_SILU_U_MAX, FA_SILU_TABLE_FIRST, k);
    const float magic = FA_EXP_NEG_MAGIC_F;
    float kshift = fa_fma_f(u, -FA_LOG2E_F, magic), kf = kshift - magic;
    float r = fa_fma_f(kf, -FA_LN2_LO_F, fa_fma_f(kf, -FA_LN2_HI_F, -u));
    *m = fa_exp_neg_table_m_f(kshift, r, s);
    return u;
}
static inline fa_exp_table16_parts fa_silu_parts16(const float *x)
{
    fa_exp_table16_parts p = fa_table_u16(x, FA_SILU_U_MAX, FA_SILU_TABLE_FIRST);
    const __m512 magic = _mm512_set1_ps(FA_EXP_NEG_MAGIC_F);
    __m512 kshift = _mm512_fmadd_ps(p.u, _mm512_set1_ps(-FA_LOG2E_F), magic);
    __m512 kf = _mm512_sub_ps(kshift, magic);
    __m512 r = _mm512_fmadd_ps(kf, _mm512_set1_ps(-FA_LN2_LO_F),
                               _mm512_fnmsub_ps(kf, _mm512_set1_ps(FA_LN2_HI_F), p.u));
    p.m = fa_exp_neg_table_m16(kshift, r, &p.s);
    return p;
}
FA_INLINE float fa_silu_derivative_f(float x)
{
    int32_t k;
    float s, m, u = fa_silu_parts_f(x, &k, &s, &m);
    return fa_reflected_derivative_f(x, fa_scaled_table_poly_f(fa_silu_D_table_f, u, k, s, m));
}
static inline __m512 fa_silu_derivative16(fa_exp_table16_parts p)
{
    return fa_reflected_derivative16(p.x, fa_scaled_table_poly16(fa_silu_D_table_f, p));
}
#define FA_SILU_BLOCK(x, n, STORES) FA_TABLE_BLOCK(fa_silu_parts16, x, n, STORES)
static inline intptr_t fa_silu_derivative_block_f(const float *x, float *d, intptr_t n)
{
    FA_SILU_BLOCK(x, n, FA_STORE(d, fa_silu_derivative16(p)));
}
static inline intptr_t fa_silu_backward_block_f(const float *grad, const float *x, float *g,
                                                intptr_t n)
{
    FA_SILU_BLOCK(x, n, FA_STORE(g, _mm512_mul_ps(FA_LOAD(grad), fa_silu_derivative16(p))));
}

/* silu = relu(x) - u S(u), S = sigmoid(-u) (fa_silu_S_table_f: intervals
   of width 1 / FA_SILU_TABLE_SCALE), u = min(|x|, FA_SILU_TABLE_U_MAX), in
   one rounding, whose sign is the exact result's (-0.0: -0.0 - 0 S), for
   x > -FA_SILU_TABLE_U_MAX and NaN; the quotient form below (where u S(u)
   would need an exp).  The scalar version, the same operations as the
   vector one: */
FA_INLINE int fa_silu_in_table_f(float x) { return !(x <= -FA_SILU_TABLE_U_MAX); }
FA_INLINE float fa_silu_table_f(float x)
{
    float u = fa_abs_f(x);
    u = u < FA_SILU_TABLE_U_MAX ? u : FA_SILU_TABLE_U_MAX;  /* NaN too, as vminps */
    float p = fa_table_poly_f(fa_silu_S_table_f, u, (int32_t)(u * FA_SILU_TABLE_SCALE));
    return fa_fma_f(-u, p, 0.0f > x ? 0.0f : x);  /* vmaxps(0, x) */
}
FA_INLINE float fa_silu_f(float x)
{
    return fa_silu_in_table_f(x) ? fa_silu_table_f(x) : fa_silu_quotient_f(x);
}
static inline __m512 fa_silu_table16(__m512 x)
{
    __m512 u = _mm512_min_ps(fa_abs16(x), _mm512_set1_ps(FA_SILU_TABLE_U_MAX));
    __m512i k = _mm512_cvttps_epi32(_mm512_mul_ps(u, _mm512_set1_ps(FA_SILU_TABLE_SCALE)));
    __m512 p = fa_table_poly16(fa_silu_S_table_f, u, k);
    return _mm512_fnmadd_ps(u, p, _mm512_max_ps(_mm512_setzero_ps(), x));
}
/* NAME(x, y, in_table): y, but F(x[j]) in the lanes j not in in_table (a
   loop gcc vectorizes), out of line: for the rare vectors with a lane
   beyond a table (tools/vectorization_report.py reads these names) */
#define FA_BEYOND_TABLE(NAME, F, T, V, MASK, LANES, LOADU, BLEND)    \
    static __attribute__((noinline)) V NAME(const T *x, V y, MASK in_table) \
    {                                                                \
        T value[LANES];                                              \
        for (int j = 0; j < LANES; j++)                              \
            value[j] = F(x[j]);                                      \
        return BLEND(in_table, LOADU(value), y);                     \
    }
/* silu of x[0..15]: a vector with an x <= -FA_SILU_TABLE_U_MAX (never, in
   most data) takes the quotient form where the table does not apply, as
   fa_silu_f does */
FA_BEYOND_TABLE(fa_silu_below16, fa_silu_quotient_f, float, __m512, __mmask16, 16,
                _mm512_loadu_ps, _mm512_mask_blend_ps)
FA_INLINE __m512 fa_silu16(const float *x)
{
    __m512 xv = fa_load16(x), y = fa_silu_table16(xv);
    __mmask16 in_table = _mm512_cmp_ps_mask(xv, _mm512_set1_ps(-FA_SILU_TABLE_U_MAX), _CMP_NLE_UQ);
    return in_table == 0xffff ? y : fa_silu_below16(x, y, in_table);
}
static inline intptr_t fa_silu_block_f(const float *x, float *y, intptr_t n)
{
    FA_BLOCK_LOOP(n, 16, FA_STORE(y, fa_silu16(x + i)));
}
static inline intptr_t fa_silu_value_and_derivative_block_f(const float *x, float *y, float *d,
                                                           intptr_t n)
{
    FA_SILU_BLOCK(x, n, __m512 yv = fa_silu16(x + i); FA_STORE(d, fa_silu_derivative16(p));
                  FA_STORE(y, yv));
}
FA_GLU_HALVES_BLOCKS(swiglu, float, f, 16, fa_silu16, FA_SILU_BLOCK, fa_silu_derivative16)

/* ---- float64 silu and silu': tables without exp or division ------------
 * silu = relu(x) - u S(u) and silu' = (x >= 0 ? 1 - P(u) : P(u)), u = |x|,
 * S(u) = sigmoid(-u), P(u) = silu'(-u) (silu'(x) + silu'(-x) = 1): 16
 * polynomials each (fa_silu_S_table_d, fa_silu_P_table_d: degree 12 and
 * 13, c0 in two parts) on intervals of width 0.625 centred on 0.625 k,
 * k = round(1.6 u), to FA_SILU_TABLE_U_MAX_D = 9.6875, in d = u - 0.625 k
 * (exact).  But P's root (silu' = 0 at x = -1.2785) is P's x0 in its
 * interval (fa_silu_P_x0_d), fitted as (u - root) q(u): relative accuracy
 * there without the root polynomial (and inside the interval: where the
 * root is near an end, the next interval's c0 cancels, 8.5 ulp).  A row of
 * 16 doubles is two registers, one vpermt2pd per coefficient.  From
 * u = 9.6875 on (and NaN) the quotient forms, for a vector with such a
 * lane (0.1% of 3 N(0, 1)).  Against the quotient forms (1e6 elements of
 * 3 N(0, 1), one thread): forward 1.4x, backward 2.0x, value and
 * derivative 1.5x as fast; torch's took 1.37x and 1.32x the time (bench,
 * 2026-12-06), the quotient forms 0.83x and 0.6x.  Strided arrays go
 * through buffers (the template): slower than the quotient forms were
 * element by element (2.3 against 1.85 ns), faster than this scalar
 * version vectorized with gathers (11). */
typedef const double fa_table_d[16];  /* a row: one value per interval */
#define FA_SILU_S_DEGREE_D (FA_LEN(fa_silu_S_table_d) - 2)
#define FA_SILU_P_DEGREE_D (FA_LEN(fa_silu_P_table_d) - 2)
#define FA_ROUND_MAGIC_D 6755399441055744.0  /* 1.5 * 2^52: t + magic rounds t, k in the low bits */
/* lo + d P(d) of interval k in a table of rows hi, lo, c1, ..., c_degree
   (P: c1 + c2 d + ...), and *hi */
FA_INLINE double fa_table_tail_d(fa_table_d *t, int degree, double d, int64_t k, double *hi)
{
    double q = t[degree + 1][k];
    for (int j = degree; j >= 2; j--)
        q = fa_fma_d(q, d, t[j][k]);
    *hi = t[0][k];
    return fa_fma_d(d, q, t[1][k]);
}
static inline __m512d fa_lookup8(const double *row, __m512i k)
{
    return _mm512_permutex2var_pd(_mm512_loadu_pd(row), k, _mm512_loadu_pd(row + 8));
}
static inline __m512d fa_table_tail8(fa_table_d *t, int degree, __m512d d, __m512i k,
                                     __m512d *hi)
{
    __m512d q = fa_lookup8(t[degree + 1], k);
    for (int j = degree; j >= 2; j--)
        q = _mm512_fmadd_pd(q, d, fa_lookup8(t[j], k));
    *hi = fa_lookup8(t[0], k);
    return _mm512_fmadd_pd(d, q, fa_lookup8(t[1], k));
}
/* The scalar versions, the same operations as the vector ones: u = |x|
   where the tables apply, else 0 (k then a valid index, the result
   unused), its interval k (= kf) */
FA_INLINE int fa_silu_in_table_d(double x) { return fa_abs_d(x) < FA_SILU_TABLE_U_MAX_D; }
FA_INLINE double fa_silu_table_u_d(double x, int64_t *k, double *kf)
{
    double u = fa_silu_in_table_d(x) ? fa_abs_d(x) : 0.0;
    *kf = fa_fma_d(u, FA_SILU_TABLE_SCALE_D, FA_ROUND_MAGIC_D) - FA_ROUND_MAGIC_D;
    *k = (int64_t)*kf;
    return u;
}
/* silu = relu(x) - u hi - u r rounded once but for u r (small): within 1.46
   ulp for x < 0, 1.7 for x > 0 (x - u r rounded first; 1.1 with S(u)
   rounded instead, 2.04 for x < 0 then, and 10% slower with a form per
   sign).  With x's sign, which silu has: silu(-0.0) = -0.0 (u r may be
   -0.0, and then the sum +0.0) */
FA_INLINE double fa_silu_d(double x)
{
    int64_t k;
    double kf, u = fa_silu_table_u_d(x, &k, &kf);
    double hi, r = fa_table_tail_d(fa_silu_S_table_d, FA_SILU_S_DEGREE_D,
                                   fa_fma_d(-kf, FA_SILU_TABLE_WIDTH_D, u), k, &hi);
    double y = fa_fma_d(-u, hi, fa_fma_d(-u, r, 0.0 > x ? 0.0 : x));  /* vmaxpd(0, x) */
    return fa_silu_in_table_d(x) ? fa_copysign_d(y, x) : fa_silu_quotient_d(x);
}
FA_INLINE double fa_silu_derivative_d(double x)
{
    int64_t k;
    double kf, u = fa_silu_table_u_d(x, &k, &kf);
    double hi, r = fa_table_tail_d(fa_silu_P_table_d, FA_SILU_P_DEGREE_D, u - fa_silu_P_x0_d[k], k,
                                   &hi);
    double p = hi + r, d = x >= 0 ? 1.0 - p : p;
    return fa_silu_in_table_d(x) ? d : fa_silu_derivative_quotient_d(x);
}
/* a vector of x, u = |x|, its intervals k (= kf) and the lanes in the tables */
typedef struct {
    const double *at;
    __m512d x, u, kf;
    __m512i k;
    __mmask8 in_table;
} fa_silu_parts8;
FA_INLINE fa_silu_parts8 fa_silu_parts8_of(const double *x)
{
    fa_silu_parts8 p;
    const __m512d magic = _mm512_set1_pd(FA_ROUND_MAGIC_D);
    p.at = x;
    p.x = fa_load8(x);
    p.u = _mm512_abs_pd(p.x);
    p.in_table = _mm512_cmp_pd_mask(p.u, _mm512_set1_pd(FA_SILU_TABLE_U_MAX_D), _CMP_LT_OQ);
    __m512d t = _mm512_fmadd_pd(p.u, _mm512_set1_pd(FA_SILU_TABLE_SCALE_D), magic);
    p.k = _mm512_castpd_si512(t);  /* (its low 4 bits index a row: any k is a valid lookup) */
    p.kf = _mm512_sub_pd(t, magic);
    return p;
}
/* the lanes beyond the tables from the quotient forms */
FA_BEYOND_TABLE(fa_silu_beyond8, fa_silu_quotient_d, double, __m512d, __mmask8, 8,
                _mm512_loadu_pd, _mm512_mask_blend_pd)
FA_BEYOND_TABLE(fa_silu_derivative_beyond8, fa_silu_derivative_quotient_d, double, __m512d,
                __mmask8, 8, _mm512_loadu_pd, _mm512_mask_blend_pd)
FA_INLINE __m512d fa_silu8(const double *x)
{
    fa_silu_parts8 p = fa_silu_parts8_of(x);
    __m512d d = _mm512_fnmadd_pd(p.kf, _mm512_set1_pd(FA_SILU_TABLE_WIDTH_D), p.u);
    __m512d hi, r = fa_table_tail8(fa_silu_S_table_d, FA_SILU_S_DEGREE_D, d, p.k, &hi);
    __m512d y = _mm512_fnmadd_pd(
        p.u, hi, _mm512_fnmadd_pd(p.u, r, _mm512_max_pd(_mm512_setzero_pd(), p.x)));
    const __m512d sign = _mm512_set1_pd(-0.0);
    y = _mm512_or_pd(_mm512_andnot_pd(sign, y), _mm512_and_pd(p.x, sign));  /* copysign */
    return p.in_table == 0xff ? y : fa_silu_beyond8(x, y, p.in_table);
}
FA_INLINE __m512d fa_silu_derivative8(fa_silu_parts8 p)
{
    __m512d d = _mm512_sub_pd(p.u, fa_lookup8(fa_silu_P_x0_d, p.k));
    __m512d hi, r = fa_table_tail8(fa_silu_P_table_d, FA_SILU_P_DEGREE_D, d, p.k, &hi);
    __m512d q = _mm512_add_pd(hi, r);
    __mmask8 nonneg = _mm512_cmp_pd_mask(p.x, _mm512_setzero_pd(), _CMP_GE_OQ);
    __m512d df = _mm512_mask_sub_pd(q, nonneg, _mm512_set1_pd(1.0), q);
    return p.in_table == 0xff ? df : fa_silu_derivative_beyond8(p.at, df, p.in_table);
}
#define FA_SILU_BLOCK_D(x, n, STORES) \
    FA_BLOCK_LOOP(n, 8, fa_silu_parts8 p = fa_silu_parts8_of((x) + i); STORES)
static inline intptr_t fa_silu_block_d(const double *x, double *y, intptr_t n)
{
    FA_BLOCK_LOOP(n, 8, FA_STORE(y, fa_silu8(x + i)));
}
static inline intptr_t fa_silu_derivative_block_d(const double *x, double *d, intptr_t n)
{
    FA_SILU_BLOCK_D(x, n, FA_STORE(d, fa_silu_derivative8(p)));
}
static inline intptr_t fa_silu_value_and_derivative_block_d(const double *x, double *y,
                                                           double *d, intptr_t n)
{
    FA_SILU_BLOCK_D(x, n, __m512d yv = fa_silu8(x + i); FA_STORE(d, fa_silu_derivative8(p));
                    FA_STORE(y, yv));
}
static inline intptr_t fa_silu_backward_block_d(const double *grad, const double *x, double *g,
                                                intptr_t n)
{
    FA_SILU_BLOCK_D(x, n, FA_STORE(g, FA_MUL(FA_LOAD(grad), fa_silu_derivative8(p))));
}
FA_GLU_HALVES_BLOCKS(swiglu, double, d, 8, fa_silu8, FA_SILU_BLOCK_D, fa_silu_derivative8)
#undef FA_GLU_HALVES_BLOCKS
#undef FA_BEYOND_TABLE
#undef FA_GELU_BLOCK
#undef FA_SILU_BLOCK
#undef FA_SILU_BLOCK_D
#undef FA_TABLE_BLOCK
#undef FA_BLOCK_LOOP
#undef FA_LOAD
#undef FA_STORE
#undef FA_MUL
#undef FA_GELU_TABLE_FIRST
#undef FA_GELU_TAIL
#undef FA_SILU_TABLE_FIRST
#undef FA_SILU_U_MAX
#else
#define FA_SIMD_BLOCKS ""
FA_INLINE float fa_tanh_f(float x) { return fa_tanh_exp_f(x); }
FA_INLINE float fa_silu_f(float x) { return fa_silu_quotient_f(x); }
FA_INLINE float fa_silu_derivative_f(float x) { return fa_silu_derivative_quotient_f(x); }
FA_INLINE double fa_silu_d(double x) { return fa_silu_quotient_d(x); }
FA_INLINE double fa_silu_derivative_d(double x) { return fa_silu_derivative_quotient_d(x); }
FA_VIA_FD(gelu, (float x), (x))
FA_VIA_FD(gelu_derivative, (float x), (x))
FA_NO_TANH_GELU_BLOCKS(float, f)
FA_NO_SILU_BLOCKS(float, f)
FA_NO_SILU_BLOCKS(double, d)
#endif
#undef FA_VIA_FD
#undef FA_NO_TANH_GELU_BLOCKS
#undef FA_NO_SILU_BLOCKS
#undef FA_NO_BLOCK_1_1
#undef FA_NO_BLOCK_1_2
#undef FA_NO_BLOCK_2_1
#undef FA_NO_BLOCK_3_2

#endif
