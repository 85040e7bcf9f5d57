"""The roster as group-chat text: one text per service day and one message per volunteer.

Plain UTF-8 text, no markdown (WeChat shows ``**`` and ``#`` as they are).
A day's text has one line per need, as coordinators write it::

    【9月19日 周六】义务理发 09:00-11:30 社区党群服务中心：带队 邓雯玲（199-0000-0005）、队员 马莹静

An unstaffed need says how many are still wanted, so the text also recruits.
Households' addresses never go into the group text (a group is wider than
the team); each volunteer's own message carries the address of a household
they serve, and a lead's message the phones of the team.

Length: a message longer than :data:`MESSAGE_LIMIT_BYTES` is split at line
boundaries into numbered parts (``（第 1/2 条）``).  2048 bytes of UTF-8 is
the strictest limit WeChat documents for a text message (WeCom group robots
and official-account customer-service text); the personal app's own limit
is not documented and is larger, so a part fits wherever it is posted,
by hand or by a robot.  A Chinese character is 3 bytes: about 680 per part.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from matcher.domain import Assignment, AssignmentRole, Problem, Role
from matcher.i18n import _
from matcher.io.roster_view import (
    Member,
    PersonalData,
    Team,
    day_label,
    headcount,
    personal_data,
    span_text,
    teams_by_day,
    untimed_label,
)

__all__ = [
    "MESSAGE_LIMIT_BYTES",
    "day_texts",
    "split_message",
    "text_file",
    "volunteer_messages",
]

MESSAGE_LIMIT_BYTES = 2048
"""Most UTF-8 bytes of one chat message (see the module notes)."""

CALL_OFF = "如不能按时参加，请尽早告知带队人或协调人。"
"""The closing line: 志愿服务条例 art. 22 asks a volunteer who cannot serve to say so in time."""

_NUMBERING = "（第 {index}/{count} 条）"


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(line: str, room: int) -> list[str]:
    """A line in pieces of at most ``room`` bytes (only a line too long for one message)."""
    if _size(line) <= room:
        return [line]
    pieces: list[str] = []
    piece, used = "", 0
    for char in line:
        size = _size(char)
        if used + size > room:
            pieces.append(piece)
            piece, used = "", 0
        piece += char
        used += size
    return [*pieces, piece]


def split_message(title: str, lines: Sequence[str], limit: int = MESSAGE_LIMIT_BYTES) -> list[str]:
    """``title`` and ``lines`` as messages of at most ``limit`` UTF-8 bytes each.

    Lines stay whole (a line too long for any message is cut); when more than
    one message is needed, each starts with the title numbered ``（第 1/2 条）``.

    Parameters
    ----------
    title
        The first line of every message.
    lines
        The lines, in order.
    limit
        Most bytes of one message.

    Returns
    -------
    list of str
        The messages, without a final newline.

    Raises
    ------
    ValueError
        When ``limit`` leaves no room after the title.
    """
    whole = "\n".join([title, *lines])
    if _size(whole) <= limit:
        return [whole]
    # the numbered title of the longest kind, plus its newline
    room = limit - _size(title + _NUMBERING.format(index=999, count=999) + "\n")
    if room < 16:
        raise ValueError(
            _("a message limit of {limit} bytes leaves no room after {title!r}").format(
                limit=limit, title=title
            )
        )
    chunks: list[list[str]] = [[]]
    used = 0
    for line in lines:
        for piece in _cut(line, room):
            size = _size(piece) + 1  # and its newline
            if chunks[-1] and used + size > room + 1:  # the last line has no newline
                chunks.append([])
                used = 0
            chunks[-1].append(piece)
            used += size
    count = len(chunks)
    return [
        "\n".join([title + _NUMBERING.format(index=index, count=count), *chunk])
        for index, chunk in enumerate(chunks, start=1)
    ]


def _named(member: Member, with_phone: bool) -> str:
    phone = f"（{member.phone}）" if with_phone and member.phone else ""
    return f"{member.volunteer.name}{phone}"


def _team_line(label: str, team: Team) -> str:
    """``【9月19日 周六】义务理发 09:00-11:30 社区党群服务中心：带队 张三（电话）、队员 李四``."""
    # an untimed need's label already says 时间自定
    when = team.time if team.date is not None else ""
    head = " ".join(part for part in (f"【{label}】{team.need.title}", when, team.place) if part)
    if not team.members:
        wanted = headcount(team.need.min_volunteers, team.need.max_volunteers)
        return f"{head}：暂缺，需 {wanted} 人"
    parts = []
    if team.leads:
        parts.append("带队 " + "、".join(_named(m, True) for m in team.leads))
    if team.others:
        parts.append("队员 " + "、".join(_named(m, False) for m in team.others))
    return f"{head}：" + "、".join(parts)


def day_texts(
    problem: Problem,
    assignments: Iterable[Assignment],
    *,
    personal: bool = True,
    masks: PersonalData | None = None,
    limit: int = MESSAGE_LIMIT_BYTES,
) -> dict[dt.date | None, list[str]]:
    """The group-chat text of each day with needs, as messages within ``limit`` bytes.

    Parameters
    ----------
    problem
        The problem solved.
    assignments
        The roster.
    personal
        True to show leads' phones as stored; False to show them through
        ``masks`` (or not at all without masks).
    masks
        How to mask phones for ``personal=False``.
    limit
        Most UTF-8 bytes of one message.

    Returns
    -------
    dict
        Date (``None`` for needs done at any time) to the day's messages, dates in order.
    """
    shown = personal_data(personal, masks)
    texts = {}
    for day, teams in teams_by_day(problem, assignments, shown).items():
        label = day_label(problem, day) if day else untimed_label(problem)
        title = f"【{label}】志愿服务安排（共 {len(teams)} 项）"
        lines = [_team_line(label, team) for team in teams] + [CALL_OFF]
        texts[day] = split_message(title, lines, limit)
    return texts


def _greeting(member: Member) -> str:
    role = member.volunteer.role
    if role == Role.STUDENT:
        return f"{member.volunteer.name}同学："
    if role in (Role.TEACHER, Role.STAFF):
        return f"{member.volunteer.name}老师："
    return f"{member.volunteer.name}您好："


def _duty_line(number: int, label: str, team: Team, member: Member) -> str:
    """One assignment in a volunteer's message: when, what, where, role, whom to call."""
    when = span_text(member.start, member.end) if member.start is not None else team.time
    contact = f"住户电话 {team.contact}" if team.contact else ""
    where = "，".join(part for part in (team.place, team.address, contact) if part)
    line = f"{number}. {label} {when} {team.need.title}，{where}，{member.role_zh}"
    mates = [m for m in team.members if m.volunteer.id != member.volunteer.id]
    if member.role == AssignmentRole.LEAD and mates:
        # the lead calls the team on the day: every member's phone
        return line + "；队员 " + "、".join(_named(m, True) for m in mates)
    leads = [m for m in team.leads if m.volunteer.id != member.volunteer.id]
    if leads:
        return line + "；带队 " + "、".join(_named(m, True) for m in leads)
    return line


def volunteer_messages(
    problem: Problem,
    assignments: Iterable[Assignment],
    *,
    personal: bool = True,
    masks: PersonalData | None = None,
    limit: int = MESSAGE_LIMIT_BYTES,
) -> dict[str, list[str]]:
    """A private message for each volunteer on the roster with their own assignments.

    Parameters
    ----------
    problem, assignments, personal, masks, limit
        As for :func:`day_texts`; with ``personal`` the message also carries
        the address of a household served.

    Returns
    -------
    dict
        Volunteer id to the volunteer's messages (one unless very long), in
        the order of the problem's volunteers.
    """
    shown = personal_data(personal, masks)
    duties: dict[str, list[tuple[str, Team, Member]]] = defaultdict(list)
    for day, teams in teams_by_day(problem, assignments, shown).items():
        label = day_label(problem, day) if day else untimed_label(problem)
        for team in teams:
            for member in team.members:
                duties[member.volunteer.id].append((label, team, member))
    messages = {}
    for volunteer in problem.volunteers:
        mine = duties.get(volunteer.id)
        if not mine:
            continue
        title = _greeting(mine[0][2]) + f"本期志愿服务安排如下（共 {len(mine)} 项）："
        lines = [_duty_line(i, *duty) for i, duty in enumerate(mine, start=1)]
        messages[volunteer.id] = split_message(title, [*lines, CALL_OFF, "谢谢！"], limit)
    return messages


def text_file(messages: Iterable[str]) -> bytes:
    """Messages as one UTF-8 text file, a blank line between messages (no line in a message
    is blank, so the blank lines show where to cut)."""
    return ("\n\n".join(messages) + "\n").encode("utf-8")
