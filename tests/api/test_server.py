"""End to end: a real server process on a free loopback port, over HTTP.

The server is started the way ``make run`` starts it (``matcher serve``), so its
log is the one a coordinator trying the service reads.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
from icalendar import Calendar

from api.keys import create_key
from tests.api.conftest import csv_files

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
    """Base URL of a started server on a fresh SQLite file, a coordinator key, its log."""
    url = f"sqlite:///{tmp_path / 'e2e.db'}"
    key = create_key(url, "coordinator", "e2e")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    log = tmp_path / "server.log"
    process = subprocess.Popen(
        [
            *(sys.executable, "-c", "from api.cli import main; main()"),
            *("serve", "--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),  # a file: a pipe nobody reads would fill and stall the server
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)
        yield base, key, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_upload_solve_export_publish_over_http(server: tuple[str, str, Path]) -> None:
    base, key, log = server
    with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=30) as http:
        uploaded = http.post("/datasets", files=csv_files(), data={"name": "community_a"})
        assert uploaded.status_code == 201, uploaded.text
        dataset_id = uploaded.json()["id"]
        started = http.post(f"/datasets/{dataset_id}/rosters", json={"params": {"time_limit": 30}})
        assert started.status_code == 202, started.text
        roster_id = started.json()["id"]
        deadline = time.monotonic() + 60
        while (job := http.get(f"/rosters/{roster_id}").json())["status"] in (
            "queued",
            "running",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert job["status"] == "done", job["error"]
        assert job["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
        csv = http.get(f"/rosters/{roster_id}/export", params={"format": "csv"})
        assert len(pd.read_csv(io.BytesIO(csv.content), encoding="utf-8-sig")) == len(job["roster"])
        ics = http.get(f"/rosters/{roster_id}/export", params={"format": "ics"})
        assert len(Calendar.from_ical(ics.content).walk("VEVENT")) == len(job["roster"])
        published = http.post(f"/rosters/{roster_id}/publish")
        assert published.status_code == 200, published.text
        assert published.json()["proposals_made"] == len(job["roster"])
    # the default log-only sender shows each message in the server's log, as make run does
    deadline = time.monotonic() + 30
    while log.read_text(errors="replace").count("outbox message") < len(job["roster"]):
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.2)
    assert "/me/" in log.read_text(errors="replace")
