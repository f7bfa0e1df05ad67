"""Contract with scan: its real output folder (hits + signals side output) feeds classify and report."""

from __future__ import annotations

import json
from pathlib import Path

from dataset_builders import conversation, write_conversations
from sealroom.classify import classify
from sealroom.report import build_report
from sealroom.runner import LocalRunner


def test_report_over_a_real_scan(tmp_path: Path) -> None:
    from sealroom.scan import build_corpus, scan

    arts = [
        {
            "id": f"art-{i}",
            "title": f"Story {i}",
            "published": "2023-01-01",
            "url": f"https://example.com/{i}",
            "text": " ".join(f"word{i}x{j} alpha beta gamma delta" for j in range(80)),
        }
        for i in range(3)
    ]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(a) for a in arts) + "\n")
    build_corpus([tmp_path / "a.jsonl"], tmp_path / "idx", show_progress=False)
    convs = []
    for i in range(60):
        text = arts[i % 3]["text"]
        if i % 2:  # the user pastes the article
            convs.append(
                conversation(f"c{i}", "Summarize this: " + text[:600], user_key=f"u{i}", assistant_text="Sure.")
            )
        else:  # the model produces it
            convs.append(conversation(f"c{i}", "Tell me the news", user_key=f"u{i}", assistant_text=text[:700]))
    data = write_conversations(tmp_path / "d", convs)
    scan(data, tmp_path / "idx", tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    classify(data, tmp_path / "c", hits=tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    report = build_report(data, tmp_path / "r", labels=tmp_path / "c", min_group_size=5).report
    by_origin = {o["origin"]: o for o in report["reproduction"]["by_origin"]}
    assert by_origin["any"]["positives"] == 60
    assert by_origin["generated"]["positives"] == 30
    assert sorted(r["label"] for r in report["top_articles"]["rows"]) == ["art-0", "art-1", "art-2"]
