"""Building a validated :class:`~matcher.domain.Problem` from a dataset's tables.

:func:`load_dataset` reads the files (:mod:`matcher.io.read`), then
:class:`_Builder` turns each sheet's rows into domain objects.  Reading a
cell (a date, a time, a list, a number in range) is checked here; the rules
between items (references between sheets, windows, durations, pins, what
must be unique) are :mod:`matcher.validate`'s, and this module only places
each of its findings on a file, row and column.  Every issue is collected,
so one :class:`~matcher.errors.DataError` lists all of them and nothing is
half-imported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

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
    Support,
    Travel,
    VisitFrequency,
    Volunteer,
)
from matcher.errors import DataIssue
from matcher.i18n import _
from matcher.io.cells import (
    cell_text,
    found_text,
    parse_date,
    parse_festivals,
    parse_skills,
    parse_time_ranges,
    parse_weekday,
    parse_weekdays,
)
from matcher.io.format import AvailabilityKind
from matcher.io.limits import ReadBudget, ReadLimits
from matcher.io.read import Issues, Table, read_dataset_tables
from matcher.io.rows import Row
from matcher.validate import (
    Catalogue,
    Finding,
    availability_findings,
    blackout_findings,
    history_findings,
    horizon_findings,
    household_findings,
    need_findings,
    pair_findings,
    pin_findings,
    repeat_message,
    repeats,
    volunteer_findings,
    volunteer_ref,
)

FIELD_COLUMNS = {
    "volunteers": {"max_minutes": "max_hours"},
    "needs": {"duration": "duration_minutes"},
    "history": {"minutes": "hours"},
    "travel": {"origin": "from", "destination": "to"},
}
"""Columns whose name differs from the domain field a finding names."""

__all__ = ["load_dataset", "load_dataset_with_warnings"]

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
        self.known = self.catalogue()

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The horizon's first and last date, for dates written without a year."""
        return (self.horizon.start, self.horizon.end) if self.horizon else None

    def rows(self, sheet: str) -> Iterator[Row]:
        table = self.tables.get(sheet)
        if table is None:
            return
        for count, (number, cells) in enumerate(table.rows, start=1):
            if count % ReadBudget.CLOCK_EVERY == 0:
                self.budget.clock(table.label)  # checking rows counts against max_seconds too
            yield Row(table, number, cells, self.issues, self.span)

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
        rows = [(row, cell_text(row.cells.get(column))) for row in self.rows(sheet)]
        self.unique(sheet, column, rows, "id")
        return {value for _row, value in rows if value}

    def unique(self, sheet: str, column: str, keyed: list[tuple[Row, Any]], rule: str) -> None:
        """Report each row whose key (None: no key) repeats an earlier row's."""
        keys = [key or None for _row, key in keyed]
        for index, first in repeats(keys):
            row = keyed[index][0]
            message = repeat_message(rule, column, keys[index], sheet)
            first_row = keyed[first][0].number
            row.fail(
                column, _("{message} (first on row {row})").format(message=message, row=first_row)
            )

    def check(self, row: Row, sheet: str, findings: list[Finding]) -> None:
        """Place the findings of :mod:`matcher.validate` on the row's columns."""
        columns = FIELD_COLUMNS.get(sheet, {})
        for field, message in findings:
            row.fail(columns.get(field, field), message)

    def catalogue(self, needs: Mapping[str, Need] | None = None) -> Catalogue:
        """The ids seen in the files (not only the rows that built), so one typo is one issue.

        ``needs`` are the needs built so far (pins need their windows).
        """
        known = needs or {}
        return Catalogue(
            horizon=self.horizon,
            departments=frozenset(self.department_names),
            skills=frozenset(self.skill_names) if self.skill_names is not None else None,
            volunteers=frozenset(self.volunteer_ids),
            households=frozenset(self.household_ids),
            needs={need_id: known.get(need_id) for need_id in self.need_ids},
        )

    def build(self) -> Problem:
        self.horizon = self._horizon()
        self.department_names = self.ids("departments", "name")
        if "skills" in self.tables and self.tables["skills"].rows:
            # an empty skills sheet (as in the template) does not restrict skills
            self.skill_names = self.ids("skills", "name")
        self.volunteer_ids = self.ids("volunteers", "id")
        self.household_ids = self.ids("households", "id")
        self.need_ids = self.ids("needs", "id")
        self.known = self.catalogue()

        departments = self.build_all("departments", self._department)
        skills = [row.text("name") for row in self.rows("skills")]
        volunteers = self.build_all("volunteers", self._volunteer)
        households = self.build_all("households", self._household)
        area_of = {h.id: h.area for h in households}
        needs = self.build_all("needs", lambda row: self._need(row, area_of))
        need_by_id = {n.id: n for n in needs}
        self.known = self.catalogue(need_by_id)
        windows_and_blackouts = self.build_all("availability", self._availability)
        pairs = self.build_all("pairs", self._pair)
        pins = self._pins()
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
                table.header_row + 1 if table else 2,
                None,
                _("expected one row with the start and end of the planning horizon, found no rows"),
            )
            return None
        for extra in rows[1:]:
            extra.fail(
                None,
                _("expected exactly one row, found another besides row {row}").format(
                    row=rows[0].number
                ),
            )
        row = rows[0]
        start = row.date("start", required=True)  # these two need their year
        end = row.date("end", required=True)
        if start is not None and end is not None:
            row.span = (start, end)
        extra_days = row.dates("extra_days")
        excluded_days = row.dates("excluded_days")
        festivals = row.get("festivals", lambda v: parse_festivals(v, within=row.span), ())
        if start is None or end is None:
            return None
        days = {
            "extra_days": extra_days,
            "excluded_days": excluded_days,
            "festivals": [d for d, _name in festivals],
        }
        self.check(row, "horizon", horizon_findings(start, end, days))
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
            department=row.text("department", required=True),
            skills=row.get("skills", parse_skills, ()),
            languages=row.items("languages"),
            gender=row.enum("gender", Gender),
            max_shifts=row.integer("max_shifts", 2, lo=0),  # type: ignore[arg-type]
            max_minutes=round(row.decimal("max_hours", 8.0, lo=0) * 60),
            phone=row.text("phone"),
            home_area=row.text("home_area"),
            max_travel=row.integer("max_travel", None, lo=0),
            email=row.text("email"),
            max_households=row.integer("max_households", 2, lo=0),  # type: ignore[arg-type]
        )
        findings = volunteer_findings(volunteer, self.known)
        # an empty department was reported as a missing value already
        self.check(
            row, "volunteers", [f for f in findings if volunteer.department or f[0] != "department"]
        )
        return volunteer

    def _household(self, row: Row) -> Household:
        household = Household(
            id=row.text("id", required=True),
            address=row.text("address", required=True),
            category=row.enum("category", HouseholdCategory, required=True),  # type: ignore[arg-type]
            area=row.text("area"),
            languages=row.items("languages"),
            preferred_gender=row.enum("preferred_gender", Gender),
            notes=row.text("notes"),
            phone=row.text("phone"),
            support=row.enum("support", Support, Support.NONE),  # type: ignore[arg-type]
            priority=row.integer("priority", 3, lo=1, hi=5),  # type: ignore[arg-type]
            required_gender=row.enum("required_gender", Gender),
            skills=row.get("skills", parse_skills, ()),
            visit_days=row.get("visit_days", parse_weekdays, ()),
            visit_times=row.get("visit_times", parse_time_ranges, ()),
            visit_minutes=row.integer("visit_minutes", 60, lo=1),  # type: ignore[arg-type]
            visit_frequency=row.enum(  # type: ignore[arg-type]
                "visit_frequency", VisitFrequency, VisitFrequency.WEEKLY
            ),
            # visit dates may lie past the roster's horizon: a term runs for weeks
            visit_dates=row.dates("visit_dates"),
            refused=row.items("refused"),
        )
        self.check(row, "households", household_findings(household, self.known))
        return household

    def _timing(self, row: Row) -> tuple[dt.date | None, int | None, int | None, int]:
        """Date, start, end and duration of a need as written (the rules check them)."""
        date = row.date("date")
        start, end = row.window()
        duration = row.integer("duration_minutes", None, lo=0)
        if duration is not None:
            return date, start, end, duration
        if not row.has("date"):
            return date, start, end, 60
        if start is not None and end is not None and end > start:
            return date, start, end, end - start  # a fixed need fills its window
        return date, start, end, 0

    def _need(self, row: Row, area_of: Mapping[str, str]) -> Need | None:
        category = row.enum("category", NeedCategory, required=True)
        household_id = row.text("household_id") or None
        date, start, end, duration = self._timing(row)
        min_volunteers = row.integer("min_volunteers", 1, lo=1)
        max_volunteers = row.integer("max_volunteers", None, lo=1)
        priority = row.integer("priority", 3, lo=1, hi=5)
        need = Need(
            id=row.text("id", required=True),
            title=row.text("title", required=True),
            category=category,  # type: ignore[arg-type]
            duration=duration,
            date=date,
            start=start,
            end=end,
            household_id=household_id,
            location=row.text("location"),
            area=row.text("area") or area_of.get(household_id or "", ""),
            skills=row.get("skills", parse_skills, ()),
            departments=row.items("departments"),
            min_volunteers=min_volunteers or 1,
            max_volunteers=max_volunteers or min_volunteers or 1,
            priority=priority or 3,
            lead_required=row.flag("lead_required"),
            joint_departments=row.items("joint_departments"),
            required_gender=row.enum("required_gender", Gender),
            required_languages=row.items("required_languages"),
            must_cover=row.flag("must_cover"),
        )
        self.check(row, "needs", need_findings(need, self.known))
        if category is None or not row.ok:
            return None
        return need

    def _availability(self, row: Row) -> AvailabilityWindow | Blackout | None:
        volunteer_id = row.text("volunteer_id", required=True)
        kind = row.enum("kind", AvailabilityKind, AvailabilityKind.AVAILABLE)
        date = row.date("date")
        weekday = row.get("weekday", parse_weekday, None)
        if kind == AvailabilityKind.BLACKOUT:
            # a blackout row is a whole date: the sheet's shape, not a rule between items
            if row.has("weekday"):
                row.fail(
                    "weekday",
                    _("expected no weekday for a blackout (it needs a date), found {found}").format(
                        found=found_text(row.cells["weekday"])
                    ),
                )
            elif not row.has("date"):
                row.fail("date", _("expected a date for a blackout, found an empty cell"))
            if date is None:
                self.check(row, "availability", volunteer_ref(volunteer_id, self.known))
                return None
            blackout = Blackout(volunteer_id, date)
            self.check(row, "availability", blackout_findings(blackout, self.known))
            return blackout
        start, end = row.window(required=True)
        window = AvailabilityWindow(volunteer_id, start or 0, end or 0, date=date, weekday=weekday)
        findings = availability_findings(window, self.known)
        if start is None or end is None:  # missing times were reported as missing values
            findings = [f for f in findings if f[0] != "end"]
        self.check(row, "availability", findings)
        return window if start is not None and end is not None else None

    def _pair(self, row: Row) -> Pair:
        pair = Pair(
            volunteer_id=row.text("volunteer_id", required=True),
            need_id=row.text("need_id") or None,
            household_id=row.text("household_id") or None,
            affinity=row.integer("affinity", 0) or 0,
            forbidden=row.flag("forbidden"),
            extra_minutes=row.integer("extra_minutes", 0, lo=0) or 0,
        )
        self.check(row, "pairs", pair_findings(pair, self.known))
        return pair

    def _pins(self) -> list[Pin]:
        keyed: list[tuple[Row, Any]] = []

        def make(row: Row) -> Pin:
            pin = Pin(
                row.text("volunteer_id", required=True),
                row.text("need_id", required=True),
                row.time("start"),
            )
            keyed.append((row, (pin.volunteer_id, pin.need_id)))
            self.check(row, "pins", pin_findings(pin, self.known))
            return pin

        pins = self.build_all("pins", make)
        self.unique("pins", "need_id", keyed, "pin")
        return pins

    def _history(self, row: Row) -> HistoryEntry | None:
        volunteer_id = row.text("volunteer_id", required=True)
        # Past service: a date without a year is its latest day on or before the horizon's
        # end (last autumn's visit stays last autumn's, not a date after this horizon).
        end = self.horizon.end if self.horizon is not None else None
        year_back = (end - dt.timedelta(days=364), end) if end is not None else None
        date = row.get("date", lambda v: parse_date(v, within=year_back), None, required=True)
        hours = row.decimal("hours", 0.0, lo=0)
        entry = HistoryEntry(
            volunteer_id,
            date or dt.date.min,
            minutes=round(hours * 60),
            need_id=row.text("need_id") or None,
            household_id=row.text("household_id") or None,
            category=row.enum("category", NeedCategory),
            attended=row.flag("attended", True),
        )
        self.check(row, "history", history_findings(entry, self.known))
        return entry if date is not None else None

    def _travel(self) -> list[Travel]:
        keyed: list[tuple[Row, Any]] = []

        def make(row: Row) -> Travel | None:
            origin = row.text("from", required=True)
            destination = row.text("to", required=True)
            minutes = row.integer("minutes", None, lo=0, required=True)
            keyed.append((row, (origin, destination)))
            return Travel(origin, destination, minutes) if minutes is not None else None

        travel = self.build_all("travel", make)
        self.unique("travel", "to", keyed, "route")
        return travel


def load_dataset(path: str | Path, limits: ReadLimits | None = None) -> Problem:
    """Read and validate a dataset (its warnings: :func:`load_dataset_with_warnings`).

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
    return load_dataset_with_warnings(path, limits)[0]


def load_dataset_with_warnings(
    path: str | Path, limits: ReadLimits | None = None
) -> tuple[Problem, list[DataIssue]]:
    """Read and validate a dataset, and say what was read past.

    Parameters
    ----------
    path, limits
        As for :func:`load_dataset`.

    Returns
    -------
    problem
        As :func:`load_dataset` returns it.
    warnings
        What the load read past without refusing it, each a
        :class:`~matcher.errors.DataIssue` (``str()`` gives the line to show):
        a title row or blank rows above a sheet's header row, a column the
        format does not know (``column`` names it), a CSV file or workbook
        sheet that is not part of the format.  At most :data:`MAX_ISSUES`,
        then one that counts the rest.  Empty for a clean dataset.

    Raises
    ------
    DataError, DatasetTooLargeError
        As for :func:`load_dataset`; errors, not warnings, stop the load.
    """
    budget = ReadBudget(limits)
    warnings = Issues()
    tables, name = read_dataset_tables(Path(path), budget, warnings)
    return _Builder(tables, name, budget).build(), warnings.listed()
