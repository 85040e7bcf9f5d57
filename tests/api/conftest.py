"""Fixtures of the service tests: an app on a fresh database (SQLite always,
PostgreSQL too when ``TEST_DATABASE_URL`` is set), keys of each role, uploads."""

from __future__ import annotations

import io
import os
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.keys import create_key
from api.settings import Settings

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "community_a"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
UPLOAD_LIMIT = 2 * 1024 * 1024


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run a test marked ``sqlite_only`` on SQLite alone: deselected, not skipped, on PostgreSQL.

    Every test of storage runs on both databases; a test whose subject is the
    solver, a file format or the HTTP edge learns nothing more from the second
    run and would only lengthen ``make test``.
    """
    dropped = [
        item
        for item in items
        if item.get_closest_marker("sqlite_only") and "[postgresql" in item.nodeid
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'matcher.db'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    schema = f"test_api_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[FastAPI]:
    """The service on the fresh database, with a small upload limit."""
    application = create_app(settings=Settings(database_url, max_upload_bytes=UPLOAD_LIMIT))
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def keys(app: FastAPI) -> dict[str, str]:
    """A key per role."""
    return {
        role: create_key(app.state.engine, role, f"{role} tester")
        for role in ("admin", "coordinator", "viewer")
    }


def headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key}


def csv_files(folder: Path = SAMPLE, **replace: bytes) -> list[tuple[str, tuple[str, bytes, str]]]:
    """Multipart ``files`` of a dataset folder; ``replace`` swaps a file's content by stem."""
    files = []
    for path in sorted(folder.glob("*.csv")):
        data = replace.get(path.stem, path.read_bytes())
        files.append(("files", (path.name, data, "text/csv")))
    return files


def zip_of(folder: Path = SAMPLE, prefix: str = "community_a/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(folder.glob("*.csv")):
            zipped.writestr(prefix + path.name, path.read_bytes())
    return buffer.getvalue()


@pytest.fixture
def dataset_id(client: TestClient, keys: dict[str, str]) -> int:
    """The sample community, uploaded."""
    response = client.post("/datasets", files=csv_files(), headers=headers(keys["coordinator"]))
    assert response.status_code == 201, response.text
    return response.json()["id"]
