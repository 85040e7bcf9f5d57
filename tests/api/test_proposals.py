"""Proposals: publish proposes, volunteers confirm or decline (by coordinator or personal
link), illegal changes are 409, declines get ranked replacements, a new plan carries
answers over and cancels the rest; every change is an event with who and when."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.store.datasets import load_problem
from api.store.models import AuditEntry, Proposal, SolveJob
from tests.api.conftest import headers
from tests.api.test_rosters import start, wait_for

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def _published(app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int) -> int:
    roster_id = start(client, keys["coordinator"], dataset_id, time_limit=10)
    job = wait_for(client, keys["viewer"], roster_id, lambda j: j["status"] == "done")
    assert job["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
    published = client.post(f"/rosters/{roster_id}/publish", headers=headers(keys["coordinator"]))
    assert published.status_code == 200, published.text
    assert published.json()["proposals_made"] == len(job["roster"])
    return roster_id


def _proposals(client: TestClient, key: str, roster_id: int, **filters: str) -> list[dict]:
    response = client.get(f"/rosters/{roster_id}/proposals", params=filters, headers=headers(key))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _events(client: TestClient, key: str, proposal_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/proposals/{proposal_id}", headers=headers(key))
    assert response.status_code == 200, response.text
    events = response.json()["events"]
    assert all(e["at"] and e["actor"] in ("volunteer", "coordinator", "system") for e in events)
    return events


def test_publish_proposes_and_coordinator_answers(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    with app.state.sessionmaker() as session:
        history_before = load_problem(session, dataset_id).history
    roster_id = _published(app, client, keys, dataset_id)
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    with app.state.sessionmaker() as session:
        # after publish and before attendance, the history holds nothing new
        assert load_problem(session, dataset_id).history == history_before

    items = _proposals(client, viewer, roster_id)
    roster = client.get(f"/rosters/{roster_id}", headers=headers(viewer)).json()["roster"]
    assert len(items) == len(roster) and {p["state"] for p in items} == {"proposed"}
    assert all(p["need_title"] and p["volunteer_name"] for p in items)
    # viewers read phones masked, coordinators whole
    phones = [p["phone"] for p in items if p["phone"]]
    assert phones and all(re.fullmatch(r"\*+\d{0,4}", phone) for phone in phones)
    full = _proposals(client, coordinator, roster_id)
    assert any(p["phone"] and "*" not in p["phone"] for p in full)
    first = items[0]
    events = _events(client, viewer, first["id"])
    assert [(e["state"], e["actor"]) for e in events] == [("proposed", "system")]
    mine = _proposals(client, viewer, roster_id, volunteer_id=first["volunteer_id"])
    assert mine and all(p["volunteer_id"] == first["volunteer_id"] for p in mine)
    if first["date"]:
        day = _proposals(client, viewer, roster_id, date=first["date"])
        assert day and all(p["date"] == first["date"] for p in day)

    pid, other = items[0]["id"], items[1]["id"]
    assert client.post(f"/proposals/{pid}/confirm", headers=headers(viewer)).status_code == 403
    confirmed = client.post(
        f"/proposals/{pid}/confirm", json={"note": "电话确认"}, headers=headers(coordinator)
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["state"] == "confirmed"
    last = confirmed.json()["events"][-1]
    assert (last["state"], last["actor"], last["note"]) == ("confirmed", "coordinator", "电话确认")
    assert last["key_id"] is not None
    again = client.post(f"/proposals/{pid}/confirm", headers=headers(coordinator))
    assert again.status_code == 409 and "already confirmed" in again.json()["detail"]
    zh = client.post(f"/proposals/{pid}/confirm", headers={**headers(coordinator), **ZH})
    assert zh.status_code == 409 and "已确认" in zh.json()["detail"]
    # a confirmed volunteer may still decline (in time); a decline is final but for replacing
    declined = client.post(f"/proposals/{pid}/decline", headers=headers(coordinator))
    assert declined.status_code == 200 and declined.json()["state"] == "declined"
    refused = client.post(f"/proposals/{pid}/confirm", headers=headers(coordinator))
    assert refused.status_code == 409
    assert "cannot become confirmed" in refused.json()["detail"]
    assert (
        client.post(f"/proposals/{other}/decline", headers=headers(coordinator)).status_code == 200
    )
    assert [e["state"] for e in _events(client, viewer, pid)] == [
        "proposed",
        "confirmed",
        "declined",
    ]
    assert _proposals(client, viewer, roster_id, state="declined") != []
    assert client.get("/proposals/999999", headers=headers(viewer)).status_code == 404
    assert client.get(f"/proposals/{pid}").status_code == 401
    with app.state.sessionmaker() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("proposal.confirm") == 1 and actions.count("proposal.decline") == 2


def test_personal_link_page_and_answers(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    roster_id = _published(app, client, keys, dataset_id)
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    items = _proposals(client, coordinator, roster_id)
    volunteer = items[0]["volunteer_id"]
    mine = [p for p in items if p["volunteer_id"] == volunteer]
    theirs = next(p for p in items if p["volunteer_id"] != volunteer)
    path = f"/datasets/{dataset_id}/volunteers/{volunteer}/personal-link"
    assert client.post(path, headers=headers(viewer)).status_code == 403
    made = client.post(path, headers=headers(coordinator))
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("/me/me_")

    page = client.get(url, headers=ZH)  # no API key
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    assert '<html lang="zh-CN">' in text and 'name="viewport"' in text
    assert "确认参加" in text and "婉拒" in text and "志愿服务安排" in text
    assert mine[0]["volunteer_name"] in text and "<script" not in text and "http" not in text
    assert text.count('<textarea id="note') == len(mine) and '<label for="note' in text

    listed = client.get(f"{url}/proposals")
    assert listed.status_code == 200
    assert {p["id"] for p in listed.json()["items"]} == {p["id"] for p in mine}
    ok = client.post(f"{url}/proposals/{mine[0]['id']}/confirm", json={"note": "准时到"})
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    event = _events(client, viewer, mine[0]["id"])[-1]
    assert (event["actor"], event["key_id"], event["note"]) == ("volunteer", None, "准时到")
    # a token reaches only its own volunteer's proposals
    assert client.post(f"{url}/proposals/{theirs['id']}/confirm").status_code == 404
    assert client.post(f"{url}/proposals/{theirs['id']}/decline").status_code == 404
    assert (
        _proposals(client, viewer, roster_id, volunteer_id=theirs["volunteer_id"])[0]["state"]
        == "proposed"
    )
    assert client.post(f"{url}/proposals/{mine[0]['id']}/confirm").status_code == 409
    # the page's plain form: decline with a note; the page comes back with a notice
    form = client.post(
        f"{url}/answer",
        data={"proposal_id": str(mine[0]["id"]), "action": "decline", "note": "临时有课"},
        headers=ZH,
    )
    assert form.status_code == 200 and "已记录您的婉拒" in form.text
    # sent again (a reload): the same answer is no conflict
    resent = client.post(
        f"{url}/answer",
        data={"proposal_id": str(mine[0]["id"]), "action": "decline", "note": "临时有课"},
        headers=ZH,
    )
    assert resent.status_code == 200 and "已记录您的婉拒" in resent.text
    stranger = client.post(
        f"{url}/answer", data={"proposal_id": str(theirs["id"]), "action": "confirm"}
    )
    assert stranger.status_code == 404
    assert _events(client, viewer, mine[0]["id"])[-1]["note"] == "临时有课"
    calendar = client.get(f"{url}/calendar.ics")
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.content

    assert client.get("/me/me_00000000_nope").status_code == 404
    assert client.get(url[:-2] + "xx").status_code == 404
    revoked = client.delete(path, headers=headers(coordinator))
    # the link made here and the one publishing put in the proposal's message
    assert revoked.status_code == 200 and revoked.json()["revoked"] == 2
    assert client.get(url).status_code == 410
    assert client.get(f"{url}/proposals").status_code == 410
    with app.state.sessionmaker() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.key_id.is_(None))).all()
    assert {e.action for e in entries} == {"proposal.confirm", "proposal.decline"}


def _copy_with(app: FastAPI, roster_id: int, rows: list[dict[str, Any]]) -> int:
    """A finished roster of the same dataset with other rows, without solving again."""
    with app.state.sessionmaker() as session:
        job = session.get(SolveJob, roster_id)
        assert job is not None
        twin = SolveJob(
            dataset_id=job.dataset_id,
            status=job.status,
            params=job.params,
            problem=job.problem,
            summary=job.summary,
            roster=rows,
        )
        session.add(twin)
        session.commit()
        return twin.id


def test_replacements_and_a_new_plan(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    roster_id = _published(app, client, keys, dataset_id)
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    items = _proposals(client, coordinator, roster_id)
    assert (
        client.get(f"/proposals/{items[0]['id']}/replacements", headers=headers(viewer)).status_code
        == 409
    )

    # decline until one need has candidates (most do in the sample)
    for proposal in items:
        pid = proposal["id"]
        assert (
            client.post(f"/proposals/{pid}/decline", headers=headers(coordinator)).status_code
            == 200
        )
        listing = client.get(f"/proposals/{pid}/replacements", headers=headers(viewer))
        assert listing.status_code == 200, listing.text
        candidates = listing.json()["candidates"]
        if candidates:
            break
    else:
        raise AssertionError("no declined proposal of the sample has a replacement")
    assert all(c["name"] and c["department"] and c["why"] for c in candidates)
    # what a coordinator weighs before asking: the last real service, the asks of 30 days
    with app.state.sessionmaker() as session:
        history = load_problem(session, dataset_id).history
        asks = Counter(session.scalars(select(Proposal.volunteer_id)))
    last: dict[str, str] = {}
    for entry in history:
        if entry.attended:
            last[entry.volunteer_id] = max(last.get(entry.volunteer_id, ""), entry.date.isoformat())
    for c in candidates:
        assert c["asked_recently"] == asks[c["volunteer_id"]]
        assert c["last_served"] == last.get(c["volunteer_id"])
    assert any(c["last_served"] for c in candidates)
    # ranked as the solver ranks rosters (was: least loaded first), the same order
    # /rosters/{id}/recommend gives for the need with the declined volunteer's place open
    ranked = client.get(
        f"/rosters/{roster_id}/recommend",
        params={"need": proposal["need_id"], "limit": 0},
        headers=headers(viewer),
    ).json()["candidates"]
    free = [c["volunteer_id"] for c in ranked if not c["leaves"] and not c["dropped"]]
    assert [c["volunteer_id"] for c in candidates] == free[: len(candidates)]
    on_need = {p["volunteer_id"] for p in items if p["need_id"] == proposal["need_id"]}
    assert not on_need & {c["volunteer_id"] for c in candidates}
    for out in listing.json()["nearest_out"]:
        assert out["why"] and out["volunteer_id"] not in on_need

    stranger = client.post(
        f"/proposals/{pid}/replace",
        json={"volunteer_id": proposal["volunteer_id"]},
        headers=headers(coordinator),
    )
    assert stranger.status_code == 409 and "not a candidate" in stranger.json()["detail"]
    chosen = candidates[0]["volunteer_id"]
    assert (
        client.post(
            f"/proposals/{pid}/replace", json={"volunteer_id": chosen}, headers=headers(viewer)
        ).status_code
        == 403
    )
    replaced = client.post(
        f"/proposals/{pid}/replace", json={"volunteer_id": chosen}, headers=headers(coordinator)
    )
    assert replaced.status_code == 200, replaced.text
    body = replaced.json()
    assert body["replaced"]["state"] == "replaced"
    offered = body["offered"]
    assert (offered["state"], offered["replaces_id"], offered["volunteer_id"]) == (
        "proposed",
        pid,
        chosen,
    )
    assert (offered["need_id"], offered["date"], offered["start"]) == (
        proposal["need_id"],
        proposal["date"],
        proposal["start"],
    )
    assert [e["state"] for e in _events(client, viewer, pid)] == [
        "proposed",
        "declined",
        "replaced",
    ]
    assert [(e["state"], e["actor"]) for e in _events(client, viewer, offered["id"])] == [
        ("proposed", "coordinator")
    ]
    again = client.post(
        f"/proposals/{pid}/replace", json={"volunteer_id": chosen}, headers=headers(coordinator)
    )
    assert again.status_code == 409

    # a new plan: one confirmed assignment stays, one open one is dropped, one moves
    current = {p["id"]: p for p in _proposals(client, coordinator, roster_id)}
    open_ones = [p for p in current.values() if p["state"] == "proposed" and p["start"]]
    keep, drop, move = open_ones[0], open_ones[1], open_ones[2]
    assert (
        client.post(f"/proposals/{keep['id']}/confirm", headers=headers(coordinator)).status_code
        == 200
    )
    rows = client.get(f"/rosters/{roster_id}", headers=headers(viewer)).json()["roster"]

    def same(row: dict[str, Any], p: dict[str, Any]) -> bool:
        return row["need_id"] == p["need_id"] and row["volunteer_id"] == p["volunteer_id"]

    new_rows = []
    for row in rows:
        if same(row, drop):
            continue
        if same(row, move):
            row = {**row, "start": "06:00", "end": "06:30"}
        new_rows.append(row)
    twin = _copy_with(app, roster_id, new_rows)
    report = client.post(f"/rosters/{twin}/publish", headers=headers(coordinator))
    assert report.status_code == 200, report.text
    counts = report.json()
    assert counts["superseded"] == roster_id
    assert counts["proposals_made"] + counts["proposals_kept"] == len(new_rows)
    # the moved one is asked anew, told as a change of time (not cancelled and new);
    # the replaced-away volunteer's row is no longer open
    assert (counts["proposals_made"], counts["proposals_moved"]) == (1, 1)
    assert counts["proposals_cancelled"] == 2  # drop and the offered replacement
    new = {(p["need_id"], p["volunteer_id"]): p for p in _proposals(client, viewer, twin)}
    kept = new[(keep["need_id"], keep["volunteer_id"])]
    assert kept["state"] == "confirmed"
    note = _events(client, viewer, kept["id"])
    assert [(e["state"], e["actor"]) for e in note] == [("confirmed", "system")]
    assert "not asked again" in note[0]["note"]
    assert new[(move["need_id"], move["volunteer_id"])]["state"] == "proposed"
    assert new[(proposal["need_id"], proposal["volunteer_id"])]["state"] == "declined"
    old = {p["id"]: p for p in _proposals(client, viewer, roster_id)}
    for gone in (drop, move, offered):
        assert old[gone["id"]]["state"] == "cancelled"
        last = _events(client, viewer, gone["id"])[-1]
        assert (last["state"], last["actor"]) == ("cancelled", "system")
        assert ("another time" in last["note"]) == (gone is move)
    # the moved volunteer gets one message with the old and the new time and a link
    moved_new = new[(move["need_id"], move["volunteer_id"])]
    told = client.get(
        "/outbox", params={"proposal_id": moved_new["id"]}, headers=headers(coordinator)
    ).json()["items"]
    assert [m["kind"] for m in told] == ["time_changed"], told
    assert "06:00" in told[0]["body"] and move["start"] in told[0]["body"]
    assert "/me/" in told[0]["body"]
    not_cancelled = client.get(
        "/outbox", params={"proposal_id": move["id"]}, headers=headers(coordinator)
    ).json()["items"]
    assert "cancelled" not in [m["kind"] for m in not_cancelled]
    assert old[keep["id"]]["state"] == "confirmed"
    # the superseded plan's proposals no longer take answers
    late = client.post(f"/proposals/{keep['id']}/decline", headers=headers(coordinator))
    assert late.status_code == 409 and "plan of record" in late.json()["detail"]
