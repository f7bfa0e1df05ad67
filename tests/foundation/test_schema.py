from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.schema import (
    CONVERSATION_SCHEMA,
    ROLES,
    Conversation,
    Message,
    conversations_to_table,
    table_to_conversations,
)

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
opt_text = st.none() | text
timestamps = st.none() | st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=d.microsecond))

messages = st.builds(
    Message,
    index=st.integers(0, 2**31 - 1),
    node_id=text,
    parent_id=opt_text,
    role=st.sampled_from(ROLES),
    content=text,
    created_at=timestamps,
    model=opt_text,
    active=st.booleans(),
    metadata_json=opt_text,
)
conversations = st.builds(
    Conversation,
    conversation_id=text,
    source=text,
    created_at=timestamps,
    updated_at=timestamps,
    user_key=opt_text,
    account_type=opt_text,
    model=opt_text,
    language=opt_text,
    title=opt_text,
    metadata_json=opt_text,
    messages=st.lists(messages, max_size=5),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(conversations, max_size=5))
def test_round_trip_is_lossless(convs: list[Conversation]) -> None:
    table = conversations_to_table(convs)
    assert table.schema == CONVERSATION_SCHEMA
    assert table_to_conversations(table) == convs


def test_content_is_large_string_so_huge_messages_fit() -> None:
    content_type = CONVERSATION_SCHEMA.field("messages").type.value_type.field("content").type
    assert content_type == pa.large_string()


def test_active_messages_keeps_only_the_visible_path() -> None:
    c = Conversation(
        "c1",
        "src",
        messages=[
            Message(0, "a", None, "user", "q"),
            Message(1, "b", "a", "assistant", "first answer", active=False),
            Message(2, "c", "a", "assistant", "regenerated answer"),
        ],
    )
    assert [m.node_id for m in c.active_messages()] == ["a", "c"]
