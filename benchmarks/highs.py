"""The roster model as a MILP in HiGHS, its LP relaxations, and a bound of the unpruned problem.

The comparison with HiGHS is only worth something if HiGHS solves *the same
model*.  So nothing here re-models the roster: :func:`translate` reads the
``CpModelProto`` that :func:`matcher.solver.model.build_model` produces and
turns every constraint into linear rows, and :func:`solve_with_highs` runs the
lexicographic procedure of :func:`matcher.solver.solve` on it (coverage
first, then the soft rules with coverage held, the same time split, the same
greedy start).

Translation, per CP-SAT constraint kind (``x`` integer columns, one per
CP-SAT variable and with its domain as bounds; a literal ``l`` is ``x`` or
``1 - x``):

* ``linear`` with a single-interval domain: one row ``lo <= sum(a x) <= hi``.
  With enforcement literals ``e_1..e_k``, ``S = sum(1 - e_i)`` counts the
  false ones and each finite side gets a big-M term from the variable
  domains, ``sum(a x) >= lo - (lo - min_activity) S`` and
  ``sum(a x) <= hi + (max_activity - hi) S``: exact when all are true,
  void (implied by the domains) when one is false.  A domain that is a union
  of intervals gets one binary selector per interval (``sum z = 1``, or
  ``sum z + S >= 1`` when enforced) and each interval is enforced by its
  selector as above.
* ``bool_or``, ``bool_and``, ``at_most_one``, ``exactly_one``: the linear rows
  ``sum l >= 1``, ``l >= 1`` each, ``sum l <= 1``, ``sum l = 1``, with
  enforcement as for ``linear``.
* ``interval``: start, size and end are affine expressions; when the end is
  not syntactically ``start + size``, ``start + size = end`` is added,
  enforced by the interval's presence literal.
* ``no_overlap``: for each pair of intervals ``i, j`` (present when their
  literals are true), CP-SAT's rule ``end_i <= start_j or end_j <= start_i``
  (zero-size intervals included, checked against CP-SAT).  From the domains:
  when neither order is possible, ``p_i + p_j <= 1``; when one is,
  that order enforced by ``p_i, p_j``; when both are, one binary ``b``
  (``i`` first) and the two orders enforced by ``p_i, p_j, b`` and
  ``p_i, p_j, not b``, with big-M ``max(end_i) - min(start_j)``.
* Anything else (``int_prod``, ``element``, ``cumulative``, variables whose
  domain is a union of intervals, a floating-point objective ...) raises
  :class:`TranslationError`: the builder does not emit it today, and a
  silent mistranslation would make the comparison worthless.

Bounds.  :func:`lp_bounds` solves the LP relaxation of the translated model,
stage by stage with earlier stages held at the values the compared run
reached (weighted coverage held through the counts per priority it implies,
:func:`priority_count_rows`, for numerical reasons).
:func:`unpruned_bounds` does the same for the model built with pruning off
(every eligible pair), translated in relaxation mode (no ``no_overlap`` or
interval rows, unions of intervals replaced by their hull) and solved by
column generation from the pruned pairs, each round giving a valid
Lagrangian bound; see its docstring for why that bounds the full problem.

HiGHS runs with one thread (``threads = 1``), like CP-SAT's default of one
worker (:class:`matcher.params.SolverParams`), ``mip_rel_gap`` equal to the
solver's ``relative_gap`` (0: prove optimal) and the solver's seed.  By
default a stage is held exactly as ``solve`` holds it (``stage >=
round(value)``); ``solve_with_highs(hold_counts=True)`` holds a proven
coverage optimum by its counts per priority instead (the same integer
rosters, without a row whose coefficients span ten orders of magnitude).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import os
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import highspy
import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from benchmarks.gap import GapInstance, gap_params, gap_problem
from matcher.baselines import Placement, fill_teams, greedy_roster
from matcher.domain import Assignment, Problem
from matcher.eligibility import Eligibility, build_eligibility
from matcher.io import load_dataset, write_dataset
from matcher.params import SolverParams
from matcher.result import relative_gap
from matcher.solver.model import RosterModel, build_model
from matcher.solver.objective import Term

THREADS = 1
"""HiGHS threads: CP-SAT runs with one worker by default, so HiGHS gets one thread too."""
TARGET_GAP = 0.005
"""The gap whose first time is recorded (the benchmark target: within 0.5% of the bound)."""
UNPRUNED_PAIR_LIMIT = 2_000_000
"""Above this many eligible pairs the unpruned model is not built (3.3 GB and 2.5 min at 1.3M)."""

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INF = math.inf

Literal = tuple[int, bool]
"""A Boolean literal over columns: ``(column, negated)``; its value is ``x`` or ``1 - x``."""


class TranslationError(ValueError):
    """The CP-SAT model uses something the translation does not support."""


@dataclasses.dataclass(frozen=True)
class _Affine:
    """``sum(coeffs * x[cols]) + offset``."""

    cols: tuple[int, ...]
    coeffs: tuple[float, ...]
    offset: float

    def value(self, values: np.ndarray) -> float:
        total = sum(c * values[i] for i, c in zip(self.cols, self.coeffs, strict=True))
        return float(total) + self.offset


@dataclasses.dataclass(frozen=True)
class _Order:
    """Aux binary: 1 when interval ``i`` ends before ``j`` starts."""

    col: int
    end_i: _Affine
    start_j: _Affine


@dataclasses.dataclass(frozen=True)
class _Select:
    """Aux binaries selecting the interval of a union domain that holds the expression."""

    cols: tuple[int, ...]
    expr: _Affine
    intervals: tuple[tuple[float, float], ...]


@dataclasses.dataclass
class Milp:
    """A MILP in row-wise form; columns ``0 .. proto_vars - 1`` are the CP-SAT variables.

    Attributes
    ----------
    col_lower, col_upper
        Column bounds (CP-SAT variable domains; aux columns are binary).
    integer
        Integrality of each column (all CP-SAT variables are integer).
    row_lower, row_upper, row_start, row_index, row_value
        Rows in compressed row form (infinite sides are ``inf``).
    proto_vars
        Number of CP-SAT variables.
    kinds
        How many constraints of each CP-SAT kind were translated (or dropped, in
        relaxation mode, under ``"<kind> (dropped)"``).
    """

    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_start: np.ndarray
    row_index: np.ndarray
    row_value: np.ndarray
    proto_vars: int
    kinds: dict[str, int]
    aux: list[_Order | _Select]

    @property
    def cols(self) -> int:
        """Number of columns."""
        return int(self.col_lower.size)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return int(self.row_lower.size)

    def complete(self, values: np.ndarray) -> np.ndarray:
        """Extend values of the CP-SAT variables with values of the aux columns.

        Parameters
        ----------
        values
            One value per CP-SAT variable (or per column; aux entries are recomputed).

        Returns
        -------
        numpy.ndarray
            One value per column: a feasible MILP point when ``values`` is a
            feasible CP-SAT solution.
        """
        full = np.zeros(self.cols)
        full[: self.proto_vars] = values[: self.proto_vars]
        for aux in self.aux:
            if isinstance(aux, _Order):
                full[aux.col] = 1.0 if aux.end_i.value(full) <= aux.start_j.value(full) else 0.0
            else:
                value = aux.expr.value(full)
                for col, (lo, hi) in zip(aux.cols, aux.intervals, strict=True):
                    if lo <= value <= hi:
                        full[col] = 1.0
                        break
        return full

    def violations(self, values: np.ndarray, tol: float = 1e-6) -> int:
        """Rows and column bounds that ``values`` (one per column) break."""
        entry_row = np.repeat(np.arange(self.rows), np.diff(self.row_start))
        activity = np.bincount(
            entry_row, weights=self.row_value * values[self.row_index], minlength=self.rows
        )
        bad_rows = (activity < self.row_lower - tol) | (activity > self.row_upper + tol)
        bad_cols = (values < self.col_lower - tol) | (values > self.col_upper + tol)
        return int(bad_rows.sum() + bad_cols.sum())

    def matrix(
        self, rows: Sequence[ExtraRow] = ()
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Row bounds and compressed rows of the model with ``rows`` appended."""
        lower = np.concatenate([self.row_lower, [r.lower for r in rows]])
        upper = np.concatenate([self.row_upper, [r.upper for r in rows]])
        sizes = np.array([r.cols.size for r in rows], dtype=np.int64)
        start = np.concatenate([self.row_start, self.row_start[-1] + np.cumsum(sizes)])
        index = np.concatenate([self.row_index, *[r.cols.astype(np.int64) for r in rows]])
        value = np.concatenate([self.row_value, *[r.coeffs.astype(np.float64) for r in rows]])
        return lower, upper, start, index, value

    def lp(
        self, objective: StageObjective, rows: Sequence[ExtraRow] = (), relax: bool = False
    ) -> highspy.HighsLp:
        """The model for HiGHS: maximise ``objective`` subject to the model and ``rows``.

        Parameters
        ----------
        objective
            The stage to maximise.
        rows
            Rows added for this solve (earlier stages held, see :func:`hold_row`).
        relax
            Drop integrality (the LP relaxation).
        """
        lower, upper, start, index, value = self.matrix(rows)
        lp = _highs_lp(
            objective.cost(self.cols),
            objective.offset,
            (self.col_lower, self.col_upper),
            (lower, upper, start, index, value),
        )
        if not relax:
            lp.integrality_ = [
                highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                for i in self.integer.tolist()
            ]
        return lp


def _highs_lp(
    cost: np.ndarray,
    offset: float,
    columns: tuple[np.ndarray, np.ndarray],
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
) -> highspy.HighsLp:
    """A maximisation LP for HiGHS from column bounds and compressed rows."""
    lower, upper, start, index, value = rows
    lp = highspy.HighsLp()
    lp.num_col_ = cost.size
    lp.num_row_ = lower.size
    lp.col_cost_ = cost
    lp.col_lower_ = columns[0]
    lp.col_upper_ = columns[1]
    lp.row_lower_ = lower
    lp.row_upper_ = upper
    lp.offset_ = offset
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_ = cost.size
    lp.a_matrix_.num_row_ = lower.size
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    return lp


class _Builder:
    """Collects columns and rows while a proto is translated."""

    def __init__(self, proto: cp_model_pb2.CpModelProto, relax: bool) -> None:
        self.relax = relax
        lower, upper = [], []
        for k, var in enumerate(proto.variables):
            domain = list(var.domain)
            if len(domain) != 2:
                raise TranslationError(
                    f"variable {k} ({var.name or 'unnamed'}) has a domain with holes: {domain}"
                )
            lower.append(_side(domain[0]))
            upper.append(_side(domain[1]))
        self.lower = lower
        self.upper = upper
        self.integer = [True] * len(lower)
        self.proto_vars = len(lower)
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.row_start: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self.kinds: Counter[str] = Counter()
        self.aux: list[_Order | _Select] = []

    # --- columns and expressions -------------------------------------------------

    def binary(self) -> int:
        self.lower.append(0.0)
        self.upper.append(1.0)
        self.integer.append(True)
        return len(self.lower) - 1

    def literal(self, ref: int) -> Literal:
        col = ref if ref >= 0 else -ref - 1
        if self.lower[col] < 0 or self.upper[col] > 1:
            raise TranslationError(f"literal {ref} is not over a Boolean variable")
        return (col, ref < 0)

    def expr(self, proto_expr: Any, what: str) -> _Affine:
        """An affine expression of the proto (linear constraints and interval parts)."""
        cols = tuple(int(v) for v in proto_expr.vars)
        if any(v < 0 for v in cols):
            raise TranslationError(f"{what}: negated variable references are not supported")
        offset = float(getattr(proto_expr, "offset", 0))
        return _Affine(cols, tuple(float(c) for c in proto_expr.coeffs), offset)

    def activity(self, cols: Sequence[int], coeffs: Sequence[float]) -> tuple[float, float]:
        low = high = 0.0
        for i, c in zip(cols, coeffs, strict=True):
            lo, hi = self.lower[i], self.upper[i]
            low += c * lo if c > 0 else c * hi
            high += c * hi if c > 0 else c * lo
        return low, high

    # --- rows -----------------------------------------------------------------

    def row(self, cols: Sequence[int], coeffs: Sequence[float], lo: float, hi: float) -> None:
        merged: dict[int, float] = {}
        for i, c in zip(cols, coeffs, strict=True):
            merged[i] = merged.get(i, 0.0) + c
        items = [(i, c) for i, c in merged.items() if c != 0.0]
        self.index.extend(i for i, _ in items)
        self.value.extend(c for _, c in items)
        self.row_lower.append(lo)
        self.row_upper.append(hi)
        self.row_start.append(len(self.index))

    def linear(
        self,
        expr: _Affine,
        domain: Sequence[tuple[float, float]],
        enforcement: Sequence[Literal],
    ) -> None:
        """``expr`` in the union of ``domain`` intervals, when every enforcement literal holds."""
        cols, coeffs = list(expr.cols), list(expr.coeffs)
        low, high = self.activity(cols, coeffs)
        low, high = low + expr.offset, high + expr.offset
        # Intervals the expression can reach; the others can never be chosen.
        reachable = [(lo, hi) for lo, hi in domain if lo <= high and hi >= low and lo <= hi]
        # S = number of false enforcement literals = s_const + sum(s_coeffs * x).
        s_cols = [c for c, _ in enforcement]
        s_coeffs = [1.0 if negated else -1.0 for _, negated in enforcement]
        s_const = float(sum(0 if negated else 1 for _, negated in enforcement))
        if not reachable:
            if enforcement:
                self.row(s_cols, s_coeffs, 1.0 - s_const, _INF)  # some literal must be false
            else:
                self.row([], [], 1.0, _INF)  # 0 >= 1: infeasible, as in CP-SAT
            return
        if len(reachable) > 1 and self.relax:
            reachable = [(min(lo for lo, _ in reachable), max(hi for _, hi in reachable))]
        if len(reachable) == 1:
            self._enforced(
                cols, coeffs, expr.offset, reachable[0], low, high, s_cols, s_coeffs, s_const
            )
            return
        selectors = [self.binary() for _ in reachable]
        self.aux.append(_Select(tuple(selectors), expr, tuple(reachable)))
        if enforcement:
            # sum(z) + S >= 1: an interval is chosen whenever the constraint is enforced.
            self.row(selectors + s_cols, [1.0] * len(selectors) + s_coeffs, 1.0 - s_const, _INF)
            self.row(selectors, [1.0] * len(selectors), -_INF, 1.0)
        else:
            self.row(selectors, [1.0] * len(selectors), 1.0, 1.0)
        for z, interval in zip(selectors, reachable, strict=True):
            self._enforced(cols, coeffs, expr.offset, interval, low, high, [z], [-1.0], 1.0)

    def _enforced(
        self,
        cols: list[int],
        coeffs: list[float],
        offset: float,
        interval: tuple[float, float],
        low: float,
        high: float,
        s_cols: list[int],
        s_coeffs: list[float],
        s_const: float,
    ) -> None:
        """``lo <= expr <= hi`` relaxed by big-M times S (S = 0 when enforced)."""
        lo, hi = interval
        need_lo, need_hi = lo > low, hi < high
        if not s_cols:
            if need_lo or need_hi:
                self.row(
                    cols,
                    coeffs,
                    lo - offset if need_lo else -_INF,
                    hi - offset if need_hi else _INF,
                )
            return
        if (need_lo and not math.isfinite(low)) or (need_hi and not math.isfinite(high)):
            raise TranslationError("an enforced constraint over an unbounded expression")
        if need_lo:
            # expr + (lo - low) * S >= lo
            m = lo - low
            self.row(
                cols + s_cols, coeffs + [m * c for c in s_coeffs], lo - offset - m * s_const, _INF
            )
        if need_hi:
            # expr - (high - hi) * S <= hi
            m = high - hi
            self.row(
                cols + s_cols, coeffs + [-m * c for c in s_coeffs], -_INF, hi - offset + m * s_const
            )

    def literal_sum(self, literals: Sequence[Literal]) -> _Affine:
        cols = tuple(c for c, _ in literals)
        coeffs = tuple(-1.0 if negated else 1.0 for _, negated in literals)
        return _Affine(cols, coeffs, float(sum(1 for _, negated in literals if negated)))

    # --- scheduling ----------------------------------------------------------------

    def no_overlap(
        self,
        intervals: list[tuple[_Affine, _Affine, list[Literal]]],
        enforcement: list[Literal],
    ) -> None:
        """CP-SAT's ``end_i <= start_j or end_j <= start_i`` for every pair present."""
        spans = []
        for start, end, _ in intervals:
            s_lo, s_hi = self.activity(start.cols, start.coeffs)
            e_lo, e_hi = self.activity(end.cols, end.coeffs)
            spans.append(
                (s_lo + start.offset, s_hi + start.offset, e_lo + end.offset, e_hi + end.offset)
            )
        for i in range(len(intervals)):
            start_i, end_i, present_i = intervals[i]
            for j in range(i + 1, len(intervals)):
                start_j, end_j, present_j = intervals[j]
                both = [*enforcement, *present_i, *present_j]
                i_first = spans[i][2] <= spans[j][1]  # min end_i <= max start_j
                j_first = spans[j][2] <= spans[i][1]
                if not i_first and not j_first:
                    if not both:
                        self.row([], [], 1.0, _INF)
                    else:
                        self.linear(self.literal_sum(both), [(-_INF, len(both) - 1.0)], [])
                    continue
                fixed = spans[i][0] == spans[i][1] and spans[j][0] == spans[j][1]
                if fixed and spans[i][2] == spans[i][3] and spans[j][2] == spans[j][3]:
                    continue  # fixed and one order holds: never in conflict
                if i_first and j_first:
                    b = self.binary()
                    self.aux.append(_Order(b, end_i, start_j))
                    self.linear(_minus(end_i, start_j), [(-_INF, 0.0)], [*both, (b, False)])
                    self.linear(_minus(end_j, start_i), [(-_INF, 0.0)], [*both, (b, True)])
                elif i_first:
                    self.linear(_minus(end_i, start_j), [(-_INF, 0.0)], both)
                else:
                    self.linear(_minus(end_j, start_i), [(-_INF, 0.0)], both)

    def build(self) -> Milp:
        return Milp(
            col_lower=np.array(self.lower, dtype=np.float64),
            col_upper=np.array(self.upper, dtype=np.float64),
            integer=np.array(self.integer, dtype=bool),
            row_lower=np.array(self.row_lower, dtype=np.float64),
            row_upper=np.array(self.row_upper, dtype=np.float64),
            row_start=np.array(self.row_start, dtype=np.int64),
            row_index=np.array(self.index, dtype=np.int64),
            row_value=np.array(self.value, dtype=np.float64),
            proto_vars=self.proto_vars,
            kinds=dict(self.kinds),
            aux=self.aux,
        )


def _side(bound: int) -> float:
    """A domain end as a float bound (CP-SAT's int64 extremes mean unbounded)."""
    if bound <= _INT64_MIN + 1:
        return -_INF
    if bound >= _INT64_MAX - 1:
        return _INF
    return float(bound)


def _minus(a: _Affine, b: _Affine) -> _Affine:
    return _Affine(a.cols + b.cols, a.coeffs + tuple(-c for c in b.coeffs), a.offset - b.offset)


def _domain(values: Sequence[int]) -> list[tuple[float, float]]:
    return [(_side(values[k]), _side(values[k + 1])) for k in range(0, len(values), 2)]


def model_proto(model: cp_model.CpModel) -> cp_model_pb2.CpModelProto:
    """The model as a protobuf message (OR-Tools 9.15 keeps its own C++ proto in Python).

    Written and read back in binary, so it is byte for byte the model CP-SAT gets.
    """
    with tempfile.TemporaryDirectory(prefix="cpmodel-") as folder:
        path = os.path.join(folder, "model.pb")
        if not model.export_to_file(path):
            raise TranslationError("CP-SAT could not export the model")
        with open(path, "rb") as handle:
            return cp_model_pb2.CpModelProto.FromString(handle.read())


def translate(proto: cp_model_pb2.CpModelProto, relax: bool = False) -> Milp:
    """Translate a CP-SAT model into a MILP (see the module docstring for each kind).

    Parameters
    ----------
    proto
        The CP-SAT model; its objective, hints and search strategy are ignored.
    relax
        Relaxation mode, for LP bounds only: ``no_overlap`` (and the interval
        consistency rows) are dropped and unions of intervals become their
        hull.  Dropping constraints only enlarges the feasible set.

    Returns
    -------
    Milp
        Columns ``0 .. len(proto.variables) - 1`` are the CP-SAT variables.

    Raises
    ------
    TranslationError
        For a constraint kind or a variable domain the translation does not support.
    """
    b = _Builder(proto, relax)
    intervals: dict[int, tuple[_Affine, _Affine, list[Literal]]] = {}
    for k, c in enumerate(proto.constraints):
        kind = c.WhichOneof("constraint")
        if relax and kind in ("interval", "no_overlap"):
            # Dropped unread: at 1.3 million pairs reading them took minutes.
            b.kinds[f"{kind} (dropped)"] += 1
            continue
        enforcement = [b.literal(ref) for ref in c.enforcement_literal]
        if kind == "linear":
            expr = b.expr(c.linear, f"constraint {k}")
            b.linear(expr, _domain(c.linear.domain), enforcement)
        elif kind in ("bool_or", "bool_and", "at_most_one", "exactly_one"):
            literals = [b.literal(ref) for ref in getattr(c, kind).literals]
            if kind == "bool_and":
                for literal in literals:
                    b.linear(b.literal_sum([literal]), [(1.0, 1.0)], enforcement)
            else:
                bounds = {
                    "bool_or": (1.0, _INF),
                    "at_most_one": (-_INF, 1.0),
                    "exactly_one": (1.0, 1.0),
                }[kind]
                b.linear(b.literal_sum(literals), [bounds], enforcement)
        elif kind == "interval":
            start = b.expr(c.interval.start, f"interval {k}")
            end = b.expr(c.interval.end, f"interval {k}")
            size = b.expr(c.interval.size, f"interval {k}")
            intervals[k] = (start, end, enforcement)
            if not (
                end.cols == start.cols
                and end.coeffs == start.coeffs
                and not size.cols
                and end.offset == start.offset + size.offset
            ):
                # CP-SAT requires start + size == end and size >= 0 for a present interval.
                start_plus_size = _Affine(
                    start.cols + size.cols, start.coeffs + size.coeffs, start.offset + size.offset
                )
                b.linear(_minus(start_plus_size, end), [(0.0, 0.0)], enforcement)
                b.linear(size, [(0.0, _INF)], enforcement)
        elif kind == "no_overlap":
            members = []
            for ref in c.no_overlap.intervals:
                if ref not in intervals:
                    raise TranslationError(f"no_overlap {k} names interval {ref} before it")
                members.append(intervals[ref])
            b.no_overlap(members, enforcement)
        else:
            raise TranslationError(
                f"constraint {k} is a {kind!r} constraint, which the translation does not support"
            )
        b.kinds[kind] += 1
    if proto.HasField("floating_point_objective"):
        raise TranslationError("a floating-point objective is not supported")
    return b.build()


@dataclasses.dataclass(frozen=True)
class StageObjective:
    """One lexicographic stage as a linear objective over the columns (to maximise)."""

    name: str
    cols: np.ndarray
    coeffs: np.ndarray
    offset: float

    def value(self, values: np.ndarray) -> float:
        """The stage's value at a point (one value per column or per CP-SAT variable)."""
        return float(np.dot(self.coeffs, values[self.cols]) + self.offset)

    def cost(self, columns: int) -> np.ndarray:
        """Dense objective coefficients over ``columns`` columns."""
        cost = np.zeros(columns)
        np.add.at(cost, self.cols, self.coeffs)
        return cost


@dataclasses.dataclass(frozen=True)
class ExtraRow:
    """A row added for one solve: ``lower <= sum(coeffs * x[cols]) <= upper``."""

    cols: np.ndarray
    coeffs: np.ndarray
    lower: float
    upper: float


def hold_row(stage: StageObjective, value: float) -> ExtraRow:
    """``stage >= value``: how :func:`matcher.solver.solve` holds a stage for the next ones."""
    return ExtraRow(stage.cols, stage.coeffs, value - stage.offset, _INF)


def priority_count_rows(stage: StageObjective, low: float, high: float) -> list[ExtraRow] | None:
    """Rows on counts of staffed needs per priority, kept by rosters with ``low <= stage <= high``.

    The coverage weights are a mixed radix: a staffed need of one priority
    outweighs all needs of lower priorities together (``W[p] > sum over q < p
    of count[q] * W[q]``), so the coverage value of a roster orders its
    vector of counts per priority lexicographically, and the counts of any
    value are read off by dividing from the top.  A roster whose value lies
    in ``[low, high]`` therefore has counts lexicographically between
    ``decode(low)`` and ``decode(high)``: equal to both where they agree
    (from the top), and between them at the first priority where they differ;
    lower priorities are free.  Those rows hold for every such roster, so an
    LP with them instead of ``stage >= low`` is still a relaxation of the
    stage, and it avoids a row whose coefficients span ten orders of
    magnitude (with it HiGHS's simplex needed 325 s on 5,000 x 1,500 instead of 8 s).

    Parameters
    ----------
    stage
        A weighted coverage stage (one coefficient per priority class).
    low, high
        Value reached, and a proven upper bound of the stage.

    Returns
    -------
    list of ExtraRow or None
        None when the coefficients are not a mixed radix (then hold the stage itself).
    """
    weights = sorted({float(c) for c in stage.coeffs.tolist()})
    if len(weights) < 2 or weights[0] <= 0 or high < low:
        return None
    members = {w: stage.cols[stage.coeffs == w] for w in weights}
    below = 0.0
    for w in weights:
        if w <= below:
            return None
        below += w * members[w].size

    def decode(value: float) -> list[int]:
        rest = math.floor(value - stage.offset + 1e-9)
        counts = []
        for w in reversed(weights):
            k = min(members[w].size, max(0, rest // int(w)))
            counts.append(k)
            rest -= k * int(w)
        return counts

    rows = []
    for w, lo, hi in zip(reversed(weights), decode(low), decode(high), strict=True):
        cols = members[w]
        rows.append(ExtraRow(cols, np.ones(cols.size), float(lo), float(hi)))
        if lo != hi:
            break
    return rows


def stage_terms(rm: RosterModel) -> list[Term]:
    """The stages :func:`matcher.solver.solve` optimises: coverage term(s), then all soft terms."""
    soft = Term(
        "soft",
        [v for t in rm.soft for v in t.variables],
        [c for t in rm.soft for c in t.coefficients],
    )
    return [*rm.coverage, soft]


def stage_objective(model: cp_model.CpModel, term: Term) -> StageObjective:
    """A stage as a linear objective over the columns.

    A sum of plain variables (all of ours) is read directly, one coefficient
    per variable index; anything else goes through CP-SAT itself
    (``model.maximize(term)``, read back from the proto, objective cleared
    again).  Both give what CP-SAT optimises; the direct read takes 1 s
    instead of 16 s at 1.3 million pairs.
    """
    if all(type(v) is cp_model.IntVar for v in term.variables):
        cols = np.array([v.index for v in term.variables], dtype=np.int64)  # type: ignore[union-attr]
        coeffs = np.array(term.coefficients, dtype=np.float64)
        offset = 0.0
    else:
        model.maximize(term.expression())
        objective = model.proto.objective
        scale = objective.scaling_factor or 1.0
        cols = np.array(list(objective.vars), dtype=np.int64)
        coeffs = scale * np.array(list(objective.coeffs), dtype=np.float64)
        offset = scale * objective.offset
        model.clear_objective()
    if (cols < 0).any():
        raise TranslationError(f"objective {term.name}: negated references are not supported")
    # One coefficient per column (a hold row must not name a column twice).
    cols, position = np.unique(cols, return_inverse=True)
    coeffs = np.bincount(position, weights=coeffs, minlength=cols.size)
    return StageObjective(term.name, cols[coeffs != 0], coeffs[coeffs != 0], offset)


@dataclasses.dataclass
class StageRun:
    """What HiGHS did in one stage.

    Attributes
    ----------
    status
        In the solver's words: OPTIMAL (gap closed), FEASIBLE, INFEASIBLE or UNKNOWN.
    highs_status
        HiGHS's model status.
    objective, bound
        Best value found and HiGHS's dual bound (None when it has none).
    gap
        :func:`matcher.result.relative_gap` of the two, as the solver reports it.
    mip_gap
        HiGHS's own gap (relative to the objective only).
    runtime
        Seconds of ``Highs.run``.
    time_to_gap
        Seconds from the stage start to the first moment the gap was at most
        the target (None if never).
    """

    name: str
    status: str
    highs_status: str
    objective: float | None
    bound: float | None
    gap: float | None
    mip_gap: float | None
    runtime: float
    time_to_gap: float | None
    nodes: int


@dataclasses.dataclass
class HighsRun:
    """A lexicographic run of HiGHS on the roster model.

    Attributes
    ----------
    status
        Worst stage status (OPTIMAL only when every stage is).
    stages
        One record per stage that ran.
    gap
        Largest stage gap (None when a stage has no bound or no roster).
    prepare_seconds
        Eligibility, model build and greedy start (what :func:`matcher.solver.solve`
        spends before its first stage too); counted in ``time_to_gap``.
    translate_seconds
        Proto export and translation (tooling; not counted anywhere else).
    time_to_gap
        Seconds from the start of the run (``prepare_seconds`` included) until
        the last stage first reached the target gap, every earlier stage having
        ended within it; None when that never happened.
    assignments
        ``(volunteer index, need index)`` of every pair on the final roster.
    """

    status: str
    stages: list[StageRun]
    gap: float | None
    prepare_seconds: float
    translate_seconds: float
    time_to_gap: float | None
    assignments: list[tuple[int, int]]
    columns: int
    rows: int
    kinds: dict[str, int]
    version: str
    threads: int = THREADS

    @property
    def runtime(self) -> float:
        """Preparation and every stage (the translation left out)."""
        return self.prepare_seconds + sum(s.runtime for s in self.stages)

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for the results JSON (assignments left out)."""
        out = dataclasses.asdict(self)
        del out["assignments"]
        out["runtime"] = self.runtime
        return out


def highs_version() -> str:
    """HiGHS version string, e.g. ``1.16.0``."""
    return ".".join(
        str(v)
        for v in (
            highspy.HIGHS_VERSION_MAJOR,
            highspy.HIGHS_VERSION_MINOR,
            highspy.HIGHS_VERSION_PATCH,
        )
    )


def _new_highs(time_limit: float, params: SolverParams) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", THREADS)
    h.setOptionValue("time_limit", max(0.01, time_limit))
    h.setOptionValue("random_seed", int(params.seed))
    # relative_gap 0 means "prove optimal", as for CP-SAT (HiGHS's default stops at 1e-4).
    h.setOptionValue("mip_rel_gap", float(params.relative_gap))
    return h


def _status(h: highspy.Highs) -> str:
    return h.modelStatusToString(h.getModelStatus())


def _has_solution(h: highspy.Highs) -> bool:
    info = h.getInfo()
    return int(info.primal_solution_status) == int(highspy.SolutionStatus.kSolutionStatusFeasible)


class _GapClock:
    """Records when HiGHS's incumbent first comes within the target gap of its dual bound."""

    def __init__(self, target: float) -> None:
        self.target = target
        self.started = time.perf_counter()
        self.reached: float | None = None

    def __call__(self, event: Any) -> None:
        if self.reached is not None:
            return
        data = event.data_out
        primal, dual = data.mip_primal_bound, data.mip_dual_bound
        if (
            math.isfinite(primal)
            and math.isfinite(dual)
            and (relative_gap(primal, dual) <= self.target)
        ):
            self.reached = time.perf_counter() - self.started


def solve_stage(
    milp: Milp,
    stage: StageObjective,
    rows: Sequence[ExtraRow],
    start: np.ndarray | None,
    seconds: float,
    params: SolverParams,
    target_gap: float = TARGET_GAP,
) -> tuple[StageRun, np.ndarray | None]:
    """Maximise one stage with HiGHS.

    Parameters
    ----------
    milp
        The translated model.
    stage
        The stage objective.
    rows
        Rows of this solve: earlier stages held (:func:`hold_row`).
    start
        A point to start from (one value per column), or None.  When HiGHS
        finds nothing better and the start breaks no row, the start is the
        stage's result, as :func:`matcher.solver.solve` keeps its previous roster.
    seconds
        HiGHS time limit.
    params
        Seed and relative gap.
    target_gap
        Gap whose first time is recorded.

    Returns
    -------
    tuple
        The stage report and the solution (rounded to integers), or None without one.
    """
    h = _new_highs(seconds, params)
    h.passModel(milp.lp(stage, rows))
    if start is not None:
        h.setSolution(milp.cols, np.arange(milp.cols, dtype=np.int32), start.astype(np.float64))
    clock = _GapClock(target_gap)
    # Incumbents move the primal side, the search the dual side: watch both.
    h.cbMipImprovingSolution.subscribe(clock)
    h.cbMipInterrupt.subscribe(clock)
    clock.started = time.perf_counter()
    h.run()
    runtime = time.perf_counter() - clock.started
    info = h.getInfo()
    code = h.getModelStatus()
    dual = float(info.mip_dual_bound)
    bound = dual if math.isfinite(dual) else None
    solution = None
    objective = gap = mip_gap = None
    if code == highspy.HighsModelStatus.kInfeasible:
        status, bound = "INFEASIBLE", None
    elif _has_solution(h):
        solution = np.rint(np.array(h.getSolution().col_value))
        objective = stage.value(solution)
        mip_gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        proven = code == highspy.HighsModelStatus.kOptimal and (
            bound is not None and abs(bound - objective) < 0.5
        )
        status = "OPTIMAL" if proven else "FEASIBLE"
    elif start is not None and milp.violations(start) == 0:
        solution = start
        objective = stage.value(start)
        status = "FEASIBLE"
    else:
        status = "UNKNOWN"
    if objective is not None and bound is not None:
        gap = relative_gap(objective, bound)
    reached = clock.reached
    if reached is None and gap is not None and gap <= target_gap:
        reached = runtime  # closed only at the end (e.g. proven at the last node)
    report = StageRun(
        name=stage.name,
        status=status,
        highs_status=_status(h),
        objective=objective,
        bound=bound,
        gap=gap,
        mip_gap=mip_gap,
        runtime=runtime,
        time_to_gap=reached,
        nodes=int(info.mip_node_count),
    )
    return report, solution


def _start_values(
    rm: RosterModel,
    milp: Milp,
    placements: list[Placement],
    elig: Eligibility,
    staffed: dict[int, bool] | None = None,
) -> np.ndarray:
    """A complete MILP point from a roster given as placements (as solve.py's hints)."""
    values = np.where(
        np.isfinite(milp.col_lower[: milp.proto_vars]), milp.col_lower[: milp.proto_vars], 0.0
    )
    x = rm.variables
    assign = np.zeros(elig.size, dtype=bool)
    for placement in placements:
        assign[placement.pair] = True
        values[x.assign[placement.pair].index] = 1.0
    staffed_needs = set(elig.need[assign].tolist())
    for n, y in x.staffed.items():
        values[y.index] = float(staffed[n] if staffed is not None else n in staffed_needs)
    starts = {int(elig.need[p.pair]): p.start for p in placements if p.start is not None}
    for n, s in x.start.items():
        values[s.index] = float(starts.get(n, rm.window_start[n]))
    for over, pairs in rm.extra_shifts:
        values[over.index] = float(max(0, int(assign[pairs].sum()) - 1))
    return milp.complete(values)


def _placements(
    problem: Problem, rm: RosterModel, elig: Eligibility, values: np.ndarray
) -> list[Placement]:
    """The roster of a MILP point; fixed needs carry their own start (the ledger needs it)."""
    x = rm.variables
    out = []
    for p, var in enumerate(x.assign):
        if values[var.index] > 0.5:
            n = int(elig.need[p])
            start = int(values[x.start[n].index]) if n in x.start else problem.needs[n].start
            out.append(Placement(p, start))
    return out


def roster_values(
    problem: Problem, prepared: Prepared, assignments: Sequence[Assignment]
) -> np.ndarray | None:
    """A roster (as :class:`matcher.result.Result` gives it) as a point of the MILP.

    Evaluating the stage objectives at this point gives the roster's value in
    *this* model's terms, however the roster was found.

    Returns
    -------
    numpy.ndarray or None
        One value per column; None when an assignment is not a pair of the
        model (a roster from another pruning).
    """
    elig = prepared.elig
    placements = []
    for a in assignments:
        key = (problem.volunteer_index[a.volunteer_id], problem.need_index[a.need_id])
        p = elig.pair_index.get(key)
        if p is None:
            return None
        placements.append(Placement(p, a.start))
    return _start_values(prepared.rm, prepared.milp, placements, elig)


def _eligibility(problem: Problem, params: SolverParams, candidate_limit: int) -> Eligibility:
    """Eligible pairs as :func:`matcher.solver.solve` finds them (0: no candidate limit)."""
    if "travel_default" in inspect.signature(build_eligibility).parameters:
        # Newer eligibility also filters by travel, with the solver's default minutes.
        return build_eligibility(
            problem,
            candidate_limit,
            params.prune_above,
            travel_default=params.travel_minutes_default,
        )
    return build_eligibility(problem, candidate_limit, params.prune_above)


@dataclasses.dataclass
class Prepared:
    """The model of one problem, built as :func:`matcher.solver.solve` builds it, and translated.

    Attributes
    ----------
    prepare_seconds
        Eligibility, model build and greedy roster (what the solver spends before its stages).
    translate_seconds
        Proto export, translation and stage objectives (tooling only).
    """

    params: SolverParams
    elig: Eligibility
    rm: RosterModel
    greedy: list[Placement]
    milp: Milp
    stages: list[StageObjective]
    prepare_seconds: float
    translate_seconds: float


def prepare(problem: Problem, params: SolverParams | None = None) -> Prepared:
    """Build the roster model exactly as the solver does, and translate it.

    Parameters
    ----------
    problem
        The problem.
    params
        Solver parameters (pruning, weights and travel time shape the model).

    Returns
    -------
    Prepared
        Eligibility, model, greedy start, MILP and stage objectives.
    """
    params = params or SolverParams()
    started = time.perf_counter()
    elig = _eligibility(problem, params, params.candidate_limit)
    rm = build_model(problem, elig, params)
    greedy = greedy_roster(problem, elig, params.travel_minutes_default) if params.use_hint else []
    prepared = time.perf_counter()
    milp = translate(model_proto(rm.model))
    stages = [stage_objective(rm.model, term) for term in stage_terms(rm)]
    return Prepared(
        params=params,
        elig=elig,
        rm=rm,
        greedy=greedy,
        milp=milp,
        stages=stages,
        prepare_seconds=prepared - started,
        translate_seconds=time.perf_counter() - prepared,
    )


def solve_with_highs(
    problem: Problem,
    params: SolverParams | None = None,
    target_gap: float = TARGET_GAP,
    prepared: Prepared | None = None,
    hold_counts: bool = False,
) -> HighsRun:
    """Run :func:`matcher.solver.solve`'s lexicographic procedure with HiGHS as the solver.

    Same eligibility (pruning included), same model, same stages; each stage
    held at ``round(value reached)`` for the next, the same time split (60%
    of what is left for every stage but the last, the same reserve), the
    greedy roster as the first start and the previous stage's roster, filled
    by :func:`matcher.baselines.fill_teams`, as the start of the soft stage.
    The clock starts before eligibility, as the solver's does, but does not
    run during the translation.

    Parameters
    ----------
    problem
        The problem.
    params
        Solver parameters (time limit, pruning, weights, seed, relative gap).
    target_gap
        Gap whose first time is recorded.
    prepared
        The model from :func:`prepare` (built here when omitted).
    hold_counts
        Hold a coverage stage proven optimal by the counts of staffed needs
        per priority (:func:`priority_count_rows` with value = bound) instead
        of ``coverage >= value``.  For integer rosters the two are the same
        set (the optimum's counts are the only ones reaching it), but the
        row's coefficients span ten orders of magnitude and stall HiGHS's
        LP; this variant shows what HiGHS does without that.  Off by
        default: the default mirrors ``solve`` row for row.

    Returns
    -------
    HighsRun
        Status, per-stage figures and the roster.
    """
    if prepared is None:
        prepared = prepare(problem, params)
    params = prepared.params
    milp, stages, rm, elig = prepared.milp, prepared.stages, prepared.rm, prepared.elig
    solving = time.perf_counter()
    reserve = params.time_limit * 0.03 + min(0.4 * len(stages), params.time_limit * 0.2)
    deadline = solving - prepared.prepare_seconds + params.time_limit - reserve
    start = _start_values(rm, milp, prepared.greedy, elig) if params.use_hint else None
    holds: list[ExtraRow] = []
    reports: list[StageRun] = []
    best: np.ndarray | None = None
    time_to_gap: float | None = None
    elapsed = prepared.prepare_seconds  # run time so far, translation excluded
    earlier_within = True
    for i, stage in enumerate(stages):
        last = i == len(stages) - 1
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            reports.append(
                StageRun(stage.name, "UNKNOWN", "not run", None, None, None, None, 0.0, None, 0)
            )
            break
        share = remaining if last else remaining * 0.6
        if last and best is not None and len(stages) > 1:
            # solve.py fills the previous roster's teams before the soft stage.
            filled = fill_teams(
                problem,
                elig,
                _placements(problem, rm, elig, best),
                rm.gain,
                params.weights.fairness,
                params.travel_minutes_default,
            )
            staffed = {n: bool(best[y.index] > 0.5) for n, y in rm.variables.staffed.items()}
            start = _start_values(rm, milp, filled, elig, staffed)
        report, solution = solve_stage(milp, stage, holds, start, share, params, target_gap)
        reports.append(report)
        if last and earlier_within and report.time_to_gap is not None:
            time_to_gap = elapsed + report.time_to_gap
        elapsed += report.runtime
        earlier_within = earlier_within and report.gap is not None and report.gap <= target_gap
        if solution is None:
            break
        best = solution
        start = solution
        assert report.objective is not None
        value = float(round(report.objective))
        counts = None
        if hold_counts and report.status == "OPTIMAL":
            counts = priority_count_rows(stage, value, value)
        holds.extend(counts if counts is not None else [hold_row(stage, value)])
    statuses = [r.status for r in reports]
    if "INFEASIBLE" in statuses:
        status = "INFEASIBLE"
    elif len(reports) < len(stages) or "UNKNOWN" in statuses:
        status = "UNKNOWN" if best is None else "FEASIBLE"
    elif all(s == "OPTIMAL" for s in statuses):
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    gaps = [r.gap for r in reports]
    assignments = []
    if best is not None and status != "INFEASIBLE":
        assignments = [
            (int(elig.volunteer[p.pair]), int(elig.need[p.pair]))
            for p in _placements(problem, rm, elig, best)
        ]
    return HighsRun(
        status=status,
        stages=reports,
        gap=max(gaps) if gaps and all(g is not None for g in gaps) else None,  # type: ignore[type-var]
        prepare_seconds=prepared.prepare_seconds,
        translate_seconds=prepared.translate_seconds,
        time_to_gap=time_to_gap,
        assignments=assignments,
        columns=milp.cols,
        rows=milp.rows,
        kinds=milp.kinds,
        version=highs_version(),
    )


@dataclasses.dataclass
class LpBound:
    """The LP relaxation of one stage.

    Attributes
    ----------
    bound
        A bound of the stage: the LP optimum, rounded down when the objective
        is integral (all of ours are); None unless HiGHS says Optimal.
    lp_value
        The LP optimum as HiGHS returned it (by column generation: of the
        last restricted LP, a lower bound of the LP optimum).
    held_as
        How earlier stages were held: ``"value"`` (``stage >= held``) or
        ``"priority counts"`` (:func:`priority_count_rows`); empty for the first stage.
    status
        HiGHS's model status.
    rounds
        LPs solved (more than one by column generation).
    """

    name: str
    bound: float | None
    lp_value: float | None
    held_as: str
    status: str
    seconds: float
    rounds: int = 1


def _integral(stage: StageObjective) -> bool:
    return bool(np.all(stage.coeffs == np.rint(stage.coeffs))) and stage.offset == round(
        stage.offset
    )


def _lagrangian_bound(
    cost: np.ndarray,
    offset: float,
    columns: tuple[np.ndarray, np.ndarray],
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    entry_row: np.ndarray,
    dual: np.ndarray,
) -> tuple[float, np.ndarray]:
    """A bound of ``max cost x`` over the LP from any row prices, and the reduced costs.

    For feasible ``x`` and prices ``pi`` (``pi_i > 0`` only on rows with a
    finite upper side, ``< 0`` only with a finite lower side),
    ``cost x <= cost x + sum(pi_i (side_i - a_i x))``, whose maximum over the
    column boxes is ``sum(pi_i side_i) + sum(max over the box of rc_j x_j)``
    with ``rc = cost - A' pi``.  So the bound holds for every ``pi``: HiGHS's
    duals are tried with both signs and the smaller bound is kept.
    """
    lower, upper, _, index, value = rows
    col_lower, col_upper = columns
    best, best_rc = _INF, cost
    for pi in (dual, -dual):
        pi = np.where((pi > 0) & ~np.isfinite(upper), 0.0, pi)
        pi = np.where((pi < 0) & ~np.isfinite(lower), 0.0, pi)
        rc = cost - np.bincount(index, weights=value * pi[entry_row], minlength=cost.size)
        side = (
            np.where(pi > 0, np.where(np.isfinite(upper), upper, 0.0), 0.0) * pi
            + np.where(pi < 0, np.where(np.isfinite(lower), lower, 0.0), 0.0) * pi
        )
        box = np.where(rc > 0, col_upper, col_lower)
        if not np.isfinite(box[rc != 0]).all():
            continue
        total = float(side.sum() + np.dot(rc[rc != 0], box[rc != 0]) + offset)
        if total < best:
            best, best_rc = total, rc
    return best, best_rc


def _stage_lp(
    milp: Milp,
    stage: StageObjective,
    rows: Sequence[ExtraRow],
    columns: np.ndarray | None,
    params: SolverParams,
    time_limit: float,
    batch: int = 50_000,
    max_rounds: int = 30,
) -> tuple[float | None, float | None, str, int]:
    """The LP optimum of a stage, or a bound of it by column generation.

    Without ``columns``: one LP, its optimum.  With them: the LP restricted
    to the active columns is solved, its row duals price every column
    (:func:`_lagrangian_bound`, a valid bound at every round), the ``batch``
    best columns that price out join, and so on until none does (the bound
    is then the LP optimum) or time runs out (the best bound so far stands).
    At 1.3 million columns this replaces a 9-minute simplex solve.

    Returns
    -------
    tuple
        Bound (None if the first LP failed), value of the last LP, HiGHS status, rounds.
    """
    deadline = time.perf_counter() + time_limit
    if columns is None:
        h = _new_highs(time_limit, params)
        h.passModel(milp.lp(stage, rows, relax=True))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None, None, _status(h), 1
        value = float(h.getInfo().objective_function_value)
        return value, value, _status(h), 1
    matrix = milp.matrix(rows)
    lower, upper, start, index, value = matrix
    entry_row = np.repeat(np.arange(lower.size), np.diff(start))
    cost = stage.cost(milp.cols)
    bounds = (milp.col_lower, milp.col_upper)
    active = columns.copy()
    best: float | None = None
    lp_value: float | None = None
    status = "not run"
    rounds = 0
    while rounds < max_rounds and time.perf_counter() < deadline:
        rounds += 1
        chosen = np.flatnonzero(active)
        position = np.full(milp.cols, -1, dtype=np.int64)
        position[chosen] = np.arange(chosen.size)
        keep = active[index]
        counts = np.bincount(entry_row[keep], minlength=lower.size)
        restricted = (
            lower,
            upper,
            np.concatenate([[0], np.cumsum(counts)]),
            position[index[keep]],
            value[keep],
        )
        h = _new_highs(max(0.01, deadline - time.perf_counter()), params)
        h.passModel(
            _highs_lp(
                cost[chosen], stage.offset, (bounds[0][chosen], bounds[1][chosen]), restricted
            )
        )
        h.run()
        status = _status(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_value = float(h.getInfo().objective_function_value)
        dual = np.array(h.getSolution().row_dual, dtype=np.float64)
        bound, rc = _lagrangian_bound(cost, stage.offset, bounds, matrix, entry_row, dual)
        best = bound if best is None else min(best, bound)
        pricing = np.flatnonzero(~active & (rc > 1e-9))
        if pricing.size == 0 or best - lp_value <= 1e-9 * max(1.0, abs(best)):
            break
        if pricing.size > batch:
            pricing = pricing[np.argpartition(-rc[pricing], batch)[:batch]]
        active[pricing] = True
    return best, lp_value, status, rounds


def lp_bounds(
    milp: Milp,
    stages: Sequence[StageObjective],
    held: Sequence[float],
    known_bounds: Sequence[float | None] = (),
    params: SolverParams | None = None,
    time_limit: float = 600.0,
    columns: np.ndarray | None = None,
) -> list[LpBound]:
    """LP relaxation of each stage, earlier stages held at the values of the run compared.

    Stage ``k`` maximises its objective over the LP relaxation with every
    earlier stage ``j`` held at ``held[j]``: a bound of what any roster at
    least as good as the compared one on the earlier stages reaches in
    stage ``k`` (for the soft stage: coverage held at the value reached).
    A weighted coverage stage is held through :func:`priority_count_rows`
    with the best upper bound known for it (its own LP bound here, or
    ``known_bounds[j]`` when smaller); otherwise as ``stage >= held``.

    Parameters
    ----------
    milp
        The translated model.
    stages
        Stage objectives, in order.
    held
        Value reached in each stage by the run compared (stages beyond
        ``len(held) + 1`` are skipped).
    known_bounds
        Proven upper bounds of the stages of this model (e.g. CP-SAT's), if any.
    params
        For the seed; one thread always.
    time_limit
        Seconds per stage.
    columns
        When given (a mask over the columns), the stage is not solved as one
        LP but by column generation from these columns, and the bound is the
        Lagrangian bound of :func:`_stage_lp`: valid at every round, equal to
        the LP optimum once no column prices out.

    Returns
    -------
    list of LpBound
        One per stage solved.
    """
    params = params or SolverParams()
    out: list[LpBound] = []
    rows: list[ExtraRow] = []
    held_as = ""
    for k, stage in enumerate(stages[: len(held) + 1]):
        started = time.perf_counter()
        value, lp_value, status, rounds = _stage_lp(milp, stage, rows, columns, params, time_limit)
        seconds = time.perf_counter() - started
        bound = value
        if value is not None and _integral(stage):
            # Integral objective: round down, allowing for HiGHS's tolerances and for
            # doubles near 1e12 (coverage), where one unit is all the slack given.
            bound = float(math.floor(value + 1e-6 + 1e-12 * abs(value)))
        out.append(LpBound(stage.name, bound, lp_value, held_as, status, seconds, rounds))
        if k >= len(held):
            break
        # Hold this stage for the next ones.
        known = [b for b in (bound, *known_bounds[k : k + 1]) if b is not None]
        counts = priority_count_rows(stage, held[k], min(known)) if known else None
        if counts is None:
            rows.append(hold_row(stage, held[k]))
            held_as = "value" if held_as in ("", "value") else "mixed"
        else:
            rows.extend(counts)
            held_as = "priority counts" if held_as in ("", "priority counts") else "mixed"
    return out


@dataclasses.dataclass
class UnprunedBound:
    """LP bound of the problem with every eligible pair (no candidate limit).

    ``skipped`` says why no bound was computed (too many pairs); the other
    figures are then zero or empty.
    """

    pairs: int
    stages: list[LpBound]
    build_seconds: float
    translate_seconds: float
    columns: int
    rows: int
    kinds: dict[str, int]
    skipped: str = ""


def coverage_weights_by_priority(problem: Problem, rm: RosterModel) -> list[dict[int, float]]:
    """For each coverage stage of a model, the weight of a staffed need by priority."""
    need_of = {y.index: n for n, y in rm.variables.staffed.items()}
    out = []
    for term in rm.coverage:
        weights: dict[int, float] = {}
        for var, coeff in zip(term.variables, term.coefficients, strict=True):
            weights[problem.needs[need_of[var.index]].priority] = float(coeff)  # type: ignore[union-attr]
        out.append(weights)
    return out


def unpruned_bounds(
    problem: Problem,
    params: SolverParams,
    coverage_weights: Sequence[dict[int, float]],
    held: Sequence[float],
    max_pairs: int = UNPRUNED_PAIR_LIMIT,
    time_limit: float = 600.0,
    kept: Eligibility | None = None,
) -> UnprunedBound:
    """LP bound of every stage of the problem without pruning.

    The model is built by :func:`matcher.solver.model.build_model` with the
    candidate limit off (every eligible pair gets a variable) and translated
    in relaxation mode, then each stage's LP relaxation is solved with the
    earlier stages held at ``held``.  Coverage is scored with the pruned
    model's weight per priority (``coverage_weights``), so both value a
    staffing pattern the same way even if pruning closed a need.

    Why this bounds the compared roster's stages from above:

    1. Every roster of the pruned model is a roster of the unpruned one:
       pruning only removes pair variables (fixing them to 0), and the
       unpruned model has the same rules over a superset of pairs; a need
       left open only in the unpruned model is simply unstaffed.
    2. Each stage objective takes the same value on such a roster in both
       models: coverage by construction (same weight per priority), and the
       soft terms are sums of per-pair scores (:func:`matcher.solver.objective.pair_scores`
       depends on the pair only), ``fill`` per need, and ``fairness`` per
       volunteer (``max(0, shifts - 1)``, 0 for a volunteer with one pair).
    3. Relaxation mode only drops rows (``no_overlap``, interval consistency)
       or widens a union of intervals to its hull, and the LP relaxation
       drops integrality: the feasible set only grows.
    4. Holding earlier stages at the compared run's values keeps that roster
       feasible, so the LP optimum of stage ``k`` is at least its value.

    Hence ``LP_k >= value_k`` of the compared roster (and of any roster of
    the full problem at least as good on the earlier stages).

    Parameters
    ----------
    problem, params
        The problem and the parameters of the compared run (pruning is switched off here).
    coverage_weights
        From :func:`coverage_weights_by_priority` of the pruned model.
    held
        Values reached by the compared run in each stage.
    max_pairs
        Do not build models with more eligible pairs than this.
    time_limit
        Seconds per stage.
    kept
        The pruned eligibility: when it left pairs out, each stage's LP is
        solved by column generation from its pairs (and every other column),
        see :func:`lp_bounds`; the bound is valid however far that got.

    Returns
    -------
    UnprunedBound
        Bounds per stage with the time taken to build, translate and solve.
    """
    started = time.perf_counter()
    full = params.replace(candidate_limit=0)
    if kept is not None and kept.size + kept.pruned > max_pairs:
        # Known without building: at 50,000 x 15,000 the pair index alone would not fit.
        total = kept.size + kept.pruned
        return UnprunedBound(total, [], 0.0, 0.0, 0, 0, {}, skipped=f"{total} pairs > {max_pairs}")
    elig = _eligibility(problem, full, 0)
    if elig.size > max_pairs:
        return UnprunedBound(
            elig.size, [], 0.0, 0.0, 0, 0, {}, skipped=f"{elig.size} pairs > {max_pairs}"
        )
    rm = build_model(problem, elig, full)
    built = time.perf_counter()
    milp = translate(model_proto(rm.model), relax=True)
    priority = {n: problem.needs[n].priority for n in rm.variables.staffed}
    stages = []
    coverage_terms = [t for t in stage_terms(rm) if t.name.startswith("coverage")]
    for term, weights in zip(coverage_terms, coverage_weights, strict=True):
        chosen = [n for n in sorted(rm.variables.staffed) if priority[n] in weights]
        aligned = Term(
            term.name,
            [rm.variables.staffed[n] for n in chosen],
            [int(weights[priority[n]]) for n in chosen],
        )
        stages.append(stage_objective(rm.model, aligned))
    stages.append(stage_objective(rm.model, stage_terms(rm)[-1]))
    translated = time.perf_counter()
    columns = None
    if kept is not None and kept.size < elig.size:
        columns = np.ones(milp.cols, dtype=bool)
        for p, var in enumerate(rm.variables.assign):
            if (int(elig.volunteer[p]), int(elig.need[p])) not in kept.pair_index:
                columns[var.index] = False
    bounds = lp_bounds(milp, stages, held, params=full, time_limit=time_limit, columns=columns)
    return UnprunedBound(
        pairs=elig.size,
        stages=bounds,
        build_seconds=built - started,
        translate_seconds=translated - built,
        columns=milp.cols,
        rows=milp.rows,
        kinds=milp.kinds,
    )


def cp_sat_time_to_gap(
    events: Sequence[tuple[str, float, float, float]],
    stages: Sequence[tuple[str, float]],
    runtime: float,
    target_gap: float = TARGET_GAP,
) -> tuple[float | None, bool]:
    """When a :func:`matcher.solver.solve` run first reached the target gap in its last stage.

    ``solve`` reports progress only on improving rosters
    (``progress(stage, objective, bound, elapsed)``), not when CP-SAT's bound
    moves.  So the time is that of the first roster of the last stage whose
    gap to the bound at that moment is within the target; if there is none
    but the stage ended within it, the end of the run (``runtime``, an upper
    bound of the true moment).  Every earlier stage must have ended within
    the target, else the run never got there.

    Parameters
    ----------
    events
        ``(stage, objective, bound, elapsed seconds since solve started)`` in order.
    stages
        ``(name, final gap)`` of each stage of the result, in order.
    runtime
        The run's whole runtime.
    target_gap
        The gap.

    Returns
    -------
    tuple
        Seconds (None if never) and whether the time is exact (False: an upper bound).
    """
    if not stages or any(gap > target_gap for _, gap in stages[:-1]):
        return None, True
    last, final_gap = stages[-1]
    for stage, objective, bound, elapsed in events:
        if stage == last and relative_gap(objective, bound) <= target_gap:
            return elapsed, True
    if final_gap <= target_gap:
        return runtime, False
    return None, True


def solve_gap_with_highs(
    instance: GapInstance, time_limit: float = 10.0
) -> tuple[int | None, HighsRun]:
    """HiGHS on a GAP instance through the dataset path, as :func:`benchmarks.gap.solve_gap`.

    Parameters
    ----------
    instance
        The GAP instance.
    time_limit
        Seconds, as for the solver.

    Returns
    -------
    tuple
        The GAP value of HiGHS's roster (None unless every job is assigned) and the run.
    """
    with tempfile.TemporaryDirectory(prefix="gap-") as tmp:
        folder = os.path.join(tmp, instance.name)
        write_dataset(gap_problem(instance), folder)
        problem = load_dataset(folder)
    run = solve_with_highs(problem, gap_params(time_limit))
    if run.status not in ("OPTIMAL", "FEASIBLE") or len(run.assignments) != instance.jobs:
        return None, run
    value = 0
    for v, n in run.assignments:
        i = int(problem.volunteers[v].id[1:]) - 1
        j = int(problem.needs[n].id[1:]) - 1
        value += int(instance.value[i, j])
    return value, run
