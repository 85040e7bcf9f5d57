"""Applying a scenario: the base problem plus its changes, checked like any problem.

The file's format is in :mod:`matcher.whatif.schema`.  Changes that refer
to something the dataset does not have are named by their key path in the
file (``scenarios.toml: scenarios[2].remove.department: ...``); the changed
problem is then built with :meth:`Problem.replace`, so a change that breaks
a rule of :mod:`matcher.validate` is refused with that rule's message, for
this scenario only.

Volunteers removed take their availability, blackouts, pairs, pins,
history and ledger standing with them; removed needs take their pins and
pairs.  A random share or count is drawn with numpy's generator and the
selection's seed over the matching volunteers in id order, so the same file
always removes the same people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from matcher.domain import AvailabilityWindow, Blackout, Need, Problem, Volunteer
from matcher.errors import DataError, DataIssue
from matcher.i18n import _
from matcher.params import SolverParams, params_from_mapping
from matcher.validate import InvalidProblemError
from matcher.whatif.schema import (
    DEFAULT_TIME_LIMIT,
    MAX_SCENARIOS,
    NeedChange,
    NeedSelection,
    NewNeed,
    NewVolunteer,
    Scenario,
    ScenarioFile,
    Settings,
    VolunteerSelection,
    load_scenarios,
    scenarios_from_mapping,
    scenarios_from_text,
)

__all__ = [
    "DEFAULT_TIME_LIMIT",
    "MAX_SCENARIOS",
    "Scenario",
    "ScenarioFile",
    "Settings",
    "apply_scenario",
    "load_scenarios",
    "scenarios_from_mapping",
    "scenarios_from_text",
]


class _Place:
    """Where in the file a change is, for messages: ``scenarios[2].remove``."""

    def __init__(self, label: str, index: int) -> None:
        self.label = label
        self.index = index
        self.issues: list[DataIssue] = []

    def add(self, path: str, message: str) -> None:
        self.issues.append(
            DataIssue(self.label, None, None, f"scenarios[{self.index}].{path}: {message}")
        )


def _unknown(place: _Place, path: str, values: Sequence[str], known: set[str], what: str) -> None:
    missing = [v for v in values if v not in known]
    if missing:
        place.add(
            path,
            _("expected {what} of the dataset, found unknown {values}").format(
                what=what, values="、".join(missing)
            ),
        )


def _select_volunteers(
    problem: Problem, selection: VolunteerSelection, place: _Place, path: str
) -> list[str]:
    """Ids of the selected volunteers, in dataset order (random draws seeded)."""
    ids = {v.id for v in problem.volunteers}
    _unknown(place, f"{path}.volunteers", selection.volunteers, ids, _("volunteer ids"))
    departments = {v.department for v in problem.volunteers} | {d.name for d in problem.departments}
    _unknown(place, f"{path}.department", selection.department, departments, _("departments"))
    matches = [
        v
        for v in problem.volunteers
        if (not selection.volunteers or v.id in selection.volunteers)
        and (not selection.department or v.department in selection.department)
        and (not selection.membership or v.membership in selection.membership)
        and (not selection.role or v.role in selection.role)
        and (not selection.skill or any(v.skill_level(s) for s in selection.skill))
    ]
    chosen = sorted(v.id for v in matches)
    if not chosen:
        place.add(path, _("no volunteer matches this selection"))
    size = None
    if selection.share is not None:
        size = round(selection.share * len(chosen))
    elif selection.count is not None:
        size = selection.count
        if size > len(chosen):
            place.add(
                f"{path}.count",
                _("only {found} volunteers match, {count} asked for").format(
                    found=len(chosen), count=size
                ),
            )
            size = len(chosen)
    if size is not None and chosen:
        drawn = np.random.default_rng(selection.seed).choice(len(chosen), size, replace=False)
        chosen = [chosen[i] for i in sorted(drawn)]
    keep = set(chosen)
    return [v.id for v in problem.volunteers if v.id in keep]


def _select_needs(
    problem: Problem, selection: NeedSelection, place: _Place, path: str, keys: dict[str, str]
) -> list[str]:
    """Ids of the selected needs; ``keys`` names the selection keys as written."""
    _unknown(
        place,
        f"{path}.{keys['needs']}",
        selection.needs,
        {n.id for n in problem.needs},
        _("need ids"),
    )
    found = [
        n.id
        for n in problem.needs
        if (not selection.needs or n.id in selection.needs)
        and (not selection.category or n.category in selection.category)
        and (not selection.date or n.date in selection.date)
        and (not selection.location or n.location in selection.location)
    ]
    if not found:
        place.add(path, _("no need matches this selection"))
    return found


def _without_volunteers(problem: Problem, gone: set[str]) -> dict[str, Any]:
    """The fields of ``problem`` without the volunteers ``gone`` and everything of theirs."""

    def keep(items: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(item for item in items if item.volunteer_id not in gone)

    return {
        "volunteers": tuple(v for v in problem.volunteers if v.id not in gone),
        "availability": keep(problem.availability),
        "blackouts": keep(problem.blackouts),
        "pairs": keep(problem.pairs),
        "pins": keep(problem.pins),
        "history": keep(problem.history),
        "ledger": keep(problem.ledger),
    }


def _changed_need(need: Need, change: NeedChange) -> Need:
    values: dict[str, Any] = {}
    for key in ("priority", "must_cover", "lead_required", "title", "location", "area"):
        value = getattr(change, key)
        if value is not None:
            values[key] = value
    for key in ("date", "start", "end", "duration", "skills"):
        value = getattr(change, key)
        if value is not None:
            values[key] = value
    low = change.min_volunteers or need.min_volunteers
    high = change.max_volunteers or need.max_volunteers
    if change.scale is not None:
        low = math.ceil(low * change.scale)
        high = math.ceil(high * change.scale)
    values["min_volunteers"], values["max_volunteers"] = low, max(low, high)
    if change.duration is None and ("start" in values or "end" in values):
        start = values.get("start", need.start)
        end = values.get("end", need.end)
        if start is not None and end is not None and not need.is_flexible:
            values["duration"] = max(end - start, 0)
    return dataclasses.replace(need, **values)


def _new_need(problem: Problem, spec: NewNeed, place: _Place, path: str) -> Need | None:
    # not model_dump: it would turn the skills (dataclasses) into dicts
    given = {
        key: getattr(spec, key)
        for key in type(spec).model_fields
        if key not in ("id", "like") and getattr(spec, key) is not None
    }
    if spec.like is not None:
        if spec.like not in problem.need_index:
            place.add(
                f"{path}.like",
                _("expected {what} of the dataset, found unknown {values}").format(
                    what=_("need ids"), values=spec.like
                ),
            )
            return None
        base = problem.need(spec.like)
        if "duration" not in given and ("start" in given or "end" in given):
            start, end = given.get("start", base.start), given.get("end", base.end)
            if start is not None and end is not None and not base.is_flexible:
                given["duration"] = max(end - start, 0)
        need = dataclasses.replace(base, id=spec.id, **given)
    else:
        if "duration" not in given:
            given["duration"] = max(given["end"] - given["start"], 0)
        need = Need(id=spec.id, **given)
    if need.max_volunteers < need.min_volunteers:
        need = dataclasses.replace(need, max_volunteers=need.min_volunteers)
    return need


def _new_volunteer(spec: NewVolunteer) -> tuple[Volunteer, list[AvailabilityWindow]]:
    volunteer = Volunteer(
        id=spec.id,
        name=spec.name,
        role=spec.role,
        membership=spec.membership,
        department=spec.department,
        skills=spec.skills,
        languages=spec.languages,
        gender=spec.gender,
        max_shifts=spec.max_shifts,
        max_minutes=round(spec.max_hours * 60),
        home_area=spec.home_area,
    )
    windows = [
        AvailabilityWindow(spec.id, w.start, w.end, date=w.date, weekday=w.weekday)
        for w in spec.windows
    ]
    return volunteer, windows


def _inside(problem: Problem, place: _Place, path: str, days: Sequence[dt.date | None]) -> None:
    outside = [d for d in days if d is not None and not problem.horizon.contains(d)]
    if outside:
        place.add(
            path,
            _("expected dates from {start} to {end} (the horizon), found {found}").format(
                start=problem.horizon.start,
                end=problem.horizon.end,
                found="、".join(d.isoformat() for d in outside),
            ),
        )


def _volunteer_changes(problem: Problem, scenario: Scenario, place: _Place) -> Problem:
    """Remove, away, add volunteers and availability (in that order)."""
    fields: dict[str, Any] = {}
    if scenario.remove is not None:
        gone = set(_select_volunteers(problem, scenario.remove, place, "remove"))
        fields.update(_without_volunteers(problem, gone))
    blackouts = list(fields.get("blackouts", problem.blackouts))
    volunteers = list(fields.get("volunteers", problem.volunteers))
    availability = list(fields.get("availability", problem.availability))
    current = dataclasses.replace(problem, **fields) if fields else problem
    for i, away in enumerate(scenario.away):
        _inside(problem, place, f"away[{i}].dates", away.dates)
        for volunteer_id in _select_volunteers(current, away, place, f"away[{i}]"):
            blackouts += [Blackout(volunteer_id, day) for day in away.dates]
    for spec in scenario.add_volunteers:
        volunteer, windows = _new_volunteer(spec)
        volunteers.append(volunteer)
        availability += windows
    current = dataclasses.replace(current, volunteers=tuple(volunteers))
    for i, add in enumerate(scenario.add_availability):
        _inside(problem, place, f"add_availability[{i}].date", [add.date])
        for volunteer_id in _select_volunteers(current, add, place, f"add_availability[{i}]"):
            availability.append(
                AvailabilityWindow(volunteer_id, add.start, add.end, add.date, add.weekday)
            )
    # several away entries may black out one day twice: once is enough
    unique_blackouts = tuple(dict.fromkeys(blackouts))
    return dataclasses.replace(
        current, blackouts=unique_blackouts, availability=tuple(availability)
    )


def _need_changes(problem: Problem, scenario: Scenario, place: _Place) -> Problem:
    """Remove, change and add needs (in that order)."""
    needs = list(problem.needs)
    plain = {"needs": "needs"}
    gone: set[str] = set()
    for i, selection in enumerate(scenario.remove_needs):
        gone |= set(_select_needs(problem, selection, place, f"remove_needs[{i}]", plain))
    needs = [n for n in needs if n.id not in gone]
    current = dataclasses.replace(problem, needs=tuple(needs))
    for i, change in enumerate(scenario.change_needs):
        path = f"change_needs[{i}]"
        _inside(problem, place, f"{path}.date", [change.date])
        chosen = set(_select_needs(current, change.selection(), place, path, plain))
        needs = [_changed_need(n, change) if n.id in chosen else n for n in needs]
        current = dataclasses.replace(current, needs=tuple(needs))
    for i, spec in enumerate(scenario.add_needs):
        _inside(problem, place, f"add_needs[{i}].date", [spec.date])
        need = _new_need(problem, spec, place, f"add_needs[{i}]")
        if need is not None:
            needs.append(need)
    return dataclasses.replace(
        problem,
        needs=tuple(needs),
        pins=tuple(p for p in problem.pins if p.need_id not in gone),
        pairs=tuple(p for p in problem.pairs if p.need_id not in gone),
    )


def apply_scenario(
    problem: Problem,
    scenarios: ScenarioFile,
    index: int,
    label: str = "scenarios.toml",
) -> tuple[Problem, SolverParams]:
    """The problem and solver parameters of one scenario of a file.

    Parameters
    ----------
    problem
        The base problem.
    scenarios
        The file (a scenario may extend an earlier one).
    index
        Position of the scenario in the file.
    label
        The file name used in messages.

    Returns
    -------
    tuple
        The changed problem, checked with :meth:`Problem.replace`, and the
        parameters (the file's settings, then the scenario's ``params``).

    Raises
    ------
    DataError
        Every change that refers to something the dataset does not have,
        and every rule the changed problem breaks, each named
        ``label: scenarios[index]....``.
    """
    scenario = scenarios.scenarios[index]
    place = _Place(label, index)
    chain = [scenario]
    names = scenarios.by_name()
    while chain[-1].extends is not None:
        chain.append(names[chain[-1].extends])
    changed = problem
    data: dict[str, Any] = {}
    for step in reversed(chain):
        changed = _need_changes(_volunteer_changes(changed, step, place), step, place)
        data.update({k: v for k, v in step.params.items() if k != "weights"})
        if "weights" in step.params:
            data["weights"] = {**data.get("weights", {}), **step.params["weights"]}
    if place.issues:
        raise DataError(place.issues)
    try:
        changed = changed.replace(name=problem.name)
    except InvalidProblemError as error:
        for issue in error.problem_issues:
            where = issue.kind if issue.index is None else f"{issue.kind}[{issue.index}]"
            item = _item_name(changed, issue.kind, issue.index)
            field = f".{issue.field}" if issue.field else ""
            place.issues.append(
                DataIssue(
                    label,
                    None,
                    None,
                    f"scenarios[{index}] ({where}{item}{field}): {issue.message}",
                )
            )
        raise DataError(place.issues) from None
    params = params_from_mapping(data, f"scenarios[{index}].params").replace(
        time_limit=scenarios.settings.time_limit, seed=scenarios.settings.seed
    )
    return changed, params


def _item_name(problem: Problem, kind: str, index: int | None) -> str:
    """`` N061`` for needs[60]: the id of a changed problem's item, when it has one."""
    if index is None:
        return ""
    item = getattr(problem, kind, ())[index] if index < len(getattr(problem, kind, ())) else None
    name = getattr(item, "id", None) or getattr(item, "volunteer_id", None)
    return f" {name}" if name else ""
