"""The readable exports (Markdown, DOCX) from review data: marks and words in the workshop's language."""

from __future__ import annotations

import io
from typing import Any

import pytest

from service.review.documents import to_docx, to_markdown


def review_data(language: str) -> dict[str, Any]:
    """One axis: an edited pitch (a contradicted sentence whose source was deleted, one the room
    divided on), a theme, and a singular idea's key point outside it."""
    room = {"agrees": 4, "disagrees": 4, "passes": 1, "divided": True}
    sentences = [{"text": "Ouvrir des FabLabs.", "cited": [{"id": "p1", "text": "des fablabs"}], "verdict": "supported",
                  "room": room},
                 {"text": "Des ateliers [partagés](https://t.example).", "verdict": "supported",
                  "cited": [{"id": "p1", "text": "des fablabs"},
                            {"id": "9f3c2a1e-0000", "external_id": "c37", "text": "![x](https://t.example/p.png)"}]},
                 {"text": "Fermer les ateliers.", "cited": [], "verdict": "contradicted", "source_deleted": True}]
    themes = [{"id": "th-1", "name": "Ouvrir des FabLabs", "key_points": [
                  {"id": "k1", "text": "Ouvrir des FabLabs.", "cluster_id": "fab-1", "room": None}]},
              {"id": None, "name": None, "key_points": [
                  {"id": "k2", "text": "« Un fablab itinérant. »", "cluster_id": None, "room": None}]}]
    return {"workshop": {"title": "Atelier", "language": language},
            "axes": [{"name": "FabLabs", "pitch": {"approved": False, "edited": True, "sentences": sentences},
                      "themes": themes, "threads": [],
                      "clusters": [{"label": "fablab, atelier", "singular": False, "postits": [{"id": "p1"}]},
                                   {"label": "Idées singulières", "singular": True, "postits": [{"id": "p2"}]}]}]}


EXPECTED = {
    "fr": ["## FabLabs (modifié)", "⚠ contredit les post-its cités (source supprimée)",
           "(salle : 4 pour, 4 contre, 1 passe, divise la salle)", "### Autres points clés",
           "- « Un fablab itinérant. » — idée d'un seul participant, soutenue par des votes",
           "- **fablab, atelier** : 1 post-it", "- **Idées singulières** : 1 post-it",
           "- Ouvrir des FabLabs.[^1] (salle", r"partagés\]\(https://t.example\).[^1][^2]",
           "[^1]: p1 : « des fablabs »", r"[^2]: c37 : « \!\[x\]\(https://t.example/p.png\) »"],
    "en": ["## FabLabs (edited)", "⚠ contradicts the cited post-its (source deleted)",
           "(room: 4 for, 4 against, 1 passed, divides the room)", "### Other key points",
           "- « Un fablab itinérant. » — one participant's idea, backed by votes",
           "- **fablab, atelier**: 1 post-it", "- **Singular ideas**: 1 post-it", "[^2]: c37: “"],
    "de": ["## FabLabs (bearbeitet)", "⚠ widerspricht den zitierten Post-its (Quelle gelöscht)",
           "(Saal: 4 dafür, 4 dagegen, 1 enthalten, spaltet den Saal)", "### Weitere Kernpunkte",
           "- « Un fablab itinérant. » — Idee einer einzelnen Person, durch Stimmen unterstützt",
           "- **fablab, atelier**: 1 Post-it", "- **Einzelne Ideen**: 1 Post-it", "[^2]: c37: „"],
}


@pytest.mark.parametrize("language", list(EXPECTED))
def test_markdown_marks_and_words(language: str) -> None:
    markdown = to_markdown(review_data(language))
    missing = [line for line in EXPECTED[language] if line not in markdown]
    assert not missing, markdown
    assert "Ouvrir des FabLabs. — " not in markdown  # a group's key point carries no singular mark
    assert markdown.count("[^1]:") == 1  # a post-it cited twice is one footnote


@pytest.mark.parametrize(("language", "heading"), [("fr", "Points clés"), ("en", "Key points"), ("de", "Kernpunkte")])
def test_key_points_outside_any_theme_are_other_ones_only_beside_a_theme(language: str, heading: str) -> None:
    data = review_data(language)
    data["axes"][0]["themes"] = data["axes"][0]["themes"][1:]
    markdown = to_markdown(data)
    assert f"### {heading}\n" in markdown and "### Autres" not in markdown and "### Other" not in markdown \
        and "### Weitere" not in markdown, markdown


def test_docx_in_german_quotes_cited_post_its_the_german_way() -> None:
    from docx import Document

    paragraphs = [p.text for p in Document(io.BytesIO(to_docx(review_data("de")))).paragraphs]
    assert "FabLabs — bearbeitet" in paragraphs and "Weitere Kernpunkte" in paragraphs
    assert any(p.startswith("Ouvrir des FabLabs. (Saal: 4 dafür") and "[p1: „des fablabs“]" in p for p in paragraphs)
    assert "« Un fablab itinérant. » — Idee einer einzelnen Person, durch Stimmen unterstützt" in paragraphs
