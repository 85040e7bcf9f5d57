"""``docs/data-format.md`` agrees with the one format table (:data:`matcher.io.SHEETS`)."""

from __future__ import annotations

import re
from pathlib import Path

from matcher.io import ENUM_WORDS, ROSTER_COLUMNS, ROSTER_COLUMNS_ZH, SHEETS
from matcher.io.cells import NO_WORDS, YES_WORDS
from matcher.io.format import ATTENDANCE_SHEET

DOC = Path(__file__).resolve().parents[1] / "docs" / "data-format.md"

_SECTION = re.compile(r"^## `(?P<name>[^`]+)` \((?P<zh>[^)]+)\)", re.MULTILINE)
_HEADING = re.compile(r"^## ", re.MULTILINE)
_ROW = re.compile(r"^\| *(?P<column>[a-z_]+) *\| *(?P<zh>[^|]+?) *\|", re.MULTILINE)


def documented_sheets() -> dict[str, tuple[str, dict[str, set[str]]]]:
    """Each documented sheet: its Chinese name and each column's Chinese headers."""
    text = DOC.read_text(encoding="utf-8")
    starts = list(_SECTION.finditer(text))
    sheets = {}
    for match, following in zip(starts, [*starts[1:], None], strict=True):
        body = text[match.end() : following.start() if following else len(text)]
        heading = _HEADING.search(body)  # a section that is not a sheet ends one too
        body = body[: heading.start()] if heading else body
        columns = {
            row["column"]: {alias.strip() for alias in row["zh"].split(" / ")}
            for row in _ROW.finditer(body)
            if row["column"] != "column"  # the table's own header row
        }
        sheets[match["name"]] = (match["zh"], columns)
    return sheets


def test_doc_has_every_sheet_and_column_of_the_format_table() -> None:
    documented = documented_sheets()
    assert list(documented) == list(SHEETS)
    for name, spec in SHEETS.items():
        zh, columns = documented[name]
        assert zh == spec.zh, name
        # Same columns in the same order: the doc names no column the table lacks.
        assert list(columns) == list(spec.columns), name
        for column, info in spec.columns.items():
            assert columns[column] == set(info.zh), f"{name}.{column}"


def test_doc_names_the_roster_columns() -> None:
    text = DOC.read_text(encoding="utf-8")
    roster = text[text.index("## Roster files") :]
    flat = re.sub(r"\s+", " ", roster)
    assert ", ".join(ROSTER_COLUMNS) in flat
    assert ", ".join(ROSTER_COLUMNS_ZH) in flat


def _flat_doc() -> str:
    return re.sub(r"\s+", " ", DOC.read_text(encoding="utf-8"))


def test_doc_lists_every_word_of_every_enumeration() -> None:
    flat = _flat_doc()
    for cls, table in ENUM_WORDS.items():
        for member, words in table.items():
            listed = f"`{member.value}` {'/'.join(words)}"
            assert listed in flat, f"{cls.__name__}: {listed}"


def test_doc_lists_every_yes_no_word() -> None:
    flat = _flat_doc()
    start = flat.index("yes/no cells accept")
    line = flat[start : flat.index(";", flat.index("empty means no", start))]
    for word in (*YES_WORDS, *NO_WORDS):
        assert f"`{word}`" in line, word


def test_doc_has_every_column_of_the_attendance_sheet() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("## Attendance sheets")
    body = text[start : text.index("\n## ", start + 1)]
    columns = {
        row["column"]: {alias.strip() for alias in row["zh"].split(" / ")}
        for row in _ROW.finditer(body)
        if row["column"] != "column"
    }
    assert list(columns) == list(ATTENDANCE_SHEET.columns)
    for column, info in ATTENDANCE_SHEET.columns.items():
        assert columns[column] == set(info.zh), column
