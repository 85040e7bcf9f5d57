"""Markdown tables of what a dataset holds (``datasets/README.md`` shows the sample's)."""

from __future__ import annotations

from collections import Counter

from matcher.domain import HouseholdCategory, Membership, NeedCategory, Problem, Role


def describe(problem: Problem) -> str:
    """Markdown tables of what a dataset holds (used for ``datasets/README.md``).

    English on purpose, in every language: the tables are the developers'
    README (a test compares them), not a message to a coordinator.

    Parameters
    ----------
    problem
        Any problem.

    Returns
    -------
    str
        Totals; volunteers per department by role; memberships; needs per
        category and per date; households per category.
    """
    lines: list[str] = []
    h = problem.horizon
    festivals = dict(h.festivals)
    lines += [
        "| what | count |",
        "|---|---|",
        f"| volunteers | {len(problem.volunteers)} |",
        f"| needs | {len(problem.needs)} |",
        f"| households | {len(problem.households)} |",
        f"| with one-to-one support | {sum(h.one_to_one for h in problem.households)} |",
        f"| availability windows | {len(problem.availability)} |",
        f"| blackouts | {len(problem.blackouts)} |",
        f"| pairs | {len(problem.pairs)} |",
        f"| pins | {len(problem.pins)} |",
        f"| history entries | {len(problem.history)} |",
        f"| travel rows | {len(problem.travel)} |",
        "",
    ]
    roles = list(Role)
    lines += [
        "| department | " + " | ".join(r.value for r in roles) + " | total |",
        "|---" * (len(roles) + 2) + "|",
    ]
    by_dept = Counter((v.department, v.role) for v in problem.volunteers)
    for dept in problem.departments:
        cells = [by_dept[(dept.name, r)] for r in roles]
        lines.append(f"| {dept.name} | " + " | ".join(map(str, cells)) + f" | {sum(cells)} |")
    lines.append("")
    memberships = Counter(v.membership for v in problem.volunteers)
    lines += ["| membership | volunteers |", "|---|---|"]
    lines += [f"| {m.value} | {memberships[m]} |" for m in Membership]
    lines.append("")
    categories = Counter(n.category for n in problem.needs)
    lines += ["| need category | needs |", "|---|---|"]
    lines += [f"| {c.value} | {categories[c]} |" for c in NeedCategory if categories[c]]
    lines.append("")
    dates = Counter(n.date for n in problem.needs)
    lines += ["| date | needs |", "|---|---|"]
    for day in h.service_days:
        label = f"{day.isoformat()} {'一二三四五六日'[day.weekday()]}"
        if day in festivals:
            label += f" {festivals[day]}"
        lines.append(f"| {label} | {dates[day]} |")
    lines.append(f"| untimed | {dates[None]} |")
    lines.append("")
    team = sum(
        1
        for n in problem.needs
        if n.lead_required or n.joint_departments or n.required_gender or n.required_languages
    )
    flexible = sum(1 for n in problem.needs if n.is_flexible)
    must = sum(1 for n in problem.needs if n.must_cover)
    tied = sum(1 for n in problem.needs if n.household_id)
    lines += [
        "| need property | needs |",
        "|---|---|",
        f"| with team rules | {team} |",  # i18n: not shown: datasets/README.md
        f"| flexible start | {flexible} |",
        f"| must cover | {must} |",
        f"| tied to a household | {tied} |",  # i18n: not shown: datasets/README.md
        "",
    ]
    households = Counter(x.category for x in problem.households)
    lines += ["| household category | households |", "|---|---|"]
    lines += [f"| {c.value} | {households[c]} |" for c in HouseholdCategory if households[c]]
    return "\n".join(lines) + "\n"
