"""The delivery worker: sends what the outbox holds, once, and writes the day-before reminders.

One background thread per server (:class:`OutboxWorker`, started and stopped
in the app's lifespan) makes a pass every ``MATCHER_OUTBOX_INTERVAL``
seconds (:meth:`OutboxWorker.run_pass`):

1. reminders: from :data:`REMINDER_HOUR` o'clock in Asia/Shanghai, one
   message per proposal of tomorrow still proposed or confirmed, under the
   key ``reminder:{proposal_id}:{date}`` (so passes, restarts and several
   servers write it once);
2. delivery: each due message is claimed (``sending`` with a lease, one
   conditional UPDATE committed before anything is sent), sent outside any
   transaction, then marked ``sent``, or pending again after a back-off
   (30 s, 60 s, 120 s, ...), or ``failed`` after the last attempt.

Never twice
-----------
A message is sent again only when its row is taken again, and a row is
taken only when pending and due, or when its lease ran out.  The lease is
longer than a send may take (:func:`lease_for`: three times the sender's
timeout, at least a minute), so while a worker may still be sending, no
other worker (another server, or this one restarted) takes the row.  A
worker that stops lets its send in flight finish and records it (the
lifespan waits for it); one abandoned mid-send still holds the lease and
records the end when its send returns.

The one window left is between the receiving server accepting a message
(SMTP's ``250`` after the data; the robot's ``errcode: 0``) and the
``sent`` row being committed: if the process dies, or the database is
unreachable, in those milliseconds, the lease runs out and the message is
sent a second time.  It is narrowed three ways: the ``sent`` mark is
written right after the answer, with a few quick retries when the database
is busy; a process killed before the server answered leaves a message the
server has not accepted (an SMTP server drops a transaction whose client
went away before the final reply), so sending it again is right; and
e-mail carries a ``Message-ID`` derived from the key, so a receiving
server or mail client that drops duplicates sees the same message.  The
group robot has no such id: there, that window stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from api.notices import reminder_notice
from api.senders import EMAIL, WECHAT, LogSender, Outgoing, Sender, SendError, make_senders
from api.settings import Settings
from api.store.models import Proposal, utcnow
from api.store.outbox import (
    claim,
    due_ids,
    enqueue,
    mark_failed_attempt,
    mark_sent,
    message_by_key,
    reminder_candidates,
)
from api.store.proposals import issue_personal_link

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
REMINDER_HOUR = 9
"""From this hour (Asia/Shanghai) on the day before, reminders are written: never at midnight."""

BATCH = 50
"""Most messages one pass takes."""

RECORD_TRIES = 5
"""How often the end of a send is written before giving up (a busy database)."""


def lease_for(timeout: float) -> float:
    """Seconds a claimed row stays a worker's: well past the sender's own timeout."""
    return max(60.0, 3 * timeout)


def channel_for(senders: Sequence[Sender], email: str, phone: str) -> tuple[str, str] | None:
    """The channel and recipient for a volunteer, given the senders configured.

    E-mail when the volunteer has an address and a sender delivers e-mail,
    else the group robot (mentioning their phone, if any).  With the log
    sender alone, e-mail when there is an address, else the group channel.

    Returns
    -------
    tuple of str or None
        ``(channel, recipient)``, or None when no sender can reach them.
    """
    delivers = {channel for s in senders if s.channels is not None for channel in s.channels}
    logs = any(s.channels is None for s in senders)
    if email and (EMAIL in delivers or logs):
        return EMAIL, email
    if WECHAT in delivers or logs:
        return WECHAT, phone
    return None


class OutboxWorker:
    """Sends the outbox's due messages and writes reminders, in a thread or one pass at a time.

    Parameters
    ----------
    session_factory
        Sessions of the service's database.
    senders
        The configured senders (:func:`api.senders.make_senders`).
    interval
        Seconds between passes of the thread.
    max_attempts, backoff
        Attempts before ``failed``; the first wait after a failure, doubled each time.
    lease_seconds
        How long a claimed row is this worker's (:func:`lease_for`).
    clock
        The present (tests move it).
    """

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        senders: Sequence[Sender],
        *,
        interval: float = 5.0,
        max_attempts: int = 6,
        backoff: float = 30.0,
        lease_seconds: float = 60.0,
        clock: Callable[[], dt.datetime] = utcnow,
        public_url: str = "",
    ) -> None:
        self.session_factory = session_factory
        self.public_url = public_url
        self.senders = list(senders) or [LogSender()]
        self.interval = interval
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def channels(self) -> frozenset[str] | None:
        """The channels some sender delivers (None: every one, the log sender is there)."""
        if any(s.channels is None for s in self.senders):
            return None
        return frozenset(c for s in self.senders for c in (s.channels or ()))

    def sender_for(self, channel: str) -> Sender | None:
        """The sender of a channel: a real one before the log."""
        for sender in self.senders:
            if sender.channels is not None and channel in sender.channels:
                return sender
        return next((s for s in self.senders if s.channels is None), None)

    # -- reminders ---------------------------------------------------------------------

    def enqueue_reminders(self, now: dt.datetime | None = None) -> int:
        """Write the reminders of tomorrow's proposals (Asia/Shanghai) not yet written.

        Parameters
        ----------
        now
            The present (default the clock); before :data:`REMINDER_HOUR`
            o'clock in Shanghai nothing is written.

        Returns
        -------
        int
            How many new reminders.
        """
        local = (now or self.clock()).astimezone(SHANGHAI)
        if local.hour < REMINDER_HOUR:
            return 0
        tomorrow = local.date() + dt.timedelta(days=1)
        added = 0
        with self.session_factory.begin() as session:
            for proposal, volunteer, need in reminder_candidates(session, tomorrow):
                target = channel_for(
                    self.senders, str(volunteer.get("email") or ""), str(volunteer.get("phone", ""))
                )
                key = f"reminder:{proposal.id}:{tomorrow.isoformat()}"
                if target is None or message_by_key(session, key) is not None:
                    continue
                subject, body = reminder_notice(
                    volunteer_name=str(volunteer.get("name") or proposal.volunteer_id),
                    need_title=str(need.get("title") or proposal.need_id),
                    date=proposal.date,
                    start=proposal.start,
                    end=proposal.end,
                    place=str(need.get("location") or need.get("area") or ""),
                    role=proposal.role,
                    link=self._link(session, proposal),
                )
                message = enqueue(
                    session,
                    key,
                    "reminder",
                    target[0],
                    target[1],
                    subject,
                    body,
                    dataset_id=proposal.dataset_id,
                    proposal_id=proposal.id,
                )
                added += message is not None
        return added

    def _link(self, session: Session, proposal: Proposal) -> str:
        """A fresh personal link for a reminder (tokens are stored hashed); "" without a URL."""
        if not self.public_url or proposal.dataset_id is None:
            return ""
        _made, token = issue_personal_link(
            session, proposal.dataset_id, proposal.volunteer_id, None
        )
        return f"{self.public_url}/me/{token}"

    # -- delivery ----------------------------------------------------------------------

    def _record(self, write: Callable[[Session], object], message_id: int, end: str) -> None:
        """Write the end of an attempt, trying again a few times when the database is busy."""
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                with self.session_factory.begin() as session:
                    write(session)
                return
            except Exception:
                if attempt == RECORD_TRIES:
                    log.exception(
                        "outbox: %s of message %s not recorded; its lease will run out",
                        end,
                        message_id,
                    )
                    return
                time.sleep(0.2 * attempt)

    def deliver_one(self, message_id: int) -> str | None:
        """Claim, send and record one message.

        Returns
        -------
        str or None
            ``sent``, ``pending`` (to retry), ``failed``, or None when another
            worker had it or it was no longer due.
        """
        with self.session_factory.begin() as session:
            row = claim(session, message_id, self.clock(), self.lease_seconds)
            if row is None:
                return None
            attempt = row.attempts
            outgoing = Outgoing(row.id, row.key, row.channel, row.recipient, row.subject, row.body)
        sender = self.sender_for(outgoing.channel)
        try:
            if sender is None:
                raise SendError(f"no sender: {outgoing.channel}")
            sender.send(outgoing)
        except Exception as exc:
            permanent = isinstance(exc, SendError) and exc.permanent
            error = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
            log.warning("outbox message %s attempt %s failed: %s", message_id, attempt, error)
            outcome: list[str | None] = [None]

            def failed(session: Session) -> None:
                outcome[0] = mark_failed_attempt(
                    session,
                    message_id,
                    attempt,
                    error,
                    self.clock(),
                    self.max_attempts,
                    self.backoff,
                    permanent,
                )

            self._record(failed, message_id, "failure")
            return outcome[0]
        sent_at = self.clock()
        self._record(
            lambda session: mark_sent(session, message_id, attempt, sent_at),
            message_id,
            "delivery",
        )
        log.info("outbox message %s sent by %s", message_id, sender.name)
        return "sent"

    def deliver(self, now: dt.datetime | None = None) -> dict[str, int]:
        """One delivery pass over the messages due; stops early when the worker is stopping.

        Returns
        -------
        dict
            How many messages ended ``sent``, ``pending`` and ``failed`` in this pass.
        """
        counts = {"sent": 0, "pending": 0, "failed": 0}
        with self.session_factory() as session:
            ids = due_ids(session, now or self.clock(), self.channels, BATCH)
        for message_id in ids:
            if self._stop.is_set():
                break
            outcome = self.deliver_one(message_id)
            if outcome in counts:
                counts[outcome] += 1
        return counts

    def run_pass(self, now: dt.datetime | None = None) -> dict[str, int]:
        """Reminders, then delivery: what the thread does every ``interval`` seconds."""
        reminders = self.enqueue_reminders(now)
        return {"reminders": reminders, **self.deliver(now)}

    # -- the thread --------------------------------------------------------------------

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_pass()
            except Exception:  # a busy or unreachable database: try again next pass
                log.exception("outbox: pass failed")
            stop.wait(self.interval)

    def start(self) -> None:
        """Start the thread (a first pass at once: messages written while down go out)."""
        if self._thread is not None or self.interval <= 0:
            return
        # a new event: a thread abandoned mid-send by an earlier stop still sees its own, set
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="outbox-worker", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float | None = None) -> bool:
        """Take no new message; wait up to ``timeout`` seconds for a send in flight.

        Returns
        -------
        bool
            True when the thread ended; False when a send still runs (its row
            keeps its lease, and the thread records the send when it returns).
        """
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            log.warning("outbox: a send still runs after %s s; its lease keeps it", timeout)
            return False
        return True


def outbox_worker(session_factory: sessionmaker[Session], settings: Settings) -> OutboxWorker:
    """The worker of a service, configured from its settings (not started).

    Raises
    ------
    ValueError
        A sender named in ``MATCHER_SENDER`` lacks its address.
    """
    return OutboxWorker(
        session_factory,
        make_senders(settings),
        interval=settings.outbox_interval,
        max_attempts=settings.outbox_attempts,
        backoff=settings.outbox_backoff,
        lease_seconds=lease_for(settings.send_timeout),
        public_url=settings.public_url,
    )
