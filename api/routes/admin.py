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

from api.admin_schemas import AuditEntryModel, KeyCreate, KeyCreated, KeyModel
from api.deps import SessionDep, require
from api.keys import create_key, revoke_key, token_prefix
from api.routes.common import AUTH, NOT_FOUND, answer
from api.schemas import ErrorMessage, Page
from api.store.audit import audit, audit_page
from api.store.keys import key_by_id, key_by_prefix, key_page, lock_working_admins
from api.store.models import ApiKey, KeyRole
from matcher.i18n import _

# every route here needs an admin key, so every one can answer 401 and 403
router = APIRouter(tags=["admin"], responses=AUTH)

Admin = Annotated[ApiKey, Depends(require(KeyRole.ADMIN))]
KeyId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the key's id")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]
NO_NUL = r"^[^\x00]*$"
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Not possible with the keys as they are")
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


@router.get(
    "/keys",
    summary="List API keys",
    description="Every key with its id, prefix (the public part of `mk_<prefix>_...`), role, "
    "label and when it was made and revoked; never the key or its hash. Filter by role and "
    "by whether it still works. Admins only.",
    response_model=Page[KeyModel],
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
    total, records = key_page(session, role, active, offset, limit)
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
)
def make_key(body: KeyCreate, session: SessionDep, key: Admin) -> KeyCreated:
    plain = create_key(session, body.role, body.label)
    record = key_by_prefix(session, token_prefix(plain, "mk") or "")
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
    responses={**NOT_FOUND, **CONFLICT},
)
def revoke(key_id: KeyId, session: SessionDep, key: Admin) -> KeyModel:
    record = key_by_id(session, key_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no key {id}").format(id=key_id))
    if record.revoked_at is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("key {id} was revoked at {time}").format(id=key_id, time=record.revoked_at),
        )
    # the admin keys are locked, so two admins revoking each other at once cannot both pass
    if record.role == KeyRole.ADMIN.value and set(lock_working_admins(session)) <= {record.id}:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("key {id} is the last working admin key; make another admin key first").format(
                id=key_id
            ),
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
                    "msg": _("expected a time from year 1 to 9999 in UTC, found {value}").format(
                        value=value
                    ),
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
    total, rows = audit_page(
        session,
        key_id=key_id,
        action=action,
        target=target,
        since=_query_time(since, "since"),
        until=_query_time(until, "until"),
        offset=offset,
        limit=limit,
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
