"""The ChatGPT export adapter: tree order, the visible path, content types, and broken trees."""

from __future__ import annotations

import copy

import orjson
import pytest
from ingest_helpers import chatgpt_conversation, convert, node


def _one(conv: dict) -> tuple[list, list]:
    return convert("chatgpt", orjson.dumps([conv]))


def test_tree_order_branches_and_active_path() -> None:
    convs, bad = _one(chatgpt_conversation())
    assert not bad
    (c,) = convs
    assert [m.node_id for m in c.messages] == ["u1", "a1", "a1b", "u2", "a2"]
    assert [m.active for m in c.messages] == [True, False, True, True, True]
    # the hidden empty system node is not stored; its child's parent is the nearest stored ancestor
    assert c.messages[0].parent_id is None
    assert [m.parent_id for m in c.messages[1:]] == ["u1", "u1", "a1b", "u2"]
    assert orjson.loads(c.metadata_json)["nodes_not_stored"] == {"null": 1, "empty": 1}
    assert c.conversation_id == "c1" and c.title == "a title" and c.created_at.year == 2023


def test_order_ignores_create_time() -> None:
    conv = chatgpt_conversation()
    conv["mapping"]["u2"]["message"]["create_time"] = 1.0  # earlier than everything
    conv["mapping"]["a1"]["message"]["create_time"] = None
    (c,), _ = _one(conv)
    assert [m.node_id for m in c.messages] == ["u1", "a1", "a1b", "u2", "a2"]
    assert c.messages[1].created_at is None


@pytest.mark.parametrize("current", [None, "no-such-node"])
def test_missing_current_node_falls_back_to_last_child(current: str | None) -> None:
    conv = chatgpt_conversation(current=current)
    if current is None:
        del conv["current_node"]
    stats: dict = {}
    from sealroom.ingest.adapters import adapter_for
    from sealroom.step import Stats

    stats = Stats()
    (c,) = list(adapter_for("chatgpt").records(orjson.dumps(conv), "0" * 64, stats))
    assert [m.node_id for m in c.messages if m.active] == ["u1", "a1b", "u2", "a2"]
    assert orjson.loads(c.metadata_json)["current_node_fallback"] == ("missing" if current is None else "unknown")
    assert stats["chatgpt.current_node_fallback"] == 1


def test_current_node_on_a_branch() -> None:
    (c,), _ = _one(chatgpt_conversation(current="a1"))
    assert [m.node_id for m in c.messages if m.active] == ["u1", "a1"]


def test_single_conversation_object_and_conversation_id_field() -> None:
    conv = chatgpt_conversation(cid="x", conversation_id="real-id", default_model_slug="gpt-4o", is_archived=True)
    convs, _ = convert("chatgpt", orjson.dumps(conv))
    assert convs[0].conversation_id == "real-id"
    assert convs[0].model == "gpt-4o"
    meta = orjson.loads(convs[0].metadata_json)
    assert meta["default_model_slug"] == "gpt-4o" and meta["is_archived"] is True
    assert meta["_ingest"]["position"] == "line 1, byte 0"


def test_content_types_mapped() -> None:
    conv = chatgpt_conversation()
    m = conv["mapping"]
    m["a1"]["message"]["content"] = {"content_type": "code", "language": "python", "text": "print(1)"}
    m["a1"]["message"]["recipient"] = "python"
    m["a1b"]["message"]["content"] = {
        "content_type": "thoughts",
        "thoughts": [{"summary": "Plan", "content": "think"}],
        "source_analysis_msg_id": "z",
    }
    m["u2"]["message"]["content"] = {
        "content_type": "multimodal_text",
        "parts": [
            {"content_type": "image_asset_pointer", "asset_pointer": "file-service://abc", "width": 10},
            "look at this",
            {"content_type": "audio_transcription", "text": "spoken words", "direction": "in"},
        ],
    }
    m["a2"]["message"]["author"] = {"role": "tool", "name": "python", "metadata": {}}
    m["a2"]["message"]["content"] = {"content_type": "execution_output", "text": "1"}
    m["a2"]["message"]["metadata"] = {"is_visually_hidden_from_conversation": True, "attachments": [{"id": "f"}]}
    (c,), bad = _one(conv)
    assert not bad
    by_id = {x.node_id: x for x in c.messages}
    assert by_id["a1"].content == "print(1)"
    meta = orjson.loads(by_id["a1"].metadata_json)
    assert meta["content_type"] == "code" and meta["language"] == "python" and meta["recipient"] == "python"
    assert by_id["a1b"].content == "Plan\nthink"
    assert by_id["u2"].content == "[image]\nlook at this\nspoken words"
    meta = orjson.loads(by_id["u2"].metadata_json)
    assert meta["assets"][0]["asset_pointer"] == "file-service://abc"
    assert by_id["a2"].role == "tool"
    meta = orjson.loads(by_id["a2"].metadata_json)
    assert meta["author_name"] == "python" and meta["hidden"] is True
    assert meta["metadata"]["attachments"] == [{"id": "f"}]


@pytest.mark.parametrize(
    ("content", "text"),
    [
        ({"content_type": "tether_quote", "url": "u", "domain": "d", "title": "t", "text": "quoted"}, "quoted"),
        ({"content_type": "tether_browsing_display", "result": "page", "summary": None}, "page"),
        ({"content_type": "reasoning_recap", "content": "Thought for 3s"}, "Thought for 3s"),
        ({"content_type": "system_error", "name": "tool_error", "text": "failed"}, "failed"),
        ({"content_type": "user_editable_context", "user_profile": "p", "user_instructions": "i"}, "p\n\ni"),
        ({"content_type": "some_future_type", "text": "kept"}, "kept"),
    ],
)
def test_other_content_types(content: dict, text: str) -> None:
    conv = chatgpt_conversation()
    conv["mapping"]["a2"]["message"]["content"] = content
    (c,), bad = _one(conv)
    assert not bad
    last = c.messages[-1]
    assert last.content == text
    assert orjson.loads(last.metadata_json)["content_type"] == content["content_type"]


def test_empty_assistant_placeholder_is_counted_not_stored() -> None:
    conv = chatgpt_conversation()
    conv["mapping"]["a2"]["message"]["content"] = {"content_type": "text", "parts": [""]}
    (c,), _ = _one(conv)
    assert [m.node_id for m in c.messages] == ["u1", "a1", "a1b", "u2"]
    assert orjson.loads(c.metadata_json)["nodes_not_stored"]["empty"] == 2


def _broken(mutate) -> tuple[str, str]:
    conv = chatgpt_conversation()
    mutate(conv)
    convs, bad = _one(conv)
    assert not convs and len(bad) == 1
    assert "text of" not in bad[0].reason  # reasons name nodes and fields, never content
    return bad[0].code, bad[0].reason


def test_cycle_is_quarantined() -> None:
    def cycle(conv: dict) -> None:
        m = conv["mapping"]
        m["u1"]["parent"] = "a2"
        m["a2"]["children"] = ["u1"]
        m["sys"]["children"] = []

    code, reason = _broken(cycle)
    assert code == "tree_cycle" and "ancestor" in reason


def test_self_loop_is_quarantined() -> None:
    def loop(conv: dict) -> None:
        conv["mapping"]["a2"]["children"] = ["a2"]

    assert _broken(loop)[0] == "tree_cycle"


def test_dangling_parent_is_quarantined() -> None:
    def dangle(conv: dict) -> None:
        conv["mapping"]["u2"]["parent"] = "gone"

    code, reason = _broken(dangle)
    assert code == "dangling_parent" and "u2" in reason


def test_dangling_child_is_quarantined() -> None:
    def dangle(conv: dict) -> None:
        conv["mapping"]["u2"]["children"].append("gone")

    assert _broken(dangle)[0] == "dangling_child"


@pytest.mark.parametrize("part", [42, None, ["nested"], {"content_type": "image_asset_pointer"}])
def test_non_string_parts_in_text_are_quarantined(part) -> None:
    def bad_part(conv: dict) -> None:
        conv["mapping"]["u2"]["message"]["content"] = {"content_type": "text", "parts": ["ok", part]}

    code, reason = _broken(bad_part)
    assert code == "non_string_part" and "u2" in reason


def test_non_string_part_in_multimodal_is_quarantined() -> None:
    def bad_part(conv: dict) -> None:
        conv["mapping"]["u2"]["message"]["content"] = {"content_type": "multimodal_text", "parts": [3.5]}

    assert _broken(bad_part)[0] == "non_string_part"


@pytest.mark.parametrize("role", ["critic", "", None, 7])
def test_unknown_role_is_quarantined(role) -> None:
    def bad_role(conv: dict) -> None:
        conv["mapping"]["a2"]["message"]["author"]["role"] = role

    code, reason = _broken(bad_role)
    assert code == "unknown_role" and "a2" in reason


def test_bad_timestamp_is_quarantined() -> None:
    def bad_time(conv: dict) -> None:
        conv["create_time"] = {"not": "a time"}

    assert _broken(bad_time)[0] == "invalid_field"


def test_one_bad_conversation_does_not_affect_its_neighbours() -> None:
    good = chatgpt_conversation(cid="good")
    bad = copy.deepcopy(chatgpt_conversation(cid="bad"))
    bad["mapping"]["u2"]["parent"] = "gone"
    convs, quarantined = convert("chatgpt", orjson.dumps([good, bad, chatgpt_conversation(cid="good2")]))
    assert [c.conversation_id for c in convs] == ["good", "good2"]
    assert [q.position.record_index for q in quarantined] == [1]
    assert quarantined[0].position.label.startswith("record 1, byte ")


def test_root_only_conversation_is_kept_with_no_messages() -> None:
    conv = {"id": "empty", "mapping": {"r": node("r", None, [])}, "current_node": "r", "title": None}
    (c,), _ = _one(conv)
    assert c.messages == []
