"""The SQL of the outbox: write a message once, take it to send, record how it went.

The protocol (see :class:`~api.store.models.OutboxMessage`):

- :func:`enqueue` writes a row with ``INSERT ... ON CONFLICT (key) DO
  NOTHING``: the unique index on ``key`` decides, so two writers racing on
  the same key (two requests, two servers) leave one row, on SQLite and
  PostgreSQL alike, and neither transaction is broken by the clash.
- :func:`due_ids` lists rows a worker may take; :func:`claim` takes one
  with a single conditional ``UPDATE`` (pending and due, or sending with an
  expired lease -> sending, ``lease_until``, ``attempts + 1``).  The
  condition is checked again by the database on the locked row, so of two
  workers claiming the same row one gets it and the other gets nothing.
- :func:`mark_sent` and :func:`mark_failed_attempt` end an attempt, and
  only the attempt that holds the lease (same ``attempts``, still
  ``sending``): a worker whose lease ran out cannot overwrite the newer one.
- :func:`outbox_page` and :func:`retry` serve the API;
  :func:`reminder_candidates` finds the proposals of a day to remind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from api.store.models import (
    NeedRecord,
    OutboxMessage,
    OutboxState,
    Proposal,
    ProposalState,
    VolunteerRecord,
    utcnow,
)

KEY_LENGTH = 200
"""The longest key the table holds."""


def enqueue(
    session: Session,
    key: str,
    kind: str,
    channel: str,
    recipient: str,
    subject: str,
    body: str,
    dataset_id: int | None = None,
    proposal_id: int | None = None,
) -> OutboxMessage | None:
    """Write a message to send, once per ``key``.

    Parameters
    ----------
    session
        The caller's session: the message is committed with the caller's own
        writes (a proposal and its message are stored together or not at all).
    key
        What makes the message unique, e.g. ``proposal:12`` or
        ``reminder:12:2026-09-19`` (at most 200 characters).
    kind
        ``proposal``, ``reminder``, ``change``, ...
    channel
        ``email`` or ``wechat`` (:mod:`api.senders`).
    recipient
        An e-mail address, or the mobile number the group robot mentions.
    subject, body
        The text (:mod:`api.notices`); the subject is cut to 200 characters.
    dataset_id, proposal_id
        What the message is about, for filtering.

    Returns
    -------
    OutboxMessage or None
        The new row, or None when a message with this key already exists
        (also when another transaction wrote it at the same time).
    """
    if not key or len(key) > KEY_LENGTH:
        raise ValueError(f"outbox key of 1 to {KEY_LENGTH} characters: {key!r}")  # i18n: not shown
    now = utcnow()
    values = {
        "key": key,
        "kind": kind,
        "channel": channel,
        "recipient": recipient[:200],
        "subject": subject[:200],
        "body": body,
        "dataset_id": dataset_id,
        "proposal_id": proposal_id,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": "",
        "created_at": now,
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(OutboxMessage)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id)
    )
    new_id = session.execute(statement).scalar_one_or_none()
    return None if new_id is None else session.get(OutboxMessage, new_id)


def find_message(session: Session, message_id: int) -> OutboxMessage | None:
    """The message with this id, None when there is none."""
    return session.get(OutboxMessage, message_id)


def message_by_key(session: Session, key: str) -> OutboxMessage | None:
    """The message with this key, None when there is none."""
    return session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))


def _takeable(now: dt.datetime) -> ColumnElement[bool]:
    """Pending and due, or sending with a lease that ran out (its worker died)."""
    return or_(
        and_(
            OutboxMessage.state == OutboxState.PENDING.value,
            OutboxMessage.next_attempt_at <= now,
        ),
        and_(
            OutboxMessage.state == OutboxState.SENDING.value,
            OutboxMessage.lease_until < now,
        ),
    )


def due_ids(
    session: Session, now: dt.datetime, channels: frozenset[str] | None = None, limit: int = 50
) -> list[int]:
    """Ids of messages a worker may take now, oldest due first.

    Parameters
    ----------
    session
        Any session.
    now
        The time to compare ``next_attempt_at`` and ``lease_until`` with.
    channels
        Only these channels (None: every channel): a message for a channel
        without a sender waits until one is configured.
    limit
        At most this many.

    Returns
    -------
    list of int
        Candidates only: :func:`claim` decides which one a worker gets.
    """
    where = [_takeable(now)]
    if channels is not None:
        where.append(OutboxMessage.channel.in_(sorted(channels)))
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(*where)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def claim(
    session: Session, message_id: int, now: dt.datetime, lease_seconds: float
) -> OutboxMessage | None:
    """Take one message to send: one conditional UPDATE, so only one worker gets it.

    Parameters
    ----------
    session
        Commit right after, so the lease is visible to other workers before
        the message is sent.
    message_id
        A candidate from :func:`due_ids`.
    now
        The present.
    lease_seconds
        How long the row is this worker's; longer than one send may take.

    Returns
    -------
    OutboxMessage or None
        The row (``sending``, its ``attempts`` counting this one), or None when
        another worker took it first or it is no longer due.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, _takeable(now))
        .values(
            state=OutboxState.SENDING.value,
            lease_until=now + dt.timedelta(seconds=lease_seconds),
            attempts=OutboxMessage.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    return message


def _holding(message_id: int, attempt: int) -> list[ColumnElement[bool]]:
    """The row as the attempt that claimed it left it (a newer claim changed ``attempts``)."""
    return [
        OutboxMessage.id == message_id,
        OutboxMessage.state == OutboxState.SENDING.value,
        OutboxMessage.attempts == attempt,
    ]


def mark_sent(session: Session, message_id: int, attempt: int, now: dt.datetime) -> bool:
    """Record that attempt ``attempt`` delivered the message; False if it no longer held it."""
    result = session.execute(
        update(OutboxMessage)
        .where(*_holding(message_id, attempt))
        .values(state=OutboxState.SENT.value, sent_at=now, lease_until=None, last_error="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def backoff_delay(attempts: int, base_seconds: float, cap_seconds: float = 6 * 3600) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2 base, 4 base, ..."""
    return float(min(cap_seconds, base_seconds * 2 ** max(0, attempts - 1)))


def mark_failed_attempt(
    session: Session,
    message_id: int,
    attempt: int,
    error: str,
    now: dt.datetime,
    max_attempts: int,
    backoff_seconds: float,
    permanent: bool = False,
) -> str | None:
    """Record a failed attempt: pending again after a back-off, or ``failed`` for good.

    Parameters
    ----------
    session
        Any session; commit after.
    message_id, attempt
        The message and the attempt (its ``attempts`` when claimed).
    error
        What went wrong, kept in ``last_error``.
    now
        The present.
    max_attempts
        After this many attempts the message is ``failed``.
    backoff_seconds
        The first wait; doubled after each further failure.
    permanent
        The receiver refused for good (e.g. an unknown address): ``failed`` now.

    Returns
    -------
    str or None
        The new state, or None when this attempt no longer held the row.
    """
    final = permanent or attempt >= max_attempts
    state = OutboxState.FAILED if final else OutboxState.PENDING
    values: dict[str, object] = {
        "state": state.value,
        "lease_until": None,
        "last_error": error[:2000],
    }
    if not final:
        values["next_attempt_at"] = now + dt.timedelta(
            seconds=backoff_delay(attempt, backoff_seconds)
        )
    result = session.execute(
        update(OutboxMessage)
        .where(*_holding(message_id, attempt))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return state.value if result.rowcount == 1 else None  # type: ignore[attr-defined]


def retry(session: Session, message_id: int, now: dt.datetime) -> OutboxMessage | None:
    """A failed message back to pending, due now, with a fresh count of attempts.

    Returns
    -------
    OutboxMessage or None
        The message as it is now; None when it is not ``failed`` (nothing changed).
    """
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state == OutboxState.FAILED.value)
        .values(state=OutboxState.PENDING.value, attempts=0, next_attempt_at=now, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def outbox_page(
    session: Session,
    *,
    state: str | None = None,
    dataset_id: int | None = None,
    kind: str | None = None,
    proposal_id: int | None = None,
    offset: int = 0,
    limit: int = 100,
) -> tuple[int, list[OutboxMessage]]:
    """Messages matching the filters over all pages, and one page of them newest first."""
    where: list[ColumnElement[bool]] = []
    if state is not None:
        where.append(OutboxMessage.state == state)
    if dataset_id is not None:
        where.append(OutboxMessage.dataset_id == dataset_id)
    if kind is not None:
        where.append(OutboxMessage.kind == kind)
    if proposal_id is not None:
        where.append(OutboxMessage.proposal_id == proposal_id)
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    rows = session.scalars(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return total, list(rows)


def reminder_candidates(
    session: Session, day: dt.date
) -> list[tuple[Proposal, dict[str, Any], dict[str, Any]]]:
    """Proposals on ``day`` still proposed or confirmed, with their volunteer's and need's data.

    Returns
    -------
    list of (Proposal, dict, dict)
        Each proposal with the stored volunteer and need as JSON (``{}`` when
        the dataset no longer has them: the proposal keeps its own copy of
        the assignment).
    """
    volunteer = aliased(VolunteerRecord)
    need = aliased(NeedRecord)
    rows = session.execute(
        select(Proposal, volunteer.data, need.data)
        .outerjoin(
            volunteer,
            and_(
                volunteer.dataset_id == Proposal.dataset_id,
                volunteer.entity_id == Proposal.volunteer_id,
            ),
        )
        .outerjoin(
            need, and_(need.dataset_id == Proposal.dataset_id, need.entity_id == Proposal.need_id)
        )
        .where(
            Proposal.date == day,
            Proposal.state.in_([ProposalState.PROPOSED.value, ProposalState.CONFIRMED.value]),
        )
        .order_by(Proposal.id)
    )
    return [(proposal, v or {}, n or {}) for proposal, v, n in rows]
