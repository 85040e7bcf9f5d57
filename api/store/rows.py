"""The SQL of a dataset's rows: volunteers, households, needs and the other sheets.

Two kinds of table hold them.  Volunteers, households and needs have a table
each, with copies of the columns their lists filter on; a row is addressed by
the spreadsheet's id (:class:`EntityTable`).  The other sheets (departments,
skills, availability, blackouts, pairs, pins, history, travel) share
:class:`~api.store.models.DatasetItem`; a row is addressed by its database id
(:class:`ItemTable`).  Both answer the same questions (a page, one row, add,
replace, delete), so the routes (:mod:`api.routes.rows`) treat every kind
alike; the other functions answer the checks of :mod:`api.row_checks`.

A list filter is named, not written in SQL (:data:`Criteria`): the route
declares the query parameters, this module knows the columns.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from api.store.datasets import household_record, item_columns, need_record, volunteer_record
from api.store.models import (
    DatasetItem,
    HouseholdRecord,
    NeedRecord,
    VolunteerRecord,
)

Criteria = Mapping[str, Any]
"""Named list filters, e.g. ``{"department": "自动控制学院", "skill": None}``.

A None value filters nothing."""

EntityModel = type[VolunteerRecord] | type[HouseholdRecord] | type[NeedRecord]
Row = TypeVar("Row", VolunteerRecord, HouseholdRecord, NeedRecord, DatasetItem)

REFERENCES = ("volunteer_id", "need_id", "household_id")
"""Columns of :class:`DatasetItem` that name a volunteer, need or household."""


def _plain(value: Any) -> Any:
    """A filter value as stored: enums by value (dates stay dates for date columns)."""
    return value.value if isinstance(value, Enum) else value


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields whose values differ, for the audit log."""
    return sorted(k for k in {*before, *after} if before.get(k) != after.get(k))


class RowTable(ABC, Generic[Row]):
    """Where the rows of one kind live, and the five things the routes ask of it."""

    kind: str
    """The kind's name: the path segment and, for items, ``DatasetItem.kind``."""

    def page(
        self, session: Session, dataset_id: int, criteria: Criteria, offset: int, limit: int
    ) -> tuple[int, list[Row]]:
        """Rows matching ``criteria`` over all pages, and one page of them in upload order."""
        where = [*self._of(dataset_id), *self.conditions(criteria)]
        total = session.scalar(select(func.count()).select_from(self._model()).where(*where))
        rows = session.scalars(
            select(self._model()).where(*where).order_by(*self._order()).offset(offset).limit(limit)
        )
        return total or 0, list(rows)

    def next_position(self, session: Session, dataset_id: int) -> int:
        """Place of a new row: after the last (0 for the first)."""
        model = self._model()
        last = session.scalar(select(func.max(model.position)).where(*self._of(dataset_id)))
        return 0 if last is None else last + 1

    def delete(self, session: Session, row: Row) -> None:
        """Delete a row (flushed with the transaction)."""
        session.delete(row)

    @abstractmethod
    def find(self, session: Session, dataset_id: int, key: Any) -> Row | None:
        """The row of the dataset with this key, None when there is none."""

    @abstractmethod
    def add(self, session: Session, dataset_id: int, value: Any) -> Row:
        """Add ``value`` (a domain row) as the dataset's last row of this kind."""

    @abstractmethod
    def replace(self, row: Row, value: Any) -> list[str]:
        """Put ``value`` in place of the row (keeping its key and place); the changed fields."""

    @abstractmethod
    def key_of(self, row: Row) -> str | int:
        """How a route addresses the row."""

    @abstractmethod
    def conditions(self, criteria: Criteria) -> list[ColumnElement[bool]]:
        """The SQL of named list filters on this kind's rows."""

    @abstractmethod
    def _model(self) -> Any:
        """The mapped class of the rows."""

    @abstractmethod
    def _of(self, dataset_id: int) -> list[ColumnElement[bool]]:
        """The condition of the dataset's rows of this kind."""

    @abstractmethod
    def _order(self) -> list[Any]:
        """Upload order."""


class EntityTable(RowTable[Any]):
    """Volunteers, households or needs: a table each, rows addressed by their id."""

    def __init__(self, kind: str, model: EntityModel, record: Callable[[int, int, Any], Any]):
        self.kind = kind
        self.model = model
        self.record = record
        """Builds the row of a domain entity: ``record(dataset_id, position, entity)``."""

    def _model(self) -> Any:
        return self.model

    def _of(self, dataset_id: int) -> list[ColumnElement[bool]]:
        return [self.model.dataset_id == dataset_id]

    def _order(self) -> list[Any]:
        return [self.model.position]

    def conditions(self, criteria: Criteria) -> list[ColumnElement[bool]]:
        where = []
        for name, value in criteria.items():
            if value is None:
                continue
            if name == "skill":  # skills are stored ";a;b;", so a whole name is one LIKE
                where.append(self.model.skills.contains(f";{value};", autoescape=True))  # type: ignore[union-attr]
            else:
                where.append(getattr(self.model, name) == _plain(value))
        return where

    def find(self, session: Session, dataset_id: int, key: Any) -> Any:
        return session.scalar(
            select(self.model).where(
                self.model.dataset_id == dataset_id, self.model.entity_id == key
            )
        )

    def add(self, session: Session, dataset_id: int, value: Any) -> Any:
        row = self.record(dataset_id, self.next_position(session, dataset_id), value)
        session.add(row)
        return row

    def replace(self, row: Any, value: Any) -> list[str]:
        new = self.record(row.dataset_id, row.position, value)
        changed = _changed(row.data, new.data)
        for column in self.model.__table__.columns.keys():  # noqa: SIM118 - names, not columns
            if column not in ("id", "dataset_id", "position", "entity_id"):
                setattr(row, column, getattr(new, column))
        return changed

    def key_of(self, row: Any) -> str:
        return row.entity_id


class ItemTable(RowTable[DatasetItem]):
    """One of the other sheets: rows of :class:`DatasetItem`, addressed by their database id."""

    def __init__(self, kind: str):
        self.kind = kind

    def _model(self) -> Any:
        return DatasetItem

    def _of(self, dataset_id: int) -> list[ColumnElement[bool]]:
        return [DatasetItem.dataset_id == dataset_id, DatasetItem.kind == self.kind]

    def _order(self) -> list[Any]:
        return [DatasetItem.position, DatasetItem.id]

    def conditions(self, criteria: Criteria) -> list[ColumnElement[bool]]:
        return item_filters(criteria)

    def find(self, session: Session, dataset_id: int, key: Any) -> DatasetItem | None:
        row = session.get(DatasetItem, key)
        if row is None or row.dataset_id != dataset_id or row.kind != self.kind:
            return None
        return row

    def add(self, session: Session, dataset_id: int, value: Any) -> DatasetItem:
        position = self.next_position(session, dataset_id)
        row = DatasetItem(
            dataset_id=dataset_id, kind=self.kind, position=position, **item_columns(value)
        )
        session.add(row)
        return row

    def replace(self, row: DatasetItem, value: Any) -> list[str]:
        columns = item_columns(value)
        changed = _changed(row.data, columns["data"])
        for name, column in columns.items():
            setattr(row, name, column)
        return changed

    def key_of(self, row: DatasetItem) -> int:
        return row.id


def item_filters(criteria: Criteria) -> list[ColumnElement[bool]]:
    """SQL of named filters on :class:`DatasetItem`: references by column, the rest in its JSON."""
    where: list[ColumnElement[bool]] = []
    for name, value in criteria.items():
        if value is None:
            continue
        if name in REFERENCES:
            where.append(getattr(DatasetItem, name) == value)
        elif name == "weekday":
            where.append(DatasetItem.data[name].as_integer() == value)
        else:  # dates are ISO text in the JSON, as to_json writes them
            text = value.isoformat() if isinstance(value, dt.date) else _plain(value)
            where.append(DatasetItem.data[name].as_string() == text)
    return where


VOLUNTEERS = EntityTable("volunteers", VolunteerRecord, volunteer_record)
HOUSEHOLDS = EntityTable("households", HouseholdRecord, household_record)
NEEDS = EntityTable("needs", NeedRecord, need_record)


# --------------------------------------------------------------------------- what rows refer to


def is_stored(session: Session, table: EntityTable, dataset_id: int, entity_id: str) -> bool:
    """Whether the dataset has a volunteer, household or need with this id."""
    model = table.model
    found = session.scalar(
        select(model.id).where(model.dataset_id == dataset_id, model.entity_id == entity_id)
    )
    return found is not None


def same_item(
    session: Session, dataset_id: int, kind: str, match: Criteria, other_than: int | None
) -> DatasetItem | None:
    """Another row of ``kind`` matching ``match`` (a duplicate), not the row ``other_than``."""
    where = [DatasetItem.dataset_id == dataset_id, DatasetItem.kind == kind, *item_filters(match)]
    if other_than is not None:
        where.append(DatasetItem.id != other_than)
    return session.scalar(select(DatasetItem).where(*where).limit(1))


def remove_items(
    session: Session, dataset_id: int, match: Criteria, kinds: tuple[str, ...] | None = None
) -> dict[str, int]:
    """Delete the dataset's other rows matching ``match`` (of ``kinds``); how many per kind."""
    condition = [DatasetItem.dataset_id == dataset_id, *item_filters(match)]
    if kinds is not None:
        condition.append(DatasetItem.kind.in_(kinds))
    counts = session.execute(
        select(DatasetItem.kind, func.count()).where(*condition).group_by(DatasetItem.kind)
    )
    removed = {kind: count for kind, count in counts}
    session.execute(delete(DatasetItem).where(*condition))
    return removed


def count_items(session: Session, dataset_id: int, kind: str, match: Criteria) -> int:
    """How many rows of ``kind`` match ``match``."""
    return (
        session.scalar(
            select(func.count()).where(
                DatasetItem.dataset_id == dataset_id,
                DatasetItem.kind == kind,
                *item_filters(match),
            )
        )
        or 0
    )


def item_data(
    session: Session, dataset_id: int, kind: str, match: Criteria
) -> list[dict[str, Any]]:
    """The JSON of the rows of ``kind`` matching ``match``, in upload order."""
    return list(
        session.scalars(
            select(DatasetItem.data)
            .where(
                DatasetItem.dataset_id == dataset_id,
                DatasetItem.kind == kind,
                *item_filters(match),
            )
            .order_by(DatasetItem.position, DatasetItem.id)
        )
    )


def names(session: Session, dataset_id: int, kind: str, other_than: int | None = None) -> list[str]:
    """The names of the dataset's departments or skills (without the row ``other_than``)."""
    where = [DatasetItem.dataset_id == dataset_id, DatasetItem.kind == kind]
    if other_than is not None:
        where.append(DatasetItem.id != other_than)
    return list(session.scalars(select(DatasetItem.data["name"].as_string()).where(*where)))


def pinned_volunteers(session: Session, dataset_id: int, match: Criteria) -> set[str]:
    """Volunteers with a pin matching ``match`` (``need_id``, or ``household_id``: its needs')."""
    pins = select(DatasetItem.volunteer_id).where(
        DatasetItem.dataset_id == dataset_id, DatasetItem.kind == "pins"
    )
    if match.get("need_id") is not None:
        pins = pins.where(DatasetItem.need_id == match["need_id"])
    if match.get("household_id") is not None:
        pins = pins.where(
            DatasetItem.need_id.in_(
                select(NeedRecord.entity_id).where(
                    NeedRecord.dataset_id == dataset_id,
                    NeedRecord.household_id == match["household_id"],
                )
            )
        )
    return {volunteer_id for volunteer_id in session.scalars(pins) if volunteer_id}


def household_needs(session: Session, dataset_id: int, household_id: str) -> list[str]:
    """Ids of the needs of a household."""
    return list(
        session.scalars(
            select(NeedRecord.entity_id).where(
                NeedRecord.dataset_id == dataset_id, NeedRecord.household_id == household_id
            )
        )
    )


def household_areas(session: Session, dataset_id: int) -> dict[str, str]:
    """Each household's area by its id ("" when it has none)."""
    rows = session.execute(
        select(HouseholdRecord.entity_id, HouseholdRecord.data["area"].as_string()).where(
            HouseholdRecord.dataset_id == dataset_id
        )
    )
    return {entity_id: area or "" for entity_id, area in rows}


def need_data(
    session: Session, dataset_id: int, need_id: str | None = None
) -> list[tuple[str, Any]]:
    """``(id, JSON)`` of the dataset's needs (or the one need), in upload order."""
    where = [NeedRecord.dataset_id == dataset_id]
    if need_id is not None:
        where.append(NeedRecord.entity_id == need_id)
    rows = session.execute(
        select(NeedRecord.entity_id, NeedRecord.data).where(*where).order_by(NeedRecord.position)
    )
    return [(entity_id, data) for entity_id, data in rows]


def volunteers_with(
    session: Session, dataset_id: int, *, department: str | None = None, skill: str | None = None
) -> list[str]:
    """Ids of the volunteers of a department or with a skill, in upload order."""
    where = [
        VolunteerRecord.dataset_id == dataset_id,
        *VOLUNTEERS.conditions({"department": department, "skill": skill}),
    ]
    return list(
        session.scalars(
            select(VolunteerRecord.entity_id).where(*where).order_by(VolunteerRecord.position)
        )
    )


def volunteer_skills(session: Session, dataset_id: int) -> set[str]:
    """Every skill name some volunteer of the dataset has."""
    used: set[str] = set()
    for text in session.scalars(
        select(VolunteerRecord.skills).where(VolunteerRecord.dataset_id == dataset_id)
    ):
        used.update(name for name in text.split(";") if name)
    return used
