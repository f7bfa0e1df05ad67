"""``DeidentifyStep``: the de-identifier mapped over a dataset's shards (any runner).

Outputs: ``main`` (CONVERSATION_SCHEMA, de-identified), ``replacements`` (the log), ``hits`` and
``signals`` (scan's spans re-mapped into the de-identified text) and ``quarantine`` (records that could not be treated:
id, code, reason — never text). The step holds configuration only: the key *path* and its
fingerprint; the key itself is loaded in each worker.
"""

from __future__ import annotations

import importlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.location import Location, location, read_parquet
from sealroom.dataset.writer import TaskWriter
from sealroom.deid.engine import Deidentifier, DeidResult, Quarantined
from sealroom.deid.exemption import load_hits, load_signals, open_hits
from sealroom.deid.originals import OriginalsCipher
from sealroom.deid.policy import Policy, policy_from_dict
from sealroom.deid.schema import DEID_QUARANTINE_SCHEMA, REPLACEMENT_SCHEMA
from sealroom.errors import ConfigError, KeyFileError, QuarantineError
from sealroom.keys import load_key
from sealroom.scan.schema import HITS_SCHEMA, SIGNALS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, conversations_to_table, table_to_conversations
from sealroom.step import ShardMapStep, Stats, Task

DEFAULT_ANALYZER = "sealroom.deid.analyzer:Analyzer"
#: Results written per flush: bounds memory on large shards.
FLUSH_EVERY = 256


def load_analyzer(spec: str) -> Any:
    """``module:attribute`` of an analyzer class or factory, called without arguments."""
    module, _, attr = spec.partition(":")
    try:
        obj = getattr(importlib.import_module(module), attr or "Analyzer")
    except (ImportError, AttributeError) as exc:
        raise ConfigError(
            f"analyzer {spec!r} cannot be loaded ({type(exc).__name__})", code="analyzer_missing"
        ) from None
    analyzer = obj()
    if hasattr(analyzer, "load"):
        analyzer.load()  # models load in the worker's setup, not inside the first task's timing
    return analyzer


class DeidentifyStep(ShardMapStep):
    stage = "deidentify"
    outputs = {
        "main": CONVERSATION_SCHEMA,
        "replacements": REPLACEMENT_SCHEMA,
        "hits": HITS_SCHEMA,
        "signals": SIGNALS_SCHEMA,
        "quarantine": DEID_QUARANTINE_SCHEMA,
    }

    def __init__(
        self,
        input_path: str | os.PathLike[str] | Location,
        *,
        key_file: str | Path,
        policy: Policy,
        hits_path: str | os.PathLike[str] | Location | None = None,
        originals_key_file: str | Path | None = None,
        analyzer: str = DEFAULT_ANALYZER,
        allow_quarantine: bool = False,
    ) -> None:
        super().__init__(input_path)
        self.key_file = Path(key_file)
        self.key_fingerprint = load_key(self.key_file).fingerprint
        self.policy_config = policy.to_config()
        self.hits_path = location(hits_path) if hits_path is not None else None
        self.originals_key_file = Path(originals_key_file) if originals_key_file is not None else None
        self.originals_fingerprint = (
            load_key(self.originals_key_file).fingerprint if self.originals_key_file is not None else None
        )
        if self.originals_fingerprint is not None and self.originals_fingerprint == self.key_fingerprint:
            raise KeyFileError("the originals key must differ from the pseudonym key", code="key_reuse")
        self.analyzer = analyzer
        self.allow_quarantine = allow_quarantine
        self.faker_version = _faker_version() if policy.uses_surrogates() else None
        self._engine: Deidentifier | None = None
        if self.hits_path is not None:
            open_hits(self.hits_path)  # fail now, not in a worker, when it is not a hits dataset

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_engine"] = None  # never pickle keys or models to workers
        return state

    def config(self) -> dict[str, Any]:
        return {
            "policy": self.policy_config,
            "key_file": str(self.key_file),
            "key_fingerprint": self.key_fingerprint,
            "hits": str(self.hits_path) if self.hits_path is not None else None,
            "log_originals": self.originals_fingerprint is not None,
            "originals_key_fingerprint": self.originals_fingerprint,
            "analyzer": self.analyzer,
            "faker": self.faker_version,
            "allow_quarantine": self.allow_quarantine,
        }

    def inputs(self) -> list[dict[str, Any]]:
        found = super().inputs()
        if self.hits_path is not None:
            found.append(open_hits(self.hits_path).as_input())
        return found

    def setup(self) -> None:
        key = load_key(self.key_file)
        if key.fingerprint != self.key_fingerprint:
            raise KeyFileError(f"key file {self.key_file} changed since the run was planned", code="key_changed")
        originals = None
        if self.originals_key_file is not None:
            okey = load_key(self.originals_key_file)
            if okey.fingerprint != self.originals_fingerprint:
                raise KeyFileError(f"key file {self.originals_key_file} changed since the run was planned")
            originals = OriginalsCipher(okey)
        policy = policy_from_dict(self.policy_config)
        self._engine = Deidentifier(key, policy, load_analyzer(self.analyzer), originals=originals)

    def process(self, task: Task, out: TaskWriter) -> Stats:
        if self._engine is None:
            self.setup()
        assert self._engine is not None
        convs = table_to_conversations(self.read_task(task))
        ids = [c.conversation_id for c in convs]
        hits, signals = load_hits(self.hits_path, ids), load_signals(self.hits_path, ids)
        stats = Stats()
        done: list[DeidResult] = []
        quarantined: list[Quarantined] = []
        for result in self._engine.deidentify_many(convs, hits, signals):
            if isinstance(result, Quarantined):
                quarantined.append(result)
            else:
                done.append(result)
            if len(done) >= FLUSH_EVERY:
                _flush(out, done, stats)
                done = []
        _flush(out, done, stats)
        if quarantined:
            out.write("quarantine", pa.Table.from_pylist([_qrow(q) for q in quarantined], DEID_QUARANTINE_SCHEMA))
            stats.add("quarantined", len(quarantined))
            for q in quarantined:
                stats.add(f"quarantined.{q.code}")
        stats.add("conversations_in", len(convs))
        return stats

    def finalize(self, out_dir: Location, stats: Stats) -> dict[str, Any]:
        count = int(stats.get("quarantined", 0))
        if count and not self.allow_quarantine:
            rows = [
                r for p in sorted((out_dir / "quarantine").glob("part-*.parquet")) for r in read_parquet(p).to_pylist()
            ]
            first = ", ".join(f"{r['conversation_id']} ({r['code']})" for r in rows[:5])
            raise QuarantineError(
                f"{count} conversation(s) could not be de-identified and were withheld: {first}"
                f"{' …' if count > 5 else ''}; reasons in {out_dir / 'quarantine'}. Fix the cause and rerun "
                "with --restart, or pass --allow-quarantine to accept the output without them"
            )
        return {"key_fingerprint": self.key_fingerprint, "quarantined": count}


def _flush(out: TaskWriter, results: list[DeidResult], stats: Stats) -> None:
    if not results:
        return
    out.write("main", conversations_to_table([r.conversation for r in results]))
    rows = [row for r in results for row in r.replacements]
    if rows:
        out.write("replacements", pa.Table.from_pylist(rows, REPLACEMENT_SCHEMA))
    hits = [h for r in results for h in r.hits]
    if hits:
        out.write("hits", pa.Table.from_pylist(hits, HITS_SCHEMA))
    signals = [h for r in results for h in r.signals]
    if signals:
        out.write("signals", pa.Table.from_pylist(signals, SIGNALS_SCHEMA))
    stats.add("signals", len(signals))
    stats.add("conversations", len(results))
    stats.add("messages", sum(len(r.conversation.messages) for r in results))
    stats.add("hits", len(hits))
    for row in rows:
        stats.add("replacements")
        stats.add(f"{row['operator']}.{row['label']}")


def _qrow(q: Quarantined) -> dict[str, Any]:
    return {"conversation_id": q.conversation_id, "message_index": q.message_index, "code": q.code, "reason": q.reason}


def _faker_version() -> str:
    # surrogates depend on Faker's data: a different version must not resume an older output
    try:
        return version("faker")
    except PackageNotFoundError:
        return "unknown"
