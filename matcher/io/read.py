"""Reading a dataset's files into tables: CSV folders and XLSX workbooks.

Everything structural is checked here (files and sheets present, text
decodable, header row with every required column, no column twice) and
reported at once; the cells themselves are parsed later by the loader.

What is read past rather than refused is said as a warning: a title row or
blank rows above the header row, a column (or a file, a sheet) the format
does not know.  Nothing a coordinator typed is dropped without a word.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from matcher.errors import DataError, DataIssue, DatasetTooLargeError
from matcher.i18n import _, ngettext
from matcher.io.cells import cell_text, header_key, is_blank
from matcher.io.encoding import decode_text
from matcher.io.format import MAX_ISSUES, SHEETS, SheetSpec
from matcher.io.limits import ReadBudget
from matcher.io.spreadsheet import unescape_formula
from matcher.io.workbook import Grid, read_workbook, sheet_label

HEADER_SEARCH_ROWS = 10
"""Rows, from the first that is not blank, in which the header row is looked for."""

IGNORED_SHEETS = ("说明",)
"""Sheets of a workbook that are not data and need no warning (the template's notes)."""

__all__ = [
    "HEADER_SEARCH_ROWS",
    "IGNORED_SHEETS",
    "Grid",
    "Issues",
    "Table",
    "read_csv_grid",
    "read_dataset_tables",
    "read_workbook",
    "table_from_grid",
]


@dataclasses.dataclass
class Table:
    """The rows of one sheet, keyed by canonical column; ``header_row`` is its spreadsheet row."""

    label: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]
    header_row: int = 1


class Issues:
    """Collects issues; raises them all at once."""

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self.items: list[DataIssue] = []
        self.limit = limit
        self.dropped = 0

    def add(self, file: str, row: int | None, column: str | None, message: str) -> None:
        """Record one issue (counted only, past the limit)."""
        if len(self.items) < self.limit:
            self.items.append(DataIssue(file=file, row=row, column=column, message=message))
        else:
            self.dropped += 1

    def listed(self) -> list[DataIssue]:
        """Every issue recorded, and one that counts those past the limit."""
        items = list(self.items)
        if self.dropped:
            more = _("... and {count} more").format(count=self.dropped)
            items.append(DataIssue(_("dataset"), None, None, more))
        return items

    def raise_if_any(self) -> None:
        """Raise a :class:`DataError` with every issue recorded so far, if any."""
        if not self.items:
            return
        items = list(self.items)
        if self.dropped:
            more = _("... and {count} more issues").format(count=self.dropped)
            items.append(DataIssue(_("dataset"), None, None, more))
        raise DataError(items)


def read_csv_grid(path: Path, budget: ReadBudget | None = None) -> Grid:
    """Raw cells of a CSV file (header included), every cell a string.

    The encoding is detected (:func:`~matcher.io.encoding.decode_text`).  The
    quote that :func:`~matcher.io.spreadsheet.escape_formula` puts in front of
    text that could start a formula is taken off here, so what the project
    wrote reads back unchanged.

    Parameters
    ----------
    path
        The file.
    budget
        What the load may still read; the file is read up to one row past
        its row limit, then refused.

    Raises
    ------
    DataError
        For an unreadable file; :class:`~matcher.errors.DatasetTooLargeError`
        past a limit.
    """
    budget = budget or ReadBudget(None)
    label = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError.at(
            label, _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
        ) from exc
    text = decode_text(data, label)
    if not text.strip():
        raise DataError.at(label, _("the file is empty; expected a header row"))
    most = budget.limits.max_rows_per_sheet
    # header + the rows allowed + one to notice there are more
    nrows = None if most is None else most + 2

    def read(names: range | None) -> pd.DataFrame:
        return pd.read_csv(
            io.StringIO(text),
            header=None,
            names=names,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            nrows=nrows,
        )

    try:
        try:
            frame = read(None)
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            # pandas takes the width from the first line, so a short title
            # line or a blank line above the headers fails; give the widest.
            records = itertools.islice(csv.reader(io.StringIO(text)), nrows)
            frame = read(range(max((len(record) for record in records), default=1)))
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise DataError.at(
            label, _("not a readable CSV file: {reason}").format(reason=exc)
        ) from exc
    grid = frame.map(unescape_formula).to_numpy(dtype=object).tolist()
    budget.declared(label, len(grid), frame.shape[1])
    budget.clock(label)
    return grid


def _header_row(cells: Grid, first: int, lookup: dict[str, str], spec: SheetSpec) -> int:
    """Index of the header row: the first that names every required column.

    Coordinators put a title (``社区A志愿者名单``) or blank rows above the
    headers.  Failing a row with every required column, the row naming the
    most columns of the sheet (so the missing ones are reported there), or
    the first row that is not blank when no row names any.
    """
    required = {column for column, info in spec.columns.items() if info.required}
    best, best_count = first, 0
    for index in range(first, min(len(cells), first + HEADER_SEARCH_ROWS)):
        named = {lookup.get(header_key(cell_text(raw))) for raw in cells[index]} - {None}
        if required <= named:
            return index
        if len(named) > best_count:
            best, best_count = index, len(named)
    return best


def _rows_above_note(cells: Grid, header: int) -> str:
    """What a warning says of the rows above the header row."""
    skipped = []
    for index in range(header):
        text = " ".join(cell_text(raw) for raw in cells[index] if not is_blank(raw))
        if text:
            shown = text if len(text) <= 40 else text[:39] + "…"
            skipped.append(_("{row} ({text})").format(row=index + 1, text=shown))
    if not skipped:
        return _("the rows above it are blank")
    return ngettext("row {rows} ignored", "rows {rows} ignored", len(skipped)).format(
        rows=", ".join(skipped)
    )


def _unknown_column(cells: Grid, header: int, position: int, label: str, warnings: Issues) -> None:
    """Warn of a column the format does not know (a header-less one only if it has cells)."""
    text = cell_text(cells[header][position])
    if text:
        warnings.add(label, None, text, _("not part of the format and was ignored"))
    elif any(not is_blank(row[position]) for row in cells[header + 1 :]):
        letter = get_column_letter(position + 1)
        warnings.add(label, None, letter, _("has cells but no header and was ignored"))


def table_from_grid(
    grid: Grid, label: str, spec: SheetSpec, issues: Issues, warnings: Issues | None = None
) -> Table | None:
    """Find the header row, map it to canonical columns and collect the non-blank rows.

    Structural issues (no header, missing or doubled columns) go to ``issues``;
    the table is then None.  ``warnings`` (when given) gets what was read past:
    rows above the header row and columns the format does not know.  Row
    numbers stay the spreadsheet's own.
    """
    cells = grid
    warnings = warnings if warnings is not None else Issues()
    first = next((i for i, row in enumerate(cells) if not all(map(is_blank, row))), None)
    if first is None:
        issues.add(label, None, None, _("the sheet is empty; expected a header row"))
        return None
    lookup = {
        header_key(alias): column for column in spec.columns for alias in spec.aliases(column)
    }
    header_row = _header_row(cells, first, lookup, spec)
    if header_row > 0:
        note = _rows_above_note(cells, header_row)
        found = _("headers found on row {row}; {note}").format(row=header_row + 1, note=note)
        warnings.add(label, None, None, found)
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ok = True
    for position, raw in enumerate(cells[header_row]):
        header = cell_text(raw)
        column = lookup.get(header_key(header))
        if column is None:
            _unknown_column(cells, header_row, position, label, warnings)
            continue
        if column in positions:
            issues.add(
                label,
                header_row + 1,
                header,
                _("column {column} appears twice (also as {other!r}); keep one").format(
                    column=column, other=headers[column]
                ),
            )
            ok = False
        positions[column] = position
        headers[column] = header
    for column, info in spec.columns.items():
        if info.required and column not in positions:
            accepted = ", ".join(spec.aliases(column))
            issues.add(
                label,
                header_row + 1,
                column,
                _("missing required column {column}; accepted headers: {accepted}").format(
                    column=column, accepted=accepted
                ),
            )
            ok = False
    if not ok:
        return None
    rows = []
    for index in range(header_row + 1, len(cells)):
        row = {column: cells[index][position] for column, position in positions.items()}
        if not all(map(is_blank, row.values())):
            rows.append((index + 1, row))
    return Table(label, headers, rows, header_row + 1)


def _find_csv(folder: Path, spec: SheetSpec) -> list[Path]:
    names = {f"{spec.name}.csv", f"{spec.zh}.csv"}
    return sorted(p for p in folder.iterdir() if p.name.casefold() in names and p.is_file())


def _folder_grids(
    path: Path, issues: Issues, budget: ReadBudget, warnings: Issues
) -> dict[str, tuple[str, Grid]]:
    """The CSV files of a dataset folder, by sheet: (file name, cells).

    Other CSV files are warned of (a misspelt ``volunter.csv`` would be
    missed otherwise); files of other kinds are the coordinator's own.
    """
    grids: dict[str, tuple[str, Grid]] = {}
    missing: list[str] = []
    known = {f"{spec.name}.csv" for spec in SHEETS.values()} | {
        f"{spec.zh}.csv" for spec in SHEETS.values()
    }
    for other in sorted(path.iterdir()):
        if other.suffix.casefold() == ".csv" and other.name.casefold() not in known:
            warnings.add(other.name, None, None, _("not a file of the format; it was not read"))
    for spec in SHEETS.values():
        found = _find_csv(path, spec)
        if len(found) > 1:
            issues.add(
                found[1].name,
                None,
                None,
                _("both {one} and {other} exist; keep one").format(
                    one=found[0].name, other=found[1].name
                ),
            )
        elif found:
            try:
                grids[spec.name] = (found[0].name, read_csv_grid(found[0], budget))
            except DatasetTooLargeError:
                raise  # stop now: reading on is the work the limit is there to prevent
            except DataError as exc:
                for issue in exc.issues:
                    issues.add(issue.file, issue.row, issue.column, issue.message)
        elif spec.required:
            missing.append(f"{spec.name}.csv ({spec.zh}.csv)")
    if missing:
        issues.add(
            str(path),
            None,
            None,
            _("missing required file(s) in folder {folder}: {missing}").format(
                folder=path, missing=", ".join(missing)
            ),
        )
    return grids


def _sheet_names_by_spec(names: list[str]) -> dict[str, list[str]]:
    """For each sheet of the format, the workbook's sheets that are it (by either name)."""
    by_key = {header_key(name): name for name in names}
    return {
        spec.name: [by_key[k] for k in (header_key(spec.name), header_key(spec.zh)) if k in by_key]
        for spec in SHEETS.values()
    }


def _workbook_grids(
    path: Path, issues: Issues, budget: ReadBudget, warnings: Issues
) -> dict[str, tuple[str, Grid]]:
    """The sheets of a dataset workbook, by sheet: (label, cells).

    Other sheets are not read, and warned of unless they are notes
    (:data:`IGNORED_SHEETS`).
    """
    all_names: list[str] = []

    def dataset_sheets(names: list[str]) -> list[str]:
        all_names[:] = names
        return [name for found in _sheet_names_by_spec(names).values() for name in found]

    sheets = read_workbook(path, budget, dataset_sheets)
    for name in all_names:
        if name not in sheets and name not in IGNORED_SHEETS:
            warnings.add(
                sheet_label(path.name, name),
                None,
                None,
                _("not a sheet of the format; it was not read"),
            )
    grids: dict[str, tuple[str, Grid]] = {}
    missing = []
    for sheet, found in _sheet_names_by_spec(list(sheets)).items():
        spec = SHEETS[sheet]
        if len(found) > 1:
            issues.add(
                path.name,
                None,
                None,
                _("both sheets {one} and {other} exist; keep one").format(
                    one=found[0], other=found[1]
                ),
            )
        elif found:
            grids[sheet] = (sheet_label(path.name, found[0]), sheets[found[0]])
        elif spec.required:
            missing.append(f"{spec.name} ({spec.zh})")
    if missing:
        issues.add(
            path.name,
            None,
            None,
            _("missing required sheet(s) in workbook {workbook}: {missing}").format(
                workbook=path, missing=", ".join(missing)
            ),
        )
    return grids


def read_dataset_tables(
    path: Path, budget: ReadBudget | None = None, warnings: Issues | None = None
) -> tuple[dict[str, Table], str]:
    """Read every sheet of a dataset; raise on structural problems.

    Parameters
    ----------
    path
        A folder of CSV files or an ``.xlsx``/``.xlsm`` workbook.
    budget
        What the load may read (see :class:`~matcher.io.ReadLimits`).
    warnings
        Gets what was read past (rows above a header row, unknown columns,
        files and sheets); warnings do not stop the load.

    Returns
    -------
    tables, name
        The tables by sheet, and the dataset's name (folder name or workbook stem).
    """
    budget = budget or ReadBudget(None)
    issues = Issues()
    warnings = warnings if warnings is not None else Issues()
    if path.is_dir():
        name = path.resolve().name
        grids = _folder_grids(path, issues, budget, warnings)
    elif path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise DataError.at(str(path), _("no such workbook"))
        name = path.stem
        grids = _workbook_grids(path, issues, budget, warnings)
    elif not path.exists():
        raise DataError.at(str(path), _("no such folder or workbook"))
    else:
        raise DataError.at(str(path), _("expected a folder of CSV files or an .xlsx workbook"))
    tables = {}
    for sheet, (label, grid) in grids.items():
        table = table_from_grid(grid, label, SHEETS[sheet], issues, warnings)
        if table is not None:
            tables[sheet] = table
    issues.raise_if_any()
    return tables, name
