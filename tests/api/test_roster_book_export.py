"""The files for people through the API: the roster workbook and chat texts, masked for viewers."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.exports import VIEWER_MASKS, assignments
from api.store.datasets import load_problem
from matcher.io.chat import MESSAGE_LIMIT_BYTES, day_texts, text_file
from matcher.io.roster_book import GAPS_SHEET, OVERVIEW_SHEET, VOLUNTEERS_SHEET
from tests.api.conftest import headers
from tests.api.test_rosters import ENDED, start, wait_for

# the solver, files and the HTTP edge: once, on SQLite (tests/api/conftest.py)
pytestmark = pytest.mark.sqlite_only

PHONE = re.compile(r"1\d\d-?\d{4}-?\d{4}")
MASKED_PHONE = re.compile(r"\*{7,}\d{0,4}")


def cells(book: openpyxl.Workbook, sheet: str, column: str) -> list[str]:
    rows = list(book[sheet].iter_rows(values_only=True))
    index = rows[0].index(column)
    return [str(row[index] or "") for row in rows[1:]]


def test_book_and_texts_for_coordinators_and_masked_for_viewers(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    roster_id = start(client, coordinator, dataset_id, time_limit=30)
    job = wait_for(client, viewer, roster_id, lambda j: j["status"] in ENDED)
    assert job["status"] == "done", job["error"]
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
    day = "9月19日 周六"

    def export(key: str, **params: str) -> bytes:
        response = client.get(f"/rosters/{roster_id}/export", params=params, headers=headers(key))
        assert response.status_code == 200, response.text
        return response.content

    full = openpyxl.load_workbook(io.BytesIO(export(coordinator, format="book")))
    masked = openpyxl.load_workbook(io.BytesIO(export(viewer, format="book")))
    assert full.sheetnames == masked.sheetnames
    assert full.sheetnames[0] == OVERVIEW_SHEET and GAPS_SHEET in full.sheetnames
    assert all(PHONE.fullmatch(p) for p in cells(full, day, "电话") if p)
    assert any(re.fullmatch(r"\d+栋\d+单元\d+", a) for a in cells(full, day, "住户地址"))
    # viewers: masked, not dropped - a phone's last 4 digits at most, the building of an address
    phones = cells(masked, VOLUNTEERS_SHEET, "电话")
    assert phones and all(MASKED_PHONE.fullmatch(p) for p in phones)
    assert all(
        p[-4:] == f[-4:] for p, f in zip(phones, cells(full, VOLUNTEERS_SHEET, "电话"), strict=True)
    )
    addresses = [a for a in cells(masked, day, "住户地址") if a]
    assert addresses and all(re.fullmatch(r"\d+栋\*{4}", a) for a in addresses)
    everything = " ".join(
        str(v) for s in masked.worksheets for r in s.iter_rows(values_only=True) for v in r
    )
    assert not PHONE.search(everything)
    assert not any(h.address in everything for h in problem.households)

    # the group-chat text of one day
    text = client.get(
        f"/rosters/{roster_id}/export",
        params={"format": "text", "date": "2026-09-19"},
        headers=headers(viewer),
    )
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert 'filename="roster-' in text.headers["content-disposition"]
    roster = assignments(job["roster"])
    expected = day_texts(problem, roster, personal=False, masks=VIEWER_MASKS)
    assert text.content == text_file(next(t for d, t in expected.items() if d and d.day == 19))
    assert not PHONE.search(text.text) and MASKED_PHONE.search(text.text)
    assert all(len(m.encode()) <= MESSAGE_LIMIT_BYTES for m in text.text.split("\n\n"))
    coordinator_text = export(coordinator, format="text", date="2026-09-19").decode("utf-8")
    assert PHONE.search(coordinator_text)
    every_day = export(viewer, format="text").decode("utf-8")
    assert all(f"【{label}】" in every_day for label in ("9月25日 中秋节", "9月27日 周日"))
    # 2026-09-20 is a Sunday of the horizon without needs; 2026-12-01 is outside it
    for date in ("2026-09-20", "2026-12-01"):
        none = client.get(
            f"/rosters/{roster_id}/export",
            params={"format": "text", "date": date},
            headers=headers(viewer),
        )
        assert none.status_code == 404, none.text
    bad = client.get(
        f"/rosters/{roster_id}/export",
        params={"format": "text", "date": "19/09/2026"},
        headers=headers(viewer),
    )
    assert bad.status_code == 422

    messages = export(viewer, format="messages").decode("utf-8")
    assert "本期志愿服务安排" in messages and not PHONE.search(messages)
    assert not any(h.address in messages for h in problem.households)
    assert PHONE.search(export(coordinator, format="messages").decode("utf-8"))
