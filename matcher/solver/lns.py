"""Large-neighbourhood search: improve a stage of a big model a few needs at a time.

At district size (5,000 volunteers x 1,500 needs, 60,000 pairs) CP-SAT with
one worker spends two to three seconds presolving the whole model for each
stage and then rarely improves its start in the wishes and soft stages
(docs/benchmarks.md).  Here the model is solved piece by piece instead: a
neighbourhood is a set of needs that share candidates (a need, then the
other needs of some of its candidates, and so on); every variable outside
it keeps its value, the rest is solved exactly by CP-SAT with the current
roster as its hint, and a better roster is kept.  Each sub-model is the
whole model with most variables fixed, so every hard rule and every held
stage is the model's own; nothing is re-modelled here.

The search is deterministic for a given seed: neighbourhoods come from a
seeded generator and each sub-solve is limited by CP-SAT's deterministic
time, so a longer run repeats a shorter one's steps before going further
(the roster after a longer limit is never worse, stage by stage, unless an
earlier stage ended differently).  Neighbourhoods grow while their
sub-models are solved to optimality and shrink when they are not.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from matcher.eligibility import Eligibility
from matcher.params import SolverParams
from matcher.solver.model import RosterModel
from matcher.solver.objective import Term
from matcher.solver.solution import Solution

FIRST_SIZE = 1_000
"""Free pairs in the first neighbourhood (about 25 needs at 5,000 x 1,500).

Measured at 5,000 x 1,500 (soft stage, 16 s): neighbourhoods of 1,000 free
pairs gained most (148 steps), 3,000 a little less, 8,000 clearly less;
each step re-reads the whole model, so many small steps beat a few large."""
SMALLEST, LARGEST = 200, 20_000
"""Bounds of a neighbourhood's free pairs: below, steps are too small to gain; above, too slow."""
STEP_DETERMINISTIC_TIME = 1.0
"""CP-SAT's deterministic time per neighbourhood (about 0.3 s of wall time at M)."""


@dataclasses.dataclass(frozen=True)
class SearchOutcome:
    """What a neighbourhood search reached in one stage.

    Attributes
    ----------
    values
        Every model variable's value, by index (the best roster found).
    objective
        The stage's value there.
    steps
        Neighbourhoods solved.
    improvements
        Steps that found a better roster.
    whole
        True when a neighbourhood held the whole model and was solved to
        optimality: the stage is then proven.
    """

    values: np.ndarray
    objective: float
    steps: int
    improvements: int
    whole: bool


class NeighbourhoodSearch:
    """The neighbourhoods of one built model, and the search over them.

    Parameters
    ----------
    rm
        The built model (with the rows holding earlier stages).
    elig
        Its eligible pairs (which volunteer and need each pair joins).
    params
        The seed, workers and CP-SAT settings of the sub-solves.
    """

    def __init__(self, rm: RosterModel, elig: Eligibility, params: SolverParams) -> None:
        self.rm = rm
        self.params = params
        x = rm.variables
        self.needs = np.array(sorted(x.staffed), dtype=np.int64)
        over_of = {}
        for over, pairs in rm.extra_shifts:
            if pairs:
                over_of[int(elig.volunteer[pairs[0]])] = over.index
        same_start = rm.reference.same_start if rm.reference is not None else {}
        # For each open need, the variables a neighbourhood holding it frees:
        # its pairs, whether it is staffed, its start, and the fairness count
        # of each of its candidates (their shifts elsewhere stay as they are).
        self._frees: dict[int, np.ndarray] = {}
        self._volunteers: dict[int, np.ndarray] = {}
        self._pairs: dict[int, int] = {}
        for n in self.needs.tolist():
            pairs = elig.pairs_of_need(n)
            volunteers = elig.volunteer[pairs]
            free = [x.assign[p].index for p in pairs.tolist()]
            free.append(x.staffed[n].index)
            if n in x.start:
                free.append(x.start[n].index)
            if n in same_start:
                free.append(same_start[n].index)
            free += [over_of[v] for v in volunteers.tolist() if v in over_of]
            self._frees[n] = np.array(free, dtype=np.int64)
            self._volunteers[n] = volunteers
            self._pairs[n] = int(pairs.size)
        self._needs_of: dict[int, np.ndarray] = {}
        open_pairs = np.flatnonzero(rm.pair_open)
        order = np.argsort(elig.volunteer[open_pairs], kind="stable")
        by_volunteer = elig.volunteer[open_pairs][order]
        needs_sorted = elig.need[open_pairs][order]
        cuts = np.flatnonzero(np.diff(by_volunteer)) + 1
        for v, needs in zip(
            np.split(by_volunteer, cuts), np.split(needs_sorted, cuts), strict=True
        ):
            if v.size:
                self._needs_of[int(v[0])] = needs
        self.total_pairs = sum(self._pairs.values())

    def neighbourhood(self, rng: np.random.Generator, size: int) -> list[int]:
        """Needs that share candidates, grown from a random need to about ``size`` free pairs.

        From each need taken, two of its candidates at random bring their
        other needs in: swaps between needs go through shared volunteers.
        """
        if not self.needs.size:
            return []
        first = int(self.needs[rng.integers(self.needs.size)])
        chosen = {first}
        queue = [first]
        pairs = self._pairs[first]
        head = 0
        while pairs < size:
            if head == len(queue):
                # the component is exhausted: start again elsewhere
                rest = np.setdiff1d(self.needs, np.fromiter(chosen, dtype=np.int64))
                if not rest.size:
                    break
                n = int(rest[rng.integers(rest.size)])
                chosen.add(n)
                queue.append(n)
                pairs += self._pairs[n]
                continue
            n = queue[head]
            head += 1
            volunteers = self._volunteers[n]
            if not volunteers.size:
                continue
            picked = rng.choice(volunteers, size=min(2, volunteers.size), replace=False)
            for v in picked.tolist():
                for m in self._needs_of.get(v, np.zeros(0, dtype=np.int64)).tolist():
                    if m not in chosen and pairs < size:
                        chosen.add(m)
                        queue.append(m)
                        pairs += self._pairs[m]
        return sorted(chosen)

    def improve(
        self,
        stage: Term,
        values: np.ndarray,
        seconds: float,
        improved: Callable[[float], None] | None = None,
        on_solver: Callable[[cp_model.CpSolver], None] | None = None,
        stopped: Callable[[], bool] | None = None,
    ) -> SearchOutcome:
        """Improve ``stage`` from the roster ``values`` for at most ``seconds``.

        Parameters
        ----------
        stage
            The stage to maximise (the model's rows hold the earlier ones).
        values
            A complete roster keeping every hard rule and held row: one value
            per model variable.
        seconds
            Wall-clock budget.
        improved
            Called with the stage's new value on each better roster.
        on_solver
            Given each sub-solver before it runs (so that a stop can reach it).
        stopped
            Polled between steps: True ends the search.

        Returns
        -------
        SearchOutcome
            The best roster found (``values`` itself when nothing was better).
        """
        started = time.perf_counter()
        coefficients, offset = _linear(stage, values.size)
        values = values.copy()
        best = float(offset + coefficients @ values)
        # One working copy with every variable fixed; a step frees its
        # neighbourhood, solves, and fixes it again at the (new) values.
        work, domains = _fixed_copy(self.rm, values)
        variables = work.proto.variables
        rng = np.random.default_rng(self.params.seed)
        size = min(FIRST_SIZE, self.total_pairs)
        steps = improvements = 0
        whole = False
        while True:
            left = seconds - (time.perf_counter() - started)
            if left < 0.05 or (stopped is not None and stopped()):
                break
            needs = self.neighbourhood(rng, size)
            if not needs:
                break
            free = np.unique(np.concatenate([self._frees[n] for n in needs]))
            free_list = free.tolist()
            _release(work, domains, free_list, values[free].tolist())
            solver = cp_model.CpSolver()
            _configure(solver, self.params, left)
            if on_solver is not None:
                on_solver(solver)
            code = solver.solve(work)
            steps += 1
            gained = False
            if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                found = np.asarray(solver.response_proto.solution, dtype=np.int64)
                if solver.objective_value > best + 0.5:
                    values[free] = found[free]
                    best = float(offset + coefficients @ values)
                    improvements += 1
                    gained = True
                    if improved is not None:
                        improved(best)
            covers_all = len(needs) == self.needs.size
            if code == cp_model.OPTIMAL and covers_all:
                whole = True
                break
            for i, value in zip(free_list, values[free].tolist(), strict=True):
                _fix(variables[i].domain, value)
            # grow while neighbourhoods are proven, shrink when they are not
            # Keep a size that gains; grow past a local optimum; shrink when
            # a neighbourhood is too big to prove in its step.
            if gained:
                pass
            elif code == cp_model.OPTIMAL:
                size = min(LARGEST, self.total_pairs, int(size * 1.5) + 1)
            else:
                size = max(SMALLEST, int(size * 0.7))
        return SearchOutcome(values, best, steps, improvements, whole)


def _linear(stage: Term, size: int) -> tuple[np.ndarray, int]:
    """A stage as a coefficient per model variable and a constant."""
    coefficients = np.zeros(size, dtype=np.int64)
    offset = 0
    for var, coefficient in zip(stage.variables, stage.coefficients, strict=True):
        if var.index >= 0:
            coefficients[var.index] += coefficient
        else:  # a negated literal (the changes stage): c * (1 - x)
            coefficients[-1 - var.index] -= coefficient
            offset += coefficient
    return coefficients, offset


def _fixed_copy(rm: RosterModel, values: np.ndarray) -> tuple[cp_model.CpModel, list[list[int]]]:
    """A copy of the model (its objective set by the caller) with every variable at ``values``.

    A step frees its neighbourhood in this one copy, solves, and fixes it
    again: copying the model for each step cost a tenth of a second at
    5,000 x 1,500.  Returns the copy and the variables' own domains.
    """
    work = cp_model.CpModel()
    work.proto.copy_from(rm.model.proto)
    work.clear_hints()
    variables = work.proto.variables
    domains = [list(variables[i].domain) for i in range(values.size)]
    for i, value in enumerate(values.tolist()):
        _fix(variables[i].domain, value)
    return work, domains


def _release(
    work: cp_model.CpModel, domains: list[list[int]], free: list[int], hint: list[int]
) -> None:
    """Give the ``free`` variables their own domains again, hinted at their current values."""
    variables = work.proto.variables
    for i in free:
        domain = variables[i].domain
        domain.clear()
        domain.extend(domains[i])
    work.clear_hints()
    work.proto.solution_hint.vars.extend(free)
    work.proto.solution_hint.values.extend(hint)


def _fix(domain: object, value: int) -> None:
    """Set a proto variable's domain to the single ``value``."""
    domain.clear()  # type: ignore[attr-defined]
    domain.extend((value, value))  # type: ignore[attr-defined]


def _configure(solver: cp_model.CpSolver, params: SolverParams, seconds: float) -> None:
    """A sub-solve's parameters: the stage's own, with a deterministic limit per step."""
    parameters = solver.parameters
    parameters.max_time_in_seconds = max(0.01, seconds)
    parameters.max_deterministic_time = STEP_DETERMINISTIC_TIME
    parameters.num_workers = params.workers
    parameters.linearization_level = params.linearization_level
    parameters.cp_model_probing_level = params.probing_level
    parameters.random_seed = params.seed
    # the symmetry search costs a tenth of a step and most variables are fixed
    parameters.symmetry_level = 0
    for key, value in params.cp_sat.items():
        setattr(parameters, key, value)


def model_values(rm: RosterModel, solution: Solution) -> np.ndarray:
    """Every model variable's value under ``solution`` (unhinted ones at their least value)."""
    proto = rm.model.proto
    values = np.array([proto.variables[i].domain[0] for i in range(len(proto.variables))])
    for index, value in solution.variable_values(rm).items():
        values[index] = value
    for n, start in rm.variables.start.items():
        values[start.index] = solution.start.get(n, rm.window_start[n])
    return values.astype(np.int64)


def solution_of(rm: RosterModel, values: np.ndarray, terms: list[Term]) -> Solution:
    """The roster of ``values``, with the value of each of ``terms``."""
    x = rm.variables
    assign = np.array([values[var.index] for var in x.assign], dtype=bool)
    valued = {}
    for term in terms:
        coefficients, offset = _linear(term, values.size)
        valued[term.name] = float(offset + coefficients @ values)
    return Solution(
        assign=assign,
        staffed={n: bool(values[y.index]) for n, y in x.staffed.items()},
        start={n: int(values[s.index]) for n, s in x.start.items()},
        terms=valued,
    )
