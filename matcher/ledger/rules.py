"""The points rules of the ledger: a TOML file of dated versions, checked by pydantic.

A rules file holds one or more ``[[versions]]``, each with a name
(``version``) and the date it takes effect (``effective_from``).  The entry
of a given day is scored by the version in force that day, the one with the
latest ``effective_from`` on or before it, and every points row records
that version's name: a new version changes points from its date on and
never rewrites what was earned before.  The defaults ship in
``matcher/ledger/rules.toml``; ``docs/ledger.md`` documents every key.

A bad file is refused with every problem, each named by the file and the
key path, e.g. ``rules.toml: versions[1].points_per_hour.repair-appliance:
expected a number ≥ 0``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from matcher.domain import Membership, NeedCategory
from matcher.errors import DataError, DataIssue
from matcher.i18n import _

__all__ = [
    "DEFAULT_RULES_FILE",
    "Combine",
    "Rounding",
    "RuleVersion",
    "Rules",
    "WarningPeriod",
    "default_rules",
    "load_rules",
    "rules_from_mapping",
]

DEFAULT_RULES_FILE = "rules.toml"
"""The defaults' file name inside :mod:`matcher.ledger`."""

NonNegative = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]


class Rounding(StrEnum):
    """How an entry's hours are rounded to the unit."""

    DOWN = "down"
    NEAREST = "nearest"  # halves round up: 15 minutes at a 0.5 h unit count 0.5 h
    UP = "up"


class Combine(StrEnum):
    """How the hard-to-fill and festival multipliers combine when both apply."""

    MULTIPLY = "multiply"
    MAX = "max"


class WarningPeriod(StrEnum):
    """The calendar period over which the early warning counts points."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


class _Section(BaseModel):
    # an unknown key is a typo that would silently change nothing: refused
    model_config = ConfigDict(extra="forbid", frozen=True)


class Multipliers(_Section):
    """Multipliers of an entry's points."""

    hard_to_fill: Positive = Decimal(1)
    festival: Positive = Decimal(1)
    combine: Combine = Combine.MULTIPLY


class Penalties(_Section):
    """Points taken off."""

    no_show: NonNegative = Decimal(0)


class Caps(_Section):
    """Upper limits; ``points_per_day`` absent means no cap."""

    points_per_day: NonNegative | None = None


class PartyScheme(_Section):
    """A party-member points scheme (党员积分制管理) and its early warning."""

    memberships: tuple[Membership, ...] = (Membership.PARTY, Membership.PROBATIONARY)
    yearly_min_hours: NonNegative = Decimal(0)
    pass_mark: NonNegative = Decimal(0)
    warning_period: WarningPeriod = WarningPeriod.QUARTER
    warning_below_points: NonNegative = Decimal(0)


class StarRules(_Section):
    """What "close to the next star" means."""

    near_next_hours: NonNegative = Decimal(20)


class RuleVersion(_Section):
    """One version of the rules, in force from ``effective_from`` until the next one."""

    version: Annotated[str, Field(min_length=1)]
    effective_from: dt.date
    note: str = ""
    hours_unit: Positive = Decimal("0.5")
    hours_rounding: Rounding = Rounding.DOWN
    default_points_per_hour: NonNegative = Decimal(1)
    points_per_hour: dict[NeedCategory, NonNegative] = Field(default_factory=dict)
    multipliers: Multipliers = Multipliers()
    penalties: Penalties = Penalties()
    caps: Caps = Caps()
    party: PartyScheme = PartyScheme()
    stars: StarRules = StarRules()

    def rate(self, category: NeedCategory | None) -> Decimal:
        """Points per counted hour of a category (the default for None or one not listed)."""
        if category is None:
            return self.default_points_per_hour
        return self.points_per_hour.get(category, self.default_points_per_hour)


class Rules(_Section):
    """Every version of the rules, in date order; see the module notes."""

    versions: tuple[RuleVersion, ...]

    @model_validator(mode="after")
    def _in_date_order(self) -> Rules:
        # checked here, not with min_length: pydantic counts only the valid items,
        # and would add "too short" to a file whose one version has a typo
        if not self.versions:
            raise ValueError(_("versions: expected at least one [[versions]] table, found none"))
        names: set[str] = set()
        for before, after in zip(self.versions, self.versions[1:], strict=False):
            if after.effective_from <= before.effective_from:
                raise ValueError(
                    _(
                        "versions must take effect in date order: {after} ({version}) "
                        "is not after {before}"
                    ).format(
                        after=after.effective_from,
                        version=after.version,
                        before=before.effective_from,
                    )
                )
        for version in self.versions:
            if version.version in names:
                raise ValueError(
                    _("version {version} is named twice").format(version=version.version)
                )
            names.add(version.version)
        return self

    def in_force(self, day: dt.date) -> RuleVersion | None:
        """The version in force on ``day``; None before the first one takes effect."""
        chosen = None
        for version in self.versions:
            if version.effective_from > day:
                break
            chosen = version
        return chosen

    def version(self, name: str) -> RuleVersion:
        """The version named ``name`` (KeyError if none)."""
        for version in self.versions:
            if version.version == name:
                return version
        raise KeyError(name)


def _key_path(location: tuple[int | str, ...]) -> str:
    """A pydantic location as a key path: ``versions[1].points_per_hour.repair``."""
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif "[" in part or "-enum" in part or part.startswith("function-"):
            continue  # pydantic's names of a union branch or validator, not a key
        else:
            text += f".{part}" if text else part
    return text


def _message(error: Any) -> str:
    """One pydantic error in the user's language: what was expected, and what was found."""
    kind = error["type"]
    context = error.get("ctx") or {}
    found = error.get("input")
    if kind == "missing":
        return _("missing: this key is required")
    if kind == "extra_forbidden":
        return _("unknown key (a typo?)")
    if kind in ("greater_than_equal", "greater_than"):
        sign = "≥" if kind == "greater_than_equal" else ">"
        limit = context.get("ge", context.get("gt"))
        return _("expected a number {sign} {limit}, found {found}").format(
            sign=sign, limit=limit, found=found
        )
    if kind.startswith(("decimal", "float", "int")) or kind == "finite_number":
        return _("expected a number, found {found!r}").format(found=found)
    if kind.startswith("date"):
        return _("expected a date like 2026-01-01, found {found!r}").format(found=found)
    if kind == "enum":
        # pydantic lists the values as "'a', 'b' or 'c'"; the "or" is English
        expected = str(context.get("expected", "")).replace(" or ", ", ")
        return _("expected one of {expected}, found {found!r}").format(
            expected=expected, found=found
        )
    if kind in ("too_short", "string_too_short"):
        return _("expected at least one character, found none")
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind in ("string_type", "tuple_type", "list_type", "dict_type", "model_type"):
        expected = {
            "string_type": _("text"),
            "tuple_type": _("a list"),
            "list_type": _("a list"),
            "dict_type": _("a table"),
            "model_type": _("a table"),
        }[kind]
        return _("expected {expected}, found {found!r}").format(expected=expected, found=found)
    return str(error["msg"])  # i18n: not shown: pydantic's own text for a rare error type


def rules_from_mapping(data: Any, label: str) -> Rules:
    """Check parsed TOML data and build the rules.

    Parameters
    ----------
    data
        What :mod:`tomllib` read.
    label
        The file name used in messages.

    Returns
    -------
    Rules

    Raises
    ------
    DataError
        Every problem, each as ``label: key.path: message``.
    """
    try:
        return Rules.model_validate(data)
    except ValidationError as error:
        issues = []
        for item in error.errors():
            path = _key_path(tuple(item["loc"]))
            message = f"{path}: {_message(item)}" if path else _message(item)
            issues.append(DataIssue(label, None, None, message))
        raise DataError(issues) from None


def load_rules(path: str | Path) -> Rules:
    """Read a rules file.

    Parameters
    ----------
    path
        A TOML file as documented in ``docs/ledger.md``.

    Returns
    -------
    Rules

    Raises
    ------
    DataError
        When the file is missing, is not TOML, or breaks the schema (each
        problem named by file and key path).
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError.at(str(path), _("file not found")) from None
    except OSError as error:
        message = _("cannot read the file: {reason}").format(reason=error.strerror or error)
        raise DataError.at(str(path), message) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        message = _("not a valid TOML file: {reason}").format(reason=error)
        raise DataError.at(str(path), message) from None
    return rules_from_mapping(data, path.name)


def default_rules() -> Rules:
    """The rules shipped with the package (``matcher/ledger/rules.toml``)."""
    text = resources.files("matcher.ledger").joinpath(DEFAULT_RULES_FILE).read_text("utf-8")
    return rules_from_mapping(tomllib.loads(text), DEFAULT_RULES_FILE)
