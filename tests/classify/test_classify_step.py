from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sealroom.classify import CLASSIFIED_SCHEMA, CLASSIFIERS, classify
from sealroom.classify.base import Classification
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.errors import ConfigError
from sealroom.runner import LocalRunner


def test_classify_writes_one_row_per_conversation_with_news_signals(tmp_path: Path, hold: Path, hits: Path) -> None:
    result = classify(hold, tmp_path / "c", hits=hits, runner=LocalRunner(2), show_progress=False)
    assert result.ran == 3 and result.stats["conversations"] == 40
    ds = Dataset.open(tmp_path / "c")
    assert ds.schema.equals(CLASSIFIED_SCHEMA)
    rows = {r["conversation_id"]: r for r in ds.read().to_pylist()}
    assert len(rows) == 40
    assert rows["c000"]["origins"] == ["generated", "pasted"]
    assert rows["c000"]["article_ids"] == ["nyt-1", "nyt-2"]
    assert rows["c000"]["reproduced_words"] == 100 and rows["c000"]["hit_spans"] == 2
    assert rows["c000"]["signals"] == ["publisher_named"]
    assert rows["c008"]["signals"] == ["paywall"] and rows["c008"]["hit_spans"] == 0
    assert rows["c001"]["topic"] == "writing" and rows["c003"]["intent"] == "expressing"
    assert rows["c002"]["user_key"] == "u2" and rows["c002"]["classifier"] == "keywords.v1"
    assert result.manifest.config["taxonomy"]["name"] == "sealroom-default"
    assert {i["stage"] for i in result.manifest.inputs} == {"ingest", "scan"}


def test_classify_resumes_and_detects_changed_settings(tmp_path: Path, hold: Path, hits: Path) -> None:
    classify(hold, tmp_path / "c", runner=LocalRunner(1), show_progress=False)
    again = classify(hold, tmp_path / "c", runner=LocalRunner(1), show_progress=False)
    assert again.ran == 0 and again.skipped == 3
    with pytest.raises(ConfigError, match="different classify run"):
        classify(hold, tmp_path / "c", hits=hits, runner=LocalRunner(1), show_progress=False)


def test_unknown_classifier_fails_before_any_work(tmp_path: Path, hold: Path) -> None:
    with pytest.raises(ConfigError, match="unknown classifier 'nope'"):
        classify(hold, tmp_path / "c", classifier="nope", show_progress=False)
    assert not (tmp_path / "c").exists()


class AlwaysWriting:
    """A third-party classifier plugged in through the registry."""

    name = "always-writing.v1"

    def __init__(self, taxonomy: object) -> None:
        self.taxonomy = taxonomy

    def classify(self, conversation: object) -> Classification:
        return Classification("writing", 1.0, "doing", 1.0, True, 1.0, "en", 1.0)


def test_a_registered_classifier_is_used_by_name(tmp_path: Path, hold: Path) -> None:
    if "always-writing.v1" not in CLASSIFIERS:
        CLASSIFIERS.add("always-writing.v1", AlwaysWriting)
    classify(hold, tmp_path / "c", classifier="always-writing.v1", runner=LocalRunner(1), show_progress=False)
    rows = Dataset.open(tmp_path / "c").read(["topic", "classifier"]).to_pylist()
    assert {(r["topic"], r["classifier"]) for r in rows} == {("writing", "always-writing.v1")}


def test_cli_classify(tmp_path: Path, hold: Path, hits: Path) -> None:
    out = tmp_path / "c"
    res = CliRunner().invoke(cli, ["classify", str(hold), "--out", str(out), "--hits", str(hits), "-j", "1", "-q"])
    assert res.exit_code == 0, res.output
    assert "classified 40 conversations" in res.output
    assert Dataset.open(out).rows == 40
