"""Residents' requests through the service: 点单 -> 审核 -> 派单 -> 接单 -> 评单, with the
states in the list, refusals in the wrong state, and the need a dispatch makes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.store.models import AuditEntry, Proposal, ProposalState
from tests.api.conftest import headers
from tests.api.test_attendance import published_roster_with_proposals

WISH = {
    "kind": "micro_wish",
    "title": "帮独居老人修理收音机",
    "category": "家电维修",
    "household_id": "H001",
    "requester": "示例居民",
    "phone": "000-0000-0001",
    "wanted_date": "2026年9月26日",
    "wanted_start": "9点",
    "wanted_end": "10:00",
    "duration": 60,
}


def _post(client: TestClient, key: str, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, json=body, headers=headers(key))


def test_a_micro_wish_from_intake_to_rating(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator, viewer = keys["coordinator"], keys["viewer"]
    assert _post(client, viewer, f"/datasets/{dataset_id}/requests", WISH).status_code == 403
    made = _post(client, coordinator, f"/datasets/{dataset_id}/requests", WISH)
    assert made.status_code == 201, made.text
    wish = made.json()
    assert (wish["state"], wish["category"], wish["wanted_start"], wish["wanted_date"]) == (
        "submitted",
        "repair-appliance",
        "09:00",
        "2026-09-26",
    )
    rid = wish["id"]

    # not before it is reviewed
    early = _post(client, coordinator, f"/requests/{rid}/dispatch", {})
    assert early.status_code == 409 and "submitted" in early.json()["detail"]
    accepted = _post(client, coordinator, f"/requests/{rid}/review", {"accept": True})
    assert accepted.json()["state"] == "accepted"

    dispatched = _post(client, coordinator, f"/requests/{rid}/dispatch", {"priority": 4})
    assert dispatched.status_code == 200, dispatched.text
    assert (dispatched.json()["state"], dispatched.json()["need_id"]) == (
        "dispatched",
        f"R{rid:04d}",
    )
    need = client.get(f"/datasets/{dataset_id}/needs/R{rid:04d}", headers=headers(viewer))
    assert need.status_code == 200, need.text
    assert (need.json()["date"], need.json()["start"], need.json()["household_id"]) == (
        "2026-09-26",
        "09:00",
        "H001",
    )
    # a second dispatch (nobody took it): a need of its own
    again = _post(client, coordinator, f"/requests/{rid}/dispatch", {"date": "2026-09-27"})
    assert again.json()["need_id"] == f"R{rid:04d}-2" and again.json()["dispatches"] == 2

    # 接单: a volunteer of the plan of record confirmed its need
    [proposal_id] = published_roster_with_proposals(app, dataset_id, 1)
    with app.state.sessionmaker() as session:
        proposal = session.get(Proposal, proposal_id)
        assert proposal is not None
        proposal.need_id, proposal.state = f"R{rid:04d}-2", ProposalState.CONFIRMED.value
        taker = proposal.volunteer_id
        session.commit()
    listed = client.get(f"/datasets/{dataset_id}/requests", headers=headers(viewer)).json()
    [item] = listed["items"]
    assert item["taken_by"] == [taker] and item["served_by"] == []
    assert "*" in item["phone"]  # masked for viewers

    recorded = _post(
        client, coordinator, f"/proposals/{proposal_id}/attendance", {"status": "attended"}
    )
    assert recorded.status_code == 201, recorded.text
    served = client.get(f"/requests/{rid}", headers=headers(viewer)).json()
    assert served["served_by"] == [taker]

    rated = _post(client, coordinator, f"/requests/{rid}/rate", {"rating": 5, "feedback": "修好了"})
    assert (rated.json()["state"], rated.json()["rating"]) == ("closed", 5)
    assert _post(client, coordinator, f"/requests/{rid}/rate", {"rating": 1}).status_code == 409
    closed = client.get(
        f"/datasets/{dataset_id}/requests", params={"state": "closed"}, headers=headers(viewer)
    )
    assert closed.json()["total"] == 1
    with app.state.sessionmaker() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.target == f"request:{rid}")
        ).all()
    assert actions == [
        "request.create",
        "request.review",
        "request.dispatch",
        "request.dispatch",
        "request.rate",
    ]


def test_refusals_leave_nothing_half_written(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = keys["coordinator"]
    zh = {**headers(coordinator), "Accept-Language": "zh-CN"}
    stranger = client.post(
        f"/datasets/{dataset_id}/requests", json={**WISH, "household_id": "H999"}, headers=zh
    )
    assert stranger.status_code == 422 and stranger.json()["detail"][0]["loc"][-1] == "household_id"
    odd_day = client.post(
        f"/datasets/{dataset_id}/requests", json={**WISH, "wanted_date": "下周"}, headers=zh
    )
    assert odd_day.status_code == 422

    rid = _post(client, coordinator, f"/datasets/{dataset_id}/requests", WISH).json()["id"]
    rejected = client.post(
        f"/requests/{rid}/review", json={"accept": False, "note": "已转物业"}, headers=zh
    )
    assert rejected.json()["state_name"] == "不予受理"
    refused = client.post(f"/requests/{rid}/dispatch", json={}, headers=zh)
    assert refused.status_code == 409 and "不予受理" in refused.json()["detail"]

    # a need that breaks a rule (an unknown skill) is refused, the request stays accepted
    rid = _post(client, coordinator, f"/datasets/{dataset_id}/requests", WISH).json()["id"]
    _post(client, coordinator, f"/requests/{rid}/review", {"accept": True})
    bad = _post(
        client,
        coordinator,
        f"/requests/{rid}/dispatch",
        {"skills": [{"name": "不存在的技能"}]},
    )
    assert bad.status_code == 422, bad.text
    after = client.get(f"/requests/{rid}", headers=headers(coordinator)).json()
    assert (after["state"], after["need_id"], after["dispatches"]) == ("accepted", None, 0)
    assert (
        client.get(
            f"/datasets/{dataset_id}/needs/R{rid:04d}", headers=headers(coordinator)
        ).status_code
        == 404
    )
    assert client.get("/requests/999999", headers=headers(coordinator)).status_code == 404
