"""What the upload noticed but did not refuse, and the households' contact phone."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import SAMPLE, csv_files, headers

# the solver, files and the HTTP edge: once, on SQLite (tests/api/conftest.py)
pytestmark = pytest.mark.sqlite_only


def test_upload_answers_with_its_warnings(client: TestClient, keys: dict[str, str]) -> None:
    text = (SAMPLE / "households.csv").read_text(encoding="utf-8-sig").splitlines()
    text = [f"{text[0]},户主姓名"] + [f"{line},某某" for line in text[1:]]
    files = csv_files(households=("\n".join(text) + "\n").encode())
    made = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert made.status_code == 201, made.text
    warnings = made.json()["warnings"]
    assert any(w["file"] == "households.csv" and w["column"] == "户主姓名" for w in warnings)
    plain = client.post("/datasets", files=csv_files(), headers=headers(keys["coordinator"]))
    shown = plain.json()["warnings"]
    assert not any(w["column"] == "户主姓名" for w in shown)
    # the data's own warnings: the sample has volunteers with no availability, N033 needs 手语
    assert any(w["file"] == "volunteers" and "no availability" in w["message"] for w in shown)
    assert any(w["file"] == "needs" and "手语" in w["message"] for w in shown)


def test_household_phone_round_trip_and_masked_for_viewers(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    url = f"/datasets/{dataset_id}/households/H001"
    coordinator = headers(keys["coordinator"])
    household = client.get(url, headers=coordinator).json()
    changed = client.put(url, json={**household, "phone": "199-0000-4321"}, headers=coordinator)
    assert changed.status_code == 200, changed.text
    assert client.get(url, headers=coordinator).json()["phone"] == "199-0000-4321"
    assert client.get(url, headers=headers(keys["viewer"])).json()["phone"] == "*******4321"
