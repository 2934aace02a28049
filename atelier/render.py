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
            lines += ["", f"### {w['key_points']}", ""]
            lines += [f"{n}. {k['text']} [{', '.join(k['citations'])}]{_flag(k, w)}"
                      for n, k in enumerate(axis["key_points"], 1)]
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
