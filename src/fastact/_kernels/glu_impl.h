/*
 * glu_impl.h -- the gates of the GLU family (glu, swiglu, geglu), included
 * by activations.h once per FA_T (no include guard on purpose).
 *
 * The GLU functions split x into halves a and b along an axis; the
 * elementwise ufuncs glu_halves, swiglu_halves, geglu_tanh_halves and their
 * backwards (_catalog.GLU_KERNELS) combine the halves with these.  silu and
 * tanh-gelu here carry a fa_glu_ prefix so they cannot clash with the
 * elementwise silu/gelu activations of the catalog.
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

/* gelu, tanh approximation: 0.5 a (1 + tanh(u)), u = k0 (a + k1 a^3),
 * written as a * sigmoid(2u) (1 + tanh(u) = 2 sigmoid(2u)) so the negative
 * tail does not cancel.  a^3 may overflow to inf: sigmoid takes it. */
#define FA_GELU_K0 FA_K(0.7978845608028654)   /* sqrt(2 / pi) */
#define FA_GELU_K1 FA_K(0.044715)

FA_INLINE FA_T FA_F(fa_glu_gelu_tanh)(FA_T a)
{
    FA_T u2 = 2 * FA_GELU_K0 * (a + FA_GELU_K1 * (a * a * a));
    return FA_F(fa_glu_gated)(a, FA_F(fa_sigmoid)(u2));
}

/* sigmoid(2u) + a * sigmoid'(2u) * 2 k0 (1 + 3 k1 a^2) */
FA_INLINE FA_T FA_F(fa_glu_gelu_tanh_derivative)(FA_T a)
{
    FA_T u2 = 2 * FA_GELU_K0 * (a + FA_GELU_K1 * (a * a * a));
    FA_T d = FA_F(fa_sigmoid_derivative)(u2);
    FA_T slope = 2 * FA_GELU_K0 * (1 + 3 * FA_GELU_K1 * (a * a));
    return FA_F(fa_sigmoid)(u2) + (d == 0 ? 0 : (a * d) * slope);
}

#undef FA_GELU_K0
#undef FA_GELU_K1
