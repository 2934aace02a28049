"""``atelier verify FILE.jsonl --out OUT.jsonl``: verdicts for sentences against the post-its they cite.

Input lines: ``{"id", "sentence", "postits": [{"id", "text"}], "language"?}``;
output lines: ``{"id", "verdict", "support"}`` (plus ``agreement`` when a judge ran).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from models.language import DEFAULT_LANGUAGE


def add_verify(sub: Any) -> None:
    """Register ``atelier verify``."""
    from atelier.cli import thresholds_arg
    from models.factory import DEFAULT_DRAFTER
    from models.generation import RUNTIMES

    verify = sub.add_parser("verify", help="verdict (supported/contradicted/unsupported) per sentence")
    verify.add_argument("input", type=Path, help='JSONL: {"id", "sentence", "postits": [{"id", "text"}]}')
    verify.add_argument("--out", type=Path, required=True, help='JSONL: {"id", "verdict", "support"}')
    verify.add_argument("--runtime", choices=[*RUNTIMES, "none"], default=DEFAULT_DRAFTER,
                        help="the judge's runtime; none = similarity only (cannot find contradictions)")
    verify.add_argument("--generator", default=None, help="judge model (default: the runtime's)")
    verify.add_argument("--embedder", default=None)
    verify.add_argument("--language", default=DEFAULT_LANGUAGE, help="for lines without a language")
    verify.add_argument("--agreement-thresholds", type=thresholds_arg, default={}, metavar="LANG=N,...",
                        help="the judge's thresholds for a judge other than the packaged one, e.g. de=1.55")
    verify.set_defaults(func=_verify)


def read_claims(path: Path, language: str) -> tuple[list[str], list[Any]]:
    """Ids and claims of a verify input file.

    Raises:
        ValueError: A line that is not valid, naming the file, line and field.
    """
    from models.verification import Claim

    ids, claims = [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            postits = [str(p["text"]) for p in row["postits"]]
            ids.append(str(row["id"]))
            claims.append(Claim(str(row["sentence"]), postits, str(row.get("language") or language)))
        except (ValueError, KeyError, TypeError) as err:
            raise ValueError(f"{path}:{n}: expected id, sentence and postits[].text ({err})") from err
    return ids, claims


def _verify(args: argparse.Namespace) -> int:
    from atelier.cli import fail
    from models.factory import build_embedder
    from models.generation import GeneratorUnavailableError, build_generator
    from models.store import ModelNotAvailableError
    from models.types import VERDICTS
    from models.verification import Verifier

    try:
        ids, claims = read_claims(args.input, args.language)
        judge = None if args.runtime == "none" else build_generator(args.runtime, args.generator)
        verifier = Verifier(build_embedder(args.embedder), judge, agreement_threshold=args.agreement_thresholds)
        checks = verifier.check(claims)
    except (OSError, ValueError, ModelNotAvailableError, GeneratorUnavailableError) as err:
        return fail(str(err))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for cid, check in zip(ids, checks, strict=True):
            row = {"id": cid, "verdict": check.verdict, "support": check.support}
            if check.agreement is not None:
                row["agreement"] = check.agreement
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts = {v: sum(c.verdict == v for c in checks) for v in VERDICTS}
    print(f"wrote {args.out}: {counts}", file=sys.stderr)
    return 0
