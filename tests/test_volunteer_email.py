"""A volunteer's optional e-mail: read under Chinese headers, checked lightly, written back."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from matcher.errors import DataError
from matcher.i18n import use_language
from matcher.io import load_dataset, write_dataset
from matcher.validate import email_findings

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"


def _with_emails(tmp_path: Path, header: str, emails: list[str]) -> Path:
    """The sample with ``emails`` for its first volunteers, under ``header``."""
    folder = tmp_path / "ds"
    write_dataset(load_dataset(SAMPLE), folder)
    path = folder / "volunteers.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("email")
    rows[0][column] = header
    for index, email in enumerate(emails, start=1):
        rows[index][column] = email
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return folder


@pytest.mark.parametrize("header", ["email", "邮箱", "电子邮箱", "电子邮件"])
def test_email_is_read_under_every_header_and_written_back(tmp_path: Path, header: str) -> None:
    folder = _with_emails(tmp_path, header, ["zhang.san@example.com"])
    problem = load_dataset(folder)
    assert problem.volunteers[0].email == "zhang.san@example.com"
    assert problem.volunteers[1].email == ""
    write_dataset(problem, tmp_path / "again.xlsx")
    assert load_dataset(tmp_path / "again.xlsx").volunteers[0].email == "zhang.san@example.com"


def test_a_bad_email_is_named_by_row_and_column(tmp_path: Path) -> None:
    folder = _with_emails(tmp_path, "邮箱", ["ok@example.com", "13800001111", "a@b@c", "a @b.cn"])
    with pytest.raises(DataError) as caught:
        load_dataset(folder)
    placed = {(i.file, i.row, i.column) for i in caught.value.issues}
    assert placed == {
        ("volunteers.csv", 3, "邮箱 (email)"),
        ("volunteers.csv", 4, "邮箱 (email)"),
        ("volunteers.csv", 5, "邮箱 (email)"),
    }
    with use_language("zh"):
        assert "电子邮箱" in email_findings("nobody")[0][1]


def test_email_findings_accepts_one_at_with_text_on_both_sides() -> None:
    assert email_findings("") == []
    assert email_findings("v@college.edu.cn") == []
    for bad in ("@x.cn", "v@", "v@@x.cn", "v x@x.cn", "v"):
        assert email_findings(bad), bad
