"""The text of a CSV file: which encoding it is in, decided without guessing silently.

Coordinators' CSV files come from Excel in UTF-8 ("CSV UTF-8"), UTF-8 with a
BOM, GBK/GB18030 (plain "CSV" on a simplified-Chinese Windows), Big5 (on a
traditional-Chinese one) or UTF-16 with a BOM ("Unicode text").  The order
of the tests matters:

1. a BOM decides (UTF-8 or UTF-16), and the text must decode under it;
2. otherwise UTF-8 when the bytes are valid UTF-8 (legacy Chinese bytes
   almost never are);
3. otherwise the legacy Chinese encodings under which the bytes decode at
   all; when both GB18030 and Big5 do (Big5 bytes usually also decode as
   GB18030, into nonsense: issue 9, defect 10), ``charset-normalizer``
   chooses the one whose text reads as language.

Text that decodes under none, that holds replacement characters (U+FFFD),
NULs, or other control characters when not UTF-8, is refused with the file name and the encodings
tried: a garbled name must never be stored.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from matcher.errors import DataError
from matcher.i18n import _

__all__ = ["ENCODINGS_TRIED", "decode_text"]

_LEGACY = ("gb18030", "big5")
ENCODINGS_TRIED: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16", *_LEGACY)
"""The encodings a CSV file may be in, in the order they are tried."""

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters other than tab, LF and CR: never in a spreadsheet's
# text, always in text decoded under the wrong encoding (UTF-16 without a
# BOM read as GB18030 is full of NULs).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUL = re.compile(r"\x00")


def _refuse(label: str, why: str) -> DataError:
    tried = ", ".join(ENCODINGS_TRIED)
    return DataError.at(
        label,
        _(
            "cannot read the text: {why}; not UTF-8 or GBK (GB18030), Big5 or UTF-16 with "
            "BOM (tried {tried}); save it from Excel as “CSV UTF-8 (逗号分隔)”"
        ).format(why=why, tried=tried),
    )


def _legacy_encoding(data: bytes) -> str | None:
    """GB18030 or Big5, whichever the bytes are; None when neither."""
    candidates = []
    for encoding in _LEGACY:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append(encoding)
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    best = from_bytes(data, cp_isolation=candidates).best()
    return best.encoding if best is not None and best.encoding in candidates else None


def decode_text(data: bytes, label: str) -> str:
    """The text of a CSV file's bytes.

    Parameters
    ----------
    data
        The file's bytes.
    label
        The file's name, for messages.

    Returns
    -------
    str
        The text, without a BOM.

    Raises
    ------
    DataError
        Naming ``label`` and the encodings tried, when the bytes are in none of
        them or decode to replacement or control characters.
    """
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            encoding = _legacy_encoding(data)
            if encoding is None:
                raise _refuse(label, _("the bytes are not text in a known encoding")) from None
            text = data.decode(encoding)
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            why = _("it starts with a {encoding} BOM but is not {encoding}").format(
                encoding=encoding
            )
            raise _refuse(label, why) from exc
    if "\ufffd" in text:
        # Already garbled when it was saved: storing it would keep the damage silently.
        raise _refuse(label, _("it holds replacement characters (�), so it was garbled before"))
    # Text from the legacy encodings or UTF-16 with control characters in it
    # was decoded under the wrong one.  UTF-8 is taken as it is, but for NUL:
    # UTF-16 without a BOM is valid UTF-8 with a NUL after every letter.
    control = _CONTROL if encoding not in (None, "utf-8-sig") else _NUL
    if match := control.search(text):
        why = _("it holds the control character {character!r}").format(character=match.group())
        raise _refuse(label, why)
    return text
