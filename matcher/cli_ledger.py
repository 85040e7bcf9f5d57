"""``matcher ledger``: hours, points, stars, rankings, warnings and reports from attendance.

``matcher ledger DATASET --out DIR [--attendance FILE ...] [--from DATE --to
DATE] [--rules FILE] [--certificate ID ...] [--issuer NAME]`` reads the
dataset's history and the attendance sheets (:mod:`matcher.io.ledger`),
computes the ledger (:mod:`matcher.ledger`) and writes its files
(:mod:`matcher.ledger.files`) into DIR as one set.  Exit codes and
languages as for every ``matcher`` command (:mod:`matcher.cli`, which
registers this one; its helpers are imported when the command runs).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from matcher.errors import DataError
from matcher.i18n import N_, _, ngettext

__all__ = ["ledger"]

if TYPE_CHECKING:
    from matcher.domain import Problem
    from matcher.ledger import Ledger

DEFAULT_ISSUER = "A社区居民委员会"  # i18n: not shown: the sample's issuer, printed in Chinese
"""The issuing organisation printed on certificates unless ``--issuer`` names another."""

_WARNING_COLUMNS = (N_("Volunteer"), N_("Department"), N_("Points / mark"), N_("Last served"))


def _date(value: str | None, option: str) -> dt.date | None:
    from matcher.io import parse_date

    if value is None:
        return None
    try:
        return parse_date(value)
    except ValueError as error:
        from matcher.cli import _fail

        raise _fail(DataError.at(option, str(error))) from None


def ledger(
    dataset: Annotated[Path, typer.Argument(help="dataset folder or workbook (its history)")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the ledger files")] = Path(
        "ledger"
    ),
    attendance: Annotated[
        list[Path] | None,
        typer.Option(help="attendance sheet (.csv or .xlsx) of the dataset; repeat for more"),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="first day of the period (2026-07-01)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last day of the period, the day seen from")
    ] = None,
    rules_file: Annotated[
        Path | None, typer.Option("--rules", help="TOML points rules (default: the shipped ones)")
    ] = None,
    certificate: Annotated[
        list[str] | None,
        typer.Option(help="volunteer id: write certificates/ID.pdf; repeat for more"),
    ] = None,
    issuer: Annotated[
        str, typer.Option(help="issuing organisation printed on certificates")
    ] = DEFAULT_ISSUER,
    show: Annotated[int, typer.Option(help="warning rows to print")] = 10,
) -> None:
    """Compute the participation ledger and write its files (CSV, XLSX, PNG, PDF).

    hours.csv, points.csv, stars.csv, ranking.csv, warnings.csv,
    departments.csv, ledger.xlsx and departments.png, plus
    certificates/ID.pdf for each --certificate; all replaced together or
    not at all.
    """
    from matcher.cli import _fail, _output_folder, _print_warning, console
    from matcher.io.ledger import fitting_needs, read_ledger_entries
    from matcher.ledger import Period, build_ledger, default_rules, load_rules
    from matcher.ledger.files import ledger_files, write_files

    first, last = _date(start, "--from"), _date(end, "--to")
    if first and last and first > last:
        message = _("from {start} is after to {end}").format(start=first, end=last)
        raise _fail(DataError.at("--from/--to", message))
    try:
        rules = load_rules(rules_file) if rules_file else default_rules()
        source = read_ledger_entries(dataset, attendance or [])
    except DataError as error:
        raise _fail(error) from None
    for warning in source.warnings:
        _print_warning(str(warning))
    problem = source.problem
    _check_certificates(problem, certificate or [])
    try:
        result = build_ledger(source.entries, problem.volunteers, rules, Period(first, last))
    except DataError as error:
        raise _fail(error) from None
    _output_folder(out)
    titles = {n.id: n.title for n in problem.needs}
    next_needs = fitting_needs(problem, [w.volunteer_id for w in result.warnings])
    files = ledger_files(
        result,
        problem.volunteers,
        need_titles=titles,
        next_needs=next_needs,
        certificates=certificate or [],
        issuer=issuer,
    )
    try:
        written = write_files(out, files)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    _print_summary(result, show)
    text = ngettext(
        "wrote {count} file in {folder}: {names}",
        "wrote {count} files in {folder}: {names}",
        len(written),
    )
    names = ", ".join(str(path.relative_to(out)) for path in written)
    console.print(text.format(count=len(written), folder=out, names=names), highlight=False)


def _check_certificates(problem: Problem, volunteer_ids: list[str]) -> None:
    """Refuse (exit 2) a certificate asked for a volunteer the dataset does not have."""
    from matcher.cli import _fail

    known = {v.id for v in problem.volunteers}
    unknown = [v for v in volunteer_ids if v not in known]
    if unknown:
        message = _("volunteer {volunteer} is not in the dataset").format(
            volunteer=", ".join(unknown)
        )
        raise _fail(DataError.at("--certificate", message))


def _print_summary(result: Ledger, show: int) -> None:
    """The period's totals and the first rows of the early warning."""
    from matcher.cli import console
    from matcher.ledger.certificate import number

    in_period = result.in_period()
    hours = sum(s.hours for s in in_period)
    points = sum(s.points for s in in_period)
    console.print(
        _(
            "period {period}: {entries} records, {volunteers} volunteers, "
            "{hours} hours, {points} points"
        ).format(
            period=result.period.label(),
            entries=len(in_period),
            volunteers=len(result.ranking),
            hours=number(Decimal(hours)),
            points=number(Decimal(points)),
        ),
        highlight=False,
    )
    if result.warnings:
        count = len(result.warnings)
        title = ngettext(
            "Early warning: {count} member under the mark",
            "Early warning: {count} members under the mark",
            count,
        ).format(count=count)
        table = Table(title=escape(title))
        for column in _WARNING_COLUMNS:
            table.add_column(_(column))
        for w in result.warnings[:show]:
            table.add_row(
                escape(f"{w.volunteer_id} {w.name}"),
                escape(w.department),
                f"{number(w.points)} / {number(w.threshold)}",
                str(w.last_served or "-"),
            )
        console.print(table)
    else:
        console.print(_("Early warning: no member under the mark"), highlight=False)
