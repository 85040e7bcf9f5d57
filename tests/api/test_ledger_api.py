"""The ledger through the service: it reads attendance (a correction counts, the entry it
superseded does not), answers its tables, the workbook and chart, and certificates."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from api.store.models import AuditEntry, Proposal, SolveJob
from api.store.serialize import from_json
from matcher.domain import Problem
from matcher.errors import DataError
from tests.api.conftest import csv_files, headers
from tests.api.test_attendance import published_roster_with_proposals
from tests.api.test_rosters import ENDED, start, wait_for


def _volunteer_hours(answer: dict[str, Any], volunteer_id: str) -> tuple[float, int]:
    """Hours and no-shows of a volunteer in the answer's hours table (0 without records)."""
    [table] = [t for t in answer["tables"] if t["name"] == "hours"]
    keys = [c["key"] for c in table["columns"]]
    for row in table["rows"]:
        item = dict(zip(keys, row, strict=True))
        if item["by"] == "volunteer" and item["key"] == volunteer_id:
            return float(item["hours"]), int(item["no_shows"])
    return 0.0, 0


def test_the_ledger_reads_attendance_and_counts_only_current_entries(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = headers(keys["coordinator"]), headers(keys["viewer"])
    [proposal_id] = published_roster_with_proposals(app, dataset_id, 1)
    with app.state.sessionmaker() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None and proposal.date is not None
        volunteer_id, day = proposal.volunteer_id, proposal.date.isoformat()
    period = {"from": day, "to": day}

    before = client.get(f"/datasets/{dataset_id}/ledger", params=period, headers=viewer)
    assert before.status_code == 200, before.text
    body = before.json()
    assert {t["name"] for t in body["tables"]} == {
        "hours",
        "points",
        "stars",
        "ranking",
        "warnings",
        "departments",
    }
    assert _volunteer_hours(body, volunteer_id) == (0.0, 0)

    recorded = client.post(
        f"/proposals/{proposal_id}/attendance",
        json={"status": "attended", "start": "09:00", "end": "11:00"},
        headers=coordinator,
    )
    assert recorded.status_code == 201, recorded.text
    after = client.get(f"/datasets/{dataset_id}/ledger", params=period, headers=viewer).json()
    assert _volunteer_hours(after, volunteer_id) == (2.0, 0)

    corrected = client.post(
        f"/attendance/{recorded.json()['id']}/correct",
        json={"status": "no_show", "reason": "记错了人"},
        headers=coordinator,
    )
    assert corrected.status_code == 201, corrected.text
    now = client.get(f"/datasets/{dataset_id}/ledger", params=period, headers=viewer).json()
    assert _volunteer_hours(now, volunteer_id) == (0.0, 1)

    backwards = client.get(
        f"/datasets/{dataset_id}/ledger", params={"from": day, "to": "2026-01-01"}, headers=viewer
    )
    assert backwards.status_code == 422


@pytest.mark.sqlite_only
def test_workbook_chart_and_certificate(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = headers(keys["coordinator"]), headers(keys["viewer"])
    book = client.get(f"/datasets/{dataset_id}/ledger/export", headers=viewer)
    assert book.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames
    assert "积分排行" in sheets and len(sheets) == 6
    chart = client.get(
        f"/datasets/{dataset_id}/ledger/export", params={"format": "png"}, headers=viewer
    )
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")

    answer = client.get(f"/datasets/{dataset_id}/ledger", headers=viewer).json()
    [ranking] = [t for t in answer["tables"] if t["name"] == "ranking"]
    top = ranking["rows"][0][[c["key"] for c in ranking["columns"]].index("volunteer_id")]
    path = f"/datasets/{dataset_id}/volunteers/{top}/certificate"
    assert client.get(path, headers=viewer).status_code == 403
    pdf = client.get(path, params={"issuer": "示例社区居委会"}, headers=coordinator)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "示例社区居委会" in text and top in text
    unknown = client.get(
        f"/datasets/{dataset_id}/volunteers/V9999/certificate", headers=coordinator
    )
    assert unknown.status_code == 404
    with app.state.sessionmaker() as session:
        issued = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ledger.certificate")
        ).all()
    assert [a.target for a in issued] == [f"volunteer:{top}"]


@pytest.mark.sqlite_only
def test_the_next_roster_places_warned_members_where_they_fit(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    """The sample's history leaves party members under the quarter's mark; a solve reads the
    ledger as of the day before its horizon and places more of them than it does with the
    behind rule switched off."""
    coordinator = keys["coordinator"]
    answer = client.get(f"/datasets/{dataset_id}/ledger", headers=headers(coordinator)).json()
    [table] = [t for t in answer["tables"] if t["name"] == "warnings"]
    column = [c["key"] for c in table["columns"]].index("volunteer_id")
    warned = {row[column] for row in table["rows"]}
    assert len(warned) == answer["warned"] > 0

    placed = {}
    for label, weights in (("ledger", {}), ("off", {"behind": 0})):
        roster_id = start(client, coordinator, dataset_id, weights=weights)
        job = wait_for(client, coordinator, roster_id, lambda j: j["status"] in ENDED)
        assert job["status"] == "done", job
        placed[label] = {a["volunteer_id"] for a in job["roster"]} & warned
        with app.state.sessionmaker() as session:
            stored = from_json(Problem, session.get(SolveJob, roster_id).problem)  # type: ignore[union-attr]
        standing = {s.volunteer_id: s for s in stored.ledger}
        # the ledger as the solve read it: every warned member is 3 behind
        assert warned <= {v for v, s in standing.items() if s.warned}
        assert all(standing[v].behind == 3 for v in warned)
    assert len(placed["ledger"]) > len(placed["off"])


def test_the_service_scores_with_its_own_rules_file_and_refuses_a_bad_one(
    tmp_path: Path, database_url: str, keys: dict[str, str]
) -> None:
    """MATCHER_LEDGER_RULES: a scheme without a warning mark warns nobody; a bad file stops
    the service at start with the file and key path."""
    lenient = tmp_path / "rules.toml"
    lenient.write_text(
        '[[versions]]\nversion = "宽松"\neffective_from = 2020-01-01\n'
        "[versions.party]\nwarning_below_points = 0\n",
        encoding="utf-8",
    )
    app = create_app(settings=Settings(database_url, ledger_rules=str(lenient)))
    with TestClient(app) as client:
        coordinator = create_key(database_url, "coordinator", "rules")
        made = client.post("/datasets", files=csv_files(), headers=headers(coordinator))
        answer = client.get(
            f"/datasets/{made.json()['id']}/ledger", headers=headers(coordinator)
        ).json()
    assert answer["warned"] == 0

    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[[versions]]\nversion = "坏"\neffective_from = 2020-01-01\ndefault_points_per_hour = -1\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as refused:
        create_app(settings=Settings(database_url, ledger_rules=str(broken)))
    assert "broken.toml" in str(refused.value)
    assert "default_points_per_hour" in str(refused.value)
