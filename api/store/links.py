"""The SQL of links whose token is in their URL (calendar links, personal links).

Both kinds are rows of the same shape (:class:`api.store.models._TokenLinkColumns`):
made for one volunteer of one dataset, found by the token's prefix, closed
all at once for a volunteer.  The model says which kind.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.store.models import CalendarLink, PersonalLink, utcnow

Link = TypeVar("Link", CalendarLink, PersonalLink)


def add_link(
    session: Session,
    model: type[Link],
    dataset_id: int,
    volunteer_id: str,
    prefix: str,
    token_hash: str,
    created_by: int | None,
) -> Link:
    """Store a link (flushed, so it has its id and time)."""
    link = model(
        dataset_id=dataset_id,
        volunteer_id=volunteer_id,
        prefix=prefix,
        token_hash=token_hash,
        created_by=created_by,
    )
    session.add(link)
    session.flush()
    return link


def link_by_prefix(session: Session, model: type[Link], prefix: str) -> Link | None:
    """The link with this prefix (revoked or not), None when there is none."""
    return session.scalar(select(model).where(model.prefix == prefix))


def revoke_links(session: Session, model: type[Link], dataset_id: int, volunteer_id: str) -> int:
    """Close every open link of the volunteer; how many were open."""
    result = session.execute(
        update(model)
        .where(
            model.dataset_id == dataset_id,
            model.volunteer_id == volunteer_id,
            model.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return result.rowcount  # type: ignore[attr-defined]
