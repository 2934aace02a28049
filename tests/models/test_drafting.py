from __future__ import annotations

from pathlib import Path

from models.drafting import ExtractiveDrafter, GroupBrief, PitchRequest, TransformersDrafter, clean_generation
from models.pipeline import Pipeline
from models.types import Axis, PostIt
from prompts import load_prompt
from tests.conftest import workshop
from tests.fakes import HashingEmbedder


def _request(language: str = "fr") -> PitchRequest:
    posts = [PostIt("p1", "Il faut des FabLabs", votes=3), PostIt("p2", "Des FabLabs ruraux")]
    return PitchRequest(Axis("FabLabs", "Lieux partagés"), language,
                        [GroupBrief("FabLabs", ["fablabs"], posts, 2, 3)])


def test_extractive_quotes_and_cites_the_representative() -> None:
    [sentences] = ExtractiveDrafter().draft([_request()])
    assert sentences[0].citations == ["p1"]
    assert "il faut des FabLabs." in sentences[0].text and "« FabLabs »" in sentences[0].text
    [english] = ExtractiveDrafter().draft([_request("en")])
    assert english[0].text.startswith("“FabLabs”")


def test_clean_generation() -> None:
    assert clean_generation("- « Créer des FabLabs »\nsuite") == "Créer des FabLabs."
    assert clean_generation("Sentence: Train craftspeople. Then more.") == "Train craftspeople."
    assert clean_generation("\n  ...  \n") == ""


def test_prompts_exist_in_both_languages_and_substitute() -> None:
    for lang in ("fr", "en"):
        prompt = load_prompt("default", lang)
        assert prompt.id == f"pitch/default.{lang}" and len(prompt.sha256) == 64
        messages = prompt.messages(axis="A", description="", label="L", keywords="k", postits="- x")
        assert "$" not in messages[1]["content"]
    assert load_prompt("default", "de").id == "pitch/default.en"


def test_transformers_drafter_with_tiny_model(tiny_models: dict[str, Path]) -> None:
    drafter = TransformersDrafter(str(tiny_models["generator"]), max_new_tokens=8, batch_size=2)
    requests = [_request(), _request("en"), _request()]
    out = drafter.draft(requests)
    assert len(out) == 3
    for sentences in out:
        assert len(sentences) == 1
        assert set(sentences[0].citations) <= {"p1", "p2"} and sentences[0].citations
    assert drafter.draft(requests) == out  # greedy: deterministic


def test_pipeline_with_tiny_generator_records_prompt(tiny_models: dict[str, Path]) -> None:
    drafter = TransformersDrafter(str(tiny_models["generator"]), max_new_tokens=6)
    synthesis = Pipeline(HashingEmbedder(), drafter).run(workshop(2, 8)).to_dict()
    prov = synthesis["provenance"]
    assert prov["prompt"]["id"] == "pitch/default.fr"
    assert prov["prompt"]["sha256"] == load_prompt("default", "fr").sha256
    assert prov["generator"] == str(tiny_models["generator"])
    assert prov["settings"]["drafter"]["do_sample"] is False
