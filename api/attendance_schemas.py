"""Bodies and answers of attendance (:mod:`api.routes.attendance`).

Times of day are written as the spreadsheets write them (``09:05``, ``9点``,
``下午3点``; read by :func:`matcher.io.parse_time`) and answered as ``HH:MM``;
statuses are the codes of :class:`matcher.attendance.AttendanceStatus`.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.record_schemas import EndClock, StartClock
from api.schemas import Body, DataIssueModel
from matcher.attendance import AttendanceStatus

STATUS_CODES = ", ".join(s.value for s in AttendanceStatus)


class AttendanceBody(Body):
    """What happened for one assignment."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "attended"},
                {"status": "late", "start": "09:20", "reason": "公交晚点"},
                {"status": "no_show", "reason": "生病请假未通知"},
            ]
        }
    )

    status: str = Field(
        min_length=1, max_length=16, description=f"one of {STATUS_CODES}"
    )  # i18n: not shown: OpenAPI description
    start: StartClock = Field(
        None, description="actual start HH:MM; default the planned start (none for a no-show)"
    )
    end: EndClock = Field(
        None, description="actual end HH:MM, after start; default the planned end; 24:00 allowed"
    )
    reason: str = Field("", max_length=2000, description="why (late, left early, absent)")


class CorrectionBody(AttendanceBody):
    """A correction: what really happened, and why the record changes (required)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"status": "attended", "start": "09:00", "end": "11:30", "reason": "志愿者申请更正"}
            ]
        }
    )

    reason: str = Field(min_length=1, max_length=2000, description="why the record is corrected")


class EntryAnswer(BaseModel):
    """One attendance entry; ``superseded_by`` names the correction that replaced it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "proposal_id": 12,
                    "status": "late",
                    "start": "09:20",
                    "end": "11:30",
                    "reason": "公交晚点",
                    "source": "api",
                    "recorded_by": 2,
                    "recorded_at": "2026-09-19T01:25:00Z",
                    "supersedes_id": None,
                    "superseded_by": None,
                }
            ]
        }
    )

    id: int
    proposal_id: int
    status: str
    start: str | None
    end: str | None
    reason: str
    source: str
    recorded_by: int | None
    recorded_by_volunteer: str | None = Field(
        None, description="the team lead who recorded it through their personal link"
    )
    recorded_at: dt.datetime
    supersedes_id: int | None
    superseded_by: int | None


class ProposalAttendance(BaseModel):
    """A proposal of the roster with its current record and the entries that record superseded."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 12,
                    "need_id": "N001",
                    "volunteer_id": "V0001",
                    "volunteer_name": "张伟",
                    "role": "lead",
                    "date": "2026-09-19",
                    "start": "09:00",
                    "end": "11:30",
                    "state": "confirmed",
                    "current": {
                        "id": 8,
                        "proposal_id": 12,
                        "status": "late",
                        "start": "09:40",
                        "end": "11:30",
                        "reason": "志愿者申请更正：公交晚点",
                        "source": "api",
                        "recorded_by": 2,
                        "recorded_at": "2026-09-19T05:00:00Z",
                        "supersedes_id": 7,
                        "superseded_by": None,
                    },
                    "superseded": [
                        {
                            "id": 7,
                            "proposal_id": 12,
                            "status": "attended",
                            "start": "09:00",
                            "end": "11:30",
                            "reason": "",
                            "source": "api",
                            "recorded_by": 2,
                            "recorded_at": "2026-09-19T01:05:00Z",
                            "supersedes_id": None,
                            "superseded_by": 8,
                        }
                    ],
                }
            ]
        }
    )

    proposal_id: int
    need_id: str
    volunteer_id: str
    volunteer_name: str | None
    role: str
    date: dt.date | None
    start: str | None = Field(description="planned start HH:MM")
    end: str | None = Field(description="planned end HH:MM")
    state: str
    current: EntryAnswer | None
    superseded: list[EntryAnswer] = Field(description="older entries, newest first")


class DueProposal(BaseModel):
    """A proposal due and not arrived: starting soon, or started without a record."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "proposal_id": 12,
                    "need_id": "N001",
                    "need_title": "家电义务维修",
                    "volunteer_id": "V0001",
                    "volunteer_name": "张伟",
                    "phone": "*******0000",
                    "role": "member",
                    "date": "2026-09-19",
                    "start": "09:00",
                    "end": "11:30",
                    "state": "confirmed",
                    "minutes_to_start": -5,
                }
            ]
        }
    )

    proposal_id: int
    need_id: str
    need_title: str | None
    volunteer_id: str
    volunteer_name: str | None
    phone: str | None = Field(description="masked for viewers")
    role: str
    date: dt.date
    start: str
    end: str | None
    state: str
    minutes_to_start: int = Field(description="negative once the start has passed (late)")


class AttendanceHistoryRow(BaseModel):
    """A history entry a solve reads from attendance (not a row of the dataset's history)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "volunteer_id": "V0001",
                    "need_id": "N001",
                    "date": "2026-09-19",
                    "status": "late",
                    "minutes": 110,
                    "attended": True,
                    "source": "attendance",
                    "roster_id": 3,
                    "proposal_id": 12,
                    "entry_id": 8,
                }
            ]
        }
    )

    volunteer_id: str
    need_id: str
    date: dt.date
    status: str
    minutes: int = Field(description="minutes served: the actual span, else the planned one")
    attended: bool = Field(description="false for a no-show")
    source: str = Field(description="always attendance: where the entry comes from")
    roster_id: int
    proposal_id: int
    entry_id: int = Field(description="the current attendance entry it is read from")


class ImportAnswer(BaseModel):
    """What an attendance sheet added to the ledger."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recorded": 38,
                    "already_recorded_rows": [7],
                    "warnings": [
                        {
                            "file": "出勤记录.xlsx",
                            "row": None,
                            "column": None,
                            "message": "第 40、41 行尚未填写出勤情况，已跳过",
                        }
                    ],
                }
            ]
        }
    )

    recorded: int = Field(description="entries written (source `import`)")
    already_recorded_rows: list[int] = Field(
        description="rows left out: their assignment had a record already (correct it instead)"
    )
    warnings: list[DataIssueModel] = Field(
        description="what was read past: a title row, unknown columns, rows with no status yet"
    )


MEMBER_EXAMPLE = {
    "proposal_id": 12,
    "volunteer_id": "V0002",
    "volunteer_name": "李娜",
    "phone": "000-0000-0000",
    "role": "member",
    "state": "confirmed",
    "state_name": "已确认",
    "attendance": "late",
    "attendance_name": "迟到",
    "entry_id": 7,
    "start": "09:20",
    "end": "11:30",
}


class TeamMember(BaseModel):
    """One volunteer of a team on the day: their answer and what the lead recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [MEMBER_EXAMPLE]})

    proposal_id: int
    volunteer_id: str
    volunteer_name: str = ""
    phone: str = Field("", description="so the lead can call someone who has not arrived")
    role: str
    state: str = Field(description="the proposal's state: proposed, confirmed, declined, ...")
    state_name: str = Field(description="the state in the answer's language")
    attendance: str | None = Field(None, description="the current record's status, if any")
    attendance_name: str | None = Field(None, description="that status in the answer's language")
    entry_id: int | None = Field(None, description="the current attendance entry")
    start: str | None = Field(None, description="the recorded actual start HH:MM")
    end: str | None = Field(None, description="the recorded actual end HH:MM")


class TeamDay(BaseModel):
    """A need the link's volunteer leads, with their team, for marking arrivals on the day."""

    lead_proposal_id: int
    need_id: str
    need_title: str = ""
    place: str = ""
    date: dt.date | None
    start: str | None = None
    end: str | None = None
    recordable: bool = Field(description="on the day or after: arrivals can be recorded")
    members: list[TeamMember]


class MyTeams(BaseModel):
    """The teams a volunteer leads in the plan of record (none for a team member)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "volunteer_id": "V0001",
                    "volunteer_name": "张伟",
                    "teams": [
                        {
                            "lead_proposal_id": 11,
                            "need_id": "N001",
                            "need_title": "家电维修",
                            "place": "社区服务中心",
                            "date": "2026-09-19",
                            "start": "09:00",
                            "end": "11:30",
                            "recordable": True,
                            "members": [MEMBER_EXAMPLE],
                        }
                    ],
                }
            ]
        }
    )

    volunteer_id: str
    volunteer_name: str = ""
    teams: list[TeamDay]


class LeadMark(Body):
    """What the team lead saw: the volunteer arrived, came late, left early or did not come."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "attended"}, {"status": "no_show"}]}
    )

    status: str = Field(
        min_length=1, max_length=16, description=f"one of {STATUS_CODES}"
    )  # i18n: not shown: OpenAPI description


class ArrivalForm(BaseModel):
    """The team lead's page form: which member, and what the lead saw."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"proposal_id": 12, "status": "attended"}]}
    )

    proposal_id: int = Field(ge=1, le=2_147_483_647)
    status: AttendanceStatus
