"""No detector crashes on arbitrary Unicode; offsets are valid; resolution leaves no overlaps;
hostile shapes (long digit runs, repeated separators, nested cues) finish at bounded sizes."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sealroom.deid.analyzer import DEFAULT_DETECTORS, Analyzer, AnalyzerConfig
from sealroom.deid.base import DETECTORS, LABELS, DetectionContext

# Text that looks like what detectors look for, mixed with arbitrary code points.
_PIECES = st.sampled_from(
    [" ", "\n", ",", ".", "@", ":", "-", "+", "(", ")", "/", "#", "0", "1", "7", "9", "12", "555", "Jane", "SMITH",
     "Street", "rue", "Flat 4", "SW1A 1AA", "IL 62704", "my name is", "Hi ", "password is", "http://", "www.",
     "DE89", "4111", "::", "0x", "bc1", "-----BEGIN", "İ", "ß", "ﬁ", "\u0301", "\u200b", "\ud7ff", "é", "中", "🙂"]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=80).map("".join))


@pytest.fixture(scope="module")
def regex_analyzer() -> Analyzer:
    return Analyzer(AnalyzerConfig(ner=None)).load()


@pytest.mark.parametrize("name", DEFAULT_DETECTORS)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXTS)
def test_detectors_never_crash_and_offsets_are_valid(name: str, text: str) -> None:
    for f in DETECTORS.get(name)().detect(text, DetectionContext(role="user")):
        assert 0 <= f.start < f.end <= len(text)
        assert f.label in LABELS and 0.0 <= f.score <= 1.0 and f.detector and f.explanation


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(turns=st.lists(TEXTS, min_size=1, max_size=3))
def test_resolved_findings_are_sorted_and_disjoint(regex_analyzer: Analyzer, turns: list[str]) -> None:
    ctx = [DetectionContext(role=r) for r in ("user", "assistant", "user")[: len(turns)]]
    for text, found in zip(turns, regex_analyzer.analyze_conversation(turns, ctx), strict=True):
        for a, b in itertools.pairwise(found):
            assert a.end <= b.start
        for f in found:
            assert 0 <= f.start < f.end <= len(text)
            assert text[f.start] not in " \t\n" and text[f.end - 1] not in " \t\n"


@settings(max_examples=25, deadline=None)
@given(text=TEXTS)
def test_ner_never_crashes(text: str) -> None:
    analyzer = _ner_analyzer()
    for f in analyzer.analyze(text):
        assert 0 <= f.start < f.end <= len(text)


_NER: list[Analyzer] = []


def _ner_analyzer() -> Analyzer:
    if not _NER:
        _NER.append(Analyzer(AnalyzerConfig(detectors=[], ner_policy="all")).load())
    return _NER[0]


@pytest.mark.parametrize(
    "text",
    [
        "1" * 20000,
        "1 " * 10000,
        "1-" * 10000,
        "(" * 5000 + "1" * 5000,
        "a@" * 5000,
        "a." * 10000 + "@",
        "x" * 20000 + "@example.com",
        "Hi " * 5000,
        "my name is " * 2000,
        "A " * 10000,
        "Street " * 3000,
        "1 Main Street, " * 1000,
        ":" * 10000,
        "0:" * 5000,
        "-----BEGIN PRIVATE KEY-----" * 500,
        "eyJ" + "a" * 10000 + ".",
        "password is " * 2000,
        "http://" + "a" * 20000,
        "DE89 " * 4000,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_pathological_inputs_finish(regex_analyzer: Analyzer, text: str) -> None:
    """Bounded quantifiers: these return (in well under a second each; the suite's timeout guards)."""
    regex_analyzer.analyze(text)
