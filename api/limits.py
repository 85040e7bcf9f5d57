"""Refuse request bodies over the size limit with 413, before anything parses them."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.i18n import _

CLOSE = {"Connection": "close"}
"""Sent with answers given before the body was read: the connection cannot be reused."""


class BodySizeLimit:
    """ASGI middleware: 413 for bodies over ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused at once; otherwise
    the body is read (at most ``limit`` bytes) before the app sees it, so a
    chunked upload cannot get past the limit either.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                detail = _("invalid Content-Length header")
                await reply(send, 400, detail, CLOSE)
                return
            if size > self.limit:
                await reply(send, 413, self._message(scope), CLOSE)
                return
            if size <= 0 or b"transfer-encoding" not in headers:
                # the server enforces Content-Length; only count what may be chunked
                await self.app(scope, receive, send)
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body = message.get("body", b"")
            total += len(body)
            if total > self.limit:
                await reply(send, 413, self._message(scope), CLOSE)
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        await self.app(scope, replay(b"".join(chunks), receive), send)

    def _message(self, scope: Scope) -> str:
        return _("request body over the limit of {limit} bytes").format(limit=self.limit)


async def reply(send: Send, code: int, detail: Any, headers: dict[str, str] | None = None) -> None:
    """Answer ``{"detail": detail}`` with ``code`` straight from ASGI middleware."""
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": code,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the app ``body`` (already read) once, then the rest."""
    replayed = False

    async def again() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
