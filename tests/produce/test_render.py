from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.produce.errors import ProductionError
from sealroom.produce.inputs import remap_offset, remap_rows
from sealroom.produce.render import _markers, format_time, render_document


def conv(content: str) -> dict[str, Any]:
    m = {
        "index": 0,
        "node_id": "n",
        "parent_id": None,
        "role": "user",
        "content": content,
        "created_at": None,
        "model": None,
        "active": True,
        "metadata_json": None,
    }
    return {
        "conversation_id": "secret-id-123",
        "source": "t",
        "created_at": None,
        "updated_at": None,
        "user_key": None,
        "account_type": None,
        "model": None,
        "language": None,
        "title": None,
        "metadata_json": None,
        "messages": [m],
    }


def render(content: str, **kw: Any):
    args: dict[str, Any] = {"hits": [], "replacements": [], "signals": []} | kw
    return render_document(
        conv(content), bates="ABC0000001", docid="d" * 32, designation="AEO", timestamps="full", **args
    )


def test_markers_nest_and_empty_spans_stay_in_place() -> None:
    text = "abcdefgh"
    spans = [(1, 7, "<A>", "</A>"), (2, 4, "<B>", "</B>"), (4, 4, "<E>", "</E>"), (4, 6, "<C>", "</C>")]
    # the longer span opens first at one position, so an empty span there nests inside it
    assert _markers(text, spans) == "a<A>b<B>cd</B><C><E></E>ef</C>g</A>h"


@given(
    st.text(st.characters(blacklist_characters="\ue000\ue001"), max_size=40),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=6),
)
def test_markers_never_lose_or_reorder_text(text: str, raw: list[tuple[int, int]]) -> None:
    spans = []
    for a, b in raw:
        a, b = sorted((min(a, len(text)), min(b, len(text))))
        spans.append((a, b, "\ue000", "\ue001"))
    marked = _markers(text, spans)
    assert marked.replace("\ue000", "").replace("\ue001", "") == text
    assert marked.count("\ue000") == len(spans) == marked.count("\ue001")


def test_native_document_carries_docid_not_the_conversation_id() -> None:
    doc = render("hello")
    native = orjson.loads(doc.native)
    assert native["docid"] == native["conversation"]["conversation_id"] == "d" * 32
    assert b"secret-id-123" not in doc.native and b"secret-id-123" not in doc.text
    assert native["designation"] == "AEO"
    assert b"ATTORNEYS' EYES ONLY" in doc.text


def test_offsets_outside_the_message_fail_without_quoting_text() -> None:
    rep = {"message_index": 0, "field": "content", "out_start": 2, "out_end": 99, "label": "PERSON"}
    with pytest.raises(ProductionError) as info:
        render("private words", replacements=[rep | {"operator": "redact"}])
    assert "2-99" in str(info.value) and "private" not in str(info.value)
    hit = {"message_index": 7, "start": 0, "end": 1, "article_id": "a", "article_start": 0, "article_end": 1}
    hit |= {"words": 1, "kind": "verbatim", "similarity": 1.0, "origin": "generated"}
    with pytest.raises(ProductionError, match="message 7"):
        render("x", hits=[hit])


def test_timestamp_policies() -> None:
    from datetime import UTC, datetime

    t = datetime(2024, 2, 29, 23, 59, 1, tzinfo=UTC)
    assert format_time(t, "full") == "2024-02-29T23:59:01Z"
    assert format_time(t, "date") == "2024-02-29"
    assert format_time(t, "none") is None
    assert format_time(None, "full") is None


def test_remap_shifts_offsets_past_replacements() -> None:
    # "Call Jane Roe at 5551234 now" -> "Call [P] at [PHONE] now"
    reps = [
        {"field": "content", "message_index": 0, "start": 5, "end": 13, "out_start": 5, "out_end": 8},
        {"field": "content", "message_index": 0, "start": 17, "end": 24, "out_start": 12, "out_end": 19},
    ]
    assert remap_offset(0, reps, "start") == 0
    assert remap_offset(14, reps, "start") == 9  # "at": shifted by len("[P]") - len("Jane Roe")
    assert remap_offset(7, reps, "start") == 5  # inside a replacement: snap outward
    assert remap_offset(7, reps, "end") == 8
    assert remap_offset(28, reps, "end") == 23
    [row] = remap_rows([{"message_index": 0, "start": 25, "end": 28}], reps)
    assert (row["start"], row["end"]) == (20, 23)


@given(st.lists(st.integers(0, 5), min_size=0, max_size=8))
def test_remap_matches_a_real_rewrite(lengths: list[int]) -> None:
    # build an input of words, replace some words by strings of other lengths, check remapped words
    words = [f"w{i}" for i in range(len(lengths) * 2 + 1)]
    original, out, reps, pos_in, pos_out, spans = "", "", [], 0, 0, []
    for i, w in enumerate(words):
        replace = i % 2 == 1 and lengths[i // 2] != 0
        new = "#" * lengths[i // 2] if replace else w
        if replace:
            reps.append(
                {
                    "field": "content",
                    "message_index": 0,
                    "start": pos_in,
                    "end": pos_in + len(w),
                    "out_start": pos_out,
                    "out_end": pos_out + len(new),
                }
            )
        else:
            spans.append((pos_in, pos_in + len(w), pos_out))
        original += w + " "
        out += new + " "
        pos_in += len(w) + 1
        pos_out += len(new) + 1
    for start, end, out_start in spans:
        assert remap_offset(start, reps, "start") == out_start
        assert out[out_start : remap_offset(end, reps, "end")] == original[start:end]
