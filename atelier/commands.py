"""Sub-commands that belong to later layers (service, evaluation, benchmark)."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_more_commands(sub: Any) -> None:
    """Register ``bench`` (and, as they land, ``serve`` and ``evaluate``)."""
    bench = sub.add_parser("bench", help="print pipeline timings (see evaluation/bench.py)")
    bench.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    bench.add_argument("--skip-drafting", action="store_true")
    bench.add_argument("--runtimes", default="openvino",
                       help="generation runtimes compared side by side, e.g. openvino,transformers ('' = none)")
    bench.set_defaults(func=_bench)
    add_serve(sub)
    add_worker(sub)
    from atelier.verify import add_verify

    add_verify(sub)
    from atelier.keys import add_keys, add_users

    add_keys(sub)
    add_users(sub)
    from atelier.imports import add_import

    add_import(sub)
    from evaluation.__main__ import add_arguments

    evaluate = sub.add_parser("evaluate", help="compare drafts and clusters with human syntheses")
    add_arguments(evaluate)
    evaluate.set_defaults(func=_evaluate)


def _bench(args: argparse.Namespace) -> int:
    from evaluation.bench import main as bench_main

    runtimes = [r for r in args.runtimes.split(",") if r]
    return bench_main(quick=args.quick, skip_drafting=args.skip_drafting, runtimes=runtimes)


def add_serve(sub: Any) -> None:
    """Register ``atelier serve``."""
    serve = sub.add_parser("serve", help="start the REST service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    from models.factory import DRAFTERS

    serve.add_argument("--drafter", choices=DRAFTERS, default=None, help="default: $ATELIER_DRAFTER, else openvino")
    serve.add_argument("--database-url", default=None, help="default: SQLite under $ATELIER_HOME")
    serve.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from service.app import create_app
    from service.settings import Settings

    try:
        settings = Settings.from_env(drafter=args.drafter, database_url=args.database_url)
    except ValueError as err:  # a configuration mistake: one line, not a traceback
        print(f"atelier serve: {err}", file=sys.stderr)
        return 2
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="info")
    return 0


def add_worker(sub: Any) -> None:
    """Register ``atelier worker``."""
    worker = sub.add_parser("worker", help="run queued jobs (needs ATELIER_QUEUE_URL); loads the models once")
    worker.add_argument("--queues", default="embed,draft", help="comma-separated: embed, draft (default: both)")
    worker.add_argument("--concurrency", type=int, default=1, help="jobs at once per queue (default 1)")
    worker.add_argument("--database-url", default=None, help="default: $ATELIER_DATABASE_URL, else SQLite")
    worker.set_defaults(func=_worker)


def _worker(args: argparse.Namespace) -> int:
    import asyncio
    import logging

    from service.settings import Settings
    from service.worker import BrokerLostError, run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env(database_url=args.database_url)
    names = [q.strip() for q in args.queues.split(",") if q.strip()]
    if args.concurrency < 1:
        print("atelier worker: --concurrency must be at least 1", file=sys.stderr)
        return 2
    try:
        asyncio.run(run_worker(settings, names, args.concurrency))
    except ValueError as err:
        print(f"atelier worker: {err}", file=sys.stderr)
        return 2
    except BrokerLostError as err:
        print(f"atelier worker: {err}; exiting for the supervisor to restart it", file=sys.stderr)
        return 1
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from evaluation.__main__ import execute

    return execute(args)
