"""Settings of the service, read from the environment.

``DATABASE_URL``
    SQLAlchemy URL of the database; default an SQLite file
    ``./data/matcher.db`` (the ``data`` folder is git-ignored).  PostgreSQL:
    ``postgresql+psycopg://user@host:5432/dbname``.
``MATCHER_MAX_UPLOAD_MB``
    Largest request body accepted, in MiB (default 20); larger ones get 413.
``MATCHER_SOLVE_WORKERS``
    Solve jobs run at once, each in its own process (default 1); more jobs queue.
``MATCHER_MAX_ROWS``, ``MATCHER_MAX_CELLS``, ``MATCHER_MAX_PARSE_SECONDS``,
``MATCHER_MAX_UNPACKED_MB``
    The most rows of one sheet or CSV file, cells of a whole upload, seconds
    of reading an upload and MiB a workbook may unzip to (defaults 20,000,
    400,000, 10 and 100, :data:`matcher.io.DEFAULT_READ_LIMITS`); past any of
    them the upload is answered 413 at once, naming the limit.  A small
    compressed workbook can hold a great many rows or one enormous cell, so
    the byte limit alone does not bound the work.
"""

from __future__ import annotations

import dataclasses
import os

from matcher.io import DEFAULT_READ_LIMITS, ReadLimits

DEFAULT_DATABASE_URL = "sqlite:///./data/matcher.db"
DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_SOLVE_WORKERS = 1


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """What the service needs to start."""

    database_url: str = DEFAULT_DATABASE_URL
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    solve_workers: int = DEFAULT_SOLVE_WORKERS
    read_limits: ReadLimits = DEFAULT_READ_LIMITS

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Settings from the environment; keyword arguments that are not None win."""
        megabytes = float(os.environ.get("MATCHER_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
        values: dict[str, object] = {
            "database_url": os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            "max_upload_bytes": int(megabytes * 1024 * 1024),
            "solve_workers": max(
                1, int(os.environ.get("MATCHER_SOLVE_WORKERS", DEFAULT_SOLVE_WORKERS))
            ),
        }
        limits = DEFAULT_READ_LIMITS
        values["read_limits"] = ReadLimits(
            max_rows_per_sheet=int(os.environ.get("MATCHER_MAX_ROWS", limits.max_rows_per_sheet)),
            max_cells=int(os.environ.get("MATCHER_MAX_CELLS", limits.max_cells)),
            max_seconds=float(os.environ.get("MATCHER_MAX_PARSE_SECONDS", limits.max_seconds)),
            max_unpacked_bytes=int(
                float(os.environ.get("MATCHER_MAX_UNPACKED_MB", 100)) * 1024 * 1024
            ),
        )
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
