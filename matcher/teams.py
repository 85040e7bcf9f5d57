"""Team rules of a need, once: who must be on a team, and what stops a team.

A need's team has a size (``min_volunteers`` to ``max_volunteers``) and a
few rules that some member must meet: a lead (a teacher or party member),
one volunteer from each joint department, a speaker of each required
language.  The model (:func:`matcher.solver.constraints.add_team_rules`),
the greedy roster (:mod:`matcher.baselines`), candidate pruning
(:mod:`matcher.eligibility`) and the explanations (:mod:`matcher.explain`)
all iterate :func:`team_rules`; a need that no roster can staff carries
typed :class:`Blocker` values that the explanations read directly.

:mod:`matcher.check` keeps its own code for these rules on purpose: it is
the independent second opinion on every roster.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from enum import StrEnum

from matcher.domain import Need, Volunteer


class TeamRuleKind(StrEnum):
    """What a team needs at least one member for."""

    LEAD = "lead"
    DEPARTMENT = "department"
    LANGUAGE = "language"


@dataclasses.dataclass(frozen=True, slots=True)
class TeamRule:
    """Someone on the team must meet this rule (``department``/``language`` as the kind says)."""

    kind: TeamRuleKind
    department: str = ""
    language: str = ""

    def admits(self, volunteer: Volunteer) -> bool:
        """Whether ``volunteer`` on the team meets the rule."""
        if self.kind == TeamRuleKind.LEAD:
            return volunteer.can_lead
        if self.kind == TeamRuleKind.DEPARTMENT:
            return volunteer.department == self.department
        return self.language in volunteer.languages

    @property
    def blocker(self) -> Blocker:
        """What blocks the need when no eligible volunteer meets the rule."""
        if self.kind == TeamRuleKind.LEAD:
            return Blocker(BlockerKind.NO_LEAD)
        if self.kind == TeamRuleKind.DEPARTMENT:
            return Blocker(BlockerKind.NO_DEPARTMENT, department=self.department)
        return Blocker(BlockerKind.NO_LANGUAGE, language=self.language)


def team_rules(need: Need) -> tuple[TeamRule, ...]:
    """The rules some member of the need's team must meet, in the order they are met.

    A lead first, then one volunteer from each joint department, then a
    speaker of each required language (the greedy roster fills them in
    this order).
    """
    rules = [TeamRule(TeamRuleKind.LEAD)] if need.lead_required else []
    rules += [TeamRule(TeamRuleKind.DEPARTMENT, department=d) for d in need.joint_departments]
    rules += [TeamRule(TeamRuleKind.LANGUAGE, language=lang) for lang in need.required_languages]
    return tuple(rules)


# BlockerKind and Blocker mirror TeamRuleKind and TeamRule (a kind, a department,
# a language) on purpose: a rule is what some team member must meet, a blocker
# is a verdict on a need that explanations and the result carry, and it has a
# kind no rule has (too few eligible).  One type for both would make every
# reader of a blocker handle rules and every rule handle that extra kind.
class BlockerKind(StrEnum):
    """Why no roster can staff a need, whatever the other needs get."""

    TOO_FEW_ELIGIBLE = "too_few_eligible"
    NO_LEAD = "no_lead"
    NO_DEPARTMENT = "no_department"
    NO_LANGUAGE = "no_language"


@dataclasses.dataclass(frozen=True, slots=True)
class Blocker:
    """One reason a need cannot be staffed (``department``/``language`` as the kind says)."""

    kind: BlockerKind
    department: str = ""
    language: str = ""


def staffing_blockers(need: Need, eligible: Sequence[Volunteer]) -> list[Blocker]:
    """Why ``need`` cannot be staffed from ``eligible`` (empty when it might be).

    Parameters
    ----------
    need
        The need.
    eligible
        The volunteers who may serve on it (the model's candidates).

    Returns
    -------
    list of Blocker
        Too few volunteers for the minimum team first, then each team rule
        no eligible volunteer meets, in :func:`team_rules` order.
    """
    blockers = []
    if len(eligible) < need.min_volunteers:
        blockers.append(Blocker(BlockerKind.TOO_FEW_ELIGIBLE))
    for rule in team_rules(need):
        if not any(rule.admits(v) for v in eligible):
            blockers.append(rule.blocker)
    return blockers
