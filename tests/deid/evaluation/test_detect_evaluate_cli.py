"""``sealroom detect`` / ``sealroom evaluate`` end to end, and the issue's quality targets on a
held-out slice of the gold set (a seed the detectors were not tuned on)."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from sealroom.cli.main import cli
from sealroom.deid.analyzer import Analyzer
from sealroom.deid.evaluation.detect import detect_documents
from sealroom.deid.evaluation.gold import generate_gold
from sealroom.deid.evaluation.metrics import Span, evaluate
from sealroom.deid.evaluation.report import target_check


def _write(path: Path, docs: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    return path


def test_detect_and_evaluate_commands(tmp_path: Path) -> None:
    gold = generate_gold(12, seed=5)
    gold_path = _write(tmp_path / "gold.jsonl", gold)
    docs_path = _write(tmp_path / "docs.jsonl", [{"id": d["id"], "text": d["text"]} for d in gold])
    runner = CliRunner()
    res = runner.invoke(cli, ["detect", str(docs_path), "--out", str(tmp_path / "spans.jsonl"), "--explain"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in (tmp_path / "spans.jsonl").read_text().splitlines()]
    assert [x["id"] for x in lines] == [d["id"] for d in gold]
    for line, doc in zip(lines, gold, strict=True):
        for s in line["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(doc["text"]) and s["label"] and s["detector"]
    # no document text in what the command prints
    assert all(doc["text"][:30] not in res.output for doc in gold)
    report = tmp_path / "report.json"
    res = runner.invoke(cli, ["evaluate", "--gold", str(gold_path), "--pred", str(tmp_path / "spans.jsonl"),
                              "--json", str(report)])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(report.read_text())
    assert data["documents"] == 12 and data["results"]["pred"]["labels"]["EMAIL"]["recall_overlap"] == 1.0


def test_bad_input_names_the_line_not_the_text(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "Jane Doe secret"}\n{not json Jane Doe\n')
    res = CliRunner().invoke(cli, ["detect", str(bad), "--out", str(tmp_path / "o.jsonl")])
    assert res.exit_code != 0 and "line 2" in res.output and "Jane" not in res.output


@pytest.mark.slow
def test_quality_targets_on_held_out_seed() -> None:
    gold = generate_gold(250, seed=2026)
    pred = {i: [Span(f.start, f.end, f.label) for f in fs] for i, fs in detect_documents(gold, Analyzer())}
    checks = target_check(evaluate(gold, pred).as_dict())
    missed = {k: round(v["value"], 4) for k, v in checks.items() if not v["met"]}
    assert not missed, missed


@pytest.mark.slow
def test_presidio_baseline_runs_offline() -> None:
    pytest.importorskip("presidio_analyzer")
    from sealroom.deid.evaluation.presidio_baseline import presidio_detect

    gold = generate_gold(5, seed=3)
    pred = presidio_detect(gold)
    assert set(pred) == {d["id"] for d in gold}
    assert any(s.label == "EMAIL" for spans in pred.values() for s in spans)


def test_detect_with_config_file(tmp_path: Path) -> None:
    docs = _write(tmp_path / "d.jsonl", [{"id": "1", "text": "Mail jane@doe.org, born 14/03/1985, Jane Doe."}])
    cfg = tmp_path / "analyzer.toml"
    cfg.write_text('[analyzer]\ndetectors = ["email.v1"]\nner_policy = "off"\n')
    out = tmp_path / "s.jsonl"
    res = CliRunner().invoke(cli, ["detect", str(docs), "--out", str(out), "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert [s["label"] for s in json.loads(out.read_text())["spans"]] == ["EMAIL"]
    cfg.write_text('[analyzer]\nner_policy = "sometimes"\n')
    res = CliRunner().invoke(cli, ["detect", str(docs), "--out", str(out), "--config", str(cfg)])
    assert res.exit_code == 2 and "invalid analyzer config" in res.output
