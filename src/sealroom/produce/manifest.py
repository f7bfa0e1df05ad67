"""``manifest.json``: the production's table of contents, written streaming.

The ``files`` list can hold millions of entries, so it is spliced in from the spool file one line
per entry instead of being built in memory. Keys are sorted and the layout is fixed, so the same
production gives the same bytes except ``produced_at``, the only wall-clock time in a production.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from sealroom.dataset.files import atomic_open, dump_json

PRODUCTION_FORMAT = "sealroom.production/1"
_PLACEHOLDER = b'"@@FILES@@"'


def write_manifest(target: Path, header: dict[str, Any], spool: IO[bytes]) -> None:
    """``header`` plus ``files`` read back from ``spool`` (JSON lines, already in file order)."""
    if "files" in header:
        raise ValueError("header must not carry files")
    head, tail = dump_json({**header, "files": "@@FILES@@"}).split(_PLACEHOLDER)
    spool.flush()
    spool.seek(0)
    with atomic_open(target, "wb") as fh:
        fh.write(head)
        fh.write(b"[")
        first = True
        for line in spool:
            fh.write(b"\n    " if first else b",\n    ")
            fh.write(line.rstrip(b"\n"))
            first = False
        fh.write(b"]" if first else b"\n  ]")
        fh.write(tail)
