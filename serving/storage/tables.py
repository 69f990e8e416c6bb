"""Database tables. The schema itself is created by the Alembic migrations in ``serving/migrations``;
these classes must match them (a test compares the two)."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text, Float, Boolean
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    key_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(String(16), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Document(Base):
    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    pages: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # queued, processing, processed, failed, corrected, approved
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="queued")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The machine result, as the pipeline returned it; never edited by a reviewer.
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # The reviewer's overlay: {"doc_type": label | None, "fields": {name: {...} | None}}.
    corrections: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    # Effective values, denormalized for filtering, sorting and record look-ups.
    doc_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)
    search_key: Mapped[str | None] = mapped_column(Text, nullable=True)  # migration 0002
    document_number: Mapped[str | None] = mapped_column(String(100), nullable=True)
    personal_id: Mapped[str | None] = mapped_column(String(20), nullable=True)
    business_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    holder_key: Mapped[str | None] = mapped_column(String(255), nullable=True)
    valid_until: Mapped[str | None] = mapped_column(String(10), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    __table_args__ = (
        Index("ix_documents_status_conf", "status", "confidence"),
        Index("ix_documents_doc_type", "doc_type"),
        Index("ix_documents_document_number", "document_number"),
        Index("ix_documents_personal_id", "personal_id"),
        Index("ix_documents_business_code", "business_code"),
        Index("ix_documents_holder_key", "holder_key"),
        Index("ix_documents_updated_at", "updated_at"),
    )


class AuditEvent(Base):
    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), nullable=False)
    actor: Mapped[str] = mapped_column(String(100), nullable=False)  # the key's name
    action: Mapped[str] = mapped_column(String(20), nullable=False)  # correct, approve, reprocess
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    __table_args__ = (Index("ix_audit_document", "document_id", "id"),)


class Job(Base):
    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    total: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    reprocess: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class JobItem(Base):
    __tablename__ = "job_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # queued -> running -> done | failed ; running -> queued again only when its claim is lost
    state: Mapped[str] = mapped_column(String(12), nullable=False, default="queued")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    completions: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(40), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    document_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    error_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    __table_args__ = (
        Index("ix_job_items_job", "job_id", "seq"),
        Index("ix_job_items_state", "state", "id"),
    )
