"""Bodies of the roster routes (solve jobs, explanations, publishing) and calendar links.

Every request and answer carries an example in the OpenAPI document (a test
checks it); the answers' fields are described there too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.record_schemas import DateField

PARAMS_EXAMPLE = {"time_limit": 30, "weights": {"fairness": 6, "continuity": 8}}


HORIZON_EXAMPLE = {"from": "2026-12-05", "to": "2026-12-06"}


class HorizonRange(BaseModel):
    """Part of the dataset's horizon to plan, e.g. one weekend of a month's needs."""

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, json_schema_extra={"examples": [HORIZON_EXAMPLE]}
    )

    from_: DateField | None = Field(None, alias="from", description="first date (inclusive)")
    to: DateField | None = Field(None, description="last date (inclusive)")


class SolveRequest(BaseModel):
    """Solver parameters of a job, as in ``params.toml`` (unknown keys are refused)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"params": PARAMS_EXAMPLE, "horizon": HORIZON_EXAMPLE}]},
    )

    params: dict[str, Any] = Field(
        default_factory=dict,
        description="time_limit, workers, seed, relative_gap, weights {...} (see matcher.params)",
        examples=[PARAMS_EXAMPLE],
    )
    horizon: HorizonRange | None = Field(
        None,
        description="plan only these dates of the dataset's horizon; needs dated outside "
        "them are left out, undated needs stay (default: the whole horizon)",
    )
    fresh: bool = Field(
        False,
        description="plan afresh even when the dataset has a plan of record for overlapping "
        "dates (by default that plan is the reference: each assignment that differs from it "
        "costs a change, ranked right after coverage, so nothing moves unless it staffs more); "
        "the summary's `reference` says which it was and how much changed",
    )


class RosterRequest(SolveRequest):
    """A dataset to solve and the solver parameters."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"dataset_id": 1, "params": PARAMS_EXAMPLE},
                {"dataset_id": 1, "horizon": HORIZON_EXAMPLE},
                {"dataset_id": 1, "fresh": True},
            ]
        },
    )

    dataset_id: int = Field(ge=1, le=2_147_483_647)


class JobAccepted(BaseModel):
    """A job was queued; follow it at ``url``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 7, "status": "queued", "url": "/rosters/7"}]}
    )

    id: int
    status: str
    url: str


class RosterRow(BaseModel):
    """One assignment, with the columns of ``roster.csv``."""

    need_id: str
    need_title: str
    volunteer_id: str
    volunteer_name: str
    department: str
    date: str = Field(description="ISO date, empty for an untimed need")
    start: str = Field(description="HH:MM, empty for an untimed need")
    end: str
    role: str = Field(description="lead or member")


class RosterJob(BaseModel):
    """A solve job: status, progress and, once it ended with one, its roster."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "dataset_id": 1,
                    "status": "running",
                    "params": {"time_limit": 30},
                    "progress": {
                        "stage": "coverage_p5",
                        "objective": 12.0,
                        "bound": 14.0,
                        "gap": 0.14,
                        "elapsed": 1.2,
                        "updated_at": "2026-09-01T08:00:03+00:00",
                    },
                    "created_at": "2026-09-01T08:00:00Z",
                    "summary": None,
                    "roster": None,
                }
            ]
        }
    )

    id: int
    dataset_id: int | None = Field(description="None once the dataset was deleted")
    status: str = Field(
        description="queued, running, stopping, done, stopped, failed or interrupted"
    )
    params: dict[str, Any]
    horizon: tuple[dt.date, dt.date] | None = Field(
        None, description="first and last date planned (the job's input snapshot)"
    )
    progress: dict[str, Any] | None = Field(
        None, description="best objective, bound and gap so far, of the current stage"
    )
    error: str = ""
    created_by: int | None = None
    created_at: dt.datetime
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    published_at: dt.datetime | None = None
    superseded_at: dt.datetime | None = None
    summary: dict[str, Any] | None = Field(
        None,
        description="solver status (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN), objective, bound, "
        "gap, runtime, coverage and load, once the job ended with a result; `reference` says "
        "how the roster differs from the roster it was kept close to (or compared with)",
    )
    roster: list[RosterRow] | None = None
    reference: dict[str, Any] | None = Field(
        None,
        description="the roster this one is kept close to: `roster_id`, `fresh` (true: only "
        "compared), `cancelled` (a repair's volunteers who cancelled); null: planned afresh",
    )


class JobPage(BaseModel):
    """One page of jobs (without their rosters)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 7,
                            "dataset_id": 1,
                            "status": "done",
                            "params": {"time_limit": 30},
                            "horizon": ["2026-09-19", "2026-09-27"],
                            "created_at": "2026-09-18T08:00:00Z",
                            "finished_at": "2026-09-18T08:00:02Z",
                        }
                    ],
                    "total": 1,
                    "offset": 0,
                    "limit": 50,
                }
            ]
        }
    )

    items: list[RosterJob]
    total: int
    offset: int
    limit: int


class Explanation(BaseModel):
    """Needs below their minimum (unmet) or their maximum (short), each with its reasons.

    Each need also names up to five ``candidates``: the nearest volunteers not
    on it and why each is out, so a coordinator knows whom to ask.
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "roster_id": 1,
                    "solver_status": "OPTIMAL",
                    "unmet_needs": [
                        {
                            "need_id": "N033",
                            "title": "手语陪同办事",
                            "category": "other",
                            "priority": 4,
                            "min_volunteers": 1,
                            "max_volunteers": 1,
                            "assigned": 0,
                            "eligible": 0,
                            "reasons": [
                                {
                                    "code": "no_skill",
                                    "message": "nobody has the required skills "
                                    "(手语)",  # i18n: not shown: OpenAPI example
                                    "count": 0,
                                }
                            ],
                            "candidates": [
                                {
                                    "volunteer_id": "V0007",
                                    "name": "示例志愿者",
                                    "department": "自动控制学院",
                                    "code": "no_skill",
                                    "message": "lacks 手语",
                                    "rules_short": 1,
                                    "shifts": 1,
                                    "minutes": 120,
                                    "codes": ["no_skill"],
                                }
                            ],
                        }
                    ],
                    "short_needs": [],
                }
            ]
        }
    )

    roster_id: int
    solver_status: str
    unmet_needs: list[dict[str, Any]]
    short_needs: list[dict[str, Any]]


class PublishReport(BaseModel):
    """What publishing wrote: the proposals of the roster (publishing writes no history)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "roster_id": 7,
                    "dataset_id": 1,
                    "published_at": "2026-09-18T09:00:00Z",
                    "proposals_made": 12,
                    "proposals_kept": 128,
                    "proposals_cancelled": 3,
                    "proposals_moved": 1,
                    "superseded": 5,
                }
            ]
        }
    )

    roster_id: int
    dataset_id: int
    published_at: dt.datetime
    proposals_made: int = Field(description="assignments proposed to their volunteers anew")
    proposals_kept: int = Field(
        description="assignments identical in the superseded plan: their answer is kept"
    )
    proposals_cancelled: int = Field(
        description="open proposals of the superseded plan that are not in this roster"
    )
    proposals_moved: int = Field(
        0,
        description=(
            "of those made, the same volunteer on the same need at another time: "
            "told as a change of time and asked again"
        ),
    )
    superseded: int | None = Field(None, description="the previous plan of record, if any")


class CalendarLinkMade(BaseModel):
    """A new calendar link; the token is shown this once (it is stored hashed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "dataset_id": 1,
                    "volunteer_id": "V001",
                    "url": "/calendars/cal_1a2b3c4d_Zm9vYmFy.ics",
                    "created_at": "2026-12-01T08:00:00Z",
                }
            ]
        }
    )

    id: int
    dataset_id: int
    volunteer_id: str
    url: str = Field(description="path to subscribe to (prefix it with the server's address)")
    created_at: dt.datetime


class CalendarLinksRevoked(BaseModel):
    """How many links of the volunteer were closed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"revoked": 1}]})

    revoked: int
