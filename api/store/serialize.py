"""JSON form of the :mod:`matcher.domain` dataclasses, and back.

``to_json`` turns a frozen dataclass into plain JSON values (enums by value,
dates as ISO text, tuples as lists); ``from_json`` rebuilds it from the field
types, so ``from_json(type(x), to_json(x)) == x`` for every domain object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import types
import typing
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """Plain JSON value of a domain object (dataclass, enum, date, tuple, scalar)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls) if f.init}


def _convert(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        options = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return _convert(options[0], value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], item) for item in value)
        return tuple(_convert(arg, item) for arg, item in zip(args, value, strict=True))
    if isinstance(kind, type):
        if dataclasses.is_dataclass(kind):
            return from_json(kind, value)
        if issubclass(kind, Enum):
            return kind(value)
        if kind is dt.date:
            return dt.date.fromisoformat(value)
    return value


def from_json(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild a dataclass of type ``cls`` from :func:`to_json` output."""
    fields = _field_types(cls)
    return cls(**{name: _convert(fields[name], data[name]) for name in fields if name in data})
