"""Admin routes: API keys (list, make, revoke; never the last admin) and the audit log."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.keys import hash_key
from api.store.models import ApiKey, AuditEntry
from tests.api.conftest import csv_files, headers


def _key_ids(app: FastAPI) -> dict[str, int]:
    """Ids of the fixture's keys by role (labelled "<role> tester")."""
    with app.state.sessionmaker() as session:
        return {
            k.label.removesuffix(" tester"): k.id
            for k in session.query(ApiKey)
            if k.label.endswith(" tester")
        }


def test_make_list_and_revoke_keys_with_audit(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    admin = headers(keys["admin"])
    made = client.post("/keys", json={"role": "viewer", "label": " 区委组织部 "}, headers=admin)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["key"].startswith(f"mk_{body['prefix']}_")
    assert (body["role"], body["label"], body["revoked_at"]) == ("viewer", "区委组织部", None)
    with app.state.sessionmaker() as session:
        stored = session.get(ApiKey, body["id"])
        assert stored is not None and stored.key_hash == hash_key(body["key"])
    viewer = headers(body["key"])
    assert client.get("/datasets", headers=viewer).status_code == 200
    assert client.post("/datasets", files=csv_files(), headers=viewer).status_code == 403

    listed = client.get("/keys", headers=admin)
    assert listed.status_code == 200
    assert listed.json()["total"] == 4
    assert body["key"] not in listed.text and "hash" not in listed.text
    assert set(listed.json()["items"][0]) == {
        "id",
        "prefix",
        "role",
        "label",
        "created_at",
        "revoked_at",
    }
    assert [k["id"] for k in listed.json()["items"]] == sorted(
        k["id"] for k in listed.json()["items"]
    )
    only = client.get("/keys", params={"role": "viewer"}, headers=admin).json()
    assert [k["label"] for k in only["items"]] == ["viewer tester", "区委组织部"]

    revoked = client.delete(f"/keys/{body['id']}", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    assert client.get("/datasets", headers=viewer).status_code == 401
    assert client.delete(f"/keys/{body['id']}", headers=admin).status_code == 409
    assert client.delete("/keys/999", headers=admin).status_code == 404
    active = client.get("/keys", params={"active": "false"}, headers=admin).json()
    assert [k["id"] for k in active["items"]] == [body["id"]]

    with app.state.sessionmaker() as session:
        entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
    admin_id = _key_ids(app)["admin"]
    assert [(e.action, e.target, e.key_id) for e in entries] == [
        ("key.create", f"key:{body['id']}", admin_id),
        ("key.revoke", f"key:{body['id']}", admin_id),
    ]
    assert entries[0].detail == {"role": "viewer", "label": "区委组织部"}


def test_the_last_admin_key_stays(app: FastAPI, client: TestClient, keys: dict[str, str]) -> None:
    first = headers(keys["admin"])
    first_id = _key_ids(app)["admin"]
    refused = client.delete(f"/keys/{first_id}", headers=first)
    assert refused.status_code == 409 and "last working admin key" in refused.json()["detail"]
    second = client.post("/keys", json={"role": "admin"}, headers=first).json()
    # an admin may revoke its own key while another admin key works
    assert client.delete(f"/keys/{first_id}", headers=first).status_code == 200
    assert client.get("/keys", headers=first).status_code == 401
    assert client.delete(f"/keys/{second['id']}", headers=headers(second["key"])).status_code == 409
    # other roles' keys can all go
    ids = _key_ids(app)
    for role in ("coordinator", "viewer"):
        assert (
            client.delete(f"/keys/{ids[role]}", headers=headers(second["key"])).status_code == 200
        )


def test_only_admins_reach_admin_routes(
    client: TestClient, keys: dict[str, str], app: FastAPI
) -> None:
    some_id = _key_ids(app)["viewer"]
    calls = [
        ("get", "/keys", {}),
        ("post", "/keys", {"json": {"role": "admin"}}),
        ("delete", f"/keys/{some_id}", {}),
        ("get", "/audit", {}),
    ]
    for method, url, options in calls:
        for role in ("coordinator", "viewer"):
            response = getattr(client, method)(url, headers=headers(keys[role]), **options)
            assert response.status_code == 403, (role, method, url)
        assert getattr(client, method)(url, **options).status_code == 401
    # nothing happened: no key was made or revoked
    listed = client.get("/keys", headers=headers(keys["admin"])).json()
    assert listed["total"] == 3 and all(k["revoked_at"] is None for k in listed["items"])


def test_audit_log_newest_first_with_filters(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    admin = headers(keys["admin"])
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    skill = client.post(f"{base}/skills", json={"name": "测试_技能%"}, headers=coordinator).json()
    client.delete(f"{base}/skills/{skill['id']}", headers=coordinator)
    client.post("/keys", json={"role": "viewer", "label": "x"}, headers=admin)
    ids = _key_ids(app)

    log = client.get("/audit", headers=admin).json()
    assert log["total"] == 4
    assert [e["action"] for e in log["items"]] == [
        "key.create",
        "skill.delete",
        "skill.create",
        "dataset.create",
    ]
    newest = log["items"][0]
    assert (newest["key_id"], newest["key_label"]) == (ids["admin"], "admin tester")
    assert newest["key_prefix"] == keys["admin"].split("_")[1]
    assert newest["at"].endswith("Z") or newest["at"].endswith("+00:00")
    assert log["items"][1]["detail"] == {"row": {"name": "测试_技能%"}}

    def actions(**params: object) -> list[str]:
        response = client.get("/audit", params=params, headers=admin)
        assert response.status_code == 200, response.text
        return [e["action"] for e in response.json()["items"]]

    assert actions(key_id=ids["coordinator"]) == ["skill.delete", "skill.create", "dataset.create"]
    assert actions(action="skill.create") == ["skill.create"]
    assert actions(target=f"dataset:{dataset_id}/") == ["skill.delete", "skill.create"]
    assert actions(target=f"dataset:{dataset_id}") == [
        "skill.delete",
        "skill.create",
        "dataset.create",
    ]
    assert actions(target="%") == []  # text, not a pattern
    assert actions(target="key:") == ["key.create"]
    assert actions(limit=1, offset=1) == ["skill.delete"]
    now = dt.datetime.now(dt.UTC)
    assert actions(since=(now - dt.timedelta(hours=1)).isoformat()) == actions()
    assert actions(since=(now + dt.timedelta(hours=1)).isoformat()) == []
    assert actions(until=(now - dt.timedelta(hours=1)).isoformat()) == []
    # a time in another zone is the same instant; one without zone is UTC
    later = (now + dt.timedelta(minutes=5)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert len(actions(until=later.isoformat())) == 4
    naive = (now + dt.timedelta(minutes=5)).replace(tzinfo=None)
    assert len(actions(until=naive.isoformat())) == 4
    with app.state.sessionmaker() as session:
        first = session.query(AuditEntry).order_by(AuditEntry.id).first()
        assert first is not None
        at = first.at if first.at.tzinfo else first.at.replace(tzinfo=dt.UTC)
    assert actions(until=at.isoformat()) == []
    assert actions(since=at.isoformat())[-1] == "dataset.create"


def test_admin_odd_input_never_500(app: FastAPI, keys: dict[str, str]) -> None:
    admin = headers(keys["admin"])
    with TestClient(app, raise_server_exceptions=False) as client:
        refused = [
            ("post", "/keys", {"json": {"role": "root"}}),
            ("post", "/keys", {"json": {"role": ""}}),
            ("post", "/keys", {"json": {"role": None}}),
            ("post", "/keys", {"json": {"role": "viewer", "label": "a\x00b"}}),
            ("post", "/keys", {"json": {"role": "viewer", "label": "x" * 201}}),
            ("post", "/keys", {"json": {"role": "viewer", "label": 5}}),
            ("post", "/keys", {"json": {"role": "viewer", "extra": 1}}),
            ("post", "/keys", {"json": []}),
            ("post", "/keys", {"content": b"{", "headers": {"content-type": "application/json"}}),
            ("delete", f"/keys/{10**30}", {}),
            ("delete", "/keys/0", {}),
            ("delete", "/keys/abc", {}),
            ("delete", "/keys/%00", {}),
            ("get", "/keys", {"params": {"role": "root"}}),
            ("get", "/keys", {"params": {"active": "perhaps"}}),
            ("get", "/keys", {"params": {"limit": 0}}),
            ("get", "/audit", {"params": {"key_id": 10**30}}),
            ("get", "/audit", {"params": {"key_id": "x"}}),
            ("get", "/audit", {"params": {"action": ""}}),
            ("get", "/audit", {"params": {"action": "a\x00"}}),
            ("get", "/audit", {"params": {"target": "t" * 201}}),
            ("get", "/audit", {"params": {"since": "yesterday"}}),
            ("get", "/audit", {"params": {"since": "0001-01-01T00:00:00+08:00"}}),
            ("get", "/audit", {"params": {"until": "9999-12-31T23:59:59-08:00"}}),
            ("get", "/audit", {"params": {"offset": 10**30}}),
        ]
        for method, url, options in refused:
            response = getattr(client, method)(
                url, headers={**admin, **options.pop("headers", {})}, **options
            )
            assert 400 <= response.status_code < 500, (method, url, response.text)
        edge = client.get("/audit", params={"since": "0001-01-01T00:00:00Z"}, headers=admin)
        assert edge.status_code == 200
        overflow = client.get(
            "/audit", params={"since": "0001-01-01T00:00:00+08:00"}, headers=admin
        )
        assert overflow.json()["detail"][0]["loc"] == ["query", "since"]
    # none of the refused bodies made a key
    with app.state.sessionmaker() as session:
        assert session.query(ApiKey).count() == 3
