"""The one route factory for a dataset's rows: list, get, create, replace, delete.

Every kind of row (volunteers, households and needs in
:mod:`api.routes.entities`; departments, skills, availability, blackouts,
pairs, pins, history and travel in :mod:`api.routes.records`) gets the same
five routes under ``/datasets/{dataset_id}/<kind>``, made here from a
:class:`RowKind`: where its rows live (:mod:`api.store.rows`), its body and
answer models, its list filters and its checks.  One flow for all:

- reads answer every role, with personal data masked for viewers
  (:func:`api.masking.mask_personal`);
- writes need a coordinator or admin, are checked as the upload checks them
  (:mod:`api.row_checks`: 422 with the field path, 409 for a clash), may not
  make a stored pin impossible (:mod:`api.pins`: 409 naming the pin and the
  rule; pins already refused before the change do not block it), mark the
  dataset changed and are written to the audit log, all in one transaction.
"""

# No ``from __future__ import annotations`` here: the routes are made per kind, and
# FastAPI must see each route's body and key types themselves, not names of local
# variables it cannot resolve.

import dataclasses
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.masking import mask_personal
from api.pins import pin_refusals, refuse_broken_pins
from api.routes.common import AUTH, CONFLICT, NOT_FOUND, DatasetId, get_dataset
from api.schemas import DeleteReport, Page
from api.store.audit import audit
from api.store.database import ClashError, save
from api.store.datasets import touch
from api.store.models import ApiKey, Dataset
from api.store.rows import Criteria, RowTable, remove_items
from api.validation import unprocessable
from matcher.domain import Pin
from matcher.i18n import _

READ_RESPONSES = {**AUTH, **NOT_FOUND}
WRITE_RESPONSES = {**AUTH, **NOT_FOUND, **CONFLICT}
OPERATIONS = ("list", "read", "create", "replace", "delete")

Check = Callable[[Session, Dataset, Any, Any], Any]
"""``check(session, dataset, body, current)``: the domain row to store, or 422/409."""
Stake = Callable[[Session, Dataset, Any, Any], set[str] | None]
"""``stake(session, dataset, value, current)``: whose pins the change can break."""


def no_pins(session: Session, dataset: Dataset, value: Any, current: Any) -> set[str]:
    """A change that no pin reads: nobody's pins are at stake."""
    return set()


@dataclasses.dataclass(frozen=True)
class Paging:
    """Which page of a list."""

    offset: int
    limit: int


def paging(
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")] = 100,
) -> Paging:
    """The paging query parameters of every list (after the kind's own filters)."""
    return Paging(offset, limit)


@dataclasses.dataclass(frozen=True)
class RowKind:
    """One kind of row and how its five routes behave."""

    table: RowTable[Any]
    """Where its rows live; ``table.kind`` is the path segment."""
    one: str
    """One row, for route names, audit actions and targets: "volunteer"."""
    noun: str
    """One row in messages, an English message id marked with ``N_``: "volunteer"."""
    a_row: str
    """One row in the summaries: "a volunteer"."""
    rows: str
    """Rows in the summaries: "volunteers"."""
    body: type[BaseModel]
    answer: type[BaseModel]
    key: Any
    """The path parameter that addresses a row, an ``Annotated`` type with a ``Path`` alias."""
    filters: Callable[..., Criteria]
    """A dependency: the list's query parameters as named criteria."""
    check: Check
    descriptions: Mapping[str, str]
    """Per operation (:data:`OPERATIONS`); an operation without one has no description."""
    show: Callable[[Any], dict[str, Any]]
    """The answer body of a stored row (before masking)."""
    server_ids: bool = True
    """The server numbers the rows (other sheets); else the body's ``id`` is the key."""
    pins_at_stake: Stake = no_pins
    on_delete: Callable[[Session, Dataset, Any], None] | None = None
    """Refuses (409) a delete that would leave the dataset inconsistent."""
    cascade: Callable[[Any], tuple[Criteria, tuple[str, ...] | None]] | None = None
    """The other rows that go with a deleted row: ``(match, kinds)`` of its key."""

    def named(self, key: Any) -> str:
        """A row in messages: ``volunteer 'V001'`` or ``pin row 12`` (in the language in force)."""
        if self.server_ids:
            return _("{kind} row {key}").format(kind=_(self.noun), key=key)
        return _("{kind} {key!r}").format(kind=_(self.noun), key=key)


# --------------------------------------------------------------------------- one flow


def _out(row: Any, kind: RowKind, key: ApiKey) -> dict[str, Any]:
    data = kind.show(row)
    return data if can_see_personal_data(key) else mask_personal(data)


def _find(session: Session, kind: RowKind, dataset_id: int, key: Any) -> Any:
    row = kind.table.find(session, dataset_id, key)
    if row is None:
        get_dataset(session, dataset_id)
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            _("no {row} in dataset {dataset}").format(row=kind.named(key), dataset=dataset_id),
        )
    return row


def _save(session: Session, what: str, *, commit: bool = True) -> None:
    try:
        save(session, commit=commit)
    except ClashError as exc:
        raise HTTPException(
            status.HTTP_409_CONFLICT, _("{what} clashes with a stored row").format(what=what)
        ) from exc


def _check_body_id(kind: RowKind, body: Any, key: Any) -> None:
    """The body's id against the path's (``key``; None on create)."""
    if not kind.server_ids:
        if key is not None and body.id != key:
            message = _("expected the id in the path {key!r}, found {found!r}")
            raise unprocessable([(("id",), message.format(key=key, found=body.id))])
    elif key is None and body.id is not None:
        message = _("expected no id: the server gives one, found {found}")
        raise unprocessable([(("id",), message.format(found=body.id))])
    elif key is not None and body.id is not None and body.id != key:
        message = _("expected the id in the path {key} or none, found {found}")
        raise unprocessable([(("id",), message.format(key=key, found=body.id))])


def write_row(
    session: Session, key: ApiKey, kind: RowKind, dataset: Dataset, body: Any, current: Any
) -> Any:
    """Create (``current`` None) or replace a row: checks, pins, audit, commit."""
    value = kind.check(session, dataset, body, current)
    taken = current is None and not kind.server_ids
    if taken and kind.table.find(session, dataset.id, value.id) is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("{row} exists; PUT replaces it").format(row=kind.named(value.id)),
        )
    stake = kind.pins_at_stake(session, dataset, value, current)
    before = pin_refusals(session, dataset, stake)
    if current is None:
        row, changed = kind.table.add(session, dataset.id, value), None
    else:
        row, changed = current, kind.table.replace(current, value)
    # the pins are checked on the flushed change, and before the dataset is touched and
    # the audit written, so a refusal rolls back all of it
    name = None if kind.server_ids else kind.named(value.id)
    _save(session, name or _(kind.noun), commit=False)
    written = (value.volunteer_id, value.need_id) if isinstance(value, Pin) else None
    refuse_broken_pins(session, dataset, stake, before, written)
    touch(session, dataset.id)
    target = f"dataset:{dataset.id}/{kind.one}:{kind.table.key_of(row)}"
    if changed is None:
        audit(session, key, f"{kind.one}.create", target)
    else:
        audit(session, key, f"{kind.one}.update", target, changed=changed)
    _save(session, name or target)
    return row


def _delete(
    session: Session, key: ApiKey, kind: RowKind, dataset: Dataset, row: Any
) -> DeleteReport:
    """Delete a row and what goes with it: checks, pins, audit, commit."""
    if kind.on_delete is not None:
        kind.on_delete(session, dataset, row)
    row_key = kind.table.key_of(row)
    stake = kind.pins_at_stake(session, dataset, None, row)
    before = pin_refusals(session, dataset, stake)
    data = row.data
    removed = remove_items(session, dataset.id, *kind.cascade(row_key)) if kind.cascade else None
    kind.table.delete(session, row)
    target = f"dataset:{dataset.id}/{kind.one}:{row_key}"
    _save(session, target, commit=False)
    refuse_broken_pins(session, dataset, stake, before)
    touch(session, dataset.id)
    if removed is None:
        # the row has no other record: keep it in the audit log, so a delete can be undone
        audit(session, key, f"{kind.one}.delete", target, row=data)
    else:
        audit(session, key, f"{kind.one}.delete", target, removed=removed)
    _save(session, target)
    return DeleteReport(deleted=target, removed=removed or {})


# --------------------------------------------------------------------------- the routes


def _add_routes(router: APIRouter, kind: RowKind) -> None:
    """The five routes of one kind of row.

    The handlers have no docstrings on purpose: FastAPI would show one as the
    description of an operation the kind leaves undescribed.
    """
    body_type, key_type = kind.body, kind.key

    def list_rows(
        dataset_id: DatasetId,
        session: SessionDep,
        key: Reader,
        criteria: Annotated[Criteria, Depends(kind.filters)],
        page: Annotated[Paging, Depends(paging)],
    ) -> JSONResponse:
        get_dataset(session, dataset_id)
        total, rows = kind.table.page(session, dataset_id, criteria, page.offset, page.limit)
        items = [_out(row, kind, key) for row in rows]
        return JSONResponse(
            {"items": items, "total": total, "offset": page.offset, "limit": page.limit}
        )

    def read_row(
        dataset_id: DatasetId, row_key: key_type, session: SessionDep, key: Reader
    ) -> JSONResponse:
        return JSONResponse(_out(_find(session, kind, dataset_id, row_key), kind, key))

    def create_row(
        dataset_id: DatasetId, body: body_type, session: SessionDep, key: Writer
    ) -> JSONResponse:
        _check_body_id(kind, body, None)
        dataset = get_dataset(session, dataset_id)
        row = write_row(session, key, kind, dataset, body, None)
        return JSONResponse(_out(row, kind, key), status_code=status.HTTP_201_CREATED)

    def replace_row(
        dataset_id: DatasetId, row_key: key_type, body: body_type, session: SessionDep, key: Writer
    ) -> JSONResponse:
        _check_body_id(kind, body, row_key)
        dataset = get_dataset(session, dataset_id)
        current = _find(session, kind, dataset_id, row_key)
        return JSONResponse(_out(write_row(session, key, kind, dataset, body, current), kind, key))

    def delete_row(
        dataset_id: DatasetId, row_key: key_type, session: SessionDep, key: Writer
    ) -> DeleteReport:
        dataset = get_dataset(session, dataset_id)
        return _delete(session, key, kind, dataset, _find(session, kind, dataset_id, row_key))

    collection = f"/{kind.table.kind}"
    item = f"{collection}/{{{_alias(key_type)}}}"
    routes = {
        "list": (collection, list_rows, "GET", f"list_{kind.table.kind}", f"List {kind.rows}"),
        "read": (item, read_row, "GET", f"read_{kind.one}", f"Get {kind.a_row}"),
        "create": (collection, create_row, "POST", f"create_{kind.one}", f"Add {kind.a_row}"),
        "replace": (item, replace_row, "PUT", f"replace_{kind.one}", f"Replace {kind.a_row}"),
        "delete": (item, delete_row, "DELETE", f"delete_{kind.one}", f"Delete {kind.a_row}"),
    }
    for operation, (path, endpoint, method, name, summary) in routes.items():
        router.add_api_route(
            path,
            endpoint,
            methods=[method],
            name=name,
            summary=summary,
            description=kind.descriptions.get(operation),
            status_code=status.HTTP_201_CREATED if operation == "create" else None,
            response_model={
                "list": Page[kind.answer],  # type: ignore[name-defined]
                "delete": DeleteReport,
            }.get(operation, kind.answer),
            responses=READ_RESPONSES if method == "GET" else WRITE_RESPONSES,
        )


def _alias(key_type: Any) -> str:
    """The path parameter's name: the alias of the ``Path`` in the key's ``Annotated``."""
    return next(m.alias for m in key_type.__metadata__ if getattr(m, "alias", None))


def row_router(kinds: tuple[RowKind, ...], tag: str) -> APIRouter:
    """A router with the five routes of each kind, under ``/datasets/{dataset_id}``.

    Parameters
    ----------
    kinds
        The kinds of row, in the order their routes are listed.
    tag
        The OpenAPI tag of these routes.

    Returns
    -------
    APIRouter
        Ready for ``app.include_router``.
    """
    router = APIRouter(prefix="/datasets/{dataset_id}", tags=[tag])
    for kind in kinds:
        _add_routes(router, kind)
    return router
