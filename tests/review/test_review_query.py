"""The query parser (pure, no database)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.review.query import (
    And,
    Field,
    Not,
    Or,
    Phrase,
    QueryError,
    Term,
    date_range,
    parse,
    positive_words,
)
from sealroom.review.search import _fts5, _tsquery, compile_node


def test_grammar() -> None:
    assert parse("") is None
    assert parse("Harbor") == Term("harbor")
    assert parse('"the  Ferry"') == Phrase(("the", "ferry"))
    assert parse("a b") == And((Term("a"), Term("b")))
    assert parse("a AND b OR c") == Or((And((Term("a"), Term("b"))), Term("c")))
    assert parse("a (b OR c)") == And((Term("a"), Or((Term("b"), Term("c")))))
    assert parse("-a NOT b") == And((Not(Term("a")), Not(Term("b"))))
    assert parse("has:reproduction origin:generated") == And(
        (Field("has", "reproduction"), Field("origin", "generated"))
    )
    assert parse("unknown:field") == Phrase(("unknown", "field"))
    assert parse("e-mail") == Phrase(("e", "mail"))
    assert parse("ferr*") == Term("ferr", prefix=True)
    assert parse("((a)") == Term("a")
    assert parse(") OR (") is None


def test_dates() -> None:
    utc = UTC
    assert date_range("2023") == (datetime(2023, 1, 1, tzinfo=utc), datetime(2024, 1, 1, tzinfo=utc))
    assert date_range("2023-12") == (datetime(2023, 12, 1, tzinfo=utc), datetime(2024, 1, 1, tzinfo=utc))
    assert date_range("2023-02-28") == (datetime(2023, 2, 28, tzinfo=utc), datetime(2023, 3, 1, tzinfo=utc))
    assert date_range("2023-01..2023-03") == (datetime(2023, 1, 1, tzinfo=utc), datetime(2023, 4, 1, tzinfo=utc))
    assert date_range(">2023") == (datetime(2024, 1, 1, tzinfo=utc), None)
    assert date_range("..2023") == (None, datetime(2024, 1, 1, tzinfo=utc))
    for bad in ("2023-13", "yesterday", "2023-02-30"):
        with pytest.raises(QueryError):
            date_range(bad)


def test_limits() -> None:
    with pytest.raises(QueryError):
        parse("x" * 5000)
    with pytest.raises(QueryError):
        parse("(" * 100 + "a")
    with pytest.raises(QueryError):
        parse("NOT " * 100 + "a")


def test_engine_syntax_is_quoted() -> None:
    node = parse('a "b c" -d (e OR f*)')
    assert _fts5(node) == '(("a" AND "b c" AND ("e" OR "f"*)) NOT "d")'
    assert _tsquery(node) == "('a' & ('b' <-> 'c') & !('d') & ('e' | 'f':*))"
    assert _fts5(parse("NOT a")) is None  # FTS5 cannot negate alone: compiled as SQL NOT IN instead


@given(st.text(max_size=200))
def test_parse_never_crashes_and_words_are_plain(text: str) -> None:
    try:
        node = parse(text)
    except QueryError:
        return
    for w in positive_words(node):
        assert w and all(ch.isalnum() or ch == "_" for ch in w)
    if node is not None:
        # Compiles on both dialects without touching a database.
        for dialect in ("sqlite", "postgresql"):
            with contextlib.suppress(QueryError):
                compile_node(node, dialect)
