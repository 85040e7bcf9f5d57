"""The ledger back into the roster: a warned member is placed where they fit, and a
volunteer who often does not come is not left alone on a need that must be covered."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from matcher.cli import app
from matcher.domain import HistoryEntry, LedgerStanding, Membership, NeedCategory
from matcher.io import load_dataset
from matcher.io.ledger import ledger_entries
from matcher.ledger.feedback import ledger_standing, standing_before
from matcher.validate import problem_issues
from tests.test_cli import SAMPLE
from tests.test_solver import need, problem, solved, volunteer


def _two_members_one_place():
    """A served a lot last quarter and nothing this quarter; B a little this quarter."""
    members = [volunteer(i, membership=Membership.PARTY) for i in (1, 2)]
    history = (
        HistoryEntry("V1", dt.date(2026, 5, 10), 600, category=NeedCategory.OTHER),
        HistoryEntry("V2", dt.date(2026, 9, 5), 360, category=NeedCategory.OTHER),
    )
    return problem(members, [need(1)], history=history)


def test_a_warned_member_is_placed_where_the_minutes_rule_would_not_place_them() -> None:
    base = _two_members_one_place()
    entries = ledger_entries(base, base.history)
    # by total minutes V1 is ahead (600 vs 360): the minutes rule favours V2
    without = solved(base)
    assert [a.volunteer_id for a in without.assignments] == ["V2"]

    standing = standing_before(entries, base.volunteers, base.horizon.start)
    by_id = {s.volunteer_id: s for s in standing}
    # this quarter V1 has no points and is warned; V2 reached the mark
    assert by_id["V1"].warned and by_id["V1"].behind == 3
    assert not by_id["V2"].warned and by_id["V2"].behind == 0
    fed = dataclasses.replace(base, ledger=standing)
    assert problem_issues(fed) == []
    assert [a.volunteer_id for a in solved(fed).assignments] == ["V1"]


def test_a_volunteer_with_no_shows_is_not_left_alone_on_a_must_cover_need() -> None:
    base = problem([volunteer(1), volunteer(2)], [need(1, must_cover=True)])

    def placed(rate: float) -> list[str]:
        standing = (
            LedgerStanding("V1", behind=1, no_show_rate=rate),
            LedgerStanding("V2", behind=0, no_show_rate=0.0),
        )
        result = solved(dataclasses.replace(base, ledger=standing))
        return [a.volunteer_id for a in result.assignments]

    assert placed(0.0) == ["V1"]  # behind, and reliable: V1
    assert placed(1.0) == ["V2"]  # never came: not alone on a need that must be covered
    # two places: the penalty is for being alone, not for serving
    roomy = problem([volunteer(1), volunteer(2)], [need(1, must_cover=True, max_volunteers=2)])
    standing = (LedgerStanding("V1", behind=1, no_show_rate=1.0),)
    result = solved(dataclasses.replace(roomy, ledger=standing))
    assert "V1" in {a.volunteer_id for a in result.assignments}


def test_standing_shape_and_validation() -> None:
    members = [volunteer(i) for i in (1, 2, 3, 4)]
    points = {"V1": Decimal(0), "V2": Decimal(2), "V3": Decimal(4), "V4": Decimal(8)}
    standing = ledger_standing(
        points,
        warned=["V4"],
        no_show_rates={"V2": 0.5},
        volunteers=members,
    )
    # median 3: V1 3 behind, V2 1, V3 0; V4 warned: 3 whatever its points
    assert [s.behind for s in standing] == [3, 1, 0, 3]
    assert [s.no_show_rate for s in standing] == [0.0, 0.5, 0.0, 0.0]
    nobody = ledger_standing({}, [], {}, members)
    assert [s.behind for s in nobody] == [0, 0, 0, 0]
    stray = problem(members, [need(1)], ledger=(LedgerStanding("V9"),))
    assert [(i.kind, i.field) for i in problem_issues(stray)] == [("ledger", "volunteer_id")]


def test_solve_with_the_ledger_places_more_warned_members(tmp_path: Path) -> None:
    """`matcher solve --ledger` reads the ledger of the sample's history as the service does."""
    sample = load_dataset(SAMPLE)
    entries = ledger_entries(sample, sample.history)
    warned = {
        s.volunteer_id
        for s in standing_before(entries, sample.volunteers, sample.horizon.start)
        if s.warned
    }
    assert warned
    placed = {}
    for flag in ("--ledger", None):
        out = tmp_path / str(flag)
        args = ["solve", str(SAMPLE), "--out", str(out), *([flag] if flag else [])]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        roster = pd.read_csv(out / "roster.csv", encoding="utf-8-sig", dtype=str)
        placed[flag] = set(roster["volunteer_id"]) & warned
    assert len(placed["--ledger"]) > len(placed[None])
