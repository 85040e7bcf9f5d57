"""Recommendations and repairs of a roster: who could take a need, and a minimal-change repair.

``GET /rosters/{id}/recommend?need=N`` ranks who could take one need of the
roster as it stands (:mod:`matcher.recommend`); ``POST /rosters/{id}/repair``
repairs it for volunteers who cancelled (:mod:`matcher.repair`), in the
request (under a second on a community's roster, at most
:data:`REPAIR_SECONDS`), and stores the repaired roster as a draft roster
job: nothing changes until a coordinator publishes that draft with
``POST /rosters/{draft}/publish``, which carries confirmed answers over and
cancels or moves the rest (:func:`api.store.proposals.propose_roster`).

A published roster stands as its proposals do: the open ones (proposed or
confirmed) are the plan, and a declined proposal is a gap its volunteer is
not asked to fill again.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer
from api.exports import assignments, job_problem
from api.jobs import clean_json
from api.proposal_views import assignment_of
from api.repair_schemas import (
    Candidate,
    DiffRow,
    PlanAssignment,
    RecommendationList,
    RepairProposal,
    RepairRequest,
)
from api.roster_schemas import RosterRow
from api.routes.common import AUTH, NOT_FOUND, answer
from api.routes.rosters import CONFLICT, ROSTERED, RosterId, _ended, _job
from api.store.audit import audit
from api.store.jobs import add_draft
from api.store.models import JobStatus, SolveJob
from api.store.proposals import DECLINED, open_proposals, proposal_page
from api.store.serialize import to_json
from matcher.domain import Assignment, Problem, format_minutes
from matcher.errors import DataError
from matcher.i18n import _
from matcher.params import params_from_mapping

router = APIRouter(tags=["rosters"])

REPAIR_SECONDS = 20.0
"""Longest a repair may take in the request (the job's own time limit, when shorter)."""


def _plan(session: Session, job: SolveJob) -> tuple[list[Assignment], list[tuple[str, str]]]:
    """The roster as it stands, and the (volunteer, need) pairs its volunteers declined."""
    if job.published_at is None:
        return assignments(job.roster or []), []
    held = [assignment_of(p) for p in open_proposals(session, job.id)]
    declined = proposal_page(session, job.id, state=DECLINED, limit=1_000_000)[1]
    return held, [(p.volunteer_id, p.need_id) for p in declined]


def _query_error(name: str, message: str) -> HTTPException:
    """A 422 naming the query parameter, in FastAPI's own shape."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}],
    )


def _assignment_view(problem: Problem, a: Assignment) -> PlanAssignment:
    need = problem.need_index.get(a.need_id)
    return PlanAssignment(
        need_id=a.need_id,
        need_title=problem.needs[need].title if need is not None else "",
        volunteer_id=a.volunteer_id,
        date=a.date.isoformat() if a.date else "",
        start=format_minutes(a.start),
        end=format_minutes(a.end),
    )


@router.get(
    "/rosters/{roster_id}/recommend",
    summary="Who could take one need of a roster, ranked, with every objective term's change",
    description=(
        "For one need (unstaffed, short, or left short by a decline or a cancellation), "
        "every volunteer who could take it with the rest of the plan fixed: what they would "
        "leave (an assignment that clashes, or one a cap makes them give up), whose team "
        "would fall apart with it, and the change of every objective term. Ranked as the "
        "solver ranks rosters: coverage, then the fewest changes, then the households' "
        "wishes, then the soft rules. A published roster stands as its open proposals; "
        "who declined the need is not named. `cancel` leaves volunteers out."
    ),
    responses={**AUTH, **NOT_FOUND, **CONFLICT, 422: answer(description="Unknown need or id")},
)
def recommend_for_need(
    roster_id: RosterId,
    session: SessionDep,
    key: Reader,
    need: Annotated[str, Query(min_length=1, max_length=100, description="need id, e.g. N058")],
    cancel: Annotated[
        list[str] | None, Query(max_length=1000, description="volunteer ids who cancelled")
    ] = None,
    limit: Annotated[int, Query(ge=0, le=1000, description="candidates at most (0: all)")] = 10,
) -> RecommendationList:
    from matcher.recommend import recommend

    job = _job(session, roster_id)
    _ended(job)
    problem = job_problem(job)
    plan, declined = _plan(session, job)
    if need not in problem.need_index:
        message = _("expected a need id of the dataset, found unknown {value!r}")
        raise _query_error("need", message.format(value=need))
    params = params_from_mapping(job.params or {})
    excluded = {v for v, n in declined if n == need}
    try:
        found = recommend(problem, plan, need, params, cancel or [], limit, excluded=excluded)
    except DataError as error:
        raise _query_error("cancel", error.issues[0].message) from None
    return RecommendationList(
        roster_id=job.id,
        need_id=found.need_id,
        title=found.title,
        min_volunteers=found.min_volunteers,
        max_volunteers=found.max_volunteers,
        team=list(found.team),
        eligible=found.eligible,
        terms=found.terms,
        runtime=round(found.runtime, 4),
        candidates=[
            Candidate(
                volunteer_id=c.volunteer_id,
                name=c.name,
                department=c.department,
                staffs=c.staffs,
                short_after=c.short_after,
                changes=c.changes,
                deltas=c.deltas,
                soft=c.soft,
                joins=[_assignment_view(problem, a) for a in c.joins],
                leaves=[_assignment_view(problem, a) for a in c.leaves],
                dropped=[_assignment_view(problem, a) for a in c.dropped],
                why=c.why,
            )
            for c in found.candidates
        ],
    )


def _repairable(job: SolveJob) -> None:
    """409 unless the job ended with a roster that keeps every rule, in a dataset that exists."""
    summary = _ended(job)
    if job.status not in ROSTERED or summary["status"] not in ("OPTIMAL", "FEASIBLE"):
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("roster {id} has solver status {solver_status}: no roster to publish").format(
                id=job.id, solver_status=summary["status"]
            ),
        )
    if job.dataset_id is None:
        raise HTTPException(status.HTTP_409_CONFLICT, _("the roster's dataset was deleted"))


@router.post(
    "/rosters/{roster_id}/repair",
    summary="Repair a roster for volunteers who cancelled, changing as little as possible",
    description=(
        "Solves the roster's data again with the roster as it stands as the reference: "
        "coverage first, then the fewest changes (each assignment that differs costs one), "
        "then the wishes and the soft rules, so nothing moves unless it staffs more. The "
        "cancelled volunteers are unavailable from `from` on (needs before it stay as "
        "published); who declined a proposal is not planned on that need again. Runs in "
        "the request and changes nothing in the plan: the repaired roster is stored as a "
        "draft roster job (`roster_id`) with its diff; publish it with `publish_url` to make "
        "it the plan of record (confirmed answers carry over, the rest are cancelled or "
        "moved and their volunteers told). 409 when no roster keeps every rule."
    ),
    status_code=status.HTTP_201_CREATED,
    responses={
        201: answer(description="The draft roster and its diff"),
        **AUTH,
        **NOT_FOUND,
        **CONFLICT,
        422: answer(description="An unknown volunteer id, with its place in `cancelled`"),
    },
)
def repair_roster(
    roster_id: RosterId, body: RepairRequest, session: SessionDep, key: Writer
) -> RepairProposal:
    from matcher.export import roster_frame, summary
    from matcher.repair import diff_rows, repair

    job = _job(session, roster_id)
    _repairable(job)
    problem = job_problem(job)
    plan, declined = _plan(session, job)
    params = params_from_mapping(job.params or {})
    params = params.replace(time_limit=min(params.time_limit, REPAIR_SECONDS))
    label = (
        _("the plan of record (roster {id})").format(id=job.id)
        if job.published_at is not None and job.superseded_at is None
        else _("roster {id}").format(id=job.id)
    )
    try:
        repaired = repair(
            problem,
            plan,
            body.cancelled,
            params,
            frozen_before=body.from_,
            label=label,
            declined=declined,
        )
    except DataError as error:
        issue = error.issues[0]
        where: list[Any] = ["body", "cancelled"]
        if issue.row is not None:
            where.append(issue.row - 1)
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            detail=[{"loc": where, "msg": issue.message, "type": "value_error"}],
        ) from None
    result = repaired.result
    if not result.has_roster or result.reference is None:
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _("no repaired roster keeps every hard rule: {message}").format(message=result.message),
        )
    rows = roster_frame(repaired.problem, result).to_dict(orient="records")
    stored = {
        "status": JobStatus.DONE.value,
        "progress": clean_json(
            {
                "stage": result.stages[-1].name if result.stages else "",
                "objective": result.objective,
                "bound": result.bound,
                "gap": result.gap,
                "elapsed": round(result.runtime, 3),
            }
        ),
        "summary": clean_json(summary(repaired.problem, result)),
        "roster": rows,
    }
    reference = {"roster_id": job.id, "fresh": False, "cancelled": list(repaired.cancelled)}
    draft = add_draft(session, job, to_json(repaired.problem), reference, key.id, stored)
    audit(
        session,
        key,
        "roster.repair",
        f"roster:{job.id}",
        dataset_id=job.dataset_id,
        draft=draft.id,
        cancelled=list(repaired.cancelled),
        changes=len(repaired.changes),
    )
    session.commit()
    return RepairProposal(
        roster_id=draft.id,
        repaired_id=job.id,
        url=f"/rosters/{draft.id}",
        publish_url=f"/rosters/{draft.id}/publish",
        status=str(result.status),
        message=result.reference.message,
        reference=result.reference.as_dict(),
        changes=[DiffRow(**row) for row in diff_rows(repaired.problem, repaired.changes)],
        roster=[RosterRow(**row) for row in rows],
    )
