"""The FastAPI application: :func:`create_app`.

Run it with ``uvicorn --factory api.app:create_app`` (``matcher serve`` will),
or in tests with ``TestClient(create_app("sqlite:///..."))``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import OperationalError

from api.guards import CleanText, KeyFirst, json_safe
from api.jobs import JobRunner
from api.language import RequestLanguage, validation_errors
from api.limits import BodySizeLimit
from api.outbox import outbox_worker
from api.routes import (
    admin,
    attendance,
    calendar,
    datasets,
    entities,
    ledger,
    me,
    outbox,
    pairings,
    proposals,
    records,
    repairs,
    requests,
    rosters,
    whatif,
)
from api.settings import Settings
from api.store.database import open_database
from api.web import page
from matcher.i18n import _
from matcher.ledger import default_rules, load_rules

DESCRIPTION = """
Volunteer-to-need matching for college and community service (校社联动志愿服务排班).

Every call needs an `X-API-Key` header. Viewers read (phone numbers and
addresses masked); coordinators and admins also upload and edit. Keys are made
with `matcher keys create --role coordinator`.

Upload a dataset (`POST /datasets`) in the format of `docs/data-format.md`;
then list and edit its volunteers, households and needs.

Solve it with `POST /rosters` (202 and a job id; solving runs in a process
pool), follow `GET /rosters/{id}` until `done`, then read `/explain`,
download `/export?format=csv|xlsx|ics` and `POST /rosters/{id}/publish` the
plan of record; volunteers subscribe to
`/datasets/{id}/volunteers/{vid}/calendar.ics`.
"""  # i18n: not shown: the OpenAPI document is for whoever sets the service up


ROUTES = (
    datasets,
    entities,
    rosters,
    repairs,
    whatif,
    pairings,
    proposals,
    me,
    attendance,
    ledger,
    requests,
    calendar,
    records,
    admin,
    outbox,
    page,
)
"""The route modules, each with its ``router``, in the order of the OpenAPI document."""


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the service on a migrated database.

    Parameters
    ----------
    database_url
        SQLAlchemy URL; default ``settings.database_url`` (``DATABASE_URL`` or
        the SQLite file ``./data/matcher.db``).
    settings
        Default :meth:`Settings.from_env`.

    Returns
    -------
    FastAPI
        With ``app.state.engine``, ``app.state.sessionmaker`` and
        ``app.state.settings`` and ``app.state.jobs`` (the solve process
        pool, opened at startup), ``app.state.outbox`` (:mod:`api.outbox`);
        at shutdown running jobs are stopped (keeping their rosters) and the
        engine is disposed.
    """
    settings = settings or Settings.from_env()
    if database_url is not None:
        settings = dataclasses.replace(settings, database_url=database_url)
    # a bad rules file stops the service here, with the file and key path at fault
    rules = load_rules(settings.ledger_rules) if settings.ledger_rules else default_rules()
    engine, sessionmaker = open_database(settings.database_url)
    jobs = JobRunner(settings.database_url, sessionmaker, settings.solve_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # jobs a previous server left queued or running are marked interrupted here
        jobs.start()
        mail.start()
        try:
            yield
        finally:
            mail.stop(timeout=settings.send_timeout + 1)  # a send in flight ends and is recorded
            jobs.shutdown()
            engine.dispose()

    # FastAPIOffline: FastAPI whose /docs and /redoc load their scripts from the service
    app = FastAPIOffline(
        title="Volunteer matcher",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.ledger_rules = rules
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.jobs = jobs
    app.state.outbox = mail = outbox_worker(sessionmaker, settings)
    # The last added runs first: the key is checked before the body is counted or read.
    app.add_middleware(CleanText)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    app.add_middleware(KeyFirst)
    # outermost: the key check's answers are in the request's language too
    app.add_middleware(RequestLanguage)
    for routes in ROUTES:
        app.include_router(routes.router)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer, but the echoed input may hold text UTF-8 cannot carry
        return JSONResponse(
            {"detail": json_safe(jsonable_encoder(validation_errors(exc.errors())))},
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        )

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        # a locked or unreachable database is the server's state, not a bug: say so, retryable
        return JSONResponse(
            {"detail": _("the database is busy or unavailable; try again")},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )

    @app.get(
        "/health",
        summary="Liveness check",
        tags=["service"],
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
