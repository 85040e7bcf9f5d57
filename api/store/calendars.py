"""The SQL of calendar links: make one, find one by its prefix, close a volunteer's."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from api.store.models import CalendarLink, VolunteerRecord, utcnow


def add_link(
    session: Session,
    dataset_id: int,
    volunteer_id: str,
    prefix: str,
    token_hash: str,
    created_by: int,
) -> CalendarLink:
    """Store a link (flushed, so it has its id and time)."""
    link = CalendarLink(
        dataset_id=dataset_id,
        volunteer_id=volunteer_id,
        prefix=prefix,
        token_hash=token_hash,
        created_by=created_by,
    )
    session.add(link)
    session.flush()
    return link


def link_by_prefix(session: Session, prefix: str) -> CalendarLink | None:
    """The link with this prefix (revoked or not), None when there is none."""
    return session.scalar(select(CalendarLink).where(CalendarLink.prefix == prefix))


def revoke_links(session: Session, dataset_id: int, volunteer_id: str) -> int:
    """Close every open link of the volunteer; how many were open."""
    result = session.execute(
        update(CalendarLink)
        .where(
            CalendarLink.dataset_id == dataset_id,
            CalendarLink.volunteer_id == volunteer_id,
            CalendarLink.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return result.rowcount  # type: ignore[attr-defined]


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
