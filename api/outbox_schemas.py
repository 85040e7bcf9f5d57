"""Bodies of the outbox routes (:mod:`api.routes.outbox`)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.store.models import OutboxMessage, OutboxState


class OutboxMessageModel(BaseModel):
    """One message to a volunteer and how its sending went."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "key": "reminder:12:2026-09-19",
                    "kind": "reminder",
                    "channel": "email",
                    "recipient": "li.ming@example.edu.cn",
                    "subject": "提醒：明天的志愿服务，9月19日（周六）09:00-11:30",
                    "body": "李明，您好：\n提醒您明天的志愿服务：\n服务：义务理发\n...",
                    "dataset_id": 1,
                    "proposal_id": 12,
                    "state": "sent",
                    "attempts": 1,
                    "next_attempt_at": "2026-09-18T01:00:00Z",
                    "last_error": "",
                    "created_at": "2026-09-18T01:00:00Z",
                    "sent_at": "2026-09-18T01:00:02Z",
                }
            ]
        }
    )

    id: int
    key: str = Field(description="what makes the message unique: written once per key")
    kind: str = Field(description="proposal, reminder, change, ...")
    channel: str = Field(description="email or wechat (a WeChat Work group robot)")
    recipient: str = Field(description="the e-mail address, or the mobile the robot mentions")
    subject: str
    body: str
    dataset_id: int | None
    proposal_id: int | None
    state: OutboxState
    attempts: int = Field(description="attempts made so far")
    next_attempt_at: dt.datetime = Field(description="when a pending message is due")
    last_error: str = Field(description="what the last failed attempt answered")
    created_at: dt.datetime
    sent_at: dt.datetime | None

    @classmethod
    def of(cls, row: OutboxMessage) -> OutboxMessageModel:
        """The body of a stored message."""
        return cls(
            id=row.id,
            key=row.key,
            kind=row.kind,
            channel=row.channel,
            recipient=row.recipient,
            subject=row.subject,
            body=row.body,
            dataset_id=row.dataset_id,
            proposal_id=row.proposal_id,
            state=OutboxState(row.state),
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            created_at=row.created_at,
            sent_at=row.sent_at,
        )
