"""``sohoa serve`` and ``sohoa keys``."""
from __future__ import annotations

import logging
import sys

import click

from sohoa.serving.security import ROLES


def _storage(settings=None):
    from sohoa.serving.api.app import init_storage
    from sohoa.serving.settings import ServiceSettings

    settings = settings or ServiceSettings()
    engine, sessions, _store = init_storage(settings)
    return settings, engine, sessions


def bootstrap_admin(sessions) -> str | None:
    """Create an admin key when the database has none; returns its token (to print once)."""
    from sohoa.serving.security import create_key, has_admin

    with sessions() as session:
        if has_admin(session):
            return None
        _row, token = create_key(session, "admin", "admin")
        session.commit()
        return token


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int,
              help="pipeline worker processes (default: SOHOA_WORKERS or 2; 0 = in-process)")
@click.option("--log-level", default="info", show_default=True)
def serve(host: str, port: int, workers: int | None, log_level: str) -> None:
    """Start the HTTP API and the review page (uvicorn)."""
    import uvicorn

    from sohoa.serving.api.app import create_app
    from sohoa.serving.settings import ServiceSettings

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = ServiceSettings()
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    app = create_app(settings)
    if settings.bootstrap_admin:
        token = bootstrap_admin(app.state.services.sessions)
        if token:
            click.echo("No admin key existed: created one. It is shown only this once; keep it:")
            click.echo(f"  admin key: {token}")
    url = f"http://{host}:{port}"
    click.echo(f"sohoa serving on {url}  (review page: {url}/review, API docs: {url}/docs)")
    sys.stdout.flush()
    # The access log is off: query strings may carry personal data (records look-ups);
    # the service logs method, route template, status and duration instead.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level=log_level, timeout_graceful_shutdown=10)


@click.group()
def keys() -> None:
    """Manage API keys (roles: system, reviewer, admin)."""


@keys.command("create")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="a label shown in the audit trail (default: role + prefix)")
def keys_create(role: str, name: str | None) -> None:
    """Create a key; the key alone is printed on the last line."""
    from sohoa.serving.security import create_key

    _settings, engine, sessions = _storage()
    with sessions() as session:
        row, token = create_key(session, role, name)
        session.commit()
        click.echo(f"created {row.role} key #{row.id} '{row.name}'", err=False)
    engine.dispose()
    click.echo(token)


@keys.command("list")
def keys_list() -> None:
    """List keys (never their tokens)."""
    from sqlalchemy import select

    from sohoa.serving.storage.tables import ApiKey

    _settings, engine, sessions = _storage()
    with sessions() as session:
        for row in session.scalars(select(ApiKey).order_by(ApiKey.id)):
            state = "revoked" if row.revoked_at else "active"
            click.echo(f"{row.id}\t{row.role}\t{row.name}\t{row.prefix}…\t{state}")
    engine.dispose()


@keys.command("revoke")
@click.argument("key_id", type=int)
def keys_revoke(key_id: int) -> None:
    """Revoke a key by its id."""
    from sohoa.serving.security import revoke_key

    _settings, engine, sessions = _storage()
    with sessions() as session:
        ok = revoke_key(session, key_id)
        session.commit()
    engine.dispose()
    if not ok:
        raise click.ClickException(f"no active key #{key_id}")
    click.echo(f"revoked key #{key_id}")
