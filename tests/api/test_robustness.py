"""The schema comes from the migrations and matches the models; odd input never gets a 500."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store.models import Base
from tests.api.conftest import csv_files, headers


def test_migrations_match_models(app: FastAPI) -> None:
    with app.state.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_odd_input_never_500(app: FastAPI, keys: dict[str, str], dataset_id: int) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    with TestClient(app, raise_server_exceptions=False) as client:
        requests = [
            ("get", f"{base}/volunteers/V%00", {}),
            ("get", f"{base}/volunteers", {"params": {"department": "a\x00b"}}),
            ("get", f"{base}/needs", {"params": {"offset": -1}}),
            ("post", f"{base}/volunteers", {"json": {"id": "V\x00", "name": "x"}}),
            ("post", f"{base}/volunteers", {"json": []}),
            (
                "post",
                f"{base}/volunteers",
                {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
            ),
            (
                "post",
                f"{base}/needs",
                {"json": {"id": "N1", "title": "t", "category": "haircut", "duration": 10**30}},
            ),
            (
                "put",
                f"{base}/needs/N001",
                {"json": {"id": "N001", "title": "t", "category": "haircut", "start": 900}},
            ),
            ("post", "/datasets", {"files": csv_files(volunteers=b"id,name\x00\n")}),
            ("post", "/datasets", {"files": csv_files(volunteers=b"\xff\xfe\x00garbage")}),
            ("post", "/datasets", {"files": csv_files(needs=b"")}),
            ("post", "/datasets", {"data": {"name": "no files"}}),
            (
                "post",
                "/datasets",
                {"files": [("files", ("../../etc/volunteers.csv", b"id\n", "x"))]},
            ),
        ]
        for method, url, options in requests:
            extra_headers = options.pop("headers", {})
            response = getattr(client, method)(
                url, headers={**coordinator, **extra_headers}, **options
            )
            assert response.status_code < 500, (method, url, response.text)
            assert response.status_code >= 400, (method, url, response.text)
        # the skill filter treats % and _ as text, so it matched nothing above
        page = client.get(f"{base}/volunteers", params={"skill": "%"}, headers=coordinator).json()
        assert page["total"] == 0
