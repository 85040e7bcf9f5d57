"""Roles: 401 without a valid key, 403 for the wrong role; keys are stored hashed."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.keys import create_key, hash_key, revoke_key
from api.masking import mask_address, mask_phone
from api.store.models import ApiKey
from tests.api.conftest import csv_files, headers


def test_missing_or_unknown_key_is_401(client: TestClient, keys: dict[str, str]) -> None:
    assert client.get("/datasets").status_code == 401
    for bad in ("nonsense", "mk_00000000_secret", keys["viewer"] + "x"):
        assert client.get("/datasets", headers=headers(bad)).status_code == 401


def test_viewer_cannot_write(client: TestClient, keys: dict[str, str], dataset_id: int) -> None:
    viewer = headers(keys["viewer"])
    assert client.post("/datasets", files=csv_files(), headers=viewer).status_code == 403
    assert client.delete(f"/datasets/{dataset_id}", headers=viewer).status_code == 403
    body = {"id": "H1", "address": "a", "category": "other"}
    assert (
        client.post(f"/datasets/{dataset_id}/households", json=body, headers=viewer).status_code
        == 403
    )
    assert client.get(f"/datasets/{dataset_id}", headers=viewer).status_code == 200


def test_keys_are_hashed_and_revocable(app: FastAPI, client: TestClient) -> None:
    key = create_key(app.state.engine, "coordinator", "lead")
    with app.state.sessionmaker() as session:
        record = session.query(ApiKey).one()
        assert record.key_hash == hash_key(key) and key not in (record.key_hash, record.prefix)
        assert record.role == "coordinator"
        assert client.get("/datasets", headers=headers(key)).status_code == 200
        revoke_key(session, record.id)
        session.commit()
    assert client.get("/datasets", headers=headers(key)).status_code == 401


def test_create_key_from_url(database_url: str) -> None:
    key = create_key(database_url, "viewer", "cli")
    assert key.startswith("mk_")


def test_masks() -> None:
    assert mask_phone("199-0000-1234") == "*******1234"
    assert mask_phone("8800-1234") == "*******4"  # at least 7 digits hidden
    assert mask_phone("+86 199 0000 1234") == "*********1234"
    assert mask_phone("110") == "****"
    assert mask_address("3栋2单元401") == "3栋****"
    assert mask_address("幸福路12号") == "幸福****"
    assert mask_address("") == ""


def _has_example(media: dict[str, Any], components: dict[str, Any]) -> bool:
    """An example on the media type, its schema, the referenced model, or array items."""
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = media.get("schema", {})
    candidates = [schema, *schema.get("anyOf", []), schema.get("items", {})]
    for candidate in candidates:
        if candidate.get("examples") or candidate.get("example") is not None:
            return True
        ref = candidate.get("$ref")
        if ref and components[ref.rsplit("/", 1)[-1]].get("examples"):
            return True
    return False


def test_openapi_documents_every_route_with_examples(app: FastAPI) -> None:
    schema = app.openapi()
    components = schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            # Every route documents its success answer (202 for solve jobs).
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
            body = operation.get("requestBody", {}).get("content", {})
            for content_type, media in body.items():
                assert _has_example(media, components), (method, path, content_type)
            for code, answer in operation["responses"].items():
                media = answer.get("content", {}).get("application/json")
                if code.startswith("2") and media is not None:
                    assert _has_example(media, components), (method, path, code)
