"""The ``matcher`` command: solve, check, generate, template, attendance, ledger, pair, visits.

Exit codes: 0 success, 1 the roster breaks rules (check) or no roster was
found (solve), 2 bad input (file, row and column are named).

Messages are in Chinese unless ``--lang en`` (before the command:
``matcher --lang en solve ...``) or ``MATCHER_LANG=en`` asks for English;
``--help`` texts stay English (they are for whoever sets the tool up).

Just over 520 lines on purpose: the core commands share the helpers here;
further commands live in their own modules and only register below.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from matcher.domain import Problem, format_minutes
from matcher.errors import DataError
from matcher.i18n import LANGUAGES, N_, _, ngettext, normalize, use_language
from matcher.params import SolverParams, check_params, load_params, weights_from_mapping
from matcher.result import Result, Status

app = typer.Typer(
    help="Volunteer-to-need matching: weekend rosters for college and community service.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
errors = Console(stderr=True)

LANGUAGE_VARIABLE = "MATCHER_LANG"
"""The environment variable that chooses the language when ``--lang`` is not given."""


def _language_option(value: str | None) -> str | None:
    """The ``--lang`` value, refused with a usage error (exit 2) when it names no catalogue."""
    if value is None or normalize(value) is not None:
        return value
    unknown = N_("unknown language {tag!r}: use one of {known}")
    texts = [_(unknown)]
    with use_language("en"):
        if _(unknown) not in texts:
            texts.append(_(unknown))  # whoever mistyped the language may not read the default
    known = ", ".join(LANGUAGES)
    raise typer.BadParameter(" / ".join(text.format(tag=value, known=known) for text in texts))


@app.callback()
def main(
    ctx: typer.Context,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            envvar=LANGUAGE_VARIABLE,
            callback=_language_option,
            metavar="zh|en",
            help="language of messages and tables: zh (中文, the default) or en",
        ),
    ] = None,
) -> None:
    """Choose the language of every command's output (``matcher --lang en solve ...``)."""
    # Until the command ends (in tests too, where CliRunner runs in this process).
    ctx.with_resource(use_language(lang))


def _fail(error: DataError) -> typer.Exit:
    errors.print(_("Bad input"), style="bold red", highlight=False)
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
            DataError.at(
                str(out),
                _("cannot write results here: {error}").format(error=error.strerror or error),
            )
        ) from None


def _print_warning(message: str) -> None:
    label = escape(_("warning"))
    errors.print(f"[yellow]{label}[/] {escape(message)}", highlight=False)


def _load(dataset: Path, ledger: bool = False) -> Problem:
    """The dataset, its warnings printed; with ``ledger`` its history's ledger standing too."""
    from matcher.io import load_dataset_with_warnings
    from matcher.io.ledger import with_history_standing

    try:
        problem, warnings = load_dataset_with_warnings(dataset)
    except DataError as error:
        raise _fail(error) from None
    for warning in warnings:
        # not errors: the data loads, but a coordinator should look (a column ignored, ...)
        _print_warning(str(warning))
    return with_history_standing(problem) if ledger else problem


def _warn(problem: Problem, params: SolverParams) -> None:
    """What a coordinator should look at before trusting the roster (nothing is refused)."""
    from matcher.data_warnings import problem_warnings

    for warning in problem_warnings(problem, params.travel_minutes_default):
        _print_warning(warning.message)


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
                    "--weight",
                    _("expected NAME=INTEGER, found {item!r}").format(item=item),
                    column=name or None,
                )
            params = params.with_weights(
                **weights_from_mapping({name.strip(): int(value)}, "--weight")
            )
        params = check_params(params, _("command line"))
    except DataError as error:
        raise _fail(error) from None
    return params


_ROSTER_COLUMNS = (
    N_("Date"),
    N_("Time"),
    N_("Need"),
    N_("Volunteer"),
    N_("Department"),
    N_("Role"),
)


def _print_roster(problem: Problem, result: Result, limit: int) -> None:
    count = len(result.assignments)
    title = ngettext("Roster ({count} assignment)", "Roster ({count} assignments)", count)
    table = Table(title=title.format(count=count), show_lines=False)
    for column in _ROSTER_COLUMNS:
        table.add_column(_(column))
    rows = sorted(
        result.assignments,
        key=lambda a: (a.date is None, a.date or problem.horizon.start, a.start or 0, a.need_id),
    )
    for a in rows[:limit]:
        need, volunteer = problem.need(a.need_id), problem.volunteer(a.volunteer_id)
        when = (
            f"{format_minutes(a.start)}-{format_minutes(a.end)}"
            if a.start is not None
            else _("own time")
        )
        table.add_row(
            a.date.isoformat() if a.date else _("any day"),
            when,
            f"{need.id} {need.title}",
            f"{volunteer.id} {volunteer.name}",
            volunteer.department,
            _("lead") if a.role == "lead" else "",
        )
    console.print(table)
    if len(rows) > limit:
        more = len(rows) - limit
        console.print(
            ngettext(
                "... {count} more row in roster.csv", "... {count} more rows in roster.csv", more
            ).format(count=more),
            highlight=False,
        )


def _print_unmet(result: Result) -> None:
    unstaffed = [u for u in result.unmet if not u.staffed]
    if not unstaffed:
        console.print(_("Every need is staffed."), style="green")
        return
    table = Table(title=_("Unstaffed needs ({count})").format(count=len(unstaffed)))
    for column in (N_("Need"), N_("Priority"), N_("Reasons"), N_("Whom to ask")):
        table.add_column(_(column))
    for u in unstaffed:
        table.add_row(
            f"{u.need_id} {u.title}",
            str(u.priority),
            "\n".join(r.message for r in u.reasons),
            "\n".join(
                _("{name} {volunteer}: {message}").format(
                    name=c.name, volunteer=c.volunteer_id, message=c.message
                )
                for c in u.candidates[:3]
            ),
        )
    console.print(table)


def _print_written(out: Path, files: list[Path], has_roster: bool) -> None:
    """Which files were written, and whether the last good roster was kept."""
    from matcher.export import ROSTER_FILES

    if has_roster:
        names = ", ".join(f.name for f in files)
        text = ngettext(
            "wrote {count} file in {folder}: {names}",
            "wrote {count} files in {folder}: {names}",
            len(files),
        )
        console.print(text.format(count=len(files), folder=out, names=names), highlight=False)
        return
    kept = [name for name in ROSTER_FILES if (out / name).exists()]
    if kept:
        text = _("no roster found: the last roster files in {folder} are kept ({names})").format(
            folder=out, names=", ".join(kept)
        )
    else:
        text = _("no roster found: no roster files written")
    console.print(text, style="bold yellow", highlight=False)
    console.print(
        _("this run's figures and reasons: {files}").format(files=", ".join(map(str, files))),
        highlight=False,
    )


LEDGER_HELP = (
    "favour members behind in points (the participation ledger of the dataset's history, "
    "as the service does); see docs/ledger.md"  # i18n: not shown: --help stays English
)


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
    workers: Annotated[int | None, typer.Option(help="threads; from 2, HiGHS races CP-SAT")] = None,
    weight: Annotated[
        list[str] | None, typer.Option(help="override a soft-rule weight: NAME=INTEGER")
    ] = None,
    show: Annotated[int, typer.Option(help="roster rows to print")] = 40,
    ledger: Annotated[bool, typer.Option("--ledger", help=LEDGER_HELP)] = False,
) -> None:
    """Plan a roster and write roster.csv, roster.xlsx, summary.json and the files for people.

    For people: roster-book.xlsx, roster-YYYY-MM-DD.txt per day for the group
    chat and messages.txt per volunteer.  Without a roster (exit 1) the last
    roster files in the folder stay as they were; summary-failed.json says why.
    """
    from matcher.export import write_result
    from matcher.solver import solve as run_solver

    problem = _load(dataset, ledger)
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
        task = bar.add_task(escape(_("solving ...")), total=None)
        solving = _("solving: {stage} objective {objective:g}, bound {bound:g}")

        def progress(stage: str, objective: float, bound: float, elapsed: float) -> None:
            # called from the solver's thread: the text is translated here, beforehand
            text = solving.format(stage=stage, objective=objective, bound=bound)
            bar.update(task, description=escape(text))

        try:
            result = run_solver(problem, params, progress=progress)
        except DataError as error:
            raise _fail(error) from None
        except ValueError as error:  # CP-SAT refused the parameters
            raise _fail(DataError.at("params", str(error))) from None
    try:
        files = write_result(problem, result, out)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    if result.has_roster:
        _print_roster(problem, result, show)
    _print_unmet(result)
    staffed = sum(1 for n in problem.needs if len(result.assignments_of(n.id)) >= n.min_volunteers)
    figures = _(
        "status {status}  objective {objective:g}  bound {bound:g}  gap {gap:.4%}  "
        "runtime {runtime:.2f}s  needs staffed {staffed}/{needs}"
    )
    console.print(
        figures.format(
            status=f"[bold]{escape(Status(result.status).label)}[/]",
            objective=result.objective + 0,
            bound=result.bound + 0,
            gap=result.gap,
            runtime=result.runtime,
            staffed=staffed,
            needs=len(problem.needs),
        )
    )
    if result.message:
        console.print(result.message, markup=False, highlight=False)
    if result.pruned_pairs:
        console.print(
            _(
                "{pairs} candidate pairs in the model; {pruned} more eligible pairs were left "
                "out by the candidate limit (the bound is the pruned model's)"
            ).format(pairs=result.pairs, pruned=result.pruned_pairs)
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
        text = ngettext(
            "OK: {count} assignment keeps every hard rule.",
            "OK: {count} assignments keep every hard rule.",
            len(assignments),
        )
        console.print(text.format(count=len(assignments)), style="green")
        return
    for violation in violations:
        console.print(
            f"[red]{escape(violation.rule)}[/] {escape(violation.message)}", highlight=False
        )
    counts = Counter(v.rule for v in violations)
    text = ngettext("{count} violation: {rules}", "{count} violations: {rules}", len(violations))
    console.print(
        text.format(count=len(violations), rules=", ".join(f"{k} {n}" for k, n in counts.items()))
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
        raise _fail(
            DataError.at(str(out), _("cannot write the dataset: {error}").format(error=error))
        ) from None
    console.print(
        _("wrote {path}: {volunteers} volunteers, {needs} needs, {households} households").format(
            path=out,
            volunteers=len(problem.volunteers),
            needs=len(problem.needs),
            households=len(problem.households),
        ),
        highlight=False,
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
        raise _fail(
            DataError.at(str(out), _("cannot write the template: {error}").format(error=error))
        ) from None
    console.print(_("wrote {path}").format(path=out), highlight=False)


_SUMMARY_FIGURES = (
    ("status", N_("Status")),
    ("objective", N_("Objective")),
    ("bound", N_("Bound")),
    ("gap", N_("Gap")),
    ("runtime", N_("Runtime (s)")),
    ("assignments", N_("Assignments")),
)
"""The headline figures of summary.json: key, and its label for people."""


@app.command()
def summary(
    summary_file: Annotated[Path, typer.Argument(help="summary.json from matcher solve")],
) -> None:
    """Print the headline figures of a summary.json."""
    try:
        data = json.loads(summary_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        errors.print(
            _("{path}: cannot read a summary: {error}").format(path=summary_file, error=error),
            markup=False,
        )
        raise typer.Exit(code=2) from None
    if not isinstance(data, dict) or not isinstance(data.get("coverage_by_priority", {}), dict):
        errors.print(
            _("{path}: not a summary.json written by matcher solve").format(path=summary_file),
            markup=False,
        )
        raise typer.Exit(code=2)
    table = Table(title=escape(str(summary_file)))
    table.add_column(_("Figure"))
    table.add_column(_("Value"))
    for key, label in _SUMMARY_FIGURES:
        value = data.get(key)
        if key == "status" and value in set(Status):
            value = Status(value).label
        table.add_row(_(label), escape(str(value)))
    console.print(table)
    by_priority = Table(title=_("Coverage by priority"))
    for column in (N_("Priority"), N_("Needs"), N_("Staffed"), N_("Volunteers assigned")):
        by_priority.add_column(_(column))
    for priority, row in data.get("coverage_by_priority", {}).items():
        by_priority.add_row(
            priority,
            str(row["needs"]),
            str(row["staffed"]),
            f"{row['volunteers_assigned']}",
        )
    console.print(by_priority)


def _add_subcommands() -> None:
    """Commands kept in their own modules (they use the helpers above)."""
    from matcher.cli_attendance import attendance_app
    from matcher.cli_ledger import ledger
    from matcher.cli_pairing import pair, visits
    from matcher.cli_repair import recommend, repair
    from matcher.cli_whatif import noshow, whatif

    app.add_typer(attendance_app, name="attendance")
    app.command("ledger")(ledger)
    app.command("pair")(pair)
    app.command("visits")(visits)
    app.command("repair")(repair)
    app.command("recommend")(recommend)
    app.command("whatif")(whatif)
    app.command("noshow")(noshow)


_add_subcommands()

if __name__ == "__main__":
    app()
