"""Solve jobs: :func:`matcher.solver.solve.solve` in a process pool, outside the event loop.

The parent (the web server) only writes job rows and submits their ids to a
:class:`concurrent.futures.ProcessPoolExecutor`; jobs beyond its workers wait
in the pool's queue.  The child (:func:`run_job`) opens its own engine,
claims the row (queued -> running), rebuilds the Problem from the job's input
snapshot, solves, and writes the result.  A watcher thread in the child
writes the best objective and bound every half second and reads the row:
when a ``DELETE /rosters/{id}`` has set it to ``stopping`` it sets the
solver's stop event, and the best roster found is kept (status ``stopped``).

A server that starts marks every job left queued, running or stopping as
``interrupted`` (:func:`interrupt_unfinished`); a server that stops asks its
running jobs to stop, keeps their rosters and marks queued ones interrupted.
This assumes one server process per database.

A solver process dies with its server: each child watches its parent
(:func:`_watch_parent`) and ends itself within :data:`PARENT_POLL_SECONDS`
of the server's death (kill -9 included, which no signal handler sees), and
it writes a job's end only while the server lives.  So an orphan neither
finishes its job nor takes the next one from the queue, and the next server
finds those jobs unfinished and marks them interrupted.

When a solver process itself dies (killed, out of memory), the pool breaks
and every job in it gets the same error; the job that was running fails,
the pool is rebuilt and jobs that never started are queued again, at most
:data:`REQUEUES` times each (a pool that breaks before any job starts, e.g.
out of memory while importing the solver, must not respawn forever).  With
``MATCHER_SOLVE_WORKERS`` above 1, a broken pool also ends the jobs running
in its other processes: Python's pool terminates them all, so they fail too.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import multiprocessing
import os
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.store.jobs import (
    claim_job,
    end_job,
    find_job,
    interrupt_active,
    job_status,
    stop_all,
    write_progress,
)
from api.store.models import JobStatus, utcnow
from api.store.whatif import interrupt_runs
from matcher.domain import Assignment
from matcher.i18n import N_, _, set_language

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
"""How often a running job writes its progress and looks for a stop request."""

PARENT_POLL_SECONDS = 0.2
"""How often a solver process checks that its server still lives."""

REQUEUES = 2
"""How often a job that never started is queued again after its pool broke."""

ORPHAN_EXIT_CODE = 70
"""Exit status of a solver process that outlived its server."""

_server_pid: int | None = None
"""In a solver process: the pid of the server that started it."""


def _server_alive() -> bool:
    """In a solver process: whether the server that started it still lives.

    An orphan is re-parented (to init or a subreaper), so its parent pid changes.
    """
    return _server_pid is None or os.getppid() == _server_pid


def _watch_parent(server_pid: int) -> None:
    """Pool initializer: end this solver process soon after its server dies."""
    global _server_pid
    _server_pid = server_pid

    def watch() -> None:
        while True:
            if not _server_alive():
                # os._exit: no clean-up that could write to the database on the way out
                os._exit(ORPHAN_EXIT_CODE)
            threading.Event().wait(PARENT_POLL_SECONDS)

    threading.Thread(target=watch, name="server-watch", daemon=True).start()


def clean_json(value: Any) -> Any:
    """``value`` with non-finite floats as None (JSON, and PostgreSQL, have no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(v) for v in value]
    return value


@dataclasses.dataclass(frozen=True)
class JobReference:
    """The roster a job is kept close to, read for its solve."""

    assignments: tuple[Assignment, ...]
    fresh: bool
    label: str


def reference_of(session: Session, reference: dict[str, Any] | None) -> JobReference | None:
    """The reference roster a job names (``SolveJob.reference``), None without one.

    A reference roster that has no rows (it was never solved, or is gone)
    is no reference: the job plans as if none had been named.
    """
    from matcher.io.roster import roster_assignments

    if not reference or not isinstance(reference.get("roster_id"), int):
        return None
    roster_id = reference["roster_id"]
    plan = find_job(session, roster_id)
    if plan is None or not plan.roster:
        return None
    return JobReference(
        assignments=tuple(roster_assignments(plan.roster)),
        fresh=bool(reference.get("fresh")),
        # in the job's language, which the solve runs in
        label=_("the plan of record (roster {id})").format(id=roster_id),
    )


def interrupt_unfinished(session_factory: sessionmaker[Session], reason: str) -> int:
    """Mark every job not yet ended as interrupted; return how many."""
    with session_factory.begin() as session:
        return interrupt_active(session, reason)


def _finish(engine: Engine, job_id: int, **values: Any) -> bool:
    """Write the end of a job unless it already ended (e.g. marked interrupted).

    Nothing is written once the server is gone: the next server marks the job
    interrupted, as nobody was there to receive its end.
    """
    if not _server_alive():
        os._exit(ORPHAN_EXIT_CODE)
    with engine.begin() as connection:
        return end_job(connection, job_id, **values)


class _Watcher(threading.Thread):
    """Writes the latest progress and turns a ``stopping`` row into the stop event."""

    def __init__(self, engine: Engine, job_id: int, stop: threading.Event) -> None:
        super().__init__(name=f"job-{job_id}-watcher", daemon=True)
        self.engine = engine
        self.job_id = job_id
        self.stop = stop
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.latest: dict[str, Any] | None = None
        self.written: dict[str, Any] | None = None

    def report(self, stage: str, objective: float, bound: float, elapsed: float) -> None:
        from matcher.result import relative_gap

        with self.lock:
            self.latest = {
                "stage": stage,
                "objective": objective,
                "bound": bound,
                "gap": relative_gap(objective, bound),
                "elapsed": round(elapsed, 3),
            }

    def flush(self) -> None:
        with self.lock:
            latest = self.latest
        with self.engine.begin() as connection:
            if latest is not None and latest is not self.written:
                progress = clean_json({**latest, "updated_at": utcnow().isoformat()})
                write_progress(connection, self.job_id, progress)
                self.written = latest
            status = job_status(connection, self.job_id)
        if status != JobStatus.RUNNING.value:  # stopping, or ended/removed behind our back
            self.stop.set()

    def run(self) -> None:
        while not self.done.wait(POLL_SECONDS):
            try:
                self.flush()
            except Exception:  # a busy database must not kill the solve
                log.exception("job %s: progress not written", self.job_id)


def run_job(database_url: str, job_id: int) -> str:
    """Run one job in this (child) process; return its final status.

    Never raises: a failure is written to the job row as ``failed``.
    """
    from api.store.database import make_engine
    from api.store.serialize import from_json
    from matcher.domain import Problem
    from matcher.export import roster_frame, summary
    from matcher.params import params_from_mapping
    from matcher.repair import repair
    from matcher.solver.solve import solve

    if not _server_alive():  # the server died while this job waited in the queue
        os._exit(ORPHAN_EXIT_CODE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            claimed = claim_job(connection, job_id)
        if not claimed:  # stopped or interrupted while it waited
            return "skipped"
        try:
            with Session(engine) as session:
                job = find_job(session, job_id)
                assert job is not None
                # the explanations in the language of the request that made the job
                set_language(job.language)
                problem = from_json(Problem, job.problem)
                params = params_from_mapping(job.params, "params")
                reference = reference_of(session, job.reference)
            stop = threading.Event()
            watcher = _Watcher(engine, job_id, stop)
            watcher.start()
            try:
                if reference is None:
                    result = solve(problem, params, progress=watcher.report, stop=stop)
                else:
                    # a re-solve kept close to the plan of record (or only compared, when fresh)
                    result = repair(
                        problem,
                        reference.assignments,
                        params=params,
                        fresh=reference.fresh,
                        label=reference.label,
                        progress=watcher.report,
                        stop=stop,
                    ).result
            finally:
                watcher.done.set()
                watcher.join()
            status = JobStatus.STOPPED if stop.is_set() else JobStatus.DONE
            final_progress = {
                "stage": result.stages[-1].name if result.stages else "",
                "objective": result.objective,
                "bound": result.bound,
                "gap": result.gap,
                "elapsed": round(result.runtime, 3),
                "updated_at": utcnow().isoformat(),
            }
            _finish(
                engine,
                job_id,
                status=status.value,
                progress=clean_json(final_progress),
                summary=clean_json(summary(problem, result)),
                roster=roster_frame(problem, result).to_dict(orient="records"),
            )
            return status.value
        except Exception as exc:
            log.error("job %s failed:\n%s", job_id, traceback.format_exc())
            _finish(
                engine,
                job_id,
                status=JobStatus.FAILED.value,
                error=_("the solve failed: {error}").format(error=f"{type(exc).__name__}: {exc}")[
                    :2000
                ],
            )
            return JobStatus.FAILED.value
    finally:
        engine.dispose()


class JobRunner:
    """The process pool of one server, and what it does at start and stop."""

    def __init__(
        self, database_url: str, session_factory: sessionmaker[Session], workers: int = 1
    ) -> None:
        self.database_url = database_url
        self.session_factory = session_factory
        self.workers = max(1, workers)
        self.executor: ProcessPoolExecutor | None = None
        self.lock = threading.Lock()
        self.requeued: dict[int, int] = {}

    def _new_executor(self) -> ProcessPoolExecutor:
        # spawn: the child starts clean, without the server's threads, sockets or connections
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_watch_parent,
            initargs=(os.getpid(),),
        )

    def start(self) -> int:
        """Mark jobs and runs a previous server left unfinished as interrupted; open the pool."""
        reason = N_("the server stopped before this job ended; start it again")
        count = interrupt_unfinished(self.session_factory, reason)
        with self.session_factory.begin() as session:
            interrupt_runs(session, reason)
        with self.lock:
            self.executor = self._new_executor()
        return count

    def submit(self, job_id: int) -> None:
        """Queue a job (its row is committed as queued)."""
        with self.lock:
            if self.executor is None:
                raise RuntimeError("the job runner is not started")  # i18n: not shown: a bug
            try:
                executor = self.executor
                future = executor.submit(run_job, self.database_url, job_id)
            except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
                executor = self.executor = self._new_executor()
                future = executor.submit(run_job, self.database_url, job_id)
        future.add_done_callback(lambda f: self._settle(job_id, executor, f))

    def submit_task(
        self, task: Callable[..., str], *args: Any, ended: Callable[[str, str], None]
    ) -> None:
        """Queue another kind of job (a what-if run) in the same pool as the solves.

        ``task(database_url, *args)`` runs in a solver process and writes its
        own end.  ``ended(status, message)`` writes one when that process
        could not: the server stopped first (interrupted) or the process died
        (failed; the broken pool is rebuilt for the next job, and this one is
        not queued again).
        """
        with self.lock:
            if self.executor is None:
                raise RuntimeError("the job runner is not started")  # i18n: not shown: a bug
            try:
                executor = self.executor
                future = executor.submit(task, self.database_url, *args)
            except BrokenProcessPool:
                executor = self.executor = self._new_executor()
                future = executor.submit(task, self.database_url, *args)

        def settle(done: Future[str]) -> None:
            if done.cancelled():
                ended(JobStatus.INTERRUPTED.value, N_("the server stopped"))
                return
            error = done.exception()
            if error is None:
                return
            if isinstance(error, BrokenProcessPool):
                self._renew(executor)
            message = _("the solver process ended abnormally: {error}").format(
                error=f"{type(error).__name__}: {error}"
            )
            ended(JobStatus.FAILED.value, message)

        future.add_done_callback(settle)

    def _renew(self, broken: ProcessPoolExecutor) -> bool:
        """Replace ``broken`` by a new pool unless that happened already; False once shut down."""
        with self.lock:
            if self.executor is None:
                return False
            if self.executor is broken:
                self.executor = self._new_executor()
                broken.shutdown(wait=False)
            return True

    def _status(self, job_id: int) -> str | None:
        with self.session_factory() as session:
            return job_status(session, job_id)

    def _settle(self, job_id: int, executor: ProcessPoolExecutor, future: Future[str]) -> None:
        """A job whose process never wrote an end gets one here (or is queued again)."""
        if future.cancelled():
            values = {"status": JobStatus.INTERRUPTED.value, "error": N_("the server stopped")}
        elif (exc := future.exception()) is not None:
            try:
                never_started = self._status(job_id) == JobStatus.QUEUED.value
            except Exception:
                log.exception("job %s: status not read", job_id)
                never_started = False
            # the pool broke under another job: this one never ran, so it keeps its place
            again = self.requeued.get(job_id, 0) < REQUEUES
            if (
                isinstance(exc, BrokenProcessPool)
                and never_started
                and again
                and self._renew(executor)
            ):
                self.requeued[job_id] = self.requeued.get(job_id, 0) + 1
                try:
                    self.submit(job_id)
                    return
                except Exception:
                    log.exception("job %s: not queued again", job_id)
            values = {
                "status": JobStatus.FAILED.value,
                "error": _("the solver process ended abnormally: {error}").format(
                    error=f"{type(exc).__name__}: {exc}"
                ),
            }
        else:
            return
        try:
            with self.session_factory.begin() as session:
                end_job(session, job_id, **values)
        except Exception:
            log.exception("job %s: end not written", job_id)

    def shutdown(self) -> None:
        """Stop running jobs (keeping their best rosters), interrupt queued ones, close the pool."""
        with self.lock:
            executor, self.executor = self.executor, None
        if executor is None:
            return
        with self.session_factory.begin() as session:
            stop_all(session)
        executor.shutdown(wait=True, cancel_futures=True)
