"""Result -> files: roster.csv, roster.xlsx and summary.json, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.domain import Problem
from matcher.io import ROSTER_COLUMNS
from matcher.io.roster import roster_csv, roster_rows, roster_xlsx
from matcher.result import Result


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
        }
        for u in result.unmet
    ]
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
        "unmet_needs": [u for u in unmet if u["assigned"] < u["min_volunteers"]],
        "short_needs": [u for u in unmet if u["assigned"] >= u["min_volunteers"]],
        "load": _load(problem, result),
        "params": result.params,
    }


def write_result(problem: Problem, result: Result, out: str | Path) -> list[Path]:
    """Write roster.csv, roster.xlsx and summary.json into ``out``.

    The files are written into a temporary folder first and moved into place
    only when all three are complete, so a failure leaves nothing half-written.

    Returns
    -------
    list of Path
        The files written.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rows = roster_rows(problem, result.assignments)
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        staging = Path(tmp)
        (staging / "roster.csv").write_bytes(roster_csv(rows))
        (staging / "roster.xlsx").write_bytes(roster_xlsx(rows))
        (staging / "summary.json").write_text(
            json.dumps(summary(problem, result), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        written = []
        for name in ("roster.csv", "roster.xlsx", "summary.json"):
            os.replace(staging / name, out / name)
            written.append(out / name)
    return written
