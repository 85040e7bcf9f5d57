"""Sample data for ``make run``: the community_a dataset and a coordinator key.

:func:`seed_sample` stores ``datasets/community_a`` when the database has no
dataset yet, and on every call makes a fresh coordinator key labelled
:data:`SAMPLE_KEY_LABEL`, returned once in plain text (only its hash is
stored); the earlier keys of that label are revoked, so a second ``make run``
still prints a working key and old demo keys do not pile up.
``matcher serve --seed-sample`` calls it before serving.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sqlalchemy import func, select

from api.keys import create_key, revoke_key
from api.store.audit import audit
from api.store.database import open_database
from api.store.datasets import problem_counts, save_problem
from matcher.i18n import _
from matcher.io import load_dataset

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "community_a"


SAMPLE_KEY_LABEL = "make run (sample)"


@dataclasses.dataclass(frozen=True, slots=True)
class Seeded:
    """What :func:`seed_sample` did: the dataset stored now (None if data existed), the key."""

    dataset_id: int | None
    key: str


def seed_sample(database_url: str, folder: Path = SAMPLE) -> Seeded:
    """Store the sample when the database has no dataset; make a fresh demo coordinator key.

    Parameters
    ----------
    database_url
        Where the service keeps its data (migrated first).
    folder
        The sample dataset.

    Returns
    -------
    Seeded
        The dataset id when the sample was stored now, and the new key.
    """
    from api.store.models import ApiKey, Dataset

    engine, sessionmaker = open_database(database_url)
    try:
        with sessionmaker() as session:
            old_keys = session.scalars(
                select(ApiKey).where(ApiKey.label == SAMPLE_KEY_LABEL, ApiKey.revoked_at.is_(None))
            ).all()
            key = create_key(session, "coordinator", SAMPLE_KEY_LABEL)
            record = session.scalar(select(ApiKey).order_by(ApiKey.id.desc()))
            for old in old_keys:
                revoke_key(session, old.id)
                audit(
                    session, record, "key.revoke", f"key:{old.id}", reason=_("a new make run key")
                )
            dataset_id = None
            if not session.scalar(select(func.count()).select_from(Dataset)):
                problem = load_dataset(folder)
                dataset = save_problem(session, problem, name=folder.name, created_by=record.id)
                dataset_id = dataset.id
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
            return Seeded(dataset_id, key)
    finally:
        engine.dispose()
