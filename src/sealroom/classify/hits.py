"""Reading scan's output defensively: by column name, tolerating absent side outputs and columns.

Scan's ``HITS_SCHEMA`` fixes the hit columns; its ``signals`` side output is read by whichever of
the usual column names it has. Hits are sparse (most conversations reproduce nothing), so one
per-conversation summary fits in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow as pa

from sealroom.dataset import Dataset
from sealroom.dataset.location import Location
from sealroom.errors import DatasetError, InputError

SIGNAL_COLUMNS = ("signal", "kind", "type", "name", "label")


@dataclass(slots=True)
class NewsSignals:
    hit_spans: int = 0
    reproduced_words: int = 0
    origins: set[str] = field(default_factory=set)
    article_ids: set[str] = field(default_factory=set)
    signals: set[str] = field(default_factory=set)


def _read(ds: Dataset, wanted: tuple[str, ...]) -> pa.Table:
    present = [c for c in wanted if c in ds.schema.names]
    return ds.read(present)


def load_news_signals(hits: Location) -> dict[str, NewsSignals]:
    """conversation_id -> its hits and signals, from a scan output folder."""
    ds = Dataset.open(hits)
    if "conversation_id" not in ds.schema.names:
        raise InputError(f"{hits} has no conversation_id column: not a scan output")
    out: dict[str, NewsSignals] = defaultdict(NewsSignals)
    table = _read(ds, ("conversation_id", "words", "origin", "article_id"))
    cols = {name: table.column(name).to_pylist() for name in table.column_names}
    for i, cid in enumerate(cols["conversation_id"]):
        s = out[cid]
        s.hit_spans += 1
        s.reproduced_words += int(cols.get("words", [0] * table.num_rows)[i] or 0)
        if "origin" in cols and cols["origin"][i]:
            s.origins.add(str(cols["origin"][i]))
        if "article_id" in cols and cols["article_id"][i]:
            s.article_ids.add(str(cols["article_id"][i]))
    try:
        side = ds.side("signals")
    except DatasetError:
        return dict(out)
    name_col = next((c for c in SIGNAL_COLUMNS if c in side.schema.names), None)
    if name_col is None or "conversation_id" not in side.schema.names:
        return dict(out)
    table = side.read(["conversation_id", name_col])
    for cid, sig in zip(table.column(0).to_pylist(), table.column(1).to_pylist(), strict=True):
        if cid and sig:
            out[cid].signals.add(str(sig))
    return dict(out)
