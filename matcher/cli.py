"""The ``matcher`` command: solve, check, generate, template.

Exit codes: 0 success, 1 the roster breaks rules (check) or no roster was
found (solve), 2 bad input (file, row and column are named).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.domain import Problem, format_minutes
from matcher.errors import DataError
from matcher.params import SolverParams, check_params, load_params, weights_from_mapping
from matcher.result import Result

app = typer.Typer(
    help="Volunteer-to-need matching: weekend rosters for college and community service.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)


def _fail(error: DataError) -> typer.Exit:
    errors.print("[bold red]Bad input[/]")
    for issue in error.issues:
        errors.print(f"  {issue}", markup=False, highlight=False)
    return typer.Exit(code=2)


def _output_folder(out: Path) -> None:
    """Make sure results can be written before spending the solve time."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise _fail(
            DataError.at(str(out), f"cannot write results here: {error.strerror or error}")
        ) from None


def _load(dataset: Path) -> Problem:
    from matcher.io import load_dataset_with_warnings

    try:
        problem, warnings = load_dataset_with_warnings(dataset)
    except DataError as error:
        raise _fail(error) from None
    for warning in warnings:
        # not errors: the data loads, but a coordinator should look (a column ignored, ...)
        errors.print(f"[yellow]提示 warning[/] {warning}", highlight=False)
    return problem


def _warn(problem: Problem, params: SolverParams) -> None:
    """What a coordinator should look at before trusting the roster (nothing is refused)."""
    from matcher.data_warnings import problem_warnings

    for warning in problem_warnings(problem, params.travel_minutes_default):
        errors.print(f"[yellow]提示 warning[/] {warning.message}", highlight=False)


def _params(
    params_file: Path | None,
    time_limit: float | None,
    workers: int | None,
    weight: list[str] | None,
) -> SolverParams:
    try:
        params = load_params(params_file) if params_file else SolverParams()
        if time_limit is not None:
            params = params.replace(time_limit=time_limit)
        if workers is not None:
            params = params.replace(workers=workers)
        for item in weight or []:
            name, sep, value = item.partition("=")
            if not sep or not value.strip().lstrip("-").isdigit():
                raise DataError.at(
                    "--weight", f"expected NAME=INTEGER, found {item!r}", column=name or None
                )
            params = params.with_weights(
                **weights_from_mapping({name.strip(): int(value)}, "--weight")
            )
        params = check_params(params, "command line")
    except DataError as error:
        raise _fail(error) from None
    return params


def _print_roster(problem: Problem, result: Result, limit: int) -> None:
    table = Table(title=f"排班表 roster ({len(result.assignments)} assignments)", show_lines=False)
    for column in ("日期", "时间", "需求", "志愿者", "学院", "角色"):
        table.add_column(column)
    rows = sorted(
        result.assignments,
        key=lambda a: (a.date is None, a.date or problem.horizon.start, a.start or 0, a.need_id),
    )
    for a in rows[:limit]:
        need, volunteer = problem.need(a.need_id), problem.volunteer(a.volunteer_id)
        when = (
            f"{format_minutes(a.start)}-{format_minutes(a.end)}" if a.start is not None else "自定"
        )
        table.add_row(
            a.date.isoformat() if a.date else "期间任意",
            when,
            f"{need.id} {need.title}",
            f"{volunteer.id} {volunteer.name}",
            volunteer.department,
            "带队" if a.role == "lead" else "",
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"... {len(rows) - limit} more rows in roster.csv")


def _print_unmet(result: Result) -> None:
    unstaffed = [u for u in result.unmet if not u.staffed]
    if not unstaffed:
        console.print("[green]Every need is staffed.[/]")
        return
    table = Table(title=f"未安排的需求 unstaffed needs ({len(unstaffed)})")
    table.add_column("需求")
    table.add_column("优先级")
    table.add_column("原因 reasons")
    table.add_column("可联系 whom to ask")
    for u in unstaffed:
        table.add_row(
            f"{u.need_id} {u.title}",
            str(u.priority),
            "\n".join(r.message for r in u.reasons),
            "\n".join(f"{c.name} {c.volunteer_id}: {c.message}" for c in u.candidates[:3]),
        )
    console.print(table)


def _print_written(out: Path, files: list[Path], has_roster: bool) -> None:
    """Which files were written, and whether the last good roster was kept."""
    from matcher.export import ROSTER_FILES

    if has_roster:
        names = ", ".join(f.name for f in files)
        console.print(f"已写入 wrote {len(files)} files in {out}: {names}")
        return
    kept = [name for name in ROSTER_FILES if (out / name).exists()]
    if kept:
        console.print(
            f"[bold yellow]未找到可行排班，{out} 中上次的排班文件保留未动[/] "
            f"no roster found: the last roster files in {out} are kept ({', '.join(kept)})",
            highlight=False,
        )
    else:
        console.print(
            "[bold yellow]未找到可行排班，未写入排班文件[/] "
            "no roster found: no roster files written",
            highlight=False,
        )
    console.print("本次结果与原因 this run's figures and reasons: " + ", ".join(map(str, files)))


@app.command()
def solve(
    dataset: Annotated[
        Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for roster and summary")] = Path(
        "out"
    ),
    time_limit: Annotated[float | None, typer.Option(help="seconds for the whole solve")] = None,
    params_file: Annotated[
        Path | None, typer.Option("--params", help="TOML file of solver parameters and weights")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="CP-SAT workers")] = None,
    weight: Annotated[
        list[str] | None, typer.Option(help="override a soft-rule weight: NAME=INTEGER")
    ] = None,
    show: Annotated[int, typer.Option(help="roster rows to print")] = 40,
) -> None:
    """Plan a roster and write roster.csv, roster.xlsx, summary.json and the files for people.

    For people: roster-book.xlsx, roster-YYYY-MM-DD.txt per day for the group
    chat and messages.txt per volunteer.  Without a roster (exit 1) the last
    roster files in the folder stay as they were; summary-failed.json says why.
    """
    from matcher.export import write_result
    from matcher.solver import solve as run_solver

    problem = _load(dataset)
    params = _params(params_file, time_limit, workers, weight)
    _warn(problem, params)
    _output_folder(out)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
    ) as bar:
        task = bar.add_task("solving ...", total=None)

        def progress(stage: str, objective: float, bound: float, elapsed: float) -> None:
            bar.update(
                task, description=f"solving: {stage} objective {objective:g}, bound {bound:g}"
            )

        try:
            result = run_solver(problem, params, progress=progress)
        except DataError as error:
            raise _fail(error) from None
        except ValueError as error:  # CP-SAT refused the parameters
            raise _fail(DataError.at("params", str(error))) from None
    try:
        files = write_result(problem, result, out)
    except OSError as error:
        raise _fail(DataError.at(str(out), f"cannot write results: {error}")) from None
    if result.has_roster:
        _print_roster(problem, result, show)
    _print_unmet(result)
    staffed = sum(1 for n in problem.needs if len(result.assignments_of(n.id)) >= n.min_volunteers)
    console.print(
        f"status [bold]{result.status}[/]  objective {result.objective + 0:g}  "
        f"bound {result.bound + 0:g}  "
        f"gap {result.gap:.4%}  runtime {result.runtime:.2f}s  "
        f"needs staffed {staffed}/{len(problem.needs)}"
    )
    if result.message:
        console.print(result.message)
    if result.pruned_pairs:
        console.print(
            f"{result.pairs} candidate pairs in the model; {result.pruned_pairs} more eligible "
            "pairs were left out by the candidate limit (the bound is the pruned model's)"
        )
    _print_written(out, files, result.has_roster)
    if not result.has_roster:
        raise typer.Exit(code=1)


@app.command()
def check(
    dataset: Annotated[Path, typer.Argument(help="dataset folder or workbook")],
    roster: Annotated[Path, typer.Argument(help="roster.csv or roster.xlsx")],
    params_file: Annotated[
        Path | None,
        typer.Option("--params", help="the TOML file the roster was solved with (travel time)"),
    ] = None,
    travel_minutes_default: Annotated[
        int | None,
        typer.Option(help="travel minutes between places not in the travel sheet"),
    ] = None,
) -> None:
    """Verify every hard rule of a roster; exit 1 and list violations if any."""
    from matcher.check import check_roster
    from matcher.io import read_roster

    params = _params(params_file, None, None, None)
    if travel_minutes_default is None:
        travel_minutes_default = params.travel_minutes_default
    problem = _load(dataset)
    try:
        assignments = read_roster(roster)
    except DataError as error:
        raise _fail(error) from None
    violations = check_roster(problem, assignments, travel_minutes_default)
    if not violations:
        console.print(f"[green]OK[/]: {len(assignments)} assignments keep every hard rule.")
        return
    for violation in violations:
        console.print(f"[red]{violation.rule}[/] {violation.message}", highlight=False)
    counts = Counter(v.rule for v in violations)
    console.print(
        f"{len(violations)} violations: " + ", ".join(f"{k} {n}" for k, n in counts.items())
    )
    raise typer.Exit(code=1)


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="folder (CSV) or .xlsx file to write")],
    volunteers: Annotated[int, typer.Option(min=1, help="number of volunteers")] = 200,
    needs: Annotated[int, typer.Option(min=1, help="number of needs")] = 60,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    areas: Annotated[
        int | None, typer.Option(min=1, help="grid areas (default: 4, or one per 500 above 20,000)")
    ] = None,
    city: Annotated[
        bool | None,
        typer.Option(
            "--city/--no-city",
            help="volunteers serve near home (max_travel); default: above 20,000 volunteers",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a synthetic dataset with the shape of a real community."""
    from matcher.generate import generate_problem
    from matcher.io import write_dataset

    problem = generate_problem(volunteers, needs, seed=seed, areas=areas, city=city)
    try:
        write_dataset(problem, out)
    except OSError as error:
        raise _fail(DataError.at(str(out), f"cannot write the dataset: {error}")) from None
    console.print(
        f"wrote {out}: {len(problem.volunteers)} volunteers, {len(problem.needs)} needs, "
        f"{len(problem.households)} households"
    )


@app.command()
def template(
    out: Annotated[Path, typer.Argument(help="XLSX file to write")] = Path("template.xlsx"),
) -> None:
    """Write an empty dataset workbook with Chinese headers and a 说明 sheet."""
    from matcher.io import write_template

    try:
        write_template(out)
    except OSError as error:
        raise _fail(DataError.at(str(out), f"cannot write the template: {error}")) from None
    console.print(f"wrote {out}")


@app.command()
def summary(
    summary_file: Annotated[Path, typer.Argument(help="summary.json from matcher solve")],
) -> None:
    """Print the headline figures of a summary.json."""
    try:
        data = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        errors.print(f"{summary_file}: cannot read a summary: {error}")
        raise typer.Exit(code=2) from None
    if not isinstance(data, dict) or not isinstance(data.get("coverage_by_priority", {}), dict):
        errors.print(f"{summary_file}: not a summary.json written by matcher solve")
        raise typer.Exit(code=2)
    table = Table(title=str(summary_file))
    table.add_column("key")
    table.add_column("value")
    for key in ("status", "objective", "bound", "gap", "runtime", "assignments"):
        table.add_row(key, str(data.get(key)))
    console.print(table)
    by_priority = Table(title="coverage by priority")
    for column in ("priority", "needs", "staffed", "volunteers"):
        by_priority.add_column(column)
    for priority, row in data.get("coverage_by_priority", {}).items():
        by_priority.add_row(
            priority,
            str(row["needs"]),
            str(row["staffed"]),
            f"{row['volunteers_assigned']}",
        )
    console.print(by_priority)


if __name__ == "__main__":
    app()
