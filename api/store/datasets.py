"""Keep a :class:`~matcher.domain.Problem` in the database and rebuild it exactly.

:func:`save_problem` writes one row per entity (in the caller's transaction,
so an upload is stored whole or not at all); :func:`load_problem` rebuilds
the same Problem, rows in their original order.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from api.store.models import (
    Dataset,
    DatasetItem,
    HouseholdRecord,
    NeedRecord,
    VolunteerRecord,
    utcnow,
)
from api.store.serialize import from_json, to_json
from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Department,
    HistoryEntry,
    Horizon,
    Household,
    Need,
    Pair,
    Pin,
    Problem,
    Travel,
    Volunteer,
)

# Problem fields kept in DatasetItem rows, with the class of their rows
ITEM_KINDS: dict[str, type] = {
    "departments": Department,
    "availability": AvailabilityWindow,
    "blackouts": Blackout,
    "pairs": Pair,
    "pins": Pin,
    "history": HistoryEntry,
    "travel": Travel,
}


def skills_text(volunteer: Volunteer) -> str:
    """``;name;name;`` so a skill filter is one LIKE on whole names."""
    return ";" + ";".join(s.name for s in volunteer.skills) + ";" if volunteer.skills else ""


def volunteer_record(dataset_id: int, position: int, volunteer: Volunteer) -> VolunteerRecord:
    """The row of a volunteer."""
    return VolunteerRecord(
        dataset_id=dataset_id,
        position=position,
        entity_id=volunteer.id,
        name=volunteer.name,
        department=volunteer.department,
        skills=skills_text(volunteer),
        data=to_json(volunteer),
    )


def household_record(dataset_id: int, position: int, household: Household) -> HouseholdRecord:
    """The row of a household."""
    return HouseholdRecord(
        dataset_id=dataset_id,
        position=position,
        entity_id=household.id,
        category=household.category.value,
        data=to_json(household),
    )


def need_record(dataset_id: int, position: int, need: Need) -> NeedRecord:
    """The row of a need."""
    return NeedRecord(
        dataset_id=dataset_id,
        position=position,
        entity_id=need.id,
        title=need.title,
        category=need.category.value,
        date=need.date,
        household_id=need.household_id,
        data=to_json(need),
    )


def item_columns(item: Any) -> dict[str, Any]:
    """The columns of a :class:`DatasetItem` holding ``item``: its JSON and what it refers to.

    A skill of the skills list is its name alone (``{"name": ...}``).
    """
    if isinstance(item, str):
        return {"data": {"name": item}, "volunteer_id": None, "household_id": None, "need_id": None}
    return {
        "data": to_json(item),
        "volunteer_id": getattr(item, "volunteer_id", None),
        "household_id": getattr(item, "household_id", None),
        "need_id": getattr(item, "need_id", None),
    }


def _item(dataset_id: int, kind: str, position: int, item: Any) -> DatasetItem:
    return DatasetItem(dataset_id=dataset_id, kind=kind, position=position, **item_columns(item))


def save_problem(
    session: Session, problem: Problem, name: str | None = None, created_by: int | None = None
) -> Dataset:
    """Add ``problem`` as a new dataset (flushed, not committed) and return it."""
    dataset = Dataset(
        name=(name or problem.name or "dataset")[:200],
        horizon=to_json(problem.horizon),
        created_by=created_by,
    )
    session.add(dataset)
    session.flush()
    rows: list[Any] = [volunteer_record(dataset.id, i, v) for i, v in enumerate(problem.volunteers)]
    rows += [household_record(dataset.id, i, h) for i, h in enumerate(problem.households)]
    rows += [need_record(dataset.id, i, n) for i, n in enumerate(problem.needs)]
    for kind in ITEM_KINDS:
        rows += [_item(dataset.id, kind, i, x) for i, x in enumerate(getattr(problem, kind))]
    rows += [_item(dataset.id, "skills", i, skill) for i, skill in enumerate(problem.skills)]
    session.add_all(rows)
    session.flush()
    return dataset


def load_problem(session: Session, dataset_id: int) -> Problem:
    """Rebuild the Problem of a dataset (KeyError if there is no such dataset)."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise KeyError(dataset_id)

    def entities(model: Any, cls: type) -> tuple[Any, ...]:
        rows = session.scalars(
            select(model.data).where(model.dataset_id == dataset_id).order_by(model.position)
        )
        return tuple(from_json(cls, data) for data in rows)

    items: dict[str, list[dict[str, Any]]] = {kind: [] for kind in [*ITEM_KINDS, "skills"]}
    for kind, data in session.execute(
        select(DatasetItem.kind, DatasetItem.data)
        .where(DatasetItem.dataset_id == dataset_id)
        .order_by(DatasetItem.kind, DatasetItem.position)
    ):
        items.setdefault(kind, []).append(data)
    fields: dict[str, Any] = {
        kind: tuple(from_json(cls, data) for data in items[kind])
        for kind, cls in ITEM_KINDS.items()
    }
    return Problem(
        horizon=from_json(Horizon, dataset.horizon),
        volunteers=entities(VolunteerRecord, Volunteer),
        needs=entities(NeedRecord, Need),
        households=entities(HouseholdRecord, Household),
        skills=tuple(data["name"] for data in items["skills"]),
        name=dataset.name,
        **fields,
    )


def delete_dataset(session: Session, dataset_id: int) -> bool:
    """Delete a dataset and all its rows; False when there was none."""
    for model in (DatasetItem, NeedRecord, HouseholdRecord, VolunteerRecord):
        session.execute(delete(model).where(model.dataset_id == dataset_id))
    deleted = session.execute(delete(Dataset).where(Dataset.id == dataset_id))
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


def touch(session: Session, dataset_id: int) -> None:
    """Mark a dataset as changed now."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is not None:
        dataset.updated_at = utcnow()


def problem_counts(problem: Problem) -> dict[str, int]:
    """Rows per kind of a Problem, as the API reports them."""
    return {
        f.name: len(getattr(problem, f.name))
        for f in dataclasses.fields(problem)
        if isinstance(getattr(problem, f.name), tuple)
    }


def find_dataset(session: Session, dataset_id: int) -> Dataset | None:
    """The dataset with this id, None when there is none."""
    return session.get(Dataset, dataset_id)


def all_datasets(session: Session) -> list[Dataset]:
    """Every dataset, oldest first."""
    return list(session.scalars(select(Dataset).order_by(Dataset.id)))


def dataset_counts(session: Session, dataset_ids: list[int]) -> dict[int, dict[str, int]]:
    """Rows of each kind per dataset (kinds without rows are 0 for the main three)."""
    counts: dict[int, dict[str, int]] = {
        i: {"volunteers": 0, "households": 0, "needs": 0} for i in dataset_ids
    }
    if not dataset_ids:
        return counts
    for model, kind in (
        (VolunteerRecord, "volunteers"),
        (HouseholdRecord, "households"),
        (NeedRecord, "needs"),
    ):
        rows = session.execute(
            select(model.dataset_id, func.count())
            .where(model.dataset_id.in_(dataset_ids))
            .group_by(model.dataset_id)
        )
        for dataset_id, count in rows:
            counts[dataset_id][kind] = count
    rows = session.execute(
        select(DatasetItem.dataset_id, DatasetItem.kind, func.count())
        .where(DatasetItem.dataset_id.in_(dataset_ids))
        .group_by(DatasetItem.dataset_id, DatasetItem.kind)
    )
    for dataset_id, kind, count in rows:
        counts[dataset_id][kind] = count
    return counts
