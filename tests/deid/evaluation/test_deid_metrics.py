"""Scores on hand-made examples, checked by hand."""

from __future__ import annotations

import math

from sealroom.deid.evaluation.metrics import Span, evaluate

TEXT = "Jane Smith lives at 1 Main St, Springfield. Jane called 555-0100."
GOLD = [
    {
        "id": "d1",
        "text": TEXT,
        "spans": [
            {"start": 0, "end": 10, "label": "PERSON"},
            {"start": 20, "end": 42, "label": "ADDRESS"},
            {"start": 44, "end": 48, "label": "PERSON"},
            {"start": 56, "end": 64, "label": "PHONE"},
        ],
    }
]


def test_exact_overlap_whole_and_spurious() -> None:
    pred = {
        "d1": [
            Span(0, 10, "PERSON"),  # exact
            Span(20, 29, "ADDRESS"),  # overlap, not whole
            Span(29, 42, "LOCATION"),  # wrong label but masks the rest of the address
            Span(56, 64, "PHONE"),  # exact
            Span(49, 55, "ORGANIZATION"),  # spurious ("called")
        ]
    }
    r = evaluate(GOLD, pred).as_dict()
    person, address, phone = r["labels"]["PERSON"], r["labels"]["ADDRESS"], r["labels"]["PHONE"]
    assert person["gold"] == 2 and person["recall_exact"] == 0.5 and person["recall_overlap"] == 0.5
    assert person["precision_exact"] == 1.0
    assert address["recall_overlap"] == 1.0 and address["recall_exact"] == 0.0 and address["recall_whole_span"] == 0.0
    assert address["recall_masked"] == 1.0  # covered by ADDRESS + LOCATION together
    assert phone["f1_exact"] == 1.0
    assert r["spurious_rate"] == 1 / 5
    assert r["masking_recall"] == 3 / 4
    # entities: "jane smith", the address, "jane" and the phone: "jane" is missed
    assert r["entity_recall"] == 3 / 4
    assert math.isnan(r["labels"]["LOCATION"]["recall_exact"])  # no gold LOCATION
    assert r["labels"]["LOCATION"]["precision_overlap"] == 0.0


def test_label_map_and_dropped_labels() -> None:
    pred = {"d1": [Span(0, 10, "PER"), Span(56, 64, "NRP")]}
    r = evaluate(GOLD, pred, label_map={"PER": "PERSON", "NRP": None}).as_dict()
    assert r["pred_spans"] == 1 and r["labels"]["PERSON"]["recall_exact"] == 0.5


def test_entity_needs_every_mention() -> None:
    gold = [{"id": "d", "text": "Ann met Ann", "spans": [{"start": 0, "end": 3, "label": "PERSON"},
                                                       {"start": 8, "end": 11, "label": "PERSON"}]}]  # fmt: skip
    assert evaluate(gold, {"d": [Span(0, 3, "PERSON")]}).as_dict()["entity_recall"] == 0.0
    assert evaluate(gold, {"d": [Span(0, 3, "PERSON"), Span(8, 11, "X")]}).as_dict()["entity_recall"] == 1.0
