"""The scan stage end to end: outputs, summary, signals, resumption, runners, CLI, search."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.errors import ConfigError
from sealroom.runner import LocalRunner
from sealroom.scan import HITS_SCHEMA, SIGNALS_SCHEMA, SUMMARY_SCHEMA, scan, search
from sealroom.scan.normalize import tokenize


@pytest.fixture(scope="module")
def result(tmp_path_factory, dataset, corpus_index):
    out = tmp_path_factory.mktemp("stage") / "hits"
    return scan(dataset, corpus_index.path, out, runner=LocalRunner(1), show_progress=False)


def test_outputs(result, dataset) -> None:
    hits = Dataset.open(result.out_dir)
    assert hits.schema.equals(HITS_SCHEMA)
    assert Dataset.open(result.out_dir / "summary").schema.equals(SUMMARY_SCHEMA)
    assert Dataset.open(result.out_dir / "signals").schema.equals(SIGNALS_SCHEMA)
    rows = hits.read().to_pylist()
    assert {(r["conversation_id"], r["message_index"], r["origin"]) for r in rows} == {
        ("c1", 1, "generated"),
        ("c3", 0, "user"),
        ("c3", 1, "continued"),
    }
    assert result.stats["conversations"] == 8 and result.stats["hits"] == len(rows)


def test_offsets_point_at_the_article_text(result, dataset, articles) -> None:
    convs = {r["conversation_id"]: r for r in Dataset.open(dataset).read().to_pylist()}
    for h in Dataset.open(result.out_dir).read().to_pylist():
        text = convs[h["conversation_id"]]["messages"][h["message_index"]]["content"]
        art = articles[h["article_id"]]
        if h["kind"] == "verbatim":
            assert (
                tokenize(text[h["start"] : h["end"]]).hashes.tolist()
                == tokenize(art[h["article_start"] : h["article_end"]]).hashes.tolist()
            )


def test_summary(result) -> None:
    rows = {r["conversation_id"]: r for r in Dataset.open(result.out_dir / "summary").read().to_pylist()}
    assert len(rows) == 8  # every conversation, hits or not
    assert rows["x0"]["hits"] == 0 and rows["x0"]["articles"] == []
    c1 = rows["c1"]
    assert c1["words_generated"] == 50 and c1["longest_span"] == 50 and c1["articles_matched"] == 1
    (cov,) = c1["articles"]
    assert cov["article_id"] == "art-005" and cov["words"] == 50
    assert cov["coverage"] == pytest.approx(50 / cov["article_words"])
    c3 = rows["c3"]
    assert c3["words_user"] == 70 and c3["words_continued"] == 60
    assert c3["articles"][0]["model_coverage"] == pytest.approx(60 / c3["articles"][0]["article_words"])


def test_signals(result) -> None:
    rows = Dataset.open(result.out_dir / "signals").read().to_pylist()
    got = {(r["conversation_id"], r["message_index"], r["signal"]) for r in rows}
    assert ("c1", 0, "paywall_request") in got
    assert ("c1", 0, "publisher_named") in got
    assert ("c1", 1, "attribution") in got  # the message reproduces one of the publisher's articles
    assert ("c2", 1, "unverified_attribution") in got


def test_resume_and_runner_independence(tmp_path, dataset, corpus_index, result) -> None:
    again = scan(dataset, corpus_index.path, result.out_dir, runner=LocalRunner(1), show_progress=False)
    assert again.ran == 0 and again.skipped == 3
    two = scan(dataset, corpus_index.path, tmp_path / "hits2", runner=LocalRunner(2), show_progress=False)
    assert two.manifest.fingerprint == result.manifest.fingerprint
    with pytest.raises(ConfigError):
        scan(dataset, corpus_index.path, result.out_dir, min_words=30, runner=LocalRunner(1), show_progress=False)
    with pytest.raises(ConfigError):
        scan(dataset, corpus_index.path, tmp_path / "h3", min_words=2, show_progress=False)


def test_cli_scan_and_search(tmp_path, dataset, corpus_index, articles) -> None:
    runner = CliRunner()
    r = runner.invoke(
        cli, ["scan", str(dataset), "--index", str(corpus_index.path), "--out", str(tmp_path / "h"), "-q", "-j", "1"]
    )
    assert r.exit_code == 0, r.output
    assert "4 hits in 2 conversations" in r.output
    q = tmp_path / "q.jsonl"
    q.write_text(
        json.dumps({"id": "q1", "text": articles["art-006"]})
        + "\n"
        + json.dumps({"id": "q2", "text": "nothing like it"})
        + "\n",
        encoding="utf-8",
    )
    r = runner.invoke(
        cli,
        [
            "search",
            str(dataset),
            "--index",
            str(tmp_path / "cidx"),
            "--queries",
            str(q),
            "--out",
            str(tmp_path / "r.jsonl"),
            "-q",
        ],
    )
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert {(x["query_id"], x["conversation_id"], x["message_index"]) for x in lines} == {
        ("q1", "c3", 0),
        ("q1", "c3", 1),
    }
    assert set(lines[0]) == {
        "query_id",
        "conversation_id",
        "message_index",
        "start",
        "end",
        "query_start",
        "query_end",
        "words",
        "kind",
        "similarity",
    }


def test_search_reuses_its_index(tmp_path, dataset, articles) -> None:
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"id": "q", "text": articles["art-005"]}) + "\n", encoding="utf-8")
    r1 = search(dataset, q, tmp_path / "r1.jsonl", index=tmp_path / "cidx", show_progress=False)
    stamp = (tmp_path / "cidx" / "index.json").stat().st_mtime_ns
    r2 = search(dataset, q, tmp_path / "r2.jsonl", index=tmp_path / "cidx", show_progress=False)
    assert (tmp_path / "cidx" / "index.json").stat().st_mtime_ns == stamp
    assert r1.matches == r2.matches == 1 and r1.conversations == 1
    assert (tmp_path / "r1.jsonl").read_bytes() == (tmp_path / "r2.jsonl").read_bytes()


def test_batches_within_a_shard_change_nothing(tmp_path, dataset, corpus_index, result, monkeypatch) -> None:
    import sealroom.scan.step as step_module

    monkeypatch.setattr(step_module, "BATCH_CHARS", 200)
    small = scan(dataset, corpus_index.path, tmp_path / "hits", runner=LocalRunner(1), show_progress=False)
    for side in ("", "summary", "signals"):
        a = Dataset.open(small.out_dir / side).read().to_pylist()
        b = Dataset.open(result.out_dir / side).read().to_pylist()
        assert a == b
