"""What-if scenarios on a real Dask cluster: 20 scenarios of the sample on 1 vs 2 workers.

The 20 scenarios are the sample community with 20% of its volunteers
removed, each draw with its own seed (1 .. 20), plus the base: 21 solves
of about a second each.  Each run starts a :class:`distributed.LocalCluster`
of worker processes (one thread each), imports the solver on every worker
(timed apart: a cluster that stays up pays it once), then runs
:func:`matcher.whatif.run.run_scenarios` through it by
``MATCHER_DASK_SCHEDULER``, as a user's own cluster would be used.  The
speed-up is the ratio of the two wall times within one run of this
script, so other load on the machine weighs on both alike.  The sample's
own ``scenarios.toml`` then runs end to end from the command line.

Results go to ``benchmarks/results/whatif-<date>.json`` and the table
between the ``whatif`` markers in ``docs/benchmarks.md``.

Usage::

    python -m benchmarks.whatif [--scenarios 20] [--time-limit 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "community_a"
RESULTS = ROOT / "benchmarks" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def _scenarios(count: int, time_limit: float) -> Any:
    from matcher.whatif.scenarios import scenarios_from_mapping

    return scenarios_from_mapping(
        {
            "settings": {"time_limit": time_limit, "seed": 0},
            "scenarios": [
                {"name": f"no-shows {seed}", "remove": {"share": 0.2, "seed": seed}}
                for seed in range(1, count + 1)
            ],
        },
        "benchmark",
    )


def _warm(dask_worker: Any = None) -> int:
    import matcher.solver  # noqa: F401  (the import is what is timed)

    return os.getpid()


def run_on_cluster(workers: int, count: int, time_limit: float) -> dict[str, Any]:
    """Start a local cluster of ``workers`` processes and run the scenarios through it."""
    from distributed import Client, LocalCluster

    from matcher.io import load_dataset
    from matcher.whatif.run import SCHEDULER_VARIABLE, run_scenarios

    problem = load_dataset(SAMPLE)
    scenarios = _scenarios(count, time_limit)
    started = time.perf_counter()
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
            host="127.0.0.1",
            scheduler_port=0,
        ) as cluster,
        Client(cluster) as client,
    ):
        up = time.perf_counter() - started
        client.run(_warm)
        warm = time.perf_counter() - started - up
        os.environ[SCHEDULER_VARIABLE] = cluster.scheduler_address
        try:
            begin = time.perf_counter()
            base, runs = run_scenarios(problem, scenarios)
            wall = time.perf_counter() - begin
        finally:
            del os.environ[SCHEDULER_VARIABLE]
    results = [base.result, *(r.result for r in runs)]
    return {
        "workers": workers,
        "solves": len(results),
        "cluster_start_s": round(up, 2),
        "worker_import_s": round(warm, 2),
        "wall_s": round(wall, 2),
        "solve_s_sum": round(sum(r.runtime for r in results if r), 2),
        "optimal": sum(1 for r in results if r and r.status == "OPTIMAL"),
        # each roster as a short fingerprint: the two runs must give the same rosters
        "rosters": [
            hashlib.sha1(repr(sorted(run.result.assignments, key=repr)).encode()).hexdigest()[:10]
            for run in [base, *runs]
            if run.result
        ],
    }


def run_sample_file(time_limit: float) -> dict[str, Any]:
    """``matcher whatif`` on the sample's scenarios.toml, as a user runs it."""
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "matcher"),
                "--lang",
                "en",
                "whatif",
                str(SAMPLE),
                str(SAMPLE / "scenarios.toml"),
                "--out",
                out,
                "--time-limit",
                str(time_limit),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        wall = time.perf_counter() - started
        data = json.loads((Path(out) / "comparison.json").read_text("utf-8"))
    return {
        "exit_code": done.returncode,
        "wall_s": round(wall, 2),
        "scenarios": len(data["scenarios"]),
        "ran": sum(1 for s in data["scenarios"] if s["state"] == "ok"),
    }


def render(report: dict[str, Any]) -> str:
    """The table for docs/benchmarks.md."""
    m = report["machine"]
    one, two = report["runs"]
    sample = report["sample_file"]
    lines = [
        f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}, "
        f"OR-Tools {m['ortools']}, distributed {m['distributed']}, commit {m['commit']}; "
        f"load average before the run {m['load']}.",
        "",
        "| workers | solves | cluster start s | worker import s | wall s | sum of solve s "
        "| optimal |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in (one, two):
        lines.append(
            f"| {run['workers']} | {run['solves']} | {run['cluster_start_s']} "
            f"| {run['worker_import_s']} | {run['wall_s']} | {run['solve_s_sum']} "
            f"| {run['optimal']}/{run['solves']} |"
        )
    lines += [
        "",
        f"Speed-up of 2 workers over 1 (wall, same run): **{report['speedup']:.2f}x**; the "
        f"rosters agree: {'yes' if report['same_rosters'] else 'no'}.  "
        f"`matcher whatif` on the sample's `scenarios.toml` ({sample['scenarios']} scenarios, "
        f"{sample['ran']} run, local cluster on every core, cluster start included): "
        f"{sample['wall_s']} s, exit code {sample['exit_code']}.",
    ]
    return "\n".join(lines)


def write_doc(report: dict[str, Any]) -> None:
    """Replace the what-if block of docs/benchmarks.md."""
    begin, end = "<!-- whatif:begin -->", "<!-- whatif:end -->"
    text = DOC.read_text(encoding="utf-8")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    DOC.write_text(f"{head}{begin}\n{render(report)}\n{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the what-if benchmark and record it."""
    from importlib.metadata import version

    from benchmarks.run import machine

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args(argv)
    info = machine()
    info["distributed"] = version("distributed")
    info["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    runs = [run_on_cluster(k, args.scenarios, args.time_limit) for k in (1, 2)]
    report = {
        "machine": info,
        "runs": runs,
        "speedup": runs[0]["wall_s"] / runs[1]["wall_s"],
        "same_rosters": runs[0]["rosters"] == runs[1]["rosters"],
        "sample_file": run_sample_file(args.time_limit),
    }
    print(json.dumps(report, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M")
    (RESULTS / f"whatif-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    write_doc(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
