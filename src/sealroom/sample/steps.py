"""The two steps of sampling, both maps over the hold's shards.

``KeysStep`` (only for ``--size`` / ``--per-stratum``) writes (conversation_id, h, stratum) of
every eligible conversation; the driver then picks per-stratum thresholds from it
(:mod:`sealroom.sample.select`). ``SelectStep`` writes the sampled conversations, shard by shard:
``h < rate threshold`` for ``--rate``, ``(h, id) <= (stratum's threshold)`` for a fixed size.
Both count, per shard, the rows, exclusions and population (the rows left) per stratum as mergeable Stats, so the
sampling report is built from counters and no step ever needs another shard's data.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sealroom.dataset.location import Location
from sealroom.dataset.writer import TaskWriter
from sealroom.sample.expr import Call, Column, Predicate, parse_field, parse_where, stratum_values
from sealroom.sample.membership import TWO_64, KeyedSampler
from sealroom.step import ShardMapStep, Stats, Task

ID = "conversation_id"
ALL = "all"  # the one stratum label when not stratifying (a JSON label always starts with " or is null)

KEYS_SCHEMA = pa.schema(
    [
        pa.field(ID, pa.string(), nullable=False),
        pa.field("h", pa.uint64(), nullable=False),
        pa.field("stratum", pa.string()),
    ]
)


def stratum_label(value: str | None, stratified: bool) -> str:
    """Counter-safe, unambiguous text for a stratum value (null and "null" stay different)."""
    return json.dumps(value) if stratified else ALL


def label_value(label: str) -> str | None:
    return None if label == ALL else json.loads(label)


class _Shard:
    """One shard classified: ids, membership values, stratum labels and the eligibility mask."""

    def __init__(self, step: _SampleStep, table: pa.Table) -> None:
        self.table = table
        self.ids = table.column(ID)
        self.h = step.sampler.hash_ids(self.ids)
        n = table.num_rows
        stats = Stats()
        stats.add("rows", n)
        if step.stratify is not None:
            strata = stratum_values(step.field(), table)
            self.strata: pa.ChunkedArray | None = strata
            enc = pc.dictionary_encode(strata.combine_chunks())
            labels = [stratum_label(v, True) for v in enc.dictionary.to_pylist()]
            codes = enc.indices.to_numpy(zero_copy_only=False)
            nulls = enc.indices.is_null().to_numpy(zero_copy_only=False)
            labels.append(stratum_label(None, True))
            codes = np.where(nulls, len(labels) - 1, codes).astype(np.int64)
        else:
            self.strata = None
            labels, codes = [ALL], np.zeros(n, dtype=np.int64)
        self.labels = labels
        self.codes = codes
        eligible = np.ones(n, dtype=bool)
        for i, pred in enumerate(step.predicates()):
            value = pred.evaluate(table)
            if isinstance(value, pa.ChunkedArray):
                value = value.combine_chunks() if value.num_chunks else pa.array([], pa.bool_())
            is_null = value.is_null().to_numpy(zero_copy_only=False)
            is_true = pc.fill_null(value, False).to_numpy(zero_copy_only=False)
            stats.add(f"excluded[{i}]", int((eligible & ~is_true & ~is_null).sum()))
            stats.add(f"excluded_null[{i}]", int((eligible & is_null).sum()))
            eligible &= is_true
        self.eligible = eligible
        for j, label in enumerate(labels):
            in_stratum = codes == j
            pop = int(in_stratum.sum())
            if pop:
                # rows: the stratum in the hold; population: what is left after the exclusions (the frame)
                stats.add(f"rows[{label}]", pop)
                stats.add(f"population[{label}]", int((in_stratum & eligible).sum()))
        self.stats = stats


class _SampleStep(ShardMapStep):
    def __init__(
        self,
        hold: Location,
        sampler: KeyedSampler,
        where: list[str],
        stratify: str | None,
        hold_schema: pa.Schema,
    ) -> None:
        super().__init__(hold)
        self.sampler = sampler
        self.where = list(where)
        self.stratify = stratify
        self.hold_schema = hold_schema

    def predicates(self) -> list[Predicate]:
        return [parse_where(w, self.hold_schema, f"--where #{i + 1}") for i, w in enumerate(self.where)]

    def field(self) -> Column | Call:
        assert self.stratify is not None
        return parse_field(self.stratify, self.hold_schema)

    def needed_columns(self) -> list[str]:
        cols = {ID}
        for p in self.predicates():
            cols |= p.columns()
        if self.stratify is not None:
            cols |= self.field().columns()
        return [c for c in self.hold_schema.names if c in cols]

    def base_config(self) -> dict[str, Any]:
        return {
            "key_fingerprint": self.sampler.fingerprint,
            "membership": "hmac-sha256/derive:sample/u64be",
            "where": self.where,
            "stratify": self.stratify,
        }


class KeysStep(_SampleStep):
    """Pass 1 of a fixed-size sample: the membership value and stratum of every eligible row."""

    stage = "sample.keys"
    outputs = {"main": KEYS_SCHEMA}

    def config(self) -> dict[str, Any]:
        return self.base_config()

    def process(self, task: Task, out: TaskWriter) -> Stats:
        shard = _Shard(self, self.read_task(task, self.needed_columns()))
        mask = pa.array(shard.eligible)
        strata = shard.strata if shard.strata is not None else pa.nulls(len(shard.eligible), pa.string())
        table = pa.table({ID: shard.ids, "h": pa.array(shard.h, pa.uint64()), "stratum": strata})
        out.write("main", table.filter(mask))
        return shard.stats


class SelectStep(_SampleStep):
    """Pass 2 (or the only pass for ``--rate``): write the sampled conversations of each shard.

    ``rate_threshold``: keep ``h < T`` (T may be 2**64: everything). ``thresholds``: per stratum
    label, ``None`` (take nothing), ``"all"``, or ``[h_hex, id]``: keep ``(h, id) <= (h_t, id_t)``.
    """

    stage = "sample"

    def __init__(
        self,
        hold: Location,
        sampler: KeyedSampler,
        where: list[str],
        stratify: str | None,
        hold_schema: pa.Schema,
        *,
        rate_threshold: int | None = None,
        thresholds: dict[str, Any] | None = None,
        method: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(hold, sampler, where, stratify, hold_schema)
        self.rate_threshold = rate_threshold
        self.thresholds = thresholds
        self.method = method or {}
        self.outputs = {"main": hold_schema}

    def config(self) -> dict[str, Any]:
        return {
            **self.base_config(),
            "method": self.method,
            "rate_threshold": None if self.rate_threshold is None else f"{self.rate_threshold:x}",
            "thresholds": self.thresholds,
        }

    def _selected(self, shard: _Shard) -> np.ndarray:
        h = shard.h
        if self.rate_threshold is not None:
            if self.rate_threshold >= TWO_64:
                return np.ones(len(h), dtype=bool)
            return h < np.uint64(self.rate_threshold)
        assert self.thresholds is not None
        k = len(shard.labels)
        take_all = np.zeros(k, dtype=bool)
        take_none = np.ones(k, dtype=bool)
        thr = np.zeros(k, dtype=np.uint64)
        thr_id: list[str | None] = [None] * k
        for j, label in enumerate(shard.labels):
            t = self.thresholds.get(label)
            if t == "all":
                take_all[j], take_none[j] = True, False
            elif t is not None:
                take_none[j] = False
                thr[j], thr_id[j] = np.uint64(int(t[0], 16)), t[1]
        c = shard.codes
        sel = take_all[c] | (~take_none[c] & (h < thr[c]))
        # equal 64-bit values (in practice only a repeated id) are ordered by id, as in the selection
        ties = np.flatnonzero(~take_all[c] & ~take_none[c] & (h == thr[c]))
        if len(ties):
            ids = shard.ids.take(pa.array(ties)).to_pylist()
            for row, cid in zip(ties.tolist(), ids, strict=True):
                sel[row] = cid <= thr_id[int(c[row])]
        return sel

    def process(self, task: Task, out: TaskWriter) -> Stats:
        shard = _Shard(self, self.read_task(task))
        keep = shard.eligible & self._selected(shard)
        stats = shard.stats
        stats.add("sample", int(keep.sum()))
        for j, label in enumerate(shard.labels):
            n = int((keep & (shard.codes == j)).sum())
            if n:
                stats.add(f"sample[{label}]", n)
        out.write("main", shard.table.filter(pa.array(keep)))
        return stats
