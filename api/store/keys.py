"""The SQL of API keys: find one by its prefix, list them, lock the working admin keys."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.store.models import ApiKey, KeyRole


def key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    """The key with this prefix (revoked or not), None when there is none."""
    return session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))


def key_by_id(session: Session, key_id: int) -> ApiKey | None:
    """The key with this id, None when there is none."""
    return session.get(ApiKey, key_id)


def key_page(
    session: Session,
    role: KeyRole | None = None,
    active: bool | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[ApiKey]]:
    """Keys of a role and state (working or revoked) over all pages, and one page by id."""
    where: list[ColumnElement[bool]] = []
    if role is not None:
        where.append(ApiKey.role == role.value)
    if active is not None:
        where.append(ApiKey.revoked_at.is_(None) if active else ApiKey.revoked_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(ApiKey).where(*where)) or 0
    records = session.scalars(
        select(ApiKey).where(*where).order_by(ApiKey.id).offset(offset).limit(limit)
    )
    return total, list(records)


def lock_working_admins(session: Session) -> list[int]:
    """Ids of the working admin keys, locked until the transaction ends.

    PostgreSQL locks the rows, so two admins revoking each other at once
    cannot both see the other's key as still working; SQLite writes one at a
    time anyway.
    """
    return list(
        session.scalars(
            select(ApiKey.id)
            .where(ApiKey.role == KeyRole.ADMIN.value, ApiKey.revoked_at.is_(None))
            .with_for_update()
        )
    )
