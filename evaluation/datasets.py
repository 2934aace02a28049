"""Evaluation cases: one axis, its post-its, and what humans produced for it.

Generic format (JSONL, one case per line), which researchers can write for their own workshops::

    {"id": str, "axis": str, "language": "fr"|"en", "description": str?,
     "postits": [{"id": str, "text": str, "votes": int?, "gold_cluster": str?}],
     "reference": {"synthesis": str?, "bullets": [str]?, "labels": {gold_cluster: str}?}}

Built-in adapters read the public datasets (see ``shared/datasets/README.md``):
``makeorg``, ``ccc`` and ``argkp``.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from models.types import PostIt


@dataclass
class CasePostIt:
    """A post-it of a case, with its gold cluster when humans grouped it."""

    id: str
    text: str
    votes: int = 0
    gold_cluster: str | None = None


@dataclass
class Case:
    """One axis to synthesise and its human reference."""

    id: str
    axis: str
    language: str
    postits: list[CasePostIt]
    description: str = ""
    reference: dict[str, Any] = field(default_factory=dict)

    def as_postits(self) -> list[PostIt]:
        """The case's post-its for the pipeline."""
        return [PostIt(p.id, p.text, self.axis, p.votes) for p in self.postits]

    @property
    def bullets(self) -> list[str]:
        """Reference bullets (or the synthesis split in sentences)."""
        bullets = list(self.reference.get("bullets") or [])
        if not bullets and self.reference.get("synthesis"):
            bullets = [s for s in re.split(r"(?<=[.!?])\s+", self.reference["synthesis"]) if s.strip()]
        return bullets

    def to_json(self) -> str:
        """One JSONL line."""
        return json.dumps(asdict(self), ensure_ascii=False)


def default_data_dir() -> Path:
    """``$ATELIER_DATA_DIR``, else ``../shared/datasets`` next to the project."""
    env = os.environ.get("ATELIER_DATA_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "datasets"


def load_jsonl(path: Path) -> list[Case]:
    """Cases from the generic JSONL format.

    Raises:
        ValueError: A line that is not a valid case, naming the file and line.
    """
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            postits = [CasePostIt(str(p["id"]), p["text"], int(p.get("votes") or 0),
                                  None if p.get("gold_cluster") is None else str(p["gold_cluster"]))
                       for p in raw["postits"]]
            cases.append(Case(str(raw["id"]), raw["axis"], raw.get("language", "fr"), postits,
                              raw.get("description") or "", raw.get("reference") or {}))
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"{path}:{n}: not a case ({err})") from None
    return cases


def makeorg(data_dir: Path) -> list[Case]:
    """Two cases: the report's 82 exemplars alone (gold: their 14 ideas), then every plébiscite proposal.

    The large case (2,249 proposals, > 300: the large-axis band) keeps the exemplars' gold ideas
    where known; both cases are scored against the 14 ideas' bullets.
    """
    base = data_dir / "makeorg-monde-dapres"
    ideas = json.loads((base / "ideas.json").read_text())["ideas"]
    gold = {i: str(idea["idea_rank"]) for idea in ideas for i in idea["exemplar_csv_row_indices"]}
    postits = []
    with (base / "proposals.csv").open(newline="") as handle:
        for i, row in enumerate(csv.DictReader(handle)):
            plebiscite = int(row["votes"]) >= 90 and float(row["adhesion"]) >= 0.8 and float(row["engagement"]) >= 0.37
            if plebiscite or i in gold:
                postits.append(CasePostIt(f"mk{i}", row["proposition"].strip(), int(row["votes"]), gold.get(i)))
    reference = {"bullets": [b for idea in ideas for b in idea["human_synthesis_bullets"]],
                 "labels": {str(idea["idea_rank"]): idea["idea_title"] for idea in ideas}}
    exemplars = [p for p in postits if p.gold_cluster is not None]
    return [Case("makeorg-exemplars", "Le Monde d'après", "fr", exemplars, "", reference),
            Case("makeorg-plebiscite", "Le Monde d'après", "fr", postits, "", reference)]


def _ccc_descriptions(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pairs = re.findall(r'name:\s*"([^"]+)".*?description:\s*"([^"]+)"', text, flags=re.S)
    return dict(pairs)


def ccc(data_dir: Path) -> list[Case]:
    """One case per theme; gold cluster = objective; reference labels = objective titles."""
    base = data_dir / "ccc-convention-climat"
    descriptions = _ccc_descriptions(base / "themes.js")
    themes: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (base / "proposals.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["theme"] != "CONSTITUTION":
                themes[row["theme"]].append(row)
    cases = []
    for theme, rows in themes.items():
        postits = [CasePostIt(f"ccc-{row['theme_key'].lower()}-{i}", row["proposal"], 0, row["objective_id"])
                   for i, row in enumerate(rows)]
        labels = {row["objective_id"]: row["objective_label"] for row in rows}
        cases.append(Case(f"ccc-{rows[0]['theme_key'].lower()}", theme, "fr", postits, descriptions.get(theme, ""),
                          {"bullets": list(dict.fromkeys(labels.values())), "labels": labels}))
    return cases


def argkp(data_dir: Path) -> list[Case]:
    """One case per topic × stance; gold cluster = key point; bullets = key points (English)."""
    base = data_dir / "argkp-2021" / "kpm_data"
    cases = []
    for split in ("train", "dev"):
        with (base / f"key_points_{split}.csv").open(newline="") as handle:
            key_points = list(csv.DictReader(handle))
        with (base / f"labels_{split}.csv").open(newline="") as handle:
            match = {r["arg_id"]: r["key_point_id"] for r in csv.DictReader(handle) if r["label"] == "1"}
        groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        with (base / f"arguments_{split}.csv").open(newline="") as handle:
            for row in csv.DictReader(handle):
                groups[(row["topic"], row["stance"])].append(row)
        for n, ((topic, stance), rows) in enumerate(sorted(groups.items())):
            kps = [k for k in key_points if k["topic"] == topic and k["stance"] == stance]
            side = "pro" if stance == "1" else "con"
            postits = [CasePostIt(r["arg_id"], r["argument"], 0, match.get(r["arg_id"])) for r in rows]
            cases.append(Case(f"argkp-{split}-{n:02d}-{side}", f"{topic} ({side})", "en", postits, "",
                              {"bullets": [k["key_point"] for k in kps],
                               "labels": {k["key_point_id"]: k["key_point"] for k in kps}}))
    return cases


ADAPTERS: dict[str, Callable[[Path], list[Case]]] = {"makeorg": makeorg, "ccc": ccc, "argkp": argkp}


def load_dataset(name: str, data_dir: Path | None = None) -> list[Case]:
    """A built-in dataset by name, or a JSONL file by path."""
    if name in ADAPTERS:
        return ADAPTERS[name](data_dir or default_data_dir())
    path = Path(name)
    if path.exists():
        return load_jsonl(path)
    raise ValueError(f"unknown dataset {name!r}: use {', '.join(ADAPTERS)} or a JSONL file")
