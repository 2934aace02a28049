"""Readable Markdown for a synthesis (French or English headings)."""

from __future__ import annotations

from typing import Any

_WORDS = {
    "fr": {"title": "Synthèse de l'atelier", "pitch": "Pitch", "clusters": "Groupes d'idées",
           "singular": "Idées singulières", "routed": "Post-its rattachés automatiquement",
           "unsupported": "à vérifier", "votes": "votes", "provenance": "Provenance"},
    "en": {"title": "Workshop synthesis", "pitch": "Pitch", "clusters": "Groups of ideas",
           "singular": "Singular ideas", "routed": "Post-its routed automatically",
           "unsupported": "to check", "votes": "votes", "provenance": "Provenance"},
}


def synthesis_markdown(data: dict[str, Any], texts: dict[str, str], language: str = "fr") -> str:
    """Render ``synthesis.json`` data as Markdown.

    Args:
        data: The synthesis dictionary.
        texts: Post-it text by id, to quote cited and clustered post-its.
        language: ``fr`` or ``en`` headings.
    """
    w = _WORDS["fr" if language.startswith("fr") else "en"]
    lines = [f"# {w['title']}", ""]
    for axis in data["axes"]:
        lines += [f"## {axis['name']}", "", f"### {w['pitch']}", ""]
        for s in axis["pitch"]["sentences"]:
            flag = "" if s["supported"] else f" ⚠ *{w['unsupported']} ({s['support']:.2f})*"
            lines.append(f"- {s['text']} [{', '.join(s['citations'])}]{flag}")
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
