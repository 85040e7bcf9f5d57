"""The ``matcher`` command with the service commands added: serve and keys.

The library's CLI (:mod:`matcher.cli`) knows nothing of the service; this
module is the installed entry point and adds ``serve`` and ``keys`` to it, so
``matcher`` never imports ``api``.

The global ``--lang`` of :mod:`matcher.cli` (``matcher --lang en serve``)
covers these commands too; ``serve`` hands its language to the service as
the default of requests without ``Accept-Language`` (``MATCHER_LANG``).
"""

from __future__ import annotations

import copy
import os
from typing import Annotated

import typer
from rich.markup import escape

from matcher.cli import LANGUAGE_VARIABLE, app, console
from matcher.i18n import _, language

keys = typer.Typer(help="API keys (stored hashed; the key is shown once).", no_args_is_help=True)
app.add_typer(keys, name="keys")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port")] = 8000,
    seed_sample: Annotated[
        bool,
        typer.Option(
            "--seed-sample",
            help="store datasets/community_a and print a coordinator key if the database is empty",
        ),
    ] = False,
) -> None:
    """Start the HTTP service (the coordinators' page at /, interactive docs at /docs)."""
    import uvicorn

    if seed_sample:
        from api.seed import seed_sample as seed
        from api.settings import Settings

        seeded = seed(Settings.from_env().database_url)
        if seeded.dataset_id is not None:
            console.print(
                _("stored the sample community as dataset {dataset}").format(
                    dataset=seeded.dataset_id
                )
            )
        console.print(
            escape(_("coordinator key for this run (send it as X-API-Key; earlier ones revoked):"))
        )
        console.print(seeded.key, highlight=False)
    console.print(_("serving on http://{host}:{port}").format(host=host, port=port))
    console.print(
        escape(
            _("coordinators' page: http://{host}:{port}/ (sign in with the key)").format(
                host=host, port=port
            )
        )
    )
    console.print(
        escape(
            _("interactive docs: http://{host}:{port}/docs (Authorize with the key)").format(
                host=host, port=port
            )
        )
    )
    # The service's default language (requests without Accept-Language) is this command's.
    os.environ[LANGUAGE_VARIABLE] = language()
    # personal links in messages point at this server unless a public address is set
    os.environ.setdefault("MATCHER_PUBLIC_URL", f"http://{host}:{port}")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, log_config=_log_config())


def _log_config() -> dict[str, object]:
    """uvicorn's logging, plus the service's own INFO lines (the log sender's messages).

    Without it the service's loggers have no handler and the default log-only
    sender of ``make run`` shows nothing: a coordinator trying the service
    could not see the messages volunteers would get.
    """
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["api"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@keys.command("create")
def create(
    role: Annotated[str, typer.Option(help="admin, coordinator or viewer")],
    label: Annotated[str, typer.Option(help="who the key is for")] = "",
) -> None:
    """Create an API key and print it (only its hash is stored)."""
    from api.keys import create_key
    from api.settings import Settings
    from api.store.models import KeyRole

    if role not in {r.value for r in KeyRole}:
        console.print(
            _("expected a role of {roles}, found {role!r}").format(
                roles=", ".join(r.value for r in KeyRole), role=role
            ),
            markup=False,
        )
        raise typer.Exit(code=2)
    key = create_key(Settings.from_env().database_url, role, label)
    console.print(key, highlight=False)


def main() -> None:
    """Entry point of the installed ``matcher`` command."""
    app()
