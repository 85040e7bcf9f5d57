"""``make run``'s seeding: the sample once, and a working coordinator key every time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from api.seed import seed_sample
from api.settings import Settings
from tests.api.conftest import headers


def test_seed_sample_once_and_a_fresh_key_each_run(database_url: str) -> None:
    first = seed_sample(database_url)
    second = seed_sample(database_url)
    assert first.dataset_id is not None and second.dataset_id is None  # stored once
    assert first.key != second.key
    app = create_app(settings=Settings(database_url))
    try:
        with TestClient(app) as client:
            # the earlier key is revoked, the new one works as a coordinator
            assert client.get("/datasets", headers=headers(first.key)).status_code == 401
            listed = client.get("/datasets", headers=headers(second.key))
            assert listed.status_code == 200
            assert [d["name"] for d in listed.json()] == ["community_a"]
            started = client.post(
                "/rosters",
                json={"dataset_id": first.dataset_id, "params": {"time_limit": 1}},
                headers=headers(second.key),
            )
            assert started.status_code == 202, started.text
    finally:
        app.state.engine.dispose()
