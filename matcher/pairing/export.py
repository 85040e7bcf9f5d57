"""A pairing's output folder: the files ``matcher pair`` writes, as one set.

For programs and people alike: ``pairs.csv`` (English headers, read back by
``--previous``) and ``pairs.xlsx`` (the same rows under Chinese headers),
``unpaired.csv`` (reasons and whom to ask), ``changes.csv`` (against the
previous pairing, with reasons), ``continuity.csv`` (visits over the term)
and ``summary.json``.  Texts are in the language in force.  Every file is
written into a staging folder first and swapped in together
(:func:`matcher.export.write_file_set`), so a failure leaves the last set.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from matcher.domain import Problem, SupportPair
from matcher.export import write_file_set
from matcher.io.pairing_file import pairing_csv, pairing_xlsx
from matcher.io.spreadsheet import csv_bytes
from matcher.pairing.changes import Change, pairing_changes
from matcher.pairing.report import (
    Continuity,
    Unpaired,
    continuity,
    continuity_summary,
    unpaired_households,
)
from matcher.pairing.rules import PairingScreen
from matcher.pairing.solve import PairingParams, PairingResult

PAIRING_FILES = (
    "pairs.csv",
    "pairs.xlsx",
    "unpaired.csv",
    "changes.csv",
    "continuity.csv",
    "summary.json",
)
"""The files of a pairing's output folder, in the order they are written."""

UNPAIRED_COLUMNS = ("household_id", "missing", "code", "reason", "compatible", "nearest")
CHANGE_COLUMNS = ("household_id", "role", "previous_id", "new_id", "code", "reason")
CONTINUITY_COLUMNS = (
    "household_id",
    "primary_id",
    "backup_id",
    "visits",
    "by_primary",
    "by_backup",
    "by_others",
    "primary_share",
    "distinct_volunteers",
    "kept",
    "past_visits",
)


@dataclasses.dataclass(frozen=True)
class PairingReport:
    """Everything about a pairing that the files say."""

    result: PairingResult
    unpaired: tuple[Unpaired, ...]
    changes: tuple[Change, ...]
    continuity: tuple[Continuity, ...]
    previous: tuple[SupportPair, ...]
    params: PairingParams


def pairing_report(
    problem: Problem,
    result: PairingResult,
    screen: PairingScreen,
    previous: Sequence[SupportPair] = (),
    params: PairingParams | None = None,
) -> PairingReport:
    """Unpaired households, changes and continuity of a pairing (:mod:`matcher.pairing.report`)."""
    params = params or PairingParams()
    return PairingReport(
        result=result,
        unpaired=tuple(unpaired_households(problem, result.pairs, screen)),
        changes=tuple(pairing_changes(problem, previous, result.pairs, screen)) if previous else (),
        continuity=tuple(continuity(problem, result.pairs, screen, params.weeks, previous)),
        previous=tuple(previous),
        params=params,
    )


def pair_rows(
    problem: Problem, report: PairingReport, screen: PairingScreen
) -> list[dict[str, Any]]:
    """The rows of ``pairs.csv``: ids, names, priority, whether kept, and the fit terms."""
    before = {p.household_id: p.primary_id for p in report.previous}
    index = problem.volunteer_index
    rows = []
    for pair in report.result.pairs:
        household = problem.household_by_id[pair.household_id]
        row: dict[str, Any] = {
            "household_id": pair.household_id,
            "primary_id": pair.primary_id,
            "backup_id": pair.backup_id or "",
            "household": household.notes.split("，")[0][:30],
            "priority": household.priority,
            "primary_name": problem.volunteer(pair.primary_id).name,
            "backup_name": problem.volunteer(pair.backup_id).name if pair.backup_id else "",
            "kept": ("yes" if before.get(pair.household_id) == pair.primary_id else "no")
            if report.previous
            else "",
        }
        for role, volunteer_id in (("primary", pair.primary_id), ("backup", pair.backup_id)):
            if volunteer_id is None:
                continue
            fit = screen.fit(household, np.array([index[volunteer_id]]))
            row[f"{role}_fit"] = int(fit.score[0])
            row[f"{role}_travel"] = int(fit.travel[0])
            if role == "primary":
                row["primary_affinity"] = int(fit.affinity[0])
                row["primary_preference"] = int(fit.preference[0])
        rows.append(row)
    return rows


def summary(problem: Problem, report: PairingReport) -> dict[str, Any]:
    """Everything about a pairing as plain JSON-able data (status, objective, bound, gap first)."""
    result = report.result
    supported = [h for h in problem.households if h.one_to_one]
    return {
        "status": str(result.status),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "runtime": round(result.runtime, 4),
        "message": result.message,
        "dataset": problem.name,
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
        "objective_by_stage": result.objective_by_stage,
        "households": len(supported),
        "paired": len(result.pairs),
        "with_backup": sum(1 for p in result.pairs if p.backup_id),
        "unpaired": sum(1 for u in report.unpaired if u.missing == "primary"),
        "without_backup": sum(1 for u in report.unpaired if u.missing == "backup"),
        "candidate_pairs": result.candidate_pairs,
        "pruned_pairs": result.pruned_pairs,
        "changes": len(report.changes),
        "changes_by_reason": _counts(c.code for c in report.changes),
        "unpaired_by_reason": _counts(u.code for u in report.unpaired),
        "term": {
            "start": problem.horizon.start.isoformat(),
            "weeks": report.params.weeks,
        },
        "continuity": continuity_summary(report.continuity),
        "params": dataclasses.asdict(report.params),
    }


def _counts(codes: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for code in codes:
        out[code] = out.get(code, 0) + 1
    return out


def pairing_files(
    problem: Problem, report: PairingReport, screen: PairingScreen
) -> dict[str, bytes]:
    """Every file of a pairing's output folder, by name, in :data:`PAIRING_FILES` order."""
    rows = pair_rows(problem, report, screen)
    unpaired = [
        [
            u.household_id,
            u.missing,
            u.code,
            u.reason,
            u.compatible,
            "；".join(f"{n.volunteer_id} {n.name}：{n.message}" for n in u.nearest),
        ]
        for u in report.unpaired
    ]
    changes = [
        [c.household_id, c.role, c.previous_id or "", c.new_id or "", c.code, c.reason]
        for c in report.changes
    ]
    continuity_rows = [
        [
            c.household_id,
            c.primary_id or "",
            c.backup_id or "",
            c.visits,
            c.by_primary,
            c.by_backup,
            c.by_others,
            round(c.primary_share, 4),
            c.distinct_volunteers,
            "yes" if c.kept else "no",
            c.past_visits,
        ]
        for c in report.continuity
    ]
    data = json.dumps(summary(problem, report), ensure_ascii=False, indent=2)
    return {
        "pairs.csv": pairing_csv(rows),
        "pairs.xlsx": pairing_xlsx(rows),
        "unpaired.csv": csv_bytes(UNPAIRED_COLUMNS, unpaired),
        "changes.csv": csv_bytes(CHANGE_COLUMNS, changes),
        "continuity.csv": csv_bytes(CONTINUITY_COLUMNS, continuity_rows),
        "summary.json": data.encode("utf-8"),
    }


def write_pairing(
    problem: Problem, report: PairingReport, screen: PairingScreen, out: str | Path
) -> list[Path]:
    """Write a pairing's files into ``out`` as one set (see the module notes)."""
    return write_file_set(Path(out), pairing_files(problem, report, screen))
