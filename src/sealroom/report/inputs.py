"""Loading what the report counts: one row per conversation with its labels and news signals.

Only metadata columns of the dataset are read (never ``messages``) unless no classify output is
given, in which case the default classifier runs here, shard by shard.
"""

from __future__ import annotations

from typing import Any

from sealroom.classify.hits import load_news_signals
from sealroom.dataset import Dataset
from sealroom.dataset.location import Location
from sealroom.errors import InputError

#: metadata read from the dataset (the last two only so a sampling design stratified by them maps)
META = ("conversation_id", "user_key", "created_at", "model", "source", "account_type")
LABEL_COLUMNS = ("topic", "intent", "work_related", "language", "origins", "article_ids", "signals", "hit_spans")


def _columns(ds: Dataset, wanted: tuple[str, ...]) -> list[str]:
    return [c for c in wanted if c in ds.schema.names]


def _rows(table: Any) -> list[dict[str, Any]]:
    return table.to_pylist()


def _classify_in_process(ds: Dataset) -> dict[str, dict[str, Any]]:
    from sealroom.classify.base import CLASSIFIERS, DEFAULT_CLASSIFIER
    from sealroom.classify.keywords import KeywordClassifier  # noqa: F401  (registers the default)
    from sealroom.classify.taxonomy import load_taxonomy
    from sealroom.schema import table_to_conversations

    clf = CLASSIFIERS.get(DEFAULT_CLASSIFIER)(load_taxonomy())
    out = {}
    for _, table in ds.iter_shards():
        for conv in table_to_conversations(table):
            c = clf.classify(conv)
            out[conv.conversation_id] = {
                "topic": c.topic,
                "intent": c.intent,
                "work_related": c.work_related,
                "language": c.language,
            }
    return out


def load_rows(
    data: Location, labels: Location | None, hits: Location | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Rows to count and the fingerprints of the inputs they came from (for the report's header)."""
    ds = Dataset.open(data)
    rows = _rows(ds.read(_columns(ds, META)))
    inputs: dict[str, Any] = {"data": {"stage": ds.manifest.stage, "fingerprint": ds.fingerprint, "rows": ds.rows}}
    if labels is not None:
        lab = Dataset.open(labels)
        wanted = _columns(lab, ("conversation_id", *LABEL_COLUMNS))
        if "conversation_id" not in wanted or "topic" not in wanted:
            raise InputError(f"{labels} is not a classify output (no conversation_id/topic columns)")
        by_id = {r["conversation_id"]: r for r in _rows(lab.read(wanted))}
        missing = sum(1 for r in rows if r["conversation_id"] not in by_id)
        if missing:
            raise InputError(f"{labels} has no labels for {missing} of {len(rows)} conversations in {data}")
        for r in rows:
            r.update({k: v for k, v in by_id[r["conversation_id"]].items() if k != "conversation_id"})
        inputs["labels"] = {"stage": lab.manifest.stage, "fingerprint": lab.fingerprint, "config": lab.manifest.config}
    else:
        computed = _classify_in_process(ds)
        for r in rows:
            r.update(computed[r["conversation_id"]])
        inputs["labels"] = {"stage": "classify (in process, keywords.v1)"}
    if hits is not None:
        signals = load_news_signals(hits)
        for r in rows:
            s = signals.get(r["conversation_id"])
            r["origins"] = sorted(s.origins) if s else []
            r["article_ids"] = sorted(s.article_ids) if s else []
            r["signals"] = sorted(s.signals) if s else []
            r["hit_spans"] = s.hit_spans if s else 0
        h = Dataset.open(hits)
        inputs["hits"] = {"stage": h.manifest.stage, "fingerprint": h.fingerprint, "rows": h.rows}
    for r in rows:
        for key in ("origins", "article_ids", "signals"):
            r.setdefault(key, [])
            r[key] = r[key] or []
    return rows, inputs
