"""Building a corpus index and adding articles to it (a new segment; old segments stay untouched)."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sealroom.dataset.files import TMP_PREFIX, remove_temp_files
from sealroom.errors import ConfigError, InputError
from sealroom.progress import progress_bar
from sealroom.scan.fingerprint import ngram_hashes, winnow
from sealroom.scan.index import ARTICLES_SCHEMA, FORMAT, META, CorpusIndex, check_params, write_meta
from sealroom.scan.normalize import HASH_VERSION, tokenize_many
from sealroom.scan.sources import Article, read_articles

DEFAULT_K = 5
DEFAULT_W = 8
_BATCH_CHARS = 8 << 20


def _batches(articles: Iterable[Article], skip: set[str], stats: dict[str, int]) -> Iterator[list[Article]]:
    batch: list[Article] = []
    size = 0
    for a in articles:
        if a.id in skip:
            stats["duplicates"] += 1
            continue
        skip.add(a.id)
        batch.append(a)
        size += len(a.text)
        if size >= _BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _write_segment(
    folder: Path,
    articles: Iterable[Article],
    k: int,
    w: int,
    publisher: str | None,
    skip: set[str],
    show_progress: bool,
) -> dict[str, int]:
    """Fingerprint and store every new article into ``folder`` (a temporary name, renamed by the caller)."""
    folder.mkdir(parents=True)
    stats = {"articles": 0, "tokens": 0, "duplicates": 0, "fingerprints": 0}
    grams_all: list[np.ndarray] = []
    art_all: list[np.ndarray] = []
    pos_all: list[np.ndarray] = []
    offsets = [0]
    rows: list[dict[str, object]] = []
    tok_offsets = [0]
    with (
        open(folder / "text.bin", "wb") as text_fh,
        open(folder / "tok.bin", "wb") as tok_fh,
        progress_bar("corpus", total=0, enabled=show_progress) as advance,
    ):
        for batch in _batches(articles, skip, stats):
            texts = [a.text for a in batch]
            tok, doc, first = tokenize_many(texts)
            grams, gpos = ngram_hashes(tok.hashes, k, doc)
            kept = winnow(grams, w)
            grams, gpos = grams[kept], gpos[kept]
            gdoc = doc[gpos]
            base = stats["articles"]
            grams_all.append(grams)
            art_all.append((gdoc + base).astype(np.uint32))
            pos_all.append((gpos - first[gdoc]).astype(np.uint32))
            words = np.diff(first)
            # low 32 bits of every token hash: what candidate checks and alignment compare
            tok_fh.write((tok.hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32).tobytes())
            tok_offsets += (tok_offsets[-1] + np.cumsum(words)).tolist()
            for a, nw in zip(batch, words.tolist(), strict=True):
                data = a.text.encode("utf-8", "surrogatepass")
                text_fh.write(data)
                offsets.append(offsets[-1] + len(data))
                rows.append(
                    {
                        "article_id": a.id,
                        "title": a.title,
                        "url": a.url,
                        "published": a.published,
                        "publisher": a.publisher or publisher,
                        "words": nw,
                        "chars": len(a.text),
                    }
                )
            stats["articles"] += len(batch)
            stats["tokens"] += int(tok.hashes.size)
            advance(len(batch))
    if stats["articles"] and stats["articles"] >= 2**32 - 1:
        raise ConfigError("a segment holds at most 4,294,967,294 articles; add them in several runs")
    grams = np.concatenate(grams_all) if grams_all else np.zeros(0, dtype=np.uint64)
    order = np.argsort(grams, kind="stable")
    grams = grams[order]
    np.save(folder / "keys.npy", (grams >> np.uint64(32)).astype(np.uint32))
    np.save(folder / "lo.npy", (grams & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    np.save(folder / "art.npy", (np.concatenate(art_all) if art_all else np.zeros(0, np.uint32))[order])
    np.save(folder / "pos.npy", (np.concatenate(pos_all) if pos_all else np.zeros(0, np.uint32))[order])
    np.save(folder / "text_off.npy", np.array(offsets, dtype=np.int64))
    np.save(folder / "tok_off.npy", np.array(tok_offsets, dtype=np.int64))
    pq.write_table(pa.Table.from_pylist(rows, schema=ARTICLES_SCHEMA), folder / "articles.parquet")
    stats["fingerprints"] = int(grams.size)
    return stats


def _segment_digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in (
        "keys.npy",
        "lo.npy",
        "art.npy",
        "pos.npy",
        "text_off.npy",
        "tok.bin",
        "tok_off.npy",
        "articles.parquet",
    ):
        with open(folder / name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    return h.hexdigest()


def _add_segment(
    path: Path,
    meta: dict[str, object],
    articles: Iterable[Article],
    skip: set[str],
    publisher: str | None,
    show_progress: bool,
) -> dict[str, int]:
    k, w = int(meta["k"]), int(meta["w"])  # type: ignore[call-overload]
    segments: list[str] = list(meta["segments"])  # type: ignore[call-overload]
    name = f"seg-{len(segments):05d}"
    tmp = path / f"{TMP_PREFIX}{name}.{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        stats = _write_segment(tmp, articles, k, w, publisher, skip, show_progress)
        digest = _segment_digest(tmp)
        shutil.rmtree(path / name, ignore_errors=True)
        os.replace(tmp, path / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    segments.append(name)
    prev = str(meta.get("fingerprint", ""))
    meta.update(
        segments=segments,
        articles=int(meta.get("articles", 0)) + stats["articles"],  # type: ignore[call-overload]
        tokens=int(meta.get("tokens", 0)) + stats["tokens"],  # type: ignore[call-overload]
        fingerprint=hashlib.sha256(f"{prev}\n{name}\n{digest}".encode()).hexdigest(),
    )
    write_meta(path, meta)  # the commit point: a segment not listed here does not exist
    return stats


def _source_files(sources: list[Path]) -> list[tuple[str, Path]]:
    """Every file of ``sources`` with its name as recorded: a file source by its file name, a file
    inside a folder source by its path within that folder (what article ids derive from)."""
    out = []
    for p in sources:
        if p.is_dir():
            out += [(q.relative_to(p).as_posix(), q) for q in sorted(q for q in p.rglob("*") if q.is_file())]
        else:
            out.append((p.name, p))
    return out


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _stamp(sources: list[Path]) -> list[dict[str, object]]:
    """What ``index.json`` records of the sources: name, size and content SHA-256 of each file, in
    order; no directory and no modification time, so the same bytes give the same manifest wherever
    and whenever they were copied."""
    return [{"name": name, "size": f.stat().st_size, "sha256": _sha256(f)} for name, f in _source_files(sources)]


def _old_stamp(sources: list[Path]) -> list[list[object]]:
    """The stamp of indexes built before content hashes were recorded (path, size, mtime)."""
    return [[str(f), f.stat().st_size, f.stat().st_mtime_ns] for _, f in _source_files(sources)]


def _read_all(sources: list[Path]) -> Iterator[Article]:
    for src in sources:
        yield from read_articles(Path(src))


def build_corpus(
    sources: list[Path],
    out: Path,
    *,
    k: int = DEFAULT_K,
    w: int = DEFAULT_W,
    publisher: str | None = None,
    show_progress: bool = True,
    overwrite: bool = False,
) -> CorpusIndex:
    """Index the articles of ``sources`` into a new folder ``out``. Calling it again with the same,
    unchanged sources returns the existing index; other sources need ``overwrite`` (or
    ``add_to_corpus``). Any run of at least ``k + w - 1``
    words shared with an article is guaranteed to be found by a scan (see ``fingerprint``)."""
    check_params(k, w)
    out = Path(out)
    if not sources:
        raise ConfigError("no article sources given")
    for src in sources:
        if not Path(src).exists():
            raise InputError(f"article source not found: {src}", code="source_missing")
    stamp = {"sources": _stamp([Path(s) for s in sources]), "k": k, "w": w, "publisher": publisher}
    if (out / META).exists():
        if overwrite:
            for p in out.glob("seg-*"):
                shutil.rmtree(p)
            (out / META).unlink()
        elif _already_built(CorpusIndex.open(out).meta.get("built_from"), stamp, [Path(s) for s in sources]):
            return CorpusIndex.open(out)  # the same sources, unchanged: nothing to do
        else:
            raise ConfigError(
                f"{out} already holds a corpus index of other sources; use `sealroom corpus add`, "
                "another --out, or overwrite",
                code="index_exists",
            )
    return build_index(
        _read_all([Path(s) for s in sources]),
        out,
        k=k,
        w=w,
        publisher=publisher,
        show_progress=show_progress,
        extra={"built_from": stamp},
    )


def _already_built(recorded: object, stamp: dict[str, object], sources: list[Path]) -> bool:
    """Whether an index's ``built_from`` names the same sources (by content) and parameters."""
    if recorded == stamp:
        return True
    # an index built before content hashes were recorded: the same files, same size and mtime
    return isinstance(recorded, dict) and recorded == {**stamp, "sources": _old_stamp(sources)}


def build_index(
    articles: Iterable[Article],
    out: Path,
    *,
    k: int = DEFAULT_K,
    w: int = DEFAULT_W,
    publisher: str | None = None,
    show_progress: bool = True,
    extra: dict[str, object] | None = None,
) -> CorpusIndex:
    """Index any iterable of articles into a new folder (``extra`` goes into ``index.json``)."""
    check_params(k, w)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    remove_temp_files(out)
    meta: dict[str, object] = {
        "format": FORMAT,
        "hash_version": HASH_VERSION,
        "k": k,
        "w": w,
        "segments": [],
        "articles": 0,
        "tokens": 0,
        "fingerprint": "",
        **(extra or {}),
    }
    _add_segment(out, meta, articles, set(), publisher, show_progress)
    return CorpusIndex.open(out)


def add_to_corpus(
    index: Path, sources: list[Path], *, publisher: str | None = None, show_progress: bool = True
) -> tuple[CorpusIndex, dict[str, int]]:
    """Add the articles of ``sources`` as a new segment; articles whose id is already indexed are
    skipped (counted as ``duplicates``). Returns the reopened index and the segment's counts."""
    idx = CorpusIndex.open(index)
    for src in sources:
        if not Path(src).exists():
            raise InputError(f"article source not found: {src}", code="source_missing")
    known = set()
    for i in range(idx.n_articles):
        known.add(idx.article_id(i))
    for p in Path(index).glob(TMP_PREFIX + "*"):
        shutil.rmtree(p, ignore_errors=True)
    stats = _add_segment(
        Path(index), dict(idx.meta), _read_all([Path(s) for s in sources]), known, publisher, show_progress
    )
    return CorpusIndex.open(index), stats
