"""Request dependencies: database session, the caller's key and role checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import APIKeyHeader
from sqlalchemy.orm import Session

from api.keys import ROLE_RANK, find_key
from api.store.models import ApiKey, KeyRole
from matcher.i18n import N_, _

ROLE_NAMES = {
    KeyRole.VIEWER.value: N_("viewer"),
    KeyRole.COORDINATOR.value: N_("coordinator"),
    KeyRole.ADMIN.value: N_("admin"),
}
"""A role as users read it (translate with :func:`_` where shown)."""


def role_name(role: str) -> str:
    """The role in the language in force (an unknown role as it is)."""
    return _(ROLE_NAMES[role]) if role in ROLE_NAMES else role


api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="A key made by `matcher keys create --role viewer|coordinator|admin`.",
)


def get_session(request: Request) -> Iterator[Session]:
    """A session for this request; rolled back unless the route committed."""
    with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def current_key(session: SessionDep, key: str | None = Security(api_key_header)) -> ApiKey:
    """The caller's key; 401 when it is missing, unknown or revoked."""
    if not key:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            _("missing X-API-Key header"),
            headers={"WWW-Authenticate": "ApiKey"},
        )
    record = find_key(session, key)
    if record is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            _("unknown or revoked API key"),
            headers={"WWW-Authenticate": "ApiKey"},
        )
    return record


def require(role: KeyRole) -> Callable[..., ApiKey]:
    """Dependency: the caller's key, 403 unless its role is at least ``role``."""

    def check(key: Annotated[ApiKey, Depends(current_key)]) -> ApiKey:
        if ROLE_RANK[KeyRole(key.role)] < ROLE_RANK[role]:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                _("this needs the {role} role, key is {key_role}").format(
                    role=role_name(role.value), key_role=role_name(key.role)
                ),
            )
        return key

    return check


Reader = Annotated[ApiKey, Depends(require(KeyRole.VIEWER))]
Writer = Annotated[ApiKey, Depends(require(KeyRole.COORDINATOR))]


def can_see_personal_data(key: ApiKey) -> bool:
    """Coordinators and admins see phone numbers and addresses; viewers see them masked."""
    return ROLE_RANK[KeyRole(key.role)] >= ROLE_RANK[KeyRole.COORDINATOR]
