"""Administration over HTTP (admin keys only): API keys and the audit log.

``POST /keys`` makes a key exactly as ``matcher keys create`` does
(:func:`api.keys.create_key`): the key is answered once in plain text and
stored only as its hash.  ``DELETE /keys/{id}`` revokes one, except the last
active admin key, so the service never locks its administrators out.  Both
are written to the audit log, which ``GET /audit`` reads newest first.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from api.admin_schemas import AuditEntryModel, KeyCreate, KeyCreated, KeyModel
from api.deps import SessionDep, audit, require
from api.keys import create_key, revoke_key, token_prefix
from api.routes.common import AUTH, NOT_FOUND
from api.schemas import ErrorMessage, Page
from api.store.models import ApiKey, AuditEntry, KeyRole

router = APIRouter(tags=["admin"])

Admin = Annotated[ApiKey, Depends(require(KeyRole.ADMIN))]
KeyId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the key's id")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]
NO_NUL = r"^[^\x00]*$"
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Not possible with the keys as they are"}
}


def _key_model(record: ApiKey) -> KeyModel:
    return KeyModel(
        id=record.id,
        prefix=record.prefix,
        role=KeyRole(record.role),
        label=record.label,
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )


def _get_key(session: Session, key_id: int) -> ApiKey:
    record = session.get(ApiKey, key_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no key {key_id}")
    return record


@router.get(
    "/keys",
    summary="List API keys",
    description="Every key with its id, prefix (the public part of `mk_<prefix>_...`), role, "
    "label and when it was made and revoked; never the key or its hash. Filter by role and "
    "by whether it still works. Admins only.",
    response_model=Page[KeyModel],
    responses=AUTH,
)
def list_keys(
    session: SessionDep,
    key: Admin,
    role: KeyRole | None = None,
    active: Annotated[
        bool | None, Query(description="true: working keys only; false: revoked only")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[KeyModel]:
    where: list[ColumnElement[bool]] = []
    if role is not None:
        where.append(ApiKey.role == role.value)
    if active is not None:
        where.append(ApiKey.revoked_at.is_(None) if active else ApiKey.revoked_at.is_not(None))
    total = session.scalar(select(func.count()).select_from(ApiKey).where(*where)) or 0
    records = session.scalars(
        select(ApiKey).where(*where).order_by(ApiKey.id).offset(offset).limit(limit)
    )
    return Page[KeyModel](
        items=[_key_model(r) for r in records], total=total, offset=offset, limit=limit
    )


@router.post(
    "/keys",
    status_code=status.HTTP_201_CREATED,
    summary="Make an API key",
    description="Makes a key of the role (admin, coordinator or viewer) as `matcher keys "
    "create` does. The answer holds the key in plain text: it is shown this once and "
    "stored only as its hash. Admins only; written to the audit log.",
    response_model=KeyCreated,
    responses=AUTH,
)
def make_key(body: KeyCreate, session: SessionDep, key: Admin) -> KeyCreated:
    plain = create_key(session, body.role, body.label)
    record = session.scalar(select(ApiKey).where(ApiKey.prefix == token_prefix(plain, "mk")))
    assert record is not None  # create_key flushed it
    audit(session, key, "key.create", f"key:{record.id}", role=record.role, label=record.label)
    session.commit()
    return KeyCreated(**_key_model(record).model_dump(), key=plain)


@router.delete(
    "/keys/{key_id}",
    summary="Revoke an API key",
    description="The key stops working at once (401) and stays listed with its revocation "
    "time. The last working admin key cannot be revoked (409): make another admin key "
    "first. Admins only; written to the audit log.",
    response_model=KeyModel,
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def revoke(key_id: KeyId, session: SessionDep, key: Admin) -> KeyModel:
    record = _get_key(session, key_id)
    if record.revoked_at is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"key {key_id} was revoked at {record.revoked_at}"
        )
    if record.role == KeyRole.ADMIN.value:
        # Lock the working admin keys (PostgreSQL; SQLite writes one at a time anyway), so
        # two admins revoking each other at once cannot both pass this check.
        admins = session.scalars(
            select(ApiKey.id)
            .where(ApiKey.role == KeyRole.ADMIN.value, ApiKey.revoked_at.is_(None))
            .with_for_update()
        ).all()
        if set(admins) <= {record.id}:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"key {key_id} is the last working admin key; make another admin key first",
            )
    revoke_key(session, record.id)
    audit(session, key, "key.revoke", f"key:{record.id}", role=record.role, label=record.label)
    session.commit()
    return _key_model(record)


def _query_time(value: dt.datetime | None, name: str) -> dt.datetime | None:
    """A query time as aware UTC (a time without zone is UTC); 422 beyond the calendar."""
    if value is None:
        return None
    try:
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+08:00 is before year 1 in UTC
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "loc": ["query", name],
                    "msg": f"expected a time from year 1 to 9999 in UTC, found {value}",
                    "type": "value_error",
                }
            ],
        ) from None


@router.get(
    "/audit",
    summary="Read the audit log",
    description="Every write and publish with who (the key, with its prefix and label) and "
    "when, newest first. Filter by key, action (such as `pin.create`, `roster.publish`), "
    "the start of the target (`dataset:1/` for everything done to dataset 1) and a time "
    "range (`since` inclusive, `until` exclusive; times without a zone are UTC). Admins only.",
    response_model=Page[AuditEntryModel],
    responses=AUTH,
)
def read_audit(
    session: SessionDep,
    key: Admin,
    key_id: Annotated[int | None, Query(ge=1, le=2_147_483_647, description="by this key")] = None,
    action: Annotated[str | None, Query(min_length=1, max_length=64, pattern=NO_NUL)] = None,
    target: Annotated[
        str | None,
        Query(min_length=1, max_length=200, pattern=NO_NUL, description="targets starting so"),
    ] = None,
    since: Annotated[dt.datetime | None, Query(description="at or after this time")] = None,
    until: Annotated[dt.datetime | None, Query(description="before this time")] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[AuditEntryModel]:
    where: list[ColumnElement[bool]] = []
    if key_id is not None:
        where.append(AuditEntry.key_id == key_id)
    if action is not None:
        where.append(AuditEntry.action == action)
    if target is not None:
        where.append(AuditEntry.target.startswith(target, autoescape=True))
    if (start := _query_time(since, "since")) is not None:
        where.append(AuditEntry.at >= start)
    if (end := _query_time(until, "until")) is not None:
        where.append(AuditEntry.at < end)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    rows = session.execute(
        select(AuditEntry, ApiKey.prefix, ApiKey.label)
        .outerjoin(ApiKey, AuditEntry.key_id == ApiKey.id)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    items = [
        AuditEntryModel(
            id=entry.id,
            at=entry.at,
            key_id=entry.key_id,
            key_prefix=prefix,
            key_label=label,
            action=entry.action,
            target=entry.target,
            detail=entry.detail or {},
        )
        for entry, prefix, label in rows
    ]
    return Page[AuditEntryModel](items=items, total=total, offset=offset, limit=limit)
