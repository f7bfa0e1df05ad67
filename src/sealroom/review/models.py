"""SQLAlchemy 2.0 models of the review database.

The schema itself is created by the Alembic migrations in ``migrations/`` (a test checks that the
two agree); full-text structures differ per dialect and live only in the migrations: an FTS5
external-content table with triggers on SQLite, the narrow ``document_fts`` table (document id and
``tsvector``, GIN index, filled by a trigger) on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ROLES = ("admin", "counsel", "expert", "monitor")
DESIGNATIONS = ("CONFIDENTIAL", "AEO")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    aeo: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebSession(Base):
    """A login session. Only the SHA-256 of the session token is stored, so a copy of the
    database does not hand out live sessions."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bates: Mapped[str] = mapped_column(String(32), unique=True)
    bates_end: Mapped[str] = mapped_column(String(32))
    docid: Mapped[str] = mapped_column(String(128), index=True)
    designation: Mapped[str] = mapped_column(String(16), index=True)
    volume: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    has_reproduction: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    has_signal: Mapped[bool] = mapped_column(Boolean, default=False)
    replacements: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64))


class DocumentText(Base):
    """The large texts of a document, apart from ``documents`` so that counting, sorting and
    faceting thousands of matches touch only narrow rows."""

    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    body: Mapped[str] = mapped_column(Text)  # title + message contents (snippets are cut from it)
    # body as lower-case words split exactly like queries: the one text both full-text indexes see
    search_text: Mapped[str] = mapped_column(Text)
    native: Mapped[str] = mapped_column(Text)  # the NATIVES JSON document as produced


class Hit(Base):
    """One reproduced span of a document (denormalised from the NATIVES JSON for filtering)."""

    __tablename__ = "hits"
    __table_args__ = (
        Index("ix_hits_origin_doc", "origin", "document_id"),
        Index("ix_hits_article_doc", "article_id", "document_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    message_index: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    article_id: Mapped[str] = mapped_column(String(128))
    words: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float)
    origin: Mapped[str] = mapped_column(String(16))


class DocTag(Base):
    __tablename__ = "doc_tags"
    __table_args__ = (UniqueConstraint("document_id", "tag", name="uq_doc_tag"), Index("ix_doc_tags_tag", "tag"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SavedSearch(Base):
    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    query: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """One link of the hash chain; ``hash`` = SHA-256(prev_hash + canonical content)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    ts: Mapped[str] = mapped_column(String(40))  # ISO-8601 string: hashed exactly as stored
    actor: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target: Mapped[str] = mapped_column(String(128))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class TargetedSearchJob(Base):
    __tablename__ = "targeted_search_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(String(24))  # queued|running|awaiting_approval|released|rejected|failed
    articles: Mapped[str] = mapped_column(Text)  # JSON list of {"id", "text"}: the requester's own texts
    results: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of hits (withheld until approved)
    released: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list of released hit indexes
    error: Mapped[str | None] = mapped_column(String(255), nullable=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
