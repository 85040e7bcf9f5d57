"""The what-if chart (``comparison.png``), for a coordinator's report.

One row per run, the base first (grey), in three panels: needs staffed
(share, and weighted by priority), unmet needs stacked by priority, and how
many volunteers' plans change against the base.  Drawn with matplotlib's
Agg backend in the Chinese font the project ships (:mod:`matcher.fonts`);
labels are in the language in force (Chinese by default).
"""

from __future__ import annotations

import io
from typing import Any

from matcher.i18n import _

__all__ = ["comparison_chart"]

_PRIORITY_COLOURS = {
    "5": "#922b21",
    "4": "#c0392b",
    "3": "#e67e22",
    "2": "#f5b041",
    "1": "#f9e79f",
}


def comparison_chart(data: dict[str, Any]) -> bytes:
    """The chart as PNG bytes (150 dpi).

    Parameters
    ----------
    data
        From :func:`matcher.whatif.compare.comparison_data`; scenarios that
        did not run are drawn empty and marked.
    """
    import matplotlib

    matplotlib.use("Agg")  # files only: no display on a server or in CI
    from matplotlib.figure import Figure

    from matcher.fonts import use_in_matplotlib

    families = list(use_in_matplotlib())
    runs = [data["base"], *data["scenarios"]]
    names = [run["name"] for run in runs]
    figures = [run.get("figures") or {} for run in runs]
    rows = list(range(len(runs)))
    height = 2.4 + 0.42 * len(runs)
    figure = Figure(figsize=(14, height), dpi=150, layout="constrained")
    cover, unmet, moved = figure.subplots(1, 3, sharey=True, width_ratios=[3, 2, 2])
    colours = ["#7f8c8d"] + ["#2980b9"] * (len(runs) - 1)
    width = 0.4
    cover.barh(
        [y - width / 2 for y in rows],
        [100 * f.get("coverage", 0) for f in figures],
        width,
        color=colours,
        label=_("needs staffed"),
    )
    cover.barh(
        [y + width / 2 for y in rows],
        [100 * f.get("weighted_coverage", 0) for f in figures],
        width,
        color=colours,
        alpha=0.5,
        label=_("weighted by priority"),
    )
    for y, f in zip(rows, figures, strict=True):
        if f:
            cover.text(
                100 * f["coverage"] + 1,
                y - width / 2,
                f"{100 * f['coverage']:.0f}%",
                va="center",
                fontsize=7,
            )
        else:
            cover.text(1, y, _("not run"), va="center", fontsize=8, color="#c0392b")
    cover.set_xlim(0, 110)
    cover.set_yticks(rows, names)
    cover.invert_yaxis()
    cover.set_xlabel("%")
    cover.set_title(_("Needs staffed"))
    cover.legend(prop={"family": families}, loc="lower left", fontsize=7)
    left = [0] * len(runs)
    for priority in sorted(_PRIORITY_COLOURS, reverse=True):
        counts = [
            sum(1 for u in f.get("unmet_needs", []) if str(u["priority"]) == priority)
            for f in figures
        ]
        if any(counts):
            unmet.barh(
                rows,
                counts,
                left=left,
                color=_PRIORITY_COLOURS[priority],
                label=_("priority {priority}").format(priority=priority),
            )
            left = [a + b for a, b in zip(left, counts, strict=True)]
    unmet.set_title(_("Needs unmet, by priority"))
    if any(left):
        unmet.legend(prop={"family": families}, loc="lower right", fontsize=7)
    affected = [(run.get("changes") or {}).get("volunteers_affected", 0) for run in runs]
    moved.barh(rows, affected, color="#8e44ad")
    moved.set_title(_("Volunteers whose plan changes"))
    figure.suptitle(
        _("What if: {dataset}, each scenario beside the base").format(
            dataset=data.get("dataset") or "-"
        )
    )
    for text in figure.findobj(lambda artist: hasattr(artist, "set_fontfamily")):
        text.set_fontfamily(families)  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
