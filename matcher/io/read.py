"""Reading a dataset's files into tables: CSV folders and XLSX workbooks.

Everything structural is checked here (files and sheets present, text
decodable, header row with every required column, no column twice) and
reported at once; the cells themselves are parsed later by the loader.
"""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.errors import DataError, DataIssue, DatasetTooLargeError
from matcher.io.cells import cell_text, header_key, is_blank
from matcher.io.encoding import decode_text
from matcher.io.format import MAX_ISSUES, SHEETS, SheetSpec
from matcher.io.limits import ReadBudget
from matcher.io.spreadsheet import unescape_formula
from matcher.io.workbook import Grid, read_workbook

__all__ = [
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
    """The rows of one sheet, keyed by canonical column."""

    label: str
    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]


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

    def raise_if_any(self) -> None:
        """Raise a :class:`DataError` with every issue recorded so far, if any."""
        if not self.items:
            return
        items = list(self.items)
        if self.dropped:
            items.append(DataIssue("dataset", None, None, f"... and {self.dropped} more issues"))
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
        raise DataError.at(label, f"cannot read the file: {exc.strerror or exc}") from exc
    text = decode_text(data, label)
    if not text.strip():
        raise DataError.at(label, "the file is empty; expected a header row")
    most = budget.limits.max_rows_per_sheet
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            # header + the rows allowed + one to notice there are more
            nrows=None if most is None else most + 2,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError.at(label, f"not a readable CSV file: {exc}") from exc
    grid = frame.map(unescape_formula).to_numpy(dtype=object).tolist()
    budget.declared(label, len(grid), frame.shape[1])
    budget.clock(label)
    return grid


def table_from_grid(grid: Grid, label: str, spec: SheetSpec, issues: Issues) -> Table | None:
    """Map the header row to canonical columns and collect the non-blank rows.

    Structural issues (no header, missing or doubled columns) go to ``issues``;
    the table is then None.
    """
    cells = grid
    first = next((i for i, row in enumerate(cells) if not all(map(is_blank, row))), None)
    if first is None:
        issues.add(label, None, None, "the sheet is empty; expected a header row")
        return None
    lookup = {
        header_key(alias): column for column in spec.columns for alias in spec.aliases(column)
    }
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    ok = True
    for position, raw in enumerate(cells[first]):
        header = cell_text(raw)
        column = lookup.get(header_key(header))
        if column is None:
            continue  # unknown columns are notes
        if column in positions:
            issues.add(
                label,
                first + 1,
                header,
                f"column {column} appears twice (also as {headers[column]!r}); keep one",
            )
            ok = False
        positions[column] = position
        headers[column] = header
    for column, info in spec.columns.items():
        if info.required and column not in positions:
            accepted = ", ".join(spec.aliases(column))
            issues.add(
                label,
                first + 1,
                column,
                f"missing required column {column}; accepted headers: {accepted}",
            )
            ok = False
    if not ok:
        return None
    rows = []
    for index in range(first + 1, len(cells)):
        row = {column: cells[index][position] for column, position in positions.items()}
        if not all(map(is_blank, row.values())):
            rows.append((index + 1, row))
    return Table(label, headers, rows)


def _find_csv(folder: Path, spec: SheetSpec) -> list[Path]:
    names = {f"{spec.name}.csv", f"{spec.zh}.csv"}
    return sorted(p for p in folder.iterdir() if p.name.casefold() in names and p.is_file())


def _folder_grids(path: Path, issues: Issues, budget: ReadBudget) -> dict[str, tuple[str, Grid]]:
    """The CSV files of a dataset folder, by sheet: (file name, cells)."""
    grids: dict[str, tuple[str, Grid]] = {}
    missing: list[str] = []
    for spec in SHEETS.values():
        found = _find_csv(path, spec)
        if len(found) > 1:
            issues.add(
                found[1].name,
                None,
                None,
                f"both {found[0].name} and {found[1].name} exist; keep one",
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
            f"missing required file(s) in folder {path}: {', '.join(missing)}",
        )
    return grids


def _sheet_names_by_spec(names: list[str]) -> dict[str, list[str]]:
    """For each sheet of the format, the workbook's sheets that are it (by either name)."""
    by_key = {header_key(name): name for name in names}
    return {
        spec.name: [by_key[k] for k in (header_key(spec.name), header_key(spec.zh)) if k in by_key]
        for spec in SHEETS.values()
    }


def _workbook_grids(path: Path, issues: Issues, budget: ReadBudget) -> dict[str, tuple[str, Grid]]:
    """The sheets of a dataset workbook, by sheet: (label, cells); other sheets are not read."""

    def dataset_sheets(names: list[str]) -> list[str]:
        return [name for found in _sheet_names_by_spec(names).values() for name in found]

    sheets = read_workbook(path, budget, dataset_sheets)
    grids: dict[str, tuple[str, Grid]] = {}
    missing = []
    for sheet, found in _sheet_names_by_spec(list(sheets)).items():
        spec = SHEETS[sheet]
        if len(found) > 1:
            issues.add(
                path.name, None, None, f"both sheets {found[0]} and {found[1]} exist; keep one"
            )
        elif found:
            grids[sheet] = (f"{path.name}, sheet {found[0]}", sheets[found[0]])
        elif spec.required:
            missing.append(f"{spec.name} ({spec.zh})")
    if missing:
        issues.add(
            path.name,
            None,
            None,
            f"missing required sheet(s) in workbook {path}: {', '.join(missing)}",
        )
    return grids


def read_dataset_tables(
    path: Path, budget: ReadBudget | None = None
) -> tuple[dict[str, Table], str]:
    """Read every sheet of a dataset; raise on structural problems.

    Parameters
    ----------
    path
        A folder of CSV files or an ``.xlsx``/``.xlsm`` workbook.
    budget
        What the load may read (see :class:`~matcher.io.ReadLimits`).

    Returns
    -------
    tables, name
        The tables by sheet, and the dataset's name (folder name or workbook stem).
    """
    budget = budget or ReadBudget(None)
    issues = Issues()
    if path.is_dir():
        name = path.resolve().name
        grids = _folder_grids(path, issues, budget)
    elif path.suffix.casefold() in (".xlsx", ".xlsm"):
        if not path.is_file():
            raise DataError.at(str(path), "no such workbook")
        name = path.stem
        grids = _workbook_grids(path, issues, budget)
    elif not path.exists():
        raise DataError.at(str(path), "no such folder or workbook")
    else:
        raise DataError.at(str(path), "expected a folder of CSV files or an .xlsx workbook")
    tables = {}
    for sheet, (label, grid) in grids.items():
        table = table_from_grid(grid, label, SHEETS[sheet], issues)
        if table is not None:
            tables[sheet] = table
    issues.raise_if_any()
    return tables, name
