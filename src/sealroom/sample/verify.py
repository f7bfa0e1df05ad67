"""``sample verify``: re-derive a sample from the hold and the key, and name every difference.

Nothing in the sample folder is trusted: its report only supplies the parameters to re-run. The
re-derived sample is drawn into a temporary folder beside the sample (same code path as
:func:`sealroom.sample.sample`; on object storage a uniquely named prefix beside it) and compared
with what is there: the report's counts and id hash, then each shard's conversations, by id and by
content.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.location import Location, location, remove_tree
from sealroom.dataset.reader import Dataset
from sealroom.dataset.validate import validate_dataset
from sealroom.errors import DatasetError
from sealroom.runner.base import Runner
from sealroom.sample.api import VerifyResult, open_key, sample
from sealroom.sample.report import read_report
from sealroom.sample.steps import ID

MAX_NAMED = 10
_COMPARED = ("rows", "population", "sample", "exclusions", "strata", "sample_ids", "method")


def _diff(path: str, claimed: Any, derived: Any, out: list[str]) -> None:
    """Every leaf where the claimed report and the re-derived one disagree, by JSON path."""
    if isinstance(claimed, dict) and isinstance(derived, dict):
        for k in sorted(set(claimed) | set(derived)):
            _diff(f"{path}.{k}", claimed.get(k), derived.get(k), out)
    elif isinstance(claimed, list) and isinstance(derived, list) and len(claimed) == len(derived):
        for i, (a, b) in enumerate(zip(claimed, derived, strict=True)):
            _diff(f"{path}[{i}]", a, b, out)
    elif claimed != derived:
        out.append(f"report {path}: recorded {claimed!r}, re-derived {derived!r}")


def _compare_shard(name: str, got: pa.Table | None, want: pa.Table | None, out: list[str]) -> int:
    got_ids = [] if got is None else got.column(ID).to_pylist()
    want_ids = [] if want is None else want.column(ID).to_pylist()
    extra = sorted(set(got_ids) - set(want_ids))
    missing = sorted(set(want_ids) - set(got_ids))
    for cid in extra[:MAX_NAMED]:
        out.append(f"{name}: conversation {cid} is in the sample but not in the re-derived sample")
    for cid in missing[:MAX_NAMED]:
        out.append(f"{name}: conversation {cid} is missing from the sample")
    for label, ids in (("unexpected", extra), ("missing", missing)):
        if len(ids) > MAX_NAMED:
            out.append(f"{name}: … and {len(ids) - MAX_NAMED} more {label} conversations")
    if got is not None and want is not None and not extra and not missing:
        if got_ids != want_ids:
            out.append(f"{name}: same conversations in a different order")
        elif not got.equals(want):
            # which rows differ (by id only: the content itself never leaves the hold in a message)
            changed = [
                got_ids[i] for i in range(got.num_rows) if got.slice(i, 1).to_pylist() != want.slice(i, 1).to_pylist()
            ]
            for cid in changed[:MAX_NAMED]:
                out.append(f"{name}: conversation {cid} differs from the hold's record")
    return 0 if got is None else got.num_rows


@contextmanager
def _scratch_beside(sample_path: Location) -> Iterator[Location]:
    """A new, empty folder next to the sample for the re-derived one, removed afterwards.

    Beside the sample rather than in the system temporary folder: the re-derived sample holds the
    same conversations, so it belongs where the sample itself was allowed to be."""
    if isinstance(sample_path, Path):
        with tempfile.TemporaryDirectory(prefix=".verify-", dir=sample_path.parent) as tmp:
            yield Path(tmp)
        return
    # object storage has no mkdtemp; a random prefix name cannot collide with a concurrent verify
    tmp = sample_path.parent / f".verify-{uuid.uuid4().hex}"
    try:
        yield tmp
    finally:
        remove_tree(tmp)


def verify_sample(
    sample_path: str | os.PathLike[str] | Location,
    hold: str | os.PathLike[str] | Location,
    key_file: Path | str | None,
    *,
    runner: Runner | None = None,
    show_progress: bool = False,
) -> VerifyResult:
    """Re-derive the sample at ``sample_path`` from ``hold`` and the key; list every difference."""
    sample_path, hold = location(sample_path), location(hold)
    report = read_report(sample_path)
    result = VerifyResult(sample_path)
    diffs = result.differences
    key = open_key(key_file)
    if key.fingerprint != report.get("key_fingerprint"):
        diffs.append(f"key fingerprint {key.fingerprint} is not the one recorded ({report.get('key_fingerprint')})")
        return result
    hold_ds = Dataset.open(hold)
    if hold_ds.fingerprint != report["hold"]["fingerprint"]:
        diffs.append(
            f"hold fingerprint {hold_ds.fingerprint[:16]} is not the one recorded "
            f"({str(report['hold']['fingerprint'])[:16]}): the hold changed since sampling"
        )
    try:
        got_ds = Dataset.open(sample_path)
    except DatasetError as exc:
        diffs.append(f"sample dataset unreadable: {exc}")
        return result
    for r in validate_dataset(sample_path):
        diffs.extend(f"{r.path.name}/{p}" for p in r.problems)

    m = report["method"]
    with _scratch_beside(sample_path) as tmp:
        derived = sample(
            hold,
            tmp / "sample",
            key_file=key_file,
            rate=m.get("rate") if m["mode"] == "rate" else None,
            size=m.get("size") if m["mode"] == "size" else None,
            per_stratum=m.get("per_stratum") if m["mode"] == "per_stratum" else None,
            stratify=m.get("stratify"),
            where=[e["where"] for e in report.get("exclusions", [])],
            runner=runner,
            show_progress=show_progress,
        )
        for k in _COMPARED:
            _diff(k, report.get(k), derived.report.get(k), diffs)
        want_ds = Dataset.open(derived.path)
        got = {s.file: s for s in got_ds.shards}
        want = {s.file: s for s in want_ds.shards}
        for name in sorted(set(got) | set(want)):
            want_t = want_ds.read_shard(want[name]) if name in want else None
            try:
                got_t = got_ds.read_shard(got[name]) if name in got else None
            except (OSError, pa.ArrowException) as exc:
                diffs.append(f"{name}: unreadable ({type(exc).__name__})")
                continue
            result.checked_rows += _compare_shard(name, got_t, want_t, diffs)
    return result
