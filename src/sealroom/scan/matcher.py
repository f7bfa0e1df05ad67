"""Finding an index's articles in a batch of texts: fingerprint every n-gram, look up, align."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sealroom.scan.align import AlignParams, Span, align
from sealroom.scan.fingerprint import ngram_hashes
from sealroom.scan.index import CorpusIndex
from sealroom.scan.normalize import tokenize_many
from sealroom.step import Stats


@dataclass(frozen=True, slots=True)
class Match:
    """One span of text ``text`` reproducing article ``article`` (a global article number).
    ``start``/``end`` and ``article_start``/``article_end`` are character offsets."""

    text: int
    article: int
    start: int
    end: int
    article_start: int
    article_end: int
    span: Span
    #: character offsets of the tokens of the span, in the text and in the article (for pieces)
    q_starts: np.ndarray
    q_ends: np.ndarray
    a_starts: np.ndarray
    a_ends: np.ndarray

    @property
    def words(self) -> int:
        return self.span.q1 - self.span.q0

    def chars(self, q0: int, q1: int) -> tuple[int, int]:
        """Character offsets in the text of tokens ``[q0, q1)`` (token numbers within the span's text)."""
        return int(self.q_starts[q0 - self.span.q0]), int(self.q_ends[q1 - 1 - self.span.q0])

    def article_chars(self, a0: int, a1: int) -> tuple[int, int]:
        return int(self.a_starts[a0 - self.span.a0]), int(self.a_ends[a1 - 1 - self.span.a0])


def find_matches(
    index: CorpusIndex,
    texts: list[str],
    params: AlignParams,
    *,
    min_words_for: list[int] | None = None,
    max_postings: int = 256,
    stats: Stats | None = None,
) -> list[Match]:
    """Every span of at least ``params.min_words`` matched words (or ``min_words_for[i]`` for text
    ``i``) shared by a text and an indexed article, ordered by text, then position."""
    stats = stats if stats is not None else Stats()
    tok, doc, first = tokenize_many(texts)
    stats.add("tokens", int(tok.hashes.size))
    grams, gpos = ngram_hashes(tok.hashes, index.k, doc)
    cand = index.lookup(grams, max_postings=max_postings)
    stats.add("candidates", int(cand.query.size))
    stats.add("common_ngrams_skipped", cand.skipped_common)
    if cand.query.size == 0:
        return []
    qtok = gpos[cand.query]
    qdoc = doc[qtok]
    q32 = (tok.hashes & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    # a vectorized check of every candidate before any per-pair work: enough equal words near the
    # anchor, on its diagonal or close to it (see align.py for why this cannot drop a real span)
    mw = np.full(qdoc.size, params.min_words) if min_words_for is None else np.asarray(min_words_for)[qdoc]
    need = np.maximum(index.k + 1, np.ceil(params.check_share * np.minimum(mw, params.margin)).astype(np.int64))
    score = index.band_scores(q32, qtok, first[qdoc], first[qdoc + 1], cand, index.k, params.min_words, params.band)
    strong = score >= need
    stats.add("candidates_checked", int(strong.sum()))
    order = np.lexsort((qtok, cand.article, qdoc))
    qtok, qdoc, art, apos, strong = (
        qtok[order],
        qdoc[order],
        cand.article[order],
        cand.article_pos[order],
        strong[order],
    )
    cut = np.flatnonzero((np.diff(qdoc) != 0) | (np.diff(art) != 0)) + 1
    bounds = np.concatenate(([0], cut, [qtok.size]))
    out: list[Match] = []
    for g0, g1 in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if not strong[g0:g1].any():
            continue
        d, a = int(qdoc[g0]), int(art[g0])
        t0, t1 = int(first[d]), int(first[d + 1])
        p = params
        if min_words_for is not None and min_words_for[d] != params.min_words:
            p = AlignParams(**{**_as_dict(params), "min_words": min_words_for[d]})
        stats.add("pairs_aligned")
        spans = align(q32[t0:t1], index.article_hashes(a), qtok[g0:g1] - t0, apos[g0:g1], index.k, p)
        if not spans:
            continue
        _, atok = index.article_tokens(a)  # character offsets, only for pairs that matched
        starts, ends = tok.starts[t0:t1], tok.ends[t0:t1]
        for s in spans:
            out.append(
                Match(
                    d,
                    a,
                    int(starts[s.q0]),
                    int(ends[s.q1 - 1]),
                    int(atok.starts[s.a0]),
                    int(atok.ends[s.a1 - 1]),
                    s,
                    starts[s.q0 : s.q1],
                    ends[s.q0 : s.q1],
                    atok.starts[s.a0 : s.a1],
                    atok.ends[s.a0 : s.a1],
                )
            )
    out.sort(key=lambda m: (m.text, m.start, m.article))
    return out


def _as_dict(p: AlignParams) -> dict[str, object]:
    return {name: getattr(p, name) for name in p.__dataclass_fields__}
