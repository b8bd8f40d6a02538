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
 * The fused value_and_derivative loop calls forward and derivative for the
 * same x; after inlining gcc merges their common work (the single exp of
 * sigmoid), so no third copy of the math is written.
 */
#ifndef FASTACT_ACTIVATIONS_H
#define FASTACT_ACTIVATIONS_H

#include "fastmath.h"
#include "polynomials.h"

/* ---- double-precision cores ---------------------------------------------
 * The functions whose accuracy needs more than float can give cheaply
 * (an exp of a large computed argument, cancellation near a root of f')
 * are computed in double for float32 too: these cores, called by both
 * instantiations of activations_impl.h. */

/* Clamp for products x * g(x) where g underflows to 0 long before x is
 * infinite: x * 0 stays a (signed) zero instead of inf * 0 = NaN. */
static inline double fa_clamp_d(double x, double lo, double hi)
{
    return x < lo ? lo : (x > hi ? hi : x);
}

/* d p(d), d = x - x0, where f'(x) = d p(d) near the root x0 of f' (tables
 * of polynomials.h): relative accuracy where f' itself cancels. */
#define FA_LEN(table) ((int)(sizeof(table) / sizeof((table)[0])))
#define FA_ROOT_POLY(name, x) \
    fa_root_poly_d((x), FA_##name##_X0_HI, FA_##name##_X0_LO, \
                   fa_##name##_root_poly, FA_LEN(fa_##name##_root_poly))
#define FA_NEAR_ROOT(name, x) (fa_abs_d((x) - FA_##name##_X0_HI) < 0.5)
static inline double fa_root_poly_d(double x, double hi, double lo, const double *c, int n)
{
    double d = (x - hi) - lo;  /* x - hi is exact near the root (Sterbenz) */
    return d * fa_poly_d(c, n, d);
}

/* erfc(-x / sqrt(2)) = 2 Phi(x), and *e = exp(-x^2 / 2).
 * |z| < 0.5: 1 - z P(z^2).  Else erfc(|z|) = exp(-x^2/2) Q(Y) / (1 + 2|z|)
 * with Q a polynomial in Y = (|z| - 2.5) / (|z| + 2.5), and
 * erfc(-|z|) = 2 - erfc(|z|).  x^2/2 is split exactly (xh^2 / 2 + a
 * small rest), so exp(-x^2/2) keeps its relative accuracy down to the
 * underflow at x = -38.6 (rounding x^2 would cost up to 1500 ulp). */
static inline double fa_erfc_scaled_d(double x, double *e_out)
{
    double xc = fa_clamp_d(x, -40.0, 40.0);
    double z = -xc * 0.7071067811865476, az = fa_abs_d(z);
    double xl, xh = fa_split_d(xc, &xl);
    double e = fa_exp2sum_d(-0.5 * (xh * xh), -0.5 * (xl * (xc + xh)));
    double zt = fa_clamp_d(az, 0.5, 28.0);
    double q = fa_poly_d(fa_erfcx_poly, FA_LEN(fa_erfcx_poly), (zt - 2.5) / (zt + 2.5));
    double tail = e * q / (1.0 + 2.0 * zt);
    double small = 1.0 - z * fa_poly_d(fa_erf_poly, FA_LEN(fa_erf_poly), z * z);
    *e_out = e;
    return az < 0.5 ? small : (z > 0 ? tail : 2.0 - tail);
}

static inline double fa_gelu_core_d(double x)
{
    double e, E = fa_erfc_scaled_d(x, &e);
    return 0.5 * (x < -40.0 ? -40.0 : x) * E;
}

/* Phi(x) + x phi(x) */
static inline double fa_gelu_derivative_core_d(double x)
{
    double e, E = fa_erfc_scaled_d(x, &e);
    double d = 0.5 * E + fa_clamp_d(x, -40.0, 40.0) * e * 0.3989422804014327;
    return FA_NEAR_ROOT(gelu, x) ? FA_ROOT_POLY(gelu, x) : d;
}

/* gelu_tanh(x) = x sigmoid(v), v = 2 sqrt(2/pi) (x + 0.044715 x^3), with v
 * carried as vh + vl: exp(-|v|) at |v| ~ 700 needs v to the last bit.
 * Returns sigmoid(v) and *sm = sigmoid(-v). */
static inline double fa_gelu_tanh_sigmoids_d(double x, double *sm)
{
    const double k1 = 1.5957691216057308, k1l = -9.96930880911092e-17;
    const double k3 = 0.07135481627260025, k3l = -6.175149918155315e-19;
    double xc = fa_clamp_d(x, -100.0, 100.0);
    double pl, p = fa_two_prod_d(xc, xc, &pl);            /* x^2 */
    double tl, t = fa_two_prod_d(k3, p, &tl);             /* k3 x^2 */
    tl += k3 * pl + k3l * p;
    double ql, q = fa_two_sum_d(k1, t, &ql);              /* k1 + k3 x^2 */
    ql += tl + k1l;
    double vl, v = fa_two_prod_d(xc, q, &vl);
    vl += xc * ql;
    double e = fa_exp2sum_d(-fa_abs_d(v), v > 0 ? -vl : vl);
    double r = 1.0 / (1.0 + e);
    *sm = v > 0 ? e * r : r;
    return v > 0 ? r : e * r;
}

static inline double fa_gelu_tanh_core_d(double x)
{
    double sm, s = fa_gelu_tanh_sigmoids_d(x, &sm);
    return (x < -100.0 ? -100.0 : x) * s;
}

/* sigmoid(v) (1 + x sigmoid(-v) v'(x)) */
static inline double fa_gelu_tanh_derivative_core_d(double x)
{
    double sm, s = fa_gelu_tanh_sigmoids_d(x, &sm);
    double xc = fa_clamp_d(x, -100.0, 100.0);
    double dv = 1.5957691216057308 + 0.21406444881780074 * (xc * xc);
    double d = s * (1.0 + xc * sm * dv);
    return FA_NEAR_ROOT(gelu_tanh, x) ? FA_ROOT_POLY(gelu_tanh, x) : d;
}

/* silu'(x) = sigmoid(x) (1 + x sigmoid(-x)) */
static inline double fa_silu_derivative_core_d(double x)
{
    double e = fa_exp_d(-fa_abs_d(x)), r = 1.0 / (1.0 + e);
    double s = x > 0 ? r : e * r, sm = x > 0 ? e * r : r;
    double d = s * (1.0 + fa_clamp_d(x, -1000.0, 1000.0) * sm);
    return FA_NEAR_ROOT(silu, x) ? FA_ROOT_POLY(silu, x) : d;
}

/* mish = x tanh(softplus(x)).  With e = exp(-|x|) <= 1 and
 * n = e^x (e^x + 2): tanh(log(1 + e^x)) = n / (n + 2), written so that
 * nothing overflows:  x <= 0: e (e + 2) / D, D = 2 + e (e + 2);
 * x > 0: (1 + 2e) / D, D = 1 + 2e (1 + e).  And
 * mish' = tanh(sp) + x sech(sp)^2 sigmoid(x) = t + 4 x g / D^2 with
 * g = e (1 + e) (x <= 0) or e^2 (1 + e) (x > 0). */
static inline double fa_mish_tanh_d(double x, double *D_out, double *g_out)
{
    double e = fa_exp_d(-fa_abs_d(x));
    int pos = x > 0;
    double D = pos ? 1.0 + 2.0 * e * (1.0 + e) : 2.0 + e * (e + 2.0);
    *D_out = D;
    *g_out = (pos ? e * e : e) * (1.0 + e);
    return (pos ? 1.0 + 2.0 * e : e * (e + 2.0)) / D;
}

static inline double fa_mish_core_d(double x)
{
    double D, g, t = fa_mish_tanh_d(x, &D, &g);
    return (x < -1000.0 ? -1000.0 : x) * t;
}

static inline double fa_mish_derivative_core_d(double x)
{
    double D, g, t = fa_mish_tanh_d(x, &D, &g);
    double d = t + ((4.0 * fa_clamp_d(x, -1000.0, 1000.0) * g) / D) / D;
    return FA_NEAR_ROOT(mish, x) ? FA_ROOT_POLY(mish, x) : d;
}

/* exp(-|b x|) with b x carried exactly (b x = p + pe) where it matters,
 * |b x| < 1000; *p_out = b * x rounded. */
static inline double fa_exp_neg_abs_prod_d(double b, double x, double *p_out)
{
    double p = b * x, pe;
    int small = fa_abs_d(p) < 1000.0;
    fa_two_prod_d(b, small ? x : 0.0, &pe);
    pe = small ? pe : 0.0;
    *p_out = p;
    double a = -fa_abs_d(p);
    return fa_exp2sum_d(a < -1000.0 ? -1000.0 : a, p > 0 ? -pe : pe);
}

/* softplus, torch semantics: x where b x > threshold, else
 * log(1 + exp(b x)) / b = (log1p(exp(-|b x|)) + max(b x, 0)) / b. */
static inline double fa_softplus_core_d(double x, double beta, double threshold)
{
    double p, e = fa_exp_neg_abs_prod_d(beta, x, &p);
    double sp = (fa_log1p_d(e) + (p > 0 ? p : 0.0)) / beta;
    return p > threshold ? x : sp;
}

/* softplus' = sigmoid(b x), 1 where b x > threshold */
static inline double fa_softplus_derivative_core_d(double x, double beta, double threshold)
{
    double p, e = fa_exp_neg_abs_prod_d(beta, x, &p);
    double r = 1.0 / (1.0 + e);
    return p > threshold ? 1.0 : (p > 0 ? r : (p <= 0 ? e * r : p));
}

/* log_sigmoid(x) = -softplus(-x) = -(log1p(exp(-|x|)) + max(-x, 0)) */
static inline double fa_log_sigmoid_core_d(double x)
{
    double e = fa_exp_d(-fa_abs_d(x));
    return -(fa_log1p_d(e) + (x < 0 ? -x : 0.0));
}

/* log_sigmoid'(x) = sigmoid(-x) */
static inline double fa_log_sigmoid_derivative_core_d(double x)
{
    double e = fa_exp_d(-fa_abs_d(x)), r = 1.0 / (1.0 + e);
    return x > 0 ? e * r : r;
}

/* tanhshrink(x) = x - tanh(x): x^3 P(x^2) for |x| < 1 (no cancellation),
 * else sign(x) ((|x| - 1) + 2 sigmoid(-2|x|)), both terms exact-ish. */
static inline double fa_tanhshrink_core_d(double x)
{
    double ax = fa_abs_d(x), w = x * x;
    double small = x * (w * fa_poly_d(fa_tanhshrink_poly, FA_LEN(fa_tanhshrink_poly), w));
    double e = fa_exp_d(-2.0 * ax);
    double large = fa_copysign_d((ax - 1.0) + 2.0 * e / (1.0 + e), x);
    return ax < 1.0 ? small : large;
}

#define FA_T float
#define FA_F(name) name##_f
#define FA_K(c) ((float)(c))
#include "activations_impl.h"
#undef FA_T
#undef FA_F
#undef FA_K

#define FA_T double
#define FA_F(name) name##_d
#define FA_K(c) ((double)(c))
#include "activations_impl.h"
#undef FA_T
#undef FA_F
#undef FA_K

#endif
