"""The cells of every CSV and XLSX file the project writes, in one place.

Datasets, the template, ``roster.csv``/``roster.xlsx`` from ``matcher solve``
and the service's roster export all write their rows through
:func:`csv_bytes` and :func:`append_row`, so how a cell is written (its text,
its type) is decided here once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from matcher.io.cells import cell_text

__all__ = [
    "add_sheet",
    "append_row",
    "autofit",
    "csv_bytes",
    "new_workbook",
    "workbook_bytes",
]


def csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, line_end: str = "\r\n"
) -> bytes:
    """A CSV file as UTF-8 with BOM (so Excel opens Chinese text right).

    Parameters
    ----------
    header
        The header row.
    rows
        The data rows; None is an empty cell, numbers are written as numbers.
    line_end
        The line terminator (``\\r\\n`` as Excel writes, or ``\\n``).

    Returns
    -------
    bytes
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=line_end)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else cell_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def new_workbook() -> Workbook:
    """An openpyxl workbook without its default empty sheet."""
    book = Workbook()
    book.remove(book.active)
    return book


def append_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append one row of values to an openpyxl worksheet.

    Parameters
    ----------
    sheet
        The worksheet.
    values
        Text, numbers, booleans or None (an empty cell).
    """
    sheet.append(list(values))


def add_sheet(
    book: Workbook, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    """Add a sheet with a bold, frozen header row and columns as wide as their text.

    Parameters
    ----------
    book
        The workbook.
    title
        The sheet's name.
    header
        The header row.
    rows
        The data rows (see :func:`append_row`).

    Returns
    -------
    Worksheet
        The new sheet.
    """
    sheet = book.create_sheet(title)
    append_row(sheet, header)
    for values in rows:
        append_row(sheet, values)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    autofit(sheet)
    return sheet


def workbook_bytes(book: Workbook) -> bytes:
    """The ``.xlsx`` file of an openpyxl workbook."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def autofit(sheet: Worksheet) -> None:
    """Widen the columns of an openpyxl worksheet to their contents (roughly).

    Characters from CJK on count twice: they are about twice as wide.
    """
    for column in sheet.columns:
        width = max((len(cell_text(cell.value)) for cell in column), default=0)
        wide = max(
            (sum(1 for ch in cell_text(cell.value) if ord(ch) > 0x2E80) for cell in column),
            default=0,
        )
        sheet.column_dimensions[column[0].column_letter].width = min(60, width + wide + 2)
