import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true",
                     help="also run the 1.6e7-element benchmarks "
                     "(or set FASTACT_BENCH_SLOW=1)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow") or os.environ.get("FASTACT_BENCH_SLOW"):
        return
    skip = pytest.mark.skip(reason="1.6e7 elements: needs --runslow or FASTACT_BENCH_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: large arrays, skipped unless --runslow")
