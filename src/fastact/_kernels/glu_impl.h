/*
 * glu_impl.h -- the gates of the GLU family (glu, swiglu, geglu), included
 * by activations.h once per FA_T (no include guard on purpose).
 *
 * The GLU functions split x into halves a and b along an axis; the
 * elementwise ufuncs glu_halves, swiglu_halves and their backwards
 * (_catalog.GLU_KERNELS) combine the halves with these (geglu uses the
 * catalog's gelu and gelu_tanh).  silu here carries a fa_glu_ prefix so it
 * cannot clash with the elementwise silu activation of the catalog.
 */

/* a * s for a gate s(a) -> 0 as a -> -inf: the limit -0.0 where s is 0
   (a = -inf would give -inf * 0 = NaN) */
FA_INLINE FA_T FA_F(fa_glu_gated)(FA_T a, FA_T s) { return s == 0 ? -s : a * s; }

/* silu(a) = a * sigmoid(a) */
FA_INLINE FA_T FA_F(fa_glu_silu)(FA_T a)
{
    return FA_F(fa_glu_gated)(a, FA_F(fa_sigmoid)(a));
}

/* silu'(a) = sigmoid(a) + a * sigmoid'(a); the product is 0 where
   sigmoid' underflows (the limits 0 and 1 at -inf and +inf) */
FA_INLINE FA_T FA_F(fa_glu_silu_derivative)(FA_T a)
{
    FA_T d = FA_F(fa_sigmoid_derivative)(a);
    return FA_F(fa_sigmoid)(a) + (d == 0 ? 0 : a * d);
}
