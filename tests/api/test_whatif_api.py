"""What-if runs through the service: start, follow, comparison, exports, errors."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.conftest import headers

# the solver, files and the HTTP edge: once, on SQLite (tests/api/conftest.py)
pytestmark = pytest.mark.sqlite_only

SCENARIOS = """
[settings]
time_limit = 20
[[scenarios]]
name = "两位教师请假"
[[scenarios.away]]
volunteers = ["V0062", "V0045"]
dates = ["2026-09-19", "2026-09-25", "2026-09-26", "2026-09-27"]
[[scenarios]]
name = "错字"
remove = { department = "铁道工程学院x" }
"""


def _wait(client: TestClient, key: str, run_id: int, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/whatif/{run_id}", headers=headers(key))
        assert response.status_code == 200, response.text
        run = response.json()
        if run["status"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.3)


def test_a_run_from_toml_gives_the_comparison_and_its_files(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    refused = client.post(
        f"/datasets/{dataset_id}/whatif", json={"toml": SCENARIOS}, headers=headers(viewer)
    )
    assert refused.status_code == 403
    response = client.post(
        f"/datasets/{dataset_id}/whatif",
        json={"toml": SCENARIOS},
        headers={**headers(coordinator), "Accept-Language": "zh-CN"},
    )
    assert response.status_code == 202, response.text
    run_id = response.json()["id"]
    assert response.headers["location"] == f"/whatif/{run_id}"
    early = client.get(f"/whatif/{run_id}/export?format=xlsx", headers=headers(viewer))
    assert early.status_code in (200, 409)  # 409 while it runs
    run = _wait(client, viewer, run_id)
    assert run["status"] == "done", run
    comparison = run["comparison"]
    assert comparison["base"]["name"] == "基准"  # the language of the request that started it
    teachers, typo = comparison["scenarios"]
    assert teachers["state"] == "ok" and typo["state"] == "invalid"
    assert "scenarios[1].remove.department" in typo["issues"][0]
    moved = {c["volunteer_id"] for c in teachers["changes"]["assignments"]}
    assert {"V0062", "V0045"} <= moved  # both were on the base roster and are off this one
    png = client.get(f"/whatif/{run_id}/export?format=png", headers=headers(viewer))
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    xlsx = client.get(f"/whatif/{run_id}/export?format=xlsx", headers=headers(viewer))
    assert xlsx.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.worksheets[0]["A2"].value == "基准"
    csv = client.get(f"/whatif/{run_id}/export?format=csv", headers=headers(viewer))
    assert csv.text.lstrip("\ufeff").startswith("scenario,state,description")
    assert client.get("/whatif/999999", headers=headers(viewer)).status_code == 404


def test_json_scenarios_and_each_mistake_by_its_path(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    url = f"/datasets/{dataset_id}/whatif"
    bad = client.post(
        url,
        json={"scenarios": [{"name": "a", "remove": {"share": 2}}, {"name": "b", "x": 1}]},
        headers=coordinator,
    )
    assert bad.status_code == 422, bad.text
    locs = [tuple(d["loc"]) for d in bad.json()["detail"]]
    assert ("body", "scenarios", 0, "remove", "share") in locs
    assert ("body", "scenarios", 1, "x") in locs
    toml = client.post(url, json={"toml": "[[scenarios]]\nname ="}, headers=coordinator)
    assert toml.status_code == 422 and toml.json()["detail"][0]["loc"] == ["body", "toml"]
    both = client.post(url, json={"toml": SCENARIOS, "scenarios": []}, headers=coordinator)
    assert both.status_code == 422
    assert (
        client.post(
            "/datasets/999/whatif", json={"toml": SCENARIOS}, headers=coordinator
        ).status_code
        == 404
    )
    fine = client.post(
        url,
        json={
            "scenarios": [
                {
                    "name": "四点半课堂人数翻倍",
                    "change_needs": [{"category": "tutoring", "scale": 2}],
                }
            ],
            "time_limit": 2,
        },
        headers=coordinator,
    )
    assert fine.status_code == 202, fine.text
    run = _wait(client, keys["viewer"], fine.json()["id"])
    assert run["status"] == "done", run
    scenario = run["comparison"]["scenarios"][0]
    assert scenario["figures"]["places_min"] > run["comparison"]["base"]["figures"]["places_min"]
