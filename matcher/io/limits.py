"""Bounds on the work one load may cause: rows per sheet, cells in all, seconds.

A 215 KB workbook can hold 600,000 cells; parsed in full it kept the
service busy for half a minute before it was refused.  With
:class:`ReadLimits` the readers stop as soon as a bound is passed (a sheet's
declared size is checked before its rows are read) and raise
:class:`~matcher.errors.DatasetTooLargeError` naming the limit and the file.
"""

from __future__ import annotations

import dataclasses
import time

from matcher.errors import DatasetTooLargeError
from matcher.i18n import N_, _

__all__ = ["DEFAULT_READ_LIMITS", "ReadBudget", "ReadLimits"]


@dataclasses.dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much one load may read; None means no bound.

    Attributes
    ----------
    max_rows_per_sheet
        Most rows of one sheet or CSV file below its header row (blank rows
        count: they cost as much to read).
    max_cells
        Most cells read in all sheets together (a row counts as wide as its
        last cell, as the reader sees it).
    max_seconds
        Most seconds spent reading and checking the dataset.  The clock is
        read between chunks and rows; one step cannot be cut short: openpyxl
        parses a sheet that does not declare its size once when it opens the
        workbook.  The row and cell bounds, checked before that, keep the
        step short, so set them too.
    max_unpacked_bytes
        Most bytes of a workbook's sheets and shared strings once unzipped: a
        few thousand rows could otherwise hide one cell of gigabytes (deflate
        packs a run of one character a thousandfold), and such a cell is read
        whole whatever the row and cell counts say.
    """

    max_rows_per_sheet: int | None = None
    max_cells: int | None = None
    max_seconds: float | None = None
    max_unpacked_bytes: int | None = None

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value is not None and value <= 0:
                raise ValueError(
                    _("{field} must be positive or None, found {value}").format(
                        field=field.name, value=value
                    )
                )


DEFAULT_READ_LIMITS = ReadLimits(
    max_rows_per_sheet=20_000,
    max_cells=400_000,
    max_seconds=10.0,
    max_unpacked_bytes=100 * 1024 * 1024,
)
"""Generous bounds for data from outside (the service).

20,000 rows is 4x the 5,000 volunteers of the largest benchmark dataset;
a 20,000 x 10 sheet reads in about 2 s on the loaded 2-core test machine, and
the 600,000-cell workbook of issue 9 is refused in a fraction of a second.
Such a 20,000 x 10 sheet unzips to about 12 MB of XML, well under 100 MB.
The CLI reads without bounds unless told otherwise."""


# What each limit's refusal says (``allowed`` is the limit): the only part of a
# refusal that differs from one limit to another.
_TOO_LARGE = {
    "max_rows_per_sheet": N_(
        "too large: more than {allowed:,} rows below the header (limit max_rows_per_sheet); "
        "split the data or delete empty rows at the end"
    ),
    "max_cells": N_(
        "too large: more than {allowed:,} cells in all sheets (limit max_cells); split the "
        "data or delete unused columns"
    ),
    "max_unpacked_bytes": N_(
        "too large: the workbook unpacks to more than {allowed:,} bytes (limit "
        "max_unpacked_bytes); remove very long cells or unused sheets"
    ),
    "max_seconds": N_(
        "too large: reading took more than {allowed:g} seconds (limit max_seconds); split "
        "the data or remove unused rows and sheets"
    ),
}


class ReadBudget:
    """What one load has used of its :class:`ReadLimits`; raises when a bound is passed."""

    # The clock is read once per this many rows: cheap, and at most a few
    # milliseconds late.
    CLOCK_EVERY = 256

    def __init__(self, limits: ReadLimits | None) -> None:
        self.limits = limits or ReadLimits()
        self.cells = 0
        self.started = time.monotonic()

    @property
    def bounded(self) -> bool:
        """Whether any bound is set (without one, nothing needs counting ahead)."""
        return any(dataclasses.astuple(self.limits))

    def declared(self, file: str, rows: int | None, columns: int | None) -> None:
        """Refuse a sheet at once when the size it declares (header included) passes a bound."""
        if rows is None or columns is None:
            return
        self.check(file, rows=rows - 1, cells=self.cells + rows * columns)

    def check(self, file: str, *, rows: int | None = None, cells: int | None = None) -> None:
        """Refuse when ``rows`` (below a header) or ``cells`` (in all) pass a bound.

        Nothing is charged: this is for sizes known ahead of reading.
        """
        if rows is not None:
            self._refuse_above(file, "max_rows_per_sheet", rows)
        if cells is not None:
            self._refuse_above(file, "max_cells", cells)

    def row(self, file: str, number: int, width: int) -> None:
        """Count row ``number`` (1-based, the header is 1) of ``width`` cells."""
        self._refuse_above(file, "max_rows_per_sheet", number - 1)
        self.cells += width
        self._refuse_above(file, "max_cells", self.cells)
        if number % self.CLOCK_EVERY == 0:
            self.clock(file)

    def unpacked(self, file: str, size: int) -> None:
        """Refuse a workbook whose parts to be read unzip to more than the bound."""
        self._refuse_above(file, "max_unpacked_bytes", size)

    def clock(self, file: str) -> None:
        """Refuse when the time is up."""
        self._refuse_above(file, "max_seconds", time.monotonic() - self.started)

    def _refuse_above(self, file: str, limit: str, used: float) -> None:
        """Raise when ``used`` passes ``limit`` (a field of :class:`ReadLimits`), if it is set."""
        allowed = getattr(self.limits, limit)
        if allowed is not None and used > allowed:
            message = _(_TOO_LARGE[limit]).format(allowed=allowed)
            raise DatasetTooLargeError(file, limit, allowed, message)
