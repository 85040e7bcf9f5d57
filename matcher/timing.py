"""When a volunteer is busy: travel between places, spans, clashes and bookings.

One place decides when two assignments of a volunteer clash, so that the
solver's constraints, the greedy roster and the explanations of unmet needs
agree on it:

* a *span* is the time a booking occupies: the need's exact time, and for a
  flexible need also a buffer of the longest travel into and out of its
  place (the model keeps that buffer so that its no-overlap constraint
  stays linear in the number of pairs);
* two spans on the same date *clash* when their buffered times overlap or
  when the gap between their exact times is shorter than the travel from
  the first place to the second;
* :class:`Bookings` holds the shifts, minutes and spans of every volunteer
  of a roster, and says whether one more assignment still fits.

:mod:`matcher.check` keeps its own code for these rules on purpose: it is
the independent second opinion on every roster.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict

import numpy as np

from matcher.domain import Need, Problem


@dataclasses.dataclass(frozen=True, slots=True)
class Span:
    """The time one booking occupies on its date.

    ``start``/``end`` are the exact minutes (for an unscheduled flexible need,
    its whole window); ``before``/``after`` the travel buffer around a
    flexible need (0 for fixed needs); ``place`` the code of its place in
    the :class:`TravelTable`.
    """

    date: dt.date
    start: int
    end: int
    place: int
    before: int = 0
    after: int = 0

    @property
    def padded_start(self) -> int:
        """Start including the travel buffer."""
        return self.start - self.before

    @property
    def padded_end(self) -> int:
        """End including the travel buffer."""
        return self.end + self.after


@dataclasses.dataclass(frozen=True)
class TravelTable:
    """Travel minutes between the places of a problem's needs.

    ``buffer_in[c]`` and ``buffer_out[c]`` are the longest travel into and out
    of place ``c``: the buffer a flexible need keeps around itself.
    """

    code: dict[str, int]
    minutes: np.ndarray
    buffer_in: np.ndarray
    buffer_out: np.ndarray
    rows: list[list[int]] = dataclasses.field(default_factory=list, compare=False)
    """``minutes`` as plain lists: the clash tests run per pair, where numpy indexing is slow."""

    @classmethod
    def of(cls, problem: Problem, default: int) -> TravelTable:
        """Build the table for every place named by a need."""
        places = sorted({n.place for n in problem.needs})
        minutes = np.array(
            [[problem.travel_minutes(a, b, default) for b in places] for a in places],
            dtype=np.int64,
        ).reshape(len(places), len(places))
        empty = np.zeros(len(places), dtype=np.int64)
        return cls(
            code={p: i for i, p in enumerate(places)},
            minutes=minutes,
            buffer_in=minutes.max(axis=0) if len(places) else empty,
            buffer_out=minutes.max(axis=1) if len(places) else empty,
            rows=minutes.tolist(),
        )

    def buffer(self, need: Need) -> tuple[int, int]:
        """Minutes kept free before and after a need: the travel buffer of a flexible need.

        A fixed need has none: its travel is checked against each neighbour.
        """
        if not need.is_flexible:
            return 0, 0
        place = self.code[need.place]
        return int(self.buffer_in[place]), int(self.buffer_out[place])

    def span(self, need: Need, start: int | None) -> Span | None:
        """The span of a booking of ``need`` starting at ``start`` (None if untimed).

        ``start`` None on a timed need means "somewhere in its window": the
        span is then the whole window (the exact time of a fixed need).
        """
        if need.date is None:
            return None
        assert need.start is not None and need.end is not None
        before, after = self.buffer(need)
        if start is None:
            begin, end = need.start, need.end
        else:
            begin, end = start, start + need.duration
        return Span(need.date, begin, end, self.code[need.place], before, after)

    def too_close(self, earlier: Span, later: Span) -> bool:
        """Whether ``later`` starts after ``earlier`` ends but before one can travel there."""
        return 0 <= later.start - earlier.end < self.rows[earlier.place][later.place]

    def clash(self, a: Span, b: Span) -> bool:
        """Whether one volunteer cannot hold both bookings (the model's rule).

        Buffered times overlap, or the exact times leave too little travel.
        The buffer of a flexible need is at least every travel into and out
        of its place, so next to one the overlap test alone decides.
        """
        if a.date != b.date:
            return False
        if a.padded_start < b.padded_end and b.padded_start < a.padded_end:
            return True
        return self.too_close(a, b) or self.too_close(b, a)


@dataclasses.dataclass(frozen=True, slots=True)
class Booking:
    """One assignment as :class:`Bookings` holds it: the need's position and its span."""

    need: int
    span: Span


class Bookings:
    """Running shifts, minutes and busy spans of every volunteer of a roster.

    The greedy roster takes and releases assignments one by one; the
    explanations of unmet needs fill one from the finished roster and ask
    who was busy, with what, and who had reached a cap.
    """

    def __init__(self, problem: Problem, travel_default: int) -> None:
        self.problem = problem
        self.travel = TravelTable.of(problem, travel_default)
        self.shifts = [0] * len(problem.volunteers)
        self.minutes = [0] * len(problem.volunteers)
        self.busy: dict[tuple[int, dt.date], list[Booking]] = defaultdict(list)
        self._bookings: dict[tuple[str, int | None], Booking | None] = {}
        self.version = 0
        """Counts every take and release: readers may cache what they derive until it moves."""

    def within_caps(self, v: int, need: Need, extra: int) -> bool:
        """Whether volunteer ``v`` has a shift and the minutes (``extra`` travel too) left."""
        volunteer = self.problem.volunteers[v]
        return (
            self.shifts[v] + 1 <= volunteer.max_shifts
            and self.minutes[v] + need.duration + extra <= volunteer.max_minutes
        )

    def _booking(self, need: Need, start: int | None) -> Booking | None:
        """The booking of ``need`` at ``start`` (None if untimed), cached: the greedy asks often."""
        key = (need.id, start)
        if key not in self._bookings:
            span = self.travel.span(need, start)
            self._bookings[key] = (
                None if span is None else Booking(self.problem.need_index[need.id], span)
            )
        return self._bookings[key]

    def clashing(self, v: int, need: Need, start: int | None) -> list[int]:
        """Needs (positions) booked for ``v`` that clash with ``need`` at ``start``.

        ``start`` None on a timed need: clashing anywhere in its window.
        """
        return [b.need for b in self.clashes(v, need, start)]

    def clashes(self, v: int, need: Need, start: int | None) -> list[Booking]:
        """The bookings of ``v`` that clash with ``need`` at ``start``, with their spans.

        What :meth:`clashing` tests, kept whole so that an explanation can
        say when and where the volunteer is busy.
        """
        booking = self._booking(need, start)
        if booking is None:
            return []
        busy = self.busy.get((v, booking.span.date), [])
        return [b for b in busy if self.travel.clash(booking.span, b.span)]

    def fits(self, v: int, need: Need, start: int | None, extra: int) -> bool:
        """Whether ``v`` can also take ``need`` at ``start``: caps, overlaps and travel."""
        if not self.within_caps(v, need, extra):
            return False
        if need.date is None or start is None:
            return True
        busy = self.busy.get((v, need.date))
        if not busy:
            return True
        booking = self._booking(need, start)
        assert booking is not None
        return not any(self.travel.clash(booking.span, b.span) for b in busy)

    def take(self, v: int, need: Need, start: int | None, extra: int) -> None:
        """Book ``v`` on ``need`` at ``start`` (``extra``: travel minutes on the budget)."""
        self.version += 1
        self.shifts[v] += 1
        self.minutes[v] += need.duration + extra
        if need.date is not None and start is not None:
            booking = self._booking(need, start)
            assert booking is not None
            self.busy[(v, need.date)].append(booking)

    def release(self, v: int, need: Need, start: int | None, extra: int) -> None:
        """Undo :meth:`take` of the same assignment."""
        self.version += 1
        self.shifts[v] -= 1
        self.minutes[v] -= need.duration + extra
        if need.date is not None and start is not None:
            booking = self._booking(need, start)
            assert booking is not None
            self.busy[(v, need.date)].remove(booking)
