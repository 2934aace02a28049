"""The service's gettext catalogs: French source, English and German translations.

French is the source language (the messages in the templates and in the code are French); English
and German come from Babel catalogs, ``service/locale/<lang>/LC_MESSAGES/messages.po``, compiled in
memory when first used so a stale ``.mo`` can never be served. ``make messages`` extracts and
updates them (``babel.cfg``). The pages (``service.pages.i18n``) and the exports
(``service.review.export``) both read them here, so one word has one translation.
"""

from __future__ import annotations

import functools
import gettext
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
#: The source language: its messages are the msgids, it has no catalog.
SOURCE = "fr"


def N_(message: str) -> str:  # gettext's name: mark for extraction, translate later
    """Mark ``message`` for the catalogs; it is translated where it is shown."""
    return message


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language`` (the source language and unknown ones translate to themselves).

    >>> translations("de").gettext("brouillon"), translations("fr").gettext("brouillon")
    ('Entwurf', 'brouillon')
    """
    po = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language == SOURCE or not po.is_file():
        return gettext.NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as gettext would
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
