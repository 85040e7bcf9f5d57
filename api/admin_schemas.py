"""Bodies of the admin routes (:mod:`api.routes.admin`): API keys and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.store.models import KeyRole


class KeyCreate(BaseModel):
    """A key to make: its role and whose it is."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"role": "coordinator", "label": "王老师 (社区办)"}]},
    )

    role: KeyRole
    label: str = Field("", max_length=200, pattern=r"^[^\x00]*$", description="whose key")


class KeyModel(BaseModel):
    """A stored API key; the key itself is never shown again, nor its hash."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "prefix": "1a2b3c4d",
                    "role": "coordinator",
                    "label": "王老师 (社区办)",
                    "created_at": "2026-09-01T08:00:00Z",
                    "revoked_at": None,
                }
            ]
        }
    )

    id: int
    prefix: str = Field(description="the key's public part: mk_<prefix>_...")
    role: KeyRole
    label: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class KeyCreated(KeyModel):
    """A new key, with the key in plain text: shown this once, stored only hashed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "prefix": "9f8e7d6c",
                    "role": "viewer",
                    "label": "区委组织部",
                    "created_at": "2026-09-01T08:00:00Z",
                    "revoked_at": None,
                    "key": "mk_9f8e7d6c_pX3v-0Qh2k7oEw8yZ1a5bR9sT4uV6wXc",
                }
            ]
        }
    )

    key: str = Field(description="send as X-API-Key; it cannot be shown again")


class AuditEntryModel(BaseModel):
    """One write: when, by which key (with its prefix and label), what and on what."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "at": "2026-09-18T09:30:00Z",
                    "key_id": 3,
                    "key_prefix": "1a2b3c4d",
                    "key_label": "王老师 (社区办)",
                    "action": "pin.create",
                    "target": "dataset:1/pin:512",
                    "detail": {},
                }
            ]
        }
    )

    id: int
    at: dt.datetime
    key_id: int | None
    key_prefix: str | None
    key_label: str | None
    action: str
    target: str
    detail: dict[str, Any]
