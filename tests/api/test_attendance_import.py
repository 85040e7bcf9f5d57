"""An attendance sheet filled in on the day, imported into the ledger through the service."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.conftest import headers
from tests.api.test_rosters import ENDED, start, wait_for

HEADER = "需求编号,志愿者编号,出勤情况,实际开始,实际结束,备注\n"


def _sheet(rows: list[str]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("file", ("出勤记录.csv", (HEADER + "".join(rows)).encode("utf-8"), "text/csv"))]


def test_a_sheet_is_recorded_once_and_a_bad_one_not_at_all(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    roster_id = start(client, coordinator, dataset_id, time_limit=20)
    job = wait_for(client, viewer, roster_id, lambda j: j["status"] in ENDED)
    url = f"/rosters/{roster_id}/attendance/import"
    unpublished = client.post(url, files=_sheet([]), headers=headers(coordinator))
    assert unpublished.status_code == 409
    assert client.post(f"/rosters/{roster_id}/publish", headers=headers(coordinator)).is_success
    timed = [r for r in job["roster"] if r["start"]][:3]
    rows = [
        f"{timed[0]['need_id']},{timed[0]['volunteer_id']},到岗,,,\n",
        f"{timed[1]['need_id']},{timed[1]['volunteer_id']},迟到,{timed[1]['start']},,堵车\n",
        f"{timed[2]['need_id']},{timed[2]['volunteer_id']},,,,\n",  # not filled in yet
    ]

    bad = client.post(
        url,
        files=_sheet([*rows, f"{timed[0]['need_id']},V9999,缺席,,,\n"]),
        headers=headers(coordinator),
    )
    assert bad.status_code == 400, bad.text
    (error,) = bad.json()["errors"]
    assert error["row"] == 5 and "V9999" in error["message"]
    ledger = client.get(f"/rosters/{roster_id}/attendance", headers=headers(viewer)).json()
    assert not any(p["current"] for p in ledger), "nothing recorded from a bad sheet"

    first = client.post(url, files=_sheet(rows), headers=headers(coordinator))
    assert first.status_code == 200, first.text
    assert first.json()["recorded"] == 2 and first.json()["already_recorded_rows"] == []
    assert any("4" in w["message"] for w in first.json()["warnings"])  # row 4: no status yet
    again = client.post(url, files=_sheet(rows), headers=headers(coordinator))
    assert again.json()["recorded"] == 0 and again.json()["already_recorded_rows"] == [2, 3]
    refused = client.post(url, files=_sheet(rows), headers=headers(viewer))
    assert refused.status_code == 403
