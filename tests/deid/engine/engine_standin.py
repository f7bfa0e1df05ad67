"""A small stand-in analyzer for the engine's tests: regex e-mails, phones, dates, ages and a name
list. It has the interface of ``sealroom.deid.analyzer.Analyzer`` and none of its cost, so the
engine's own behaviour (consistency, operators, offsets, chunking) is tested on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.writer import TaskWriter
from sealroom.deid.base import DetectionContext, Finding
from sealroom.runner import LocalRunner, run_step
from sealroom.scan.schema import HITS_SCHEMA, SIGNALS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table
from sealroom.step import Stats, Step, Task

NAMES = ("Jane Smith", "John Carter", "Alice Moreau", "Bob", "Priya Raman", "Barack Obama", "Ms. Smith")
_NAME = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in NAMES) + r")(?!\w)")
_ORG = re.compile(r"(?<!\w)(?:New York Times|Acme Corp)(?!\w)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+\d[\d ()-]{7,}\d(?!\w)")
_DATE = re.compile(r"(?<!\w)\d{4}-\d{2}-\d{2}(?!\w)")
_AGE = re.compile(r"(?<!\w)\d{1,2}(?= years old)")


class StandInAnalyzer:
    """Findings sorted and non-overlapping, like the real analyzer's. ``roles`` limits the name
    list to some roles (as the real analyzer may limit NER), to test propagation."""

    def __init__(self, roles: tuple[str, ...] | None = None) -> None:
        self.roles = roles

    def analyze(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        found: list[Finding] = []
        role = context.role if context is not None else None
        if self.roles is None or role in self.roles:
            found += [Finding(m.start(), m.end(), "PERSON", 0.85, "standin.name") for m in _NAME.finditer(text)]
        found += [Finding(m.start(), m.end(), "EMAIL", 1.0, "standin.email") for m in _EMAIL.finditer(text)]
        found += [Finding(m.start(), m.end(), "ORGANIZATION", 0.8, "standin.org") for m in _ORG.finditer(text)]
        found += [Finding(m.start(), m.end(), "PHONE", 0.9, "standin.phone") for m in _PHONE.finditer(text)]
        found += [Finding(m.start(), m.end(), "DATE", 0.9, "standin.date") for m in _DATE.finditer(text)]
        found += [Finding(m.start(), m.end(), "AGE", 0.9, "standin.age") for m in _AGE.finditer(text)]
        found.sort(key=lambda f: (f.start, -f.end))
        out: list[Finding] = []
        for f in found:
            if out and f.start < out[-1].end:
                continue
            out.append(f)
        return out

    def analyze_many(self, texts: Sequence[str], contexts: Sequence[DetectionContext]) -> list[list[Finding]]:
        return [self.analyze(t, c) for t, c in zip(texts, contexts, strict=True)]


class FailingAnalyzer(StandInAnalyzer):
    """Fails on any text containing the marker, to test quarantine."""

    MARKER = "\u2620FAIL"

    def analyze(self, text: str, context: DetectionContext | None = None) -> list[Finding]:
        if self.MARKER in text:
            raise RuntimeError("analyzer blew up on " + text)
        return super().analyze(text, context)


class TableStep(Step):
    """Writes given tables as a dataset's shards (one task per table): test datasets of any shape."""

    def __init__(
        self, stage: str, schema: pa.Schema, tables: list[pa.Table], sides: dict[str, pa.Table] | None = None
    ) -> None:
        self.stage = stage
        self.sides = sides or {}
        self.outputs = {"main": schema, **{name: t.schema for name, t in self.sides.items()}}
        self.tables = tables

    def config(self) -> dict[str, Any]:
        return {"rows": [t.num_rows for t in self.tables]}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task(f"{i:05d}", i) for i in range(len(self.tables))]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        out.write("main", self.tables[task.payload])
        if task.payload == 0:
            for name, table in self.sides.items():
                out.write(name, table)
        return Stats(rows=self.tables[task.payload].num_rows)


def write_conversations(path: Path, shards: list[list[Conversation]]) -> Path:
    step = TableStep("ingest", CONVERSATION_SCHEMA, [conversations_to_table(s) for s in shards])
    run_step(step, path, LocalRunner(1), show_progress=False)
    return path


def write_hits(path: Path, rows: list[dict[str, Any]], signals: list[dict[str, Any]] | None = None) -> Path:
    sides = {"signals": pa.Table.from_pylist(signals, SIGNALS_SCHEMA)} if signals is not None else None
    step = TableStep("scan", HITS_SCHEMA, [pa.Table.from_pylist(rows, HITS_SCHEMA)], sides)
    run_step(step, path, LocalRunner(1), show_progress=False)
    return path


def hit(conversation_id: str, message_index: int, start: int, end: int, role: str = "assistant") -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "message_index": message_index,
        "role": role,
        "start": start,
        "end": end,
        "article_id": "a1",
        "article_start": 0,
        "article_end": end - start,
        "words": 10,
        "kind": "verbatim",
        "similarity": 1.0,
        "origin": "generated",
    }


def chat(cid: str, *turns: str, **fields: Any) -> Conversation:
    """A conversation alternating user/assistant turns."""
    messages = [
        Message(i, f"{cid}-n{i}", f"{cid}-n{i - 1}" if i else None, "user" if i % 2 == 0 else "assistant", t)
        for i, t in enumerate(turns)
    ]
    return Conversation(cid, "test", messages=messages, **fields)
