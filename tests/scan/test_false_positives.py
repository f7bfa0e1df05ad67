"""Every shared chat conversation against the shared news corpus: no true reuse exists between them,
so nothing of 50 words or more may be reported. Shorter matches are counted (see docs/scan.md)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sealroom.dataset import Dataset
from sealroom.runner import LocalRunner
from sealroom.scan import build_corpus, scan


def hold(shared: Path, out: Path) -> Path:
    try:
        from sealroom.ingest import ingest
    except ImportError:  # the ingest stage is optional for this test: a minimal loader stands in
        from scan_helpers import load_shared_chats, write_conversations

        return write_conversations(out, load_shared_chats(shared / "chat"), per_shard=200)
    ingest([shared / "chat"], out, runner=LocalRunner(1), show_progress=False)
    return out


@pytest.mark.slow
@pytest.mark.shared_data
def test_no_long_hits_between_unrelated_chats_and_news(shared_data: Path, tmp_path: Path) -> None:
    idx = build_corpus([shared_data / "news" / "chronam_1916-01.jsonl.gz"], tmp_path / "idx", show_progress=False)
    assert idx.n_articles == 2294
    ds = hold(shared_data, tmp_path / "hold")
    result = scan(ds, idx.path, tmp_path / "hits", min_words=5, runner=LocalRunner(1), show_progress=False)
    hits = Dataset.open(result.out_dir).read().to_pylist()
    lengths = Counter(h["words"] for h in hits)
    print(f"hits by length (min_words=5): {sorted(lengths.items())}")
    assert result.stats["conversations"] >= 700
    assert all(h["words"] < 50 for h in hits)
    # what is there is stock phrasing ("at the same time, the"), nowhere near the default threshold
    assert all(h["words"] < 20 for h in hits)
