"""API keys: high-entropy tokens, stored as their sha256; roles grant permissions."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.serving.storage.tables import ApiKey

ROLES = ("system", "reviewer", "admin")
# What each role may do. "admin" manages keys and may do everything else too.
PERMISSIONS: dict[str, set[str]] = {
    "system": {"read", "upload"},
    "reviewer": {"read", "review"},
    "admin": {"read", "upload", "review", "keys"},
}
KEY_PREFIX = "sohoa_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(session: Session, role: str, name: str | None = None) -> tuple[ApiKey, str]:
    """Create a key; returns the row and the token, which is shown once and never stored."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(name=(name or f"{role}-{token[len(KEY_PREFIX):len(KEY_PREFIX) + 6]}")[:100], role=role,
                 key_hash=hash_key(token), prefix=token[:12], created_at=datetime.now(timezone.utc))
    session.add(row)
    session.flush()
    return row, token


def find_key(session: Session, token: str) -> ApiKey | None:
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke_key(session: Session, key_id: int) -> bool:
    row = session.get(ApiKey, key_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.now(timezone.utc)
    return True


def has_admin(session: Session) -> bool:
    return session.scalar(select(ApiKey.id).where(ApiKey.role == "admin", ApiKey.revoked_at.is_(None))
                          .limit(1)) is not None
