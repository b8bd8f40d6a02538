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
