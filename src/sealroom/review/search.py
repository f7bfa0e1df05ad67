"""Query AST → SQL on SQLite (FTS5) or PostgreSQL (tsvector), counts, facets and snippets.

Every function here takes the caller's *scope* (the designation clause from ``guard.Ctx``) and
applies it to every statement, counts and facets included, so a document a user may not see
never contributes to anything the user sees.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from markupsafe import Markup
from sqlalchemy import and_, cast, column, false, func, literal_column, not_, or_, select, table, text, true
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from sealroom.review.models import DocTag, Document, DocumentText, Hit, Note
from sealroom.review.query import And, Field, Node, Not, Or, Phrase, QueryError, Term, date_range, parse
from sealroom.review.query import positive_words as _positive_words

ORIGINS = ("user", "pasted", "continued", "generated")
MAX_PAGE = 500


# ---- full-text fragments -------------------------------------------------------------------


def _is_text(node: Node) -> bool:
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return _is_text(node.child)
    if isinstance(node, And | Or):
        return all(_is_text(c) for c in node.children)
    return False


def _fts5(node: Node) -> str | None:
    """FTS5 MATCH syntax, or None when FTS5 cannot say it (a NOT with nothing to subtract from)."""
    if isinstance(node, Term):
        return f'"{node.word}"' + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return '"' + " ".join(node.words) + '"'
    if isinstance(node, Or):
        parts = [_fts5(c) for c in node.children]
        return None if any(p is None for p in parts) else "(" + " OR ".join(parts) + ")"  # type: ignore[arg-type]
    if isinstance(node, And):
        pos = [_fts5(c) for c in node.children if not isinstance(c, Not)]
        neg = [_fts5(c.child) for c in node.children if isinstance(c, Not)]
        if not pos or any(p is None for p in pos + neg):
            return None
        expr = "(" + " AND ".join(pos) + ")"  # type: ignore[arg-type]
        for n in neg:
            expr = f"({expr} NOT {n})"
        return expr
    return None


def _tsquery(node: Node) -> str:
    """PostgreSQL tsquery syntax (words are already plain letters/digits: no quoting issues)."""
    if isinstance(node, Term):
        return f"'{node.word}'" + (":*" if node.prefix else "")
    if isinstance(node, Phrase):
        return "(" + " <-> ".join(f"'{w}'" for w in node.words) + ")"
    if isinstance(node, Not):
        return f"!({_tsquery(node.child)})"
    joiner = " & " if isinstance(node, And) else " | "
    return "(" + joiner.join(_tsquery(c) for c in node.children) + ")"  # type: ignore[union-attr]


_FTS = table("document_fts", column("document_id"), column("fts_vector"))

# Words whose 'simple' parse is the word itself, one token: a phrase of these may use the pair
# lexemes of document_fts ('~a b', see migration 0002) instead of a positional recheck.
_PLAIN_WORD = re.compile(r"[a-z]{1,100}|[0-9]{1,100}")


def _pairs_apply(node: Node) -> bool:
    if isinstance(node, Phrase):
        return all(_PLAIN_WORD.fullmatch(w) for w in node.words)
    if isinstance(node, Not):
        return _pairs_apply(node.child)
    if isinstance(node, And | Or):
        return any(_pairs_apply(c) for c in node.children)
    return False


def _pg_tsquery(node: Node) -> ColumnElement[Any]:
    """A tsquery expression: ``to_tsquery('simple', …)`` as before, except that a phrase of plain
    words becomes its adjacent pairs (exact for two words; for more, the pairs narrow the
    candidates and the positional phrase still decides)."""
    if not _pairs_apply(node):
        return func.to_tsquery(literal_column("'simple'"), _tsquery(node))
    if isinstance(node, Phrase):
        # Raw tsquery input (the lexemes are used as written; plain words parse to themselves).
        # '~' marks a text too large for pairs: the positional phrase decides there (and, for
        # three words or more, everywhere: the pairs only narrow the candidates).
        pairs = " & ".join(f"'~{a} {b}'" for a, b in pairwise(node.words))
        phrase = " <-> ".join(f"'{w}'" for w in node.words)
        if len(node.words) == 2:
            return cast(f"{pairs} | '~' & {phrase}", TSQUERY)
        return cast(f"({pairs} | '~') & {phrase}", TSQUERY)
    if isinstance(node, Not):
        return func.tsquery_not(_pg_tsquery(node.child))
    parts = [_pg_tsquery(c) for c in node.children]  # type: ignore[union-attr]
    combine = func.tsquery_and if isinstance(node, And) else func.tsquery_or
    query = parts[0]
    for part in parts[1:]:
        query = combine(query, part)
    return query


def _text_clause(node: Node, dialect: str) -> ColumnElement[bool] | None:
    if dialect == "sqlite":
        expr = _fts5(node)
        if expr is None:
            return None
        sub = text("SELECT rowid FROM documents_fts WHERE documents_fts MATCH :q").bindparams(q=expr)
        return Document.id.in_(sub.columns(literal_column("rowid")))
    # document_fts (document id + tsvector, GIN index) exists only on PostgreSQL (migration 0002).
    matches = _FTS.c.fts_vector.op("@@")(_pg_tsquery(node))
    return Document.id.in_(select(_FTS.c.document_id).where(matches))


# ---- field filters -------------------------------------------------------------------------


def _field_clause(f: Field) -> ColumnElement[bool]:
    v = f.value
    if f.name == "has":
        options: dict[str, ColumnElement[bool]] = {
            "reproduction": Document.has_reproduction.is_(True),
            "signal": Document.has_signal.is_(True),
            "redaction": Document.replacements > 0,
            "notes": Document.id.in_(select(Note.document_id)),
            "tags": Document.id.in_(select(DocTag.document_id)),
        }
        if v.lower() not in options:
            raise QueryError(f"has: wants one of {', '.join(options)}")
        return options[v.lower()]
    if f.name == "origin":
        if v.lower() not in ORIGINS:
            raise QueryError(f"origin: wants one of {', '.join(ORIGINS)}")
        # IN (…) rather than EXISTS: driven by the small hits index, not by every document row.
        return Document.id.in_(select(Hit.document_id).where(Hit.origin == v.lower()))
    if f.name == "article":
        return Document.id.in_(select(Hit.document_id).where(Hit.article_id == v))
    if f.name == "model":
        return func.lower(Document.model) == v.lower()
    if f.name == "tag":
        return Document.id.in_(select(DocTag.document_id).where(DocTag.tag == v.lower()))
    if f.name == "designation":
        return Document.designation == v.upper()
    if f.name == "bates":
        return Document.bates == v.upper()
    start, end = date_range(v)  # "date"
    conds = [Document.created_at.is_not(None)]
    if start is not None:
        conds.append(Document.created_at >= start)
    if end is not None:
        conds.append(Document.created_at < end)
    return and_(*conds)


def compile_node(node: Node | None, dialect: str) -> ColumnElement[bool]:
    if node is None:
        return true()
    if _is_text(node):
        clause = _text_clause(node, dialect)
        if clause is not None:
            return clause
    if isinstance(node, Field):
        return _field_clause(node)
    if isinstance(node, Not):
        return not_(compile_node(node.child, dialect))
    if isinstance(node, Term | Phrase):  # unreachable: text nodes always compile
        return false()
    children = list(node.children)
    if isinstance(node, And):
        # One full-text probe for all the text children, then the field filters beside it.
        texts = [c for c in children if _is_text(c)]
        if len(texts) > 1 and _text_clause(And(tuple(texts)), dialect) is not None:
            rest = [compile_node(c, dialect) for c in children if not _is_text(c)]
            return and_(compile_node(And(tuple(texts)), dialect), *rest)
        return and_(*[compile_node(c, dialect) for c in children])
    return or_(*[compile_node(c, dialect) for c in children])


# ---- results -------------------------------------------------------------------------------


@dataclass
class Result:
    bates: str
    designation: str
    title: str | None
    model: str | None
    created_at: datetime | None
    has_reproduction: bool
    snippet: Markup
    tags: list[str] = field(default_factory=list)


@dataclass
class SearchPage:
    query: str
    total: int
    page: int
    page_size: int
    results: list[Result]
    facets: dict[str, list[tuple[str, int]]]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def where_for(query: str, scope: ColumnElement[bool], dialect: str) -> ColumnElement[bool]:
    return and_(scope, compile_node(parse(query), dialect))


def snippet(body: str, words: list[str], width: int = 110) -> Markup:
    """An escaped excerpt around the first matched word, matched words wrapped in ``<mark>``."""
    if not words:
        return Markup(html.escape(body[: 2 * width]) + ("…" if len(body) > 2 * width else ""))
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)) + r")\w*", re.IGNORECASE
    )
    m = pattern.search(body)
    centre = m.start() if m else 0
    lo, hi = max(0, centre - width), min(len(body), centre + width)
    piece = body[lo:hi]
    out, last = [], 0
    for hit in pattern.finditer(piece):
        out.append(html.escape(piece[last : hit.start()]))
        out.append("<mark>" + html.escape(hit.group(0)) + "</mark>")
        last = hit.end()
    out.append(html.escape(piece[last:]))
    return Markup(("…" if lo > 0 else "") + "".join(out) + ("…" if hi < len(body) else ""))


def _has_words(node: Node | None) -> bool:
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return _has_words(node.child)
    if isinstance(node, And | Or):
        return any(_has_words(c) for c in node.children)
    return False


@contextmanager
def _index_probes(session: Session, node: Node | None, dialect: str) -> Iterator[None]:
    """On PostgreSQL, plan the enclosed statements without sequential scans: the planner costs a
    scan of ``document_fts`` as cheap (it does not count de-TOASTing each vector) and picks it
    for any common word, ~1 s at 100,000 documents, where the GIN index answers in ~30 ms. A
    failed statement leaves the setting to the transaction's rollback. Queries without words keep
    the default plans (a sequential scan of ``documents`` is the right one for those)."""
    if dialect != "postgresql" or not _has_words(node):
        yield
        return
    session.execute(text("SET LOCAL enable_seqscan = off"))
    yield
    session.execute(text("SET LOCAL enable_seqscan TO DEFAULT"))


def run_search(
    session: Session,
    query: str,
    scope: ColumnElement[bool],
    dialect: str,
    *,
    page: int = 1,
    page_size: int = 20,
    facets: bool = True,
) -> SearchPage:
    node = parse(query)
    where = and_(scope, compile_node(node, dialect))
    page = min(max(1, page), MAX_PAGE)
    with _index_probes(session, node, dialect):
        return _run_search(session, query, node, where, page, page_size, facets)


def _run_search(
    session: Session, query: str, node: Node | None, where: ColumnElement[bool], page: int, page_size: int, facets: bool
) -> SearchPage:
    # One grouped pass gives the total and two facets; the full-text probe runs once for all three.
    groups = session.execute(
        select(Document.designation, Document.model, func.count())
        .where(where)
        .group_by(Document.designation, Document.model)
    ).all()
    total = sum(n for _, _, n in groups)
    rows = session.execute(
        select(Document.id, Document.bates, Document.designation, Document.title, Document.model,
               Document.created_at, Document.has_reproduction)
        .where(where)
        .order_by(Document.bates)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()  # fmt: skip
    ids = [r.id for r in rows]
    body_rows = session.execute(
        select(DocumentText.document_id, DocumentText.body).where(DocumentText.document_id.in_(ids))
    ).all()
    bodies = {doc_id: body for doc_id, body in body_rows}
    words = _positive_words(node)
    tags = tags_for(session, ids)
    results = [
        Result(r.bates, r.designation, r.title, r.model, r.created_at, r.has_reproduction,
               snippet(bodies.get(r.id, ""), words), tags.get(r.id, []))
        for r in rows
    ]  # fmt: skip
    found = facet_counts(session, where, groups) if facets else {}
    return SearchPage(query, total, page, page_size, results, found)


def tags_for(session: Session, ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if ids:
        for doc_id, tag in session.execute(
            select(DocTag.document_id, DocTag.tag).where(DocTag.document_id.in_(ids)).order_by(DocTag.tag)
        ):
            out.setdefault(doc_id, []).append(tag)
    return out


def facet_counts(session: Session, where: ColumnElement[bool], groups: list[Any]) -> dict[str, list[tuple[str, int]]]:
    """Counts over the matching (and visible) documents only; ``groups`` is the grouped pass above.

    Origin and tag counts start from their own (small) tables and join the matches; the aliases
    keep the sub-selects of field filters on those tables (``origin:``, ``tag:``) from being
    auto-correlated to the outer query.
    """
    designation: Counter[str] = Counter()
    model: Counter[str] = Counter()
    for d, m, n in groups:
        designation[d] += n
        model[m or "unknown"] += n
    h, t = aliased(Hit), aliased(DocTag)
    origin = session.execute(
        select(h.origin, func.count(func.distinct(h.document_id)))
        .join(Document, Document.id == h.document_id)
        .where(where)
        .group_by(h.origin)
        .order_by(h.origin)
    ).all()
    tag = session.execute(
        select(t.tag, func.count())
        .join(Document, Document.id == t.document_id)
        .where(where)
        .group_by(t.tag)
        .order_by(t.tag)
    ).all()
    return {
        "origin": [(o, n) for o, n in origin],
        "designation": sorted(designation.items()),
        "model": sorted(model.items(), key=lambda kv: (-kv[1], kv[0]))[:10],
        "tag": [(g, n) for g, n in tag],
    }


def matching_ids(session: Session, query: str, scope: ColumnElement[bool], dialect: str, limit: int) -> list[int]:
    node = parse(query)
    where = and_(scope, compile_node(node, dialect))
    with _index_probes(session, node, dialect):
        return list(session.scalars(select(Document.id).where(where).order_by(Document.bates).limit(limit)))
