"""Reading XLSX workbooks within bounds: a byte-level look first, then openpyxl's stream.

openpyxl parses a whole sheet when the workbook is opened if the sheet does
not declare its size (``<dimension>``), and it reads every shared string up
front; either can take many seconds on a small, well-compressed file (issue 9,
defect 2: 215 KB, 600,000 cells, 27 s).  So before openpyxl sees the file,
:func:`scan_workbook` reads each sheet's XML as bytes, a chunk at a time,
and counts rows and cells against the :class:`~matcher.io.limits.ReadBudget`
(a declared size is checked before any row); only a workbook inside the
bounds is then opened, read-only, and streamed row by row, still counted.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils import column_index_from_string
from openpyxl.utils.exceptions import InvalidFileException

from matcher.errors import DataError
from matcher.i18n import _
from matcher.io.limits import ReadBudget

__all__ = ["Grid", "read_workbook", "scan_workbook", "sheet_label"]

Grid = list[list[Any]]
"""The raw cells of one sheet, header included, every row equally wide."""

# What openpyxl and zipfile raise for a file that is not a workbook or is damaged inside.
_UNREADABLE = (
    zipfile.BadZipFile,
    InvalidFileException,
    ParseError,
    OSError,
    ValueError,
    KeyError,
    TypeError,
)

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Tags may carry a namespace prefix (<x:row>, as some .NET writers do).
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)[\s>/]")
_STRING = re.compile(rb"<(?:\w+:)?(si)[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_CHUNK = 1 << 20
_OVERLAP = 64  # longer than any tag counted, so none is missed or counted twice at a seam


def sheet_label(file: str, sheet: str) -> str:
    """How messages name a sheet of a workbook: ``data.xlsx, sheet 志愿者``."""
    return _("{file}, sheet {sheet}").format(file=file, sheet=sheet)


def _unreadable(exc: Exception) -> str:
    return _("not a readable .xlsx workbook: {reason}").format(reason=exc)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each worksheet's name and the path of its XML inside the archive."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{_RELS}Relationship")}
    parts = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(_REL_ID))
        if not target:
            continue
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        parts[sheet.get("name", "")] = posixpath.normpath(part)
    return parts


def _count_tags(
    archive: zipfile.ZipFile,
    part: str,
    pattern: re.Pattern[bytes],
    each: Callable[[Counter[bytes]], None],
) -> None:
    """Stream ``part`` a chunk at a time; after each, call ``each`` with the tags counted so far.

    ``each`` raises to stop early, so a file far past a bound is not read to its end.
    """
    counts: Counter[bytes] = Counter()
    tail = b""
    with archive.open(part) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = tail + chunk
            # Matches that start in the last bytes are left for the next chunk,
            # which then sees them whole.
            limit = len(data) if not chunk else max(len(data) - _OVERLAP, 0)
            counts.update(m.group(1) for m in pattern.finditer(data) if m.start() < limit)
            tail = data[limit:]
            each(counts)
            if not chunk:
                return


def _scan_sheet(
    archive: zipfile.ZipFile, part: str, label: str, budget: ReadBudget, cells_before: int
) -> int:
    """Check one sheet's declared size, rows and cells; return its cells."""
    with archive.open(part) as stream:
        head = stream.read(64 * 1024)
    if match := _DIMENSION.search(head):
        _first_column, first_row, last_column, last_row = match.groups()
        if last_row is not None:
            rows = int(last_row) - int(first_row) + 1
            columns = column_index_from_string(last_column.decode())
            budget.check(label, rows=rows - 1, cells=cells_before + rows * columns)
    cells = 0

    def check(counts: Counter[bytes]) -> None:
        nonlocal cells
        cells = counts[b"c"]
        budget.check(label, rows=counts[b"row"] - 1, cells=cells_before + cells)
        budget.clock(label)

    _count_tags(archive, part, _ROW_OR_CELL, check)
    return cells


def scan_workbook(
    path: Path, budget: ReadBudget, select: Callable[[list[str]], list[str]] | None = None
) -> None:
    """Refuse a workbook whose sheets pass a bound, reading their XML as bytes only.

    Parameters
    ----------
    path
        The workbook.
    budget
        The bounds; the cells counted here are not charged (the stream that
        follows charges them).
    select
        Given every sheet name, the names that will be read (default: all).

    Raises
    ------
    DatasetTooLargeError
        When the unpacked size of the parts to be read, a sheet's declared
        size, its rows or its cells, or the shared strings of the workbook,
        pass a bound.
    """
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        parts = _sheet_parts(archive)
        chosen = set(select(list(parts)) if select else parts)
        read = {"xl/sharedStrings.xml"} | {p for n, p in parts.items() if n in chosen}
        # the sizes the archive declares are checked before a byte is unpacked; zipfile
        # refuses to unpack more than a member declares, so they cannot lie to us
        budget.unpacked(
            path.name, sum(i.file_size for i in archive.infolist() if i.filename in read)
        )
        if "xl/sharedStrings.xml" in names:
            # Every shared string is read when the workbook opens; a real
            # workbook has no more of them than cells.
            label = _("{file}, shared strings").format(file=path.name)

            def check_strings(counts: Counter[bytes]) -> None:
                budget.check(label, cells=counts[b"si"])
                budget.clock(label)

            _count_tags(archive, "xl/sharedStrings.xml", _STRING, check_strings)
        cells = 0
        for name, part in parts.items():
            if name in chosen and part in names:
                label = sheet_label(path.name, name)
                cells += _scan_sheet(archive, part, label, budget, cells)


def _cell_value(cell: Any) -> Any:
    """A cell of an openpyxl read-only sheet as pandas' ``read_excel`` gave it.

    Kept to the letter (empty as ``""``, errors such as ``#N/A`` as blank,
    whole floats as int) so that reading without pandas changed no value.
    """
    if cell.value is None:
        return ""
    if cell.data_type == "e":
        return math.nan
    if cell.data_type == "n":
        whole = int(cell.value)
        return whole if whole == cell.value else float(cell.value)
    return cell.value


def _sheet_grid(sheet: Any, label: str, budget: ReadBudget) -> Grid:
    """The cells of one read-only worksheet, counted against ``budget`` row by row."""
    budget.declared(label, sheet.max_row, sheet.max_column)
    # The declared size may be wrong (some writers get it wrong); read what
    # is there, counting as we go, as pandas did.
    sheet.reset_dimensions()
    grid: Grid = []
    last_with_data = -1
    for number, row in enumerate(sheet.rows, start=1):
        budget.row(label, number, len(row))
        values = [_cell_value(cell) for cell in row]
        while values and values[-1] == "":
            values.pop()
        if values:
            last_with_data = number - 1
        grid.append(values)
    grid = grid[: last_with_data + 1]
    width = max((len(values) for values in grid), default=0)
    return [values + [""] * (width - len(values)) for values in grid]


def read_workbook(
    path: Path,
    budget: ReadBudget | None = None,
    select: Callable[[list[str]], list[str]] | None = None,
) -> dict[str, Grid]:
    """Raw cells of the sheets of an XLSX workbook, within the bounds of ``budget``.

    Parameters
    ----------
    path
        The workbook.
    budget
        What the load may still read (see :class:`~matcher.io.ReadLimits`).
    select
        Given every sheet name, the names to read (default: all), so a big
        sheet the dataset does not use costs nothing.

    Returns
    -------
    dict of str to Grid
        Every sheet read, by name, in workbook order.

    Raises
    ------
    DataError
        For a missing or unreadable file; :class:`~matcher.errors.DatasetTooLargeError`
        as soon as a limit is passed.
    """
    budget = budget or ReadBudget(None)
    if not path.is_file():
        raise DataError.at(path.name, _("no such file"))
    try:
        if budget.bounded:
            scan_workbook(path, budget, select)
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except DataError:
        raise  # a bound passed (DatasetTooLargeError is a ValueError too)
    except _UNREADABLE as exc:
        raise DataError.at(path.name, _unreadable(exc)) from exc
    try:
        names = [sheet.title for sheet in book.worksheets]
        chosen = set(select(names) if select else names)
        return {
            name: _sheet_grid(book[name], sheet_label(path.name, name), budget)
            for name in names
            if name in chosen
        }
    except DataError:
        raise
    except _UNREADABLE as exc:
        raise DataError.at(path.name, _unreadable(exc)) from exc
    finally:
        book.close()
