from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from evaluation.__main__ import run
from evaluation.datasets import Case, CasePostIt
from models.drafting import Drafter, ExtractiveDrafter
from tests.fakes import HashingEmbedder

THEMES = {"velo": ["piste cyclable sécurisée", "vélo électrique aidé", "parking vélo gare"],
          "bus": ["bus de nuit rural", "bus gratuit jeunes", "navette bus marché"]}


def _cases(path: Path) -> Path:
    cases = []
    for n in range(3):
        postits = [CasePostIt(f"c{n}-{g}-{i}", f"{text} idée {i}", i % 5, g)
                   for g, texts in THEMES.items() for i, text in enumerate(texts * (3 if n == 0 else 1))]
        cases.append(Case(f"case{n}", "Mobilité", "fr", postits, "",
                          {"bullets": ["Des pistes cyclables sécurisées.", "Des bus en zone rurale."],
                           "labels": {"velo": "Vélo", "bus": "Bus"}}))
    path.write_text("\n".join(c.to_json() for c in cases) + "\n")
    return path


@pytest.mark.system  # a whole evaluation run, twice (resume)
def test_full_fast_run_writes_outputs_and_resumes(tmp_path: Path) -> None:
    calls: list[str] = []

    def drafters(kind: str, generator: str | None) -> Drafter:
        calls.append(kind)
        return ExtractiveDrafter()

    config = tmp_path / "small.json"
    config.write_text(json.dumps({"drafter": "extractive", "min_cluster_size": 2}))
    args = argparse.Namespace(dataset=str(_cases(tmp_path / "cases.jsonl")), data_dir=None,
                              config=[config], drafter=None, embedder=None, generator=None,
                              out=tmp_path / "out", max_cases=None, no_baselines=False)
    agg = run(args, lambda name: HashingEmbedder(), drafters)
    assert calls == ["extractive"]
    systems = set(agg)
    assert {"small", "small / bertopic", "small / top-voted-8", "small / random-8 (floor)",
            "small / whole-axis (ceiling)", "small / extractive"} <= systems
    assert agg["small"]["stability"]["mean"] == 1.0
    ceiling, floor = agg["small / whole-axis (ceiling)"], agg["small / random-8 (floor)"]
    assert ceiling["coverage"]["mean"] >= floor["coverage"]["mean"]
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert len({r["case"] for r in metrics["cases"]}) == 3
    assert metrics["configs"][0]["provenance"]["prompt"]["sha256"]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "| small |" in report and "text-metrics.png" in report
    assert (tmp_path / "out" / "cluster-metrics.png").stat().st_size > 0
    assert (tmp_path / "out" / "cases.csv").read_text().startswith("config,system,case")
    run(args, lambda name: HashingEmbedder(), drafters)  # resumed entirely from the cache
    assert calls == ["extractive"]


def test_scoring_only_settings_share_the_cache() -> None:
    from evaluation.runner import EvalConfig

    base = EvalConfig(name="a")
    assert EvalConfig(name="b", coverage_threshold=0.75).key() == base.key()
    assert EvalConfig(name="a", min_cluster_size=3).key() != base.key()


def test_clusters_only_reports_bands_and_the_oracle_without_drafting(tmp_path: Path) -> None:
    calls: list[str] = []

    def drafters(kind: str, generator: str | None) -> Drafter:
        calls.append(kind)
        return ExtractiveDrafter()

    args = argparse.Namespace(dataset=str(_cases(tmp_path / "cases.jsonl")), data_dir=None, config=[],
                              drafter=None, embedder=None, generator=None, out=tmp_path / "out", max_cases=None,
                              no_baselines=False, clusters_only=True)
    agg = run(args, lambda name: HashingEmbedder(), drafters)
    assert calls == ["extractive"]  # only to satisfy the pipeline: nothing is drafted
    assert "coverage" not in agg["atelier"] and agg["atelier"]["stability"]["mean"] == 1.0
    assert {"atelier / bertopic", "atelier / oracle-k ward (knows the gold k)"} <= set(agg)
    assert agg["atelier / oracle-k ward (knows the gold k)"]["ari"]["n"] == 3
    assert agg["atelier"]["noise_stability"]["n"] == 3  # every case clustered again under float noise
    assert "noise_stability" not in agg["atelier / bertopic"]
    report = (tmp_path / "out" / "report.md").read_text()
    assert "### ≤ 30 post-its (3 cases)" in report and "cluster_seconds" in report and "noise_stability" in report
