"""What-if runs of a dataset: start one, follow it, download its comparison.

``POST /datasets/{id}/whatif`` takes the scenarios file (docs/whatif.md) as
TOML text or JSON, checks it at once (422 with the key path of every
mistake) and queues the run in the server's solve pool
(:mod:`api.whatif_jobs`); ``GET /whatif/{id}`` follows it and answers the
comparison when done; ``/whatif/{id}/export`` gives the files of
``matcher whatif``.  Viewers read; coordinators and admins start runs.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer
from api.ledger_view import with_ledger_standing
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.routes.rosters import status_name
from api.schemas import ErrorMessage
from api.store.attendance import problem_for_solving
from api.store.audit import audit
from api.store.models import JobStatus, WhatIfRun
from api.store.serialize import to_json
from api.store.whatif import end_run, find_run, queue_run
from api.validation import unprocessable
from api.whatif_jobs import run_whatif, scenarios_of
from api.whatif_schemas import WhatIfAccepted, WhatIfRequest, WhatIfView
from matcher.errors import DataError
from matcher.i18n import _

router = APIRouter(tags=["what-if"])

RunId = Annotated[int, Path(ge=1, le=2_147_483_647, description="what-if run id")]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "json": "application/json",
}
_PATH = re.compile(r"^((?:[A-Za-z_]\w*|\[\d+\])(?:\.?(?:[A-Za-z_]\w*|\[\d+\]))*): (.*)$", re.S)


def _location(message: str) -> tuple[tuple[str | int, ...], str]:
    """``scenarios[2].remove.share: ...`` as a JSON path and the message after it."""
    match = _PATH.match(message)
    if not match:
        return (), message
    parts: list[str | int] = [
        int(part[1:-1]) if part.startswith("[") else part
        for part in re.findall(r"\[\d+\]|[A-Za-z_]\w*", match.group(1))
    ]
    return tuple(parts), match.group(2)


def _run(session: Session, run_id: int) -> WhatIfRun:
    run = find_run(session, run_id)
    if run is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no what-if run {id}").format(id=run_id))
    return run


@router.post(
    "/datasets/{dataset_id}/whatif",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a what-if run: the dataset's scenarios solved beside its base",
    description=(
        "The body is the scenarios file of `matcher whatif` (docs/whatif.md): its TOML text "
        "under `toml`, or `settings` and `scenarios` as JSON; `time_limit` (seconds per "
        "solve) overrides the file's. The file is checked at once: 422 names each mistake "
        "by its path (`loc`). A scenario that refers to something the dataset lacks runs "
        "as `invalid` with its reasons; the others run. Answers 202; poll `GET /whatif/{id}`. "
        "The run waits in the server's solve queue."
    ),
    responses={
        202: answer(description="Queued; poll the url"),
        422: answer(description="A mistake in the scenarios, with its path (loc)"),
        **AUTH,
        **NOT_FOUND,
    },
)
def start_whatif(
    dataset_id: DatasetId,
    body: WhatIfRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    key: Writer,
) -> WhatIfAccepted:
    raw = body.model_dump(exclude_none=True)
    try:
        scenarios = scenarios_of(raw)
    except DataError as error:
        issues = []
        for issue in error.issues:
            path, message = _location(issue.message)
            where: tuple[str | int, ...] = path if raw.get("toml") is None else ("toml", *path)
            issues.append((where, message))
        raise unprocessable(issues) from None
    get_dataset(session, dataset_id)
    problem = problem_for_solving(session, dataset_id)
    problem = with_ledger_standing(session, dataset_id, problem, request.app.state.ledger_rules)
    run = queue_run(session, dataset_id, raw, to_json(problem), key.id)
    audit(
        session,
        key,
        "whatif.start",
        f"whatif:{run.id}",
        dataset_id=dataset_id,
        scenarios=len(scenarios.scenarios),
    )
    session.commit()
    run_id, factory = run.id, request.app.state.sessionmaker

    def ended(state: str, message: str) -> None:
        with factory.begin() as scope:
            end_run(scope, run_id, status=state, error=message)

    request.app.state.jobs.submit_task(run_whatif, run_id, ended=ended)
    url = f"/whatif/{run_id}"
    response.headers["Location"] = url
    return WhatIfAccepted(id=run_id, status=run.status, url=url)


def _view(run: WhatIfRun) -> WhatIfView:
    return WhatIfView(
        id=run.id,
        dataset_id=run.dataset_id,
        status=run.status,
        # stored as an English message id where the server wrote it; shown translated
        error=_(run.error) if run.error else "",
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        comparison=run.comparison if run.status == JobStatus.DONE.value else None,
    )


@router.get(
    "/whatif/{run_id}",
    summary="A what-if run: its state and, once done, the comparison",
    description=(
        "`status` is queued, running, done, failed or interrupted. When done, "
        "`comparison` is the comparison.json of `matcher whatif`: the base's and each "
        "scenario's figures (coverage overall, by category and priority; unmet needs with "
        "reasons; load spread), the difference from the base, and the assignments that "
        "changed, in the language of the request that started the run."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def get_whatif(run_id: RunId, session: SessionDep, key: Reader) -> WhatIfView:
    return _view(_run(session, run_id))


@router.get(
    "/whatif/{run_id}/export",
    summary="Download a what-if comparison: XLSX, PNG chart, CSV or JSON",
    description=(
        "The files of `matcher whatif`: `xlsx` (the comparison, unmet needs and assignments "
        "changed, headers in the request's language), `png` (the chart, Chinese labels by "
        "default), `csv` (one row per run, English column names), `json`. 409 until the "
        "run is done."
    ),
    response_class=Response,
    responses={
        200: answer(
            content={
                **{m: {} for m in MEDIA.values()},
                MEDIA["json"]: {"example": {"dataset": "community_a", "base": {}, "scenarios": []}},
            },
            description="The file",
        ),
        409: answer(model=ErrorMessage, description="The run is not done"),
        **AUTH,
        **NOT_FOUND,
    },
)
def export_whatif(
    run_id: RunId,
    session: SessionDep,
    key: Reader,
    format: Annotated[
        Literal["xlsx", "png", "csv", "json"], Query(description="file format")
    ] = "xlsx",
) -> Response:
    from matcher.whatif.files import comparison_files

    run = _run(session, run_id)
    if run.status != JobStatus.DONE.value or run.comparison is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("what-if run {id} is {status}: no comparison yet").format(
                id=run.id, status=status_name(run.status)
            ),
        )
    data: dict[str, Any] = run.comparison
    content = comparison_files(data)[f"comparison.{format}"]
    name = f"whatif-{run.id}.{format}"
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
