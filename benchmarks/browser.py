"""A real server process and the system's Chromium, for the page's browser tests and screenshots.

The browser is Debian's ``chromium`` package (``/usr/bin/chromium``), driven by
Playwright with ``executable_path``: no browser is ever downloaded.  On these
machines Chromium stalls trying to reach the network (component updates,
sync, QUIC probes) unless told not to, hence :data:`CHROMIUM_ARGS`; Playwright's
``launch`` gives every browser a fresh temporary profile (``--user-data-dir``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Flags without which Chromium waits on the network here (issue 16)."""


def chromium_path() -> str | None:
    """The system Chromium (``MATCHER_CHROMIUM`` overrides), or None when there is none."""
    wanted = os.environ.get("MATCHER_CHROMIUM")
    if wanted:
        return wanted if Path(wanted).exists() else None
    for name in ("chromium", "chromium-browser"):
        if found := shutil.which(name):
            return found
    return None


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running service: its base URL, an admin key and its database."""

    base: str
    admin_key: str
    database_url: str

    def client(self) -> httpx.Client:
        """An HTTP client with the admin key, for preparing data behind the page's back."""
        return httpx.Client(base_url=self.base, headers={"X-API-Key": self.admin_key}, timeout=60)


@contextlib.contextmanager
def serve(folder: Path | None = None, env: dict[str, str] | None = None) -> Iterator[Server]:
    """Start ``uvicorn`` with the service on a free loopback port and a fresh SQLite file.

    Parameters
    ----------
    folder
        Where the database goes (a temporary folder when None).
    env
        Extra environment variables of the server.

    Yields
    ------
    Server
        Stopped (and the folder removed, when temporary) on exit.
    """
    from api.keys import create_key

    with contextlib.ExitStack() as stack:
        where = folder or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="page-")))
        url = f"sqlite:///{where / 'page.db'}"
        admin_key = create_key(url, "admin", "page tests")  # i18n: not shown: a key label
        port = free_port()
        environment = {
            **os.environ,
            "DATABASE_URL": url,
            "PYTHONPATH": str(ROOT),
            "MATCHER_PUBLIC_URL": f"http://127.0.0.1:{port}",
            **(env or {}),
        }
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app"),
                *("--host", "127.0.0.1", "--port", str(port)),
            ],
            cwd=where,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(process.stderr.read().decode())  # type: ignore[union-attr]
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start")
                time.sleep(0.1)
            yield Server(base, admin_key, url)
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """A headless system Chromium under Playwright (a ``Browser``).

    Raises
    ------
    FileNotFoundError
        When the machine has no Chromium (``apt-get install chromium``).
    """
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise FileNotFoundError("no chromium: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_roster(client: httpx.Client, roster_id: int, seconds: float = 60) -> dict[str, Any]:
    """Poll a solve job until it ends; its final state."""
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(f"/rosters/{roster_id}").json()
        if job["status"] not in ("queued", "running", "stopping"):
            return job
        if time.monotonic() > deadline:
            raise TimeoutError(f"roster {roster_id} still {job['status']}")
        time.sleep(0.2)
