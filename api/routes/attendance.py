"""Attendance: what happened for each assignment of a published roster.

Coordinators (and admins) record it one proposal at a time and correct it;
a correction is a new entry superseding the old one, which stays (the
ledger is append-only, :mod:`api.store.attendance`).  Everyone reads a
roster's ledger, and the proposals due and not arrived (the team lead's
view on the day); phone numbers are masked for viewers.
"""

from __future__ import annotations

import dataclasses
import pathlib
import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, Path, Query, Request, UploadFile, status
from sqlalchemy.orm import Session

from api.attendance_schemas import (
    AttendanceBody,
    AttendanceHistoryRow,
    CorrectionBody,
    DueProposal,
    EntryAnswer,
    ImportAnswer,
    ProposalAttendance,
)
from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.exports import job_problem
from api.masking import mask_phone
from api.record_schemas import DateField, minutes_of
from api.routes.common import (
    AUTH,
    CONFLICT,
    NOT_FOUND,
    DatasetId,
    answer,
    get_dataset,
    upload_errors,
)
from api.schemas import DataIssueModel, UploadErrors
from api.store.attendance import (
    AttendanceRefusedError,
    correct_attendance,
    current_entry,
    dataset_attendance_items,
    due_unrecorded,
    find_entry,
    need_minutes,
    now_in_shanghai,
    people_of,
    record_attendance,
    roster_ledger,
    superseded_by,
)
from api.store.jobs import find_job
from api.store.models import AttendanceEntry, SolveJob
from api.store.proposals import open_proposals
from api.team_day import refused
from matcher.attendance import AttendancePlan
from matcher.domain import Assignment, format_minutes
from matcher.errors import DataError, DataIssue
from matcher.i18n import _
from matcher.io.attendance import read_attendance_rows

router = APIRouter(tags=["attendance"])

ProposalId = Annotated[int, Path(ge=1, le=2_147_483_647, description="proposal id")]
EntryId = Annotated[int, Path(ge=1, le=2_147_483_647, description="attendance entry id")]
RosterId = Annotated[int, Path(ge=1, le=2_147_483_647, description="roster (solve job) id")]
INVALID: dict[int | str, dict[str, Any]] = {
    422: answer(description="A bad status or time, with the field path (loc)")
}
WRITE_ANSWERS = {**AUTH, **NOT_FOUND, **CONFLICT, **INVALID}


def _entry(
    entry: AttendanceEntry, later: int | None = None, *, personal: bool = True
) -> EntryAnswer:
    return EntryAnswer(
        id=entry.id,
        proposal_id=entry.proposal_id,
        status=entry.status,
        start=format_minutes(entry.actual_start) or None,
        end=format_minutes(entry.actual_end) or None,
        # free text about a person (an illness, a family matter): hidden from viewers
        reason=entry.reason if personal or not entry.reason else "****",
        source=entry.source,
        recorded_by=entry.recorded_by,
        recorded_by_volunteer=entry.recorded_by_volunteer,
        recorded_at=entry.recorded_at,
        supersedes_id=entry.supersedes_id,
        superseded_by=later,
    )


def _roster(session: Session, roster_id: int) -> SolveJob:
    job = find_job(session, roster_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no roster {id}").format(id=roster_id))
    return job


@router.post(
    "/proposals/{proposal_id}/attendance",
    status_code=status.HTTP_201_CREATED,
    summary="Record what happened for an assignment",
    description=(
        "Attended, late, left early or no-show, with the actual start and end (`HH:MM`; "
        "missing times of a served assignment are the planned ones; a no-show has none). "
        "Only for a proposed or confirmed assignment of a published roster, on its day or "
        "after; a proposal with a record answers 409 naming it: correct that entry instead. "
        "Coordinators and admins; written to the audit log."
    ),
    responses=WRITE_ANSWERS,
)
def record(
    proposal_id: ProposalId, body: AttendanceBody, session: SessionDep, key: Writer
) -> EntryAnswer:
    try:
        entry = record_attendance(
            session,
            proposal_id,
            status=body.status,
            start=minutes_of(body.start),
            end=minutes_of(body.end, end=True),
            reason=body.reason,
            key=key,
            source="api",
        )
    except AttendanceRefusedError as error:
        refused(error)
    session.commit()
    return _entry(entry)


@router.post(
    "/attendance/{entry_id}/correct",
    status_code=status.HTTP_201_CREATED,
    summary="Correct an attendance entry",
    description=(
        "Writes a new entry superseding this one, with a reason (required); the old entry "
        "is kept unchanged and both stay in the audit log. Correcting an entry already "
        "corrected answers 409 naming the current one. Coordinators and admins."
    ),
    responses=WRITE_ANSWERS,
)
def correct(
    entry_id: EntryId, body: CorrectionBody, session: SessionDep, key: Writer
) -> EntryAnswer:
    try:
        entry = correct_attendance(
            session,
            entry_id,
            status=body.status,
            start=minutes_of(body.start),
            end=minutes_of(body.end, end=True),
            reason=body.reason,
            key=key,
            source="api",
        )
    except AttendanceRefusedError as error:
        refused(error)
    session.commit()
    return _entry(entry)


@router.get(
    "/attendance/{entry_id}",
    summary="One attendance entry",
    description="With `superseded_by`, the correction that replaced it (null while current).",
    responses={**AUTH, **NOT_FOUND},
)
def read_entry(entry_id: EntryId, session: SessionDep, key: Reader) -> EntryAnswer:
    entry = find_entry(session, entry_id)
    if entry is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, _("no attendance entry {id}").format(id=entry_id)
        )
    later = superseded_by(session, entry_id)
    return _entry(
        entry, later.id if later is not None else None, personal=can_see_personal_data(key)
    )


@router.get(
    "/rosters/{roster_id}/attendance",
    summary="The attendance ledger of a roster",
    description=(
        "Every proposal of the roster with its current record (null before any) and the "
        "entries that record superseded, newest first. Filter by need, date or the current "
        "record's status (`unrecorded` for none yet)."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def roster_attendance(
    roster_id: RosterId,
    session: SessionDep,
    key: Reader,
    need_id: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
    date: Annotated[DateField | None, Query(description="proposals of this date")] = None,
    status_: Annotated[
        str | None,
        Query(
            alias="status",
            pattern="^(attended|late|left_early|no_show|unrecorded)$",
            description="the current record's status, or unrecorded",
        ),
    ] = None,
) -> list[ProposalAttendance]:
    job = _roster(session, roster_id)
    ledgers = roster_ledger(session, roster_id, need_id=need_id, date=date, status=status_)
    volunteers, _titles = people_of(session, job.dataset_id, [item.proposal for item in ledgers])
    personal = can_see_personal_data(key)
    answers = []
    for item in ledgers:
        p = item.proposal
        later = {e.supersedes_id: e.id for e in (item.current, *item.superseded) if e}
        answers.append(
            ProposalAttendance(
                proposal_id=p.id,
                need_id=p.need_id,
                volunteer_id=p.volunteer_id,
                volunteer_name=volunteers.get(p.volunteer_id, (None, ""))[0],
                role=p.role,
                date=p.date,
                start=format_minutes(p.start) or None,
                end=format_minutes(p.end) or None,
                state=p.state,
                current=_entry(item.current, personal=personal) if item.current else None,
                superseded=[_entry(e, later.get(e.id), personal=personal) for e in item.superseded],
            )
        )
    return answers


@router.get(
    "/rosters/{roster_id}/attendance/due",
    summary="Due and not arrived",
    description=(
        "Today's proposals of the roster (Beijing time), proposed or confirmed, that start "
        "within `within` minutes from now or have started and not ended, with no record "
        "yet: whom the team lead is waiting for. Late ones first (negative "
        "`minutes_to_start`). Phones masked for viewers."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def due(
    roster_id: RosterId,
    session: SessionDep,
    key: Reader,
    within: Annotated[int, Query(ge=0, le=24 * 60, description="minutes from now")] = 30,
) -> list[DueProposal]:
    job = _roster(session, roster_id)
    now = now_in_shanghai()
    minute = now.hour * 60 + now.minute
    proposals = due_unrecorded(session, roster_id, now, within)
    volunteers, titles = people_of(session, job.dataset_id, proposals)
    personal = can_see_personal_data(key)
    answers = []
    for p in proposals:
        assert p.start is not None and p.date is not None  # due_unrecorded: dated and timed
        name, phone = volunteers.get(p.volunteer_id, (None, ""))
        answers.append(
            DueProposal(
                proposal_id=p.id,
                need_id=p.need_id,
                need_title=titles.get(p.need_id),
                volunteer_id=p.volunteer_id,
                volunteer_name=name,
                phone=(phone if personal else mask_phone(phone)) or None,
                role=p.role,
                date=p.date,
                start=format_minutes(p.start),
                end=format_minutes(p.end) or None,
                state=p.state,
                minutes_to_start=p.start - minute,
            )
        )
    return answers


@router.get(
    "/datasets/{dataset_id}/attendance/history",
    summary="History a solve reads from attendance",
    description=(
        "The current attendance records of the dataset's published rosters as the history "
        "entries a solve adds to the dataset's own history rows (`GET "
        "/datasets/{id}/history`, uploaded or added): minutes served, a no-show not "
        "attended. Each says where it comes from (roster, proposal, entry); a superseded "
        "entry never counts."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def attendance_history(
    dataset_id: DatasetId, session: SessionDep, key: Reader
) -> list[AttendanceHistoryRow]:
    get_dataset(session, dataset_id)
    items = dataset_attendance_items(session, dataset_id, need_minutes(session, dataset_id))
    return [
        AttendanceHistoryRow(
            volunteer_id=item.record.volunteer_id,
            need_id=item.record.need_id,
            date=item.record.date,
            status=item.record.status.value,
            minutes=item.record.minutes,
            attended=item.record.status.served,
            source="attendance",
            roster_id=item.roster_id,
            proposal_id=item.proposal_id,
            entry_id=item.entry_id,
        )
        for item in items
    ]


@router.post(
    "/rosters/{roster_id}/attendance/import",
    summary="Import an attendance sheet (CSV or XLSX) for a published roster",
    description=(
        "The sheet of `matcher attendance template` filled in on the day: need, volunteer, "
        "status (到岗, 迟到, 早退, 缺席 or the English values), actual times, reason. "
        "All or nothing: any problem answers 400 with every one by file, row and column. "
        "Rows with no status yet, and assignments that already have a record, are left "
        "out and listed. Each record is an entry of the ledger (source `import`)."
    ),
    responses={
        **AUTH,
        **NOT_FOUND,
        **CONFLICT,
        400: answer(model=UploadErrors, description="Every problem of the sheet"),
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "examples": {
                        "sheet": {
                            "summary": "The filled-in sheet (curl -F file=@出勤记录.xlsx)",
                            "value": {"file": "出勤记录.xlsx"},
                        }
                    }
                }
            }
        }
    },
)
def import_sheet(
    roster_id: RosterId,
    request: Request,
    session: SessionDep,
    key: Writer,
    file: Annotated[UploadFile, File(description="the attendance sheet, .csv or .xlsx")],
) -> ImportAnswer:
    job = _roster(session, roster_id)
    if job.published_at is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("roster {id} is not published: it has no assignments to attend").format(id=job.id),
        )
    problem = job_problem(job)
    proposals = {(p.need_id, p.volunteer_id): p for p in open_proposals(session, job.id)}
    plan = AttendancePlan(
        problem,
        [Assignment(p.need_id, p.volunteer_id, p.date, p.start, p.end) for p in proposals.values()],
    )
    name = pathlib.Path(file.filename or "attendance.csv").name
    with tempfile.TemporaryDirectory(prefix="matcher-attendance-") as tmp:
        workdir = pathlib.Path(tmp)
        path = workdir / name
        if not name.casefold().endswith((".csv", ".xlsx", ".xlsm")):
            issue = DataIssue(name, None, None, _("expected a .csv or .xlsx attendance sheet"))
            return upload_errors([issue], workdir)  # type: ignore[return-value]
        file.file.seek(0)
        path.write_bytes(file.file.read())
        try:
            found, warnings = read_attendance_rows(
                path, plan, request.app.state.settings.read_limits
            )
        except DataError as error:
            return upload_errors(error.issues, workdir)  # type: ignore[return-value]
    recorded, already, refused = [], [], []
    for item in found:
        record = item.record
        proposal = proposals[(record.need_id, record.volunteer_id)]
        if current_entry(session, proposal.id) is not None:
            already.append(item.row)
            continue
        try:
            entry = record_attendance(
                session,
                proposal.id,
                status=record.status.value,
                start=record.start,
                end=record.end,
                reason=record.reason,
                key=key,
                source="import",
            )
        except AttendanceRefusedError as error:
            refused.append(DataIssue(item.label, item.row, error.field, error.message))
            continue
        recorded.append(entry.id)
    if refused:
        # not committed: the session ends rolled back, so nothing of the sheet is recorded
        return upload_errors(refused, workdir)  # type: ignore[return-value]
    session.commit()
    return ImportAnswer(
        recorded=len(recorded),
        already_recorded_rows=already,
        warnings=[DataIssueModel(**dataclasses.asdict(w)) for w in warnings],
    )
