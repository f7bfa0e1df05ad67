"""``sampling_report.json`` and its readable summary.

The report holds everything a special master needs to re-derive and audit the sample, and
nothing private: counts, parameters, the key's fingerprint (never the key) and a hash of the
sorted sample ids. It has no timestamps, so re-deriving the same sample gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pyarrow.compute as pc

from sealroom import __version__
from sealroom.dataset.files import atomic_open, read_json, write_json_atomic
from sealroom.dataset.location import Location, location
from sealroom.dataset.reader import Dataset
from sealroom.errors import DatasetError
from sealroom.sample.select import label_order
from sealroom.sample.steps import ID, label_value
from sealroom.step import Stats

FORMAT = "sealroom.sampling_report/1"
REPORT = "sampling_report.json"
SUMMARY = "sampling_summary.md"
MEMBERSHIP = (
    "h = first 8 bytes (big-endian) of HMAC-SHA256(K_sample, UTF-8 conversation_id), "
    "K_sample = HMAC-SHA256(key, 'sealroom-derive' 0x00 'sample'); u = h / 2^64"
)
IDS_ENCODING = "SHA-256 of the UTF-8 ids sorted by code point, each followed by a newline"
_BATCH = 65536


def ids_digest(dataset: Dataset) -> tuple[int, str]:
    """Count and SHA-256 of the sorted id list of a dataset (see ``IDS_ENCODING``)."""
    ids = dataset.read([ID]).column(ID)
    ids = ids.take(pc.sort_indices(ids))
    h = hashlib.sha256()
    for start in range(0, len(ids), _BATCH):
        chunk = ids.slice(start, _BATCH).to_pylist()
        h.update(("\n".join(chunk) + "\n").encode())
    return len(ids), h.hexdigest()


def _counter(stats: Stats, name: str, label: str) -> int:
    return int(stats.get(f"{name}[{label}]", 0))


def build_report(
    *,
    hold: Dataset,
    stats: Stats,
    method: dict[str, Any],
    key_fingerprint: str,
    where: list[str],
    targets: dict[str, int] | None,
    thresholds: dict[str, Any] | None,
    sample: Dataset,
) -> dict[str, Any]:
    labels = {k[k.index("[") + 1 : -1] for k in stats if k.startswith("rows[")}
    strata = []
    for label in label_order(sorted(labels)):
        row: dict[str, Any] = {
            "value": label_value(label),
            "rows": _counter(stats, "rows", label),
            "population": _counter(stats, "population", label),
            "sample": _counter(stats, "sample", label),
        }
        if targets is not None:
            row["target"] = targets.get(label, 0)
            row["threshold"] = (thresholds or {}).get(label)
        strata.append(row)
    count, digest = ids_digest(sample)
    return {
        "format": FORMAT,
        "sealroom_version": __version__,
        "hold": {"path": str(hold.path), "fingerprint": hold.fingerprint, "rows": hold.rows},
        "key_fingerprint": key_fingerprint,
        "method": {**method, "membership": MEMBERSHIP},
        "stratify": method.get("stratify"),  # also top level: what readers of strata look for first
        "rows": int(stats.get("rows", 0)),
        "population": sum(s["population"] for s in strata),
        "sample": int(stats.get("sample", 0)),
        "exclusions": [
            {
                "where": w,
                "excluded": int(stats.get(f"excluded[{i}]", 0)),
                "excluded_null": int(stats.get(f"excluded_null[{i}]", 0)),
            }
            for i, w in enumerate(where)
        ],
        "strata": strata,
        "sample_ids": {"count": count, "sha256": digest, "encoding": IDS_ENCODING},
    }


def summary_markdown(report: dict[str, Any]) -> str:
    m = report["method"]
    if m["mode"] == "rate":
        how = f"rate {m['rate']} (every conversation with u < {m['rate']})"
    elif m["mode"] == "size":
        how = f"fixed size {m['size']}, allocated to strata proportionally (largest remainder)"
    else:
        how = f"{m['per_stratum']} per stratum"
    lines = [
        "# Sampling report",
        "",
        f"- hold: `{report['hold']['path']}` ({report['hold']['rows']:,} conversations, "
        f"fingerprint `{report['hold']['fingerprint'][:16]}`)",
        f"- key fingerprint: `{report['key_fingerprint']}`",
        f"- method: {how}; stratified by `{m['stratify']}`" if m.get("stratify") else f"- method: {how}",
        f"- rows in the hold {report['rows']:,}; population after exclusions {report['population']:,}; "
        f"sample {report['sample']:,}",
        f"- sorted-id SHA-256: `{report['sample_ids']['sha256']}`",
        "",
    ]
    if report["exclusions"]:
        lines += ["## Exclusions (applied in order)", "", "| where | excluded | excluded (null) |", "|---|---:|---:|"]
        for e in report["exclusions"]:
            lines.append(f"| `{e['where']}` | {e['excluded']:,} | {e['excluded_null']:,} |")
        lines.append("")
    lines += ["## Strata", "", "| stratum | rows | population | target | sample |", "|---|---:|---:|---:|---:|"]
    for s in report["strata"]:
        value = "(all)" if not m.get("stratify") else ("(null)" if s["value"] is None else f"`{s['value']}`")
        target = f"{s['target']:,}" if "target" in s else f"≈{s['population'] * m['rate']:,.1f}"
        lines.append(f"| {value} | {s['rows']:,} | {s['population']:,} | {target} | {s['sample']:,} |")
    lines += ["", f"Membership: {report['method']['membership']}.", ""]
    return "\n".join(lines)


def write_report(out: Location, report: dict[str, Any]) -> None:
    write_json_atomic(out / REPORT, report)
    with atomic_open(out / SUMMARY, "w") as fh:
        fh.write(summary_markdown(report))


def read_report(sample: str | os.PathLike[str] | Location) -> dict[str, Any]:
    p = location(sample) / REPORT
    if not p.is_file():
        raise DatasetError(f"{sample} has no {REPORT}: not a finished sample", code="sampling_report_missing")
    report = read_json(p)
    if not isinstance(report, dict) or report.get("format") != FORMAT:
        raise DatasetError(f"{p} is not a {FORMAT} report", code="sampling_report_invalid")
    return report
