"""Checks of an entity body against its dataset, the loader's rules where cheap.

Each check returns ``(field path, message)`` pairs; the routes answer 422
with them in FastAPI's usual ``detail`` shape (``loc`` starts with ``body``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from fastapi import HTTPException, status

from api.schemas import HouseholdModel, NeedModel, SkillModel, VolunteerModel
from matcher.domain import format_minutes
from matcher.io import parse_time

Issue = tuple[tuple[str | int, ...], str]


@dataclasses.dataclass(frozen=True, slots=True)
class DatasetContext:
    """What a body is checked against: the dataset's names and horizon."""

    departments: frozenset[str]
    skills: frozenset[str] | None  # None: the dataset has no skills list, any name goes
    households: dict[str, str]  # id -> area
    horizon_start: dt.date
    horizon_end: dt.date


def unprocessable(issues: list[Issue]) -> HTTPException:
    """A 422 in the shape FastAPI gives its own validation errors."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[
            {"loc": ["body", *loc], "msg": message, "type": "value_error"}
            for loc, message in issues
        ],
    )


def _department(name: str, context: DatasetContext, loc: tuple[str | int, ...]) -> list[Issue]:
    if name in context.departments:
        return []
    known = "、".join(sorted(context.departments)) or "none"
    return [(loc, f"expected a department listed in departments ({known}), found {name!r}")]


def _skills(skills: list[SkillModel], context: DatasetContext) -> list[Issue]:
    if context.skills is None:
        return []
    return [
        (("skills", i, "name"), f"expected a skill listed in skills, found {skill.name!r}")
        for i, skill in enumerate(skills)
        if skill.name not in context.skills
    ]


def volunteer_issues(body: VolunteerModel, context: DatasetContext) -> list[Issue]:
    """What is wrong with a volunteer body for this dataset."""
    issues = _department(body.department, context, ("department",)) + _skills(body.skills, context)
    if body.max_travel is not None and not body.home_area:
        # the loader's rule: a travel limit is measured from home
        issues.append(
            (("home_area",), f"expected a home_area to measure max_travel {body.max_travel} from")
        )
    return issues


def household_issues(body: HouseholdModel, context: DatasetContext) -> list[Issue]:
    """What is wrong with a household body (nothing depends on the dataset yet)."""
    del body, context
    return []


def need_issues(body: NeedModel, context: DatasetContext) -> list[Issue]:
    """What is wrong with a need body for this dataset (timing as the loader checks it)."""
    issues = _skills(body.skills, context)
    for field in ("departments", "joint_departments"):
        for i, name in enumerate(getattr(body, field)):
            issues += _department(name, context, (field, i))
    if body.household_id is not None and body.household_id not in context.households:
        issues.append(
            (
                ("household_id",),
                f"expected a household id listed in households, found {body.household_id!r}",
            )
        )
    if body.max_volunteers is not None and body.max_volunteers < body.min_volunteers:
        issues.append(
            (
                ("max_volunteers",),
                f"expected at least min_volunteers {body.min_volunteers}, "
                f"found {body.max_volunteers}",
            )
        )
    if body.date is None:
        for field in ("start", "end"):
            if getattr(body, field) is not None:
                issues.append(((field,), "expected no time for a need without a date (untimed)"))
        return issues
    if not context.horizon_start <= body.date <= context.horizon_end:
        issues.append(
            (
                ("date",),
                f"expected a date inside the horizon {context.horizon_start} .. "
                f"{context.horizon_end}, found {body.date}",
            )
        )
    for field in ("start", "end"):
        if getattr(body, field) is None:
            issues.append(((field,), "expected a time for a need with a date"))
    if body.start is None or body.end is None:
        return issues
    start, end = parse_time(body.start), parse_time(body.end, end=True)
    if end <= start:
        issues.append((("end",), f"expected an end after the start {body.start}, found {body.end}"))
    elif body.duration == 0:
        issues.append((("duration",), "expected at least 1 minute for a need with a date"))
    elif body.duration is not None and body.duration > end - start:
        issues.append(
            (
                ("duration",),
                f"expected at most the {end - start} minutes from {format_minutes(start)} "
                f"to {format_minutes(end)}, found {body.duration}",
            )
        )
    return issues
