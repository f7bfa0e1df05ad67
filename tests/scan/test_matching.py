"""Property tests of the matcher against a small synthetic corpus (see conftest)."""

from __future__ import annotations

import itertools
import random
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st

from sealroom.scan import AlignParams, CorpusIndex, build_corpus, find_matches
from sealroom.scan.normalize import tokenize

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# surrounding text may be anything, but is separated from the span so it cannot glue onto its words
# (a full stop, so that a hyphen at the end of the text cannot join its last word to the span's first)
surround = st.text(max_size=120).map(lambda s: s + " .\n")


def pick_span(articles: dict[str, str], n_article: int, at: float, words: int) -> tuple[str, int, int, str]:
    aid = sorted(articles)[n_article % len(articles)]
    text = articles[aid]
    tok = tokenize(text)
    words = min(words, len(tok))
    first = int(at * (len(tok) - words))
    return aid, int(tok.starts[first]), int(tok.ends[first + words - 1]), text


def token_hashes(text: str) -> list[int]:
    return tokenize(text).hashes.tolist()


@given(st.integers(0, 10**6), st.floats(0, 1), st.integers(20, 200), surround, surround)
@SETTINGS
def test_copied_span_found_with_exact_offsets(corpus_index, articles, n, at, words, before, after) -> None:
    aid, a0, a1, article = pick_span(articles, n, at, words)
    text = before + article[a0:a1] + " " + after
    s0, s1 = len(before), len(before) + (a1 - a0)
    found = [
        m
        for m in find_matches(corpus_index, [text], AlignParams(min_words=20))
        if corpus_index.article_id(m.article) == aid and m.start <= s0 and m.end >= s1
    ]
    assert found, "planted span not found"
    m = found[0]
    assert m.span.kind == "verbatim" and m.span.similarity == 1.0
    assert token_hashes(text[m.start : m.end]) == token_hashes(article[m.article_start : m.article_end])
    # the span is maximal and no larger: it grows past the planted span only where the
    # surrounding words really continue the article
    assert m.article_start <= a0 and m.article_end >= a1
    extra_before = token_hashes(text[m.start : s0])
    assert extra_before == token_hashes(article[m.article_start : a0])
    extra_after = token_hashes(text[s1 : m.end])
    assert extra_after == token_hashes(article[a1 : m.article_end])


def test_exact_offsets_with_unrelated_surroundings(corpus_index, articles) -> None:
    aid, a0, a1, article = pick_span(articles, 3, 0.4, 60)
    before, after = "Regarding that, 12345 😀 ", " — 67890 thanks"
    text = before + article[a0:a1] + after
    (m,) = find_matches(corpus_index, [text], AlignParams(min_words=20))
    assert (m.start, m.end) == (len(before), len(before) + a1 - a0)
    assert (m.article_start, m.article_end) == (a0, a1)
    assert corpus_index.article_id(m.article) == aid


def edit(words: list[str], rng: random.Random, share: float) -> list[str]:
    out = list(words)
    for _ in range(int(len(words) * share)):
        i = rng.randrange(len(out))
        op = rng.randrange(3)
        if op == 0:
            out[i] = "zzedit"
        elif op == 1:
            out.insert(i, "zzinsert")
        elif len(out) > 1:
            del out[i]
    return out


@given(st.integers(0, 10**6), st.floats(0, 1), st.integers(60, 250), st.integers(0, 2**32), st.floats(0.01, 0.10))
@SETTINGS
def test_edited_span_found_as_near(corpus_index, articles, n, at, words, seed, share) -> None:
    aid, a0, a1, article = pick_span(articles, n, at, words)
    rng = random.Random(seed)
    pieces = edit(article[a0:a1].split(" "), rng, share)
    assume(pieces != article[a0:a1].split(" "))
    text = "Here it is:\n" + " ".join(pieces) + "\nEnd."
    found = [
        m
        for m in find_matches(corpus_index, [text], AlignParams(min_words=20))
        if corpus_index.article_id(m.article) == aid
    ]
    covered = sum(max(0, min(a1, m.article_end) - max(a0, m.article_start)) for m in found)
    assert covered >= 0.9 * (a1 - a0)
    assert (
        any(m.span.kind == "near" for m in found)
        or len(found) > 1
        or all(
            token_hashes(text[m.start : m.end]) == token_hashes(article[m.article_start : m.article_end]) for m in found
        )
    )


class Plant(NamedTuple):
    text: str  # the edited copy
    article: str
    planted: tuple[int, int]  # character range of the article span it was made from
    kept: tuple[int, int]  # character range from its first to its last surviving article word
    reproduced: int  # article words in that range
    run: int  # longest run of article words left intact and consecutive
    shift: int  # how far apart (in words) the diagonals of its surviving words are


def plant_edited(articles: dict[str, str], n: int, at: float, words: int, rng: random.Random, share: float) -> Plant:
    """A copy of ``words`` words of an article (its words as the tokenizer cuts them, joined by spaces)
    with ``max(1, share·words)`` of them substituted, inserted or deleted, anywhere."""
    aid, a0, a1, article = pick_span(articles, n, at, words)
    tok = tokenize(article)
    i0 = int(np.searchsorted(tok.starts, a0))
    out: list[tuple[str, int]] = [
        (article[int(tok.starts[i]) : int(tok.ends[i])], i - i0) for i in range(i0, i0 + words)
    ]
    for _ in range(max(1, int(words * share))):
        i = rng.randrange(len(out))
        op = rng.randrange(3)
        if op == 0:
            out[i] = ("zzedit", -1)
        elif op == 1:
            out.insert(i, ("zzinsert", -1))
        elif len(out) > 1:
            del out[i]
    kept = [i for _, i in out]
    run = best = 0
    for j, i in enumerate(kept):
        run = run + 1 if i >= 0 and j and kept[j - 1] == i - 1 else int(i >= 0)
        best = max(best, run)
    alive = [i for i in kept if i >= 0] or [0]
    diagonals = [j - i for j, i in enumerate(kept) if i >= 0] or [0]
    first, last = min(alive), max(alive)
    return Plant(
        " ".join(w for w, _ in out),
        aid,
        (a0, a1),
        (int(tok.starts[i0 + first]), int(tok.ends[i0 + last])),
        last - first + 1,
        best,
        max(diagonals) - min(diagonals),
    )


def covered(found: list, r0: int, r1: int) -> float:  # type: ignore[type-arg]
    return sum(max(0, min(r1, m.article_end) - max(r0, m.article_start)) for m in found) / (r1 - r0)


@seed(20260)
@given(
    st.integers(0, 10**6),
    st.floats(0, 1),
    # half of them at the threshold, where an edit next to an end decides
    st.one_of(st.integers(20, 22), st.integers(20, 49)),
    st.integers(0, 2**32),
    st.floats(0.01, 0.10),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_short_edited_span_found(corpus_index, articles, n, at, words, rng_seed, share) -> None:
    """20-49 words with 1-10% of them edited (at least one edit, anywhere, edges included). What the
    scan must find: a copy that still reproduces ``min_words`` article words from its first to its last
    surviving word, keeps a run of ``k + w - 1`` = 12 words (the index's guarantee of a candidate) and
    keeps its words within one word of their diagonal (the candidate check's band: two insertions or
    deletions in a row are the recall test's business). The hits cover it but for at most the words
    next to two adjacent edits at an end."""
    plant = plant_edited(articles, n, at, words, random.Random(rng_seed), share)
    assume(plant.reproduced >= 20 and plant.run >= 12 and plant.shift <= 1)
    text = "Here it is:\n" + plant.text + "\nEnd."
    found = [
        m
        for m in find_matches(corpus_index, [text], AlignParams(min_words=20))
        if corpus_index.article_id(m.article) == plant.article
    ]
    assert found, "edited span not found"
    assert covered(found, *plant.kept) >= 0.85
    assert all(m.span.similarity >= 0.7 for m in found)


def test_short_edited_spans_recall(corpus_index, articles) -> None:
    """The issue's target over a seeded sample: >= 95% of 20-49-word spans with 1-10% edits (at least
    one, anywhere) are covered to >= 90% by hits of their article, counted on the planted span
    (an edit of its first or last word included), and nothing is attributed to another article."""
    rng = random.Random(7)
    texts, truth = [], []
    for _ in range(300):
        words = rng.randint(20, 49)
        plant = plant_edited(articles, rng.randrange(10**6), rng.random(), words, rng, rng.uniform(0.01, 0.10))
        texts.append("Some words of my own first. " + plant.text + " And then mine again.")
        truth.append((plant.article, *plant.planted))
    by_text: dict[int, list] = {}  # type: ignore[type-arg]
    for m in find_matches(corpus_index, texts, AlignParams(min_words=20)):
        assert corpus_index.article_id(m.article) == truth[m.text][0]
        by_text.setdefault(m.text, []).append(m)
    ok = sum(covered(by_text.get(i, []), a0, a1) >= 0.9 for i, (_, a0, a1) in enumerate(truth))
    assert ok >= 0.95 * len(truth), f"recall {ok}/{len(truth)}"


@pytest.mark.parametrize(
    ("change", "found"),
    [
        ("substitute the second word", True),
        ("delete the second word", True),
        ("insert after the first word", True),
        ("substitute the second-to-last word", True),
        ("substitute the first word", False),  # 19 words reproduced: below min_words, like any 19-word fragment
        ("delete the last word", False),
    ],
)
def test_twenty_words_with_one_edit_near_an_end(corpus_index, articles, change, found) -> None:
    aid, a0, a1, article = pick_span(articles, 5, 0.5, 20)
    tok = tokenize(article)
    i0 = int(np.searchsorted(tok.starts, a0))
    ws = [article[int(tok.starts[i]) : int(tok.ends[i])] for i in range(i0, i0 + 20)]
    edits = {
        "substitute the second word": lambda: [*ws[:1], "zzedit", *ws[2:]],
        "delete the second word": lambda: ws[:1] + ws[2:],
        "insert after the first word": lambda: [*ws[:1], "zzinsert", *ws[1:]],
        "substitute the second-to-last word": lambda: [*ws[:18], "zzedit", *ws[19:]],
        "substitute the first word": lambda: ["zzedit", *ws[1:]],
        "delete the last word": lambda: ws[:19],
    }
    text = "Before, 0filler. " + " ".join(edits[change]()) + " 1filler after."
    hits = find_matches(corpus_index, [text], AlignParams(min_words=20))
    if not found:
        assert hits == []
        return
    (m,) = hits
    assert corpus_index.article_id(m.article) == aid and m.span.kind == "near"
    assert (m.article_start, m.article_end) == (a0, a1)  # the whole passage, both end words included


FILLER = ["0filler", "1filler", "2filler", "3filler"]


@given(
    # gaps of one filler word too: a fragment and the next one must not join as one edited passage
    st.lists(st.tuples(st.integers(0, 10**6), st.floats(0, 1), st.integers(1, 19), st.integers(1, 6)), max_size=8),
    st.text(alphabet="0123456789 ", max_size=40),
)
@SETTINGS
def test_no_shared_window_means_no_hit(corpus_index, articles, fragments, noise) -> None:
    parts = [noise]
    spans = []
    for n, at, words, gap in fragments:
        aid, a0, a1, article = pick_span(articles, n, at, words)
        spans.append((aid, a0, a1))
        parts.append(article[a0:a1])
        parts.append(" ".join(FILLER[:gap]))
    # fragments near each other in the same article would be one edited passage: not this test
    for (x, x0, x1), (y, y0, y1) in itertools.combinations(spans, 2):
        assume(x != y or y0 > x1 + 120 or x0 > y1 + 120)
    text = " ".join(parts)
    assert find_matches(corpus_index, [text], AlignParams(min_words=20)) == []


def test_non_ascii_offsets(tmp_path) -> None:
    article = ("Über die Straße gingen Ärzte 😀 und 中文 Schüler; " * 3) + " ".join(f"wörd{i}é" for i in range(80))
    src = tmp_path / "a.jsonl"
    src.write_text('{"id": "u1", "text": ' + __import__("json").dumps(article) + "}\n", encoding="utf-8")
    idx = build_corpus([src], tmp_path / "idx", show_progress=False)
    tok = tokenize(article)
    a0, a1 = int(tok.starts[10]), int(tok.ends[70])
    before = "𝕏 ünïcode 👍🏽 prefix — "
    text = before + article[a0:a1] + " ✓"
    (m,) = find_matches(idx, [text], AlignParams(min_words=20))
    assert text[m.start : m.end] == article[a0:a1]
    assert article[m.article_start : m.article_end] == article[a0:a1]
    assert isinstance(idx, CorpusIndex)
