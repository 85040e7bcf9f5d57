"""The roster workbook for people (``roster-book.xlsx``): to read, print and hand out.

``roster.xlsx`` (sheet 排班表) is the roster as data, one row per assignment,
read back by ``matcher check``; it stays as it is.  This workbook is beside
it, for coordinators and team leads, in Chinese, and is never read back:

* 总览 - per day: needs staffed of all, volunteer turns, staffed of all per
  category, and who to call (each team's lead with phone);
* one sheet per service day (``9月19日 周六``, ``9月25日 中秋节``), teams by
  time and place: need, place, time, lead and members with department and
  role (带队/队员), phone, the household's address where one is served, and
  an empty 签到 column to sign in on paper;
* 时间自定 - needs done at any time in the horizon (微心愿), when there are;
* 缺口 - unstaffed and short needs with the solver's reasons;
* 志愿者名单 - every volunteer with department and their assignments.

Every sheet has set column widths, wrapped text, a frozen header row, and
prints on A4 (landscape when wide) fitted to the page width with the header
row repeated on every page.  Cells go through
:func:`matcher.io.spreadsheet.add_sheet` (formula-safe).  Phones and
addresses follow a :class:`~matcher.io.roster_view.PersonalData` policy.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from matcher.domain import Assignment, NeedCategory, Problem
from matcher.io.roster_view import (
    PersonalData,
    Team,
    category_zh,
    day_label,
    headcount,
    personal_data,
    role_zh,
    span_text,
    teams_by_day,
    untimed_label,
)
from matcher.io.spreadsheet import add_sheet, new_workbook, workbook_bytes
from matcher.result import UnmetNeed

__all__ = [
    "GAPS_SHEET",
    "OVERVIEW_SHEET",
    "UNTIMED_SHEET",
    "VOLUNTEERS_SHEET",
    "roster_book",
]

OVERVIEW_SHEET = "总览"
UNTIMED_SHEET = "时间自定"
GAPS_SHEET = "缺口"
VOLUNTEERS_SHEET = "志愿者名单"

LANDSCAPE_FROM = 90
"""Total column width (characters) from which a sheet prints landscape: A4 portrait
holds about 90 at the default margins."""

DAY_COLUMNS: tuple[tuple[str, int], ...] = (
    ("时间", 12),
    ("地点", 16),
    ("需求", 24),
    ("类别", 10),
    ("角色", 6),
    ("姓名", 10),
    ("学院", 16),
    ("电话", 15),
    ("住户地址", 16),
    ("住户电话", 14),
    ("需求编号", 9),
    ("签到", 8),
)
GAP_COLUMNS: tuple[tuple[str, int], ...] = (
    ("日期", 14),
    ("时间", 12),
    ("地点", 16),
    ("需求", 24),
    ("类别", 10),
    ("优先级", 7),
    ("需要人数", 9),
    ("已安排", 7),
    ("情况", 16),
    ("原因", 48),
    ("可联系", 40),
    ("需求编号", 9),
)
VOLUNTEER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("姓名", 10),
    ("学院", 16),
    ("身份", 6),
    ("电话", 15),
    ("任务数", 7),
    ("时长（小时）", 8),
    ("安排", 60),
    ("编号", 9),
)


def _escape_header(text: str) -> str:
    """Text for a print header: ``&`` starts a code there, so it is doubled."""
    return text.replace("&", "&&")


def _lay_out(sheet: Worksheet, widths: Sequence[int], title: str) -> None:
    """Widths, wrapped text and print setup of a sheet whose header is row 1 (already frozen)."""
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = wrap
    setup = sheet.page_setup
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.orientation = (
        sheet.ORIENTATION_LANDSCAPE if sum(widths) >= LANDSCAPE_FROM else sheet.ORIENTATION_PORTRAIT
    )
    # fit all columns on the page width; as many pages down as the rows need
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True  # a printed table without lines is hard to follow
    sheet.oddHeader.center.text = _escape_header(title)
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def _sheet_name(book: Workbook, label: str) -> str:
    """``label`` as a sheet name Excel accepts, unique in the book.

    A festival's name is the coordinator's text: Excel refuses ``[]:*?/\\`` in
    a sheet name, more than 31 characters and a quote at either end.
    """
    name = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31] or "-"
    taken = {title.casefold() for title in book.sheetnames}
    number = 1
    candidate = name
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: 31 - len(suffix)] + suffix
    return candidate


def _sheet(
    book: Workbook,
    name: str,
    columns: Sequence[tuple[str, int]],
    rows: Iterable[Sequence[Any]],
    title: str,
) -> Worksheet:
    name = _sheet_name(book, name)
    sheet = add_sheet(book, name, [header for header, _ in columns], rows)
    _lay_out(sheet, [width for _, width in columns], title)
    return sheet


def _day_row(team: Team, time: str, role: str, name: str, department: str, phone: str) -> list[Any]:
    """The cells of one row of a day's sheet (:data:`DAY_COLUMNS`)."""
    need = team.need
    sign_in = ""  # signed on paper on the day
    return [
        time,
        team.place,
        need.title,
        category_zh(need.category),
        role,
        name,
        department,
        phone,
        team.address,
        team.contact,
        need.id,
        sign_in,
    ]


def _day_rows(teams: Sequence[Team]) -> list[list[Any]]:
    """One row per volunteer, leads first; an unstaffed need gets one row pointing to 缺口."""
    rows: list[list[Any]] = []
    for team in teams:
        if not team.members:
            rows.append(_day_row(team, team.time, "", f"未安排（见「{GAPS_SHEET}」表）", "", ""))
        for member in team.members:
            volunteer = member.volunteer
            # a flexible need's member may start at their own time
            time = span_text(member.start, member.end) if member.start is not None else team.time
            rows.append(
                _day_row(
                    team, time, member.role_zh, volunteer.name, volunteer.department, member.phone
                )
            )
    return rows


def _who_to_call(teams: Sequence[Team]) -> str:
    """One line per team with a lead: ``义务理发：李林宇 199-0000-0002``."""
    lines = []
    for team in teams:
        for lead in team.leads:
            phone = f" {lead.phone}" if lead.phone else ""
            lines.append(f"{team.need.title}：{lead.volunteer.name}{phone}")
    return "\n".join(lines)


def _overview_rows(
    problem: Problem, days: dict[dt.date | None, list[Team]], categories: Sequence[NeedCategory]
) -> list[list[Any]]:
    def figures(label: str, teams: Sequence[Team], call: str) -> list[Any]:
        by_category: dict[NeedCategory, list[Team]] = defaultdict(list)
        for team in teams:
            by_category[team.need.category].append(team)
        staffed = sum(team.staffed for team in teams)
        return [
            label,
            len(teams),
            staffed,
            len(teams) - staffed,
            sum(len(team.members) for team in teams),
            *(
                f"{sum(t.staffed for t in by_category[c])}/{len(by_category[c])}"
                if by_category[c]
                else ""
                for c in categories
            ),
            call,
        ]

    rows = [
        figures(label, teams, _who_to_call(teams))
        for day, teams in days.items()
        for label in [day_label(problem, day) if day else untimed_label(problem)]
    ]
    every = [team for teams in days.values() for team in teams]
    rows.append(figures("合计", every, ""))
    return rows


def _gap_rows(
    problem: Problem, unmet: Sequence[UnmetNeed], teams: dict[str, Team]
) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for gap in sorted(unmet, key=lambda u: (u.staffed, -u.priority, u.need_id)):
        team = teams.get(gap.need_id)
        need = team.need if team else None
        wanted = headcount(gap.min_volunteers, gap.max_volunteers)
        more = gap.max_volunteers - gap.assigned
        state = f"人手不足（可再加 {more} 人）" if gap.staffed else "未安排"
        rows.append(
            [
                (day_label(problem, need.date) if need.date else "时间自定") if need else "",
                team.time if team else "",
                team.place if team else "",
                gap.title,
                category_zh(gap.category),
                gap.priority,
                wanted,
                gap.assigned,
                state,
                "\n".join(reason.message for reason in gap.reasons),
                # the nearest volunteers not on the need: whom to ask, and what stops each
                "\n".join(f"{c.name}（{c.department}）：{c.message}" for c in gap.candidates),
                gap.need_id,
            ]
        )
    if not rows:
        rows.append(["全部需求均已满员", *[""] * (len(GAP_COLUMNS) - 1)])
    return rows


def _volunteer_rows(
    problem: Problem, days: dict[dt.date | None, list[Team]], shown: PersonalData
) -> list[list[Any]]:
    duties: dict[str, list[str]] = defaultdict(list)
    minutes: dict[str, int] = defaultdict(int)
    for day, teams in days.items():
        when = day_label(problem, day) if day else "时间自定"
        for team in teams:
            for member in team.members:
                span = span_text(member.start, member.end) if member.start is not None else ""
                duties[member.volunteer.id].append(
                    " ".join(part for part in (when, span) if part)
                    + f" {team.need.title}（{team.place}，{member.role_zh}）"
                )
                minutes[member.volunteer.id] += team.need.duration
    # those on the roster first, then by department, so a department finds its people together
    volunteers = sorted(problem.volunteers, key=lambda v: (not duties[v.id], v.department, v.id))
    return [
        [
            v.name,
            v.department,
            role_zh(v.role),
            shown.phone(v.phone) if v.phone else "",
            len(duties[v.id]),
            round(minutes[v.id] / 60, 2),
            "\n".join(duties[v.id]) or "本期未安排",
            v.id,
        ]
        for v in volunteers
    ]


def roster_book(
    problem: Problem,
    assignments: Iterable[Assignment],
    unmet: Sequence[UnmetNeed] = (),
    *,
    personal: bool = True,
    masks: PersonalData | None = None,
) -> bytes:
    """The bytes of ``roster-book.xlsx`` (see the module notes for its sheets).

    Parameters
    ----------
    problem
        The problem solved.
    assignments
        The roster.
    unmet
        The result's unmet and short needs with reasons (``Result.unmet``) for
        the 缺口 sheet.
    personal
        True (coordinators) to show phones and addresses as stored.
    masks
        With ``personal=False``: how to mask phones and addresses (the
        service passes its viewer masks); without, they are left out.

    Returns
    -------
    bytes
    """
    shown = personal_data(personal, masks)
    days = teams_by_day(problem, assignments, shown)
    name = problem.name or "志愿服务"
    book = new_workbook()
    categories = [c for c in NeedCategory if any(n.category == c for n in problem.needs)]
    overview_columns = [
        ("日期", 16),
        ("需求", 6),
        ("已安排", 7),
        ("未安排", 7),
        ("人次", 6),
        *((category_zh(c), 8) for c in categories),
        ("带队联系人", 40),
    ]
    _sheet(
        book,
        OVERVIEW_SHEET,
        overview_columns,
        _overview_rows(problem, days, categories),
        f"{name} 排班总览",
    )
    for day, teams in days.items():
        label = day_label(problem, day) if day else UNTIMED_SHEET
        _sheet(book, label, DAY_COLUMNS, _day_rows(teams), f"{name} 排班 {label}")
    teams = {team.need.id: team for day_teams in days.values() for team in day_teams}
    _sheet(book, GAPS_SHEET, GAP_COLUMNS, _gap_rows(problem, unmet, teams), f"{name} 缺口")
    _sheet(
        book,
        VOLUNTEERS_SHEET,
        VOLUNTEER_COLUMNS,
        _volunteer_rows(problem, days, shown),
        f"{name} 志愿者名单",
    )
    return workbook_bytes(book)
