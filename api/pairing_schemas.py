"""Bodies and answers of pairing runs (:mod:`api.routes.pairings`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.schemas import Body


class PairingRequest(Body):
    """How to pair: the time limit, the term, and whether to start afresh."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"time_limit": 10, "weeks": 12}, {"fresh": True}]}
    )

    time_limit: float = Field(10.0, gt=0, le=600, description="seconds for the whole pairing")
    weeks: int = Field(12, ge=1, le=104, description="length of the term (continuity)")
    fresh: bool = Field(
        False,
        description="pair afresh: ignore the dataset's last pairing (default: keep its pairs "
        "wherever they may stay)",
    )


class PairingAccepted(BaseModel):
    """A queued pairing run and where to follow it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 2, "status": "queued", "url": "/pairings/2"}]}
    )

    id: int
    status: str
    previous_id: int | None = Field(None, description="the pairing run it keeps pairs of")
    url: str


class PairingItem(BaseModel):
    """A pairing run in a list."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "status": "done",
                    "previous_count": 17,
                    "created_at": "2026-09-18T02:00:00Z",
                    "finished_at": "2026-09-18T02:00:02Z",
                }
            ]
        }
    )

    id: int
    status: str
    previous_count: int
    created_at: dt.datetime
    finished_at: dt.datetime | None


class PairingView(BaseModel):
    """A pairing run: its state and, once done, the pairs, the unpaired and the changes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 2,
                    "dataset_id": 1,
                    "status": "done",
                    "error": "",
                    "previous_count": 17,
                    "created_at": "2026-09-18T02:00:00Z",
                    "finished_at": "2026-09-18T02:00:02Z",
                    "summary": {"status": "OPTIMAL", "gap": 0.0, "runtime": 0.07},
                    "pairs": [
                        {
                            "household_id": "H001",
                            "primary_id": "V0168",
                            "backup_id": "V0164",
                            "household": "示例住户",
                            "primary_name": "示例志愿者甲",
                            "backup_name": "示例志愿者乙",
                            "kept": "yes",
                        }
                    ],
                    "unpaired": [
                        {
                            "household_id": "H017",
                            "missing": "primary",
                            "code": "skill",
                            "reason": "没有志愿者具备手语技能",
                            "compatible": "0",
                            "nearest": "V0002 示例志愿者丙：缺少住户需要的技能",
                        }
                    ],
                    "changes": [],
                    "continuity": [],
                }
            ]
        }
    )

    id: int
    dataset_id: int | None
    status: str
    error: str = ""
    previous_count: int = Field(description="pairs of the pairing in place it started from")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    summary: dict[str, Any] | None = None
    pairs: list[dict[str, Any]] | None = Field(None, description="the rows of pairs.csv")
    unpaired: list[dict[str, Any]] | None = Field(
        None, description="the rows of unpaired.csv: reason and whom to ask"
    )
    changes: list[dict[str, Any]] | None = Field(
        None, description="the rows of changes.csv: each change against the pairing in place"
    )
    continuity: list[dict[str, Any]] | None = Field(None, description="continuity.csv's rows")
