"""Who could take one need of a roster: candidates ranked by what each changes in the objective.

Timefold's recommendation call, on this roster model: for one need (new, or
short after a cancellation) every volunteer with an eligible pair is tried
on it with the rest of the roster fixed.  A volunteer who is busy then, or
at a cap, leaves what they must (the clashing assignment; for a cap, their
lowest-priority one); a team that falls below its minimum or loses its
lead, joint department or language by that leaving is no longer staffed.
Each candidate's roster is valued as the solver values a roster (the same
terms as :mod:`matcher.solver.objective`, without a model), and the
candidate carries the change in every term.  Ranked as the solver ranks
rosters: coverage first, then the fewest changes to the roster, then the
households' wishes, then the soft rules.

The roster is taken as it stands, except that a team below its minimum
(or breaking a team rule, e.g. after a cancellation) counts as not staffed,
as the model would count it: its members are shown joining again when a
candidate completes it.  A need that one more volunteer cannot staff is
answered all the same, each candidate with how many are still missing.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from matcher.domain import Assignment, Need, Problem
from matcher.eligibility import Eligibility, build_eligibility
from matcher.errors import DataError
from matcher.i18n import _, ngettext
from matcher.nearest import join_notes
from matcher.params import SolverParams
from matcher.solver.model import staffing_blockers
from matcher.solver.objective import (
    EXACT_LIMIT,
    coverage_weights,
    pair_scores,
    soft_values,
)
from matcher.solver.wishes import wish_counts
from matcher.teams import team_rules
from matcher.timing import Bookings

LIMIT = 10
"""Candidates named at most, by default."""


@dataclasses.dataclass(frozen=True, slots=True)
class Recommendation:
    """One volunteer who could take the need, and what that changes.

    Attributes
    ----------
    volunteer_id, name, department
        Who.
    deltas
        Change of every objective term (``coverage`` or ``coverage_p5`` ...,
        ``wishes`` when the model has that stage, each soft rule by name).
    soft
        Change of the soft rules together (the soft stage's objective).
    changes
        Assignments of the roster that change: theirs on the need, what
        they leave and the teams that fall apart with it.
    joins
        Assignments added: theirs on the need (with a short team's members
        when they complete it).
    leaves
        Their assignments that clash with the need, or that a cap makes them give up.
    dropped
        Assignments of others whose team falls below its rules because of ``leaves``.
    staffs
        Whether the need then has its minimum and every team rule.
    short_after
        Volunteers still missing after them (0 when ``staffs``).
    why
        The above in a sentence, in the language in force.
    """

    volunteer_id: str
    name: str
    department: str
    deltas: dict[str, float]
    soft: float
    changes: int
    joins: tuple[Assignment, ...]
    leaves: tuple[Assignment, ...]
    dropped: tuple[Assignment, ...]
    staffs: bool
    short_after: int
    why: str


@dataclasses.dataclass(frozen=True)
class Recommendations:
    """The candidates for one need, best first, and the roster they were tried on.

    ``base`` is the roster as valued (teams below their rules left out),
    ``terms`` its value per objective term; ``team`` the volunteers on the
    need in the roster; ``runtime`` seconds.
    """

    need_id: str
    title: str
    min_volunteers: int
    max_volunteers: int
    team: tuple[str, ...]
    candidates: tuple[Recommendation, ...]
    base: tuple[Assignment, ...]
    terms: dict[str, float]
    eligible: int
    runtime: float


class _Valuation:
    """Values a roster (a flag per pair) term by term, as the roster model's stages do."""

    def __init__(self, problem: Problem, elig: Eligibility, params: SolverParams) -> None:
        self.problem, self.elig, self.params = problem, elig, params
        self.open_needs = [
            n for n in range(len(problem.needs)) if not staffing_blockers(problem, elig, n)
        ]
        self.scores = pair_scores(problem, elig, params.weights)
        weights = coverage_weights(problem, self.open_needs)
        total = sum(weights[problem.needs[n].priority] for n in self.open_needs)
        self.split = total > EXACT_LIMIT  # one coverage term per priority, as the model does
        self.weights = weights
        self.wishes: np.ndarray | None = None
        if params.wishes_stage and problem.households:
            counts = wish_counts(problem, elig)
            pair_open = np.isin(elig.need, np.array(self.open_needs, dtype=np.int64))
            counts = counts * pair_open
            if counts.any():
                self.wishes = counts

    def terms(self, assign: np.ndarray) -> dict[str, float]:
        """Each objective term of the roster ``assign`` (valid: teams keep their rules)."""
        problem = self.problem
        staffed = set(self.elig.need[assign].tolist()) & set(self.open_needs)
        terms: dict[str, float] = {}
        if self.split:
            for p in range(5, 0, -1):
                if any(problem.needs[n].priority == p for n in self.open_needs):
                    terms[f"coverage_p{p}"] = float(
                        sum(1 for n in staffed if problem.needs[n].priority == p)
                    )
        else:
            terms["coverage"] = float(sum(self.weights[problem.needs[n].priority] for n in staffed))
        if self.wishes is not None:
            terms["wishes"] = float(self.wishes[assign].sum())
        terms.update(
            soft_values(
                problem, self.elig, self.params.weights, self.scores, assign, self.open_needs
            )
        )
        return terms

    @property
    def soft_names(self) -> set[str]:
        """The names of the soft terms (every term but coverage and wishes)."""
        return {"fill", "fairness", *self.scores}


def _team_ok(problem: Problem, need: Need, members: Iterable[int]) -> bool:
    """Whether volunteers ``members`` staff ``need``: its minimum and every team rule."""
    team = [problem.volunteers[v] for v in members]
    if not need.min_volunteers <= len(team) <= need.max_volunteers:
        return False
    return all(any(rule.admits(v) for v in team) for rule in team_rules(need))


class _Roster:
    """The roster as pairs, with each need's team and each volunteer's assignments."""

    def __init__(
        self,
        problem: Problem,
        elig: Eligibility,
        assignments: Sequence[Assignment],
        cancelled: set[str],
        open_needs: set[int],
    ) -> None:
        self.problem, self.elig = problem, elig
        self.assignment: dict[int, Assignment] = {}
        self.team: dict[int, list[int]] = defaultdict(list)
        for a in assignments:
            if a.volunteer_id in cancelled:
                continue
            v = problem.volunteer_index.get(a.volunteer_id)
            n = problem.need_index.get(a.need_id)
            p = elig.pair_index.get((v, n)) if v is not None and n is not None else None
            if p is None or n not in open_needs or p in self.assignment:
                continue
            self.assignment[p] = a
            self.team[n].append(p)
        # a team below its rules is not staffed (the model's y = 0): left out of the value
        self.partial = {
            n: pairs
            for n, pairs in self.team.items()
            if not _team_ok(problem, problem.needs[n], [int(elig.volunteer[p]) for p in pairs])
        }
        self.valid = {
            p: a for p, a in self.assignment.items() if int(elig.need[p]) not in self.partial
        }
        self.by_volunteer: dict[int, list[int]] = defaultdict(list)
        for p in self.valid:
            self.by_volunteer[int(elig.volunteer[p])].append(p)


def volunteer_id_of(problem: Problem, elig: Eligibility, p: int) -> str:
    """The id of the volunteer of pair ``p``."""
    return problem.volunteers[int(elig.volunteer[p])].id


def _start_for(elig: Eligibility, need: Need, p: int, team_start: int | None) -> int | None:
    """When the volunteer of pair ``p`` would do ``need``: the team's start, or their first.

    None when a flexible need's team start does not suit them (they are not
    available for the whole of it then).
    """
    if need.date is None:
        return None
    if not need.is_flexible:
        return need.start
    ranges = elig.start_domains.get(p, [(need.start, need.latest_start)])
    if team_start is None:
        return int(ranges[0][0])  # type: ignore[arg-type]
    if any(lo <= team_start <= hi for lo, hi in ranges):
        return team_start
    return None


def _as_assignment(
    problem: Problem, need: Need, volunteer_id: str, start: int | None
) -> Assignment:
    return Assignment(
        need_id=need.id,
        volunteer_id=volunteer_id,
        date=need.date,
        start=start,
        end=start + need.duration if start is not None else None,
    )


def recommend(
    problem: Problem,
    roster: Sequence[Assignment],
    need_id: str,
    params: SolverParams | None = None,
    cancelled: Iterable[str] = (),
    limit: int = LIMIT,
    excluded: Iterable[str] = (),
    start: int | None = None,
) -> Recommendations:
    """The volunteers who could take ``need_id`` in ``roster``, ranked, with every term's change.

    One piece on purpose: the bookings, the clashes, the caps and the teams
    that fall apart are read together for each candidate, as the model reads them.

    Parameters
    ----------
    problem
        The problem the roster was made for.
    roster
        The roster as it stands (a published plan, a repaired one).
    need_id
        The need to fill: unstaffed, short of its maximum, or left short by a cancellation.
    params
        The solver parameters of the roster (weights, travel minutes); defaults when omitted.
    cancelled
        Volunteers whose assignments no longer count and who are not candidates.
    limit
        Candidates named at most (0: all).
    excluded
        Volunteers never named (e.g. who declined the need); their assignments still count.
    start
        The need's start when it is fixed already (a declined proposal's time);
        default the team's, or each candidate's first possible start.

    Returns
    -------
    Recommendations
        Empty candidates when nobody can join (the need is full, or nobody is eligible).

    Raises
    ------
    DataError
        When ``need_id`` is not a need of the problem, or a cancelled id no volunteer's.
    """
    started = time.perf_counter()
    params = params or SolverParams()
    if need_id not in problem.need_index:
        raise DataError.at(
            "need",
            _("expected a need id of the dataset, found unknown {value!r}").format(value=need_id),
        )
    gone = list(dict.fromkeys(cancelled))
    for i, volunteer_id in enumerate(gone):
        if volunteer_id not in problem.volunteer_index:
            raise DataError.at(
                "cancel",
                _("expected a volunteer id of the dataset, found unknown {value!r}").format(
                    value=volunteer_id
                ),
                row=i + 1,
            )
    n = problem.need_index[need_id]
    need = problem.needs[n]
    elig = build_eligibility(problem, 0, 0, params.travel_minutes_default)
    valuation = _Valuation(problem, elig, params)
    state = _Roster(problem, elig, roster, set(gone), set(valuation.open_needs))
    base = np.zeros(elig.size, dtype=bool)
    base[list(state.valid)] = True
    base_terms = valuation.terms(base)
    bookings = Bookings(problem, params.travel_minutes_default)
    for p, a in state.valid.items():
        m, v = int(elig.need[p]), int(elig.volunteer[p])
        bookings.take(v, problem.needs[m], a.start, int(elig.extra_minutes[p]))
    trial = _Trial(problem, elig, state, bookings, valuation, base, base_terms)
    team = state.team.get(n, [])
    team_start = (
        start if start is not None else next((state.assignment[p].start for p in team), None)
    )
    never = set(gone) | set(excluded)
    on_need = {int(elig.volunteer[p]) for p in team}
    found: list[tuple[tuple[object, ...], Recommendation]] = []
    if n in valuation.open_needs and len(team) < need.max_volunteers:
        for p in elig.pairs_of_need(n).tolist():
            v = int(elig.volunteer[p])
            if v in on_need or problem.volunteers[v].id in never:
                continue
            at = _start_for(elig, need, p, team_start)
            if need.is_flexible and at is None:
                continue
            tried = trial.candidate(n, p, at)
            if tried is not None:
                found.append(tried)
    found.sort(key=lambda item: item[0])
    chosen = [r for _key, r in found]
    return Recommendations(
        need_id=need.id,
        title=need.title,
        min_volunteers=need.min_volunteers,
        max_volunteers=need.max_volunteers,
        team=tuple(problem.volunteers[int(elig.volunteer[p])].id for p in team),
        candidates=tuple(chosen[:limit] if limit else chosen),
        base=tuple(state.valid.values()),
        terms=base_terms,
        eligible=int(elig.pairs_of_need(n).size),
        runtime=time.perf_counter() - started,
    )


@dataclasses.dataclass
class _Trial:
    """What every candidate of one need is tried against: the roster, valued and booked."""

    problem: Problem
    elig: Eligibility
    state: _Roster
    bookings: Bookings
    valuation: _Valuation
    base: np.ndarray
    base_terms: dict[str, float]

    def leaves(self, n: int, p: int, start: int | None) -> list[int] | None:
        """What the volunteer of pair ``p`` must leave to take need ``n`` at ``start``.

        The assignments that clash with it, then, while a cap is passed,
        the lowest-priority ones left; None when even that is not enough.
        """
        problem, elig, bookings = self.problem, self.elig, self.bookings
        need = problem.needs[n]
        v, extra = int(elig.volunteer[p]), int(elig.extra_minutes[p])
        mine = self.state.by_volunteer.get(v, [])
        clashing = set(bookings.clashing(v, need, start))
        leaves = [q for q in mine if int(elig.need[q]) in clashing]
        rest = sorted(
            (q for q in mine if q not in leaves),
            key=lambda q: (problem.needs[int(elig.need[q])].priority, -q),
        )
        released: list[int] = []

        def release(q: int) -> None:
            m = int(elig.need[q])
            start_q = self.state.valid[q].start
            bookings.release(v, problem.needs[m], start_q, int(elig.extra_minutes[q]))
            released.append(q)

        try:
            for q in leaves:
                release(q)
            while not bookings.within_caps(v, need, extra) and rest:
                q = rest.pop(0)  # a cap: give up the lowest-priority assignment
                release(q)
                leaves.append(q)
            return leaves if bookings.within_caps(v, need, extra) else None
        finally:
            for q in released:  # the bookings stay those of the roster for the next candidate
                m = int(elig.need[q])
                start_q = self.state.valid[q].start
                bookings.take(v, problem.needs[m], start_q, int(elig.extra_minutes[q]))

    def fallen(self, assign: np.ndarray, leaves: list[int]) -> list[int] | None:
        """Teams that fall below their rules when ``leaves`` go (taken off ``assign``).

        None when that gives up a pin or leaves a must-cover need without a
        team: no roster keeps the rules then.
        """
        problem, elig, state = self.problem, self.elig, self.state
        dropped: list[int] = []
        for q in leaves:
            m = int(elig.need[q])
            others = [r for r in state.team.get(m, []) if assign[r]]
            members = [int(elig.volunteer[r]) for r in others]
            if others and not _team_ok(problem, problem.needs[m], members):
                assign[others] = False
                dropped += others
        pinned = {(pin.volunteer_id, pin.need_id) for pin in problem.pins}
        for q in [*leaves, *dropped]:
            m = int(elig.need[q])
            if (volunteer_id_of(problem, elig, q), problem.needs[m].id) in pinned:
                return None
            if problem.needs[m].must_cover and not assign[state.team[m]].any():
                return None
        return dropped

    def candidate(
        self, n: int, p: int, start: int | None
    ) -> tuple[tuple[object, ...], Recommendation] | None:
        """Pair ``p`` on need ``n`` at ``start``: that roster valued, None if impossible."""
        problem, elig, state = self.problem, self.elig, self.state
        need = problem.needs[n]
        volunteer = problem.volunteers[int(elig.volunteer[p])]
        leaves = self.leaves(n, p, start)
        if leaves is None:
            return None
        assign = self.base.copy()
        assign[leaves] = False
        dropped = self.fallen(assign, leaves)
        if dropped is None:
            return None
        members = [q for q in state.team.get(n, []) if q not in leaves] + [p]
        staffs = _team_ok(problem, need, [int(elig.volunteer[q]) for q in members])
        joins = [p, *(q for q in state.partial.get(n, []) if q not in leaves)]
        if staffs:
            assign[joins] = True
        terms = self.valuation.terms(assign)
        base_terms = self.base_terms
        deltas = {k: terms.get(k, 0.0) - base_terms.get(k, 0.0) for k in {*terms, *base_terms}}
        soft = sum(d for k, d in deltas.items() if k in self.valuation.soft_names)
        short = max(0, need.min_volunteers - len(members)) if not staffs else 0
        joined = [_as_assignment(problem, need, volunteer.id, start)]
        joined += [state.assignment[q] for q in joins[1:]] if staffs else []
        left = tuple(state.valid[q] for q in leaves)
        dropped_out = tuple(state.valid[q] for q in dropped)
        recommendation = Recommendation(
            volunteer_id=volunteer.id,
            name=volunteer.name,
            department=volunteer.department,
            deltas=dict(sorted(deltas.items())),
            soft=float(soft),
            changes=1 + len(left) + len(dropped_out),
            joins=tuple(joined),
            leaves=left,
            dropped=dropped_out,
            staffs=staffs,
            short_after=short,
            why=_why(problem, staffs, short, left, dropped_out),
        )
        coverage = tuple(-deltas[k] for k in sorted(deltas) if k.startswith("coverage"))
        wishes = -deltas.get("wishes", 0.0)
        key = (coverage, not staffs, short, recommendation.changes, wishes, -soft, p)
        return key, recommendation


def _why(
    problem: Problem,
    staffs: bool,
    short: int,
    leaves: Sequence[Assignment],
    dropped: Sequence[Assignment],
) -> str:
    """A candidate in a sentence: what they bring, what they leave, the soft rules' change."""
    notes = []
    if staffs:
        notes.append(_("meets every rule of the need and is free then"))
    elif short:
        notes.append(
            ngettext(
                "{count} more volunteer still needed after them",
                "{count} more volunteers still needed after them",
                short,
            ).format(count=short)
        )
    else:
        notes.append(_("the team would still lack a lead, a department or a language"))
    for a in leaves:
        notes.append(_("leaves {need}").format(need=problem.need(a.need_id).title))
    for need_id in dict.fromkeys(a.need_id for a in dropped):
        notes.append(_("{need} would lose its team").format(need=problem.need(need_id).title))
    return join_notes(notes)
