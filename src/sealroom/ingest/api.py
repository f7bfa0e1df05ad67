"""The ingest library API: what the CLI, the pipeline and the tests call."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sealroom.dataset.location import Location, is_url, location
from sealroom.errors import ConfigError, QuarantineError
from sealroom.ingest.adapters import adapter_for
from sealroom.ingest.detect import resolve
from sealroom.ingest.sources import DEFAULT_SPLIT_BYTES, discover
from sealroom.ingest.step import IngestStep
from sealroom.runner import LocalRunner, Runner, StepResult, run_step
from sealroom.step import Stats


@dataclass
class IngestResult:
    out: Location
    step: StepResult
    conversations: int
    messages: int
    quarantined: int
    #: quarantine code -> rows
    quarantine_by_reason: dict[str, int] = field(default_factory=dict)
    #: format -> conversations
    conversations_by_format: dict[str, int] = field(default_factory=dict)
    #: (format, role) -> messages
    messages_by_format_role: dict[tuple[str, str], int] = field(default_factory=dict)
    duplicates: int = 0
    sources: int = 0

    @property
    def stats(self) -> Stats:
        return self.step.stats


def _summarize(out: Location, result: StepResult) -> IngestResult:
    s = result.stats
    by_reason = {k.removeprefix("quarantined."): int(v) for k, v in s.items() if k.startswith("quarantined.")}
    by_format = {k.removeprefix("conversations."): int(v) for k, v in s.items() if k.startswith("conversations.")}
    by_role: Counter[tuple[str, str]] = Counter()
    for k, v in s.items():
        if k.startswith("messages."):
            fmt, role = k.removeprefix("messages.").rsplit(".", 1)
            by_role[(fmt, role)] += int(v)
    return IngestResult(
        out=out,
        step=result,
        conversations=int(s.get("conversations", 0)),
        messages=int(s.get("messages", 0)),
        quarantined=int(s.get("quarantined", 0)),
        quarantine_by_reason=dict(sorted(by_reason.items())),
        conversations_by_format=dict(sorted(by_format.items())),
        messages_by_format_role=dict(sorted(by_role.items())),
        duplicates=int(result.manifest.extra.get("duplicates", {}).get("count", 0)),
        sources=int(s.get("source_units", 0)),
    )


def ingest(
    sources: list[str | Path | Location],
    out: str | Path | Location,
    *,
    fmt: str = "auto",
    shard_size: int = 10_000,
    split_size: int = DEFAULT_SPLIT_BYTES,
    strict: bool = False,
    runner: Runner | None = None,
    restart: bool = False,
    show_progress: bool = True,
) -> IngestResult:
    """Ingest ``sources`` (files, folders, ``.gz``, ``.zip``) into the hold at ``out``.

    Resumable: a rerun skips finished source files; ``restart`` redoes all. With ``strict``, raises
    :class:`QuarantineError` after finishing (the hold is complete) if anything was quarantined.
    A plain JSONL file larger than ``split_size`` bytes is read by several tasks, one byte range of
    about that size each; the hold is the same as without splitting.
    """
    if shard_size < 1:
        raise ConfigError("--shard-size must be at least 1")
    if split_size < 1:
        raise ConfigError("--split-size must be at least 1")
    if fmt != "auto":
        adapter_for(fmt)  # fail early on an unknown format name
    if not sources:
        raise ConfigError("no sources given")
    given = [location(s) for s in sources]
    units, skipped = discover(given, split_bytes=split_size)
    out = location(out)
    units = [u for u in units if not _inside(u.path, out)]
    named = {str(s) for s in given if s.is_file()}
    pairs = []
    for unit in units:
        adapter = resolve(unit, fmt)
        if adapter is None and (unit.member is not None or unit.path not in named):
            # found by walking a folder or a zip (an export's user.json, feedback files…): listed
            # with its hash as skipped; a file named explicitly is quarantined as unknown_format
            skipped.append({**unit.as_dict(), "reason": "no known format"})
            continue
        pairs.append((unit, adapter.name if adapter else None))
    step = IngestStep(pairs, fmt=fmt, shard_size=shard_size, skipped=skipped, split_bytes=split_size)
    own_runner = runner is None
    runner = runner or LocalRunner()
    try:
        result = run_step(step, out, runner, restart=restart, show_progress=show_progress)
    finally:
        if own_runner:
            runner.close()
    summary = _summarize(out, result)
    if strict and summary.quarantined:
        reasons = ", ".join(f"{k}={v}" for k, v in summary.quarantine_by_reason.items())
        raise QuarantineError(f"{summary.quarantined} record(s) quarantined in {out / 'quarantine'} ({reasons})")
    return summary


def _inside(path: str, folder: Location) -> bool:
    """A hold written inside a walked source folder must not ingest itself on a rerun."""
    if not isinstance(folder, Path) or is_url(path):
        return False
    try:
        Path(path).resolve().relative_to(folder.resolve())
        return True
    except ValueError:
        return False
