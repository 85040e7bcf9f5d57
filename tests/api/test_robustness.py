"""The schema comes from the migrations and matches the models; odd input never gets a 500."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from api.store.database import make_engine, migrate
from api.store.models import Base, Dataset, DatasetItem, Proposal, ProposalEvent, SolveJob
from tests.api.conftest import csv_files, headers
from tests.test_read_limits import raw_workbook


def test_migrations_match_models(app: FastAPI) -> None:
    with app.state.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_odd_input_never_500(
    app: FastAPI, keys: dict[str, str], dataset_id: int, tmp_path: Path
) -> None:
    """The bad-input corpus: every kind the outside probe tried answers 4xx and stores nothing."""
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    json_type = {"content-type": "application/json"}
    many_rows = raw_workbook(
        tmp_path / "many.xlsx", {"volunteers": [["id"], *([f"V{i}"] for i in range(30_000))]}
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        before = client.get("/datasets", headers=coordinator).json()
        requests = [
            # text the database cannot store or UTF-8 cannot carry
            ("get", "/calendars/cal_a%00_b.ics", {"headers": {"X-API-Key": ""}}),
            ("get", f"{base}/needs/N%01", {}),
            ("post", "/rosters", {"content": b'{"dataset_id": "\\ud800"}', "headers": json_type}),
            ("post", "/keys", {"content": b'{"label": "\\udfff"}', "headers": json_type}),
            ("post", "/datasets", {"files": csv_files(), "data": {"name": "a\x00b"}}),
            # no key, or a wrong one, with a malformed body: 401 before any parsing
            ("post", "/rosters", {"content": b"{", "headers": {**json_type, "X-API-Key": ""}}),
            ("post", "/datasets", {"content": b"--", "headers": {"X-API-Key": "mk_x_y"}}),
            # uploads: encodings, sizes, shapes
            ("post", "/datasets", {"files": csv_files(volunteers=bytes(range(128, 256)) * 9)}),
            ("post", "/datasets", {"files": csv_files(volunteers="id,姓名\n".encode("utf-16-le"))}),
            (
                "post",
                "/datasets",
                {"files": [("files", ("many.xlsx", many_rows.read_bytes(), "x"))]},
            ),
            ("post", "/datasets", {"files": [("files", ("a.xlsx", b"PK\x03\x04broken", "x"))]}),
            ("post", "/datasets", {"files": [("files", ("a.zip", b"not a zip", "x"))]}),
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
        assert client.get("/datasets", headers=coordinator).json() == before
        # the skill filter treats % and _ as text, so it matched nothing above
        page = client.get(f"{base}/volunteers", params={"skill": "%"}, headers=coordinator).json()
        assert page["total"] == 0


def test_migration_0004_settles_two_plans_of_record_left_by_the_old_race(
    database_url: str,
) -> None:
    """The old publish could leave two current plans of record; upgrading must still start."""
    engine = make_engine(database_url)
    try:
        migrate(engine, "0003")
        now = dt.datetime(2026, 9, 18, 9, tzinfo=dt.UTC)
        with Session(engine) as session:
            dataset = Dataset(name="raced", horizon={})
            session.add(dataset)
            session.flush()
            # rows as revision 0003 knew them: the model's later columns are not there yet
            ids = [
                session.execute(
                    text(
                        "INSERT INTO solve_jobs (dataset_id, status, params, problem, error,"
                        " created_at, published_at) VALUES (:dataset, 'done', '{}', '{}', '',"
                        " :at, :at) RETURNING id"
                    ),
                    {"dataset": dataset.id, "at": now + dt.timedelta(seconds=i)},
                ).scalar_one()
                for i in range(2)
            ]
            for job_id in ids:
                session.add(
                    DatasetItem(
                        dataset_id=dataset.id,
                        kind="history",
                        position=job_id,
                        data={"volunteer_id": "V1", "date": "2026-09-19", "minutes": 90},
                        volunteer_id="V1",
                        need_id="N1",
                        roster_id=job_id,
                    )
                )
            session.commit()
        migrate(engine, "0005")
        with Session(engine) as session:
            # only the columns revision 0005 knows (0009's reference is not there yet)
            older, newer = (
                session.execute(
                    select(SolveJob.id, SolveJob.superseded_at, SolveJob.language).where(
                        SolveJob.id == i
                    )
                ).one()
                for i in ids
            )
            assert older.superseded_at is not None and newer.superseded_at is None
            # 0005: jobs made before it wrote their explanations in English
            assert older.language == newer.language == "en"
            kept = session.scalars(select(DatasetItem.roster_id)).all()
            assert kept == [newer.id]
        migrate(engine)
        with Session(engine) as session:
            # 0006: the drafted history is the newer roster's proposal now, unconfirmed
            assert session.scalars(select(DatasetItem)).all() == []
            (proposal,) = session.scalars(select(Proposal)).all()
            assert (proposal.roster_id, proposal.state) == (newer.id, "proposed")
            assert (proposal.volunteer_id, proposal.need_id) == ("V1", "N1")
            assert proposal.date == dt.date(2026, 9, 19)
            (event,) = session.scalars(select(ProposalEvent)).all()
            assert event.proposal_id == proposal.id and "unconfirmed" in event.note
    finally:
        engine.dispose()
