"""documents.search_key: file name and text, case folded (Vietnamese-aware search on SQLite too)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("search_key", sa.Text, nullable=True))
    # Existing rows: fill from what is stored (Python's casefold, as the service does).
    from sohoa.serving.effective import search_key

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, filename, text FROM documents")).all()
    for doc_id, filename, text in rows:
        conn.execute(sa.text("UPDATE documents SET search_key = :k WHERE id = :id"),
                     {"k": search_key(filename, text), "id": doc_id})


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("search_key")
