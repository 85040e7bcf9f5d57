"""The comparison's files: ``comparison.csv``, ``.xlsx``, ``.json`` and ``.png``.

``matcher whatif DATASET SCENARIOS.toml --out DIR`` writes them as one set
(all or none replaced, :func:`matcher.ledger.files.write_files`):

==================== ============================================================
``comparison.csv``   one row per run, the base first: coverage overall, by
                     priority and by category, unmet needs, load spread and
                     assignments changed (English column names and codes, for
                     scripts, as every CSV the project writes for programs)
``comparison.xlsx``  the same table with headers in the language in force,
                     plus the unmet needs with their reasons and the
                     assignments that changed, one sheet each
``comparison.json``  everything (:func:`matcher.whatif.compare.comparison_data`)
``comparison.png``   the chart (:mod:`matcher.whatif.chart`)
==================== ============================================================

Cells go through :mod:`matcher.io.spreadsheet` (no live formulas).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from matcher.domain import NeedCategory
from matcher.i18n import N_, _
from matcher.io.spreadsheet import add_sheet, csv_bytes, new_workbook, workbook_bytes
from matcher.ledger.files import write_files

__all__ = ["COMPARISON_FILES", "comparison_files", "comparison_rows", "write_comparison"]

COMPARISON_FILES = ("comparison.csv", "comparison.xlsx", "comparison.json", "comparison.png")
"""The files of every what-if run, in the order they are written."""

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("scenario", N_("Scenario")),
    ("state", N_("State")),
    ("description", N_("What changes")),
    ("volunteers", N_("Volunteers")),
    ("needs", N_("Needs")),
    ("staffed", N_("Needs staffed")),
    ("coverage", N_("Coverage")),
    ("weighted_coverage", N_("Coverage weighted by priority")),
    ("places_filled", N_("Places filled")),
    ("places_min", N_("Places asked for")),
    ("must_cover_unmet", N_("Must-cover needs unmet")),
    ("unmet", N_("Needs unmet")),
    ("unmet_needs", N_("Unmet need ids")),
    ("serving", N_("Volunteers serving")),
    ("share_serving", N_("Share serving")),
    ("max_shifts", N_("Most shifts of one volunteer")),
    ("gini_shifts", N_("Gini of shifts")),
    ("assignments", N_("Assignments")),
    ("added", N_("Assignments added")),
    ("removed", N_("Assignments removed")),
    ("volunteers_affected", N_("Volunteers affected")),
    ("status", N_("Solver status")),
    ("runtime", N_("Runtime (s)")),
    ("issues", N_("Why it did not run")),
)
"""The fixed columns: key (the CSV header) and the header for people."""

_STATES = {
    "ok": N_("solved"),
    "invalid": N_("not built"),
    "no_roster": N_("no roster"),
}
_CATEGORY_WORDS = {
    NeedCategory.REPAIR_APPLIANCE: N_("appliance repair"),
    NeedCategory.REPAIR_VEHICLE: N_("vehicle repair"),
    NeedCategory.ELDERLY_CARE: N_("elderly care"),
    NeedCategory.HAIRCUT: N_("haircuts"),
    NeedCategory.TUTORING: N_("tutoring"),
    NeedCategory.CLEAN_UP: N_("clean-up"),
    NeedCategory.PUBLICITY: N_("publicity"),
    NeedCategory.CULTURE: N_("culture"),
    NeedCategory.MICRO_WISH: N_("micro-wishes"),
    NeedCategory.OTHER: N_("other"),
}
"""Need categories as people name them, for headers."""


def category_word(category: str) -> str:
    """A need category's name in the language in force (``义务理发``)."""
    try:
        return _(_CATEGORY_WORDS[NeedCategory(category)])
    except ValueError:
        return category


def _priorities_and_categories(data: dict[str, Any]) -> tuple[list[str], list[str]]:
    runs = [data["base"], *data["scenarios"]]
    priorities: set[str] = set()
    categories: set[str] = set()
    for run in runs:
        figures = run.get("figures")
        if figures:
            priorities |= set(figures["coverage_by_priority"])
            categories |= set(figures["coverage_by_category"])
    return sorted(priorities, reverse=True), sorted(categories)


def comparison_rows(data: dict[str, Any]) -> tuple[list[tuple[str, str]], list[list[Any]]]:
    """The side-by-side table: columns (key, header for people) and one row per run.

    Besides the fixed columns, one coverage column per priority
    (``coverage_p5`` ...) and per category (``coverage_haircut`` ...).
    """
    priorities, categories = _priorities_and_categories(data)
    columns = [(key, _(header)) for key, header in _COLUMNS]
    columns += [
        (f"coverage_p{p}", _("Coverage, priority {priority}").format(priority=p))
        for p in priorities
    ]
    columns += [
        (f"coverage_{c}", _("Coverage, {category}").format(category=category_word(c)))
        for c in categories
    ]
    rows = []
    for run in [data["base"], *data["scenarios"]]:
        figures = run.get("figures") or {}
        changes = run.get("changes") or {}
        load = figures.get("load", {})
        values: dict[str, Any] = {
            "scenario": run["name"],
            "state": run["state"],
            "description": run.get("description", ""),
            "unmet": len(figures["unmet_needs"]) if figures else None,
            "unmet_needs": "、".join(u["need_id"] for u in figures.get("unmet_needs", [])),
            "added": changes.get("added"),
            "removed": changes.get("removed"),
            "volunteers_affected": changes.get("volunteers_affected"),
            "issues": "\n".join(run.get("issues", [])),
            **{key: load.get(key) for key in ("serving", "share_serving", "max_shifts")},
            "gini_shifts": load.get("gini_shifts"),
        }
        for key, _header in _COLUMNS:
            if key not in values:
                values[key] = figures.get(key)
        for p in priorities:
            cell = figures.get("coverage_by_priority", {}).get(p)
            values[f"coverage_p{p}"] = cell["share"] if cell else None
        for c in categories:
            cell = figures.get("coverage_by_category", {}).get(c)
            values[f"coverage_{c}"] = cell["share"] if cell else None
        rows.append([values[key] for key, _header in columns])
    return columns, rows


def _unmet_sheet(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [
        _(h)
        for h in (
            N_("Scenario"),
            N_("Need"),
            N_("Title"),
            N_("Category"),
            N_("Priority"),
            N_("Must cover"),
            N_("Assigned"),
            N_("Needs at least"),
            N_("Reasons"),
        )
    ]
    rows = []
    for run in [data["base"], *data["scenarios"]]:
        for u in (run.get("figures") or {}).get("unmet_needs", []):
            rows.append(
                [
                    run["name"],
                    u["need_id"],
                    u["title"],
                    category_word(u["category"]),
                    u["priority"],
                    _("yes") if u["must_cover"] else "",
                    u["assigned"],
                    u["min_volunteers"],
                    "\n".join(u["reasons"]),
                ]
            )
    return header, rows


def _changes_sheet(data: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [_(h) for h in (N_("Scenario"), N_("Change"), N_("Need"), N_("Volunteer"), N_("Name"))]
    words = {"added": _("added"), "removed": _("removed")}
    rows = [
        [run["name"], words[c["kind"]], c["need_id"], c["volunteer_id"], c["name"]]
        for run in data["scenarios"]
        for c in (run.get("changes") or {}).get("assignments", [])
    ]
    return header, rows


def comparison_files(data: dict[str, Any]) -> dict[str, bytes]:
    """Every file of the comparison, by name, in the order to write them.

    Parameters
    ----------
    data
        From :func:`matcher.whatif.compare.comparison_data`.
    """
    from matcher.whatif.chart import comparison_chart

    columns, rows = comparison_rows(data)
    states = {key: _(word) for key, word in _STATES.items()}
    shown = [[states.get(row[1], row[1]), *row[2:]] for row in rows]
    book = new_workbook()
    add_sheet(book, _("Comparison"), [header for _key, header in columns], _people(rows, shown))
    add_sheet(book, _("Unmet needs"), *_unmet_sheet(data))
    add_sheet(book, _("Assignments changed"), *_changes_sheet(data))
    return {
        "comparison.csv": csv_bytes([key for key, _header in columns], rows),
        "comparison.xlsx": workbook_bytes(book),
        "comparison.json": json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
        "comparison.png": comparison_chart(data),
    }


def _people(rows: Sequence[list[Any]], shown: Sequence[list[Any]]) -> list[list[Any]]:
    """Rows for people: the scenario's name, then the state as a word, then the rest."""
    return [[row[0], *rest] for row, rest in zip(rows, shown, strict=True)]


def write_comparison(data: dict[str, Any], out: str | Path) -> list[Path]:
    """Write the comparison's files into ``out`` as one set (every file or none replaced).

    Returns
    -------
    list of Path
        The files written.
    """
    return write_files(out, comparison_files(data))
