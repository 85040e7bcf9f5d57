"""Service commands of the matcher CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app


def test_keys_create_stores_only_a_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    result = CliRunner().invoke(app, ["keys", "create", "--role", "viewer", "--label", "张老师"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("mk_")
    assert key not in (tmp_path / "m.db").read_bytes().decode("latin-1")
    with TestClient(create_app(url)) as client:
        assert client.get("/datasets", headers={"X-API-Key": key}).status_code == 200
        assert client.get("/datasets", headers={"X-API-Key": key + "x"}).status_code == 401


def test_keys_create_refuses_unknown_role() -> None:
    result = CliRunner().invoke(app, ["keys", "create", "--role", "boss"])
    assert result.exit_code == 2
