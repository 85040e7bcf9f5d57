"""One data row of a sheet, with typed getters that record issues instead of raising.

The loader reads every cell of a row through :class:`Row`, so one pass finds
every problem of the row (file, row, column, expected, found) and the
problem is built only from rows without issues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

from matcher.domain import unique
from matcher.i18n import N_, _
from matcher.io.cells import (
    DateSpan,
    cell_text,
    found_text,
    header_key,
    is_blank,
    parse_bool,
    parse_date,
    parse_enum,
    parse_list,
    parse_number,
    parse_time,
    parse_time_or_range,
    parse_whole_number,
)
from matcher.io.read import Issues, Table

__all__ = ["Row"]

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


def _column_label(column: str, header: str | None) -> str:
    if header is None or header_key(header) == header_key(column):
        return column
    return f"{header} ({column})"


_RANGE_MESSAGES = {
    (True, True): N_("expected a whole number from {low} to {high}, found {found}"),
    (True, False): N_("expected a whole number >= {low}, found {found}"),
    (False, True): N_("expected a number from {low} to {high}, found {found}"),
    (False, False): N_("expected a number >= {low}, found {found}"),
}
"""What a number out of range is told, by (whole number, upper bound given)."""


class Row:
    """One data row; every getter records an issue and returns a default on bad input.

    ``span`` is the planning horizon's first and last date, which give a date
    written without a year (``10月18日``) its year; None refuses such dates.
    """

    def __init__(
        self,
        table: Table,
        number: int,
        cells: dict[str, Any],
        issues: Issues,
        span: DateSpan | None = None,
    ):
        self.table = table
        self.number = number
        self.cells = cells
        self.issues = issues
        self.span = span
        self.ok = True

    def column(self, column: str) -> str:
        return _column_label(column, self.table.headers.get(column))

    def fail(self, column: str | None, message: str) -> None:
        self.ok = False
        label = self.column(column) if column else None
        self.issues.add(self.table.label, self.number, label, message)

    def has(self, column: str) -> bool:
        return not is_blank(self.cells.get(column))

    def get(
        self, column: str, parse: Callable[[Any], T], default: T, *, required: bool = False
    ) -> T:
        """Parse a cell; blank gives ``default`` (or an issue when required)."""
        if not self.has(column):
            if required:
                self.fail(column, _("expected a value, found an empty cell"))
            return default
        try:
            return parse(self.cells[column])
        except ValueError as exc:
            self.fail(column, str(exc))
            return default

    def text(self, column: str, *, required: bool = False) -> str:
        return self.get(column, cell_text, "", required=required)

    def integer(
        self,
        column: str,
        default: int | None,
        lo: int | None = None,
        hi: int | None = None,
        *,
        required: bool = False,
    ) -> int | None:
        value = self.get(column, parse_whole_number, default, required=required)
        # Out of range gives the default: the row is refused, and the item built from it
        # meanwhile (so its other cells are still checked) keeps the domain's invariants.
        unchecked = not self.has(column) or value is None
        if not unchecked and not self._check_range(column, value, lo, hi, whole=True):
            return default
        return value

    def decimal(self, column: str, default: float, lo: float | None = None) -> float:
        value = self.get(column, parse_number, default)
        if self.has(column) and not self._check_range(column, value, lo, None, whole=False):
            return default
        return value

    def _check_range(
        self, column: str, value: float, lo: float | None, hi: float | None, *, whole: bool
    ) -> bool:
        """Whether ``value`` is within bounds; records an issue when it is not."""
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            message = _RANGE_MESSAGES[whole, hi is not None]
            found = found_text(self.cells[column])
            self.fail(column, _(message).format(low=lo, high=hi, found=found))
            return False
        return True

    def enum(
        self, column: str, cls: type[E], default: E | None = None, *, required: bool = False
    ) -> E | None:
        return self.get(column, lambda v: parse_enum(cls, v), default, required=required)

    def enums(self, column: str, cls: type[E]) -> tuple[E, ...]:
        return self.get(
            column, lambda v: tuple(unique(parse_enum(cls, item) for item in parse_list(v))), ()
        )

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        return self.get(column, lambda v: parse_date(v, within=self.span), None, required=required)

    def dates(self, column: str) -> tuple[dt.date, ...]:
        return self.get(
            column,
            lambda v: tuple(parse_date(item, within=self.span) for item in parse_list(v)),
            (),
        )

    def time(self, column: str, *, end: bool = False, required: bool = False) -> int | None:
        return self.get(column, lambda v: parse_time(v, end=end), None, required=required)

    def window(self, *, required: bool = False) -> tuple[int | None, int | None]:
        """The ``start`` and ``end`` times of the row.

        With ``end`` empty, ``start`` may hold both (``14:00-16:00``, ``全天``):
        coordinators write a time slot in one cell.  ``required`` asks for both.
        """
        if self.has("end") or not self.has("start"):
            start = self.time("start", required=required)
            return start, self.time("end", end=True, required=required)
        start, end = self.get("start", parse_time_or_range, (None, None))
        if end is None and required:
            self.fail("end", _("expected a value, found an empty cell"))
        return start, end

    def flag(self, column: str, default: bool = False) -> bool:
        return self.get(column, parse_bool, default)

    def items(self, column: str) -> tuple[str, ...]:
        return self.get(column, parse_list, ())
