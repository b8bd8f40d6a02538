"""The ``fastact`` command (also ``python -m fastact``): one subcommand per tool."""

import argparse
import sys
from typing import Any, List, Optional


def _parser() -> argparse.ArgumentParser:
    from . import _accuracy, _bench

    parser = argparse.ArgumentParser(
        prog="fastact", description="fastact: compiled activation functions for NumPy.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    bench = commands.add_parser(
        "bench", help="time fastact against the equivalent NumPy expressions",
        description="Time each activation's forward and backward pass against "
        "the NumPy expression it replaces; print ns/element, speed-up and GB/s.")
    _bench.add_arguments(bench)
    bench.set_defaults(run=_bench.main)
    accuracy = commands.add_parser(
        "accuracy", help="ULP errors against exact values, fastact and the NumPy expressions",
        description="Measure each activation's forward, derivative and backward against "
        "exact values (float64 and long double closed forms, mpmath): max and mean ULP "
        "error, for fastact and for the NumPy expression it replaces.  Needs "
        "pip install 'fastact[accuracy]'.")
    _accuracy.add_arguments(accuracy)
    accuracy.set_defaults(run=_accuracy.main)
    return parser


def main(argv: Optional[List[str]] = None) -> Any:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        parser.exit(2)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
