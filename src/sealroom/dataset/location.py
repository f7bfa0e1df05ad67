"""Where datasets live: a local folder, or object storage through fsspec (``s3://``, ``gs://``, …).

Every dataset path goes through :func:`location`. A local path stays a :class:`pathlib.Path`; a URL
becomes a :class:`upath.UPath` with the same path API, backed by the fsspec file system for its
protocol. The few operations pathlib lacks or that differ on object storage (atomic placement of a
finished file, recursive delete, Parquet access) live here, so the dataset layer reads the same for
both.

Object stores have no rename, but they do have atomic object creation: a PUT (or a completed
multipart upload) makes the whole object visible at once or not at all. So a remote file is written
to a local temporary file first and uploaded in one call; readers never see half an object, and a
killed upload leaves nothing under the dataset's prefix.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
import pyarrow.parquet as pq
from upath import UPath

#: a dataset location: a local path or a remote one with the same API
Location: TypeAlias = Path | UPath

#: listing caches would hide shards and markers that other workers wrote meanwhile
_REMOTE_DEFAULTS: dict[str, Any] = {"use_listings_cache": False}


def is_url(value: str | os.PathLike[str]) -> bool:
    text = os.fspath(value)
    return "://" in text and not text.startswith("file://")


def location(value: str | os.PathLike[str] | UPath) -> Location:
    """A :class:`Path` for local paths, a :class:`UPath` for URLs such as ``s3://bucket/run/hold``.

    Credentials and endpoints come from the usual places for each protocol (for S3: the AWS
    environment variables, ``~/.aws``, instance roles, ``AWS_ENDPOINT_URL`` for S3-compatible
    stores), never from the URL itself.
    """
    if isinstance(value, Path):
        return value
    if isinstance(value, UPath):
        return value
    text = os.fspath(value)
    if text.startswith("file://"):
        return Path(text.removeprefix("file://"))
    if not is_url(text):
        return Path(text)
    return UPath(text, **_REMOTE_DEFAULTS)


def is_remote(path: Location) -> bool:
    return not isinstance(path, Path)


def resolved(path: Location) -> Location:
    """Absolute local paths; remote locations are absolute already."""
    return path.resolve() if isinstance(path, Path) else path


def place_file(local_tmp: Path, target: Location) -> None:
    """Move a finished local file to ``target`` atomically (rename locally, one upload remotely)."""
    if isinstance(target, Path):
        with open(local_tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(local_tmp, target)
        return
    target.fs.put_file(str(local_tmp), target.path)
    local_tmp.unlink(missing_ok=True)


#: a local folder, counted as part of the hold, for files on their way to (or from) object storage
SCRATCH_ENV = "SEALROOM_SCRATCH"
_MEMORY = Path("/dev/shm")


def scratch_dir() -> Path | None:
    """Where a file bound for object storage is staged: ``SEALROOM_SCRATCH`` (a folder on a protected
    disk that the operator counts as part of the hold), else memory (``/dev/shm``), else the system
    temporary folder (None). A shard of the hold holds raw text, so it must not land on an ordinary
    disk outside the hold on its way up."""
    scratch = os.environ.get(SCRATCH_ENV)
    if scratch:
        return Path(scratch)
    return _MEMORY if _MEMORY.is_dir() else None


def staging_dir(target: Location) -> Path | None:
    """Where to put the temporary file for ``target``: beside it locally (so rename stays within one
    file system), the scratch folder for remote targets."""
    return target.parent if isinstance(target, Path) else scratch_dir()


def remove_tree(path: Location) -> None:
    """Delete a folder and everything under it; nothing happens if it is absent."""
    if isinstance(path, Path):
        shutil.rmtree(path, ignore_errors=True)
        return
    if path.fs.exists(path.path):
        path.fs.rm(path.path, recursive=True)


def arrow_source(path: Location) -> tuple[str, Any]:
    """``(path, filesystem)`` as pyarrow's readers take them: a local path with no file system, or
    an object key with its fsspec file system (so filters still prune row groups before fetching)."""
    return (str(path), None) if isinstance(path, Path) else (path.path, path.fs)


def read_parquet(
    path: Location,
    columns: list[str] | None = None,
    schema: pa.Schema | None = None,
    filters: Any = None,
) -> pa.Table:
    source, filesystem = arrow_source(path)
    return pq.read_table(source, columns=columns, schema=schema, filters=filters, filesystem=filesystem)


def parquet_file(path: Location) -> pq.ParquetFile:
    """A Parquet file opened for streaming row groups (the remote file is read by ranged requests)."""
    if isinstance(path, Path):
        return pq.ParquetFile(path)
    return pq.ParquetFile(path.fs.open(path.path, "rb"))
