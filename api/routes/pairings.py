"""One-to-one support through the service: pair a dataset's households, follow, download.

``POST /datasets/{id}/pairings`` queues a pairing of the dataset's households
with one-to-one support (点对点帮扶) in the server's solve pool
(:mod:`api.pairing_jobs`), against the pairing in place (the dataset's last
finished run) so pairs change only when they must; ``GET /pairings/{id}``
answers the pairs, the unpaired households with reasons and whom to ask, and
the changes with their reasons; ``/pairings/{id}/export`` the files of
``matcher pair``.  Viewers read; coordinators and admins start runs.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer
from api.pairing_jobs import run_pairing
from api.pairing_schemas import PairingAccepted, PairingItem, PairingRequest, PairingView
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.routes.rosters import status_name
from api.schemas import ErrorMessage, Page
from api.store.audit import audit
from api.store.datasets import load_problem
from api.store.models import JobStatus, PairingRun
from api.store.serialize import to_json
from api.store.whatif import end_run, find_run, latest_pairing, pairings_of, queue_pairing
from matcher.i18n import _

router = APIRouter(tags=["one-to-one support"])

RunId = Annotated[int, Path(ge=1, le=2_147_483_647, description="pairing run id")]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILES = {"pairs": "pairs", "unpaired": "unpaired", "changes": "changes", "continuity": "continuity"}


def _run(session: Session, run_id: int) -> PairingRun:
    run = find_run(session, run_id, PairingRun)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no pairing run {id}").format(id=run_id))
    return run


def _pairs_of(run: PairingRun | None) -> list[dict[str, str | None]]:
    """The pairs of a finished run, as the next run's pairing in place."""
    if run is None or not run.result:
        return []
    return [
        {
            "household_id": row["household_id"],
            "primary_id": row["primary_id"],
            "backup_id": row.get("backup_id") or None,
        }
        for row in run.result.get("pairs", [])
        if row.get("primary_id")
    ]


@router.post(
    "/datasets/{dataset_id}/pairings",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Pair the households with one-to-one support: a primary and a backup each",
    description=(
        "Households whose `support` is one-to-one get a primary volunteer and a backup "
        "under the pairing rules (docs/data-format.md). The dataset's last finished "
        "pairing is kept wherever it may (a pair changes only when it must, or to pair "
        "an unpaired household) unless `fresh`. Answers 202; poll `GET /pairings/{id}`."
    ),
    responses={202: answer(description="Queued; poll the url"), **AUTH, **NOT_FOUND},
)
def start_pairing(
    dataset_id: DatasetId,
    request: Request,
    response: Response,
    session: SessionDep,
    key: Writer,
    body: PairingRequest | None = None,
) -> PairingAccepted:
    body = body or PairingRequest()
    get_dataset(session, dataset_id)
    problem = load_problem(session, dataset_id)
    before = None if body.fresh else latest_pairing(session, dataset_id)
    run = queue_pairing(
        session,
        dataset_id,
        body.model_dump(),
        to_json(problem),
        _pairs_of(before),
        key.id,
    )
    audit(
        session,
        key,
        "pairing.start",
        f"pairing:{run.id}",
        dataset_id=dataset_id,
        previous=before.id if before else None,
    )
    session.commit()
    run_id, factory = run.id, request.app.state.sessionmaker

    def ended(state: str, message: str) -> None:
        with factory.begin() as scope:
            end_run(scope, run_id, PairingRun, status=state, error=message)

    request.app.state.jobs.submit_task(run_pairing, run_id, ended=ended)
    url = f"/pairings/{run_id}"
    response.headers["Location"] = url
    return PairingAccepted(
        id=run_id, status=run.status, previous_id=before.id if before else None, url=url
    )


@router.get(
    "/datasets/{dataset_id}/pairings",
    summary="A dataset's pairing runs, newest first (the first finished one is in place)",
    responses={**AUTH, **NOT_FOUND},
)
def list_pairings(
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="runs to skip")] = 0,
    limit: Annotated[int, Query(ge=1, le=100, description="runs per page")] = 20,
) -> Page[PairingItem]:
    get_dataset(session, dataset_id)
    total, runs = pairings_of(session, dataset_id, offset, limit)
    return Page[PairingItem](
        items=[
            PairingItem(
                id=r.id,
                status=r.status,
                previous_count=len(r.previous or []),
                created_at=r.created_at,
                finished_at=r.finished_at,
            )
            for r in runs
        ],
        total=total,
        offset=offset,
        limit=limit,
    )


@router.get(
    "/pairings/{run_id}",
    summary="A pairing run: its state and, once done, pairs, unpaired households and changes",
    responses={**AUTH, **NOT_FOUND},
)
def get_pairing(run_id: RunId, session: SessionDep, key: Reader) -> PairingView:
    run = _run(session, run_id)
    result = run.result if run.status == JobStatus.DONE.value and run.result else {}
    return PairingView(
        id=run.id,
        dataset_id=run.dataset_id,
        status=run.status,
        # stored as an English message id where the server wrote it; shown translated
        error=_(run.error) if run.error else "",
        previous_count=len(run.previous or []),
        created_at=run.created_at,
        finished_at=run.finished_at,
        summary=result.get("summary"),
        pairs=result.get("pairs"),
        unpaired=result.get("unpaired"),
        changes=result.get("changes"),
        continuity=result.get("continuity"),
    )


@router.get(
    "/pairings/{run_id}/export",
    summary="Download a pairing: pairs.xlsx (Chinese headers) or one of its CSV files",
    response_class=Response,
    responses={
        200: answer(content={m: {} for m in MEDIA.values()}, description="The file"),
        409: answer(model=ErrorMessage, description="The run is not done"),
        **AUTH,
        **NOT_FOUND,
    },
)
def export_pairing(
    run_id: RunId,
    session: SessionDep,
    key: Reader,
    format: Annotated[Literal["xlsx", "csv"], Query(description="file format")] = "xlsx",
    table: Annotated[
        Literal["pairs", "unpaired", "changes", "continuity"],
        Query(description="which table, for csv"),
    ] = "pairs",
) -> Response:
    run = _run(session, run_id)
    if run.status != JobStatus.DONE.value or not run.files:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("pairing run {id} is {status}: no pairing yet").format(
                id=run.id, status=status_name(run.status)
            ),
        )
    name = "pairs.xlsx" if format == "xlsx" else f"{FILES[table]}.csv"
    return Response(
        base64.b64decode(run.files[name]),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="pairing-{run.id}-{name}"'},
    )
