"""Fixed-size selection: how many per stratum, and the threshold that takes exactly that many.

A stratum's sample is its ``n`` eligible conversations with the smallest ``(h, conversation_id)``.
Sorting the whole population would need memory for all of it, so the threshold is found by a
radix selection over the pass-1 keys, streamed shard by shard:

1. count every stratum's keys in 4,096 bins of the top 12 bits of ``h``;
2. the bin where the running count reaches ``n`` holds the threshold; read only that bin's keys
   (about population / 4,096 of them, since HMAC values are uniform) and sort those.

Memory: 4,096 counters per stratum plus one bin's keys per stratum, whatever the population.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sealroom.dataset.reader import Dataset
from sealroom.errors import ConfigError
from sealroom.sample.steps import ALL, ID, stratum_label

BITS = 12
BINS = 1 << BITS
_SHIFT = np.uint64(64 - BITS)


def allocate(eligible: dict[str, int], size: int | None, per_stratum: int | None) -> dict[str, int]:
    """Sample size per stratum label.

    ``per_stratum``: that many from each stratum (all of a smaller one). ``size``: proportional
    allocation by the largest-remainder (Hamilton) method in exact integer arithmetic, so the
    sizes sum to ``size`` exactly; equal remainders go to strata in label order. A ``size``
    larger than the eligible population takes all of it (the report shows the shortfall).
    """
    labels = sorted(eligible)
    if per_stratum is not None:
        return {lab: min(per_stratum, eligible[lab]) for lab in labels}
    if size is None:
        raise ConfigError("one of --size or --per-stratum is needed for a fixed-size sample")
    total = sum(eligible.values())
    if size >= total:
        return dict(eligible)
    quota = {lab: size * eligible[lab] // total for lab in labels}
    remainder = {lab: size * eligible[lab] % total for lab in labels}
    left = size - sum(quota.values())
    for lab in sorted(labels, key=lambda lab: -remainder[lab])[:left]:
        quota[lab] += 1
    return quota


def _label_codes(strata: pa.ChunkedArray, index: dict[str, int], stratified: bool) -> np.ndarray:
    """Each row's stratum as an index into the driver's label list."""
    n = len(strata)
    if not stratified:
        return np.zeros(n, dtype=np.int64)
    enc = pc.dictionary_encode(strata.combine_chunks())
    lut = np.array([index[stratum_label(v, True)] for v in enc.dictionary.to_pylist()], dtype=np.int64)
    codes = enc.indices.to_numpy(zero_copy_only=False)
    null_code = index.get(stratum_label(None, True), -1)
    nulls = enc.indices.is_null().to_numpy(zero_copy_only=False)
    out = lut[np.where(nulls, 0, codes).astype(np.int64)] if len(lut) else np.full(n, null_code, dtype=np.int64)
    return np.where(nulls, null_code, out)


def thresholds(keys: Dataset, targets: dict[str, int], stratified: bool) -> dict[str, Any]:
    """Per stratum label: ``None`` (take none), ``"all"``, or ``[h as hex, id]`` of the n-th smallest key."""
    labels = sorted(targets)
    index = {lab: i for i, lab in enumerate(labels)}
    counts = np.zeros(len(labels) * BINS, dtype=np.int64)
    for _, t in keys.iter_shards(["h", "stratum"]):
        codes = _label_codes(t.column("stratum"), index, stratified)
        bins = (t.column("h").to_numpy() >> _SHIFT).astype(np.int64)
        counts += np.bincount(codes * BINS + bins, minlength=len(counts))
    per = counts.reshape(len(labels), BINS)

    result: dict[str, Any] = {}
    wanted: dict[int, tuple[int, int]] = {}  # stratum index -> (bin, rank within the bin)
    for i, lab in enumerate(labels):
        n, have = targets[lab], int(per[i].sum())
        if n <= 0:
            result[lab] = None
        elif n >= have:
            result[lab] = "all"
        else:
            cum = np.cumsum(per[i])
            b = int(np.searchsorted(cum, n))  # first bin whose running count reaches n
            before = int(cum[b - 1]) if b else 0
            wanted[i] = (b, n - before)
    if not wanted:
        return result

    boundary: dict[int, list[pa.Table]] = {i: [] for i in wanted}
    want_bin = np.full(len(labels), -1, dtype=np.int64)
    for i, (b, _) in wanted.items():
        want_bin[i] = b
    for _, t in keys.iter_shards([ID, "h", "stratum"]):
        codes = _label_codes(t.column("stratum"), index, stratified)
        bins = (t.column("h").to_numpy() >> _SHIFT).astype(np.int64)
        hit = np.flatnonzero(want_bin[codes] == bins)
        if len(hit):
            part = t.take(pa.array(hit)).append_column("code", pa.array(codes[hit]))
            for i in np.unique(codes[hit]).tolist():
                boundary[i].append(part.filter(pc.equal(part.column("code"), i)))
    for i, (_, rank) in wanted.items():
        cand = pa.concat_tables(boundary[i]).sort_by([("h", "ascending"), (ID, "ascending")])
        row = cand.slice(rank - 1, 1)
        result[labels[i]] = [f"{row.column('h')[0].as_py():016x}", row.column(ID)[0].as_py()]
    return result


def label_order(labels: list[str]) -> list[str]:
    """Report order: the unstratified label, or strata by value with the null stratum last."""
    if labels == [ALL]:
        return labels
    return sorted(labels, key=lambda lab: (lab == "null", lab))
