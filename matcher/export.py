"""Result -> files in the output folder of ``matcher solve``, written atomically.

For programs: ``roster.csv``, ``roster.xlsx`` (sheet 排班表, read back by
``matcher check``) and ``summary.json``.  For people: ``roster-book.xlsx``
(:mod:`matcher.io.roster_book`), one group-chat text per day with needs,
``roster-YYYY-MM-DD.txt`` (and ``roster-untimed.txt`` for needs done at any
time), and ``messages.txt``, one message per volunteer (:mod:`matcher.io.chat`).

A run without a roster (infeasible, or no roster found in time) replaces
none of them: the last good roster stays, and the failed run's figures and
reasons go to ``summary-failed.json``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.data_warnings import problem_warnings
from matcher.domain import Problem
from matcher.io import ROSTER_COLUMNS
from matcher.io.chat import day_texts, text_file, volunteer_messages
from matcher.io.roster import roster_csv, roster_rows, roster_xlsx
from matcher.io.roster_book import roster_book
from matcher.io.write import atomic_file
from matcher.result import Candidate, Reason, Result, UnmetNeed

__all__ = [
    "BOOK_FILE",
    "FAILED_SUMMARY_FILE",
    "MESSAGES_FILE",
    "ROSTER_FILES",
    "day_text_name",
    "result_files",
    "roster_frame",
    "summary",
    "unmet_needs",
    "write_file_set",
    "write_result",
]

ROSTER_FILES = ("roster.csv", "roster.xlsx", "summary.json")
"""The files for programs, in the order they are written."""
BOOK_FILE = "roster-book.xlsx"
MESSAGES_FILE = "messages.txt"
FAILED_SUMMARY_FILE = "summary-failed.json"
_DAY_TEXT = re.compile(r"roster-(\d{4}-\d{2}-\d{2}|untimed)\.txt")
"""Names of day texts: a later run removes those it did not write (an old horizon's days)."""


def roster_frame(problem: Problem, result: Result) -> pd.DataFrame:
    """The roster as a table with the documented English columns, in roster order."""
    return pd.DataFrame(roster_rows(problem, result.assignments), columns=list(ROSTER_COLUMNS))


def _coverage(problem: Problem, result: Result, key: str) -> dict[str, dict[str, int]]:
    assigned: dict[str, int] = defaultdict(int)
    for a in result.assignments:
        assigned[a.need_id] += 1
    table: dict[str, dict[str, int]] = {}
    for need in sorted(problem.needs, key=lambda n: -n.priority if key == "priority" else 0):
        name = str(need.priority if key == "priority" else need.category)
        row = table.setdefault(
            name, {"needs": 0, "staffed": 0, "volunteers_min": 0, "volunteers_assigned": 0}
        )
        row["needs"] += 1
        row["staffed"] += int(assigned[need.id] >= need.min_volunteers)
        row["volunteers_min"] += need.min_volunteers
        row["volunteers_assigned"] += assigned[need.id]
    return table


def _load(problem: Problem, result: Result) -> list[dict[str, Any]]:
    shifts: dict[str, int] = defaultdict(int)
    minutes: dict[str, int] = defaultdict(int)
    extra: dict[tuple[str, str], int] = defaultdict(int)
    for p in problem.pairs:
        extra[(p.volunteer_id, p.need_id or f"household:{p.household_id}")] += p.extra_minutes
    for a in result.assignments:
        need = problem.need(a.need_id)
        shifts[a.volunteer_id] += 1
        minutes[a.volunteer_id] += need.duration + extra[(a.volunteer_id, need.id)]
        if need.household_id:
            minutes[a.volunteer_id] += extra[(a.volunteer_id, f"household:{need.household_id}")]
    return [
        {
            "volunteer_id": v.id,
            "name": v.name,
            "department": v.department,
            "membership": str(v.membership),
            "shifts": shifts[v.id],
            "max_shifts": v.max_shifts,
            "minutes": minutes[v.id],
            "max_minutes": v.max_minutes,
        }
        for v in problem.volunteers
    ]


def summary(problem: Problem, result: Result) -> dict[str, Any]:
    """Everything about a run as plain JSON-able data (status, objective, bound, gap first)."""
    unmet = [
        {
            "need_id": u.need_id,
            "title": u.title,
            "category": u.category,
            "priority": u.priority,
            "min_volunteers": u.min_volunteers,
            "max_volunteers": u.max_volunteers,
            "assigned": u.assigned,
            "eligible": u.eligible,
            "reasons": [
                {"code": r.code, "message": r.message, "count": r.count} for r in u.reasons
            ],
            # whom to call: the nearest volunteers not on the need, and why each is out
            "candidates": [dataclasses.asdict(c) for c in u.candidates],
        }
        for u in result.unmet
    ]
    conflict = result.conflict
    return {
        "status": str(result.status),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "runtime": round(result.runtime, 4),
        "message": result.message,
        "objective_stage": result.stages[-1].name if result.stages else "",
        "dataset": problem.name,
        "horizon": {
            "start": problem.horizon.start.isoformat(),
            "end": problem.horizon.end.isoformat(),
            "service_days": [d.isoformat() for d in problem.horizon.service_days],
            "makeup_days": [d.isoformat() for d in problem.horizon.makeup_days],
        },
        "pairs": result.pairs,
        "pruned_pairs": result.pruned_pairs,
        "coverage_score": result.coverage_score,
        "coverage_bound": result.coverage_bound,
        "stages": [
            {
                "name": s.name,
                "status": str(s.status),
                "objective": s.objective,
                "bound": s.bound,
                "gap": s.gap,
                "runtime": round(s.runtime, 4),
            }
            for s in result.stages
        ],
        "objective_terms": result.objective_terms,
        "assignments": len(result.assignments),
        "coverage_by_category": _coverage(problem, result, "category"),
        "coverage_by_priority": _coverage(problem, result, "priority"),
        "conflict": None
        if conflict is None
        else {
            "need_ids": list(conflict.need_ids),
            "volunteer_ids": list(conflict.volunteer_ids),
            "pins": [{"volunteer_id": v, "need_id": n} for v, n in conflict.pins],
            "minimal": conflict.minimal,
        },
        # every household wish (gender, language) not met on a staffed need, and why
        "unmet_wishes": [
            {
                "household_id": w.household_id,
                "need_id": w.need_id,
                "kind": w.kind,
                "wish": w.wish,
                "reasons": [
                    {"code": r.code, "message": r.message, "count": r.count} for r in w.reasons
                ],
            }
            for w in result.unmet_wishes
        ],
        "unmet_needs": [u for u in unmet if u["assigned"] < u["min_volunteers"]],
        "short_needs": [u for u in unmet if u["assigned"] >= u["min_volunteers"]],
        "load": _load(problem, result),
        "params": result.params,
        # a repair or a re-solve kept close to a published roster: how much changed
        "reference": None if result.reference is None else result.reference.as_dict(),
        # what the coordinator should look at: no availability, off-day needs, ...
        "warnings": [
            {"kind": w.kind, "index": w.index, "field": w.field, "message": w.message}
            for w in problem_warnings(
                problem, int(result.params.get("travel_minutes_default", 10) or 10)
            )
        ],
    }


def unmet_needs(summary: Mapping[str, Any]) -> tuple[UnmetNeed, ...]:
    """The unmet and short needs of a :func:`summary` (as stored), back as :class:`UnmetNeed`."""
    needs = [*summary.get("unmet_needs", ()), *summary.get("short_needs", ())]
    return tuple(
        UnmetNeed(
            need_id=need["need_id"],
            title=need["title"],
            category=need["category"],
            priority=need["priority"],
            min_volunteers=need["min_volunteers"],
            max_volunteers=need["max_volunteers"],
            assigned=need["assigned"],
            eligible=need["eligible"],
            reasons=tuple(Reason(**reason) for reason in need["reasons"]),
            candidates=tuple(
                Candidate(**{**c, "codes": tuple(c.get("codes", ()))})
                for c in need.get("candidates", ())
            ),
        )
        for need in needs
    )


def day_text_name(day: dt.date | None) -> str:
    """``roster-2026-09-19.txt``; ``roster-untimed.txt`` for needs done at any time."""
    return f"roster-{day.isoformat() if day else 'untimed'}.txt"


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def result_files(problem: Problem, result: Result) -> dict[str, bytes]:
    """Every file of a run with a roster, by name (personal data shown: for coordinators).

    Returns
    -------
    dict
        File name to content, in the order to write them.
    """
    rows = roster_rows(problem, result.assignments)
    files = {
        "roster.csv": roster_csv(rows),
        "roster.xlsx": roster_xlsx(rows),
        "summary.json": _json(summary(problem, result)),
        BOOK_FILE: roster_book(problem, result.assignments, result.unmet),
    }
    for day, messages in day_texts(problem, result.assignments).items():
        files[day_text_name(day)] = text_file(messages)
    messages = volunteer_messages(problem, result.assignments)
    files[MESSAGES_FILE] = text_file(m for parts in messages.values() for m in parts)
    return files


def _swap_in(staging: Path, out: Path, names: list[str]) -> list[Path]:
    """Move the staged files into ``out`` as one set: all of them, or none.

    The previous files are first moved aside (inside the staging folder); if
    any rename fails (a file open in Excel on Windows, a full disk), every
    file already replaced gets its previous version back before the error is
    raised, so ``roster.csv`` never stands beside another run's summary.
    """
    kept = staging / ".previous"
    kept.mkdir()
    moved: list[str] = []
    try:
        for name in names:
            if (out / name).exists():
                os.replace(out / name, kept / name)
            moved.append(name)
            os.replace(staging / name, out / name)
    except OSError:
        for name in moved:
            if (kept / name).exists():
                os.replace(kept / name, out / name)
            else:
                (out / name).unlink(missing_ok=True)
        raise
    return [out / name for name in names]


def write_file_set(out: Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write ``files`` into the folder ``out`` as one set: all of them, or none.

    Each is written into a temporary folder inside ``out`` first and renamed
    into place only when all are complete (:func:`_swap_in`), so a failure
    leaves the previous files.

    Returns
    -------
    list of Path
        The files written, in the order of ``files``.
    """
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        staging = Path(tmp)
        for name, data in files.items():
            (staging / name).write_bytes(data)
        return _swap_in(staging, out, list(files))


def write_result(
    problem: Problem, result: Result, out: str | Path, extra: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Write the files of a run into ``out`` (see the module notes), or keep the last ones.

    With a roster, every file is written into a temporary folder inside
    ``out`` first and renamed into place only when all are complete, as one
    set: a rename that fails puts every file already replaced back
    (:func:`_swap_in`), so a failure leaves the previous files; day texts of
    an earlier run that this run has no day for are removed afterwards, and
    so is an earlier ``summary-failed.json``.  Without a roster nothing is
    replaced: only ``summary-failed.json`` is written (atomically).

    ``extra`` files (a repair's ``diff.csv``) join the set written with a roster.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not result.has_roster:
        failed = out / FAILED_SUMMARY_FILE
        data = _json(summary(problem, result))
        atomic_file(failed, lambda temp: temp.write_bytes(data))
        return [failed]
    files = {**result_files(problem, result), **(extra or {})}
    written = write_file_set(out, files)
    for path in out.iterdir():
        stale_text = _DAY_TEXT.fullmatch(path.name) and path.name not in files
        if stale_text or path.name == FAILED_SUMMARY_FILE:
            path.unlink(missing_ok=True)
    return written
