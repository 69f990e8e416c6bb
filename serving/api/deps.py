"""Dependencies: a database session per request, and the caller's API key with a permission check."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from sohoa.serving.api.errors import ApiError
from sohoa.serving.security import PERMISSIONS, find_key


def get_session(request: Request) -> Iterator[Session]:
    session = request.app.state.services.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@dataclass(frozen=True)
class Caller:
    key_id: int
    name: str
    role: str


# Declares the scheme in OpenAPI (the "Authorize" button of /docs); the checks are ours, so that
# every failure is the JSON error shape.
bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey",
                    description="An API key from `sohoa keys create --role ROLE`")


def _caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Caller:
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials.strip():
        raise ApiError(401, "missing API key: send 'Authorization: Bearer <key>'")
    with request.app.state.services.sessions() as session:
        row = find_key(session, credentials.credentials.strip())
        if row is None:
            raise ApiError(401, "invalid or revoked API key")
        return Caller(row.id, row.name, row.role)


def require(permission: str):
    """Dependency: the caller, who must hold ``permission`` (read, upload, review, keys)."""
    def dependency(caller: Caller = Depends(_caller)) -> Caller:
        if permission not in PERMISSIONS.get(caller.role, set()):
            raise ApiError(403, f"role '{caller.role}' may not {permission}")
        return caller
    return dependency


def services(request: Request):
    return request.app.state.services
