"""Sample data for ``make run``: the community_a dataset and a coordinator key.

:func:`seed_sample` stores ``datasets/community_a`` when the database has no
dataset yet and makes a coordinator key, returned once in plain text (only
its hash is stored).  ``matcher serve --seed-sample`` calls it before serving.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import func, select

from api.deps import audit
from api.keys import create_key
from api.store.database import open_database
from api.store.datasets import problem_counts, save_problem
from matcher.io import load_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"


@dataclasses.dataclass(frozen=True, slots=True)
class Seeded:
    """What :func:`seed_sample` did: the dataset stored (None when one existed) and the key."""

    dataset_id: int | None
    key: str | None


def seed_sample(database_url: str, folder: Path = SAMPLE) -> Seeded:
    """Store the sample dataset and a coordinator key when the database has no dataset."""
    from api.store.models import ApiKey, Dataset

    engine, sessionmaker = open_database(database_url)
    try:
        with sessionmaker() as session:
            if session.scalar(select(func.count()).select_from(Dataset)):
                return Seeded(None, None)
            problem = load_dataset(folder)
            key = create_key(session, "coordinator", "make run (sample)")
            record = session.scalar(select(ApiKey).order_by(ApiKey.id.desc()))
            dataset = save_problem(session, problem, name=folder.name, created_by=record.id)
            audit(
                session,
                record,
                "dataset.create",
                f"dataset:{dataset.id}",
                name=dataset.name,
                counts=problem_counts(problem),
                seeded=True,
            )
            session.commit()
            return Seeded(dataset.id, key)
    finally:
        engine.dispose()
