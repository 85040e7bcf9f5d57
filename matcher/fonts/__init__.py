"""The Chinese font the project ships, for charts (matplotlib) and PDFs (reportlab).

See ``README.md`` beside this file for what the font covers and how it was
made.  :func:`use_in_matplotlib` and :func:`use_in_reportlab` register it
once and return the name to set text in.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

__all__ = [
    "FAMILIES",
    "FAMILY",
    "FONT_FILE",
    "PDF_FALLBACK",
    "PDF_FONT",
    "covers",
    "use_in_matplotlib",
    "use_in_reportlab",
]

FAMILY = "Ledger Sans SC"  # i18n: not shown: the font's internal family name
"""The family name of the shipped font (a subset of Noto Sans CJK SC)."""

FONT_FILE = Path(str(resources.files("matcher.fonts").joinpath("LedgerSansSC-Regular.ttf")))

FAMILIES = (
    FAMILY,
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "DejaVu Sans",
)
"""Families for matplotlib, in order: the shipped one, then installed CJK fonts for
characters outside its subset (matplotlib falls back glyph by glyph), then Latin."""

PDF_FONT = "LedgerSansSC"  # i18n: not shown: reportlab's registration name
PDF_FALLBACK = "STSong-Light"  # i18n: not shown: reportlab's built-in CID font


@functools.cache
def _cmap() -> frozenset[int]:
    from fontTools.ttLib import TTFont

    return frozenset(TTFont(FONT_FILE, lazy=True).getBestCmap())


def covers(text: str) -> bool:
    """True when the shipped font has a glyph for every character of ``text``."""
    cmap = _cmap()
    return all(ord(ch) in cmap for ch in text if not ch.isspace())


@functools.cache
def use_in_matplotlib() -> tuple[str, ...]:
    """Register the font with matplotlib; the families of :data:`FAMILIES` it has, in order.

    Families not installed are left out: matplotlib would log each one as
    missing for every text drawn.
    """
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(FONT_FILE))
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(family for family in FAMILIES if family in installed)


@functools.cache
def use_in_reportlab() -> str:
    """Register the font (and the CID fallback) with reportlab; the font name to use."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(PDF_FONT, str(FONT_FILE)))
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FALLBACK))
    return PDF_FONT
