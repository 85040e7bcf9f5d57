"""The language users read: Chinese by default, English on request.

Every message a user can see is written in the code as an English gettext
message id, ``_("only {count} eligible volunteers")``, and translated from
the Chinese catalogue ``locales/zh/LC_MESSAGES/matcher.po`` (Babel reads the
``.po`` file at run time, so there is no compile step); English is the
message id itself.  ``tests/test_i18n.py`` fails on a message id with no
Chinese translation, and on a user-facing string that is not passed
through :func:`_`.

The language in force is, in order: the one set for this context
(:func:`use_language`: the CLI's ``--lang``, the API's ``Accept-Language``,
a job's stored language), else ``MATCHER_LANG``, else Chinese.  It lives in
a :class:`contextvars.ContextVar`, so each API request (and each thread
that copies its context) has its own.

Placeholders are named, in ``str.format`` style, and filled after the
translation: ``_("row {row}").format(row=3)``; a translation may move them
but must keep each one (the test checks).  A message id written where no
language is known yet (a table of module constants) is marked with
:func:`N_` and translated where it is shown, with :func:`_`.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LANGUAGES = ("zh", "en")
"""The languages the catalogues cover; the first is the default."""

DEFAULT_LANGUAGE = "zh"

LOCALES = Path(__file__).parent / "locales"
DOMAIN = "matcher"

_language: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "matcher_language", default=None
)


class UnknownLanguageError(ValueError):
    """A language that has no catalogue, named by the user (``--lang``, ``MATCHER_LANG``)."""


def normalize(tag: str | None) -> str | None:
    """The catalogue language of a language tag, or None when there is none.

    ``zh``, ``zh-CN``, ``zh_Hans``, ``zh-TW``, ``中文`` give ``zh``; ``en``,
    ``en-US``, ``en_GB`` give ``en``.
    """
    if not tag:
        return None
    text = tag.strip().lower().replace("_", "-")
    if text in {"中文", "汉语", "简体中文", "chinese", "cn"}:
        return "zh"
    if text in {"英文", "英语", "english"}:
        return "en"
    primary = text.split("-", 1)[0]
    return primary if primary in LANGUAGES else None


def language_from_environment() -> str:
    """``MATCHER_LANG`` when it names a known language, else the default (Chinese)."""
    return normalize(os.environ.get("MATCHER_LANG")) or DEFAULT_LANGUAGE


def language() -> str:
    """The language in force in this context."""
    return _language.get() or language_from_environment()


def set_language(tag: str | None) -> contextvars.Token[str | None]:
    """Set this context's language; None returns to ``MATCHER_LANG`` or the default.

    Raises
    ------
    UnknownLanguageError
        For a tag that names no catalogue language (the message lists the known ones).
    """
    code = normalize(tag)
    if tag is not None and code is None:
        raise UnknownLanguageError(
            _("unknown language {tag!r}: use one of {known}").format(
                tag=tag, known=", ".join(LANGUAGES)
            )
        )
    return _language.set(code)


@contextlib.contextmanager
def use_language(tag: str | None) -> Iterator[str]:
    """Within the block, messages are in ``tag``'s language (None: the environment's)."""
    token = set_language(tag)
    try:
        yield language()
    finally:
        _language.reset(token)


_QUALITY = re.compile(r"^\s*([^;\s]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?\s*$")


def negotiate(accept_language: str | None) -> str | None:
    """The best catalogue language for an HTTP ``Accept-Language`` header, or None.

    Follows the header's quality values (``en;q=0.9, zh;q=0.8`` gives ``en``);
    ``*`` and tags with no catalogue are passed over; None when nothing fits
    (the caller then uses the default).
    """
    if not accept_language:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        match = _QUALITY.match(part)
        if not match:
            continue
        try:
            quality = float(match.group(2)) if match.group(2) else 1.0
        except ValueError:
            continue
        code = normalize(match.group(1))
        if code is not None and quality > 0:
            ranked.append((-quality, position, code))
    return min(ranked)[2] if ranked else None


@functools.cache
def catalogue(code: str) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    """The translations of one language: message id to text (plural ids are pairs).

    English has none (its texts are the ids).  Read once per process, with
    Babel's ``.po`` reader, from every catalogue file of the language;
    untranslated and fuzzy entries are left out, so they fall back to English
    rather than to an empty string.
    """
    from babel.messages.pofile import read_po

    translations: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for path in sorted((LOCALES / code / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as handle:
            translations.update(_translations(read_po(handle, locale=code)))
    return translations


def _translations(catalog: Any) -> dict[str | tuple[str, str], str | tuple[str, ...]]:
    translations: dict[str | tuple[str, str], str | tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            strings = tuple(message.string or ())
            if strings and all(strings):
                translations[(message.id[0], message.id[1])] = strings
        elif message.string:
            translations[message.id] = message.string
    return translations


def _(message: str) -> str:
    """``message`` (an English message id) in the language in force."""
    code = language()
    if code == "en":
        return message
    text = catalogue(code).get(message)
    return text if isinstance(text, str) else message


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural message for ``count``, in the language in force.

    Chinese has one form for every count; English picks by ``count == 1``.
    """
    code = language()
    if code != "en":
        forms = catalogue(code).get((singular, plural))
        if isinstance(forms, tuple) and forms:
            return forms[0]
    return singular if count == 1 else plural


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional marker name
    """Mark ``message`` for the catalogue without translating it (translate where shown)."""
    return message


__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "UnknownLanguageError",
    "_",
    "catalogue",
    "language",
    "negotiate",
    "ngettext",
    "normalize",
    "set_language",
    "use_language",
]
