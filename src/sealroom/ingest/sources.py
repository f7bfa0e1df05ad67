"""Finding and opening source files: plain files, folders (walked recursively), ``.gz`` files and
``.zip`` archives (a ChatGPT export zip), with the chain-of-custody facts of each. Sources may be
local paths or object-storage URLs (``s3://bucket/exports/``).

A *source unit* is what one ingest task reads: a file, or one member of a zip. Its ``sha256`` is
of the bytes as held (the ``.gz`` file itself, the zip member's stored content after inflating),
recorded in the manifest; ids of records without their own are derived from the hash of the
decoded content, so moving or renaming a file never changes them.
"""

from __future__ import annotations

import gzip
import hashlib
import mmap
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

from sealroom.dataset.files import TMP_PREFIX, sha256_file
from sealroom.dataset.location import Location, is_url, location
from sealroom.errors import InputError

#: suffixes a folder walk or a zip considers (explicitly named files are always read)
CANDIDATE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".parquet")
HEAD_BYTES = 1 << 16
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True, slots=True)
class SourceUnit:
    path: str
    member: str | None
    sha256: str
    bytes: int
    compression: str  # "none" | "gzip" | "zip" | "zip+gzip"
    kind: str  # "json" | "parquet"

    @property
    def display(self) -> str:
        return f"{self.path}!{self.member}" if self.member else self.path

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _is_candidate(name: str) -> bool:
    name = name.lower().removesuffix(".gz")
    return name.endswith(CANDIDATE_SUFFIXES)


def discover(sources: list[Location]) -> tuple[list[SourceUnit], list[dict[str, Any]]]:
    """Expand the given paths into source units (in a stable order) and list the files skipped.

    Skipped files (a walked folder's README, a zip's ``chat.html`` or images) are hashed too: the
    manifest accounts for every file that was offered, read or not.
    """
    units: list[SourceUnit] = []
    skipped: list[dict[str, Any]] = []
    for given in sources:
        if given.is_dir():
            files = sorted((p for p in given.rglob("*") if p.is_file()), key=str)
            for f in files:
                if _is_candidate(f.name) or f.suffix.lower() == ".zip":
                    units += _file_units(f)
                else:
                    skipped.append({"path": str(f), "sha256": sha256_file(f), "bytes": f.stat().st_size})
        elif given.is_file():
            units += _file_units(given)
        else:
            raise InputError(f"source not found: {given}", code="source_missing")
    return units, skipped


def _file_units(path: Location) -> list[SourceUnit]:
    size = path.stat().st_size
    with path.open("rb") as fh:
        is_zip = zipfile.is_zipfile(fh)
    if path.suffix.lower() == ".zip" or (is_zip and not path.name.lower().endswith(".gz")):
        return _zip_units(path)
    compression = "gzip" if path.name.lower().endswith(".gz") else "none"
    with path.open("rb") as fh:
        magic = fh.read(4)
    kind = "parquet" if magic == PARQUET_MAGIC and compression == "none" else "json"
    return [SourceUnit(str(path), None, sha256_file(path), size, compression, kind)]


def _zip_units(path: Location) -> list[SourceUnit]:
    units = []
    try:
        with path.open("rb") as raw, zipfile.ZipFile(raw) as zf:
            for info in sorted(zf.infolist(), key=lambda i: i.filename):
                if info.is_dir() or not _is_candidate(info.filename):
                    continue
                h = hashlib.sha256()
                with zf.open(info) as fh:
                    head = fh.read(4)
                    h.update(head)
                    while chunk := fh.read(1 << 20):
                        h.update(chunk)
                gz = info.filename.lower().endswith(".gz")
                kind = "parquet" if head == PARQUET_MAGIC and not gz else "json"
                units.append(
                    SourceUnit(
                        str(path), info.filename, h.hexdigest(), info.file_size, "zip+gzip" if gz else "zip", kind
                    )
                )
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: not a readable zip archive ({type(exc).__name__})", code="unreadable_file") from None
    return units


@contextmanager
def open_data(unit: SourceUnit, spool_dir: Path | None = None) -> Iterator[bytes | mmap.mmap]:
    """The unit's decoded bytes as a read-only memory map (or bytes when empty or not spooled).

    A compressed unit is inflated into a temporary file in ``spool_dir`` (the hold itself: the
    decoded text must not land outside it; a killed run's leftover is removed by the next run) and
    mapped, so memory stays bounded whatever the size; without ``spool_dir`` it is inflated in memory.
    Raises :class:`InputError` (``unreadable_file``) when the unit cannot be read or decompressed;
    errors raised by the caller's own code inside the block pass through untouched.
    """
    with ExitStack() as stack:
        try:
            data = _acquire(unit, spool_dir, stack)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile, ValueError) as exc:
            raise InputError(f"{unit.display}: cannot read ({type(exc).__name__})", code="unreadable_file") from None
        yield data


def _map(path: str | Path, stack: ExitStack) -> bytes | mmap.mmap:
    with open(path, "rb") as fh:  # the map keeps its own handle on the file
        if os.fstat(fh.fileno()).st_size == 0:
            return b""
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)

    def close() -> None:
        with suppress(BufferError):  # a view may outlive the block in a caller's frame; the OS frees it
            mm.close()

    stack.callback(close)
    return mm


def _acquire(unit: SourceUnit, spool_dir: Path | None, stack: ExitStack) -> bytes | mmap.mmap:
    if unit.compression == "none" and not is_url(unit.path):
        return _map(unit.path, stack)
    # compressed, or in object storage: copied into the spool (or memory) first
    if spool_dir is None:
        return _read_raw(unit)
    spool_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}spool-", dir=spool_dir)
    stack.callback(lambda: Path(name).unlink(missing_ok=True))
    with os.fdopen(fd, "wb") as out, _open_decoded(unit) as src:
        shutil.copyfileobj(src, out, 1 << 20)
    return _map(name, stack)


@contextmanager
def _open_decoded(unit: SourceUnit) -> Iterator[IO[bytes]]:
    """A stream of the unit's decompressed bytes."""
    with location(unit.path).open("rb") as raw:
        if unit.compression == "none":
            yield raw
        elif unit.compression == "gzip":
            with gzip.open(raw, "rb") as fh:
                yield fh
        else:
            with zipfile.ZipFile(raw) as zf, zf.open(unit.member or "") as member:
                if unit.compression == "zip+gzip":
                    with gzip.open(member, "rb") as fh:
                        yield fh
                else:
                    yield member


def _read_raw(unit: SourceUnit) -> bytes:
    with _open_decoded(unit) as fh:
        return fh.read()


def read_head(unit: SourceUnit, n: int = HEAD_BYTES) -> bytes:
    """The first ``n`` decoded bytes (for format detection); b"" when unreadable."""
    try:
        with _open_decoded(unit) as fh:
            return fh.read(n)
    except (OSError, EOFError, zlib.error, zipfile.BadZipFile, gzip.BadGzipFile, ValueError):
        return b""
