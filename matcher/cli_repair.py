"""``matcher repair`` and ``matcher recommend``: change a published roster as little as possible.

``matcher repair DATASET ROSTER.csv --cancel V0012 [--cancel ...] --out DIR
[--from DATE] [--fresh]`` solves the dataset again with ROSTER as the
reference (:mod:`matcher.repair`): coverage first, then the fewest changes,
then the wishes and soft rules; DIR gets the files of ``matcher solve`` and
``diff.csv``.  Without ``--cancel`` it is the stable re-solve of a dataset
that changed; ``--fresh`` plans afresh and only compares.

``matcher recommend DATASET ROSTER.csv NEED [--cancel ...]`` ranks who
could take one need (:mod:`matcher.recommend`), with the change in every
objective term and what each would leave.

Exit codes and languages as for every ``matcher`` command (:mod:`matcher.cli`,
which registers these; its helpers are imported when a command runs).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from matcher.errors import DataError
from matcher.i18n import N_, _, ngettext

if TYPE_CHECKING:
    from matcher.domain import Assignment, Problem
    from matcher.recommend import Recommendations
    from matcher.repair import Repair

__all__ = ["recommend", "repair"]

_DIFF_COLUMNS = (N_("Change"), N_("Volunteer"), N_("Need"), N_("When"), N_("Reason"))
_CANDIDATE_COLUMNS = (N_("Rank"), N_("Volunteer"), N_("Changes"), N_("Objective terms"), N_("Why"))

DatasetArgument = Annotated[
    Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
]
RosterArgument = Annotated[
    Path, typer.Argument(help="the published roster: roster.csv or roster.xlsx of matcher solve")
]
CancelOption = Annotated[
    list[str] | None,
    typer.Option("--cancel", help="volunteer id who can no longer serve; repeat for more"),
]


def _inputs(dataset: Path, roster: Path) -> tuple[Problem, list[Assignment]]:
    """The dataset and the roster file, or exit 2 naming what is wrong."""
    from matcher.cli import _fail, _load
    from matcher.io import read_roster

    problem = _load(dataset)
    try:
        assignments = read_roster(roster)
    except DataError as error:
        raise _fail(error) from None
    return problem, assignments


def _outside_warning(count: int) -> None:
    from matcher.cli import _print_warning

    if count:
        _print_warning(
            ngettext(
                "{count} roster row names a need or volunteer not in the dataset: left out",
                "{count} roster rows name a need or volunteer not in the dataset: left out",
                count,
            ).format(count=count)
        )


def repair(
    dataset: DatasetArgument,
    roster: RosterArgument,
    cancel: CancelOption = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="folder for the repaired roster and diff.csv")
    ] = Path("repair"),
    since: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="first day to change (2026-09-25): earlier needs are history and stay as "
            "published; cancellations count from it",
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="plan afresh; only compare with the roster")
    ] = False,
    time_limit: Annotated[float | None, typer.Option(help="seconds for the whole solve")] = None,
    params_file: Annotated[
        Path | None, typer.Option("--params", help="TOML file of solver parameters and weights")
    ] = None,
    show: Annotated[int, typer.Option(help="diff rows to print")] = 40,
) -> None:
    """Repair a published roster after cancellations, changing as little as coverage allows.

    Writes the files of matcher solve (roster.csv ...) and diff.csv (who is
    added, removed, moved, and why) into the folder, all or none.  Without
    --cancel: the dataset solved again, kept close to the roster.
    """
    from matcher.cli import _fail, _output_folder, _params, _print_unmet, _warn, console
    from matcher.cli_ledger import _date
    from matcher.repair import repair as run_repair
    from matcher.repair import write_repair
    from matcher.result import Status

    problem, reference = _inputs(dataset, roster)
    params = _params(params_file, time_limit, None, None)
    first = _date(since, "--from")
    _warn(problem, params)
    _output_folder(out)
    try:
        repaired = run_repair(
            problem,
            reference,
            cancel or [],
            params,
            frozen_before=first,
            fresh=fresh,
            label=roster.name,
        )
    except DataError as error:
        raise _fail(error) from None
    except ValueError as error:  # CP-SAT refused the parameters
        raise _fail(DataError.at("params", str(error))) from None
    _outside_warning(len(repaired.outside))
    for pin in repaired.dropped_pins:
        from matcher.cli import _print_warning

        _print_warning(
            _("pin of {volunteer} on {need} dropped: the volunteer cancelled").format(
                volunteer=pin.volunteer_id, need=pin.need_id
            )
        )
    try:
        files = write_repair(repaired, out)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    result = repaired.result
    if result.has_roster:
        _print_diff(repaired, show)
    _print_unmet(result)
    if result.reference is not None:
        console.print(result.reference.message, markup=False, highlight=False)
    console.print(
        _("status {status}  runtime {runtime:.2f}s").format(
            status=Status(result.status).label, runtime=result.runtime
        ),
        highlight=False,
    )
    if result.message:
        console.print(result.message, markup=False, highlight=False)
    from matcher.cli import _print_written

    _print_written(out, files, result.has_roster)
    if not result.has_roster:
        raise typer.Exit(code=1)


def _print_diff(repaired: Repair, show: int) -> None:
    from matcher.cli import console
    from matcher.repair import CHANGE_WORDS

    problem = repaired.problem
    changes = repaired.changes
    if not changes:
        console.print(_("Nothing changed."), style="green")
        return
    title = _("Changes ({count})")
    table = Table(title=escape(title.format(count=len(changes))))
    for column in _DIFF_COLUMNS:
        table.add_column(_(column))
    for change in changes[:show]:
        held = change.after if change.after is not None else change.before
        assert held is not None
        need = problem.need(change.need_id)
        when = (
            f"{held.date.isoformat()} {_clock(held.start)}".strip() if held.date else _("any day")
        )
        table.add_row(
            escape(_(CHANGE_WORDS[change.kind])),
            escape(f"{change.volunteer_id} {problem.volunteer(change.volunteer_id).name}"),
            escape(f"{need.id} {need.title}"),
            escape(when),
            escape(change.reason),
        )
    console.print(table)


def _clock(minutes: int | None) -> str:
    from matcher.domain import format_minutes

    return format_minutes(minutes)


def recommend(
    dataset: DatasetArgument,
    roster: RosterArgument,
    need: Annotated[str, typer.Argument(help="the need to fill, by id (N005)")],
    cancel: CancelOption = None,
    limit: Annotated[int, typer.Option(min=0, help="candidates to list (0: all)")] = 10,
    params_file: Annotated[
        Path | None, typer.Option("--params", help="TOML file of solver parameters and weights")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the answer as JSON")] = False,
) -> None:
    """Rank who could take one need of a roster, with the change in every objective term."""
    from matcher.cli import _fail, _params, console
    from matcher.recommend import recommend as run_recommend

    problem, reference = _inputs(dataset, roster)
    params = _params(params_file, None, None, None)
    try:
        found = run_recommend(problem, reference, need, params, cancel or [], limit)
    except DataError as error:
        raise _fail(error) from None
    if as_json:
        console.print_json(json.dumps(recommendations_json(found), ensure_ascii=False))
        return
    _print_candidates(found)


def recommendations_json(found: Recommendations) -> dict[str, object]:
    """The answer as plain JSON data (the CLI's ``--json``)."""
    import dataclasses

    from matcher.io.roster_view import span_text

    def assignment(a: Assignment) -> dict[str, object]:
        return {
            "need_id": a.need_id,
            "volunteer_id": a.volunteer_id,
            "date": a.date.isoformat() if a.date else "",
            "time": span_text(a.start, a.end),
        }

    return {
        "need_id": found.need_id,
        "title": found.title,
        "team": list(found.team),
        "eligible": found.eligible,
        "terms": found.terms,
        "runtime": round(found.runtime, 4),
        "candidates": [
            {
                **{
                    k: v
                    for k, v in dataclasses.asdict(c).items()
                    if k not in ("joins", "leaves", "dropped")
                },
                "joins": [assignment(a) for a in c.joins],
                "leaves": [assignment(a) for a in c.leaves],
                "dropped": [assignment(a) for a in c.dropped],
            }
            for c in found.candidates
        ],
    }


def _signed(value: float) -> str:
    return f"{value:+g}"


def _print_candidates(found: Recommendations) -> None:
    from matcher.cli import console

    console.print(
        _("{need} {title}: {team} of {least}-{most} on it, {eligible} eligible").format(
            need=found.need_id,
            title=found.title,
            team=len(found.team),
            least=found.min_volunteers,
            most=found.max_volunteers,
            eligible=found.eligible,
        ),
        highlight=False,
        markup=False,
    )
    if not found.candidates:
        console.print(_("Nobody could take it now."), style="yellow")
        return
    table = Table(title=escape(_("Who could take it, best first")))
    for column in _CANDIDATE_COLUMNS:
        table.add_column(_(column))
    for rank, c in enumerate(found.candidates, start=1):
        # one term a line: the table stays readable in a narrow terminal
        terms = "\n".join(f"{k} {_signed(v)}" for k, v in c.deltas.items() if v)
        table.add_row(
            str(rank),
            escape(f"{c.volunteer_id} {c.name}\n{c.department}"),
            str(c.changes),
            escape(terms or "0"),
            escape(c.why),
        )
    console.print(table)
    console.print(_("runtime {runtime:.3f}s").format(runtime=found.runtime), highlight=False)
