"""fastact from several Python threads, and under threadpoolctl's limits."""

import functools
import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import threadpoolctl

import fastact as fa
import fastact._catalog
from fastact._backend import kernels

LARGE = 1_100_003  # over every grain: the threaded path runs


def test_threadpool_limits_limit_fastact():
    """threadpoolctl's OpenMP controller covers the libgomp fastact uses."""
    libs = [i["filepath"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "openmp"]
    if fa.config()["openmp"] is None:
        pytest.skip("built without OpenMP")
    assert libs, "threadpoolctl does not see fastact's OpenMP runtime"
    with fa.threads(2):
        with threadpoolctl.threadpool_limits(1):
            assert kernels.effective_num_threads() == 1
            x = np.linspace(-5, 5, LARGE, dtype=np.float32)
            limited = fa.sigmoid(x)
        assert kernels.effective_num_threads() == min(2, fa.get_num_threads())
        np.testing.assert_array_equal(limited, fa.sigmoid(x))


def test_set_num_threads_bounds_effective_threads():
    with fa.threads(1):
        assert kernels.effective_num_threads() == 1


def _work(seed):
    rng = np.random.default_rng(seed)
    size = LARGE if seed % 2 else 1000
    x = rng.standard_normal(size).astype(np.float32 if seed % 3 else np.float64) * 4
    g = rng.standard_normal(size).astype(x.dtype)
    y = fa.tanh(x)
    return (x, g), (y, fa.tanh.backward(g, y=y), fa.sigmoid.value_and_derivative(x),
                    fa.leaky_relu(x, 0.2))


def test_concurrent_python_threads_match_single_threaded():
    """The loops release the GIL; calls from several Python threads at once
    (large threaded ones and small ones mixed) give exactly the results of
    the same calls made one at a time on one thread."""
    with fa.threads(1):
        expected = [_work(seed)[1] for seed in range(12)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(_work, range(12)))
    for (_, got), want in zip(results, expected):
        np.testing.assert_array_equal(got[0], want[0])
        np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(got[2][0], want[2][0])
        np.testing.assert_array_equal(got[2][1], want[2][1])
        np.testing.assert_array_equal(got[3], want[3])


def _child_sigmoid_sum(n):
    return float(fa.sigmoid(np.linspace(-3, 3, n, dtype=np.float64)).sum())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(),
                    reason="needs the fork start method")
def test_multiprocessing_fork_after_threads_finishes():
    """After the parent used threads, a multiprocessing pool forked from it
    computes large arrays and finishes (libgomp's pool does not survive
    fork; fastact's children start single-threaded)."""
    with fa.threads(2):
        expected = _child_sigmoid_sum(LARGE)  # parent's OpenMP pool is up
        with multiprocessing.get_context("fork").Pool(2) as pool:
            result = pool.map_async(_child_sigmoid_sum, [LARGE] * 4)
            sums = result.get(timeout=60)
    assert sums == pytest.approx([expected] * 4, rel=1e-12)


def test_tight_loops_thread_smaller_arrays():
    """Below 2 grains a loop threads only in a tight loop: when a sizable
    call (at least 2 warm grains) of the calling thread ended within about a
    millisecond, its OpenMP pool is (or will stay) warm; then from 2 warm
    grains.  Never below that, never on one thread, small calls do not count,
    and each Python thread (each has its own pool) counts its own calls."""
    if fa.config()["openmp"] is None:
        pytest.skip("built without OpenMP")
    [kernel] = [k for k in fastact._catalog.KERNELS if k.name == "sigmoid"]
    grain, warm = kernel.grain, kernel.warm_grain
    assert grain == fa.sigmoid.spec.grain and 64 <= warm < grain
    mid, small = grain, 2 * warm - 64
    sizable = np.zeros(mid, np.float32)
    threads_for_size = functools.partial(kernels.threads_for_size, grain=grain, warm=warm)
    with fa.threads(2):
        time.sleep(0.02)
        fa.sigmoid(np.zeros(small, np.float32))  # too small to count
        assert threads_for_size(mid) == 1  # cold
        assert threads_for_size(2 * grain) == 2
        for _ in range(20):  # right after a sizable call (retried: the test
            fa.sigmoid(sizable)  # thread may be descheduled in between)
            got = threads_for_size(mid), threads_for_size(small)
            if got[0] == 2:
                break
        assert got == (2, 1)
        with ThreadPoolExecutor(1) as other:  # another thread's own calls
            assert other.submit(threads_for_size, mid).result() == 1
        time.sleep(0.02)
        assert threads_for_size(mid) == 1
    with fa.threads(1):
        fa.sigmoid(sizable)
        assert threads_for_size(mid) == 1
