"""The outbox against real servers: an aiosmtpd SMTP server and an HTTP server answering
like a WeChat Work group robot, both started here on 127.0.0.1; SQLite, and PostgreSQL
when ``TEST_DATABASE_URL`` is set.  No mocks: messages really travel.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.notices import LIMIT_BYTES, change_notice, proposal_notice, reminder_notice
from api.outbox import OutboxWorker, channel_for
from api.senders import LogSender, SmtpSender, WebhookSender, message_id
from api.settings import Settings
from api.store.database import open_database
from api.store.models import Dataset, OutboxMessage, PersonalLink, Proposal, SolveJob, utcnow
from api.store.outbox import claim, enqueue
from matcher.i18n import use_language
from tests.api.conftest import headers

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition: Any, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


# -- the servers ------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: keeps accepted mail; with ``hold`` set, waits before answering DATA."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.hold = threading.Event()
        self.release = threading.Event()
        self.holding = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold.is_set():
            self.holding.set()
            # the message is accepted only when this answers 250; a client that goes away
            # before that cancels this coroutine (aiosmtpd), as a real server drops it
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        mailbox.release.set()
        controller.stop()


class Robot:
    """What the robot received, and the answers it gives in turn (then ``errcode`` 0)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.hold = threading.Event()
        self.release = threading.Event()
        self.holding = threading.Event()
        self.lock = threading.Lock()


@pytest.fixture
def robot() -> Iterator[tuple[Robot, str]]:
    state = Robot()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.hold.is_set():
                state.holding.set()
                state.release.wait(10)
            with state.lock:
                state.received.append(body)
                answer = state.answers.pop(0) if state.answers else {"errcode": 0, "errmsg": "ok"}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=k1"
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


# -- the database -----------------------------------------------------------------------


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    engine, factory = open_database(database_url)
    yield factory
    engine.dispose()


def put(factory: sessionmaker[Session], key: str, channel: str, recipient: str) -> int:
    with factory.begin() as session:
        message = enqueue(
            session, key, "proposal", channel, recipient, "志愿服务邀请", "李明，您好：\n请确认。"
        )
        assert message is not None
        return message.id


def row(factory: sessionmaker[Session], message_id: int) -> OutboxMessage:
    with factory() as session:
        found = session.get(OutboxMessage, message_id)
        assert found is not None
        return found


class Clock:
    """A clock the test moves; it starts a second ahead, so messages just written are due."""

    def __init__(self) -> None:
        self.now = utcnow() + dt.timedelta(seconds=1)

    def __call__(self) -> dt.datetime:
        return self.now


# -- writing once -----------------------------------------------------------------------


def test_a_second_enqueue_of_a_key_adds_nothing_even_in_a_race(sessions):
    first = put(sessions, "proposal:1", "email", "a@example.org")
    with sessions.begin() as session:
        assert enqueue(session, "proposal:1", "proposal", "email", "b@x.org", "s", "b") is None
    results: list[Any] = []
    barrier = threading.Barrier(4)

    def write() -> None:
        with sessions.begin() as session:
            barrier.wait()
            results.append(enqueue(session, "race:1", "change", "wechat", "", "s", "b"))

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r is not None for r in results) == 1
    with sessions() as session:
        keys = session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.id)).all()
    assert keys == ["proposal:1", "race:1"]
    assert row(sessions, first).recipient == "a@example.org"  # the first write stands


def test_two_workers_never_claim_the_same_row(sessions):
    message = put(sessions, "proposal:2", "email", "a@example.org")
    now = utcnow()
    with sessions() as one, sessions() as two:
        assert claim(one, message, now, 60) is not None
        one.commit()
        assert claim(two, message, now, 60) is None
    taken = row(sessions, message)
    assert (taken.state, taken.attempts) == ("sending", 1)
    # a lease that ran out (its worker died) is taken again, as a new attempt
    with sessions.begin() as session:
        again = claim(session, message, now + dt.timedelta(seconds=61), 60)
        assert again is not None and again.attempts == 2


# -- senders ----------------------------------------------------------------------------


def test_smtp_delivers_utf8_chinese_with_a_message_id_from_the_key(sessions, smtp):
    mailbox, port = smtp
    sender = SmtpSender("127.0.0.1", port, "志愿服务 <matcher@college.example.cn>", timeout=5)
    worker = OutboxWorker(sessions, [sender], backoff=1)
    message = put(sessions, "proposal:3", "email", "li.ming@example.org")
    put(sessions, "proposal:4", "wechat", "13800000000")  # no sender for it: it waits
    assert worker.deliver() == {"sent": 1, "pending": 0, "failed": 0}
    assert len(mailbox.messages) == 1
    mail = mailbox.messages[0]
    assert mail["Subject"] == "志愿服务邀请"
    assert mail["To"] == "li.ming@example.org"
    assert mail.get_content().replace("\r\n", "\n").strip() == "李明，您好：\n请确认。"
    assert mail["Message-ID"] == message_id("proposal:3", "college.example.cn")
    sent = row(sessions, message)
    assert (sent.state, sent.attempts, sent.sent_at is not None) == ("sent", 1, True)
    assert worker.deliver() == {"sent": 0, "pending": 0, "failed": 0}  # never twice
    assert len(mailbox.messages) == 1


def test_the_robot_gets_its_json_and_an_error_answer_is_retried_after_a_back_off(sessions, robot):
    state, url = robot
    state.answers.append({"errcode": 93000, "errmsg": "invalid webhook url"})
    clock = Clock()
    worker = OutboxWorker(sessions, [WebhookSender(url, timeout=5)], backoff=30, clock=clock)
    message = put(sessions, "reminder:5:2026-09-19", "wechat", "13800000000")
    assert worker.deliver()["pending"] == 1
    waiting = row(sessions, message)
    assert waiting.state == "pending" and waiting.attempts == 1
    assert "93000" in waiting.last_error
    assert waiting.next_attempt_at == clock.now + dt.timedelta(seconds=30)
    assert worker.deliver()["sent"] == 0  # not due yet
    clock.now += dt.timedelta(seconds=31)
    assert worker.deliver()["sent"] == 1
    assert len(state.received) == 2
    assert state.received[-1] == {
        "msgtype": "text",
        "text": {
            "content": "志愿服务邀请\n李明，您好：\n请确认。",
            "mentioned_mobile_list": ["13800000000"],
        },
    }
    assert row(sessions, message).state == "sent"


def test_back_off_doubles_then_the_message_fails_after_the_last_attempt(sessions, robot):
    state, url = robot
    state.answers.extend([{"errcode": 45009, "errmsg": "api freq out of limit"}] * 3)
    clock = Clock()
    worker = OutboxWorker(
        sessions, [WebhookSender(url, timeout=5)], max_attempts=3, backoff=10, clock=clock
    )
    message = put(sessions, "change:6", "wechat", "")
    waits = []
    for _attempt in range(3):
        worker.deliver()
        current = row(sessions, message)
        waits.append((current.next_attempt_at - clock.now).total_seconds())
        clock.now = current.next_attempt_at
    failed = row(sessions, message)
    assert (failed.state, failed.attempts) == ("failed", 3)
    assert "45009" in failed.last_error
    assert waits[:2] == [10, 20]
    assert worker.deliver() == {"sent": 0, "pending": 0, "failed": 0}  # failed stays failed
    assert "mentioned_mobile_list" not in state.received[0]["text"]


def test_an_unreachable_server_is_a_failure_to_retry(sessions):
    worker = OutboxWorker(sessions, [SmtpSender("127.0.0.1", free_port(), timeout=2)], backoff=5)
    message = put(sessions, "proposal:7", "email", "a@example.org")
    assert worker.deliver()["pending"] == 1
    assert "ConnectionRefused" in row(sessions, message).last_error


def test_the_log_sender_is_the_default_and_needs_nothing(database_url, caplog):
    app = create_app(settings=Settings(database_url))
    assert app.state.outbox.senders and isinstance(app.state.outbox.senders[0], LogSender)
    factory = app.state.sessionmaker
    message = put(factory, "proposal:8", "wechat", "13800000000")
    with caplog.at_level("INFO", logger="api.senders"):
        assert app.state.outbox.deliver()["sent"] == 1
    assert "proposal:8" in caplog.text and "李明，您好" in caplog.text
    assert row(factory, message).state == "sent"
    app.state.engine.dispose()


def test_the_settings_name_the_senders(monkeypatch):
    monkeypatch.setenv("MATCHER_SENDER", "smtp,webhook")
    monkeypatch.setenv("MATCHER_SMTP_HOST", "mail.example.cn")
    monkeypatch.setenv("MATCHER_SMTP_PORT", "587")
    monkeypatch.setenv("MATCHER_SMTP_STARTTLS", "1")
    monkeypatch.setenv("MATCHER_WEBHOOK_URL", "https://qyapi.weixin.qq.com/x?key=1")
    settings = Settings.from_env()
    assert settings.senders == ("smtp", "webhook")
    assert (settings.smtp_port, settings.smtp_starttls) == (587, True)
    monkeypatch.setenv("MATCHER_SENDER", "pigeon")
    with pytest.raises(ValueError, match="pigeon"):
        Settings.from_env()


def test_the_channel_follows_the_senders_and_the_contact():
    smtp_only = [SmtpSender("h")]
    both = [SmtpSender("h"), WebhookSender("u")]
    assert channel_for(smtp_only, "a@x.cn", "138") == ("email", "a@x.cn")
    assert channel_for(smtp_only, "", "138") is None
    assert channel_for(both, "", "138") == ("wechat", "138")
    assert channel_for([LogSender()], "", "138") == ("wechat", "138")


# -- never twice across a restart ---------------------------------------------------------


def test_a_worker_stopped_mid_send_and_a_new_one_deliver_exactly_once_smtp(sessions, smtp):
    mailbox, port = smtp
    mailbox.hold.set()
    message = put(sessions, "proposal:9", "email", "a@example.org")

    def worker() -> OutboxWorker:
        return OutboxWorker(sessions, [SmtpSender("127.0.0.1", port, timeout=10)], interval=0.05)

    first = worker()
    first.interval = 0.05
    first.start()
    assert mailbox.holding.wait(10)  # the server holds the data, unanswered
    assert first.stop(timeout=0.1) is False  # stopped mid-send: the send still runs
    second = worker()
    second.start()  # the restarted server: its passes see the row leased
    time.sleep(0.3)
    assert second.run_pass() == {"reminders": 0, "sent": 0, "pending": 0, "failed": 0}
    mailbox.release.set()
    wait_for(lambda: row(sessions, message).state == "sent")
    second.stop(timeout=5)
    time.sleep(0.2)
    assert len(mailbox.messages) == 1
    assert row(sessions, message).attempts == 1


def test_an_app_restarted_mid_send_delivers_exactly_once_webhook(database_url, robot):
    state, url = robot
    state.hold.set()
    settings = Settings(
        database_url, senders=("webhook",), webhook_url=url, send_timeout=5, outbox_interval=0.05
    )
    first = create_app(settings=settings)
    message = put(first.state.sessionmaker, "proposal:10", "wechat", "13800000000")
    with TestClient(first):
        assert state.holding.wait(10)
        threading.Timer(0.3, state.release.set).start()
    # the lifespan waited for the send in flight and recorded it before stopping
    assert row(first.state.sessionmaker, message).state == "sent"
    second = create_app(settings=settings)
    with TestClient(second):
        assert second.state.outbox.deliver() == {"sent": 0, "pending": 0, "failed": 0}
    assert len(state.received) == 1
    first.state.engine.dispose()
    second.state.engine.dispose()


WORKER_SCRIPT = """
import sys
from api.outbox import OutboxWorker
from api.senders import SmtpSender
from api.store.database import open_database
engine, factory = open_database(sys.argv[1])
OutboxWorker(factory, [SmtpSender("127.0.0.1", int(sys.argv[2]), timeout=30)],
             lease_seconds=60).deliver()
"""


def test_a_worker_killed_mid_send_is_resent_once_after_its_lease(sessions, database_url, smtp):
    mailbox, port = smtp
    mailbox.hold.set()
    message = put(sessions, "proposal:11", "email", "a@example.org")
    process = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT, database_url, str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert mailbox.holding.wait(30)
        process.send_signal(signal.SIGKILL)  # no clean-up at all
        process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
    mailbox.release.set()
    time.sleep(0.2)
    assert mailbox.messages == []  # the server never answered 250: it dropped the message
    clock = Clock()
    restarted = OutboxWorker(sessions, [SmtpSender("127.0.0.1", port, timeout=5)], clock=clock)
    assert restarted.deliver()["sent"] == 0  # the dead worker's lease still holds
    clock.now += dt.timedelta(seconds=61)
    assert restarted.deliver()["sent"] == 1
    assert restarted.deliver()["sent"] == 0
    assert len(mailbox.messages) == 1
    assert row(sessions, message).attempts == 2


# -- reminders --------------------------------------------------------------------------


def _proposals(factory: sessionmaker[Session], day: dt.date) -> list[int]:
    with factory.begin() as session:
        dataset = Dataset(name="社区", horizon={})
        session.add(dataset)
        session.flush()
        job = SolveJob(dataset_id=dataset.id, status="done", params={}, problem={})
        session.add(job)
        session.flush()
        ids = []
        for number, (state, date) in enumerate(
            [("proposed", day), ("confirmed", day), ("declined", day), ("proposed", None)]
        ):
            proposal = Proposal(
                roster_id=job.id,
                dataset_id=dataset.id,
                need_id=f"N{number}",
                volunteer_id=f"V{number}",
                role="member",
                date=date,
                start=540,
                end=660,
                state=state,
            )
            session.add(proposal)
            session.flush()
            ids.append(proposal.id)
        return ids


def test_reminders_for_tomorrow_are_written_once_from_nine_in_shanghai(sessions):
    shanghai = dt.timezone(dt.timedelta(hours=8))
    morning = dt.datetime(2026, 9, 18, 8, 30, tzinfo=shanghai)
    tomorrow = dt.date(2026, 9, 19)
    proposed, confirmed, _declined, _untimed = _proposals(sessions, tomorrow)
    worker = OutboxWorker(sessions, [LogSender()], public_url="http://matcher.example.org")
    assert worker.enqueue_reminders(morning) == 0  # not at 8:30
    assert worker.enqueue_reminders(morning + dt.timedelta(hours=1)) == 2
    assert worker.enqueue_reminders(morning + dt.timedelta(hours=5)) == 0  # once
    with sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.key for r in rows] == [
            f"reminder:{proposed}:2026-09-19",
            f"reminder:{confirmed}:2026-09-19",
        ]
        assert {r.kind for r in rows} == {"reminder"} and rows[0].proposal_id == proposed
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == 2
        # each reminder carries a link of its own to decline (tokens are stored hashed),
        # made once: the later passes wrote no reminder and so no link
        assert all("http://matcher.example.org/me/me_" in r.body for r in rows)
        assert session.scalar(select(func.count()).select_from(PersonalLink)) == 2


# -- texts ------------------------------------------------------------------------------


def test_the_texts_are_chinese_plain_and_within_the_robot_limit():
    with use_language("zh"):
        subject, body = proposal_notice(
            volunteer_name="李明",
            need_title="义务理发",
            date=dt.date(2026, 9, 19),
            start=540,
            end=690,
            place="社区党群服务中心",
            role="lead",
            link="https://matcher.example.cn/p/abc",
        )
        assert subject == "志愿服务邀请：9月19日（周六） 09:00-11:30，请确认"
        assert "带队人" in body and "https://matcher.example.cn/p/abc" in body
        assert "**" not in body and "#" not in body
        long_subject, long_body = reminder_notice(
            volunteer_name="李明",
            need_title="很长的服务" * 400,
            date=None,
            start=None,
            end=None,
            place="",
            role="member",
        )
        assert len(f"{long_subject}\n{long_body}".encode()) <= LIMIT_BYTES
        assert "时间自定" in long_body and "告知带队人或协调人" in long_body
        for change in ("cancelled", "replaced", "time_changed"):
            subject, body = change_notice(
                volunteer_name="李明",
                need_title="义务理发",
                change=change,
                date=dt.date(2026, 9, 19),
                start=540,
                end=690,
                new_date=dt.date(2026, 9, 20),
                new_start=600,
                new_end=720,
            )
            assert "义务理发" in body and "9月19日" in subject + body
    subject, _body = proposal_notice(
        volunteer_name="Li",
        need_title="Haircuts",
        date=dt.date(2026, 9, 19),
        start=540,
        end=690,
        place="",
        role="member",
        link="x",
    )
    assert subject == "Volunteer service on 9/19 (Saturday) 09:00-11:30: please confirm"


# -- the API ----------------------------------------------------------------------------


def test_the_outbox_routes_list_filter_and_retry_with_roles(client, app, keys):
    factory = app.state.sessionmaker
    ok = put(factory, "proposal:20", "email", "a@example.org")
    bad = put(factory, "proposal:21", "email", "b@example.org")
    with factory.begin() as session:
        session.get(OutboxMessage, bad).state = "failed"  # type: ignore[union-attr]
    assert client.get("/outbox").status_code == 401
    assert client.get("/outbox", headers=headers(keys["viewer"])).status_code == 403
    listed = client.get("/outbox", headers=headers(keys["coordinator"])).json()
    assert listed["total"] == 2 and [m["id"] for m in listed["items"]] == [bad, ok]
    failed = client.get(
        "/outbox", params={"state": "failed"}, headers=headers(keys["admin"])
    ).json()
    assert [m["key"] for m in failed["items"]] == ["proposal:21"]
    assert (
        client.get("/outbox", params={"dataset_id": 1}, headers=headers(keys["admin"])).json()[
            "total"
        ]
        == 0
    )
    retry = f"/outbox/{bad}/retry"
    assert client.post(retry, headers=headers(keys["viewer"])).status_code == 403
    again = client.post(retry, headers=headers(keys["coordinator"]))
    assert again.status_code == 200, again.text
    assert (again.json()["state"], again.json()["attempts"]) == ("pending", 0)
    assert client.post(retry, headers=headers(keys["coordinator"])).status_code == 409
    assert client.post("/outbox/999/retry", headers=headers(keys["admin"])).status_code == 404
    audit = client.get("/audit", params={"action": "outbox.retry"}, headers=headers(keys["admin"]))
    assert audit.json()["total"] == 1
