"""The participation ledger: hand-worked hours, points, stars, rankings, streaks, warnings."""

from __future__ import annotations

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from matcher.attendance import AttendanceStatus
from matcher.domain import Membership, NeedCategory, Role, Volunteer
from matcher.errors import DataError
from matcher.i18n import use_language
from matcher.ledger import (
    LedgerEntry,
    Period,
    build_ledger,
    default_rules,
    department_report,
    early_warnings,
    first_timers,
    load_rules,
    no_show_rates,
    ranking,
    rules_from_mapping,
    score_entries,
    star_levels,
    streaks,
    totals_by,
)

S = AttendanceStatus
C = NeedCategory
D = Decimal

RULES = """
[[versions]]
version = "v1"
effective_from = 2026-01-01
hours_unit = 0.5
hours_rounding = "down"
default_points_per_hour = 1
[versions.points_per_hour]
repair-appliance = 2
[versions.multipliers]
hard_to_fill = 1.5
festival = 2
[versions.penalties]
no_show = 3
[versions.caps]
points_per_day = 10
[versions.party]
yearly_min_hours = 20
pass_mark = 24
warning_period = "quarter"
warning_below_points = 5

[[versions]]
version = "v2"
effective_from = 2026-07-01
hours_unit = 0.25
hours_rounding = "nearest"
default_points_per_hour = 2
[versions.points_per_hour]
repair-appliance = 3
[versions.multipliers]
hard_to_fill = 2
festival = 3
combine = "max"
[versions.penalties]
no_show = 1
[versions.party]
warning_period = "month"
warning_below_points = 4
"""


def rules(text: str = RULES):
    return rules_from_mapping(tomllib.loads(text), "rules.toml")


def entry(
    volunteer: str,
    day: dt.date,
    minutes: int,
    status: AttendanceStatus = S.ATTENDED,
    category: NeedCategory | None = None,
    need: str | None = None,
    **flags: object,
) -> LedgerEntry:
    return LedgerEntry(
        volunteer_id=volunteer,
        date=day,
        status=status,
        minutes=minutes if status.served else 0,
        need_id=need,
        category=category,
        **flags,  # type: ignore[arg-type]
    )


def volunteer(
    vid: str, department: str = "甲学院", membership: Membership = Membership.PARTY
) -> Volunteer:
    return Volunteer(vid, f"志愿者{vid}", Role.TEACHER, membership, department)


# --- hours and points -------------------------------------------------------


def test_hours_and_points_follow_the_rules_by_hand() -> None:
    day = dt.date(2026, 3, 7)
    scored = score_entries(
        [
            # 100 min: 1.67 h, down to 0.5 h steps -> 1.5 h; repair 2/h -> 3 points
            entry("V1", day, 100, category=C.REPAIR_APPLIANCE, need="N1"),
            # 89 min -> 1.0 h (1.48 down); default 1/h; hard to fill x1.5 and festival x2 -> 3
            entry("V2", day, 89, need="N2", hard_to_fill=True, festival=True),
            # no-show: 0 h, penalty 3
            entry("V3", day, 0, S.NO_SHOW, need="N3"),
            # late: the actual 45 min count 0.5 h -> 0.5 point
            entry("V4", day, 45, S.LATE, need="N4"),
        ],
        rules(),
    )
    got = {s.entry.volunteer_id: (s.hours, s.points, s.rule_version) for s in scored}
    assert got == {
        "V1": (D("1.5"), D("3.00"), "v1"),
        "V2": (D("1"), D("3.00"), "v1"),
        "V3": (D(0), D(-3), "v1"),
        "V4": (D("0.5"), D("0.50"), "v1"),
    }
    v2 = next(s for s in scored if s.entry.volunteer_id == "V2")
    assert (v2.rate, v2.multiplier, v2.earned) == (D(1), D(3), D("3.00"))


def test_the_daily_cap_trims_the_last_entries_of_the_day_and_spares_penalties() -> None:
    day = dt.date(2026, 3, 8)
    scored = score_entries(
        [
            entry("V1", day, 180, category=C.REPAIR_APPLIANCE, need="N1"),  # 3 h x 2 = 6
            entry("V1", day, 180, category=C.REPAIR_APPLIANCE, need="N2"),  # 6, 4 under cap
            entry("V1", day, 0, S.NO_SHOW, need="N3"),  # -3, not capped
            entry("V1", dt.date(2026, 3, 9), 180, category=C.REPAIR_APPLIANCE, need="N4"),
        ],
        rules(),
    )
    assert [(s.earned, s.capped, s.points) for s in scored] == [
        (D("6.00"), D(0), D("6.00")),
        (D("6.00"), D("2.00"), D("4.00")),
        (D("0.00"), D(0), D(-3)),
        (D("6.00"), D(0), D("6.00")),  # a new day, a new cap
    ]


def test_a_rule_change_mid_period_leaves_past_entries_unchanged() -> None:
    before = [
        entry("V1", dt.date(2026, 6, 30), 100, category=C.REPAIR_APPLIANCE, need="N1"),
        entry("V1", dt.date(2026, 6, 30), 100, need="N2", festival=True, hard_to_fill=True),
    ]
    after = [
        # v2: 100 min = 1.667 h, nearest 0.25 -> 1.75 h; repair 3/h -> 5.25
        entry("V1", dt.date(2026, 7, 1), 100, category=C.REPAIR_APPLIANCE, need="N3"),
        # v2: combine max(2, 3) = 3; default 2/h x 1.75 x 3 = 10.5 (no cap in v2)
        entry("V1", dt.date(2026, 7, 2), 100, need="N4", festival=True, hard_to_fill=True),
        # v2: 1 point off for a no-show
        entry("V1", dt.date(2026, 7, 3), 0, S.NO_SHOW, need="N5"),
    ]
    old_only = rules(RULES.split('[[versions]]\nversion = "v2"')[0])
    scored_before = score_entries(before, old_only)
    scored_all = score_entries(before + after, rules())
    assert scored_all[:2] == scored_before  # the new version does not touch June
    assert [(s.hours, s.points, s.rule_version) for s in scored_all[:2]] == [
        (D("1.5"), D("3.00"), "v1"),
        (D("1.5"), D("4.50"), "v1"),  # 1.5 h x 1/h x 1.5 x 2
    ]
    assert [(s.hours, s.points, s.rule_version) for s in scored_all[2:]] == [
        (D("1.75"), D("5.25"), "v2"),
        (D("1.75"), D("10.50"), "v2"),
        (D(0), D(-1), "v2"),
    ]


def test_an_entry_before_the_first_version_is_refused_with_its_date() -> None:
    with pytest.raises(DataError) as error:
        score_entries([entry("V1", dt.date(2025, 12, 31), 60)], rules())
    assert "2025-12-31" in str(error.value) and "2026-01-01" in str(error.value)


def test_totals_by_department_membership_category_and_month() -> None:
    entries = [
        entry("V1", dt.date(2026, 3, 7), 120, category=C.REPAIR_APPLIANCE, department="甲"),
        entry("V2", dt.date(2026, 3, 8), 60, category=C.TUTORING, department="乙"),
        entry("V2", dt.date(2026, 4, 8), 0, S.NO_SHOW, category=C.TUTORING, department="乙"),
    ]
    scored = score_entries(entries, rules())
    by_department = totals_by(scored, lambda e: e.department)
    assert {k: (v.hours, v.points, v.no_shows) for k, v in by_department.items()} == {
        "甲": (D(2), D("4.00"), 0),
        "乙": (D(1), D(-2), 1),  # 1 point, then 3 off
    }
    by_month = totals_by(scored, lambda e: f"{e.date:%Y-%m}", Period(None, dt.date(2026, 3, 31)))
    assert list(by_month) == ["2026-03"] and by_month["2026-03"].hours == D(3)
    by_category = totals_by(scored, lambda e: e.category)
    assert by_category[C.TUTORING].records == 2


# --- stars --------------------------------------------------------------------


def _hours_entries(vid: str, minutes: list[int], start: dt.date) -> list[LedgerEntry]:
    return [
        entry(vid, start + dt.timedelta(days=k), m, need=f"N{k}") for k, m in enumerate(minutes)
    ]


EXACT = """
[[versions]]
version = "exact"
effective_from = 2020-01-01
hours_unit = 0.01
hours_rounding = "down"
"""


def test_star_thresholds_at_their_edges() -> None:
    start = dt.date(2026, 1, 1)
    # 99.99 h at a 0.01 h unit rounded down: 99 h, then 59 min (0.98 h), then 1 min (0.01 h)
    just_under = _hours_entries("V1", [5940, 59, 1], start)  # 99 + 0.98 + 0.01 = 99.99 h
    exactly = _hours_entries("V2", [5940, 60], start)  # 100 h on the second day
    five = _hours_entries("V3", [60 * 299, 60, 60 * 1199, 60], start)  # 300 h, then 1,500 h
    volunteers = [volunteer("V1"), volunteer("V2"), volunteer("V3"), volunteer("V4")]
    scored = score_entries(just_under + exactly + five, rules(EXACT))
    levels = {s.volunteer_id: s for s in star_levels(scored, volunteers, near_next_hours=D(1))}
    assert levels["V1"].hours == D("99.99") and levels["V1"].stars == 0
    assert levels["V1"].to_next == D("0.01") and levels["V1"].near_next
    assert levels["V2"].hours == D(100) and levels["V2"].stars == 1
    assert levels["V2"].reached == (start + dt.timedelta(days=1),)
    assert levels["V2"].to_next == D(200) and not levels["V2"].near_next
    v3 = levels["V3"]
    assert (v3.hours, v3.stars, v3.to_next) == (D(1500), 5, None)
    day = [start + dt.timedelta(days=k) for k in range(4)]
    # 1 star on day 0 (299 h), 2 stars on day 1 (300 h), 3 and 4 on day 2 (1,499 h)
    assert v3.reached == (day[0], day[1], day[2], day[2], day[3])
    assert levels["V4"].stars == 0 and levels["V4"].hours == 0
    # as of the first day, V2 has 99 h
    earlier = star_levels(scored, volunteers[1:2], as_of=start)
    assert (earlier[0].hours, earlier[0].stars) == (D(99), 0)


# --- rankings, streaks, first-timers, no-shows --------------------------------


def test_ranking_ties_share_a_rank_and_skip_the_next() -> None:
    day = dt.date(2026, 3, 7)
    scored = score_entries(
        [
            entry("V3", day, 120),  # 2 points, 2 h
            entry("V1", day, 120),  # 2 points, 2 h: tied with V3
            entry("V2", day, 60, category=C.REPAIR_APPLIANCE),  # 2 points, 1 h: behind on hours
            entry("V4", day, 180),  # 3 points
            entry("V5", dt.date(2026, 4, 1), 600),  # outside the period
        ],
        rules(),
    )
    rows = ranking(scored, Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    assert [(r.rank, r.volunteer_id, r.tied) for r in rows] == [
        (1, "V4", False),
        (2, "V1", True),
        (2, "V3", True),
        (4, "V2", False),
    ]


def test_streaks_run_across_a_year_boundary() -> None:
    months = [
        dt.date(2025, 11, 15),
        dt.date(2025, 12, 6),
        dt.date(2026, 1, 10),
        dt.date(2026, 2, 1),
    ]
    entries = [entry("V1", d, 60) for d in months]
    entries += [entry("V2", dt.date(2025, 12, 20), 60), entry("V2", dt.date(2026, 2, 3), 60)]
    entries.append(entry("V3", dt.date(2026, 1, 3), 0, S.NO_SHOW))  # a no-show is no service
    found = streaks(entries, as_of=dt.date(2026, 2, 20))
    assert (found["V1"].current, found["V1"].longest) == (4, 4)
    assert found["V1"].longest_end == dt.date(2026, 2, 1)
    assert (found["V2"].current, found["V2"].longest) == (1, 1)
    assert "V3" not in found
    # in March the February streak still counts (March is not over); in April it is broken
    assert streaks(entries, dt.date(2026, 3, 31))["V1"].current == 4
    assert streaks(entries, dt.date(2026, 4, 1))["V1"].current == 0


def test_first_timers_are_those_whose_first_service_is_in_the_period() -> None:
    entries = [
        entry("V1", dt.date(2026, 2, 1), 60),
        entry("V1", dt.date(2026, 3, 5), 60),
        entry("V2", dt.date(2026, 3, 6), 0, S.NO_SHOW),
        entry("V2", dt.date(2026, 3, 9), 60),
        entry("V3", dt.date(2026, 3, 7), 0, S.NO_SHOW),
    ]
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert first_timers(entries, march) == {"V2": dt.date(2026, 3, 9)}


def test_no_show_rates_count_records_in_the_period() -> None:
    entries = [
        entry("V1", dt.date(2026, 3, 1), 60),
        entry("V1", dt.date(2026, 3, 2), 0, S.NO_SHOW),
        entry("V1", dt.date(2026, 3, 3), 30, S.LEFT_EARLY),
        entry("V1", dt.date(2026, 5, 3), 0, S.NO_SHOW),
    ]
    rates = no_show_rates(entries, Period(None, dt.date(2026, 3, 31)))
    assert (rates["V1"].records, rates["V1"].no_shows) == (3, 1)
    assert rates["V1"].rate == pytest.approx(1 / 3)
    assert no_show_rates(entries)["V1"].rate == 0.5


# --- warnings and the department report ------------------------------------------


def test_early_warning_lists_members_under_the_mark_with_their_record() -> None:
    volunteers = [
        volunteer("V1"),  # 6 points this quarter: fine
        volunteer("V2"),  # 4 points this quarter, 2 in the last: warned
        volunteer("V3"),  # nothing at all: warned
        volunteer("V4", membership=Membership.NONE),  # not in the scheme
        volunteer("V5", membership=Membership.PROBATIONARY),  # probationary, 0: warned
    ]
    entries = [
        entry("V1", dt.date(2026, 4, 4), 360, need="A"),
        entry("V2", dt.date(2026, 3, 28), 120, need="B"),
        entry("V2", dt.date(2026, 4, 11), 240, need="C"),
        entry("V2", dt.date(2026, 5, 2), 0, S.NO_SHOW, need="D"),
        entry("V2", dt.date(2026, 5, 9), 180, need="E"),
    ]
    scored = score_entries(entries, rules())
    warned = early_warnings(scored, volunteers, rules(), as_of=dt.date(2026, 5, 20), recent=2)
    assert [w.volunteer_id for w in warned] == ["V3", "V5", "V2"]
    v2 = warned[-1]
    assert v2.period == Period(dt.date(2026, 4, 1), dt.date(2026, 5, 20))
    assert (v2.points, v2.hours, v2.shortfall) == (D(4), D(7), D(1))  # 4 - 3 + 3
    assert (v2.year_points, v2.year_hours) == (D(6), D(9))
    assert [s.entry.need_id for s in v2.recent] == ["E", "D"]
    assert v2.last_served == dt.date(2026, 5, 9) and v2.rule_version == "v1"
    # from July on, v2's scheme counts the month against 4 points
    july = early_warnings(scored, volunteers, rules(), as_of=dt.date(2026, 7, 15))
    assert july[0].period.start == dt.date(2026, 7, 1) and july[0].threshold == D(4)


def test_department_report_by_hand() -> None:
    volunteers = [
        volunteer("V1", "甲"),
        volunteer("V2", "甲", Membership.NONE),
        volunteer("V3", "甲", Membership.LEAGUE),
        volunteer("V4", "乙"),
    ]
    entries = [
        entry(
            "V1",
            dt.date(2026, 3, 7),
            120,
            category=C.TUTORING,
            need="N1",
            department="甲",
            membership=Membership.PARTY,
        ),
        entry(
            "V2",
            dt.date(2026, 3, 7),
            120,
            category=C.TUTORING,
            need="N1",
            department="甲",
            membership=Membership.NONE,
        ),
        entry(
            "V2",
            dt.date(2026, 3, 8),
            60,
            category=C.CLEAN_UP,
            need="N2",
            department="甲",
            membership=Membership.NONE,
        ),
        entry(
            "V3",
            dt.date(2026, 3, 8),
            0,
            S.NO_SHOW,
            category=C.CLEAN_UP,
            need="N2",
            department="甲",
            membership=Membership.LEAGUE,
        ),
    ]
    report = {
        d.department: d for d in department_report(score_entries(entries, rules()), volunteers)
    }
    first, second = report["甲"], report["乙"]
    assert (first.department, first.registered, first.active) == ("甲", 3, 2)
    assert (first.hours, first.points) == (D(5), D(2))  # 2 + 2 + 1 hours, 5 - 3 points
    assert first.needs_by_category == {C.CLEAN_UP: 1, C.TUTORING: 1}
    assert (first.records, first.no_shows, first.no_show_rate) == (4, 1, 0.25)
    assert first.non_party_share == 0.5  # V2 of V1, V2 (V3 did not serve)
    assert (second.department, second.registered, second.active, second.hours) == ("乙", 1, 0, 0)


def test_build_ledger_defaults_to_the_last_entry_and_the_shipped_rules() -> None:
    entries = [entry("V1", dt.date(2026, 3, 7), 120), entry("V2", dt.date(2026, 5, 2), 60)]
    ledger = build_ledger(entries, [volunteer("V1"), volunteer("V2")])
    assert ledger.period == Period(dt.date(2026, 3, 7), dt.date(2026, 5, 2))
    assert {s.rule_version for s in ledger.scored} == {default_rules().versions[0].version}
    assert [r.volunteer_id for r in ledger.ranking] == ["V1", "V2"]
    assert ledger.scored[0].entry.name == "志愿者V1"  # filled in from the volunteers


# --- the rules file ---------------------------------------------------------------


def test_the_shipped_rules_load_and_have_a_party_scheme() -> None:
    shipped = default_rules()
    version = shipped.versions[0]
    assert version.party.pass_mark > 0 and version.party.warning_below_points > 0
    assert Membership.PARTY in version.party.memberships


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            RULES.replace("repair-appliance = 3", "repair-appliance = -3"),
            "rules.toml: versions[1].points_per_hour.repair-appliance: "
            "expected a number ≥ 0, found -3",
        ),
        (
            RULES.replace("hours_unit = 0.25", "hours_unit = 0"),
            "rules.toml: versions[1].hours_unit: expected a number > 0, found 0",
        ),
        (
            RULES.replace("repair-appliance = 2", "repairs = 2"),
            "rules.toml: versions[0].points_per_hour.repairs: expected one of",
        ),
        (
            RULES.replace("no_show = 1", "no_shows = 1"),
            "rules.toml: versions[1].penalties.no_shows: unknown key (a typo?)",
        ),
        (
            RULES.replace("effective_from = 2026-07-01", "effective_from = 2025-07-01"),
            "rules.toml: versions must take effect in date order: 2025-07-01 (v2) "
            "is not after 2026-01-01",
        ),
        (
            RULES.replace('version = "v2"', 'version = "v1"'),
            "rules.toml: version v1 is named twice",
        ),
        (
            RULES.replace('combine = "max"', 'combine = "sum"'),
            "rules.toml: versions[1].multipliers.combine: expected one of 'multiply', 'max'",
        ),
        ("", "rules.toml: versions: missing: this key is required"),
    ],
)
def test_a_bad_rules_file_names_the_file_and_the_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as error:
        load_rules(path)
    assert any(str(issue).startswith(expected) for issue in error.value.issues), str(error.value)


def test_rules_file_errors_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "规则.toml"
    path.write_text(RULES.replace("no_show = 1", "no_show = -1"), encoding="utf-8")
    with use_language("zh"), pytest.raises(DataError) as error:
        load_rules(path)
    with use_language("zh"):
        assert (
            str(error.value) == "规则.toml：versions[1].penalties.no_show: 应为 ≥ 0 的数，实际为 -1"
        )


def test_a_rules_file_that_is_not_toml_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[[versions]\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a valid TOML file"):
        load_rules(path)
    with pytest.raises(DataError, match="file not found"):
        load_rules(tmp_path / "none.toml")


def test_the_documented_party_scheme_example_loads() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "ledger.md").read_text(encoding="utf-8")
    example = doc.split("```toml\n")[1].split("```")[0]
    documented = rules_from_mapping(tomllib.loads(example), "docs/ledger.md")
    assert [v.version for v in documented.versions] == ["2026版", "2027版"]
    later = documented.versions[1]
    assert later.penalties.no_show == 3 and later.caps.points_per_day == 10
    assert documented.in_force(dt.date(2026, 12, 31)).version == "2026版"  # type: ignore[union-attr]
