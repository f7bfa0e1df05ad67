"""Property tests: arbitrary bytes and arbitrary JSON never crash an adapter, and every conversation
an adapter produces survives the Arrow round trip through ``sealroom.schema``."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_helpers import chatgpt_conversation

from sealroom.ingest.adapters import all_adapters
from sealroom.ingest.arrow import build_table
from sealroom.ingest.framing import Scan
from sealroom.ingest.records import REASON_CODES, Quarantined
from sealroom.schema import Conversation, Message, conversations_to_table, table_to_conversations

ADAPTERS = all_adapters()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=25,
)
# records that look like the formats, with arbitrary values where the fields go
keys = st.sampled_from(
    ["messages", "role", "content", "mapping", "current_node", "parent", "children", "message", "author",
     "parts", "content_type", "conversations", "from", "value", "conversation", "conversation_hash",
     "conversation_id", "id", "timestamp", "create_time", "text", "type"]
)  # fmt: skip
shaped = st.recursive(
    st.none()
    | st.integers(-(2**63), 2**63 - 1)
    | st.text(max_size=10)
    | st.sampled_from(["user", "assistant", "text", "tool"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=5),
    max_leaves=30,
)


def _check(adapter, data: bytes) -> list:
    items = list(adapter.records(data, "0" * 64))
    for item in items:
        if isinstance(item, Quarantined):
            assert item.code in REASON_CODES and item.reason
        else:
            assert isinstance(item, Conversation)
            _round_trip([item])
    return items


def _round_trip(convs: list[Conversation]) -> None:
    table = build_table(convs)
    assert table.equals(conversations_to_table(convs))
    assert table_to_conversations(table) == convs


@SETTINGS
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    for adapter in ADAPTERS:
        _check(adapter, data)
    list(Scan(data).records())


@SETTINGS
@given(json_values)
def test_arbitrary_json_never_crashes(value) -> None:
    data = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    for adapter in ADAPTERS:
        items = _check(adapter, data)
        if not isinstance(value, dict | list):
            assert all(isinstance(i, Quarantined) for i in items)


@SETTINGS
@given(st.lists(shaped, max_size=4))
def test_format_shaped_json_never_crashes(values) -> None:
    for framing in (orjson.dumps(values), b"\n".join(orjson.dumps(v) for v in values)):
        for adapter in ADAPTERS:
            _check(adapter, framing)


@SETTINGS
@given(st.data())
def test_mutated_chatgpt_trees_are_converted_or_quarantined(data) -> None:
    conv = chatgpt_conversation()
    nodes = list(conv["mapping"])
    for _ in range(data.draw(st.integers(0, 3))):
        nid = data.draw(st.sampled_from(nodes))
        field = data.draw(st.sampled_from(["parent", "children", "message"]))
        choices = {
            "parent": st.sampled_from([None, "gone", *nodes]),
            "children": st.lists(st.sampled_from([*nodes, "x"]), max_size=3),
            "message": shaped,
        }
        conv["mapping"][nid][field] = data.draw(choices[field])
    (item,) = _check(ADAPTERS[0], orjson.dumps(conv))
    if isinstance(item, Conversation):
        assert len({m.node_id for m in item.messages}) == len(item.messages)


@SETTINGS
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5), st.booleans())
def test_text_round_trips_exactly(texts: list[str], pretty: bool) -> None:
    record = {"messages": [{"role": "user", "content": t} for t in texts]}
    data = orjson.dumps(record, option=orjson.OPT_INDENT_2 if pretty else 0)
    (conv,) = _check(
        ADAPTERS[-1]
        if ADAPTERS[-1].short == "openai-jsonl"
        else next(a for a in ADAPTERS if a.short == "openai-jsonl"),
        data,
    )
    assert [m.content for m in conv.messages] == texts


timestamps = st.none() | st.datetimes(min_value=datetime(1970, 1, 1), timezones=st.just(UTC))
opt_text = st.none() | st.text(max_size=15)
messages = st.builds(
    Message,
    index=st.integers(0, 1000),
    node_id=st.text(max_size=8),
    parent_id=opt_text,
    role=st.sampled_from(["system", "user", "assistant", "tool"]),
    content=st.text(max_size=40),
    created_at=timestamps,
    model=opt_text,
    active=st.booleans(),
    metadata_json=opt_text,
)
conversations = st.builds(
    Conversation,
    conversation_id=st.text(max_size=10),
    source=st.sampled_from(["chatgpt", "sharegpt"]),
    created_at=timestamps,
    updated_at=timestamps,
    user_key=opt_text,
    account_type=opt_text,
    model=opt_text,
    language=opt_text,
    title=opt_text,
    metadata_json=opt_text,
    messages=st.lists(messages, max_size=4),
)


@SETTINGS
@given(st.lists(conversations, max_size=5))
def test_columnar_builder_round_trips_through_the_schema(convs: list[Conversation]) -> None:
    _round_trip(convs)
