"""The service-record certificate (志愿服务记录证明) of one volunteer, as a PDF.

The fields follow 志愿服务记录与证明出具办法 (2020) and 志愿服务条例 art. 19:
the volunteer's basic data, every service entry of the period (date, need,
status, hours, points and the rule version that scored them), the totals
and star level, and the issuing organisation with the date of issue.  The
certificate is a document for people and is Chinese in every language.

Text is set in the font the project ships (:mod:`matcher.fonts`), embedded
in the PDF; a line with a character outside its subset (a rare name
character) is set in reportlab's built-in ``STSong-Light`` instead, which
every PDF reader shows with its own Chinese font.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

from matcher.domain import Volunteer
from matcher.ledger.entries import Period
from matcher.ledger.scoring import ScoredEntry
from matcher.ledger.standing import StarLevel

__all__ = ["certificate_pdf", "zh"]


def zh(value: StrEnum | None) -> str:
    """The Chinese word of an enumeration value (category, status, membership, role)."""
    from matcher.io.format import ENUM_WORDS

    if value is None:
        return ""
    words = ENUM_WORDS.get(type(value), {}).get(value)
    return words[0] if words else str(value)


def number(value: Decimal) -> str:
    """``12.50`` as ``12.5``, ``3.00`` as ``3``: the figure without trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Styles:
    """Paragraph styles in the shipped font, and text set in it (or the CID fallback)."""

    def __init__(self) -> None:
        from matcher.fonts import use_in_reportlab

        self.font = use_in_reportlab()
        self.body, self.cell, self.note = self.style(11), self.style(9, leading=12), self.style(9)
        self.title, self.right = self.style(20, align=1), self.style(11, align=2)
        self.small_right = self.style(9, align=2)

    def style(self, size: float, align: int = 0, leading: float | None = None) -> Any:
        from reportlab.lib.styles import ParagraphStyle

        return ParagraphStyle(
            f"s{size}-{align}-{leading}",
            fontName=self.font,
            fontSize=size,
            leading=leading or size * 1.5,
            alignment=align,
            wordWrap="CJK",
        )

    def text(self, value: str, style: Any) -> Any:
        """A paragraph; in the CID font when the shipped one lacks a character of it."""
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import Paragraph

        from matcher.fonts import PDF_FALLBACK, covers

        if not covers(value):
            style = ParagraphStyle(style.name + "-cid", parent=style, fontName=PDF_FALLBACK)
        return Paragraph(value.replace("&", "&amp;").replace("<", "&lt;"), style)


def _grid(rows: list[list[Any]], widths: list[float], header: bool = False) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[tuple[Any, ...]] = [("GRID", (0, 0), (-1, -1), 0.5, colors.grey)]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(commands))
    return table


def _basic(volunteer: Volunteer, star: StarLevel, styles: _Styles) -> Any:
    """The basic data: name, id, department, membership, role, star level."""
    from reportlab.lib.units import mm

    rows = [
        ["姓名", volunteer.name, "志愿者编号", volunteer.id],
        ["所在单位", volunteer.department, "政治面貌", zh(volunteer.membership)],
        ["身份", zh(volunteer.role), "星级", "★" * star.stars or "未达一星"],
    ]
    cells = [[styles.text(value, styles.body) for value in row] for row in rows]
    return _grid(cells, [25 * mm, 55 * mm, 25 * mm, 55 * mm])


def _entries(scored: Sequence[ScoredEntry], titles: Mapping[str, str], styles: _Styles) -> Any:
    """One row per service entry, and the totals."""
    from reportlab.lib.units import mm

    header = ["日期", "服务项目", "类别", "出勤", "时长（小时）", "积分", "规则版本"]
    rows = [header]
    for item in scored:
        entry = item.entry
        need = entry.need_id or ""
        rows.append(
            [
                entry.date.isoformat(),
                f"{need} {titles.get(need, '')}".strip(),
                zh(entry.category),
                zh(entry.status),
                number(item.hours),
                number(item.points),
                item.rule_version,
            ]
        )
    hours = sum((s.hours for s in scored), Decimal(0))
    points = sum((s.points for s in scored), Decimal(0))
    rows.append(["合计", "", "", "", number(hours), number(points), ""])
    cells = [[styles.text(value, styles.cell) for value in row] for row in rows]
    widths = [22 * mm, 52 * mm, 20 * mm, 14 * mm, 20 * mm, 14 * mm, 18 * mm]
    return _grid(cells, widths, header=True)


def certificate_pdf(
    volunteer: Volunteer,
    scored: Sequence[ScoredEntry],
    star: StarLevel,
    period: Period,
    issuer: str,
    issued_on: dt.date,
    need_titles: Mapping[str, str] | None = None,
) -> bytes:
    """The certificate of one volunteer as PDF bytes.

    Parameters
    ----------
    volunteer
        Whom it certifies.
    scored
        The volunteer's scored entries in the period, in date order.
    star
        The volunteer's star level as of the period's end.
    period
        The period certified.
    issuer
        The issuing organisation (a residents' committee may issue certificates).
    issued_on
        The date of issue.
    need_titles
        Titles of needs by id, where known.

    Returns
    -------
    bytes
        An A4 PDF.
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    styles = _Styles()
    text = styles.text
    served = [s for s in scored if s.entry.served]
    hours = sum((s.hours for s in scored), Decimal(0))
    points = sum((s.points for s in scored), Decimal(0))
    start = period.start or (scored[0].entry.date if scored else issued_on)
    end = period.end or issued_on
    story = [
        text("志愿服务记录证明", styles.title),
        Spacer(1, 4 * mm),
        text(f"证明编号：{volunteer.id}-{end:%Y%m%d}", styles.small_right),
        Spacer(1, 4 * mm),
        _basic(volunteer, star, styles),
        Spacer(1, 5 * mm),
        text(
            f"兹证明 {volunteer.name} 于 {start:%Y年%m月%d日} 至 {end:%Y年%m月%d日} 期间"
            f"参加志愿服务 {len(served)} 次，记录服务时长 {number(hours)} 小时，"
            f"积分 {number(points)} 分；截至 {end:%Y年%m月%d日} 累计服务时长 "
            f"{number(star.hours)} 小时。服务记录如下：",
            styles.body,
        ),
        Spacer(1, 3 * mm),
        _entries(scored, need_titles or {}, styles),
        Spacer(1, 6 * mm),
        text(
            "说明：服务时长为实际服务时间（不含路途），按服务当日有效的积分规则版本逐条计算；"
            "缺席记录不计时长。本证明依据《志愿服务条例》和《志愿服务记录与证明出具办法》出具，"
            "记录如有错误，志愿者可申请更正。",
            styles.note,
        ),
        Spacer(1, 12 * mm),
        text(f"出具单位：{issuer}（盖章）", styles.right),
        text(f"出具日期：{issued_on:%Y年%m月%d日}", styles.right),
    ]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=f"志愿服务记录证明 {volunteer.name}",
        author=issuer,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()
