"""Request and response bodies of proposals, replacements and personal links."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

State = Literal["proposed", "confirmed", "declined", "replaced", "cancelled"]

EXAMPLE: dict[str, Any] = {
    "id": 41,
    "roster_id": 7,
    "dataset_id": 1,
    "need_id": "N012",
    "need_title": "独居老人探访",
    "place": "示例社区3栋",
    "volunteer_id": "V0003",
    "volunteer_name": "示例志愿者",
    "phone": "*******0000",
    "role": "member",
    "date": "2026-09-19",
    "start": "09:00",
    "end": "10:30",
    "state": "proposed",
    "state_name": "待确认",
    "replaces_id": None,
    "created_at": "2026-09-18T09:00:00Z",
    "updated_at": "2026-09-18T09:00:00Z",
}
"""A proposal as the examples show it (no real person's data)."""

EVENT = {
    "state": "proposed",
    "state_name": "待确认",
    "actor": "system",
    "key_id": None,
    "note": "已发布，等待志愿者答复",
    "at": "2026-09-18T09:00:00Z",
}


class ProposalEventView(BaseModel):
    """One change of a proposal's state: to what, by whom, when, and a note."""

    state: State
    state_name: str = Field(description="the state in the answer's language")
    actor: Literal["volunteer", "coordinator", "system"]
    key_id: int | None = Field(None, description="the coordinator's API key, if one recorded it")
    note: str
    at: dt.datetime


class ProposalView(BaseModel):
    """One published assignment as offered to its volunteer, and where it stands."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    id: int
    roster_id: int
    dataset_id: int | None
    need_id: str
    need_title: str = ""
    place: str = ""
    volunteer_id: str
    volunteer_name: str = ""
    phone: str = Field("", description="masked (at most the last 4 digits) for viewers")
    role: str
    date: dt.date | None
    start: str | None = Field(None, description="HH:MM; none for a need done at any time")
    end: str | None = None
    state: State
    state_name: str = Field(description="the state in the answer's language")
    replaces_id: int | None = Field(None, description="the declined proposal this one took over")
    created_at: dt.datetime
    updated_at: dt.datetime


class ProposalDetail(ProposalView):
    """A proposal with every change of its state, oldest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**EXAMPLE, "events": [EVENT]}]})

    events: list[ProposalEventView]


class ProposalPage(BaseModel):
    """Proposals of a roster matching the filters (one page of them)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"items": [EXAMPLE], "total": 1, "offset": 0, "limit": 500}]
        }
    )

    items: list[ProposalView]
    total: int
    offset: int
    limit: int


class AnswerRequest(BaseModel):
    """A confirmation or decline: an optional note (why, or what the volunteer said)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"note": "电话确认"}]}
    )

    note: str = Field("", max_length=500)


class AnswerForm(BaseModel):
    """The personal page's form: which assignment, confirm or decline, and a note."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"proposal_id": 41, "action": "decline", "note": "有课"}]}
    )

    proposal_id: int = Field(ge=1, le=2_147_483_647)
    action: Literal["confirm", "decline"]
    note: str = Field("", max_length=500)


class ReplaceRequest(BaseModel):
    """The candidate a coordinator gives the declined assignment to."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"volunteer_id": "V0007", "note": ""}]}
    )

    volunteer_id: str = Field(min_length=1, max_length=100)
    note: str = Field("", max_length=500)


class ReplacementView(BaseModel):
    """A volunteer who could take the declined assignment over."""

    volunteer_id: str
    name: str
    department: str
    why: str = Field(description="why they fit, in the answer's language")
    proposals: int = Field(description="proposals they already hold in the plan")
    minutes: int = Field(description="minutes those take")
    last_served: dt.date | None = Field(
        None, description="their last service that really happened (history and attendance)"
    )
    asked_recently: int = Field(
        0, description="proposals they were made in this dataset in the last 30 days"
    )


class NearestOut(BaseModel):
    """A volunteer near the need who cannot take it, and why."""

    volunteer_id: str
    name: str
    department: str
    why: str


class ReplacementList(BaseModel):
    """Candidates for a declined proposal, least loaded first, and the nearest who are out."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 41,
                    "need_id": "N012",
                    "candidates": [
                        {
                            "volunteer_id": "V0007",
                            "name": "示例志愿者",
                            "department": "示例学院",
                            "why": "符合该需求的全部条件，且该时段有空",
                            "proposals": 0,
                            "minutes": 0,
                            "last_served": "2026-09-05",
                            "asked_recently": 1,
                        }
                    ],
                    "nearest_out": [],
                }
            ]
        }
    )

    proposal_id: int
    need_id: str
    candidates: list[ReplacementView]
    nearest_out: list[NearestOut]


class Replaced(BaseModel):
    """The declined proposal, now replaced, and the new one offered to the candidate."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "replaced": {**EXAMPLE, "state": "replaced"},
                    "offered": {**EXAMPLE, "id": 42, "replaces_id": 41},
                }
            ]
        }
    )

    replaced: ProposalView
    offered: ProposalView


class PersonalLinkMade(BaseModel):
    """A new personal link; the token is shown this once (it is stored hashed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "dataset_id": 1,
                    "volunteer_id": "V0001",
                    "url": "/me/me_1a2b3c4d_Zm9vYmFy",
                    "created_at": "2026-09-18T09:00:00Z",
                }
            ]
        }
    )

    id: int
    dataset_id: int
    volunteer_id: str
    url: str
    created_at: dt.datetime


class PersonalLinksRevoked(BaseModel):
    """How many personal links of the volunteer were closed."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"revoked": 1}]})

    revoked: int


class MyProposals(BaseModel):
    """A volunteer's own proposals in the plan of record, through their personal link."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dataset_id": 1,
                    "volunteer_id": "V0003",
                    "volunteer_name": "示例志愿者",
                    "roster_id": 7,
                    "items": [EXAMPLE],
                }
            ]
        }
    )

    dataset_id: int
    volunteer_id: str
    volunteer_name: str
    roster_id: int | None = Field(None, description="the plan of record; none when unpublished")
    items: list[ProposalView]
