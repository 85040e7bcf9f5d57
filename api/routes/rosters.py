"""Solve jobs and their rosters: start, follow, stop, explain, export, publish.

A job is made from the dataset as it is now (its input snapshot is stored
with the job) and solved in the server's process pool; ``GET /rosters/{id}``
follows it.  Viewers read; coordinators and admins start, stop and publish.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer, can_see_personal_data
from api.exports import (
    assignments,
    job_problem,
    roster_book_file,
    roster_csv,
    roster_ics,
    roster_messages_file,
    roster_text_file,
    roster_xlsx,
)
from api.ledger_view import with_ledger_standing
from api.notify import Notifier
from api.record_schemas import DateField
from api.roster_schemas import (
    Explanation,
    HorizonRange,
    JobAccepted,
    JobPage,
    PublishReport,
    RosterJob,
    RosterRequest,
    RosterRow,
    SolveRequest,
)
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.schemas import ErrorMessage
from api.store.attendance import problem_for_solving
from api.store.audit import audit
from api.store.jobs import (
    find_job,
    job_page,
    job_status,
    plan_of_record,
    queue_job,
    request_stop,
)
from api.store.models import (
    ACTIVE_STATUSES,
    ApiKey,
    JobStatus,
    SolveJob,
)
from api.store.publishing import PublishConflictError, publish
from api.store.serialize import to_json
from api.validation import unprocessable
from matcher.calendar import restrict_horizon
from matcher.domain import Horizon
from matcher.errors import DataError
from matcher.i18n import N_, _
from matcher.params import params_from_mapping

router = APIRouter(tags=["rosters"])

RosterId = Annotated[int, Path(ge=1, le=2_147_483_647, description="roster (solve job) id")]
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Not possible in the job's present state")
}
ROSTERED = (JobStatus.DONE.value, JobStatus.STOPPED.value)
STATUS_NAMES = {
    JobStatus.QUEUED.value: N_("queued"),
    JobStatus.RUNNING.value: N_("running"),
    JobStatus.STOPPING.value: N_("stopping"),
    JobStatus.DONE.value: N_("done"),
    JobStatus.STOPPED.value: N_("stopped"),
    JobStatus.FAILED.value: N_("failed"),
    JobStatus.INTERRUPTED.value: N_("interrupted"),
}
"""A job's status as messages name it (the ``status`` field keeps the code)."""


def status_name(code: str | None) -> str:
    """A job status in the language in force (an unknown one as it is)."""
    return _(STATUS_NAMES[code]) if code in STATUS_NAMES else str(code)


def _job(session: Session, roster_id: int) -> SolveJob:
    job = find_job(session, roster_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no roster {id}").format(id=roster_id))
    return job


def _horizon_of(job: SolveJob) -> tuple[dt.date, dt.date] | None:
    horizon = (job.problem or {}).get("horizon") or {}
    try:
        return dt.date.fromisoformat(horizon["start"]), dt.date.fromisoformat(horizon["end"])
    except (KeyError, TypeError, ValueError):
        return None


def _overlaps(plan: tuple[dt.date, dt.date] | None, horizon: Horizon) -> bool:
    """Whether a plan's dates and a horizon share a day."""
    return plan is not None and plan[0] <= horizon.end and horizon.start <= plan[1]


def _view(job: SolveJob, full: bool = True) -> RosterJob:
    ended_with_result = job.summary is not None
    return RosterJob(
        id=job.id,
        dataset_id=job.dataset_id,
        status=job.status,
        params=job.params,
        horizon=_horizon_of(job),
        progress=job.progress,
        # stored as an English message id where the server wrote it; shown translated
        error=_(job.error) if job.error else job.error,
        created_by=job.created_by,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        published_at=job.published_at,
        superseded_at=job.superseded_at,
        summary=job.summary if full and ended_with_result else None,
        roster=[RosterRow(**row) for row in job.roster or []]
        if full and job.roster is not None
        else None,
        reference=job.reference,
    )


def _start(
    request: Request,
    session: Session,
    key: ApiKey,
    dataset_id: int,
    raw: dict[str, Any],
    horizon: HorizonRange | None = None,
    fresh: bool = False,
) -> JobAccepted:
    try:
        params = params_from_mapping(raw, "params")
    except DataError as error:
        raise unprocessable(
            [
                (
                    ("params", *(issue.column or "").split(".")) if issue.column else ("params",),
                    issue.message,
                )
                for issue in error.issues
            ]
        ) from None
    get_dataset(session, dataset_id)
    # the dataset's history and what attendance recorded of its published rosters
    problem = problem_for_solving(session, dataset_id)
    if horizon is not None:
        try:
            problem = restrict_horizon(problem, horizon.from_, horizon.to)
        except DataError as error:
            raise unprocessable(
                [(("horizon", issue.column or "from"), issue.message) for issue in error.issues]
            ) from None
    # the participation ledger as of the day before: who is behind, who tends not to come
    problem = with_ledger_standing(session, dataset_id, problem, request.app.state.ledger_rules)
    # stable by default: a plan of record for overlapping dates is kept where coverage allows
    plan = plan_of_record(session, dataset_id)
    reference = None
    if plan is not None and _overlaps(_horizon_of(plan), problem.horizon):
        reference = {"roster_id": plan.id, "fresh": fresh}
    job = queue_job(session, dataset_id, raw, to_json(problem), key.id, reference)
    audit(
        session,
        key,
        "roster.start",
        f"roster:{job.id}",
        dataset_id=dataset_id,
        time_limit=params.time_limit,
        horizon=[problem.horizon.start.isoformat(), problem.horizon.end.isoformat()],
        reference=reference,
    )
    session.commit()
    request.app.state.jobs.submit(job.id)
    return JobAccepted(id=job.id, status=job.status, url=f"/rosters/{job.id}")


ACCEPTED = {
    202: answer(description="Queued; poll the url"),
    422: answer(description="Bad parameters, with the field path (loc) of each"),
    **AUTH,
    **NOT_FOUND,
}


@router.post(
    "/rosters",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a solve of a dataset",
    description=(
        "Queues a roster solve of the dataset as it is now (the data is snapshotted with "
        "the job, so the roster can be reproduced). Answers 202 at once; poll "
        "`GET /rosters/{id}`. Jobs beyond the server's solve workers wait in a queue. "
        "Stable by default: when the dataset has a plan of record for overlapping dates, "
        "that plan is the reference (`reference` of the job) and each assignment that "
        "differs from it costs a change, ranked right after coverage; `fresh: true` plans "
        "afresh and only compares. The summary's `reference` says which, and what changed."
    ),
    responses=ACCEPTED,
)
def start_roster(
    body: RosterRequest, request: Request, response: Response, session: SessionDep, key: Writer
) -> JobAccepted:
    accepted = _start(request, session, key, body.dataset_id, body.params, body.horizon, body.fresh)
    response.headers["Location"] = accepted.url
    return accepted


@router.post(
    "/datasets/{dataset_id}/rosters",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Start a solve of this dataset",
    description="The same as `POST /rosters` with the dataset in the path.",
    responses=ACCEPTED,
)
def start_dataset_roster(
    dataset_id: DatasetId,
    request: Request,
    response: Response,
    session: SessionDep,
    key: Writer,
    body: SolveRequest | None = None,
) -> JobAccepted:
    accepted = _start(
        request,
        session,
        key,
        dataset_id,
        body.params if body else {},
        body.horizon if body else None,
        body.fresh if body else False,
    )
    response.headers["Location"] = accepted.url
    return accepted


@router.get(
    "/rosters",
    summary="List solve jobs (newest first, without rosters)",
    responses=AUTH,
)
def list_rosters(
    session: SessionDep,
    key: Reader,
    dataset_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
    job_status: Annotated[
        Literal["queued", "running", "stopping", "done", "stopped", "failed", "interrupted"] | None,
        Query(alias="status"),
    ] = None,
    published: Annotated[bool | None, Query(description="only published (or unpublished)")] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> JobPage:
    total, jobs = job_page(session, dataset_id, job_status, published, offset, limit)
    return JobPage(
        items=[_view(j, full=False) for j in jobs], total=total, offset=offset, limit=limit
    )


@router.get(
    "/rosters/{roster_id}",
    summary="Status, progress and (when ended) the roster of a job",
    responses={**AUTH, **NOT_FOUND},
)
def read_roster(roster_id: RosterId, session: SessionDep, key: Reader) -> RosterJob:
    return _view(_job(session, roster_id))


@router.delete(
    "/rosters/{roster_id}",
    summary="Stop a job, keeping the best roster found",
    description=(
        "A running job is asked to stop (status `stopping`); within about a second it ends as "
        "`stopped` with the best roster found so far. A queued job ends at once as `stopped` "
        "without a roster. A job that already ended answers 409. Nothing is deleted."
    ),
    status_code=status.HTTP_202_ACCEPTED,
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def stop_roster(roster_id: RosterId, session: SessionDep, key: Writer) -> RosterJob:
    job = _job(session, roster_id)
    # guarded writes: the solver may claim or finish the job between this read and them
    if request_stop(session, job.id) is None:
        status_now = job_status(session, job.id)
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("roster {id} already {status}").format(id=roster_id, status=status_name(status_now)),
        )
    audit(session, key, "roster.stop", f"roster:{job.id}")
    session.commit()
    return _view(find_job(session, roster_id, fresh=True) or job, full=False)


def _ended(job: SolveJob) -> dict[str, Any]:
    if job.summary is None or job.roster is None:
        if job.status in [s.value for s in ACTIVE_STATUSES]:
            message = _("roster {id} is {status}; it has no result yet")
        else:
            message = _("roster {id} is {status}; it has no result")
        raise HTTPException(
            status.HTTP_409_CONFLICT, message.format(id=job.id, status=status_name(job.status))
        )
    return job.summary


@router.get(
    "/rosters/{roster_id}/explain",
    summary="Every unmet or short need of a roster, with its reasons",
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def explain_roster(roster_id: RosterId, session: SessionDep, key: Reader) -> Explanation:
    job = _job(session, roster_id)
    summary = _ended(job)
    return Explanation(
        roster_id=job.id,
        solver_status=summary["status"],
        unmet_needs=summary.get("unmet_needs", []),
        short_needs=summary.get("short_needs", []),
    )


MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ics": "text/calendar; charset=utf-8",
    "book": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text": "text/plain; charset=utf-8",
    "messages": "text/plain; charset=utf-8",
}


@router.get(
    "/rosters/{roster_id}/export",
    summary="Download a roster: CSV, XLSX, iCalendar, the roster workbook or group-chat text",
    description=(
        "`csv`: the columns of roster.csv (UTF-8 with BOM). `xlsx`: sheet 排班表 with "
        "Chinese headers, as `matcher solve` writes it. `ics`: one event per assignment in "
        "Asia/Shanghai time; an untimed need is an all-day event over the whole horizon. "
        "For people, as `matcher solve` writes them: `book`: roster-book.xlsx (总览, one sheet "
        "per service day, 时间自定, 缺口, 志愿者名单; printable on A4). `text`: the group-chat "
        "text of the day given as `date` (every day without it), UTF-8, one line per need, "
        "split into numbered messages of at most 2048 bytes, blank lines between them; 404 "
        "when the roster has no needs that day. `messages`: one message per volunteer. "
        "Viewers get phones (at most the last 4 digits) and addresses masked."
    ),
    response_class=Response,
    responses={
        200: answer(content={m: {} for m in MEDIA.values()}, description="The file"),
        **AUTH,
        **NOT_FOUND,
        **CONFLICT,
    },
)
def export_roster(
    roster_id: RosterId,
    session: SessionDep,
    key: Reader,
    format: Annotated[
        Literal["csv", "xlsx", "ics", "book", "text", "messages"],
        Query(description="file format"),
    ] = "csv",
    day: Annotated[
        DateField | None,
        Query(alias="date", description="`text` only: the service day, e.g. 2026-09-19"),
    ] = None,
) -> Response:
    job = _job(session, roster_id)
    _ended(job)
    rows = job.roster or []
    personal = can_see_personal_data(key)
    name = f"roster-{job.id}.{format}"
    if format == "csv":
        content = roster_csv(rows)
    elif format == "xlsx":
        content = roster_xlsx(rows)
    elif format == "book":
        name, content = f"roster-{job.id}-book.xlsx", roster_book_file(job, personal)
    elif format == "text":
        try:
            name, content = roster_text_file(job, day, personal)
        except LookupError as error:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    elif format == "messages":
        name, content = roster_messages_file(job, personal)
    else:
        problem = job_problem(job)
        content = roster_ics(
            problem, assignments(rows), f"排班 {problem.name} #{job.id}", f"roster{job.id}"
        )
    return Response(
        content,
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/rosters/{roster_id}/publish",
    summary="Publish a roster as the dataset's plan of record",
    description=(
        "Only a job that ended (done or stopped) with a roster keeping every hard rule. "
        "The roster is frozen as its dataset's plan of record (a roster published earlier "
        "for the dataset is superseded) and each assignment becomes a proposal its "
        "volunteer confirms or declines (`/rosters/{id}/proposals`). An assignment "
        "identical in the superseded plan keeps its answer (a confirmed volunteer is not "
        "asked again); that plan's open proposals missing here are cancelled. Nothing is "
        "written to the history: the history is what happened, from attendance."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT},
)
def publish_roster(
    roster_id: RosterId, session: SessionDep, key: Writer, notify: Notifier
) -> PublishReport:
    job = _job(session, roster_id)
    summary = _ended(job)
    if job.status not in ROSTERED:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("roster {id} is {status}").format(id=job.id, status=status_name(job.status)),
        )
    if summary["status"] not in ("OPTIMAL", "FEASIBLE"):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("roster {id} has solver status {solver_status}: no roster to publish").format(
                id=job.id, solver_status=summary["status"]
            ),
        )
    if job.published_at is not None:
        raise HTTPException(
            status.HTTP_409_CONFLICT, _("roster {id} is already published").format(id=job.id)
        )
    if job.dataset_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, _("the roster's dataset was deleted"))
    try:
        published = publish(session, job, assignments(job.roster or []), key.id)
    except PublishConflictError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    audit(
        session,
        key,
        "roster.publish",
        f"roster:{job.id}",
        dataset_id=job.dataset_id,
        proposals_made=published.proposals_made,
        proposals_kept=published.proposals_kept,
        proposals_cancelled=published.proposals_cancelled,
        proposals_moved=published.proposals_moved,
        superseded=published.superseded,
    )
    # each volunteer asked gets the proposal with their link; the cancelled are told
    notify(session, published.notices, key.id)
    session.commit()
    return PublishReport(
        roster_id=job.id,
        dataset_id=job.dataset_id,
        published_at=published.published_at,
        proposals_made=published.proposals_made,
        proposals_kept=published.proposals_kept,
        proposals_cancelled=published.proposals_cancelled,
        proposals_moved=published.proposals_moved,
        superseded=published.superseded,
    )
