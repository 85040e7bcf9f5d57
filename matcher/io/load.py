"""Building a validated :class:`~matcher.domain.Problem` from a dataset's tables.

:func:`load_dataset` reads the files (:mod:`matcher.io.read`), then
:class:`_Builder` turns each sheet's rows into domain objects, checking
references between sheets (volunteers' departments, needs' households, ...)
and collecting every issue, so one :class:`~matcher.errors.DataError` lists
all of them and nothing is half-imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

from matcher.calendar import build_horizon
from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    Department,
    Gender,
    HistoryEntry,
    Horizon,
    Household,
    HouseholdCategory,
    Membership,
    Need,
    NeedCategory,
    Pair,
    Pin,
    Problem,
    Role,
    Travel,
    Volunteer,
    format_minutes,
)
from matcher.io.cells import cell_text, found_text, parse_festivals, parse_weekday
from matcher.io.format import MAX_HORIZON_DAYS, AvailabilityKind
from matcher.io.limits import ReadBudget, ReadLimits
from matcher.io.read import Issues, Table, read_dataset_tables
from matcher.io.rows import Row, listed_in

__all__ = ["load_dataset"]

T = TypeVar("T")


class _Builder:
    """Turns the tables into domain objects, collecting every issue."""

    def __init__(
        self, tables: Mapping[str, Table], name: str, budget: ReadBudget | None = None
    ) -> None:
        self.tables = tables
        self.name = name
        self.budget = budget or ReadBudget(None)
        self.issues = Issues()
        self.horizon: Horizon | None = None
        self.skill_names: set[str] | None = None
        self.volunteer_ids: set[str] = set()
        self.household_ids: set[str] = set()
        self.need_ids: set[str] = set()
        self.department_names: set[str] = set()

    def rows(self, sheet: str) -> Iterator[Row]:
        table = self.tables.get(sheet)
        if table is None:
            return
        for count, (number, cells) in enumerate(table.rows, start=1):
            if count % ReadBudget.CLOCK_EVERY == 0:
                self.budget.clock(table.label)  # checking rows counts against max_seconds too
            yield Row(table, number, cells, self.issues)

    def build_all(self, sheet: str, make: Callable[[Row], T | None]) -> list[T]:
        """Apply ``make`` to each row; keep the results of rows without issues.

        ``make`` reads every cell of the row before it builds anything, so all
        issues of the row are recorded; what it builds from a row with issues
        (possibly holding None placeholders) is dropped here.
        """
        built = []
        for row in self.rows(sheet):
            item = make(row)
            if row.ok and item is not None:
                built.append(item)
        return built

    def ids(self, sheet: str, column: str) -> set[str]:
        """Collect the ids of a sheet, reporting duplicates (both rows)."""
        first: dict[str, int] = {}
        for row in self.rows(sheet):
            value = cell_text(row.cells.get(column))
            if not value:
                continue
            if value in first:
                row.fail(
                    column,
                    f"expected a unique {column}, found {value!r} again "
                    f"(first on row {first[value]})",
                )
            else:
                first[value] = row.number
        return set(first)

    def build(self) -> Problem:
        self.horizon = self._horizon()
        self.department_names = self.ids("departments", "name")
        if "skills" in self.tables and self.tables["skills"].rows:
            # an empty skills sheet (as in the template) does not restrict skills
            self.skill_names = self.ids("skills", "name")
        self.volunteer_ids = self.ids("volunteers", "id")
        self.household_ids = self.ids("households", "id")
        self.need_ids = self.ids("needs", "id")

        departments = self.build_all("departments", self._department)
        skills = [row.text("name") for row in self.rows("skills")]
        volunteers = self.build_all("volunteers", self._volunteer)
        households = self.build_all("households", self._household)
        area_of = {h.id: h.area for h in households}
        needs = self.build_all("needs", lambda row: self._need(row, area_of))
        need_by_id = {n.id: n for n in needs}
        windows_and_blackouts = self.build_all("availability", self._availability)
        pairs = self.build_all("pairs", self._pair)
        pins = self._pins(need_by_id)
        history = self.build_all("history", self._history)
        travel = self._travel()
        self.issues.raise_if_any()
        assert self.horizon is not None  # a missing horizon row is an issue
        return Problem(
            horizon=self.horizon,
            volunteers=tuple(volunteers),
            needs=tuple(needs),
            households=tuple(households),
            availability=tuple(
                w for w in windows_and_blackouts if isinstance(w, AvailabilityWindow)
            ),
            blackouts=tuple(b for b in windows_and_blackouts if isinstance(b, Blackout)),
            pairs=tuple(pairs),
            pins=tuple(pins),
            history=tuple(history),
            departments=tuple(departments),
            skills=tuple(skills),
            travel=tuple(travel),
            name=self.name,
        )

    def _horizon(self) -> Horizon | None:
        rows = list(self.rows("horizon"))
        if not rows:
            table = self.tables.get("horizon")
            label = table.label if table else "horizon"
            self.issues.add(
                label,
                2,
                None,
                "expected one row with the start and end of the planning horizon, found no rows",
            )
            return None
        for extra in rows[1:]:
            extra.fail(
                None, f"expected exactly one row, found another besides row {rows[0].number}"
            )
        row = rows[0]
        start = row.date("start", required=True)
        end = row.date("end", required=True)
        extra_days = row.dates("extra_days")
        excluded_days = row.dates("excluded_days")
        festivals = row.get("festivals", parse_festivals, ())
        if start is None or end is None:
            return None
        if end < start:
            row.fail("end", f"expected an end date on or after the start {start}, found {end}")
            return None
        if (end - start).days > MAX_HORIZON_DAYS:
            row.fail(
                "end",
                f"expected at most {MAX_HORIZON_DAYS} days after the start {start}, "
                f"found {end} ({(end - start).days} days)",
            )
            return None
        outside = [
            (column, day)
            for column, days in (
                ("extra_days", extra_days),
                ("excluded_days", excluded_days),
                ("festivals", [d for d, _ in festivals]),
            )
            for day in days
            if not start <= day <= end
        ]
        for column, day in outside:
            row.fail(column, f"expected dates inside the horizon {start} .. {end}, found {day}")
        if not row.ok:
            return None
        return build_horizon(start, end, extra_days, excluded_days, festivals)

    def _department(self, row: Row) -> Department:
        return Department(
            row.text("name", required=True), row.enums("fit_categories", NeedCategory)
        )

    def _volunteer(self, row: Row) -> Volunteer:
        volunteer = Volunteer(
            id=row.text("id", required=True),
            name=row.text("name", required=True),
            role=row.enum("role", Role, required=True),  # type: ignore[arg-type]
            membership=row.enum("membership", Membership, required=True),  # type: ignore[arg-type]
            department=row.ref(
                "department",
                self.department_names,
                f"a department {listed_in('departments')}",
                required=True,
            )
            or "",
            skills=row.skills("skills", self.skill_names),
            languages=row.items("languages"),
            gender=row.enum("gender", Gender),
            max_shifts=row.integer("max_shifts", 2, lo=0),  # type: ignore[arg-type]
            max_minutes=round(row.decimal("max_hours", 8.0, lo=0) * 60),
            phone=row.text("phone"),
            home_area=row.text("home_area"),
            max_travel=row.integer("max_travel", None, lo=0),
        )
        if volunteer.max_travel is not None and not volunteer.home_area:
            # The limit is measured from home: without a home it would silently mean nothing.
            row.fail(
                "max_travel",
                f"expected a home_area (居住片区) to measure {volunteer.max_travel} travel "
                "minutes from, found an empty home_area",
            )
        return volunteer

    def _household(self, row: Row) -> Household:
        return Household(
            id=row.text("id", required=True),
            address=row.text("address", required=True),
            category=row.enum("category", HouseholdCategory, required=True),  # type: ignore[arg-type]
            area=row.text("area"),
            languages=row.items("languages"),
            preferred_gender=row.enum("preferred_gender", Gender),
            notes=row.text("notes"),
        )

    def _timing(self, row: Row) -> tuple[dt.date | None, int | None, int | None, int | None]:
        """Date, start, end and duration of a need."""
        date = row.date("date", horizon=self.horizon)
        start = row.time("start")
        end = row.time("end", end=True)
        duration = row.integer("duration_minutes", None, lo=0)
        if not row.has("date"):
            for column in ("start", "end"):
                if row.has(column):
                    row.fail(
                        column,
                        "expected no time for a need without a date (untimed), "
                        f"found {found_text(row.cells[column])}",
                    )
            return None, None, None, 60 if duration is None else duration
        for column in ("start", "end"):
            if not row.has(column):
                row.fail(column, "expected a time for a need with a date, found an empty cell")
        if start is None or end is None:
            return date, start, end, duration
        if end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
            return date, start, end, duration
        window = end - start
        if duration is None:
            duration = window
        elif duration == 0:
            row.fail(
                "duration_minutes", "expected at least 1 minute for a need with a date, found 0"
            )
        elif duration > window:
            row.fail(
                "duration_minutes",
                f"expected at most the {window} minutes from {format_minutes(start)} to "
                f"{format_minutes(end)}, found {duration}",
            )
        return date, start, end, duration

    def _need(self, row: Row, area_of: Mapping[str, str]) -> Need | None:
        category = row.enum("category", NeedCategory, required=True)
        household_id = row.ref(
            "household_id", self.household_ids, f"a household id {listed_in('households')}"
        )
        date, start, end, duration = self._timing(row)
        known_departments = self.department_names
        departments_what = f"a department {listed_in('departments')}"
        min_volunteers = row.integer("min_volunteers", 1, lo=1)
        max_volunteers = row.integer("max_volunteers", None, lo=1)
        if (
            min_volunteers is not None
            and max_volunteers is not None
            and max_volunteers < min_volunteers
        ):
            row.fail(
                "max_volunteers",
                f"expected at least min_volunteers {min_volunteers}, found {max_volunteers}",
            )
        priority = row.integer("priority", 3, lo=1, hi=5)
        need = dict(
            id=row.text("id", required=True),
            title=row.text("title", required=True),
            household_id=household_id,
            location=row.text("location"),
            area=row.text("area") or area_of.get(household_id or "", ""),
            skills=row.skills("skills", self.skill_names),
            departments=row.refs("departments", known_departments, departments_what),
            lead_required=row.flag("lead_required"),
            joint_departments=row.refs("joint_departments", known_departments, departments_what),
            required_gender=row.enum("required_gender", Gender),
            required_languages=row.items("required_languages"),
            must_cover=row.flag("must_cover"),
        )
        if None in (category, duration, min_volunteers, priority) or not row.ok:
            return None
        return Need(
            category=category,  # type: ignore[arg-type]
            duration=duration,  # type: ignore[arg-type]
            date=date,
            start=start,
            end=end,
            min_volunteers=min_volunteers,  # type: ignore[arg-type]
            max_volunteers=max_volunteers or min_volunteers,  # type: ignore[arg-type]
            priority=priority,  # type: ignore[arg-type]
            **need,
        )

    def _volunteer_ref(self, row: Row) -> str:
        what = f"a volunteer id {listed_in('volunteers')}"
        return row.ref("volunteer_id", self.volunteer_ids, what, required=True) or ""

    def _availability(self, row: Row) -> AvailabilityWindow | Blackout | None:
        volunteer_id = self._volunteer_ref(row)
        kind = row.enum("kind", AvailabilityKind, AvailabilityKind.AVAILABLE)
        date = row.date("date", horizon=self.horizon)
        weekday = row.get("weekday", parse_weekday, None)
        if kind == AvailabilityKind.BLACKOUT:
            if row.has("weekday"):
                row.fail(
                    "weekday",
                    "expected no weekday for a blackout (it needs a date), "
                    f"found {found_text(row.cells['weekday'])}",
                )
            elif not row.has("date"):
                row.fail("date", "expected a date for a blackout, found an empty cell")
            return Blackout(volunteer_id, date) if date else None
        if row.has("date") == row.has("weekday"):
            found = "both" if row.has("date") else "neither"
            row.fail("date", f"expected exactly one of date and weekday, found {found}")
        start = row.time("start", required=True)
        end = row.time("end", end=True, required=True)
        if start is None or end is None:
            return None
        if end <= start:
            row.fail(
                "end",
                f"expected an end after the start {format_minutes(start)}, "
                f"found {format_minutes(end)}",
            )
        return AvailabilityWindow(volunteer_id, start, end, date=date, weekday=weekday)

    def _pair(self, row: Row) -> Pair | None:
        volunteer_id = self._volunteer_ref(row)
        if row.has("need_id") == row.has("household_id"):
            found = "both" if row.has("need_id") else "neither"
            row.fail("need_id", f"expected exactly one of need_id and household_id, found {found}")
        need_id = row.ref("need_id", self.need_ids, f"a need id {listed_in('needs')}")
        household_id = row.ref(
            "household_id", self.household_ids, f"a household id {listed_in('households')}"
        )
        affinity = row.integer("affinity", 0)
        extra_minutes = row.integer("extra_minutes", 0, lo=0)
        return Pair(
            volunteer_id=volunteer_id,
            need_id=need_id,
            household_id=household_id,
            affinity=affinity or 0,
            forbidden=row.flag("forbidden"),
            extra_minutes=extra_minutes or 0,
        )

    def _pins(self, need_by_id: Mapping[str, Need]) -> list[Pin]:
        first: dict[tuple[str, str], int] = {}

        def make(row: Row) -> Pin:
            volunteer_id = self._volunteer_ref(row)
            need_id = (
                row.ref("need_id", self.need_ids, f"a need id {listed_in('needs')}", required=True)
                or ""
            )
            start = row.time("start")
            if (volunteer_id, need_id) in first:
                row.fail(
                    "need_id",
                    f"expected each volunteer and need pinned once, found "
                    f"{volunteer_id} on {need_id} again "
                    f"(first on row {first[(volunteer_id, need_id)]})",
                )
            first.setdefault((volunteer_id, need_id), row.number)
            need = need_by_id.get(need_id)
            if start is not None and need is not None:
                if not need.is_flexible:
                    row.fail(
                        "start",
                        f"expected no start: need {need_id} is not flexible "
                        f"(its time is fixed or it is untimed), found "
                        f"{format_minutes(start)}",
                    )
                elif not need.start <= start <= need.latest_start:  # type: ignore[operator]
                    row.fail(
                        "start",
                        f"expected a start from {format_minutes(need.start)} to "
                        f"{format_minutes(need.latest_start)} for need {need_id}, "
                        f"found {format_minutes(start)}",
                    )
            return Pin(volunteer_id, need_id, start)

        return self.build_all("pins", make)

    def _history(self, row: Row) -> HistoryEntry | None:
        volunteer_id = self._volunteer_ref(row)
        date = row.date("date", required=True)
        hours = row.decimal("hours", 0.0, lo=0)
        entry = dict(
            need_id=row.text("need_id") or None,
            household_id=row.ref(
                "household_id", self.household_ids, f"a household id {listed_in('households')}"
            ),
            category=row.enum("category", NeedCategory),
            attended=row.flag("attended", True),
        )
        if date is None:
            return None
        return HistoryEntry(volunteer_id, date, minutes=round(hours * 60), **entry)

    def _travel(self) -> list[Travel]:
        first: dict[tuple[str, str], int] = {}

        def make(row: Row) -> Travel | None:
            origin = row.text("from", required=True)
            destination = row.text("to", required=True)
            minutes = row.integer("minutes", None, lo=0, required=True)
            if (origin, destination) in first:
                row.fail(
                    "to",
                    f"expected each from/to pair once, found {origin} -> "
                    f"{destination} again (first on row {first[(origin, destination)]})",
                )
            first.setdefault((origin, destination), row.number)
            return Travel(origin, destination, minutes) if minutes is not None else None

        return self.build_all("travel", make)


def load_dataset(path: str | Path, limits: ReadLimits | None = None) -> Problem:
    """Read and validate a dataset.

    Parameters
    ----------
    path
        A folder of CSV files (``volunteers.csv`` or ``志愿者.csv``, ...) or an
        ``.xlsx`` workbook with one sheet per kind (English or Chinese names).
    limits
        Bounds on the work the load may cause (rows per sheet, cells, seconds);
        None (the default, for the CLI) reads without bounds.  Data from
        outside, as the service gets it, should be read with bounds such as
        :data:`~matcher.io.DEFAULT_READ_LIMITS`.

    Returns
    -------
    Problem
        Complete and validated; ``name`` is the folder name or workbook stem.

    Raises
    ------
    DataError
        Listing every problem found (up to :data:`MAX_ISSUES`) by file, row
        and column; structural problems (missing file or column, undecodable
        text) are raised before the rows are checked.
    DatasetTooLargeError
        A :class:`DataError` raised as soon as a bound of ``limits`` is
        passed, naming the limit and the file or sheet.
    """
    budget = ReadBudget(limits)
    tables, name = read_dataset_tables(Path(path), budget)
    return _Builder(tables, name, budget).build()
