from __future__ import annotations

import json
from pathlib import Path

import pytest

from atelier.cli import main
from models.verification import Claim, Verifier, p_yes
from tests.fakes import HashingEmbedder, ScriptedGenerator

POSTIT = "interdire les pesticides près des écoles"


def _judge_by_word(messages: list[dict[str, str]]) -> float:
    """A judge that says "no" when the sentence says "autoriser"."""
    sentence = messages[-1]["content"].split("\n")[1]
    return 0.1 if "autoriser" in sentence else 0.95


def test_similarity_decides_unsupported_and_the_judge_decides_contradicted() -> None:
    judge = ScriptedGenerator(agree=_judge_by_word)
    verifier = Verifier(HashingEmbedder(), judge)
    faithful, inverted, unrelated = verifier.check([
        Claim("interdire les pesticides près des écoles", [POSTIT]),
        Claim("autoriser les pesticides près des écoles", [POSTIT]),
        Claim("former les élus au numérique", [POSTIT]),
    ])
    assert (faithful.verdict, inverted.verdict, unrelated.verdict) == ("supported", "contradicted", "unsupported")
    assert inverted.support >= 0.5  # similarity alone would have passed it
    assert faithful.agreement is not None and faithful.agreement > 0.9
    assert len(judge.judged) == 2  # the unrelated claim never reaches the judge


def test_the_verdict_reads_the_judge_and_the_similarity_together() -> None:
    """Same hesitant P(yes): the claim whose wording drifted from its post-it is the one contradicted."""
    judge = ScriptedGenerator(agree=lambda messages: 0.7)
    claims = [Claim(POSTIT, [POSTIT]), Claim("autoriser les pesticides partout près des écoles rurales", [POSTIT])]
    close, drifted = Verifier(HashingEmbedder(), judge, agreement_threshold=1.6).check(claims)
    assert (close.verdict, drifted.verdict) == ("supported", "contradicted")
    assert close.agreement == drifted.agreement == 0.7 and close.score is not None and drifted.score is not None
    assert drifted.score < 1.6 <= close.score and drifted.score == round(0.7 + drifted.support, 4)
    alone = Verifier(HashingEmbedder(), judge, agreement_threshold=0.6, similarity_weight=0.0).check(claims)
    assert [c.verdict for c in alone] == ["supported", "supported"]  # P(yes) alone cannot tell them apart


def test_without_a_judge_nothing_is_found_contradicted() -> None:
    check = Verifier(HashingEmbedder()).check([Claim("autoriser les pesticides près des écoles", [POSTIT])])[0]
    assert check.verdict == "supported" and check.agreement is None


def test_the_judge_reads_the_closest_postit_fenced() -> None:
    judge = ScriptedGenerator()
    Verifier(HashingEmbedder(), judge).check([Claim("pesticides écoles", ["vélo en ville", POSTIT], "en")])
    [messages] = judge.judged
    assert POSTIT in messages[-1]["content"] and "vélo" not in messages[-1]["content"]
    assert 'Note: "interdire' in messages[-1]["content"]
    assert "Does the sentence say the same thing" in messages[-1]["content"]


def test_p_yes_reads_yes_and_no_in_three_languages() -> None:
    import math

    assert p_yes({"Ja": math.log(0.3), "Nein": math.log(0.3)}) == 0.5
    assert p_yes({" yes": math.log(0.8), "No": math.log(0.2)}) == 0.8
    assert p_yes({"Peut": 0.0}) == 0.5


def test_verify_cli_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``atelier verify FILE.jsonl --out OUT.jsonl`` keeps its line formats (similarity only here)."""
    import models.factory as factory

    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "a", "sentence": POSTIT, "postits": [{"id": "p1", "text": POSTIT}]},
        {"id": "b", "sentence": "former les élus", "postits": [{"id": "p1", "text": POSTIT}], "language": "en"},
    ]) + "\n")
    monkeypatch.setattr(factory, "build_embedder", lambda name=None: HashingEmbedder())
    assert main(["verify", str(src), "--out", str(tmp_path / "out.jsonl"), "--runtime", "none"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(r["id"], r["verdict"]) for r in rows] == [("a", "supported"), ("b", "unsupported")]
    assert set(rows[0]) == {"id", "verdict", "support"}


def test_verify_cli_names_the_bad_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "sentence": "x", "postits": [{"id": "p"}]}\n')
    assert main(["verify", str(src), "--out", str(tmp_path / "o.jsonl"), "--runtime", "none"]) == 2
    assert f"{src}:1:" in capsys.readouterr().err


def test_the_pair_evaluation_reports_splits_languages_and_the_fresh_german_subset() -> None:
    """``atelier evaluate --dataset verify`` groups: held-out half, languages, and pairs no tuning saw."""
    from evaluation.metrics.verdicts import detection_rates
    from evaluation.verify_pairs import evaluate, load_pairs

    pairs = load_pairs()
    german = [p for p in pairs if p["language"] == "de"]
    fresh = [p for p in german if "subset" in p]
    assert len(german) >= 30 and {p["label"] for p in fresh} == {"faithful", "inverted"}
    sample = [p for p in pairs if p["id"].startswith(("de01", "de30", "de31"))]
    summary = evaluate(sample, HashingEmbedder(), ScriptedGenerator(agree=lambda messages: 0.9))
    groups = summary["results"]["similarity + judge"]
    assert {"all", "language de", "held-out", "dev (threshold chosen here)", fresh[0]["subset"]} <= set(groups)
    rows = [i for i, p in enumerate(sample) if "subset" in p]
    assert len(rows) == 4 and groups[fresh[0]["subset"]] == detection_rates(
        [sample[i]["label"] for i in rows], [groups["verdicts"][i] for i in rows])


def test_thresholds_chosen_for_a_judge_of_ones_own_reach_the_verdicts(tmp_path: Path) -> None:
    """``atelier evaluate --dataset verify`` chooses each language's threshold on the dev half for the
    judge in use, reports the pairs at those thresholds, and prints the setting that applies them."""
    from evaluation.verify_pairs import evaluate, load_pairs, write
    from models.drafting import ExtractiveDrafter
    from models.pipeline import Pipeline, PipelineConfig
    from models.store import DEFAULT_GENERATOR
    from models.verification import AGREEMENT_THRESHOLDS

    pairs = [p for p in load_pairs() if p["language"] == "de" and p["label"] in ("faithful", "inverted")][:16]
    faithful = {p["sentence"] for p in pairs if p["label"] == "faithful"}
    # A judge that says "yes" less readily than the packaged one: at the shipped 1.66 it keeps nothing.
    judge = ScriptedGenerator(agree=lambda m: 0.6 if any(f in m[-1]["content"] for f in faithful) else 0.02)
    summary = evaluate(pairs, HashingEmbedder(), judge)
    chosen = summary["thresholds"]["chosen here"]["de"]
    assert summary["thresholds"]["shipped"] == {"de": AGREEMENT_THRESHOLDS["de"]} and chosen < 1.66
    results = summary["results"]
    similarity, shipped = results["similarity only (baseline)"]["all"], results["similarity + judge"]["all"]
    mine = results["similarity + judge, thresholds chosen here"]["all"]
    assert shipped["faithful"] == 0.0 < similarity["faithful"], shipped
    # Every faithful sentence similarity passes is kept, and every inversion is caught.
    assert (mine["faithful"], mine["inverted"]) == (similarity["faithful"], 1.0), mine
    write(tmp_path, summary)
    assert f"ATELIER_AGREEMENT_THRESHOLDS=de={chosen:g}" in (tmp_path / "report.md").read_text()
    write(tmp_path, {**summary, "runtime": "openvino", "judge": DEFAULT_GENERATOR})  # the packaged judge
    report = (tmp_path / "report.md").read_text()
    assert "keeps its shipped thresholds" in report and "ATELIER_AGREEMENT_THRESHOLDS" not in report
    # The same setting, given to a pipeline, is its verifier's; the other languages keep theirs.
    pipeline = Pipeline(HashingEmbedder(), ExtractiveDrafter(), PipelineConfig(agreement_thresholds={"de": chosen}))
    verifier = pipeline.verifier
    assert (verifier.threshold("de"), verifier.threshold("fr")) == (chosen, AGREEMENT_THRESHOLDS["fr"])
    assert pipeline.provenance()["settings"]["agreement_thresholds"] == {"de": chosen}


def test_agreement_thresholds_flag_names_a_bad_item(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "sentence": POSTIT, "postits": [{"id": "p", "text": POSTIT}]}) + "\n")
    with pytest.raises(SystemExit) as exit_:
        main(["verify", str(src), "--out", str(tmp_path / "o.jsonl"), "--runtime", "none",
              "--agreement-thresholds", "fr=1.3,klingon=1"])
    assert exit_.value.code == 2 and "'klingon=1'" in capsys.readouterr().err
