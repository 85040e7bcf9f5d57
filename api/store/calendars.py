"""The SQL of calendar links: make one, find one by its prefix, close a volunteer's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.store import links
from api.store.models import CalendarLink, VolunteerRecord


def add_link(
    session: Session,
    dataset_id: int,
    volunteer_id: str,
    prefix: str,
    token_hash: str,
    created_by: int,
) -> CalendarLink:
    """Store a calendar link (flushed, so it has its id and time)."""
    return links.add_link(
        session, CalendarLink, dataset_id, volunteer_id, prefix, token_hash, created_by
    )


def link_by_prefix(session: Session, prefix: str) -> CalendarLink | None:
    """The calendar link with this prefix (revoked or not), None when there is none."""
    return links.link_by_prefix(session, CalendarLink, prefix)


def revoke_links(session: Session, dataset_id: int, volunteer_id: str) -> int:
    """Close every open calendar link of the volunteer; how many were open."""
    return links.revoke_links(session, CalendarLink, dataset_id, volunteer_id)


def datasets_with_volunteer(session: Session, volunteer_id: str, limit: int = 20) -> list[int]:
    """Ids of the datasets that have a volunteer with this id (at most ``limit``)."""
    return list(
        session.scalars(
            select(VolunteerRecord.dataset_id)
            .where(VolunteerRecord.entity_id == volunteer_id)
            .order_by(VolunteerRecord.dataset_id)
            .limit(limit)
        )
    )
