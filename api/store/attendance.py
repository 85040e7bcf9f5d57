"""The attendance ledger: what happened for each proposal, append-only.

Service records must be true, accurate, complete and timely (志愿服务记录与
证明出具办法), so nothing here updates or deletes an entry: a record is the
first entry of a proposal, a correction is a new entry naming the one it
supersedes, with who, when and why, and the current record of a proposal is
its entry nothing supersedes.  Every write is also an audit log entry in the
same transaction.

Rules, one place for the API, the page and the import:

- attendance is recorded for a proposal of a published roster (the plan of
  record or an earlier published one) that is proposed or confirmed, on or
  before its day (Asia/Shanghai); a correction is allowed whatever became of
  the proposal later (the volunteer may ask for it long after);
- one current record per proposal: a second record answers a conflict
  naming the current entry, which is corrected instead;
- times lie inside 00:00-24:00 and the end comes after the start; a no-show
  has no times; a served status without times takes the proposal's planned
  ones (a late arrival given only its start keeps the planned end, a
  volunteer who left early given only the end keeps the planned start).

The roster engine's history is read from here (:func:`problem_for_solving`):
the current entries of a dataset's published rosters as
:class:`~matcher.attendance.AttendanceRecord` values, made history entries
by :func:`matcher.attendance.history_from_attendance`.

The module runs to about 650 lines on purpose: the ledger's rules, reads
and writes are one piece, so that nothing else writes attendance entries
and the append-only rule has one home.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from api.store.datasets import load_problem
from api.store.models import (
    ApiKey,
    AttendanceEntry,
    AuditEntry,
    NeedRecord,
    Proposal,
    ProposalState,
    SolveJob,
    VolunteerRecord,
)
from matcher.attendance import AttendanceRecord, AttendanceStatus, history_from_attendance
from matcher.domain import Problem, format_minutes
from matcher.i18n import N_, _

SHANGHAI = ZoneInfo("Asia/Shanghai")
"""The service's clock: days and times of day are Beijing time."""

DAY_END = 24 * 60
RECORDABLE = (ProposalState.PROPOSED.value, ProposalState.CONFIRMED.value)
"""States of a proposal whose attendance may be recorded."""
SOURCES = ("api", "page", "import", "lead")


class Refusal(StrEnum):
    """Why the ledger refused a write: the HTTP answer it maps to."""

    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    INVALID = "invalid"


class AttendanceRefusedError(Exception):
    """A write the ledger refuses; nothing was written.

    ``kind`` says what the refusal is (:class:`Refusal`); ``field`` names the
    input at fault for an invalid value (``status``, ``start``, ``end``,
    ``reason``), None otherwise; ``current_id`` names the current entry when
    the refusal is about it.
    """

    def __init__(
        self,
        kind: Refusal,
        message: str,
        field: str | None = None,
        current_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.field = field
        self.current_id = current_id


@dataclasses.dataclass(frozen=True, slots=True)
class ProposalLedger:
    """One proposal of a roster with its current attendance record and the ones it superseded."""

    proposal: Proposal
    current: AttendanceEntry | None
    superseded: tuple[AttendanceEntry, ...]
    """Older entries, newest first (each superseded by the one before it)."""


def now_in_shanghai() -> dt.datetime:
    """The time now, Beijing time."""
    return dt.datetime.now(SHANGHAI)


# --------------------------------------------------------------------------- rules


def checked_times(
    status: str, start: int | None, end: int | None, proposal: Proposal
) -> tuple[AttendanceStatus, int | None, int | None]:
    """The status and actual times an entry stores, or the rule it breaks.

    Parameters
    ----------
    status
        An :class:`AttendanceStatus` value.
    start, end
        Actual minutes after midnight, None when not given.
    proposal
        Its planned times fill a served entry's missing ones.

    Returns
    -------
    tuple
        The status and the start and end to store.

    Raises
    ------
    AttendanceRefusedError
        An invalid status or times (``kind`` invalid, ``field`` the input).
    """
    try:
        parsed = AttendanceStatus(status)
    except ValueError:
        raise AttendanceRefusedError(
            Refusal.INVALID,
            _("expected one of {allowed}, found {found!r}").format(
                allowed=", ".join(s.value for s in AttendanceStatus), found=status
            ),
            "status",
        ) from None
    for field, value in (("start", start), ("end", end)):
        if value is not None and not 0 <= value <= DAY_END:
            raise AttendanceRefusedError(
                Refusal.INVALID,
                _("expected a time from 00:00 to 24:00, found {found} minutes").format(found=value),
                field,
            )
    if not parsed.served:
        if start is not None or end is not None:
            raise AttendanceRefusedError(
                Refusal.INVALID,
                _("a no-show has no start or end time"),
                "start" if start is not None else "end",
            )
        return parsed, None, None
    start = proposal.start if start is None else start
    end = proposal.end if end is None else end
    if start is not None and end is not None and end <= start:
        raise AttendanceRefusedError(
            Refusal.INVALID,
            _("expected an end after the start {start}, found {end}").format(
                start=format_minutes(start), end=format_minutes(end)
            ),
            "end",
        )
    return parsed, start, end


def _recordable(session: Session, proposal: Proposal, today: dt.date) -> None:
    """Refuse a first record for a proposal that cannot have one now."""
    roster = session.get(SolveJob, proposal.roster_id)
    if roster is None or roster.published_at is None:
        raise AttendanceRefusedError(
            Refusal.CONFLICT,
            _("roster {roster} is not published: its assignments have no attendance").format(
                roster=proposal.roster_id
            ),
        )
    if proposal.state not in RECORDABLE:
        raise AttendanceRefusedError(
            Refusal.CONFLICT,
            _(
                NOT_RECORDABLE.get(proposal.state, NOT_RECORDABLE[ProposalState.CANCELLED.value])
            ).format(id=proposal.id),
        )
    if proposal.date is not None and proposal.date > today:
        raise AttendanceRefusedError(
            Refusal.CONFLICT,
            _("proposal {id} is on {date}: attendance is recorded on the day or after").format(
                id=proposal.id, date=proposal.date.isoformat()
            ),
        )


NOT_RECORDABLE = {
    ProposalState.DECLINED.value: N_(
        "proposal {id} was declined: attendance is recorded only for assignments proposed or "
        "confirmed"
    ),
    ProposalState.REPLACED.value: N_(
        "proposal {id} was given to someone else: attendance is recorded only for assignments "
        "proposed or confirmed"
    ),
    ProposalState.CANCELLED.value: N_(
        "proposal {id} was cancelled: attendance is recorded only for assignments proposed or "
        "confirmed"
    ),
}
"""Why a proposal in each state cannot have attendance (translated where shown)."""


# --------------------------------------------------------------------------- reads


def find_proposal(session: Session, proposal_id: int) -> Proposal | None:
    """The proposal with this id, None when there is none."""
    return session.get(Proposal, proposal_id)


def find_entry(session: Session, entry_id: int) -> AttendanceEntry | None:
    """The attendance entry with this id, None when there is none."""
    return session.get(AttendanceEntry, entry_id)


def _superseding() -> Any:
    return aliased(AttendanceEntry)


def current_entry(session: Session, proposal_id: int) -> AttendanceEntry | None:
    """The current record of a proposal: its entry nothing supersedes (None before any)."""
    later = _superseding()
    return session.scalar(
        select(AttendanceEntry)
        .outerjoin(later, later.supersedes_id == AttendanceEntry.id)
        .where(AttendanceEntry.proposal_id == proposal_id, later.id.is_(None))
        .order_by(AttendanceEntry.id.desc())
        .limit(1)
    )


def superseded_by(session: Session, entry_id: int) -> AttendanceEntry | None:
    """The entry that superseded this one, None when it is current."""
    return session.scalar(select(AttendanceEntry).where(AttendanceEntry.supersedes_id == entry_id))


def current_entries(session: Session, proposal_ids: list[int]) -> dict[int, AttendanceEntry]:
    """The current record of each of these proposals that has one, by proposal id."""
    if not proposal_ids:
        return {}
    later = _superseding()
    rows = session.scalars(
        select(AttendanceEntry)
        .outerjoin(later, later.supersedes_id == AttendanceEntry.id)
        .where(AttendanceEntry.proposal_id.in_(proposal_ids), later.id.is_(None))
        .order_by(AttendanceEntry.id)
    )
    return {entry.proposal_id: entry for entry in rows}


def roster_ledger(
    session: Session,
    roster_id: int,
    *,
    need_id: str | None = None,
    date: dt.date | None = None,
    status: str | None = None,
) -> list[ProposalLedger]:
    """Every proposal of a roster with its current record and the entries it superseded.

    Parameters
    ----------
    session
        The request's session.
    roster_id
        The roster (solve job).
    need_id, date
        Only the proposals of this need, of this date.
    status
        Only the proposals whose current record has this status; ``unrecorded``
        for those with none yet.

    Returns
    -------
    list[ProposalLedger]
        In date, time, need and volunteer order.
    """
    where: list[ColumnElement[bool]] = [Proposal.roster_id == roster_id]
    if need_id is not None:
        where.append(Proposal.need_id == need_id)
    if date is not None:
        where.append(Proposal.date == date)
    proposals = list(
        session.scalars(
            select(Proposal)
            .where(*where)
            .order_by(Proposal.date, Proposal.start, Proposal.need_id, Proposal.volunteer_id)
        )
    )
    entries: dict[int, list[AttendanceEntry]] = {}
    if proposals:
        for entry in session.scalars(
            select(AttendanceEntry)
            .where(AttendanceEntry.proposal_id.in_([p.id for p in proposals]))
            .order_by(AttendanceEntry.id)
        ):
            entries.setdefault(entry.proposal_id, []).append(entry)
    ledgers = []
    for proposal in proposals:
        current, older = _chain(entries.get(proposal.id, []))
        if status is not None:
            shown = current.status if current is not None else "unrecorded"
            if shown != status:
                continue
        ledgers.append(ProposalLedger(proposal, current, older))
    return ledgers


def _chain(
    entries: list[AttendanceEntry],
) -> tuple[AttendanceEntry | None, tuple[AttendanceEntry, ...]]:
    """The current entry of one proposal's entries and the others, newest first."""
    superseded = {e.supersedes_id for e in entries if e.supersedes_id is not None}
    current = [e for e in entries if e.id not in superseded]
    latest = current[-1] if current else None
    older = tuple(e for e in reversed(entries) if e is not latest)
    return latest, older


def due_unrecorded(
    session: Session, roster_id: int, now: dt.datetime, within: int
) -> list[Proposal]:
    """Proposals due and not arrived: today, starting within ``within`` minutes, not over.

    A proposal (proposed or confirmed) of today (``now``'s date, Beijing
    time) with a start time is due when it starts at most ``within`` minutes
    from now and has not ended; those that started already come first (they
    are late).  Proposals with a current record are left out.
    """
    local = now.astimezone(SHANGHAI)
    minute = local.hour * 60 + local.minute
    proposals = list(
        session.scalars(
            select(Proposal)
            .where(
                Proposal.roster_id == roster_id,
                Proposal.state.in_(RECORDABLE),
                Proposal.date == local.date(),
                Proposal.start.is_not(None),
                Proposal.start <= minute + within,
            )
            .order_by(Proposal.start, Proposal.need_id, Proposal.volunteer_id)
        )
    )
    proposals = [p for p in proposals if p.end is None or p.end > minute]
    recorded = current_entries(session, [p.id for p in proposals])
    return [p for p in proposals if p.id not in recorded]


def people_of(
    session: Session, dataset_id: int | None, proposals: list[Proposal]
) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Names and phones of the proposals' volunteers and titles of their needs, as stored.

    Returns
    -------
    tuple
        ``{volunteer_id: (name, phone)}`` and ``{need_id: title}``; people
        and needs no longer in the dataset are left out.
    """
    if dataset_id is None or not proposals:
        return {}, {}
    volunteers = {
        entity_id: (name, (data or {}).get("phone") or "")
        for entity_id, name, data in session.execute(
            select(VolunteerRecord.entity_id, VolunteerRecord.name, VolunteerRecord.data).where(
                VolunteerRecord.dataset_id == dataset_id,
                VolunteerRecord.entity_id.in_({p.volunteer_id for p in proposals}),
            )
        )
    }
    needs = {
        entity_id: title
        for entity_id, title in session.execute(
            select(NeedRecord.entity_id, NeedRecord.title).where(
                NeedRecord.dataset_id == dataset_id,
                NeedRecord.entity_id.in_({p.need_id for p in proposals}),
            )
        )
    }
    return volunteers, needs


@dataclasses.dataclass(frozen=True, slots=True)
class AttendedItem:
    """A current attendance record of a dataset with where it comes from."""

    record: AttendanceRecord
    entry_id: int
    proposal_id: int
    roster_id: int


def dataset_attendance_items(
    session: Session, dataset_id: int, planned_minutes: Mapping[str, int] | None = None
) -> list[AttendedItem]:
    """The current attendance records of a dataset's published rosters, with their ids.

    Parameters
    ----------
    session
        A session.
    dataset_id
        The dataset.
    planned_minutes
        Minutes of each need (by id), for proposals without planned times
        (an untimed need); 0 for needs not named.

    Returns
    -------
    list[AttendedItem]
        One per proposal of a published roster (the plan of record or an
        earlier one) with a record, in proposal order; a superseded entry
        never counts.  An undated proposal is dated on its roster's last day.
    """
    later = _superseding()
    rows = session.execute(
        select(AttendanceEntry, Proposal, SolveJob.problem)
        .join(Proposal, Proposal.id == AttendanceEntry.proposal_id)
        .join(SolveJob, SolveJob.id == Proposal.roster_id)
        .outerjoin(later, later.supersedes_id == AttendanceEntry.id)
        .where(
            SolveJob.dataset_id == dataset_id,
            SolveJob.published_at.is_not(None),
            later.id.is_(None),
        )
        .order_by(Proposal.id, AttendanceEntry.id)
    )
    minutes = planned_minutes or {}
    items = []
    for entry, proposal, snapshot in rows:
        planned = (
            proposal.end - proposal.start
            if proposal.start is not None and proposal.end is not None
            else minutes.get(proposal.need_id, 0)
        )
        record = AttendanceRecord(
            need_id=proposal.need_id,
            volunteer_id=proposal.volunteer_id,
            date=proposal.date or _horizon_end(snapshot),
            status=AttendanceStatus(entry.status),
            start=entry.actual_start,
            end=entry.actual_end,
            planned_minutes=planned,
            reason=entry.reason,
        )
        items.append(AttendedItem(record, entry.id, proposal.id, proposal.roster_id))
    return items


def need_minutes(session: Session, dataset_id: int) -> dict[str, int]:
    """Each need's duration in minutes, by need id, as the dataset stores it."""
    return {
        entity_id: int((data or {}).get("duration") or 0)
        for entity_id, data in session.execute(
            select(NeedRecord.entity_id, NeedRecord.data).where(NeedRecord.dataset_id == dataset_id)
        )
    }


def dataset_attendance(
    session: Session, dataset_id: int, planned_minutes: Mapping[str, int] | None = None
) -> list[AttendanceRecord]:
    """The current attendance records of a dataset's published rosters.

    As :func:`dataset_attendance_items`, the records alone: what the roster
    engine's history is made from.
    """
    return [item.record for item in dataset_attendance_items(session, dataset_id, planned_minutes)]


def _horizon_end(snapshot: Mapping[str, Any] | None) -> dt.date:
    try:
        return dt.date.fromisoformat((snapshot or {})["horizon"]["end"])
    except (KeyError, TypeError, ValueError):
        return now_in_shanghai().date()


def problem_for_solving(session: Session, dataset_id: int) -> Problem:
    """The dataset's problem as a solve reads it: its history plus what attendance recorded.

    The history rows the dataset holds (uploaded, imported or added) stay;
    the current attendance records of its published rosters are added as
    history (:func:`matcher.attendance.history_from_attendance`: a no-show
    is an entry not attended).  KeyError when there is no such dataset.
    """
    problem = load_problem(session, dataset_id)
    durations = {need.id: need.duration for need in problem.needs}
    records = dataset_attendance(session, dataset_id, durations)
    if not records:
        return problem
    return dataclasses.replace(
        problem, history=problem.history + tuple(history_from_attendance(problem, records))
    )


# --------------------------------------------------------------------------- writes


def _source(source: str) -> str:
    if source not in SOURCES:
        raise ValueError(f"unknown attendance source {source!r}")  # i18n: not shown: a bug
    return source


def _lock(session: Session, proposal_id: int) -> None:
    """Writes of one proposal's attendance run one at a time from here.

    The first statement writes the proposal's row (a no-op update): PostgreSQL
    locks the row, SQLite takes its single write lock.
    """
    session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(updated_at=Proposal.updated_at)
        .execution_options(synchronize_session=False)
    )


def _audit(
    session: Session, key: ApiKey | None, action: str, entry: AttendanceEntry, **more: Any
) -> None:
    session.add(
        AuditEntry(
            key_id=key.id if key is not None else None,
            action=action,
            target=f"proposal:{entry.proposal_id}",
            detail={
                "entry_id": entry.id,
                "status": entry.status,
                "start": format_minutes(entry.actual_start) or None,
                "end": format_minutes(entry.actual_end) or None,
                "reason": entry.reason,
                "source": entry.source,
                **(
                    {"by_volunteer": entry.recorded_by_volunteer}
                    if entry.recorded_by_volunteer
                    else {}
                ),
                **more,
            },
        )
    )


def record_attendance(
    session: Session,
    proposal_id: int,
    *,
    status: str,
    start: int | None = None,
    end: int | None = None,
    reason: str = "",
    key: ApiKey | None = None,
    source: str = "api",
    now: dt.datetime | None = None,
    by_volunteer: str | None = None,
) -> AttendanceEntry:
    """Record what happened for a proposal: its first entry (flushed; the caller commits).

    Parameters
    ----------
    session
        The request's session.
    proposal_id
        The proposal.
    status, start, end, reason
        What happened (:func:`checked_times` fills and checks the times).
    key
        Who records it (None for an import without a key).
    source
        ``api``, ``page``, ``import`` or ``lead``.
    now
        The time now (default the clock), for the day rule.
    by_volunteer
        The team lead who records it through their personal link (no key).

    Returns
    -------
    AttendanceEntry
        The new entry, with its id.

    Raises
    ------
    AttendanceRefusedError
        No such proposal, a proposal that cannot have attendance, one that
        already has a current record (``current_id``), or invalid input;
        the session is rolled back and nothing is written.
    """
    proposal = find_proposal(session, proposal_id)
    if proposal is None:
        raise AttendanceRefusedError(
            Refusal.NOT_FOUND, _("no proposal {id}").format(id=proposal_id)
        )
    try:
        parsed, start, end = checked_times(status, start, end, proposal)
        _lock(session, proposal_id)
        session.refresh(proposal)  # its state as it is now that we hold the lock
        _recordable(session, proposal, (now or now_in_shanghai()).astimezone(SHANGHAI).date())
        current = current_entry(session, proposal_id)
        if current is not None:
            raise AttendanceRefusedError(
                Refusal.CONFLICT,
                _(
                    "proposal {id} already has attendance entry {entry}; correct that entry instead"
                ).format(id=proposal_id, entry=current.id),
                current_id=current.id,
            )
        entry = AttendanceEntry(
            proposal_id=proposal_id,
            status=parsed.value,
            actual_start=start,
            actual_end=end,
            reason=reason,
            source=_source(source),
            recorded_by=key.id if key is not None else None,
            recorded_by_volunteer=by_volunteer,
        )
        session.add(entry)
        session.flush()
    except AttendanceRefusedError:
        session.rollback()
        raise
    _audit(session, key, "attendance.record", entry)
    session.flush()
    return entry


def correct_attendance(
    session: Session,
    entry_id: int,
    *,
    status: str,
    start: int | None = None,
    end: int | None = None,
    reason: str,
    key: ApiKey | None = None,
    source: str = "api",
    by_volunteer: str | None = None,
) -> AttendanceEntry:
    """Correct an entry: a new entry superseding it, with why (flushed; the caller commits).

    The old entry is never changed.  Times are checked and filled as a
    record's (:func:`checked_times`).

    Returns
    -------
    AttendanceEntry
        The new, current entry.

    Raises
    ------
    AttendanceRefusedError
        No such entry, no reason, invalid input, or an entry already
        superseded (a conflict naming the current entry, ``current_id``);
        the session is rolled back and nothing is written.
    """
    old = find_entry(session, entry_id)
    if old is None:
        raise AttendanceRefusedError(
            Refusal.NOT_FOUND, _("no attendance entry {id}").format(id=entry_id)
        )
    try:
        if not reason.strip():
            raise AttendanceRefusedError(
                Refusal.INVALID, _("a correction needs a reason"), "reason"
            )
        proposal = session.get(Proposal, old.proposal_id)
        assert proposal is not None  # entries go with their proposal (ON DELETE CASCADE)
        parsed, start, end = checked_times(status, start, end, proposal)
        _lock(session, proposal.id)
        if superseded_by(session, entry_id) is not None:
            current = current_entry(session, proposal.id)
            current_id = current.id if current is not None else None
            raise AttendanceRefusedError(
                Refusal.CONFLICT,
                _(
                    "attendance entry {id} is already corrected; the current entry is {current}"
                ).format(id=entry_id, current=current_id),
                current_id=current_id,
            )
        entry = AttendanceEntry(
            proposal_id=proposal.id,
            status=parsed.value,
            actual_start=start,
            actual_end=end,
            reason=reason,
            source=_source(source),
            recorded_by=key.id if key is not None else None,
            recorded_by_volunteer=by_volunteer,
            supersedes_id=old.id,
        )
        session.add(entry)
        session.flush()
    except AttendanceRefusedError:
        session.rollback()
        raise
    except IntegrityError:
        # another correction of the same entry won the race (supersedes_id is unique)
        session.rollback()
        raise AttendanceRefusedError(
            Refusal.CONFLICT,
            _("attendance entry {id} was corrected at the same moment; read it again").format(
                id=entry_id
            ),
        ) from None
    _audit(session, key, "attendance.correct", entry, supersedes=old.id)
    session.flush()
    return entry
