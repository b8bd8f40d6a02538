/*
 * fastmath.h -- scalar math for fastact's kernels, written to be vectorized.
 *
 * Every function here is `static inline`, branch-free and free of libm calls
 * so that gcc turns a loop calling it into SIMD code (check with
 * -fopt-info-vec, see README "Developing").  Rules that keep it that way:
 *
 *  - float code uses only float constants (`0.5f`), never double ones: a
 *    double constant silently promotes the whole expression to double;
 *  - range reduction by magic-number rounding and exponent bit arithmetic
 *    instead of rint()/ldexp();
 *  - clamps and selects are C ternaries, which gcc turns into blends.
 *
 * NaN propagates through every function (every clamp is written so that a
 * NaN compares false and passes through), +-inf gives the limit, and no
 * function produces an overflowed or invalid *result* for a finite input.
 * Discarded SIMD lanes and comparisons against NaN can still raise IEEE
 * flags; the loops save and restore the flags around each call
 * (fa_fpe_save / fa_fpe_restore) so NumPy never reports them as warnings.
 */
#ifndef FASTACT_FASTMATH_H
#define FASTACT_FASTMATH_H

#include <fenv.h>
#include <math.h>  /* INFINITY and NAN only: no libm calls */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __F16C__
#include <immintrin.h>  /* fa_halves_to_floats, fa_floats_to_halves */
#endif

/* The vectorized loops need the math inlined: gcc's inliner may keep a
   function with many callers out of line (fa_exp_f once the GLU and softmax
   kernels call it too), and a call per element is a scalar loop. */
#if defined(__GNUC__) || defined(__clang__)
#define FA_INLINE static inline __attribute__((always_inline))
#elif defined(_MSC_VER)
#define FA_INLINE static __forceinline
#else
#define FA_INLINE static inline
#endif

/* A pragma from a macro: FA_PRAGMA(omp simd) (compiled with -fopenmp-simd,
   no OpenMP runtime needed; without it the loop is still right, only
   perhaps scalar). */
#define FA_PRAGMA(text) _Pragma(#text)

/* ---- floating-point exception flags ----------------------------------- */

FA_INLINE int fa_fpe_save(void) { return fetestexcept(FE_ALL_EXCEPT); }

/* Clear the flags raised since fa_fpe_save(), keep the ones set before. */
FA_INLINE void fa_fpe_restore(int saved)
{
    int raised = fetestexcept(FE_ALL_EXCEPT) & ~saved;
    if (raised) {
        feclearexcept(raised);
    }
}

/* ---- bit casts (memcpy compiles to a register move) -------------------- */

FA_INLINE int32_t fa_bits_f(float x) { int32_t i; memcpy(&i, &x, 4); return i; }
FA_INLINE float fa_from_bits_f(int32_t i) { float x; memcpy(&x, &i, 4); return x; }
FA_INLINE int64_t fa_bits_d(double x) { int64_t i; memcpy(&i, &x, 8); return i; }
FA_INLINE double fa_from_bits_d(int64_t i) { double x; memcpy(&x, &i, 8); return x; }

#if defined(__GNUC__) || defined(__clang__)
/* Always inlined as bit operations (never a libm call), and gcc vectorizes
   them for every target, where the integer versions below miss SSE2. */
FA_INLINE float fa_abs_f(float x) { return __builtin_fabsf(x); }
FA_INLINE double fa_abs_d(double x) { return __builtin_fabs(x); }
FA_INLINE float fa_copysign_f(float m, float s) { return __builtin_copysignf(m, s); }
FA_INLINE double fa_copysign_d(double m, double s) { return __builtin_copysign(m, s); }
#else
FA_INLINE float fa_abs_f(float x) { return fa_from_bits_f(fa_bits_f(x) & 0x7fffffff); }
FA_INLINE double fa_abs_d(double x) { return fa_from_bits_d(fa_bits_d(x) & INT64_MAX); }
/* |m| with the sign bit of s */
FA_INLINE float fa_copysign_f(float m, float s)
{
    return fa_from_bits_f((fa_bits_f(m) & 0x7fffffff) | (fa_bits_f(s) & INT32_MIN));
}
FA_INLINE double fa_copysign_d(double m, double s)
{
    return fa_from_bits_d((fa_bits_d(m) & INT64_MAX) | (fa_bits_d(s) & INT64_MIN));
}
#endif

/* c ? a : b on the values' bits: gcc moves a select of two floats through
 * the operations that follow it (a division then runs twice, once per
 * arm), not one of integers.  (A mask m = c ? -1 : 0 and bit operations,
 * as before, cost gcc three more instructions per vector than this blend:
 * float32 silu 2-5% slower.)  A second test of the same c after the
 * division still lets gcc's jump threading copy the division into both
 * arms (silu's quotient form did): test c before it, as that one does. */
FA_INLINE float fa_select_f(int c, float a, float b)
{
    return fa_from_bits_f(c ? fa_bits_f(a) : fa_bits_f(b));
}
FA_INLINE double fa_select_d(int c, double a, double b)
{
#if defined(__x86_64__) && !defined(__SSE4_2__)
    /* SSE2 (the baseline build): gcc 12 vectorizes no loop that turns a
       double comparison into a 64-bit integer mask */
    return c ? a : b;
#else
    return fa_from_bits_d(c ? fa_bits_d(a) : fa_bits_d(b));
#endif
}

/* m (>= +0.0 or NaN) with the sign bit of s: copysign in two bit operations */
FA_INLINE float fa_with_sign_of_f(float m, float s)
{
    return fa_from_bits_f(fa_bits_f(m) | (fa_bits_f(s) & INT32_MIN));
}
FA_INLINE double fa_with_sign_of_d(double m, double s)
{
    return fa_from_bits_d(fa_bits_d(m) | (fa_bits_d(s) & INT64_MIN));
}

/* sqrt: gcc inlines sqrtss/sqrtps under -fno-math-errno (no libm call) */
#if defined(__GNUC__) || defined(__clang__)
FA_INLINE float fa_sqrt_f(float x) { return __builtin_sqrtf(x); }
FA_INLINE double fa_sqrt_d(double x) { return __builtin_sqrt(x); }
#else
FA_INLINE float fa_sqrt_f(float x) { return sqrtf(x); }
FA_INLINE double fa_sqrt_d(double x) { return sqrt(x); }
#endif

/* a * b + c in one rounding where the target has FMA (x86-64-v3, arm64,
 * __FP_FAST_FMA), else two.  Written out where gcc's own
 * contraction of a * b + c could differ between the vectorized loop and its
 * scalar remainder (results that depend on an element's position), and
 * where an error term must be exact with FMA.  Wherever the compiler may
 * contract, FA_HAVE_FMA must be set: the FMA-free error-free transformations
 * below (Veltkamp's split) are wrong once contracted. */
#if (defined(__FMA__) || defined(__FP_FAST_FMA) || defined(__ARM_FEATURE_FMA)) && \
    (defined(__GNUC__) || defined(__clang__))
#define FA_HAVE_FMA 1
#endif
#ifdef FA_HAVE_FMA
#define FA_FMA_D(a, b, c) __builtin_fma((a), (b), (c))
#define FA_FMA_F(a, b, c) __builtin_fmaf((a), (b), (c))
#else
#define FA_FMA_D(a, b, c) ((a) * (b) + (c))
#define FA_FMA_F(a, b, c) ((a) * (b) + (c))
#endif
/* a * b + c for FA_F(fa_fma) (error terms): without FMA, float goes
 * through double (the product of two floats is exact there, so float
 * residuals stay exact) and double rounds twice (its corrections are then
 * approximate; fa_fma_exact_d below where that costs accuracy). */
FA_INLINE float fa_fma_f(float a, float b, float c)
{
#ifdef FA_HAVE_FMA
    return __builtin_fmaf(a, b, c);
#else
    return (float)((double)a * b + c);
#endif
}
FA_INLINE double fa_fma_d(double a, double b, double c) { return FA_FMA_D(a, b, c); }

/* ---- exp and expm1 ------------------------------------------------------
 *
 * exp(x) = 2^k exp(r) with k = round(x / ln2) and |r| <= ln2 / 2.
 * k comes from adding a magic number (1.5 * 2^mantissa_bits): the sum's low
 * mantissa bits hold k, so no float->int conversion (undefined for NaN) is
 * needed.  ln2 is split in a high part with trailing zero bits (k * hi is
 * exact, also without FMA) and a low correction.  exp(r) = 1 + t with
 * t = expm1(r) = r + r^2 q(r), and exp(x) = s + s t as one fused
 * operation: the only rounding of the size of the result's ulp is the last
 * one (max error 1.0 ulp for float, 0.95 for double).
 */
#define FA_LOG2E_F 1.44269504088896341f
#define FA_LN2_HI_F 0.693359375f      /* ln2 = FA_LN2_HI_F + FA_LN2_LO_F */
#define FA_LN2_LO_F (-2.12194440e-4f)
#define FA_EXP_NEG_MAGIC_F 12583103.0f /* 1.5 * 2^23 + 127 + 64: bits of 2^(k+64) */

/* expm1(r) on |r| <= ln2/2 as r + r^2 q(r): minimax q with float
   coefficients for the relative error of expm1 (1.3e-8 before rounding),
   so exp = 1 + expm1 is accurate too (3e-9); the _fd functions evaluate
   the same in double. */
static const float fa_expm1_q_f[5] = {0.001386967021971941f, 0.008366248570382595f,
                                      0.04166744649410248f, 0.1666654646396637f,
                                      0.4999999701976776f};  /* highest degree first */
#define FA_EXPM1_POLY_Q_FLOAT(T, r) \
    (((((T)fa_expm1_q_f[0] * (r) + (T)fa_expm1_q_f[1]) * (r) + (T)fa_expm1_q_f[2]) * (r) \
      + (T)fa_expm1_q_f[3]) * (r) + (T)fa_expm1_q_f[4])
FA_INLINE float fa_expm1_poly_q_f(float r) { return FA_EXPM1_POLY_Q_FLOAT(float, r); }
FA_INLINE float fa_expm1_poly_f(float r) { return fa_expm1_poly_q_f(r) * (r * r) + r; }

/* expm1(r) on |r| <= ln2/2, double: max relative error of exp 1.7e-17 */
FA_INLINE double fa_expm1_poly_q_d(double r)
{
    double q = 2.5110037605963777e-08;
    q = q * r + 2.763263963904103e-07;
    q = q * r + 2.755724091857897e-06;
    q = q * r + 2.4801485482328494e-05;
    q = q * r + 0.00019841269890047113;
    q = q * r + 0.0013888888952314775;
    q = q * r + 0.008333333333319601;
    q = q * r + 0.0416666666664881;
    q = q * r + 0.1666666666666668;
    return q * r + 0.5000000000000019;
}
FA_INLINE double fa_expm1_poly_d(double r) { return fa_expm1_poly_q_d(r) * (r * r) + r; }

/* ---- exp of any argument: 2^k = s1 s2, both normal, so a result in the
 * subnormal range is rounded once.  The clamps keep k in range: below lo,
 * exp rounds to 0; hi is the first value whose exp overflows, so clamping
 * to it still gives inf. */
FA_INLINE float fa_exp_reduce_f(float x, float *s1, float *s2)
{
    const float lo = -104.0f, hi = 88.72283935546875f;
    const float magic = 12582912.0f;  /* 1.5 * 2^23 */
    float xc = x < lo ? lo : (x > hi ? hi : x);
    float kshift = xc * FA_LOG2E_F + magic;
    float kf = kshift - magic;
    int32_t k = fa_bits_f(kshift) - fa_bits_f(magic);
    int32_t k1 = k >> 1, k2 = k - k1;
    *s1 = fa_from_bits_f((k1 + 127) << 23);
    *s2 = fa_from_bits_f((k2 + 127) << 23);
    return (xc - kf * FA_LN2_HI_F) - kf * FA_LN2_LO_F;
}

FA_INLINE double fa_exp_reduce_d(double x, double *s1, double *s2)
{
    /* lo: exp rounds to 0 even times a factor below 2^20 */
    const double lo = -760.0, hi = 709.78271289338400;
    const double magic = 6755399441055744.0;  /* 1.5 * 2^52 */
    double xc = x < lo ? lo : (x > hi ? hi : x);
    double kshift = xc * 1.4426950408889634074 + magic;
    double kf = kshift - magic;
    int64_t k = fa_bits_d(kshift) - fa_bits_d(magic);
    int64_t k1 = k >> 1, k2 = k - k1;
    *s1 = fa_from_bits_d((k1 + 1023) << 52);
    *s2 = fa_from_bits_d((k2 + 1023) << 52);
    return (xc - kf * 6.93147180369123816490e-01) - kf * 1.90821492927058770002e-10;
}

FA_INLINE float fa_exp_f(float x)
{
    float s1, s2, r = fa_exp_reduce_f(x, &s1, &s2);
    return FA_FMA_F(fa_expm1_poly_f(r), s1, s1) * s2;
}

FA_INLINE double fa_exp_d(double x)
{
    double s1, s2, r = fa_exp_reduce_d(x, &s1, &s2);
    return FA_FMA_D(fa_expm1_poly_d(r), s1, s1) * s2;
}

/* ---- exp of a non-positive argument -------------------------------------
 * sigmoid, silu, softplus, ... take exp(-|x|) only, which needs the lower
 * clamp alone.  The magic number 1.5 * 2^mantissa_bits + bias + K leaves
 * the biased exponent of 2^(k+K) in the sum's low bits, so one shift makes
 * the normal number s = 2^(k+K): fa_exp_neg_scaled_T returns exp(x) 2^K,
 * always normal, and the caller's multiplication by FA_EXP_NEG_SCALE_T =
 * 2^-K rounds a subnormal result once, after any factor m is applied
 * (x exp(x) at x = -100 is not an already rounded subnormal times 100).
 * Below lo, m exp(x) rounds to 0 for every |m| < 2^7 (float) or 2^20
 * (double).  x <= 0 or NaN (which propagates); -inf clamps to lo. */
/* Arithmetic on subnormal numbers, or producing them, takes a microcode
 * assist on x86 (about 150 cycles: float32 loops 10-30x slower).  exp(-x)
 * is normal up to x = FA_NORMAL_EXP_ARG; tanh, saturated long before,
 * moves the reduction's clamp there (fa_exp_neg_normal_T, no extra
 * operation), which took its float32 loop from 6 to 0.45 ns/element for
 * 44 < |x| < 52.  Elsewhere the clamp did not hold or cost: gcc folds a
 * ?: clamp to a constant through the exp (the unclamped exp computed, the
 * constant's result blended in after: the subnormals are back, elu below
 * -87), and an opaque one (fa_select) made sigmoid 15% slower for every
 * input.  So sigmoid and silu above 87, elu below -87 and any result that
 * is itself subnormal (sigmoid(-100)) keep the assists, as torch does. */
#define FA_NORMAL_EXP_ARG_F 87.0f
#define FA_NORMAL_EXP_ARG_D 708.0
#define FA_EXP_NEG_SCALE_F 0x1p-64f
#define FA_EXP_NEG_SCALE_D 0x1p-128

/* r with x = k ln2 + r, *s = 2^(k+64), k in [-162, 0]; x below lo
 * clamped to lo (-112 by default, higher for FA_NORMAL_EXP_ARG) */
FA_INLINE float fa_exp_neg_reduce_above_f(float x, float lo, float *s)
{
    const float magic = FA_EXP_NEG_MAGIC_F;
    float xc = x < lo ? lo : x;
    float kshift = xc * FA_LOG2E_F + magic;
    float kf = kshift - magic;
    *s = fa_from_bits_f((int32_t)((uint32_t)fa_bits_f(kshift) << 23));
    return (xc - kf * FA_LN2_HI_F) - kf * FA_LN2_LO_F;
}
FA_INLINE float fa_exp_neg_reduce_f(float x, float *s) { return fa_exp_neg_reduce_above_f(x, -112.0f, s); }

/* r with x = k ln2 + r, *s = 2^(k+128), k in [-1097, 0] (lo: as float) */
FA_INLINE double fa_exp_neg_reduce_above_d(double x, double lo, double *s)
{
    const double magic = 6755399441056895.0;  /* 1.5 * 2^52 + 1023 + 128 */
    double xc = x < lo ? lo : x;
    double kshift = xc * 1.4426950408889634074 + magic;
    double kf = kshift - magic;
    *s = fa_from_bits_d((int64_t)((uint64_t)fa_bits_d(kshift) << 52));
    return (xc - kf * 6.93147180369123816490e-01) - kf * 1.90821492927058770002e-10;
}
FA_INLINE double fa_exp_neg_reduce_d(double x, double *s) { return fa_exp_neg_reduce_above_d(x, -760.0, s); }

FA_INLINE float fa_exp_neg_scaled_f(float x)
{
    float s, r = fa_exp_neg_reduce_f(x, &s);
    return FA_FMA_F(fa_expm1_poly_f(r), s, s);
}

FA_INLINE double fa_exp_neg_scaled_d(double x)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    return FA_FMA_D(fa_expm1_poly_d(r), s, s);
}

FA_INLINE float fa_exp_neg_f(float x) { return fa_exp_neg_scaled_f(x) * FA_EXP_NEG_SCALE_F; }
FA_INLINE double fa_exp_neg_d(double x) { return fa_exp_neg_scaled_d(x) * FA_EXP_NEG_SCALE_D; }

/* exp(x) for x <= 0 of a function saturated from -FA_NORMAL_EXP_ARG down:
 * the argument clamped there (no extra operation: the reduction's clamp) */
FA_INLINE float fa_exp_neg_normal_f(float x)
{
    float s, r = fa_exp_neg_reduce_above_f(x, -FA_NORMAL_EXP_ARG_F, &s);
    return FA_FMA_F(fa_expm1_poly_f(r), s, s) * FA_EXP_NEG_SCALE_F;
}
FA_INLINE double fa_exp_neg_normal_d(double x)
{
    double s, r = fa_exp_neg_reduce_above_d(x, -FA_NORMAL_EXP_ARG_D, &s);
    return FA_FMA_D(fa_expm1_poly_d(r), s, s) * FA_EXP_NEG_SCALE_D;
}

/* m exp(x), x <= 0, rounded once (|m| < 2^7 for float, 2^20 for double):
 * m s + m s t fused, m s exact (s is a power of 2 and m s stays normal) */
FA_INLINE float fa_exp_neg_mul_f(float x, float m)
{
    float s, r = fa_exp_neg_reduce_f(x, &s);
    float ms = m * s;
    return FA_FMA_F(fa_expm1_poly_f(r), ms, ms) * FA_EXP_NEG_SCALE_F;
}
FA_INLINE double fa_exp_neg_mul_d(double x, double m)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    double ms = m * s;
    return FA_FMA_D(fa_expm1_poly_d(r), ms, ms) * FA_EXP_NEG_SCALE_D;
}

/* expm1(x) for x <= 0 (or NaN): s t + (s - 1) with s = 2^k, fused; s - 1
 * is exact where expm1 is not close to -1, and for tiny |x| (k = 0)
 * expm1 is t itself, to its relative accuracy (but -0.0 gives +0.0:
 * -0.0 + 0.0). */
FA_INLINE float fa_expm1_neg_f(float x)
{
    float s, r = fa_exp_neg_reduce_f(x, &s);
    s *= FA_EXP_NEG_SCALE_F;
    return FA_FMA_F(fa_expm1_poly_f(r), s, s - 1);
}
FA_INLINE double fa_expm1_neg_d(double x)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    s *= FA_EXP_NEG_SCALE_D;
    return FA_FMA_D(fa_expm1_poly_d(r), s, s - 1);
}

/* exp(x), returned, and expm1(x), stored: one range reduction for both
 * (celu, whose argument may be positive: alpha < 0); expm1 = s t +
 * (s - 1) as fa_expm1_neg_T. */
FA_INLINE float fa_exp_expm1_f(float x, float *expm1_out)
{
    float s1, s2, r = fa_exp_reduce_f(x, &s1, &s2);
    float t = fa_expm1_poly_f(r), s = s1 * s2;
    *expm1_out = FA_FMA_F(s, t, s - 1.0f);
    return FA_FMA_F(t, s1, s1) * s2;
}

FA_INLINE double fa_exp_expm1_d(double x, double *expm1_out)
{
    double s1, s2, r = fa_exp_reduce_d(x, &s1, &s2);
    double t = fa_expm1_poly_d(r), s = s1 * s2;
    *expm1_out = FA_FMA_D(s, t, s - 1.0);
    return FA_FMA_D(t, s1, s1) * s2;
}

/* ---- log: libm, for one value per softmax row, never inside a hot loop -- */

FA_INLINE float fa_log_f(float x) { return logf(x); }
FA_INLINE double fa_log_d(double x) { return log(x); }

/* ---- double-double helpers ----------------------------------------------
 * Where a large argument of exp must be exact to the last bit (exp(-x^2/2)
 * for x = -38 would lose 1500 ulp from rounding x^2 alone), the argument is
 * carried as hi + lo. */

/* a * b = p + *err exactly.  With FMA (x86-64-v3/v4) one fused op; else
 * Dekker's product with Veltkamp splitting, which overflows from 2^996
 * (float: 2^115) on: there the large operand is scaled down by 2^-54
 * (2^-24) and the other up, exactly (where that overflows, p does too;
 * softplus with beta = 1.7e308 at x = 0 was NaN).  The split must not be
 * compiled where gcc could contract t - (t - a) into an fma, which is
 * exactly the FMA case. */
FA_INLINE double fa_two_prod_d(double a, double b, double *err)
{
    double p = a * b;
#ifdef FA_HAVE_FMA
    *err = __builtin_fma(a, b, -p);
#else
    const double c = 134217729.0;  /* 2^27 + 1 */
    int big_a = fa_abs_d(a) > 0x1p995, big_b = fa_abs_d(b) > 0x1p995;
    a *= fa_select_d(big_a, 0x1p-54, fa_select_d(big_b, 0x1p54, 1.0));
    b *= fa_select_d(big_a, 0x1p54, fa_select_d(big_b, 0x1p-54, 1.0));
    double ta = c * a, ah = ta - (ta - a), al = a - ah;
    double tb = c * b, bh = tb - (tb - b), bl = b - bh;
    *err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
    return p;
}

FA_INLINE float fa_two_prod_f(float a, float b, float *err)
{
    float p = a * b;
#ifdef FA_HAVE_FMA
    *err = __builtin_fmaf(a, b, -p);
#else
    const float c = 4097.0f;  /* 2^12 + 1 */
    int big_a = fa_abs_f(a) > 0x1p114f, big_b = fa_abs_f(b) > 0x1p114f;
    a *= fa_select_f(big_a, 0x1p-24f, fa_select_f(big_b, 0x1p24f, 1.0f));
    b *= fa_select_f(big_a, 0x1p24f, fa_select_f(big_b, 0x1p-24f, 1.0f));
    float ta = c * a, ah = ta - (ta - a), al = a - ah;
    float tb = c * b, bh = tb - (tb - b), bl = b - bh;
    *err = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
#endif
    return p;
}


/* a + b = s + *err exactly (Knuth's TwoSum: no ordering of |a|, |b|) */
FA_INLINE double fa_two_sum_d(double a, double b, double *err)
{
    double s = a + b, bb = s - a;
    *err = (a - (s - bb)) + (b - bb);
    return s;
}

/* a * b + c with the product exact: the fma where the target has it, else
 * Dekker's product and TwoSum, the three parts summed with one rounding
 * that matters.  For the residuals
 * (v - s^2, 1 - w r) and the few sums whose rounding reaches the result:
 * a * b + c rounded twice put the baseline build's float64 silu and
 * squareplus backward at 4.03 and 4.06 ulp (sigmoid' at 2.74), against
 * 3.51 and 2.90 (2.26) with this. */
FA_INLINE double fa_fma_exact_d(double a, double b, double c)
{
#ifdef FA_HAVE_FMA
    return __builtin_fma(a, b, c);
#else
    double e, p = fa_two_prod_d(a, b, &e), se, sum = fa_two_sum_d(p, c, &se);
    /* the plain form where Dekker's product is inexact (|a b| < 2^-969)
       or its splitting overflows (e not finite) */
    return fa_abs_d(p) > 0x1p-969 && e - e == 0 ? sum + (se + e) : a * b + c;
#endif
}
#define fa_fma_exact_f fa_fma_f  /* float's is exact already (in double) */

/* (a + alo) expm1(x) + c for x <= 0 (or NaN), |a| < 2^900 in two parts,
 * c a correction below the result's ulp.  expm1 = s - 1 + s r + s r^2 Q(r)
 * with a (s - 1) exact (fa_two_prod): a times the rounded expm1 costs up
 * to 1.8 times expm1's error in ulps (selu reached 2.01 ulp). */
FA_INLINE double fa_expm1_neg_mul_d(double x, double a, double alo, double c)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    s *= FA_EXP_NEG_SCALE_D;
    double hl, h = fa_two_prod_d(a, s - 1, &hl), as = a * s;
    double rest = FA_FMA_D(as * (r * r), fa_expm1_poly_q_d(r),
                           FA_FMA_D(alo, FA_FMA_D(fa_expm1_poly_d(r), s, s - 1), hl + c));
#ifdef FA_HAVE_FMA
    return h + FA_FMA_D(as, r, rest);  /* a s r + rest rounded once */
#else  /* a s r exact and its sum with a (s - 1) too (else 2.16 ulp) */
    double ml, m = fa_two_prod_d(as, r, &ml);
    ml = fa_abs_d(m) > 0x1p-969 ? ml : 0;  /* Dekker's is inexact below: m alone */
    double sl, sum = fa_two_sum_d(h, m, &sl);
    return sum + (sl + (rest + ml));
#endif
}

/* exp(hi + lo), |lo| <= ulp(hi): exp(s) (1 + rest) with s = hi + lo
 * rounded.  An infinite hi gives the limit (rest is dropped there, not
 * inf - inf = NaN).  A factor of the result goes into fa_exp_neg_mul_wide_d
 * (x <= 0, any size) or activations.h's fa_exp_mul_dd instead, applied
 * before the last scaling by 2^k so that a subnormal result is rounded once. */
FA_INLINE double fa_exp2sum_d(double hi, double lo)
{
    double s = hi + lo, rest = (hi - s) + lo;
    /* not a second clamp of hi (fa_exp_reduce_d clamps s): gcc turns
       nested clamps into branches and stops vectorizing */
    rest = fa_abs_d(s) < 1000.0 ? rest : 0.0;
    double s1, s2, r = fa_exp_reduce_d(s, &s1, &s2);
    double e = 1.0 + fa_expm1_poly_d(r);
    return (FA_FMA_D(e, rest, e) * s1) * s2;
}

/* m exp(x) for x <= 0 (or NaN) and m of any size (a fixed clamp of x and
 * m times 2^k1 were wrong for |m| >= 2^20: elu' with alpha = 1e300 at
 * x = -800 gave 8.6e-31 for 3.7e-48, and inf near |m| = DBL_MAX).  With
 * |m| = mh 2^j (mh in [1, 2), or below 1 for a subnormal m: j = -1022),
 * mh exp(r) is rounded once and scaled by 2^(k + j) in two normal powers
 * of 2 (a subnormal result rounded twice at most);
 * x is clamped where m exp(x) rounds to 0 for this j.  m = 0, inf or NaN
 * give 0, inf or NaN (x finite).  No ?: on m alone: gcc then vectorizes
 * nothing (it keeps the loop-invariant selects in the loop). */
FA_INLINE double fa_exp_neg_mul_wide_d(double x, double m)
{
    const double magic = 6755399441055744.0;  /* 1.5 * 2^52 */
    int64_t eb = fa_bits_d(fa_abs_d(m)) >> 52, half;
    eb = eb < 1 ? 1 : eb;  /* j = eb - 1023 */
    half = (1023 - eb) >> 1;
    double mh = (fa_abs_d(m) * fa_from_bits_d((half + 1023) << 52))
                * fa_from_bits_d((1023 - eb - half + 1023) << 52);
    double lo = -0.69314718055994530942 * ((fa_from_bits_d(fa_bits_d(magic) + eb) - magic) + 57);
    /* (fa_select: with ?: the baseline build's gcc selected k's integers
       after the clamp's two exps, which SSE2 cannot vectorize) */
    double xc = fa_select_d(x < lo, lo, x > 0 ? 0.0 : x);
    double kshift = xc * 1.4426950408889634074 + magic;
    double kf = kshift - magic;
    int64_t e = fa_bits_d(kshift) - fa_bits_d(magic) + eb - 1023, e1 = e >> 1;
    double r = (xc - kf * 6.93147180369123816490e-01) - kf * 1.90821492927058770002e-10;
    double p = FA_FMA_D(fa_expm1_poly_d(r), mh, mh);
    p = (p * fa_from_bits_d((e1 + 1023) << 52)) * fa_from_bits_d((e - e1 + 1023) << 52);
    return fa_copysign_d(p, m);
}

/* float: lo (|lo| <= ulp(hi)) joins the reduced argument */
FA_INLINE float fa_exp2sum_f(float hi, float lo)
{
    float s1, s2, r = fa_exp_reduce_f(hi, &s1, &s2);
    return FA_FMA_F(fa_expm1_poly_f(r + lo), s1, s1) * s2;
}

/* Horner's rule over a constant table, unrolled completely (else gcc
 * leaves an inner loop and vectorizes nothing), fused explicitly:
 * fa_poly_d, and for float32 kernels a float table in float (fa_poly_f)
 * or in double (fa_poly_fd: float32 results computed in double). */
#define FA_DEFINE_POLY(name, T, C, FMA) \
    FA_INLINE T name(const C *c, int n, T t) \
    { \
        T p = c[n - 1]; \
        _Pragma("GCC unroll 40") \
        for (int i = n - 2; i >= 0; i--) { \
            p = FMA(p, t, (T)c[i]); \
        } \
        return p; \
    }
FA_DEFINE_POLY(fa_poly_d, double, double, FA_FMA_D)
FA_DEFINE_POLY(fa_poly_fd, double, float, FA_FMA_D)
FA_DEFINE_POLY(fa_poly_f, float, float, FA_FMA_F)
#undef FA_DEFINE_POLY

/* ---- log1p ------------------------------------------------------------
 * log1p(x) for 0 <= x <= 1 (or NaN): softplus's and log_sigmoid's
 * log1p(exp(-|b x|)).  fdlibm's method (Sun Microsystems, freely
 * redistributable): 1 + x = 2^k (1 + f) with sqrt(2)/2 <= 1 + f <
 * sqrt(2), so k = 0 or 1 here; log(1 + f) = f - f^2/2 + s (f^2/2 +
 * R(s^2)), s = f / (2 + f), with fdlibm's minimax coefficients Lg1..Lg7.
 * k = 0 takes f = x exactly; k = 1 takes f = u/2 - 1 (exact) of the
 * rounded u = 1 + x and corrects by c = (x - (u - 1)) / u, where 1 / u
 * is a linear fit on [sqrt 2, 2] (within 1.5%: c is below half an ulp of
 * u, and the result at least log(sqrt 2), so its error stays below 0.02
 * ulp).  One division, s's: the general log1p's exact c / u was another
 * (two: gcc divided once per arm of its select), and its k >= 2 and
 * -1 <= x < 0 arms took five selects. */
FA_INLINE double fa_log1p_d(double x)
{
    double u = 1.0 + x;
    int k1 = u >= 0x1.6a09e667f3bcdp0;  /* sqrt 2 */
    double f = k1 ? 0.5 * u - 1.0 : x;
    double c = k1 ? (x - (u - 1.0)) * FA_FMA_D(u, -0.34827183328498934, 1.189074416594151) : 0.0;
    double dk = k1 ? 1.0 : 0.0;
    double s = f / (2.0 + f), z = s * s, w = z * z;
    double t1 = w * (3.999999999940941908e-01 + w * (2.222219843214978396e-01
                + w * 1.531383769920937332e-01));
    double t2 = z * (6.666666666666735130e-01 + w * (2.857142874366239149e-01
                + w * (1.818357216161805012e-01 + w * 1.479819860511658591e-01)));
    double hfsq = 0.5 * f * f;
    return dk * 6.93147180369123816490e-01
           - ((hfsq - (s * (hfsq + t1 + t2) + (dk * 1.90821492927058770002e-10 + c))) - f);
}

/* ---- float accuracy in double arithmetic: the _fd functions -------------
 * The float32 kernels whose formulas cancel or round several times run in
 * double and round once at the end: activations.h instantiates
 * activations_impl.h a third time, with names ending in _fd.  Double
 * arithmetic there, but exp needs float accuracy only: the float
 * polynomial (relative error 4e-9 in double, 0.07 float ulp) with the
 * double reduction; everything else is the double function. */
#define fa_abs_fd fa_abs_d
#define fa_copysign_fd fa_copysign_d
#define fa_with_sign_of_fd fa_with_sign_of_d
#define fa_select_fd fa_select_d
#define fa_fma_fd fa_fma_d
#define fa_fma_exact_fd fa_fma_d  /* float accuracy: the plain form suffices */
#define fa_two_prod_fd fa_two_prod_d
#define fa_exp_neg_reduce_fd fa_exp_neg_reduce_d
#define fa_exp_neg_normal_fd fa_exp_neg_normal_d
#define fa_sqrt_fd fa_sqrt_d
#define fa_expm1_neg_fd fa_expm1_neg_d

FA_INLINE double fa_expm1_poly_q_fd(double r) { return FA_EXPM1_POLY_Q_FLOAT(double, r); }
FA_INLINE double fa_expm1_poly_fd(double r) { return fa_expm1_poly_q_fd(r) * (r * r) + r; }

FA_INLINE double fa_exp_neg_scaled_fd(double x)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    return FA_FMA_D(fa_expm1_poly_fd(r), s, s);
}
FA_INLINE double fa_exp_neg_fd(double x) { return fa_exp_neg_scaled_fd(x) * FA_EXP_NEG_SCALE_D; }
FA_INLINE double fa_exp_neg_mul_fd(double x, double m)
{
    double s, r = fa_exp_neg_reduce_d(x, &s);
    double ms = m * s;
    return FA_FMA_D(fa_expm1_poly_fd(r), ms, ms) * FA_EXP_NEG_SCALE_D;
}

/* any x (celu with alpha < 0): 2^k = s1 s2 as fa_exp_d */
FA_INLINE double fa_exp_expm1_fd(double x, double *expm1_out)
{
    double s1, s2, r = fa_exp_reduce_d(x, &s1, &s2);
    double t = fa_expm1_poly_fd(r), s = s1 * s2;
    *expm1_out = FA_FMA_D(s, t, s - 1.0);
    return FA_FMA_D(t, s1, s1) * s2;
}
FA_INLINE double fa_exp2sum_fd(double hi, double lo)
{
    double s1, s2, r = fa_exp_reduce_d(hi + lo, &s1, &s2);
    return FA_FMA_D(fa_expm1_poly_fd(r), s1, s1) * s2;
}

/* ---- IEEE half precision <-> float (round to nearest even) ------------- */

FA_INLINE float fa_half_to_float(uint16_t h)
{
    uint32_t magnitude = (uint32_t)(h & 0x7fff) << 13;
    /* Scaling by 2^112 rebiases the exponent and normalizes subnormals. */
    float f = fa_from_bits_f((int32_t)magnitude) * 0x1p112f;
    if (magnitude >= (0x7c00u << 13)) {          /* inf or NaN */
        f = fa_from_bits_f((int32_t)(magnitude | 0x7f800000u));
    }
    return fa_from_bits_f(fa_bits_f(f) | ((int32_t)(h & 0x8000) << 16));
}

/* Branch-free (selects), so that a loop of it vectorizes: the same bits
 * as the branches had, over every float (an exhaustive check in C). */
FA_INLINE uint16_t fa_float_to_half(float f)
{
    uint32_t u = (uint32_t)fa_bits_f(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    u &= 0x7fffffffu;
    /* half subnormal or zero: adding 0.5 aligns the bits so the FPU rounds
       to the half ulp */
    float aligned = fa_from_bits_f((int32_t)u) + 0.5f;
    uint32_t subnormal = (uint32_t)(fa_bits_f(aligned) - fa_bits_f(0.5f));
    /* normal: rebias, round to nearest even; [65520, 65536) carries to inf */
    uint32_t normal = (u + ((uint32_t)(15 - 127) << 23) + 0xfffu + ((u >> 13) & 1u)) >> 13;
    /* >= 65536: inf, or NaN */
    uint32_t large = u > 0x7f800000u ? 0x7e00u : 0x7c00u;
    uint32_t h = u >= (143u << 23) ? large : u < (113u << 23) ? subnormal : normal;
    return (uint16_t)(h | sign);
}

/* A double to half, rounded once (to nearest even), as NumPy's cast:
 * through a float rounded to odd (inexact: truncated, its last bit set),
 * whose 13 bits more than the half's make the second rounding exact. */
FA_INLINE uint16_t fa_double_to_half(double d)
{
    float f = (float)d;
    int32_t bits = fa_bits_f(f);
    if ((double)f != d && d == d) {
        if (fa_abs_d((double)f) > fa_abs_d(d))
            bits -= 1;  /* toward zero (an overflow's inf to the largest float) */
        bits |= 1;
    }
    return fa_float_to_half(fa_from_bits_f(bits));
}

/* n contiguous halves to floats, and floats to halves: F16C's vcvtph2ps
 * and vcvtps2ph, 8 at a time, where the target has them (x86-64-v3 and
 * v4; the same values, rounded to nearest even, NaN payloads aside), the
 * functions above for the rest, which gcc vectorizes.  (float16 loops
 * had converted element by element: 2.9 ns/el for leaky_relu on AVX2,
 * 15x float32's time.)  The caller saves and restores the FP flags: an
 * sNaN's conversion raises invalid. */
FA_INLINE void fa_halves_to_floats(const uint16_t *h, float *f, ptrdiff_t n)
{
    ptrdiff_t i = 0;
#ifdef __F16C__
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(f + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(h + i))));
#endif
    FA_PRAGMA(omp simd)
    for (ptrdiff_t j = i; j < n; j++)
        f[j] = fa_half_to_float(h[j]);
}

FA_INLINE void fa_floats_to_halves(const float *f, uint16_t *h, ptrdiff_t n)
{
    ptrdiff_t i = 0;
#ifdef __F16C__
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(h + i),
                         _mm256_cvtps_ph(_mm256_loadu_ps(f + i), _MM_FROUND_TO_NEAREST_INT));
#endif
    FA_PRAGMA(omp simd)
    for (ptrdiff_t j = i; j < n; j++)
        h[j] = fa_float_to_half(f[j]);
}

#endif
