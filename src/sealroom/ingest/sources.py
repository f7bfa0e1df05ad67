"""Finding and opening source files: plain files, folders (walked recursively), ``.gz`` files and
``.zip`` archives (a ChatGPT export zip), with the chain-of-custody facts of each. Sources may be
local paths or object-storage URLs (``s3://bucket/exports/``).

A *source unit* is what ingest reads as one: a file, or one member of a zip. Its ``sha256`` is
of the bytes as held (the ``.gz`` file itself, the zip member's stored content after inflating),
recorded in the manifest; ids of records without their own are derived from the hash of the
decoded content, so moving or renaming a file never changes them.

A large line-framed file (JSONL, uncompressed, local or remote) is planned as several *byte
ranges* cut at line boundaries, each read by its own task (:func:`split_ranges`): the cuts are
found by reading only around each one, and the line breaks (and the lines that open with ``{``)
before each cut are counted in the pass that hashes the file anyway, so a range knows the line
numbers and record indexes of the whole file without reading what comes before it.
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
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import IO, Any

import numpy as np

from sealroom.dataset.files import TMP_PREFIX, sha256_file
from sealroom.dataset.location import Location, is_url, location
from sealroom.errors import InputError
from sealroom.ingest.framing import is_object_line

#: suffixes a folder walk or a zip considers (explicitly named files are always read)
CANDIDATE_SUFFIXES = (".json", ".jsonl", ".ndjson", ".parquet")
HEAD_BYTES = 1 << 16
PARQUET_MAGIC = b"PAR1"
BOM = b"\xef\xbb\xbf"
#: a line-framed file larger than this is split into byte ranges of about this size, one task each
DEFAULT_SPLIT_BYTES = 256 << 20
#: a first line longer than this is not taken as evidence of line framing (the file stays one task)
_FIRST_LINE_LIMIT = 64 << 20
_SPLIT_CHUNK = 1 << 22
_WINDOW = 1 << 16


@dataclass(frozen=True, slots=True)
class ByteRange:
    """One task's share of a split file: bytes ``[start, end)``, cut after a line break, and what
    the planning pass counted before it. ``records_before`` counts the lines that open with ``{``:
    the records before ``start`` as long as the file is regular JSONL (the task checks it)."""

    start: int
    end: int
    lines_before: int
    records_before: int
    #: lines that open with ``{`` inside the range
    records: int


@dataclass(frozen=True, slots=True)
class SourceUnit:
    path: str
    member: str | None
    sha256: str
    bytes: int
    compression: str  # "none" | "gzip" | "zip" | "zip+gzip"
    kind: str  # "json" | "parquet"
    #: the byte ranges of a split file (empty: read whole); not part of its identity or manifest entry
    ranges: tuple[ByteRange, ...] = field(default=(), compare=False, repr=False)

    @property
    def display(self) -> str:
        return f"{self.path}!{self.member}" if self.member else self.path

    def as_dict(self) -> dict[str, Any]:
        values = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name != "ranges")
        return {k: v for k, v in values if v is not None}


_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kib": 1 << 10, "kb": 1000, "m": 1 << 20, "mib": 1 << 20, "mb": 10**6}
_SIZE_UNITS |= {"g": 1 << 30, "gib": 1 << 30, "gb": 10**9}


def parse_size(value: int | str) -> int:
    """A byte count: an integer, or text such as ``256MiB``, ``64M`` (binary), ``1GB`` (decimal)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().lower().replace(" ", "")
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(digits) :]
    try:
        number = float(digits)
    except ValueError:
        raise ValueError(f"not a size: {value!r} (say 256MiB, 64M, 1GB or a byte count)") from None
    if unit not in _SIZE_UNITS:
        raise ValueError(f"not a size unit: {unit!r} in {value!r}")
    return int(number * _SIZE_UNITS[unit])


def _is_candidate(name: str) -> bool:
    name = name.lower().removesuffix(".gz")
    return name.endswith(CANDIDATE_SUFFIXES)


def discover(
    sources: list[Location], *, split_bytes: int | None = None
) -> tuple[list[SourceUnit], list[dict[str, Any]]]:
    """Expand the given paths into source units (in a stable order) and list the files skipped.

    Skipped files (a walked folder's README, a zip's ``chat.html`` or images) are hashed too: the
    manifest accounts for every file that was offered, read or not. With ``split_bytes``, a plain
    line-framed file larger than that carries its byte ranges (see :func:`split_ranges`).
    """
    units: list[SourceUnit] = []
    skipped: list[dict[str, Any]] = []
    for given in sources:
        if given.is_dir():
            files = sorted((p for p in given.rglob("*") if p.is_file()), key=str)
            for f in files:
                if _is_candidate(f.name) or f.suffix.lower() == ".zip":
                    units += _file_units(f, split_bytes)
                else:
                    skipped.append({"path": str(f), "sha256": sha256_file(f), "bytes": f.stat().st_size})
        elif given.is_file():
            units += _file_units(given, split_bytes)
        else:
            raise InputError(f"source not found: {given}", code="source_missing")
    return units, skipped


def _file_units(path: Location, split_bytes: int | None = None) -> list[SourceUnit]:
    size = path.stat().st_size
    with path.open("rb") as fh:
        is_zip = zipfile.is_zipfile(fh)
    if path.suffix.lower() == ".zip" or (is_zip and not path.name.lower().endswith(".gz")):
        return _zip_units(path)
    compression = "gzip" if path.name.lower().endswith(".gz") else "none"
    with path.open("rb") as fh:
        magic = fh.read(4)
    kind = "parquet" if magic == PARQUET_MAGIC and compression == "none" else "json"
    if split_bytes and kind == "json" and compression == "none" and size > split_bytes and _line_framed(path):
        cuts = find_cuts(path, size, split_bytes)
        if cuts:
            sha, ranges = hash_and_count(path, size, cuts)
            return [SourceUnit(str(path), None, sha, size, compression, kind, ranges)]
    return [SourceUnit(str(path), None, sha256_file(path), size, compression, kind)]


def _line_framed(path: Location) -> bool:
    """Whether the file's first line is a whole JSON object: one object per line (JSONL). A JSON
    array (``[`` …) or a pretty-printed object (``{`` alone on its line) is not."""
    head = b""
    with path.open("rb") as fh:
        while b"\n" not in head and len(head) < _FIRST_LINE_LIMIT:
            chunk = fh.read(_WINDOW)
            if not chunk:
                return False  # a single line: nothing to split
            head += chunk
    return is_object_line(head.removeprefix(BOM).split(b"\n", 1)[0])


def find_cuts(path: Location, size: int, split_bytes: int) -> list[int]:
    """Offsets that split the file into ranges of about ``split_bytes``, each just after a line
    break. Reads only a window around each cut (more when a line is longer than the window)."""
    cuts: list[int] = []
    target = split_bytes
    with path.open("rb") as fh:
        while target < size:
            fh.seek(target - 1)  # a break just before the target makes the target itself a cut
            at = target - 1
            cut = None
            while chunk := fh.read(_WINDOW):
                i = chunk.find(b"\n")
                if i >= 0:
                    cut = at + i + 1
                    break
                at += len(chunk)
            if cut is None or cut >= size:
                break
            cuts.append(cut)
            target = cut + split_bytes
    return cuts


def _count_lines(chunk: bytes, line_start: bool) -> tuple[int, int]:
    """Line breaks in ``chunk``, and lines that open with ``{`` in it (``line_start``: whether the
    chunk's first byte begins a line)."""
    a = np.frombuffer(chunk, dtype=np.uint8)
    nl = np.flatnonzero(a == 0x0A)
    after = nl[nl < len(a) - 1] + 1
    braces = int(np.count_nonzero(a[after] == 0x7B))
    if line_start and len(a) and a[0] == 0x7B:
        braces += 1
    return len(nl), braces


def hash_and_count(path: Location, size: int, cuts: list[int]) -> tuple[str, tuple[ByteRange, ...]]:
    """The file's SHA-256 and its byte ranges, in one sequential read: the read the manifest's hash
    needs anyway also counts each range's line breaks and ``{``-led lines (in a second thread,
    while the hash runs)."""
    bounds = [0, *cuts, size]
    h = hashlib.sha256()
    counts = [[0, 0] for _ in range(len(bounds) - 1)]
    pos, line_start, part = 0, True, 0
    pending = None
    with path.open("rb") as fh, ThreadPoolExecutor(1) as pool:
        while pos < size:
            while pos >= bounds[part + 1]:
                part += 1
            chunk = fh.read(min(_SPLIT_CHUNK, bounds[part + 1] - pos))
            if not chunk:
                raise OSError(f"{path}: shorter than its size")
            body, starts = chunk, line_start
            if pos == 0 and chunk.startswith(BOM):
                body = chunk[len(BOM) :]
            if pending is not None:
                pending_part, fut = pending
                n, b = fut.result()
                counts[pending_part][0] += n
                counts[pending_part][1] += b
            pending = (part, pool.submit(_count_lines, body, starts))
            h.update(chunk)
            pos += len(chunk)
            line_start = chunk.endswith(b"\n")
        if pending is not None:
            pending_part, fut = pending
            n, b = fut.result()
            counts[pending_part][0] += n
            counts[pending_part][1] += b
    ranges, lines, records = [], 0, 0
    for i, (n, b) in enumerate(counts):
        ranges.append(ByteRange(bounds[i], bounds[i + 1], lines, records, b))
        lines, records = lines + n, records + b
    return h.hexdigest(), tuple(ranges)


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


@contextmanager
def open_range(
    unit: SourceUnit, start: int, end: int | None, spool_dir: Path | None = None
) -> Iterator[bytes | memoryview]:
    """Bytes ``[start, end)`` of a plain (uncompressed) unit, ``end=None`` meaning to its end: a
    view of the memory-mapped file when local; a remote object's range is fetched by a ranged read
    into the spool (see :func:`open_data`) or memory. Raises :class:`InputError` like ``open_data``."""
    with ExitStack() as stack:
        try:
            data = _acquire_range(unit, start, end, spool_dir, stack)
        except (OSError, ValueError) as exc:
            raise InputError(f"{unit.display}: cannot read ({type(exc).__name__})", code="unreadable_file") from None
        yield data


def _acquire_range(
    unit: SourceUnit, start: int, end: int | None, spool_dir: Path | None, stack: ExitStack
) -> bytes | memoryview:
    if not is_url(unit.path):
        mm = _map(unit.path, stack)
        view = memoryview(mm)[start : len(mm) if end is None else end]

        def release() -> None:
            with suppress(BufferError):  # as for the map itself: a caller's frame may still hold a view
                view.release()

        stack.callback(release)
        return view
    with location(unit.path).open("rb") as fh:
        fh.seek(start)
        want = -1 if end is None else end - start
        if spool_dir is None:
            return fh.read(want)
        spool_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}spool-", dir=spool_dir)
        stack.callback(lambda: Path(name).unlink(missing_ok=True))
        with os.fdopen(fd, "wb") as out:
            left = None if end is None else end - start
            while left is None or left > 0:
                chunk = fh.read(1 << 20 if left is None else min(1 << 20, left))
                if not chunk:
                    break
                out.write(chunk)
                if left is not None:
                    left -= len(chunk)
    return _map(name, stack)


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
