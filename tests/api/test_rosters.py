"""Solve jobs through the ASGI app: lifecycle, exports, stop, restart, publish, roles."""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlalchemy import select

from api.app import create_app
from api.exports import assignments
from api.keys import create_key
from api.settings import Settings
from api.store.datasets import load_problem, save_problem
from api.store.models import AuditEntry, DatasetItem, JobStatus, Proposal, SolveJob
from matcher.check import check_roster
from matcher.generate import generate_problem
from matcher.io import ROSTER_COLUMNS
from tests.api.conftest import UPLOAD_LIMIT, headers

ENDED = {"done", "stopped", "failed", "interrupted"}


def wait_for(
    client: TestClient, key: str, roster_id: int, until: Any, timeout: float = 60.0
) -> dict[str, Any]:
    """Poll ``GET /rosters/{id}`` until ``until(job)`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/rosters/{roster_id}", headers=headers(key))
        assert response.status_code == 200, response.text
        job = response.json()
        if until(job):
            return job
        assert time.monotonic() < deadline, f"roster {roster_id} still {job['status']}"
        time.sleep(0.2)


def start(client: TestClient, key: str, dataset_id: int, **params: Any) -> int:
    response = client.post(
        "/rosters", json={"dataset_id": dataset_id, "params": params}, headers=headers(key)
    )
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/rosters/{response.json()['id']}"
    return response.json()["id"]


def test_job_lifecycle_exports_and_publish(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    refused = client.post("/rosters", json={"dataset_id": dataset_id}, headers=headers(viewer))
    assert refused.status_code == 403
    bad = client.post(
        "/rosters",
        json={"dataset_id": dataset_id, "params": {"time_limit": -1, "weights": {"fairness": 1}}},
        headers=headers(coordinator),
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "params", "time_limit"]
    unknown = client.post(
        f"/datasets/{dataset_id}/rosters",
        json={"params": {"weights": {"nope": 1}}},
        headers=headers(coordinator),
    )
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "params", "weights", "nope"]
    assert (
        client.post("/rosters", json={"dataset_id": 999}, headers=headers(coordinator)).status_code
        == 404
    )

    roster_id = start(client, coordinator, dataset_id, time_limit=30)
    job = wait_for(client, viewer, roster_id, lambda j: j["status"] in ENDED)
    assert job["status"] == "done", job["error"]
    assert job["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert {"objective", "bound", "gap", "runtime"} <= set(job["summary"])
    assert job["progress"]["gap"] == job["summary"]["gap"]
    rows = job["roster"]
    assert rows and set(rows[0]) == set(ROSTER_COLUMNS)
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
    assert check_roster(problem, assignments(rows)) == []

    explain = client.get(f"/rosters/{roster_id}/explain", headers=headers(viewer)).json()
    assert explain["solver_status"] == job["summary"]["status"]
    assert all(need["reasons"] for need in explain["unmet_needs"])

    csv = client.get(f"/rosters/{roster_id}/export?format=csv", headers=headers(viewer))
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == list(ROSTER_COLUMNS) and len(frame) == len(rows)
    xlsx = client.get(f"/rosters/{roster_id}/export?format=xlsx", headers=headers(viewer))
    assert len(pd.read_excel(io.BytesIO(xlsx.content), sheet_name="排班表")) == len(rows)
    ics = client.get(f"/rosters/{roster_id}/export?format=ics", headers=headers(viewer))
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == len(rows)
    timed = [e for e in events if hasattr(e.decoded("dtstart"), "tzinfo")]
    assert timed and all(str(e.decoded("dtstart").tzinfo) == "Asia/Shanghai" for e in timed)
    assert (
        client.get(f"/rosters/{roster_id}/export?format=pdf", headers=headers(viewer)).status_code
        == 422
    )

    assert client.post(f"/rosters/{roster_id}/publish", headers=headers(viewer)).status_code == 403
    published = client.post(f"/rosters/{roster_id}/publish", headers=headers(coordinator))
    assert published.status_code == 200, published.text
    report = published.json()
    assert report["proposals_made"] == len(rows)
    assert (report["proposals_kept"], report["proposals_cancelled"]) == (0, 0)
    again = client.post(f"/rosters/{roster_id}/publish", headers=headers(coordinator))
    assert again.status_code == 409
    with app.state.sessionmaker() as session:
        # publishing proposes; it writes no history (the history is what happened)
        written = session.scalars(
            select(DatasetItem).where(DatasetItem.roster_id == roster_id)
        ).all()
        assert written == []
        assert len(
            session.scalars(select(Proposal).where(Proposal.roster_id == roster_id)).all()
        ) == len(rows)
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"roster.start", "roster.publish"} <= actions
        assert load_problem(session, dataset_id).history == problem.history

    volunteer = rows[0]["volunteer_id"]
    mine = [r for r in rows if r["volunteer_id"] == volunteer]
    calendar = client.get(
        f"/datasets/{dataset_id}/volunteers/{volunteer}/calendar.ics", headers=headers(viewer)
    )
    assert calendar.status_code == 200
    assert len(Calendar.from_ical(calendar.content).walk("VEVENT")) == len(mine)
    assert (
        client.get(f"/datasets/{dataset_id}/volunteers/{volunteer}/calendar.ics").status_code == 401
    )
    # API keys never travel in URLs: ?key= is not accepted (calendar links are, see test_calendar)
    assert (
        client.get(
            f"/datasets/{dataset_id}/volunteers/{volunteer}/calendar.ics", params={"key": viewer}
        ).status_code
        == 401
    )
    listed = client.get("/rosters", params={"published": True}, headers=headers(viewer)).json()
    assert [j["id"] for j in listed["items"]] == [roster_id] and listed["items"][0][
        "roster"
    ] is None
    assert client.delete(f"/rosters/{roster_id}", headers=headers(coordinator)).status_code == 409


@pytest.fixture
def big_app(database_url: str) -> Iterator[FastAPI]:
    """Two solve workers and a generated dataset that takes CP-SAT many seconds."""
    settings = Settings(database_url, max_upload_bytes=UPLOAD_LIMIT, solve_workers=2)
    application = create_app(settings=settings)
    with application.state.sessionmaker() as session:
        dataset = save_problem(session, generate_problem(600, 200, seed=1), name="generated")
        session.commit()
        application.state.big_dataset = dataset.id
    yield application
    application.state.engine.dispose()


@pytest.mark.sqlite_only
def test_stop_keeps_best_roster(big_app: FastAPI) -> None:
    key = create_key(big_app.state.engine, "coordinator")
    with TestClient(big_app) as client:
        roster_id = start(client, key, big_app.state.big_dataset, time_limit=120)
        wait_for(client, key, roster_id, lambda j: j["progress"] is not None)
        stopping = client.delete(f"/rosters/{roster_id}", headers=headers(key))
        assert stopping.status_code == 202 and stopping.json()["status"] == "stopping"
        job = wait_for(client, key, roster_id, lambda j: j["status"] in ENDED, timeout=30)
        assert job["status"] == "stopped"
        assert job["summary"]["status"] in ("FEASIBLE", "OPTIMAL") and job["roster"]
        with big_app.state.sessionmaker() as session:
            problem = load_problem(session, big_app.state.big_dataset)
        assert check_roster(problem, assignments(job["roster"])) == []


@pytest.mark.sqlite_only
def test_reads_stay_fast_while_two_solves_run(big_app: FastAPI) -> None:
    key = create_key(big_app.state.engine, "coordinator")
    with TestClient(big_app) as client:
        ids = [start(client, key, big_app.state.big_dataset, time_limit=60) for _ in range(2)]
        for roster_id in ids:
            wait_for(client, key, roster_id, lambda j: j["status"] == "running")
        slowest = 0.0
        for _ in range(20):
            began = time.perf_counter()
            assert client.get("/datasets", headers=headers(key)).status_code == 200
            slowest = max(slowest, time.perf_counter() - began)
        assert slowest < 2.0
        states = {client.get(f"/rosters/{i}", headers=headers(key)).json()["status"] for i in ids}
        assert states == {"running"}
    # leaving the app stops running jobs; their rosters are kept
    with big_app.state.sessionmaker() as session:
        jobs = session.scalars(select(SolveJob).where(SolveJob.id.in_(ids))).all()
        assert {j.status for j in jobs} == {"stopped"}


def test_job_left_running_is_interrupted_on_restart(database_url: str) -> None:
    settings = Settings(database_url, max_upload_bytes=UPLOAD_LIMIT)
    first = create_app(settings=settings)
    with first.state.sessionmaker() as session:
        for status in ("running", "queued", "done"):
            session.add(SolveJob(status=status, params={}, problem={}))
        session.commit()
    first.state.engine.dispose()
    second = create_app(settings=settings)
    key = create_key(second.state.engine, "viewer")
    with TestClient(second) as client:
        listed = client.get("/rosters", headers=headers(key)).json()["items"]
    second.state.engine.dispose()
    assert [j["status"] for j in sorted(listed, key=lambda j: j["id"])] == [
        "interrupted",
        "interrupted",
        "done",
    ]
    assert listed[-1]["error"].startswith("the server stopped")


def test_queued_job_stops_at_once_and_roles(app: FastAPI, keys: dict[str, str]) -> None:
    settings = dataclasses.replace(app.state.settings)
    assert settings.solve_workers == 1
    with app.state.sessionmaker() as session:
        job = SolveJob(status=JobStatus.QUEUED.value, params={}, problem={})
        session.add(job)
        session.commit()
        roster_id = job.id
    with TestClient(app) as client:  # the new app marks it interrupted: add another after start
        with app.state.sessionmaker() as session:
            job = SolveJob(status=JobStatus.QUEUED.value, params={}, problem={})
            session.add(job)
            session.commit()
            queued = job.id
        assert (
            client.delete(f"/rosters/{queued}", headers=headers(keys["viewer"])).status_code == 403
        )
        stopped = client.delete(f"/rosters/{queued}", headers=headers(keys["coordinator"]))
        assert stopped.json()["status"] == "stopped"
        assert (
            client.get(f"/rosters/{roster_id}", headers=headers(keys["viewer"])).json()["status"]
            == "interrupted"
        )
        assert (
            client.get(f"/rosters/{queued}/explain", headers=headers(keys["viewer"])).status_code
            == 409
        )
        assert (
            client.post(f"/rosters/{queued}/publish", headers=headers(keys["admin"])).status_code
            == 409
        )
        assert client.get("/rosters/424242", headers=headers(keys["viewer"])).status_code == 404
