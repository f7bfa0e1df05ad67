"""The declared pipeline: one TOML file naming sources, keys, and each stage's settings.

Relative paths are resolved against the TOML file's folder. A stage whose table is absent is not
run (except ingest, which every pipeline needs).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sealroom.dataset.location import is_url
from sealroom.errors import ConfigError


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RunnerConfig(_Section):
    workers: int | None = Field(default=None, ge=1)
    cluster: str | None = None


class IngestConfig(_Section):
    #: files or folders: local paths or object-storage URLs
    sources: list[str]
    format: str = "auto"
    shard_size: int = Field(default=10_000, ge=1)
    #: a plain JSONL file larger than this (bytes, or "256MiB", "1G") is read by several tasks; the
    #: hold does not depend on it, so it is left out of the stage's signature (``exclude``)
    split_size: int = Field(default=256 << 20, ge=1, exclude=True)
    strict: bool = False

    @field_validator("split_size", mode="before")
    @classmethod
    def _size(cls, value: object) -> object:
        if isinstance(value, str):
            from sealroom.ingest.sources import parse_size

            return parse_size(value)
        return value


class SampleConfig(_Section):
    rate: float | None = Field(default=None, gt=0, le=1)
    size: int | None = Field(default=None, ge=1)
    stratify: str | None = None
    where: str | None = None
    per_stratum: int | None = Field(default=None, ge=1)


class CorpusConfig(_Section):
    sources: list[Path]


class ScanConfig(_Section):
    min_words: int = Field(default=20, ge=5)
    publishers: Path | None = None


class DeidentifyConfig(_Section):
    policy: Path | None = None
    #: accept the output without conversations the de-identifier had to withhold (they stay listed
    #: in deidentified/quarantine); by default any withheld conversation stops the pipeline
    allow_quarantine: bool = False


class ClassifyConfig(_Section):
    classifier: str | None = None
    taxonomy: Path | None = None


class ReportConfig(_Section):
    min_group_size: int = Field(default=50, ge=1)
    dp_epsilon: float | None = Field(default=None, gt=0)
    #: the total ε the ledger allows across releases (each report run spends dp_epsilon)
    budget_epsilon: float | None = Field(default=None, gt=0)
    #: the total δ the ledger allows (default: as many releases as budget_epsilon allows)
    budget_delta: float | None = Field(default=None, ge=0, lt=1)


class ProduceConfig(_Section):
    prefix: str = Field(pattern=r"^[A-Z][A-Z0-9_-]{0,15}$")
    start: int = Field(default=1, ge=1)
    select: str = "all"
    designation: Literal["CONFIDENTIAL", "AEO"] = "CONFIDENTIAL"
    volume_size: str = "10GB"
    sign_key: Path | None = None


class ReviewConfig(_Section):
    db: str


class PipelineConfig(_Section):
    name: str = "sealroom"
    workdir: Path = Path("work")
    #: where the stage datasets (hold, sample, hits, deidentified, labels) go: a folder or an
    #: object-storage URL such as ``s3://bucket/case-7``; default: the workdir. The corpus index,
    #: report, production and pipeline state stay in the workdir.
    datasets: str | None = None
    key_file: Path
    runner: RunnerConfig = RunnerConfig()
    ingest: IngestConfig
    sample: SampleConfig | None = None
    corpus: CorpusConfig | None = None
    scan: ScanConfig | None = None
    deidentify: DeidentifyConfig | None = None
    classify: ClassifyConfig | None = None
    report: ReportConfig | None = None
    produce: ProduceConfig | None = None
    review: ReviewConfig | None = None

    @classmethod
    def load(cls, path: Path) -> PipelineConfig:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"pipeline file not found: {path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: invalid TOML ({exc})") from None
        try:
            config = cls.model_validate(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ConfigError(f"{path}: {where}: {first['msg']}") from None
        return config.resolved(path.parent)

    def resolved(self, base: Path) -> PipelineConfig:
        """Every relative path made absolute against ``base`` (the TOML file's folder)."""

        def fix(p: Path | None) -> Path | None:
            return None if p is None else (p if p.is_absolute() else (base / p).resolve())

        data = self.model_copy(deep=True)
        data.workdir = fix(data.workdir)  # type: ignore[assignment]
        if data.datasets is not None and not is_url(data.datasets):
            data.datasets = str(fix(Path(data.datasets)))
        data.key_file = fix(data.key_file)  # type: ignore[assignment]
        data.ingest.sources = [s if is_url(s) else str(fix(Path(s))) for s in data.ingest.sources]
        if data.corpus:
            data.corpus.sources = [fix(p) for p in data.corpus.sources]  # type: ignore[misc]
        if data.scan:
            data.scan.publishers = fix(data.scan.publishers)
        if data.deidentify:
            data.deidentify.policy = fix(data.deidentify.policy)
        if data.classify:
            data.classify.taxonomy = fix(data.classify.taxonomy)
        if data.produce:
            data.produce.sign_key = fix(data.produce.sign_key)
        if data.review and data.review.db.startswith("sqlite:///") and not data.review.db.startswith("sqlite:////"):
            # a relative SQLite path means relative to the pipeline file, like every other path
            data.review.db = f"sqlite:///{fix(Path(data.review.db.removeprefix('sqlite:///')))}"
        return data
