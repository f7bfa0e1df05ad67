"""The sequential half of produce: staged documents → volumes on disk, load files, redaction log,
and the file list of the manifest. Also :func:`iter_documents`, the reader review uses.

Everything streams: staged shards are read in batches, every file is written as soon as its
document arrives, and the manifest's file list goes to a temporary file, so memory stays flat
whatever the number of documents.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow.parquet as pq

from sealroom.dataset import Dataset
from sealroom.dataset.files import read_json, sha256_file
from sealroom.errors import ConfigError, DatasetError
from sealroom.produce.errors import ProductionError
from sealroom.produce.loadfiles import LoadFileWriter, open_text, opt_line, read_dat
from sealroom.produce.render import VOLUME_PLACEHOLDER

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
PUBLIC_KEY = "public_key.pem"
REDACTION_LOG = "redaction_log.csv"
REDACTION_FIELDS = ("BEGBATES", "ENDBATES", "DOCID", "LABEL", "OPERATOR", "COUNT")
VOLUME_RE = re.compile(r"^VOL\d{3}$")
MAX_VOLUMES = 999
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12, "KIB": 2**10, "MIB": 2**20}
_UNITS |= {"GIB": 2**30, "TIB": 2**40}


def parse_size(value: str | int) -> int:
    """``10GB`` (decimal units), ``512MiB`` (binary units) or a number of bytes."""
    if isinstance(value, int):
        size = value
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", value)
        if not m or m.group(2).upper() not in _UNITS:
            raise ConfigError(f"volume size {value!r} is not like 10GB, 650MB or 512MiB", code="volume_size")
        size = int(float(m.group(1)) * _UNITS[m.group(2).upper()])
    if size < 1:
        raise ConfigError(f"volume size must be positive, got {value!r}", code="volume_size")
    return size


def volume_name(n: int) -> str:
    if n > MAX_VOLUMES:
        raise ProductionError(f"more than {MAX_VOLUMES} volumes; pass a larger --volume-size")
    return f"VOL{n:03d}"


def dat_path(volume: str, prefix: str, ext: str) -> str:
    return f"{volume}/DATA/{prefix}_{volume}.{ext}"


def windows_path(rel: str) -> str:
    """Load-file paths use backslashes, relative to the production root (the vendor convention)."""
    return rel.replace("/", "\\")


@dataclass
class VolumeInfo:
    name: str
    first: int
    last: int
    documents: int = 0
    bytes: int = 0


@dataclass
class Assembled:
    volumes: list[VolumeInfo] = field(default_factory=list)
    documents: int = 0
    files: int = 0


class FileList:
    """The manifest's ``files`` entries, spooled to disk as they are written (one JSON per line)."""

    def __init__(self, root: Path, spool: IO[bytes]) -> None:
        self.root = root
        self.spool = spool
        self.count = 0

    def add_bytes(self, rel: str, data: bytes) -> tuple[int, str]:
        digest = hashlib.sha256(data).hexdigest()
        self._entry(rel, len(data), digest)
        return len(data), digest

    def add_file(self, rel: str) -> None:
        p = self.root / rel
        self._entry(rel, p.stat().st_size, sha256_file(p))

    def _entry(self, rel: str, size: int, digest: str) -> None:
        self.spool.write(orjson.dumps({"path": rel, "sha256": digest, "size": size}, option=orjson.OPT_SORT_KEYS))
        self.spool.write(b"\n")
        self.count += 1


def clear_previous(out: Path) -> None:
    """Remove what an interrupted assembly left (only names this stage writes)."""
    for p in out.iterdir():
        if p.is_dir() and VOLUME_RE.match(p.name):
            shutil.rmtree(p)
    for name in (REDACTION_LOG, SIGNATURE, PUBLIC_KEY):
        (out / name).unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    # os.open/os.write: no buffered-file object per document (hundreds of thousands of small files)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class _Volume:
    def __init__(self, out: Path, name: str, prefix: str, first: int, files: FileList) -> None:
        self.info = VolumeInfo(name, first, first - 1)
        self.root = out / name
        self.prefix = prefix
        self.files = files
        for sub in ("NATIVES", "TEXT", "DATA"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.dat_rel = dat_path(name, prefix, "dat")
        self.csv_rel = dat_path(name, prefix, "csv")
        self._dat = open_text(out / self.dat_rel)
        self._csv = open_text(out / self.csv_rel)
        self.loadfile = LoadFileWriter(self._dat, self._csv)
        self.out = out
        self.opt_rel = dat_path(name, prefix, "opt")
        self._opt: IO[str] | None = None

    def add(
        self,
        bates: str,
        number: int,
        native: bytes,
        text: bytes,
        dat: dict[str, str],
        pdf: bytes | None = None,
        pages: int | None = None,
    ) -> None:
        name = self.info.name
        native = native.replace(f'\n  "volume": "{VOLUME_PLACEHOLDER}"'.encode(), f'\n  "volume": "{name}"'.encode(), 1)
        native_rel = f"{name}/NATIVES/{bates}.json"
        text_rel = f"{name}/TEXT/{bates}.txt"
        _write(self.root / "NATIVES" / f"{bates}.json", native)
        _write(self.root / "TEXT" / f"{bates}.txt", text)
        size, digest = self.files.add_bytes(native_rel, native)
        self.files.add_bytes(text_rel, text)
        image_path = ""
        if pdf is not None:
            image_rel = f"{name}/IMAGES/{bates}.pdf"
            if self._opt is None:
                (self.root / "IMAGES").mkdir(exist_ok=True)
                self._opt = open_text(self.out / self.opt_rel)
            _write(self.root / "IMAGES" / f"{bates}.pdf", pdf)
            self.files.add_bytes(image_rel, pdf)
            image_path = windows_path(image_rel)
            self._opt.write(opt_line(bates, name, image_path, pages or 0))
            self.info.bytes += len(pdf)
        self.loadfile.row(
            {
                **dat,
                "VOLUME": name,
                "TEXTPATH": windows_path(text_rel),
                "NATIVEPATH": windows_path(native_rel),
                "IMAGEPATH": image_path,
                "PAGECOUNT": str(pages) if pdf is not None else "",
                "FILESIZE": str(size),
                "SHA256": digest,
            }
        )
        self.info.last = number
        self.info.documents += 1
        self.info.bytes += len(native) + len(text)

    def close(self) -> VolumeInfo:
        self._dat.close()
        self._csv.close()
        self.files.add_file(self.dat_rel)
        self.files.add_file(self.csv_rel)
        if self._opt is not None:
            self._opt.close()
            self.files.add_file(self.opt_rel)
        return self.info


def assemble(
    staged: Dataset,
    out: Path,
    *,
    prefix: str,
    volume_size: int,
    spool: IO[bytes],
    advance: Callable[[int], None] = lambda n: None,
) -> tuple[Assembled, FileList]:
    """Write every staged document into volumes (in Bates order), then the redaction log."""
    files = FileList(out, spool)
    result = Assembled()
    volume: _Volume | None = None
    log_fh = open_text(out / REDACTION_LOG)
    log = csv.writer(log_fh, lineterminator="\r\n")
    log.writerow(REDACTION_FIELDS)
    expected: int | None = None
    try:
        for shard in staged.shards:
            pf = pq.ParquetFile(staged.shard_path(shard))
            for batch in pf.iter_batches(batch_size=512):
                for row in batch.to_pylist():
                    number: int = row["bates"]
                    if expected is not None and number != expected:
                        raise ProductionError(
                            f"staged Bates number {number} follows {expected - 1}: staging is corrupt"
                        )
                    expected = number + 1
                    dat = orjson.loads(row["dat_json"])
                    bates = dat["BEGBATES"]
                    size = len(row["native"]) + len(row["text"]) + len(row["pdf"] or b"")
                    if volume is None or (volume.info.documents and volume.info.bytes + size > volume_size):
                        if volume is not None:
                            result.volumes.append(volume.close())
                        volume = _Volume(out, volume_name(len(result.volumes) + 1), prefix, number, files)
                    volume.add(bates, number, row["native"], row["text"], dat, row["pdf"], row["pages"])
                    redactions: dict[str, int] = orjson.loads(row["redactions_json"])
                    if not redactions:
                        log.writerow([bates, bates, row["docid"], "", "", 0])
                    for key, count in redactions.items():
                        label, operator = key.split("\t")
                        log.writerow([bates, bates, row["docid"], label, operator, count])
                    result.documents += 1
                advance(batch.num_rows)
        if volume is not None:
            result.volumes.append(volume.close())
    finally:
        log_fh.close()
    files.add_file(REDACTION_LOG)
    result.files = files.count
    return result, files


def iter_documents(path: Path) -> Iterator[dict[str, Any]]:
    """The NATIVES JSON documents of a production, in Bates order (volume by volume, DAT order).

    It does not verify: call :func:`sealroom.produce.verify.verify_production` first.
    """
    path = Path(path)
    mf = path / MANIFEST
    if not mf.is_file():
        raise DatasetError(f"{path} has no {MANIFEST}: not a sealroom production", code="production_missing")
    manifest = read_json(mf)
    prefix = manifest["prefix"]
    for vol in manifest["volumes"]:
        with open(path / dat_path(vol["name"], prefix, "dat"), encoding="utf-8", newline="") as fh:
            for row in read_dat(fh):
                yield orjson.loads((path / row["NATIVEPATH"].replace("\\", "/")).read_bytes())
