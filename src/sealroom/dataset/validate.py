"""Re-hashing a dataset against its manifest."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from sealroom.dataset.files import sha256_file
from sealroom.dataset.location import Location
from sealroom.dataset.reader import Dataset


@dataclass
class ValidationReport:
    path: Location
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def validate_dataset(path: str | os.PathLike[str] | Location, *, recurse: bool = True) -> list[ValidationReport]:
    """Check every shard's size and SHA-256, and that no unlisted shard sits in the folder."""
    ds = Dataset.open(path)
    report = ValidationReport(ds.path)
    listed = set()
    for shard in ds.shards:
        listed.add(shard.file)
        p = ds.shard_path(shard)
        report.checked += 1
        if not p.is_file():
            report.problems.append(f"{shard.file}: missing")
            continue
        size = p.stat().st_size
        if size != shard.bytes:
            report.problems.append(f"{shard.file}: size {size} != recorded {shard.bytes}")
        elif sha256_file(p) != shard.sha256:
            report.problems.append(f"{shard.file}: SHA-256 does not match the manifest")
    for p in sorted(ds.path.glob("part-*.parquet"), key=str):
        if p.name not in listed:
            report.problems.append(f"{p.name}: shard not listed in the manifest")
    reports = [report]
    if recurse:
        for side in ds.manifest.side_outputs:
            reports += validate_dataset(ds.path / side)
    return reports
