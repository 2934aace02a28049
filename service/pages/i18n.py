"""The pages' language: how a page picks it, and the templates' gettext callables.

The catalogs themselves are read in :mod:`service.i18n` (French source, English and German). A page
speaks its workshop's language; pages without a workshop (list, sign-in) speak the reader's choice
(``?lang=`` remembered in a cookie), then the browser's ``Accept-Language``, then the default.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2 import pass_context
from litestar import Request

from models.language import DEFAULT_LANGUAGE, LANGUAGES, base_language
from service.db.states import JobStage
from service.i18n import LOCALE_DIR, N_, SOURCE, translations

__all__ = [
    "COOKIE",
    "LOCALE_DIR",
    "N_",
    "SOURCE",
    "STAGE_NAMES",
    "accepted_language",
    "install",
    "page_language",
    "translations",
]

#: The reader's choice of language for pages that belong to no workshop.
COOKIE = "atelier_lang"
#: What a job's stage is called on the pages.
STAGE_NAMES = {JobStage.QUEUED: N_("en attente"), JobStage.STARTING: N_("démarrage"),
               JobStage.EMBEDDING: N_("encodage"), JobStage.CLUSTERING: N_("regroupement"),
               JobStage.DRAFTING: N_("rédaction"), JobStage.SCORING: N_("vérification"),
               JobStage.DONE: N_("terminé"), JobStage.FAILED: N_("échec")}


def accepted_language(header: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The first of Atelier's languages an ``Accept-Language`` header accepts, by its q-values.

    >>> accepted_language("de-CH,de;q=0.9,en;q=0.8"), accepted_language("es, en;q=0.5")
    ('de', 'en')
    >>> accepted_language("es,it;q=0.9"), accepted_language(None), accepted_language("en;q=0, de;q=0.1")
    ('fr', 'fr', 'de')
    """
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        code = base_language(tag.strip(), "")
        if code and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else default


def page_language(request: Request[Any, Any, Any], workshop_language: str | None = None) -> str:
    """The language a page is shown in: the workshop's, else the reader's choice, else the browser's."""
    if workshop_language:
        return base_language(workshop_language, DEFAULT_LANGUAGE)
    chosen = request.query_params.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return str(chosen)
    return accepted_language(request.headers.get("accept-language"))


@pass_context
def _gettext(context: jinja2.runtime.Context, message: str) -> str:
    return translations(context.get("lang") or DEFAULT_LANGUAGE).gettext(message)


@pass_context
def _ngettext(context: jinja2.runtime.Context, singular: str, plural: str, count: int) -> str:
    return translations(context.get("lang") or DEFAULT_LANGUAGE).ngettext(singular, plural, count)


def install(environment: jinja2.Environment) -> None:
    """Give the templates ``_``/``gettext``/``ngettext`` (new style: ``_("%(n)s votes", n=3)``) in the
    page's ``lang``, and ``stage_name``."""
    environment.add_extension("jinja2.ext.i18n")
    environment.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.globals["stage_name"] = lambda stage: STAGE_NAMES.get(stage, stage)
