"""The department chart of the ledger (``departments.png``), with Chinese labels.

For the annual summary meeting: per department, service hours and points
(left), registered and active volunteers (right).  Drawn with matplotlib's
Agg backend (no display needed) in the font the project ships
(:mod:`matcher.fonts`), so the Chinese labels render on any machine.  The
chart is a document for people and stays Chinese in every language.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from matcher.ledger.entries import Period
from matcher.ledger.report import DepartmentReport

__all__ = ["department_chart"]


def department_chart(reports: Sequence[DepartmentReport], period: Period) -> bytes:
    """The chart as PNG bytes.

    Parameters
    ----------
    reports
        From :func:`~matcher.ledger.report.department_report`.
    period
        The period, shown in the title.

    Returns
    -------
    bytes
        A PNG image, 150 dpi.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server or in CI
    from matplotlib.figure import Figure

    from matcher.fonts import use_in_matplotlib

    families = list(use_in_matplotlib())
    names = [r.department or "（未登记）" for r in reports]
    rows = range(len(reports))
    height = 2.2 + 0.45 * max(len(reports), 1)
    figure = Figure(figsize=(11, height), dpi=150, layout="constrained")
    left, right = figure.subplots(1, 2, sharey=True)
    width = 0.4
    left.barh(
        [y - width / 2 for y in rows],
        [float(r.hours) for r in reports],
        width,
        label="服务时长（小时）",
        color="#c0392b",
    )
    left.barh(
        [y + width / 2 for y in rows],
        [float(r.points) for r in reports],
        width,
        label="积分",
        color="#f39c12",
    )
    left.set_yticks(list(rows), names)
    left.invert_yaxis()
    left.set_title("服务时长与积分")
    left.legend(prop={"family": families}, loc="lower right")
    right.barh(
        [y - width / 2 for y in rows],
        [r.registered for r in reports],
        width,
        label="注册志愿者",
        color="#95a5a6",
    )
    right.barh(
        [y + width / 2 for y in rows],
        [r.active for r in reports],
        width,
        label="参与服务的志愿者",
        color="#2980b9",
    )
    right.set_title("注册与参与人数")
    right.legend(prop={"family": families}, loc="lower right")
    figure.suptitle(f"各学院志愿服务统计（{period.label()}）")
    for text in figure.findobj(lambda artist: hasattr(artist, "set_fontfamily")):
        text.set_fontfamily(families)  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
