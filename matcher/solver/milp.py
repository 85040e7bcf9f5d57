"""The roster model as a MILP: a faithful translation of the CP-SAT proto, for HiGHS.

HiGHS solves some stages of large models (:mod:`matcher.solver.portfolio`)
and is the benchmark's second opinion on all of them; both are only worth
something if HiGHS solves *the same model*.  So nothing here re-models the
roster: :func:`translate` reads the
``CpModelProto`` that :func:`matcher.solver.model.build_model` produces and
turns every constraint into linear rows; :func:`stage_objective` reads each
lexicographic stage as a linear objective over the same columns.

This module is over 500 lines because it is one translation: every
constraint kind the roster model emits, with its big-M rows, shares one
builder, and reading it in pieces would hide how the kinds interact.


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


HiGHS runs with one thread (``threads = 1``), like CP-SAT's default of one
worker (:class:`matcher.params.SolverParams`), ``mip_rel_gap`` equal to the
solver's ``relative_gap`` (0: prove optimal) and the solver's seed
(:func:`new_highs`).
"""

from __future__ import annotations

import dataclasses
import math
import os
import tempfile
from collections import Counter
from collections.abc import Sequence
from typing import Any

import highspy
import numpy as np
from ortools.sat import cp_model_pb2
from ortools.sat.python import cp_model

from matcher.params import SolverParams
from matcher.solver.objective import Term

THREADS = 1
"""HiGHS threads: CP-SAT runs with one worker by default, so HiGHS gets one thread too."""


_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_INF = math.inf

Literal = tuple[int, bool]
"""A Boolean literal over columns: ``(column, negated)``; its value is ``x`` or ``1 - x``."""


class TranslationError(ValueError):
    """The CP-SAT model uses something the translation does not support.

    Never shown to a user: :func:`matcher.solver.portfolio.stage_backend`
    then leaves the model to CP-SAT (the benchmark stops with it), so its
    messages stay in English."""


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
        lp = highs_lp(
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


def highs_lp(
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
                    f"variable {k} ({var.name or 'unnamed'}) "  # i18n: not shown: internal
                    f"has a domain with holes: {domain}",
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
            raise TranslationError(
                f"literal {ref} is not over a Boolean variable",  # i18n: not shown: internal
            )
        return (col, ref < 0)

    def expr(self, proto_expr: Any, what: str) -> _Affine:
        """An affine expression of the proto (linear constraints and interval parts)."""
        cols = tuple(int(v) for v in proto_expr.vars)
        if any(v < 0 for v in cols):
            raise TranslationError(
                f"{what}: negated variables are not supported",  # i18n: not shown: internal
            )
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
            raise TranslationError(
                "an enforced constraint over an unbounded expression",  # i18n: not shown: internal
            )
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
            raise TranslationError(
                "CP-SAT could not export the model",  # i18n: not shown: internal
            )
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
                f"constraint {k} is a {kind!r} constraint, "  # i18n: not shown: internal
                "which the translation does not support",
            )
        b.kinds[kind] += 1
    if proto.HasField("floating_point_objective"):
        raise TranslationError(
            "a floating-point objective is not supported",  # i18n: not shown: internal
        )
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
        raise TranslationError(
            f"objective {term.name}: negated terms are not supported",  # i18n: not shown: internal
        )
    # One coefficient per column (a hold row must not name a column twice).
    cols, position = np.unique(cols, return_inverse=True)
    coeffs = np.bincount(position, weights=coeffs, minlength=cols.size)
    return StageObjective(term.name, cols[coeffs != 0], coeffs[coeffs != 0], offset)


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


class _Silent(highspy.Highs.__bases__[0]):  # type: ignore[misc]
    """HiGHS's own class (``Highs``' base), silenced in its ``__init__`` (see below)."""

    def __init__(self) -> None:
        super().__init__()
        self.setOptionValue("output_flag", False)


class _QuietHighs(highspy.Highs, _Silent):
    """``highspy.Highs`` without its banner.

    HiGHS 1.16 prints ``Running HiGHS ...`` to file descriptor 1 while
    ``highspy.Highs()`` sets up its callbacks, before any option can be set:
    on the command line that would land in a roster written to stdout.  By
    the class order, ``Highs.__init__``'s ``super().__init__()`` runs
    :class:`_Silent`'s first, which turns the output off in time.
    """


def new_highs(time_limit: float, params: SolverParams) -> highspy.Highs:
    """A silent HiGHS with one thread, the solver's seed and relative gap, and a time limit."""
    h = _QuietHighs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", THREADS)
    h.setOptionValue("time_limit", max(0.01, time_limit))
    h.setOptionValue("random_seed", int(params.seed))
    # relative_gap 0 means "prove optimal", as for CP-SAT (HiGHS's default stops at 1e-4).
    h.setOptionValue("mip_rel_gap", float(params.relative_gap))
    return h


def highs_status(h: highspy.Highs) -> str:
    """HiGHS's model status in its own words (e.g. ``Optimal``, ``Time limit reached``)."""
    return h.modelStatusToString(h.getModelStatus())
