"""The service answers in the request's language: ``Accept-Language``, else the default.

Chinese is the default; the suite's ``MATCHER_LANG=en`` is removed where a
test asks for the default.  A solve job keeps the language of the request
that started it, for its explanations written in another process.
"""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store.models import SolveJob
from tests.api.conftest import headers
from tests.api.test_rosters import ENDED, wait_for

HAN = re.compile(r"[\u4e00-\u9fff]")


def _bad_solve(client: TestClient, key: str, dataset_id: int, language: str | None):
    extra = {"Accept-Language": language} if language else {}
    return client.post(
        "/rosters",
        json={"dataset_id": f"{dataset_id}th"},
        headers={**headers(key), **extra},
    )


def test_validation_errors_follow_accept_language(
    client: TestClient, keys: dict[str, str], dataset_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    coordinator = keys["coordinator"]
    english = _bad_solve(client, coordinator, dataset_id, "en-US,en;q=0.9")
    assert english.status_code == 422 and english.headers["content-language"] == "en"
    assert english.json()["detail"][0]["msg"].startswith("Input should be a valid integer")

    chinese = _bad_solve(client, coordinator, dataset_id, "zh-CN,zh;q=0.9,en;q=0.8")
    assert chinese.status_code == 422 and chinese.headers["content-language"] == "zh"
    detail = chinese.json()["detail"][0]
    assert detail["loc"] == ["body", "dataset_id"]  # the path stays the field's
    assert detail["msg"].startswith("应为整数")

    # no header: the service's default, Chinese unless MATCHER_LANG says otherwise
    assert _bad_solve(client, coordinator, dataset_id, None).headers["content-language"] == "en"
    monkeypatch.delenv("MATCHER_LANG")
    default = _bad_solve(client, coordinator, dataset_id, None)
    assert default.headers["content-language"] == "zh"
    assert HAN.search(default.json()["detail"][0]["msg"])
    # a language with no catalogue is passed over, not refused
    assert _bad_solve(client, coordinator, dataset_id, "fr-FR").headers["content-language"] == "zh"


@pytest.mark.sqlite_only
def test_a_solve_job_explains_in_the_language_that_started_it(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    started = {}
    for language in ("zh-CN", "en"):
        response = client.post(
            "/rosters",
            json={"dataset_id": dataset_id, "params": {"time_limit": 20}},
            headers={**headers(coordinator), "Accept-Language": language},
        )
        assert response.status_code == 202, response.text
        started[language] = response.json()["id"]
    with app.state.sessionmaker() as session:
        stored = {lang: session.get(SolveJob, job_id).language for lang, job_id in started.items()}
    assert stored == {"zh-CN": "zh", "en": "en"}

    reasons = {}
    for language, job_id in started.items():
        job = wait_for(client, viewer, job_id, lambda j: j["status"] in ENDED)
        assert job["status"] == "done", job["error"]
        explain = client.get(f"/rosters/{job_id}/explain", headers=headers(viewer)).json()
        assert explain["unmet_needs"], "the sample leaves needs unmet"
        reasons[language] = [r["message"] for n in explain["unmet_needs"] for r in n["reasons"]]
    # the same roster, explained in each job's own language, whatever the reader asks now
    assert len(reasons["zh-CN"]) == len(reasons["en"])
    assert all(HAN.search(message) for message in reasons["zh-CN"]), reasons["zh-CN"]
    assert all(m[:1].isascii() for m in reasons["en"]), reasons["en"]
