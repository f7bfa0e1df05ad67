"""Verification and extension of candidates into spans: exact blocks, merged into near-verbatim spans.

Input: one text's token hashes, one article's token hashes and the anchors (fingerprint matches)
between them. Anchors are clustered; each cluster's region (plus a margin) is aligned with
``difflib`` matching blocks on token hashes (so case, punctuation, whitespace and the other
normalizations of ``normalize`` never count as differences); the first and last blocks are then
extended exactly past the region, which makes every verbatim span maximal.

Blocks are merged following Ahmed, Cooper, Koyejo & Liang (2026), adapted: first merge blocks
separated by at most ``gap_small`` (2) words on both sides; then join neighbouring merged groups
separated by at most ``gap_large`` (10) words when the joined span keeps ``join_similarity`` (0.8)
or reaches ``long_words`` (100) words (they require 100 words for the second merge; requiring
similarity instead keeps a 20-60 word passage with two adjacent edits in one span). Blocks of fewer
than ``edge_words`` (2) words at either end of a span are trimmed (a lone "the" two words past the
end of a copied passage is chance, not copying) unless a single edit separates them from the rest
(``w0 X w2 …``: the copy's second word was changed); and a span is extended at each end across one
such edit where the word beyond it continues the article (``difflib`` may have paired that word with
another occurrence in the region). Without these two rules a 20-word passage with an edit next to
either end lost an article word and fell below ``min_words``. Spans shorter than ``min_words`` words of the
article, or with similarity 2·matched / (text words + article words) below
``min_similarity`` (0.7) are dropped. A span made of one block is ``verbatim`` (similarity 1); any
other is ``near``.

Which (text, article) pairs reach this module is decided by a vectorized candidate check in
``matcher`` (equal words near each anchor on nearby diagonals; ``band``), so the per-pair Python
work here is spent almost only where something will be reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np


@dataclass(frozen=True, slots=True)
class AlignParams:
    min_words: int = 20
    gap_small: int = 2
    gap_large: int = 10
    long_words: int = 100
    edge_words: int = 2
    min_similarity: float = 0.7
    join_similarity: float = 0.8
    margin: int = 40  # tokens around a cluster of anchors given to the aligner
    cluster_gap: int = 64  # anchors further apart than this (in the text) start a new cluster
    band: int = 1  # insertions/deletions tolerated by the pre-alignment test around each anchor diagonal
    check_share: float = 0.7  # share of min_words that must match near an anchor before aligning


@dataclass(frozen=True, slots=True)
class Span:
    """Token ranges ``[q0, q1)`` in the text and ``[a0, a1)`` in the article, and the exact blocks
    ``(q, a, size)`` inside them."""

    q0: int
    q1: int
    a0: int
    a1: int
    matched: int
    blocks: tuple[tuple[int, int, int], ...]

    @property
    def kind(self) -> str:
        return "verbatim" if len(self.blocks) == 1 else "near"

    @property
    def similarity(self) -> float:
        if len(self.blocks) == 1:
            return 1.0
        return 2.0 * self.matched / ((self.q1 - self.q0) + (self.a1 - self.a0))


def _extend_left(q: np.ndarray, a: np.ndarray, i: int, j: int) -> int:
    """How many tokens before q[i] / a[j] are equal, walking back."""
    n = 0
    step = 16
    while i - n > 0 and j - n > 0:
        m = min(step, i - n, j - n)
        eq = q[i - n - m : i - n][::-1] == a[j - n - m : j - n][::-1]
        if not eq.all():
            return n + int(np.argmin(eq))
        n += m
        step *= 2
    return n


def _extend_right(q: np.ndarray, a: np.ndarray, i: int, j: int) -> int:
    """How many tokens from q[i] / a[j] onward are equal."""
    n = 0
    step = 16
    while i + n < q.size and j + n < a.size:
        m = min(step, q.size - i - n, a.size - j - n)
        eq = q[i + n : i + n + m] == a[j + n : j + n + m]
        if not eq.all():
            return n + int(np.argmin(eq))
        n += m
        step *= 2
    return n


def _clusters(qpos: np.ndarray, apos: np.ndarray, gap: int) -> list[np.ndarray]:
    order = np.lexsort((apos, qpos))
    qs, diag = qpos[order], (apos - qpos)[order]
    cut = np.flatnonzero((np.diff(qs) > gap) | (np.abs(np.diff(diag)) > gap)) + 1
    return np.split(order, cut)


def _blocks(q: np.ndarray, a: np.ndarray, q0: int, q1: int, a0: int, a1: int) -> list[list[int]]:
    sm = SequenceMatcher(None, q[q0:q1].tolist(), a[a0:a1].tolist(), autojunk=False)
    out = [[q0 + i, a0 + j, n] for i, j, n in sm.get_matching_blocks() if n]
    if out:
        first, last = out[0], out[-1]
        ext = _extend_left(q, a, first[0], first[1])
        first[0] -= ext
        first[1] -= ext
        first[2] += ext
        end = _extend_right(q, a, last[0] + last[2], last[1] + last[2])
        last[2] += end
    return out


def _merge(blocks: list[list[int]], gap: int) -> list[list[list[int]]]:
    groups: list[list[list[int]]] = []
    for b in blocks:
        if groups:
            p = groups[-1][-1]
            gq, ga = b[0] - (p[0] + p[2]), b[1] - (p[1] + p[2])
            if 0 <= gq <= gap and 0 <= ga <= gap:
                groups[-1].append(b)
                continue
        groups.append([b])
    return groups


def _one_edit(b: list[int], c: list[int]) -> bool:
    """Whether block ``c`` follows block ``b`` across a single edit: one word substituted, inserted
    or deleted (gaps of at most one word in the text and in the article)."""
    return c[0] - (b[0] + b[2]) <= 1 and c[1] - (b[1] + b[2]) <= 1


def _trim(group: list[list[int]], edge: int) -> list[list[int]]:
    """Drop blocks shorter than ``edge`` words from the ends of a group, unless such a block is
    separated from the rest by a single edit (``w0 X w2 w3 …``: a copied passage whose second word
    was changed keeps its first word; a short block further away is chance)."""
    lo, hi = 0, len(group)
    while hi - lo > 1 and group[lo][2] < edge and not _one_edit(group[lo], group[lo + 1]):
        lo += 1
    while hi - lo > 1 and group[hi - 1][2] < edge and not _one_edit(group[hi - 2], group[hi - 1]):
        hi -= 1
    return group[lo:hi]


def _edge_edits(group: list[list[int]], q: np.ndarray, a: np.ndarray) -> list[list[int]]:
    """Extend a group at each end across one edit (a word substituted, inserted or deleted) when the
    word beyond it continues the article: a copied passage whose second (or second-to-last) word was
    changed keeps its first (last) word. ``difflib`` alone can miss this: it may pair that word with an
    earlier occurrence of it in the region, and the block is then trimmed as chance."""
    first, last = group[0], group[-1]
    i, j = first[0], first[1]
    for x, y in ((i - 2, j - 2), (i - 1, j - 2), (i - 2, j - 1)):
        if x >= 0 and y >= 0 and q[x] == a[y]:
            n = 1 + _extend_left(q, a, x, y)
            group = [[x + 1 - n, y + 1 - n, n], *group]
            break
    i, j = last[0] + last[2], last[1] + last[2]
    for x, y in ((i + 1, j + 1), (i, j + 1), (i + 1, j)):
        if x < q.size and y < a.size and q[x] == a[y]:
            group = [*group, [x, y, _extend_right(q, a, x, y)]]
            break
    return group


def _length(group: list[list[int]]) -> int:
    """A span's length in words, counted in the article: how much of the article it reproduces
    (words inserted into the copy do not make a passage longer)."""
    first, last = group[0], group[-1]
    return last[1] + last[2] - first[1]


def _span(group: list[list[int]]) -> Span:
    first, last = group[0], group[-1]
    return Span(
        first[0],
        last[0] + last[2],
        first[1],
        last[1] + last[2],
        sum(b[2] for b in group),
        tuple((b[0], b[1], b[2]) for b in group),
    )


def _similarity(group: list[list[int]]) -> float:
    first, last = group[0], group[-1]
    total = (last[0] + last[2] - first[0]) + (last[1] + last[2] - first[1])
    return 2.0 * sum(b[2] for b in group) / total


def _spans_from_blocks(blocks: list[list[int]], p: AlignParams, q: np.ndarray, a: np.ndarray) -> list[Span]:
    groups = [_trim(g, p.edge_words) for g in _merge(blocks, p.gap_small)]
    out: list[list[list[int]]] = []
    # second pass: join neighbouring groups across gaps of up to gap_large while the joined span
    # stays similar enough (Ahmed et al. require 100 words here; we require similarity instead, so
    # that a 20-60 word passage with two adjacent edits is still one span)
    for g in groups:
        if out:
            prev = out[-1]
            gq, ga = g[0][0] - (prev[-1][0] + prev[-1][2]), g[0][1] - (prev[-1][1] + prev[-1][2])
            if 0 <= gq <= p.gap_large and 0 <= ga <= p.gap_large:
                joined = prev + g
                if _similarity(joined) >= p.join_similarity or _length(joined) >= p.long_words:
                    out[-1] = joined
                    continue
        out.append(list(g))
    out = [_edge_edits(_trim(g, p.edge_words), q, a) for g in out]
    spans = [_span(g) for g in out if _length(g) >= p.min_words]
    return [s for s in spans if s.similarity >= p.min_similarity]


def align(q: np.ndarray, a: np.ndarray, qpos: np.ndarray, apos: np.ndarray, k: int, p: AlignParams) -> list[Span]:
    """Spans shared by token-hash arrays ``q`` (a text) and ``a`` (an article), seeded by anchors
    (``qpos[i]``, ``apos[i]``: n-grams of ``k`` tokens that match). Spans do not overlap in ``q``."""
    found: list[Span] = []
    for members in _clusters(qpos, apos, p.cluster_gap):
        cq, ca = qpos[members], apos[members]
        q0, q1 = max(0, int(cq.min()) - p.margin), min(q.size, int(cq.max()) + k + p.margin)
        a0, a1 = max(0, int(ca.min()) - p.margin), min(a.size, int(ca.max()) + k + p.margin)
        found += _spans_from_blocks(_blocks(q, a, q0, q1, a0, a1), p, q, a)
    # clusters' regions can overlap: keep the longest span where spans overlap in the text
    found.sort(key=lambda s: (-s.matched, s.q0, s.a0))
    taken: list[Span] = []
    for s in found:
        if all(s.q1 <= t.q0 or s.q0 >= t.q1 for t in taken):
            taken.append(s)
    return sorted(taken, key=lambda s: (s.q0, s.a0))
