"""The targeted-search backend over ``sealroom.scan.search``: the producing party's de-identified
dataset (a local folder or an object-storage URL) is indexed once (per process, or in the local
``index_dir``), each job's texts are aligned against it.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

from sealroom.dataset.location import Location, location
from sealroom.review.targeted import ArticleText, TargetedHit


class ScanBackend:
    def __init__(
        self, dataset: str | os.PathLike[str] | Location, *, index_dir: Path | None = None, min_words: int = 20
    ) -> None:
        self.dataset = location(dataset)
        self.min_words = min_words
        self._own_index = index_dir is None
        self.index_dir = Path(index_dir) if index_dir else Path(tempfile.mkdtemp(prefix="sealroom-ts-")) / "index"
        self._lock = threading.Lock()

    def search(self, articles: list[ArticleText]) -> list[TargetedHit]:
        from sealroom.scan import search

        with self._lock, tempfile.TemporaryDirectory(prefix="sealroom-ts-job-") as tmp:
            queries, out = Path(tmp) / "queries.jsonl", Path(tmp) / "matches.jsonl"
            with open(queries, "w", encoding="utf-8") as fh:
                for a in articles:
                    fh.write(json.dumps({"id": a.id, "text": a.text}) + "\n")
            search(self.dataset, queries, out, index=self.index_dir, min_words=self.min_words, show_progress=False)
            hits = []
            with open(out, encoding="utf-8") as fh:
                for line in fh:
                    row = json.loads(line)
                    hits.append(
                        TargetedHit(
                            conversation_id=row["conversation_id"],
                            message_index=int(row["message_index"]),
                            start=int(row["start"]),
                            end=int(row["end"]),
                            article_id=str(row["query_id"]),
                            article_start=int(row["query_start"]),
                            article_end=int(row["query_end"]),
                            words=int(row["words"]),
                            kind=str(row["kind"]),
                            similarity=float(row["similarity"]),
                        )
                    )
            return hits
