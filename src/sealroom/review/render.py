"""Turning a NATIVES document into view segments: text pieces with the marks that cover them.

Offsets of hits, replacements and signals are character offsets into the de-identified message
content. Spans may overlap (a pseudonym inside a reproduced passage), so each message is cut at
every span boundary and each piece lists the spans covering it. Text is escaped by the template
(Jinja2 autoescape); nothing here builds HTML.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Piece:
    text: str
    hits: list[dict[str, Any]] = field(default_factory=list)
    replacement: dict[str, Any] | None = None
    signals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def classes(self) -> str:
        out = []
        if self.hits:
            out.append("hit")
            out.append("origin-" + str(self.hits[0].get("origin", "unknown")))
        if self.replacement is not None:
            out.append("redaction" if self.replacement.get("operator") == "redact" else "pseudonym")
        if self.signals:
            out.append("signal")
        return " ".join(out)

    @property
    def title(self) -> str:
        bits = [
            f"article {h.get('article_id')} · similarity {float(h.get('similarity', 0)):.2f} · {h.get('origin')}"
            for h in self.hits
        ]
        if self.replacement is not None:
            bits.append(f"{self.replacement.get('label')} ({self.replacement.get('operator')})")
        bits.extend(f"signal: {s.get('signal')} {s.get('publisher') or ''}".strip() for s in self.signals)
        return "; ".join(bits)


@dataclass
class Turn:
    index: int
    role: str
    created_at: str | None
    model: str | None
    active: bool
    pieces: list[Piece]
    hits: list[dict[str, Any]]


def _clip(start: Any, end: Any, length: int) -> tuple[int, int] | None:
    try:
        s, e = max(0, int(start)), min(length, int(end))
    except (TypeError, ValueError):
        return None
    return (s, e) if s < e else None


def split_message(content: str, hits: list[dict], replacements: list[dict], signals: list[dict]) -> list[Piece]:
    n = len(content)
    spans: list[tuple[int, int, str, dict]] = []
    for kind, items in (("hit", hits), ("rep", replacements), ("sig", signals)):
        for item in items:
            clipped = _clip(item.get("start", item.get("out_start")), item.get("end", item.get("out_end")), n)
            if clipped:
                spans.append((*clipped, kind, item))
    cuts = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    pieces = []
    for a, b in itertools.pairwise(cuts):
        piece = Piece(content[a:b])
        for s, e, kind, item in spans:
            if s <= a and b <= e:
                if kind == "hit":
                    piece.hits.append(item)
                elif kind == "rep":
                    piece.replacement = item
                else:
                    piece.signals.append(item)
        pieces.append(piece)
    return pieces or [Piece("")]


def conversation_view(native: str) -> tuple[dict[str, Any], list[Turn]]:
    """The document header fields and its turns, from the stored NATIVES JSON."""
    doc = json.loads(native)
    conv = doc["conversation"]
    by_msg: dict[str, dict[int, list[dict]]] = {"hits": {}, "replacements": {}, "signals": {}}
    for key in by_msg:
        for item in doc.get(key) or []:
            if key == "replacements" and item.get("field", "content") != "content":
                continue
            by_msg[key].setdefault(int(item.get("message_index", -1)), []).append(item)
    turns = []
    for m in conv["messages"]:
        idx = int(m.get("index", 0))
        content = str(m.get("content") or "")
        hits = by_msg["hits"].get(idx, [])
        turns.append(
            Turn(
                index=idx,
                role=str(m.get("role", "")),
                created_at=m.get("created_at"),
                model=m.get("model"),
                active=bool(m.get("active", True)),
                pieces=split_message(
                    content, hits, by_msg["replacements"].get(idx, []), by_msg["signals"].get(idx, [])
                ),
                hits=hits,
            )
        )
    return doc, turns
