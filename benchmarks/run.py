"""``make bench``: solver vs greedy on generated communities, and GAP gaps to known values.

Each instance runs in its own process so that its peak memory (max RSS) is its
own.  Results go to ``benchmarks/results/<date>.json`` and the table between
the markers in ``docs/benchmarks.md`` is rewritten from them.

Usage::

    python -m benchmarks.run [--sizes S,M] [--seeds 1,2,3] [--gap B,C,D] [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path
from typing import Any

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


def run_generated(size: str, seed: int) -> dict[str, Any]:
    """Solve one generated instance with CP-SAT and with the greedy baseline."""
    from matcher.baselines import greedy_roster
    from matcher.check import check_roster
    from matcher.eligibility import build_eligibility
    from matcher.generate import generate_problem
    from matcher.params import SolverParams
    from matcher.solver import solve

    volunteers, needs, limit = SIZES[size]
    problem = generate_problem(volunteers, needs, seed=seed)
    started = time.perf_counter()
    elig = build_eligibility(problem)
    greedy = greedy_roster(problem, elig)
    greedy_time = time.perf_counter() - started
    greedy_staffed = {problem.needs[int(elig.need[g.pair])].id for g in greedy}
    result = solve(problem, SolverParams(time_limit=limit))
    staffed = {a.need_id for a in result.assignments}
    violations = check_roster(problem, result.assignments) if result.has_roster else []
    return {
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
    }


def run_gap(name: str) -> dict[str, Any]:
    """Solve one GAP instance (``family-k``) and compare with its known value."""
    from benchmarks.gap import INSTANCES as GAP_FOLDER
    from benchmarks.gap import PROVEN, read_gap_file, solve_gap

    family, k = name.rsplit("-", 1)
    instance = read_gap_file(GAP_FOLDER / f"{family}.txt")[int(k) - 1]
    value, result = solve_gap(instance, time_limit=GAP_LIMITS.get(family, 10.0))
    gap = None if value is None else abs(value - instance.known) / instance.known
    return {
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


def _in_child(job: tuple[str, Any]) -> dict[str, Any]:
    kind, arg = job
    record = run_generated(*arg) if kind == "generated" else run_gap(arg)
    record["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return record


def run_isolated(job: tuple[str, Any]) -> dict[str, Any]:
    """Run one job in a fresh process (one at a time: the solver gets the machine)."""
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(_in_child, job).result()


def machine() -> dict[str, str]:
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
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip(),
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.2f}%"


def render(report: dict[str, Any]) -> str:
    """The markdown tables for docs/benchmarks.md."""
    m = report["machine"]
    lines = [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"OR-Tools {m['ortools']}, commit {m['commit']}.",
        "",
        "| instance | status | runtime s | limit s | gap | staffed (greedy) "
        "| P5 ours / greedy | P4 ours / greedy | pairs (pruned) | peak MiB | checker |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in report["results"]:
        if r["kind"] != "generated":
            continue
        p, g = r["coverage_p5_p4"], r["greedy_coverage_p5_p4"]
        lines.append(
            f"| {r['size']} {r['volunteers']}x{r['needs']} seed {r['seed']} | {r['status']} "
            f"| {r['runtime']} | {r['time_limit']:g} | {_pct(r['gap'])} "
            f"| {r['staffed']} ({r['greedy_staffed']}) "
            f"| {_pct(p[5])} / {_pct(g[5])} | {_pct(p[4])} / {_pct(g[4])} "
            f"| {r['pairs']} ({r['pruned_pairs']}) | {r['peak_rss_mib']} "
            f"| {r['checker_violations']} violations |"
        )
    gap_rows = [r for r in report["results"] if r["kind"] == "gap"]
    if gap_rows:
        lines += [
            "",
            "| GAP instance | size | known | ours | gap to known | status | runtime s | limit s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in gap_rows:
            known = f"{r['known']}" + ("" if r["known_is_optimal"] else " (best known)")
            lines.append(
                f"| {r['instance']} | {r['size']} | {known} | {r['value']} "
                f"| {_pct(r['gap_to_known'])} | {r['status']} | {r['runtime']} "
                f"| {r['time_limit']:g} |"
            )
    return "\n".join(lines)


def write_doc(report: dict[str, Any]) -> None:
    """Replace the generated block of docs/benchmarks.md."""
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{begin}\n{render(report)}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and record it."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="S,M")
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--gap", default="B,C,D", help="GAP types to run (B, C, D)")
    parser.add_argument("--quick", action="store_true", help="one seed, S only, GAP type B")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.seeds, args.gap = "S", "1", "B"
    jobs: list[tuple[str, Any]] = []
    seeds = [int(s) for s in args.seeds.split(",") if s]
    for size in [s for s in args.sizes.split(",") if s]:
        # The large sizes take minutes per seed: two seeds are enough there.
        for seed in seeds if size == "S" else seeds[:2]:
            jobs.append(("generated", (size, seed)))
    for family in [f"gap{t.lower()}" for t in args.gap.split(",") if t]:
        jobs += [("gap", f"{family}-{k}") for k in range(1, 7)]
    results = []
    for job in jobs:
        record = run_isolated(job)
        print(json.dumps(record, ensure_ascii=False), flush=True)
        results.append(record)
    report = {"machine": machine(), "results": results}
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M")
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    write_doc(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
