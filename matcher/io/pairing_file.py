"""The pairing file format: ``pairs.csv`` and ``pairs.xlsx`` (sheet 帮扶结对).

``matcher pair`` writes both (:func:`pairing_csv`, :func:`pairing_xlsx`)
from rows keyed by the English columns of
:data:`~matcher.io.format.PAIRING_SHEET`; ``matcher pair --previous`` reads
either back (:func:`read_pairing`), any encoding and either header
language, taking only the household, the primary and the backup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from matcher.domain import SupportPair
from matcher.errors import DataError
from matcher.i18n import _
from matcher.io.cells import header_key
from matcher.io.format import PAIRING_SHEET
from matcher.io.limits import ReadBudget, ReadLimits
from matcher.io.read import Issues, read_csv_grid, read_workbook, table_from_grid
from matcher.io.rows import Row
from matcher.io.spreadsheet import add_sheet, csv_bytes, new_workbook, workbook_bytes
from matcher.io.workbook import sheet_label
from matcher.validate import repeat_message, repeats, support_pair_findings

__all__ = ["PAIRING_COLUMNS", "pairing_csv", "pairing_xlsx", "read_pairing"]

PAIRING_COLUMNS: tuple[str, ...] = tuple(PAIRING_SHEET.columns)
"""English headers of ``pairs.csv``, in order."""


def _cells(row: Mapping[str, Any]) -> list[Any]:
    return [row.get(column) for column in PAIRING_COLUMNS]


def pairing_csv(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of ``pairs.csv``: English headers, UTF-8 with BOM."""
    return csv_bytes(PAIRING_COLUMNS, (_cells(row) for row in rows))


def pairing_xlsx(rows: Iterable[Mapping[str, Any]]) -> bytes:
    """The bytes of ``pairs.xlsx``: sheet 帮扶结对 under the Chinese headers."""
    book = new_workbook()
    headers = [info.zh[0] for info in PAIRING_SHEET.columns.values()]
    kept = {"yes": "是", "no": "否"}
    add_sheet(
        book,
        PAIRING_SHEET.zh,
        headers,
        (_cells({**row, "kept": kept.get(row.get("kept"), row.get("kept"))}) for row in rows),
    )
    return workbook_bytes(book)


def read_pairing(path: str | Path, limits: ReadLimits | None = None) -> list[SupportPair]:
    """Read a pairing written by ``matcher pair`` (or one with just its first three columns).

    Parameters
    ----------
    path
        ``pairs.csv`` or ``pairs.xlsx`` (its sheet 帮扶结对/``pairing``, else the first).
    limits
        Bounds on the work of reading (default: none).

    Returns
    -------
    list of SupportPair
        In file order.  Ids are not checked against a dataset: a previous
        pairing may name volunteers who have left.

    Raises
    ------
    DataError
        For a missing or unreadable file, missing columns, a household twice,
        a backup who is the primary; every issue by file, row and column.
    """
    budget = ReadBudget(limits)
    path = Path(path)
    if not path.is_file():
        raise DataError.at(str(path), _("no such file"))
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        wanted = (header_key(PAIRING_SHEET.name), header_key(PAIRING_SHEET.zh))

        def choose(names: list[str]) -> list[str]:
            found = [n for n in names if header_key(n) in wanted]
            return found[:1] or [n for n in names if n != "说明"][:1]

        sheets = read_workbook(path, budget, choose)
        if not sheets:
            raise DataError.at(path.name, _("the workbook has no sheets"))
        chosen, grid = next(iter(sheets.items()))
        label = sheet_label(path.name, chosen)
    else:
        label, grid = path.name, read_csv_grid(path, budget)
    issues = Issues()
    table = table_from_grid(grid, label, PAIRING_SHEET, issues)
    issues.raise_if_any()
    assert table is not None
    pairs, rows = [], []
    for number, cells in table.rows:
        row = Row(table, number, cells, issues)
        pair = SupportPair(
            row.text("household_id", required=True),
            row.text("primary_id", required=True),
            row.text("backup_id") or None,
        )
        for field, message in support_pair_findings(pair):
            row.fail(field, message)
        if row.ok:
            pairs.append(pair)
            rows.append(row)
    for index, first in repeats([p.household_id for p in pairs]):
        message = repeat_message("id", "household_id", pairs[index].household_id, "pairing")
        rows[index].fail(
            "household_id",
            _("{message} (first on row {row})").format(message=message, row=rows[first].number),
        )
    issues.raise_if_any()
    return pairs
