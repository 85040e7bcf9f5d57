"""Bodies and answers of the what-if routes (:mod:`api.routes.whatif`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from matcher.i18n import _

EXAMPLE_TOML = """[settings]
time_limit = 10

[[scenarios]]
name = "两成志愿者临时缺席"
remove = { share = 0.2, seed = 20260919 }

[[scenarios]]
name = "中秋节加一场义务理发"
[[scenarios.add_needs]]
id = "N061"
like = "N003"
date = "2026-09-25"
skills = "理发"
"""  # i18n: not shown: an example of the OpenAPI document


class WhatIfRequest(BaseModel):
    """The scenarios file (docs/whatif.md): as TOML text under ``toml``, or as JSON."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"toml": EXAMPLE_TOML},
                {
                    "settings": {"time_limit": 10},
                    "scenarios": [
                        {
                            "name": "两位教师请假",
                            "away": [{"volunteers": ["V0062", "V0045"], "dates": ["2026-09-26"]}],
                        },
                        {
                            "name": "四点半课堂人数翻倍",
                            "change_needs": [{"category": "tutoring", "scale": 2}],
                        },
                    ],
                    "time_limit": 5,
                },
            ]
        },
    )

    toml: str | None = Field(
        default=None, max_length=200_000, description="the text of a scenarios.toml"
    )
    settings: dict[str, Any] | None = Field(default=None, description="`[settings]` as JSON")
    scenarios: list[dict[str, Any]] | None = Field(
        default=None, max_length=200, description="`[[scenarios]]` as JSON"
    )
    time_limit: float | None = Field(
        default=None, gt=0, le=600, description="seconds per solve (default: the file's)"
    )

    @model_validator(mode="after")
    def _one_form(self) -> WhatIfRequest:
        if (self.toml is None) == (self.scenarios is None):
            raise ValueError(
                _("give the scenarios as toml text or as a scenarios list, one of them")
            )
        if self.toml is not None and self.settings is not None:
            raise ValueError(_("settings go inside the toml text"))
        return self


class WhatIfAccepted(BaseModel):
    """A what-if run was queued; follow it at ``url``."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 3, "status": "queued", "url": "/whatif/3"}]}
    )

    id: int
    status: str
    url: str


class WhatIfView(BaseModel):
    """A what-if run: its state and, once done, the comparison (as comparison.json)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "dataset_id": 1,
                    "status": "done",
                    "error": "",
                    "created_at": "2026-09-15T08:00:00Z",
                    "started_at": "2026-09-15T08:00:01Z",
                    "finished_at": "2026-09-15T08:00:14Z",
                    "comparison": {
                        "dataset": "community_a",
                        "base": {"name": "基准", "state": "ok", "figures": {"staffed": 58}},
                        "scenarios": [
                            {
                                "name": "两成志愿者临时缺席",
                                "state": "ok",
                                "delta": {"staffed": -1},
                            }
                        ],
                    },
                }
            ]
        }
    )

    id: int
    dataset_id: int | None
    status: str
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    comparison: dict[str, Any] | None = Field(
        description="comparison.json of matcher whatif; null until the run is done"
    )
