"""The rows a pin check reads: the smallest Problem that decides some volunteers' pins.

:func:`api.pins.pin_refusals` asks the solver's own eligibility rules
(:func:`matcher.eligibility.build_eligibility`) about the stored pins; this
module reads just what those rules need, so a check after an edit costs a
fraction of a solve's set-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api.store.datasets import ITEM_KINDS
from api.store.models import (
    Dataset,
    DatasetItem,
    HouseholdRecord,
    NeedRecord,
    VolunteerRecord,
)
from api.store.serialize import from_json
from matcher.domain import Horizon, Household, Need, Pin, Problem, Volunteer

T = TypeVar("T")


def pinned_problem(
    session: Session, dataset: Dataset, volunteer_ids: Iterable[str] | None
) -> Problem | None:
    """The pins of these volunteers with what the per-pair rules read of them.

    That is the pinned volunteers and needs, these volunteers' own rows
    (availability, blackouts, pairs of the pinned needs or of households) and
    the rows shared by all (households, travel, departments, skills) whole.

    Parameters
    ----------
    session
        Rows flushed but not committed are seen, so a change can be checked
        before it is committed.
    dataset
        The dataset whose pins are read.
    volunteer_ids
        Whose pins; None: every volunteer's.

    Returns
    -------
    Problem or None
        Its ``pins`` in upload order, leaving out pins that name a volunteer
        or need not stored; None when no pin is left.
    """
    ids = None if volunteer_ids is None else sorted(set(volunteer_ids))
    if ids is not None and not ids:
        return None
    pins = _stored_pins(session, dataset.id, ids)
    if not pins:
        return None
    volunteers = _data_of(
        session, VolunteerRecord, Volunteer, dataset.id, {p.volunteer_id for p in pins}
    )
    needs = {
        n.id: n for n in _data_of(session, NeedRecord, Need, dataset.id, {p.need_id for p in pins})
    }
    present = {v.id for v in volunteers}
    pins = [p for p in pins if p.volunteer_id in present and p.need_id in needs]
    if not pins:
        return None
    fields = _rows_read(session, dataset.id, present)
    return Problem(
        horizon=from_json(Horizon, dataset.horizon),
        volunteers=volunteers,
        needs=tuple(needs.values()),
        households=_data_of(session, HouseholdRecord, Household, dataset.id, None),
        skills=tuple(
            session.scalars(
                select(DatasetItem.data["name"].as_string()).where(
                    DatasetItem.dataset_id == dataset.id, DatasetItem.kind == "skills"
                )
            )
        ),
        **{
            **fields,
            # pairs of needs outside this small problem cannot matter to its pins
            "pairs": tuple(p for p in fields["pairs"] if p.need_id is None or p.need_id in needs),
            "pins": tuple(pins),
        },
    )


def _stored_pins(session: Session, dataset_id: int, volunteer_ids: list[str] | None) -> list[Pin]:
    """The pins of these volunteers (None: everyone's), in upload order."""
    theirs = [DatasetItem.volunteer_id.in_(volunteer_ids)] if volunteer_ids is not None else []
    return [
        from_json(Pin, data)
        for data in session.scalars(
            select(DatasetItem.data)
            .where(DatasetItem.dataset_id == dataset_id, DatasetItem.kind == "pins", *theirs)
            .order_by(DatasetItem.position, DatasetItem.id)
        )
    ]


def _data_of(
    session: Session, model: Any, cls: type[T], dataset_id: int, ids: set[str] | None
) -> tuple[T, ...]:
    """The volunteers, needs or households with these ids (None: all), in upload order."""
    where = [model.dataset_id == dataset_id]
    if ids is not None:
        where.append(model.entity_id.in_(sorted(ids)))
    rows = session.scalars(select(model.data).where(*where).order_by(model.position))
    return tuple(from_json(cls, data) for data in rows)


def _rows_read(
    session: Session, dataset_id: int, volunteer_ids: set[str]
) -> dict[str, tuple[Any, ...]]:
    """What the per-pair rules read of the other sheets: these volunteers' rows, shared ones."""
    rows: dict[str, list[Any]] = {
        kind: [] for kind in ("departments", "availability", "blackouts", "pairs", "travel")
    }
    for kind, data in session.execute(
        select(DatasetItem.kind, DatasetItem.data)
        .where(
            DatasetItem.dataset_id == dataset_id,
            DatasetItem.kind.in_(tuple(rows)),
            or_(
                DatasetItem.volunteer_id.is_(None),
                DatasetItem.volunteer_id.in_(sorted(volunteer_ids)),
            ),
        )
        .order_by(DatasetItem.position, DatasetItem.id)
    ):
        rows[kind].append(data)
    return {kind: tuple(from_json(ITEM_KINDS[kind], d) for d in rows[kind]) for kind in rows}
