from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sealroom.scan.fingerprint import ngram_hashes, winnow


@given(st.lists(st.integers(0, 50), max_size=120), st.integers(1, 12))
@settings(max_examples=200, deadline=None)
def test_winnowing_keeps_every_windows_minimum(values: list[int], w: int) -> None:
    grams = np.array(values, dtype=np.uint64)
    kept = set(winnow(grams, w).tolist())
    n = len(values)
    if n == 0:
        assert not kept
        return
    for j in range(max(1, n - w + 1)):
        window = values[j : j + w]
        lo = min(window)
        # every position holding the window's minimum is kept (so both sides of a match keep it)
        assert all(j + i in kept for i, v in enumerate(window) if v == lo)
    # and nothing else is
    for i in kept:
        assert any(values[i] == min(values[j : j + w]) for j in range(max(0, i - w + 1), min(i, max(0, n - w)) + 1))


def test_ngrams_do_not_cross_texts() -> None:
    h = np.arange(10, dtype=np.uint64)
    doc = np.array([0] * 4 + [1] * 6)
    grams, pos = ngram_hashes(h, 3, doc)
    assert pos.tolist() == [0, 1, 4, 5, 6, 7]
    same, _ = ngram_hashes(h[4:], 3)
    assert grams[2:].tolist() == same.tolist()
