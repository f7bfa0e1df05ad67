"""Search as a service: a requesting party's texts in, only matching conversation ids and spans out.

The conversations of a dataset are indexed once (each message is one indexed "article", id
``{conversation_id}#{message_index}``); query texts are then fingerprinted and aligned against it
exactly like a scan, the roles swapped. The result file holds ids and offsets only, never text, so
it can be released to the requesting party as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from sealroom.dataset import Dataset
from sealroom.dataset.files import atomic_open, read_json
from sealroom.dataset.location import Location
from sealroom.errors import ConfigError
from sealroom.scan.align import AlignParams
from sealroom.scan.build import build_index
from sealroom.scan.index import META, CorpusIndex
from sealroom.scan.matcher import find_matches
from sealroom.scan.sources import Article, read_articles

_QUERY_BATCH = 256


@dataclass(frozen=True)
class SearchResult:
    out: Path
    index: Path
    queries: int
    matches: int
    conversations: int


def _messages(dataset: Dataset) -> Iterator[Article]:
    for _, table in dataset.iter_shards(["conversation_id", "messages"]):
        for cid, msgs in zip(
            table.column("conversation_id").to_pylist(), table.column("messages").to_pylist(), strict=True
        ):
            for m in msgs:
                yield Article(f"{cid}#{m['index']}", m["content"])


def conversation_index(
    dataset: str | os.PathLike[str] | Location, index: Path, *, show_progress: bool = True
) -> CorpusIndex:
    """The index of ``dataset``'s messages at ``index`` (a local folder: it is memory-mapped), built
    on first use and reused after."""
    ds = Dataset.open(dataset)
    if (Path(index) / META).is_file():
        meta = read_json(Path(index) / META)
        if meta.get("dataset_fingerprint") != ds.fingerprint:
            raise ConfigError(
                f"{index} indexes a different dataset than {dataset}; choose another --index", code="index_mismatch"
            )
        return CorpusIndex.open(index)
    return build_index(
        _messages(ds),
        Path(index),
        show_progress=show_progress,
        extra={"dataset_fingerprint": ds.fingerprint, "dataset": str(ds.path)},
    )


def search(
    dataset: str | os.PathLike[str] | Location,
    queries: Path,
    out: Path,
    *,
    index: Path,
    min_words: int = 20,
    show_progress: bool = True,
) -> SearchResult:
    """Find the query texts (JSONL records with ``id`` and ``text``) in ``dataset``'s conversations
    (a local folder or an object-storage URL). Writes ``out`` as JSONL, one line per matching span:
    ``query_id, conversation_id, message_index, start, end`` (character offsets in the message),
    ``query_start, query_end``, ``words, kind, similarity``. Lines are ordered by query, then
    conversation and offset."""
    if min_words < 5:
        raise ConfigError(f"--min-words {min_words}: must be at least 5")
    idx = conversation_index(dataset, index, show_progress=show_progress)
    params = AlignParams(min_words=min_words)
    n_queries = n_matches = 0
    conversations: set[str] = set()
    batch: list[Article] = []
    with atomic_open(out, "wb") as fh:

        def flush() -> None:
            nonlocal n_matches
            matches = find_matches(idx, [q.text for q in batch], params)
            rows = []
            for m in matches:
                cid, _, mi = idx.article_id(m.article).rpartition("#")
                conversations.add(cid)
                rows.append(
                    (
                        m.text,
                        cid,
                        int(mi),
                        m.article_start,
                        {
                            "query_id": batch[m.text].id,
                            "conversation_id": cid,
                            "message_index": int(mi),
                            "start": m.article_start,
                            "end": m.article_end,
                            "query_start": m.start,
                            "query_end": m.end,
                            "words": m.span.a1 - m.span.a0,
                            "kind": m.span.kind,
                            "similarity": round(m.span.similarity, 4),
                        },
                    )
                )
            for *_, row in sorted(rows, key=lambda r: r[:4]):
                fh.write(orjson.dumps(row) + b"\n")
            n_matches += len(rows)
            batch.clear()

        for q in read_articles(Path(queries)):
            batch.append(q)
            n_queries += 1
            if len(batch) >= _QUERY_BATCH:
                flush()
        if batch:
            flush()
    return SearchResult(Path(out), Path(index), n_queries, n_matches, len(conversations))
