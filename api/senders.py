"""The ways a message leaves the outbox: the log, e-mail (SMTP), a WeChat Work group robot.

Each sender delivers the channels it names (``email``, ``wechat``; the log
sender every channel) and either returns (delivered) or raises
:class:`SendError` (``permanent`` when trying again cannot help).  A sender
is called outside any database transaction and must give up within its
``timeout``: the worker's lease on the row is longer than that, so no
second worker takes a message while a send of it may still be under way.

- :class:`LogSender` (the default) writes the message to the server's log,
  so ``make run`` needs no mail server.
- :class:`SmtpSender` sends UTF-8 mail with ``smtplib``; its ``Message-ID``
  is derived from the outbox key, so a mail client (or the receiving server)
  can tell a repeated message from a new one.
- :class:`WebhookSender` posts to a WeChat Work group robot (企业微信群机器人):
  ``{"msgtype": "text", "text": {"content": ..., "mentioned_mobile_list":
  [phone]}}``; only an answer with ``errcode`` 0 is a success.

Which senders run is :attr:`api.settings.Settings.senders` (``MATCHER_SENDER``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate
from typing import Protocol

from api.settings import Settings
from matcher.i18n import _

log = logging.getLogger(__name__)

EMAIL = "email"
WECHAT = "wechat"
CHANNELS = (EMAIL, WECHAT)
"""The channels a message may be written for (``outbox.channel``)."""

WECHAT_LIMIT_BYTES = 2048
"""The most UTF-8 bytes a group robot's text message may hold."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outgoing:
    """One message as a sender sees it: plain values, no database row."""

    id: int
    key: str
    channel: str
    recipient: str
    subject: str
    body: str


class SendError(Exception):
    """A send that did not deliver; ``permanent`` when another attempt cannot help."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Sender(Protocol):
    """Delivers messages of its channels (None: every channel)."""

    name: str
    channels: frozenset[str] | None

    def send(self, message: Outgoing) -> None:
        """Deliver ``message`` or raise :class:`SendError`."""
        ...


class LogSender:
    """Writes each message to the log: nothing leaves the server."""

    name = "log"
    channels: frozenset[str] | None = None

    def send(self, message: Outgoing) -> None:
        """Log the message (always a success)."""
        log.info(
            "outbox message %s (%s) to %s by %s:\n%s\n%s",
            message.id,
            message.key,
            message.recipient or "-",
            message.channel,
            message.subject,
            message.body,
        )


def message_id(key: str, domain: str = "matcher.local") -> str:
    """A ``Message-ID`` that depends only on the outbox key: every attempt has the same one."""
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<outbox.{digest}@{domain}>"


def utf8_cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


class SmtpSender:
    """E-mail through an SMTP server (``smtplib``), UTF-8, with a stable ``Message-ID``."""

    name = "smtp"
    channels: frozenset[str] | None = frozenset({EMAIL})

    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "",
        user: str = "",
        password: str = "",
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender or "matcher@localhost"
        self.user = user
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    def email(self, message: Outgoing) -> EmailMessage:
        """The mail of ``message``: UTF-8 subject and body, ``Message-ID`` from its key."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(localtime=False)
        domain = self.sender.rpartition("@")[2].strip(">") or "matcher.local"
        mail["Message-ID"] = message_id(message.key, domain)
        mail.set_content(message.body, charset="utf-8")
        return mail

    def send(self, message: Outgoing) -> None:
        """Send the mail; a 5xx refusal of the recipient or content is permanent."""
        if not message.recipient or "@" not in message.recipient:
            raise SendError(f"no e-mail address: {message.recipient!r}", permanent=True)
        mail = self.email(message)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise SendError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPDataError as exc:
            raise SendError(f"message refused: {exc}", permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}") from exc


class WebhookSender:
    """A WeChat Work group robot (企业微信群机器人): a text message mentioning the volunteer."""

    name = "webhook"
    channels: frozenset[str] | None = frozenset({WECHAT})

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def payload(self, message: Outgoing) -> dict[str, object]:
        """The robot's JSON: subject and body as one text, within 2,048 bytes."""
        content = f"{message.subject}\n{message.body}" if message.subject else message.body
        text: dict[str, object] = {"content": utf8_cut(content, WECHAT_LIMIT_BYTES)}
        if message.recipient:
            text["mentioned_mobile_list"] = [message.recipient]
        return {"msgtype": "text", "text": text}

    def send(self, message: Outgoing) -> None:
        """POST the message; anything but an answer with ``errcode`` 0 is a failure to retry."""
        data = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=data,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read(65536)
        except urllib.error.HTTPError as exc:
            raise SendError(f"HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        try:
            answer = json.loads(raw)
        except ValueError as exc:
            raise SendError(f"not JSON: {raw[:200]!r}") from exc
        errcode = answer.get("errcode") if isinstance(answer, dict) else None
        if errcode != 0:
            detail = answer.get("errmsg", "") if isinstance(answer, dict) else ""
            raise SendError(f"errcode {errcode}: {detail}")


def make_senders(settings: Settings) -> list[Sender]:
    """The senders ``settings.senders`` names, configured from the settings.

    Raises
    ------
    ValueError
        A sender that lacks its address (``MATCHER_SMTP_HOST``, ``MATCHER_WEBHOOK_URL``).
    """
    senders: list[Sender] = []
    for name in settings.senders:
        if name == "log":
            senders.append(LogSender())
        elif name == "smtp":
            if not settings.smtp_host:
                raise ValueError(_("{setting} is needed").format(setting="MATCHER_SMTP_HOST"))
            senders.append(
                SmtpSender(
                    settings.smtp_host,
                    settings.smtp_port,
                    settings.smtp_from,
                    settings.smtp_user,
                    settings.smtp_password,
                    settings.smtp_starttls,
                    settings.send_timeout,
                )
            )
        elif name == "webhook":
            if not settings.webhook_url:
                raise ValueError(_("{setting} is needed").format(setting="MATCHER_WEBHOOK_URL"))
            senders.append(WebhookSender(settings.webhook_url, settings.send_timeout))
    return senders
