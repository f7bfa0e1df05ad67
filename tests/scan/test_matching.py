"""Property tests of the matcher against a small synthetic corpus (see conftest)."""

from __future__ import annotations

import itertools
import random

from hypothesis import HealthCheck, assume, given, settings
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


FILLER = ["0filler", "1filler", "2filler", "3filler"]


@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.floats(0, 1), st.integers(1, 19), st.integers(3, 6)), max_size=8),
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
