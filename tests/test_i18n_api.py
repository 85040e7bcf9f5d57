# ruff: noqa: F811 - the fixtures imported below are, as pytest wants, the parameters
"""The service answers in Chinese by default and in English on request.

The request's language is chosen in ``api/app.py`` from ``Accept-Language``;
the answers given by the middleware before the app (a missing or unknown
key, an unstorable text, a body over the limit) read that header themselves
(:func:`api.limits.request_language`).  Inside the app, these tests choose the
language with ``MATCHER_LANG`` (unset: Chinese), as the suite does (``en``).
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import (  # noqa: F401 - the service fixtures, shared with tests/api
    app,
    client,
    csv_files,
    database_url,
    dataset_id,
    headers,
    keys,
)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}


@pytest.fixture
def chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    """No ``MATCHER_LANG``: the default language, Chinese, is in force."""
    monkeypatch.delenv("MATCHER_LANG", raising=False)


def _detail(response: Any, code: int) -> Any:
    assert response.status_code == code, response.text
    return response.json()["detail"]


def _messages(response: Any) -> dict[tuple[Any, ...], str]:
    return {tuple(e["loc"]): e["msg"] for e in _detail(response, 422)}


def test_a_missing_or_unknown_key_is_refused_in_the_language_asked(client: TestClient) -> None:
    # the suite runs with MATCHER_LANG=en: the header alone makes the answer Chinese
    assert _detail(client.get("/datasets", headers=ZH), 401) == "缺少 X-API-Key 请求头（密钥）"
    wrong = {**ZH, "X-API-Key": "mk_nothing_here"}
    assert _detail(client.get("/datasets", headers=wrong), 401) == "密钥不存在或已吊销"
    assert _detail(client.get("/datasets"), 401) == "missing X-API-Key header"
    english = {"Accept-Language": "en-US", "X-API-Key": "mk_nothing_here"}
    assert _detail(client.get("/datasets", headers=english), 401) == "unknown or revoked API key"


def test_the_default_language_is_chinese(client: TestClient, chinese: None) -> None:
    assert _detail(client.get("/datasets"), 401) == "缺少 X-API-Key 请求头（密钥）"
    # an English header still wins over the default
    assert _detail(client.get("/datasets", headers={"Accept-Language": "en"}), 401) == (
        "missing X-API-Key header"
    )


def test_unstorable_text_is_named_in_chinese(client: TestClient, keys: dict[str, str]) -> None:
    body = '{"name": "a\\u0000b"}'
    answer = client.post(
        "/datasets/1/departments",
        content=body,
        headers={**headers(keys["coordinator"]), **ZH, "Content-Type": "application/json"},
    )
    assert _messages(answer)[("body", "name")] == (
        "服务无法保存这段文本：位置 1 处的空字符 NUL（U+0000）"
    )


def test_not_found_and_role_in_chinese(
    client: TestClient, keys: dict[str, str], dataset_id: int, chinese: None
) -> None:
    viewer, coordinator = headers(keys["viewer"]), headers(keys["coordinator"])
    assert _detail(client.get("/datasets/999", headers=viewer), 404) == "没有数据集 999"
    assert _detail(client.get("/rosters/77", headers=viewer), 404) == "没有排班 77"
    missing = client.get(f"/datasets/{dataset_id}/pins/123456", headers=viewer)
    assert _detail(missing, 404) == f"数据集 {dataset_id} 中没有固定安排（编号 123456）"
    missing = client.get(f"/datasets/{dataset_id}/volunteers/V9999", headers=viewer)
    assert _detail(missing, 404) == f"数据集 {dataset_id} 中没有志愿者「V9999」"
    refused = client.delete(f"/datasets/{dataset_id}", headers=viewer)
    assert _detail(refused, 403) == "此操作需要协调员权限，当前密钥是查看者"
    link = client.get("/calendars/cal_nothing_x.ics")
    assert _detail(link, 404) == "没有这个日历链接"
    assert client.get(f"/datasets/{dataset_id}", headers=coordinator).status_code == 200


def test_a_bad_upload_is_explained_in_chinese(
    client: TestClient, keys: dict[str, str], chinese: None
) -> None:
    files = [*csv_files(), ("files", ("notes.txt", b"hello", "text/plain"))]
    answer = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert answer.status_code == 400, answer.text
    [error] = answer.json()["errors"]
    assert error["file"] == "notes.txt"
    assert error["message"].startswith("应上传多个 CSV 文件")
    broken = client.post(
        "/datasets",
        files=[("files", ("data.zip", b"not a zip", "application/zip"))],
        headers=headers(keys["coordinator"]),
    )
    assert broken.json()["errors"][0]["message"].startswith("不是可读取的 ZIP 文件：")


def test_row_checks_answer_in_chinese(
    client: TestClient, keys: dict[str, str], dataset_id: int, chinese: None
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    # a pydantic validator's message (422)
    bad_date = client.post(
        f"{base}/blackouts", json={"volunteer_id": "V0001", "date": 20260919}, headers=coordinator
    )
    assert "应为日期，如 2026-09-19，实际为 20260919" in _messages(bad_date)[("body", "date")]
    # the body's id against the server's numbering (422)
    with_id = client.post(
        f"{base}/departments", json={"id": 5, "name": "新学院"}, headers=coordinator
    )
    assert _messages(with_id)[("body", "id")] == "不应填写 id（由服务器分配），实际为 5"
    # a clash with what is stored (409)
    departments = client.get(f"{base}/departments", headers=coordinator).json()["items"]
    used = next(d for d in departments if d["name"] == "自动控制学院")
    in_use = _detail(client.delete(f"{base}/departments/{used['id']}", headers=coordinator), 409)
    assert in_use.startswith("二级学院 '自动控制学院' 正被志愿者 V0001、")
    assert in_use.endswith("使用，请先修改它们")
    again = client.post(f"{base}/departments", json={"name": "自动控制学院"}, headers=coordinator)
    assert _detail(again, 409).startswith(f"二级学院 '自动控制学院'已是第 {used['id']} 条记录")


def test_the_same_requests_answer_in_english_with_matcher_lang_en(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    viewer, coordinator = headers(keys["viewer"]), headers(keys["coordinator"])
    assert _detail(client.get("/datasets/999", headers=viewer), 404) == "no dataset 999"
    refused = client.delete(f"/datasets/{dataset_id}", headers=viewer)
    assert _detail(refused, 403) == "this needs the coordinator role, key is viewer"
    missing = client.get(f"/datasets/{dataset_id}/pins/123456", headers=viewer)
    assert _detail(missing, 404) == f"no pin row 123456 in dataset {dataset_id}"
    with_id = client.post(
        f"/datasets/{dataset_id}/departments", json={"id": 5, "name": "x"}, headers=coordinator
    )
    assert _messages(with_id)[("body", "id")] == "expected no id: the server gives one, found 5"


def test_a_stored_job_error_is_shown_in_the_readers_language(
    app: Any, client: TestClient, keys: dict[str, str], dataset_id: int, monkeypatch
) -> None:
    from api.store.jobs import queue_job, request_stop

    with app.state.sessionmaker() as session:
        job = queue_job(session, dataset_id, {}, {}, None)
        request_stop(session, job.id)  # a queued job stops at once, with a stored reason
        session.commit()
        job_id = job.id
    url = f"/rosters/{job_id}"
    viewer = headers(keys["viewer"])
    assert client.get(url, headers=viewer).json()["error"] == "stopped before it started"
    monkeypatch.delenv("MATCHER_LANG")
    assert client.get(url, headers=viewer).json()["error"] == "在开始前已停止"
    conflict = client.delete(url, headers=headers(keys["coordinator"]))
    assert _detail(conflict, 409) == f"排班 {job_id} 已是「已停止」状态"
