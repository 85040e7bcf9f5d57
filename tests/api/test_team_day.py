"""A team lead marks arrivals through their personal link: who may mark whom, the day
rule, corrections that never overwrite, the lead named on the entry, and the phone page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

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
from api.store.serialize import to_json
from tests.api.conftest import headers

TODAY = now_in_shanghai().date()


def team_roster(app: FastAPI, dataset_id: int, date: dt.date) -> dict[str, Any]:
    """A published plan of record with one team (lead, two members, one who declined) on a
    timed need, and one volunteer on another need; made through the ORM, superseding the
    dataset's earlier plan. Ids by name."""
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
        for previous in session.scalars(  # one plan of record: the new one supersedes
            select(SolveJob).where(
                SolveJob.dataset_id == dataset_id, SolveJob.superseded_at.is_(None)
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
        need, other = timed[0], timed[1]
        people = problem.volunteers[:5]
        # the whole day as the planned time: "late" takes the time now as the start
        plan = [
            (need, people[0], "lead", ProposalState.CONFIRMED),
            (need, people[1], "member", ProposalState.CONFIRMED),
            (need, people[2], "member", ProposalState.PROPOSED),
            (need, people[3], "member", ProposalState.DECLINED),
            (other, people[4], "member", ProposalState.CONFIRMED),
        ]
        made = [
            Proposal(
                roster_id=job.id,
                dataset_id=dataset_id,
                need_id=n.id,
                volunteer_id=v.id,
                role=role,
                date=date,
                start=0,
                end=24 * 60,
                state=state.value,
            )
            for n, v, role, state in plan
        ]
        session.add_all(made)
        session.commit()
        names = ("lead", "member", "waiting", "declined", "elsewhere")
        return {
            "roster": job.id,
            "need": need.id,
            **{name: p.id for name, p in zip(names, made, strict=True)},
            **{f"{name}_volunteer": v.id for name, v in zip(names, people, strict=True)},
        }


def _link(client: TestClient, coordinator: str, dataset_id: int, volunteer_id: str) -> str:
    made = client.post(
        f"/datasets/{dataset_id}/volunteers/{volunteer_id}/personal-link",
        headers=headers(coordinator),
    )
    assert made.status_code == 201, made.text
    return made.json()["url"].rsplit("/me/", 1)[1]


def _entries(app: FastAPI, proposal_id: int) -> list[AttendanceEntry]:
    with app.state.sessionmaker() as session:
        return list(
            session.scalars(
                select(AttendanceEntry)
                .where(AttendanceEntry.proposal_id == proposal_id)
                .order_by(AttendanceEntry.id)
            )
        )


def test_a_lead_marks_their_team_and_a_second_tap_corrects_without_overwriting(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    ids = team_roster(app, dataset_id, TODAY)
    token = _link(client, keys["coordinator"], dataset_id, ids["lead_volunteer"])

    teams = client.get(f"/me/{token}/team").json()["teams"]
    assert len(teams) == 1 and teams[0]["recordable"] is True
    members = teams[0]["members"]
    # the lead first; the declined member shown (the lead knows who will not come);
    # the volunteer on another need is not in this team
    assert [m["proposal_id"] for m in members] == [
        ids["lead"],
        ids["member"],
        ids["waiting"],
        ids["declined"],
    ]
    assert all(m["attendance"] is None for m in members)
    assert "*" not in members[1]["phone"]  # the lead may call a member who is late

    first = client.post(f"/me/{token}/team/{ids['member']}/attendance", json={"status": "attended"})
    assert first.status_code == 200, first.text
    assert first.json()["attendance"] == "attended"
    [entry] = _entries(app, ids["member"])
    assert (entry.source, entry.recorded_by, entry.recorded_by_volunteer) == (
        "lead",
        None,
        ids["lead_volunteer"],
    )

    # a double tap changes nothing
    again = client.post(f"/me/{token}/team/{ids['member']}/attendance", json={"status": "attended"})
    assert again.status_code == 200 and len(_entries(app, ids["member"])) == 1

    # another status corrects: a new entry superseding the old, which is kept as it was
    corrected = client.post(
        f"/me/{token}/team/{ids['member']}/attendance", json={"status": "no_show"}
    )
    assert corrected.status_code == 200 and corrected.json()["attendance"] == "no_show"
    old, new = _entries(app, ids["member"])
    assert (old.id, old.status) == (entry.id, "attended")
    assert (new.supersedes_id, new.status, new.recorded_by_volunteer) == (
        old.id,
        "no_show",
        ids["lead_volunteer"],
    )
    assert "team lead" in new.reason

    # late: the time now is the start (the planned time is the whole day)
    late = client.post(f"/me/{token}/team/{ids['waiting']}/attendance", json={"status": "late"})
    assert late.status_code == 200, late.text
    now = now_in_shanghai()
    hour, minute = map(int, late.json()["start"].split(":"))
    assert abs((now.hour * 60 + now.minute) - (hour * 60 + minute)) <= 2

    with app.state.sessionmaker() as session:
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.target == f"proposal:{ids['member']}")
        ).all()
    assert [a.action for a in audits] == ["attendance.record", "attendance.correct"]
    assert all(a.detail["by_volunteer"] == ids["lead_volunteer"] for a in audits)
    assert all(a.key_id is None for a in audits)


def test_a_lead_marks_only_their_own_team_and_members_mark_nobody(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    ids = team_roster(app, dataset_id, TODAY)
    lead = _link(client, keys["coordinator"], dataset_id, ids["lead_volunteer"])
    member = _link(client, keys["coordinator"], dataset_id, ids["member_volunteer"])

    elsewhere = client.post(
        f"/me/{lead}/team/{ids['elsewhere']}/attendance", json={"status": "attended"}
    )
    assert elsewhere.status_code == 404
    declined = client.post(
        f"/me/{lead}/team/{ids['declined']}/attendance", json={"status": "attended"}
    )
    assert declined.status_code == 409 and "declined" in declined.json()["detail"]
    unknown = client.post(f"/me/{lead}/team/{ids['member']}/attendance", json={"status": "gone"})
    assert unknown.status_code == 422

    assert client.get(f"/me/{member}/team").json()["teams"] == []
    by_member = client.post(
        f"/me/{member}/team/{ids['lead']}/attendance", json={"status": "no_show"}
    )
    assert by_member.status_code == 404
    for name in ("elsewhere", "declined", "member", "lead"):
        assert _entries(app, ids[name]) == []

    revoked = client.delete(
        f"/datasets/{dataset_id}/volunteers/{ids['lead_volunteer']}/personal-link",
        headers=headers(keys["coordinator"]),
    )
    assert revoked.status_code == 200
    gone = client.post(f"/me/{lead}/team/{ids['member']}/attendance", json={"status": "attended"})
    assert gone.status_code == 410 and _entries(app, ids["member"]) == []


def test_the_lead_page_in_chinese_waits_for_the_day_then_records_a_tap(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    tomorrow = team_roster(app, dataset_id, TODAY + dt.timedelta(days=1))
    token = _link(client, keys["coordinator"], dataset_id, tomorrow["lead_volunteer"])
    zh = {"Accept-Language": "zh-CN"}

    page = client.get(f"/me/{token}", headers=zh)
    assert page.status_code == 200
    assert "您带的队" in page.text and "服务当天可在此登记" in page.text
    assert 'action="/me/' + token + '/arrival"' not in page.text  # no buttons before the day
    early = client.post(
        f"/me/{token}/arrival",
        data={"proposal_id": str(tomorrow["member"]), "status": "attended"},
        headers=zh,
    )
    assert early.status_code == 200 and "服务当天才能登记" in early.text
    assert _entries(app, tomorrow["member"]) == []

    today = team_roster(app, dataset_id, TODAY)  # supersedes: now the plan of record
    token = _link(client, keys["coordinator"], dataset_id, today["lead_volunteer"])
    page = client.get(f"/me/{token}", headers=zh)
    assert "应到 3 人，已到 0 人" in page.text  # the declined member is not due
    assert page.text.count('name="status" value="attended"') == 3
    tapped = client.post(
        f"/me/{token}/arrival",
        data={"proposal_id": str(today["member"]), "status": "attended"},
        headers=zh,
    )
    assert tapped.status_code == 200
    assert "已登记" in tapped.text and "应到 3 人，已到 1 人" in tapped.text
    assert 'value="attended" aria-pressed="true"' in tapped.text
    [entry] = _entries(app, today["member"])
    assert (entry.status, entry.recorded_by_volunteer) == ("attended", today["lead_volunteer"])
