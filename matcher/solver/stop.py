"""When a solve must stop: criteria objects, combinable, and a watcher that acts on them.

As in PyVRP's ``pyvrp/stop/``: a criterion is a small object that says
whether the run must stop now, and :class:`AnyOf` (or ``a | b``) stops when
any of its criteria does.  The stage driver polls them between stages; a
:class:`StopWatcher` polls one on a thread while a backend is solving and
interrupts it, because a backend that finds no better roster never calls
back and would otherwise run to its own time limit.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

from matcher.i18n import N_


@runtime_checkable
class StoppingCriterion(Protocol):
    """Says whether the run must stop now, and why."""

    reason: str
    """Why the run stopped, in the words of the run's message (``"stopped"``).

    An English message id (marked with :func:`~matcher.i18n.N_`): the message
    that names it translates it where it is shown.
    """

    def __call__(self) -> bool:
        """True once the run must stop (and from then on)."""
        ...


class _Combinable:
    """``a | b``: stop when either does (``a``'s reason first)."""

    def __or__(self, other: StoppingCriterion) -> AnyOf:
        return AnyOf(self, other)  # type: ignore[arg-type]


class UserStop(_Combinable):
    """Someone asked for the run to stop (an API job's stop, a closed CLI).

    Parameters
    ----------
    event
        Set from another thread to stop; the best roster so far is kept.
    """

    reason = N_("stopped")

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self) -> bool:
        return self.event.is_set()


class Deadline(_Combinable):
    """The time given to this run is over.

    Parameters
    ----------
    at
        ``time.perf_counter()`` value at which time runs out.
    """

    reason = N_("time ran out")

    def __init__(self, at: float) -> None:
        self.at = at

    def __call__(self) -> bool:
        return time.perf_counter() >= self.at

    def remaining(self) -> float:
        """Seconds left (negative once past)."""
        return self.at - time.perf_counter()


class AnyOf(_Combinable):
    """Stop when any criterion does; the reason is that of the first one that does.

    Parameters
    ----------
    criteria
        In order of precedence (``AnyOf(UserStop(e), Deadline(t))`` says
        ``"stopped"`` when both hold).  None entries are left out.
    """

    def __init__(self, *criteria: StoppingCriterion | None) -> None:
        self.criteria = [c for c in criteria if c is not None]
        self.reason = ""

    def __call__(self) -> bool:
        for criterion in self.criteria:
            if criterion():
                self.reason = criterion.reason
                return True
        return False


class Interruptible(Protocol):
    """Something that runs and can be asked to stop early (a solver backend)."""

    def interrupt(self) -> None:
        """Stop the solve in progress (and any later one) as soon as possible."""
        ...


class StopWatcher:
    """Polls a criterion on a thread and interrupts whatever is running once it holds.

    Used as a context manager around a whole solve; :meth:`running` names
    what runs now (a solve has one backend per model, and several models
    when it has independent parts).

    Parameters
    ----------
    criterion
        What to watch; in practice a :class:`UserStop` (the backends keep
        their own time limits).
    poll
        Seconds between polls.
    """

    def __init__(self, criterion: StoppingCriterion, poll: float = 0.05) -> None:
        self.criterion = criterion
        self.poll = poll
        self._current: Interruptible | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def running(self, target: Interruptible) -> None:
        """``target`` runs from now on: interrupt it when the criterion holds."""
        self._current = target

    def _watch(self) -> None:
        # Keep interrupting whatever runs until the solve is over: a stage may
        # start just after the stop was asked for, and a solver asked to stop
        # before it started may not have heard it.
        while not self._done.wait(self.poll):
            if self.criterion():
                current = self._current
                if current is not None:
                    current.interrupt()

    def __enter__(self) -> StopWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(timeout=1)
