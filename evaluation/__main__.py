"""``python -m evaluation`` (same as ``atelier evaluate``)."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from evaluation.datasets import default_data_dir, load_dataset
from evaluation.runner import DrafterFactory, EmbedderFactory, EvalConfig, Runner, score_case


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``evaluate`` flags."""
    parser.add_argument("--dataset", required=True,
                        help="makeorg, ccc, argkp, a JSONL file of cases, or verify (the labelled verification pairs)")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: $ATELIER_DATA_DIR, ../shared/datasets")
    parser.add_argument("--config", type=Path, action="append", default=[], help="JSON/TOML configuration (repeat)")
    from models.factory import DRAFTERS

    parser.add_argument("--drafter", choices=DRAFTERS, default=None)
    parser.add_argument("--embedder", default=None)
    parser.add_argument("--generator", default=None)
    parser.add_argument("--out", type=Path, default=Path("out/evaluation"))
    parser.add_argument("--max-cases", type=int, default=None, help="only the first N cases")
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--clusters-only", action="store_true",
                        help="cluster and score clusters only (no drafting: minutes instead of hours on argkp)")


def configs_from(args: argparse.Namespace) -> list[EvalConfig]:
    """Configurations from files, with command-line overrides applied to each."""
    configs = [EvalConfig.from_file(p) for p in args.config] or [EvalConfig()]
    for c in configs:
        for key in ("drafter", "embedder", "generator"):
            if getattr(args, key):
                setattr(c, key, getattr(args, key))
        if getattr(args, "clusters_only", False):
            c.draft = False
    return configs


def run(args: argparse.Namespace, embedder_factory: EmbedderFactory | None = None,
        drafter_factory: DrafterFactory | None = None) -> dict[str, Any]:
    """Run the batch and write the outputs; returns the aggregate."""
    from evaluation import report
    from models.factory import build_drafter, build_embedder
    from models.pipeline import atelier_version

    if args.dataset == "verify":
        return run_verify(args)
    cases = load_dataset(args.dataset, args.data_dir or default_data_dir())[: args.max_cases]
    # Each model loads once per batch, however many configurations share it.
    make_embedder = functools.cache(embedder_factory or (lambda name: build_embedder(name)))
    make_drafter = functools.cache(drafter_factory or build_drafter)
    runner = Runner(args.out, make_embedder, make_drafter, not args.no_baselines)
    rows: list[dict[str, Any]] = []
    configs: list[dict[str, Any]] = []
    for config in configs_from(args):
        outputs = runner.outputs(config, cases)
        embedder = make_embedder(config.embedder)
        for case in cases:
            rows += score_case(case, outputs[case.id], config, embedder, not args.no_baselines)
        provenance = next(iter(outputs.values())).provenance if outputs else {}
        configs.append({"config": vars(config), "provenance": provenance})
    return report.write(args.out, args.dataset, rows, {"version": atelier_version(), "configs": configs})


def run_verify(args: argparse.Namespace) -> dict[str, Any]:
    """Detection rates of the verifier on the labelled pairs, with similarity alone beside it."""
    from evaluation import verify_pairs
    from models.factory import DEFAULT_DRAFTER, build_embedder
    from models.generation import build_generator

    runtime = args.drafter if args.drafter not in (None, "extractive") else DEFAULT_DRAFTER
    summary = verify_pairs.evaluate(verify_pairs.load_pairs(), build_embedder(args.embedder),
                                    build_generator(runtime, args.generator))
    verify_pairs.write(args.out, summary)
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(prog="python -m evaluation",
                                     description="Evaluate Atelier against human syntheses")
    add_arguments(parser)
    return execute(parser.parse_args(argv))


def execute(args: argparse.Namespace) -> int:
    """Run, print where the outputs are, or one error line."""
    try:
        run(args)
    except ValueError as err:
        print(f"evaluate: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {args.out / 'metrics.json'} and {args.out / 'report.md'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
