"""Solver processes and their server: an orphan dies, a dead worker fails only its own job.

Real processes throughout: a uvicorn server started as a subprocess and
killed with SIGKILL, and the service's own spawn pool whose worker is killed.
Linux only where a test reads ``/proc`` to find a server's children.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.jobs import REQUEUES, JobRunner
from api.keys import create_key
from api.settings import Settings
from api.store.database import open_database
from api.store.datasets import save_problem
from api.store.models import SolveJob
from matcher.generate import generate_problem
from tests.api.conftest import UPLOAD_LIMIT, headers
from tests.api.test_rosters import ENDED, start, wait_for
from tests.api.test_server import ROOT, free_port

LONG = 120  # seconds a job would run if nobody stopped it


def _children(pid: int) -> list[int]:
    """Pids whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def stored(tmp_path: Path) -> tuple[str, int, str]:
    """An SQLite file with a dataset that takes CP-SAT long, and a coordinator key."""
    url = f"sqlite:///{tmp_path / 'orphans.db'}"
    engine, sessionmaker = open_database(url)
    with sessionmaker() as session:
        dataset = save_problem(session, generate_problem(600, 200, seed=1), name="generated")
        session.commit()
        dataset_id = dataset.id
    key = create_key(engine, "coordinator", "orphans")
    engine.dispose()
    return url, dataset_id, key


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc to find children")
def test_solver_process_dies_with_its_server(stored: tuple[str, int, str], tmp_path: Path) -> None:
    url, dataset_id, key = stored
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "no server"
            time.sleep(0.1)
        with httpx.Client(base_url=base, headers=headers(key), timeout=30) as http:
            ids = []
            for _ in range(2):  # one runs, one waits in the pool's queue
                answer = http.post(
                    "/rosters", json={"dataset_id": dataset_id, "params": {"time_limit": LONG}}
                )
                assert answer.status_code == 202, answer.text
                ids.append(answer.json()["id"])
            deadline = time.monotonic() + 60
            while http.get(f"/rosters/{ids[0]}").json()["progress"] is None:
                assert time.monotonic() < deadline, "the first job never reported progress"
                time.sleep(0.2)
        children = _children(server.pid)
        assert children, "the solver process is a child of the server"
        server.send_signal(signal.SIGKILL)
        server.wait()
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in children):
            assert time.monotonic() < deadline, "a solver process outlived its server"
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in children:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
    engine, sessionmaker = open_database(url)
    with sessionmaker() as session:
        statuses = [session.get(SolveJob, i).status for i in ids]  # type: ignore[union-attr]
    assert statuses == ["running", "queued"], "nothing but a live server writes a job's end"
    engine.dispose()
    restarted = create_app(settings=Settings(url, max_upload_bytes=UPLOAD_LIMIT))
    with TestClient(restarted) as client:
        jobs = [client.get(f"/rosters/{i}", headers=headers(key)).json() for i in ids]
    restarted.state.engine.dispose()
    assert [j["status"] for j in jobs] == ["interrupted", "interrupted"]


@pytest.fixture
def one_worker_app(stored: tuple[str, int, str]) -> Iterator[FastAPI]:
    url, dataset_id, key = stored
    application = create_app(settings=Settings(url, max_upload_bytes=UPLOAD_LIMIT, solve_workers=1))
    application.state.dataset, application.state.key = dataset_id, key
    yield application
    application.state.engine.dispose()


def test_a_killed_worker_fails_only_its_own_job(one_worker_app: FastAPI) -> None:
    app = one_worker_app
    key, dataset_id = app.state.key, app.state.dataset
    with TestClient(app) as client:
        running = start(client, key, dataset_id, time_limit=LONG)
        queued = start(client, key, dataset_id, time_limit=3)
        wait_for(client, key, running, lambda j: j["progress"] is not None)
        assert client.get(f"/rosters/{queued}", headers=headers(key)).json()["status"] == "queued"
        workers = list(app.state.jobs.executor._processes)  # the pool's worker pids
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)
        failed = wait_for(client, key, running, lambda j: j["status"] in ENDED, timeout=30)
        assert failed["status"] == "failed" and "ended abnormally" in failed["error"]
        done = wait_for(client, key, queued, lambda j: j["status"] in ENDED, timeout=90)
        assert done["status"] == "done", done["error"]
        assert done["summary"]["status"] in ("OPTIMAL", "FEASIBLE")
        # and the rebuilt pool takes new work
        after = start(client, key, dataset_id, time_limit=3)
        assert wait_for(client, key, after, lambda j: j["status"] in ENDED, 90)["status"] == "done"


def _die_at_start() -> None:
    """A pool initializer that fails as an out-of-memory import would: the pool breaks."""
    os._exit(3)


class _BreakingRunner(JobRunner):
    """A runner whose every pool breaks before any job starts."""

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_at_start,
        )


def test_a_pool_that_keeps_breaking_fails_the_job_instead_of_respawning(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'breaking.db'}"
    engine, sessionmaker = open_database(url)
    runner = _BreakingRunner(url, sessionmaker, 1)
    runner.start()
    try:
        with sessionmaker() as session:
            job = SolveJob(status="queued", params={}, problem={})
            session.add(job)
            session.commit()
            job_id = job.id
        runner.submit(job_id)
        deadline = time.monotonic() + 90
        while True:
            with sessionmaker() as session:
                status = session.get(SolveJob, job_id).status  # type: ignore[union-attr]
            if status != "queued":
                break
            assert time.monotonic() < deadline, "the job was queued again without end"
            time.sleep(0.2)
        assert status == "failed"
        assert runner.requeued[job_id] == REQUEUES
    finally:
        runner.shutdown()
        engine.dispose()
