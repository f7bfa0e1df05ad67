"""Format auto-detection, per source unit: Parquet by its column names, JSON by the keys in its
first bytes, asking adapters in priority order (most specific first: a ChatGPT conversation also
has a ``conversation_id``, so it is asked before LMSYS)."""

from __future__ import annotations

import io

import pyarrow.parquet as pq

from sealroom.dataset.location import location
from sealroom.dataset.location import parquet_file as open_parquet
from sealroom.ingest.adapters import Adapter, adapter_for, all_adapters
from sealroom.ingest.sources import SourceUnit, read_head


def parquet_file(unit: SourceUnit) -> pq.ParquetFile:
    if unit.member is None:
        return open_parquet(location(unit.path))
    import zipfile

    with location(unit.path).open("rb") as raw, zipfile.ZipFile(raw) as zf:
        return pq.ParquetFile(io.BytesIO(zf.read(unit.member)))


def detect(unit: SourceUnit) -> Adapter | None:
    """The adapter for ``unit``, or None when no registered format matches."""
    candidates = all_adapters()
    if unit.kind == "parquet":
        try:
            names = parquet_file(unit).schema_arrow.names
        except Exception:  # an unreadable Parquet file is reported by the task that reads it
            return None
        return next((a for a in candidates if a.sniff_columns(names)), None)
    head = read_head(unit)
    return next((a for a in candidates if a.sniff(head)), None)


def resolve(unit: SourceUnit, fmt: str) -> Adapter | None:
    """``fmt`` is ``auto`` or a format name; an explicit format applies to every unit."""
    return detect(unit) if fmt == "auto" else adapter_for(fmt)
