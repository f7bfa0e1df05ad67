"""Run the analyzer over ``{"id", "text"[, "turns"]}`` documents: the library behind ``sealroom detect``.

A document with ``turns`` (``[{"role", "start", "end"}]``, as the gold set has) is analysed turn by
turn with each turn's role, as the de-identification engine does, including propagation of surface
forms across the turns; a document without is one user turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from sealroom.deid.analyzer import Analyzer
from sealroom.deid.base import DetectionContext, Finding
from sealroom.errors import InputError


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Lines of a JSONL file; errors name the line number, never its content."""
    with path.open("rb") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                doc = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise InputError(f"{path.name}: line {no} is not valid JSON") from None
            if not isinstance(doc, dict) or "id" not in doc or not isinstance(doc.get("text"), str):
                raise InputError(f"{path.name}: line {no} needs an 'id' and a string 'text'")
            yield doc


def _turns(doc: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    text = doc["text"]
    turns = doc.get("turns")
    if not turns:
        return [(0, len(text), "user")]
    out = []
    for k, t in enumerate(turns):
        start, end = int(t["start"]), int(t["end"])
        if not 0 <= start <= end <= len(text):
            raise InputError(f"document {doc['id']!r}: turn {k} offsets {start}:{end} outside the text")
        out.append((start, end, str(t.get("role") or "user")))
    return out


def detect_documents(
    docs: Iterable[Mapping[str, Any]], analyzer: Analyzer, batch_docs: int = 32
) -> Iterator[tuple[str, list[Finding]]]:
    """(doc id, findings with offsets into the document's ``text``), in input order."""
    batch: list[Mapping[str, Any]] = []

    def flush() -> Iterator[tuple[str, list[Finding]]]:
        convs = []
        layouts = []
        for doc in batch:
            turns = _turns(doc)
            layouts.append(turns)
            texts = [doc["text"][s:e] for s, e, _ in turns]
            contexts: list[DetectionContext | None] = [
                DetectionContext(role=r, conversation_id=str(doc["id"])) for _, _, r in turns
            ]
            convs.append((texts, contexts))
        results = analyzer.analyze_conversations(convs)
        for doc, turns, per_turn in zip(batch, layouts, results, strict=True):
            found = [
                Finding(f.start + s, f.end + s, f.label, f.score, f.detector, f.explanation)
                for (s, _, _), fs in zip(turns, per_turn, strict=True)
                for f in fs
            ]
            yield str(doc["id"]), found
        batch.clear()

    for doc in docs:
        batch.append(doc)
        if len(batch) >= batch_docs:
            yield from flush()
    if batch:
        yield from flush()


def span_line(doc_id: str, findings: list[Finding], with_detector: bool = False) -> dict[str, Any]:
    spans = []
    for f in findings:
        span: dict[str, Any] = {"start": f.start, "end": f.end, "label": f.label, "score": f.score}
        if with_detector:
            span["detector"] = f.detector
            span["explanation"] = f.explanation
        spans.append(span)
    return {"id": doc_id, "spans": spans}
