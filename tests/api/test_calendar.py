"""Calendars (by dataset, by volunteer id, by calendar link) and solving part of a horizon."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from api.store.models import AuditEntry, CalendarLink
from tests.api.conftest import csv_files, headers
from tests.api.test_rosters import wait_for


def _events(content: bytes) -> list[object]:
    return Calendar.from_ical(content).walk("VEVENT")


def _publish(client: TestClient, keys: dict[str, str], dataset_id: int) -> list[dict[str, str]]:
    started = client.post(
        "/rosters",
        json={"dataset_id": dataset_id, "params": {"time_limit": 10}},
        headers=headers(keys["coordinator"]),
    )
    assert started.status_code == 202, started.text
    roster_id = started.json()["id"]
    job = wait_for(client, keys["viewer"], roster_id, lambda j: j["status"] == "done")
    published = client.post(f"/rosters/{roster_id}/publish", headers=headers(keys["coordinator"]))
    assert published.status_code == 200, published.text
    return job["roster"]


def test_calendar_links_open_one_calendar_without_a_key(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    rows = _publish(client, keys, dataset_id)
    volunteer = rows[0]["volunteer_id"]
    mine = [r for r in rows if r["volunteer_id"] == volunteer]
    path = f"/datasets/{dataset_id}/volunteers/{volunteer}/calendar-link"

    assert client.post(path, headers=headers(keys["viewer"])).status_code == 403
    assert (
        client.post(
            f"/datasets/{dataset_id}/volunteers/NOBODY/calendar-link",
            headers=headers(keys["coordinator"]),
        ).status_code
        == 404
    )
    made = client.post(path, headers=headers(keys["coordinator"]))
    assert made.status_code == 201, made.text
    url = made.json()["url"]
    assert url.startswith("/calendars/cal_") and url.endswith(".ics")

    linked = client.get(url)  # no X-API-Key: a phone calendar subscribes to the bare URL
    assert linked.status_code == 200
    assert linked.headers["content-type"].startswith("text/calendar")
    assert len(_events(linked.content)) == len(mine)
    token = url.removeprefix("/calendars/").removesuffix(".ics")
    # the token is stored hashed, never in plain text
    app = client.app
    with app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        stored = session.scalars(select(CalendarLink)).one()
        assert token not in (stored.token_hash, stored.prefix) and stored.volunteer_id == volunteer
    # a changed secret, a wrong scheme, garbage: all the same 404
    for bad in (token[:-2] + "xx", token.replace("cal_", "mk_"), "x", "cal__"):
        assert client.get(f"/calendars/{bad}.ics").status_code == 404
    # a link opens nothing else: not the API
    assert client.get("/rosters", headers=headers(token)).status_code == 401
    # upcoming only
    last_day = max(dt.date.fromisoformat(r["date"]) for r in rows if r["date"])
    upcoming = [r for r in mine if not r["date"] or r["date"] >= last_day.isoformat()]
    later = client.get(url, params={"from": last_day.isoformat()})
    assert len(_events(later.content)) == len(upcoming)
    after = client.get(url, params={"from": "2099-01-01"})
    assert _events(after.content) == []

    revoked = client.delete(path, headers=headers(keys["coordinator"]))
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    assert client.get(url).status_code == 404
    with app.state.sessionmaker() as session:  # type: ignore[attr-defined]
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"calendar_link.create", "calendar_link.revoke"} <= actions


def test_calendar_by_volunteer_id_across_datasets(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    rows = _publish(client, keys, dataset_id)
    volunteer = rows[0]["volunteer_id"]
    mine = [r for r in rows if r["volunteer_id"] == volunteer]
    viewer = headers(keys["viewer"])
    assert client.get(f"/volunteers/{volunteer}/calendar.ics").status_code == 401
    one = client.get(f"/volunteers/{volunteer}/calendar.ics", headers=viewer)
    assert one.status_code == 200 and len(_events(one.content)) == len(mine)
    assert client.get("/volunteers/NOBODY/calendar.ics", headers=viewer).status_code == 404

    # the same sample again: the id is now in two datasets, so the caller must choose
    second = client.post(
        "/datasets",
        files=csv_files(),
        data={"name": "again"},
        headers=headers(keys["coordinator"]),
    )
    assert second.status_code == 201, second.text
    ambiguous = client.get(f"/volunteers/{volunteer}/calendar.ics", headers=viewer)
    assert ambiguous.status_code == 409 and "dataset_id" in ambiguous.json()["detail"]
    chosen = client.get(
        f"/volunteers/{volunteer}/calendar.ics", params={"dataset_id": dataset_id}, headers=viewer
    )
    assert chosen.status_code == 200 and len(_events(chosen.content)) == len(mine)
    unpublished = client.get(
        f"/volunteers/{volunteer}/calendar.ics",
        params={"dataset_id": second.json()["id"]},
        headers=viewer,
    )
    assert unpublished.status_code == 200 and _events(unpublished.content) == []


@pytest.mark.sqlite_only
def test_solve_part_of_the_horizon(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    whole = client.get(f"/datasets/{dataset_id}", headers=coordinator).json()
    start = dt.date.fromisoformat(whole["horizon"]["start"])
    end = dt.date.fromisoformat(whole["horizon"]["end"])
    first, last = end - dt.timedelta(days=1), end  # the last weekend only
    started = client.post(
        "/rosters",
        json={
            "dataset_id": dataset_id,
            "params": {"time_limit": 10},
            "horizon": {"from": first.isoformat(), "to": last.isoformat()},
        },
        headers=coordinator,
    )
    assert started.status_code == 202, started.text
    job = wait_for(client, keys["viewer"], started.json()["id"], lambda j: j["status"] == "done")
    assert job["horizon"] == [first.isoformat(), last.isoformat()]
    dated = [dt.date.fromisoformat(r["date"]) for r in job["roster"] if r["date"]]
    assert dated and all(first <= day <= last for day in dated)

    bad = {
        "after": ({"from": last.isoformat(), "to": first.isoformat()}, "from"),
        "outside": ({"from": (end + dt.timedelta(days=30)).isoformat()}, "from"),
        "before": ({"to": (start - dt.timedelta(days=30)).isoformat()}, "to"),
    }
    for name, (horizon, field) in bad.items():
        refused = client.post(
            "/rosters", json={"dataset_id": dataset_id, "horizon": horizon}, headers=coordinator
        )
        assert refused.status_code == 422, (name, refused.text)
        assert refused.json()["detail"][0]["loc"] == ["body", "horizon", field], name
    not_a_date = client.post(
        "/rosters",
        json={"dataset_id": dataset_id, "horizon": {"from": "2026-02-30"}},
        headers=coordinator,
    )
    assert not_a_date.status_code == 422
    assert not_a_date.json()["detail"][0]["loc"][:3] == ["body", "horizon", "from"]
