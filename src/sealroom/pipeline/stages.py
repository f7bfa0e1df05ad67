"""Each pipeline stage as a call into that stage's library API.

A stage reads the outputs of the stages before it from the pipeline context and returns the
paths it wrote. Imports happen inside the functions so a pipeline only loads what it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sealroom.dataset.location import Location, is_url, location, remove_tree
from sealroom.pipeline.config import PipelineConfig
from sealroom.runner.base import Runner


@dataclass
class Context:
    config: PipelineConfig
    runner: Runner
    restart: bool
    show_progress: bool
    outputs: dict[str, Location] = field(default_factory=dict)

    def path(self, name: str) -> Path:
        """A local output of the pipeline (index, report, production, ledger)."""
        return self.config.workdir / name

    def dataset(self, name: str) -> Location:
        """A stage dataset: under ``datasets`` (a folder or an object-storage URL) when set."""
        return location(self.config.datasets) / name if self.config.datasets else self.path(name)

    @property
    def conversations(self) -> Location:
        """The dataset that later stages treat as 'the conversations': the sample when there is one."""
        return self.outputs.get("sample", self.outputs["hold"])


def run_ingest(ctx: Context) -> dict[str, Location]:
    from sealroom.ingest import ingest

    c = ctx.config.ingest
    out = ctx.dataset("hold")
    ingest(
        list(c.sources),
        out,
        fmt=c.format,
        shard_size=c.shard_size,
        split_size=c.split_size,
        strict=c.strict,
        runner=ctx.runner,
        restart=ctx.restart,
        show_progress=ctx.show_progress,
    )
    return {"hold": out}


def run_sample(ctx: Context) -> dict[str, Location]:
    from sealroom.sample import sample

    c = ctx.config.sample
    assert c is not None
    out = ctx.dataset("sample")
    sample(
        ctx.outputs["hold"],
        out,
        key_file=ctx.config.key_file,
        rate=c.rate,
        size=c.size,
        stratify=c.stratify,
        where=c.where,
        per_stratum=c.per_stratum,
        runner=ctx.runner,
        restart=ctx.restart,
        show_progress=ctx.show_progress,
    )
    return {"sample": out}


def run_corpus(ctx: Context) -> dict[str, Location]:
    from sealroom.scan import build_corpus

    c = ctx.config.corpus
    assert c is not None
    out = ctx.path("corpus-index")
    build_corpus(list(c.sources), out, overwrite=ctx.restart, show_progress=ctx.show_progress)
    if not ctx.config.datasets or not is_url(ctx.config.datasets):
        return {"index": out}
    # built locally (it is written as memory-mapped arrays), then placed beside the datasets so
    # that scan workers on other machines can fetch it
    remote = ctx.dataset("corpus-index")
    remove_tree(remote)
    remote.fs.put(str(out), remote.path, recursive=True)
    return {"index": remote}


def run_scan(ctx: Context) -> dict[str, Location]:
    from sealroom.scan import scan

    c = ctx.config.scan
    assert c is not None
    out = ctx.dataset("hits")
    scan(
        ctx.conversations,
        ctx.outputs["index"],
        out,
        min_words=c.min_words,
        publishers=c.publishers,
        runner=ctx.runner,
        restart=ctx.restart,
        show_progress=ctx.show_progress,
    )
    return {"hits": out}


def run_deidentify(ctx: Context) -> dict[str, Location]:
    from sealroom.deid import deidentify

    c = ctx.config.deidentify
    assert c is not None
    out = ctx.dataset("deidentified")
    deidentify(
        ctx.conversations,
        out,
        key_file=ctx.config.key_file,
        policy=c.policy,
        hits=ctx.outputs.get("hits"),
        allow_quarantine=c.allow_quarantine,
        runner=ctx.runner,
        restart=ctx.restart,
        show_progress=ctx.show_progress,
    )
    return {"deidentified": out}


def run_classify(ctx: Context) -> dict[str, Location]:
    from sealroom.classify import classify

    c = ctx.config.classify
    assert c is not None
    out = ctx.dataset("labels")
    kwargs: dict[str, Any] = {"taxonomy": c.taxonomy, "hits": ctx.outputs.get("hits")}
    if c.classifier:
        kwargs["classifier"] = c.classifier
    classify(
        ctx.outputs["deidentified"],
        out,
        runner=ctx.runner,
        restart=ctx.restart,
        show_progress=ctx.show_progress,
        **kwargs,
    )
    return {"labels": out}


def run_report(ctx: Context) -> dict[str, Location]:
    from sealroom.report import build_report

    c = ctx.config.report
    assert c is not None
    out = ctx.path("report")
    sampling_report = ctx.outputs["sample"] / "sampling_report.json" if "sample" in ctx.outputs else None
    build_report(
        ctx.outputs["deidentified"],
        out,
        hits=ctx.outputs.get("hits"),
        labels=ctx.outputs.get("labels"),
        sampling_report=sampling_report,
        min_group_size=c.min_group_size,
        dp_epsilon=c.dp_epsilon,
        budget_ledger=ctx.path("privacy-budget.json") if c.dp_epsilon else None,
        budget_epsilon=c.budget_epsilon,
        budget_delta=c.budget_delta,
    )
    return {"report": out}


def run_produce(ctx: Context) -> dict[str, Location]:
    from sealroom.produce import produce

    c = ctx.config.produce
    assert c is not None
    out = ctx.path("production")
    produce(
        ctx.outputs["deidentified"],
        out,
        prefix=c.prefix,
        start=c.start,
        select=c.select,
        hits=ctx.outputs.get("hits"),
        designation=c.designation,
        volume_size=c.volume_size,
        sign_key=c.sign_key,
        key_file=ctx.config.key_file,
        show_progress=ctx.show_progress,
    )
    return {"production": out}


def run_review_load(ctx: Context) -> dict[str, Location]:
    from sealroom.review import load_production

    c = ctx.config.review
    assert c is not None
    load_production(ctx.outputs["production"], c.db)
    return {}


@dataclass(frozen=True)
class StageSpec:
    name: str
    run: Callable[[Context], dict[str, Location]]
    #: the config section that switches the stage on (None: always on)
    section: str | None
    #: stages whose outputs this one reads (when they ran)
    after: tuple[str, ...]


STAGES: tuple[StageSpec, ...] = (
    StageSpec("ingest", run_ingest, None, ()),
    StageSpec("sample", run_sample, "sample", ("ingest",)),
    StageSpec("corpus", run_corpus, "corpus", ()),
    StageSpec("scan", run_scan, "scan", ("ingest", "sample", "corpus")),
    StageSpec("deidentify", run_deidentify, "deidentify", ("ingest", "sample", "scan")),
    StageSpec("classify", run_classify, "classify", ("deidentify", "scan")),
    StageSpec("report", run_report, "report", ("deidentify", "scan", "classify", "sample")),
    StageSpec("produce", run_produce, "produce", ("deidentify", "scan")),
    StageSpec("review", run_review_load, "review", ("produce",)),
)
STAGE_NAMES = tuple(s.name for s in STAGES)
