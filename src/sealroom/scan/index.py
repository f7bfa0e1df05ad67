"""The corpus index: winnowed fingerprints in memory-mapped sorted arrays, plus an article store.

Layout of an index folder::

    index.json            format, hash version, k, w, segment list, totals
    seg-00000/            one segment per build or add (adding never rewrites an old segment)
      keys.npy            uint32, sorted: high 32 bits of each fingerprint (the only array a scan
                          touches for every n-gram: 4 bytes per kept fingerprint ≈ 0.9 byte per
                          reference token at the default k=5, w=8)
      lo.npy              uint32: low 32 bits (checked only where the high bits matched)
      art.npy, pos.npy    uint32: article number in the segment, token position of the n-gram
      text.bin, text_off.npy   UTF-8 article texts and their byte offsets (offsets of hits)
      tok.bin, tok_off.npy     uint32 low bits of every article token's hash and each article's
                          first token (candidate checks and alignment read these, not the text)
      articles.parquet    article_id, title, url, published, publisher, words, chars

Everything is opened with ``mmap``: the operating system pages in what lookups touch, and several
scanner processes share one copy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sealroom.dataset.files import TMP_PREFIX, read_json, write_json_atomic
from sealroom.dataset.location import Location, location
from sealroom.errors import ConfigError, DatasetError
from sealroom.scan.normalize import HASH_VERSION, Tokens, tokenize

FORMAT = "sealroom.corpus-index/2"
META = "index.json"
_LO_MASK = np.uint64(0xFFFFFFFF)

ARTICLES_SCHEMA = pa.schema(
    [
        pa.field("article_id", pa.string(), nullable=False),
        pa.field("title", pa.string()),
        pa.field("url", pa.string()),
        pa.field("published", pa.string()),
        pa.field("publisher", pa.string()),
        pa.field("words", pa.int32(), nullable=False),
        pa.field("chars", pa.int64(), nullable=False),
    ]
)


@dataclass
class Segment:
    name: str
    base: int  # global number of this segment's first article
    keys: np.ndarray
    lo: np.ndarray
    art: np.ndarray
    pos: np.ndarray
    text: np.ndarray
    text_off: np.ndarray
    tok: np.ndarray
    tok_off: np.ndarray
    folder: Path
    n_articles: int

    @classmethod
    def open(cls, folder: Path, base: int) -> Segment:
        def load(name: str) -> np.ndarray:
            return np.load(folder / name, mmap_mode="r")

        def raw(name: str, dtype: type) -> np.ndarray:
            if (folder / name).stat().st_size == 0:
                return np.zeros(0, dtype=dtype)
            return np.memmap(folder / name, dtype=dtype, mode="r")

        return cls(
            folder.name,
            base,
            load("keys.npy"),
            load("lo.npy"),
            load("art.npy"),
            load("pos.npy"),
            raw("text.bin", np.uint8),
            load("text_off.npy"),
            raw("tok.bin", np.uint32),
            load("tok_off.npy"),
            folder,
            pq.ParquetFile(folder / "articles.parquet").metadata.num_rows,
        )

    @property
    def articles(self) -> pa.Table:
        """The article records (read on demand: a scan needs them only for shards with hits)."""
        return pq.read_table(self.folder / "articles.parquet")


@dataclass(frozen=True, slots=True)
class Candidates:
    """Fingerprint matches: for each, the query n-gram's index, the article number and the article
    token position of the n-gram."""

    query: np.ndarray
    article: np.ndarray
    article_pos: np.ndarray
    #: segment number and position of the anchor's first token in that segment's token store
    segment: np.ndarray
    tok_at: np.ndarray
    skipped_common: int = 0


class CorpusIndex:
    """An opened index. Article numbers are global across segments (segment base + local number)."""

    def __init__(self, path: Path, meta: dict[str, Any], segments: list[Segment]) -> None:
        self.path = path
        #: where the index was opened from: ``path``, or the URL a cached copy was fetched from
        self.source = str(path)
        self.meta = meta
        self.segments = segments
        self.k = int(meta["k"])
        self.w = int(meta["w"])
        self._bases = np.array([s.base for s in segments], dtype=np.int64)
        self._tokens: OrderedDict[int, tuple[str, Tokens]] = OrderedDict()
        self._ids: list[str] | None = None
        self._publishers: list[str | None] | None = None
        self._words: np.ndarray | None = None

    @classmethod
    def open(cls, path: str | Path) -> CorpusIndex:
        p = Path(path)
        if not (p / META).is_file():
            raise DatasetError(
                f"{p} is not a corpus index (no {META}); build one with `sealroom corpus build`", code="index_missing"
            )
        meta = read_json(p / META)
        if meta.get("format") != FORMAT:
            raise DatasetError(f"{p}: unknown index format {meta.get('format')!r}", code="index_format")
        if meta.get("hash_version") != HASH_VERSION:
            raise DatasetError(
                f"{p} was built with hash version {meta.get('hash_version')}, this sealroom uses {HASH_VERSION}: "
                "rebuild the index",
                code="index_version",
            )
        segments = []
        base = 0
        for name in meta["segments"]:
            seg = Segment.open(p / name, base)
            segments.append(seg)
            base += seg.n_articles
        return cls(p, meta, segments)

    # ---- identity -------------------------------------------------------------------------------
    @property
    def n_articles(self) -> int:
        return int(sum(s.n_articles for s in self.segments))

    @property
    def n_tokens(self) -> int:
        return int(self.meta.get("tokens", 0))

    @property
    def fingerprint(self) -> str:
        """Changes whenever a segment is added (what a scan records among its inputs)."""
        return str(self.meta["fingerprint"])

    def as_input(self) -> dict[str, Any]:
        return {"path": self.source, "stage": "corpus", "fingerprint": self.fingerprint, "rows": self.n_articles}

    def info(self) -> dict[str, Any]:
        fp = sum(int(s.keys.size) for s in self.segments)
        key_bytes = sum(int(s.keys.nbytes) for s in self.segments)
        disk = sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())
        tokens = max(self.n_tokens, 1)
        return {
            "path": str(self.path),
            "articles": self.n_articles,
            "tokens": self.n_tokens,
            "segments": len(self.segments),
            "k": self.k,
            "w": self.w,
            "guaranteed_words": self.k + self.w - 1,
            "fingerprints": fp,
            "resident_bytes_per_token": key_bytes / tokens,
            "disk_bytes": disk,
            "fingerprint": self.fingerprint,
        }

    # ---- articles -------------------------------------------------------------------------------
    def _locate(self, article: int) -> tuple[Segment, int]:
        i = int(np.searchsorted(self._bases, article, side="right")) - 1
        seg = self.segments[i]
        return seg, article - seg.base

    def _column(self, name: str) -> list[Any]:
        out: list[Any] = []
        for s in self.segments:
            out += s.articles.column(name).to_pylist()
        return out

    def article_id(self, article: int) -> str:
        if self._ids is None:
            self._ids = self._column("article_id")
        return self._ids[article]

    def article_publisher(self, article: int) -> str | None:
        if self._publishers is None:
            self._publishers = self._column("publisher")
        return self._publishers[article]

    def article_words(self, article: int) -> int:
        if self._words is None:
            self._words = np.array(self._column("words"), dtype=np.int64)
        return int(self._words[article])

    def article_text(self, article: int) -> str:
        seg, local = self._locate(article)
        a, b = int(seg.text_off[local]), int(seg.text_off[local + 1])
        return bytes(seg.text[a:b]).decode("utf-8", "surrogatepass")

    def article_tokens(self, article: int) -> tuple[str, Tokens]:
        """The article's text and tokens (a small per-process cache: candidates cluster on few)."""
        hit = self._tokens.get(article)
        if hit is not None:
            self._tokens.move_to_end(article)
            return hit
        text = self.article_text(article)
        value = (text, tokenize(text))
        self._tokens[article] = value
        if len(self._tokens) > 256:
            self._tokens.popitem(last=False)
        return value

    def article_hashes(self, article: int) -> np.ndarray:
        """The low 32 bits of the article's token hashes, from the token store (no tokenizing)."""
        seg, local = self._locate(article)
        return np.asarray(seg.tok[int(seg.tok_off[local]) : int(seg.tok_off[local + 1])])

    def band_scores(
        self,
        q32: np.ndarray,
        qtok: np.ndarray,
        q_lo: np.ndarray,
        q_hi: np.ndarray,
        cand: Candidates,
        k: int,
        window: int,
        band: int,
    ) -> np.ndarray:
        """For every candidate: how many of the text tokens within ``window`` words of its anchor equal
        the article token on the anchor's diagonal or one at most ``band`` away (all candidates at once).
        ``qtok``: per candidate, the anchor's first token in ``q32``; ``q_lo``/``q_hi``: the token
        range of its text."""
        score = np.zeros(cand.query.size, dtype=np.int32)
        offsets = np.arange(-window, window + k)
        for sn, seg in enumerate(self.segments):
            all_sel = np.flatnonzero(cand.segment == sn)
            tok, tok_off = np.asarray(seg.tok), np.asarray(seg.tok_off)
            # in blocks, so the (candidates x window) work arrays stay a few MB
            for b in range(0, all_sel.size, 8192):
                sel = all_sel[b : b + 8192]
                local = cand.article[sel] - seg.base
                a_lo, a_hi = tok_off[local], tok_off[local + 1]
                qpos = qtok[sel][:, None] + offsets[None, :]
                q_ok = (qpos >= q_lo[sel][:, None]) & (qpos < q_hi[sel][:, None])
                qv = q32[np.clip(qpos, 0, q32.size - 1)]
                hit = np.zeros(qpos.shape, dtype=bool)
                for e in range(-band, band + 1):
                    apos = cand.tok_at[sel][:, None] + offsets[None, :] + e
                    ok = q_ok & (apos >= a_lo[:, None]) & (apos < a_hi[:, None])
                    hit |= ok & (tok[np.clip(apos, 0, tok.size - 1)] == qv)
                score[sel] = hit.sum(axis=1)
        return score

    # ---- lookup ---------------------------------------------------------------------------------
    def lookup(self, grams: np.ndarray, *, max_postings: int = 256) -> Candidates:
        """Every indexed occurrence of the given n-gram hashes. An n-gram indexed in more than
        ``max_postings`` places is boilerplate (mastheads, stock phrases) and is skipped; the count
        of such look-ups is returned so a report can say how often that happened."""
        hi = (grams >> np.uint64(32)).astype(np.uint32)
        # probing in key order is ~10x faster than in text order (each probe lands near the last)
        order = np.argsort(hi)
        hi_sorted = hi[order]
        qs, arts, poss, segs, tok_at = [], [], [], [], []
        skipped = 0
        for sn, seg in enumerate(self.segments):
            n = seg.keys.size
            if n == 0 or hi.size == 0:
                continue
            left = np.searchsorted(seg.keys, hi_sorted)
            found_sorted = np.flatnonzero(seg.keys[np.minimum(left, n - 1)] == hi_sorted)
            if not found_sorted.size:
                continue
            left = left[found_sorted]
            found = order[found_sorted]
            right = np.searchsorted(seg.keys, hi_sorted[found_sorted], side="right")
            count = right - left
            common = count > max_postings
            if common.any():
                skipped += int(common.sum())
                keep = ~common
                found, left, count = found[keep], left[keep], count[keep]
            total = int(count.sum())
            if total == 0:
                continue
            q = np.repeat(found, count)
            offs = np.repeat(left - (np.cumsum(count) - count), count) + np.arange(total)
            ok = seg.lo[offs] == (grams[q] & _LO_MASK).astype(np.uint32)
            q, offs = q[ok], offs[ok]
            local = seg.art[offs].astype(np.int64)
            pos = seg.pos[offs].astype(np.int64)
            qs.append(q)
            arts.append(local + seg.base)
            poss.append(pos)
            segs.append(np.full(q.size, sn, dtype=np.int32))
            tok_at.append(np.asarray(seg.tok_off)[local] + pos)
        if not qs:
            e = np.zeros(0, dtype=np.int64)
            return Candidates(e, e, e, e.astype(np.int32), e, skipped)
        return Candidates(
            np.concatenate(qs),
            np.concatenate(arts),
            np.concatenate(poss),
            np.concatenate(segs),
            np.concatenate(tok_at),
            skipped,
        )


def check_params(k: int, w: int) -> None:
    if not 2 <= k <= 32:
        raise ConfigError(f"n-gram length k={k} must be between 2 and 32")
    if not 1 <= w <= 64:
        raise ConfigError(f"winnowing window w={w} must be between 1 and 64")


def remove_segment(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def write_meta(path: Path, meta: dict[str, Any]) -> None:
    write_json_atomic(path / META, meta)


#: a local folder for copies of indexes fetched from object storage (default: the temp folder)
INDEX_CACHE_ENV = "SEALROOM_INDEX_CACHE"


def open_index(path: str | os.PathLike[str] | Location) -> CorpusIndex:
    """A corpus index folder, or one in object storage (``s3://…``).

    A remote index is fetched once per machine into a local cache and opened there, because a scan
    memory-maps it; the copy is named after the index's fingerprint, so an index that gained a
    segment is fetched again and an unchanged one never is. The index holds publisher text only,
    never conversations, so the cache may live outside the hold."""
    where = location(path)
    if isinstance(where, Path):
        return CorpusIndex.open(where)
    try:
        meta = read_json(where / META)
    except FileNotFoundError:
        raise DatasetError(
            f"{where} is not a corpus index (no {META}); build one with `sealroom corpus build`", code="index_missing"
        ) from None
    cache = Path(os.environ.get(INDEX_CACHE_ENV) or Path(tempfile.gettempdir()) / "sealroom-index-cache")
    local = cache / str(meta["fingerprint"])
    if not (local / META).is_file():
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=cache))
        try:
            where.fs.get(where.path.rstrip("/") + "/", str(tmp), recursive=True)
            os.replace(tmp, local)
        except OSError:
            if not (local / META).is_file():  # not just another process placing the same index first
                raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    index = CorpusIndex.open(local)
    index.source = str(where)
    return index
