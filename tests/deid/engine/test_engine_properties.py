"""Property tests: valid log offsets, idempotence on the engine's own output, arbitrary Unicode."""

from __future__ import annotations

from datetime import UTC

import orjson
from engine_standin import NAMES, StandInAnalyzer, chat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealroom.deid.engine import Deidentifier, DeidResult
from sealroom.deid.policy import default_policy
from sealroom.keys import SecretKey
from sealroom.schema import Conversation

ENGINE = Deidentifier(SecretKey(b"p" * 32, "t"), default_policy(), StandInAnalyzer(roles=("user",)))

pii = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.upper),
    st.sampled_from(NAMES).map(lambda n: n.split()[0] + "'s"),
    st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.(com|org|de)", fullmatch=True),
    st.from_regex(r"\+[1-9]\d{1,2} \d{3} \d{3} \d{4}", fullmatch=True),
    st.integers(1, 99).map(lambda n: f"{n} years old"),
    st.dates().map(lambda d: d.isoformat()),
)
noise = st.text(max_size=40)
turn = st.lists(st.one_of(pii, noise), max_size=8).map(" ".join)


@st.composite
def conversations(draw: st.DrawFn) -> Conversation:
    turns = draw(st.lists(turn, min_size=1, max_size=4))
    meta = draw(st.one_of(st.none(), st.builds(lambda ip, note: orjson.dumps({"ip": ip, "note": note}).decode(),
                                                 st.ip_addresses().map(str), turn)))  # fmt: skip
    return chat(
        "c-prop",
        *turns,
        title=draw(st.one_of(st.none(), turn)),
        user_key=draw(st.one_of(st.none(), st.text(min_size=1, max_size=12))),
        metadata_json=meta,
        created_at=draw(st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))),
    )


def check_log(conv: Conversation, result: DeidResult) -> None:
    texts = {(m.index, "content"): m.content for m in conv.messages}
    outs = {(m.index, "content"): m.content for m in result.conversation.messages}
    last_end: dict[tuple[int, str], int] = {}
    for row in result.replacements:
        where = (row["message_index"], row["field"])
        if where not in texts:
            continue
        src, out = texts[where], outs[where]
        assert 0 <= row["start"] < row["end"] <= len(src)
        assert 0 <= row["out_start"] <= row["out_end"] <= len(out)
        assert row["start"] >= last_end.get(where, 0), "log rows overlap"
        last_end[where] = row["end"]
        shown = out[row["out_start"] : row["out_end"]]
        assert shown == (row["replacement"] or src[row["start"] : row["end"]])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(conversations())
def test_log_offsets_valid_and_output_idempotent(conv: Conversation) -> None:
    first = ENGINE.deidentify(conv)
    check_log(conv, first)
    second = ENGINE.deidentify(first.conversation)
    assert [m.content for m in second.conversation.messages] == [m.content for m in first.conversation.messages]
    assert second.conversation == first.conversation


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=3), st.one_of(st.none(), st.text()))
def test_arbitrary_unicode_never_crashes(turns: list[str], metadata: str | None) -> None:
    conv = chat("c-uni", *turns, metadata_json=metadata, title=metadata)
    result = ENGINE.deidentify(conv)
    check_log(conv, result)
