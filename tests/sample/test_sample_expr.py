from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_holds import conversation

from sealroom.errors import ConfigError
from sealroom.sample.expr import parse_field, parse_where, stratum_values
from sealroom.schema import conversations_to_table

CONVS = [conversation(i) for i in range(200)]
TABLE = conversations_to_table(CONVS)


def where(expr: str) -> list[bool | None]:
    return parse_where(expr, TABLE.schema).evaluate(TABLE).to_pylist()


def sql_ne(a: object, b: object) -> bool | None:
    return None if a is None else a != b


@pytest.mark.parametrize(
    ("expr", "reference"),
    [
        ("account_type != 'business'", lambda c: sql_ne(c.account_type, "business")),
        ('account_type = "consumer"', lambda c: None if c.account_type is None else c.account_type == "consumer"),
        ("account_type is null", lambda c: c.account_type is None),
        (
            "account_type is not null and model in ('gpt-4', 'gpt-4o')",
            lambda c: c.account_type is not None and c.model in ("gpt-4", "gpt-4o"),
        ),
        ("model not in ('gpt-4')", lambda c: c.model != "gpt-4"),
        (
            "created_at >= '2023-07-01'",
            lambda c: None if c.created_at is None else c.created_at >= datetime(2023, 7, 1, tzinfo=UTC),
        ),
        (
            "created_at < '2024-01-01T00:00:00+00:00'",
            lambda c: None if c.created_at is None else c.created_at < datetime(2024, 1, 1, tzinfo=UTC),
        ),
        (
            "month(created_at) = '2024-03'",
            lambda c: None if c.created_at is None else c.created_at.strftime("%Y-%m") == "2024-03",
        ),
        ("year(created_at) >= 2024", lambda c: None if c.created_at is None else c.created_at.year >= 2024),
        (
            "date(created_at) = '2023-02-03'",
            lambda c: None if c.created_at is None else c.created_at.date().isoformat() == "2023-02-03",
        ),
        ("len(messages) > 1", lambda c: len(c.messages) > 1),
        ("not (len(messages) = 1 or model = 'gpt-4')", lambda c: not (len(c.messages) == 1 or c.model == "gpt-4")),
        ("'gpt-4' = model", lambda c: c.model == "gpt-4"),
        ("source = 'synthetic' AND NOT model = 'gpt-4o'", lambda c: c.model != "gpt-4o"),
    ],
)
def test_expressions_match_a_python_reference(expr: str, reference) -> None:  # type: ignore[no-untyped-def]
    assert where(expr) == [reference(c) for c in CONVS]


def test_derived_stratum_fields() -> None:
    month = stratum_values(parse_field("month(created_at)", TABLE.schema), TABLE).to_pylist()
    assert month == [None if c.created_at is None else c.created_at.strftime("%Y-%m") for c in CONVS]
    year = stratum_values(parse_field("year(created_at)", TABLE.schema), TABLE).to_pylist()
    assert year == [None if c.created_at is None else str(c.created_at.year) for c in CONVS]
    assert stratum_values(parse_field("account_type", TABLE.schema), TABLE).to_pylist() == [
        c.account_type for c in CONVS
    ]


@pytest.mark.parametrize(
    ("expr", "fragment"),
    [
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('true')", "unexpected character '.'"),
        ("model.lower() = 'x'", "unexpected character '.'"),
        ("account_type", "expected a comparison operator"),
        ("len(messages) + 1 > 2", "unexpected character '+'"),
        ("model = 'a' ; drop", "unexpected character ';'"),
        ("nope = 1", "unknown column 'nope'"),
        ("account_type = 3", "does not fit account_type"),
        ("messages = 'x'", "cannot be compared"),
        ("1 = 1", "needs a column"),
        ("created_at > 'yesterday'", "does not fit created_at"),
        ("month(model) = 'x'", "does not apply to column 'model'"),
        ("model = 'a' and", "expected a column"),
        ("(model = 'a'", "expected ')'"),
        ("model in 'a'", "expected '('"),
        ("model = model and", "expected a column"),
        ("   ", "empty"),
        ("model = 'x' model = 'y'", "unexpected token"),
        ("title = created_at", "cannot compare"),
    ],
)
def test_anything_but_comparisons_is_refused_naming_the_parameter(expr: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        where(expr)
    assert "--where" in str(err.value)
    assert fragment in str(err.value)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_arbitrary_input_either_parses_or_fails_cleanly(text: str) -> None:
    try:
        parse_where(text, TABLE.schema).evaluate(TABLE)
    except ConfigError as exc:
        assert "--where" in str(exc)


def test_stratify_field_errors_name_the_parameter() -> None:
    with pytest.raises(ConfigError, match="--stratify: unknown column 'plan'"):
        parse_field("plan", TABLE.schema)
    with pytest.raises(ConfigError, match="--stratify: expected a column"):
        parse_field("'x'", TABLE.schema)
    with pytest.raises(ConfigError, match="--stratify: unexpected token"):
        parse_field("model = 'x'", TABLE.schema)
    with pytest.raises(ConfigError, match="--stratify: 'title' holds conversation text"):
        parse_field("title", TABLE.schema)
    assert parse_field("len(title)", TABLE.schema).columns() == {"title"}  # a length is not the text


def test_empty_table_evaluates() -> None:
    empty = TABLE.slice(0, 0)
    assert parse_where("model = 'gpt-4'", TABLE.schema).evaluate(empty).to_pylist() == []
    assert isinstance(stratum_values(parse_field("month(created_at)", TABLE.schema), empty), pa.ChunkedArray)
