"""Bodies of the recommendation and repair routes (``/rosters/{id}/recommend``, ``/repair``).

Every request and answer carries an example in the OpenAPI document (a test checks it).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.record_schemas import DateField
from api.roster_schemas import RosterRow

ASSIGNMENT_EXAMPLE = {
    "need_id": "N012",
    "volunteer_id": "V0042",
    "date": "2026-09-25",
    "start": "09:00",
    "end": "10:30",
}


class PlanAssignment(BaseModel):
    """One assignment of the plan, as a candidate would join, leave or drop it."""

    need_id: str
    need_title: str = ""
    volunteer_id: str
    date: str = Field(description="ISO date, empty for an untimed need")
    start: str = Field(description="HH:MM, empty for an untimed need")
    end: str


class Candidate(BaseModel):
    """A volunteer who could take the need, with the change of every objective term."""

    volunteer_id: str
    name: str
    department: str
    staffs: bool = Field(description="the need then has its minimum and every team rule")
    short_after: int = Field(description="volunteers still missing after this one")
    changes: int = Field(description="assignments of the plan that change")
    deltas: dict[str, float] = Field(
        description="change of each objective term: coverage (or coverage_p5 ...), wishes, "
        "and each soft rule by name"
    )
    soft: float = Field(description="change of the soft rules together")
    joins: list[PlanAssignment]
    leaves: list[PlanAssignment] = Field(description="their assignments that clash or a cap")
    dropped: list[PlanAssignment] = Field(description="others' whose team falls apart with it")
    why: str


class RecommendationList(BaseModel):
    """Who could take one need of a roster, best first (coverage, changes, wishes, soft)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "roster_id": 7,
                    "need_id": "N058",
                    "title": "微心愿：修理电视机",
                    "min_volunteers": 1,
                    "max_volunteers": 1,
                    "team": [],
                    "eligible": 17,
                    "terms": {"coverage": 47109.0, "fill": 652.0, "fairness": -210.0},
                    "runtime": 0.031,
                    "candidates": [
                        {
                            "volunteer_id": "V0157",
                            "name": "示例志愿者",
                            "department": "自动控制学院",
                            "staffs": True,
                            "short_after": 0,
                            "changes": 1,
                            "deltas": {"coverage": 14.0, "wishes": 1.0, "fill": 0.0},
                            "soft": 2.0,
                            "joins": [
                                {
                                    "need_id": "N058",
                                    "need_title": "微心愿：修理电视机",
                                    "volunteer_id": "V0157",
                                    "date": "",
                                    "start": "",
                                    "end": "",
                                }
                            ],
                            "leaves": [],
                            "dropped": [],
                            "why": "符合该需求的全部条件，且该时段有空",
                        }
                    ],
                }
            ]
        }
    )

    roster_id: int
    need_id: str
    title: str
    min_volunteers: int
    max_volunteers: int
    team: list[str] = Field(description="volunteers on the need in the plan as it stands")
    eligible: int = Field(description="volunteers who meet every per-pair rule of the need")
    terms: dict[str, float] = Field(description="the plan's value per objective term")
    runtime: float
    candidates: list[Candidate]


REPAIR_EXAMPLE = {"cancelled": ["V0012"]}


class RepairRequest(BaseModel):
    """Who can no longer serve; the plan is repaired changing as little as coverage allows."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        json_schema_extra={
            "examples": [REPAIR_EXAMPLE, {"cancelled": ["V0012", "V0031"], "from": "2026-09-25"}]
        },
    )

    cancelled: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="volunteer ids who cancelled (from `from` on); empty: only the proposals "
        "declined so far are repaired",
    )
    from_: DateField | None = Field(
        None,
        alias="from",
        description="first day to change: needs dated before it are history and stay as "
        "published (default: none is)",
    )


class DiffRow(BaseModel):
    """One change against the plan: the columns of ``diff.csv``."""

    change: str = Field(description="added, removed, moved, time or role")
    volunteer_id: str
    volunteer_name: str
    need_id: str
    need_title: str
    date: str
    start: str
    end: str
    from_need_id: str
    from_need_title: str
    from_date: str
    from_start: str
    reason: str


class RepairProposal(BaseModel):
    """A repaired roster, stored as a draft roster job: publish it to make it the plan."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "roster_id": 9,
                    "repaired_id": 7,
                    "url": "/rosters/9",
                    "publish_url": "/rosters/9/publish",
                    "status": "OPTIMAL",
                    "message": "以 现行排班（第 7 号） 为参照尽量少改：2 名志愿者的安排有变",
                    "reference": {"label": "现行排班（第 7 号）", "volunteers": 2, "kept": 137},
                    "changes": [
                        {
                            "change": "added",
                            "volunteer_id": "V0157",
                            "volunteer_name": "示例志愿者",
                            "need_id": "N058",
                            "need_title": "微心愿：修理电视机",
                            "date": "",
                            "start": "",
                            "end": "",
                            "from_need_id": "",
                            "from_need_title": "",
                            "from_date": "",
                            "from_start": "",
                            "reason": "在 微心愿：修理电视机 接替 示例",
                        }
                    ],
                    "roster": [],
                }
            ]
        }
    )

    roster_id: int = Field(description="the draft roster job holding the repaired roster")
    repaired_id: int = Field(description="the roster that was repaired")
    url: str
    publish_url: str = Field(description="POST here (coordinator) to make it the plan of record")
    status: str = Field(description="solver status of the repair")
    message: str
    reference: dict[str, Any] = Field(description="counts of the changes (summary's reference)")
    changes: list[DiffRow]
    roster: list[RosterRow]
