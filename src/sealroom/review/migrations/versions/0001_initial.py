"""Initial review schema: users, sessions, documents with full-text search, coding, audit chain, jobs.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("aeo", sa.Boolean, nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_logins", sa.Integer, nullable=False),
        sa.Column("locked_until", TZ, nullable=True),
        sa.Column("totp_secret", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("bates", sa.String(32), nullable=False, unique=True),
        sa.Column("bates_end", sa.String(32), nullable=False),
        sa.Column("docid", sa.String(128), nullable=False),
        sa.Column("designation", sa.String(16), nullable=False),
        sa.Column("volume", sa.String(32), nullable=False),
        sa.Column("model", sa.String(64), nullable=True),
        sa.Column("created_at", TZ, nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("messages", sa.Integer, nullable=False),
        sa.Column("has_reproduction", sa.Boolean, nullable=False),
        sa.Column("has_signal", sa.Boolean, nullable=False),
        sa.Column("replacements", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "document_texts",
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("native", sa.Text, nullable=False),
    )
    for col in ("docid", "designation", "model", "created_at", "has_reproduction"):
        op.create_index(f"ix_documents_{col}", "documents", [col])
    op.create_table(
        "hits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("message_index", sa.Integer, nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("article_id", sa.String(128), nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("similarity", sa.Float, nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
    )
    op.create_index("ix_hits_document_id", "hits", ["document_id"])
    op.create_index("ix_hits_origin_doc", "hits", ["origin", "document_id"])
    op.create_index("ix_hits_article_doc", "hits", ["article_id", "document_id"])
    op.create_table(
        "doc_tags",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("document_id", "tag", name="uq_doc_tag"),
    )
    op.create_index("ix_doc_tags_document_id", "doc_tags", ["document_id"])
    op.create_index("ix_doc_tags_tag", "doc_tags", ["tag"])
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_notes_document_id", "notes", ["document_id"])
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_saved_searches_user_id", "saved_searches", ["user_id"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("target", sa.String(128), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    op.create_table(
        "targeted_search_jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("requester_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("articles", sa.Text, nullable=False),
        sa.Column("results", sa.Text, nullable=True),
        sa.Column("released", sa.Text, nullable=True),
        sa.Column("error", sa.String(255), nullable=True),
        sa.Column("reviewed_by", sa.Integer, sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
    )
    op.create_index("ix_targeted_search_jobs_requester_id", "targeted_search_jobs", ["requester_id"])

    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5 index over document_texts.search_text, kept in step by triggers.
        op.execute(
            "CREATE VIRTUAL TABLE documents_fts USING fts5(search_text, content='document_texts', "
            "content_rowid='document_id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER documents_fts_ai AFTER INSERT ON document_texts BEGIN "
            "INSERT INTO documents_fts(rowid, search_text) VALUES (new.document_id, new.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER documents_fts_ad AFTER DELETE ON document_texts BEGIN "
            "INSERT INTO documents_fts(documents_fts, rowid, search_text) "
            "VALUES ('delete', old.document_id, old.search_text); END"
        )
        op.execute(
            "CREATE TRIGGER documents_fts_au AFTER UPDATE OF search_text ON document_texts BEGIN "
            "INSERT INTO documents_fts(documents_fts, rowid, search_text) "
            "VALUES ('delete', old.document_id, old.search_text); "
            "INSERT INTO documents_fts(rowid, search_text) VALUES (new.document_id, new.search_text); END"
        )
    else:
        # 'simple' configuration: no stemming, the same word semantics as FTS5's unicode61.
        # A stored vector, so that rechecking a match does not re-parse the text.
        op.execute(
            "ALTER TABLE document_texts ADD COLUMN fts_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
        )
        op.execute("CREATE INDEX ix_documents_fts ON document_texts USING gin (fts_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS documents_fts")
    for table in (
        "targeted_search_jobs",
        "audit_log",
        "saved_searches",
        "notes",
        "doc_tags",
        "hits",
        "document_texts",
        "documents",
        "web_sessions",
        "users",
    ):
        op.drop_table(table)
