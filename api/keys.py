"""API keys: created here (the CLI's ``matcher keys create`` calls :func:`create_key`),
stored as a SHA-256 hash with a short prefix to find them.

A key reads ``mk_<prefix>_<secret>``; only :func:`create_key` ever sees it
in plain text.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.store.database import open_database
from api.store.keys import key_by_id, key_by_prefix
from api.store.models import ApiKey, KeyRole, utcnow

ROLE_RANK = {KeyRole.VIEWER: 0, KeyRole.COORDINATOR: 1, KeyRole.ADMIN: 2}


def hash_key(key: str) -> str:
    """Hex SHA-256 of a key (keys are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _prefix(key: str, scheme: str = "mk") -> str | None:
    parts = key.split("_")
    if len(parts) != 3 or parts[0] != scheme or not parts[1] or not parts[2]:
        return None
    return parts[1]


def new_secret(scheme: str) -> tuple[str, str]:
    """A fresh ``<scheme>_<prefix>_<secret>`` token and its prefix (keys use ``mk``)."""
    prefix = secrets.token_hex(4)
    return f"{scheme}_{prefix}_{secrets.token_urlsafe(24).replace('_', '-')}", prefix


def token_prefix(token: str, scheme: str) -> str | None:
    """The prefix of a ``<scheme>_<prefix>_<secret>`` token, None when malformed."""
    return _prefix(token, scheme)


def same_hash(stored: str, token: str) -> bool:
    """Whether ``token`` hashes to ``stored`` (constant-time comparison)."""
    return hmac.compare_digest(stored, hash_key(token))


def create_key(target: Session | Engine | str, role: str | KeyRole, label: str = "") -> str:
    """Create an API key and return it in plain text (it is stored hashed).

    Parameters
    ----------
    target
        An open session (the key is added and flushed, the caller commits),
        an engine, or a database URL (migrated first, committed here).
    role
        ``admin``, ``coordinator`` or ``viewer``.
    label
        Whose key this is, for the audit log.

    Raises
    ------
    ValueError
        For an unknown role.
    """
    role = KeyRole(role)
    key, prefix = new_secret("mk")
    record = ApiKey(prefix=prefix, key_hash=hash_key(key), role=role.value, label=label[:200])
    if isinstance(target, Session):
        target.add(record)
        target.flush()
        return key
    if isinstance(target, str):
        engine, _ = open_database(target)
    else:
        engine = target
    with Session(engine) as session, session.begin():
        session.add(record)
    if isinstance(target, str):
        engine.dispose()
    return key


def find_key(session: Session, key: str) -> ApiKey | None:
    """The stored, unrevoked key matching ``key``, else None."""
    prefix = _prefix(key)
    if prefix is None:
        return None
    record = key_by_prefix(session, prefix)
    if record is None or record.revoked_at is not None:
        return None
    if not same_hash(record.key_hash, key):
        return None
    return record


def revoke_key(session: Session, key_id: int) -> bool:
    """Revoke a key by id; False when there is no such key."""
    record = key_by_id(session, key_id)
    if record is None:
        return False
    record.revoked_at = record.revoked_at or utcnow()
    return True
