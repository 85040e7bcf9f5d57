"""Programme presets: named weights for what a programme wants (params ``preset = "..."``)."""

from __future__ import annotations

import pytest

from matcher.domain import Membership
from matcher.errors import DataError
from matcher.params import PRESETS, SolverParams, params_from_mapping
from matcher.solver import solve
from tests.test_solver import need, problem, volunteer


def test_a_preset_sets_weights_and_a_table_changes_them_on_top() -> None:
    party = params_from_mapping({"preset": "党员双报到"})
    assert party.weights.party == PRESETS["党员双报到"]["party"] > 0
    assert party.weights.fairness == SolverParams().weights.fairness  # untouched
    tuned = params_from_mapping({"preset": "党员双报到", "weights": {"party": 1}})
    assert tuned.weights.party == 1
    assert params_from_mapping({"preset": "均衡"}) == SolverParams()


def test_an_unknown_preset_names_the_known_ones() -> None:
    with pytest.raises(DataError, match="党员双报到") as info:
        params_from_mapping({"preset": "nope"})
    assert info.value.issues[0].column == "preset"


def _chosen(params: SolverParams) -> str:
    members = [
        volunteer(1, membership=Membership.NONE),  # 群众: the widening bonus
        volunteer(2, membership=Membership.PARTY),
    ]
    result = solve(problem(members, [need(1)]), params.replace(time_limit=20))
    (assignment,) = result.assignments
    return assignment.volunteer_id


def test_party_members_serve_first_under_the_party_preset() -> None:
    assert _chosen(SolverParams()) == "V1"  # by default the non-party volunteer is widened in
    assert _chosen(params_from_mapping({"preset": "党员双报到"})) == "V2"
