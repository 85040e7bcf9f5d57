"""Make the small Chinese font the project ships (``matcher/fonts/``), reproducibly.

Charts (matplotlib) and certificates (reportlab) must show Chinese on a
fresh laptop that has no Chinese font installed.  The full Noto Sans CJK
collection is ~20 MB; the characters of GB 2312 (the 6,763 hanzi of everyday
Chinese, symbols, full-width forms) plus ASCII and Latin-1 make ~2 MB.  The
outlines are converted from CFF to TrueType (quadratic) because reportlab
embeds only TrueType-flavoured fonts.  The font is under the SIL Open Font
License 1.1 (``matcher/fonts/OFL.txt``); the subset is renamed, as the
licence asks of modified versions (Reserved Font Name "Noto").

Usage (the source is Debian's ``fonts-noto-cjk`` package or the upstream
``NotoSansCJK-Regular.ttc``; index 2 is Simplified Chinese)::

    python tools/cjk_font.py NotoSansCJK-Regular.ttc matcher/fonts/LedgerSansSC-Regular.ttf
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

FAMILY = "Ledger Sans SC"  # i18n: not shown: a font's internal name
SC_INDEX = 2  # Noto Sans CJK SC inside NotoSansCJK-Regular.ttc


def characters() -> str:
    """GB 2312 (every valid double-byte code), ASCII, Latin-1 and a few marks."""
    found = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    found |= set(
        "★☆·•—–‘’“”…　、。〈〉《》「」『』【】〔〕〖〗（）［］｛｝：；！？，．％＋－＝～℃№"
    )
    return "".join(sorted(found))


def to_truetype(font: TTFont) -> None:
    """Replace CFF outlines by TrueType ones (max error 1 unit), as reportlab needs."""
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font["maxp"] = newTable("maxp")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 2.0
    font["post"].extraNames = []
    font["post"].mapping = {}
    font["post"].glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont) -> None:
    """The subset's own name (OFL: a modified version may not use the Reserved Font Name)."""
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            names.removeNames(nameID=record.nameID)
    names.setName(FAMILY, 1, 3, 1, 0x409)
    names.setName("Regular", 2, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular; subset of Noto Sans CJK SC", 3, 3, 1, 0x409)
    names.setName(f"{FAMILY} Regular", 4, 3, 1, 0x409)
    names.setName(FAMILY.replace(" ", "") + "-Regular", 6, 3, 1, 0x409)


def main(source: str, target: str) -> None:
    font = TTFont(source, fontNumber=SC_INDEX, lazy=False)
    options = subset.Options()
    options.layout_features = ["kern", "vert", "vrt2"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters())
    subsetter.subset(font)
    to_truetype(font)
    rename(font)
    font.save(target)
    print(f"{target}: {Path(target).stat().st_size / 1e6:.2f} MB, {len(characters())} characters")


if __name__ == "__main__":
    main(*sys.argv[1:3])
