/*
 * activations.h -- the scalar activation functions, for float and double.
 *
 * activations_impl.h is written once over a generic type FA_T and included
 * here twice: FA_F(fa_sigmoid) names fa_sigmoid_f for float and fa_sigmoid_d
 * for double, and FA_K(c) turns a constant into FA_T at compile time (so
 * float code never computes in double).  The loops in _ufuncs.pyx.tp call:
 *
 *   fa_NAME_T(x, params...)                   forward
 *   fa_NAME_derivative_T(x, params...)        f'(x)
 *   fa_NAME_derivative_from_y_T(y, params...) f'(x) written with y = f(x),
 *                                             only where the catalog says so
 *
 * glu_impl.h adds the elementwise halves of the GLU family and axis_impl.h
 * the row and column kernels of softmax and log_softmax (_axis.pyx.tp).
 *
 * The fused value_and_derivative loop calls forward and derivative for the
 * same x; after inlining gcc merges their common work (the single exp of
 * sigmoid), so no third copy of the math is written.
 */
#ifndef FASTACT_ACTIVATIONS_H
#define FASTACT_ACTIVATIONS_H

#include <math.h>
#include <stddef.h>

#include "fastmath.h"
#include "polynomials.h"

/* ---- double-precision cores ---------------------------------------------
 * The functions whose accuracy needs more than float can give cheaply
 * (an exp of a large computed argument, cancellation near a root of f')
 * are computed in double for float32 too: these cores, called by both
 * instantiations of activations_impl.h. */

/* Clamp for products x * g(x) where g underflows to 0 long before x is
 * infinite: x * 0 stays a (signed) zero instead of inf * 0 = NaN. */
FA_INLINE double fa_clamp_d(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* d p(d), d = x - x0, where f'(x) = d p(d) near the root x0 of f' (tables
 * of polynomials.h): relative accuracy where f' itself cancels. */
#define FA_LEN(table) ((int)(sizeof(table) / sizeof((table)[0])))
#define FA_ROOT_POLY(name, x) \
    fa_root_poly_d((x), FA_##name##_X0_HI, FA_##name##_X0_LO, \
                   fa_##name##_root_poly, FA_LEN(fa_##name##_root_poly))
#define FA_NEAR_ROOT(name, x) (fa_abs_d((x) - FA_##name##_X0_HI) < FA_##name##_RADIUS)
FA_INLINE double fa_root_poly_d(double x, double hi, double lo, const double *c, int n)
{
    double d = (x - hi) - lo;  /* x - hi is exact near the root (Sterbenz) */
    return d * fa_poly_d(c, n, d);
}

/* Where a result is (something) * exp(-a) and exp(-a) can be subnormal,
 * the something goes into fa_exp_mul_d, so the result is rounded once.
 * e = exp(-a) itself is still computed for the factors that need it
 * (gcc merges the two evaluations). */

/* The pieces of erfc(z) = 2 Phi(x), z = -x / sqrt(2):
 * |z| < 0.5: returns 1 - z P(z^2).  Else erfc(|z|) = exp(-x^2/2) *f with
 * *f = Q(Y) / (1 + 2|z|), Q a polynomial in Y = (|z| - 2.5) / (|z| + 2.5),
 * and erfc(-|z|) = 2 - erfc(|z|).  -x^2/2 = *hi + *lo exactly: rounding
 * x^2 would cost up to 1500 ulp near the underflow at x = -38.6. */
FA_INLINE double fa_erfc_parts_d(double x, double *hi, double *lo, double *f, double *z,
                                     double *xc_out)
{
    double xc = fa_clamp_d(x, -40.0, 40.0);  /* exp(-x^2/2) is 0 beyond */
    *xc_out = xc;
    double sql, sq = fa_two_prod_d(xc, xc, &sql);
    *hi = -0.5 * sq;
    *lo = -0.5 * sql;
    *z = -xc * 0.7071067811865476;
    double zt = fa_clamp_d(fa_abs_d(*z), 0.5, 28.0);
    *f = fa_poly_d(fa_erfcx_poly, FA_LEN(fa_erfcx_poly), (zt - 2.5) / (zt + 2.5))
         / (1.0 + 2.0 * zt);
    return 1.0 - *z * fa_poly_d(fa_erf_poly, FA_LEN(fa_erf_poly), *z * *z);
}

/* x Phi(x) */
FA_INLINE double fa_gelu_core_d(double x)
{
    double hi, lo, f, z, xc, small = fa_erfc_parts_d(x, &hi, &lo, &f, &z, &xc);
    double e = fa_exp_mul_d(hi, lo, 1.0);
    double lower = fa_exp_mul_d(hi, lo, 0.5 * xc * f);  /* z >= 0.5 */
    double other = 0.5 * x * (fa_abs_d(z) < 0.5 ? small : 2.0 - e * f);
    return z >= 0.5 ? lower : other;
}

/* Phi(x) + x phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi) */
FA_INLINE double fa_gelu_derivative_core_d(double x)
{
    const double c = 0.3989422804014327;
    double hi, lo, f, z, xc, small = fa_erfc_parts_d(x, &hi, &lo, &f, &z, &xc);
    double e = fa_exp_mul_d(hi, lo, 1.0);
    double lower = fa_exp_mul_d(hi, lo, FA_FMA_D(xc, c, 0.5 * f));  /* z >= 0.5 */
    double other = FA_FMA_D(xc * e, c, 0.5 * (fa_abs_d(z) < 0.5 ? small : 2.0 - e * f));
    double d = z >= 0.5 ? lower : other;
    return FA_NEAR_ROOT(gelu, x) ? FA_ROOT_POLY(gelu, x) : d;
}

/* gelu_tanh(x) = x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3) (the
 * constant taken as the exact decimal).  -|v| = *hi + *lo in double-double:
 * exp(-|v|) at |v| ~ 700 needs v to the last bit.  Returns
 * r = 1 / (1 + exp(-|v|)), *v the rounded v. */
FA_INLINE double fa_gelu_tanh_parts_d(double x, double *hi, double *lo, double *v,
                                          double *xc_out)
{
    const double k1 = 1.5957691216057308, k1l = -9.96930880911092e-17;
    const double k3 = 0.07135481627260025, k3l = -6.175149918155315e-19;
    double xc = fa_clamp_d(x, -100.0, 100.0);  /* sigmoid(v) is 0 or 1 beyond */
    double pl, p = fa_two_prod_d(xc, xc, &pl);            /* x^2 */
    *xc_out = xc;
    double tl, t = fa_two_prod_d(k3, p, &tl);             /* k3 x^2 */
    tl += k3 * pl + k3l * p;
    double ql, q = fa_two_sum_d(k1, t, &ql);              /* k1 + k3 x^2 */
    ql += tl + k1l;
    double vl, vh = fa_two_prod_d(xc, q, &vl);
    vl += xc * ql;
    *v = vh;
    *hi = -fa_abs_d(vh);
    *lo = vh > 0 ? -vl : vl;
    return 1.0 / (1.0 + fa_exp_mul_d(*hi, *lo, 1.0));
}

FA_INLINE double fa_gelu_tanh_core_d(double x)
{
    double hi, lo, v, xc, r = fa_gelu_tanh_parts_d(x, &hi, &lo, &v, &xc);
    double lower = fa_exp_mul_d(hi, lo, xc * r);
    return v > 0 ? x * r : lower;
}

/* sigmoid(v) (1 + x sigmoid(-v) v'(x)) */
FA_INLINE double fa_gelu_tanh_derivative_core_d(double x)
{
    double hi, lo, v, xc, r = fa_gelu_tanh_parts_d(x, &hi, &lo, &v, &xc);
    double dv = 1.5957691216057308 + 0.21406444881780074 * (xc * xc);
    double e = fa_exp_mul_d(hi, lo, 1.0);
    double upper = r * (1.0 + xc * (e * r) * dv);
    double lower = fa_exp_mul_d(hi, lo, r * (1.0 + xc * r * dv));
    double d = v > 0 ? upper : lower;
    return FA_NEAR_ROOT(gelu_tanh, x) ? FA_ROOT_POLY(gelu_tanh, x) : d;
}

/* A vectorized reduction in axis_impl.h: `omp simd reduction(op:var)`
   (compiled with -fopenmp-simd, no OpenMP runtime needed); without the
   pragma the loop is still right, only scalar. */
#define FA_PRAGMA(text) _Pragma(#text)
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

/* Per type: FA_IS_FLOAT, FA_IS_FD, FA_F(fa_x) names fa_x_f or fa_x_d, FA_K(c) is the
 * constant in FA_T, FA_TABLE(name) the float (name_f) or double (name)
 * table or constant of polynomials.h, FA_EXP_NEG_SCALE the 2^-K of
 * fastmath.h.  A function that float32 computes in double is written once
 * (under #if !FA_IS_FLOAT) and instantiated first as fa_x_fd: double
 * arithmetic with float tables and exp accuracy (fastmath.h's _fd
 * functions), which fa_x_f rounds once. */
#define FA_T double
#define FA_IS_FLOAT 0
#define FA_IS_FD 1
#define FA_F(name) name##_fd
#define FA_K(c) ((double)(c))
#define FA_TABLE(name) name##_f
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_D
#include "activations_impl.h"
#undef FA_T
#undef FA_IS_FLOAT
#undef FA_IS_FD
#undef FA_F
#undef FA_K
#undef FA_TABLE
#undef FA_EXP_NEG_SCALE

/* The float32 kernels computed in double, rounded once */
#define FA_VIA_FD(name, params, args) \
    FA_INLINE float fa_##name##_f params { return (float)fa_##name##_fd args; }
FA_VIA_FD(sigmoid_derivative, (float x), (x))
FA_VIA_FD(tanh_derivative, (float x), (x))
FA_VIA_FD(celu, (float x, float alpha), (x, alpha))
FA_VIA_FD(celu_derivative, (float x, float alpha), (x, alpha))
FA_VIA_FD(silu_derivative, (float x), (x))
FA_VIA_FD(mish, (float x), (x))
FA_VIA_FD(mish_derivative, (float x), (x))
FA_VIA_FD(softplus, (float x, float beta, float threshold), (x, beta, threshold))
FA_VIA_FD(softplus_derivative, (float x, float beta, float threshold), (x, beta, threshold))
FA_VIA_FD(log_sigmoid, (float x), (x))
FA_VIA_FD(log_sigmoid_derivative, (float x), (x))
#undef FA_VIA_FD

#define FA_T float
#define FA_IS_FLOAT 1
#define FA_IS_FD 0
#define FA_F(name) name##_f
#define FA_K(c) ((float)(c))
#define FA_TABLE(name) name##_f
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_F
#include "activations_impl.h"
#include "glu_impl.h"
#include "axis_impl.h"
#undef FA_T
#undef FA_IS_FLOAT
#undef FA_IS_FD
#undef FA_F
#undef FA_K
#undef FA_TABLE
#undef FA_EXP_NEG_SCALE

#define FA_T double
#define FA_IS_FLOAT 0
#define FA_IS_FD 0
#define FA_F(name) name##_d
#define FA_K(c) ((double)(c))
#define FA_TABLE(name) name
#define FA_EXP_NEG_SCALE FA_EXP_NEG_SCALE_D
#include "activations_impl.h"
#include "glu_impl.h"
#include "axis_impl.h"
#undef FA_T
#undef FA_IS_FLOAT
#undef FA_IS_FD
#undef FA_F
#undef FA_K
#undef FA_TABLE
#undef FA_EXP_NEG_SCALE

#endif
