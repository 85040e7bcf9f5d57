"""The CP-SAT model of a pairing: one boolean per candidate pair and role, and its stage terms.

Each household has at most one primary, at most one backup and a backup
only with a primary, never the same person in both roles; each volunteer
takes at most ``max_households`` households, in either role.  The terms of
the stages (:data:`~matcher.pairing.solve.STAGES`) are built here; the
driver that solves and holds them in turn is :mod:`matcher.pairing.solve`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from ortools.sat.python import cp_model

from matcher.domain import Problem
from matcher.pairing.candidates import Candidates, Choice
from matcher.solver.cpsat import hold_stage
from matcher.solver.objective import Term


class PairingModel:
    """The CP-SAT model of one pairing (or one independent part of it) and its stage terms.

    Parameters
    ----------
    problem
        The dataset (volunteers' caps and departments).
    candidates
        The candidate pairs of the households modelled.
    weights
        Priority weights of the whole pairing
        (:func:`matcher.solver.objective.lexicographic_weights`).
    """

    def __init__(self, problem: Problem, candidates: Candidates, weights: dict[int, int]) -> None:
        self.problem = problem
        self.weights = weights
        self.cand = cand = candidates
        model = self.model = cp_model.CpModel()
        size = len(cand)
        self.primary = [model.new_bool_var(f"p{k}") for k in range(size)]
        self.backup = [model.new_bool_var(f"b{k}") for k in range(size)]
        households = len(cand.households)
        self.starts = np.searchsorted(cand.household, np.arange(households + 1))
        for h in range(households):
            lo, hi = int(self.starts[h]), int(self.starts[h + 1])
            if hi == lo:
                continue
            primaries, backups = self.primary[lo:hi], self.backup[lo:hi]
            model.add_at_most_one(primaries)
            model.add(cp_model.LinearExpr.sum(backups) <= cp_model.LinearExpr.sum(primaries))
            for k in range(lo, hi):
                model.add_at_most_one(self.primary[k], self.backup[k])
        self.caps = np.array([v.max_households for v in problem.volunteers], dtype=np.int64)
        order = np.argsort(cand.volunteer, kind="stable")
        bounds = np.searchsorted(cand.volunteer[order], np.arange(len(self.caps) + 1))
        self.pairs_of: dict[int, list[int]] = {}
        for v in np.flatnonzero(np.diff(bounds)).tolist():
            ks = order[bounds[v] : bounds[v + 1]].tolist()
            self.pairs_of[v] = ks
            if len(ks) > self.caps[v]:
                load = [self.primary[k] for k in ks] + [self.backup[k] for k in ks]
                model.add(cp_model.LinearExpr.sum(load) <= int(self.caps[v]))
        self.extra: dict[int, cp_model.IntVar] = {}
        self.over: dict[str, tuple[cp_model.IntVar, list[int], int]] = {}

    def most(self, name: str) -> int | None:
        """A value no pairing can pass in stage ``name`` (None: none known cheaply).

        Every household with a candidate paired, every one with two candidates
        backed, every previous pair still a candidate kept, every household
        with its two best-fitting candidates: when the start reaches it, the
        stage is optimal without a solve, and no stage's bound is above it.
        """
        counts = np.bincount(self.cand.household, minlength=len(self.cand.households))
        if name in ("paired", "backed"):
            least = 1 if name == "paired" else 2
            return sum(
                self.weights[self.priority_of(h)] for h in range(len(counts)) if counts[h] >= least
            )
        if name == "fit":
            # each household's two best candidates, as if nobody had a cap
            total = 0
            for h in range(len(counts)):
                lo, hi = int(self.starts[h]), int(self.starts[h + 1])
                top = np.sort(self.cand.fit[lo:hi])[::-1][:2].tolist()
                total += 2 * top[0] + (top[1] if len(top) > 1 else 0) if top else 0
            return total
        if name == "kept":
            total = 0
            for h, (primary, backup) in enumerate(self.cand.previous.tolist()):
                lo, hi = int(self.starts[h]), int(self.starts[h + 1])
                mine = set(self.cand.volunteer[lo:hi].tolist())
                total += 2 * (primary in mine) + (backup in mine)
            return total
        return None

    def fill(self, term: Term, name: str, most: int) -> None:
        """Hold a stage at its most: every household that can have the role has it."""
        least = 1 if name == "paired" else 2
        roles = self.primary if name == "paired" else self.backup
        if name not in ("paired", "backed"):
            hold_stage(self.model, term, most, most)
            return
        for h in range(len(self.cand.households)):
            lo, hi = int(self.starts[h]), int(self.starts[h + 1])
            if hi - lo >= least:
                self.model.add_exactly_one(roles[lo:hi])

    def priority_of(self, h: int) -> int:
        return self.cand.households[h].priority

    def by_priority(self, variables: Sequence[cp_model.IntVar], name: str) -> Term:
        """Households counted by priority, each priority before all lower ones together.

        The weights are the whole pairing's, so the values of independent
        parts add up.
        """
        coeff = [self.weights[self.priority_of(int(h))] for h in self.cand.household]
        return Term(name, list(variables), coeff)

    def kept(self) -> Term:
        variables, coeff = [], []
        for k, (h, v) in enumerate(zip(self.cand.household, self.cand.volunteer, strict=True)):
            primary, backup = (int(x) for x in self.cand.previous[h])
            if v == primary:
                variables += [self.primary[k], self.backup[k]]
                coeff += [2, 1]
            elif v == backup:
                variables += [self.backup[k], self.primary[k]]
                coeff += [1, 1]
        return Term("kept", variables, coeff)

    def fit(self) -> Term:
        fit = [int(f) for f in self.cand.fit]
        return Term("fit", [*self.primary, *self.backup], [2 * f for f in fit] + fit)

    def spread(self, assigned: int) -> Term:
        """Volunteers with more than one household, and households past a department's share."""
        model, variables, coeff = self.model, [], []
        department_of = [v.department for v in self.problem.volunteers]
        people: dict[str, list[int]] = {}
        for v, ks in self.pairs_of.items():
            load = [self.primary[k] for k in ks] + [self.backup[k] for k in ks]
            people.setdefault(department_of[v], []).append(v)
            cap = int(min(self.caps[v], len(ks)))
            if cap >= 2:
                extra = model.new_int_var(0, cap - 1, f"extra{v}")
                model.add(extra >= cp_model.LinearExpr.sum(load) - 1)
                self.extra[v] = extra
                variables.append(extra)
                coeff.append(-1)
        total = sum(len(vs) for vs in people.values())
        for department, vs in people.items():
            share = math.ceil(assigned * len(vs) / total) if total else 0
            ks = [k for v in vs for k in self.pairs_of[v]]
            load = [self.primary[k] for k in ks] + [self.backup[k] for k in ks]
            over = model.new_int_var(0, len(load), f"over{len(self.over)}")
            model.add(over >= cp_model.LinearExpr.sum(load) - share)
            self.over[department] = (over, ks, share)
            variables.append(over)
            coeff.append(-1)
        return Term("spread", variables, coeff)

    def hint(self, choice: Choice) -> None:
        """Give CP-SAT this pairing (and the spread variables it implies) as a complete hint."""
        model = self.model
        model.clear_hints()
        size = len(self.cand)
        p = np.zeros(size, dtype=np.int64)
        b = np.zeros(size, dtype=np.int64)
        p[choice.primary[choice.primary >= 0]] = 1
        b[choice.backup[choice.backup >= 0]] = 1
        variables = [x.index for x in self.primary] + [x.index for x in self.backup]
        values = p.tolist() + b.tolist()
        for v, extra in self.extra.items():
            ks = self.pairs_of[v]
            variables.append(extra.index)
            values.append(max(0, int(p[ks].sum() + b[ks].sum()) - 1))
        for over, ks, share in self.over.values():
            variables.append(over.index)
            values.append(max(0, int(p[ks].sum() + b[ks].sum()) - share))
        hint = model.proto.solution_hint
        hint.vars.extend(variables)
        hint.values.extend(values)

    def choice(self, solver: cp_model.CpSolver) -> Choice:
        """The pairing CP-SAT found."""
        p = np.asarray(solver.boolean_values(self.primary), dtype=bool)
        b = np.asarray(solver.boolean_values(self.backup), dtype=bool)
        return choice_from(self.cand, p, b)

    def value(self, term: Term, choice: Choice) -> int:
        """The value of a stage term at a pairing (the spread variables at their least)."""
        size = len(self.cand)
        p = np.zeros(size, dtype=np.int64)
        b = np.zeros(size, dtype=np.int64)
        p[choice.primary[choice.primary >= 0]] = 1
        b[choice.backup[choice.backup >= 0]] = 1
        # every variable by its index in the model: primaries, backups, then the rest
        values = np.zeros(len(self.model.proto.variables), dtype=np.int64)
        values[[x.index for x in self.primary]] = p
        values[[x.index for x in self.backup]] = b
        for v, extra in self.extra.items():
            ks = self.pairs_of[v]
            values[extra.index] = max(0, int(p[ks].sum() + b[ks].sum()) - 1)
        for over, ks, share in self.over.values():
            values[over.index] = max(0, int(p[ks].sum() + b[ks].sum()) - share)
        index = np.fromiter((x.index for x in term.variables), np.int64, len(term.variables))
        coefficients = np.fromiter(term.coefficients, dtype=object, count=len(term.coefficients))
        # object arithmetic: mixed-radix weights times counts may pass 64 bits in a sum
        return int((coefficients * values[index].astype(object)).sum()) if len(index) else 0


def choice_from(cand: Candidates, p: np.ndarray, b: np.ndarray) -> Choice:
    count = len(cand.households)
    primary = np.full(count, -1, np.int64)
    backup = np.full(count, -1, np.int64)
    primary[cand.household[p]] = np.flatnonzero(p)
    backup[cand.household[b]] = np.flatnonzero(b)
    return Choice(primary, backup)
