from __future__ import annotations

import string

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.scan.normalize import tokenize, tokenize_many


def words(text: str) -> list[str]:
    t = tokenize(text)
    return [text[a:b] for a, b in zip(t.starts.tolist(), t.ends.tolist(), strict=True)]


def same(a: str, b: str) -> bool:
    return tokenize(a).hashes.tolist() == tokenize(b).hashes.tolist()


def test_folding_examples() -> None:
    assert same("Hello, World!", "hello world")
    assert same("“Quoted” — text…", '"quoted" - text...')
    assert same("Straße", "STRASSE")
    assert same("ﬁne ﬂow", "fine flow")
    assert same("résumé naïve", "resume naive")
    assert same("e\u0301tude", "étude")  # decomposed and precomposed accents
    assert same("ＦＵＬＬ width", "full width")
    assert same("news-\npaper", "newspaper")
    assert same("news¬\n  paper", "newspaper")
    assert same("soft\u00adhyphen", "softhyphen")
    assert not same("well-known", "wellknown")  # a hyphen inside a line is a word break
    assert not same("cat", "cot")
    assert same("don’t", "don't")


def test_tokens_and_offsets() -> None:
    assert words("Hello, WORLD! it's 3.5") == ["Hello", "WORLD", "it", "s", "3", "5"]
    assert words("中文字 abc") == ["中", "文", "字", "abc"]
    text = "😀 naïve 𝐀bc — news-\npaper"
    assert words(text) == ["naïve", "𝐀bc", "news-\npaper"]
    assert same("𝐀bc", "abc")


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_offsets_are_ordered_slices(text: str) -> None:
    t = tokenize(text)
    assert t.hashes.size == t.starts.size == t.ends.size
    assert np.all(t.starts < t.ends)
    assert np.all(t.ends[:-1] <= t.starts[1:])
    assert t.ends.size == 0 or t.ends[-1] <= len(text)
    for a, b in zip(t.starts.tolist(), t.ends.tolist(), strict=True):
        # every token re-tokenizes to itself: offsets are character offsets of whole words
        assert tokenize(text[a:b]).hashes.size >= 1


@given(st.text(alphabet=string.ascii_letters + string.digits + " .,;:!?'\"\n-", max_size=300))
@settings(max_examples=100, deadline=None)
def test_case_and_punctuation_do_not_matter(text: str) -> None:
    assert same(text, text.upper())
    assert same(text, text.swapcase())


@given(st.lists(st.text(max_size=80), max_size=12))
@settings(max_examples=100, deadline=None)
def test_batch_equals_one_by_one(texts: list[str]) -> None:
    tok, doc, first = tokenize_many(texts)
    for i, text in enumerate(texts):
        one = tokenize(text)
        sl = slice(int(first[i]), int(first[i + 1]))
        assert tok.hashes[sl].tolist() == one.hashes.tolist()
        assert tok.starts[sl].tolist() == one.starts.tolist()
        assert tok.ends[sl].tolist() == one.ends.tolist()
        assert (doc[sl] == i).all()


def test_long_text_is_tokenized_piecewise_with_the_same_result(monkeypatch) -> None:
    import sealroom.scan.normalize as norm

    text = "Alpha beta-\ngamma, délta! " * 40 + "x" * 20 + " tail"
    whole = tokenize(text)
    monkeypatch.setattr(norm, "PIECE_CHARS", 64)
    pieces = tokenize(text)
    assert pieces.hashes.tolist() == whole.hashes.tolist()
    assert pieces.starts.tolist() == whole.starts.tolist()
    assert pieces.ends.tolist() == whole.ends.tolist()


@given(st.text(alphabet=st.sampled_from([*"ab é-\n ,.!中", "\u00ad", "😀"]), max_size=400))
@settings(max_examples=150, deadline=None)
def test_piecewise_equals_whole_for_any_text(text: str) -> None:
    import sealroom.scan.normalize as norm

    whole = tokenize(text)
    saved = norm.PIECE_CHARS
    norm.PIECE_CHARS = 40
    try:
        pieces = tokenize(text)
    finally:
        norm.PIECE_CHARS = saved
    # a cut is only ever placed where no token or hyphenation spans it; with no such place in a
    # window (one 40-character word) the cut falls inside that word, which this alphabet avoids
    if any(len(w) >= 20 for w in text.split()):
        return
    assert pieces.hashes.tolist() == whole.hashes.tolist()
    assert pieces.starts.tolist() == whole.starts.tolist()
