"""Bounds on the work a load may cause (issue 9, defect 2: a small XLSX kept the server busy)."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest

from matcher.errors import DatasetTooLargeError
from matcher.io import DEFAULT_READ_LIMITS, ReadLimits, load_dataset, read_roster, write_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "{sheets}</Types>"
)
_SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def raw_workbook(
    path: Path, sheets: dict[str, Iterable[Sequence[object]]], dimension: str | None = None
) -> Path:
    """Write an .xlsx by hand, as a hostile or careless writer would: inline strings,
    numbers, and a ``<dimension>`` only when given (it may lie)."""
    book_sheets, rels, types = [], [], []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, (name, rows) in enumerate(sheets.items(), start=1):
            book_sheets.append(f'<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>')
            rels.append(
                f'<Relationship Id="rId{n}" Target="worksheets/sheet{n}.xml" Type="http://'
                'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            )
            types.append(_SHEET_TYPE.format(n=n))
            parts = [
                '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main">',
                f'<dimension ref="{dimension}"/>' if dimension else "",
                "<sheetData>",
            ]
            # Without cell and row references (they are optional), as compact as it gets.
            for row in rows:
                cells = "".join(
                    f"<c><v>{value}</v></c>"
                    if isinstance(value, int)
                    else f'<c t="inlineStr"><is><t>{value}</t></is></c>'
                    for value in row
                )
                parts.append(f"<row>{cells}</row>")
            parts.append("</sheetData></worksheet>")
            archive.writestr(f"xl/worksheets/sheet{n}.xml", "".join(parts))
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.format(sheets="".join(types)))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats'
            '.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/relationships"><sheets>{"".join(book_sheets)}</sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            f'openxmlformats.org/package/2006/relationships">{"".join(rels)}</Relationships>',
        )
    return path


def big_rows(count: int = 60_000, width: int = 10) -> Iterable[list[object]]:
    yield ["id", "name", *(f"x{c}" for c in range(width - 2))]
    for _ in range(count):
        yield [1] * width  # the same cells over and over: compresses to almost nothing


def small_sheets() -> dict[str, Iterable[Sequence[object]]]:
    return {
        "horizon": [["start", "end"], ["2026-10-01", "2026-10-31"]],
        "departments": [["name"], ["A社区"]],
        "availability": [["volunteer_id", "weekday", "start", "end"]],
        "needs": [["id", "title", "category"]],
    }


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60,000 rows x 10 cells in a sheet that does not declare its size (about 200 KB)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    return raw_workbook(path, {**small_sheets(), "volunteers": big_rows()})


def refused(path: Path, limits: ReadLimits) -> tuple[DatasetTooLargeError, float]:
    started = time.perf_counter()
    with pytest.raises(DatasetTooLargeError) as info:
        load_dataset(path, limits)
    return info.value, time.perf_counter() - started


def test_big_workbook_is_refused_quickly_naming_the_limit(bomb: Path) -> None:
    assert bomb.stat().st_size < 400_000
    error, seconds = refused(bomb, DEFAULT_READ_LIMITS)
    assert seconds < 2.5  # well under 5 s on a loaded 2-core machine (it took 27 s to a 400)
    assert error.limit == "max_rows_per_sheet" and error.file == "bomb.xlsx, sheet volunteers"
    assert "max_rows_per_sheet" in str(error) and "20,000" in str(error)
    assert "too large" in str(error)  # 数据过大 in Chinese: tests/test_i18n_data.py
    assert error.issues[0].file == "bomb.xlsx, sheet volunteers"


def test_cells_limit_counts_all_sheets(bomb: Path) -> None:
    error, seconds = refused(bomb, ReadLimits(max_cells=50_000))
    assert seconds < 2.5 and error.limit == "max_cells" and "50,000" in str(error)


def test_declared_size_is_checked_first_and_a_lying_one_does_not_help(tmp_path: Path) -> None:
    honest = raw_workbook(
        tmp_path / "honest.xlsx",
        {**small_sheets(), "volunteers": big_rows(30_000)},
        dimension="A1:J30001",
    )
    error, seconds = refused(honest, ReadLimits(max_rows_per_sheet=1_000))
    assert seconds < 2.5 and error.limit == "max_rows_per_sheet"
    liar = raw_workbook(
        tmp_path / "liar.xlsx",
        {**small_sheets(), "volunteers": big_rows(30_000)},
        dimension="A1:J2",
    )
    error, seconds = refused(liar, ReadLimits(max_rows_per_sheet=1_000))
    assert seconds < 2.5 and error.limit == "max_rows_per_sheet"


def test_unused_sheets_are_not_read(tmp_path: Path) -> None:
    notes = raw_workbook(
        tmp_path / "notes.xlsx",
        {**small_sheets(), "volunteers": [["id", "name"]], "备注": big_rows(5_000)},
    )
    with pytest.raises(Exception) as info:  # the dataset itself is incomplete ...
        load_dataset(notes, ReadLimits(max_rows_per_sheet=1_000))
    assert not isinstance(info.value, DatasetTooLargeError)  # ... but its notes cost nothing


def test_big_csv_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    folder.mkdir()
    for name in ("horizon", "departments", "availability", "needs"):
        (folder / f"{name}.csv").write_bytes((SAMPLE / f"{name}.csv").read_bytes())
    rows = "".join(f"V{i},x,teacher,party,d\n" for i in range(60_000))
    (folder / "volunteers.csv").write_text("id,name,role,membership,department\n" + rows)
    error, seconds = refused(folder, ReadLimits(max_rows_per_sheet=5_000))
    assert seconds < 2.5 and error.limit == "max_rows_per_sheet"
    assert error.file == "volunteers.csv"


def test_time_limit(tmp_path: Path) -> None:
    error, _ = refused(SAMPLE, ReadLimits(max_seconds=1e-9))
    assert error.limit == "max_seconds" and "max_seconds" in str(error)


def test_sample_loads_under_the_default_limits(tmp_path: Path) -> None:
    problem = load_dataset(SAMPLE)
    assert load_dataset(SAMPLE, DEFAULT_READ_LIMITS) == problem
    write_dataset(problem, tmp_path / "community_a.xlsx")
    assert load_dataset(tmp_path / "community_a.xlsx", DEFAULT_READ_LIMITS) == problem


def test_roster_reading_is_bounded_too(tmp_path: Path) -> None:
    path = raw_workbook(tmp_path / "roster.xlsx", {"排班表": big_rows(30_000)})
    with pytest.raises(DatasetTooLargeError):
        read_roster(path, ReadLimits(max_rows_per_sheet=1_000))


@pytest.mark.parametrize("field", ["max_rows_per_sheet", "max_cells", "max_seconds"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ReadLimits(**{field: 0})


def test_one_enormous_cell_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    # deflate packs a run of one character about a thousandfold: a small file, a huge cell
    cell = "甲" * 2_000_000
    book = raw_workbook(
        tmp_path / "cell.xlsx", {**small_sheets(), "volunteers": [["id", "name"], ["V1", cell]]}
    )
    assert book.stat().st_size < 100_000
    limits = ReadLimits(max_unpacked_bytes=1_000_000)
    error, seconds = refused(book, limits)
    assert error.limit == "max_unpacked_bytes" and "1,000,000" in str(error)
    assert seconds < 1.0
    assert DEFAULT_READ_LIMITS.max_unpacked_bytes == 100 * 1024 * 1024
