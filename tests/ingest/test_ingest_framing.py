"""Record framing: whatever way a list of objects is laid out, the scan finds exactly its records."""

from __future__ import annotations

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.ingest.framing import Scan

texts = st.text(alphabet=st.sampled_from('ab"\\{}[],: \n\té'), max_size=12)
objects = st.dictionaries(
    texts,
    st.recursive(st.none() | st.integers(-(2**40), 2**40) | texts, lambda i: st.lists(i, max_size=3), max_leaves=6),
    max_size=4,
)
blank = st.sampled_from(["", " ", "\n", "\r\n", "\t  "])


@settings(max_examples=150, deadline=None)
@given(st.lists(objects, max_size=6), st.sampled_from(["array", "jsonl", "pretty", "concat"]), blank, st.booleans())
def test_every_layout_yields_exactly_the_records(records: list[dict], layout: str, ws: str, bom: bool) -> None:
    if layout == "array":
        data = b"[" + ws.encode() + f"{ws},{ws}".encode().join(orjson.dumps(r) for r in records) + b"]"
    elif layout == "jsonl":
        data = b"".join(orjson.dumps(r) + b"\n" for r in records)
    elif layout == "pretty":
        data = b"\n".join(orjson.dumps(r, option=orjson.OPT_INDENT_2) for r in records)
    else:
        data = ws.encode().join(orjson.dumps(r) for r in records)
    data = (b"\xef\xbb\xbf" if bom else b"") + data
    segments = list(Scan(data).records())
    assert [orjson.loads(data[s.start : s.end]) for s in segments] == records
    assert all(s.complete and not s.junk_before and not s.is_junk for s in segments)


def test_escaped_quotes_and_backslash_runs() -> None:
    data = b'[{"a": "x\\\\"}, {"b": "\\"]}"}, {"c": "\\\\\\"{"}]'
    assert [orjson.loads(data[s.start : s.end]) for s in Scan(data).records()] == [
        {"a": "x\\"},
        {"b": '"]}'},
        {"c": '\\"{'},
    ]


def test_truncated_array_marks_the_last_element_incomplete() -> None:
    data = orjson.dumps([{"a": 1}, {"b": [1, 2, 3]}])[:-6]
    first, last = Scan(data).records()
    assert first.complete and not last.complete and data[first.start : first.end] == b'{"a":1}'


def test_line_reframing_after_a_stray_bracket() -> None:
    data = b'{"a":1}}\n{"b":2}\n'
    segments = list(Scan(data).records())
    assert [data[s.start : s.end] for s in segments] == [b'{"a":1}', b"}", b'{"b":2}']
    assert [s.by_line for s in segments] == [False, True, True]
