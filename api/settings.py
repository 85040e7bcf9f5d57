"""Settings of the service, read from the environment.

``DATABASE_URL``
    SQLAlchemy URL of the database; default an SQLite file
    ``./data/matcher.db`` (the ``data`` folder is git-ignored).  PostgreSQL:
    ``postgresql+psycopg://user@host:5432/dbname``.
``MATCHER_MAX_UPLOAD_MB``
    Largest request body accepted, in MiB (default 20); larger ones get 413.
``MATCHER_SOLVE_WORKERS``
    Solve jobs run at once, each in its own process (default 1); more jobs queue.
"""

from __future__ import annotations

import dataclasses
import os

DEFAULT_DATABASE_URL = "sqlite:///./data/matcher.db"
DEFAULT_MAX_UPLOAD_MB = 20.0
DEFAULT_SOLVE_WORKERS = 1


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """What the service needs to start."""

    database_url: str = DEFAULT_DATABASE_URL
    max_upload_bytes: int = int(DEFAULT_MAX_UPLOAD_MB * 1024 * 1024)
    solve_workers: int = DEFAULT_SOLVE_WORKERS

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
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
