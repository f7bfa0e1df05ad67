"""The published-text exemption: scan hits (the publisher's own words) stay readable.

Hits come from ``sealroom scan`` (``HITS_SCHEMA``): character offsets into each message's content
in the scanned dataset, which is this stage's input. A finding inside a hit is kept (and logged
as ``exempt``); a finding straddling a hit's edge is treated only outside the hit.

Scan's news signals (publisher named, publisher links, …) are re-mapped into the de-identified
text the same way; the kinds listed in the policy's ``exemption.signals`` (by default the
publisher's name) also stay readable: a newspaper's name is not personal data, and replacing it
by ``[ORGANIZATION_1]`` would erase the signal.
"""

from __future__ import annotations

from collections import defaultdict

import pyarrow as pa

from sealroom.dataset.location import Location, read_parquet
from sealroom.dataset.reader import Dataset
from sealroom.errors import InputError
from sealroom.scan.schema import HITS_SCHEMA, SIGNALS_SCHEMA

#: conversation_id -> message_index -> hit rows (dicts in HITS_SCHEMA order)
HitIndex = dict[str, dict[int, list[dict[str, object]]]]


def open_hits(path: Location) -> Dataset:
    ds = Dataset.open(path)
    missing = [n for n in HITS_SCHEMA.names if n not in ds.schema.names]
    if missing:
        raise InputError(
            f"{path} is not a scan hits dataset (missing columns: {', '.join(missing)})", code="hits_schema"
        )
    return ds


def _load(ds: Dataset, schema: pa.Schema, conversation_ids: list[str]) -> HitIndex:
    index: defaultdict[str, defaultdict[int, list[dict[str, object]]]] = defaultdict(lambda: defaultdict(list))
    wanted = sorted(set(conversation_ids))
    for shard in ds.shards:
        # the filter prunes row groups by their conversation_id statistics before reading them
        table = read_parquet(ds.shard_path(shard), list(schema.names), filters=[("conversation_id", "in", wanted)])
        for row in table.to_pylist():
            index[row["conversation_id"]][int(row["message_index"])].append(row)
    for by_message in index.values():
        for rows in by_message.values():
            rows.sort(key=lambda r: (r["start"], r["end"], repr(sorted(r.items()))))  # a total, stable order
    return {cid: dict(by_message) for cid, by_message in index.items()}


def load_hits(path: Location | None, conversation_ids: list[str]) -> HitIndex:
    """The hits of these conversations, grouped by message, in a stable order."""
    if path is None or not conversation_ids:
        return {}
    return _load(open_hits(path), HITS_SCHEMA, conversation_ids)


def load_signals(path: Location | None, conversation_ids: list[str]) -> HitIndex:
    """Scan's news signals (a ``signals`` side output of the hits dataset), when it has them."""
    if path is None or not conversation_ids:
        return {}
    ds = open_hits(path)
    if "signals" not in ds.manifest.side_outputs:
        return {}
    return _load(ds.side("signals"), SIGNALS_SCHEMA, conversation_ids)
