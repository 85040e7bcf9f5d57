"""Storage of the service: tables, migrations, the dataset <-> Problem mapping and every query.

The routes (:mod:`api.routes`) hold no SQL: each query has a name here, by
what it reads or writes (``rows``, ``datasets``, ``pins``, ``publishing``,
``jobs``, ``keys``, ``audit``, ``calendars``).
"""

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
