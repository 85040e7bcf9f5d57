"""Attendance through the ASGI app: record, correct (both entries kept), refusals, roles,
the ledger, due and not arrived, and the history a solve reads from attendance.

Publishing in this branch does not make proposals yet, so
:func:`published_roster_with_proposals` writes a published roster and its
proposals straight through the ORM.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.store.attendance import now_in_shanghai
from api.store.datasets import load_problem
from api.store.models import (
    AttendanceEntry,
    AuditEntry,
    JobStatus,
    Proposal,
    ProposalState,
    SolveJob,
    utcnow,
)
from api.store.serialize import from_json, to_json
from matcher.domain import Problem
from tests.api.conftest import headers

YESTERDAY = (now_in_shanghai() - dt.timedelta(days=1)).date()


def published_roster_with_proposals(
    app: FastAPI, dataset_id: int, count: int = 3, *, date: dt.date = YESTERDAY
) -> list[int]:
    """A published roster of the dataset with ``count`` proposals (timed needs, distinct
    volunteers), dated ``date``; made through the ORM, not by publishing. Their ids.

    A plan of record the dataset had is superseded (it stays published).
    """
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
        for previous in session.scalars(  # one plan of record: the new one supersedes
            select(SolveJob).where(
                SolveJob.dataset_id == dataset_id,
                SolveJob.published_at.is_not(None),
                SolveJob.superseded_at.is_(None),
            )
        ):
            previous.superseded_at = utcnow()
        session.flush()
        job = SolveJob(
            dataset_id=dataset_id,
            status=JobStatus.DONE.value,
            params={},
            problem=to_json(problem),
            roster=[],
            published_at=utcnow(),
        )
        session.add(job)
        session.flush()
        timed = [n for n in problem.needs if n.start is not None and n.end is not None]
        proposals = [
            Proposal(
                roster_id=job.id,
                dataset_id=dataset_id,
                need_id=need.id,
                volunteer_id=volunteer.id,
                role="member",
                date=date,
                start=need.start,
                end=need.end,
                state=ProposalState.CONFIRMED.value,
            )
            for need, volunteer in zip(timed[:count], problem.volunteers[:count], strict=True)
        ]
        session.add_all(proposals)
        session.commit()
        return [p.id for p in proposals]


def _post(client: TestClient, key: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=headers(key))


def _counts(app: FastAPI) -> tuple[int, int]:
    with app.state.sessionmaker() as session:
        entries = session.scalar(select(func.count()).select_from(AttendanceEntry)) or 0
        audits = (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action.startswith("attendance."))
            )
            or 0
        )
    return entries, audits


def test_record_then_correct_keeps_both_entries_and_both_audit_entries(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    first, second, _third = published_roster_with_proposals(app, dataset_id)
    with app.state.sessionmaker() as session:
        planned = session.get(Proposal, first)
        assert planned is not None
        planned_start, planned_end, roster_id = planned.start, planned.end, planned.roster_id

    # viewers read, never record
    refused = _post(client, viewer, f"/proposals/{first}/attendance", {"status": "attended"})
    assert refused.status_code == 403
    assert _counts(app) == (0, 0)

    recorded = _post(client, coordinator, f"/proposals/{first}/attendance", {"status": "attended"})
    assert recorded.status_code == 201, recorded.text
    entry = recorded.json()
    # attended without times: the planned ones
    assert entry["start"] == f"{planned_start // 60:02d}:{planned_start % 60:02d}"
    assert entry["end"] == f"{planned_end // 60:02d}:{planned_end % 60:02d}"
    assert entry["supersedes_id"] is None and entry["source"] == "api"

    # a second record of the same proposal: 409 naming the current entry
    again = _post(client, coordinator, f"/proposals/{first}/attendance", {"status": "late"})
    assert again.status_code == 409 and str(entry["id"]) in again.json()["detail"]

    # a correction needs a reason (422, nothing written)
    no_reason = _post(client, coordinator, f"/attendance/{entry['id']}/correct", {"status": "late"})
    assert no_reason.status_code == 422
    corrected = _post(
        client,
        coordinator,
        f"/attendance/{entry['id']}/correct",
        {"status": "late", "start": "9点40", "reason": "志愿者申请更正：公交晚点"},
    )
    assert corrected.status_code == 201, corrected.text
    new = corrected.json()
    assert new["supersedes_id"] == entry["id"] and new["status"] == "late"
    assert new["start"] == "09:40"

    # both entries are there, the old one unchanged
    old = client.get(f"/attendance/{entry['id']}", headers=headers(coordinator)).json()
    assert {k: v for k, v in old.items() if k != "superseded_by"} == {
        k: v for k, v in entry.items() if k != "superseded_by"
    }
    assert old["superseded_by"] == new["id"]
    assert (
        client.get(f"/attendance/{new['id']}", headers=headers(viewer)).json()["superseded_by"]
        is None
    )
    with app.state.sessionmaker() as session:
        stored = session.scalars(
            select(AttendanceEntry)
            .where(AttendanceEntry.proposal_id == first)
            .order_by(AttendanceEntry.id)
        ).all()
        assert [(e.id, e.status, e.supersedes_id) for e in stored] == [
            (entry["id"], "attended", None),
            (new["id"], "late", entry["id"]),
        ]
        audits = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target == f"proposal:{first}")
            .order_by(AuditEntry.id)
        ).all()
        assert [(a.action, a.detail["entry_id"]) for a in audits] == [
            ("attendance.record", entry["id"]),
            ("attendance.correct", new["id"]),
        ]
        assert audits[1].detail["supersedes"] == entry["id"]

    # correcting the superseded entry: 409 naming the current one, nothing written
    before = _counts(app)
    stale = _post(
        client,
        coordinator,
        f"/attendance/{entry['id']}/correct",
        {"status": "no_show", "reason": "again"},
    )
    assert stale.status_code == 409
    assert f"current entry is {new['id']}" in stale.json()["detail"]
    assert _counts(app) == before

    # the ledger: the current record and the superseded one, per proposal
    ledger = client.get(f"/rosters/{roster_id}/attendance", headers=headers(viewer))
    assert ledger.status_code == 200, ledger.text
    rows = {row["proposal_id"]: row for row in ledger.json()}
    assert rows[first]["current"]["id"] == new["id"]
    assert [e["id"] for e in rows[first]["superseded"]] == [entry["id"]]
    assert rows[first]["superseded"][0]["superseded_by"] == new["id"]
    # the reason is free text about a person: viewers see it hidden, coordinators read it
    assert rows[first]["current"]["reason"] == "****"
    full = client.get(f"/rosters/{roster_id}/attendance", headers=headers(coordinator)).json()
    assert {r["proposal_id"]: r for r in full}[first]["current"]["reason"] == new["reason"]
    assert rows[second]["current"] is None and rows[second]["superseded"] == []
    late = client.get(f"/rosters/{roster_id}/attendance?status=late", headers=headers(viewer))
    assert [row["proposal_id"] for row in late.json()] == [first]
    unrecorded = client.get(
        f"/rosters/{roster_id}/attendance?status=unrecorded", headers=headers(viewer)
    )
    assert first not in {row["proposal_id"] for row in unrecorded.json()}
    assert (
        client.get(f"/rosters/{roster_id}/attendance?status=nope", headers=headers(viewer))
    ).status_code == 422
    assert client.get("/rosters/99999/attendance", headers=headers(viewer)).status_code == 404


def test_illegal_input_is_refused_with_a_message_and_nothing_written(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = keys["coordinator"]
    first, second, third = published_roster_with_proposals(app, dataset_id)
    with app.state.sessionmaker() as session:
        cancelled = session.get(Proposal, third)
        assert cancelled is not None
        cancelled.state = ProposalState.CANCELLED.value
        session.commit()

    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (f"/proposals/{first}/attendance", {"status": "came"}, 422, "status"),
        (
            f"/proposals/{first}/attendance",
            {"status": "attended", "start": "11:00", "end": "10:00"},
            422,
            "end",
        ),
        (f"/proposals/{first}/attendance", {"status": "attended", "start": "25:00"}, 422, ""),
        (f"/proposals/{first}/attendance", {"status": "no_show", "start": "09:00"}, 422, "start"),
        (f"/proposals/{third}/attendance", {"status": "attended"}, 409, "cancelled"),
        ("/proposals/99999/attendance", {"status": "attended"}, 404, "99999"),
        ("/attendance/99999/correct", {"status": "attended", "reason": "x"}, 404, "99999"),
    ]
    for path, body, code, word in cases:
        response = _post(client, coordinator, path, body)
        assert response.status_code == code, (body, response.text)
        assert word in str(response.json()["detail"]), response.text
        assert _counts(app) == (0, 0), body

    # the messages are Chinese when asked for
    zh = client.post(
        f"/proposals/{first}/attendance",
        json={"status": "no_show", "end": "10:00"},
        headers={**headers(coordinator), "Accept-Language": "zh-CN"},
    )
    assert zh.status_code == 422 and "缺席" in zh.json()["detail"][0]["msg"]

    # a no-show has no times; an unpublished roster's proposal has no attendance
    no_show = _post(client, coordinator, f"/proposals/{second}/attendance", {"status": "no_show"})
    assert no_show.status_code == 201 and no_show.json()["start"] is None
    with app.state.sessionmaker() as session:
        session.get(SolveJob, session.get(Proposal, first).roster_id).published_at = None  # type: ignore[union-attr]
        session.commit()
    unpublished = _post(client, coordinator, f"/proposals/{first}/attendance", {"status": "late"})
    assert unpublished.status_code == 409 and "not published" in unpublished.json()["detail"]


def test_future_proposal_waits_for_its_day_and_due_lists_who_has_not_arrived(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    tomorrow = YESTERDAY + dt.timedelta(days=2)
    (future,) = published_roster_with_proposals(app, dataset_id, 1, date=tomorrow)
    early = _post(client, coordinator, f"/proposals/{future}/attendance", {"status": "attended"})
    assert early.status_code == 409 and "on the day" in early.json()["detail"]

    now = now_in_shanghai()
    minute = now.hour * 60 + now.minute
    soon, later = published_roster_with_proposals(app, dataset_id, 2, date=now.date())
    with app.state.sessionmaker() as session:
        for proposal_id, start in (
            (soon, min(minute + 10, 1439)),
            (later, min(minute + 120, 1439)),
        ):
            proposal = session.get(Proposal, proposal_id)
            assert proposal is not None
            proposal.start, proposal.end = start, 1440
        roster_id = session.get(Proposal, soon).roster_id  # type: ignore[union-attr]
        session.commit()
    due = client.get(f"/rosters/{roster_id}/attendance/due?within=30", headers=headers(viewer))
    assert due.status_code == 200, due.text
    ids = [row["proposal_id"] for row in due.json()]
    assert soon in ids
    assert (later in ids) == (min(minute + 120, 1439) <= minute + 30)  # both, near midnight
    row = next(r for r in due.json() if r["proposal_id"] == soon)
    assert 0 <= row["minutes_to_start"] <= 10
    assert row["phone"] is None or "*" in row["phone"]  # masked for viewers
    # once recorded, no longer due
    assert _post(client, coordinator, f"/proposals/{soon}/attendance", {"status": "attended"})
    due = client.get(f"/rosters/{roster_id}/attendance/due", headers=headers(viewer)).json()
    assert soon not in [r["proposal_id"] for r in due]


def test_a_solve_reads_history_from_current_attendance(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    came, absent, unrecorded = published_roster_with_proposals(app, dataset_id)
    with app.state.sessionmaker() as session:
        stored_history = len(load_problem(session, dataset_id).history)
        proposals = {p: session.get(Proposal, p) for p in (came, absent, unrecorded)}
        volunteers = {p: proposal.volunteer_id for p, proposal in proposals.items() if proposal}

    # recorded late 30 minutes, then corrected to 10:00-11:00 (only the correction counts)
    first = _post(
        client, coordinator, f"/proposals/{came}/attendance", {"status": "attended"}
    ).json()
    corrected = _post(
        client,
        coordinator,
        f"/attendance/{first['id']}/correct",
        {"status": "late", "start": "10:00", "end": "11:00", "reason": "签到表核对"},
    ).json()
    _post(client, coordinator, f"/proposals/{absent}/attendance", {"status": "no_show"})

    started = client.post(
        "/rosters", json={"dataset_id": dataset_id, "params": {}}, headers=headers(coordinator)
    )
    assert started.status_code == 202, started.text
    with app.state.sessionmaker() as session:
        job = session.get(SolveJob, started.json()["id"])
        assert job is not None
        problem = from_json(Problem, job.problem)
        # the dataset itself is unchanged: attendance is read, not copied into it
        assert len(load_problem(session, dataset_id).history) == stored_history
    assert len(problem.history) == stored_history + 2
    mine = {e.volunteer_id: e for e in problem.history[stored_history:]}
    assert set(mine) == {volunteers[came], volunteers[absent]}
    assert mine[volunteers[came]].attended and mine[volunteers[came]].minutes == 60
    assert mine[volunteers[came]].date == YESTERDAY
    assert not mine[volunteers[absent]].attended and mine[volunteers[absent]].minutes == 0
    assert volunteers[unrecorded] not in mine

    # the dataset's own history rows stay as they are; what attendance adds says where from
    own = client.get(f"/datasets/{dataset_id}/history?limit=1", headers=headers(viewer))
    assert own.status_code == 200
    added = client.get(f"/datasets/{dataset_id}/attendance/history", headers=headers(viewer))
    assert added.status_code == 200, added.text
    rows = {row["volunteer_id"]: row for row in added.json()}
    assert set(rows) == {volunteers[came], volunteers[absent]}
    assert rows[volunteers[came]]["entry_id"] == corrected["id"]
    assert rows[volunteers[came]]["source"] == "attendance"
    assert rows[volunteers[came]]["proposal_id"] == came
    assert (rows[volunteers[absent]]["attended"], rows[volunteers[absent]]["minutes"]) == (
        False,
        0,
    )
