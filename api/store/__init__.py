"""Storage of the service: tables, migrations and the dataset <-> Problem mapping."""

from api.store.database import make_engine, migrate, open_database
from api.store.datasets import delete_dataset, load_problem, save_problem

__all__ = [
    "delete_dataset",
    "load_problem",
    "make_engine",
    "migrate",
    "open_database",
    "save_problem",
]
