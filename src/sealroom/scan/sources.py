"""Reading a publisher's articles: JSONL / JSON / Parquet records, folders of ``.txt``, gzip of any."""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow.parquet as pq

from sealroom.errors import InputError

FIELDS = ("id", "text", "title", "url", "published", "publisher")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    publisher: str | None = None


def _open_text(path: Path) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", errors="surrogateescape")
    return open(path, encoding="utf-8", errors="surrogateescape")


def _inner_suffix(path: Path) -> str:
    return Path(path.stem).suffix.lower() if path.suffix == ".gz" else path.suffix.lower()


def _opt(rec: dict[str, Any], name: str) -> str | None:
    v = rec.get(name)
    return None if v is None else str(v)


def _record(rec: Any, where: str) -> Article:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object with 'id' and 'text'")
    aid, text = rec.get("id"), rec.get("text")
    if aid is None or str(aid) == "":
        raise InputError(f"{where}: record has no 'id'")
    if not isinstance(text, str):
        raise InputError(f"{where}: record {str(aid)[:80]!r} has no string 'text'")
    return Article(str(aid), text, _opt(rec, "title"), _opt(rec, "url"), _opt(rec, "published"), _opt(rec, "publisher"))


def _read_jsonl(path: Path) -> Iterator[Article]:
    with _open_text(path) as fh:
        first = fh.read(1)
        while first.isspace():
            first = fh.read(1)
        if first == "[":  # a JSON array of records
            data = orjson.loads(first + fh.read())
            for i, rec in enumerate(data):
                yield _record(rec, f"{path} item {i}")
            return
        fh_lines = iter([first + fh.readline(), *fh])
        for lineno, line in enumerate(fh_lines, 1):
            if not line.strip():
                continue
            try:
                rec = orjson.loads(line)
            except orjson.JSONDecodeError:
                raise InputError(f"{path} line {lineno}: not valid JSON") from None
            yield _record(rec, f"{path} line {lineno}")


def _read_parquet(path: Path) -> Iterator[Article]:
    pf = pq.ParquetFile(path)
    names = [f for f in FIELDS if f in pf.schema_arrow.names]
    if "id" not in names or "text" not in names:
        raise InputError(f"{path}: Parquet articles need 'id' and 'text' columns")
    row = 0
    for batch in pf.iter_batches(columns=names, batch_size=4096):
        for rec in batch.to_pylist():
            row += 1
            yield _record(rec, f"{path} row {row}")


def _read_txt(path: Path, root: Path | None) -> Article:
    with _open_text(path) as fh:
        text = fh.read()
    rel = path.relative_to(root) if root is not None else Path(path.name)
    aid = str(rel).removesuffix(".gz").removesuffix(".txt")
    return Article(aid, text)


def read_articles(source: Path) -> Iterator[Article]:
    """Every article in one source (file or folder), in a stable order."""
    source = Path(source)
    if source.is_dir():
        for p in sorted(q for q in source.rglob("*") if q.is_file()):
            kind = _inner_suffix(p)
            if kind == ".txt":
                yield _read_txt(p, source)
            elif kind in (".jsonl", ".json", ".ndjson"):
                yield from _read_jsonl(p)
            elif kind == ".parquet":
                yield from _read_parquet(p)
        return
    if not source.is_file():
        raise InputError(f"article source not found: {source}", code="source_missing")
    kind = _inner_suffix(source)
    if kind in (".jsonl", ".json", ".ndjson"):
        yield from _read_jsonl(source)
    elif kind == ".parquet":
        yield from _read_parquet(source)
    elif kind == ".txt":
        yield _read_txt(source, None)
    else:
        raise InputError(f"{source}: unknown article format (expected .jsonl, .json, .parquet, .txt, .gz of those)")
