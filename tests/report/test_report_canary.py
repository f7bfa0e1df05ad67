"""THREATS: no conversation text, id, user key or pseudonym in any byte the report writes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dataset_builders import conversation, hit_row, write_conversations, write_hits
from sealroom.classify import classify
from sealroom.report import build_report
from sealroom.runner import LocalRunner

CANARY_TEXT = "ZEBRACANARY"
CANARY_ID = "convcanary"
CANARY_USER = "usercanary"
PSEUDONYM = "[PERSON_1]"


def test_planted_canaries_never_reach_json_or_html(tmp_path: Path) -> None:
    convs = []
    for i in range(80):
        convs.append(
            conversation(
                f"{CANARY_ID}{i:03d}",
                f"How do I fix this Python error? My name is {PSEUDONYM} and my code is {CANARY_TEXT}{i}.",
                user_key=f"{CANARY_USER}{i:03d}",
                assistant_text=f"Hello {PSEUDONYM}, {CANARY_TEXT} is fine.",
                created_at=datetime(2023, 1 + i % 2, 3, tzinfo=UTC),
            )
        )
    # a rare model name and a few records whose metadata fields carry text or a pseudonym
    convs.append(conversation(f"{CANARY_ID}rare", "hi", user_key="rare", model=f"{CANARY_TEXT}-model"))
    for i in range(60):
        convs.append(conversation(f"{CANARY_ID}p{i}", "Write a story.", user_key=f"p{i}", model=PSEUDONYM))
    data = write_conversations(tmp_path / "d", convs, per_shard=40)
    hits = write_hits(
        tmp_path / "h",
        [hit_row(f"{CANARY_ID}{i:03d}", "nyt-2023-01", "generated") for i in range(70)]
        + [hit_row(f"{CANARY_ID}{i:03d}", f"{CANARY_TEXT}-article", "pasted") for i in range(1)],
        [(f"{CANARY_ID}{i:03d}", "publisher_named") for i in range(70)]
        + [(f"{CANARY_ID}000", f"{CANARY_TEXT} signal")],
    )
    labels = classify(data, tmp_path / "c", hits=hits, runner=LocalRunner(1), show_progress=False).out_dir
    outputs = []
    for name, kw in {"plain": {}, "dp": {"dp_epsilon": 5.0}, "low": {"min_group_size": 2}}.items():
        result = build_report(data, tmp_path / name, labels=labels, hits=hits, **kw)
        outputs += [result.json_path.read_bytes(), result.html_path.read_bytes()]
    for blob in outputs:
        text = blob.decode("utf-8")
        for canary in (CANARY_TEXT, CANARY_ID, CANARY_USER, PSEUDONYM, "PERSON_"):
            assert canary not in text, canary
    # the figures themselves are there: the report is not empty by accident
    plain = (tmp_path / "plain" / "report.json").read_text()
    assert "nyt-2023-01" in plain and "publisher_named" in plain and "2023-01" in plain
