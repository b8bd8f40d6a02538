/*
 * axis_impl.h -- softmax and log_softmax along an axis, included by
 * activations.h once per FA_T (no include guard on purpose).
 *
 * Two layouts, both vectorized:
 *
 *  - rows (fa_*_row): the n elements of one softmax are contiguous.  Sums
 *    and maxima are `omp simd` reductions (FA_SIMD_REDUCTION): the pragma
 *    lets the compiler keep one partial sum per SIMD lane, which it may not
 *    do on its own without -ffast-math.  Outputs are written at the index
 *    just read, so y may be x (in place).
 *
 *  - columns (fa_*_cols): softmax along a strided axis (axis 0 of a
 *    C-contiguous matrix) for m neighbouring positions at once: element j of
 *    column i is x[j * xs + i].  Running max and sum per column live in
 *    caller-provided scratch arrays, and every pass walks contiguous memory
 *    along i, so no transposed copy is ever made.
 *
 * Stability: exp(x - max) is at most 1 and the sum at least 1; x - max <= 0
 * (or NaN), so it is exp of a non-positive argument (fa_exp_neg_T: no
 * upper clamp, one scale factor; the same bits as exp of any).  A row of
 * all -inf has max -inf and gives (-inf) - (-inf) = NaN, a +inf entry gives
 * inf - inf = NaN and a NaN entry propagates through the sum: the whole row
 * is NaN in all three cases, as in torch.
 */

/* ---- rows ----------------------------------------------------------- */

static inline FA_T FA_F(fa_max_row)(const FA_T *x, ptrdiff_t n)
{
    FA_T m = -(FA_T)INFINITY;
    FA_SIMD_REDUCTION(max:m)
    for (ptrdiff_t i = 0; i < n; i++) m = x[i] > m ? x[i] : m;
    return m;
}

/* sum of exp(x - m); stores the terms in e unless e is NULL (e may be x) */
static inline FA_T FA_F(fa_sum_exp_row)(const FA_T *x, FA_T m, FA_T *e, ptrdiff_t n)
{
    FA_T s = 0;
    if (e) {
        FA_SIMD_REDUCTION(+:s)
        for (ptrdiff_t i = 0; i < n; i++) {
            FA_T t = FA_F(fa_exp_neg)(x[i] - m);
            e[i] = t;
            s += t;
        }
    } else {
        FA_SIMD_REDUCTION(+:s)
        for (ptrdiff_t i = 0; i < n; i++) s += FA_F(fa_exp_neg)(x[i] - m);
    }
    return s;
}

/* sum of a[i] * b[i] (b NULL: sum of a[i]) */
static inline FA_T FA_F(fa_dot_row)(const FA_T *a, const FA_T *b, ptrdiff_t n)
{
    FA_T s = 0;
    if (b) {
        FA_SIMD_REDUCTION(+:s)
        for (ptrdiff_t i = 0; i < n; i++) s += a[i] * b[i];
    } else {
        FA_SIMD_REDUCTION(+:s)
        for (ptrdiff_t i = 0; i < n; i++) s += a[i];
    }
    return s;
}

static inline void FA_F(fa_softmax_row)(const FA_T *x, FA_T *y, ptrdiff_t n)
{
    FA_T m = FA_F(fa_max_row)(x, n);
    FA_T r = 1 / FA_F(fa_sum_exp_row)(x, m, y, n);
    for (ptrdiff_t i = 0; i < n; i++) y[i] *= r;
}

/* (x - m) - log(sum): x - m is exact near the max, where it matters */
static inline void FA_F(fa_log_softmax_row)(const FA_T *x, FA_T *y, ptrdiff_t n)
{
    FA_T m = FA_F(fa_max_row)(x, n);
    FA_T lse = FA_F(fa_log)(FA_F(fa_sum_exp_row)(x, m, NULL, n));
    for (ptrdiff_t i = 0; i < n; i++) y[i] = (x[i] - m) - lse;
}

/* y * (g - sum(g * y)) */
static inline void FA_F(fa_softmax_backward_row)(const FA_T *g, const FA_T *y, FA_T *out,
                                                 ptrdiff_t n)
{
    FA_T d = FA_F(fa_dot_row)(g, y, n);
    for (ptrdiff_t i = 0; i < n; i++) out[i] = y[i] * (g[i] - d);
}

/* exp(y) of log_softmax's outputs, y <= 0 (or NaN): exp of a non-positive
   argument, as the forward's; NaN where y > 0, which log_softmax never
   returns (x passed as y?), as log_sigmoid's backward */
FA_INLINE FA_T FA_F(fa_exp_log_prob)(FA_T y)
{
    return FA_F(fa_select)(y > 0, (FA_T)NAN, FA_F(fa_exp_neg)(y));
}

/* g - exp(y) * sum(g) */
static inline void FA_F(fa_log_softmax_backward_row)(const FA_T *g, const FA_T *y, FA_T *out,
                                                     ptrdiff_t n)
{
    FA_T s = FA_F(fa_dot_row)(g, NULL, n);
    for (ptrdiff_t i = 0; i < n; i++) out[i] = g[i] - FA_F(fa_exp_log_prob)(y[i]) * s;
}

/* ---- columns: m positions of a strided axis at once ------------------
 * Element j (of n along the axis) of column i is x[j * xs + i]; strides in
 * elements.  acc and acc2 are scratch arrays of m values each. */

static inline void FA_F(fa_max_cols)(const FA_T *x, ptrdiff_t xs, ptrdiff_t n, ptrdiff_t m,
                                     FA_T *restrict mx)
{
    for (ptrdiff_t i = 0; i < m; i++) mx[i] = -(FA_T)INFINITY;
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *xj = x + j * xs;
        FA_SIMD
        for (ptrdiff_t i = 0; i < m; i++) mx[i] = xj[i] > mx[i] ? xj[i] : mx[i];
    }
}

/* s[i] = sum over j of exp(x - mx[i]), storing the terms in y unless NULL */
static inline void FA_F(fa_sum_exp_cols)(const FA_T *x, ptrdiff_t xs, FA_T *y, ptrdiff_t ys,
                                         ptrdiff_t n, ptrdiff_t m,
                                         const FA_T *restrict mx, FA_T *restrict s)
{
    for (ptrdiff_t i = 0; i < m; i++) s[i] = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *xj = x + j * xs;
        if (y) {
            FA_T *yj = y + j * ys;
            FA_SIMD
            for (ptrdiff_t i = 0; i < m; i++) {
                FA_T e = FA_F(fa_exp_neg)(xj[i] - mx[i]);
                s[i] += e;
                yj[i] = e;
            }
        } else {
            FA_SIMD
            for (ptrdiff_t i = 0; i < m; i++) s[i] += FA_F(fa_exp_neg)(xj[i] - mx[i]);
        }
    }
}

static inline void FA_F(fa_softmax_cols)(const FA_T *x, ptrdiff_t xs, FA_T *y, ptrdiff_t ys,
                                         ptrdiff_t n, ptrdiff_t m,
                                         FA_T *restrict acc, FA_T *restrict acc2)
{
    FA_F(fa_max_cols)(x, xs, n, m, acc);
    FA_F(fa_sum_exp_cols)(x, xs, y, ys, n, m, acc, acc2);
    for (ptrdiff_t i = 0; i < m; i++) acc2[i] = 1 / acc2[i];
    for (ptrdiff_t j = 0; j < n; j++) {
        FA_T *yj = y + j * ys;
        FA_SIMD
        for (ptrdiff_t i = 0; i < m; i++) yj[i] *= acc2[i];
    }
}

static inline void FA_F(fa_log_softmax_cols)(const FA_T *x, ptrdiff_t xs, FA_T *y, ptrdiff_t ys,
                                             ptrdiff_t n, ptrdiff_t m,
                                             FA_T *restrict acc, FA_T *restrict acc2)
{
    FA_F(fa_max_cols)(x, xs, n, m, acc);
    FA_F(fa_sum_exp_cols)(x, xs, NULL, 0, n, m, acc, acc2);
    for (ptrdiff_t i = 0; i < m; i++) acc2[i] = FA_F(fa_log)(acc2[i]);
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *xj = x + j * xs;
        FA_T *yj = y + j * ys;
        FA_SIMD
        for (ptrdiff_t i = 0; i < m; i++) yj[i] = (xj[i] - acc[i]) - acc2[i];
    }
}

/* s[i] = sum over j of a * b (b NULL: of a) */
static inline void FA_F(fa_dot_cols)(const FA_T *a, ptrdiff_t as, const FA_T *b, ptrdiff_t bs,
                                     ptrdiff_t n, ptrdiff_t m, FA_T *restrict s)
{
    for (ptrdiff_t i = 0; i < m; i++) s[i] = 0;
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *aj = a + j * as, *bj = b ? b + j * bs : NULL;
        if (bj) {
            FA_SIMD
            for (ptrdiff_t i = 0; i < m; i++) s[i] += aj[i] * bj[i];
        } else {
            FA_SIMD
            for (ptrdiff_t i = 0; i < m; i++) s[i] += aj[i];
        }
    }
}

static inline void FA_F(fa_softmax_backward_cols)(const FA_T *g, ptrdiff_t gs, const FA_T *y,
                                                  ptrdiff_t ys, FA_T *out, ptrdiff_t os,
                                                  ptrdiff_t n, ptrdiff_t m,
                                                  FA_T *restrict acc, FA_T *restrict acc2)
{
    (void)acc2;
    FA_F(fa_dot_cols)(g, gs, y, ys, n, m, acc);
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *gj = g + j * gs, *yj = y + j * ys;
        FA_T *oj = out + j * os;
        FA_SIMD
        for (ptrdiff_t i = 0; i < m; i++) oj[i] = yj[i] * (gj[i] - acc[i]);
    }
}

static inline void FA_F(fa_log_softmax_backward_cols)(const FA_T *g, ptrdiff_t gs, const FA_T *y,
                                                      ptrdiff_t ys, FA_T *out, ptrdiff_t os,
                                                      ptrdiff_t n, ptrdiff_t m,
                                                      FA_T *restrict acc, FA_T *restrict acc2)
{
    (void)acc2;
    FA_F(fa_dot_cols)(g, gs, NULL, 0, n, m, acc);
    for (ptrdiff_t j = 0; j < n; j++) {
        const FA_T *gj = g + j * gs, *yj = y + j * ys;
        FA_T *oj = out + j * os;
        FA_SIMD
        for (ptrdiff_t i = 0; i < m; i++) oj[i] = gj[i] - FA_F(fa_exp_log_prob)(yj[i]) * acc[i];
    }
}

/* prelu's weight gradient over one channel row: the sum of grad * min(x, 0)
 * (x where x <= 0 or NaN), in double (a float32 product is exact there) */
static inline double FA_F(fa_prelu_weight_sum_row)(const FA_T *grad, const FA_T *x, ptrdiff_t n)
{
    double s = 0;
    FA_SIMD_REDUCTION(+:s)
    for (ptrdiff_t i = 0; i < n; i++) s += (double)grad[i] * (double)(x[i] > 0 ? 0 : x[i]);
    return s;
}

/* the same per element, added into acc: over the samples of (N, C * S)
 * with short channel rows, a sample at a time */
static inline void FA_F(fa_prelu_weight_add_row)(const FA_T *grad, const FA_T *x, double *acc,
                                                 ptrdiff_t n)
{
    FA_SIMD
    for (ptrdiff_t i = 0; i < n; i++) acc[i] += (double)grad[i] * (double)(x[i] > 0 ? 0 : x[i]);
}
