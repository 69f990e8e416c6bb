"""initial schema: api keys, documents, audit events, jobs, job items

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("corrections", sa.JSON, nullable=True),
        sa.Column("doc_type", sa.String(40), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("text", sa.Text, nullable=True),
        sa.Column("document_number", sa.String(100), nullable=True),
        sa.Column("personal_id", sa.String(20), nullable=True),
        sa.Column("business_code", sa.String(40), nullable=True),
        sa.Column("holder_key", sa.String(255), nullable=True),
        sa.Column("valid_until", sa.String(10), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("processed_at", TS, nullable=True),
        sa.Column("approved_at", TS, nullable=True),
        sa.Column("approved_by", sa.String(100), nullable=True),
    )
    op.create_index("ix_documents_status_conf", "documents", ["status", "confidence"])
    op.create_index("ix_documents_doc_type", "documents", ["doc_type"])
    op.create_index("ix_documents_document_number", "documents", ["document_number"])
    op.create_index("ix_documents_personal_id", "documents", ["personal_id"])
    op.create_index("ix_documents_business_code", "documents", ["business_code"])
    op.create_index("ix_documents_holder_key", "documents", ["holder_key"])
    op.create_index("ix_documents_updated_at", "documents", ["updated_at"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("document_id", sa.String(40), sa.ForeignKey("documents.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("before", sa.JSON, nullable=True),
        sa.Column("after", sa.JSON, nullable=True),
    )
    op.create_index("ix_audit_document", "audit_events", ["document_id", "id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("reprocess", sa.Boolean, nullable=False),
    )
    op.create_table(
        "job_items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(40), sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("completions", sa.Integer, nullable=False),
        sa.Column("claim_token", sa.String(40), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("document_id", sa.String(40), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("error_status", sa.Integer, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
    )
    op.create_index("ix_job_items_job", "job_items", ["job_id", "seq"])
    op.create_index("ix_job_items_state", "job_items", ["state", "id"])


def downgrade() -> None:
    op.drop_table("job_items")
    op.drop_table("jobs")
    op.drop_table("audit_events")
    op.drop_table("documents")
    op.drop_table("api_keys")
