"""The rules of a valid problem, each in one place and in one wording.

A :class:`~matcher.domain.Problem` is a set of items (volunteers, needs,
pins, ...) that refer to each other.  Each rule here looks at one item
against a :class:`Catalogue` of what the dataset holds (its names, ids and
horizon) and returns :data:`Finding` values, ``(field, message)`` with the
domain field's name; :func:`problem_issues` runs every rule over a whole
problem and places each finding by kind and position (:class:`Issue`).

The rules are about meaning, not about spelling: parsing a cell (a date,
a time, a list, a whole number in range) is :mod:`matcher.io`'s work, and
checking that a JSON value has the right type is the API's schema.  The
front ends only *place* a finding: the reader maps it to a file, row and
column, the API to a JSON path (``loc``), and :meth:`Problem.replace` and
the generator raise :class:`InvalidProblemError` with every issue.

Over 520 lines on purpose: every rule of every kind of item is here, in one
place, so that the reader, the API and the generator cannot disagree; each
rule is a short function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any

from matcher.domain import (
    AvailabilityWindow,
    Blackout,
    HistoryEntry,
    Horizon,
    Household,
    Need,
    Pair,
    Pin,
    Problem,
    Skill,
    SupportPair,
    VisitFrequency,
    Volunteer,
    format_minutes,
)
from matcher.errors import DataError, DataIssue
from matcher.i18n import N_, _, language

Finding = tuple[str, str]
"""``(field, message)``: the domain field an item is wrong in, and what was expected."""

MAX_HORIZON_DAYS = 366
"""The longest planning horizon, in days after its start (a year)."""


def listed_in(kind: str) -> str:
    """``listed in volunteers (志愿者)``: where a reference must point, for messages."""
    return _("listed in {sheet} ({sheet_zh})").format(sheet=kind, sheet_zh=_sheet_zh(kind))


def _sheet_zh(kind: str) -> str:
    # The sheets' Chinese names live in the one format table; imported here, at call
    # time, because the reader (which holds the table) imports these rules.
    from matcher.io.format import SHEETS

    return SHEETS[kind].zh


def field_title(field: str, sheet: str | None = None) -> str:
    """How a message names a field: itself in English, else its Chinese column header.

    ``sheet`` says whose column it is; without it the header is used when every
    sheet with that column heads it alike (``need_id`` is 需求编号 everywhere,
    ``name`` is not), else the field's own name.
    """
    if language() == "en":
        return field
    from matcher.io.format import SHEETS

    specs = [SHEETS[sheet]] if sheet in SHEETS else list(SHEETS.values())
    headers = {spec.columns[field].zh[0] for spec in specs if field in spec.columns}
    return headers.pop() if len(headers) == 1 else field


@dataclasses.dataclass(frozen=True, slots=True)
class Catalogue:
    """What an item is checked against: the dataset's names, ids and horizon.

    ``skills`` (``departments``) is None when the dataset keeps no list of
    skills (departments): any name goes.  A dataset read from files always
    has a departments sheet; a problem built in code may leave it empty.
    ``needs`` holds the needs a pin may refer to, for its start.
    """

    horizon: Horizon | None
    departments: frozenset[str] | None
    skills: frozenset[str] | None
    volunteers: frozenset[str]
    households: frozenset[str]
    needs: Mapping[str, Need | None]

    @classmethod
    def of(cls, problem: Problem) -> Catalogue:
        """The catalogue of a problem's own items."""
        return cls(
            horizon=problem.horizon,
            departments=frozenset(d.name for d in problem.departments)
            if problem.departments
            else None,
            skills=frozenset(problem.skills) if problem.skills else None,
            volunteers=frozenset(v.id for v in problem.volunteers),
            households=frozenset(h.id for h in problem.households),
            needs={n.id: n for n in problem.needs},
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Issue:
    """A finding placed in a problem: ``kind`` is the Problem field, ``index`` the item.

    ``first`` is the position of the earlier item a duplicate repeats; each
    front end names it its own way (a row number, a list position).
    """

    kind: str
    index: int | None
    field: str | None
    message: str
    first: int | None = None


class InvalidProblemError(DataError):
    """A problem that breaks the rules of :mod:`matcher.validate`; ``problem_issues`` lists why."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.problem_issues = list(issues)
        super().__init__([_as_data_issue(i) for i in issues])


def _as_data_issue(issue: Issue) -> DataIssue:
    where = issue.kind if issue.index is None else f"{issue.kind}[{issue.index}]"
    message = issue.message
    if issue.first is not None:
        place = f"{issue.kind}[{issue.first}]"
        message = _("{message} (first at {place})").format(message=message, place=place)
    return DataIssue(file=where, row=None, column=issue.field, message=message)


# References -------------------------------------------------------------------------


# What an unknown reference is told, by the sheet it must be listed in.
_UNKNOWN_MESSAGES = {
    "departments": N_(
        "expected a department listed in {sheet} ({sheet_zh}), found unknown {value!r}"
    ),
    "skills": N_("expected a skill listed in {sheet} ({sheet_zh}), found unknown {value!r}"),
    "volunteers": N_(
        "expected a volunteer id listed in {sheet} ({sheet_zh}), found unknown {value!r}"
    ),
    "households": N_(
        "expected a household id listed in {sheet} ({sheet_zh}), found unknown {value!r}"
    ),
    "needs": N_("expected a need id listed in {sheet} ({sheet_zh}), found unknown {value!r}"),
}


def _unknown(field: str, values: Iterable[str], known: Collection[str], kind: str) -> list[Finding]:
    """A finding for each value that is not in ``known``, the ids of sheet ``kind``."""
    message = _(_UNKNOWN_MESSAGES[kind])
    return [
        (field, message.format(sheet=kind, sheet_zh=_sheet_zh(kind), value=v))
        for v in values
        if v not in known
    ]


def department_refs(field: str, names: Iterable[str], catalogue: Catalogue) -> list[Finding]:
    """Each name must be a department of the dataset (when it lists departments)."""
    if catalogue.departments is None:
        return []
    return _unknown(field, names, catalogue.departments, "departments")


def skill_refs(skills: Iterable[Skill], catalogue: Catalogue) -> list[Finding]:
    """Each skill must be listed, when the dataset lists skills at all."""
    if catalogue.skills is None:
        return []
    names = [s.name for s in skills]
    return _unknown("skills", names, catalogue.skills, "skills")


def volunteer_ref(volunteer_id: str, catalogue: Catalogue) -> list[Finding]:
    """The volunteer a row is about must exist."""
    return _unknown("volunteer_id", [volunteer_id], catalogue.volunteers, "volunteers")


def household_ref(household_id: str | None, catalogue: Catalogue) -> list[Finding]:
    """A household a row refers to must exist (blank is allowed)."""
    ids = [household_id] if household_id else []
    return _unknown("household_id", ids, catalogue.households, "households")


def need_ref(need_id: str | None, catalogue: Catalogue) -> list[Finding]:
    """A need a row refers to must exist (blank is allowed)."""
    return _unknown("need_id", [need_id] if need_id else [], catalogue.needs, "needs")


def inside_horizon(field: str, day: Any, catalogue: Catalogue) -> list[Finding]:
    """A date must lie in the planning horizon."""
    horizon = catalogue.horizon
    if day is None or horizon is None or horizon.contains(day):
        return []
    message = _("expected a date inside the horizon {start} .. {end}, found {day}")
    return [(field, message.format(start=horizon.start, end=horizon.end, day=day))]


def end_after_start(start: int | None, end: int | None) -> list[Finding]:
    """A time window must end after it starts."""
    if start is None or end is None or end > start:
        return []
    message = _("expected an end after the start {start}, found {end}")
    return [("end", message.format(start=format_minutes(start), end=format_minutes(end)))]


def exactly_one(first: str, second: str, has_first: bool, has_second: bool) -> list[Finding]:
    """Exactly one of two fields must be given."""
    if has_first != has_second:
        return []
    if has_first:
        message = _("expected exactly one of {first} and {second}, found both")
    else:
        message = _("expected exactly one of {first} and {second}, found neither")
    return [(first, message.format(first=field_title(first), second=field_title(second)))]


# Items ------------------------------------------------------------------------------


def volunteer_findings(volunteer: Volunteer, catalogue: Catalogue) -> list[Finding]:
    """What is wrong with a volunteer in this dataset."""
    findings = department_refs("department", [volunteer.department], catalogue)
    findings += skill_refs(volunteer.skills, catalogue)
    if volunteer.max_travel is not None and not volunteer.home_area:
        # The limit is measured from home: without a home it would silently mean nothing.
        findings.append(
            (
                "max_travel",
                _(
                    "expected a home_area (居住片区) to measure {minutes} travel minutes from, "
                    "found an empty home_area"
                ).format(minutes=volunteer.max_travel),
            )
        )
    findings += email_findings(volunteer.email)
    return findings


def email_findings(email: str) -> list[Finding]:
    """One ``@`` with text on both sides and no spaces (a phone or two addresses are caught)."""
    local, at, domain = email.partition("@")
    if not email or (local and at and domain and "@" not in domain and len(email.split()) == 1):
        return []
    message = _("expected an e-mail address such as name@example.com, found {value!r}")
    return [("email", message.format(value=email))]


def household_findings(household: Household, catalogue: Catalogue) -> list[Finding]:
    """What is wrong with a household: its one-to-one support fields in this dataset.

    Skills must be known; visit dates go with the frequency "dates" and it
    needs them; each visit time holds a whole visit; a required gender and a
    different preferred gender cannot both hold.  A refused volunteer who is
    not listed is only a warning (:mod:`matcher.data_warnings`): a volunteer
    who left may stay refused, and the service checks parts of a dataset
    that hold only some volunteers.
    """
    findings = skill_refs(household.skills, catalogue)
    by_dates = household.visit_frequency == VisitFrequency.DATES
    if by_dates and not household.visit_dates:
        findings.append(
            (
                "visit_dates",
                _("expected visit dates for the visit frequency {frequency}, found none").format(
                    frequency=household.visit_frequency
                ),
            )
        )
    elif household.visit_dates and not by_dates:
        findings.append(
            (
                "visit_frequency",
                _(
                    "expected the visit frequency {dates} for listed visit dates, found {found}"
                ).format(dates=VisitFrequency.DATES, found=household.visit_frequency),
            )
        )
    for start, end in household.visit_times:
        if end <= start:
            findings += [
                ("visit_times", message) for _field, message in end_after_start(start, end)
            ]
        elif end - start < household.visit_minutes:
            findings.append(
                (
                    "visit_times",
                    _(
                        "expected visit times of at least the {minutes} visit minutes, "
                        "found {start}-{end}"
                    ).format(
                        minutes=household.visit_minutes,
                        start=format_minutes(start),
                        end=format_minutes(end),
                    ),
                )
            )
    required, preferred = household.required_gender, household.preferred_gender
    if required is not None and preferred is not None and required != preferred:
        findings.append(
            (
                "preferred_gender",
                _(
                    "expected no preferred gender other than the required {required}, found {found}"
                ).format(required=required, found=preferred),
            )
        )
    return findings


def support_pair_findings(pair: SupportPair) -> list[Finding]:
    """A pairing row: the backup is never the primary of the same household.

    The ids are not checked against the dataset: a pairing read back may name
    a volunteer who has left, which is what a new pairing changes.
    """
    if pair.backup_id is None or pair.backup_id != pair.primary_id:
        return []
    message = _("expected a backup other than the primary {volunteer}, found the same volunteer")
    return [("backup_id", message.format(volunteer=pair.primary_id))]


def need_timing_findings(need: Need, catalogue: Catalogue) -> list[Finding]:
    """Date, window and duration: fixed, flexible or untimed, and inside the horizon."""
    if need.date is None:
        message = _("expected no time for a need without a date (untimed), found '{time}'")
        return [
            (field, message.format(time=format_minutes(value)))
            for field, value in (("start", need.start), ("end", need.end))
            if value is not None
        ]
    findings = inside_horizon("date", need.date, catalogue)
    findings += [
        (field, _("expected a time for a need with a date, found an empty cell"))
        for field, value in (("start", need.start), ("end", need.end))
        if value is None
    ]
    if need.start is None or need.end is None:
        return findings
    if need.end <= need.start:
        return findings + end_after_start(need.start, need.end)
    window = need.end - need.start
    if need.duration == 0:
        findings.append(
            ("duration", _("expected at least 1 minute for a need with a date, found 0"))
        )
    elif need.duration > window:
        findings.append(
            (
                "duration",
                _(
                    "expected at most the {window} minutes from {start} to {end}, found {duration}"
                ).format(
                    window=window,
                    start=format_minutes(need.start),
                    end=format_minutes(need.end),
                    duration=need.duration,
                ),
            )
        )
    return findings


def need_findings(need: Need, catalogue: Catalogue) -> list[Finding]:
    """What is wrong with a need in this dataset."""
    findings = household_ref(need.household_id, catalogue)
    findings += need_timing_findings(need, catalogue)
    if need.max_volunteers < need.min_volunteers:
        findings.append(
            (
                "max_volunteers",
                _("expected at least min_volunteers {least}, found {most}").format(
                    least=need.min_volunteers, most=need.max_volunteers
                ),
            )
        )
    findings += skill_refs(need.skills, catalogue)
    findings += department_refs("departments", need.departments, catalogue)
    findings += department_refs("joint_departments", need.joint_departments, catalogue)
    return findings


def availability_findings(window: AvailabilityWindow, catalogue: Catalogue) -> list[Finding]:
    """A window of a known volunteer: a date in the horizon or a weekday, start before end."""
    findings = volunteer_ref(window.volunteer_id, catalogue)
    findings += inside_horizon("date", window.date, catalogue)
    findings += exactly_one("date", "weekday", window.date is not None, window.weekday is not None)
    return findings + end_after_start(window.start, window.end)


def blackout_findings(blackout: Blackout, catalogue: Catalogue) -> list[Finding]:
    """A blackout of a known volunteer on a date in the horizon."""
    return volunteer_ref(blackout.volunteer_id, catalogue) + inside_horizon(
        "date", blackout.date, catalogue
    )


def pair_findings(pair: Pair, catalogue: Catalogue) -> list[Finding]:
    """A known volunteer with exactly one known need or household."""
    findings = volunteer_ref(pair.volunteer_id, catalogue)
    findings += exactly_one(
        "need_id", "household_id", pair.need_id is not None, pair.household_id is not None
    )
    return (
        findings + need_ref(pair.need_id, catalogue) + household_ref(pair.household_id, catalogue)
    )


def pin_findings(pin: Pin, catalogue: Catalogue) -> list[Finding]:
    """A known volunteer on a known need; a start only for flexible needs, inside their range."""
    findings = volunteer_ref(pin.volunteer_id, catalogue)
    if pin.need_id not in catalogue.needs:
        return findings + need_ref(pin.need_id, catalogue)
    need = catalogue.needs[pin.need_id]
    if pin.start is None or need is None:
        return findings
    if not need.is_flexible:
        findings.append(
            (
                "start",
                _(
                    "expected no start: need {need} is not flexible (its time is fixed or it "
                    "is untimed), found {start}"
                ).format(need=need.id, start=format_minutes(pin.start)),
            )
        )
    elif not need.start <= pin.start <= need.latest_start:  # type: ignore[operator]
        findings.append(
            (
                "start",
                _(
                    "expected a start from {earliest} to {latest} for need {need}, found {start}"
                ).format(
                    earliest=format_minutes(need.start),  # type: ignore[arg-type]
                    latest=format_minutes(need.latest_start),  # type: ignore[arg-type]
                    need=need.id,
                    start=format_minutes(pin.start),
                ),
            )
        )
    return findings


def history_findings(entry: HistoryEntry, catalogue: Catalogue) -> list[Finding]:
    """A past assignment of a known volunteer (and household, when named)."""
    return volunteer_ref(entry.volunteer_id, catalogue) + household_ref(
        entry.household_id, catalogue
    )


def horizon_findings(
    start: Any, end: Any, days: Mapping[str, Iterable[Any]] | None = None
) -> list[Finding]:
    """A horizon of at most a year, ending on or after its start, its listed days inside it.

    ``days`` maps a field (``extra_days``, ``excluded_days``, ``festivals``)
    to the dates it lists.
    """
    if end < start:
        message = _("expected an end date on or after the start {start}, found {end}")
        return [("end", message.format(start=start, end=end))]
    if (end - start).days > MAX_HORIZON_DAYS:
        return [
            (
                "end",
                _(
                    "expected at most {most} days after the start {start}, found {end} "
                    "({days} days)"
                ).format(most=MAX_HORIZON_DAYS, start=start, end=end, days=(end - start).days),
            )
        ]
    message = _("expected dates inside the horizon {start} .. {end}, found {day}")
    return [
        (field, message.format(start=start, end=end, day=day))
        for field, listed in (days or {}).items()
        for day in listed
        if not start <= day <= end
    ]


# Uniqueness -------------------------------------------------------------------------

UNIQUE_MESSAGES = {
    "id": N_("expected a unique {field}, found {value!r} again"),
    "pin": N_("expected each volunteer and need pinned once, found {value[0]} on {value[1]} again"),
    "route": N_("expected each from/to pair once, found {value[0]} -> {value[1]} again"),
}
"""How a repeated key is reported; the front end adds where its first use is."""


def repeats(keys: Sequence[Hashable | None]) -> list[tuple[int, int]]:
    """``(index, first index)`` of every key seen before (None keys are skipped)."""
    first: dict[Hashable, int] = {}
    found = []
    for index, key in enumerate(keys):
        if key is None:
            continue
        if key in first:
            found.append((index, first[key]))
        else:
            first[key] = index
    return found


def repeat_message(rule: str, field: str, value: Any, sheet: str | None = None) -> str:
    """The one wording of a repeated id, pin or route (``sheet``: whose ``field`` it is)."""
    return _(UNIQUE_MESSAGES[rule]).format(field=field_title(field, sheet), value=value)


# The whole problem ------------------------------------------------------------------

ITEM_RULES: dict[str, Callable[[Any, Catalogue], list[Finding]]] = {
    "volunteers": volunteer_findings,
    "households": household_findings,
    "needs": need_findings,
    "availability": availability_findings,
    "blackouts": blackout_findings,
    "pairs": pair_findings,
    "pins": pin_findings,
    "history": history_findings,
    "ledger": lambda standing, catalogue: volunteer_ref(standing.volunteer_id, catalogue),
}
"""The rule of each kind of item, by Problem field (travel has none beyond its invariant)."""

UNIQUE_KEYS: dict[str, tuple[str, str, Callable[[Any], Hashable]]] = {
    "volunteers": ("id", "id", lambda v: v.id),
    "households": ("id", "id", lambda h: h.id),
    "needs": ("id", "id", lambda n: n.id),
    "departments": ("id", "name", lambda d: d.name),
    "skills": ("id", "name", lambda s: s),
    "pins": ("pin", "need_id", lambda p: (p.volunteer_id, p.need_id)),
    "travel": ("route", "destination", lambda t: (t.origin, t.destination)),
    "ledger": ("id", "volunteer_id", lambda s: s.volunteer_id),
}
"""What must be unique in each kind: (message rule, field reported, key of an item)."""


def problem_issues(problem: Problem, catalogue: Catalogue | None = None) -> list[Issue]:
    """Every rule over every item of ``problem``; empty when the problem is valid.

    Parameters
    ----------
    problem
        The problem to check.
    catalogue
        What references are checked against; default the problem's own items
        (:meth:`Catalogue.of`).  The file reader passes the ids it saw in the
        files, so a row with a typo elsewhere is not reported twice.
    """
    catalogue = catalogue or Catalogue.of(problem)
    horizon = problem.horizon
    issues = [
        Issue("horizon", None, field, message)
        for field, message in horizon_findings(
            horizon.start, horizon.end, {"festivals": [d for d, _name in horizon.festivals]}
        )
    ]
    for kind, (rule, field, key) in UNIQUE_KEYS.items():
        items = getattr(problem, kind)
        for index, first in repeats([key(item) for item in items]):
            message = repeat_message(rule, field, key(items[index]))
            issues.append(Issue(kind, index, field, message, first))
    for kind, findings_of in ITEM_RULES.items():
        for index, item in enumerate(getattr(problem, kind)):
            issues += [Issue(kind, index, f, m) for f, m in findings_of(item, catalogue)]
    return issues


def checked(problem: Problem) -> Problem:
    """``problem`` itself when it keeps every rule; else :class:`InvalidProblemError`."""
    issues = problem_issues(problem)
    if issues:
        raise InvalidProblemError(issues)
    return problem
