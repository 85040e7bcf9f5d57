"""Write ``datasets/community_a_attendance.csv``: synthetic attendance of the sample's horizon.

What a coordinator would fill in after the two weekends and the Mid-Autumn
Festival of ``datasets/community_a``: for the first dated needs with fixed
times, the first eligible volunteers (by the dataset's own eligibility),
mostly on time, some late, one leaving early, a few no-shows.  Every name
and id is the sample's own (synthetic).  Deterministic: run it again after
the sample changes.

Usage: ``python tools/sample_attendance.py``
"""

from __future__ import annotations

from pathlib import Path

from matcher.domain import format_minutes
from matcher.eligibility import build_eligibility
from matcher.io import load_dataset
from matcher.io.spreadsheet import csv_bytes

ROOT = Path(__file__).resolve().parents[1]
STATUSES = ("到岗", "到岗", "迟到", "到岗", "缺席", "到岗", "早退", "到岗")


def main() -> None:
    problem = load_dataset(ROOT / "datasets" / "community_a")
    eligibility = build_eligibility(problem)
    rows = []
    used: set[tuple[str, object]] = set()
    for n, need in enumerate(problem.needs):
        if need.date is None or need.is_flexible or len(rows) >= 48:
            continue
        pairs = eligibility.pairs_of_need(n)
        chosen = 0
        for volunteer_index in eligibility.volunteer[pairs].tolist():
            volunteer = problem.volunteers[volunteer_index]
            if (volunteer.id, need.date) in used or chosen >= need.min_volunteers:
                continue
            used.add((volunteer.id, need.date))
            chosen += 1
            status = STATUSES[len(rows) % len(STATUSES)]
            start = end = reason = ""
            if status == "迟到":
                start, reason = format_minutes((need.start or 0) + 20), "公交晚点（示例）"
            elif status == "早退":
                end, reason = format_minutes((need.end or 0) - 30), "家中有事（示例）"
            elif status == "缺席":
                reason = "未请假（示例）"
            rows.append(
                [
                    need.id,
                    need.title,
                    volunteer.id,
                    volunteer.name,
                    need.date.isoformat(),
                    status,
                    start,
                    end,
                    reason,
                ]
            )
    header = [
        "需求编号",
        "需求名称",
        "志愿者编号",
        "姓名",
        "日期",
        "出勤情况",
        "实际开始",
        "实际结束",
        "备注",
    ]
    target = ROOT / "datasets" / "community_a_attendance.csv"
    target.write_bytes(csv_bytes(header, rows))
    print(f"{target}: {len(rows)} rows")


if __name__ == "__main__":
    main()
