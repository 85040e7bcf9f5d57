"""The ledger's files: CSV tables, one workbook, the department chart, certificates.

``matcher ledger DATASET --out DIR`` writes, as one set (all or none):

==================  ===============================================================
``hours.csv``       hours, points and records per volunteer, department,
                    membership, category and month (long format: ``by``, ``key``)
``points.csv``      every entry with how it was scored (the audit trail)
``stars.csv``       star level, the day each level was reached, hours to the next
``ranking.csv``     points ranking with ties, month streaks, first-timers
``warnings.csv``    members behind the points scheme, their recent record and
                    the next need they fit
``departments.csv`` the department report
``ledger.xlsx``     the same tables with Chinese sheet names and headers
``departments.png`` the department chart (Chinese labels)
``certificates/``   ``<volunteer id>.pdf`` for each certificate asked for
==================  ===============================================================

CSV files keep English column names and codes in every language (scripts
read them); the workbook, the chart and the certificates are for people
and Chinese in every language.  Cells are written through
:mod:`matcher.io.spreadsheet` (no live formulas).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from matcher.domain import Need, NeedCategory, Volunteer
from matcher.io.spreadsheet import add_sheet, csv_bytes, new_workbook, workbook_bytes
from matcher.ledger import Ledger, ScoredEntry
from matcher.ledger.certificate import certificate_pdf, number, zh
from matcher.ledger.chart import department_chart

__all__ = ["CERTIFICATES", "LEDGER_FILES", "Table", "ledger_files", "ledger_tables", "write_files"]

LEDGER_FILES = (
    "hours.csv",
    "points.csv",
    "stars.csv",
    "ranking.csv",
    "warnings.csv",
    "departments.csv",
    "ledger.xlsx",
    "departments.png",
)
"""The files of every run, in the order they are written."""
CERTIFICATES = "certificates"
"""The folder of the certificates, inside the output folder."""


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """One table: its CSV name, its sheet's Chinese name, columns (key, Chinese header), rows."""

    file: str
    sheet: str
    columns: tuple[tuple[str, str], ...]
    rows: tuple[tuple[Any, ...], ...]


def _value(value: Any) -> Any:
    """A cell value: Decimals as int or float, enums as their code, dates as ISO text."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def _rate(value: float) -> float:
    return round(value, 4)


def _table(
    file: str, sheet: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]
) -> Table:
    return Table(file, sheet, tuple(columns), tuple(tuple(_value(v) for v in row) for row in rows))


def _hours_table(ledger: Ledger) -> Table:
    groups: list[tuple[str, Callable[[Any], Any], Callable[[Any], str]]] = [
        ("volunteer", lambda e: e.volunteer_id, lambda k: k),
        ("department", lambda e: e.department, lambda k: k),
        ("membership", lambda e: e.membership, lambda k: zh(k)),
        ("category", lambda e: e.category.value if e.category else "", lambda k: k),
        ("month", lambda e: f"{e.date:%Y-%m}", lambda k: k),
    ]
    from matcher.ledger import totals_by

    names = {s.entry.volunteer_id: s.entry.name for s in ledger.scored}
    categories = {c.value: zh(c) for c in NeedCategory}
    rows = []
    for by, key, label in groups:
        for group, totals in totals_by(list(ledger.scored), key, ledger.period).items():
            code = group.value if hasattr(group, "value") else group
            shown = names.get(code, "") if by == "volunteer" else label(group)
            if by == "category":
                shown = categories.get(code, "")
            rows.append(
                (
                    by,
                    code,
                    shown,
                    totals.hours,
                    totals.points,
                    totals.records,
                    totals.served,
                    totals.no_shows,
                )
            )
    columns = (
        ("by", "统计口径"),
        ("key", "编码"),
        ("label", "名称"),
        ("hours", "服务时长（小时）"),
        ("points", "积分"),
        ("records", "记录数"),
        ("served", "服务次数"),
        ("no_shows", "缺席次数"),
    )
    return _table("hours.csv", "时长统计", columns, rows)


def _points_table(scored: Sequence[ScoredEntry]) -> Table:
    columns = (
        ("volunteer_id", "志愿者编号"),
        ("name", "姓名"),
        ("department", "学院"),
        ("date", "日期"),
        ("need_id", "需求编号"),
        ("category", "类别"),
        ("status", "出勤情况"),
        ("minutes", "服务分钟"),
        ("hours", "计入时长（小时）"),
        ("festival", "节假日"),
        ("hard_to_fill", "难招募"),
        ("rule_version", "规则版本"),
        ("rate", "每小时积分"),
        ("multiplier", "倍数"),
        ("earned", "应得积分"),
        ("capped", "超出每日上限"),
        ("penalty", "扣分"),
        ("points", "积分"),
        ("source", "来源"),
    )
    rows = [
        (
            s.entry.volunteer_id,
            s.entry.name,
            s.entry.department,
            s.entry.date,
            s.entry.need_id or "",
            s.entry.category.value if s.entry.category else "",
            s.entry.status.value,
            s.entry.minutes,
            s.hours,
            s.entry.festival,
            s.entry.hard_to_fill,
            s.rule_version,
            s.rate,
            s.multiplier,
            s.earned,
            s.capped,
            s.penalty,
            s.points,
            s.entry.source,
        )
        for s in scored
    ]
    return _table("points.csv", "积分明细", columns, rows)


def _stars_table(ledger: Ledger) -> Table:
    columns = (
        ("volunteer_id", "志愿者编号"),
        ("name", "姓名"),
        ("department", "学院"),
        ("hours", "累计时长（小时）"),
        ("stars", "星级"),
        *((f"star_{n}_reached", f"{n}星达成日期") for n in range(1, 6)),
        ("hours_to_next", "距下一星（小时）"),
        ("near_next", "接近下一星"),
    )
    rows = [
        (
            s.volunteer_id,
            s.name,
            s.department,
            s.hours,
            s.stars,
            *(s.reached[n] if n < len(s.reached) else None for n in range(5)),
            s.to_next,
            s.near_next,
        )
        for s in ledger.stars
    ]
    return _table("stars.csv", "星级", columns, rows)


def _ranking_table(ledger: Ledger) -> Table:
    columns = (
        ("rank", "名次"),
        ("tied", "并列"),
        ("volunteer_id", "志愿者编号"),
        ("name", "姓名"),
        ("department", "学院"),
        ("points", "积分"),
        ("hours", "服务时长（小时）"),
        ("current_streak_months", "连续服务月数"),
        ("longest_streak_months", "最长连续月数"),
        ("first_service", "首次服务日期（本期新人）"),
    )
    rows = []
    for row in ledger.ranking:
        streak = ledger.streaks.get(row.volunteer_id)
        rows.append(
            (
                row.rank,
                row.tied,
                row.volunteer_id,
                row.name,
                row.department,
                row.points,
                row.hours,
                streak.current if streak else 0,
                streak.longest if streak else 0,
                ledger.first_timers.get(row.volunteer_id),
            )
        )
    return _table("ranking.csv", "积分排行", columns, rows)


def _recent_text(items: Sequence[ScoredEntry], titles: Mapping[str, str]) -> str:
    parts = []
    for s in items:
        need = s.entry.need_id or ""
        title = titles.get(need, zh(s.entry.category))
        parts.append(
            f"{s.entry.date} {need} {title} {zh(s.entry.status)} "
            f"{number(s.hours)}h {number(s.points)}分".replace("  ", " ")
        )
    return "；".join(parts)


def _warnings_table(
    ledger: Ledger, titles: Mapping[str, str], next_needs: Mapping[str, Need]
) -> Table:
    columns = (
        ("volunteer_id", "志愿者编号"),
        ("name", "姓名"),
        ("department", "学院"),
        ("membership", "政治面貌"),
        ("period_start", "预警期开始"),
        ("period_end", "预警期结束"),
        ("points", "本期积分"),
        ("threshold", "预警线"),
        ("shortfall", "差额"),
        ("hours", "本期时长（小时）"),
        ("year_points", "本年积分"),
        ("pass_mark", "年度合格分"),
        ("year_hours", "本年时长（小时）"),
        ("yearly_min_hours", "年度最低时长"),
        ("last_served", "最近服务日期"),
        ("recent", "近期记录"),
        ("next_need", "可参加的下一项需求"),
        ("rule_version", "规则版本"),
    )
    rows = []
    for w in ledger.warnings:
        need = next_needs.get(w.volunteer_id)
        when = f" {need.date}" if need is not None and need.date else ""
        rows.append(
            (
                w.volunteer_id,
                w.name,
                w.department,
                w.membership.value,
                w.period.start,
                w.period.end,
                w.points,
                w.threshold,
                w.shortfall,
                w.hours,
                w.year_points,
                w.pass_mark,
                w.year_hours,
                w.yearly_min_hours,
                w.last_served,
                _recent_text(w.recent, titles),
                f"{need.id} {need.title}{when}" if need is not None else "",
                w.rule_version,
            )
        )
    return _table("warnings.csv", "预警名单", columns, rows)


def _departments_table(ledger: Ledger) -> Table:
    columns = (
        ("department", "学院"),
        ("registered", "注册志愿者"),
        ("active", "参与服务的志愿者"),
        ("hours", "服务时长（小时）"),
        ("points", "积分"),
        ("records", "记录数"),
        ("no_shows", "缺席次数"),
        ("no_show_rate", "缺席率"),
        ("non_party_share", "非党员占比"),
        *((f"needs_{c.value}", f"服务需求数·{zh(c)}") for c in NeedCategory),
    )
    rows = [
        (
            d.department,
            d.registered,
            d.active,
            d.hours,
            d.points,
            d.records,
            d.no_shows,
            _rate(d.no_show_rate),
            _rate(d.non_party_share),
            *(d.needs_by_category.get(c, 0) for c in NeedCategory),
        )
        for d in ledger.departments
    ]
    return _table("departments.csv", "学院报告", columns, rows)


def ledger_tables(
    ledger: Ledger,
    need_titles: Mapping[str, str] | None = None,
    next_needs: Mapping[str, Need] | None = None,
) -> list[Table]:
    """Every table of the ledger's files, in :data:`LEDGER_FILES` order.

    Parameters
    ----------
    ledger
        From :func:`~matcher.ledger.build_ledger`.
    need_titles
        Titles of needs by id, for the warnings' recent records.
    next_needs
        The next need each warned member fits (see
        :func:`matcher.io.ledger.fitting_needs`).
    """
    titles = need_titles or {}
    return [
        _hours_table(ledger),
        _points_table(ledger.in_period()),
        _stars_table(ledger),
        _ranking_table(ledger),
        _warnings_table(ledger, titles, next_needs or {}),
        _departments_table(ledger),
    ]


def ledger_files(
    ledger: Ledger,
    volunteers: Sequence[Volunteer],
    *,
    need_titles: Mapping[str, str] | None = None,
    next_needs: Mapping[str, Need] | None = None,
    certificates: Iterable[str] = (),
    issuer: str = "",
    issued_on: dt.date | None = None,
) -> dict[str, bytes]:
    """Every file of a ledger run by name (``certificates/V001.pdf`` for a certificate).

    Parameters
    ----------
    ledger
        From :func:`~matcher.ledger.build_ledger`.
    volunteers
        The registered volunteers (certificates need their basic data).
    need_titles, next_needs
        As for :func:`ledger_tables`.
    certificates
        Ids of the volunteers who asked for a certificate (each must be in
        ``volunteers``: KeyError otherwise).
    issuer
        The issuing organisation printed on certificates.
    issued_on
        Date of issue (today when None).

    Returns
    -------
    dict
        File name to content, in the order to write them.
    """
    tables = ledger_tables(ledger, need_titles, next_needs)
    files = {t.file: csv_bytes([key for key, _zh in t.columns], t.rows) for t in tables}
    book = new_workbook()
    for t in tables:
        add_sheet(book, t.sheet, [header for _key, header in t.columns], t.rows)
    files["ledger.xlsx"] = workbook_bytes(book)
    files["departments.png"] = department_chart(ledger.departments, ledger.period)
    by_id = {v.id: v for v in volunteers}
    stars = {s.volunteer_id: s for s in ledger.stars}
    in_period = ledger.in_period()
    for volunteer_id in certificates:
        volunteer = by_id[volunteer_id]
        own = sorted(
            (s for s in in_period if s.entry.volunteer_id == volunteer_id),
            key=lambda s: (s.entry.date, s.entry.need_id or ""),
        )
        files[f"{CERTIFICATES}/{volunteer_id}.pdf"] = certificate_pdf(
            volunteer,
            own,
            stars[volunteer_id],
            ledger.period,
            issuer,
            issued_on or dt.date.today(),
            need_titles,
        )
    return files


def write_files(out: str | Path, files: Mapping[str, bytes]) -> list[Path]:
    """Write files into ``out`` as one set: every file, or none replaced.

    All are written into a temporary folder inside ``out`` first; then the
    previous files are moved aside and the new ones renamed in, and a
    rename that fails puts every replaced file back before the error is
    raised.  Files of ``out`` not in ``files`` are left alone.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out, prefix=".writing-") as tmp:
        staging = Path(tmp)
        kept = staging / ".previous"
        for name, data in files.items():
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            (staging / name).write_bytes(data)
        moved: list[str] = []
        try:
            for name in files:
                (out / name).parent.mkdir(parents=True, exist_ok=True)
                if (out / name).exists():
                    (kept / name).parent.mkdir(parents=True, exist_ok=True)
                    os.replace(out / name, kept / name)
                moved.append(name)
                os.replace(staging / name, out / name)
        except OSError:
            for name in moved:
                if (kept / name).exists():
                    os.replace(kept / name, out / name)
                else:
                    (out / name).unlink(missing_ok=True)
            raise
        finally:
            shutil.rmtree(kept, ignore_errors=True)
    return [out / name for name in files]
