# cython: language_level=3
"""CPU feature detection, compiled for the baseline target.

Kept apart from the kernels so that choosing a kernel module never loads
(or runs an instruction of) one the CPU cannot execute.
"""

cdef extern from *:
    """
    #if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
    /* x86-64-v3 as gcc's -march=x86-64-v3 assumes it: AVX2, FMA, BMI1/2,
       F16C, MOVBE, LZCNT (plus the v2 set).  __builtin_cpu_supports("avx")
       also checks that the OS saves the YMM registers (XGETBV). */
    static int fa_cpu_has_x86_64_v3(void) {
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx") && __builtin_cpu_supports("avx2")
            && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi")
            && __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c")
            && __builtin_cpu_supports("movbe") && __builtin_cpu_supports("popcnt")
            && __builtin_cpu_supports("sse4.2");
    }
    /* x86-64-v4: AVX-512 F, BW, CD, DQ, VL (the OS check is in "avx512f"). */
    static int fa_cpu_has_x86_64_v4(void) {
        return fa_cpu_has_x86_64_v3()
            && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq")
            && __builtin_cpu_supports("avx512vl");
    }
    #else
    static int fa_cpu_has_x86_64_v3(void) { return 0; }
    static int fa_cpu_has_x86_64_v4(void) { return 0; }
    #endif
    """
    int fa_cpu_has_x86_64_v3()
    int fa_cpu_has_x86_64_v4()


def supports(target):
    """Whether this CPU can run the kernels built for `target`."""
    if target == "baseline":
        return True
    if target == "x86_64_v3":
        return bool(fa_cpu_has_x86_64_v3())
    if target == "x86_64_v4":
        return bool(fa_cpu_has_x86_64_v4())
    raise ValueError("unknown CPU target %r" % (target,))
