"""Running a declared pipeline: plan, skip what is up to date, run the rest in order.

A stage is skipped when ``_pipeline/state.json`` records that it finished with the same
signature: the hash of its config section, the code version and the fingerprints of everything it
reads. A stage whose signature changed is redone from scratch; a stage that never finished (a
crash) is resumed, so finished shards are kept.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sealroom import __version__
from sealroom.dataset.files import dump_json, read_json, sha256_file, write_json_atomic
from sealroom.dataset.location import Location, location
from sealroom.dataset.manifest import MANIFEST
from sealroom.errors import ConfigError
from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.stages import STAGE_NAMES, STAGES, Context, StageSpec
from sealroom.runner import make_runner
from sealroom.scan.index import META as INDEX_META

STATE = "_pipeline/state.json"


def output_fingerprint(path: Location) -> str:
    """What identifies an output's content: a dataset's or a corpus index's fingerprint, else its
    manifest's hash, else a hash over every file (small outputs such as a report)."""
    if (path / MANIFEST).is_file():
        return str(read_json(path / MANIFEST)["fingerprint"])
    if (path / INDEX_META).is_file():  # a corpus index
        return str(read_json(path / INDEX_META)["fingerprint"])
    if (path / "manifest.json").is_file():
        return sha256_file(path / "manifest.json")
    h = hashlib.sha256()
    for p in sorted(q for q in path.rglob("*") if q.is_file()):
        h.update(f"{p.relative_to(path).as_posix()}\x00{sha256_file(p)}\n".encode())
    return h.hexdigest()


def _source_stamp(paths: list[str] | list[Path]) -> list[list[Any]]:
    """Each source file's name, size and modification stamp (an object's ETag-based key remotely)."""
    stamps = []
    for given in paths:
        p = location(given)
        files = sorted((q for q in p.rglob("*") if q.is_file()), key=str) if p.is_dir() else [p]
        for f in files:
            if isinstance(f, Path):
                if f.exists():
                    stamps.append([str(f), f.stat().st_size, f.stat().st_mtime_ns])
            elif f.fs.exists(f.path):
                stamps.append([str(f), f.stat().st_size, f.fs.ukey(f.path)])
    return stamps


@dataclass
class StageOutcome:
    name: str
    action: str  # "ran" | "skipped" | "resumed" | "redone"
    seconds: float
    outputs: dict[str, Location]


class Pipeline:
    def __init__(self, config: PipelineConfig) -> None:
        self.config = config
        self.state_path = config.workdir / STATE

    def enabled(self) -> list[StageSpec]:
        return [s for s in STAGES if s.section is None or getattr(self.config, s.section) is not None]

    def select(self, start: str | None, until: str | None) -> list[StageSpec]:
        for name in (start, until):
            if name is not None and name not in STAGE_NAMES:
                raise ConfigError(f"unknown stage {name!r} (stages: {', '.join(STAGE_NAMES)})")
        names = [s.name for s in self.enabled()]
        for name in (start, until):
            if name is not None and name not in names:
                raise ConfigError(f"stage {name!r} is not configured in this pipeline")
        lo = names.index(start) if start else 0
        hi = names.index(until) if until else len(names) - 1
        if lo > hi:
            raise ConfigError(f"--from {start} comes after --until {until}")
        return self.enabled()[lo : hi + 1]

    def _state(self) -> dict[str, Any]:
        return read_json(self.state_path) if self.state_path.is_file() else {}

    def _signature(self, spec: StageSpec, outputs: dict[str, Location]) -> str:
        section = self.config.model_dump(mode="json").get(spec.section or spec.name)
        upstream = {name: output_fingerprint(path) for name, path in sorted(outputs.items()) if path.exists()}
        payload: dict[str, Any] = {"stage": spec.name, "config": section, "code": __version__, "inputs": upstream}
        if spec.name == "ingest":
            payload["sources"] = _source_stamp(self.config.ingest.sources)
        if spec.name == "corpus" and self.config.corpus:
            payload["sources"] = _source_stamp(self.config.corpus.sources)
        if spec.name in ("sample", "deidentify", "produce"):
            payload["key"] = sha256_file(self.config.key_file) if self.config.key_file.exists() else None
        return hashlib.sha256(dump_json(payload)).hexdigest()

    def plan(self, start: str | None = None, until: str | None = None) -> list[tuple[str, str]]:
        """(stage, what ``run`` would do) without running anything."""
        selected = {s.name for s in self.select(start, until)}
        state = self._state()
        outputs: dict[str, Location] = {}
        rows = []
        for spec in self.enabled():
            entry = state.get(spec.name)
            if spec.name not in selected:
                rows.append((spec.name, "not selected"))
            elif entry is None:
                rows.append((spec.name, "run (keeps any finished shards of an interrupted run)"))
            elif entry["signature"] == self._signature(spec, outputs):
                rows.append((spec.name, "skip: up to date"))
            else:
                rows.append((spec.name, "redo: inputs or config changed"))
            if entry is not None:
                outputs.update({k: location(v) for k, v in entry["outputs"].items()})
        return rows

    def run(
        self,
        start: str | None = None,
        until: str | None = None,
        *,
        restart: bool = False,
        show_progress: bool = True,
        on_stage: Any = None,
    ) -> list[StageOutcome]:
        selected = {s.name for s in self.select(start, until)}
        self.config.workdir.mkdir(parents=True, exist_ok=True)
        state = self._state()
        runner = make_runner(self.config.runner.workers, self.config.runner.cluster)
        ctx = Context(self.config, runner, restart=False, show_progress=show_progress)
        outcomes: list[StageOutcome] = []
        try:
            for spec in self.enabled():
                entry = state.get(spec.name)
                if spec.name not in selected:
                    if outcomes:  # past --until
                        break
                    if entry is None:  # before --from: its outputs must exist
                        raise ConfigError(f"--from {start}: stage {spec.name!r} has not run in {self.config.workdir}")
                    ctx.outputs.update({k: location(v) for k, v in entry["outputs"].items()})
                    continue
                signature = self._signature(spec, dict(ctx.outputs))
                if entry is not None and entry["signature"] == signature and not restart:
                    ctx.outputs.update({k: location(v) for k, v in entry["outputs"].items()})
                    outcome = StageOutcome(spec.name, "skipped", 0.0, {})
                else:
                    # a changed signature means changed inputs or config: redo from scratch; no
                    # entry means never finished (maybe crashed): resume, keeping finished shards
                    ctx.restart = restart or entry is not None
                    t0 = time.perf_counter()
                    produced = spec.run(ctx)
                    ctx.outputs.update(produced)
                    state[spec.name] = {"signature": signature, "outputs": {k: str(v) for k, v in produced.items()}}
                    write_json_atomic(self.state_path, state)
                    action = "redone" if entry is not None else "ran"
                    outcome = StageOutcome(spec.name, action, time.perf_counter() - t0, produced)
                outcomes.append(outcome)
                if on_stage is not None:
                    on_stage(outcome)
        finally:
            runner.close()
        return outcomes
