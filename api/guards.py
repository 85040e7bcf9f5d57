"""Checks at the edge of the service, before a route parses anything.

:class:`KeyFirst` answers 401 to a request for a route that needs a key when
the key is missing, unknown or revoked, before the body is read: an anonymous
caller learns nothing of the schema's validation and costs no parsing.

:class:`CleanText` refuses text the database cannot store or the answer
cannot encode: NUL and other control characters in the URL (400), NUL and
lone UTF-16 surrogates in any string or key of a JSON body (422, with the
JSON path).  PostgreSQL refuses NUL in text, and a lone surrogate cannot be
written as UTF-8, so either would otherwise surface as a 500 somewhere deeper.

:func:`json_safe` is for answers that echo the caller's input (validation
errors): such strings are shown with the offending characters escaped.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from api.keys import find_key
from api.limits import CLOSE, replay, reply
from matcher.i18n import _

# C0 controls and DEL have no place in a path or query value; NUL breaks PostgreSQL.
_URL_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f]")
# In JSON text, tabs and newlines are fine (notes); NUL and lone surrogates are not.
_TEXT_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")


def forbidden_character(text: str) -> str | None:
    """Describe the first character of ``text`` that cannot be stored, else None.

    Parameters
    ----------
    text
        Any string from a request (a JSON value or key, a form field).

    Returns
    -------
    str or None
        E.g. ``"NUL (U+0000) at position 3"``.
    """
    found = _TEXT_FORBIDDEN.search(text)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        message = _("NUL (U+{code}) at position {position}")
    else:
        message = _("a lone UTF-16 surrogate (U+{code}) at position {position}")
    return message.format(code=f"{ord(char):04X}", position=found.start())


def json_safe(value: Any) -> Any:
    """``value`` with every string made encodable: lone surrogates and NUL escaped."""
    if isinstance(value, str):
        if _TEXT_FORBIDDEN.search(value) is None:
            return value
        return _TEXT_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def _protected_operations(document: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
    """(method, path pattern) of every operation whose OpenAPI entry asks for a key."""
    operations = []
    for template, item in document.get("paths", {}).items():
        parts = re.split(r"(\{[^}]+\})", template)
        pattern = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("security"):
                operations.append((method.upper(), re.compile(f"^{pattern}$")))
    return operations


class KeyFirst:
    """ASGI middleware: 401 before the body is read, for routes that need a key.

    Which routes need one is read from the service's own OpenAPI document
    (every operation that declares the ``X-API-Key`` security scheme, i.e.
    depends on :func:`api.deps.current_key`), so a new route is covered the
    day it is written.  The role check stays in the route's dependencies.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._protected: list[tuple[str, re.Pattern[str]]] | None = None

    def _protects(self, scope: Scope) -> bool:
        if self._protected is None:
            self._protected = _protected_operations(scope["app"].openapi())
        method, path = scope.get("method", ""), _route_path(scope)
        return any(m == method and p.match(path) for m, p in self._protected)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._protects(scope):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        raw = headers.get(b"x-api-key", b"").decode("latin-1").strip()
        challenge = {"WWW-Authenticate": "ApiKey", **CLOSE}
        if not raw:
            detail = _("missing X-API-Key header")
            await reply(send, 401, detail, challenge)
            return
        sessionmaker = scope["app"].state.sessionmaker

        def known() -> bool:
            with sessionmaker() as session:
                return find_key(session, raw) is not None

        try:
            found = await run_in_threadpool(known)
        except OperationalError:
            # middleware runs outside the app's handlers: answer as they would (busy, retry)
            busy = {"Retry-After": "5", **CLOSE}
            detail = _("the database is busy or unavailable; try again")
            await reply(send, 503, detail, busy)
            return
        if not found:
            detail = _("unknown or revoked API key")
            await reply(send, 401, detail, challenge)
            return
        await self.app(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path the routes match: without the ``root_path`` a proxy mount adds."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _is_json(content_type: bytes) -> bool:
    """``application/json`` or ``application/<anything>+json``, as FastAPI reads JSON."""
    main, _slash, sub = content_type.partition(b"/")
    return main == b"application" and (sub == b"json" or sub.endswith(b"+json"))


def _first_bad(value: Any, path: list[str | int]) -> tuple[list[str | int], str] | None:
    """The JSON path and description of the first string (or key) that cannot be stored."""
    if isinstance(value, str):
        problem = forbidden_character(value)
        return (path, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            problem = forbidden_character(key)
            if problem:
                return [*path, json_safe(key)], _("the key holds {problem}").format(problem=problem)
            found = _first_bad(item, [*path, key])
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _first_bad(item, [*path, index])
            if found:
                return found
    return None


class CleanText:
    """ASGI middleware: 400 for control characters in the URL, 422 for unstorable JSON text."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = _url_problem(scope)
        if problem is not None:
            await reply(send, 400, problem)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if not _is_json(content_type):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        found = _json_problem(body)
        message = _("text the service cannot store: {problem}")
        if found is not None:
            path, what = found
            detail = [
                {
                    "type": "string_unstorable",
                    "loc": ["body", *path],
                    "msg": message.format(problem=what),
                }
            ]
            await reply(send, 422, detail)
            return
        await self.app(scope, replay(body, receive), send)


def _url_problem(scope: Scope) -> str | None:
    found = _URL_FORBIDDEN.search(scope.get("path", ""))
    if found is not None:
        return _(
            "the URL path holds a control character (U+{code}) at position {position}; "
            "expected printable text"
        ).format(code=f"{ord(found.group()):04X}", position=found.start())
    query = scope.get("query_string", b"").decode("latin-1")
    for name, value in parse_qsl(query, keep_blank_values=True, errors="surrogateescape"):
        for part, text in (("name", name), ("value", value)):
            hit = _URL_FORBIDDEN.search(text) or re.search(r"[\ud800-\udfff]", text)
            if hit is not None and part == "name":
                return _(
                    "the query parameter ? holds a control character or invalid "
                    "UTF-8 in its name; expected printable text"
                )
            if hit is not None:
                return _(
                    "the query parameter {name} holds a control character or invalid "
                    "UTF-8 in its value; expected printable text"
                ).format(name=json_safe(name))
    return None


def _json_problem(body: bytes) -> tuple[list[str | int], str] | None:
    if not body:
        return None
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None  # not JSON: the route's own parser answers 422 with the position
    return _first_bad(document, [])
