"""The analyzer: resolution, thresholds, NER policy, propagation, pickling, the model check."""

from __future__ import annotations

import pickle

import pytest

from sealroom.deid.analyzer import DEFAULT_DETECTORS, Analyzer, AnalyzerConfig
from sealroom.deid.base import DETECTORS, DetectionContext, Finding
from sealroom.deid.detectors.ner import SpacyNerDetector, keep_entity
from sealroom.deid.resolve import propagate, resolve
from sealroom.errors import ConfigError


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer().load()


def labelled(text: str, found: list[Finding]) -> list[tuple[str, str]]:
    return [(text[f.start : f.end], f.label) for f in found]


BUILT_IN = {
    "address.v1", "context.v1", "credit_card.v1", "crypto_wallet.v1", "date.v1", "email.v1", "iban.v1",
    "ip_address.v1", "mac_address.v1", "national_id.v1", "ner.spacy.v1", "phone.v1", "secrets.v1",
    "structured_names.v1", "url.v1", "us_ssn.v1",
}  # fmt: skip


def test_registered_detector_names() -> None:
    """Golden list: a built-in detector disappearing or being renamed must be a visible change."""
    assert set(DETECTORS.names()) >= BUILT_IN
    assert set(DEFAULT_DETECTORS) | {"ner.spacy.v1"} == BUILT_IN


def test_unknown_detector_fails_at_construction() -> None:
    with pytest.raises(ConfigError):
        Analyzer(AnalyzerConfig(detectors=["nope.v9"]))


def test_resolve_prefers_confident_longer_and_validated() -> None:
    found = [
        Finding(0, 10, "PERSON", 0.7, "a"),
        Finding(0, 4, "PERSON", 0.9, "b"),  # same label: union
        Finding(5, 20, "LOCATION", 0.95, "c"),  # more confident, overlapping
        Finding(30, 46, "PHONE", 0.95, "d"),
        Finding(30, 46, "CREDIT_CARD", 0.97, "e"),  # same bucket: the checksum-validated label wins
        Finding(50, 52, "AGE", 0.3, "f"),  # under threshold
    ]
    out = resolve(found, 0.5)
    assert [(f.start, f.end, f.label) for f in out] == [(5, 20, "LOCATION"), (30, 46, "CREDIT_CARD")]


def test_resolve_trims_whitespace_edges() -> None:
    (f,) = resolve([Finding(0, 7, "PERSON", 0.9, "x")], 0.5, " Jane  ")
    assert (f.start, f.end) == (1, 5)


def test_per_label_threshold() -> None:
    cfg = AnalyzerConfig(detectors=["date.v1"], ner=None, thresholds={"DATE": 0.99})
    assert Analyzer(cfg).analyze("born on 14/03/1985") == []


def test_end_to_end(analyzer: Analyzer) -> None:
    text = (
        "Hi, my name is Jane Smith. I live at 742 Evergreen Terrace, Springfield, IL 62704. Call me at "
        "(415) 555-0132 or jane.smith@example.com. SSN 123-45-6788, card 4111 1111 1111 1111, "
        "IBAN DE89 3704 0044 0532 0130 00, server 192.168.1.20. JOHN SMITH wrote this."
    )
    got = labelled(text, analyzer.analyze(text))
    assert got == [
        ("Jane Smith", "PERSON"),
        ("742 Evergreen Terrace, Springfield, IL 62704", "ADDRESS"),
        ("(415) 555-0132", "PHONE"),
        ("jane.smith@example.com", "EMAIL"),
        ("123-45-6788", "US_SSN"),
        ("4111 1111 1111 1111", "CREDIT_CARD"),
        ("DE89 3704 0044 0532 0130 00", "IBAN"),
        ("192.168.1.20", "IP_ADDRESS"),
        ("JOHN SMITH", "PERSON"),
    ]


def test_analyze_many_equals_analyze(analyzer: Analyzer) -> None:
    texts = ["Maria García called from Madrid.", "", "nothing here", "Email bob@example.org"]
    ctx = [DetectionContext(role="user")] * len(texts)
    assert analyzer.analyze_many(texts, ctx) == [analyzer.analyze(t, c) for t, c in zip(texts, ctx, strict=True)]
    with pytest.raises(ValueError):
        analyzer.analyze_many(texts, ctx[:1])


def test_ner_policy_by_role() -> None:
    text = "Yesterday I met Maria García in Madrid."
    user, assistant = DetectionContext(role="user"), DetectionContext(role="assistant")
    roles = Analyzer(AnalyzerConfig(ner_policy="roles", detectors=[]))
    assert labelled(text, roles.analyze(text, user)) == [("Maria García", "PERSON"), ("Madrid", "LOCATION")]
    assert roles.analyze(text, assistant) == []
    gated = Analyzer(AnalyzerConfig(ner_policy="gated", detectors=[]))
    # the gate fires (a title-case pair); only PERSON is kept from NER on assistant lines
    assert labelled(text, gated.analyze(text, assistant)) == [("Maria García", "PERSON")]
    assert Analyzer(AnalyzerConfig(ner_policy="off", detectors=[])).analyze(text, user) == []


def test_conversation_propagation(analyzer: Analyzer) -> None:
    turns = ["my name is Priya Raman, call me at +44 20 7946 0958", "Sure Priya! I'll ring +44 20 7946 0958."]
    ctx = [DetectionContext(role="user"), DetectionContext(role="assistant")]
    second = analyzer.analyze_conversation(turns, ctx)[1]
    assert labelled(turns[1], second) == [("Priya", "PERSON"), ("+44 20 7946 0958", "PHONE")]


def test_propagation_parts_are_case_sensitive() -> None:
    texts = ["Will Smith is here", "will you come? Will said yes; Smith's car"]
    first = [[Finding(0, 10, "PERSON", 0.9, "x")], []]
    extra = propagate(texts, first, {"PERSON"})[1]
    assert labelled(texts[1], extra) == [("Smith", "PERSON")]  # "Will" is an ambiguous part; "will" never


def test_pickle_is_cheap_and_works(analyzer: Analyzer) -> None:
    blob = pickle.dumps(analyzer)
    assert len(blob) < 4096  # configuration only: the spaCy model never travels
    clone = pickle.loads(blob)
    text = "Contact Jane Doe at jane@doe.org"
    assert clone.analyze(text) == analyzer.analyze(text)


def test_model_identity_is_checked() -> None:
    with pytest.raises(ConfigError) as err:
        SpacyNerDetector(expected=("some_other_model", "9.9.9")).load()
    assert err.value.code == "ner_model_mismatch"
    with pytest.raises(ConfigError) as err:
        SpacyNerDetector(model="not_an_installed_model").load()
    assert err.value.code == "ner_model_missing"


@pytest.mark.parametrize(
    "label,span,keep",
    [
        ("PERSON", "Jane Smith", True),
        ("PERSON", "2024", False),
        ("ORGANIZATION", "SSN", False),
        ("PERSON", "DOB", False),
        ("PERSON", "hi", False),
        ("ORGANIZATION", "Acme Corporation", True),
        ("LOCATION", "x123", False),
        ("ORGANIZATION", "JsonResponse", False),
        ("PERSON", "Django Oscar", False),
        ("PERSON", "HOST", False),
        ("PERSON", "Development Environment*", False),
    ],
)
def test_ner_false_positive_filter(label: str, span: str, keep: bool) -> None:
    assert keep_entity(label, span) is keep


def test_ner_rejects_presidio_style_false_positives(analyzer: Analyzer) -> None:
    text = "My SSN is 078-05-1121 and my DOB is 12/12/1990. Order 4417 arrived on 3 12 2023."
    assert {f.label for f in analyzer.analyze(text)} <= {"US_SSN", "DATE", "ID_NUMBER"}
