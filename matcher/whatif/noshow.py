"""No-show robustness of a roster: Monte Carlo figures and a standby list per time slot.

**No-show probabilities.**  Each volunteer's chance of not coming comes
from the participation ledger when there is one: the standing a problem
carries (``Problem.ledger``, its ``no_show_rate``), else the no-shows and
records of the dataset's history before the horizon
(:func:`matcher.ledger.no_show_rates`).  A record of two or three shifts
says little, so the history's rate is shrunk towards the default:
``(no_shows + k * default) / (records + k)`` with ``k`` =
:data:`PRIOR_RECORDS` (a Beta prior worth four records).  A volunteer with
no record gets the default (:data:`DEFAULT_RATE`, 10%).

**Simulation.**  Each sample draws, for every assignment of the roster
independently, whether the volunteer comes (numpy's generator with a
seed, so a run can be repeated).  A need ends *below its minimum* in a
sample when fewer than ``min_volunteers`` of its volunteers come.  Per
need: the probability of that; overall: the expected share of needs
staffed (and weighted by priority).

**Standbys.**  Like airline reserve planning (Bayliss et al., Ann. OR
2017): simulate without reserves, keep the samples, and choose reserves by
optimisation over them.  A standby is a volunteer asked to stay free for
one time slot (a date and a part of the day: morning before 12:00,
afternoon before 18:00, evening), chosen from volunteers with nothing in
the roster in that slot, eligible for the need (every per-pair rule of
:mod:`matcher.eligibility`: skills, availability, gender, distance ...)
and with a shift and the hours left under their caps.  In each sample a
standby fills at most one place, on a need of their slot.  CP-SAT chooses
the standbys, because the choice is a set cover over samples with a
matching inside each sample, which a greedy rule solves badly when
several needs of a slot compete for the same few people:

* ``x[v, t]``: volunteer ``v`` stands by in slot ``t``;
* ``y[s, n, v]``: in sample ``s``, standby ``v`` fills a place of need
  ``n`` (only where ``n`` is short in ``s``); ``y <= x``, one place per
  standby and sample, and ``ok[s, n]`` only when the places filled reach
  the shortfall;
* per need at risk: the samples where it reaches its minimum, with and
  without standbys, at least ``target`` of all samples, else a deficit;
* minimise ``(candidates + 1) * deficits + standbys``: the target wherever
  it can be reached first, then the fewest standbys.

Only needs whose probability of reaching the minimum is below the target
get constraints, so the model stays small.  The figures *with standbys*
are those of the samples the standbys were chosen on (in sample), with a
called standby assumed to come.  Needs done at any time (micro-wishes)
have no slot: a no-show there is rescheduled, not covered by a standby.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from matcher.domain import Assignment, Need, Problem, format_minutes
from matcher.i18n import N_, _

__all__ = [
    "DEFAULT_RATE",
    "PRIOR_RECORDS",
    "NeedRisk",
    "Robustness",
    "Standby",
    "no_show_rates",
    "robustness",
    "slot_of",
]

DEFAULT_RATE = 0.10
"""The no-show probability of a volunteer the ledger knows nothing about."""
PRIOR_RECORDS = 4
"""Records' worth of the default rate mixed into a volunteer's own history."""

CANDIDATES_PER_NEED = 12
"""Most standby candidates per need in the model (the least loaded in the roster first)."""

_PARTS = (N_("morning"), N_("afternoon"), N_("evening"))


def slot_of(need: Need) -> tuple[dt.date, int] | None:
    """The time slot of a timed need: its date and part of day (0 morning .. 2 evening)."""
    if need.date is None or need.start is None:
        return None
    part = 0 if need.start < 12 * 60 else 1 if need.start < 18 * 60 else 2
    return need.date, part


def slot_label(slot: tuple[dt.date, int]) -> str:
    """``2026-09-26 上午``: a slot for people."""
    return f"{slot[0].isoformat()} {_(_PARTS[slot[1]])}"


def no_show_rates(problem: Problem, default: float = DEFAULT_RATE) -> tuple[dict[str, float], str]:
    """Each volunteer's no-show probability, and where the figures come from.

    Returns
    -------
    tuple
        Rate by volunteer id (every volunteer of the problem), and the source:
        ``ledger`` (the problem's ledger standing), ``history`` (the
        dataset's history, shrunk towards ``default``) or ``default``.
    """
    rates = {v.id: default for v in problem.volunteers}
    if problem.ledger:
        for standing in problem.ledger:
            if standing.volunteer_id in rates:
                rates[standing.volunteer_id] = standing.no_show_rate
        return rates, "ledger"
    past = [h for h in problem.history if h.date < problem.horizon.start]
    if not past:
        return rates, "default"
    from matcher.io.ledger import ledger_entries
    from matcher.ledger import no_show_rates as ledger_rates

    for volunteer_id, record in ledger_rates(ledger_entries(problem, past)).items():
        if volunteer_id in rates:
            rates[volunteer_id] = (record.no_shows + PRIOR_RECORDS * default) / (
                record.records + PRIOR_RECORDS
            )
    return rates, "history"


@dataclasses.dataclass(frozen=True, slots=True)
class NeedRisk:
    """One need under no-shows."""

    need_id: str
    title: str
    slot: str
    priority: int
    must_cover: bool
    assigned: int
    min_volunteers: int
    below_min: float
    """Probability of ending below the minimum without standbys (1 when not staffed at all)."""
    below_min_with_standby: float
    expected_present: float


@dataclasses.dataclass(frozen=True, slots=True)
class Standby:
    """A volunteer asked to stay free for one slot, and the needs they could step in for."""

    slot: str
    volunteer_id: str
    name: str
    department: str
    need_ids: tuple[str, ...]
    calls: int
    """Samples in which this standby was called."""


@dataclasses.dataclass(frozen=True)
class Robustness:
    """The figures of a no-show run."""

    samples: int
    seed: int
    target: float
    rate_source: str
    default_rate: float
    mean_rate: float
    coverage_planned: float
    expected_coverage: float
    expected_coverage_with_standby: float
    expected_weighted_coverage: float
    needs: tuple[NeedRisk, ...]
    standbys: tuple[Standby, ...]
    unreachable: tuple[str, ...]
    """Needs at risk that no choice of standbys brings to the target."""
    solver_status: str

    def as_json(self) -> dict[str, Any]:
        """Plain JSON data (``noshow.json``)."""
        data = dataclasses.asdict(self)
        for key in ("coverage_planned", "expected_coverage", "mean_rate"):
            data[key] = round(data[key], 4)
        data["expected_coverage_with_standby"] = round(self.expected_coverage_with_standby, 4)
        data["expected_weighted_coverage"] = round(self.expected_weighted_coverage, 4)
        for need in data["needs"]:
            for key in ("below_min", "below_min_with_standby", "expected_present"):
                need[key] = round(need[key], 4)
        return data


def _clashes(a: Assignment, need: Need) -> bool:
    return (
        a.date == need.date
        and a.start is not None
        and a.end is not None
        and a.start < need.end  # type: ignore[operator]
        and need.start < a.end  # type: ignore[operator]
    )


def _standby_candidates(
    problem: Problem, assignments: Sequence[Assignment], needs: Sequence[int]
) -> dict[int, list[int]]:
    """Per need index: volunteers who could step in (see the module notes)."""
    from matcher.eligibility import build_eligibility

    eligibility = build_eligibility(problem)
    by_volunteer: dict[str, list[Assignment]] = defaultdict(list)
    for a in assignments:
        by_volunteer[a.volunteer_id].append(a)
    minutes = {
        v: sum(problem.need(a.need_id).duration for a in items if a.need_id in problem.need_index)
        for v, items in by_volunteer.items()
    }
    out: dict[int, list[int]] = {}
    for n in needs:
        need = problem.needs[n]
        slot = slot_of(need)
        chosen = []
        for pair in eligibility.pairs_of_need(n):
            v = int(eligibility.volunteer[pair])
            volunteer = problem.volunteers[v]
            theirs = by_volunteer.get(volunteer.id, [])
            if any(a.need_id == need.id or _clashes(a, need) for a in theirs):
                continue
            if any(
                a.need_id in problem.need_index and slot_of(problem.need(a.need_id)) == slot
                for a in theirs
            ):
                continue  # busy in the slot: standbys are people the slot leaves free
            if len(theirs) >= volunteer.max_shifts:
                continue
            if minutes.get(volunteer.id, 0) + need.duration > volunteer.max_minutes:
                continue
            chosen.append(v)
        # the least loaded first: they have the most room, and the model stays small
        load = {v: len(by_volunteer.get(problem.volunteers[v].id, [])) for v in chosen}
        out[n] = sorted(chosen, key=lambda v: (load[v], problem.volunteers[v].id))[
            :CANDIDATES_PER_NEED
        ]
    return out


def robustness(
    problem: Problem,
    assignments: Sequence[Assignment],
    *,
    samples: int = 500,
    target: float = 0.9,
    default_rate: float = DEFAULT_RATE,
    rates: Mapping[str, float] | None = None,
    seed: int = 0,
    time_limit: float = 10.0,
) -> Robustness:
    """Simulate no-shows on a roster and choose standbys (see the module notes).

    Kept in one piece on purpose: the samples, the figures without and with
    standbys and the choice between them read the same arrays.

    Parameters
    ----------
    problem
        The dataset the roster was planned for.
    assignments
        The roster.
    samples
        Monte Carlo samples.
    target
        Wanted probability that every need reaches its minimum.
    default_rate
        No-show probability of a volunteer without a record.
    rates
        No-show probability by volunteer id; default :func:`no_show_rates`.
    seed
        Seed of the samples (and of CP-SAT).
    time_limit
        Seconds for choosing the standbys.

    Returns
    -------
    Robustness
    """
    if rates is None:
        rates, source = no_show_rates(problem, default_rate)
    else:
        source = "given"
    known = [a for a in assignments if a.need_id in problem.need_index]
    needs = problem.needs
    minimum = np.array([n.min_volunteers for n in needs])
    priority = np.array([n.priority for n in needs], dtype=float)
    rng = np.random.default_rng(seed)
    chance = np.array([rates.get(a.volunteer_id, default_rate) for a in known])
    comes = rng.random((samples, len(known))) >= chance
    incidence = np.zeros((len(known), len(needs)))
    for i, a in enumerate(known):
        incidence[i, problem.need_index[a.need_id]] = 1
    present = comes.astype(float) @ incidence  # samples x needs
    planned = incidence.sum(axis=0)
    short = np.maximum(minimum[None, :] - present, 0).astype(int)
    ok = short == 0
    below = 1 - ok.mean(axis=0)
    timed_at_risk = [
        n
        for n in range(len(needs))
        if planned[n] >= minimum[n] and below[n] > 1 - target + 1e-12 and slot_of(needs[n])
    ]
    candidates = _standby_candidates(problem, known, timed_at_risk)
    fixed, chosen, unreachable, status = _choose_standbys(
        problem, short, candidates, target, seed, time_limit
    )
    ok_with = ok.copy()
    for n, samples_fixed in fixed.items():
        ok_with[samples_fixed, n] = True
    below_with = 1 - ok_with.mean(axis=0)
    weight = priority.sum() or 1.0
    risks = tuple(
        NeedRisk(
            need_id=need.id,
            title=need.title,
            slot=slot_label(slot) if (slot := slot_of(need)) else _("any time"),
            priority=need.priority,
            must_cover=need.must_cover,
            assigned=int(planned[n]),
            min_volunteers=need.min_volunteers,
            below_min=float(below[n]),
            below_min_with_standby=float(below_with[n]),
            expected_present=float(present[:, n].mean()),
        )
        for n, need in enumerate(needs)
    )
    return Robustness(
        samples=samples,
        seed=seed,
        target=target,
        rate_source=source,
        default_rate=default_rate,
        mean_rate=float(np.mean([rates.get(v.id, default_rate) for v in problem.volunteers]))
        if problem.volunteers
        else 0.0,
        coverage_planned=float((planned >= minimum).mean()) if len(needs) else 1.0,
        expected_coverage=float(ok.mean()) if len(needs) else 1.0,
        expected_coverage_with_standby=float(ok_with.mean()) if len(needs) else 1.0,
        expected_weighted_coverage=float((ok * priority).sum(axis=1).mean() / weight),
        needs=risks,
        standbys=tuple(chosen),
        unreachable=tuple(needs[n].id for n in unreachable),
        solver_status=status,
    )


def _choose_standbys(
    problem: Problem,
    short: np.ndarray,
    candidates: dict[int, list[int]],
    target: float,
    seed: int,
    time_limit: float,
) -> tuple[dict[int, list[int]], list[Standby], list[int], str]:
    """Standbys slot by slot (slots share no standby), each with the model of the module notes.

    A need that cannot reach the target even with every candidate on
    standby for it alone (a short sample needs as many candidates as it is
    short) is left out and reported: standbys would only nibble at it.

    Returns the samples each need is brought to its minimum in by the
    standbys, the standbys, the needs that miss the target, and the worst
    status of the slots' solves.
    """
    samples = short.shape[0]
    required = math.ceil(target * samples - 1e-9)
    by_slot: dict[Any, list[int]] = defaultdict(list)
    unreachable = []
    for n, chosen in candidates.items():
        best = int((short[:, n] == 0).sum() + (short[:, n] <= len(chosen)).sum())
        best -= int((short[:, n] == 0).sum())  # counted twice above: short 0 <= any length
        if best < required:
            unreachable.append(n)
        else:
            by_slot[slot_of(problem.needs[n])].append(n)
    fixed: dict[int, list[int]] = {}
    standbys: list[Standby] = []
    statuses = ["OPTIMAL"]
    share = time_limit / max(len(by_slot), 1)
    for slot, needs in sorted(by_slot.items()):
        result = _slot_standbys(problem, short, slot, needs, candidates, required, seed, share)
        fixed.update(result[0])
        standbys += result[1]
        unreachable += result[2]
        statuses.append(result[3])
    worst = "FEASIBLE" if "FEASIBLE" in statuses else "OPTIMAL"
    if any(s not in ("OPTIMAL", "FEASIBLE") for s in statuses):
        worst = next(s for s in statuses if s not in ("OPTIMAL", "FEASIBLE"))
    return fixed, standbys, unreachable, worst


def _slot_standbys(
    problem: Problem,
    short: np.ndarray,
    slot: Any,
    needs: list[int],
    candidates: dict[int, list[int]],
    required: int,
    seed: int,
    time_limit: float,
) -> tuple[dict[int, list[int]], list[Standby], list[int], str]:
    """One slot's CP-SAT model: fewest standbys that bring its needs at risk to the target."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    people = sorted({v for n in needs for v in candidates[n]})
    standby = {v: model.new_bool_var(f"x{v}") for v in people}
    ok_vars: dict[tuple[int, int], Any] = {}
    fills: dict[tuple[int, int], list[Any]] = defaultdict(list)  # (sample, volunteer)
    deficits = []
    for n in needs:
        already = int((short[:, n] == 0).sum())
        terms = []
        for s in np.nonzero(short[:, n])[0]:
            s = int(s)
            if short[s, n] > len(candidates[n]):
                continue
            places = []
            for v in candidates[n]:
                y = model.new_bool_var(f"y{s}_{n}_{v}")
                model.add_implication(y, standby[v])
                fills[(s, v)].append(y)
                places.append(y)
            ok = model.new_bool_var(f"ok{s}_{n}")
            model.add(sum(places) >= int(short[s, n]) * ok)
            ok_vars[(s, n)] = ok
            terms.append(ok)
        deficit = model.new_int_var(0, required, f"d{n}")
        model.add(already + sum(terms) + deficit >= required)
        deficits.append((n, deficit))
    for ys in fills.values():
        model.add_at_most_one(ys)
    # the target first (every sample short of it costs more than all standbys), then fewest
    model.minimize((len(standby) + 1) * sum(d for _n, d in deficits) + sum(standby.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1  # fixed worker count and seed: repeatable
    solver.parameters.random_seed = seed
    code = solver.solve(model)
    status = solver.status_name(code)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {}, [], list(needs), status
    fixed: dict[int, list[int]] = defaultdict(list)
    for (s, n), ok in ok_vars.items():
        if solver.value(ok):
            fixed[n].append(s)
    chosen = []
    for v in people:
        if not solver.value(standby[v]):
            continue
        volunteer = problem.volunteers[v]
        calls = sum(
            1 for (_s, who), ys in fills.items() if who == v and any(solver.value(y) for y in ys)
        )
        chosen.append(
            Standby(
                slot=slot_label(slot),
                volunteer_id=volunteer.id,
                name=volunteer.name,
                department=volunteer.department,
                need_ids=tuple(problem.needs[n].id for n in needs if v in candidates[n]),
                calls=calls,
            )
        )
    missed = [n for n, d in deficits if solver.value(d) > 0]
    return dict(fixed), chosen, missed, status


def time_text(need: Need) -> str:
    """``2026-09-26 09:00-11:00`` (empty for an untimed need)."""
    if need.date is None:
        return ""
    return f"{need.date.isoformat()} {format_minutes(need.start)}-{format_minutes(need.end)}"
