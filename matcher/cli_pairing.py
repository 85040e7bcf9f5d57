"""``matcher pair`` and ``matcher visits``: one-to-one support, paired and in the roster.

``matcher pair DATASET --out DIR [--previous PAIRS.csv] [--time-limit S]
[--weeks N]`` pairs the households whose ``support`` is one-to-one, keeps
the previous pairing where it may, and writes the files of
:mod:`matcher.pairing.export` into ``DIR``.  Exit codes and languages as for
every ``matcher`` command (:mod:`matcher.cli`, which registers this; its
helpers are imported when the command runs, as :mod:`matcher.cli` imports
this module while it loads).

``matcher visits DATASET --pairing PAIRS.csv --out DATASET2`` writes the
dataset with each paired household's visits in the horizon as needs pinned
to the primary, else the backup (:mod:`matcher.pairing.visits`), for
``matcher solve`` and ``matcher check``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from matcher.domain import Problem, SupportPair
from matcher.errors import DataError
from matcher.i18n import N_, _, ngettext

if TYPE_CHECKING:  # the command imports these when it runs (see the module notes)
    from matcher.pairing.changes import Change
    from matcher.pairing.report import Unpaired

_PAIR_COLUMNS = (N_("Household"), N_("Primary"), N_("Backup"), N_("Kept"))
_UNPAIRED_COLUMNS = (N_("Household"), N_("Missing"), N_("Reason"), N_("Whom to ask"))
_VISIT_COLUMNS = (N_("Date"), N_("Household"), N_("Need"), N_("Who goes"))


def pair(
    dataset: Annotated[
        Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the pairing files")] = Path(
        "out"
    ),
    previous: Annotated[
        Path | None,
        typer.Option(help="the pairing in place (pairs.csv or pairs.xlsx of an earlier run)"),
    ] = None,
    time_limit: Annotated[
        float, typer.Option(min=0.01, help="seconds for the whole pairing")
    ] = 10.0,
    weeks: Annotated[
        int, typer.Option(min=1, max=104, help="length of the term in weeks (continuity)")
    ] = 12,
    travel_minutes_default: Annotated[
        int,
        typer.Option(min=0, max=1440, help="travel minutes between places not in the travel sheet"),
    ] = 10,
) -> None:
    """Pair households with one-to-one support: pairs.csv, pairs.xlsx, unpaired.csv, ...

    Also changes.csv (against --previous, with reasons), continuity.csv and
    summary.json.  Every file is replaced together, or none.
    """
    from matcher.cli import _fail, _load, _output_folder, console
    from matcher.io.pairing_file import read_pairing
    from matcher.pairing import PairingParams, PairingScreen, pair_households
    from matcher.pairing.export import pairing_report, write_pairing
    from matcher.result import Status

    problem = _load(dataset)
    before = []
    if previous is not None:
        try:
            before = read_pairing(previous)
        except DataError as error:
            raise _fail(error) from None
    _output_folder(out)
    params = PairingParams(
        time_limit=time_limit, weeks=weeks, travel_minutes_default=travel_minutes_default
    )
    screen = PairingScreen(problem, params.travel_minutes_default)
    with console.status(escape(_("pairing ..."))):
        result = pair_households(problem, before, params, screen)
        report = pairing_report(problem, result, screen, before, params)
    try:
        files = write_pairing(problem, report, screen, out)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    _print_pairs(problem, result.pairs, before)
    _print_unpaired(report.unpaired)
    if before:
        _print_changes(report.changes)
    figures = _(
        "status {status}  gap {gap:.4%}  runtime {runtime:.2f}s  paired {paired}/{households}  "
        "with backup {backed}"
    )
    console.print(
        figures.format(
            status=f"[bold]{escape(Status(result.status).label)}[/]",
            gap=result.gap,
            runtime=result.runtime,
            paired=len(result.pairs),
            households=sum(1 for h in problem.households if h.one_to_one),
            backed=sum(1 for p in result.pairs if p.backup_id),
        )
    )
    if result.message:
        console.print(result.message, markup=False, highlight=False)
    names = ", ".join(f.name for f in files)
    text = ngettext(
        "wrote {count} file in {folder}: {names}",
        "wrote {count} files in {folder}: {names}",
        len(files),
    )
    console.print(text.format(count=len(files), folder=out, names=names), highlight=False)


def _print_pairs(
    problem: Problem, pairs: Sequence[SupportPair], before: Sequence[SupportPair]
) -> None:
    from matcher.cli import console

    kept = {p.household_id: p.primary_id for p in before}
    table = Table(title=_("Pairs ({count})").format(count=len(pairs)))
    for column in _PAIR_COLUMNS:
        table.add_column(_(column))
    for p in pairs:
        primary = problem.volunteer(p.primary_id)
        backup = problem.volunteer(p.backup_id) if p.backup_id else None
        table.add_row(
            p.household_id,
            f"{primary.id} {primary.name}",
            f"{backup.id} {backup.name}" if backup else "",
            (_("yes") if kept.get(p.household_id) == p.primary_id else _("no")) if before else "",
        )
    console.print(table)


def _print_unpaired(unpaired: Sequence[Unpaired]) -> None:
    from matcher.cli import console

    if not unpaired:
        return
    table = Table(title=_("Unpaired or without backup ({count})").format(count=len(unpaired)))
    for column in _UNPAIRED_COLUMNS:
        table.add_column(_(column))
    for u in unpaired:
        table.add_row(
            u.household_id,
            _("primary") if u.missing == "primary" else _("backup"),
            u.reason,
            "\n".join(f"{n.volunteer_id} {n.name}: {n.message}" for n in u.nearest),
        )
    console.print(table)


def _print_changes(changes: Sequence[Change]) -> None:
    from matcher.cli import console

    text = ngettext(
        "{count} change to the previous pairing",
        "{count} changes to the previous pairing",
        len(changes),
    )
    console.print(text.format(count=len(changes)), highlight=False)
    for c in changes:
        role = _("primary") if c.role == "primary" else _("backup")
        console.print(
            f"  {c.household_id} {role}: {c.previous_id or '-'} -> {c.new_id or '-'}  {c.reason}",
            markup=False,
            highlight=False,
        )


def visits(
    dataset: Annotated[
        Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
    ],
    pairing: Annotated[
        Path, typer.Option(help="the pairing (pairs.csv or pairs.xlsx of matcher pair)")
    ],
    out: Annotated[
        Path,
        typer.Option("--out", "-o", help="dataset (folder or .xlsx) to write, with the visits"),
    ],
    travel_minutes_default: Annotated[
        int,
        typer.Option(min=0, max=1440, help="travel minutes between places not in the travel sheet"),
    ] = 10,
) -> None:
    """Add each paired household's visits in the horizon as needs pinned to who should go.

    The primary when they can, else the backup, else nobody (anyone eligible
    may serve, and the visit is flagged).  Solve the dataset written with
    matcher solve; matcher check verifies the pins.
    """
    from matcher.cli import _fail, _load, console
    from matcher.io import write_dataset
    from matcher.io.pairing_file import read_pairing
    from matcher.pairing.visits import with_visits

    problem = _load(dataset)
    try:
        pairs = read_pairing(pairing)
        planned, plan = with_visits(problem, pairs, travel_minutes_default)
        write_dataset(planned, out)
    except DataError as error:
        raise _fail(error) from None
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write the dataset: {error}").format(error=error))
        ) from None
    table = Table(title=_("Visits ({count})").format(count=len(plan)))
    for column in _VISIT_COLUMNS:
        table.add_column(_(column))
    for visit in plan:
        style = "yellow" if visit.role == "others" else None
        table.add_row(
            visit.date.isoformat(), visit.household_id, visit.need_id, visit.note, style=style
        )
    console.print(table)
    console.print(_("wrote {path}").format(path=out), highlight=False)
