"""The outbox over HTTP: what was sent to volunteers, what waits, what failed; retry a failure.

Coordinators and admins only: messages hold volunteers' addresses and
phones.  ``GET /outbox`` lists newest first; ``POST /outbox/{id}/retry``
puts a ``failed`` message back to ``pending`` with a fresh count of
attempts (written to the audit log); the delivery worker
(:mod:`api.outbox`) sends it on its next pass.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status

from api.deps import SessionDep, Writer
from api.outbox_schemas import OutboxMessageModel
from api.routes.common import AUTH, CONFLICT, NOT_FOUND
from api.schemas import Page
from api.store.audit import audit
from api.store.models import OutboxState, utcnow
from api.store.outbox import find_message, outbox_page, retry
from matcher.i18n import _

router = APIRouter(tags=["outbox"], responses=AUTH)

MessageId = Annotated[int, Path(ge=1, le=2_147_483_647, description="the message's id")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="rows to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="rows per page, at most 500")]


@router.get(
    "/outbox",
    summary="List messages to volunteers",
    description="Every message the service wrote (proposals, day-before reminders, change "
    "notices) with its state: `pending` (due at `next_attempt_at`), `sending`, `sent`, "
    "`failed` (with `last_error`), newest first. Filter by state, dataset, kind and "
    "proposal. Coordinators and admins only.",
    response_model=Page[OutboxMessageModel],
)
def list_outbox(
    session: SessionDep,
    key: Writer,
    state: OutboxState | None = None,
    dataset_id: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="messages of this dataset")
    ] = None,
    kind: Annotated[
        str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z_]+$", description="kind")
    ] = None,
    proposal_id: Annotated[
        int | None, Query(ge=1, le=2_147_483_647, description="messages of this proposal")
    ] = None,
    offset: Offset = 0,
    limit: Limit = 100,
) -> Page[OutboxMessageModel]:
    total, rows = outbox_page(
        session,
        state=state.value if state is not None else None,
        dataset_id=dataset_id,
        kind=kind,
        proposal_id=proposal_id,
        offset=offset,
        limit=limit,
    )
    return Page[OutboxMessageModel](
        items=[OutboxMessageModel.of(r) for r in rows], total=total, offset=offset, limit=limit
    )


@router.post(
    "/outbox/{message_id}/retry",
    summary="Send a failed message again",
    description="A `failed` message goes back to `pending`, due now, with its attempts "
    "counted afresh; the worker sends it on its next pass. Only failed messages (409 "
    "otherwise: a sent message is never sent twice). Coordinators and admins; written to "
    "the audit log.",
    response_model=OutboxMessageModel,
    responses={**NOT_FOUND, **CONFLICT},
)
def retry_message(message_id: MessageId, session: SessionDep, key: Writer) -> OutboxMessageModel:
    message = find_message(session, message_id)
    if message is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, _("no message {id} in the outbox").format(id=message_id)
        )
    again = retry(session, message_id, utcnow())
    if again is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("message {id} is {state}: only a failed message can be sent again").format(
                id=message_id, state=message.state
            ),
        )
    audit(session, key, "outbox.retry", f"outbox:{message_id}", key_of_message=message.key)
    session.commit()
    return OutboxMessageModel.of(again)
