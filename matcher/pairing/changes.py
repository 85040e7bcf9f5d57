"""What a new pairing changes against the previous one, with the reason for each change.

One :class:`Change` per household and role whose volunteer differs.  The
reason says why the previous volunteer could not stay, in this order: they
left (no longer in the volunteers list), the household left or no longer
has one-to-one support, they broke a rule with the household (which ones,
by :class:`~matcher.pairing.rules.PairingScreen`, the model's own rules),
the previous pairing gave them more households than their
``max_households``; else the change let another household be paired (the
solver keeps previous pairs before anything but pairing households).  A
backup who became the primary is said so, and so is a role first filled.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence

from matcher.domain import Problem, SupportPair
from matcher.i18n import N_, _
from matcher.pairing.rules import RULE_LABELS, PairingScreen

REASONS: dict[str, str] = {
    "volunteer_left": N_("{volunteer} is no longer in the volunteers list"),
    "household_left": N_("household {household} is no longer in the households list"),
    "support_ended": N_("household {household} no longer has one-to-one support"),
    "incompatible": N_("{volunteer} {rules}"),
    "over_cap": N_(
        "{volunteer} had {count} households in the previous pairing, more than their "
        "max_households {limit}"
    ),
    "promoted": N_("the backup {volunteer} became the primary"),
    "to_pair_others": N_("{volunteer} was needed to pair another household"),
    "new": N_("first {role} of the household"),
    "unpaired": N_("no compatible volunteer with room is left for the household"),
}
"""Each change's reason code and its message id (translated where it is made)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One household's role that changed hands, and why."""

    household_id: str
    role: str
    previous_id: str | None
    new_id: str | None
    code: str
    reason: str


def _role(role: str) -> str:
    return _("primary") if role == "primary" else _("backup")


def pairing_changes(
    problem: Problem,
    previous: Sequence[SupportPair],
    pairs: Sequence[SupportPair],
    screen: PairingScreen,
) -> list[Change]:
    """Every change of ``pairs`` against ``previous``, with a reason (see the module notes).

    Parameters
    ----------
    problem
        The dataset of the new pairing.
    previous, pairs
        The pairing in place and the new one.
    screen
        The rules over ``problem`` (the model's).

    Returns
    -------
    list of Change
        By household in the order of the previous pairing, then new households;
        the primary before the backup.
    """
    new_by = {p.household_id: p for p in pairs}
    load = Counter(v for p in previous for v in (p.primary_id, p.backup_id) if v)
    order = [p.household_id for p in previous] + [
        p.household_id for p in pairs if p.household_id not in {q.household_id for q in previous}
    ]
    old_by = {p.household_id: p for p in previous}
    changes = []
    for household_id in order:
        old, new = old_by.get(household_id), new_by.get(household_id)
        for role in ("primary", "backup"):
            before = getattr(old, f"{role}_id") if old else None
            after = getattr(new, f"{role}_id") if new else None
            if before == after:
                continue
            code, reason = _reason(
                problem, screen, household_id, role, (before, after), old, new, load
            )
            changes.append(Change(household_id, role, before, after, code, reason))
    return changes


def _reason(
    problem: Problem,
    screen: PairingScreen,
    household_id: str,
    role: str,
    volunteers: tuple[str | None, str | None],
    old: SupportPair | None,
    new: SupportPair | None,
    load: Counter[str],
) -> tuple[str, str]:
    """The reason code and message of one change of ``volunteers`` (before, after)."""
    before, after = volunteers
    household = problem.household_by_id.get(household_id)

    def said(code: str, **values: object) -> tuple[str, str]:
        return code, _(REASONS[code]).format(**values)

    if household is None:
        return said("household_left", household=household_id)
    if not household.one_to_one:
        return said("support_ended", household=household_id)
    promoted = old is not None and new is not None and old.backup_id == new.primary_id
    if promoted and (role == "primary" or before == old.backup_id):  # type: ignore[union-attr]
        if role == "primary" and before is not None and before not in problem.volunteer_index:
            return said("volunteer_left", volunteer=before)
        if role == "backup":
            return said("promoted", volunteer=before)
    if before is None:
        return said("new", role=_role(role))
    v = problem.volunteer_index.get(before)
    if v is None:
        return said("volunteer_left", volunteer=before)
    broken = [rule for rule, mask in screen.broken(household).items() if mask[v]]
    if broken:
        rules = _("; ").join(_(RULE_LABELS[rule]) for rule in broken)
        return said("incompatible", volunteer=before, rules=rules)
    limit = problem.volunteers[v].max_households
    if load[before] > limit:
        return said("over_cap", volunteer=before, count=load[before], limit=limit)
    if after is None and role == "primary":
        return said("unpaired")
    return said("to_pair_others", volunteer=before)
