"""``make bench``: solver vs greedy vs HiGHS on generated communities, with bounds, and GAP.

Each instance runs in its own process so that its peak memory (max RSS) is its
own.  In that process CP-SAT runs first (its peak is recorded before anything
else starts), then the greedy baseline, then HiGHS on the same model with the
same time limit, the LP relaxation of that model and the LP bound of the
unpruned problem (:mod:`benchmarks.highs_backend`, :mod:`benchmarks.lp_bounds`).  Results go to
``benchmarks/results/<date>.json`` and the tables between the markers in
``docs/benchmarks.md`` are rewritten from them.

Usage::

    python -m benchmarks.run [--sizes S,M] [--seeds 1,2,3] [--gap B,C,D] [--quick]
                             [--no-highs] [--highs-hold value|counts] [--no-repair]
                             [--no-anytime] [--no-workers-row] [--anytime-limits 10,30,60]

The repair and recommendation times on the sample are one more job
(:mod:`benchmarks.repair`); the anytime and workers rows are more jobs
(:mod:`benchmarks.budget`, which lists their flags).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from benchmarks import budget

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
SIZES = {"S": (200, 60, 10.0), "M": (5000, 1500, 60.0), "L": (50000, 15000, 120.0)}
GAP_LIMITS = {"gapb": 10.0, "gapc": 10.0, "gapd": 60.0}


def _coverage_by_priority(problem: Any, staffed: set[str]) -> dict[int, float]:
    out = {}
    for p in (5, 4):
        ids = [n.id for n in problem.needs if n.priority == p]
        out[p] = sum(1 for i in ids if i in staffed) / len(ids) if ids else 1.0
    return out


def _rss_mib() -> float:
    """Peak memory of this process so far (max RSS), in MiB."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_generated(
    size: str, seed: int, highs: bool = True, hold_counts: bool = False
) -> dict[str, Any]:
    """Solve one generated instance with CP-SAT, the greedy baseline and (optionally) HiGHS.

    ``hold_counts`` is passed to :func:`benchmarks.highs_backend.solve_with_highs`.
    """
    from benchmarks.timing import cp_sat_time_to_gap
    from matcher.baselines import greedy_roster
    from matcher.check import check_roster
    from matcher.eligibility import build_eligibility
    from matcher.generate import generate_problem
    from matcher.params import SolverParams
    from matcher.solver import solve

    volunteers, needs, limit = SIZES[size]
    problem = generate_problem(volunteers, needs, seed=seed)
    params = SolverParams(time_limit=limit)
    # CP-SAT first, so that the peak memory recorded next is its own.
    events: list[tuple[str, float, float, float]] = []
    result = solve(problem, params, progress=lambda *event: events.append(event))
    peak_cp_sat = _rss_mib()
    started = time.perf_counter()
    elig = build_eligibility(problem)
    greedy = greedy_roster(problem, elig)
    greedy_time = time.perf_counter() - started
    greedy_staffed = {problem.needs[int(elig.need[g.pair])].id for g in greedy}
    staffed = {a.need_id for a in result.assignments}
    violations = check_roster(problem, result.assignments) if result.has_roster else []
    time_to_gap, exact = cp_sat_time_to_gap(
        events, [(st.name, st.gap) for st in result.stages], result.runtime
    )
    record = {
        "kind": "generated",
        "size": size,
        "seed": seed,
        "volunteers": volunteers,
        "needs": needs,
        "time_limit": limit,
        "status": str(result.status),
        "runtime": round(result.runtime, 2),
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "coverage_gap": (result.stages[0].gap if result.stages else None),
        "staffed": len(staffed),
        "pairs": result.pairs,
        "pruned_pairs": result.pruned_pairs,
        "coverage_p5_p4": _coverage_by_priority(problem, staffed),
        "greedy_staffed": len(greedy_staffed),
        "greedy_runtime": round(greedy_time, 2),
        "greedy_coverage_p5_p4": _coverage_by_priority(problem, greedy_staffed),
        "checker_violations": len(violations),
        "stages": [dataclasses.asdict(st) for st in result.stages],
        "time_to_gap": time_to_gap,
        "time_to_gap_exact": exact,
        "peak_rss_cpsat_mib": peak_cp_sat,
    }
    if highs:
        record.update(compare_with_highs(problem, params, result, time_to_gap, hold_counts))
    return record


def _best_bounds(
    ours: list[float],
    cp_sat: list[float],
    run: Any,
    lp: list[Any],
    unpruned: Any,
) -> list[float | None]:
    """Per stage, the smallest bound that holds for the rosters compared with ours.

    CP-SAT's and the LP bounds are computed with earlier stages held at our
    values; HiGHS's bound of a stage only counts when HiGHS held every
    earlier stage at most at our value (its feasible set then contains ours).
    """
    best: list[float | None] = []
    for k in range(len(ours)):
        candidates = [b[k].bound for b in (lp, unpruned.stages) if k < len(b)]
        candidates.append(cp_sat[k] if k < len(cp_sat) else None)
        if k < len(run.stages) and all(
            h.objective is not None and h.objective <= o
            for h, o in zip(run.stages[:k], ours, strict=False)
        ):
            candidates.append(run.stages[k].bound)
        known = [c for c in candidates if c is not None]
        best.append(min(known) if known else None)
    return best


def _largest_gap(ours: list[float], bounds: list[float | None]) -> float | None:
    """Largest stage gap of our roster to the bounds; None unless every stage has one."""
    from matcher.result import relative_gap

    if not ours or len(bounds) != len(ours) or any(b is None for b in bounds):
        return None
    return max(relative_gap(o, b) for o, b in zip(ours, bounds, strict=True) if b is not None)


def compare_with_highs(
    problem: Any,
    params: Any,
    result: Any,
    our_time_to_gap: float | None,
    hold_counts: bool = False,
) -> dict[str, Any]:
    """HiGHS on the same model and limit, the LP bounds, and how our run compares.

    Runs in the instance's process after CP-SAT; records the peak memory
    before the unpruned model is built and at the end.
    """
    from benchmarks.highs_backend import prepare, roster_values, solve_with_highs
    from benchmarks.lp_bounds import coverage_weights_by_priority, lp_bounds, unpruned_bounds

    prepared = prepare(problem, params)
    run = solve_with_highs(problem, params, prepared=prepared, hold_counts=hold_counts)
    # Our roster's value in each stage of this model, however solve() found it
    # (one model, or independent parts merged): the values the bounds hold.
    point = roster_values(problem, prepared, result.assignments) if result.has_roster else None
    ours = [] if point is None else [stage.value(point) for stage in prepared.stages]
    same_stages = [st.name for st in result.stages] == [st.name for st in prepared.stages]
    # CP-SAT's own bounds count only when its stages are this model's stages.
    consistent = same_stages and ours == [st.objective for st in result.stages]
    cp_sat_bounds = [st.bound for st in result.stages] if consistent else []
    lp = lp_bounds(prepared.milp, prepared.stages, ours, cp_sat_bounds)
    peak_highs = _rss_mib()
    weights = coverage_weights_by_priority(problem, prepared.rm)
    unpruned = unpruned_bounds(problem, params, weights, ours, kept=prepared.elig)
    best = _best_bounds(ours, cp_sat_bounds, run, lp, unpruned)
    gap_best = _largest_gap(ours, best)
    gap_full = _largest_gap(ours, [b.bound for b in unpruned.stages])
    ratio = None
    if run.time_to_gap is not None and our_time_to_gap:
        ratio = run.time_to_gap / our_time_to_gap
    highs_staffed = {problem.needs[n].id for _, n in run.assignments}
    return {
        "highs": run.as_dict(),
        "highs_hold": "priority counts" if hold_counts else "value",
        "highs_staffed": len(highs_staffed),
        "highs_coverage_p5_p4": _coverage_by_priority(problem, highs_staffed),
        "lp_pruned": [dataclasses.asdict(b) for b in lp],
        "unpruned": dataclasses.asdict(unpruned),
        "ours_in_model": ours,
        "ours_consistent": consistent,
        "best_bounds": best,
        "gap_to_best_bound": gap_best,
        "gap_to_unpruned_bound": gap_full,
        "speed_ratio": ratio,
        "peak_rss_before_unpruned_mib": peak_highs,
    }


def run_gap(name: str, highs: bool = True) -> dict[str, Any]:
    """Solve one GAP instance (``family-k``) and compare with its known value."""
    from benchmarks.gap import INSTANCES as GAP_FOLDER
    from benchmarks.gap import PROVEN, read_gap_file, solve_gap

    family, k = name.rsplit("-", 1)
    instance = read_gap_file(GAP_FOLDER / f"{family}.txt")[int(k) - 1]
    limit = GAP_LIMITS.get(family, 10.0)
    value, result = solve_gap(instance, time_limit=limit)
    gap = None if value is None else abs(value - instance.known) / instance.known
    record = {
        "kind": "gap",
        "instance": name,
        "size": f"{instance.agents}x{instance.jobs}",
        "time_limit": GAP_LIMITS.get(family, 10.0),
        "known": instance.known,
        "known_is_optimal": family in PROVEN,
        "value": value,
        "gap_to_known": gap,
        "status": str(result.status),
        "runtime": round(result.runtime, 2),
    }
    if highs:
        from benchmarks.highs_backend import solve_gap_with_highs

        highs_value, run = solve_gap_with_highs(instance, time_limit=limit)
        record["highs"] = run.as_dict()
        record["highs_value"] = highs_value
        record["highs_gap_to_known"] = (
            None if highs_value is None else abs(highs_value - instance.known) / instance.known
        )
    return record


def _in_child(job: tuple[str, Any]) -> dict[str, Any]:
    kind, arg = job
    if kind == "repair":
        from benchmarks.repair import run_repair_bench

        record = run_repair_bench()
    elif kind in ("anytime", "workers"):
        record = budget.run_job(kind, arg)
    else:
        record = run_generated(*arg) if kind == "generated" else run_gap(*arg)
    record["peak_rss_mib"] = _rss_mib()
    return record


def run_isolated(job: tuple[str, Any]) -> dict[str, Any]:
    """Run one job in a fresh process (one at a time: the solver gets the machine)."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(_in_child, job).result()


def _call_in_child(call: Any, job: Any) -> dict[str, Any]:
    record = call(job)
    record["peak_rss_mib"] = _rss_mib()
    return record


def run_isolated_call(call: Any, job: Any) -> dict[str, Any]:
    """``call(job)`` in a fresh process, with its peak memory (for other benchmarks' jobs)."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(_call_in_child, call, job).result()


def _version_or_none(package: str) -> str | None:
    try:
        return version(package)
    except PackageNotFoundError:
        return None


def machine() -> dict[str, str | None]:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "ortools": version("ortools"),
        "highspy": _version_or_none("highspy"),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def _num(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _to_gap(r: dict[str, Any]) -> str:
    """Our time to the target gap; an upper bound is marked with <=."""
    if r.get("time_to_gap") is None:
        return "-"
    return ("" if r.get("time_to_gap_exact", True) else "<= ") + f"{r['time_to_gap']:.1f}"


def _ratio(r: dict[str, Any]) -> str:
    """HiGHS's time to the target gap over ours (> when HiGHS never got there)."""
    ours, highs = r.get("time_to_gap"), r["highs"].get("time_to_gap")
    if ours is None:
        return "-"
    mark = "" if r.get("time_to_gap_exact", True) else ">= "
    if highs is None:
        # HiGHS did not get there in its whole run: the ratio is at least this.
        return f"> {r['highs']['runtime'] / ours:.1f}"
    return f"{mark}{highs / ours:.1f}"


def _stage_value(stages: list[dict[str, Any]], name: str, key: str) -> float | None:
    for st in stages:
        if st["name"] == name:
            return st.get(key)
    return None


def render(report: dict[str, Any]) -> str:
    """The markdown tables for docs/benchmarks.md."""
    m = report["machine"]
    highs_version = m.get("highspy")
    lines = [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"OR-Tools {m['ortools']}"
        + (f", HiGHS {highs_version}" if highs_version else "")
        + f", commit {m['commit']}.",
        "",
        "| instance | status | runtime s | limit s | gap | staffed (greedy) "
        "| P5 ours / greedy | P4 ours / greedy | pairs (pruned) | peak MiB | checker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    generated = [r for r in report["results"] if r["kind"] == "generated"]
    for r in generated:
        p, g = r["coverage_p5_p4"], r["greedy_coverage_p5_p4"]
        lines.append(
            f"| {r['size']} {r['volunteers']}x{r['needs']} seed {r['seed']} | {r['status']} "
            f"| {r['runtime']} | {r['time_limit']:g} | {_pct(r['gap'])} "
            f"| {r['staffed']} ({r['greedy_staffed']}) "
            f"| {_pct(p[5])} / {_pct(g[5])} | {_pct(p[4])} / {_pct(g[4])} "
            f"| {r['pairs']} ({r['pruned_pairs']}) "
            f"| {r.get('peak_rss_cpsat_mib', r['peak_rss_mib'])} "
            f"| {r['checker_violations']} violations |"
        )
    compared = [r for r in generated if "highs" in r]
    if compared:
        lines += [
            "",
            "| instance | HiGHS status | HiGHS gap | staffed HiGHS (ours) | P5 / P4 HiGHS "
            "| soft ours / HiGHS | soft bound CP-SAT / LP / unpruned LP "
            "| to 0.5% s ours / HiGHS | HiGHS / ours | our gap to best bound (unpruned) "
            "| LP s pruned / unpruned | peak MiB all |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in compared:
            h, lp, full = r["highs"], r["lp_pruned"], r["unpruned"]
            hp = r["highs_coverage_p5_p4"]
            lp_soft = _stage_value(lp, "soft", "bound")
            full_soft = _stage_value(full["stages"], "soft", "bound")
            full_text = _num(full_soft) if not full["skipped"] else "skipped"
            lines.append(
                f"| {r['size']} {r['volunteers']}x{r['needs']} seed {r['seed']} "
                f"| {h['status']} | {_pct(h['gap'])} "
                f"| {r['highs_staffed']} ({r['staffed']}) | {_pct(hp[5])} / {_pct(hp[4])} "
                f"| {_num(_stage_value(r['stages'], 'soft', 'objective'))} "
                f"/ {_num(_stage_value(h['stages'], 'soft', 'objective'))} "
                f"| {_num(_stage_value(r['stages'], 'soft', 'bound'))} / {_num(lp_soft)} "
                f"/ {full_text} "
                f"| {_to_gap(r)} / {_num(h['time_to_gap'], 1)} | {_ratio(r)} "
                f"| {_pct(r['gap_to_best_bound'])} ({_pct(r['gap_to_unpruned_bound'])}) "
                f"| {_num(sum(b['seconds'] for b in lp), 1)} "
                f"/ {_num(sum(b['seconds'] for b in full['stages']), 1)} "
                f"| {r['peak_rss_mib']} |"
            )
    gap_rows = [r for r in report["results"] if r["kind"] == "gap"]
    if gap_rows:
        with_highs = any("highs" in r for r in gap_rows)
        extra_head = " HiGHS | HiGHS gap to known | HiGHS status | HiGHS s |" if with_highs else ""
        lines += [
            "",
            "| GAP instance | size | known | ours | gap to known | status | runtime s | limit s |"
            + extra_head,
            "|---|---|---|---|---|---|---|---|" + ("---|---|---|---|" if with_highs else ""),
        ]
        for r in gap_rows:
            known = f"{r['known']}" + ("" if r["known_is_optimal"] else " (best known)")
            extra = ""
            if with_highs and "highs" in r:
                extra = (
                    f" {_num(r['highs_value'])} | {_pct(r['highs_gap_to_known'])} "
                    f"| {r['highs']['status']} | {_num(r['highs']['runtime'], 2)} |"
                )
            elif with_highs:
                extra = " - | - | - | - |"
            lines.append(
                f"| {r['instance']} | {r['size']} | {known} | {r['value']} "
                f"| {_pct(r['gap_to_known'])} | {r['status']} | {r['runtime']} "
                f"| {r['time_limit']:g} |" + extra
            )
    return "\n".join(lines)


def _replace_block(text: str, name: str, content: str) -> str:
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{content}\n{end}{tail}"


def write_doc(report: dict[str, Any]) -> None:
    """Replace the generated blocks of docs/benchmarks.md that this run measured.

    The solver tables (``bench``) when it ran generated or GAP instances, the
    repair table (``bench-repair``) when it ran the repair job, the anytime
    and workers tables when they ran: ``--sizes '' --gap ''`` measures the
    rest and leaves the solver tables as they are.
    """
    from benchmarks.repair import render_repair

    text = DOC.read_text(encoding="utf-8")
    if any(r["kind"] in ("generated", "gap") for r in report["results"]):
        text = _replace_block(text, "bench", render(report))
    repairs = [r for r in report["results"] if r["kind"] == "repair"]
    if repairs:
        m = report["machine"]
        note = f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), commit {m['commit']}."
        text = _replace_block(text, "bench-repair", "\n".join([note, "", *render_repair(repairs)]))
    for name, block in budget.blocks(report).items():
        text = _replace_block(text, name, block)
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and record it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M,L")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--gap", default="B,C,D", help="GAP types to run (B, C, D)")
    parser.add_argument("--quick", action="store_true", help="one seed, S only, GAP type B")
    parser.add_argument(
        "--no-highs",
        action="store_true",
        help="skip HiGHS and the LP bounds (CP-SAT and greedy only)",
    )
    parser.add_argument(
        "--no-whatif",
        action="store_true",
        help="skip the what-if benchmark (20 scenarios of the sample on 1 vs 2 Dask workers)",
    )
    parser.add_argument(
        "--highs-hold",
        choices=["value", "counts"],
        default="counts",
        help="how HiGHS holds a finished stage: as solve does (counts per priority for "
        "weighted coverage) or by one weighted row (value; a variant for comparison)",
    )
    parser.add_argument(
        "--no-repair", action="store_true", help="skip the repair and recommend times"
    )
    budget.add_arguments(parser)
    args = parser.parse_args(argv)
    highs = not args.no_highs
    hold_counts = args.highs_hold == "counts"
    if args.quick:
        args.sizes, args.seeds, args.gap = "S", "1", "B"
    jobs: list[tuple[str, Any]] = []
    seeds = [int(s) for s in args.seeds.split(",") if s]
    for size in [s for s in args.sizes.split(",") if s]:
        # The large sizes take minutes per seed (L about ten with HiGHS): fewer seeds there.
        for seed in {"S": seeds, "M": seeds[:2]}.get(size, seeds[:1]):
            jobs.append(("generated", (size, seed, highs, hold_counts)))
    for family in [f"gap{t.lower()}" for t in args.gap.split(",") if t]:
        jobs += [("gap", (f"{family}-{k}", highs)) for k in range(1, 7)]
    if not args.no_repair:
        jobs.append(("repair", ()))
    jobs += budget.plan_jobs(args)
    results = []
    for job in jobs:
        record = run_isolated(job)
        print(json.dumps(record, ensure_ascii=False), flush=True)
        results.append(record)
    budget.annotate(results)
    report = {"machine": machine(), "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    write_doc(report)
    if not args.no_whatif:
        from benchmarks import whatif

        whatif.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main())
