"""Issue 14 end to end against a real server process, over HTTP, with real mail and robot.

The service runs as uvicorn in its own process (SQLite file, or PostgreSQL
when ``TEST_DATABASE_URL`` is set) with its outbox worker sending to an
aiosmtpd server and to an HTTP server answering like the WeChat Work robot,
both started here.  The server is stopped while a mail is held mid-send and
started again: the mail arrives once.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.orm import Session

from api.keys import create_key
from api.store.database import make_engine
from api.store.models import SolveJob
from api.store.serialize import from_json
from matcher.domain import Problem
from tests.api.conftest import csv_files
from tests.api.test_confirm_flow import _with_emails

# the real servers, as fixtures
from tests.api.test_outbox import free_port, robot, smtp, wait_for  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _serve(database_url: str, port: int, mail_port: int, robot_url: str, cwd: Path) -> Any:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
        "MATCHER_SENDER": "smtp,webhook",
        "MATCHER_SMTP_HOST": "127.0.0.1",
        "MATCHER_SMTP_PORT": str(mail_port),
        "MATCHER_SMTP_FROM": "matcher@example.org",
        "MATCHER_WEBHOOK_URL": robot_url,
        "MATCHER_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MATCHER_OUTBOX_INTERVAL": "0.2",
        "MATCHER_SEND_TIMEOUT": "10",
    }
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, "the server ended"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.1)


def _stop(process: Any) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_confirm_flow_over_http_with_a_restart_mid_send(
    database_url: str,
    tmp_path: Path,
    smtp,  # noqa: F811
    robot,  # noqa: F811
) -> None:
    mailbox, mail_port = smtp
    group, robot_url = robot
    key = create_key(database_url, "coordinator", "社区工作者")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = _serve(database_url, port, mail_port, robot_url, tmp_path)
    try:
        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as http:
            upload = http.post("/datasets", files=csv_files(volunteers=_with_emails()))
            assert upload.status_code == 201, upload.text
            dataset_id = upload.json()["id"]
            started = http.post("/rosters", json={"dataset_id": dataset_id, "params": {}})
            roster_id = started.json()["id"]
            wait_for(lambda: http.get(f"/rosters/{roster_id}").json()["status"] == "done", 60)
            published = http.post(f"/rosters/{roster_id}/publish")
            assert published.status_code == 200, published.text
            made = published.json()["proposals_made"]
            # the worker in the server sends each proposal once, by mail or to the group
            wait_for(lambda: len(mailbox.messages) + len(group.received) == made, 60)
            time.sleep(1)  # a few more passes: nothing is sent twice
            assert len(mailbox.messages) + len(group.received) == made

            # a volunteer follows the link in their mail, over HTTP, with no key
            link = re.search(r"(http://127\.0\.0\.1:\d+/me/\S+)", mailbox.messages[0].get_content())
            assert link is not None
            token = link.group(1).rsplit("/", 1)[-1]
            page = httpx.get(link.group(1), headers={"Accept-Language": "zh-CN"})
            assert page.status_code == 200 and "确认" in page.text
            mine = httpx.get(f"{base}/me/{token}/proposals").json()["items"]
            assert httpx.post(f"{base}/me/{token}/proposals/{mine[0]['id']}/decline").is_success

            # the replacement is a mailed volunteer; the mail is held mid-send and the
            # server stopped: it waits for the send in flight, so the mail arrives once
            emailed = set(re.findall(r"\n(V\d+),[^\n]*@example\.org", _with_emails().decode()))
            candidates = http.get(f"/proposals/{mine[0]['id']}/replacements").json()
            pick = next((c for c in candidates["candidates"] if c["volunteer_id"] in emailed), None)
            assert pick is not None, "half the volunteers have an address"
            mailbox.hold.set()
            before = len(mailbox.messages)
            replaced = http.post(
                f"/proposals/{mine[0]['id']}/replace", json={"volunteer_id": pick["volunteer_id"]}
            )
            assert replaced.status_code == 200, replaced.text
            assert mailbox.holding.wait(30), "the offer was not sent"
        threading.Timer(0.5, mailbox.release.set).start()
        _stop(server)
        server = _serve(database_url, port, mail_port, robot_url, tmp_path)
        time.sleep(1.5)  # several passes of the new server's worker
        offers = [m for m in mailbox.messages[before:] if pick["volunteer_id"].lower() in m["To"]]
        assert len(offers) == 1

        with httpx.Client(base_url=base, headers={"X-API-Key": key}, timeout=60) as http:
            offered = replaced.json()["offered"]
            recorded = http.post(
                f"/proposals/{offered['id']}/attendance", json={"status": "attended"}
            )
            assert recorded.status_code == 201, recorded.text
            again = http.post("/rosters", json={"dataset_id": dataset_id, "params": {}}).json()
        engine = make_engine(database_url)
        try:
            with Session(engine) as session:
                job = session.get(SolveJob, again["id"])
                assert job is not None
                history = from_json(Problem, job.problem).history
        finally:
            engine.dispose()
        served = [
            h
            for h in history
            if h.volunteer_id == pick["volunteer_id"] and h.need_id == offered["need_id"]
        ]
        assert len(served) == 1 and served[0].attended and served[0].minutes > 0
    finally:
        mailbox.release.set()
        _stop(server)
