"""The language of each request: ``Accept-Language``, else the service's default.

:class:`RequestLanguage` is the outermost middleware, so every answer of a
request is in one language: the key check's 401, the routes' details, the
exception handlers' and the 422s of FastAPI's own validation
(:func:`validation_errors` gives pydantic's messages in the request's
language).  The service's default is ``MATCHER_LANG`` (``matcher serve
--lang``), else Chinese; the answer says which it used in
``Content-Language``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.i18n import N_, _, language, negotiate, use_language


class RequestLanguage:
    """ASGI middleware: the request's language for everything that answers it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        asked = headers.get(b"accept-language", b"").decode("latin-1")
        with use_language(negotiate(asked)) as code:

            async def send_with_language(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableHeaders(scope=message)["Content-Language"] = code
                await send(message)

            await self.app(scope, receive, send_with_language)


# pydantic's error types, worded for a user; ``{name}`` fields come from the error's ctx.
_PYDANTIC = {
    "missing": N_("Field required"),
    "extra_forbidden": N_("Extra inputs are not permitted"),
    "string_type": N_("Input should be a valid string"),
    "string_too_short": N_("String should have at least {min_length} characters"),
    "string_too_long": N_("String should have at most {max_length} characters"),
    "string_pattern_mismatch": N_("String should match pattern '{pattern}'"),
    "int_type": N_("Input should be a valid integer"),
    "int_parsing": N_("Input should be a valid integer, unable to parse string as an integer"),
    "int_from_float": N_("Input should be a valid integer, got a number with a fractional part"),
    "float_type": N_("Input should be a valid number"),
    "float_parsing": N_("Input should be a valid number, unable to parse string as a number"),
    "bool_type": N_("Input should be a valid boolean"),
    "bool_parsing": N_("Input should be a valid boolean, unable to interpret input"),
    "greater_than": N_("Input should be greater than {gt}"),
    "greater_than_equal": N_("Input should be greater than or equal to {ge}"),
    "less_than": N_("Input should be less than {lt}"),
    "less_than_equal": N_("Input should be less than or equal to {le}"),
    "list_type": N_("Input should be a valid list"),
    "dict_type": N_("Input should be a valid dictionary"),
    "model_type": N_("Input should be an object"),
    "model_attributes_type": N_("Input should be an object"),
    "too_short": N_("The list should have at least {min_length} items"),
    "too_long": N_("The list should have at most {max_length} items"),
    "literal_error": N_("Input should be {expected}"),
    "enum": N_("Input should be {expected}"),
    "date_type": N_("Input should be a valid date"),
    "date_parsing": N_("Input should be a valid date in the format YYYY-MM-DD"),
    "date_from_datetime_parsing": N_("Input should be a valid date in the format YYYY-MM-DD"),
    "time_type": N_("Input should be a valid time"),
    "time_parsing": N_("Input should be a valid time in the format HH:MM"),
    "datetime_type": N_("Input should be a valid date and time"),
    "datetime_parsing": N_("Input should be a valid date and time"),
    "json_invalid": N_("The body is not valid JSON"),
    "json_type": N_("Input should be valid JSON"),
    "none_required": N_("Input should be empty (null)"),
    "uuid_parsing": N_("Input should be a valid UUID"),
}


def _message(error: Mapping[str, Any]) -> str:
    """One pydantic error's message in the language in force."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error" and "error" in ctx:
        # our own rules' words (already in the request's language), without pydantic's
        # English "Value error, " in front
        return str(ctx["error"])
    template = _PYDANTIC.get(kind)
    if template is None or language() == "en":
        return str(error.get("msg", ""))
    fields = {name for _lit, name, _spec, _conv in string.Formatter().parse(template) if name}
    if not fields <= set(ctx):
        return str(error.get("msg", ""))
    return _(template).format(**{name: ctx[name] for name in fields})


def validation_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """FastAPI's 422 ``detail`` list with each ``msg`` in the request's language."""
    return [{**error, "msg": _message(error)} for error in errors]
