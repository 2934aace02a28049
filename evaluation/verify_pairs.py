"""``atelier evaluate --dataset verify``: how well verification catches inversions and inventions.

Runs the verifier over labelled pairs (``evaluation/data/verify_pairs.jsonl``:
faithful, inverted and unrelated sentences written against real post-its,
French and English; German faithful, inverted, fused and garbled ones): similarity
alone (the baseline, what Atelier did before a judge existed), similarity plus the
judge at the shipped thresholds, and at thresholds chosen on the dev half for the
judge in use (``choose_threshold``: how an operator calibrates a judge model of their
own, ``ATELIER_AGREEMENT_THRESHOLDS``). Reports, per system, label and
language, the share answered as expected, with the held-out half apart from the
half the agreement threshold was chosen on (odd / even pair numbers), and any named
``subset`` apart (the German pairs written after the judge's prompt was chosen).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from evaluation.metrics.verdicts import EXPECTED, detection_rates
from models.embedding import Embedder
from models.generation import Generator, Runtime
from models.language import DEFAULT_LANGUAGE
from models.store import DEFAULT_GENERATOR
from models.verification import Check, Claim, Verifier, choose_threshold, verdict_at

PAIRS = Path(__file__).parent / "data" / "verify_pairs.jsonl"


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    """The labelled pairs, one dict per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


DEV = "dev (threshold chosen here)"


def _split(pair: dict[str, Any]) -> str:
    number = int(re.search(r"\d+", pair["id"]).group())  # type: ignore[union-attr]
    return DEV if number % 2 else "held-out"


def _groups(pairs: list[dict[str, Any]]) -> dict[str, list[int]]:
    """Rows of each reported subset: all, each language, each split, each named ``subset``."""
    groups: dict[str, list[int]] = {"all": list(range(len(pairs)))}
    for i, p in enumerate(pairs):
        groups.setdefault(f"language {p.get('language', DEFAULT_LANGUAGE)}", []).append(i)
        groups.setdefault(_split(p), []).append(i)
        if "subset" in p:  # e.g. pairs written after the judge was tuned: a check no choice saw
            groups.setdefault(p["subset"], []).append(i)
    return groups


def chosen_thresholds(pairs: list[dict[str, Any]], checks: list[Check]) -> dict[str, float]:
    """Per language, the agreement threshold :func:`~models.verification.choose_threshold` picks from
    this judge's scores on the dev half (unrelated pairs are similarity's to catch, not the judge's)."""
    scores: dict[str, tuple[list[float], list[float]]] = {}
    for pair, check in zip(pairs, checks, strict=True):
        if check.score is None or _split(pair) != DEV or pair["label"] == "unrelated":
            continue
        faithful, wrong = scores.setdefault(pair.get("language", DEFAULT_LANGUAGE), ([], []))
        (faithful if pair["label"] == "faithful" else wrong).append(check.score)
    return {language: choose_threshold(f, w) for language, (f, w) in sorted(scores.items()) if f}


def evaluate(pairs: list[dict[str, Any]], embedder: Embedder, judge: Generator) -> dict[str, Any]:
    """Detection rates of similarity alone, of similarity + judge at the shipped thresholds, and at
    the thresholds chosen here for this judge (the ones to configure for a judge of one's own)."""
    claims = [Claim(p["sentence"], [x["text"] for x in p["postits"]], p.get("language", DEFAULT_LANGUAGE))
              for p in pairs]
    judged = Verifier(embedder, judge)
    checks = judged.check(claims)
    chosen = chosen_thresholds(pairs, checks)
    systems = {
        "similarity only (baseline)": [c.verdict for c in Verifier(embedder).check(claims)],
        "similarity + judge": [c.verdict for c in checks],
        "similarity + judge, thresholds chosen here": [
            verdict_at(c, chosen.get(claim.language, judged.threshold(claim.language)))
            for c, claim in zip(checks, claims, strict=True)],
    }
    groups = _groups(pairs)
    results: dict[str, Any] = {}
    for system, verdicts in systems.items():
        results[system] = {name: detection_rates([pairs[i]["label"] for i in rows], [verdicts[i] for i in rows])
                           for name, rows in groups.items()}
        results[system]["verdicts"] = verdicts
    shipped = {language: judged.threshold(language) for language in chosen}
    return {"n_pairs": len(pairs), "judge": judge.model_id, "runtime": judge.runtime, "results": results,
            "thresholds": {"shipped": shipped, "chosen here": chosen}}


def write(out: Path, summary: dict[str, Any]) -> None:
    """``metrics.json`` and ``report.md``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "metrics.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    lines = [f"# Verification on {summary['n_pairs']} labelled pairs (judge: {summary['judge']})", "",
             "Share answered as expected: faithful → supported; inverted, fused (two post-its joined into a "
             "claim neither makes) and garbled → contradicted or unsupported; unrelated → unsupported.", "",
             "| system | subset | faithful kept | inverted caught | unrelated caught | fused caught | "
             "garbled caught |", "|---|---|---|---|---|---|---|"]
    for system, groups in summary["results"].items():
        for subset, rates in groups.items():
            if subset != "verdicts":
                lines.append(f"| {system} | {subset} | " + " | ".join(
                    f"{rates[k]:.2f}" if k in rates else "–" for k in EXPECTED) + " |")
    thresholds = summary.get("thresholds", {})
    if thresholds.get("chosen here"):
        listed = ",".join(f"{k}={v:g}" for k, v in thresholds["chosen here"].items())
        shipped = ", ".join(f"{k} {v:g}" for k, v in thresholds["shipped"].items())
        lines += ["", f"Agreement thresholds chosen on the dev half for this judge: `{listed}` (shipped, for the "
                  f"packaged judge: {shipped})."]
        if (summary.get("runtime"), summary["judge"]) == (Runtime.OPENVINO, DEFAULT_GENERATOR):
            lines.append("This is the packaged judge: it keeps its shipped thresholds (docs/measurements.md).")
        else:
            lines.append(f"To run this judge with them, set `ATELIER_AGREEMENT_THRESHOLDS={listed}` "
                         f"(or `--agreement-thresholds {listed}`).")
    (out / "report.md").write_text("\n".join(lines) + "\n")
