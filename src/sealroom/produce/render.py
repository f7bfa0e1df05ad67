"""One conversation → its production document: the NATIVES JSON record and the TEXT transcript.

Offsets of hits, replacements and signals are code-point offsets into the de-identified message
content (Python ``str`` indexing), so markers are inserted by position without re-searching text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sealroom.dataset.files import dump_json
from sealroom.produce.errors import ProductionError
from sealroom.produce.inputs import HIT_COLUMNS

NATIVE_FORMAT = "sealroom.native/1"
DESIGNATIONS = ("CONFIDENTIAL", "AEO")
TIMESTAMP_POLICIES = ("full", "date", "none")
#: Same width as every real volume name, so a staged document's size does not change when the
#: volume is assigned (see volume.py).
VOLUME_PLACEHOLDER = "VOL000"
BANNERS = {
    "CONFIDENTIAL": "CONFIDENTIAL - SUBJECT TO PROTECTIVE ORDER",
    "AEO": "HIGHLY CONFIDENTIAL - ATTORNEYS' EYES ONLY - SUBJECT TO PROTECTIVE ORDER",
}
HIT_FIELDS = tuple(name for name in HIT_COLUMNS if name != "conversation_id")
REPLACEMENT_FIELDS = ("message_index", "field", "out_start", "out_end", "label", "operator")
SIGNAL_FIELDS = ("message_index", "start", "end", "signal", "publisher")


def format_time(value: datetime | None, policy: str) -> str | None:
    """ISO-8601 in UTC (``Z``), the date alone, or nothing, per the timestamp policy."""
    if value is None or policy == "none":
        return None
    if policy == "date":
        return value.date().isoformat()
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@dataclass(slots=True)
class Rendered:
    """A staged document: everything but its volume, which is assigned while assembling."""

    native: bytes
    text: bytes
    dat: dict[str, str]
    redactions: dict[str, int]  # "LABEL\toperator" -> count


def _check_span(docid: str, kind: str, msg_index: int, start: int, end: int, length: int | None) -> None:
    if length is None:
        raise ProductionError(f"document {docid}: a {kind} names message {msg_index}, which the conversation lacks")
    if not 0 <= start <= end <= length:
        raise ProductionError(
            f"document {docid}: {kind} offsets {start}-{end} fall outside message {msg_index} "
            f"(length {length}); were they computed on the de-identified text?"
        )


def _markers(
    content: str, spans: list[tuple[int, int, str, str]]
) -> str:  # (start, end, open, close) -> content with markers
    if not spans:
        return content
    events: list[tuple[int, int, int, str]] = []
    for seq, (start, end, open_m, close_m) in enumerate(sorted(spans, key=lambda s: (s[0], -s[1], s[2]))):
        if start == end:
            events.append((start, 1, seq, open_m + close_m))
        else:
            events.append((start, 1, seq, open_m))
            # closes before opens at one position; the span opened last closes first
            events.append((end, 0, -seq, close_m))
    events.sort()
    out: list[str] = []
    pos = 0
    for at, _, _, marker in events:
        out.append(content[pos:at])
        out.append(marker)
        pos = at
    out.append(content[pos:])
    return "".join(out)


def _sorted(rows: list[dict[str, Any]], fields: tuple[str, ...], key: tuple[str, ...]) -> list[dict[str, Any]]:
    picked = [{f: r[f] for f in fields} for r in rows]
    return sorted(picked, key=lambda r: tuple((r[k] is None, r[k]) for k in key))


def render_document(
    conv: dict[str, Any],
    *,
    bates: str,
    docid: str,
    designation: str,
    timestamps: str,
    hits: list[dict[str, Any]],
    replacements: list[dict[str, Any]],
    signals: list[dict[str, Any]],
) -> Rendered:
    messages = conv["messages"]
    by_index = {m["index"]: m for m in messages}
    lengths = {m["index"]: len(m["content"]) for m in messages}

    hit_rows = _sorted(hits, HIT_FIELDS, ("message_index", "start", "end", "article_id"))
    for h in hit_rows:
        h["similarity"] = round(float(h["similarity"]), 4)  # float32 noise would make JSON unstable
        _check_span(docid, "hit", h["message_index"], h["start"], h["end"], lengths.get(h["message_index"]))
    rep_rows = _sorted(replacements, REPLACEMENT_FIELDS, ("message_index", "field", "out_start", "out_end"))
    for r in rep_rows:
        if r["field"] == "content":
            _check_span(
                docid, "replacement", r["message_index"], r["out_start"], r["out_end"], lengths.get(r["message_index"])
            )
    sig_rows = _sorted(signals, SIGNAL_FIELDS, ("message_index", "start", "end", "signal"))
    for s in sig_rows:
        _check_span(docid, "signal", s["message_index"], s["start"], s["end"], lengths.get(s["message_index"]))

    conversation: dict[str, Any] = {}
    for name, value in conv.items():
        if name == "messages":
            continue
        conversation[name] = format_time(value, timestamps) if isinstance(value, datetime) else value
    # the hold's conversation id can be linked back to an account; the document carries the keyed DOCID
    conversation["conversation_id"] = docid
    for name in ("created_at", "updated_at"):
        if conv.get(name) is None or timestamps == "none":
            conversation[name] = None
    conversation["messages"] = [
        {k: (format_time(v, timestamps) if isinstance(v, datetime) else v) for k, v in m.items()} for m in messages
    ]
    native = {
        "format": NATIVE_FORMAT,
        "bates": {"begin": bates, "end": bates},
        "docid": docid,
        "designation": designation,
        "volume": VOLUME_PLACEHOLDER,
        "conversation": conversation,
        "hits": hit_rows,
        "replacements": rep_rows,
        "signals": sig_rows,
    }

    text = _transcript(conv, bates, docid, designation, timestamps, hit_rows, rep_rows, sig_rows, by_index)
    redactions = Counter(f"{r['label']}\t{r['operator']}" for r in rep_rows)
    user_turns = sum(1 for m in messages if m["active"] and m["role"] == "user")
    models = conv.get("model") or "; ".join(sorted({m["model"] for m in messages if m.get("model")}))
    dat = {
        "BEGBATES": bates,
        "ENDBATES": bates,
        "DOCID": docid,
        "DATE": format_time(conv.get("created_at"), "date" if timestamps != "none" else "none") or "",
        "MODEL": models or "",
        "TURNS": str(user_turns),
        "MESSAGES": str(len(messages)),
        "HAS_REPRODUCTION": "Y" if hit_rows else "N",
        "ARTICLES": "; ".join(sorted({h["article_id"] for h in hit_rows})),
        "ORIGINS": "; ".join(sorted({h["origin"] for h in hit_rows})),
        "SIGNALS": str(len(sig_rows)),
        "REPLACEMENTS": str(len(rep_rows)),
        "DESIGNATION": designation,
    }
    return Rendered(dump_json(native), text.encode("utf-8"), dat, dict(sorted(redactions.items())))


def _transcript(
    conv: dict[str, Any],
    bates: str,
    docid: str,
    designation: str,
    timestamps: str,
    hits: list[dict[str, Any]],
    reps: list[dict[str, Any]],
    signals: list[dict[str, Any]],
    by_index: dict[int, dict[str, Any]],
) -> str:
    spans: dict[int, list[tuple[int, int, str, str]]] = {}
    for r in reps:
        if r["field"] == "content":
            spans.setdefault(r["message_index"], []).append(
                (r["out_start"], r["out_end"], f"⟦{r['label']}/{r['operator']}: ", "⟧")
            )
    for h in hits:
        spans.setdefault(h["message_index"], []).append(
            (
                h["start"],
                h["end"],
                f"⟪ARTICLE {h['article_id']} | {h['origin']} | {h['kind']} | {h['words']} words⟫",
                f"⟪/ARTICLE {h['article_id']}⟫",
            )
        )
    for s in signals:
        who = f" | {s['publisher']}" if s.get("publisher") else ""
        spans.setdefault(s["message_index"], []).append(
            (s["start"], s["end"], f"⟨SIGNAL {s['signal']}{who}⟩", "⟨/SIGNAL⟩")
        )

    meta = [
        ("created", format_time(conv.get("created_at"), timestamps)),
        ("updated", format_time(conv.get("updated_at"), timestamps)),
        ("model", conv.get("model")),
        ("language", conv.get("language")),
        ("account", conv.get("account_type")),
    ]
    lines = [
        bates,
        BANNERS[designation],
        f"DOCID: {docid}",
        "Conversation: " + " | ".join(f"{k} {v}" for k, v in meta if v) if any(v for _, v in meta) else "Conversation:",
        f"Title: {conv.get('title') or ''}",
        f"Messages: {len(conv['messages'])} | reproduced-article spans: {len(hits)} | "
        f"de-identified values: {len(reps)} | signals: {len(signals)}",
        "Markers: ⟦LABEL/operator: value⟧ de-identified value | ⟪ARTICLE id | origin | kind⟫ … ⟪/ARTICLE id⟫ "
        "reproduced article text | ⟨SIGNAL kind | publisher⟩ … ⟨/SIGNAL⟩",
        "=" * 72,
    ]
    turn = 0
    for m in conv["messages"]:
        if m["active"] and m["role"] == "user":
            turn += 1
        head = [f"Message {m['index'] + 1}", f"Turn {turn}" if m["active"] else "branch (not on the visible path)"]
        head.append(m["role"].upper())
        if m.get("model"):
            head.append(m["model"])
        when = format_time(m.get("created_at"), timestamps)
        if when:
            head.append(when)
        lines.append("")
        lines.append("--- " + " | ".join(head) + " ---")
        lines.append(_markers(m["content"], spans.get(m["index"], [])))
    lines += ["", "=" * 72, f"END OF DOCUMENT {bates}", ""]
    return "\n".join(lines)
