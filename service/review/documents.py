"""The exports people read (Markdown, DOCX), in their workshop's language.

A German council's export says "freigegeben" and "Weitere Kernpunkte", not "approuvé" and "Autres
points clés": every word comes from the service's catalogs (:mod:`service.i18n`, the pages' own),
French being the source. Post-its, labels and sentences are data: escaped, never markup.
"""

from __future__ import annotations

import gettext
import html
import io
import re
from collections.abc import Callable
from typing import Any

from models.language import base_language, profile
from service.i18n import N_, SOURCE, translations

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#!|~])")

#: A pitch's state as a reader sees it (the CSV export keeps these French words as its codes).
STATES = {"none": N_("pas de pitch"), "approved": N_("approuvé"), "edited": N_("modifié"), "draft": N_("brouillon")}
VERDICT_FLAGS = {"contradicted": N_("contredit les post-its cités"), "unsupported": N_("non étayé")}
#: A label and what it introduces, in the language's typography (French puts a space before the colon).
LABELLED = N_("%(label)s : %(value)s")
OTHER_KEY_POINTS = N_("Autres points clés")
KEY_POINTS = N_("Points clés")
SINGULAR = N_("idée d'un seul participant, soutenue par des votes")
SINGULAR_GROUP = N_("Idées singulières")


def language_of(data: dict[str, Any]) -> str:
    """The exported workshop's language among Atelier's (French where it names none Atelier has).

    >>> language_of({"workshop": {"language": "de-AT"}}), language_of({"workshop": {}})
    ('de', 'fr')
    """
    return base_language(data["workshop"].get("language") or SOURCE, SOURCE)


def words_of(data: dict[str, Any]) -> gettext.NullTranslations:
    """The catalog of the exported workshop's language.

    >>> words_of({"workshop": {"language": "de-AT"}}).gettext("approuvé")
    'freigegeben'
    """
    return translations(language_of(data))


def state(pitch: dict[str, Any] | None, words: gettext.NullTranslations | None = None) -> str:
    """A pitch's state in ``words``' language (French without).

    >>> state({"approved": False, "edited": True}), state(None, translations("en"))
    ('modifié', 'no pitch')
    """
    key = "none" if pitch is None else "approved" if pitch["approved"] else "edited" if pitch["edited"] else "draft"
    return (words or translations(SOURCE)).gettext(STATES[key])


def room_note(room: dict[str, Any] | None, words: gettext.NullTranslations | None = None) -> str:
    """The rooms' votes on an item, in ``words``' language.

    >>> room_note({"agrees": 12, "disagrees": 3, "passes": 1, "divided": False})
    ' (salle : 12 pour, 3 contre, 1 passe)'
    >>> room_note({"agrees": 4, "disagrees": 4, "passes": 0, "divided": True}, translations("en"))
    ' (room: 4 for, 4 against, 0 passed, divides the room)'
    >>> room_note(None)
    ''
    """
    if room is None:
        return ""
    _ = (words or translations(SOURCE)).gettext
    counts = {"agrees": room["agrees"], "disagrees": room["disagrees"], "passes": room["passes"]}
    if room["divided"]:
        return " " + _("(salle : %(agrees)s pour, %(disagrees)s contre, %(passes)s passe, divise la salle)") % counts
    return " " + _("(salle : %(agrees)s pour, %(disagrees)s contre, %(passes)s passe)") % counts


def _key_point(k: dict[str, Any], words: gettext.NullTranslations, escape: Callable[[str], str]) -> str:
    """A key point's text (``escape``d: it is data), its singular mark (one participant's idea the
    room voted for, as the axis page says) and the room's votes."""
    lone = f" — {words.gettext(SINGULAR)}" if "cluster_id" in k and not k["cluster_id"] else ""
    return f"{escape(k['text'])}{lone}{room_note(k.get('room'), words)}"


def _group_name(c: dict[str, Any], words: gettext.NullTranslations) -> str:
    """A group's label; the singular ideas' group is named in the reader's language, as on the pages."""
    return words.gettext(SINGULAR_GROUP) if c.get("singular") else str(c["label"])


def _postits(n: int, words: gettext.NullTranslations) -> str:
    return words.ngettext("%(num)s post-it", "%(num)s post-its", n) % {"num": n}


def ref(cited: dict[str, Any]) -> str:
    """A cited post-it as a reader refers to it: the workshop tool's own id where it sent one (a
    Polis comment "c37"), else the start of Atelier's id.

    >>> ref({"id": "0b6e2f4c-91aa-4c1e-9d7e-5d0c1f2a3b4c", "external_id": "c37"})
    'c37'
    >>> ref({"id": "0b6e2f4c-91aa-4c1e-9d7e-5d0c1f2a3b4c", "external_id": None})
    '0b6e2f4c'
    """
    return str(cited.get("external_id") or cited["id"][:8])


def _heading(theme: dict[str, Any], themes: list[dict[str, Any]], words: gettext.NullTranslations) -> str:
    """A theme's heading; the key points outside any theme are the "other" ones only beside a theme."""
    if theme["name"]:
        return str(theme["name"])
    return words.gettext(OTHER_KEY_POINTS if len(themes) > 1 else KEY_POINTS)


def _pitch_lines(axis: dict[str, Any], notes: dict[str, int], words: gettext.NullTranslations,
                 quote: str) -> list[str]:
    """An axis's pitch sentences, each marked with its footnotes, then the footnotes first cited
    here (``notes`` numbers each cited post-it once for the document)."""
    _, labelled = words.gettext, words.gettext(LABELLED)
    sentences = (axis["pitch"] or {}).get("sentences", [])
    first, lines = len(notes), []
    for s in sentences:
        marks = "".join(f"[^{notes.setdefault(c['id'], len(notes) + 1)}]" for c in s["cited"])
        verdict = f" ⚠ {_(VERDICT_FLAGS[s['verdict']])}" if s.get("verdict") in VERDICT_FLAGS else ""
        gone = " (" + _("source supprimée") + ")" if s.get("source_deleted") else ""
        lines.append(f"- {md_text(s['text'])}{marks}{verdict}{gone}{room_note(s.get('room'), words)}")
    cited = {c["id"]: c for s in sentences for c in s["cited"]}
    new = [f"[^{n}]: " + labelled % {"label": md_text(ref(cited[i])), "value": md_text(quote.format(cited[i]["text"]))}
           for i, n in notes.items() if n > first]
    return [*lines, "", *new, *([""] if new else [])]


def to_markdown(data: dict[str, Any]) -> str:
    """A readable document in the workshop's language; each pitch sentence's post-its are its
    footnotes, numbered once for the document, each with its ref (:func:`ref`) and its words."""
    words = words_of(data)
    _, labelled = words.gettext, words.gettext(LABELLED)
    quote = profile(language_of(data)).quote
    notes: dict[str, int] = {}
    lines = [f"# {md_text(data['workshop']['title'])}", ""]
    for axis in data["axes"]:
        lines += [f"## {md_text(axis['name'])} ({state(axis['pitch'], words)})", ""]
        lines += _pitch_lines(axis, notes, words, quote)
        for theme in axis.get("themes", []):
            lines += [f"### {md_text(_heading(theme, axis['themes'], words))}", ""]
            lines += [f"- {_key_point(k, words, md_text)}" for k in theme["key_points"]]
            lines.append("")
        for c in axis["clusters"]:
            count = _postits(len(c["postits"]), words)
            lines.append("- " + labelled % {"label": f"**{md_text(_group_name(c, words))}**", "value": count})
        lines.append("")
        if axis.get("threads"):
            lines += ["### " + _("Discussions"), ""]
            for t in axis["threads"]:
                thread_state = _("résolue") if t["resolved"] else _("ouverte")
                author = f"{md_text(t['author'])} ({thread_state})"
                lines.append("- " + labelled % {"label": author, "value": md_text(t["body"])})
                lines += ["  - " + labelled % {"label": md_text(r["author"]), "value": md_text(r["body"])}
                          for r in t["replies"]]
            lines.append("")
    return "\n".join(lines)


def to_docx(data: dict[str, Any]) -> bytes:
    """A Word document a council's staff can open and edit, in the workshop's language."""
    from docx import Document

    words = words_of(data)
    _, labelled = words.gettext, words.gettext(LABELLED)
    quote = profile(language_of(data)).quote
    doc = Document()
    doc.add_heading(xml_safe(data["workshop"]["title"]), level=0)
    for axis in data["axes"]:
        doc.add_heading(xml_safe(f"{axis['name']} — {state(axis['pitch'], words)}"), level=1)
        for s in (axis["pitch"] or {}).get("sentences", []):
            paragraph = doc.add_paragraph(xml_safe(s["text"] + room_note(s.get("room"), words)), style="List Bullet")
            for cited in s["cited"]:
                said = labelled % {"label": ref(cited), "value": quote.format(cited["text"])}
                paragraph.add_run(xml_safe(f" [{said}]")).italic = True
        for theme in axis.get("themes", []):
            doc.add_heading(xml_safe(_heading(theme, axis["themes"], words)), level=2)
            for k in theme["key_points"]:
                doc.add_paragraph(_key_point(k, words, xml_safe), style="List Bullet")
        for c in axis["clusters"]:
            count = _postits(len(c["postits"]), words)
            doc.add_paragraph(xml_safe(f"{_group_name(c, words)} ({count})"), style="List Number")
        for t in axis.get("threads", []):
            doc.add_paragraph(xml_safe(labelled % {"label": t["author"], "value": t["body"]}), style="List Bullet 2")
            for r in t["replies"]:
                doc.add_paragraph(xml_safe("↳ " + labelled % {"label": r["author"], "value": r["body"]}),
                                  style="List Bullet 2")
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def md_text(text: str) -> str:
    r"""Any stored text as inert Markdown: one line, HTML characters and Markdown syntax escaped.

    Titles, labels and sentences come from post-its (data, never markup): a link or an image
    (``![](https://tracker)``) must not render as one in a reader's viewer.

    >>> md_text("<script>x</script>\nsuite")
    '&lt;script&gt;x&lt;/script&gt; suite'
    >>> md_text("![x](https://t.example/p.png) **gras**")
    '\\!\\[x\\]\\(https://t.example/p.png\\) \\*\\*gras\\*\\*'
    """
    return _MARKDOWN.sub(r"\\\1", html.escape(" ".join(text.split()), quote=False))


def xml_safe(text: str) -> str:
    r"""``text`` without the characters XML 1.0 (hence DOCX) cannot hold.

    >>> xml_safe("a\x00b\x0bc\nd")
    'abc\nd'
    """
    return _NOT_XML.sub("", text)
