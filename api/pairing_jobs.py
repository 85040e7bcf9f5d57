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
from typing import Any

from api.pool_runs import run_stored
from api.store.models import PairingRun
from matcher.i18n import _

EXPORTS = ("pairs.csv", "pairs.xlsx", "unpaired.csv", "changes.csv", "continuity.csv")
"""The files of ``matcher pair`` a pairing run keeps for download."""


def _rows(data: bytes) -> list[dict[str, str]]:
    """The rows of one of the pairing's CSV files (UTF-8 with a BOM)."""
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _pair(problem: Any, run: Any) -> dict[str, Any]:
    """Pair the households against the stored pairing in place; the result and files to store."""
    from api.jobs import clean_json
    from matcher.domain import SupportPair
    from matcher.pairing import PairingParams, PairingScreen, pair_households
    from matcher.pairing.export import pairing_files, pairing_report

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
    return {"result": clean_json(data), "files": kept}


def run_pairing(database_url: str, run_id: int) -> str:
    """Run one pairing in this (pool) process; return its final status.

    Never raises: a failure is written to the row as ``failed``.
    """
    return run_stored(
        database_url,
        run_id,
        PairingRun,
        _pair,
        lambda exc: _("the pairing failed: {error}").format(error=exc),
    )
