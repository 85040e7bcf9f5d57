"""Recommend, repair and stable re-solves through the service, on the sample.

A repair changes nothing until its draft is published; publishing it keeps
every answer of the assignments it kept; a re-solve of a dataset with a
plan of record keeps that plan unless asked for a fresh one.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import headers
from tests.api.test_rosters import start, wait_for

# the solver, files and the HTTP edge: once, on SQLite (tests/api/conftest.py)
pytestmark = pytest.mark.sqlite_only


def _published(client: TestClient, keys: dict[str, str], dataset_id: int) -> dict[str, Any]:
    roster_id = start(client, keys["coordinator"], dataset_id, time_limit=20)
    job = wait_for(client, keys["viewer"], roster_id, lambda j: j["status"] == "done")
    assert job["reference"] is None  # no plan of record yet: planned afresh
    published = client.post(f"/rosters/{roster_id}/publish", headers=headers(keys["coordinator"]))
    assert published.status_code == 200, published.text
    return job


def _alone(job: dict[str, Any]) -> tuple[str, str]:
    """A need with one volunteer (not a must-cover or pinned one), and that volunteer."""
    teams: dict[str, list[str]] = {}
    for row in job["roster"]:
        teams.setdefault(row["need_id"], []).append(row["volunteer_id"])
    pinned = {"V0081", "V0007"}  # the sample's pins
    need_id, team = next(
        (n, t) for n, t in teams.items() if len(t) == 1 and t[0] not in pinned and n >= "N050"
    )
    return need_id, team[0]


def test_recommend_repair_publish_and_a_stable_re_solve(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = headers(keys["coordinator"]), headers(keys["viewer"])
    job = _published(client, keys, dataset_id)
    roster_id = job["id"]
    need_id, gone = _alone(job)

    # recommend: the need left short by the cancellation, ranked
    found = client.get(
        f"/rosters/{roster_id}/recommend",
        params={"need": need_id, "cancel": gone, "limit": 3},
        headers=viewer,
    )
    assert found.status_code == 200, found.text
    answer = found.json()
    assert answer["team"] == [] and 1 <= len(answer["candidates"]) <= 3
    top = answer["candidates"][0]
    assert top["staffs"] and top["deltas"]["coverage"] > 0 and top["volunteer_id"] != gone
    assert top["joins"][0]["need_id"] == need_id and top["why"]
    unknown = client.get(f"/rosters/{roster_id}/recommend", params={"need": "N999"}, headers=viewer)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["query", "need"]
    chinese = client.get(
        f"/rosters/{roster_id}/recommend",
        params={"need": "N999"},
        headers={**viewer, "Accept-Language": "zh-CN"},
    )
    assert "未知的 'N999'" in chinese.json()["detail"][0]["msg"]

    # one answer given before the repair: it must survive publishing the repair
    proposals = client.get(f"/rosters/{roster_id}/proposals", headers=viewer).json()["items"]
    kept = next(p for p in proposals if p["volunteer_id"] not in (gone, top["volunteer_id"]))
    confirmed = client.post(f"/proposals/{kept['id']}/confirm", headers=coordinator)
    assert confirmed.status_code == 200, confirmed.text

    # repair: a viewer may not; an unknown id is named; the draft changes nothing yet
    body = {"cancelled": [gone]}
    assert client.post(f"/rosters/{roster_id}/repair", json=body, headers=viewer).status_code == 403
    bad = client.post(
        f"/rosters/{roster_id}/repair", json={"cancelled": [gone, "V9999"]}, headers=coordinator
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "cancelled", 1]
    repaired = client.post(f"/rosters/{roster_id}/repair", json=body, headers=coordinator)
    assert repaired.status_code == 201, repaired.text
    proposal = repaired.json()
    draft_id = proposal["roster_id"]
    changes = {(c["change"], c["volunteer_id"], c["need_id"]) for c in proposal["changes"]}
    assert ("removed", gone, need_id) in changes
    assert any(kind == "added" and n == need_id for kind, _v, n in changes)
    moved = {c["volunteer_id"] for c in proposal["changes"] if c["change"] != "role"}
    assert proposal["reference"]["volunteers"] == len(moved) <= 3
    assert gone not in {row["volunteer_id"] for row in proposal["roster"]}
    plan = client.get(f"/rosters/{roster_id}", headers=viewer).json()
    assert plan["published_at"] is not None and plan["superseded_at"] is None
    draft = client.get(f"/rosters/{draft_id}", headers=viewer).json()
    assert draft["status"] == "done" and draft["published_at"] is None
    assert draft["reference"] == {"roster_id": roster_id, "fresh": False, "cancelled": [gone]}
    assert draft["summary"]["reference"]["volunteers"] == len(moved)

    # accepting it: the existing publish route; the confirmed answer is carried over
    published = client.post(proposal["publish_url"], headers=coordinator)
    assert published.status_code == 200, published.text
    report = published.json()
    assert report["superseded"] == roster_id
    assert report["proposals_kept"] >= len(job["roster"]) - len(moved)
    new_items = client.get(f"/rosters/{draft_id}/proposals", headers=viewer).json()["items"]
    carried = next(
        p
        for p in new_items
        if (p["need_id"], p["volunteer_id"]) == (kept["need_id"], kept["volunteer_id"])
    )
    assert carried["state"] == "confirmed"

    # a stable re-solve: the plan of record is the reference, and nothing moves
    again = start(client, keys["coordinator"], dataset_id, time_limit=20)
    resolved = wait_for(client, keys["viewer"], again, lambda j: j["status"] == "done")
    assert resolved["reference"] == {"roster_id": draft_id, "fresh": False}
    reference = resolved["summary"]["reference"]
    assert reference["fresh"] is False and reference["kept"] == len(proposal["roster"])
    assert "kept close to" in reference["message"]
    fresh = client.post(
        "/rosters", json={"dataset_id": dataset_id, "fresh": True}, headers=coordinator
    )
    assert fresh.status_code == 202
    planned = wait_for(client, keys["viewer"], fresh.json()["id"], lambda j: j["status"] == "done")
    assert planned["reference"] == {"roster_id": draft_id, "fresh": True}
    assert planned["summary"]["reference"]["fresh"] is True
    assert "a fresh plan" in planned["summary"]["reference"]["message"]
