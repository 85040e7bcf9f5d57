"""What a larger budget buys: more time (the anytime row) and more CP-SAT workers (issue 11).

Two rows of ``make bench`` (:mod:`benchmarks.run` runs each solve in its
own process and writes the tables):

- **anytime**: one generated instance (3,000 x 900, seeds 1 and 2) solved
  with several time limits (10, 30, 60 s).  Per limit: status, runtime,
  staffed needs per priority, each stage's objective, bound and gap, the
  checker, and whether the roster is never worse than the roster of any
  shorter limit *by the solver's own lexicographic objective*
  (:func:`lexicographic_compare`).  Every improving roster the solve
  reports is recorded with its time; the coverage stage's objective is a
  mixed-radix sum of staffed needs per priority
  (:func:`matcher.solver.objective.lexicographic_weights` over the needs
  that can be staffed), decoded back into the counts
  (:func:`decode_coverage`) to give staffed needs per priority against time.
- **workers**: one instance (5,000 x 1,500 seed 1, 60 s) with 1 worker,
  ``os.cpu_count()`` workers and 8 (when there are at least 8 cores).

Usage::

    python -m benchmarks.run --sizes '' --gap '' --no-repair --no-whatif --no-workers-row
    python -m benchmarks.run --sizes '' --gap '' --no-repair --no-whatif --no-anytime
    python -m benchmarks.run --sizes '' --gap '' --no-repair --no-whatif --quick  # smoke test
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

ANYTIME = "bench-anytime"
WORKERS = "bench-workers"
CHECKPOINTS = (1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 45.0, 60.0)
"""Seconds into the longest run at which the staffed needs per priority are shown."""
_ROSTER = ("OPTIMAL", "FEASIBLE")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of both rows on ``benchmarks.run``'s command line."""
    parser.add_argument(
        "--anytime",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the anytime row: one instance at several time limits",
    )
    parser.add_argument(
        "--anytime-limits", default=None, help="time limits in s (default 10,30,60; quick 2,4)"
    )
    parser.add_argument("--anytime-seeds", default=None, help="default 1,2; quick 1")
    parser.add_argument("--anytime-size", default="3000x900", help="volunteers x needs")
    parser.add_argument(
        "--workers-row",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the workers row: one instance with 1, all and 8 CP-SAT workers",
    )
    parser.add_argument(
        "--workers-size", default=None, help="volunteers x needs (default 5000x1500; quick 200x60)"
    )
    parser.add_argument(
        "--workers-limit", type=float, default=None, help="time limit in s (default 60; quick 5)"
    )


def _size(text: str) -> tuple[int, int]:
    volunteers, needs = text.lower().split("x")
    return int(volunteers), int(needs)


def _numbers(text: str) -> list[float]:
    return [float(t) for t in text.split(",") if t]


def worker_counts(cores: int | None) -> list[int]:
    """1, every core, and 8 when the machine has that many (each once, ascending)."""
    cores = cores or 1
    return sorted({1, cores, *([8] if cores >= 8 else [])})


def plan_jobs(args: argparse.Namespace) -> list[tuple[str, Any]]:
    """The jobs of both rows the command line asks for, for ``benchmarks.run``'s pool."""
    jobs: list[tuple[str, Any]] = []
    if args.anytime:
        volunteers, needs = _size(args.anytime_size)
        limits = _numbers(args.anytime_limits or ("2,4" if args.quick else "10,30,60"))
        seeds = [int(s) for s in _numbers(args.anytime_seeds or ("1" if args.quick else "1,2"))]
        for seed in seeds:
            jobs += [("anytime", (volunteers, needs, seed, limit)) for limit in sorted(limits)]
    if args.workers_row:
        volunteers, needs = _size(args.workers_size or ("200x60" if args.quick else "5000x1500"))
        limit = args.workers_limit or (5.0 if args.quick else 60.0)
        jobs += [
            ("workers", (volunteers, needs, 1, limit, workers))
            for workers in worker_counts(os.cpu_count())
        ]
    return jobs


def open_need_counts(problem: Any, params: Any) -> dict[int, int]:
    """Needs per priority that some roster could staff: the ones coverage weighs.

    The same eligibility ``solve`` builds for one model and the solver's own
    rule for a need nobody can staff (:func:`matcher.solver.model.staffing_blockers`).
    """
    from matcher.eligibility import build_eligibility
    from matcher.solver.model import staffing_blockers

    elig = build_eligibility(
        problem, params.candidate_limit, params.prune_above, params.travel_minutes_default
    )
    counts = Counter(
        problem.needs[n].priority
        for n in range(len(problem.needs))
        if not staffing_blockers(problem, elig, n)
    )
    return {p: counts.get(p, 0) for p in range(1, 6)}


def decode_coverage(value: float, open_counts: dict[int, int]) -> dict[int, int] | None:
    """Staffed needs per priority (5..1) behind a coverage objective, or None if not exact.

    The weights are a mixed radix: one need of a priority outweighs every
    need below it, so integer division from the top recovers the counts
    whenever each is at most the open needs of its priority.  Anything else
    (a fractional value, a count above that) means the value was not made
    with these weights, and None says so.
    """
    from matcher.solver.objective import lexicographic_weights

    if abs(value - round(value)) > 1e-6 or value < 0:
        return None
    weights = lexicographic_weights(open_counts)
    rest = round(value)
    counts: dict[int, int] = {}
    for p in range(5, 0, -1):
        counts[p], rest = divmod(rest, weights[p])
    if rest or any(counts[p] > open_counts.get(p, 0) for p in counts):
        return None
    return counts


def staffed_by_priority(problem: Any, assignments: Sequence[Any]) -> dict[int, int]:
    """Needs with anyone on them, per priority 5..1 (as the generated table counts staffed)."""
    staffed = {a.need_id for a in assignments}
    counts = Counter(n.priority for n in problem.needs if n.id in staffed)
    return {p: counts.get(p, 0) for p in range(5, 0, -1)}


def _solved(volunteers: int, needs: int, seed: int, limit: float, workers: int) -> dict[str, Any]:
    """Solve one generated instance; the record fields both rows share."""
    from matcher.check import check_roster
    from matcher.generate import generate_problem
    from matcher.params import SolverParams
    from matcher.solver import solve

    problem = generate_problem(volunteers, needs, seed=seed)
    params = SolverParams(time_limit=limit, workers=workers)
    events: list[tuple[str, float, float, float]] = []
    result = solve(problem, params, progress=lambda *event: events.append(event))
    violations = check_roster(problem, result.assignments) if result.has_roster else []
    record: dict[str, Any] = {
        "instance": f"{volunteers}x{needs} seed {seed}",
        "volunteers": volunteers,
        "needs": needs,
        "seed": seed,
        "time_limit": limit,
        "workers": workers,
        "status": str(result.status),
        "runtime": round(result.runtime, 2),
        "gap": result.gap,
        "staffed": len({a.need_id for a in result.assignments}),
        "staffed_by_priority": staffed_by_priority(problem, result.assignments),
        "stages": [dataclasses.asdict(st) for st in result.stages],
        "checker_violations": len(violations),
        "pairs": result.pairs,
        "pruned_pairs": result.pruned_pairs,
    }
    return {"problem": problem, "params": params, "events": events, "record": record}


def run_anytime(volunteers: int, needs: int, seed: int, limit: float) -> dict[str, Any]:
    """One limit of the anytime row: the roster, its stages, and every improving roster in time.

    ``timeline`` holds each progress event (stage, objective, bound, seconds
    since the solve started); coverage events carry their staffed needs per
    priority when the objective decodes exactly (``timeline_decoded``).
    """
    solved = _solved(volunteers, needs, seed, limit, 1)
    problem, record = solved["problem"], solved["record"]
    open_counts = open_need_counts(problem, solved["params"])
    timeline = []
    decoded_all = True
    for stage, objective, bound, elapsed in solved["events"]:
        event: dict[str, Any] = {
            "stage": stage,
            "objective": objective,
            "bound": bound,
            "elapsed": round(elapsed, 2),
        }
        if stage.startswith("coverage"):
            # Exact only for one coverage stage of one model: split stages
            # (coverage_p5...) or parts ("coverage (part 3 of 40)") stay raw.
            counts = decode_coverage(objective, open_counts) if stage == "coverage" else None
            decoded_all &= counts is not None
            event["staffed_by_priority"] = counts
        timeline.append(event)
    coverage = [st for st in record["stages"] if st["name"] == "coverage"]
    stage_counts = decode_coverage(coverage[0]["objective"], open_counts) if coverage else None
    record.update(
        {
            "kind": "anytime",
            "open_needs_by_priority": {p: open_counts[p] for p in range(5, 0, -1)},
            "timeline": timeline,
            "timeline_decoded": decoded_all,
            "coverage_stage_by_priority": stage_counts,
        }
    )
    return record


def run_workers(
    volunteers: int, needs: int, seed: int, limit: float, workers: int
) -> dict[str, Any]:
    """One worker count of the workers row."""
    record = _solved(volunteers, needs, seed, limit, workers)["record"]
    record["kind"] = "workers"
    record["cores"] = os.cpu_count()
    return record


def run_job(kind: str, arg: tuple[Any, ...]) -> dict[str, Any]:
    """One job of either row (``benchmarks.run`` calls it in the job's own process)."""
    return run_anytime(*arg) if kind == "anytime" else run_workers(*arg)


def lexicographic_compare(
    longer: Sequence[dict[str, Any]], shorter: Sequence[dict[str, Any]]
) -> tuple[int | None, str | None]:
    """Compare two runs' rosters by the solver's own lexicographic objective.

    Stages are compared in the solver's order (coverage, wishes, soft), each
    by the objective of the stage with the same name; the first that differs
    decides.  A stage only one run reached (time ran out before it) ends the
    comparison: the stages before it decide.

    Returns
    -------
    tuple
        +1 (``longer`` better), 0 (equal on every stage both reached), -1
        (worse) or None (no stage in common); and the deciding stage's name.
    """
    theirs = {st["name"]: st["objective"] for st in shorter}
    compared = 0
    for st in longer:
        if st["name"] not in theirs:
            break
        compared += 1
        # Every objective is integral: a difference under 0.5 is rounding.
        difference = st["objective"] - theirs[st["name"]]
        if abs(difference) >= 0.5:
            return (1 if difference > 0 else -1), st["name"]
    return (0 if compared else None), None


def annotate(results: list[dict[str, Any]]) -> None:
    """Mark each anytime record: never worse than every shorter limit on its instance?

    ``never_worse`` is None for the shortest limit (or when no shorter
    limit found a roster); else True unless some shorter limit's roster is
    better, and ``worse_than`` lists those (limit, deciding stage).
    """
    rows = [r for r in results if r["kind"] == "anytime"]
    for r in rows:
        shorter = [
            s
            for s in rows
            if s["instance"] == r["instance"]
            and s["time_limit"] < r["time_limit"]
            and s["status"] in _ROSTER
        ]
        worse = []
        for s in shorter:
            # Any roster is better than none.
            sign, stage = (
                lexicographic_compare(r["stages"], s["stages"])
                if r["status"] in _ROSTER
                else (-1, "no roster")
            )
            if sign == -1:
                worse.append({"limit": s["time_limit"], "stage": stage})
        r["never_worse"] = not worse if shorter else None
        r["worse_than"] = worse


def _stage(r: dict[str, Any], name: str, key: str = "objective") -> str:
    for st in r["stages"]:
        if st["name"] == name:
            value = st[key]
            return f"{100 * value:.2f}%" if key == "gap" else f"{value:.0f}"
    return "-"


def _by_priority(counts: dict[Any, int] | None) -> str:
    if counts is None:
        return "-"
    # JSON turns the priority keys into strings; accept both.
    return "/".join(str(counts.get(p, counts.get(str(p), 0))) for p in range(5, 0, -1))


def _never_worse(r: dict[str, Any]) -> str:
    if r.get("never_worse") is None:
        return "-"
    if r["never_worse"]:
        return "yes"
    return "no: " + ", ".join(f"{w['limit']:g} s better in {w['stage']}" for w in r["worse_than"])


def _coverage_text(r: dict[str, Any]) -> str:
    """The coverage objective, or the per-priority stages' objectives when it is split."""
    split = [st for st in r["stages"] if st["name"].startswith("coverage_p")]
    if split:
        return " / ".join(f"{st['objective']:.0f}" for st in split)
    return _stage(r, "coverage")


def render_anytime(rows: list[dict[str, Any]]) -> list[str]:
    """The anytime table, then staffed needs per priority against time in each longest run."""
    lines = [
        "| instance | limit s | status | runtime s | staffed P5/P4/P3/P2/P1 | coverage "
        "| wishes | soft (bound) | gap | never worse than shorter? | checker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['time_limit']:g} | {r['status']} | {r['runtime']} "
            f"| {_by_priority(r['staffed_by_priority'])} | {_coverage_text(r)} "
            f"| {_stage(r, 'wishes')} | {_stage(r, 'soft')} ({_stage(r, 'soft', 'bound')}) "
            f"| {100 * r['gap']:.2f}% | {_never_worse(r)} "
            f"| {r['checker_violations']} violations |"
        )
    longest: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["instance"] not in longest or r["time_limit"] > longest[r["instance"]]["time_limit"]:
            longest[r["instance"]] = r
    lines += [
        "",
        "| instance, limit | at s | staffed P5/P4/P3/P2/P1 (coverage stage) | stage then "
        "| objective then |",
        "|---|---|---|---|---|",
    ]
    for r in longest.values():
        lines += _timeline_rows(r)
    return lines


def _timeline_rows(r: dict[str, Any]) -> list[str]:
    """The best roster known at each mark of one run, and the run's result at its end.

    At a mark, the last improving roster reported before it (the greedy start
    is not reported; before the first report the cells say so); at the end,
    the result's own stages.
    """
    out = []
    label = f"{r['instance']}, {r['time_limit']:g} s"
    for t in [t for t in CHECKPOINTS if t < r["runtime"]]:
        before = [e for e in r["timeline"] if e["elapsed"] <= t]
        if not before:
            out.append(f"| {label} | {t:g} | not reported yet | - | - |")
            continue
        covered = [e for e in before if e["stage"] == "coverage"]
        counts = covered[-1].get("staffed_by_priority") if covered else None
        last = before[-1]
        out.append(
            f"| {label} | {t:g} | {_by_priority(counts)} | {last['stage']} "
            f"| {last['objective']:.0f} |"
        )
    if r["stages"]:
        last_stage = r["stages"][-1]
        out.append(
            f"| {label} | {r['runtime']} (end) | {_by_priority(r['coverage_stage_by_priority'])} "
            f"| {last_stage['name']} | {last_stage['objective']:.0f} |"
        )
    return out


def render_workers(rows: list[dict[str, Any]]) -> list[str]:
    """The workers table."""
    lines = [
        "| instance | limit s | workers | status | runtime s | gap | staffed "
        "| staffed P5/P4/P3/P2/P1 | soft (bound) | checker |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['instance']} | {r['time_limit']:g} | {r['workers']} | {r['status']} "
            f"| {r['runtime']} | {100 * r['gap']:.2f}% | {r['staffed']} "
            f"| {_by_priority(r['staffed_by_priority'])} "
            f"| {_stage(r, 'soft')} ({_stage(r, 'soft', 'bound')}) "
            f"| {r['checker_violations']} violations |"
        )
    return lines


def blocks(report: dict[str, Any]) -> dict[str, str]:
    """The doc blocks this run measured, by marker name (none for a row that did not run)."""
    m = report["machine"]
    note = f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), commit {m['commit']}."
    out = {}
    anytime = [r for r in report["results"] if r["kind"] == "anytime"]
    if anytime:
        out[ANYTIME] = "\n".join([note, "", *render_anytime(anytime)])
    workers = [r for r in report["results"] if r["kind"] == "workers"]
    if workers:
        out[WORKERS] = "\n".join([note, "", *render_workers(workers)])
    return out
