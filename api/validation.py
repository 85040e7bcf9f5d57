"""How the service answers a body that breaks a rule: 422 with the field path.

The rules themselves are :mod:`matcher.validate`'s (the same the file reader
applies); :func:`placed` puts each of their findings on the body's field
(bodies use the domain's field names), and :func:`unprocessable` answers
them in FastAPI's usual ``detail`` shape (``loc`` starts with ``body``).
"""

from __future__ import annotations

from fastapi import HTTPException, status

from matcher.validate import Finding

Issue = tuple[tuple[str | int, ...], str]
"""A field path inside the body, and what was expected there."""


def placed(findings: list[Finding]) -> list[Issue]:
    """Findings of :mod:`matcher.validate` on the body's fields (named as the domain's)."""
    return [((field,), message) for field, message in findings]


def unprocessable(issues: list[Issue]) -> HTTPException:
    """A 422 in the shape FastAPI gives its own validation errors."""
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[
            {"loc": ["body", *loc], "msg": message, "type": "value_error"}
            for loc, message in issues
        ],
    )
