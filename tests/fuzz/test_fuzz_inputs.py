"""Fuzzing the two places untrusted text enters: every ingest adapter and the de-identifier.

CI runs a small number of cases; the documented long run (docs/fuzzing.md) sets
``SEALROOM_FUZZ_EXAMPLES`` so the four targets together see ≥100,000 cases. Each case must end in a
conversation or a quarantine with a known reason code — never an exception.
"""

from __future__ import annotations

import os

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealroom.deid.analyzer import Analyzer
from sealroom.deid.engine import Deidentifier, DeidResult, Quarantined
from sealroom.deid.policy import default_policy
from sealroom.ingest.adapters import all_adapters
from sealroom.ingest.records import REASON_CODES
from sealroom.ingest.records import Quarantined as IngestQuarantined
from sealroom.keys import SecretKey
from sealroom.schema import Conversation, Message

EXAMPLES = int(os.environ.get("SEALROOM_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
ADAPTERS = all_adapters()

# text a chat log can really contain: any code point (surrogates aside), lots of structure
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
pii_like = st.sampled_from(
    ["Jane Smith", "jane.smith@example.com", "+44 20 7946 0958", "4111 1111 1111 1111", "10 Downing St",
     "192.168.0.1", "https://x.example/u/jane?token=abc", "DE89 3704 0044 0532 0130 00", "my name is Ann"]
)  # fmt: skip
chat_text = st.lists(any_text | pii_like, max_size=6).map(" ".join)
keys = st.sampled_from(
    ["messages", "role", "content", "mapping", "current_node", "parent", "children", "message", "author",
     "parts", "content_type", "conversations", "from", "value", "conversation", "conversation_hash", "id"]
)  # fmt: skip
json_like = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | any_text
    | st.sampled_from(["user", "assistant", "system", "tool", "human", "gpt", "text"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys | st.text(max_size=8), inner, max_size=5),
    max_leaves=30,
)  # fmt: skip


def _ingest_case(data: bytes) -> None:
    for adapter in ADAPTERS:
        for item in adapter.records(data, "0" * 64):
            if isinstance(item, IngestQuarantined):
                assert item.code in REASON_CODES and item.reason
            else:
                assert isinstance(item, Conversation)


@FUZZ
@given(st.binary(max_size=600))
def test_ingest_arbitrary_bytes(data: bytes) -> None:
    _ingest_case(data)


@FUZZ
@given(st.lists(json_like, max_size=4), st.booleans())
def test_ingest_format_shaped_json(values: list[object], as_lines: bool) -> None:
    data = b"\n".join(orjson.dumps(v) for v in values) if as_lines else orjson.dumps(values)
    _ingest_case(data)


@FUZZ
@given(st.binary(max_size=300), st.integers(0, 299))
def test_ingest_truncated_and_corrupted_records(noise: bytes, cut: int) -> None:
    record = orjson.dumps(
        {"messages": [{"role": "user", "content": "hello Jane"}, {"role": "assistant", "content": "hi"}]}
    )
    _ingest_case(record[:cut] + noise + record[cut:])


@pytest.fixture(scope="module")
def deidentifier() -> Deidentifier:
    return Deidentifier(SecretKey(b"fuzz-key-0123456789abcdef", "test"), default_policy(), Analyzer())


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(["user", "assistant", "system", "tool"]), chat_text), min_size=1, max_size=4))
def test_deidentifier_never_raises_and_offsets_stay_valid(
    deidentifier: Deidentifier, turns: list[tuple[str, str]]
) -> None:
    conv = Conversation(
        "fuzz",
        "fuzz",
        messages=[Message(i, f"n{i}", None, role, text) for i, (role, text) in enumerate(turns)],
    )
    (out,) = list(deidentifier.deidentify_many([conv], {}, {}))
    if isinstance(out, Quarantined):
        assert out.code and out.reason
        return
    assert isinstance(out, DeidResult)
    for row in out.replacements:
        if row["field"] != "content":
            continue
        text = out.conversation.messages[row["message_index"]].content
        assert 0 <= row["out_start"] <= row["out_end"] <= len(text)
        assert text[row["out_start"] : row["out_end"]] == row["replacement"]
