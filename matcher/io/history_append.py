"""Appending entries to a dataset's history, in place and atomically.

``matcher attendance import`` adds what happened to the history the roster
engine reads (:class:`~matcher.domain.HistoryEntry`).  Only the history is
touched: the coordinator's other files and sheets, their encodings, titles
and formatting stay as they are.  In a folder the history CSV (``history.csv``
or ``历史记录.csv``) is rewritten whole through a temporary file and renamed
into place (UTF-8 with BOM, every existing row kept as it was); in a workbook
the history sheet gets the new rows below its last one and the workbook is
saved through a temporary file.  A failure leaves the dataset as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from matcher.domain import HistoryEntry
from matcher.errors import DataError
from matcher.i18n import _
from matcher.io.cells import cell_text, header_key, is_blank
from matcher.io.format import ENUM_WORDS, SHEETS
from matcher.io.read import Grid, Issues, read_csv_grid, table_from_grid
from matcher.io.spreadsheet import csv_bytes, is_formula_like
from matcher.io.workbook import sheet_label
from matcher.io.write import atomic_file

__all__ = ["append_history"]

_SPEC = SHEETS["history"]


def _hours(minutes: int) -> int | float:
    """Hours as the history sheet holds them; two decimals read back the same minutes."""
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def _values(entry: HistoryEntry, chinese: bool) -> dict[str, Any]:
    """The cells of one entry by column, in the words of the sheet's headers."""
    category: str | None = None
    if entry.category is not None:
        category = (
            ENUM_WORDS[type(entry.category)][entry.category][0] if chinese else entry.category.value
        )
    yes, no = ("是", "否") if chinese else ("yes", "no")
    attended = yes if entry.attended else no
    return {
        "volunteer_id": entry.volunteer_id,
        "date": entry.date.isoformat(),
        "need_id": entry.need_id,
        "household_id": entry.household_id,
        "category": category,
        "hours": _hours(entry.minutes),
        "attended": attended,
    }


def _positions(grid: Grid, label: str) -> tuple[dict[str, int], bool]:
    """Each column's position in the header row, and whether the headers are Chinese.

    Raises
    ------
    DataError
        When the sheet has no usable header row (missing or doubled columns).
    """
    issues = Issues()
    table = table_from_grid(grid, label, _SPEC, issues)
    issues.raise_if_any()
    assert table is not None
    header = table.header_row - 1
    lookup = {
        header_key(alias): column for column in _SPEC.columns for alias in _SPEC.aliases(column)
    }
    positions = {}
    for position, raw in enumerate(grid[header]):
        column = lookup.get(header_key(cell_text(raw)))
        if column is not None:
            positions[column] = position
    chinese = any(header_key(table.headers[c]) != header_key(c) for c in table.headers)
    return positions, chinese


def _row(entry: HistoryEntry, positions: dict[str, int], chinese: bool) -> list[Any]:
    values = _values(entry, chinese)
    cells: list[Any] = [None] * (max(positions.values()) + 1)
    for column, position in positions.items():
        cells[position] = values[column]
    return cells


def _new_layout(chinese: bool) -> tuple[list[str], dict[str, int]]:
    """Headers and positions of a history sheet made from nothing."""
    headers = [info.zh[0] if chinese else column for column, info in _SPEC.columns.items()]
    return headers, {column: index for index, column in enumerate(_SPEC.columns)}


def _last_filled(grid: Grid) -> int:
    """Index of the last row with a cell in it (-1 for none)."""
    for index in range(len(grid) - 1, -1, -1):
        if not all(map(is_blank, grid[index])):
            return index
    return -1


def _append_to_folder(folder: Path, entries: Sequence[HistoryEntry]) -> Path:
    names = {f"{_SPEC.name}.csv", f"{_SPEC.zh}.csv"}
    found = sorted(p for p in folder.iterdir() if p.name.casefold() in names and p.is_file())
    if len(found) > 1:
        raise DataError.at(
            found[1].name,
            _("both {one} and {other} exist; keep one").format(
                one=found[0].name, other=found[1].name
            ),
        )
    if found:
        target = found[0]
        grid = read_csv_grid(target)
        positions, chinese = _positions(grid, target.name)
        kept = [list(row) for row in grid[: _last_filled(grid) + 1]]
    else:
        # a folder of Chinese-named files gets a Chinese history
        chinese = not (folder / "volunteers.csv").exists() and any(
            p.name == f"{SHEETS['volunteers'].zh}.csv" for p in folder.iterdir()
        )
        target = folder / (f"{_SPEC.zh}.csv" if chinese else f"{_SPEC.name}.csv")
        headers, positions = _new_layout(chinese)
        kept = [list(headers)]
    rows = kept + [_row(entry, positions, chinese) for entry in entries]
    width = max(len(row) for row in rows)
    rows = [
        [None if is_blank(cell) else cell for cell in row] + [None] * (width - len(row))
        for row in rows
    ]
    data = csv_bytes(rows[0], rows[1:])
    atomic_file(target, lambda temp: temp.write_bytes(data))
    return target


def _history_sheet(names: list[str]) -> str | None:
    wanted = {header_key(_SPEC.name), header_key(_SPEC.zh)}
    found = [name for name in names if header_key(name) in wanted]
    return found[0] if found else None


def _write_cells(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write one row of values at ``row`` (1-based); text that looks like a formula stays text."""
    for column, value in enumerate(values, start=1):
        if value is None:
            continue
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True


def _append_to_workbook(path: Path, entries: Sequence[HistoryEntry]) -> Path:
    try:
        book = load_workbook(path, keep_vba=path.suffix.casefold() == ".xlsm")
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise DataError.at(
            path.name, _("cannot open the workbook: {reason}").format(reason=exc)
        ) from exc
    name = _history_sheet(book.sheetnames)
    if name is not None:
        sheet = book[name]
        grid: Grid = [list(row) for row in sheet.iter_rows(values_only=True)]
        positions, chinese = _positions(grid, sheet_label(path.name, name))
        next_row = _last_filled(grid) + 2
    else:
        chinese = not any(header_key(n) == "volunteers" for n in book.sheetnames)
        sheet = book.create_sheet(_SPEC.zh if chinese else _SPEC.name)
        headers, positions = _new_layout(chinese)
        _write_cells(sheet, 1, headers)
        next_row = 2
    for offset, entry in enumerate(entries):
        _write_cells(sheet, next_row + offset, _row(entry, positions, chinese))
    atomic_file(path, lambda temp: book.save(temp))
    return path


def append_history(dataset: str | Path, entries: Sequence[HistoryEntry]) -> Path:
    """Append history entries to a dataset's history sheet, atomically.

    Parameters
    ----------
    dataset
        A dataset folder of CSV files or an ``.xlsx``/``.xlsm`` workbook.
    entries
        The entries to add, in order.  They are not checked here; the caller
        checks them against the dataset first (see
        :class:`~matcher.attendance.AttendancePlan`).

    Returns
    -------
    Path
        The file written (the history CSV of a folder, or the workbook).

    Raises
    ------
    DataError
        For a history sheet without a usable header row, or a workbook that
        cannot be opened; the dataset is then unchanged.
    OSError
        When the file cannot be written; the dataset is then unchanged.
    """
    path = Path(dataset)
    if path.is_dir():
        return _append_to_folder(path, entries)
    if path.suffix.casefold() in (".xlsx", ".xlsm") and path.is_file():
        return _append_to_workbook(path, entries)
    raise DataError.at(str(path), _("expected a folder of CSV files or an .xlsx workbook"))
