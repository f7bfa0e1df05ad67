"""The scan stage: a ShardMapStep from a conversation dataset to hits, a summary and news signals."""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sealroom.dataset.location import Location, location
from sealroom.dataset.writer import TaskWriter
from sealroom.errors import ConfigError
from sealroom.runner import StepResult, make_runner, run_step
from sealroom.runner.base import Runner
from sealroom.scan.align import AlignParams
from sealroom.scan.index import CorpusIndex, open_index
from sealroom.scan.matcher import Match, find_matches
from sealroom.scan.origin import MessageRef, Piece, ancestors, attribute
from sealroom.scan.schema import HITS_SCHEMA, SIGNALS_SCHEMA, SUMMARY_SCHEMA
from sealroom.scan.signals import (
    DEFAULT_PUBLISHERS,
    SignalConfig,
    load_signal_config,
    message_signals,
    messages_to_check,
)
from sealroom.scan.summary import summarize
from sealroom.step import ShardMapStep, Stats, Task

_MESSAGE_FIELDS = ("index", "node_id", "parent_id", "role", "content")
BATCH_CHARS = 8 << 20


def _span_words(m: Match) -> int:
    return m.span.a1 - m.span.a0  # article words reproduced, as align.py counts them


class ScanStep(ShardMapStep):
    stage = "scan"
    outputs = {"main": HITS_SCHEMA, "summary": SUMMARY_SCHEMA, "signals": SIGNALS_SCHEMA}

    def __init__(
        self,
        input_path: str | os.PathLike[str] | Location,
        index_path: str | os.PathLike[str] | Location,
        *,
        min_words: int = 20,
        publishers: Path | None = None,
        max_postings: int = 256,
    ) -> None:
        super().__init__(input_path)
        if min_words < 5:
            raise ConfigError(f"--min-words {min_words}: must be at least 5")
        self.index_path = location(index_path)
        self.min_words = min_words
        self.publishers = Path(publishers) if publishers is not None else None
        self.max_postings = max_postings
        # opened in setup() in each worker process, never pickled
        self._index: CorpusIndex | None = None
        self._signals: SignalConfig | None = None
        load_signal_config(self.publishers)  # fail early on a bad file, in the calling process

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_index"] = None
        state["_signals"] = None
        return state

    @property
    def params(self) -> AlignParams:
        return AlignParams(min_words=self.min_words)

    def _publishers_digest(self) -> str:
        path = self.publishers or DEFAULT_PUBLISHERS
        return hashlib.sha256(path.read_bytes()).hexdigest()

    def config(self) -> dict[str, Any]:
        idx = open_index(self.index_path)
        p = self.params
        return {
            "min_words": self.min_words,
            "k": idx.k,
            "w": idx.w,
            "max_postings": self.max_postings,
            "align": {name: getattr(p, name) for name in p.__dataclass_fields__},
            "publishers_sha256": self._publishers_digest(),
        }

    def inputs(self) -> list[dict[str, Any]]:
        return [self.input_dataset().as_input(), open_index(self.index_path).as_input()]

    def setup(self) -> None:
        self._index = open_index(self.index_path)
        self._signals = load_signal_config(self.publishers)

    def process(self, task: Task, out: TaskWriter) -> Stats:
        if self._index is None or self._signals is None:
            self.setup()
        table = self.read_task(task, ["conversation_id", "messages"])
        stats = Stats()
        # conversations in batches of about BATCH_CHARS characters: a worker's memory (~150 bytes
        # per word of the batch) stays bounded whatever the shard size
        msgs = table.column("messages").combine_chunks()
        lengths = pc.utf8_length(msgs.flatten().field("content")).to_numpy(zero_copy_only=False)
        parents = pc.list_parent_indices(msgs).to_numpy(zero_copy_only=False)
        per_conv = np.bincount(parents, weights=lengths, minlength=len(msgs)).astype(np.int64).tolist()
        start, size = 0, 0
        for c, n in enumerate(per_conv):
            size += n
            if size >= BATCH_CHARS or c == len(per_conv) - 1:
                self._process_batch(table.slice(start, c + 1 - start), out, stats)
                start, size = c + 1, 0
        return stats

    def _process_batch(self, table: pa.Table, out: TaskWriter, stats: Stats) -> None:
        assert self._index is not None and self._signals is not None
        index = self._index
        conv_ids: list[str] = table.column("conversation_id").to_pylist()
        msgs = table.column("messages").combine_chunks()
        offsets = msgs.offsets.to_pylist()
        flat = msgs.flatten()
        cols = {name: flat.field(name).to_pylist() for name in _MESSAGE_FIELDS}
        texts: list[str] = cols["content"]
        roles: list[str] = cols["role"]
        stats.add("conversations", len(conv_ids))
        stats.add("messages", len(texts))
        # user text counts for origins from the index's guarantee up; reported hits from min_words
        origin_words = min(self.min_words, index.k + index.w - 1)
        per_text = [origin_words if r == "user" else self.min_words for r in roles]
        matches = find_matches(
            index,
            texts,
            AlignParams(min_words=origin_words),
            min_words_for=per_text,
            max_postings=self.max_postings,
            stats=stats,
        )
        by_text: dict[int, list[Match]] = defaultdict(list)
        for m in matches:
            by_text[m.text].append(m)

        check = messages_to_check(texts, self._signals)
        hits: list[dict[str, Any]] = []
        signals: list[dict[str, Any]] = []
        summaries: list[dict[str, Any]] = []
        for c, cid in enumerate(conv_ids):
            lo, hi = offsets[c], offsets[c + 1]
            conv_hits = (
                self._conversation_hits(cid, lo, hi, cols, by_text, index)
                if any(t in by_text for t in range(lo, hi))
                else []
            )
            hits += conv_hits
            for t in range(lo, hi):
                if not check[t]:
                    continue
                pubs = {index.article_publisher(m.article) for m in by_text.get(t, [])}
                for s in message_signals(texts[t], roles[t], self._signals, pubs):
                    signals.append(
                        {
                            "conversation_id": cid,
                            "message_index": cols["index"][t],
                            "role": roles[t],
                            "start": s.start,
                            "end": s.end,
                            "signal": s.signal,
                            "publisher": s.publisher,
                            "detail": s.detail,
                        }
                    )
            summaries.append(summarize(cid, hi - lo, conv_hits, index))
        for h in hits:
            stats.add(f"hits_{h['origin']}")
            stats.add(f"words_{h['origin']}", h["words"])
        for s in signals:
            stats.add(f"signal_{s['signal']}")
        stats.add("hits", len(hits))
        stats.add("conversations_with_hits", sum(1 for s in summaries if s["hits"]))
        out.write("main", pa.Table.from_pylist(hits, schema=HITS_SCHEMA))
        out.write("summary", pa.Table.from_pylist(summaries, schema=SUMMARY_SCHEMA))
        out.write("signals", pa.Table.from_pylist(signals, schema=SIGNALS_SCHEMA))

    def _conversation_hits(
        self,
        cid: str,
        lo: int,
        hi: int,
        cols: dict[str, list[Any]],
        by_text: dict[int, list[Match]],
        index: CorpusIndex,
    ) -> list[dict[str, Any]]:
        refs = [
            MessageRef(cols["index"][t], cols["node_id"][t], cols["parent_id"][t], cols["role"][t])
            for t in range(lo, hi)
        ]
        row_of = {cols["index"][t]: t for t in range(lo, hi)}
        before = ancestors(refs)
        # article token ranges that each user message contains, by article
        user_ranges: dict[int, dict[int, list[tuple[int, int]]]] = {}
        for t in range(lo, hi):
            if cols["role"][t] == "user":
                for m in by_text.get(t, []):
                    user_ranges.setdefault(t, {}).setdefault(m.article, []).append((m.span.a0, m.span.a1))
        rows: list[dict[str, Any]] = []
        for t in range(lo, hi):
            role, mi = cols["role"][t], cols["index"][t]
            for m in by_text.get(t, []):
                if role == "user":
                    if _span_words(m) >= self.min_words:
                        rows.append(_row(cid, mi, role, m, Piece(m.span, "user"), index))
                    continue
                prompt = [r for e in before.get(mi, []) for r in user_ranges.get(row_of[e], {}).get(m.article, [])]
                for piece in attribute(m.span, prompt, self.min_words):
                    rows.append(_row(cid, mi, role, m, piece, index))
        return rows


def _row(cid: str, mi: int, role: str, m: Match, piece: Piece, index: CorpusIndex) -> dict[str, Any]:
    s = piece.span
    start, end = m.chars(s.q0, s.q1)
    a_start, a_end = m.article_chars(s.a0, s.a1)
    return {
        "conversation_id": cid,
        "message_index": mi,
        "role": role,
        "start": start,
        "end": end,
        "article_id": index.article_id(m.article),
        "article_start": a_start,
        "article_end": a_end,
        "words": s.q1 - s.q0,
        "kind": s.kind,
        "similarity": round(s.similarity, 4),
        "origin": piece.origin,
        # for the summary only (not in HITS_SCHEMA): article number, article and message token ranges
        "_article": m.article,
        "_a0": s.a0,
        "_a1": s.a1,
        "_q0": s.q0,
        "_q1": s.q1,
    }


def scan(
    dataset: str | os.PathLike[str] | Location,
    index: str | os.PathLike[str] | Location,
    out: str | os.PathLike[str] | Location,
    *,
    min_words: int = 20,
    publishers: Path | None = None,
    runner: Runner | None = None,
    restart: bool = False,
    show_progress: bool = True,
    max_postings: int = 256,
) -> StepResult:
    """Scan a conversation dataset for text of the indexed articles. Writes ``out`` (hits) with side
    outputs ``summary`` and ``signals``; resumable like every stage. ``dataset`` and ``out`` may be
    object-storage URLs; so may the index (fetched once per machine into a local cache, since it is
    memory-mapped)."""
    step = ScanStep(dataset, index, min_words=min_words, publishers=publishers, max_postings=max_postings)
    own = runner is None
    runner = runner or make_runner()
    try:
        return run_step(step, out, runner, restart=restart, show_progress=show_progress)
    finally:
        if own:
            runner.close()
