from __future__ import annotations

from pathlib import Path

import pytest

from sealroom.demo import pipeline_template
from sealroom.errors import ConfigError
from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.run import Pipeline


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pipeline.toml"
    p.write_text(text)
    return p


def test_bundled_demo_pipeline_parses_and_resolves_paths(tmp_path: Path) -> None:
    target = tmp_path / "pipeline.toml"
    target.write_text(pipeline_template().read_text())
    config = PipelineConfig.load(target)
    assert config.workdir == tmp_path.resolve()
    assert config.key_file == (tmp_path / "keys" / "sealroom.key").resolve()
    sources = [Path(s) for s in config.ingest.sources]
    assert all(p.is_absolute() and p.parent == (tmp_path / "sources").resolve() for p in sources)
    assert config.datasets is None
    assert config.review is not None and config.review.db == f"sqlite:///{(tmp_path / 'review.db').resolve()}"
    assert [s.name for s in Pipeline(config).enabled()] == [
        "ingest", "sample", "corpus", "scan", "deidentify", "classify", "report", "produce", "review",
    ]  # fmt: skip


def test_object_storage_urls_are_kept_and_local_datasets_resolved(tmp_path: Path) -> None:
    base = 'key_file = "k"\n[ingest]\nsources = ["s3://exports/2024/", "local.jsonl"]\n'
    config = PipelineConfig.load(_write(tmp_path, 'datasets = "s3://case-7/run-1"\n' + base))
    assert config.datasets == "s3://case-7/run-1"
    assert config.ingest.sources == ["s3://exports/2024/", str((tmp_path / "local.jsonl").resolve())]
    config = PipelineConfig.load(_write(tmp_path, 'datasets = "data"\n' + base))
    assert config.datasets == str((tmp_path / "data").resolve())


def test_unknown_keys_and_bad_values_name_the_setting(tmp_path: Path) -> None:
    base = 'key_file = "k"\n[ingest]\nsources = ["a.json"]\n'
    with pytest.raises(ConfigError, match=r"ingest\.shard_sise"):
        PipelineConfig.load(_write(tmp_path, base + "shard_sise = 3\n"))
    with pytest.raises(ConfigError, match=r"sample\.rate"):
        PipelineConfig.load(_write(tmp_path, base + "[sample]\nrate = 1.5\n"))
    with pytest.raises(ConfigError, match="invalid TOML"):
        PipelineConfig.load(_write(tmp_path, "key_file = \n"))
    with pytest.raises(ConfigError, match="not found"):
        PipelineConfig.load(tmp_path / "absent.toml")


def test_stage_selection(tmp_path: Path) -> None:
    text = 'key_file = "k"\n[ingest]\nsources = ["a.json"]\n[corpus]\nsources = ["n.jsonl"]\n[scan]\n'
    pipeline = Pipeline(PipelineConfig.load(_write(tmp_path, text)))
    assert [s.name for s in pipeline.select(None, "corpus")] == ["ingest", "corpus"]
    assert [s.name for s in pipeline.select("scan", None)] == ["scan"]
    with pytest.raises(ConfigError, match="not configured"):
        pipeline.select("produce", None)
    with pytest.raises(ConfigError, match="unknown stage"):
        pipeline.select("nope", None)
    with pytest.raises(ConfigError, match="comes after"):
        pipeline.select("scan", "ingest")
    assert [row[1] for row in pipeline.plan()] == ["run (keeps any finished shards of an interrupted run)"] * 3
