"""Span-level and entity-level scores of predicted spans against gold spans.

Per label: precision/recall/F1 with *exact* matching (same start, end, label) and *overlap*
matching (same label, any shared character), and *whole-span* recall (one predicted span of the
label covers the whole gold span — what "addresses as whole spans" means). Over all labels:
*masking* recall (gold characters covered by any predicted span, whatever its label: what a
de-identifier must achieve), entity-level recall in the sense of TAB (an entity — one surface form
of one label in one document — counts only if every one of its mentions is fully covered), and the
spurious-span rate (predicted spans that touch no gold span of any label).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    label: str


@dataclass
class LabelScores:
    gold: int = 0
    pred: int = 0
    tp_exact: int = 0
    gold_hit_overlap: int = 0
    pred_hit_overlap: int = 0
    gold_whole: int = 0
    gold_masked: int = 0

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else float("nan")

    def as_dict(self) -> dict[str, Any]:
        p_exact, r_exact = self._ratio(self.tp_exact, self.pred), self._ratio(self.tp_exact, self.gold)
        p_ov, r_ov = self._ratio(self.pred_hit_overlap, self.pred), self._ratio(self.gold_hit_overlap, self.gold)
        return {
            "gold": self.gold,
            "pred": self.pred,
            "precision_exact": p_exact,
            "recall_exact": r_exact,
            "f1_exact": _f1(p_exact, r_exact),
            "precision_overlap": p_ov,
            "recall_overlap": r_ov,
            "f1_overlap": _f1(p_ov, r_ov),
            "recall_whole_span": self._ratio(self.gold_whole, self.gold),
            "recall_masked": self._ratio(self.gold_masked, self.gold),
        }


def _f1(p: float, r: float) -> float:
    if p != p or r != r or p + r == 0:  # NaN-safe
        return float("nan") if (p != p or r != r) else 0.0
    return 2 * p * r / (p + r)


@dataclass
class Report:
    labels: dict[str, LabelScores] = field(default_factory=dict)
    documents: int = 0
    pred_total: int = 0
    pred_spurious: int = 0
    entities: int = 0
    entities_masked: int = 0
    entities_by_label: dict[str, list[int]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        gold_total = sum(s.gold for s in self.labels.values())
        masked = sum(s.gold_masked for s in self.labels.values())
        return {
            "documents": self.documents,
            "gold_spans": gold_total,
            "pred_spans": self.pred_total,
            "spurious_rate": self.pred_spurious / self.pred_total if self.pred_total else 0.0,
            "masking_recall": masked / gold_total if gold_total else float("nan"),
            "entity_recall": self.entities_masked / self.entities if self.entities else float("nan"),
            "entity_recall_by_label": {k: v[1] / v[0] for k, v in sorted(self.entities_by_label.items()) if v[0]},
            "labels": {k: v.as_dict() for k, v in sorted(self.labels.items())},
        }


def _covered(span: Span, preds: Sequence[Span]) -> bool:
    """Every character of ``span`` lies in some predicted span (preds sorted by start)."""
    pos = span.start
    for p in preds:
        if p.start > pos:
            break
        if p.end > pos:
            pos = p.end
            if pos >= span.end:
                return True
    return pos >= span.end


def score_document(
    gold: Sequence[Span], pred: Sequence[Span], report: Report, text: str | None = None, doc_id: str = ""
) -> None:
    report.documents += 1
    preds = sorted(pred, key=lambda s: (s.start, s.end))
    starts = [p.start for p in preds]
    gold_sorted = sorted(gold, key=lambda s: (s.start, s.end))
    gstarts = [g.start for g in gold_sorted]
    exact = {(p.start, p.end, p.label) for p in preds}
    for g in gold_sorted:
        ls = report.labels.setdefault(g.label, LabelScores())
        ls.gold += 1
        ls.tp_exact += (g.start, g.end, g.label) in exact
        hi = bisect.bisect_left(starts, g.end)
        near = [p for p in preds[:hi] if p.end > g.start]
        ls.gold_hit_overlap += any(p.label == g.label for p in near)
        ls.gold_whole += any(p.label == g.label and p.start <= g.start and p.end >= g.end for p in near)
        ls.gold_masked += _covered(g, preds)
    for p in preds:
        report.pred_total += 1
        ls = report.labels.setdefault(p.label, LabelScores())
        ls.pred += 1
        hi = bisect.bisect_left(gstarts, p.end)
        near = [g for g in gold_sorted[:hi] if g.end > p.start]
        ls.pred_hit_overlap += any(g.label == p.label for g in near)
        report.pred_spurious += not near
    if text is not None:
        entities: dict[tuple[str, str], list[Span]] = defaultdict(list)
        for g in gold_sorted:
            entities[(g.label, " ".join(text[g.start : g.end].lower().split()))].append(g)
        for (label, _), mentions in entities.items():
            ok = all(_covered(m, preds) for m in mentions)
            report.entities += 1
            report.entities_masked += ok
            counts = report.entities_by_label.setdefault(label, [0, 0])
            counts[0] += 1
            counts[1] += ok


def evaluate(
    gold_docs: Iterable[Mapping[str, Any]],
    predictions: Mapping[str, Sequence[Span]],
    label_map: Mapping[str, str | None] | None = None,
) -> Report:
    """Score ``predictions`` (doc id → spans) against gold lines ``{"id","text","spans"}``.

    ``label_map`` renames predicted labels (a baseline's names) and drops those mapped to None.
    """
    report = Report()
    for doc in gold_docs:
        gold = [Span(int(s["start"]), int(s["end"]), str(s["label"])) for s in doc["spans"]]
        pred = []
        for p in predictions.get(str(doc["id"]), ()):
            label = label_map.get(p.label, p.label) if label_map else p.label
            if label:
                pred.append(Span(p.start, p.end, label))
        score_document(gold, pred, report, doc.get("text"), str(doc["id"]))
    return report
