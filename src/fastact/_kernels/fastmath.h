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
#include <math.h>
#include <stdint.h>
#include <string.h>

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

/* ---- floating-point exception flags ----------------------------------- */

static inline int fa_fpe_save(void) { return fetestexcept(FE_ALL_EXCEPT); }

/* Clear the flags raised since fa_fpe_save(), keep the ones set before. */
static inline void fa_fpe_restore(int saved)
{
    int raised = fetestexcept(FE_ALL_EXCEPT) & ~saved;
    if (raised) {
        feclearexcept(raised);
    }
}

/* ---- bit casts (memcpy compiles to a register move) -------------------- */

static inline int32_t fa_bits_f(float x) { int32_t i; memcpy(&i, &x, 4); return i; }
static inline float fa_from_bits_f(int32_t i) { float x; memcpy(&x, &i, 4); return x; }
static inline int64_t fa_bits_d(double x) { int64_t i; memcpy(&i, &x, 8); return i; }
static inline double fa_from_bits_d(int64_t i) { double x; memcpy(&x, &i, 8); return x; }

#if defined(__GNUC__) || defined(__clang__)
/* Always inlined as bit operations (never a libm call), and gcc vectorizes
   them for every target, where the integer versions below miss SSE2. */
static inline float fa_abs_f(float x) { return __builtin_fabsf(x); }
static inline double fa_abs_d(double x) { return __builtin_fabs(x); }
static inline float fa_copysign_f(float m, float s) { return __builtin_copysignf(m, s); }
static inline double fa_copysign_d(double m, double s) { return __builtin_copysign(m, s); }
#else
static inline float fa_abs_f(float x) { return fa_from_bits_f(fa_bits_f(x) & 0x7fffffff); }
static inline double fa_abs_d(double x) { return fa_from_bits_d(fa_bits_d(x) & INT64_MAX); }
/* |m| with the sign bit of s */
static inline float fa_copysign_f(float m, float s)
{
    return fa_from_bits_f((fa_bits_f(m) & 0x7fffffff) | (fa_bits_f(s) & INT32_MIN));
}
static inline double fa_copysign_d(double m, double s)
{
    return fa_from_bits_d((fa_bits_d(m) & INT64_MAX) | (fa_bits_d(s) & INT64_MIN));
}
#endif

/* ---- exp and expm1 ------------------------------------------------------
 *
 * exp(x) = 2^k * exp(r) with k = round(x / ln2) and |r| <= ln2 / 2.
 * k comes from adding a magic number (1.5 * 2^mantissa_bits): the sum's low
 * mantissa bits hold k, so no float->int conversion (undefined for NaN) is
 * needed.  ln2 is split in a high part with trailing zero bits (k * hi is
 * exact) and a low correction.  2^k is applied as 2^k1 * 2^k2, both normal,
 * so results in the subnormal range are rounded once.
 *
 * The clamps keep k in range: below lo, exp rounds to 0; hi is the first
 * value whose exp overflows, so clamping to it still gives inf.
 */
FA_INLINE float fa_exp_reduce_f(float x, float *s1, float *s2)
{
    const float lo = -104.0f, hi = 88.72283935546875f;
    const float magic = 12582912.0f;  /* 1.5 * 2^23 */
    float xc = x < lo ? lo : (x > hi ? hi : x);
    float kshift = xc * 1.44269504088896341f + magic;
    float kf = kshift - magic;
    int32_t k = fa_bits_f(kshift) - fa_bits_f(magic);
    int32_t k1 = k >> 1, k2 = k - k1;
    *s1 = fa_from_bits_f((k1 + 127) << 23);
    *s2 = fa_from_bits_f((k2 + 127) << 23);
    return (xc - kf * 0.693359375f) - kf * -2.12194440e-4f;
}

FA_INLINE double fa_exp_reduce_d(double x, double *s1, double *s2)
{
    const double lo = -746.0, hi = 709.78271289338400;
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

/* exp(r) on |r| <= ln2/2: Chebyshev interpolants, max relative error
   2.0e-8 (float, degree 6) and 1.7e-17 (double, degree 11). */
FA_INLINE float fa_exp_f(float x)
{
    float s1, s2, r = fa_exp_reduce_f(x, &s1, &s2);
    float p = 0.0013941108481958508f;
    p = p * r + 0.00837512593716383f;
    p = p * r + 0.04166635125875473f;
    p = p * r + 0.16666415333747864f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return (p * s1) * s2;
}

FA_INLINE double fa_exp_d(double x)
{
    double s1, s2, r = fa_exp_reduce_d(x, &s1, &s2);
    double p = 2.5110037605963777e-08;
    p = p * r + 2.763263963904103e-07;
    p = p * r + 2.755724091857897e-06;
    p = p * r + 2.4801485482328494e-05;
    p = p * r + 0.00019841269890047113;
    p = p * r + 0.0013888888952314775;
    p = p * r + 0.008333333333319601;
    p = p * r + 0.0416666666664881;
    p = p * r + 0.1666666666666668;
    p = p * r + 0.5000000000000019;
    p = p * r + 1.0;
    p = p * r + 1.0;
    return (p * s1) * s2;
}

/* exp(x), returned, and expm1(x), stored: one range reduction for both
 * (tanh needs both for an accurate value and derivative).  q = expm1(r) is a
 * Taylor polynomial, well under an ulp on |r| <= ln2/2; expm1 = s*q + (s-1)
 * is exact-ish because s - 1 is exact for the small k where it matters. */
FA_INLINE float fa_exp_expm1_f(float x, float *expm1_out)
{
    float s1, s2, r = fa_exp_reduce_f(x, &s1, &s2);
    float q = 1.0f / 40320.0f;
    q = q * r + 1.0f / 5040.0f;
    q = q * r + 1.0f / 720.0f;
    q = q * r + 1.0f / 120.0f;
    q = q * r + 1.0f / 24.0f;
    q = q * r + 1.0f / 6.0f;
    q = q * r + 0.5f;
    q = (q * r) * r + r;
    float s = s1 * s2;
    *expm1_out = s * q + (s - 1.0f);
    return (s1 * q + s1) * s2;
}

FA_INLINE double fa_exp_expm1_d(double x, double *expm1_out)
{
    double s1, s2, r = fa_exp_reduce_d(x, &s1, &s2);
    double q = 1.0 / 6227020800.0;   /* 1/13! */
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    q = (q * r) * r + r;
    double s = s1 * s2;
    *expm1_out = s * q + (s - 1.0);
    return (s1 * q + s1) * s2;
}

/* ---- log: libm, for one value per softmax row, never inside a hot loop -- */

static inline float fa_log_f(float x) { return logf(x); }
static inline double fa_log_d(double x) { return log(x); }

/* ---- IEEE half precision <-> float (round to nearest even) ------------- */

static inline float fa_half_to_float(uint16_t h)
{
    uint32_t magnitude = (uint32_t)(h & 0x7fff) << 13;
    /* Scaling by 2^112 rebiases the exponent and normalizes subnormals. */
    float f = fa_from_bits_f((int32_t)magnitude) * 0x1p112f;
    if (magnitude >= (0x7c00u << 13)) {          /* inf or NaN */
        f = fa_from_bits_f((int32_t)(magnitude | 0x7f800000u));
    }
    return fa_from_bits_f(fa_bits_f(f) | ((int32_t)(h & 0x8000) << 16));
}

static inline uint16_t fa_float_to_half(float f)
{
    uint32_t u = (uint32_t)fa_bits_f(f);
    uint32_t sign = (u >> 16) & 0x8000u;
    uint16_t h;
    u &= 0x7fffffffu;
    if (u >= (143u << 23)) {                     /* >= 65536: inf, or NaN */
        h = u > 0x7f800000u ? 0x7e00 : 0x7c00;
        /* values in [65520, 65536) round to inf too: handled below */
    } else if (u < (113u << 23)) {               /* half subnormal or zero */
        /* Adding 0.5 aligns the bits so the FPU rounds to the half ulp. */
        float aligned = fa_from_bits_f((int32_t)u) + 0.5f;
        h = (uint16_t)(fa_bits_f(aligned) - fa_bits_f(0.5f));
    } else {
        uint32_t odd = (u >> 13) & 1u;
        u += ((uint32_t)(15 - 127) << 23) + 0xfffu + odd;
        h = (uint16_t)(u >> 13);                 /* overflow carries to inf */
    }
    return (uint16_t)(h | sign);
}

#endif
