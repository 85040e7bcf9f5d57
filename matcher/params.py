"""Solver parameters and soft-rule weights, loadable from TOML.

Example ``params.toml``::

    time_limit = 30
    workers = 1
    wishes_stage = true

    [weights]
    fairness = 4
    continuity = 6

Unknown keys are errors (a typo must not silently change nothing).
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from matcher.errors import DataError
from matcher.i18n import N_, _


@dataclasses.dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the soft rules, applied after coverage is maximised.

    Coverage itself (priority-weighted, higher priorities strictly first) is
    not weighted here: it is optimised first and then held.  Every weight
    below is per assignment unless said otherwise; 0 switches a rule off.
    """

    # Field by field, each with its docstring, like SolverParams below: the two
    # field lists look alike, but each is already the table of names, defaults
    # and meanings; built from a shared table they would be hidden from
    # readers, type checkers and help().
    fill: int = 4
    """Each volunteer beyond a need's minimum, times the need's priority."""
    fairness: int = 6
    """Penalty per shift beyond a volunteer's first (spreads the load)."""
    behind: int = 3
    """Bonus for volunteers behind in past participation (scaled 0..3).

    From the participation ledger when the problem carries its standing
    (points for the period; a warned member scores 3), else from past minutes."""
    reliability: int = 4
    """Penalty for placing a volunteer with no-shows alone on a must-cover need
    (times 0..3 from their no-show rate in the ledger; no ledger, no penalty)."""
    continuity: int = 8
    """Bonus when the volunteer served the same household before."""
    affinity: int = 2
    """Times the pair's affinity from the ``pairs`` sheet."""
    department_fit: int = 3
    """Bonus when the volunteer's department suits the need's category."""
    widening: int = 3
    """Bonus for non-party (群众) and first-time volunteers."""
    household_preference: int = 2
    """Bonus for matching a household's preferred gender or language.

    With ``SolverParams.wishes_stage`` on (the default) the wishes are
    already maximised in a stage of their own before the soft rules, so this
    weight only matters with that stage off."""
    travel: int = 1
    """Penalty per 10 extra (travel) minutes of a pair."""
    party: int = 0
    """Bonus for party members (党员, 预备党员): programmes that expect them to serve."""


@dataclasses.dataclass(frozen=True, slots=True)
class SolverParams:
    """How the roster solver runs.

    The defaults were measured on a 2-core machine (see docs/benchmarks.md):
    one CP-SAT worker with ``linearization_level=2`` proves these models
    optimal far faster than several workers fighting for two cores.
    """

    time_limit: float = 60.0
    """Wall-clock seconds for the whole solve (all stages)."""
    workers: int = 1
    """Threads of the solve: with one, CP-SAT's single worker; with more, one for HiGHS
    racing CP-SAT on every stage and the rest for CP-SAT, where HiGHS can join
    (:mod:`matcher.solver.portfolio`), else all CP-SAT's."""
    linearization_level: int = 2
    probing_level: int = 0
    """CP-SAT presolve probing; level 0 cut presolve from 18 s to 7.5 s at 5,000 x 1,500."""
    seed: int = 0
    travel_minutes_default: int = 10
    """Travel minutes between two different places not in the travel sheet."""
    use_hint: bool = True
    """Start CP-SAT from the greedy roster."""
    candidate_limit: int = 40
    """Most candidates per need kept in the model once pruning applies (0 = never prune)."""
    prune_above: int = 150_000
    """Eligible pairs above which the candidate limit applies (district and city sizes)."""
    relative_gap: float = 0.0
    """Stop a stage once its gap to the bound is at most this (0 = prove optimal)."""
    wishes_stage: bool = True
    """Keep household wishes wherever they cost no coverage (a stage between coverage and soft).

    The wishes stage maximises the wishes met (a household's preferred
    gender, its languages other than 普通话), each counted once per
    assignment, with coverage held; the soft rules then run with that count
    held too.  False leaves wishes to the ``household_preference`` weight
    among the soft rules (the behaviour before the stage existed)."""
    neighbourhood_above: int = 20_000
    """Eligible pairs from which the stages after coverage search neighbourhoods first.

    At district size CP-SAT presolves the whole model for seconds per stage
    and then rarely improves its start in the wishes and soft stages; a
    large-neighbourhood search (:mod:`matcher.solver.lns`) improves the
    roster a few needs at a time, then the whole model gets the rest of the
    stage's time for its bound.  0 switches the search off."""
    neighbourhood_share: float = 0.75
    """Share of such a stage's time given to the neighbourhood search (the rest: whole model)."""
    highs_above: int = 20_000
    """Eligible pairs from which HiGHS solves the coverage and wishes stages (0: never).

    HiGHS solves the same model, translated to a MILP
    (:mod:`matcher.solver.portfolio`): at district size it proves both
    stages where CP-SAT does not; below this size CP-SAT is sooner on one
    core.  With two workers or more HiGHS races CP-SAT at any size (0: never)."""
    decompose: bool = True
    """Solve independent parts (volunteers and needs that share no candidate) one by one.

    Exact, as every rule is about one need, one volunteer or one pair; a
    part's flexible needs only keep the part's own (shorter) travel buffer.
    False builds one model for everything (for comparisons and tests)."""
    weights: Weights = dataclasses.field(default_factory=Weights)
    cp_sat: dict[str, Any] = dataclasses.field(default_factory=dict)
    """Raw CP-SAT parameters (``[cp_sat]`` table), applied last; for tuning runs."""

    def replace(self, **changes: Any) -> SolverParams:
        """Return a copy with some fields replaced."""
        return dataclasses.replace(self, **changes)

    def with_weights(self, **changes: int) -> SolverParams:
        """Return a copy with some weights replaced."""
        return dataclasses.replace(self, weights=dataclasses.replace(self.weights, **changes))

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (for summaries and stored snapshots)."""
        return dataclasses.asdict(self)


_PARAM_FIELDS = {
    f.name: f for f in dataclasses.fields(SolverParams) if f.name not in ("weights", "cp_sat")
}
_WEIGHT_FIELDS = {f.name for f in dataclasses.fields(Weights)}

# Accepted ranges: anything outside would make CP-SAT refuse the model or
# overflow its 64-bit objective.
RANGES: dict[str, tuple[float, float]] = {
    "time_limit": (0.01, 7 * 86400),
    "workers": (1, 64),
    "linearization_level": (0, 2),
    "probing_level": (0, 3),
    "seed": (0, 2**31 - 1),
    "travel_minutes_default": (0, 1440),
    "relative_gap": (0.0, 1.0),
    "candidate_limit": (0, 1_000_000),
    "prune_above": (0, 10**9),
    "neighbourhood_above": (0, 10**9),
    "neighbourhood_share": (0.0, 1.0),
    "highs_above": (0, 10**9),
}
WEIGHT_RANGE = (0, 1_000_000)


def check_params(params: SolverParams, source: str = "params") -> SolverParams:
    """Check every parameter and weight against its range.

    Raises
    ------
    DataError
        Naming the first value out of range and the range expected.
    """
    for key, (low, high) in RANGES.items():
        value = getattr(params, key)
        if not low <= value <= high:
            message = _("expected a value from {low:g} to {high:g}, found {value!r}")
            raise DataError.at(source, message.format(low=low, high=high, value=value), column=key)
    low, high = WEIGHT_RANGE
    for key in _WEIGHT_FIELDS:
        value = getattr(params.weights, key)
        if not low <= value <= high:
            raise DataError.at(
                source,
                _("expected a weight from {low} to {high}, found {value!r}").format(
                    low=low, high=high, value=value
                ),
                column=f"weights.{key}",
            )
    return params


def _coerce(source: str, key: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    elif kind is int and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    message = _(_NON_NEGATIVE[kind.__name__]).format(value=value)
    raise DataError.at(source, message, column=key)


_NON_NEGATIVE = {
    "float": N_("expected a non-negative float, found {value!r}"),
    "int": N_("expected a non-negative int, found {value!r}"),
    "bool": N_("expected a non-negative bool, found {value!r}"),
}
"""What a value of the wrong kind is told, by the kind expected."""


PRESETS: dict[str, dict[str, int]] = {
    "均衡": {},
    "党员双报到": {"party": 4, "widening": 2, "behind": 5},
    "扩大参与": {"widening": 8, "behind": 5, "fairness": 8},
    "连续帮扶": {"continuity": 16, "affinity": 4},
}
"""Named sets of weights for a programme's aims, over the defaults (``preset = "..."``).

* 均衡 (balanced): the defaults.
* 党员双报到 (party members report to their community): party members serve
  first (``party``), members behind on their hours are asked first
  (``behind``), non-party volunteers still get a smaller bonus.
* 扩大参与 (widen participation): non-party and first-time volunteers and those
  behind first, the load spread thin (``fairness``).
* 连续帮扶 (continuity of one-to-one support): the volunteer a household knows
  and the coordinators' pairings first.
"""


def preset_weights(name: Any, source: str = "params") -> dict[str, int]:
    """The weights of a named preset (:data:`PRESETS`); an unknown name is a DataError."""
    if not isinstance(name, str) or name not in PRESETS:
        known = "、".join(PRESETS)
        message = _("expected a preset name ({known}), found {name!r}")
        raise DataError.at(source, message.format(known=known, name=name), column="preset")
    return PRESETS[name]


def params_from_mapping(data: dict[str, Any], source: str = "params") -> SolverParams:
    """Build parameters from a mapping such as a parsed TOML file.

    ``preset`` names a set of weights (:data:`PRESETS`) applied first; a
    ``[weights]`` table then changes single weights on top of it.

    Raises
    ------
    DataError
        Naming the key that is unknown or has a value of the wrong kind.
    """
    params = SolverParams()
    if "preset" in data:
        params = params.with_weights(**preset_weights(data["preset"], source))
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key == "preset":
            continue
        if key in ("weights", "cp_sat") and not isinstance(value, dict):
            raise DataError.at(source, _("expected a table [{key}]").format(key=key), column=key)
        if key == "weights":
            params = params.with_weights(**weights_from_mapping(value, source))
        elif key == "cp_sat":
            changes["cp_sat"] = cp_sat_from_mapping(value, source)
        elif key in _PARAM_FIELDS:
            kind = {"float": float, "int": int, "bool": bool}[str(_PARAM_FIELDS[key].type)]
            changes[key] = _coerce(source, key, value, kind)
        else:
            known = ", ".join([*_PARAM_FIELDS, "weights", "cp_sat"])
            message = _("unknown parameter (known: {known})").format(known=known)
            raise DataError.at(source, message, column=key)
    return check_params(params.replace(**changes), source)


def weights_from_mapping(data: dict[str, Any], source: str = "params") -> dict[str, int]:
    """Validate a mapping of weight name to non-negative integer."""
    out: dict[str, int] = {}
    for key, value in data.items():
        if key not in _WEIGHT_FIELDS:
            known = ", ".join(sorted(_WEIGHT_FIELDS))
            message = _("unknown weight (known: {known})").format(known=known)
            raise DataError.at(source, message, column=f"weights.{key}")
        out[key] = _coerce(source, f"weights.{key}", value, int)
    return out


def cp_sat_from_mapping(data: dict[str, Any], source: str = "params") -> dict[str, Any]:
    """Validate raw CP-SAT parameters against OR-Tools' own parameter message."""
    from ortools.sat import sat_parameters_pb2

    probe = sat_parameters_pb2.SatParameters()
    for key, value in data.items():
        try:
            setattr(probe, key, value)
        except (AttributeError, TypeError, ValueError) as exc:
            message = _("not a valid CP-SAT parameter value: {reason}").format(reason=exc)
            raise DataError.at(source, message, column=f"cp_sat.{key}") from None
    return dict(data)


def load_params(path: str | Path) -> SolverParams:
    """Read parameters from a TOML file.

    Raises
    ------
    DataError
        When the file is missing, is not TOML, or holds an unknown key.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError.at(str(path), _("file not found")) from None
    except OSError as exc:
        message = _("cannot read the file: {reason}").format(reason=exc.strerror or exc)
        raise DataError.at(str(path), message) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        message = _("not a valid TOML file: {reason}").format(reason=exc)
        raise DataError.at(str(path), message) from None
    return params_from_mapping(data, str(path))
