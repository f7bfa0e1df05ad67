"""File primitives: atomic writes and content hashes, for local and remote locations.

A reader must never see half a file, so everything is written to a temporary file and then placed
in one step: renamed within the target folder locally (atomic on POSIX within one file system),
uploaded in one call to object storage (object creation is atomic there).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson

from sealroom.dataset.location import Location, location, place_file, staging_dir

TMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str] | Location) -> str:
    h = hashlib.sha256()
    with location(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def local_temp_for(target: Location, suffix: str = "") -> Path:
    """A new empty local file to write ``target``'s content into before :func:`place_file`."""
    folder = staging_dir(target)
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{target.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    return Path(tmp_name)


@contextmanager
def atomic_path(target: str | os.PathLike[str] | Location) -> Iterator[Path]:
    """Yield a local temporary path; on success place it at ``target`` in one atomic step."""
    target = location(target)
    tmp = local_temp_for(target)
    try:
        yield tmp
        place_file(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_open(target: str | os.PathLike[str] | Location, mode: str = "wb") -> Iterator[IO[Any]]:
    with atomic_path(target) as tmp, open(tmp, mode) as fh:
        yield fh


def dump_json(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, two-space indent, trailing newline): byte-stable output."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def write_json_atomic(target: str | os.PathLike[str] | Location, obj: Any) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(dump_json(obj))


def read_json(path: str | os.PathLike[str] | Location) -> Any:
    return orjson.loads(location(path).read_bytes())


def remove_temp_files(folder: Location) -> None:
    """Delete temporaries (files or whole staging folders) a killed process left behind.

    Remote folders never hold temporaries: their files are staged locally and uploaded whole."""
    if isinstance(folder, Path) and folder.is_dir():
        for p in sorted(folder.rglob(TMP_PREFIX + "*"), key=lambda q: len(q.parts)):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
