"""Issue 14 end to end: publish, confirm, decline, replace, attend, and the history that follows.

Through the service's routes on SQLite (and PostgreSQL when
``TEST_DATABASE_URL`` is set), with the messages delivered to a real SMTP
server (aiosmtpd) and a real HTTP server answering like the WeChat Work
group robot, both started by the test.  Volunteers with an e-mail address
are mailed, the others are mentioned in the group; every message arrives
once, also when a second server starts on the same database and delivers.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from api.keys import create_key
from api.settings import Settings
from api.store.models import SolveJob
from api.store.serialize import from_json
from matcher.domain import Problem
from tests.api.conftest import SAMPLE, csv_files, headers

# the real servers, as fixtures
from tests.api.test_outbox import robot, smtp  # noqa: F401
from tests.api.test_rosters import ENDED, start, wait_for


def _with_emails() -> bytes:
    """The sample's volunteers, every odd one with an obviously fake address."""
    text = (SAMPLE / "volunteers.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    for number, row in enumerate(rows):
        row["email"] = f"{row['id'].lower()}@example.org" if number % 2 == 0 else ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*rows[0].keys()])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _deliver_all(app: Any) -> Counter[str]:
    """Delivery passes until nothing is due: how many sent, pending, failed."""
    total: Counter[str] = Counter()
    while True:
        one = app.state.outbox.deliver()
        total.update(one)
        if not one["sent"] and not one["failed"]:
            return total


def _proposals(client: TestClient, key: str, roster_id: int, **query: Any) -> list[dict]:
    response = client.get(
        f"/rosters/{roster_id}/proposals", params={"limit": 1000, **query}, headers=headers(key)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_publish_confirm_decline_replace_attend_and_history(
    database_url: str,
    smtp,  # noqa: F811
    robot,  # noqa: F811
) -> None:
    mailbox, port = smtp
    group, url = robot
    settings = Settings(
        database_url,
        senders=("smtp", "webhook"),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_from="matcher@example.org",
        webhook_url=url,
        public_url="http://matcher.example.org",
        outbox_interval=3600,  # the test delivers when it means to
    )
    app = create_app(settings=settings)
    coordinator = create_key(app.state.engine, "coordinator", "社区工作者")
    with TestClient(app) as client:
        upload = client.post(
            "/datasets",
            files=csv_files(volunteers=_with_emails()),
            headers=headers(coordinator),
        )
        assert upload.status_code == 201, upload.text
        dataset_id = upload.json()["id"]
        roster_id = start(client, coordinator, dataset_id, time_limit=20)
        job = wait_for(client, coordinator, roster_id, lambda j: j["status"] in ENDED)
        assert job["status"] == "done", job["error"]

        published = client.post(f"/rosters/{roster_id}/publish", headers=headers(coordinator))
        assert published.status_code == 200, published.text
        proposals = _proposals(client, coordinator, roster_id)
        assert len(proposals) == published.json()["proposals_made"] == len(job["roster"])
        assert {p["state"] for p in proposals} == {"proposed"}

        # one proposal message each, by e-mail or in the group, delivered once
        sent = _deliver_all(app)
        assert sent["sent"] == len(proposals) and sent["failed"] == 0
        mailed = {m["Message-ID"] for m in mailbox.messages}
        assert len(mailed) == len(mailbox.messages)
        assert len(mailbox.messages) + len(group.received) == len(proposals)
        assert mailbox.messages and group.received
        assert all(m["To"].endswith("@example.org") for m in mailbox.messages)
        assert all(r["text"]["mentioned_mobile_list"] for r in group.received)

        # a volunteer opens their link from the mail and confirms; another declines
        first = mailbox.messages[0].get_content()
        link = re.search(r"http://matcher\.example\.org(/me/\S+)", first)
        assert link is not None, first
        page = client.get(link.group(1), headers={"Accept-Language": "zh-CN"})
        assert page.status_code == 200 and "确认" in page.text
        token = link.group(1).rsplit("/", 1)[-1]
        mine = client.get(f"/me/{token}/proposals").json()["items"]
        confirmed = client.post(f"/me/{token}/proposals/{mine[0]['id']}/confirm")
        assert confirmed.status_code == 200, confirmed.text
        declined_id = next(
            p["id"] for p in proposals if p["volunteer_id"] != mine[0]["volunteer_id"]
        )
        declined = client.post(
            f"/proposals/{declined_id}/decline",
            json={"note": "家里有事"},
            headers=headers(coordinator),
        )
        assert declined.status_code == 200, declined.text

        # the decline tells the coordinators' group; the replacement is offered and accepted
        before = len(group.received)
        assert _deliver_all(app)["sent"] == 1
        assert len(group.received) == before + 1 and "declined" not in group.received[-1]
        candidates = client.get(
            f"/proposals/{declined_id}/replacements", headers=headers(coordinator)
        ).json()["candidates"]
        assert candidates, "the sample has volunteers free for any one need"
        replaced = client.post(
            f"/proposals/{declined_id}/replace",
            json={"volunteer_id": candidates[0]["volunteer_id"]},
            headers=headers(coordinator),
        )
        assert replaced.status_code == 200, replaced.text
        offered = replaced.json()["offered"]
        assert offered["replaces_id"] == declined_id and offered["state"] == "proposed"
        kinds = Counter(
            m["kind"]
            for m in client.get(
                "/outbox",
                params={"dataset_id": dataset_id, "limit": 500},
                headers=headers(coordinator),
            ).json()["items"]
        )
        assert kinds == {"proposal": len(proposals) + 1, "declined": 1, "replaced": 1}

        # attendance for the confirmed assignment (the sample's days are past)
        recorded = client.post(
            f"/proposals/{mine[0]['id']}/attendance",
            json={"status": "late", "start": "09:20"},
            headers=headers(coordinator),
        )
        assert recorded.status_code == 201, recorded.text

        # the next solve reads what happened as history
        again = start(client, coordinator, dataset_id, time_limit=5)
        with app.state.sessionmaker() as session:
            snapshot = from_json(Problem, session.get(SolveJob, again).problem)
        history = [
            h
            for h in snapshot.history
            if h.volunteer_id == mine[0]["volunteer_id"] and h.need_id == mine[0]["need_id"]
        ]
        assert len(history) == 1 and history[0].attended and history[0].minutes > 0
        wait_for(client, coordinator, again, lambda j: j["status"] in ENDED)

    # a second server on the same database sends what was still due (the replacement's
    # offer and the decliner's notice), and nothing twice
    before = len(mailbox.messages) + len(group.received)
    second = create_app(settings=settings)
    with TestClient(second):  # its worker's first pass may take some: count what arrived
        _deliver_all(second)
    assert len(mailbox.messages) + len(group.received) == before + 2
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == len(set(ids))
    third = create_app(settings=settings)
    with TestClient(third):
        assert _deliver_all(third)["sent"] == 0
    for application in (app, second, third):
        application.state.engine.dispose()
