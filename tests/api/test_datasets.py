"""Uploads: formats, counts, all-or-nothing, size limit; the stored Problem is exact."""

from __future__ import annotations

import io

import pandas as pd
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store import load_problem
from api.store.datasets import problem_counts
from api.store.models import AuditEntry, Dataset, VolunteerRecord
from matcher.io import load_dataset, write_dataset
from tests.api.conftest import SAMPLE, UPLOAD_LIMIT, csv_files, headers, zip_of

EXPECTED = problem_counts(load_dataset(SAMPLE))


def test_upload_csv_files_counts_match_loader(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    response = client.post(
        "/datasets",
        files=csv_files(),
        data={"name": "社区A"},
        headers=headers(keys["coordinator"]),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["name"] == "社区A"
    assert body["counts"] == EXPECTED
    listed = client.get("/datasets", headers=headers(keys["viewer"])).json()
    assert [d["id"] for d in listed] == [body["id"]]
    one = client.get(f"/datasets/{body['id']}", headers=headers(keys["viewer"])).json()
    assert {k: one["counts"][k] for k in ("volunteers", "needs", "households")} == {
        k: EXPECTED[k] for k in ("volunteers", "needs", "households")
    }
    with app.state.sessionmaker() as session:
        assert load_problem(session, body["id"]) == load_dataset(SAMPLE).replace(name="社区A")
        entries = session.query(AuditEntry).all()
    assert [(e.action, e.target) for e in entries] == [("dataset.create", f"dataset:{body['id']}")]


def test_upload_zip(client: TestClient, keys: dict[str, str]) -> None:
    files = {"files": ("community_a.zip", zip_of(), "application/zip")}
    response = client.post("/datasets", files=files, headers=headers(keys["admin"]))
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "community_a"
    assert response.json()["counts"] == EXPECTED


def test_upload_xlsx(client: TestClient, keys: dict[str, str], tmp_path) -> None:
    workbook = tmp_path / "社区A.xlsx"
    write_dataset(load_dataset(SAMPLE), workbook)
    files = {"files": (workbook.name, workbook.read_bytes(), "application/octet-stream")}
    response = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert response.status_code == 201, response.text
    assert response.json()["counts"] == EXPECTED


def _needs_with_min_over_max() -> tuple[bytes, int]:
    frame = pd.read_csv(SAMPLE / "needs.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "min_volunteers"] = "5"
    frame.loc[1, "max_volunteers"] = "2"
    return frame.to_csv(index=False).encode("utf-8-sig"), 3  # row 3: header is row 1


def test_bad_upload_names_row_and_column_and_stores_nothing(
    app: FastAPI, client: TestClient, keys: dict[str, str]
) -> None:
    needs, row = _needs_with_min_over_max()
    response = client.post(
        "/datasets", files=csv_files(needs=needs), headers=headers(keys["coordinator"])
    )
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {"file": "needs.csv", "row": row, "column": "max_volunteers"}.items() <= errors[
        0
    ].items()
    assert "min_volunteers" in errors[0]["message"]
    assert client.get("/datasets", headers=headers(keys["viewer"])).json() == []
    with app.state.sessionmaker() as session:
        assert session.query(Dataset).count() == 0
        assert session.query(VolunteerRecord).count() == 0
        assert session.query(AuditEntry).count() == 0


def test_missing_file_and_wrong_kinds_are_400_without_server_paths(
    client: TestClient, keys: dict[str, str]
) -> None:
    files = [f for f in csv_files() if f[1][0] != "volunteers.csv"]
    response = client.post("/datasets", files=files, headers=headers(keys["coordinator"]))
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "volunteers.csv" in message and "/tmp" not in message
    for upload in (
        {"files": ("notes.txt", b"hello", "text/plain")},
        {"files": ("broken.zip", b"not a zip", "application/zip")},
        {"files": ("broken.xlsx", b"not a workbook", "application/octet-stream")},
        {"files": ("empty.zip", zip_of(SAMPLE / "nothing"), "application/zip")},
    ):
        response = client.post("/datasets", files=upload, headers=headers(keys["coordinator"]))
        assert response.status_code == 400, (upload, response.text)
        assert response.json()["errors"][0]["message"]


def test_oversized_upload_is_413(client: TestClient, keys: dict[str, str]) -> None:
    big = io.BytesIO(b"x" * (UPLOAD_LIMIT + 1))
    response = client.post(
        "/datasets",
        files={"files": ("volunteers.csv", big, "text/csv")},
        headers=headers(keys["coordinator"]),
    )
    assert response.status_code == 413
    assert client.get("/datasets", headers=headers(keys["viewer"])).json() == []


def test_delete_dataset(client: TestClient, keys: dict[str, str], dataset_id: int) -> None:
    coordinator = headers(keys["coordinator"])
    response = client.delete(f"/datasets/{dataset_id}", headers=coordinator)
    assert response.status_code == 200
    assert response.json()["removed"]["volunteers"] == EXPECTED["volunteers"]
    assert client.get(f"/datasets/{dataset_id}", headers=coordinator).status_code == 404
    assert client.delete(f"/datasets/{dataset_id}", headers=coordinator).status_code == 404
