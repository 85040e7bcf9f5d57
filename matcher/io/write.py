"""Writing datasets (CSV folder or XLSX workbook) and the empty template, atomically.

:func:`write_dataset` writes what :func:`~matcher.io.load_dataset` reads back
into an equal problem; :func:`write_template` writes the workbook coordinators
fill in.  Files are written next to the target and renamed into place, so a
failure never leaves a half-written dataset.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl.styles import Font, PatternFill

from matcher.calendar import build_horizon
from matcher.domain import Horizon, Problem, Skill, format_minutes
from matcher.i18n import _
from matcher.io.cells import cell_text
from matcher.io.format import SHEETS, AvailabilityKind
from matcher.io.spreadsheet import (
    add_sheet,
    append_row,
    autofit,
    csv_bytes,
    new_workbook,
)

__all__ = ["atomic_file", "write_dataset", "write_template"]


def _cell(value: Any) -> Any:
    """A value as written: text, a whole number, or None for an empty cell."""
    if value is None or value == "" or value == ():
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ";".join(cell_text(_cell(item)) for item in value)
    if isinstance(value, Skill):
        return value.name if value.level == 1 else f"{value.name}:{value.level}"
    return value


def _hours(minutes: int) -> int | float:
    """Hours to write for ``minutes``; two decimals suffice to read back the same minutes."""
    return minutes // 60 if minutes % 60 == 0 else round(minutes / 60, 2)


def _horizon_record(horizon: Horizon) -> dict[str, Any]:
    """The horizon row that rebuilds ``horizon`` with :func:`build_horizon`."""
    base = set(build_horizon(horizon.start, horizon.end).service_days)
    festival_days = {day for day, _name in horizon.festivals}
    service = set(horizon.service_days)
    return {
        "start": horizon.start,
        "end": horizon.end,
        "extra_days": tuple(sorted(service - base - festival_days)),
        "excluded_days": tuple(sorted((base | festival_days) - service)),
        "festivals": tuple(f"{day.isoformat()}:{name}" for day, name in horizon.festivals),
    }


def _dataset_records(problem: Problem) -> dict[str, list[dict[str, Any]]]:
    """Rows of every sheet to write, keyed by canonical column."""

    def time(minutes: int | None) -> str | None:
        return format_minutes(minutes) or None

    records: dict[str, list[dict[str, Any]]] = {
        "horizon": [_horizon_record(problem.horizon)],
        "departments": [
            {"name": d.name, "fit_categories": d.fit_categories} for d in problem.departments
        ],
        "skills": [{"name": s} for s in problem.skills],
        "volunteers": [
            {
                **{f.name: getattr(v, f.name) for f in dataclasses.fields(v)},
                "max_hours": _hours(v.max_minutes),
            }
            for v in problem.volunteers
        ],
        "availability": [
            {
                "volunteer_id": w.volunteer_id,
                "date": w.date,
                "weekday": w.weekday,
                "start": time(w.start),
                "end": time(w.end),
            }
            for w in problem.availability
        ]
        + [
            {"volunteer_id": b.volunteer_id, "date": b.date, "kind": AvailabilityKind.BLACKOUT}
            for b in problem.blackouts
        ],
        "households": [
            {
                **{f.name: getattr(h, f.name) for f in dataclasses.fields(h)},
                "visit_times": tuple(f"{time(a)}-{time(b)}" for a, b in h.visit_times),
            }
            for h in problem.households
        ],
        "needs": [
            {
                **{f.name: getattr(n, f.name) for f in dataclasses.fields(n)},
                "start": time(n.start),
                "end": time(n.end),
                "duration_minutes": n.duration,
            }
            for n in problem.needs
        ],
        "pairs": [dataclasses.asdict(p) for p in problem.pairs],
        "pins": [
            {"volunteer_id": p.volunteer_id, "need_id": p.need_id, "start": time(p.start)}
            for p in problem.pins
        ],
        "history": [
            {
                **{f.name: getattr(h, f.name) for f in dataclasses.fields(h)},
                "hours": _hours(h.minutes),
            }
            for h in problem.history
        ],
        "travel": [
            {"from": t.origin, "to": t.destination, "minutes": t.minutes} for t in problem.travel
        ],
    }
    return {sheet: rows for sheet, rows in records.items() if rows or SHEETS[sheet].required}


def _sheet_rows(sheet: str, records: list[dict[str, Any]]) -> list[list[Any]]:
    """The cells of ``records`` in the sheet's documented column order."""
    return [[_cell(record.get(column)) for column in SHEETS[sheet].columns] for record in records]


def _default_mode(base: int) -> int:
    """``base`` (0o666 files, 0o777 folders) under the process umask.

    ``tempfile`` creates private files (0o600); what we rename into place should
    get the permissions a plain ``open`` would have given.
    """
    umask = os.umask(0)
    os.umask(umask)
    return base & ~umask


def atomic_file(target: Path, write: Callable[[Path], None]) -> None:
    """Write ``target`` through a temporary file next to it, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
    )
    os.close(handle)
    try:
        write(Path(temp))
        os.chmod(temp, _default_mode(0o666))
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _atomic_folder(target: Path, files: Mapping[str, bytes]) -> None:
    """Write CSV files into ``target`` through a temporary folder next to it.

    A new folder appears at once (one rename).  In an existing folder the files
    are renamed in one by one after all were written, and other dataset files
    (sheets not written, Chinese-named copies) are removed so they cannot mix
    with the new data; files that are not dataset sheets are left alone.
    """
    if target.exists() and not target.is_dir():
        raise FileExistsError(_("{path} exists and is not a folder").format(path=target))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, data in files.items():
            (temp / name).write_bytes(data)
            os.chmod(temp / name, _default_mode(0o666))
        if not target.exists():
            os.chmod(temp, _default_mode(0o777))
            os.replace(temp, target)
            return
        written = {name.casefold() for name in files}
        stale = {f"{spec.name}.csv" for spec in SHEETS.values()} | {
            f"{spec.zh}.csv" for spec in SHEETS.values()
        }
        for name in files:
            os.replace(temp / name, target / name)
        for path in target.iterdir():
            if path.name.casefold() in stale and path.name.casefold() not in written:
                path.unlink()
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def write_dataset(problem: Problem, path: str | Path) -> None:
    """Write a problem as a dataset that :func:`load_dataset` reads back.

    Parameters
    ----------
    problem
        The problem to write.  Optional sheets are written only when non-empty.
    path
        A ``.xlsx`` path (one sheet per kind, English sheet names and headers)
        or a folder (UTF-8 CSV files with BOM and English headers, which Excel
        opens with Chinese intact).  Written atomically through a temporary
        file or folder next to the target.

    Notes
    -----
    The problem read back equals ``problem`` except ``name``, which comes from
    the path, and a need's empty ``area`` when its household has one (the
    loader fills it in).
    """
    target = Path(path)
    sheets = {sheet: _sheet_rows(sheet, rows) for sheet, rows in _dataset_records(problem).items()}
    if target.suffix.casefold() == ".xlsx":

        def write(temp: Path) -> None:
            book = new_workbook()
            for sheet, rows in sheets.items():
                add_sheet(book, sheet, list(SHEETS[sheet].columns), rows)
            book.save(temp)

        atomic_file(target, write)
    else:
        files = {
            f"{sheet}.csv": csv_bytes(list(SHEETS[sheet].columns), rows)
            for sheet, rows in sheets.items()
        }
        _atomic_folder(target, files)


def write_template(path: str | Path) -> None:
    """Write an empty dataset workbook for coordinators to fill in.

    Every sheet carries its Chinese name and Chinese headers in row 1; a first
    sheet ``说明`` (ignored by the loader) lists each column with its English
    name, whether it is required and what it means.

    Parameters
    ----------
    path
        The ``.xlsx`` file to write (atomically).
    """

    def fill(temp: Path) -> None:
        book = new_workbook()
        readme = book.create_sheet("说明")
        append_row(readme, ["表 (sheet)", "列 (column)", "中文表头", "必填", "说明"])
        append_row(
            readme,
            [
                "",
                "",
                "",
                "",
                "每个表第 1 行为表头（中文或英文均可），从第 2 行起每行一条；"
                "列表用 ; 或 、 分隔；日期如 2026-10-24，时间如 09:00；本表不会被读取。",
            ],
        )
        bold = Font(bold=True)
        required_fill = PatternFill("solid", fgColor="FFF2CC")
        for spec in SHEETS.values():
            sheet = book.create_sheet(spec.zh)
            append_row(sheet, [info.zh[0] for info in spec.columns.values()])
            for cell, info in zip(sheet[1], spec.columns.values(), strict=True):
                cell.font = bold
                if info.required:
                    cell.fill = required_fill
            sheet.freeze_panes = "A2"
            autofit(sheet)
            for letter_cell, column in zip(sheet[1], spec.columns, strict=True):
                if column == "id" or column.endswith("_id") or column == "phone":
                    # text, so Excel keeps 001 and long phone numbers as typed
                    sheet.column_dimensions[letter_cell.column_letter].number_format = "@"
            sheet_note = f"{spec.zh} ({spec.name})" + ("" if spec.required else "，可选")
            for column, info in spec.columns.items():
                append_row(
                    readme,
                    [
                        sheet_note,
                        column,
                        " / ".join(info.zh),
                        "是" if info.required else "",
                        info.note,
                    ],
                )
        for cell in readme[1]:
            cell.font = bold
        readme.freeze_panes = "A2"
        autofit(readme)
        book.save(temp)

    atomic_file(Path(path), fill)
