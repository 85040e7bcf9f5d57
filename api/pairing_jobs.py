"""Pairing runs in the server's process pool, beside the solve jobs (:mod:`api.jobs`).

``POST /datasets/{id}/pairings`` writes a :class:`~api.store.models.PairingRun`
and queues :func:`run_pairing` in the same pool as the solves (through
:meth:`api.jobs.JobRunner.submit_task`), so the web server never builds a
model.  The run pairs the snapshot against the pairing in place, and writes
to its row what ``GET /pairings/{id}`` answers and the files the export
route hands out.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import logging
import os
import traceback
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.store.models import JobStatus, PairingRun
from api.store.whatif import claim_run, end_run, find_run
from matcher.errors import DataError
from matcher.i18n import _, set_language

log = logging.getLogger(__name__)

EXPORTS = ("pairs.csv", "pairs.xlsx", "unpaired.csv", "changes.csv", "continuity.csv")
"""The files of ``matcher pair`` a pairing run keeps for download."""


def _rows(data: bytes) -> list[dict[str, str]]:
    """The rows of one of the pairing's CSV files (UTF-8 with a BOM)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _finish(engine: Engine, run_id: int, **values: Any) -> None:
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive

    if not _server_alive():  # nobody to receive it: the next server marks the run interrupted
        os._exit(ORPHAN_EXIT_CODE)
    with engine.begin() as connection:
        end_run(connection, run_id, PairingRun, **values)


def run_pairing(database_url: str, run_id: int) -> str:
    """Run one pairing in this (pool) process; return its final status.

    Never raises: a failure is written to the row as ``failed``.
    """
    from api.jobs import ORPHAN_EXIT_CODE, _server_alive, clean_json
    from api.store.database import make_engine
    from api.store.serialize import from_json
    from matcher.domain import Problem, SupportPair
    from matcher.pairing import PairingParams, PairingScreen, pair_households
    from matcher.pairing.export import pairing_files, pairing_report

    if not _server_alive():
        os._exit(ORPHAN_EXIT_CODE)
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            if not claim_run(connection, run_id, PairingRun):
                return "skipped"
        try:
            with Session(engine) as session:
                run = find_run(session, run_id, PairingRun)
                assert run is not None
                set_language(run.language)
                problem = from_json(Problem, run.problem)
                body = dict(run.request)
                previous = [SupportPair(**pair) for pair in run.previous]
            params = PairingParams(
                time_limit=float(body.get("time_limit") or 10.0), weeks=int(body.get("weeks") or 12)
            )
            screen = PairingScreen(problem, params.travel_minutes_default)
            result = pair_households(problem, previous, params, screen)
            report = pairing_report(problem, result, screen, previous, params)
            files = pairing_files(problem, report, screen)
            data = {
                "summary": json.loads(files["summary.json"]),
                "pairs": _rows(files["pairs.csv"]),
                "unpaired": _rows(files["unpaired.csv"]),
                "changes": _rows(files["changes.csv"]),
                "continuity": _rows(files["continuity.csv"]),
            }
            kept = {name: base64.b64encode(files[name]).decode("ascii") for name in EXPORTS}
            _finish(
                engine,
                run_id,
                status=JobStatus.DONE.value,
                result=clean_json(data),
                files=kept,
            )
            return JobStatus.DONE.value
        except Exception as exc:
            if not isinstance(exc, DataError):
                log.error("pairing run %s failed:\n%s", run_id, traceback.format_exc())
            message = _("the pairing failed: {error}").format(error=exc)
            _finish(engine, run_id, status=JobStatus.FAILED.value, error=message[:2000])
            return JobStatus.FAILED.value
    finally:
        engine.dispose()
