"""The labelled set (tests/data/classify_labels.csv) and the default classifier's quality on it.

Figures are recorded in docs/classify-quality.md; the floors below sit a little under them so a
regression fails the build while normal variation across taxonomies edits does not go unnoticed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sealroom.classify import load_taxonomy
from sealroom.classify.evaluate import evaluate, labelled_conversations, load_labels
from sealroom.classify.keywords import KeywordClassifier

LABELS = Path(__file__).resolve().parents[1] / "data" / "classify_labels.csv"


def test_labelled_set_is_well_formed() -> None:
    t = load_taxonomy()
    labels = load_labels(LABELS)
    assert len(labels) >= 300
    assert len({(lab.source_file, lab.conversation_id) for lab in labels}) == len(labels)
    for lab in labels:
        assert lab.topic in t.topic_names and lab.intent in t.intent_names
        assert lab.work_related in ("0", "1") and lab.split in ("dev", "test")
        assert len(lab.language) == 2
    with open(LABELS, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    # labels only: no text column may ever be added to this file
    assert header == ["source_file", "conversation_id", "topic", "intent", "work_related", "language", "split"]


@pytest.mark.shared_data
def test_default_classifier_quality_on_the_labelled_set(shared_data: Path) -> None:
    pairs = labelled_conversations(shared_data / "chat", load_labels(LABELS))
    clf = KeywordClassifier(load_taxonomy())
    everything = evaluate(clf, pairs)
    assert everything["topic"]["n"] >= 300
    assert everything["topic"]["accuracy"] >= 0.80
    assert everything["intent"]["accuracy"] >= 0.85
    assert everything["work_related"]["accuracy"] >= 0.85
    assert everything["language"]["accuracy"] >= 0.95
    held_out = evaluate(clf, [p for p in pairs if p[0].split == "test"])
    assert held_out["topic"]["macro_f1"] >= 0.65
