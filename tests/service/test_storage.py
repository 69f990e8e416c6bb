"""The Alembic migrations build exactly the schema the ORM tables describe; migrations are idempotent."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sohoa.serving.storage.database import make_engine, migrate
from sohoa.serving.storage.tables import Base


def test_migrations_match_the_tables(database_url):
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # a second start changes nothing
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], diff
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        engine.dispose()


def test_migration_0002_fills_the_search_key_of_existing_rows(database_url):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from sohoa.serving.storage.database import MIGRATIONS_DIR

    engine = make_engine(database_url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO documents (id, sha256, filename, size, pages, status, text, created_at, "
                              "updated_at) VALUES ('d1', :sha, 'Scan.PNG', 1, 1, 'processed', 'GIẤY PHÉP', "
                              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"), {"sha": "a" * 64})
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT search_key FROM documents")).scalar() == "scan.png\ngiấy phép"
    finally:
        engine.dispose()
