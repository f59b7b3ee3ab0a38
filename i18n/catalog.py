"""The catalogs: one gettext .po file per language, read with Babel once, at import.

The .po files are read directly (``babel.messages.pofile.read_po``) rather than compiled to .mo:
they are the only copy of the texts, so nothing can go stale and no build step is needed, and
reading about 260 short messages per language costs a few tens of milliseconds at start-up.

A message id is a key such as ``ticket_opened``; its text has ``{name}`` placeholders that
``say`` fills in with ``str.format``. Chinese is the default: an unknown language reads Chinese,
and so would an English message left empty (``tests/i18n/test_catalog.py`` fails on one).
"""

from __future__ import annotations

import gettext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.core import Locale
from babel.messages.pofile import read_po

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "catalog_file", "language", "locale", "plural", "say", "text"]

DEFAULT_LANGUAGE = "zh"
# The languages the helpdesk speaks (a person's ``language``), each with the Babel locale that
# formats its dates, lists and numbers.
LANGUAGES: Mapping[str, str] = {"zh": "zh_CN", "en": "en"}

_LOCALE_DIR = Path(__file__).parent / "locale"


@dataclass(frozen=True)
class _Catalog:
    texts: Mapping[str, str]
    plurals: Mapping[str, tuple[str, ...]]
    plural_index: Callable[[int], int]
    locale: Locale


def catalog_file(lang: str) -> Path:
    """The .po file of a language the helpdesk speaks."""
    return _LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po"


def _load(lang: str) -> _Catalog:
    with catalog_file(lang).open("rb") as file:
        catalog = read_po(file, locale=lang)
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, tuple | list) else (message.string or "",)
        if isinstance(message.id, tuple | list):
            plurals[str(message.id[0])] = tuple(str(form) for form in strings)
        else:
            texts[str(message.id)] = str(strings[0])
    return _Catalog(texts, plurals, gettext.c2py(catalog.plural_expr), Locale.parse(LANGUAGES[lang]))


_CATALOGS: dict[str, _Catalog] = {lang: _load(lang) for lang in LANGUAGES}


def language(lang: str | None) -> str:
    """The language to speak to a person whose ``language`` is ``lang``: Chinese if unknown."""
    return lang if lang in _CATALOGS else DEFAULT_LANGUAGE


def locale(lang: str | None) -> Locale:
    """The Babel locale that formats dates, lists and numbers for a reader of ``lang``."""
    return _CATALOGS[language(lang)].locale


def text(lang: str | None, key: str) -> str:
    """The catalog's text for ``key``, placeholders unfilled. ``KeyError`` for an unknown key."""
    found = _CATALOGS[language(lang)].texts.get(key) or _CATALOGS[DEFAULT_LANGUAGE].texts.get(key)
    if found is None:
        raise KeyError(f"no text {key!r} in the catalog (i18n/locale/*/LC_MESSAGES/messages.po)")
    return found


def say(lang: str | None, key: str, **values: Any) -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is not known), filled in."""
    return text(lang, key).format(**values)


def plural(lang: str | None, key: str, count: int) -> str:
    """``count`` with its unit in the form the language needs: ``1 hour``, ``2 hours``, ``2 小时``."""
    catalog = _CATALOGS[language(lang)]
    forms = catalog.plurals.get(key)
    if not forms or not all(forms):
        catalog = _CATALOGS[DEFAULT_LANGUAGE]
        forms = catalog.plurals.get(key)
        if not forms:
            raise KeyError(f"no plural {key!r} in the catalog (i18n/locale/*/LC_MESSAGES/messages.po)")
    index = min(catalog.plural_index(count), len(forms) - 1)
    return forms[index].format(count=count)
