"""File primitives: atomic writes and content hashes.

A reader must never see half a file, so everything is written to a temporary name in the same
folder and renamed into place (rename is atomic on POSIX within one file system).
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

TMP_PREFIX = ".tmp-"
_CHUNK = 1 << 20


def sha256_file(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success fsync and rename it to ``target``."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX + target.name + ".", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_open(target: str | os.PathLike[str], mode: str = "wb") -> Iterator[IO[Any]]:
    with atomic_path(target) as tmp, open(tmp, mode) as fh:
        yield fh


def dump_json(obj: Any) -> bytes:
    """Canonical JSON (sorted keys, two-space indent, trailing newline): byte-stable output."""
    return orjson.dumps(obj, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def write_json_atomic(target: str | os.PathLike[str], obj: Any) -> None:
    with atomic_open(target, "wb") as fh:
        fh.write(dump_json(obj))


def read_json(path: str | os.PathLike[str]) -> Any:
    return orjson.loads(Path(path).read_bytes())


def remove_temp_files(folder: Path) -> None:
    """Delete temporaries (files or whole staging folders) a killed process left behind."""
    if folder.is_dir():
        for p in sorted(folder.rglob(TMP_PREFIX + "*"), key=lambda q: len(q.parts)):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
