/*
 * stream.h -- memory traffic: stores that bypass the caches, for outputs
 * larger than the last-level cache, and software prefetch.  A normal
 * store first reads the cache line it writes (read for ownership), so
 * y = f(x) moves three arrays' worth of memory
 * instead of two; glibc's memcpy (np.copyto) streams above a threshold too.
 * The kernels write a block into a small buffer in L1, copied out with
 * non-temporal stores (the ufunc loops of _ufuncs.pyx.tp decide when).
 */
#ifndef FASTACT_STREAM_H
#define FASTACT_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__AVX__)
#include <immintrin.h>
#define FA_STREAM_ALIGN 32
#elif defined(__SSE2__)
#include <emmintrin.h>
#define FA_STREAM_ALIGN 16
#endif

/* dst[0:n] = src[0:n]: element by element up to the vector alignment of
 * dst, then aligned streaming stores (dst not aligned to its element size
 * is copied element by element: right, only slower) */
#ifdef FA_STREAM_ALIGN
#if defined(__AVX__)
#define FA_STREAM_F(p, v) _mm256_stream_ps((p), _mm256_loadu_ps(v))
#define FA_STREAM_D(p, v) _mm256_stream_pd((p), _mm256_loadu_pd(v))
#else
#define FA_STREAM_F(p, v) _mm_stream_ps((p), _mm_loadu_ps(v))
#define FA_STREAM_D(p, v) _mm_stream_pd((p), _mm_loadu_pd(v))
#endif
#define FA_DEFINE_STREAM(name, T, STORE) \
    static inline void name(T *dst, const T *src, ptrdiff_t n) \
    { \
        const ptrdiff_t lanes = FA_STREAM_ALIGN / sizeof(T); \
        ptrdiff_t i = 0; \
        for (; i < n && (uintptr_t)(dst + i) % FA_STREAM_ALIGN; i++) \
            dst[i] = src[i]; \
        for (; i + lanes <= n; i += lanes) \
            STORE(dst + i, src + i); \
        for (; i < n; i++) \
            dst[i] = src[i]; \
    }
FA_DEFINE_STREAM(fa_stream_f, float, FA_STREAM_F)
FA_DEFINE_STREAM(fa_stream_d, double, FA_STREAM_D)
#undef FA_DEFINE_STREAM
/* the streamed stores are weakly ordered: fence them before the loop
   returns (another thread, or this one, may read the output next) */
static inline void fa_stream_fence(void) { _mm_sfence(); }
#else  /* no streaming stores known here: plain copies */
static inline void fa_stream_f(float *dst, const float *src, ptrdiff_t n)
{
    memcpy(dst, src, n * sizeof(float));
}
static inline void fa_stream_d(double *dst, const double *src, ptrdiff_t n)
{
    memcpy(dst, src, n * sizeof(double));
}
static inline void fa_stream_fence(void) {}
#endif

/* Software prefetch of the arrays a compute-bound loop reads and writes,
 * a block of FA_PREFETCH_BLOCK bytes at a time, FA_PREFETCH_AHEAD bytes
 * ahead of the block being computed.  On arrays that fit the last-level
 * cache but not L2 the hardware prefetcher alone left the transcendental
 * loops waiting on memory (float32 silu at 1e6 elements 15% and tanh 12%
 * slower than in L2; a Xeon with AVX-512); with the prefetches they run
 * at their in-cache speed.  Blocks of 4 KB, their 64 prefetches bunched,
 * were slower than none.  Prefetches never fault; the template's loops
 * only prefetch inside their arrays.  The explicit SIMD blocks of
 * activations.h (float32 on AVX-512) run in one call and prefetch each
 * vector's line FA_PREFETCH_AHEAD bytes ahead themselves (fa_load16,
 * fa_store16): 6-14% faster at 1e6 than per 256-byte block, copy speed
 * at 1.6e7. */
#define FA_PREFETCH_AHEAD 2048
#define FA_PREFETCH_BLOCK 256
#define FA_CACHE_LINE 64
#if defined(__GNUC__)
#define FA_PREFETCH(p, rw) __builtin_prefetch((p), (rw), 3)
#else
#define FA_PREFETCH(p, rw) ((void)(p))
#endif
static inline void fa_prefetch_read(const void *p, ptrdiff_t nbytes)
{
    for (ptrdiff_t b = 0; b < nbytes; b += FA_CACHE_LINE)
        FA_PREFETCH((const char *)p + b, 0);
}
static inline void fa_prefetch_write(void *p, ptrdiff_t nbytes)
{
    for (ptrdiff_t b = 0; b < nbytes; b += FA_CACHE_LINE)
        FA_PREFETCH((char *)p + b, 1);
}

/* Outputs of more bytes than fa_stream_min_bytes() are streamed; smaller
 * ones stay in the cache, where the next operation reads them.  At least
 * FA_STREAM_MIN_BYTES (a desktop's L3, one Zen CCX's), and an eighth of
 * the L3 that sysconf reports: that figure is the whole package's, shared
 * by all its cores, and on a Xeon reporting 480 MiB relu (1 and 2 threads)
 * wrote 12-40 MB outputs 1.2x faster with normal stores, tied at 64 MB and
 * was 1.4x faster streamed from 96 MB. */
#define FA_STREAM_MIN_BYTES (8L << 20)
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
static inline long fa_stream_min_bytes(void)
{
    long l3 = 0;
#ifdef _SC_LEVEL3_CACHE_SIZE
    l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);  /* 0 or -1 where unknown */
#endif
    return l3 / 8 > FA_STREAM_MIN_BYTES ? l3 / 8 : FA_STREAM_MIN_BYTES;
}

#endif
