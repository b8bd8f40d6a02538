/*
 * glu_impl.h -- the gates of the GLU family (glu, swiglu, geglu), included
 * by activations.h once per FA_T (no include guard on purpose).
 *
 * The GLU functions split x into halves a and b along an axis; the
 * elementwise ufuncs glu_halves, swiglu_halves and their backwards
 * (_catalog.GLU_KERNELS) combine the halves with these and the catalog's
 * functions (geglu: gelu, gelu_tanh and their derivatives; swiglu: silu').
 * swiglu's gate here is a * sigmoid(a): cheaper than the catalog's silu
 * (a correction step for 2 ulp), within 3.2 ulp in float32 but where
 * sigmoid(a) is subnormal (a < -87: 47 ulp at -91.4); its fa_glu_ prefix
 * keeps it apart from that silu.
 */

/* a * s for a gate s(a) -> 0 as a -> -inf: the limit -0.0 where s is 0
   (a = -inf would give -inf * 0 = NaN) */
FA_INLINE FA_T FA_F(fa_glu_gated)(FA_T a, FA_T s) { return s == 0 ? -s : a * s; }

/* silu(a) = a * sigmoid(a) */
FA_INLINE FA_T FA_F(fa_glu_silu)(FA_T a)
{
    return FA_F(fa_glu_gated)(a, FA_F(fa_sigmoid)(a));
}
