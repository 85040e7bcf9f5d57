"""One-to-one support through the service: pair the sample's households as a job, read the
pairs, the unpaired with reasons and the downloads; re-pair after a volunteer leaves and
only that volunteer's pairs change, each change with its reason."""

from __future__ import annotations

import io
import time
from typing import Any

import openpyxl
from fastapi.testclient import TestClient

from tests.api.conftest import headers


def _done(client: TestClient, key: str, url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        run = client.get(url, headers=headers(key)).json()
        if run["status"] not in ("queued", "running"):
            return run
        assert time.monotonic() < deadline, run
        time.sleep(0.2)


def test_pair_read_download_and_repair_after_a_volunteer_leaves(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    path = f"/datasets/{dataset_id}/pairings"
    assert client.post(path, json={}, headers=headers(viewer)).status_code == 403
    started = client.post(path, json={"time_limit": 10}, headers=headers(coordinator))
    assert started.status_code == 202, started.text
    assert started.json()["previous_id"] is None
    first = _done(client, viewer, started.json()["url"])
    assert first["status"] == "done", first
    pairs = {p["household_id"]: p for p in first["pairs"]}
    assert len(pairs) >= 15 and all(p["primary_id"] and p["backup_id"] for p in pairs.values())
    assert all(p["primary_id"] != p["backup_id"] for p in pairs.values())
    # the sample's unpairable households, each with a reason and whom to ask
    unpaired = {u["household_id"]: u for u in first["unpaired"]}
    assert "H017" in unpaired and unpaired["H017"]["reason"] and unpaired["H017"]["nearest"]

    book = client.get(f"/pairings/{first['id']}/export", headers=headers(viewer))
    assert book.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.max_row == len(pairs) + 1
    csv = client.get(
        f"/pairings/{first['id']}/export",
        params={"format": "csv", "table": "unpaired"},
        headers=headers(viewer),
    )
    assert csv.status_code == 200 and "H017" in csv.text

    # a primary leaves: re-pairing changes only the households that volunteer was in
    leaver = next(iter(pairs.values()))["primary_id"]
    theirs = {h for h, p in pairs.items() if leaver in (p["primary_id"], p["backup_id"])}
    gone = client.delete(
        f"/datasets/{dataset_id}/volunteers/{leaver}", headers=headers(coordinator)
    )
    assert gone.status_code == 200, gone.text
    again = client.post(path, json={}, headers=headers(coordinator))
    assert again.json()["previous_id"] == first["id"]
    second = _done(client, viewer, again.json()["url"])
    assert second["status"] == "done" and second["previous_count"] == len(pairs)
    after = {p["household_id"]: p for p in second["pairs"]}
    moved = {
        h
        for h in pairs
        if h not in after
        or (after[h]["primary_id"], after[h]["backup_id"])
        != (pairs[h]["primary_id"], pairs[h]["backup_id"])
    }
    assert moved == theirs
    assert {c["household_id"] for c in second["changes"]} == theirs
    assert all(c["reason"] for c in second["changes"])
    assert client.get("/pairings/999999", headers=headers(viewer)).status_code == 404
    listed = client.get(path, headers=headers(viewer)).json()
    assert [r["id"] for r in listed["items"]] == [second["id"], first["id"]]
    assert listed["items"][0]["previous_count"] == len(pairs)
