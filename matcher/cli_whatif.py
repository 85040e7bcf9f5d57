"""``matcher whatif`` and ``matcher noshow``: what-if runs before an event.

``matcher whatif DATASET SCENARIOS.toml --out DIR [--time-limit S]
[--workers N]`` solves the dataset and every scenario of the file
(:mod:`matcher.whatif.run`: on a Dask cluster, or one by one with
``--workers 1``) and writes the comparison (:mod:`matcher.whatif.files`).

``matcher noshow DATASET ROSTER.csv --out DIR [--samples N] [--target P]
[--default-rate R]`` simulates no-shows on a roster and proposes standbys
(:mod:`matcher.whatif.noshow`).

Exit codes and languages as for every ``matcher`` command
(:mod:`matcher.cli`, which registers these; its helpers are imported when
a command runs).
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
    from matcher.whatif.noshow import Robustness

__all__ = ["noshow", "whatif"]

_COMPARISON_COLUMNS = (
    N_("Scenario"),
    N_("Needs staffed"),
    N_("Weighted"),
    N_("Unmet"),
    N_("Serving"),
    N_("Gini"),
    N_("Volunteers affected"),
)


def whatif(
    dataset: Annotated[
        Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
    ],
    scenarios_file: Annotated[
        Path, typer.Argument(metavar="SCENARIOS.toml", help="the scenarios (docs/whatif.md)")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the comparison")] = Path(
        "whatif"
    ),
    time_limit: Annotated[
        float | None,
        typer.Option(min=0.01, help="seconds per solve (default: the file's settings)"),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="worker processes of the local Dask cluster (1: one by one, here); "
            "MATCHER_DASK_SCHEDULER=tcp://host:port uses an existing cluster",
        ),
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="solve each scenario from scratch instead of keeping the base roster "
            "wherever it can (the file's settings.stable)",
        ),
    ] = False,
) -> None:
    """Solve the dataset and each scenario, and write the comparison (CSV, XLSX, JSON, PNG).

    A scenario that cannot be built (a change that refers to nothing, a
    rule the changed data breaks) is listed with its reasons; the others run.
    """
    from matcher.cli import _fail, _load, _output_folder, console, errors
    from matcher.whatif.compare import comparison_data
    from matcher.whatif.files import write_comparison
    from matcher.whatif.run import run_scenarios
    from matcher.whatif.scenarios import load_scenarios

    problem = _load(dataset)
    try:
        scenarios = load_scenarios(scenarios_file)
    except DataError as error:
        raise _fail(error) from None
    _output_folder(out)
    total = len(scenarios.scenarios) + 1
    done = 0

    def progress(name: str) -> None:
        nonlocal done
        done += 1
        text = _("solved {done}/{total}: {name}").format(done=done, total=total, name=name)
        errors.print(text, markup=False, highlight=False)

    try:
        base, runs = run_scenarios(
            problem,
            scenarios,
            time_limit=time_limit,
            workers=workers,
            stable=False if fresh else None,
            label=scenarios_file.name,
            progress=progress,
        )
    except DataError as error:
        raise _fail(error) from None
    data = comparison_data(base, runs, stable=scenarios.settings.stable and not fresh)
    try:
        written = write_comparison(data, out)
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    _print_comparison(data)
    for run in runs:
        for issue in run.issues:
            errors.print(
                f"[yellow]{escape(_('not run'))}[/] {escape(run.name)}: {escape(issue)}",
                highlight=False,
            )
    text = ngettext(
        "wrote {count} file in {folder}: {names}",
        "wrote {count} files in {folder}: {names}",
        len(written),
    )
    names = ", ".join(path.name for path in written)
    console.print(text.format(count=len(written), folder=out, names=names), highlight=False)


def _print_comparison(data: dict) -> None:
    from matcher.cli import console

    table = Table(title=_("What if: each scenario beside the base"))
    for column in _COMPARISON_COLUMNS:
        table.add_column(_(column))
    for run in [data["base"], *data["scenarios"]]:
        figures = run.get("figures")
        if not figures:
            table.add_row(escape(run["name"]), _("not run"), "", "", "", "", "")
            continue
        load = figures["load"]
        delta = run.get("delta", {})
        staffed = f"{figures['staffed']}/{figures['needs']}"
        if delta:
            staffed += f" ({delta['staffed']:+d})"
        table.add_row(
            escape(run["name"]),
            staffed,
            f"{figures['weighted_coverage']:.1%}",
            str(len(figures["unmet_needs"])),
            f"{load['serving']} ({load['share_serving']:.0%})",
            f"{load['gini_shifts']:.2f}",
            str((run.get("changes") or {}).get("volunteers_affected", "")),
        )
    console.print(table)


def noshow(
    dataset: Annotated[
        Path, typer.Argument(help="dataset folder of CSV files or an XLSX workbook")
    ],
    roster: Annotated[Path, typer.Argument(help="roster.csv or roster.xlsx from matcher solve")],
    out: Annotated[Path, typer.Option("--out", "-o", help="folder for the results")] = Path(
        "noshow"
    ),
    samples: Annotated[int, typer.Option(min=10, max=100_000, help="Monte Carlo samples")] = 500,
    target: Annotated[
        float,
        typer.Option(min=0.5, max=0.999, help="wanted probability that a need reaches its minimum"),
    ] = 0.9,
    default_rate: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=0.95,
            help="no-show probability of a volunteer without a record in the history",
        ),
    ] = 0.1,
    seed: Annotated[int, typer.Option(min=0, help="random seed of the samples")] = 0,
) -> None:
    """Simulate no-shows on a roster: risk per need and a standby list per time slot.

    Writes noshow.csv (per need), standby.csv, noshow.xlsx and noshow.json.
    """
    from matcher.cli import _fail, _load, _output_folder, console
    from matcher.io import read_roster
    from matcher.ledger.files import write_files
    from matcher.whatif.noshow import robustness

    problem = _load(dataset)
    try:
        assignments = read_roster(roster)
    except DataError as error:
        raise _fail(error) from None
    unknown = sorted(
        {a.need_id for a in assignments if a.need_id not in problem.need_index}
        | {a.volunteer_id for a in assignments if a.volunteer_id not in problem.volunteer_index}
    )
    if unknown:
        message = _("the roster names needs or volunteers the dataset does not have: {ids}")
        raise _fail(DataError.at(roster.name, message.format(ids="、".join(unknown[:10]))))
    _output_folder(out)
    report = robustness(
        problem,
        assignments,
        samples=samples,
        target=target,
        default_rate=default_rate,
        seed=seed,
    )
    try:
        written = write_files(out, noshow_files(report))
    except OSError as error:
        raise _fail(
            DataError.at(str(out), _("cannot write results: {error}").format(error=error))
        ) from None
    _print_noshow(report)
    names = ", ".join(path.name for path in written)
    text = ngettext(
        "wrote {count} file in {folder}: {names}",
        "wrote {count} files in {folder}: {names}",
        len(written),
    )
    console.print(text.format(count=len(written), folder=out, names=names), highlight=False)


_SOURCES = {
    "ledger": N_("the ledger standing"),
    "history": N_("the dataset's history, each record mixed with the default"),
    "default": N_("the default for everyone (no history)"),
    "given": N_("given rates"),
}


def _print_noshow(report: Robustness) -> None:
    from matcher.cli import console

    console.print(
        _(
            "{samples} samples, no-show rates from {source} (mean {mean:.1%}, default "
            "{default:.0%}); needs staffed as planned {planned:.1%}, expected {expected:.1%}, "
            "with standbys {standby:.1%}"
        ).format(
            samples=report.samples,
            source=_(_SOURCES[report.rate_source]),
            mean=report.mean_rate,
            default=report.default_rate,
            planned=report.coverage_planned,
            expected=report.expected_coverage,
            standby=report.expected_coverage_with_standby,
        ),
        highlight=False,
    )
    table = Table(title=_("Needs most at risk"))
    for column in (N_("Need"), N_("Time"), N_("Below minimum"), N_("With standbys")):
        table.add_column(_(column))
    risky = sorted(report.needs, key=lambda n: -n.below_min)
    for need in [n for n in risky if n.below_min > 1 - report.target][:12]:
        table.add_row(
            escape(f"{need.need_id} {need.title}"),
            escape(need.slot),
            f"{need.below_min:.0%}",
            f"{need.below_min_with_standby:.0%}",
        )
    console.print(table)
    standby = Table(
        title=_("Standbys ({count}) for a {target:.0%} chance per need").format(
            count=len(report.standbys), target=report.target
        )
    )
    for column in (N_("Time slot"), N_("Volunteer"), N_("Department"), N_("Could step in for")):
        standby.add_column(_(column))
    for s in report.standbys:
        standby.add_row(
            escape(s.slot),
            escape(f"{s.volunteer_id} {s.name}"),
            escape(s.department),
            "、".join(s.need_ids),
        )
    console.print(standby)
    if report.unreachable:
        console.print(
            _("no standby brings these needs to the target: {needs}").format(
                needs="、".join(report.unreachable)
            ),
            style="yellow",
            highlight=False,
        )


def noshow_files(report: Robustness) -> dict[str, bytes]:
    """The files of a no-show run, by name (see :func:`noshow`)."""
    from matcher.io.spreadsheet import add_sheet, csv_bytes, new_workbook, workbook_bytes

    need_keys = (
        ("need_id", N_("Need")),
        ("title", N_("Title")),
        ("slot", N_("Time slot")),
        ("priority", N_("Priority")),
        ("must_cover", N_("Must cover")),
        ("assigned", N_("Assigned")),
        ("min_volunteers", N_("Needs at least")),
        ("expected_present", N_("Expected to come")),
        ("below_min", N_("Probability below minimum")),
        ("below_min_with_standby", N_("With standbys")),
    )
    standby_keys = (
        ("slot", N_("Time slot")),
        ("volunteer_id", N_("Volunteer")),
        ("name", N_("Name")),
        ("department", N_("Department")),
        ("need_ids", N_("Could step in for")),
        ("calls", N_("Samples called in")),
    )
    data = report.as_json()
    need_rows = [
        [("yes" if n[k] else "") if k == "must_cover" else n[k] for k, _h in need_keys]
        for n in data["needs"]
    ]
    standby_rows = [
        [("、".join(s[k]) if k == "need_ids" else s[k]) for k, _h in standby_keys]
        for s in data["standbys"]
    ]
    book = new_workbook()
    add_sheet(book, _("Needs at risk"), [_(h) for _k, h in need_keys], need_rows)
    add_sheet(book, _("Standbys"), [_(h) for _k, h in standby_keys], standby_rows)
    return {
        "noshow.csv": csv_bytes([k for k, _h in need_keys], need_rows),
        "standby.csv": csv_bytes([k for k, _h in standby_keys], standby_rows),
        "noshow.xlsx": workbook_bytes(book),
        "noshow.json": json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
    }
