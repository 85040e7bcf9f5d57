"""Stop criteria: what fires, in which words, and the watcher that interrupts a backend."""

from __future__ import annotations

import threading
import time

from matcher.solver.stop import AnyOf, Deadline, StoppingCriterion, StopWatcher, UserStop


def test_criteria_fire_with_their_reason() -> None:
    event = threading.Event()
    user = UserStop(event)
    assert isinstance(user, StoppingCriterion)
    assert not user()
    event.set()
    assert user() and user.reason == "stopped"
    past, future = Deadline(time.perf_counter() - 1), Deadline(time.perf_counter() + 60)
    assert past() and past.reason == "time ran out" and past.remaining() < 0
    assert not future() and future.remaining() > 59


def test_any_of_gives_the_first_reason_that_holds() -> None:
    event = threading.Event()
    both = UserStop(event) | Deadline(time.perf_counter() - 1)
    assert isinstance(both, AnyOf)
    assert both() and both.reason == "time ran out"
    event.set()
    assert both() and both.reason == "stopped"  # the user's stop comes first
    assert not AnyOf(None, Deadline(time.perf_counter() + 60))()
    assert not AnyOf()()


class _Target:
    def __init__(self) -> None:
        self.interrupts = 0

    def interrupt(self) -> None:
        self.interrupts += 1


def test_the_watcher_interrupts_what_runs_until_the_solve_ends() -> None:
    event = threading.Event()
    first, second = _Target(), _Target()
    with StopWatcher(UserStop(event), poll=0.01) as watcher:
        watcher.running(first)
        time.sleep(0.05)
        assert first.interrupts == 0  # nothing asked yet
        event.set()
        time.sleep(0.05)
        watcher.running(second)  # a stage started just after the stop
        time.sleep(0.05)
    assert first.interrupts >= 1 and second.interrupts >= 1
    settled = second.interrupts
    time.sleep(0.05)
    assert second.interrupts == settled  # the watcher ended with the solve
