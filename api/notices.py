"""The texts of messages to volunteers: the proposal, the day-before reminder, a change notice.

Plain functions of plain values returning ``(subject, body)``, in the
language in force (Chinese unless English is asked for, :mod:`matcher.i18n`).
Plain UTF-8 text without markdown (WeChat shows ``**`` as it is), short
lines, and never longer than :data:`LIMIT_BYTES` (the strictest WeChat
limit, a group robot's text, holds subject and body together).  A volunteer
may decline (志愿服务条例 art. 25) and should say so in time (art. 22), so
each message that asks for an answer says how to give it.

Times are the roster's: minutes after midnight in Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt

from matcher.i18n import N_, _

LIMIT_BYTES = 2048
"""Most UTF-8 bytes of subject and body together (a WeChat Work robot's text message)."""

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
ROLES = {"lead": N_("team lead"), "member": N_("team member")}
CHANGES = ("cancelled", "replaced", "time_changed")
"""The changes :func:`change_notice` tells of."""


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def when_text(date: dt.date | None, start: int | None, end: int | None) -> str:
    """``9月19日（周六）09:00-11:30``; an untimed need says the volunteer chooses the time."""
    if date is None:
        return _("at a time you choose")
    day = _("{month}/{day} ({weekday})").format(
        month=date.month, day=date.day, weekday=_(WEEKDAYS[date.weekday()])
    )
    if start is None or end is None:
        return day
    return f"{day} {_clock(start)}-{_clock(end)}"


def role_text(role: str) -> str:
    """``lead`` or ``member`` as the reader reads it (anything else as it is)."""
    return _(ROLES[role]) if role in ROLES else role


def _details(
    need_title: str, date: dt.date | None, start: int | None, end: int | None, place: str, role: str
) -> list[str]:
    return [
        _("Service: {title}").format(title=need_title),
        _("Time: {when}").format(when=when_text(date, start, end)),
        _("Place: {place}").format(place=place) if place else "",
        _("Your role: {role}").format(role=role_text(role)),
    ]


def _within(subject: str, head: list[str], details: list[str], tail: list[str]) -> tuple[str, str]:
    """Join the lines; when too long, the service line (a free text) is shortened first."""
    lines = [line for line in [*head, *details, *tail] if line]
    body = "\n".join(lines)
    excess = len(f"{subject}\n{body}".encode()) - LIMIT_BYTES
    if excess <= 0:
        return subject, body
    long_line = max(lines, key=lambda line: len(line.encode("utf-8")))
    data = long_line.encode("utf-8")
    short = data[: max(0, len(data) - excess - 3)].decode("utf-8", "ignore") + "…"
    body = "\n".join(short if line is long_line else line for line in lines)
    return subject, body


def proposal_notice(
    *,
    volunteer_name: str,
    need_title: str,
    date: dt.date | None,
    start: int | None,
    end: int | None,
    place: str,
    role: str,
    link: str,
) -> tuple[str, str]:
    """The message that offers an assignment and asks the volunteer to confirm or decline.

    Parameters
    ----------
    volunteer_name
        Whom the message greets.
    need_title, place
        The need's title and where it happens (empty: not said).
    date, start, end
        When: a date and minutes after midnight; None for a need done at any time.
    role
        ``lead`` or ``member``.
    link
        The volunteer's personal link, where they confirm or decline.

    Returns
    -------
    tuple of str
        Subject and body.
    """
    subject = _("Volunteer service on {when}: please confirm").format(
        when=when_text(date, start, end)
    )
    head = [_("Hello {name},").format(name=volunteer_name), _("you are invited to serve:")]
    tail = [
        _("Please confirm or decline here: {link}").format(link=link),
        _("Serving is voluntary; if you cannot come, please decline in time."),
    ]
    return _within(subject, head, _details(need_title, date, start, end, place, role), tail)


def reminder_notice(
    *,
    volunteer_name: str,
    need_title: str,
    date: dt.date | None,
    start: int | None,
    end: int | None,
    place: str,
    role: str,
    link: str = "",
) -> tuple[str, str]:
    """The reminder the day before: what, when, where, and how to call off.

    Parameters
    ----------
    volunteer_name, need_title, date, start, end, place, role
        As for :func:`proposal_notice`.
    link
        The personal link, when known (empty: the message says to tell the coordinator).

    Returns
    -------
    tuple of str
        Subject and body.
    """
    subject = _("Reminder: volunteer service tomorrow, {when}").format(
        when=when_text(date, start, end)
    )
    head = [_("Hello {name},").format(name=volunteer_name), _("a reminder of your service:")]
    call_off = (
        _("If you cannot come, please decline here: {link}").format(link=link)
        if link
        else _("If you cannot come, please tell your team lead or coordinator now.")
    )
    return _within(subject, head, _details(need_title, date, start, end, place, role), [call_off])


def change_notice(
    *,
    volunteer_name: str,
    need_title: str,
    change: str,
    date: dt.date | None,
    start: int | None,
    end: int | None,
    place: str = "",
    new_date: dt.date | None = None,
    new_start: int | None = None,
    new_end: int | None = None,
    link: str = "",
) -> tuple[str, str]:
    """A change to an assignment: cancelled, given to someone else, or moved in time.

    Parameters
    ----------
    volunteer_name, need_title, place
        As for :func:`proposal_notice`.
    change
        ``cancelled``, ``replaced`` or ``time_changed`` (:data:`CHANGES`).
    date, start, end
        When it was.
    new_date, new_start, new_end
        When it is now (``time_changed`` only).
    link
        The personal link, to confirm the new time (``time_changed``).

    Returns
    -------
    tuple of str
        Subject and body.

    Raises
    ------
    ValueError
        An unknown ``change``.
    """
    if change not in CHANGES:
        raise ValueError(f"change is one of {CHANGES}, not {change!r}")  # i18n: not shown: a bug
    was = when_text(date, start, end)
    head = [_("Hello {name},").format(name=volunteer_name)]
    tail: list[str] = []
    if change == "cancelled":
        subject = _("Volunteer service on {when} is cancelled").format(when=was)
        head.append(_("this service no longer needs you; thank you all the same:"))
    elif change == "replaced":
        subject = _("Volunteer service on {when}: someone else will go").format(when=was)
        head.append(_("another volunteer now takes your place in this service:"))
    else:
        now = when_text(new_date, new_start, new_end)
        subject = _("Volunteer service moved to {when}").format(when=now)
        head.append(
            _("the time of this service has changed, from {was} to {now}:").format(was=was, now=now)
        )
        tail.append(
            _("Please confirm or decline the new time here: {link}").format(link=link)
            if link
            else _("If you cannot come at the new time, please tell your coordinator.")
        )
        date, start, end = new_date, new_start, new_end
    details = [
        _("Service: {title}").format(title=need_title),
        _("Time: {when}").format(when=when_text(date, start, end)),
        _("Place: {place}").format(place=place) if place else "",
    ]
    return _within(subject, head, details, tail)
