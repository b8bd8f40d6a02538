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
