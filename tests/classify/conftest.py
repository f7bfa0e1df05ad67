"""A small hold and scan output shared by the classify tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset_builders import conversation, hit_row, write_conversations, write_hits

TEXTS = [
    "How do I fix this Python error in my Django app?",
    "Write a poem about the sea.",
    "What is the capital of France?",
    "I feel sad today.",
]


@pytest.fixture
def hold(tmp_path: Path) -> Path:
    convs = [conversation(f"c{i:03d}", TEXTS[i % 4], user_key=f"u{i % 7}") for i in range(40)]
    return write_conversations(tmp_path / "hold", convs, per_shard=15)


@pytest.fixture
def hits(tmp_path: Path) -> Path:
    rows = [
        hit_row("c000", "nyt-1", "generated", 80),
        hit_row("c000", "nyt-2", "pasted", 20),
        hit_row("c004", "nyt-1", "user"),
    ]
    return write_hits(tmp_path / "hits", rows, [("c000", "publisher_named"), ("c008", "paywall")])
