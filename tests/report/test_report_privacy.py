from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataset_builders import conversation, write_conversations
from sealroom.errors import ConfigError
from sealroom.report import build_report
from sealroom.report.privacy import PrivacyConfig, bounded_counts, suppress


def test_bounded_counts_count_distinct_users_and_clip_their_conversations() -> None:
    pairs = [("alice", "a")] * 500 + [("alice", "b")] * 3 + [("bob", "a"), ("carol", "b")]
    cells = bounded_counts(pairs, PrivacyConfig(min_group_size=1, max_cells_per_user=5, max_conversations_per_user=10))
    assert (cells["a"].users, cells["a"].conversations) == (2, 11)
    assert (cells["b"].users, cells["b"].conversations) == (2, 4)


def test_a_user_counts_in_at_most_max_cells_per_user_cells() -> None:
    pairs = [("alice", f"m{i}") for i in range(12) for _ in range(12 - i)]  # busiest cells first
    cells = bounded_counts(pairs, PrivacyConfig(min_group_size=1, max_cells_per_user=3))
    assert sorted(cells) == ["m0", "m1", "m2"]


@given(
    st.lists(st.tuples(st.integers(0, 30), st.sampled_from("abcdefgh")), max_size=300),
    st.integers(1, 4),
    st.integers(1, 5),
)
def test_one_users_influence_is_bounded(pairs: list[tuple[int, str]], cells_per_user: int, convs_per_user: int) -> None:
    """Removing any one user changes users by at most L in total and conversations by at most L·C."""
    cfg = PrivacyConfig(min_group_size=1, max_cells_per_user=cells_per_user, max_conversations_per_user=convs_per_user)
    full = bounded_counts(pairs, cfg)
    for victim in {u for u, _ in pairs}:
        rest = bounded_counts([p for p in pairs if p[0] != victim], cfg)
        du = sum(abs(full[k].users - (rest[k].users if k in rest else 0)) for k in full)
        dc = sum(abs(full[k].conversations - (rest[k].conversations if k in rest else 0)) for k in full)
        assert du <= cfg.user_sensitivity_l1 and dc <= cfg.conversation_sensitivity_l1


def test_suppress_drops_cells_under_the_minimum() -> None:
    cells = bounded_counts(
        [(f"u{i}", "big") for i in range(60)] + [(f"u{i}", "small") for i in range(49)], PrivacyConfig()
    )
    kept, dropped = suppress(cells, 50)
    assert list(kept) == ["big"] and dropped == 1


@pytest.mark.parametrize("field", ["min_group_size", "max_cells_per_user", "max_conversations_per_user"])
def test_privacy_parameters_are_validated(field: str) -> None:
    with pytest.raises(ConfigError, match=field):
        PrivacyConfig(**{field: 0})


def _mixed_dataset(path: Path) -> Path:
    convs = []
    # 60 users ask technical questions, 20 users write: "writing" is a small cell
    for i in range(60):
        convs.append(conversation(f"t{i}", "How do I fix this Python error in Django?", user_key=f"tech{i}"))
    for i in range(20):
        convs.append(conversation(f"w{i}", "Write a poem about the sea.", user_key=f"writer{i}"))
    # one heavy user with 500 conversations about recipes (seeking information)
    for i in range(500):
        convs.append(conversation(f"h{i}", "What is the capital of France?", user_key="heavy"))
    return write_conversations(path, convs, per_shard=200)


def test_report_suppresses_small_cells_and_bounds_a_heavy_user(tmp_path: Path) -> None:
    data = _mixed_dataset(tmp_path / "d")
    result = build_report(data, tmp_path / "r", min_group_size=50)
    topic = {r["label"]: r for r in result.report["usage"]["topic"]["rows"]}
    assert set(topic) == {"Technical Help"}  # writing (20 users) and the heavy user (1) are suppressed
    assert topic["Technical Help"]["users"] == 60
    assert result.report["usage"]["topic"]["suppressed_cells"] == 2
    # the heavy user's 500 conversations count as at most 10
    assert result.report["totals"] == {"users": 81, "conversations": 60 + 20 + 10}
    low = build_report(data, tmp_path / "r2", min_group_size=1)
    seeking = {r["label"]: r for r in low.report["usage"]["topic"]["rows"]}["Seeking Information"]
    assert (seeking["users"], seeking["conversations"]) == (1, 10)
    on_disk = json.loads((tmp_path / "r" / "report.json").read_text())
    assert on_disk["protections"]["min_group_size"] == 50
    assert on_disk["protections"]["differential_privacy"] == {"applied": False}
    html = (tmp_path / "r" / "report.html").read_text()
    assert "fewer than <b>50</b> distinct users are suppressed" in html


def test_an_empty_dataset_gives_an_empty_report_even_with_dp(tmp_path: Path) -> None:
    data = write_conversations(tmp_path / "d", [])
    for name, kw in {"plain": {}, "dp": {"dp_epsilon": 1.0}}.items():
        report = build_report(data, tmp_path / name, **kw).report
        if name == "plain":  # with DP a noisy total may clear the threshold; that is the mechanism
            assert report["totals"] is None
        assert all(o["suppressed"] for o in report["reproduction"]["by_origin"])


def test_without_dp_the_report_is_byte_stable(tmp_path: Path) -> None:
    data = _mixed_dataset(tmp_path / "d")
    a = build_report(data, tmp_path / "a", min_group_size=5)
    b = build_report(data, tmp_path / "b", min_group_size=5)
    assert a.json_path.read_bytes() == b.json_path.read_bytes()
    assert a.html_path.read_bytes() == b.html_path.read_bytes()


def test_a_custom_taxonomy_flows_through_to_the_report(tmp_path: Path) -> None:
    from sealroom.classify import classify
    from sealroom.runner import LocalRunner

    taxonomy = tmp_path / "tax.toml"
    taxonomy.write_text(
        '[taxonomy]\nfallback_topic = "misc"\n[topics.cooking]\nkeywords = ["recipe"]\n[topics.misc]\nprior = 0.5\n'
        '[intents.asking]\nkeywords = ["how"]\n',
        encoding="utf-8",
    )
    convs = [conversation(f"c{i}", "A recipe for soup please", user_key=f"u{i}") for i in range(12)]
    data = write_conversations(tmp_path / "d", convs)
    labels = classify(data, tmp_path / "c", taxonomy=taxonomy, runner=LocalRunner(1), show_progress=False).out_dir
    topic = build_report(data, tmp_path / "r", labels=labels, min_group_size=10).report["usage"]["topic"]
    assert [(r["label"], r["users"]) for r in topic["rows"]] == [("cooking", 12)]
