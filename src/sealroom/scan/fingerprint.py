"""Word n-gram fingerprints and winnowing, as array operations.

A fingerprint is a 64-bit hash of ``k`` consecutive token hashes. The corpus keeps only a winnowed
subset (Schleimer, Wilkerson & Aiken 2003): in every window of ``w`` consecutive n-grams, the
minimal hash (all positions holding it, when tied). The guarantee used throughout the scanner:
**any run of at least ``w + k - 1`` words shared with an article contains at least one indexed
fingerprint of that article**, and the scanner looks up every n-gram of a message (not only its
winnowed ones), so such a run always yields a candidate. On random text the density of the
winnowed subset is about ``2 / (w + 1)``.
"""

from __future__ import annotations

import numpy as np

from sealroom.scan.normalize import splitmix64

_R = np.uint64(0xC2B2AE3D27D4EB4F)  # multiplier between positions of an n-gram (odd)


def ngram_hashes(token_hashes: np.ndarray, k: int, doc: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of every run of ``k`` tokens, and the index of each run's first token. With ``doc``
    (the text number of every token), runs that would cross from one text into the next are left out."""
    n = token_hashes.size - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    acc = token_hashes[:n].copy()
    for i in range(1, k):
        acc *= _R
        acc += token_hashes[i : i + n]
    grams = splitmix64(acc)
    pos = np.arange(n, dtype=np.int64)
    if doc is not None:
        same = doc[:n] == doc[k - 1 :]
        if not same.all():
            grams, pos = grams[same], pos[same]
    return grams, pos


def winnow(grams: np.ndarray, w: int) -> np.ndarray:
    """Indices of the n-grams winnowing keeps: every position holding its window's minimum, for every
    window of ``w`` consecutive n-grams (all of them when fewer than ``w``)."""
    n = grams.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= w:
        return np.flatnonzero(grams == grams.min())
    # sliding minimum over windows [j, j+w) by doubling: m_s[j] = min(grams[j : j + s])
    m = grams
    span = 1
    while span * 2 <= w:
        m = np.minimum(m[:-span], m[span:])
        span *= 2
    if span < w:
        m = np.minimum(m[: n - w + 1], m[w - span : w - span + n - w + 1])
    m = m[: n - w + 1]  # m[j] = min of window starting at j
    keep = np.zeros(n, dtype=bool)
    for d in range(w):
        # position i = j + d is kept when it equals the minimum of window j
        keep[d : d + m.size] |= grams[d : d + m.size] == m
    return np.flatnonzero(keep)
