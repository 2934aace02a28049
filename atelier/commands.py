"""Sub-commands that belong to later layers (service, evaluation, benchmark)."""

from __future__ import annotations

import argparse
from typing import Any


def add_more_commands(sub: Any) -> None:
    """Register ``bench`` (and, as they land, ``serve`` and ``evaluate``)."""
    bench = sub.add_parser("bench", help="print pipeline timings (see evaluation/bench.py)")
    bench.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    bench.add_argument("--skip-drafting", action="store_true")
    bench.set_defaults(func=_bench)


def _bench(args: argparse.Namespace) -> int:
    from evaluation.bench import main as bench_main

    return bench_main(quick=args.quick, skip_drafting=args.skip_drafting)
