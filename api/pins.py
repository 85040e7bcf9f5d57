"""Stored pins the solver would refuse, and refusing the edits that make them so.

A pin must name a pair the solver finds eligible (skills, departments, gender,
availability, blackouts, forbidden pairs, budget, travel from home ...), else
the next solve job fails.  Every write of a dataset's rows
(:mod:`api.routes.rows`, for volunteers, households, needs and the other
sheets alike) works the same way: :func:`pin_refusals` before the
change, flush the change, then :func:`refuse_broken_pins`, which compares and
answers 409 naming each pin the change breaks.  Pins that were refused before
the change are left be, so data stored before a rule existed does not block
unrelated edits.
"""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import HTTPException, status
from sqlalchemy.orm import Session

from api.store.models import Dataset
from api.store.pins import pinned_problem
from api.validation import Issue, unprocessable
from matcher.eligibility import build_eligibility
from matcher.errors import DataError
from matcher.i18n import _

PinKey = tuple[str, str]
"""A pin by ``(volunteer_id, need_id)``; the upload allows one pin per pair."""


def pin_refusals(
    session: Session, dataset: Dataset, volunteer_ids: Iterable[str] | None
) -> dict[PinKey, Issue]:
    """Stored pins a solve would refuse, with the field and the reason.

    The solver checks pins when it builds the eligible pairs
    (:func:`matcher.eligibility.build_eligibility`); this builds them for just
    the pinned volunteers and needs, with the rows shared by all (households,
    travel, departments, skills) whole, since the per-pair rules read them.
    The answer is the solve's at a fraction of the cost; only
    ``travel_minutes_default``, a solve parameter, is taken at its default.

    Parameters
    ----------
    session
        The request's session; rows flushed but not committed are seen, so a
        change can be checked before it is committed.
    dataset
        The dataset whose pins are checked.
    volunteer_ids
        Whose pins to check; ``None`` checks every volunteer's (for a change
        every pin may depend on, such as a travel time).  An empty collection
        checks nothing.

    Returns
    -------
    dict[PinKey, Issue]
        Each refused pin, by ``(volunteer_id, need_id)``, with the pin's field
        at fault (``volunteer_id`` or ``start``) and the solver's message, which
        names the volunteer, the need and the rule.  Empty when every pin is
        accepted.  Pins naming a volunteer or need that is not stored are left
        out: the routes keep those references valid themselves.
    """
    problem = pinned_problem(session, dataset, volunteer_ids)
    if problem is None:
        return {}
    try:
        build_eligibility(problem)
    except DataError as error:
        refusals: dict[PinKey, Issue] = {}
        for issue in error.issues:
            # the solver numbers pins as spreadsheet rows: the first is row 2
            index = (issue.row or 0) - 2
            if 0 <= index < len(problem.pins):
                pin = problem.pins[index]
                refusals[(pin.volunteer_id, pin.need_id)] = (
                    (issue.column or "volunteer_id",),
                    issue.message,
                )
        return refusals
    return {}


def refuse_broken_pins(
    session: Session,
    dataset: Dataset,
    volunteer_ids: Iterable[str] | None,
    before: dict[PinKey, Issue],
    written: PinKey | None = None,
) -> None:
    """Refuse a flushed change that makes a stored pin impossible.

    Call it after flushing the change and before touching the dataset or
    writing the audit log: on refusal the session is rolled back, so nothing
    of the change is kept.

    Parameters
    ----------
    session
        The request's session, holding the change flushed but not committed.
    dataset
        The dataset changed.
    volunteer_ids
        Whose pins the change can affect, as given to :func:`pin_refusals`
        for ``before`` (``None``: everyone's).
    before
        :func:`pin_refusals` of the same volunteers before the change; pins
        refused there are not held against this change.
    written
        The pin the change writes, if it is a pin: its own refusal is bad input
        (422 on its field), not a clash with what is stored.

    Raises
    ------
    HTTPException
        422 when ``written`` is refused; 409 when the change makes another
        stored pin impossible, naming each such pin and the rule it would break.
    """
    after = pin_refusals(session, dataset, volunteer_ids)
    if written is not None and written in after:
        session.rollback()
        raise unprocessable([after[written]])
    broken = [issue[1] for key, issue in after.items() if key not in before and key != written]
    if broken:
        session.rollback()
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            _(
                "this change would make a pinned assignment impossible: {reasons}. "
                "Change or delete the pin first."
            ).format(reasons=_("; ").join(broken)),
        )
