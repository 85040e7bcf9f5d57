"""Engine, sessions and migrations.

:func:`open_database` makes the engine (SQLite gets WAL mode, foreign keys
and a busy timeout; its folder is created) and runs the Alembic migrations up
to ``head`` so SQLite and PostgreSQL get the same schema from the same place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; SQLite files get WAL mode and foreign keys."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while a writer commits (reads stay fast during uploads)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def alembic_config() -> Config:
    """Alembic configuration pointing at the migrations of this package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database of ``engine`` to ``revision`` (default the newest)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def open_database(database_url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory of a migrated database."""
    engine = make_engine(database_url)
    migrate(engine)
    return engine, sessionmaker(engine, expire_on_commit=False)


class ClashError(Exception):
    """A write clashes with a stored row (a unique constraint); the session was rolled back."""


def save(session: Session, *, commit: bool = True) -> None:
    """Commit (or only flush) the session's writes; :class:`ClashError` on a clash.

    A clash is a race the routes' own checks could not see (two requests
    adding the same id at once), so it is the client's 409, not a server error.
    """
    try:
        session.commit() if commit else session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ClashError(str(exc.orig)) from exc
