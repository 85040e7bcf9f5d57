"""Settings of the service, read from the environment.

``DATABASE_URL``
    SQLAlchemy URL of the database; default an SQLite file
    ``./data/matcher.db`` (the ``data`` folder is git-ignored).  PostgreSQL:
    ``postgresql+psycopg://user@host:5432/dbname``.
``MATCHER_MAX_UPLOAD_MB``
    Largest request body accepted, in MiB (default 20); larger ones get 413.
``MATCHER_SOLVE_WORKERS``
    Solve jobs run at once, each in its own process (default 1); more jobs queue.
``MATCHER_MAX_ROWS``, ``MATCHER_MAX_CELLS``, ``MATCHER_MAX_PARSE_SECONDS``,
``MATCHER_MAX_UNPACKED_MB``
    The most rows of one sheet or CSV file, cells of a whole upload, seconds
    of reading an upload and MiB a workbook may unzip to (defaults 20,000,
    400,000, 10 and 100, :data:`matcher.io.DEFAULT_READ_LIMITS`); past any of
    them the upload is answered 413 at once, naming the limit.  A small
    compressed workbook can hold a great many rows or one enormous cell, so
    the byte limit alone does not bound the work.

Messages to volunteers (:mod:`api.outbox`, :mod:`api.senders`):

``MATCHER_SENDER``
    How messages leave: ``log`` (default: written to the server's log, so
    ``make run`` needs nothing), ``smtp`` (e-mail), ``webhook`` (a WeChat Work
    group robot, 企业微信群机器人), or several separated by commas
    (``smtp,webhook``): e-mail goes by SMTP, group messages by the webhook.
``MATCHER_SMTP_HOST``, ``MATCHER_SMTP_PORT`` (default 25), ``MATCHER_SMTP_USER``,
``MATCHER_SMTP_PASSWORD``, ``MATCHER_SMTP_FROM``, ``MATCHER_SMTP_STARTTLS``
    The SMTP server (``smtplib``); a user logs in only when set; STARTTLS
    when ``MATCHER_SMTP_STARTTLS=1`` (default off).
``MATCHER_WEBHOOK_URL``
    The robot's address, ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...``.
``MATCHER_PUBLIC_URL``
    The service's address as volunteers' phones reach it, for the links in messages.
``MATCHER_SEND_TIMEOUT``
    Seconds one send may take (default 10); a slower server counts as a failure.
``MATCHER_OUTBOX_INTERVAL``
    Seconds between two passes of the delivery worker (default 5; 0 turns it off).
``MATCHER_OUTBOX_ATTEMPTS``, ``MATCHER_OUTBOX_BACKOFF``
    Attempts before a message is ``failed`` (default 6) and the first wait in
    seconds after a failure (default 30), doubled after each further one.
``MATCHER_LEDGER_RULES``
    A TOML file of the participation ledger's points rules (docs/ledger.md);
    default the rules shipped with the package.  Read at start: a bad file
    stops the service with its message.
"""

from __future__ import annotations

import dataclasses
import os

from matcher.i18n import _
from matcher.io import DEFAULT_READ_LIMITS, ReadLimits

DEFAULT_DATABASE_URL = "sqlite:///./data/matcher.db"
DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_SOLVE_WORKERS = 1
SENDERS = ("log", "smtp", "webhook")
"""The senders ``MATCHER_SENDER`` may name."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """What the service needs to start."""

    database_url: str = DEFAULT_DATABASE_URL
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    solve_workers: int = DEFAULT_SOLVE_WORKERS
    read_limits: ReadLimits = DEFAULT_READ_LIMITS
    senders: tuple[str, ...] = ("log",)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = dataclasses.field(default="", repr=False)
    smtp_from: str = ""
    smtp_starttls: bool = False
    webhook_url: str = dataclasses.field(default="", repr=False)  # its key is a secret
    public_url: str = "http://127.0.0.1:8000"
    send_timeout: float = 10.0
    outbox_interval: float = 5.0
    outbox_attempts: int = 6
    outbox_backoff: float = 30.0
    ledger_rules: str = ""

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; keyword arguments that are not None win."""
        megabytes = float(os.environ.get("MATCHER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
        values: dict[str, object] = {
            "database_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            "max_upload_bytes": int(megabytes * 1024 * 1024),
            "solve_workers": max(
                1, int(os.environ.get("MATCHER_SOLVE_WORKERS", DEFAULT_SOLVE_WORKERS))
            ),
        }
        limits = DEFAULT_READ_LIMITS
        values["read_limits"] = ReadLimits(
            max_rows_per_sheet=int(os.environ.get("MATCHER_MAX_ROWS", limits.max_rows_per_sheet)),
            max_cells=int(os.environ.get("MATCHER_MAX_CELLS", limits.max_cells)),
            max_seconds=float(os.environ.get("MATCHER_MAX_PARSE_SECONDS", limits.max_seconds)),
            max_unpacked_bytes=int(
                float(os.environ.get("MATCHER_MAX_UNPACKED_MB", 100)) * 1024 * 1024
            ),
        )
        env = os.environ.get
        senders = tuple(
            name.strip().lower()
            for name in (env("MATCHER_SENDER") or "log").split(",")
            if name.strip()
        )
        unknown = [name for name in senders if name not in SENDERS]
        if unknown:
            raise ValueError(
                _("MATCHER_SENDER: unknown sender {name}; use one of {known}").format(
                    name=unknown[0], known=", ".join(SENDERS)
                )
            )
        values.update(
            senders=senders or ("log",),
            smtp_host=env("MATCHER_SMTP_HOST", ""),
            smtp_port=int(env("MATCHER_SMTP_PORT") or 25),
            smtp_user=env("MATCHER_SMTP_USER", ""),
            smtp_password=env("MATCHER_SMTP_PASSWORD", ""),
            smtp_from=env("MATCHER_SMTP_FROM", ""),
            smtp_starttls=_flag(env("MATCHER_SMTP_STARTTLS")),
            ledger_rules=env("MATCHER_LEDGER_RULES", ""),
            webhook_url=env("MATCHER_WEBHOOK_URL", ""),
            public_url=(env("MATCHER_PUBLIC_URL") or "http://127.0.0.1:8000").rstrip("/"),
            send_timeout=float(env("MATCHER_SEND_TIMEOUT") or 10),
            outbox_interval=float(env("MATCHER_OUTBOX_INTERVAL") or 5),
            outbox_attempts=max(1, int(env("MATCHER_OUTBOX_ATTEMPTS") or 6)),
            outbox_backoff=float(env("MATCHER_OUTBOX_BACKOFF") or 30),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
