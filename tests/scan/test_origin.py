"""Origin attribution end to end: user, pasted, continued, generated; multi-turn and branches."""

from __future__ import annotations

import pytest
from scan_helpers import chat, write_conversations

from sealroom.dataset import Dataset
from sealroom.scan import scan
from sealroom.scan.normalize import tokenize
from sealroom.scan.origin import MessageRef, ancestors


def words_of(text: str, first: int, last: int) -> str:
    t = tokenize(text)
    return text[int(t.starts[first]) : int(t.ends[last - 1])]


@pytest.fixture(scope="module")
def hits(tmp_path_factory, corpus_index, articles) -> dict[str, list[dict]]:
    a = articles["art-001"]
    b = articles["art-002"]
    opening, rest = words_of(a, 0, 40), words_of(a, 40, 120)
    convs = [
        chat("user-only", ("user", f"Summarize this:\n{words_of(a, 0, 80)}"), ("assistant", "It is about things.")),
        chat("pasted", ("user", f"Fix the grammar:\n{opening}"), ("assistant", f"Sure:\n{opening}")),
        chat("continued", ("user", f"Continue this article:\n{opening}"), ("assistant", rest)),
        chat("generated", ("user", "What did the paper print that day?"), ("assistant", words_of(b, 100, 160))),
        # multi-turn: the opening is pasted in turn 1, the rest is asked for in turn 3
        chat("multi", ("user", opening), ("assistant", "Got it."), ("user", "Now go on, please."), ("assistant", rest)),
        # the reply repeats the pasted opening, then continues: split into pasted + continued
        chat("split", ("user", opening), ("assistant", words_of(a, 0, 120))),
        # the paste is on an abandoned branch (message 2 is an edit of message 0): not in the prompt
        chat(
            "branch",
            ("user", opening),
            ("assistant", "ok"),
            ("user", "Tell me the article."),
            ("assistant", rest),
            branches={2: -1, 3: 2},
        ),
        chat("nothing", ("user", "hello"), ("assistant", "Hi! How can I help?")),
    ]
    ds = write_conversations(tmp_path_factory.mktemp("origin") / "ds", convs, per_shard=3)
    out = tmp_path_factory.mktemp("origin") / "hits"
    scan(ds, corpus_index.path, out, runner=None, show_progress=False)
    rows = Dataset.open(out).read().to_pylist()
    by: dict[str, list[dict]] = {}
    for r in rows:
        by.setdefault(r["conversation_id"], []).append(r)
    return by


def origins(rows: list[dict]) -> list[tuple[int, str]]:
    return sorted((r["message_index"], r["origin"]) for r in rows)


def test_user(hits) -> None:
    assert origins(hits["user-only"]) == [(0, "user")]


def test_pasted(hits) -> None:
    assert origins(hits["pasted"]) == [(0, "user"), (1, "pasted")]


def test_continued(hits) -> None:
    assert origins(hits["continued"]) == [(0, "user"), (1, "continued")]


def test_generated(hits) -> None:
    assert origins(hits["generated"]) == [(1, "generated")]
    (h,) = hits["generated"]
    assert h["article_id"] == "art-002" and h["words"] == 60 and h["kind"] == "verbatim"


def test_multi_turn_continued(hits) -> None:
    assert origins(hits["multi"]) == [(0, "user"), (3, "continued")]


def test_split_into_pasted_and_continued(hits) -> None:
    rows = sorted(hits["split"], key=lambda r: (r["message_index"], r["start"]))
    assert [(r["message_index"], r["origin"], r["words"]) for r in rows] == [
        (0, "user", 40),
        (1, "pasted", 40),
        (1, "continued", 80),
    ]
    assert rows[1]["end"] <= rows[2]["start"]


def test_branch_not_in_prompt(hits) -> None:
    assert origins(hits["branch"]) == [(0, "user"), (3, "generated")]


def test_no_hits(hits) -> None:
    assert "nothing" not in hits


def test_ancestors_flat_and_tree() -> None:
    flat = [MessageRef(i, f"n{i}", None, "user") for i in range(3)]
    assert ancestors(flat) == {0: [], 1: [0], 2: [0, 1]}
    tree = [
        MessageRef(0, "a", None, "user"),
        MessageRef(1, "b", "a", "assistant"),
        MessageRef(2, "c", "a", "user"),
        MessageRef(3, "d", "c", "assistant"),
    ]
    assert ancestors(tree) == {0: [], 1: [0], 2: [0], 3: [2, 0]}
    cyclic = [MessageRef(0, "a", "b", "user"), MessageRef(1, "b", "a", "user")]
    assert ancestors(cyclic) == {0: [1], 1: [0]}
