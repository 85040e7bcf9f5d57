"""Read and write datasets (a folder of CSV files or one XLSX workbook) and rosters.

The format is specified in ``docs/data-format.md`` and held as data in
:mod:`matcher.io.format`.  :func:`load_dataset` turns a dataset into a
validated :class:`~matcher.domain.Problem` or raises one
:class:`~matcher.errors.DataError` listing every problem found (file, row,
column, expected and found), so a coordinator can fix everything in one pass;
:func:`load_dataset_with_warnings` also returns what was read past (a title
row, an unknown column) as warnings.
:func:`write_dataset` writes a dataset that loads back into an equal problem,
:func:`read_roster` reads a roster written by ``matcher solve`` and
:func:`write_template` writes an empty workbook with Chinese headers.

The parsers of single cells (:func:`parse_date`, :func:`parse_time`,
:func:`parse_enum`, ...) are public: they raise :class:`ValueError` with an
"expected ..., found ..." message.

Modules
-------
format
    The one table of sheets and columns (English names, Chinese aliases).
cells
    Parsing Chinese cell values: dates, times, weekdays, yes/no, lists, enums.
encoding
    Which encoding a CSV file is in (UTF-8, BOMs, GB18030 or Big5), or a refusal.
limits
    Bounds on the work one load may cause (:class:`ReadLimits`).
read
    Reading CSV folders and XLSX workbooks into tables (structure only).
rows
    One data row with typed getters that record issues.
load
    Building the validated Problem from the tables (:func:`load_dataset`).
write
    :func:`write_dataset`, :func:`write_template` and atomic writes.
roster
    The roster file format (``roster.csv`` / ``roster.xlsx``), read and written.
pairing_file
    The pairing file format (``pairs.csv`` / ``pairs.xlsx``), read and written.
spreadsheet
    How every CSV and XLSX cell the project writes is written.
"""

from __future__ import annotations

from matcher.io.cells import (
    NUMBER_LIMIT,
    parse_bool,
    parse_category,
    parse_date,
    parse_enum,
    parse_gender,
    parse_household_category,
    parse_list,
    parse_membership,
    parse_role,
    parse_skills,
    parse_time,
    parse_weekday,
)
from matcher.io.encoding import ENCODINGS_TRIED, decode_text
from matcher.io.format import (
    ENUM_WORDS,
    MAX_HORIZON_DAYS,
    MAX_ISSUES,
    PAIRING_SHEET,
    ROSTER_COLUMNS,
    ROSTER_COLUMNS_ZH,
    SHEETS,
    AvailabilityKind,
    Column,
    SheetSpec,
)
from matcher.io.limits import DEFAULT_READ_LIMITS, ReadLimits
from matcher.io.load import load_dataset, load_dataset_with_warnings
from matcher.io.roster import (
    ROLE_ZH,
    read_roster,
    roster_assignments,
    roster_csv,
    roster_rows,
    roster_xlsx,
)
from matcher.io.spreadsheet import FORMULA_TRIGGERS, escape_formula, unescape_formula
from matcher.io.write import write_dataset, write_template

__all__ = [
    "DEFAULT_READ_LIMITS",
    "ENCODINGS_TRIED",
    "ENUM_WORDS",
    "FORMULA_TRIGGERS",
    "MAX_HORIZON_DAYS",
    "MAX_ISSUES",
    "NUMBER_LIMIT",
    "PAIRING_SHEET",
    "ROLE_ZH",
    "ROSTER_COLUMNS",
    "ROSTER_COLUMNS_ZH",
    "SHEETS",
    "AvailabilityKind",
    "Column",
    "ReadLimits",
    "SheetSpec",
    "decode_text",
    "escape_formula",
    "load_dataset",
    "load_dataset_with_warnings",
    "parse_bool",
    "parse_category",
    "parse_date",
    "parse_enum",
    "parse_gender",
    "parse_household_category",
    "parse_list",
    "parse_membership",
    "parse_role",
    "parse_skills",
    "parse_time",
    "parse_weekday",
    "read_roster",
    "roster_assignments",
    "roster_csv",
    "roster_rows",
    "roster_xlsx",
    "unescape_formula",
    "write_dataset",
    "write_template",
]
