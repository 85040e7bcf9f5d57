"""Bodies and answers of residents' requests (:mod:`api.routes.requests`).

Times of day are written as the spreadsheets write them (``09:00``, ``9点``)
and answered as ``HH:MM``; categories as the need categories
(``elderly-care``, ``关爱老人``...).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.record_schemas import DateField, EndClock, StartClock
from api.schemas import Body, EntityId, Name, NeedCategoryField, Skills

REQUEST_EXAMPLE = {
    "kind": "micro_wish",
    "title": "帮独居老人修理收音机",
    "category": "repair-appliance",
    "description": "老人想在重阳节前听上广播",
    "household_id": "H001",
    "requester": "示例居民",
    "phone": "000-0000-0000",
    "wanted_date": "2026-09-26",
    "wanted_start": "09:00",
    "wanted_end": "11:00",
    "duration": 60,
    "volunteers": 1,
}


class RequestBody(Body):
    """A resident's request or micro-wish (微心愿), as the community worker enters it (点单)."""

    model_config = ConfigDict(json_schema_extra={"examples": [REQUEST_EXAMPLE]})

    kind: Literal["request", "micro_wish"] = "request"
    title: str = Field(min_length=1, max_length=500)
    category: NeedCategoryField
    description: str = Field("", max_length=2000)
    household_id: EntityId | None = None
    requester: Name = ""
    phone: str = Field("", max_length=40)
    wanted_date: DateField | None = None
    wanted_start: StartClock = None
    wanted_end: EndClock = None
    duration: int = Field(60, ge=5, le=24 * 60, description="minutes of work")
    volunteers: int = Field(1, ge=1, le=50, description="volunteers it takes")


class ReviewBody(Body):
    """The review: take the request up or not, and why."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"accept": True, "note": "社区确认属实"},
                {"accept": False, "note": "需专业电工，已转物业"},
            ]
        }
    )

    accept: bool
    note: str = Field("", max_length=2000)


class DispatchBody(Body):
    """The need a request becomes (派单): when (default the wanted time) and how important."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"date": "2026-09-26", "start": "09:00", "end": "10:00", "priority": 4}]
        }
    )

    date: DateField | None = None
    start: StartClock = Field(None, description="HH:MM; default the wanted start")
    end: EndClock = Field(None, description="HH:MM; default the wanted end")
    priority: int = Field(3, ge=1, le=5)
    must_cover: bool = False
    location: Name = ""
    skills: Skills = Field(default_factory=list)


class RateBody(Body):
    """The resident's rating after the service (评单), which closes the request."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"rating": 5, "feedback": "志愿者很耐心，收音机修好了"}]}
    )

    rating: int = Field(ge=1, le=5)
    feedback: str = Field("", max_length=2000)


class RequestView(BaseModel):
    """A request with where it stands; taken and served are read from the plan of record."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **REQUEST_EXAMPLE,
                    "id": 3,
                    "dataset_id": 1,
                    "state": "dispatched",
                    "state_name": "已派单",
                    "review_note": "社区确认属实",
                    "need_id": "R0003",
                    "dispatches": 1,
                    "taken_by": ["V0012"],
                    "served_by": [],
                    "rating": None,
                    "feedback": "",
                    "created_at": "2026-09-20T02:00:00Z",
                    "updated_at": "2026-09-21T02:00:00Z",
                }
            ]
        }
    )

    id: int
    dataset_id: int
    kind: str
    title: str
    category: str
    description: str
    household_id: str | None
    requester: str
    phone: str = Field(description="masked for viewers")
    wanted_date: dt.date | None
    wanted_start: str | None
    wanted_end: str | None
    duration: int
    volunteers: int
    state: str
    state_name: str
    review_note: str
    need_id: str | None = Field(description="the need it was (last) dispatched as")
    dispatches: int
    taken_by: list[str] = Field(description="volunteers who confirmed its need (接单)")
    served_by: list[str] = Field(description="volunteers recorded serving it")
    rating: int | None
    feedback: str
    created_at: dt.datetime
    updated_at: dt.datetime
