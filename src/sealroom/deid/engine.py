"""The de-identifier: findings → consistent entities → operators → de-identified conversation,
replacement log and re-mapped hits.

A conversation is either fully treated or quarantined (:class:`Quarantined`: id, code, reason,
never text); no code path returns a record with identifiers the engine found left in it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from sealroom.deid.base import DetectionContext, Finding
from sealroom.deid.consistency import STATISTICAL, EntityTable, Propagator
from sealroom.deid.exemption import HitIndex
from sealroom.deid.metadata import MetadataTreatment, Row, TextUnit
from sealroom.deid.operators import OPERATORS, OperatorContext
from sealroom.deid.originals import OriginalsCipher
from sealroom.deid.policy import Policy
from sealroom.deid.pseudonyms import OWN_TAG, SurrogateFactory, keyed_digest
from sealroom.deid.spans import OffsetMap, chunk_bounds, merge_findings, merge_intervals, overlapping, subtract
from sealroom.errors import SealroomError
from sealroom.keys import SecretKey
from sealroom.schema import Conversation

EXEMPT = "exempt"
_BLANK = re.compile(r"^[\W_]*$")
_BAND_LEFT = re.compile(r"(?<!\d)\d{1,3}\s*[-–]\s*$")
_BAND_RIGHT = re.compile(r"\s*[-–]\s*\d{1,3}(?!\d)")


class AnalyzerLike(Protocol):
    def analyze_many(
        self, texts: Sequence[str], contexts: Sequence[DetectionContext]
    ) -> list[list[Finding]]: ...  # fmt: skip


class DeidentifyError(SealroomError):
    code = "deidentify"


@dataclass(slots=True)
class DeidResult:
    conversation: Conversation
    replacements: list[Row]
    hits: list[dict[str, Any]]
    signals: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Quarantined:
    conversation_id: str
    message_index: int | None
    code: str
    reason: str


class Deidentifier:
    """Holds the key-derived secrets, the policy and an analyzer; stateless between calls."""

    def __init__(
        self,
        key: SecretKey,
        policy: Policy,
        analyzer: AnalyzerLike,
        *,
        originals: OriginalsCipher | None = None,
        batch_chars: int = 1_000_000,
    ) -> None:
        self.policy = policy
        self.analyzer = analyzer
        self.originals = originals
        self.batch_chars = batch_chars
        self._pseudo_key = key.derive("deid-pseudonym")
        self._shift_key = key.derive("deid-date-shift")
        self._hash_key = key.derive("deid-metadata-hash")
        self._surrogates = SurrogateFactory(policy.pseudonyms.locale) if policy.uses_surrogates() else None

    # -- public API ------------------------------------------------------------------------------
    def deidentify(
        self, conv: Conversation, hits: HitIndex | None = None, signals: HitIndex | None = None
    ) -> DeidResult:
        """One conversation; raises :class:`DeidentifyError` (naming only ids) when it cannot."""
        (out,) = list(self.deidentify_many([conv], hits or {}, signals or {}))
        if isinstance(out, Quarantined):
            raise DeidentifyError(f"conversation {out.conversation_id}: {out.reason}", code=out.code)
        return out

    def deidentify_many(
        self, convs: Sequence[Conversation], hits: HitIndex, signals: HitIndex | None = None
    ) -> Iterator[DeidResult | Quarantined]:
        """Results in input order. Analysis is batched across conversations (NER is much faster on
        batches); a failure isolates itself to its conversation. ``hits`` and ``signals`` are scan
        outputs by conversation id and message index (see :mod:`sealroom.deid.exemption`)."""
        batch: list[tuple[Conversation, MetadataTreatment | Quarantined, list[TextUnit]]] = []
        size = 0
        for conv in convs:
            prepared = self._prepare(conv, hits, signals or {})
            batch.append(prepared)
            size += sum(len(u.text) for u in prepared[2])
            if size >= self.batch_chars:
                yield from self._run_batch(batch)
                batch, size = [], 0
        if batch:
            yield from self._run_batch(batch)

    # -- stages ----------------------------------------------------------------------------------
    def shift_days(self, conversation_id: str) -> int:
        n = int.from_bytes(keyed_digest(self._shift_key, conversation_id)[:8], "big")
        days = 1 + (n >> 1) % self.policy.dates.max_shift_days
        return days if n & 1 else -days

    def _prepare(
        self, conv: Conversation, hits: HitIndex, signals: HitIndex
    ) -> tuple[Conversation, MetadataTreatment | Quarantined, list[TextUnit]]:
        try:
            meta = MetadataTreatment(conv, self.policy, self._hash_key, self.shift_days(conv.conversation_id))
            units = [TextUnit(m.index, "content", m.content, m.role) for m in conv.messages] + meta.units
            exempt = self.policy.exemption
            conv_hits = hits.get(conv.conversation_id, {})
            conv_signals = signals.get(conv.conversation_id, {})
            unknown = (set(conv_hits) | set(conv_signals)) - {m.index for m in conv.messages}
            if unknown:
                raise DeidentifyError(f"hits name message(s) {sorted(unknown)} it does not have", code="hits_mismatch")
            for u in units[: len(conv.messages)]:
                u.hits = conv_hits.get(u.message_index, [])
                u.signals = conv_signals.get(u.message_index, [])
                for r in (*u.hits, *u.signals):
                    if not 0 <= int(r["start"]) <= int(r["end"]) <= len(u.text):  # type: ignore[call-overload]
                        raise DeidentifyError(f"hit offsets outside message {u.message_index}", code="hits_offsets")
                keep = [r for r in u.hits if exempt.published_text == "keep"]
                keep += [r for r in u.signals if r["signal"] in exempt.signals]
                u.exempt = merge_intervals((int(r["start"]), int(r["end"])) for r in keep)  # type: ignore[call-overload]
            return conv, meta, units
        except Exception as exc:
            return conv, _quarantine(conv.conversation_id, exc), []

    def _analyze(self, units: list[tuple[str, TextUnit]]) -> None:
        """Run the analyzer over every (conversation id, unit), long ones in overlapping chunks."""
        texts: list[str] = []
        contexts: list[DetectionContext] = []
        where: list[tuple[TextUnit, int]] = []
        chunking = self.policy.chunking
        for cid, u in units:
            if not u.text.strip():
                continue
            # published text stays readable whatever is found in it, so it is blanked (offsets kept)
            # rather than analyzed: reproduced articles are long, capitalised prose that would
            # otherwise send much of a news conversation through NER for nothing
            text = _blank(u.text, u.exempt) if u.exempt else u.text
            for s, e in chunk_bounds(len(text), chunking.chars, chunking.overlap, text):
                texts.append(text[s:e])
                contexts.append(DetectionContext(role=u.role, conversation_id=cid, extra={"field": u.field}))
                where.append((u, s))
        if not texts:
            return
        results = self.analyzer.analyze_many(texts, contexts)
        if len(results) != len(texts):
            raise DeidentifyError(f"analyzer returned {len(results)} results for {len(texts)} texts", code="analyzer")
        for (u, offset), text, found in zip(where, texts, results, strict=True):
            for f in found:
                if not 0 <= f.start < f.end <= len(text):
                    raise DeidentifyError(
                        f"analyzer finding [{f.start}:{f.end}] outside its text in message {u.message_index}",
                        code="analyzer_offsets",
                    )
                u.findings.append(replace(f, start=f.start + offset, end=f.end + offset))

    def _run_batch(
        self, batch: list[tuple[Conversation, MetadataTreatment | Quarantined, list[TextUnit]]]
    ) -> Iterator[DeidResult | Quarantined]:
        live = [b for b in batch if not isinstance(b[1], Quarantined)]
        try:
            self._analyze([(c.conversation_id, u) for c, _, units in live for u in units])
        except Exception:
            # find the record that fails: analyze each conversation on its own
            for _, _, units in live:
                for u in units:
                    u.findings.clear()
            failed: dict[str, Quarantined] = {}
            for conv, _, units in live:
                try:
                    self._analyze([(conv.conversation_id, u) for u in units])
                except Exception as exc:
                    failed[conv.conversation_id] = _quarantine(conv.conversation_id, exc)
            batch = [(c, failed.get(c.conversation_id, m), u) for c, m, u in batch]
        for conv, meta, units in batch:
            if isinstance(meta, Quarantined):
                yield meta
                continue
            try:
                yield self._treat(conv, meta, units)
            except Exception as exc:
                yield _quarantine(conv.conversation_id, exc)

    def _treat(self, conv: Conversation, meta: MetadataTreatment, units: list[TextUnit]) -> DeidResult:
        cid = conv.conversation_id
        scope = self.policy.pseudonyms.scope
        prefix = ("production",) if scope == "production" else ("conversation", cid)
        table = EntityTable(lambda label, canon: keyed_digest(self._pseudo_key, *prefix, label, canon))

        tags = [[(m.start(), m.end()) for m in OWN_TAG.finditer(u.text)] for u in units]
        surfaces: list[tuple[str, str, bool]] = []
        for u, protected in zip(units, tags, strict=True):
            u.findings = [_widen_age(u.text, f) for f in _outside(u.text, u.findings, protected)]
            surfaces += [(f.label, u.text[f.start : f.end], f.detector.startswith(STATISTICAL)) for f in u.findings]
        table.learn_names(s for label, s, _ in surfaces if label == "PERSON")
        propagator = Propagator(surfaces, self.policy.consistency.labels, self.policy.consistency.min_chars)
        for u, protected in zip(units, tags, strict=True):
            if propagator:
                u.findings = merge_findings(u.findings + _outside(u.text, propagator.find(u.text), protected))
            else:
                u.findings = merge_findings(u.findings)

        ctx = OperatorContext(scope, meta.shift_days, self._surrogates)
        ctx.original_tokens = {t.casefold() for _, s, _ in surfaces for t in re.findall(r"\w+", s) if len(t) > 2}
        rows: list[Row] = []
        outputs: dict[tuple[int, str], str] = {}
        hits_out: list[dict[str, Any]] = []
        signals_out: list[dict[str, Any]] = []
        for u in units:
            out_text, unit_rows, omap = self._apply(cid, u, table, ctx)
            rows += unit_rows
            if out_text != u.text:
                outputs[(u.message_index, u.field)] = out_text
            if u.field == "content" and u.exempt:
                self._check_exempt_preserved(u, out_text, omap)
            self._check_residual(u, out_text, omap, propagator, unit_rows)
            hits_out += [_remap(h, omap) for h in u.hits]
            signals_out += [_remap(h, omap) for h in u.signals]
        result = meta.finish(outputs, lambda m: outputs.get((m.index, "content"), m.content))
        rows += meta.rows
        rows.sort(key=lambda r: (r["message_index"], r["field"], r["start"], r["end"]))
        return DeidResult(result, rows, hits_out, signals_out)

    def _apply(
        self, cid: str, u: TextUnit, table: EntityTable, ctx: OperatorContext
    ) -> tuple[str, list[Row], OffsetMap]:
        """Replace one unit's findings; exempt parts are kept and logged."""
        planned: list[tuple[int, int, Finding, str | None]] = []  # None: exempt
        for f in u.findings:
            for s, e in overlapping((f.start, f.end), u.exempt):
                planned.append((s, e, f, None))
            for s, e in subtract((f.start, f.end), u.exempt):
                if not _BLANK.match(u.text[s:e]):
                    planned.append((s, e, f, ""))
        planned.sort(key=lambda p: (p[0], p[1]))
        pieces: list[str] = []
        spans: list[tuple[int, int, int]] = []
        rows: list[Row] = []
        pos = 0
        delta = 0
        for s, e, f, mode in planned:
            surface = u.text[s:e]
            if mode is None:
                operator, new = EXEMPT, surface
            else:
                rule = self.policy.rule(f.label)
                operator = rule.operator
                entity = table.resolve(f.label, surface)
                new = OPERATORS.get(operator)(surface, entity, rule, ctx)
            pieces.append(u.text[pos:s])
            pieces.append(new)
            pos = e
            if new != surface:
                spans.append((s, e, len(new)))
            logged = "" if new == surface else new  # a kept value is in the text already
            rows.append(
                {
                    "conversation_id": cid,
                    "message_index": u.message_index,
                    "field": u.field,
                    "start": s,
                    "end": e,
                    "out_start": s + delta,
                    "out_end": s + delta + len(new),
                    "label": f.label,
                    "detector": f.detector,
                    "score": float(f.score),
                    "operator": operator,
                    "replacement": logged,
                    "original_encrypted": (
                        self.originals.encrypt(surface, cid, u.message_index, u.field, s, e) if self.originals else None
                    ),
                }
            )
            delta += len(new) - (e - s)
        pieces.append(u.text[pos:])
        return "".join(pieces), rows, OffsetMap(spans)

    def _check_exempt_preserved(self, u: TextUnit, out_text: str, omap: OffsetMap) -> None:
        for s, e in u.exempt:
            if out_text[omap.map_start(s) : omap.map_end(e)] != u.text[s:e]:
                raise DeidentifyError(
                    f"published-text span [{s}:{e}] of message {u.message_index} changed", code="exempt"
                )

    def _check_residual(
        self, u: TextUnit, out_text: str, omap: OffsetMap, propagator: Propagator, rows: list[Row]
    ) -> None:
        """Safety net: no known surface form may survive outside exempt text and replacements."""
        if not propagator:
            return
        allowed = merge_intervals(
            [(omap.map_start(s), omap.map_end(e)) for s, e in u.exempt]
            + [(m.start(), m.end()) for m in OWN_TAG.finditer(out_text)]
            + [(r["out_start"], r["out_end"]) for r in rows if r["operator"] != EXEMPT]
        )
        for f in propagator.find(out_text):
            if subtract((f.start, f.end), allowed) and self.policy.rule(f.label).operator != "keep":
                raise DeidentifyError(
                    f"a {f.label} value survived at [{f.start}:{f.end}] of message {u.message_index}", code="residual"
                )


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with every character inside ``spans`` replaced by a space (same length)."""
    parts, last = [], 0
    for s, e in spans:
        parts += [text[last:s], " " * (e - s)]
        last = e
    parts.append(text[last:])
    return "".join(parts)


def _remap(row: dict[str, Any], omap: OffsetMap) -> dict[str, Any]:
    start, end = omap.map_start(int(row["start"])), omap.map_end(int(row["end"]))
    return {**row, "start": start, "end": max(start, end)}


def _widen_age(text: str, f: Finding) -> Finding:
    """An AGE finding on one end of a band this engine wrote ("30-39") covers the whole band, so
    a second run leaves the band as it is."""
    if f.label != "AGE":
        return f
    before = _BAND_LEFT.search(text, max(0, f.start - 12), f.start)
    after = _BAND_RIGHT.match(text, f.end)
    start = before.start() if before is not None and f.start < len(text) and text[f.start].isdigit() else f.start
    end = after.end() if after is not None and text[f.end - 1].isdigit() else f.end
    return f if (start, end) == (f.start, f.end) else replace(f, start=start, end=end)


def _outside(text: str, findings: list[Finding], protected: list[tuple[int, int]]) -> list[Finding]:
    """Findings minus the engine's own tags (``[PERSON_1]`` is never re-detected)."""
    if not protected:
        return findings
    out = []
    for f in findings:
        for s, e in subtract((f.start, f.end), protected):
            if not _BLANK.match(text[s:e]):
                out.append(replace(f, start=s, end=e))
    return out


def _quarantine(conversation_id: str, exc: BaseException) -> Quarantined:
    if isinstance(exc, SealroomError):
        # our own messages name only ids, offsets and parameters
        return Quarantined(conversation_id, None, exc.code, str(exc.args[0]))
    # anything else may quote text: only its type leaves
    return Quarantined(conversation_id, None, "internal", f"{type(exc).__name__} while de-identifying")
