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

/* A vectorized reduction in axis_impl.h: `omp simd reduction(op:var)`
   (compiled with -fopenmp-simd, no OpenMP runtime needed); without the
   pragma the loop is still right, only scalar. */
#define FA_PRAGMA(text) _Pragma(#text)
#define FA_SIMD_REDUCTION(r) FA_PRAGMA(omp simd reduction(r))
/* `omp simd` on the loops over columns: an output row may be the input row
   (in place), never another one, which the compiler cannot know. */
#define FA_SIMD FA_PRAGMA(omp simd)

#define FA_T float
#define FA_F(name) name##_f
#define FA_K(c) ((float)(c))
#include "activations_impl.h"
#include "glu_impl.h"
#include "axis_impl.h"
#undef FA_T
#undef FA_F
#undef FA_K

#define FA_T double
#define FA_F(name) name##_d
#define FA_K(c) ((double)(c))
#include "activations_impl.h"
#include "glu_impl.h"
#include "axis_impl.h"
#undef FA_T
#undef FA_F
#undef FA_K

#endif
