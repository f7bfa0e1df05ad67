"""``ClassifyStep``: one classified row per conversation, shard by shard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.classify.base import CLASSIFIERS, Classifier
from sealroom.classify.hits import NewsSignals, load_news_signals
from sealroom.classify.schema import CLASSIFIED_SCHEMA
from sealroom.classify.taxonomy import Taxonomy, load_taxonomy
from sealroom.dataset import Dataset, TaskWriter
from sealroom.dataset.location import Location, location
from sealroom.schema import table_to_conversations
from sealroom.step import ShardMapStep, Stats, Task


class ClassifyStep(ShardMapStep):
    stage = "classify"
    outputs = {"main": CLASSIFIED_SCHEMA}

    def __init__(
        self,
        input_path: str | os.PathLike[str] | Location,
        *,
        classifier: str,
        taxonomy_path: Path | None = None,
        hits_path: str | os.PathLike[str] | Location | None = None,
    ) -> None:
        super().__init__(input_path)
        self.classifier_name = classifier
        self.taxonomy_path = taxonomy_path
        self.hits_path: Location | None = location(hits_path) if hits_path is not None else None
        # resolved in the parent so a bad name or taxonomy fails before any worker starts
        self.taxonomy: Taxonomy = load_taxonomy(taxonomy_path)
        CLASSIFIERS.get(classifier)
        self._classifier: Classifier | None = None
        self._signals: dict[str, NewsSignals] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_classifier"] = None  # models and hit tables are rebuilt per worker in setup()
        state["_signals"] = None
        return state

    def config(self) -> dict[str, Any]:
        return {
            "classifier": self.classifier_name,
            "taxonomy": self.taxonomy.identity(),
            "hits": self.hits_path is not None,
        }

    def inputs(self) -> list[dict[str, Any]]:
        found = [self.input_dataset().as_input()]
        if self.hits_path is not None:
            found.append(Dataset.open(self.hits_path).as_input())
        return found

    def setup(self) -> None:
        # importing the built-ins registers them in this (worker) process too
        import sealroom.classify.keywords  # noqa: F401

        self._classifier = CLASSIFIERS.get(self.classifier_name)(self.taxonomy)
        self._signals = load_news_signals(self.hits_path) if self.hits_path is not None else {}

    def process(self, task: Task, out: TaskWriter) -> Stats:
        if self._classifier is None or self._signals is None:
            self.setup()
        assert self._classifier is not None and self._signals is not None
        stats = Stats()
        rows: dict[str, list[Any]] = {name: [] for name in CLASSIFIED_SCHEMA.names}
        empty = NewsSignals()
        for conv in table_to_conversations(self.read_task(task)):
            c = self._classifier.classify(conv)
            s = self._signals.get(conv.conversation_id, empty)
            values = {
                "conversation_id": conv.conversation_id,
                "user_key": conv.user_key,
                "created_at": conv.created_at,
                "model": conv.model,
                "classifier": self._classifier.name,
                "topic": c.topic,
                "topic_confidence": c.topic_confidence,
                "intent": c.intent,
                "intent_confidence": c.intent_confidence,
                "work_related": c.work_related,
                "work_confidence": c.work_confidence,
                "language": c.language,
                "language_confidence": c.language_confidence,
                "hit_spans": s.hit_spans,
                "reproduced_words": s.reproduced_words,
                "origins": sorted(s.origins),
                "article_ids": sorted(s.article_ids),
                "signals": sorted(s.signals),
            }
            for name, value in values.items():
                rows[name].append(value)
            stats.add("conversations")
            stats.add(f"topic.{c.topic}")
            if s.hit_spans:
                stats.add("conversations_with_hits")
        out.write("main", pa.table(rows, schema=CLASSIFIED_SCHEMA))
        return stats
