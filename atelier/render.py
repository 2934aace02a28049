"""Readable Markdown for a synthesis (headings in its language: ``models.language.REGISTRY``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from models.language import DEFAULT_LANGUAGE, profile


def _flag(s: dict[str, Any], w: Mapping[str, str]) -> str:
    """The verdict as a reader sees it: nothing when supported."""
    flag = f" *({w['quoted']})*" if s.get("quoted") else ""
    verdict = s.get("verdict") or ("supported" if s.get("supported") else "unsupported")
    if verdict != "supported":
        flag += f" ⚠ *{w[verdict]} ({s['support']:.2f})*"
    return flag


def _key_points(axis: dict[str, Any], w: Mapping[str, str]) -> list[str]:
    """An axis' key points, numbered as the pitch cites them (K1, K2 …), under their themes' names
    where the axis has themes (the human syntheses' two levels), the rest after them.

    >>> kps = [{"id": i, "text": t, "citations": ["p"], "verdict": "supported"} for i, t in (("a", "Ouvrir un fablab."),
    ...        ("b", "Créer un jardin."), ("c", "Former les élus."))]
    >>> axis = {"key_points": kps, "themes": [{"name": "Lieux", "key_points": ["a", "b"]}]}
    >>> print("\\n".join(_key_points(axis, profile("fr").headings)))
    **Lieux**
    <BLANKLINE>
    - K1. Ouvrir un fablab. [p]
    - K2. Créer un jardin. [p]
    <BLANKLINE>
    - K3. Former les élus. [p]
    """
    numbers = {k["id"]: n for n, k in enumerate(axis["key_points"], 1)}
    by_id = {k["id"]: k for k in axis["key_points"]}

    def cited(k: dict[str, Any]) -> str:
        return f"{k['text']} [{', '.join(k['citations'])}]{_flag(k, w)}"

    def item(k: dict[str, Any]) -> str:
        return f"- K{numbers[k['id']]}. {cited(k)}"

    themes = axis.get("themes") or []
    if not themes:
        return [f"{numbers[k['id']]}. {cited(k)}" for k in axis["key_points"]]
    lines: list[str] = []
    for theme in themes:
        lines += [f"**{theme['name']}**", "", *(item(by_id[i]) for i in theme["key_points"] if i in by_id), ""]
    themed = {i for t in themes for i in t["key_points"]}
    rest = [item(k) for k in axis["key_points"] if k["id"] not in themed]
    return lines + rest if rest else lines[:-1]


def synthesis_markdown(data: dict[str, Any], texts: dict[str, str], language: str = DEFAULT_LANGUAGE) -> str:
    """Render ``synthesis.json`` data as Markdown.

    Args:
        data: The synthesis dictionary.
        texts: Post-it text by id, to quote cited and clustered post-its.
        language: The headings' language (English for languages Atelier lacks).
    """
    w = profile(language).headings
    lines = [f"# {w['title']}", ""]
    for axis in data["axes"]:
        lines += [f"## {axis['name']}", "", f"### {w['pitch']}", ""]
        numbers = {k["id"]: n for n, k in enumerate(axis.get("key_points", []), 1)}
        for s in axis["pitch"]["sentences"]:
            refs = ", ".join(f"K{numbers[k]}" for k in s.get("key_points", []) if k in numbers)
            lines.append(f"- {s['text']} [{refs or ', '.join(s['citations'])}]{_flag(s, w)}")
        if axis.get("key_points"):
            lines += ["", f"### {w['key_points']}", "", *_key_points(axis, w)]
        lines += ["", f"### {w['clusters']}", ""]
        for c in axis["clusters"]:
            weight = c["weight"]
            lines.append(f"- **{c['label']}** ({weight['count']} post-its, {weight['votes']} {w['votes']}) "
                         f"— {', '.join(c['keywords'])}")
            lines += [f"  - [{pid}] {texts.get(pid, '')}" for pid in c["postit_ids"]]
        if axis["singular_postit_ids"]:
            lines += ["", f"### {w['singular']}", ""]
            lines += [f"- [{pid}] {texts.get(pid, '')}" for pid in axis["singular_postit_ids"]]
        if axis["routed_postit_ids"]:
            lines += ["", f"*{w['routed']} : {', '.join(axis['routed_postit_ids'])}*"]
        lines.append("")
    prov = data.get("provenance", {})
    lines += [f"## {w['provenance']}", "",
              f"- embedder: `{prov.get('embedder')}`, generator: `{prov.get('generator')}`, "
              f"drafter: `{prov.get('drafter')}`",
              f"- prompt: `{prov.get('prompt', {}).get('id')}` sha256 `{prov.get('prompt', {}).get('sha256')}`",
              f"- version: {prov.get('version')}", ""]
    return "\n".join(lines)
