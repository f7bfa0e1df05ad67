"""PostgreSQL: the search vector moves out of ``document_texts`` into the narrow ``document_fts``.

Revision ID: 0002
Revises: 0001

``document_texts.fts_vector`` sat beside the large texts, and the planner answered most word
queries with a sequential scan that de-TOASTed every vector of the wide table (~1 s for 100,000
documents). Now:

* ``document_fts`` holds only the document id and the vector; ``toast_tuple_target = 128`` moves
  every vector out of line, so its heap is a few hundred pages.
* Search reads it through the GIN index only (``search.run_search`` plans its statements with
  sequential scans disabled: the planner does not cost de-TOASTing and would otherwise scan every
  vector for a common word). A word query needs no recheck, so no vector is read at all.
* The vector also carries every pair of adjacent words as one position-less lexeme
  (``'~first second'``, derived from the vector's own positions), so a two-word phrase of plain
  words is one exact index lookup instead of a positional recheck of every candidate.
* A trigger on ``document_texts`` keeps it in step, as the FTS5 triggers do on SQLite.

Everything is derived from ``search_text`` (nothing new is stored). SQLite is unchanged.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Words from 'simple' parsing, plus '~a b' for every pair of adjacent positions (p, p + 1) of words
# up to 100 bytes (the query side uses pairs only for such words). A tsvector holds at most 1 MB of
# lexemes, so a text over 200,000 bytes gets the marker '~' instead of pairs, and a pair query
# falls back to the positional phrase for it ("'~a b' | '~' & 'a' <-> 'b'").
VECTOR_FUNCTION = """
CREATE FUNCTION document_fts_vector(search_text text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE WHEN octet_length(search_text) > 200000 THEN v || array_to_tsvector(ARRAY['~'])
ELSE v || array_to_tsvector(ARRAY(
    SELECT '~' || lexeme || ' ' || nxt FROM (
        SELECT lexeme, p, lead(lexeme) OVER w AS nxt, lead(p) OVER w AS np
        FROM unnest(v) AS u, unnest(u.positions) AS p
        WINDOW w AS (ORDER BY p)
    ) AS s
    WHERE np = p + 1 AND octet_length(lexeme) <= 100 AND octet_length(nxt) <= 100))
END
FROM to_tsvector('simple', search_text) AS v
$$
"""

SYNC_FUNCTION = """
CREATE FUNCTION document_fts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM document_fts WHERE document_id = OLD.document_id;
    ELSE
        INSERT INTO document_fts (document_id, fts_vector)
        VALUES (NEW.document_id, document_fts_vector(NEW.search_text))
        ON CONFLICT (document_id) DO UPDATE SET fts_vector = EXCLUDED.fts_vector;
    END IF;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE TABLE document_fts ("
        "document_id integer PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE, "
        "fts_vector tsvector NOT NULL"
        ") WITH (toast_tuple_target = 128)"
    )
    op.execute(VECTOR_FUNCTION)
    op.execute(SYNC_FUNCTION)
    # An existing database: fill it first, then build the index in one pass.
    op.execute(
        "INSERT INTO document_fts (document_id, fts_vector) "
        "SELECT document_id, document_fts_vector(search_text) FROM document_texts"
    )
    op.execute("CREATE INDEX ix_document_fts ON document_fts USING gin (fts_vector)")
    op.execute("ALTER TABLE document_texts DROP COLUMN fts_vector")  # drops ix_documents_fts with it
    op.execute(
        "CREATE TRIGGER document_fts_sync AFTER INSERT OR DELETE OR UPDATE OF search_text ON document_texts "
        "FOR EACH ROW EXECUTE FUNCTION document_fts_sync()"
    )
    op.execute("ANALYZE document_fts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER document_fts_sync ON document_texts")
    op.execute("DROP FUNCTION document_fts_sync()")
    op.execute(
        "ALTER TABLE document_texts ADD COLUMN fts_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED"
    )
    op.execute("CREATE INDEX ix_documents_fts ON document_texts USING gin (fts_vector)")
    op.execute("DROP TABLE document_fts")
    op.execute("DROP FUNCTION document_fts_vector(text)")
