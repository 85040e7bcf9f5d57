"""The audit log: every write, by whom and when, written in the write's own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.store.models import ApiKey, AuditEntry


def audit(session: Session, key: ApiKey, action: str, target: str, **detail: Any) -> None:
    """Record a write in the audit log (in the same transaction as the write)."""
    session.add(AuditEntry(key_id=key.id, action=action, target=target[:200], detail=detail))


def audit_page(
    session: Session,
    *,
    key_id: int | None = None,
    action: str | None = None,
    target: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[tuple[AuditEntry, str | None, str | None]]]:
    """Entries matching the filters over all pages, and one page of them newest first.

    Each entry comes with its key's prefix and label (None for a key since
    deleted); ``target`` matches targets starting so, ``since`` is inclusive
    and ``until`` exclusive.
    """
    where: list[ColumnElement[bool]] = []
    if key_id is not None:
        where.append(AuditEntry.key_id == key_id)
    if action is not None:
        where.append(AuditEntry.action == action)
    if target is not None:
        where.append(AuditEntry.target.startswith(target, autoescape=True))
    if since is not None:
        where.append(AuditEntry.at >= since)
    if until is not None:
        where.append(AuditEntry.at < until)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.execute(
        select(AuditEntry, ApiKey.prefix, ApiKey.label)
        .outerjoin(ApiKey, AuditEntry.key_id == ApiKey.id)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, [(entry, prefix, label) for entry, prefix, label in rows]
