"""The per-conversation summary row: words by origin, longest span, articles and their coverage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sealroom.scan.index import CorpusIndex


def _union_length(ranges: list[tuple[int, int]]) -> int:
    total = 0
    end = -1
    for lo, hi in sorted(ranges):
        if hi <= end:
            continue
        total += hi - max(lo, end)
        end = hi
    return total


def summarize(cid: str, n_messages: int, hits: list[dict[str, Any]], index: CorpusIndex) -> dict[str, Any]:
    """``hits`` are the conversation's hit rows (with the private ``_article``, ``_a0/_a1``, ``_q0/_q1``).
    Coverage is the share of an article's words inside the union of the hits' article ranges;
    ``model_coverage`` counts only spans outside user messages."""
    # a message's words count once per origin even when several articles share them (the same
    # wire story printed by many papers)
    spans: dict[tuple[str, int], list[tuple[int, int]]] = defaultdict(list)
    per_article: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for h in hits:
        spans[(h["origin"], h["message_index"])].append((h["_q0"], h["_q1"]))
        per_article[h["_article"]].append(h)
    words = {"user": 0, "pasted": 0, "continued": 0, "generated": 0}
    for (origin, _), ranges in spans.items():
        words[origin] += _union_length(ranges)
    articles = []
    for art, hs in sorted(per_article.items(), key=lambda kv: index.article_id(kv[0])):
        total = max(index.article_words(art), 1)
        covered = _union_length([(h["_a0"], h["_a1"]) for h in hs])
        model = _union_length([(h["_a0"], h["_a1"]) for h in hs if h["origin"] != "user"])
        articles.append(
            {
                "article_id": index.article_id(art),
                "hits": len(hs),
                "words": covered,
                "article_words": index.article_words(art),
                "coverage": covered / total,
                "model_coverage": model / total,
            }
        )
    return {
        "conversation_id": cid,
        "messages": n_messages,
        "hits": len(hits),
        **{f"words_{k}": v for k, v in words.items()},
        "longest_span": max((h["words"] for h in hits), default=0),
        "articles_matched": len(articles),
        "articles": articles,
    }
